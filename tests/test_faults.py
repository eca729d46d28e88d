"""Fault injection: the real CLI, killed at each fsync/rename/commit point of load, import, export,
backup, restore and notice printing (the enterprise copies and the 存档联, first print and reprint) (``STDAWARD_FAULT=<step>:<point>`` makes it ``os._exit`` there, as a power cut
would), then opened again. After every crash: the database passes ``PRAGMA integrity_check``, holds
the old or the new state (never a mix), no complete copy lingers under a temporary name once the next
open has run, and a package number is never used twice.

Also the recovery paths the crashes call for: restore over a damaged database, a damaged database
named at open with its newest good backup, a daily backup that cannot be written, leftovers.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import OTHER_USCC, run_cli, run_main, std

pytestmark = pytest.mark.faults

CRASH = 86  # desktop.store.atomic.FAULT_EXIT
ENTS = [{"uscc": OTHER_USCC, "name": "莆田市测试鞋业有限公司"}]


def integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def count(db: Path, table: str, where: str = "") -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute(f"SELECT COUNT(*) FROM {table} {where}").fetchone()[0]
    finally:
        con.close()


def leftovers(folder: Path) -> list[str]:
    from desktop.store.atomic import is_leftover

    return sorted(p.name for p in folder.rglob("*") if is_leftover(p.name))


def cli(*argv: str, fault: str | None = None) -> Any:
    """The CLI killed at ``fault`` runs in its own process, which the kill ends: a fork of this one
    (the same code, already imported, so a kill costs no Python start), or a fresh interpreter where
    there is no fork. Every other run, the reopen after the crash and the checks, runs in this process."""
    if fault:
        if hasattr(os, "fork"):
            return forked_cli(list(argv), fault)
        return run_cli(*argv, env={"STDAWARD_FAULT": fault})
    return run_main(*argv)


def forked_cli(argv: list[str], fault: str) -> Any:
    """``main(argv)`` in a child process with ``STDAWARD_FAULT=fault``; its exit status and output."""
    import tempfile

    from desktop.cli import main

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:  # the child: its own stdout/stderr, the fault hook armed; it never returns
            code = 99
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", line_buffering=True)
                sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", line_buffering=True)
                os.environ["STDAWARD_FAULT"] = fault
                code = main(argv)
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
        _pid, status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        return SimpleNamespace(returncode=os.waitstatus_to_exitcode(status), stdout=out.read().decode("utf-8"),
                               stderr=err.read().decode("utf-8"))


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    """A county database with data, a backup of it, a package of it, and a city that trusts it:
    built once, copied into each test."""
    base = tmp_path_factory.mktemp("world")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STDAWARD_DATA", str(base / "data"))  # the per-test data folder is not made yet
        mp.delenv("STDAWARD_FAULT", raising=False)
        build_world(base)
    shutil.rmtree(base / "data", ignore_errors=True)
    return base


def build_world(base: Path) -> None:
    county = base / "county" / "office.db"
    county.parent.mkdir()
    (base / "load.json").write_text(json.dumps({"enterprises": ENTS, "achievements": [
        std(id="a1", enterprise=OTHER_USCC), std(id="a2", enterprise=OTHER_USCC, ref="GB/T 22222-2024")]}), "utf-8")
    (base / "more.json").write_text(json.dumps([std(id="b1", enterprise=OTHER_USCC, ref="GB/T 33333-2024")]), "utf-8")
    for argv in (("office", "--name", "城厢区市场监督管理局", "--region", "350302", "--doc-prefix", "城市监"),
                 ("load", str(base / "load.json")),
                 ("backup", "--out", str(base / "good-backup.db")),
                 ("offices", "--card", str(base / "card.json")),
                 ("export", "--out", str(base / "p1.stdpkg"))):
        r = cli(*argv, "--db", str(county))
        assert r.returncode == 0, (argv, r.stderr)
    city = base / "city" / "office.db"
    city.parent.mkdir()
    card = json.loads((base / "card.json").read_text("utf-8"))
    for argv in (("office", "--name", "莆田市市场监督管理局", "--region", "350300", "--role", "city"),
                 ("register-office", str(base / "card.json"), "--fingerprint", card["fingerprint"])):
        r = cli(*argv, "--db", str(city))
        assert r.returncode == 0, (argv, r.stderr)


@pytest.fixture
def here(world: Path, tmp_path: Path) -> Path:
    shutil.copytree(world, tmp_path / "w")
    return tmp_path / "w"


def reopen(db: Path) -> None:
    """The next start after the crash: any verb opens (and tidies) the database."""
    r = cli("list", "enterprises", "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert integrity(db) == "ok"
    assert leftovers(db.parent) == []


@pytest.mark.parametrize("point", ["load:in-transaction"])
def test_a_crash_during_load_leaves_the_old_data(here: Path, point: str):
    db = here / "county" / "office.db"
    r = cli("load", str(here / "more.json"), "--db", str(db), fault=point)
    assert r.returncode == CRASH, r.stderr
    reopen(db)
    assert count(db, "achievement") == 2  # old: the crashed load added nothing
    assert cli("load", str(here / "more.json"), "--db", str(db)).returncode == 0
    assert count(db, "achievement") == 3  # and it can simply be run again


@pytest.mark.parametrize("point", ["import:in-transaction"])
def test_a_crash_during_import_leaves_the_old_data_and_the_import_can_be_repeated(here: Path, point: str):
    city = here / "city" / "office.db"
    r = cli("import", str(here / "p1.stdpkg"), "--db", str(city), fault=point)
    assert r.returncode == CRASH, r.stderr
    reopen(city)
    assert count(city, "achievement") == 0 and count(city, "package_log") == 0
    r = cli("import", str(here / "p1.stdpkg"), "--db", str(city))
    assert r.returncode == 0, r.stderr
    assert count(city, "achievement") == 2


@pytest.mark.parametrize("point", ["written", "synced", "in-transaction", "recorded", "renamed"])
def test_a_crash_during_export_never_leads_to_a_number_used_twice(here: Path, point: str):
    db = here / "county" / "office.db"
    out = here / "p2.stdpkg"
    r = cli("export", "--out", str(out), "--db", str(db), fault=f"export:{point}")
    assert r.returncode == CRASH, r.stderr
    reopen(db)
    for tmp in here.glob(".*.part"):  # a temporary package is refused, even when complete
        r = cli("import", str(tmp), "--db", str(here / "city" / "office.db"))
        assert r.returncode == 2 and ("temporary" in r.stderr or "not a complete" in r.stderr)
    recorded = {row[0] for row in sqlite3.connect(db).execute(
        "SELECT sequence FROM package_log WHERE direction = 'export'")}
    if out.exists():  # a package under its final name: its number is recorded
        from desktop.exchange.package import read_package

        assert read_package(out).sequence in recorded
    again = here / "p3.stdpkg"
    r = cli("export", "--out", str(again), "--db", str(db), "--json")
    assert r.returncode == 0, r.stderr
    seq = json.loads(r.stdout)["sequence"]
    assert leftovers(here) == []  # the next export to the stick tidied the interrupted one away
    assert seq not in recorded - {seq} and seq > max(recorded - {seq})
    # the city takes the packages that exist, and refuses none of them as "the same number"
    city = here / "city" / "office.db"
    for pkg in [*([out] if out.exists() else []), again]:
        r = cli("import", str(pkg), "--db", str(city))
        assert r.returncode == 0, (pkg.name, r.stderr)


@pytest.mark.parametrize("point", ["written", "synced", "renamed"])
def test_a_crash_during_backup_leaves_no_copy_under_a_temporary_name(here: Path, point: str):
    db = here / "county" / "office.db"
    r = cli("backup", "--db", str(db), fault=f"backup:{point}")
    assert r.returncode == CRASH, r.stderr
    reopen(db)
    assert leftovers(here) == []
    from desktop.store.backup import check_file, list_backups

    for b in list_backups(db):  # whatever is under a backup's name is a whole, good backup
        check_file(b)


@pytest.mark.parametrize("point", ["written", "synced", "recorded", "renamed"])
def test_a_crash_during_restore_leaves_the_old_or_the_restored_database(here: Path, point: str):
    db = here / "county" / "office.db"
    assert cli("load", str(here / "more.json"), "--db", str(db)).returncode == 0  # 3 now; the backup has 2
    r = cli("restore", str(here / "good-backup.db"), "--db", str(db), fault=f"restore:{point}")
    assert r.returncode == CRASH, r.stderr
    reopen(db)
    assert count(db, "achievement") in (2, 3)
    assert count(db, "achievement") == (2 if point == "renamed" else 3)


def corrupt(db: Path) -> None:
    """Overwrite the start of every other page after the first, as a failing disk would."""
    raw = bytearray(db.read_bytes())
    for off in range(4096, len(raw), 4096 * 2):
        raw[off:off + 8] = b"\xff" * 8
    db.write_bytes(bytes(raw))


def checkpointed(db: Path) -> None:
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def test_a_damaged_database_is_named_at_open_with_the_newest_good_backup(here: Path):
    db = here / "county" / "office.db"
    assert cli("backup", "--db", str(db)).returncode == 0
    checkpointed(db)
    corrupt(db)
    r = cli("list", "enterprises", "--db", str(db))
    assert r.returncode == 1
    assert "damaged" in r.stderr and "stdaward restore" in r.stderr and "office-backups" in r.stderr
    assert "unexpected" not in r.stderr


def test_restore_over_a_damaged_database_works_and_keeps_it_aside_unread(here: Path):
    db = here / "county" / "office.db"
    checkpointed(db)
    damaged_bytes = db.read_bytes()
    corrupt(db)
    damaged_bytes = db.read_bytes()
    r = cli("restore", str(here / "good-backup.db"), "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert "damaged" in r.stdout
    kept = [p for p in db.parent.iterdir() if ".damaged-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged_bytes
    assert integrity(db) == "ok" and count(db, "achievement") == 2
    assert cli("list", "achievements", "--db", str(db)).returncode == 0


def test_restore_of_a_corrupted_header_and_into_an_empty_place(here: Path):
    db = here / "county" / "office.db"
    checkpointed(db)
    raw = bytearray(db.read_bytes())
    raw[:16] = b"garbage garbage!"
    db.write_bytes(bytes(raw))
    r = cli("list", "enterprises", "--db", str(db))
    assert r.returncode == 1 and "damaged" in r.stderr
    assert cli("restore", str(here / "good-backup.db"), "--db", str(db)).returncode == 0
    assert count(db, "achievement") == 2
    fresh = here / "new" / "office.db"
    fresh.parent.mkdir()
    r = cli("restore", str(here / "good-backup.db"), "--db", str(fresh))
    assert r.returncode == 0 and "no database there before" in r.stdout
    assert "kept as" not in r.stdout


def test_the_daily_backup_failing_does_not_stop_work(here: Path):
    db = here / "county" / "office.db"
    folder = db.parent / "office-backups"
    shutil.rmtree(folder)
    folder.write_text("a file where the backups folder should be")  # the backup cannot be written
    r = cli("list", "enterprises", "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert OTHER_USCC in r.stdout and "automatic backup could not be written" in r.stderr
    r = cli("backup", "--out", str(here / "elsewhere.db"), "--db", str(db))
    assert r.returncode == 0, r.stderr
    folder.unlink()
    r = cli("list", "enterprises", "--db", str(db))  # tried again at the next start
    assert r.returncode == 0 and "could not be written" not in r.stderr
    assert any(p.name.endswith("-daily.db") for p in folder.iterdir())


def test_leftovers_of_interrupted_writes_are_removed_and_reported(here: Path):
    db = here / "county" / "office.db"
    (db.parent / "office-evidence").mkdir()
    planted = [db.parent / "office.db.restoring", db.parent / "office-backups" / "office-x-daily.db.part",
               db.parent / "office-backups" / "office-x-daily.db.part-journal",
               db.parent / "office-evidence" / ".0a1b.pdf.part"]
    for p in planted:
        shutil.copyfile(here / "good-backup.db", p)
    mine = db.parent / "notes.txt.part"  # not ours: another program's download
    mine.write_text("keep me")
    r = cli("list", "enterprises", "--db", str(db))
    assert r.returncode == 0
    assert "removed 4 temporary file" in r.stderr
    assert not any(p.exists() for p in planted) and mine.exists()


@pytest.fixture
def small_disk(mount_tmpfs) -> Path:  # noqa: ANN001
    """A real, small disk (a 1 MB tmpfs), when this machine lets the tests mount one."""
    return mount_tmpfs(1, "stick")


def test_backup_and_export_to_a_full_stick_say_so_and_leave_nothing(here: Path, small_disk: Path):
    db = here / "county" / "office.db"
    fd = os.open(small_disk / "filler", os.O_WRONLY | os.O_CREAT)  # the stick is full
    try:
        while True:
            os.write(fd, b"x" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    for argv, out in ((("backup", "--out"), small_disk / "copy.db"), (("export", "--out"), small_disk / "p.stdpkg")):
        r = cli(*argv, str(out), "--db", str(db))
        assert r.returncode == 1, r.stderr
        assert "is full" in r.stderr and "unexpected" not in r.stderr and str(small_disk) in r.stderr
        assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]  # no .part filling the stick
    assert integrity(db) == "ok"


def test_a_full_disk_during_load_is_reported_plainly_and_changes_nothing(tmp_path: Path, small_disk: Path):
    db = small_disk / "office.db"
    assert cli("office", "--name", "城厢区市场监督管理局", "--region", "350302", "--db", str(db)).returncode == 0
    big = [std(id=f"a{i}", enterprise=OTHER_USCC, ref=f"GB/T {10000 + i}-2024", title="很长的标准名称" * 20)
           for i in range(3000)]
    src = tmp_path / "big.json"
    src.write_text(json.dumps({"enterprises": ENTS, "achievements": big}), "utf-8")
    r = cli("load", str(src), "--db", str(db))
    assert r.returncode == 1
    assert "is full" in r.stderr and "cannot rollback" not in r.stderr and "unexpected" not in r.stderr
    assert integrity(db) == "ok" and count(db, "achievement") == 0


def test_a_database_on_a_read_only_disk_can_be_read(here: Path, small_disk: Path):
    import subprocess

    src = here / "county" / "office.db"
    checkpointed(src)
    db = small_disk / "office.db"
    shutil.copyfile(src, db)
    r = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot make the small disk read-only here")
    r = cli("list", "enterprises", "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert OTHER_USCC in r.stdout and "reading only" in r.stderr
    r = cli("load", str(here / "more.json"), "--db", str(db))
    assert r.returncode == 1 and "read-only" in r.stderr and "unexpected" not in r.stderr


def test_a_read_only_database_is_readable_and_refuses_writes_plainly(here: Path, monkeypatch):
    """Read-only media: the lock file cannot be created, so the database opens for reading only."""
    import errno

    from desktop.store import db as dbmod
    from desktop.store import lock

    def refuse(self) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(self.path))

    monkeypatch.setattr(lock.WriterLock, "acquire", refuse)
    path = here / "county" / "office.db"
    checkpointed(path)
    dbmod.open_db(path)
    try:
        assert dbmod.read_only
        from desktop.store import records

        assert [e["uscc"] for e in records.list_enterprises()] == [OTHER_USCC]
        with pytest.raises(Exception) as info:
            records.load({"enterprises": ENTS, "achievements": [std(id="z", enterprise=OTHER_USCC)]}, user="tester")
        from desktop.core.failures import READ_ONLY, classify

        assert classify(info.value) == (READ_ONLY, None)
    finally:
        dbmod.close_db()
    assert count(path, "achievement") == 2


def test_export_from_a_read_only_database_leaves_no_package_it_cannot_number(here: Path, monkeypatch):
    """The number is committed before the package takes its final name: when the commit fails (a
    read-only database), no package appears, so none can carry a number the next export reuses."""
    import errno

    from desktop.exchange.export import export_package
    from desktop.store import db as dbmod
    from desktop.store import lock

    def refuse(self) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(self.path))

    monkeypatch.setattr(lock.WriterLock, "acquire", refuse)
    path = here / "county" / "office.db"
    checkpointed(path)
    out = here / "p2.stdpkg"
    dbmod.open_db(path)
    try:
        with pytest.raises(Exception) as info:
            export_package(out, user="tester")
    finally:
        dbmod.close_db()
    from desktop.core.failures import READ_ONLY, classify

    assert classify(info.value) == (READ_ONLY, None)
    assert not out.exists() and leftovers(here) == []


# ------------------------------------------------------------------------- notices
# Printing an approved round's notices: the numbers are allocated and the notices stored ``pending``
# in one transaction, then the enterprise copies are written (step ``notices``), the notices marked
# issued (``notices:in-transaction``), then the 存档联 written (step ``archive``) and recorded.
NOTICE_POINTS = [f"{step}:{point}" for step in ("notices", "archive") for point in ("written", "synced", "renamed")
                 ] + ["notices:in-transaction"]
NUMBERS = ["泉市监〔2015〕1号", "泉市监〔2015〕2号"]
PRINT_DAY = "2015-12-18"


@pytest.fixture(scope="module")
def notice_world(tmp_path_factory) -> Path:
    """An office with two enterprises, each owed an award in an approved round (prepared by clerk1,
    approved by boss): built once in this process, copied into each test. It has no accounts, so the
    computer's user acts as administrator: a sign-in would cost each run a full-strength scrypt, and
    who may print is tested elsewhere (test_notice_rounds.py); what a crash leaves does not depend on it."""
    base = tmp_path_factory.mktemp("notice-world")
    db = base / "office" / "office.db"
    db.parent.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STDAWARD_DATA", str(base / "data"))
        from conftest import GOOD_USCC

        from desktop.operations import round_work
        from desktop.store import office as officemod
        from desktop.store import records, rounds
        from desktop.store.db import close_db, open_db

        open_db(db)
        try:
            officemod.update(name="泉州市市场监督管理局", region_code="350500", doc_prefix="泉市监", user="tester")
            records.load({"enterprises": [{"uscc": GOOD_USCC, "name": "福建省泉州市鑫堃茶业有限公司"}, *ENTS],
                          "achievements": [std(id="a", enterprise=GOOD_USCC, ref="GB/T 20001-2014", date="2014-05-05"),
                                           std(id="b", enterprise=OTHER_USCC, ref="GB/T 20002-2014", date="2014-06-05")]},
                         user="clerk1")
            rnd = round_work.create_round(2014, "quanzhou-2012", "clerk1")
            rounds.submit(rnd, "clerk1")
            rnd = round_work.approve(rnd, "boss")
            from desktop.store import publicity

            publicity.set_settings(user="tester", required=False, reason="notices without a publicity step")
            (base / "round.txt").write_text(rnd.uuid, "utf-8")
        finally:
            close_db()
    (base / "printed").mkdir()
    shutil.rmtree(base / "data", ignore_errors=True)
    return base


@pytest.fixture
def office(notice_world: Path, tmp_path: Path) -> Path:
    shutil.copytree(notice_world, tmp_path / "w")
    return tmp_path / "w"


def on_db(base: Path) -> list[str]:
    return ["--db", str(base / "office" / "office.db")]


def pdf_text(path: Path) -> str:
    import subprocess

    r = subprocess.run(["pdftotext", "-q", str(path), "-"], capture_output=True, text=True)
    assert r.returncode == 0, f"{path.name} is not a readable PDF"
    return r.stdout


def listing(db: Path, summary: bool = False) -> tuple[list[dict], int | None]:
    """What notice-list --json prints (the same operation, read here without building the command
    line again), and with ``summary`` the overview's count of notices waiting for a reprint."""
    from desktop.operations import notices as ops
    from desktop.operations import overview
    from desktop.operations.session import Session

    s = Session.open(db, auto_backup=False, check=False)
    try:
        return ops.listing(s), overview.notice_summary(2015)["failed"] if summary else None
    finally:
        s.close()


