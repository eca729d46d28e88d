"""Hostile and careless input costs little and is refused with a reason naming the record and field.

The costly attacks run the real CLI in a subprocess whose address space is capped with
``resource.setrlimit(RLIMIT_AS)`` (``LIMIT`` below): before the limits, each of them needed more
than a gigabyte and ended in a MemoryError; now each is refused with a clear reason inside the cap.
The bombs are built without ever holding their unpacked size: a deflate stream of identical
independent blocks inflates to a gigabyte from one megabyte.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from conftest import OTHER_USCC, ROOT, run_main, std

pytestmark = pytest.mark.faults

LIMIT = 384 << 20  # bytes of address space for the CLI under attack (it needs ~100 MB for real work)
GIB = 1 << 30

_RUNNER = """
import json, os, resource, sys
limit = int(os.environ["LIMIT"])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from desktop.cli import main
code = main(json.loads(os.environ["ARGV"]))
peak = [l for l in open("/proc/self/status") if l.startswith("VmPeak")] if os.path.exists("/proc/self/status") else []
sys.stderr.write("".join(peak))
sys.exit(code)
"""


def limited(*argv: str) -> subprocess.CompletedProcess:
    """The CLI in a subprocess whose address space is capped at LIMIT."""
    env = dict(os.environ, LIMIT=str(LIMIT), ARGV=json.dumps(list(argv)), STDAWARD_LANG="en")
    return subprocess.run([sys.executable, "-c", _RUNNER], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def no_traceback(r: Any) -> None:
    assert "Traceback" not in r.stderr and "unexpected" not in r.stderr and "MemoryError" not in r.stderr, r.stderr


# ------------------------------------------------------------------------- building bombs cheaply
def deflate_repeated(prefix: bytes, chunk: bytes, times: int, suffix: bytes) -> bytes:
    """A raw deflate stream of prefix + chunk * times + suffix, built in O(len(chunk)): after a
    full flush the compressor forgets its history, so each chunk compresses to the same bytes."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    return head + block * times + c.compress(suffix) + c.flush(zlib.Z_FINISH)


def zip_bytes(entries: list[tuple[str, int, bytes, int, int]], comment: bytes = b"") -> bytes:
    """A ZIP archive written by hand: (name, method, stored bytes, crc32, unpacked size) per member."""
    out, central = bytearray(), bytearray()
    for name, method, data, crc, size in entries:
        n = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size, len(n), 0)
        out += n + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data), size,
                               len(n), 0, 0, 0, 0, 0, offset) + n
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), start, len(comment))
    return bytes(out + comment)


def stored(name: str, data: bytes) -> tuple[str, int, bytes, int, int]:
    return name, zipfile.ZIP_STORED, data, zlib.crc32(data), len(data)


def forge_package(manifest: dict, signing_key_pem: str, members: list[tuple[str, int, bytes, int, int]]) -> bytes:
    """A package signed by ``signing_key_pem`` (its sender's own key: a hostile sender signs what it
    likes) and sealed as the program seals them."""
    from cryptography.hazmat.primitives import serialization

    from desktop.exchange import package as pk

    mbytes = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode()
    key = serialization.load_pem_private_key(signing_key_pem.encode(), password=None)
    sig = base64.b64encode(key.sign(mbytes))
    body = zip_bytes([stored(pk.MANIFEST, mbytes), stored(pk.SIGNATURE, sig), *members])
    # the seal is the archive comment: fix its length in the end record, then append it
    body = body[:-2] + struct.pack("<H", pk._SEAL_LEN)
    return body + pk._seal(body)


@pytest.fixture(scope="module")
def sender(tmp_path_factory):
    """A county (its key and a real package) and two cities: one that registered it, one that did not."""
    from test_exchange import city, county, export, using

    from desktop.exchange.offices import signing_office
    from desktop.exchange.package import read_package

    base = tmp_path_factory.mktemp("sender")
    src, card = county(base, "a")
    pkg = export(src, base / "real.stdpkg").path
    with using(src):
        key = signing_office().signing_key
    (base / "trusting").mkdir()
    (base / "stranger").mkdir()
    trusting, stranger = city(base / "trusting", card), city(base / "stranger")
    return {"key": key, "manifest": read_package(pkg).manifest, "trusting": trusting, "stranger": stranger,
            "base": base, "card": card, "county": src}


def bomb_manifest(real: dict, name: str, size: int) -> dict:
    m = json.loads(json.dumps(real))
    m["members"] = {name: {"sha256": "0" * 64, "size": size}}
    m["counts"] = {"achievements": 1}
    m["sequence"] = 7
    return m


