"""A load, an Excel file or a county's package brings the overview's target counts up to date as it
writes, on SQLite and on a server: the overview's next reading finds them kept (nothing to count, not
even the rows the write added) and equal to a full count; a write whose counts cannot be kept still
lands, and the reading then does the work."""
from __future__ import annotations

import datetime as dt
import logging
import sqlite3

import pytest
from conftest import full_target_counts, overview_reading

from tests.conftest_pg import pg_server  # noqa: F401  (the office_db fixture's server)
from tests.test_overview_import import CITY_USCC as CITY
from tests.test_overview_import import _enterprises, _standards, county_package  # noqa: F401  (a fixture)

POLICY = "putian-chengxiang-2021"
@pytest.fixture
def office(office_db):
    from desktop.operations.session import Session
    from desktop.store import office as office_store
    from desktop.store import target_counts
    from desktop.store.db import close_db, open_db
    from desktop.store.paths import resolve_db_path

    path = resolve_db_path(office_db)
    open_db(path, auto_backup=False)
    try:
        office_store.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监", role="city",
                            policy_id=POLICY, user="tester")
        target_counts.make_number_probe_index()  # made at the open on SQLite, by the overview's check on a server
        yield path, Session.attach(path)
    finally:
        close_db()


def _reading(path, session):
    return overview_reading(path, POLICY, session.today())


def test_loads_keep_the_counts_and_the_next_reading_counts_nothing(office):
    """The first load into an empty office counts what it added; the next load adds its rows to the
    kept counts; after each the overview's reading takes the counts as kept, equal to a full count."""
    from desktop.operations import records

    path, session = office
    day = session.today()
    records.load(session, {"enterprises": _enterprises(CITY, "城厢"), "achievements": _standards("city", CITY, 80, shared=12)})
    late = _reading(path, session)
    assert late.counts_how == "kept"
    assert {p.id: p.count for p in late.targets if p.id in full_target_counts(POLICY, day)} == \
        full_target_counts(POLICY, day)
    records.load(session, {"enterprises": [], "achievements": _standards("more", CITY, 300)})
    late = _reading(path, session)
    assert late.counts_how == "kept"
    shown = {p.id: p.count for p in late.targets if p.id in full_target_counts(POLICY, day)}
    assert shown == full_target_counts(POLICY, day) and shown["standards-60"] > 60


def test_an_import_keeps_the_counts_for_the_next_reading(county_package, office):  # noqa: F811
    """A county's package imported by the city: the standards it shares with the city counted once,
    the overview's next reading counting nothing."""
    from desktop.exchange.package import fingerprint
    from desktop.operations import exchange, records

    path, session = office
    day = session.today()
    records.load(session, {"enterprises": _enterprises(CITY, "城厢"), "achievements": _standards("city", CITY, 40, shared=12)})
    before = full_target_counts(POLICY, day)
    pkg, card = county_package
    exchange.register_office(session, card, fingerprint(card["public_key"]))
    exchange.apply_import(session, pkg)
    late = _reading(path, session)
    assert late.counts_how == "kept"
    after = full_target_counts(POLICY, day)
    assert {p.id: p.count for p in late.targets if p.id in after} == after
    # the county's 45 standards of the levels this target counts, 9 of them numbers the city holds
    assert after["standards-60"] - before["standards-60"] == 45 - 9


def test_a_load_whose_counts_cannot_be_kept_still_lands_and_the_reading_counts(office, monkeypatch, caplog):
    from desktop.operations import records
    from desktop.store import target_counts

    path, session = office
    day = session.today()

    def refused(*_a, **_k):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(target_counts, "counted", refused)
    with caplog.at_level(logging.WARNING):
        result = records.load(session, {"enterprises": _enterprises(CITY, "城厢"),
                                        "achievements": _standards("city", CITY, 30)})
    assert result.achievements_added == 30
    assert "could not keep the targets' counts" in caplog.text
    monkeypatch.undo()
    late = _reading(path, session)
    assert late.counts_how == "full" and not late.targets_error
    assert {p.id: p.count for p in late.targets if p.id in full_target_counts(POLICY, day)} == \
        full_target_counts(POLICY, day)


