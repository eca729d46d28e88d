"""Every string a user sees is translated: zh_CN first, zh_TW and en maintained, placeholders intact."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _placeholders(text: str) -> list[str]:
    """The names of the str.format fields of ``text`` (doubled braces are literal braces, not fields).
    A translation may write a field otherwise (Chinese quotes a value as “{value}” where English
    writes its repr, ``{value!r}``): the names must be the same."""
    return sorted(re.split(r"[!:]", field[1:-1])[0] for field in PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


def _source_msgids() -> set[str]:
    ids = set()
    for _file, _line, msg, _comments, _ctx in extract_from_dir(str(ROOT / "desktop"), keywords=KEYWORDS,
                                                               method_map=[("**.py", "python")]):
        ids.add(msg[0] if isinstance(msg, tuple) else msg)
    return ids


def _catalog(locale: str):
    with open(ROOT / "i18n" / locale / "LC_MESSAGES" / "stdaward.po", "rb") as fh:
        return read_po(fh)


@pytest.fixture(scope="module")
def msgids():
    return _source_msgids()


@pytest.mark.parametrize("locale", ["zh_CN", "zh_TW"])
def test_every_source_string_is_translated(msgids, locale):
    cat = _catalog(locale)
    missing = sorted(m for m in msgids if not (cat.get(m) and cat.get(m).string))
    assert missing == [], f"{len(missing)} strings lack a {locale} translation: run 'python3 dev.py i18n' " \
                          f"and translate them in i18n/{locale}; first: {missing[:5]}"


@pytest.mark.parametrize("locale", ["zh_CN", "zh_TW", "en"])
def test_translations_keep_every_placeholder(locale):
    bad = [(m.id, m.string) for m in _catalog(locale) if isinstance(m.id, str) and m.string
           and _placeholders(m.id) != _placeholders(m.string)]
    assert bad == []


def test_chinese_is_the_default_and_languages_switch():
    from desktop.core import i18n

    try:
        assert i18n.set_locale(None) == "zh_CN"
        assert i18n._("Standard drafting") == "标准制修订"
        i18n.set_locale("zh_TW")
        assert i18n._("the check character is wrong (the last character should be {c})").startswith("校驗碼")
        i18n.set_locale("zh_HK")
        assert i18n.current_locale() == "zh_TW"
        i18n.set_locale("en")
        assert i18n._("Standard drafting") == "Standard drafting"
    finally:
        i18n.set_locale("en")


@pytest.mark.parametrize("locale", ["zh_CN", "zh_TW"])
def test_chinese_text_uses_the_full_width_colon(locale):
    """条款：…, not 条款: … — in the catalogue and where code puts a label and its value together."""
    from desktop.core import i18n

    half = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff08\uff09\u300a-\u300f]\s?:|\}: ")
    bad = [m.string for m in _catalog(locale) if isinstance(m.string, str) and half.search(m.string)
           and "AH1:" not in m.string]  # the audit head's format is written as it is typed
    assert bad == []
    try:
        i18n.set_locale(locale)
        assert i18n.colon() == "："
        i18n.set_locale("en")
        assert i18n.colon() == ": "
    finally:
        i18n.set_locale("en")


@pytest.mark.parametrize("locale, said", [("zh_CN", "“十二”不是数字"), ("zh_TW", "“十二”不是數字")])
def test_chinese_quotes_a_value_with_chinese_quotation_marks_not_pythons(locale, said):
    """「'十二' 不是数字」 read as the program's own repr: a value the officer typed is quoted “十二”."""
    from desktop.core import i18n

    assert [m.id for m in _catalog(locale) if m.id and m.string and "!r}" in str(m.string)] == []
    i18n.set_locale(locale)
    try:
        assert i18n._("{value!r} is not a number").format(value="十二") == said
    finally:
        i18n.set_locale("en")