@pytest.fixture(scope="module")
def zip_bomb(sender) -> Path:
    """A 1 MB package whose achievements table inflates to 1 GiB."""
    name = "data/achievements.json"
    data = deflate_repeated(b'{"columns":[],"rows":[', b" " * (1 << 20), 1024, b"]}")
    size = 22 + GIB + 2
    member = (name, zipfile.ZIP_DEFLATED, data, 0, size)
    path = sender["base"] / "bomb.stdpkg"
    path.write_bytes(forge_package(bomb_manifest(sender["manifest"], name, size), sender["key"], [member]))
    assert path.stat().st_size < 2 << 20
    return path


def test_a_zip_bomb_from_an_unregistered_sender_is_refused_before_it_is_unpacked(sender, zip_bomb):
    r = limited("import", str(zip_bomb), "--db", str(sender["stranger"]))
    assert r.returncode == 2, r.stderr
    # refused from the archive's directory (sizes) or the signed manifest (sender), never by unpacking
    assert "not registered" in r.stderr or "would unpack to" in r.stderr
    no_traceback(r)


def test_a_zip_bomb_from_a_registered_sender_is_refused_by_its_size(sender, zip_bomb):
    r = limited("import", str(zip_bomb), "--db", str(sender["trusting"]))
    assert r.returncode == 2, r.stderr
    assert "would unpack to" in r.stderr and "achievements" in r.stderr
    no_traceback(r)


def _encrypted(sender, n: int, r: int) -> Path:
    from desktop.exchange import package as pk

    m = json.loads(json.dumps(sender["manifest"]))
    payload = os.urandom(4096)
    m["encryption"] = {"cipher": "AES-256-GCM", "kdf": "scrypt", "n": n, "r": r, "p": 1,
                       "salt": base64.b64encode(os.urandom(16)).decode(),
                       "nonce": base64.b64encode(os.urandom(12)).decode()}
    m["members"] = {pk.PAYLOAD: {"sha256": hashlib.sha256(payload).hexdigest(), "size": len(payload)}}
    m["inner_members"] = {}
    m["sequence"] = 8
    path = sender["base"] / f"scrypt-{n}-{r}.stdpkg"
    path.write_bytes(forge_package(m, sender["key"], [stored(pk.PAYLOAD, payload)]))
    return path


def test_hostile_key_derivation_parameters_cost_nothing(sender, tmp_path):
    """scrypt with N=2**20, r=8 needs 1 GiB and tens of seconds per try: refused before deriving."""
    pkg = _encrypted(sender, 2 ** 20, 8)
    pw = tmp_path / "pw.txt"
    pw.write_text("secret", "utf-8")
    r = limited("import", str(pkg), "--db", str(sender["trusting"]), "--passphrase-file", str(pw))
    assert r.returncode == 2 and "encryption parameters" in r.stderr, r.stderr
    no_traceback(r)
    r = limited("import", str(pkg), "--db", str(sender["stranger"]), "--passphrase-file", str(pw))
    assert r.returncode == 2 and "not registered" in r.stderr, r.stderr  # a stranger's package is not even decrypted
    assert sender["card"]["fingerprint"] not in r.stderr  # (nothing to type back when registering it)


def test_a_package_with_too_many_members_is_refused(sender):
    m = json.loads(json.dumps(sender["manifest"]))
    members = [stored(f"data/x{i}.json", b"{}") for i in range(40)]
    path = sender["base"] / "many.stdpkg"
    path.write_bytes(forge_package(m, sender["key"], members))
    r = limited("import", str(path), "--db", str(sender["trusting"]))
    assert r.returncode == 2 and "42 members, more than a StdAward package has" in r.stderr, r.stderr


def test_a_county_relabelling_its_package_with_another_name_is_shown_by_its_registered_name(sender, tmp_path):
    from test_exchange import export, plan, using

    from desktop.store import office

    with using(sender["county"]):
        office.update(name="b县市场监督管理局", user="mallory")  # A claims to be B
    try:
        pkg = export(sender["county"], tmp_path / "relabelled.stdpkg").path
    finally:
        with using(sender["county"]):
            office.update(name="a县市场监督管理局", user="tester")
    p = plan(sender["trusting"], pkg)
    assert p.office["name"] == "a县市场监督管理局"
    r = run_main("import", str(pkg), "--db", str(sender["trusting"]))
    assert r.returncode == 0, r.stderr
    assert "a县市场监督管理局" in r.stdout and "b县" not in r.stdout
    con = sqlite3.connect(sender["trusting"])
    after = con.execute("SELECT after FROM audit_entry WHERE action = 'import' ORDER BY id DESC").fetchone()[0]
    assert "a县市场监督管理局" in after and "b县" not in after