def waiting_shown(base: Path) -> list[dict]:
    """After the crash: the database is whole, both numbers are there (none skipped, none twice), and
    every notice not issued with its PDF is shown as needing a reprint, in notice-list and in the
    overview's count. Returns the listing."""
    db = base / "office" / "office.db"
    r = cli("notice-list", "--db", str(db))  # the next start: opens and tidies the database
    assert r.returncode == 0, r.stderr
    assert integrity(db) == "ok"
    rows, waiting = listing(db, summary=True)
    assert [row["doc_number"] for row in rows] == NUMBERS
    lines = {line.split("\t")[0]: line for line in r.stdout.splitlines()}
    for row in rows:
        if row["status"] == "issued":
            if not row["archive_printed"]:
                assert "archive copy not printed" in lines[row["doc_number"]]
        else:
            assert row["status"] in ("pending", "failed") and row["needs_print"]
            assert "needs printing" in lines[row["doc_number"]]
    assert waiting == sum(row["needs_print"] for row in rows)
    return rows


def reprint_brings_all_to_issued(base: Path) -> None:
    out, archive = base / "printed" / "n.pdf", base / "printed" / "n-存档联.pdf"
    r = cli("reprint", "--pending", "--out", str(out), "--archive", str(archive), *on_db(base))
    assert r.returncode == 0, r.stderr
    rows, _waiting = listing(base / "office" / "office.db")
    assert [(row["doc_number"], row["status"], row["archive_printed"]) for row in rows] == [
        (num, "issued", True) for num in NUMBERS]
    for pdf in (out, archive):
        text = pdf_text(pdf)
        assert all(num in text for num in NUMBERS), pdf.name
    assert "存档联" in pdf_text(archive)
    assert leftovers(base) == []  # no complete PDF lingers under a temporary name
    r = cli("reprint", "--pending", "--out", str(out), "--archive", str(archive), *on_db(base))
    assert r.returncode == 1 and "no notice is waiting" in r.stderr


