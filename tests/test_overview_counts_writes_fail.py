"""The targets' counts kept by a write (``operations.targets.keep_counts``) after a load, an import or
``migrate-db``, attacked: a write that committed must never be reported failed or cancelled because
of the counts, which are only a cache the overview's reading rebuilds."""
from __future__ import annotations

import datetime as dt
import errno
import sqlite3

import pytest
from conftest import full_target_counts, opened_office, overview_reading

from tests.conftest_pg import pg_server  # noqa: F401  (the office_db fixture's server)
from tests.test_overview_import import CITY_USCC as CITY
from tests.test_overview_import import _enterprises, _standards

POLICY = "putian-chengxiang-2021"
OTHER_POLICY = "quanzhou-2012"


def _office(path):
    from desktop.operations.session import Session
    from desktop.store import office as office_store
    from desktop.store import target_counts

    office_store.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监", role="city",
                        policy_id=POLICY, user="tester")
    target_counts.make_number_probe_index()
    return Session.attach(path)


@pytest.fixture
def office(office_db):
    with opened_office(office_db) as path:
        yield path, _office(path)


def _achievements():
    from desktop.store.models import Achievement

    return Achievement.select().count()


def _achievements_in(path):
    """The achievements the database at ``path`` holds, read by opening it again."""
    from desktop.store.db import close_db, open_db

    open_db(path, auto_backup=False)
    try:
        return _achievements()
    finally:
        close_db()


def _load_30_then(session, monkeypatch, after_commit, tag):
    """An officer's load of 30 standards, ``after_commit`` run once it has committed (before the
    counts are kept): it is reported done, with its 30 records."""
    from desktop.operations import records
    from desktop.store import records as store_records

    real_load = store_records.load

    def load_then(*a, **k):
        got = real_load(*a, **k)  # committed
        after_commit()
        return got

    monkeypatch.setattr(store_records, "load", load_then)
    result = records.load(session, {"enterprises": _enterprises(CITY, "城厢"),
                                    "achievements": _standards(tag, CITY, 30)})
    assert result.achievements_added == 30


def test_a_load_on_a_usb_stick_is_not_reported_failed_when_another_pc_writes_as_it_ends(tmp_path, monkeypatch):
    """An office on a USB stick (SQLite in rollback-journal mode, where a write locks out readers): a
    load commits, and as it ends another connection to the file begins a write and holds it past
    the wait. The load has landed: it must be reported as done, the counts left to the reading;
    instead the office's row, read by ``keep_counts`` outside its guard, raises "database is locked"
    and the officer is told the load failed (and loads it again: everything twice)."""
    from desktop.store import db
    from desktop.store.db import close_db, open_db
    from desktop.store.models import database

    monkeypatch.setattr(db, "is_removable", lambda _p: True)
    path = tmp_path / "office.db"
    open_db(path, auto_backup=False)
    other: list[sqlite3.Connection] = []
    try:
        session = _office(path)
        assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "delete"

        def the_other_pc_writes():
            database.execute_sql("PRAGMA busy_timeout = 200")  # the wait ends before the other PC's write
            con = sqlite3.connect(path, isolation_level=None)
            con.execute("BEGIN EXCLUSIVE")
            other.append(con)

        _load_30_then(session, monkeypatch, the_other_pc_writes, "usb")
    finally:
        for con in other:
            con.rollback()
            con.close()
        close_db()
    assert _achievements_in(path) == 30  # it had landed


