"""The day's backup of a server database, which nobody has to remember: the first PC of the day that
takes part (its backup folder set, or an administrator at work) makes it in the background, the
others find it made, recorded in the audit log as "made by <user> on <computer>"; two PCs at once
make one; the next day makes another; a copy that cannot be written is said plainly, recorded as
nothing and tried again; the copy restores onto a server. No timing is asserted."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.conftest_pg import pg_server  # noqa: F401 - fixture
from tests.test_daily_path import PASSWORDS, office_with_records

DAY = dt.date(2026, 12, 3)


@pytest.fixture
def server(pg_server, tmp_path):  # noqa: F811
    """An office with its accounts and records on a fresh server database: (url, connection file)."""
    from desktop.operations.session import Session
    from desktop.store.paths import resolve_db_path

    name = pg_server.create_database()
    url = pg_server.url(name)
    s = Session.open(resolve_db_path(url), auto_backup=False, check=False)
    try:
        office_with_records(s)
    finally:
        s.close()
    yield url, resolve_db_path(url)
    pg_server.drop_database(name)


def _session(path: Path, who: str | None, day: dt.date = DAY):
    from desktop.operations.session import Session

    s = Session.open(path, auto_backup=False, check=False)
    s.clock = lambda: day
    if who is not None:
        s.sign_in(who, PASSWORDS[who])
    return s


def _records(path: Path) -> list[tuple[str, dict]]:
    """The audit log's entries about the day's backups: (user, what was recorded)."""
    from desktop.operations.session import Session
    from desktop.store.models import AuditEntry

    s = Session.open(path, auto_backup=False, check=False)
    try:
        return [(e.user, e.after) for e in AuditEntry.select().where(AuditEntry.entity == "backup")
                .order_by(AuditEntry.id)]
    finally:
        s.close()


def _copies(folder: Path) -> list[Path]:
    return sorted(folder.glob("*-daily.db")) if folder.is_dir() else []


def test_the_first_pc_of_the_day_makes_it_the_next_finds_it_made_and_the_next_day_makes_another(server, tmp_path):
    from desktop.operations import backups

    _url, path = server
    here, there = tmp_path / "备份 A", tmp_path / "备份 B"
    here.mkdir()
    there.mkdir()
    s = _session(path, "lin")
    try:
        assert backups.set_daily_folder(s, here) == here.resolve() and backups.daily_folder(s) == here.resolve()
        first = backups.daily(s)
        assert (first.status, first.user, first.day) == ("made", "lin", DAY)
        assert [Path(first.file)] == _copies(here)

        s.sign_in("wang", PASSWORDS["wang"])  # a clerk at another PC, writing into another folder
        again = backups.daily(s, there)
        assert (again.status, again.user, again.host) == ("done", "lin", backups.host())
        assert _copies(there) == [] and len(_copies(here)) == 1

        s.clock = lambda: DAY + dt.timedelta(days=1)
        nextday = backups.daily(s, there)
        assert (nextday.status, nextday.user) == ("made", "wang") and len(_copies(there)) == 1
    finally:
        s.close()
    made = _records(path)
    assert [(user, after["day"], after["host"]) for user, after in made] == \
        [("lin", "2026-12-03", backups.host()), ("wang", "2026-12-04", backups.host())]
    assert made[0][1]["file"] == _copies(here)[0].name


def test_a_pc_that_finds_another_making_it_now_leaves_the_day_to_it(server, pg_server, tmp_path):  # noqa: F811
    import psycopg

    from desktop.operations import backups
    from desktop.store.backend import DAILY_BACKUP_LOCK

    url, path = server
    folder = tmp_path / "folder"
    folder.mkdir()
    dbname = url.split("@/", 1)[1].split("?")[0]
    with psycopg.connect(host=str(pg_server.folder), port=5432, user=pg_server.superuser, dbname=dbname,
                         autocommit=True) as other_pc:  # another PC has taken the day and is writing its copy
        assert other_pc.execute("SELECT pg_try_advisory_lock(%s, %s)",
                                (DAILY_BACKUP_LOCK, DAY.toordinal())).fetchone()[0] is True
        s = _session(path, "lin")
        try:
            busy = backups.daily(s, folder)
            assert busy.status == "busy" and _copies(folder) == [] and _records(path) == []
        finally:
            s.close()
    # that PC went away without finishing (its connection ended, the server freed the day): done here
    s = _session(path, "lin")
    try:
        assert backups.daily(s, folder).status == "made" and len(_copies(folder)) == 1
    finally:
        s.close()
    assert len(_records(path)) == 1


def test_two_pcs_starting_at_once_make_one_backup(server, tmp_path):
    url, path = server
    pcs = []
    for name in ("pc-lin", "pc-wang"):
        data, folder = tmp_path / name / "data", tmp_path / name / "备份"
        folder.mkdir(parents=True)
        pw = tmp_path / name / "pw"
        pw.write_text(PASSWORDS["lin"] + "\n", "utf-8")
        env = {"STDAWARD_DATA": str(data)}
        set_up = run_cli("backup", "--daily-folder", str(folder), "--db", url, "--user", "lin", "--password-file",
                         str(pw), env=env)
        assert set_up.returncode == 0 and str(folder) in set_up.stdout, set_up.stderr
        pcs.append((env, folder))
    # the clerk on each PC starts the day with a command; neither PC signs in as an administrator
    procs = [subprocess.Popen([sys.executable, "-m", "desktop", "backup", "--if-due", "--db", url],
                              cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for env, _folder in pcs]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    copies = [c for _env, folder in pcs for c in _copies(folder)]
    assert len(copies) == 1
    said = " ".join(out for out, _err in outs)
    assert said.count("is written") == 1
    assert "already made by" in said or "being made by another PC" in said
    made = _records(path)
    assert len(made) == 1 and made[0][1]["file"] == copies[0].name


def test_a_copy_that_cannot_be_written_is_said_plainly_recorded_as_nothing_and_tried_again(server, tmp_path):
    from desktop.operations import backups
    from desktop.store import db

    url, path = server
    folder = tmp_path / "U盘" / "备份"
    folder.mkdir(parents=True)
    s = _session(path, "lin")
    try:
        backups.set_daily_folder(s, folder)
    finally:
        s.close()
    folder.rmdir()  # the stick was pulled out overnight
    folder.parent.rmdir()

    # the first command of the day does its work; the failure is told after it, nothing is recorded
    r = run_cli("list", "enterprises", "--db", url)
    assert r.returncode == 0 and "莆田市城厢区" in r.stdout, r.stderr
    assert "could not be written" in r.stderr and "is not there" in r.stderr and str(folder) in r.stderr
    assert "Traceback" not in r.stderr
    assert _records(path) == [] and not folder.exists()  # not made anew on the wrong disk

    # the window's start: in the background, the failure in the open notes
    s = _session(path, None)
    try:
        assert backups.start_daily(s) is True
        notes = backups.daily_notes(s)
        assert any("could not be written" in n and str(folder) in n for n in notes)
        assert _records(path) == []
    finally:
        s.close()

    folder.mkdir(parents=True)  # plugged in again: the next start makes it
    s = _session(path, None)
    try:
        assert backups.start_daily(s) is True
        assert backups.daily_notes(s) == []
        assert not db.backup_running()
    finally:
        s.close()
    assert len(_copies(folder)) == 1 and len(_records(path)) == 1

    s = _session(path, None)  # and it is not made twice
    try:
        assert backups.daily(s).status == "done" and len(_copies(folder)) == 1
    finally:
        s.close()


def test_a_pc_without_a_folder_takes_part_only_with_an_administrator_at_work(server, tmp_path):
    from desktop.operations import backups
    from desktop.operations.session import PermissionDenied
    from desktop.store.backend import describe

    url, path = server
    s = _session(path, "wang")  # a clerk, no folder set on this PC
    try:
        assert backups.daily_target(s) is None and backups.start_daily(s) is False
        with pytest.raises(Exception, match="makes no daily backup") as refused:
            backups.daily(s)
        assert describe(path) in str(refused.value)
        with pytest.raises(PermissionDenied):
            backups.set_daily_folder(s, tmp_path)
        s.sign_in("lin", PASSWORDS["lin"])  # the administrator's PC: into its own backups folder
        assert backups.start_daily(s) is True
        assert backups.daily_notes(s) == []
    finally:
        s.close()
    own = s.folder("backups")
    assert len(_copies(own)) == 1 and [u for u, _a in _records(path)] == ["lin"]
    with pytest.raises(Exception, match="not a folder that exists"):
        s2 = _session(path, "lin")
        try:
            backups.set_daily_folder(s2, tmp_path / "nowhere")
        finally:
            s2.close()


def test_a_backup_nobody_signed_in_for_is_recorded_as_the_automatic_backup_and_changes_nothing(server, tmp_path,
                                                                                               monkeypatch):
    """A scheduled ``backup --if-due`` (or a start before the login) on a PC whose folder an administrator
    set: nobody signs in. The audit log names the automatic backup, not the computer's account, which
    here is even an officer's user name and would read as 林主任 having made it."""
    from desktop.operations import audit, backups, records, users
    from desktop.operations.session import PermissionDenied, Session

    _url, path = server
    folder = tmp_path / "备份"
    folder.mkdir()
    s = _session(path, "lin")
    try:
        backups.set_daily_folder(s, folder)
        with pytest.raises(Exception, match="kept for the program"):  # nobody can sign in as it
            users.create(s, "automatic-backup", "某人", "long-enough-1", "admin")
    finally:
        s.close()
    monkeypatch.setattr("desktop.operations.session.os_user", lambda: "lin")
    s = Session.open(path, auto_backup=False, check=False)
    s.clock = lambda: DAY
    try:
        assert s.role is None and s.username == "lin"
        done = backups.daily(s)
        assert done.status == "made" and done.user == "automatic-backup"
        shown = audit.entries(s)[0]
        assert shown["user"] == "automatic backup" and "林主任" not in shown["user"]
        with pytest.raises(PermissionDenied):  # the unsigned session that made it changes no record
            records.save_enterprise(s, {"uscc": "91350302MA2XU5JX4Q", "name": "丙"})
    finally:
        s.close()
    assert [u for u, _a in _records(path)] == ["automatic-backup"]


