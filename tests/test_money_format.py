"""Amounts as officers read them: ``format_money`` writes zh_CN itself (the first screen shows amounts
before babel is loaded) and must write exactly what babel's CLDR pattern writes."""
from __future__ import annotations

import random
from decimal import Decimal

import pytest
from babel.numbers import format_currency

from desktop.core.money import format_money, to_money


def _babel(value: Decimal, locale: str = "zh_CN") -> str:
    return format_currency(to_money(value), "CNY", locale=locale, format="¤#,##0.00", currency_digits=False)


@pytest.mark.parametrize("text", ["0", "0.004", "-0.004", "0.005", "1", "12.5", "999.995", "1000", "1234567.891",
                                  "-1234.5", "-1000000", "99999999999999.99", "150000"])
def test_zh_cn_amounts_are_written_as_babel_writes_them(text: str) -> None:
    assert format_money(Decimal(text)) == _babel(Decimal(text))


def test_random_amounts_and_signs_agree_with_babel() -> None:
    rng = random.Random(20261204)
    for _ in range(3000):
        digits = rng.randint(0, 14)
        value = Decimal(rng.randint(-10 ** digits, 10 ** digits)) / Decimal(rng.choice([1, 10, 100, 1000]))
        assert format_money(value) == _babel(value), value


def test_other_locales_still_go_through_babel() -> None:
    assert format_money(Decimal("150000"), "en") == _babel(Decimal("150000"), "en")
    assert format_money(Decimal("150000"), "zh_TW") == _babel(Decimal("150000"), "zh_TW")


def test_a_float_is_still_refused() -> None:
    with pytest.raises(TypeError):
        format_money(1.5)  # type: ignore[arg-type]
