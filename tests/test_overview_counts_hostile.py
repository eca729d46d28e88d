"""The kept target counts moved to another date (``target_counts._move_date``) and brought up to date
after writes, attacked: targets with start dates, scope dates, rank limits, ref prefixes, every way of
counting (enterprises, standards, items of one enterprise and named items), records without a ref,
edits that move a record's date across the two dates, deletions and restorations, bulk loads, dates
equal to a deadline or a start and a date before any record, day after day forward and back, and
another officer's write landing while a reading counts. On SQLite and on a server, the counts must
always be what counting everything gives."""
from __future__ import annotations

import datetime as dt
import random
import threading
from decimal import Decimal

import pytest
from conftest import load_with_number_index, opened_office

from tests.conftest_pg import pg_server  # noqa: F401  (the office_db fixture's server)

ENTS = ["91350302MA2XN8XL0G", "91350302MA31UAYA5E", "91350302MA2YA35U6K", "91350302MA33RTW18C"]
# one standard written several ways (one number), numbers of several prefixes, and an item's own
REFS = ("GB/T 30001-2019", "gb/t 30001—2019", "T/ZZB 0101-2017", "T/ZZB 0102-2017", "DB35/T 1001-2018",
        "GB/T 40000-2021", "Q/FJHF 001-2017", "ISO 9001:2015")
LEVELS = ("international", "national", "industry", "local", "group", "enterprise")
# the targets' edges: starts, deadlines and scope dates, the day before and after each
EDGES = (dt.date(2012, 7, 11), dt.date(2012, 7, 12), dt.date(2013, 1, 1), dt.date(2015, 12, 31), dt.date(2016, 1, 1),
         dt.date(2018, 6, 30), dt.date(2019, 6, 30), dt.date(2019, 7, 1), dt.date(2020, 12, 31))
DAYS = (dt.date(2010, 1, 1), *EDGES, dt.date(2014, 3, 3), dt.date(2024, 12, 31), dt.date(2011, 5, 5),
        dt.date(2025, 12, 31))
SEED_POLICIES = ("putian-chengxiang-2021", "quanzhou-2012", "guangzhou-2013", "wenzhou-2017", "jiulongpo-2012")


def _targets():
    from desktop.core.policy_schema import Conditions as C
    from desktop.core.policy_schema import Target

    def t(tid, count, kinds, scope=None, **kw):
        return Target(tid, "一", tid, Decimal(1), count, scope or C(), kinds=kinds, **kw)

    return [
        t("ent-from-to", "enterprises", ("standard",), C(values={"level": frozenset({"national", "industry"})}),
          deadline=dt.date(2015, 12, 31), start=dt.date(2012, 7, 12)),
        t("std-ranks", "standards", ("standard",), C(rank=(1, 2)), deadline=dt.date(2020, 12, 31),
          start=dt.date(2016, 1, 1)),
        t("std-prefix-dates", "standards", ("standard", "prize"),
          C(ref_prefix=("GB", "T/"), dates=(dt.date(2013, 1, 1), dt.date(2019, 6, 30)))),
        t("items-all", "items", ("adoption", "self_declared", "prize", "pilot", "standard")),
        t("items-rank-from", "items", ("standard", "prize"), C(rank=(2, None)), deadline=dt.date(2018, 6, 30)),
        t("ent-accepted", "enterprises", ("pilot", "adoption"), C(accepted=True)),
        t("items-own", "items", ("adoption", "self_declared"), deadline=dt.date(2019, 6, 30)),
    ]


def _achievement(rng: random.Random, i: int) -> dict:
    kind = rng.choice(("standard", "standard", "adoption", "self_declared", "prize", "pilot"))
    day = rng.choice(EDGES) if rng.random() < 0.3 else \
        dt.date(rng.randint(2011, 2024), rng.randint(1, 12), rng.randint(1, 28))
    a = {"id": f"m{i}", "enterprise": rng.choice(ENTS), "kind": kind, "date": day.isoformat()}
    if kind == "standard":  # without a ref: named by its title, its whole identity the key
        a.update(level=rng.choice(LEVELS), action=rng.choice(("formulate", "revise")), rank=rng.randint(1, 5),
                 ref=rng.choice((*REFS, None, None)), title=f"鞋类产品标准第{i % 3}号")
    elif kind in ("adoption", "self_declared"):
        a.update(ref=rng.choice(REFS))
    elif kind == "prize":
        a.update(prize="china-innovation", grade=str(rng.randint(1, 3)), rank=rng.randint(1, 2),
                 ref=rng.choice((*REFS, None)))
    else:
        a.update(level=rng.choice(("national", "provincial")), domain="agriculture", accepted=rng.random() < 0.5,
                 ref=rng.choice(("示范区第九批", None)))
    return a


