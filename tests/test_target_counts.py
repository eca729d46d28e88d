"""Targets counted by the database (the overview's refresh) give exactly what the policy engine
counts over the achievements in Python, for every installed policy and target, on several dates."""
from __future__ import annotations

import datetime as dt

import pytest

from desktop.core import targets as T
from desktop.core.policies import known_policy_ids, load_policy
from desktop.store import demo, records
from desktop.store.target_counts import counts

OTHER = "91350302MA2Y0KXQ4Q"


@pytest.fixture
def office_data(db):
    demo.install(known_policies=known_policy_ids())
    ents = records.list_enterprises()
    a, b = ents[0]["uscc"], ents[1]["uscc"]
    std = {"kind": "standard", "level": "group", "action": "formulate", "rank": 1}
    records.load({"enterprises": [], "achievements": [
        # one standard, two enterprises (and one written differently): one standard, two enterprises
        {**std, "id": "x1", "enterprise": a, "ref": "T/ZZB 0101-2017", "date": "2017-03-01"},
        {**std, "id": "x2", "enterprise": b, "ref": "t/zzb  0101—2017", "date": "2017-04-01", "rank": 2},
        {**std, "id": "x3", "enterprise": b, "ref": "T/ZZB 0102-2017", "date": "2017-05-01", "action": "revise"},
        {**std, "id": "x4", "enterprise": a, "ref": "GB/T 30001-2019", "date": "2019-06-01", "level": "national"},
        {**std, "id": "x5", "enterprise": b, "ref": "GB/T 30001-2019", "date": "2019-06-02", "level": "national",
         "action": "revise", "rank": 3},
        {"id": "g1", "enterprise": a, "kind": "good_behavior", "level": "national", "grade": "AAAA", "date": "2018-01-01"},
        {"id": "g2", "enterprise": b, "kind": "good_behavior", "level": "provincial", "grade": "AAA", "date": "2018-01-01"},
        {"id": "p1", "enterprise": a, "kind": "pilot", "level": "national", "domain": "agriculture", "accepted": True,
         "ref": "国家农业标准化示范区（第九批）", "date": "2016-05-01"},
        {"id": "p2", "enterprise": b, "kind": "pilot", "level": "provincial", "domain": "service", "accepted": False,
         "date": "2016-05-01"},
        {"id": "d1", "enterprise": a, "kind": "adoption", "ref": "ISO 9001:2015", "date": "2017-07-01"},
        {"id": "d2", "enterprise": b, "kind": "adoption", "ref": "ISO 9001:2015", "date": "2017-07-01"},
        {"id": "s1", "enterprise": a, "kind": "self_declared", "ref": "Q/FJHF 001-2017", "date": "2017-08-01"},
        {"id": "c1", "enterprise": a, "kind": "secretariat", "level": "national", "body": "tc", "ref": "SAC/TC 305",
         "date": "2015-01-01"},
        {"id": "c2", "enterprise": b, "kind": "secretariat", "level": "national", "body": "sc", "ref": "SAC/TC 305",
         "date": "2015-02-01"},
    ]}, user="tester")
    return db


@pytest.mark.parametrize("as_of", ["2014-12-31", "2017-12-31", "2020-12-31", "2026-12-31"])
def test_the_database_counts_every_target_as_the_engine_does(office_data, as_of):
    day = dt.date.fromisoformat(as_of)
    achs = records.achievements()
    nonzero = 0
    for pid in known_policy_ids():
        policy = load_policy(pid)
        by_engine = {p.id: p.count for p in T.progress(policy, achs, day) if p.source == "records"}
        by_sql = counts(list(policy.targets), day)
        assert by_sql == {k: int(v) for k, v in by_engine.items()}, pid
        nonzero += sum(1 for v in by_sql.values() if v)
    if day.year >= 2017:
        assert nonzero >= 3  # the data reaches the targets: the comparison is not of zeros


def test_the_overview_reads_the_targets_without_the_achievements(office_data):
    from desktop.operations.session import Session
    from desktop.operations.targets import counted_progress, progress

    s = Session.attach(office_data)
    day = dt.date(2020, 12, 31)
    policy, fast = counted_progress(s, "wenzhou-2017", day)
    _p, _a, _e, slow = progress(s, "wenzhou-2017", day)
    assert [(p.id, p.count, p.met, p.source) for p in fast] == [(p.id, p.count, p.met, p.source) for p in slow]
    assert any(p.count for p in fast) and policy.id == "wenzhou-2017"


