"""Sentences the program puts together in code end as the officer's language ends one: a message
naming a saved file and then what to do next reads 「已保存…：D:\\告知书.pdf。点击“打印...”即可打印。」,
never 「…告知书.pdf 点击…」 run on without a full stop."""
from __future__ import annotations

import pytest

from desktop.core import i18n


@pytest.fixture
def zh():
    i18n.set_locale("zh_CN")
    yield
    i18n.set_locale("en")


def test_chinese_sentences_are_ended_with_a_full_width_stop_and_not_spaced(zh):
    got = i18n.sentences("已保存2份告知书，涉及3个事项：D:\\告知书.pdf", "点击“打印...”即可打印。")
    assert got == "已保存2份告知书，涉及3个事项：D:\\告知书.pdf。点击“打印...”即可打印。"
    assert i18n.sentences("已保存。", "点击打印。") == "已保存。点击打印。"  # already ended: not twice


def test_english_sentences_are_ended_with_a_stop_and_a_space():
    got = i18n.sentences("2 letter(s) for 3 claim(s) saved: D:\\letters.pdf", "Press Print... to print them.")
    assert got == "2 letter(s) for 3 claim(s) saved: D:\\letters.pdf. Press Print... to print them."


def test_items_listed_in_code_are_separated_as_the_language_separates_them(zh):
    assert (i18n.comma(), i18n.semicolon()) == ("，", "；")
    i18n.set_locale("en")
    assert (i18n.comma(), i18n.semicolon()) == (", ", "; ")


def test_an_english_exchange_log_lists_its_counts_with_english_commas(tmp_path):
    """The exchange log's line of an import read 「New 54，Updated 0」 in English."""
    from desktop.operations import exchange
    from tests.test_exchange import apply, city, county, export, using

    src, card = county(tmp_path)
    dst = city(tmp_path, card)
    apply(dst, export(src, tmp_path / "1.stdpkg").path)
    with using(dst):
        counts = [r["counts"] for r in exchange.package_log(None) if r.get("counts")]
    assert counts and all("，" not in c and ", " in c for c in counts), counts