def test_an_office_card_alone_does_not_register_a_new_key(sender, tmp_path):
    from test_exchange import new_office, using

    from desktop.core.errors import StdAwardError
    from desktop.exchange import offices

    fresh = tmp_path / "c.db"
    new_office(fresh, "莆田市市场监督管理局", "350300", role="city")
    with using(fresh):
        true_fp = sender["card"]["fingerprint"]
        with pytest.raises(StdAwardError, match="fingerprint") as refused:
            offices.register(sender["card"], user="tester")
        # what the refusal says never gives the fingerprint to type back: it must come from the county
        assert true_fp not in str(refused.value)
        with pytest.raises(StdAwardError, match="is not this key's") as refused:
            offices.register(sender["card"], expected_fingerprint="0000 0000 0000 0000 0000", user="tester")
        assert true_fp not in str(refused.value)
        with pytest.raises(StdAwardError) as refused:
            offices.register({**sender["card"], "from_package": True}, user="tester")
        assert true_fp not in str(refused.value)
        assert offices.known() == []
        offices.register(sender["card"], expected_fingerprint=sender["card"]["fingerprint"], user="tester")
        assert [k["name"] for k in offices.known()] == [sender["card"]["name"]]


# ------------------------------------------------------------------------- workbooks
def _template(tmp_path: Path) -> dict[str, bytes]:
    from desktop.exchange.xlsx import write_template

    path = write_template(tmp_path / "t.xlsx")
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_a_workbook_with_a_gigabyte_shared_string_is_refused_unread(tmp_path):
    parts = _template(tmp_path)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>'))
    head = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
    tail = b"</t></si></sst>"
    bomb = ("xl/sharedStrings.xml", zipfile.ZIP_DEFLATED, deflate_repeated(head, b"a" * (1 << 20), 1024, tail), 0,
            len(head) + GIB + len(tail))
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(zip_bytes([stored(n, b) for n, b in parts.items()] + [bomb]))
    assert path.stat().st_size < 2 << 20
    r = limited("load", str(path), "--db", str(tmp_path / "o.db"))
    assert r.returncode == 2, r.stderr
    assert "sharedStrings" in r.stderr and "refused" in r.stderr
    no_traceback(r)


def test_a_workbook_with_too_many_rows_is_refused_plainly(tmp_path):
    from desktop.exchange.xlsx import MAX_ROWS

    parts = _template(tmp_path)
    rows = MAX_ROWS + 50
    body = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) for i in range(2, rows + 2))
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>' + body + b"</sheetData></worksheet>")
    parts["xl/worksheets/sheet2.xml"] = sheet
    path = tmp_path / "rows.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, b in parts.items():
            zf.writestr(n, b)
    r = limited("load", str(path), "--db", str(tmp_path / "o.db"))
    assert r.returncode == 2, r.stderr
    assert f"more than {MAX_ROWS} rows" in r.stderr
    no_traceback(r)


# ------------------------------------------------------------------------- text and types
def load_file(tmp_path: Path, data: object, cap: bool = False) -> Any:
    """``stdaward load`` of ``data``: under the address-space cap where the input is large, else in
    this process (a bad character or type costs no memory; the suite saves a Python start)."""
    src = tmp_path / "in.json"
    src.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return (limited if cap else run_main)("load", str(src), "--db", str(tmp_path / "o.db"))


