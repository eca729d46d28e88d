"""A full disk never locks the officer out of the data: the database opens for reading only, says in
words that the disk is full and that changes are refused, and can still be listed and backed up to
another disk. Once space is freed it opens normally again."""
from __future__ import annotations

import errno
import json
import os
import sqlite3
from pathlib import Path

import pytest
from conftest import OTHER_USCC, run_main, std

ENTS = [{"uscc": OTHER_USCC, "name": "莆田市测试鞋业有限公司"}]


def make_office(db: Path, tmp_path: Path) -> None:
    src = tmp_path / "load.json"
    src.write_text(json.dumps({"enterprises": ENTS, "achievements": [std(id="a1", enterprise=OTHER_USCC)]}), "utf-8")
    for argv in (("office", "--name", "城厢区市场监督管理局", "--region", "350302"), ("load", str(src))):
        r = run_main(*argv, "--db", str(db))
        assert r.returncode == 0, (argv, r.stderr)


def achievements(db: Path) -> int:
    con = sqlite3.connect(db.resolve().as_uri() + "?immutable=1", uri=True)
    try:
        return con.execute("SELECT COUNT(*) FROM achievement").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def small_disk(mount_tmpfs) -> Path:  # noqa: ANN001
    """A real 2 MB disk (tmpfs), when this machine lets the tests mount one."""
    return mount_tmpfs(2, "disk")


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"x" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_opens_for_reading_and_backing_up_and_refuses_changes_in_words(tmp_path: Path,
                                                                                  small_disk: Path):
    db = small_disk / "office.db"
    make_office(db, tmp_path)
    more = tmp_path / "more.json"
    more.write_text(json.dumps([std(id="b1", enterprise=OTHER_USCC, ref="GB/T 33333-2024")]), "utf-8")
    filler = fill(small_disk)
    (small_disk / "office.db.lock").unlink()  # no lock file yet either: it cannot be created now

    r = run_main("list", "enterprises", "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert OTHER_USCC in r.stdout
    assert "is full" in r.stderr and "reading only" in r.stderr and "back it up to another disk" in r.stderr

    r = run_main("load", str(more), "--db", str(db))
    assert r.returncode == 1
    assert "is full" in r.stderr and "read-only disk or folder" not in r.stderr and "unexpected" not in r.stderr

    copy = tmp_path / "elsewhere" / "copy.db"
    copy.parent.mkdir()
    r = run_main("backup", "--out", str(copy), "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert achievements(copy) == 1

    filler.unlink()  # space freed: the database opens normally and takes the change
    r = run_main("load", str(more), "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert "reading only" not in r.stderr
    assert achievements(db) == 2


def no_room_for_the_lock_holder(monkeypatch) -> None:
    """From now on the lock file opens but its holder cannot be written into it: the disk is full."""
    from desktop.store import lock

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(lock.os, "pwrite", full)
    monkeypatch.setattr(lock.os, "write", full)


def test_no_room_for_the_lock_holder_opens_for_reading_and_keeps_writers_out(tmp_path: Path, monkeypatch):
    from desktop.core.errors import DatabaseBusy, StdAwardError
    from desktop.operations import backups, records
    from desktop.operations.session import Session
    from desktop.store import db as dbmod
    from desktop.store.lock import WriterLock

    path = tmp_path / "office.db"
    make_office(path, tmp_path)
    no_room_for_the_lock_holder(monkeypatch)
    with Session.open(path, auto_backup=False, check=False) as s:
        assert dbmod.read_only
        assert any("is full" in n and "back it up to another disk" in n for n in s.notes)
        with pytest.raises(DatabaseBusy):  # the lock is held all the same: no other process writes meanwhile
            WriterLock(path).acquire()
        with pytest.raises(StdAwardError) as refused:
            records.load(s, {"enterprises": ENTS, "achievements": [std(id="z", enterprise=OTHER_USCC)]})
        assert "is full" in str(refused.value) and "change enterprises and achievements" in str(refused.value)
        made = backups.make(s, tmp_path / "copy.db")
    assert achievements(made) == 1 and achievements(path) == 1
    assert not dbmod.read_only  # closed: the next open starts afresh


def test_the_quick_start_leaves_a_full_disk_to_the_ordinary_open(tmp_path: Path, monkeypatch):
    from desktop.store import db as dbmod

    path = tmp_path / "office.db"
    make_office(path, tmp_path)
    no_room_for_the_lock_holder(monkeypatch)
    assert dbmod.open_quick(path) is None
    try:
        dbmod.open_db(path, auto_backup=False)  # what the start does next: reading only, told why
        assert dbmod.read_only and any("is full" in n for n in dbmod.open_notes)
    finally:
        dbmod.close_db()