def test_the_days_copy_restores_onto_a_new_server_database(server, pg_server, tmp_path):  # noqa: F811
    from desktop.operations import backups
    from desktop.store.paths import resolve_db_path
    from tests.test_postgres import _everything

    _url, path = server
    folder = tmp_path / "folder"
    folder.mkdir()
    s = _session(path, "lin")
    try:
        made = backups.daily(s, folder)
    finally:
        s.close()
    before = _everything(path)
    other = resolve_db_path(pg_server.url(pg_server.create_database()))
    done = backups.restore(other, Path(made.file))
    assert done.kept is None
    after = _everything(other)
    assert after["findings"] == []
    log = after["rows"].pop("audit_entry")
    assert {k: v for k, v in after["rows"].items()} == {k: v for k, v in before["rows"].items() if k != "audit_entry"}
    # the log as it was when the copy was read (the day's record is appended once the copy is written
    # and checked, so it is not in it), then the restore's own entry
    recorded = before["rows"]["audit_entry"]
    assert (recorded[-1]["entity"], recorded[-1]["action"]) == ("backup", "daily")
    assert log[:-1] == recorded[:-1] and log[-1]["action"] == "restore"


def test_the_audit_log_names_the_days_backup_in_words_and_the_window_does_not_count_it_as_a_change(server, tmp_path):
    from desktop.operations import audit, backups, changes
    from desktop.operations.session import Actor

    _url, path = server
    folder = tmp_path / "folder"
    folder.mkdir()
    s = _session(path, "lin")
    try:
        mark = changes.head(s)
        backups.daily(s, folder)
        other = dataclasses.replace(s, actor=Actor("wang", "王科员", "clerk"))
        assert changes.since(other, mark).by == {}  # nobody changed a record
        assert audit.action_label("daily") != "other change" and audit.entity_label("backup") != "other record"
        json.dumps(audit.entries(s)[0], default=str)
    finally:
        s.close()