def test_a_load_on_a_server_is_not_reported_failed_when_the_connection_drops_after_its_commit(pg_server,  # noqa: F811
                                                                                                monkeypatch):
    """On a server, the connection is lost just after the load's commit (the server restarted, the
    network dropped). The load has landed; it must be reported done (the counts are a cache the next
    reading rebuilds), not failed: the office's row, read by ``keep_counts`` outside its guard, raises."""
    import psycopg

    from desktop.store.db import close_db, open_db
    from desktop.store.models import database
    from desktop.store.paths import resolve_db_path

    name = pg_server.create_database()
    path = resolve_db_path(pg_server.url(name))
    open_db(path, auto_backup=False)
    try:
        session = _office(path)

        def the_connection_drops():
            pid = database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
            with psycopg.connect(host=str(pg_server.folder), port=5432, user=pg_server.superuser, dbname="postgres",
                                 autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

        _load_30_then(session, monkeypatch, the_connection_drops, "net")
    finally:
        close_db()
    assert _achievements_in(path) == 30  # it had landed


def test_migrate_db_whose_caches_fail_on_the_copy_reports_the_copy_made(tmp_path, monkeypatch):
    """``migrate-db`` copies and commits, then keeps the audit check's mark and the counts on the copy
    (caches: "a failure there is its own to report; the copy stands"). When the audit check there
    fails (an I/O error reading the new file), the officer must still be told the copy was made:
    the new database holds the office, and a second attempt is refused ("already exists")."""
    from desktop.operations import audit, records
    from desktop.operations.transfer import migrate_db
    from desktop.store.db import close_db, open_db

    source, target = tmp_path / "office.db", tmp_path / "moved.db"
    open_db(source, auto_backup=False)
    try:
        session = _office(source)
        records.load(session, {"enterprises": _enterprises(CITY, "城厢"), "achievements": _standards("m", CITY, 20)})

        def failing(*_a, **_k):
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(audit, "check_chain", failing)
        got = migrate_db(session, target)
        assert got["rows"]["achievement"] == 20
    finally:
        close_db()
    open_db(target, auto_backup=False)
    try:
        assert _achievements() == 20  # the copy stands, whatever the officer was told
    finally:
        close_db()


def test_a_cancel_pressed_while_a_load_keeps_the_counts_neither_undoes_nor_misreports_the_load(office):
    """Cancel pressed when the load has committed and its counts are being kept: the load stands and
    is reported done (no ``Cancelled``), and the reading after is a full count's."""
    from desktop.core.progress import ProgressState
    from desktop.operations import records

    path, session = office
    texts: list[str] = []
    progress = ProgressState()

    def heard(_done: int, _total: int, text: str) -> None:
        texts.append(text)
        if text.startswith(("正在统计", "Counting")):
            progress.cancel()

    progress._on_update = heard
    result = records.load(session.with_progress(progress), {"enterprises": _enterprises(CITY, "城厢"),
                                                            "achievements": _standards("c", CITY, 40)})
    assert result.achievements_added == 40 and progress.cancelled
    assert _achievements() == 40
    late = overview_reading(path, POLICY, session.today())
    full = full_target_counts(POLICY, session.today())
    assert {p.id: p.count for p in late.targets if p.id in full} == full


def test_a_load_lands_when_the_counts_file_beside_the_database_cannot_be_written(tmp_path, monkeypatch):
    """The disk fills as the counts are written beside the database: the load stands and is reported
    done, no half-written file is left beside the database, and the reading counts."""
    import builtins

    from desktop.operations import records
    from desktop.store import target_counts
    from desktop.store.db import close_db, open_db

    path = tmp_path / "office.db"
    open_db(path, auto_backup=False)
    target_counts._KEPT.clear()
    try:
        session = _office(path)
        real_open = builtins.open

        class Full:
            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

            def write(self, _text):
                raise OSError(errno.ENOSPC, "No space left on device")

        def opening(file, *a, **k):
            fh = real_open(file, *a, **k)
            return Full(fh) if target_counts.COUNTS_SUFFIX in str(file) else fh

        monkeypatch.setattr(builtins, "open", opening)
        result = records.load(session, {"enterprises": _enterprises(CITY, "城厢"),
                                        "achievements": _standards("f", CITY, 25)})
        monkeypatch.undo()
        assert result.achievements_added == 25 and _achievements() == 25
        assert [p.name for p in tmp_path.iterdir() if target_counts.COUNTS_SUFFIX in p.name] == []
        target_counts._KEPT.clear()  # as a new start: nothing kept anywhere
        late = overview_reading(path, POLICY, session.today())
        full = full_target_counts(POLICY, session.today())
        assert late.counts_how == "full" and {p.id: p.count for p in late.targets if p.id in full} == full
    finally:
        close_db()
        target_counts._KEPT.clear()


def test_counts_kept_for_one_policy_then_the_office_changes_its_policy_and_back(office):
    """Kept for one policy by a load; the office changes its policy and loads again (kept for the new
    one); back to the first: each reading equals a full count of the office's policy then."""
    from desktop.operations import records
    from desktop.store import office as office_store

    path, session = office
    day = dt.date(2025, 12, 31)
    records.load(session, {"enterprises": _enterprises(CITY, "城厢"), "achievements": _standards("p", CITY, 30)})
    office_store.update(policy_id=OTHER_POLICY, user="tester")
    records.load(session, {"enterprises": [], "achievements": [{**a, "date": "2014-05-15"}  # in the other's years
                                                                for a in _standards("q", CITY, 30, shared=5)]})
    for policy in (OTHER_POLICY, POLICY):
        office_store.update(policy_id=policy, user="tester")
        late = overview_reading(path, policy, day)
        full = full_target_counts(policy, day)
        assert {p.id: p.count for p in late.targets if p.id in full} == full and sum(full.values()) > 0


def test_two_officers_writing_at_once_the_counts_a_load_keeps_are_exact(office, monkeypatch):
    """Officer A loads records; as A's load keeps the counts (just after reading the log's head),
    officer B's edit commits: a standard of A's first load dated after the targets' deadline, so it
    leaves every target. The overview's next reading must equal a full count: B's edit taken once."""
    import threading

    from desktop.operations import records
    from desktop.store import edits, target_counts
    from desktop.store.models import Achievement, database
    from desktop.store.records import to_vocabulary

    path, session = office
    day = dt.date(2025, 12, 31)
    records.load(session, {"enterprises": _enterprises(CITY, "城厢"), "achievements": _standards("a", CITY, 30)})
    moved = Achievement.get(Achievement.source_id == "a1")
    done: list[bool] = []

    def officer_b() -> None:
        try:
            edits.save_achievement({**to_vocabulary(moved).to_dict(), "date": "2026-02-01"}, "lisi", editing=moved)
            done.append(True)
        finally:
            database.close()

    real_head = target_counts._head

    def head_then_officer_b():
        got = real_head()
        if not done:
            worker = threading.Thread(target=officer_b)
            worker.start()
            worker.join(60)
        return got

    monkeypatch.setattr(target_counts, "_head", head_then_officer_b)
    records.load(session, {"enterprises": [], "achievements": _standards("b", CITY, 30)})
    monkeypatch.setattr(target_counts, "_head", real_head)
    assert done == [True]
    late = overview_reading(path, POLICY, day)
    full = full_target_counts(POLICY, day)
    assert {p.id: p.count for p in late.targets if p.id in full} == full