@pytest.fixture
def office(office_db):
    with opened_office(office_db) as path:
        rng = random.Random(20261204)
        load_with_number_index(ENTS, [_achievement(rng, i) for i in range(80)])
        yield path


def _policies():
    from desktop.core.policies import load_policy

    out = {"attack@1": _targets()}
    for pid in SEED_POLICIES:
        pol = load_policy(pid)
        out[f"{pol.id}@{pol.content_hash}"] = list(pol.targets)
    return out


def _full(targets, day):
    from desktop.store import target_counts

    return target_counts.counts([t for t in targets if t.count != "entered"], day)


@pytest.mark.parametrize("itemised", [100, 0], ids=["typed-loads", "bulk-loads"])
def test_counts_moved_between_any_two_dates_after_any_write_are_a_full_count(office, monkeypatch, itemised):
    """Forty readings at dates on and beside every start, deadline and scope date (and before any
    record), forward and back, with edits moving records across the dates, deletions, restorations
    and loads between them: every policy's counts, as kept and moved, equal a full count."""
    from desktop.store import edits, records, target_counts
    from desktop.store.models import Achievement
    from desktop.store.records import to_vocabulary

    monkeypatch.setattr(target_counts, "MOVE_SHARE", 1)  # a small office: every date moved, never counted again
    monkeypatch.setattr(records, "ITEMISED_UP_TO", itemised)
    policies = _policies()
    hows: list[str] = []
    moved: list[tuple[dt.date, dt.date]] = []
    real_move = target_counts._move_date
    monkeypatch.setattr(target_counts, "_move_date", lambda t, was, now, *rest: moved.append((was, now))
                        or real_move(t, was, now, *rest))
    rng = random.Random(itemised + 7)
    undo: list = []
    for step in range(40):
        r = rng.random()
        if r < 0.3:  # an officer's edit: a record's date (across the dates read) and sometimes its number
            row = rng.choice(list(Achievement.select()))
            raw = to_vocabulary(row).to_dict()
            raw["date"] = rng.choice(DAYS[1:]).isoformat()
            if raw["kind"] != "pilot" and rng.random() < 0.5:
                raw["ref"] = rng.choice(REFS)
            edits.save_achievement(raw, "tester", editing=row)
        elif r < 0.45:
            undo.append(edits.delete_achievements([a.id for a in rng.sample(list(Achievement.select()), 2)], "tester"))
        elif r < 0.55 and undo:  # the deletion undone at once (its rows' ids are free still)
            edits.restore_achievements(undo.pop(), "tester")
        elif r < 0.7:
            undo.clear()  # a load takes the deleted rows' ids: no undo after it
            records.load({"enterprises": [], "achievements": [_achievement(rng, 1000 + step * 10 + i)
                                                              for i in range(rng.randint(1, 6))]}, user="tester")
        day = rng.choice(DAYS)
        for key, targets in policies.items():
            got = target_counts.counted(targets, key, day, office)
            hows.append(got.how)
            assert got.counts == _full(targets, day), (step, key, day, got.how)
    assert hows.count("incremental") > 100 and any(a < b for a, b in moved) and any(a > b for a, b in moved)
    assert sum(_full(_targets(), dt.date(2025, 12, 31)).values()) > 30  # the comparison is not of zeros


