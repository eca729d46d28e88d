"""Evidence files travel in the package: each once (by SHA-256), checked like every member, stored
at the city by hash where they open; a stick too small or too much evidence is said before writing."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from test_exchange import apply, city, county, export, using

from desktop.core.errors import StdAwardError
from desktop.exchange.package import PackageError

SCAN = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"  # a stand-in scanned certificate
PHOTO = b"\x89PNG\r\n\x1a\n" + b"\x00\x10photo" * 500


def _attach(path: Path, tmp_path: Path) -> None:
    from desktop.operations import records
    from desktop.operations.session import Session
    from desktop.store.models import Achievement

    (tmp_path / "证书.pdf").write_bytes(SCAN)
    (tmp_path / "photo.PNG").write_bytes(PHOTO)
    with Session.open(path, auto_backup=False, check=False) as s:
        s1 = Achievement.get(Achievement.source_id == "s1").get_id()
        p1 = Achievement.get(Achievement.source_id == "p1").get_id()
        records.attach_evidence(s, s1, tmp_path / "证书.pdf")
        records.attach_evidence(s, p1, tmp_path / "photo.PNG")
        records.attach_evidence(s, p1, tmp_path / "证书.pdf")  # the same file on a second record


def _city_files(city_db: Path) -> dict[str, bytes]:
    from desktop.operations import records
    from desktop.operations.session import Session
    from desktop.store.models import Evidence

    with Session.open(city_db, auto_backup=False, check=False) as s:
        return {f"{e.achievement.source_id}/{e.filename}": records.evidence_file(s, e.get_id()).read_bytes()
                for e in Evidence.select()}


def test_evidence_arrives_intact_and_travels_once(tmp_path):
    path, card = county(tmp_path)
    _attach(path, tmp_path)
    city_db = city(tmp_path, card)
    first = export(path, tmp_path / "p1.stdpkg")
    assert first.counts["evidence"] == 3
    assert first.evidence_files == 2 and first.evidence_bytes == len(SCAN) + len(PHOTO)
    res = apply(city_db, first.path)
    assert res.applied["evidence_attached"] == 3 and res.applied["evidence_files"] == 2
    assert _city_files(city_db) == {"s1/证书.pdf": SCAN, "p1/photo.PNG": PHOTO, "p1/证书.pdf": SCAN}
    from desktop.store import audit

    with using(city_db):
        assert audit.verify_all(city_db) == []
    stored = {p.name for p in (tmp_path / "city-evidence").iterdir()}
    assert stored == {hashlib.sha256(SCAN).hexdigest() + ".pdf", hashlib.sha256(PHOTO).hexdigest() + ".png"}

    again = export(path, tmp_path / "p2.stdpkg")  # the rows again, the files not
    assert again.counts["evidence"] == 3 and again.evidence_files == 0 and again.size < first.size
    res = apply(city_db, again.path)
    assert res.applied["evidence_attached"] == 0 and res.applied["evidence_missing"] == 0
    assert len(_city_files(city_db)) == 3


def test_an_evidence_file_that_is_not_what_its_name_says_is_refused(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from desktop.exchange import package as pkgmod
    from desktop.store.migrations import SCHEMA_VERSION

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    manifest = {"office": {"uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12, "name": "x"}, "public_key": public,
                "sequence": 1, "schema_version": SCHEMA_VERSION}
    good = {hashlib.sha256(SCAN).hexdigest() + ".pdf": SCAN}
    assert pkgmod.read_package(pkgmod.build(manifest, {}, pem, files=good)).files == good
    swapped = {hashlib.sha256(SCAN).hexdigest() + ".pdf": PHOTO}  # signed, but not the file it names
    with pytest.raises(PackageError, match="evidence file .* does not match its checksum"):
        pkgmod.read_package(pkgmod.build(manifest, {}, pem, files=swapped))
    with pytest.raises(PackageError, match="not one this program accepts"):
        pkgmod.read_package(pkgmod.build(manifest, {}, pem, files={"../../evil.exe": b"MZ"}))


def test_a_stick_too_small_is_said_before_writing(tmp_path, monkeypatch):
    import shutil
    from collections import namedtuple

    from desktop.store.models import PackageLog

    path, _card = county(tmp_path)
    _attach(path, tmp_path)
    stick = tmp_path / "stick"
    stick.mkdir()
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(64 << 20, 64 << 20, 4096))
    with pytest.raises(StdAwardError, match=r"is full for this package: 0\.0 MB free, it needs 0\.\d MB"):
        export(path, stick / "p1.stdpkg")
    assert list(stick.iterdir()) == []
    with using(path):
        assert PackageLog.select().count() == 0  # no number used, nothing marked as sent
    monkeypatch.undo()
    assert export(path, stick / "p1.stdpkg").evidence_files == 2


def test_too_much_evidence_for_one_package_is_refused_with_the_sizes(tmp_path, monkeypatch):
    from desktop.exchange import package as pkgmod

    path, _card = county(tmp_path)
    _attach(path, tmp_path)
    monkeypatch.setattr(pkgmod, "EVIDENCE_CAP", 4096)
    with pytest.raises(StdAwardError, match="not yet sent come to 0.0 MB, more than the 0 MB one package carries"):
        export(path, tmp_path / "p1.stdpkg")
    assert not (tmp_path / "p1.stdpkg").exists()


def test_preview_says_what_an_export_would_carry(tmp_path):
    from desktop.exchange.export import evidence_preview

    path, _card = county(tmp_path)
    _attach(path, tmp_path)
    with using(path):
        assert evidence_preview() == (2, len(SCAN) + len(PHOTO))
        assert evidence_preview(year=2019) == (0, 0)
    export(path, tmp_path / "p1.stdpkg")
    with using(path):
        assert evidence_preview() == (0, 0)


def test_the_export_command_shows_the_evidence_size(tmp_path):
    import json

    from conftest import run_cli

    path, _card = county(tmp_path)
    _attach(path, tmp_path)
    r = run_cli("export", "--out", str(tmp_path / "p1.stdpkg"), "--db", str(path))
    assert r.returncode == 0 and "of which 2 evidence files not sent before" in r.stdout, r.stderr
    r = run_cli("export", "--out", str(tmp_path / "p2.stdpkg"), "--json", "--db", str(path))
    assert json.loads(r.stdout)["evidence_files"] == 0


def test_evidence_attached_or_removed_after_an_export_travels_in_the_next_changes_package(tmp_path):
    """A county attaches the scan the city asked for after its first package: the "since the last
    export" package carries the record and the file; removing it later travels the same way."""
    from desktop.operations import records
    from desktop.operations.session import Session
    from desktop.store.models import Achievement, Evidence

    path, card = county(tmp_path)
    city_db = city(tmp_path, card)
    apply(city_db, export(path, tmp_path / "p1.stdpkg").path)
    assert _city_files(city_db) == {}
    (tmp_path / "证书.pdf").write_bytes(SCAN)
    with Session.open(path, auto_backup=False, check=False) as s:
        records.attach_evidence(s, Achievement.get(Achievement.source_id == "s1").get_id(), tmp_path / "证书.pdf")
    later = export(path, tmp_path / "p2.stdpkg", since_last=True)
    assert later.evidence_files == 1  # (records changed in the second of the last export come again too)
    apply(city_db, later.path)
    assert _city_files(city_db) == {"s1/证书.pdf": SCAN}

    with Session.open(path, auto_backup=False, check=False) as s:
        records.remove_evidence(s, Evidence.get().get_id())
    gone = export(path, tmp_path / "p3.stdpkg", since_last=True)
    assert gone.counts["achievements"] >= 1 and gone.evidence_files == 0
    apply(city_db, gone.path)
    assert _city_files(city_db) == {}
