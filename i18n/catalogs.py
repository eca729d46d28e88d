#!/usr/bin/env python3
"""Message catalogues with babel: extract → update → (translate) → compile.

    python i18n/catalogs.py extract   scan desktop/ for _() and N_() into i18n/stdaward.pot
    python i18n/catalogs.py update    merge the .pot into each locale's .po (new strings empty)
    python i18n/catalogs.py fill-tw   fill empty zh_TW strings from zh_CN with OpenCC (s2twp)
    python i18n/catalogs.py compile   .po → .mo (done by dev.py and the build)
    python i18n/catalogs.py apply F   set zh_CN strings from a JSON object {msgid: translation}
    python i18n/catalogs.py fill-en   en strings are the msgids themselves
    python i18n/catalogs.py check     list strings zh_CN or zh_TW does not translate yet
    python i18n/catalogs.py pending   extract, update, then apply every i18n/pending/*.json (zh_CN),
                                      fill zh_TW (OpenCC) and en, compile, and remove the applied files
    python i18n/catalogs.py all       extract, update, compile

Catalogues are edited as .po files (any PO editor); translations never live in code.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POT = HERE / "stdaward.pot"
LOCALES = ("zh_CN", "zh_TW", "en")


def _po(locale: str) -> Path:
    return HERE / locale / "LC_MESSAGES" / "stdaward.po"


def _babel(*argv: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "-q", *argv])


def extract() -> None:
    import os

    cwd = os.getcwd()
    os.chdir(ROOT)  # source references in the catalogues relative to the repository
    try:
        _babel("extract", "-F", str(HERE / "babel.cfg"), "-k", "_", "-k", "N_", "-k", "ngettext:1,2",
               "--sort-by-file", "--no-wrap", "--project", "StdAward", "-o", str(POT), "desktop")
    finally:
        os.chdir(cwd)


def update() -> None:
    for loc in LOCALES:
        po = _po(loc)
        if po.exists():
            _babel("update", "-i", str(POT), "-o", str(po), "-l", loc, "--no-wrap", "--no-fuzzy-matching")
        else:
            po.parent.mkdir(parents=True, exist_ok=True)
            _babel("init", "-i", str(POT), "-o", str(po), "-l", loc, "--no-wrap")


def compile_all() -> None:
    for loc in LOCALES:
        po = _po(loc)
        if not po.exists():
            continue
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        _babel("compile", "-i", str(po), "-o", str(mo), "-l", loc, "--use-fuzzy")


def _read(path: Path):
    from babel.messages.pofile import read_po

    with open(path, "rb") as fh:
        return read_po(fh)


def _write(path: Path, cat) -> None:
    from babel.messages.pofile import write_po

    tmp = path.with_suffix(".po.part")
    with open(tmp, "wb") as fh:
        write_po(fh, cat, width=0, sort_by_file=True)
    tmp.replace(path)


def fill_tw() -> None:
    import opencc  # dev tool: pip install opencc

    conv = opencc.OpenCC("s2twp")
    cn, tw = _read(_po("zh_CN")), _read(_po("zh_TW"))
    n = 0
    for msg in tw:
        if msg.id and not msg.string:
            src = cn.get(msg.id)
            if src is not None and src.string:
                msg.string = conv.convert(src.string)
                n += 1
    _write(_po("zh_TW"), tw)
    print(f"zh_TW: {n} strings filled from zh_CN")


def apply(path: str, locale: str = "zh_CN") -> None:
    import json

    table = json.loads(Path(path).read_text("utf-8"))
    cat = _read(_po(locale))
    n = 0
    for msg in cat:
        if msg.id and isinstance(msg.id, str) and table.get(msg.id):
            msg.string = table[msg.id]
            msg.flags.discard("fuzzy")
            n += 1
    _write(_po(locale), cat)
    print(f"{locale}: {n} strings set")


def fill_en() -> None:
    cat = _read(_po("en"))
    for msg in cat:
        if msg.id and not msg.string:
            msg.string = msg.id if isinstance(msg.id, str) else tuple(msg.id)
    _write(_po("en"), cat)


def untranslated(locale: str = "zh_CN") -> list[str]:
    return [m.id for m in _read(_po(locale)) if m.id and not m.string]


def pending() -> None:
    """Translations delivered beside a change (``i18n/pending/NAME.json``: {msgid: zh_CN}), so that
    parallel branches never edit the .po files at once: merged here in one go."""
    files = sorted((HERE / "pending").glob("*.json"))
    extract()
    update()
    for f in files:
        apply(str(f), "zh_CN")
    fill_tw()
    fill_en()
    compile_all()
    for f in files:
        f.unlink()
    left = untranslated("zh_CN")
    if left:
        print(f"zh_CN: {len(left)} strings still untranslated, first: {left[:5]}")


def main(argv: list[str]) -> int:
    verb = argv[0] if argv else "all"
    if verb in ("extract", "all"):
        extract()
    if verb in ("update", "all"):
        update()
    if verb == "fill-tw":
        fill_tw()
    if verb == "fill-en":
        fill_en()
    if verb == "apply":
        apply(argv[1], argv[2] if len(argv) > 2 else "zh_CN")
    if verb == "pending":
        pending()
    if verb in ("compile", "all"):
        compile_all()
    if verb == "check":
        missing = untranslated("zh_CN") + untranslated("zh_TW")
        for m in missing:
            print("untranslated:", m)
        return 1 if missing else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
