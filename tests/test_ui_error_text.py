"""What the window says about refused input: each problem with its record and what is wrong, the field
named in the officer's language where the program has a word for it, never by its internal key
("comment", "doc_number") on a Chinese screen."""
from __future__ import annotations

import pytest

from desktop.core import i18n
from desktop.core.errors import Problem, ValidationFailed
from desktop.ui.tasks import error_text


@pytest.fixture
def chinese():
    i18n.set_locale("zh_CN")
    yield
    i18n.set_locale("en")


def test_a_field_without_a_word_is_left_out_not_shown_as_its_key(chinese):
    exc = ValidationFailed([Problem("莆田市城厢区市场监督管理局", "comment", "请说明退回原因")])
    assert error_text(exc) == "莆田市城厢区市场监督管理局：请说明退回原因"


def test_a_field_the_program_has_a_word_for_is_named_in_it(chinese):
    text = error_text(ValidationFailed([Problem("城市监〔2026〕1号", "amount", "超过尚未拨付的¥30,000.00")]))
    assert text == "城市监〔2026〕1号 · 金额：超过尚未拨付的¥30,000.00"
    assert "amount" not in text


def test_warnings_are_not_listed_as_errors(chinese):
    exc = ValidationFailed([Problem("甲", "amount", "错误", severity="error"), Problem("乙", "amount", "提醒", severity="warning")])
    assert error_text(exc) == "甲 · 金额：错误"
