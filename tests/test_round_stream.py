"""A round computed as a stream: the year read a batch at a time, the engine yielding each award as
its achievement arrives, lines written a batch at a time. What is stored is what the engine computes
from the whole year at once, line for line, however the batches fall (many achievements on one date
included), and the round's digest is the one the whole list gives."""
from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from desktop.core.engine import compute, compute_iter
from desktop.core.policies import known_policy_ids, load_policy
from desktop.operations import round_work
from desktop.store import audit, records, rounds
from desktop.store.models import Award, AwardEvent
from tests.test_engine import random_achievements
from tests.test_recompute_batches import LEVELS, A, B, _load


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_the_streamed_engine_gives_the_list_engines_awards_taking_one_achievement_at_a_time(seed):
    rows = random_achievements(1500, seed=seed)
    rng = random.Random(seed)
    prior = {a.identity(): f"earlier-{a.id}" for a in rng.sample(rows, 200)}  # awarded in an earlier round
    statuses = set()
    for policy_id in known_policy_ids():
        expected = compute(load_policy(policy_id), rows, prior=prior, pool_spent={})
        taken = 0

        def one_by_one() -> Iterator:
            nonlocal taken
            for a in rows:
                taken += 1
                yield a

        got = []
        for n, r in enumerate(compute_iter(load_policy(policy_id), one_by_one(), prior=prior, pool_spent={})):
            assert taken == n + 1, "an award is yielded before the next achievement is read"
            got.append(r)
        assert got == expected, policy_id
        statuses |= {r.status for r in got}
    assert statuses >= {"awarded", "not_eligible", "duplicate", "discretionary"}


def _year(rng: random.Random, n: int) -> list[dict]:
    """Standards and pooled items of 2014, most on a handful of dates (ties across read batches),
    some numbers drawn twice (duplicates), with a few of 2013 and 2015 around them."""
    out = []
    for i in range(n):
        year = rng.choice((2013, 2014, 2014, 2014, 2014, 2015))
        date = f"{year}-{rng.choice((1, 6, 12)):02d}-{rng.choice((1, 15)):02d}"
        if rng.random() < 0.2:
            out.append({"id": f"g{i}", "enterprise": rng.choice((A, B)), "kind": "gi", "rank": 1,
                        "ref": f"地理标志{rng.randint(0, n)}", "date": date})
            continue
        out.append({"id": f"s{i}", "enterprise": rng.choice((A, B)), "kind": "standard", "level": rng.choice(LEVELS),
                    "action": rng.choice(("formulate", "revise")), "rank": rng.randint(1, 6),
                    "ref": f"GB/T {20000 + rng.randint(0, n)}-2014", "date": date})
    return out


def _stored(rnd) -> list[tuple]:
    return [(aw.achievement.source_id, aw.status, aw.amount, aw.rule, aw.clause, aw.fund, aw.explanation, aw.flags,
             aw.decision) for aw in Award.select().where(Award.round == rnd).order_by(Award.id)]


@pytest.mark.parametrize("seed", [1, 2])
def test_a_round_read_and_written_in_small_batches_holds_what_the_engine_computes_from_the_whole_year(
        db, monkeypatch, seed):
    monkeypatch.setattr(rounds, "READ_BATCH", 4)  # a few dozen achievements: many reads, ties split between them
    monkeypatch.setattr(rounds, "BATCH", 3)
    rng = random.Random(seed)
    _load(_year(rng, 90))
    achs = records.achievements(year=2014)
    policy = round_work.load_policy("quanzhou-2012")
    expected = compute(policy, achs, prior=round_work.prior_awards(), pool_spent={})
    assert len({a.date for a in achs}) < len(achs) / 4  # dates shared by many

    rnd = round_work.create_round(2014, "quanzhou-2012", "clerk1")

    stored = _stored(rnd)
    assert [s[0] for s in stored] == [a.id for a in achs]  # every achievement of the year once, in order
    assert [s[1:8] for s in stored] == [(r.status, r.amount, r.rule, r.clause, r.fund, r.explanation, list(r.flags))
                                        for r in expected]
    assert {s[8] for s in stored} == {"proposed"}
    assert AwardEvent.select().count() == len(achs)  # one "computed" event per line
    assert any(r.status == "duplicate" for r in expected)

    # nothing changed: a recompute read in batches finds nothing to change
    events = AwardEvent.select().count()
    round_work.recompute(rnd, "clerk1")
    assert _stored(rnd) == stored and AwardEvent.select().count() == events


@pytest.mark.parametrize("chunk", [1, 3, 5000])
def test_the_round_digest_hashed_in_chunks_is_the_digest_of_the_whole_list(db, monkeypatch, chunk):
    monkeypatch.setattr(audit, "DIGEST_CHUNK", chunk)
    _load(_year(random.Random(5), 40))
    rnd = round_work.create_round(2014, "quanzhou-2012", "clerk1")
    assert len(audit.round_lines(rnd.id)) > 3
    assert audit.lines_digest(rnd.id) == audit.fields_digest(audit.round_lines(rnd.id))


def test_an_empty_round_digest_is_that_of_an_empty_list(db):
    _load(_year(random.Random(6), 5))
    rnd = round_work.create_round(2031, "quanzhou-2012", "clerk1")  # a year without achievements
    assert audit.lines_digest(rnd.id) == audit.fields_digest([])


