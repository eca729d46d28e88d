"""An office database cut to nothing outside the program (a sync tool, a full disk, a pulled stick)
is not taken for a new, empty office: the officer is told the file is damaged and which backup to
restore, nothing is written into it, and the restore brings the office back. A file never used
before still opens as a new database."""
from __future__ import annotations

import json
import shutil

from conftest import GOOD_USCC, run_cli, std

ZH = {"STDAWARD_LANG": "zh_CN"}


def _achievements(db) -> list[str]:
    r = run_cli("list", "achievements", "--json", "--db", str(db))
    assert r.returncode == 0, r.stderr
    return sorted(a["id"] for a in json.loads(r.stdout))


def test_an_emptied_database_is_refused_and_restored_from_its_backup(tmp_path):
    db = tmp_path / "office.db"
    assert run_cli("demo", "--db", str(db)).returncode == 0
    before = _achievements(db)
    backup = tmp_path / "kept.db"
    assert run_cli("backup", "--out", str(backup), "--db", str(db)).returncode == 0
    db.write_bytes(b"")  # cut off; its audit head is still beside it
    data = tmp_path / "in.json"
    data.write_text(json.dumps({"enterprises": [{"uscc": GOOD_USCC, "name": "甲"}], "achievements": [std(id="n1")]}),
                    "utf-8")
    for argv in (("list", "achievements"), ("office",), ("load", str(data))):
        r = run_cli(*argv, "--db", str(db), env=ZH)
        assert r.returncode in (1, 2) and "已损坏" in r.stderr and str(db) in r.stderr, r.stderr
        assert "Error" not in r.stderr and "Traceback" not in r.stderr
        assert db.stat().st_size == 0  # nothing was created in it
    r = run_cli("restore", str(backup), "--db", str(db), env=ZH)
    assert r.returncode == 0, r.stderr
    assert _achievements(db) == before and len(before) > 20


def test_the_message_names_the_newest_automatic_backup(tmp_path):
    db = tmp_path / "office.db"
    assert run_cli("demo", "--db", str(db)).returncode == 0
    assert _achievements(db)  # the first open of the day of a database with an office writes a backup
    folder = tmp_path / "office-backups"
    (kept,) = sorted(folder.glob("*.db"))[-1:]
    (tmp_path / "office.db.audit-head").unlink()  # only the backup shows the office existed
    db.write_bytes(b"")
    r = run_cli("list", "achievements", "--db", str(db), env=ZH)
    assert r.returncode == 1 and kept.name in r.stderr and "restore" in r.stderr, r.stderr


def test_a_new_empty_file_still_opens_as_a_new_database(tmp_path):
    db = tmp_path / "new.db"
    db.write_bytes(b"")
    r = run_cli("office", "--db", str(db), env=ZH)
    assert r.returncode == 0 and "尚未设置本单位信息" in r.stdout, r.stderr
    assert db.stat().st_size > 0
    shutil.rmtree(tmp_path / "new-backups", ignore_errors=True)
