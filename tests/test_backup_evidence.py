"""A backup holds the evidence folder too: a manual backup writes the files' copy beside the
database's; restoring it on a machine that lost the folder puts the files back, checked by hash."""
from __future__ import annotations

import hashlib
import shutil
import zipfile

from conftest import run_cli
from test_exchange import county
from test_exchange_evidence import PHOTO, SCAN, _attach


def test_backup_and_restore_carry_the_evidence_files(tmp_path):
    path, _card = county(tmp_path)
    _attach(path, tmp_path)
    out = tmp_path / "kept" / "office-backup.db"
    out.parent.mkdir()
    r = run_cli("backup", "--out", str(out), "--db", str(path))
    assert r.returncode == 0 and "Evidence files copied beside it" in r.stdout, r.stderr
    copy = out.with_name(out.name + ".evidence.zip")
    with zipfile.ZipFile(copy) as zf:
        assert {zf.read(n) for n in zf.namelist()} == {SCAN, PHOTO}

    shutil.rmtree(tmp_path / "county-a-evidence")  # the old PC's disk is gone; the database is restored
    r = run_cli("restore", str(out), "--db", str(path))
    assert r.returncode == 0 and "Evidence files put back: 2" in r.stdout, r.stderr
    stored = {p.name: p.read_bytes() for p in (tmp_path / "county-a-evidence").iterdir()}
    assert stored == {hashlib.sha256(SCAN).hexdigest() + ".pdf": SCAN,
                      hashlib.sha256(PHOTO).hexdigest() + ".png": PHOTO}


def test_a_damaged_file_in_the_copy_is_not_put_back(tmp_path):
    from desktop.store import evidence_copy

    path, _card = county(tmp_path)
    _attach(path, tmp_path)
    backup = tmp_path / "b.db"
    backup.write_bytes(b"")
    zipped = evidence_copy.write(path, backup)
    assert zipped is not None
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(zipped) as src, zipfile.ZipFile(forged, "w") as dst:
        for n in src.namelist():
            dst.writestr(n, src.read(n) if n.endswith(".png") else b"not the scan")
        dst.writestr("../../outside.txt", b"x")
    forged.replace(zipped)
    shutil.rmtree(tmp_path / "county-a-evidence")
    got = evidence_copy.restore(path, backup)
    assert (got.files, got.damaged) == (1, 2)
    assert [p.suffix for p in (tmp_path / "county-a-evidence").iterdir()] == [".png"]
    assert not (tmp_path / "outside.txt").exists()
    assert evidence_copy.restore(path, tmp_path / "no-copy.db") is None
