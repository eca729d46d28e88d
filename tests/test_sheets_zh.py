"""Spreadsheets in Chinese: standard numbers officers actually write (JGJ/T, CJJ, JTG, GJB, 修改单),
full-width input from a Chinese input method, and the Excel template and import in Chinese."""
from __future__ import annotations

import pytest

from conftest import GOOD_USCC, std


@pytest.mark.parametrize("text, level, normal", [
    ("JGJ/T 98-2010", "industry", "JGJ/T 98-2010"),
    ("CJJ 1-2008", "industry", "CJJ 1-2008"),
    ("JTG D60-2015", "industry", "JTG D60-2015"),
    ("GJB 9001C-2017", "national", "GJB 9001C-2017"),
    ("GB/T 12345-2008/XG1-2019", "national", "GB/T 12345-2008/XG1-2019"),
    ("DB35/T 1234-2021 / XG1—2022", "local", "DB35/T 1234-2021/XG1-2022"),
    ("ＧＢ／Ｔ　１２３４５－２０２４", "national", "GB/T 12345-2024"),
    ("ｊｇｊ／ｔ　９８－２０１０", "industry", "JGJ/T 98-2010"),
])
def test_standard_numbers_officers_write(text, level, normal):
    from desktop.core.standards import parse_standard_number, standard_level

    sn = parse_standard_number(text)
    assert sn is not None and sn.level == level and sn.text == normal
    assert standard_level(text) == level


@pytest.mark.parametrize("text", ["GB/T 12345-2008/XG1", "JGJXY/T 98-2010", "GB 12345", "ISO 9001-2015", "XYZ/T 1-2020", "JTGX D60-2015"])
def test_near_misses_are_not_standard_numbers(text):
    from desktop.core.standards import parse_standard_number

    assert parse_standard_number(text) is None


def test_full_width_credit_codes_and_standard_numbers_are_read_as_half_width():
    from desktop.core.vocabulary import parse_batch

    full = "".join(chr(ord(c) + 0xFEE0) for c in GOOD_USCC)  # ９１３５… as a full-width input method types it
    achs, problems = parse_batch([std(enterprise=full, ref="ＧＢ／Ｔ　１２３４５－２０２４"),
                                  std(id="s2", ref="莆田市鞋业标准化项目（第２期）", kind="project", level="municipal",
                                      action=None, rank=None)])
    assert problems == []
    assert achs[0].enterprise == GOOD_USCC and achs[0].ref == "GB/T 12345-2024"
    assert achs[1].ref == "莆田市鞋业标准化项目（第２期）"  # a project's name keeps its characters
