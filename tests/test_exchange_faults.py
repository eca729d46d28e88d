"""Packages that must be refused (cut short, one byte flipped, wrong passphrase, forged, too new),
an import killed mid-transaction, and the round trip property: export → import reproduces every record."""
from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_exchange import apply, city, county, export, make_uscc, plan, table_dump, using


@pytest.fixture
def exported(tmp_path):
    src, card = county(tmp_path)
    return src, card, export(src, tmp_path / "a.stdpkg").path


def _refused(path: Path, passphrase: str | None = None) -> str:
    from desktop.exchange.package import PackageError, read_package

    with pytest.raises(PackageError) as info:
        read_package(path, passphrase=passphrase)
    return str(info.value)


def test_a_package_cut_short_anywhere_is_refused(exported, tmp_path):
    _src, _card, pkg = exported
    data = pkg.read_bytes()
    cut = tmp_path / "cut.stdpkg"
    offsets = sorted({0, 1, 10, 22, len(data) - 1, len(data) - 22, len(data) - 23}
                     | set(range(0, len(data), max(1, len(data) // 40))))
    for n in offsets:
        cut.write_bytes(data[:n])
        msg = _refused(cut)
        assert "package" in msg, (n, msg)
    assert "cut short" in _refused(cut)  # the message says what probably happened


def test_one_flipped_byte_anywhere_is_refused(exported, tmp_path):
    _src, _card, pkg = exported
    data = bytearray(pkg.read_bytes())
    bad = tmp_path / "bad.stdpkg"
    for pos in sorted(set(range(0, len(data), max(1, len(data) // 80))) | {len(data) - 1, len(data) - 70}):
        flipped = bytearray(data)
        flipped[pos] ^= 0x01
        bad.write_bytes(bytes(flipped))
        msg = _refused(bad)
        assert "damaged" in msg or "not a complete" in msg, (pos, msg)


def _rezip(src: Path, dst: Path, change) -> None:  # noqa: ANN001
    """Rewrite a package's members as someone editing it would, with a fresh (valid) outer seal,
    so that only the signature and the member checksums stand in the way."""
    from desktop.exchange import package

    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    change(members)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.comment = b"0" * package._SEAL_LEN
        for n, b in members.items():
            zf.writestr(n, b)
    body = buf.getvalue()[:-package._SEAL_LEN]
    dst.write_bytes(body + package._seal(body))


def test_edited_data_with_the_old_signature_is_refused(exported, tmp_path):
    _src, _card, pkg = exported
    forged = tmp_path / "forged.stdpkg"

    def edit(m):
        m["data/achievements.json"] = m["data/achievements.json"].replace(b'"national"', b'"international"')
    _rezip(pkg, forged, edit)
    assert "checksum" in _refused(forged)

    def edit_manifest(m):  # the hashes updated too: then the signature no longer fits
        man = json.loads(m["manifest.json"])
        man["counts"]["achievements"] = 3
        m["manifest.json"] = json.dumps(man).encode()
    _rezip(pkg, forged, edit_manifest)
    assert "signature is not valid" in _refused(forged)


def test_a_package_signed_by_another_key_is_refused(exported, tmp_path):
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    _src, _card, pkg = exported
    forged = tmp_path / "forged.stdpkg"
    other = Ed25519PrivateKey.generate()
    _rezip(pkg, forged, lambda m: m.__setitem__("manifest.sig", base64.b64encode(other.sign(m["manifest.json"]))))
    assert "signature is not valid" in _refused(forged)


def test_wrong_passphrase_says_so_and_the_right_one_opens(tmp_path):
    src, card = county(tmp_path)
    pkg = export(src, tmp_path / "e.stdpkg", passphrase="正确的口令 42").path
    assert b"GB/T 12345" not in pkg.read_bytes()
    assert "wrong passphrase" in _refused(pkg, "wrong")
    assert "encrypted" in _refused(pkg, None)
    dst = city(tmp_path, card)
    assert apply(dst, pkg, passphrase="正确的口令 42").applied["inserted"] == 3


def test_cli_wrong_passphrase_exits_2_with_a_clear_reason(tmp_path):
    from conftest import run_cli

    src, _card = county(tmp_path)
    phrase, wrong = tmp_path / "p.txt", tmp_path / "w.txt"
    phrase.write_text("secret words\n", "utf-8")
    wrong.write_text("other words\n", "utf-8")
    pkg = tmp_path / "e.stdpkg"
    r = run_cli("export", "--db", str(src), "--out", str(pkg), "--passphrase-file", str(phrase))
    assert r.returncode == 0, r.stderr
    r = run_cli("verify-package", str(pkg), "--passphrase-file", str(wrong), "--db", str(src), env={"STDAWARD_LANG": "en"})
    assert r.returncode == 2 and "wrong passphrase" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run_cli("verify-package", str(pkg), "--passphrase-file", str(phrase), "--db", str(src))
    assert r.returncode == 0, r.stderr


def _resigned(src_db: Path, pkg: Path, out: Path, **manifest_changes) -> Path:
    from desktop.exchange import package
    from desktop.exchange.offices import signing_office

    good = package.read_package(pkg)
    with using(src_db):
        key = signing_office().signing_key
    tables = {t: (good.columns(t), good.rows(t)) for t in good.tables}
    out.write_bytes(package.build(dict(good.manifest, **manifest_changes), tables, key))
    return out


def test_a_package_from_a_newer_schema_or_format_is_refused(exported, tmp_path):
    from desktop.store.migrations import SCHEMA_VERSION

    src, _card, pkg = exported
    newer = _resigned(src, pkg, tmp_path / "n.stdpkg", schema_version=SCHEMA_VERSION + 1)
    msg = _refused(newer)
    assert "newer StdAward" in msg and f"schema {SCHEMA_VERSION + 1}" in msg

    def bump(m):
        man = json.loads(m["manifest.json"])
        man["format_version"] = 99
        m["manifest.json"] = json.dumps(man).encode()
    _rezip(pkg, tmp_path / "f.stdpkg", bump)
    assert "newer StdAward" in _refused(tmp_path / "f.stdpkg")


def test_a_package_names_the_last_schema_that_changed_what_packages_carry(exported):
    """Schema 8 changed an index only: its packages say 7, so a county on this program and a city
    still on the last (schema 7) go on exchanging packages until the city updates."""
    from desktop.exchange.package import read_package
    from desktop.store.migrations import PACKAGE_SCHEMA, SCHEMA_VERSION

    _src, _card, pkg = exported
    assert read_package(pkg).manifest["schema_version"] == PACKAGE_SCHEMA == 7 < SCHEMA_VERSION


def test_not_a_package_at_all(tmp_path):
    junk = tmp_path / "junk.stdpkg"
    junk.write_text("hello", "utf-8")
    assert "not a complete StdAward package" in _refused(junk)
    assert "no such file" in _refused(tmp_path / "missing.stdpkg")


def test_import_killed_mid_transaction_leaves_the_database_unchanged(tmp_path):
    from desktop.exchange.importer import PAUSE_ENV
    from desktop.store.models import Achievement, Enterprise

    src, card = county(tmp_path)
    pkg = export(src, tmp_path / "a.stdpkg").path
    dst = city(tmp_path, card)
    before = table_dump(dst)
    marker = tmp_path / "paused"
    env = dict(os.environ, **{PAUSE_ENV: str(marker)})
    proc = subprocess.Popen([sys.executable, "-m", "desktop", "import", str(pkg), "--db", str(dst)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the import never reached its pause"
            time.sleep(0.05)
        # the rows are written inside the open transaction at this point
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert table_dump(dst) == before
    with using(dst):
        assert Enterprise.select().count() == 0 and Achievement.select().count() == 0
    con = sqlite3.connect(dst)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    assert apply(dst, pkg).applied["inserted"] == 3  # and the import then goes through


# ------------------------------------------------------------------------------------- property

_KINDS = st.sampled_from([
    {"kind": "standard", "level": "national", "action": "formulate", "rank": 1},
    {"kind": "standard", "level": "group", "action": "revise", "rank": 3},
    {"kind": "secretariat", "level": "provincial", "body": "sc"},
    {"kind": "prize", "prize": "fujian-contribution", "grade": 2, "rank": 1},
    {"kind": "pilot", "level": "municipal", "domain": "park", "accepted": False},
    {"kind": "good_behavior", "level": "national", "grade": "AAAA"},
    {"kind": "adoption", "ref": "ISO 9001:2015"},
    {"kind": "gi", "rank": 1},
])
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12).filter(str.strip)


@st.composite
def _datasets(draw):
    n_ent = draw(st.integers(1, 3))
    ents = [{"uscc": make_uscc(i + 1), "name": draw(_TEXT), "region": "350302",
             "address": draw(st.none() | _TEXT), "phone": draw(st.none() | st.just("0594-1234567"))} for i in range(n_ent)]
    achs = []
    for i in range(draw(st.integers(0, 6))):
        a = dict(draw(_KINDS), id=f"x{i}", enterprise=ents[draw(st.integers(0, n_ent - 1))]["uscc"],
                 date=draw(st.dates(min_value=__import__("datetime").date(2000, 1, 1),
                                    max_value=__import__("datetime").date(2030, 12, 31))).isoformat())
        if a["kind"] == "standard":
            a["ref"] = f"GB/T {1000 + i}-2020"
        for fld in ("title", "note"):
            if draw(st.booleans()):
                a[fld] = draw(_TEXT)
        if draw(st.booleans()):
            a["units"] = draw(st.lists(_TEXT, max_size=3))
        achs.append(a)
    return {"enterprises": ents, "achievements": achs}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_datasets(), encrypted=st.booleans())
def test_export_then_import_into_an_empty_database_reproduces_every_record(tmp_path_factory, data, encrypted):
    tmp = tmp_path_factory.mktemp("prop")
    src, card = county(tmp, data=data)
    if data["achievements"]:
        from test_exchange import add_round

        add_round(src, 2024, [(data["achievements"][0]["id"], "12345.67", "r1", "f1")])
    phrase = "口令" if encrypted else None
    pkg = export(src, tmp / "p.stdpkg", passphrase=phrase).path
    dst = city(tmp, card)
    apply(dst, pkg, passphrase=phrase)
    assert table_dump(dst) == table_dump(src)
    assert plan(dst, pkg, passphrase=phrase).counts()["unchanged"] == sum(len(v) for v in table_dump(src).values())


def test_a_table_with_other_columns_is_refused_even_when_signed(exported, tmp_path):
    from desktop.exchange import package
    from desktop.exchange.offices import signing_office

    src, _card, pkg = exported
    good = package.read_package(pkg)
    tables = {t: (good.columns(t), good.rows(t)) for t in good.tables}
    cols, rows = tables["enterprises"]
    tables["enterprises"] = (cols[:-1], [r[:-1] for r in rows])  # as an older or foreign program might write
    with using(src):
        key = signing_office().signing_key
    odd = tmp_path / "odd.stdpkg"
    odd.write_bytes(package.build(dict(good.manifest), tables, key))
    assert "other columns" in _refused(odd)


def test_cli_verify_package_refuses_an_unregistered_signer(exported, tmp_path):
    from conftest import run_cli

    _src, _card, pkg = exported
    dst = city(tmp_path)
    r = run_cli("verify-package", str(pkg), "--db", str(dst), env={"STDAWARD_LANG": "en"})
    assert r.returncode == 2 and "not registered" in r.stderr
    assert "intact, signature valid" in r.stdout  # the file itself is fine: the reason is the signer