@pytest.mark.parametrize("write", ["edit", "delete"])
def test_a_write_committed_while_a_reading_counts_is_taken_once(office, monkeypatch, write):
    """Two officers on one database: while one officer's overview reading (or the counts a load keeps)
    counts, another takes out of a target the only record of its standard there (an edit of its
    rank, or a deletion). The counts that reading keeps, and the next reading's, are what counting
    everything gives: the change taken once, not once by the reading that saw it and again by the
    next from the log."""
    from desktop.store import edits, records, target_counts
    from desktop.store.models import Achievement, database
    from desktop.store.records import to_vocabulary

    day = dt.date(2025, 12, 31)
    targets = _targets()
    records.load({"enterprises": [], "achievements": [
        {"id": "only-one", "enterprise": ENTS[0], "kind": "standard", "date": "2017-03-01", "level": "national",
         "action": "formulate", "rank": 1, "ref": "GB/T 77777-2017"}]}, user="tester")
    first = target_counts.counted(targets, "attack@1", day, office)
    assert first.counts == _full(targets, day)
    gone = Achievement.get(Achievement.source_id == "only-one").id
    # this officer's own load since (the reading has something to bring up to date)
    records.load({"enterprises": [], "achievements": [_achievement(random.Random(3), 900)]}, user="tester")
    done: list = []

    def other_officer() -> None:
        try:
            if write == "delete":
                edits.delete_achievements([gone], "lisi")
            else:  # rank 4: out of the target of ranks 1-2
                row = Achievement.get_by_id(gone)
                edits.save_achievement({**to_vocabulary(row).to_dict(), "rank": 4}, "lisi", editing=row)
            done.append(True)
        finally:
            database.close()

    real_head = target_counts._head

    def head_then_another_write():
        got = real_head()
        if not done:  # the other officer's deletion commits just after this reading took the log's head
            worker = threading.Thread(target=other_officer)
            worker.start()
            worker.join(60)
        return got

    _full_before = _full(targets, day)
    monkeypatch.setattr(target_counts, "_head", head_then_another_write)
    during = target_counts.counted(targets, "attack@1", day, office)
    monkeypatch.setattr(target_counts, "_head", real_head)
    assert done == [True]
    after = _full(targets, day)
    assert after["std-ranks"] == _full_before["std-ranks"] - 1  # the standard taken out counted there alone
    assert during.counts in (_full_before, after)  # before the change or after it, as a reading saw the data
    nxt = target_counts.counted(targets, "attack@1", day, office)
    assert nxt.counts == after, (nxt.how, nxt.counts["std-ranks"], after["std-ranks"])


def _steps_of_a_new_day(tmp_path, monkeypatch, held: int, bulk: bool = False) -> int:
    """SQLite's work (virtual machine steps, in thousands) of the overview's reading the day after the
    counts were kept, in an office holding ``held`` standards and 20 more dated that new day (``bulk``:
    loaded after the counts were kept, in bulk, and read on the same day)."""
    import json
    import sqlite3

    from desktop.core.policies import load_policy
    from desktop.store import records, target_counts
    from desktop.store.db import close_db, open_db
    from desktop.store.models import database

    path = tmp_path / f"office-{held}.db"
    open_db(path, auto_backup=False)
    try:
        records.load({"enterprises": [{"uscc": c, "name": f"城厢第{i}号鞋业有限公司", "region": "350302"}
                                      for i, c in enumerate(ENTS)], "achievements": []}, user="tester")
        ids = dict(database.execute_sql("SELECT uscc, id FROM enterprise").fetchall())
        con = sqlite3.connect(path)
        with con:  # the records held, written as the program writes them (dated up to the 28th of each month)
            con.executemany(
                "INSERT INTO achievement (uuid, source_id, enterprise_id, kind, date, ref, title, level, action, rank, "
                "natural_key, created_at, updated_at) VALUES (?, ?, ?, 'standard', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(f"held-{i}", f"h{i}", ids[ENTS[i % 4]], f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
                  f"GB/T {100000 + i}-2025", f"鞋类产品标准第{i}号", LEVELS[i % 6], ("formulate", "revise")[i % 2],
                  1 + i % 3, json.dumps([ENTS[i % 4], "standard", f"GB/T {100000 + i}-2025",
                                         ("formulate", "revise")[i % 2]], ensure_ascii=False),
                  "2025-12-01 00:00:00", "2025-12-01 00:00:00") for i in range(held)])
        con.close()
        target_counts.make_number_probe_index()
        pol = load_policy("putian-chengxiang-2021")
        key = f"{pol.id}@{pol.content_hash}"
        if bulk:
            itemised = records.ITEMISED_UP_TO
            monkeypatch.setattr(records, "ITEMISED_UP_TO", 0)
            target_counts.counted(list(pol.targets), key, dt.date(2025, 12, 30), path)  # kept before the load
        records.load({"enterprises": [], "achievements": [
            {"id": f"new{i}", "enterprise": ENTS[i % 4], "kind": "standard", "date": "2025-12-30",
             "level": "national", "action": "formulate", "rank": 1, "ref": f"GB/T {900000 + i}-2025"}
            for i in range(10)] + [
            {"id": f"plain{i}", "enterprise": ENTS[i % 4], "kind": "standard", "date": "2025-12-30",
             "level": "group", "action": "formulate", "rank": 1, "title": f"团体标准第{i}号"}
            for i in range(10)]}, user="tester")
        if bulk:
            monkeypatch.setattr(records, "ITEMISED_UP_TO", itemised)
        else:
            target_counts.counted(list(pol.targets), key, dt.date(2025, 12, 29), path)  # kept the day before
        steps = [0]

        def step() -> int:
            steps[0] += 1
            return 0

        database.connection().set_progress_handler(step, 1000)
        got = target_counts.counted(list(pol.targets), key, dt.date(2025, 12, 30), path)
        database.connection().set_progress_handler(None, 0)
        assert got.how == "incremental" and got.counts == _full(pol.targets, dt.date(2025, 12, 30))
        return steps[0]
    finally:
        close_db()
        target_counts._KEPT.clear()