def test_a_million_character_name_is_refused_naming_the_record_and_field(tmp_path):
    r = load_file(tmp_path, {"enterprises": [{"uscc": OTHER_USCC, "name": "某" * 1_000_000}], "achievements": []},
                  cap=True)
    assert r.returncode == 2
    assert f"{OTHER_USCC} · name: is 1000000 characters long; at most 200" in r.stderr
    no_traceback(r)


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b[31m", "\u202e", "\u2066", "\x9b"])
def test_control_and_direction_characters_are_refused_and_never_echoed(tmp_path, bad):
    r = load_file(tmp_path, {"enterprises": [{"uscc": OTHER_USCC, "name": f"莆田{bad}鞋业"}],
                             "achievements": [std(id=f"a{bad}1", enterprise=OTHER_USCC, title=f"标准{bad}名称")]})
    assert r.returncode == 2
    assert f"{OTHER_USCC} · name: contains an invisible control or text-direction character (U+{ord(bad[0]):04X})" \
        in r.stderr
    assert "#1 · id: contains" in r.stderr and "#1 · title: contains" in r.stderr
    assert bad not in r.stderr and "\x1b" not in r.stderr
    db = tmp_path / "o.db"
    assert not db.exists() or run_main("list", "enterprises", "--db", str(db)).stdout == ""  # nothing stored


def test_a_note_may_hold_line_breaks_but_a_title_may_not(tmp_path):
    r = load_file(tmp_path, {"enterprises": [{"uscc": OTHER_USCC, "name": "莆田鞋业"}],
                             "achievements": [std(id="a", enterprise=OTHER_USCC, note="第一行\n第二行"),
                                              std(id="b", enterprise=OTHER_USCC, title="一\n二", ref="GB/T 2-2024")]})
    assert r.returncode == 2
    assert "b · title: contains" in r.stderr and "a · note" not in r.stderr


@pytest.mark.parametrize("achievements, expected", [
    (["hello", 5, None], "#2 · -: an achievement must be an object"),
    ([std(kind=["standard"])], "s1 · kind: unknown kind"),
    ([std(level={"x": 1})], "s1 · level:"),
    ([std(grade=[1], kind="prize", prize="china_standard_innovation", level=None, action=None)], "s1 · grade:"),
    ([std(evidence=["x"] * 500)], "s1 · evidence: lists 500 items"),
])
def test_wrong_types_are_named_by_record_and_field(tmp_path, achievements, expected):
    # a valid record first, so the bad one takes the fast path a long file takes
    r = load_file(tmp_path, {"enterprises": [], "achievements": [std(id="ok"), *achievements]})
    assert r.returncode == 2, r.stderr
    assert expected in r.stderr
    no_traceback(r)


def test_deep_nesting_is_refused_as_a_bad_file(tmp_path):
    src = tmp_path / "deep.json"
    src.write_text("[" * 200_000 + "]" * 200_000, "utf-8")
    r = limited("load", str(src), "--db", str(tmp_path / "o.db"))
    assert r.returncode == 2 and "nests lists or objects too deeply" in r.stderr
    no_traceback(r)


def test_a_link_attached_as_evidence_is_refused(db, tmp_path):
    from desktop.core.errors import ValidationFailed
    from desktop.store import records
    from desktop.store.edits import attach_evidence
    from desktop.store.models import Achievement, Evidence

    records.load({"enterprises": [{"uscc": OTHER_USCC, "name": "莆田鞋业"}],
                  "achievements": [std(id="a", enterprise=OTHER_USCC)]}, user="tester")
    ach = Achievement.get()
    secret = tmp_path / "secret.txt"
    secret.write_text("not evidence")
    link = tmp_path / "certificate.pdf"
    link.symlink_to(secret)
    with pytest.raises(ValidationFailed) as info:
        attach_evidence(db, ach, link, "tester")
    assert info.value.problems[0].field == "evidence" and "link" in info.value.problems[0].message
    with pytest.raises(ValidationFailed):
        attach_evidence(db, ach, tmp_path, "tester")  # a folder
    assert Evidence.select().count() == 0
    real = tmp_path / "real.pdf"
    real.write_bytes(b"%PDF-1.4 certificate")
    ev = attach_evidence(db, ach, real, "tester")
    assert ev.size == len(b"%PDF-1.4 certificate")


def test_a_package_carrying_control_characters_has_those_records_rejected(tmp_path):
    """A county's program could be old or altered: the city applies the same text rules on import."""
    from test_exchange import city, county, export, plan

    src, card = county(tmp_path, "x")
    con = sqlite3.connect(src)
    con.execute("UPDATE enterprise SET name = name || ?, updated_at = updated_at", ("\x1b]8;;http://x\x07",))
    con.execute("UPDATE achievement SET title = ? WHERE id = (SELECT MIN(id) FROM achievement)", ("标" * 5000,))
    con.commit()
    con.close()
    pkg = export(src, tmp_path / "x.stdpkg").path
    dst = city(tmp_path, card)
    p = plan(dst, pkg)
    reasons = {(i.table, i.reason.split(":")[0]) for i in p.rejected}
    assert ("enterprises", "name") in reasons and ("achievements", "title") in reasons
    assert all("\x1b" not in i.reason for i in p.rejected)


def test_the_office_name_printed_on_notices_has_the_same_limits(tmp_path):
    r = run_main("office", "--name", "莆田" + "局" * 5000, "--region", "350302", "--db", str(tmp_path / "o.db"))
    assert r.returncode == 2 and "office · name: is 5002 characters long" in r.stderr
    r = run_main("office", "--name", "莆田\u202e局", "--region", "350302", "--db", str(tmp_path / "o.db"))
    assert r.returncode == 2 and "office · name: contains" in r.stderr


def test_a_summary_workbook_is_written_even_if_old_data_holds_control_characters(tmp_path):
    """Data stored before the limits existed must not make the summary fail (IllegalCharacterError)."""
    from openpyxl import load_workbook

    from desktop.exchange.xlsx import write_sheets

    out = write_sheets(tmp_path / "s.xlsx", [("汇总", ["企业", "金额"], [["莆田\x1b[31m鞋业\x07", 1]])])
    assert load_workbook(out).active["A2"].value == "莆田[31m鞋业"
    assert [p.name for p in tmp_path.iterdir()] == ["s.xlsx"]