@pytest.mark.parametrize("point", NOTICE_POINTS)
def test_a_crash_while_printing_or_reprinting_leaves_every_notice_issued_or_shown_for_reprint(office: Path, point: str):
    """Killed at ``point`` while printing the round, then killed at the same point while reprinting what
    was left (one setup for both commands), then reprinted to the end."""
    rnd = (office / "round.txt").read_text("utf-8")
    out, archive = office / "printed" / "n.pdf", office / "printed" / "n-存档联.pdf"
    r = cli("notices", "--round", rnd, "--out", str(out), "--date", PRINT_DAY, *on_db(office), fault=point)
    assert r.returncode == CRASH, r.stderr
    rows = waiting_shown(office)
    if point.startswith("archive:"):  # the enterprise copies were printed and recorded; the 存档联 was not
        assert [(row["status"], row["archive_printed"]) for row in rows] == [("issued", False)] * 2
        assert all(num in pdf_text(out) for num in NUMBERS)
    else:
        assert [row["status"] for row in rows] == ["pending"] * 2
    # issuing the round again allocates no new number: its lines are on the two notices
    r = cli("notices", "--round", rnd, "--out", str(office / "printed" / "again.pdf"), "--date", PRINT_DAY,
            *on_db(office))
    assert r.returncode == 1 and "泉市监〔2015〕1号" in r.stderr
    r = cli("reprint", "--pending", "--out", str(out), "--archive", str(archive), *on_db(office), fault=point)
    assert r.returncode == CRASH, r.stderr
    again = waiting_shown(office)
    assert [row["status"] for row in again] == [row["status"] for row in rows]
    reprint_brings_all_to_issued(office)


