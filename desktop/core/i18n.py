"""gettext for every string a user sees: ``from desktop.core.i18n import _``.

Catalogues live in ``i18n/<locale>/LC_MESSAGES/stdaward.po`` (source) and are compiled to ``.mo``
at install/build time. When only the ``.po`` is present (a source checkout), it is read with babel so
the program still speaks the user's language. zh_CN is the default; zh_TW and en are maintained.
"""
from __future__ import annotations

import gettext
import os
import sys
from pathlib import Path

DOMAIN = "stdaward"
LOCALES = ("zh_CN", "zh_TW", "en")
DEFAULT_LOCALE = "zh_CN"


def catalog_dir() -> Path:
    """Where the catalogues are: beside the frozen executable, or the source tree's ``i18n``."""
    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base) / "i18n"
    return Path(__file__).resolve().parents[2] / "i18n"


class _PoTranslations(gettext.NullTranslations):
    """Translations read straight from a .po file with babel (no compiled .mo needed)."""

    def __init__(self, po_path: Path) -> None:
        super().__init__()
        from babel.messages.pofile import read_po

        with open(po_path, "rb") as fh:
            cat = read_po(fh)
        self._map: dict[str, str] = {}
        for msg in cat:
            if msg.id and msg.string and not msg.fuzzy:
                if isinstance(msg.id, (tuple, list)):  # a plural entry: the singular's translation
                    self._map[msg.id[0]] = msg.string[0]
                elif isinstance(msg.string, str):
                    self._map[msg.id] = msg.string

    def gettext(self, message: str) -> str:
        return self._map.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._map.get(singular, singular) if n == 1 else self._map.get(singular, plural)


_current_locale = DEFAULT_LOCALE
_UNLOADED = gettext.NullTranslations()
_translations: gettext.NullTranslations = _UNLOADED


def load(locale: str) -> gettext.NullTranslations:
    d = catalog_dir() / locale / "LC_MESSAGES"
    mo, po = d / f"{DOMAIN}.mo", d / f"{DOMAIN}.po"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with open(mo, "rb") as fh:
            return gettext.GNUTranslations(fh)
    if po.exists():
        return _PoTranslations(po)
    return gettext.NullTranslations()


def set_locale(locale: str | None) -> str:
    """Switch the language of every later ``_()`` call. Returns the locale in force."""
    global _current_locale, _translations
    locale = (locale or DEFAULT_LOCALE).replace("-", "_")
    if locale not in LOCALES:
        locale = "en" if locale.startswith("en") else ("zh_TW" if locale in ("zh_HK", "zh_MO") else DEFAULT_LOCALE)
    if locale != _current_locale or _translations is _UNLOADED:  # the catalogue is read once per switch
        _translations = load(locale)
    _current_locale = locale
    return locale


def current_locale() -> str:
    return _current_locale


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


_EVERY: dict[str, gettext.NullTranslations] = {}


def in_every_language(message: str) -> set[str]:
    """``message`` as each catalogue says it (the msgid too): recognising a text the program stored
    in the language of whoever wrote it, to show it in the reader's (the catalogues read once)."""
    for locale in LOCALES:
        if locale not in _EVERY:
            _EVERY[locale] = load(locale)
    return {message, *(t.gettext(message) for t in _EVERY.values())}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translated where shown)."""
    return message


set_locale(os.environ.get("STDAWARD_LANG") or DEFAULT_LOCALE)


def _chinese() -> bool:
    return _current_locale.startswith("zh")


def columns(text: str) -> int:
    """How many terminal (or spreadsheet) columns ``text`` takes: a Chinese character two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sentences(*parts: str) -> str:
    """Sentences put together in code, each ended as the language ends one (「…：D:\\告知书.pdf。点击…」,
    "…: D:\\letters.pdf. Press…"): a part already ending in a full stop is left as it is."""
    zh = _chinese()
    out = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if not last and not part.endswith(("。", ".", "！", "？", "!", "?")):
            part += "。" if zh else "."
        out.append(part)
    return ("" if zh else " ").join(out)


def comma() -> str:
    """The comma between items listed in code (新增 54，更新 0 · New 54, Updated 0)."""
    return "，" if _chinese() else ", "


def semicolon() -> str:
    """The semicolon between groups listed in code."""
    return "；" if _chinese() else "; "


def colon() -> str:
    """The colon between a label and its value put together in code (条款：五(二)2, Clause: ...):
    full-width in Chinese, as the catalogue's own strings write it."""
    return "：" if _chinese() else ": "
