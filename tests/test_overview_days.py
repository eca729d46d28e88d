"""The overview's target counts on a new day, on SQLite and on a server alike: a target still
running counts up to today, a day later than the counts kept, so only the achievements dated between
the two days are looked at (nothing counted again), forward and back (the targets screen asked for
an earlier date), together with the edits and loads made since; the result is always what counting
everything gives."""
from __future__ import annotations

import datetime as dt
import random

import pytest
from conftest import full_target_counts, load_with_number_index, opened_office

from tests.conftest_pg import pg_server  # noqa: F401  (the office_db fixture's server)
from tests.test_overview_edits import ENTS, REFS
from tests.test_overview_edits import _achievement as edits_achievement

POLICIES = ("putian-chengxiang-2021", "quanzhou-2012", "guangzhou-2013", "wenzhou-2017", "jiulongpo-2012")
# each day within some targets' running time (the seeds' deadlines: 2015, 2017, 2020, 2025), then back
DAYS = [dt.date(2013, 6, 30), dt.date(2013, 7, 1), dt.date(2014, 12, 31), dt.date(2015, 3, 2), dt.date(2016, 11, 30),
        dt.date(2017, 12, 31), dt.date(2019, 6, 15), dt.date(2021, 1, 4), dt.date(2024, 12, 31),
        dt.date(2025, 12, 31), dt.date(2018, 2, 28), dt.date(2014, 1, 1), dt.date(2022, 9, 9)]


def _achievement(rng: random.Random, i: int) -> dict:
    """A random achievement of any kind (as the edits' test makes them), dated over the seeds' years."""
    a = edits_achievement(rng, i)
    a["id"], a["date"] = f"d{i}", f"{rng.randint(2012, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return a


@pytest.fixture
def office(office_db):
    with opened_office(office_db) as path:
        rng = random.Random(20261204)
        load_with_number_index(ENTS, [_achievement(rng, i) for i in range(120)])
        yield path


def _counted(policy_id, day, path):
    from desktop.core.policies import load_policy
    from desktop.store import target_counts

    policy = load_policy(policy_id)
    return target_counts.counted(list(policy.targets), f"{policy.id}@{policy.content_hash}", day, path)


def test_each_new_day_looks_only_at_the_achievements_dated_since_and_counts_as_a_full_count(office, monkeypatch):
    """Day after day, with an edit and a load between some of the readings: every target that moved
    is moved by the achievements between its two dates, none counted again, each equal to a full
    count of that day."""
    from desktop.store import edits, records, target_counts
    from desktop.store.models import Achievement
    from desktop.store.records import to_vocabulary

    assert target_counts.has_number_probe_index()
    monkeypatch.setattr(target_counts, "MOVE_SHARE", 1)  # a small office: every day's records looked at
    for pid in POLICIES:
        assert _counted(pid, DAYS[0], office).how == "full"
    counted_again: list = []
    real = target_counts.counts
    monkeypatch.setattr(target_counts, "counts", lambda ts, d, *r: counted_again.append((ts, d)) or real(ts, d, *r))
    moves: list = []
    real_move = target_counts._move_date
    monkeypatch.setattr(target_counts, "_move_date", lambda t, was, now, *rest: moves.append((was, now))
                        or real_move(t, was, now, *rest))
    rng = random.Random(5)
    for step, day in enumerate(DAYS[1:]):
        if step % 3 == 1:  # an officer's edit: a standard's number and date changed
            row = Achievement.select().where(Achievement.kind == "standard").order_by(Achievement.id).first()
            raw = to_vocabulary(row).to_dict()
            raw["ref"], raw["date"] = rng.choice(REFS), f"{rng.randint(2012, 2025)}-06-01"
            edits.save_achievement(raw, "tester", editing=row)
        if step % 4 == 2:  # a load of a few more, dated all over the years
            records.load({"enterprises": [], "achievements": [_achievement(rng, 1000 + step * 10 + i)
                                                              for i in range(6)]}, user="tester")
        for pid in POLICIES:
            got = _counted(pid, day, office)
            assert counted_again == [] and got.how in ("incremental", "kept"), (pid, day)
            assert got.counts == full_target_counts(pid, day), (pid, day)
            counted_again.clear()  # the full count just made is the test's own
    assert any(was < now for was, now in moves) and any(was > now for was, now in moves)
    total = sum(sum(full_target_counts(pid, dt.date(2025, 12, 31)).values()) for pid in POLICIES)
    assert total > 20  # the data reaches the targets: the comparison is not of zeros


def test_a_day_that_moves_over_most_records_counts_them_again(office, monkeypatch):
    """Read a decade earlier than the counts kept: most records lie between the two dates, and
    counting them is quicker than looking each up; the count is the full count's."""
    from desktop.store import target_counts

    day, earlier = dt.date(2025, 12, 31), dt.date(2013, 1, 1)
    _counted("putian-chengxiang-2021", day, office)
    calls: list = []
    real = target_counts.counts
    monkeypatch.setattr(target_counts, "counts", lambda ts, d, *r: calls.append(d) or real(ts, d, *r))
    got = _counted("putian-chengxiang-2021", earlier, office)
    assert calls == [earlier] and got.counts == full_target_counts("putian-chengxiang-2021", earlier)