def test_the_folder_keeps_the_newest_days(server, tmp_path, monkeypatch):
    from desktop.operations import backups
    from desktop.store import backup

    monkeypatch.setattr(backup, "KEEP_AUTOMATIC", 2)
    _url, path = server
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "office-20261201-manual.db").write_bytes(b"kept by hand")  # not an automatic copy: never removed
    s = _session(path, "lin")
    try:
        for n in range(3):
            s.clock = lambda n=n: DAY + dt.timedelta(days=n)
            assert backups.daily(s, folder).status == "made"
    finally:
        s.close()
    assert [c.name[len("office-"):len("office-") + 8] for c in _copies(folder)] == ["20261204", "20261205"]
    assert (folder / "office-20261201-manual.db").is_file()
    assert len(_records(path)) == 3  # the record of a copy rotated away stays in the log


def test_on_a_pcs_own_database_if_due_makes_one_a_day_in_the_folder_given(tmp_path):
    from desktop.operations.session import Session

    db = tmp_path / "office.db"
    Session.open(db, auto_backup=False, check=False).close()
    folder = tmp_path / "U盘"
    folder.mkdir()
    first = run_cli("backup", "--if-due", "--out", str(folder), "--db", str(db))
    assert first.returncode == 0 and "is written" in first.stdout, first.stderr
    again = run_cli("backup", "--if-due", "--out", str(folder), "--db", str(db))
    assert again.returncode == 0 and "already made" in again.stdout, again.stderr
    assert len(_copies(folder)) == 1
    gone = run_cli("backup", "--if-due", "--out", str(tmp_path / "nowhere"), "--db", str(db))
    assert gone.returncode == 1 and "is not there" in gone.stderr and "Traceback" not in gone.stderr