def test_a_day_later_the_reading_moves_the_kept_counts_instead_of_counting(office, monkeypatch):
    """Kept by a load on one day, read the next: the targets still running move by the records of
    that one day."""
    from desktop.operations import records
    from desktop.operations.session import Session

    path, session = office
    monday = Session.attach(path, clock=lambda: dt.date(2025, 3, 3))
    records.load(monday, {"enterprises": _enterprises(CITY, "城厢"), "achievements": _standards("city", CITY, 90)})
    late = overview_reading(path, POLICY, dt.date(2025, 3, 4))
    assert late.counts_how == "incremental"
    full = full_target_counts(POLICY, dt.date(2025, 3, 4))
    assert {p.id: p.count for p in late.targets if p.id in full} == full


def _pc_office(source):
    """An office on a PC (``source``, left open) with 70 standards loaded: its session."""
    from desktop.operations import records
    from desktop.operations.session import Session
    from desktop.store import office as office_store
    from desktop.store.db import open_db

    open_db(source, auto_backup=False)
    office_store.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监",
                        policy_id=POLICY, user="tester")
    session = Session.attach(source)
    records.load(session, {"enterprises": _enterprises(CITY, "城厢"),
                           "achievements": _standards("city", CITY, 70, shared=12)})
    return session


def test_an_office_moved_to_a_server_finds_its_counts_kept_there(tmp_path, pg_server):  # noqa: F811
    """``migrate-db`` onto an empty server database keeps the counts there (and the index they are
    brought up to date by) and the audit check's mark: the first reading on the server counts
    nothing and reads the log from the mark."""
    from desktop.operations.session import Session
    from desktop.operations.transfer import migrate_db
    from desktop.store import target_counts
    from desktop.store.db import close_db, open_db
    from desktop.store.paths import resolve_db_path

    target = resolve_db_path(pg_server.url(pg_server.create_database()))
    try:
        session = _pc_office(tmp_path / "office.db")
        migrate_db(session, target)
        close_db()
        target_counts._KEPT.clear()  # the office opened on the server, as by another PC
        open_db(target, auto_backup=False)
        assert target_counts.has_number_probe_index()
        late = _reading(target, Session.attach(target))
        assert late.counts_how == "kept" and not late.chain["full"] and late.chain["broken_at"] is None
        full = full_target_counts(POLICY, session.today())
        assert {p.id: p.count for p in late.targets if p.id in full} == full and full["standards-60"] > 0
    finally:
        close_db()


def test_a_backup_restored_onto_a_server_finds_its_counts_kept_there(tmp_path, pg_server):  # noqa: F811
    """A PC's backup put onto an empty server database (``stdaward restore`` there): the counts, their
    index and the audit check's mark are kept on the server, so its first reading counts nothing."""
    from desktop.operations import backups
    from desktop.operations.session import Session
    from desktop.store import target_counts
    from desktop.store.db import close_db, open_db
    from desktop.store.paths import resolve_db_path

    try:
        session = _pc_office(tmp_path / "office.db")
        out = backups.make(session, tmp_path / "office-backup.db")
    finally:
        close_db()
    target = resolve_db_path(pg_server.url(pg_server.create_database()))
    backups.restore(target, out)
    target_counts._KEPT.clear()  # the office opened on the server, as by another PC
    open_db(target, auto_backup=False)
    try:
        late = _reading(target, Session.attach(target))
        assert late.counts_how == "kept" and not late.chain["full"] and late.chain["broken_at"] is None
        full = full_target_counts(POLICY, Session.attach(target).today())
        assert {p.id: p.count for p in late.targets if p.id in full} == full and full["standards-60"] > 0
    finally:
        close_db()