def test_new_line_uuids_are_version_7_uuids_in_increasing_order():
    """A round's lines get ids in the order they are made (RFC 9562 version 7), so a large round
    appends to the award table's unique index instead of dirtying pages all over it."""
    import time
    import uuid

    before = time.time_ns() // 1_000_000
    made = rounds.new_uuids(3000) + rounds.new_uuids(2000)
    after = time.time_ns() // 1_000_000
    assert len(set(made)) == 5000 and rounds.new_uuids(0) == []
    assert made == sorted(made)  # across calls too
    for text in made:
        u = uuid.UUID(text)
        assert str(u) == text and u.version == 7 and u.variant == uuid.RFC_4122
        assert before <= u.int >> 80 <= after + 1
    tails = {uuid.UUID(t).int & 0xFFFFFFFF for t in made}
    assert len(tails) > 4900  # the last 32 bits are random


@pytest.fixture
def opened(office_db):
    from desktop.store import db as dbmod
    from desktop.store.paths import resolve_db_path

    dbmod.open_db(resolve_db_path(office_db), auto_backup=False)
    yield
    dbmod.close_db()


from conftest_pg import pg_server  # noqa: E402,F401 - office_db's server


def test_the_year_is_read_once_in_date_and_row_order_however_the_batches_fall(opened, monkeypatch):
    """Each read enters the date index where the last stopped (the rest of that date by row, then the
    later dates): every achievement of the year once, in order, with most of them on three dates
    (1 January, 15 June, 31 December) and the neighbouring years beside them, on both engines."""
    from desktop.store.models import Achievement

    rng = random.Random(3)
    achs = []
    for i in range(137):
        y = rng.choice((2013, 2014, 2014, 2014, 2015))
        d = rng.choice(("01-01", "01-01", "06-15", "12-31", "12-31"))
        achs.append({"id": f"s{i}", "enterprise": rng.choice((A, B)), "kind": "standard", "level": "national",
                     "action": "formulate", "rank": 1, "ref": f"GB/T {30000 + i}-2014", "date": f"{y}-{d}"})
    records.load({"enterprises": [{"uscc": A, "name": "甲"}, {"uscc": B, "name": "乙"}], "achievements": achs},
                 user="tester")
    want = sorted((a.date, a.id) for a in Achievement.select() if a.date.year == 2014)
    dates = {a.id: a.date for a in Achievement.select()}
    for batch in (1, 2, 3, 7, 50, 5000):
        monkeypatch.setattr(rounds, "READ_BATCH", batch)
        got = [(dates[row_id], row_id) for row_id, _a, _line in rounds.year_stream(2014)]
        assert got == want, batch


def test_a_new_rounds_audit_entry_counts_and_totals_the_lines_stored(db):
    """The entry of a new round is made from the lines as they were written, not read back: it says
    what reading the round says, every line counted and only the paid ones totalled."""
    from desktop.core.money import to_money
    from desktop.core.status import PAYING
    from desktop.store.models import AuditEntry

    _load(_year(random.Random(8), 60))
    rnd = round_work.create_round(2014, "quanzhou-2012", "clerk1")

    said = AuditEntry.get(AuditEntry.entity == "award_round", AuditEntry.action == "create").after
    lines = list(Award.select().where(Award.round == rnd))
    paid = [aw.amount for aw in lines if aw.status in PAYING and aw.amount is not None]
    assert said["awards"] == len(lines) > 20 and {aw.status for aw in lines} >= {"awarded", "not_eligible"}
    assert said["total"] == format(to_money(sum(paid)), "f") and paid and sum(paid) > 0
    assert said == rounds._round_summary(rnd)  # the same as read from the database


def test_a_round_is_computed_with_the_collector_and_the_temporary_file_journal_off_and_both_restored(
        db, monkeypatch):
    """While a round is computed Python's cycle collector is off and SQLite keeps the statement journal
    in memory (a round of 10⁶ lines otherwise paid ~9 s of full collections and 12.7 GB written to a
    temporary file); after it, also when the computing fails, both are as they were."""
    import gc

    from desktop.store.models import AwardRound, database

    _load(_year(random.Random(9), 30))
    made = round_work._computer
    seen = []

    def computer(policy, fail=False):
        compute = made(policy)

        def spying(rnd, stream):
            seen.append((gc.isenabled(), database.execute_sql("PRAGMA temp_store").fetchone()[0]))
            if fail:
                raise RuntimeError("the disk is full")
            yield from compute(rnd, stream)
        return spying

    monkeypatch.setattr(round_work, "_computer", computer)
    assert gc.isenabled() and database.execute_sql("PRAGMA temp_store").fetchone()[0] == 0
    rnd = round_work.create_round(2014, "quanzhou-2012", "clerk1")
    round_work.recompute(rnd, "clerk1")
    assert seen == [(False, 2), (False, 2)]
    assert gc.isenabled() and database.execute_sql("PRAGMA temp_store").fetchone()[0] == 0

    monkeypatch.setattr(round_work, "_computer", lambda policy: computer(policy, fail=True))
    with pytest.raises(RuntimeError):
        round_work.create_round(2015, "quanzhou-2012", "clerk1")
    assert gc.isenabled() and database.execute_sql("PRAGMA temp_store").fetchone()[0] == 0
    assert not AwardRound.select().where(AwardRound.year == 2015).exists()  # nothing stored

    monkeypatch.setattr(round_work, "_computer", computer)
    gc.disable()  # a collector someone else turned off stays off
    try:
        round_work.recompute(rnd, "clerk1")
        assert not gc.isenabled()
    finally:
        gc.enable()