def test_the_overviews_counts_are_kept_until_a_change_touches_them(office_data, monkeypatch):
    """Counted once, then kept while nothing they count changes (a user's role, say); an achievement
    added is looked at by itself (the counts brought up to date, not counted again); a date that
    moves what the targets count up to counts them again."""
    from desktop.operations import targets
    from desktop.operations.session import Session
    from desktop.store import audit, target_counts
    from desktop.store.models import database

    s = Session.attach(office_data)
    day = dt.date(2026, 12, 31)
    calls = []
    real = target_counts.counts
    monkeypatch.setattr(target_counts, "counts", lambda ts, d, *report: calls.append(d) or real(ts, d, *report))
    target_counts._KEPT.clear()
    target_counts.counts_path(office_data).unlink(missing_ok=True)
    _p, first = targets.counted_progress(s, "wenzhou-2017", day)
    with database.atomic():
        audit.record("tester", "update", "user", None, {"role": "clerk"}, {"role": "reviewer"})
    targets.counted_progress(s, "wenzhou-2017", day)
    assert len(calls) == 1
    a = records.list_enterprises()[0]["uscc"]
    records.load({"enterprises": [], "achievements": [
        {"id": "new1", "enterprise": a, "kind": "standard", "level": "group", "action": "formulate", "rank": 1,
         "ref": "T/ZZB 0999-2017", "date": "2017-05-01"}]}, user="tester")
    _p, after = targets.counted_progress(s, "wenzhou-2017", day)
    assert len(calls) == 1  # brought up to date from the one achievement the log names
    assert sum(p.count or 0 for p in after) > sum(p.count or 0 for p in first)  # the new standard counts
    _p, again = targets.counted_progress(s, "wenzhou-2017", dt.date(2020, 1, 1))  # after the 2017 deadlines too
    assert len(calls) == 1 and [p.count for p in again] == [p.count for p in after]
    targets.counted_progress(s, "wenzhou-2017", dt.date(2016, 1, 1))  # before them: counted for that date
    assert len(calls) == 2


def test_the_number_index_is_made_when_the_database_opens_not_later_beside_an_officers_write(tmp_path):
    """Made by the overview's background reading, the index's commit could meet a write an officer
    had just begun (SQLite refused it as 「数据库正被使用」; a window test met it). A new database gets
    it with its tables, an older one at its next open, before anyone can write."""
    from desktop.store import db
    from desktop.store.models import database
    from desktop.store.target_counts import NUMBER_PROBE_INDEX, has_number_probe_index

    path = tmp_path / "office.db"
    db.open_db(path, auto_backup=False)
    try:
        assert has_number_probe_index()
        with database.atomic():
            database.execute_sql(f"DROP INDEX {NUMBER_PROBE_INDEX}")  # as a database made before it was
        assert not has_number_probe_index()
    finally:
        db.close_db()
    db.open_db(path, auto_backup=False)
    try:
        assert has_number_probe_index()
    finally:
        db.close_db()


def test_a_number_index_that_cannot_be_made_leaves_the_audit_checks_mark_as_it_was(tmp_path):
    """A natural key damaged by hand makes the index's build fail at the open; the schema did not
    change, so the next check still starts from the signed mark (the mark was moved past the schema
    once the build was announced, and every start then read the whole log)."""
    import sqlite3

    from conftest import GOOD_USCC, std

    from desktop.store import audit, db
    from desktop.store.target_counts import NUMBER_PROBE_INDEX

    path = tmp_path / "office.db"
    db.open_db(path, auto_backup=False)
    from desktop.store import office

    office.update(name="莆田市城厢区市场监督管理局", region_code="350302", user="t")  # its key signs the mark
    records.load({"enterprises": [{"uscc": GOOD_USCC, "name": "甲公司"}], "achievements": [std(id="a1")]}, user="t")
    assert audit.check_chain(incremental=True).full and audit.verified_path(path).exists()
    db.close_db()
    con = sqlite3.connect(path)
    con.execute(f"DROP INDEX {NUMBER_PROBE_INDEX}")
    con.execute("UPDATE achievement SET natural_key = '{damaged'")
    con.commit()
    con.close()
    db.open_db(path, auto_backup=False)  # the index is tried, and refused
    try:
        assert audit.check_chain().broken_at is None  # the full check renews the mark (the index dropped moved the schema)
    finally:
        db.close_db()
    from desktop.store import target_counts

    for _start in range(2):
        target_counts._INDEX_REFUSED.clear()  # a new start of the program: it tries again
        db.open_db(path, auto_backup=False)  # tried and refused again
        try:
            again = audit.check_chain(incremental=True)
            assert (again.broken_at, again.full, again.read) == (None, False, 0)
        finally:
            db.close_db()
