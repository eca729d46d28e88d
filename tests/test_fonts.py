"""Fonts for notices: TrueType only (CFF refused with a clear reason), glyph coverage, office choice."""
from __future__ import annotations

import pytest

from desktop.core.errors import ValidationFailed
from desktop.notices import fonts


def test_bundled_font_is_truetype_and_covers_notice_text():
    path = fonts.bundled_path()
    assert (path.parent / "ARPHICPL.TXT").exists()
    assert fonts.outline_kind(path, fonts.BUNDLED_INDEX) == "truetype"
    choice = fonts.make_choice("body", path)
    text = "城市监〔2026〕12号 ¥115,000.00 — 1 — 人民币壹拾壹万伍仟元整 鑫堃燊昇喆淼犇祎龍華 （）《》“”：；，。"
    assert fonts.missing(choice, text) == []


def test_cff_opentype_is_refused_with_the_reason(tmp_path):
    otf = tmp_path / "NotoSansCJKsc-Regular.otf"
    otf.write_bytes(b"OTTO" + b"\0" * 200)
    with pytest.raises(fonts.FontError, match="CFF"):
        fonts.make_choice("body", otf)
    ttc = tmp_path / "NotoSansCJK.ttc"  # a collection whose face is CFF
    ttc.write_bytes(b"ttcf" + b"\0\1\0\0" + b"\0\0\0\1" + (16).to_bytes(4, "big") + b"OTTO" + b"\0" * 64)
    with pytest.raises(fonts.FontError, match="CFF"):
        fonts.make_choice("body", ttc)
    junk = tmp_path / "simfang.ttf"
    junk.write_bytes(b"<html>not a font</html>")
    with pytest.raises(fonts.FontError, match="not a TrueType"):
        fonts.make_choice("body", junk)


def test_missing_glyph_names_character_record_and_field():
    choice = fonts.make_choice("body", fonts.bundled_path())
    with pytest.raises(ValidationFailed) as exc:
        fonts.check_texts(choice, [("91350100M000100Y43", "recipient", "莆田市\U0002A6A5有限公司")])
    (p,) = exc.value.problems
    assert p.record == "91350100M000100Y43" and p.field == "recipient" and "U+2A6A5" in p.message


def test_office_choice_first_then_windows_fonts_then_bundled(tmp_path, monkeypatch):
    monkeypatch.setenv("STDAWARD_FONT_DIRS", str(tmp_path))
    assert fonts.choose({})["body"].bundled
    copy = tmp_path / "simfang.ttf"  # a Windows font found by name in the font folders
    copy.write_bytes(fonts.bundled_path().read_bytes())
    chosen = fonts.choose({})
    assert chosen["body"].file_name == "simfang.ttf" and not chosen["body"].bundled
    assert chosen["heading"].bundled and chosen["heading"].bold  # emboldened Ming for headings
    mine = fonts.choose({"fonts": {"body": "uming.ttc", "heading": {"file": str(copy), "index": 0}}})
    assert mine["body"].bundled and mine["heading"].path == str(copy)
    with pytest.raises(fonts.FontError, match="not installed"):
        fonts.choose({"fonts": {"body": "no-such-font.ttf"}})


def test_notice_fonts_cli_refuses_cff(tmp_path):
    from conftest import run_cli

    db = str(tmp_path / "o.db")
    run_cli("office", "--db", db, "--name", "某局", "--region", "350302", "--doc-prefix", "城市监")
    otf = tmp_path / "a.otf"
    otf.write_bytes(b"OTTO" + b"\0" * 100)
    r = run_cli("notice-fonts", "--db", db, "--body", str(otf))
    assert r.returncode == 1 and "CFF" in r.stderr
    r = run_cli("notice-fonts", "--db", db, "--json")
    assert r.returncode == 0 and '"bundled": true' in r.stdout