def test_a_new_day_costs_what_it_added_not_every_record_held(tmp_path, monkeypatch):
    """The morning's first reading moves yesterday's counts by the 20 records dated today: its work
    follows those 20, whether the office holds 4,000 records or ten times as many (each looked up
    among the others by an index). Measured as SQLite's virtual machine steps, no clock."""
    from desktop.store import target_counts

    monkeypatch.setattr(target_counts, "MOVE_SHARE", 5)
    small, large = _steps_of_a_new_day(tmp_path, monkeypatch, 4_000), _steps_of_a_new_day(tmp_path, monkeypatch, 40_000)
    assert large < 2 * small + 20, (small, large)


def test_a_bulk_load_costs_what_it_added_not_every_record_held(tmp_path, monkeypatch):
    """The reading after a bulk load of 20 records (10 with a standard number, 10 without a ref, named
    by their title) brings the kept counts up to date by those 20 (``_add_rows``: each looked up among
    the others by an index), whether the office holds 4,000 records or ten times as many."""
    small = _steps_of_a_new_day(tmp_path, monkeypatch, 4_000, bulk=True)
    large = _steps_of_a_new_day(tmp_path, monkeypatch, 40_000, bulk=True)
    assert large < 2 * small + 20, (small, large)


def test_the_morning_reading_moves_yesterdays_counts_even_after_a_look_at_an_earlier_date(office, monkeypatch):
    """Yesterday the overview kept the counts; then an officer looked at the targets screen as of an
    earlier year's start (kept too, for that date). This morning's overview reading has yesterday's
    counts to move by one day (no record dated between), yet it takes the newest kept, the earlier
    date's: over a decade of records, its targets are counted again."""
    from desktop.store import target_counts

    targets = _targets()
    yesterday, today, looked_at = dt.date(2024, 12, 30), dt.date(2024, 12, 31), dt.date(2013, 1, 1)
    target_counts.counted(targets, "attack@1", yesterday, office)  # the overview, yesterday
    target_counts.counted(targets, "attack@1", looked_at, office)  # the targets screen, as of 2013
    counted_again: list = []
    real = target_counts.counts
    monkeypatch.setattr(target_counts, "counts", lambda ts, d, *r: counted_again.extend(t.id for t in ts)
                        or real(ts, d, *r))
    got = target_counts.counted(targets, "attack@1", today, office)
    again = list(counted_again)
    monkeypatch.setattr(target_counts, "counts", real)
    assert got.counts == _full(targets, today)
    assert again == [], "counted again instead of moved by a day"
