"""Money: ``Decimal`` yuan with two places, rounded half up; display with babel, capitals with cn2an."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


# What an officer may type around an amount (in a form, on the command line, in a finance sheet):
# thousands separators (also the full-width one an input method gives), the yuan sign (both
# widths), the word 元 and spaces.
_TYPED = re.compile(r"[,，¥￥元\s]")


def parse_money(text: str) -> Decimal:
    """The amount an officer typed ("12,000", "12000.5", "￥8,000元", "1，500"), exact (not rounded);
    ValueError when it is not a finite number of yuan. The one reading of typed money: every form,
    verb and sheet that takes an amount comes through here (through ``to_money`` when rounded)."""
    try:
        d = Decimal(_TYPED.sub("", str(text)))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount of money: {text!r}") from exc
    if not d.is_finite():
        raise ValueError(f"not an amount of money: {text!r}")
    return d


def to_money(value: Decimal | int | str) -> Decimal:
    """Exact yuan with two places (a string read as ``parse_money`` reads it). Floats are refused:
    they cannot hold money exactly."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str, int or Decimal")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not an amount of money: {value!r}")
        d = value
    else:
        d = parse_money(str(value))
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def money_str(value: Decimal | None) -> str | None:
    """The contract's string form: "35000.00" (or None)."""
    return None if value is None else format(to_money(value), "f")


def format_money(value: Decimal, locale: str = "zh_CN") -> str:
    """``¥150,000.00`` in the user's locale. zh_CN (every caller's) is written here exactly as babel
    writes it (``tests/test_money_format.py`` compares the two): the first screen shows amounts, and loading
    babel's number formats for them cost its first paint 30-70 ms."""
    amount = to_money(value)
    if locale == "zh_CN":
        return ("-" if amount.is_signed() else "") + f"¥{abs(amount):,.2f}"
    from babel.numbers import format_currency

    return format_currency(amount, "CNY", locale=locale, format="¤#,##0.00", currency_digits=False)


def money_in_capitals(value: Decimal) -> str:
    """人民币壹拾伍万元整 — the amount written out for a notice (cn2an ``rmb`` mode)."""
    import cn2an

    amount = to_money(value)
    if amount < 0:
        raise ValueError("a negative amount cannot be written in capitals on a notice")
    if amount == 0:
        return "人民币零元整"
    text: str = cn2an.an2cn(format(amount, "f"), "rmb")  # cn2an ships no type information
    return "人民币" + text


def yuan_short(value: Decimal) -> str:
    """A compact figure for explanations: 50,000 or 35,000.50 (no currency sign)."""
    amount = to_money(value)
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount:,.2f}"