def test_printing_to_a_full_stick_names_the_file_and_records_the_notices_failed(office: Path, small_disk: Path):
    fd = os.open(small_disk / "filler", os.O_WRONLY | os.O_CREAT)  # the stick is full
    try:
        while True:
            os.write(fd, b"x" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    out = small_disk / "notices.pdf"
    r = cli("notices", "--round", (office / "round.txt").read_text("utf-8"), "--out", str(out), "--date", PRINT_DAY,
            *on_db(office))
    assert r.returncode == 1
    assert "is full" in r.stderr and str(out) in r.stderr and "None" not in r.stderr and "unexpected" not in r.stderr
    assert "reprint --pending" in r.stderr
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]  # nothing half-written on the stick
    rows = waiting_shown(office)
    assert [row["status"] for row in rows] == ["failed"] * 2
    reprint_brings_all_to_issued(office)  # to the office's own disk


def test_a_disk_filling_up_while_a_notice_is_written_is_named_and_recorded_failed(office: Path):
    """The system's "no space left" arrives without a file name while the PDF is flushed: the officer
    is still told which file, never "None", and the notices are failed, not issued."""
    out = office / "printed" / "n.pdf"
    r = cli("notices", "--round", (office / "round.txt").read_text("utf-8"), "--out", str(out), "--date", PRINT_DAY,
            *on_db(office), fault="notices:written=ENOSPC")
    assert r.returncode == 1, r.stderr
    assert "is full" in r.stderr and str(out) in r.stderr and "None" not in r.stderr and "unexpected" not in r.stderr
    assert "reprint --pending" in r.stderr
    assert not out.exists() and leftovers(office) == []
    rows = waiting_shown(office)
    assert [row["status"] for row in rows] == ["failed"] * 2
    reprint_brings_all_to_issued(office)
