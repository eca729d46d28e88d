"""The overview's target counts brought up to date from the audit log give exactly what counting
everything again gives, after random edits, deletions and restorations; and the counts and the
audit check's mark kept beside the database spare the next start the work, without hiding an
entry altered in place from the full check."""
from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from conftest import edit_audit_entry_by_hand

from desktop.core.policies import known_policy_ids, load_policy
from desktop.store import audit, demo, edits, records, target_counts
from desktop.store.models import Achievement, database
from desktop.store.records import to_vocabulary

LEVELS = ("international", "national", "industry", "local", "group", "enterprise")
REFS = ("GB/T 30001-2019", "gb/t 30001—2019", "T/ZZB 0101-2017", "T/ZZB 0102-2017", "DB35/T 1001-2018",
        "GB/T 40000-2021", None)
DAYS = (dt.date(2014, 12, 31), dt.date(2017, 12, 31), dt.date(2020, 12, 31), dt.date(2026, 12, 31))


def _policies():
    return [load_policy(pid) for pid in known_policy_ids()]


def _full(policy, day):
    return target_counts.counts([t for t in policy.targets if t.count != "entered"], day)


def _counted(policy, day, path):
    return target_counts.counted(list(policy.targets), f"{policy.id}@{policy.content_hash}", day, path)


@pytest.fixture
def office(db):
    demo.install(known_policies=known_policy_ids())
    ents = [e["uscc"] for e in records.list_enterprises()]
    rng = random.Random(20261203)
    achs = []
    for i in range(60):
        kind = rng.choice(("standard", "standard", "standard", "pilot", "adoption", "self_declared", "prize",
                           "good_behavior"))
        a = {"id": f"r{i}", "enterprise": rng.choice(ents[:4]), "kind": kind,
             "date": f"{rng.choice((2015, 2017, 2019, 2021))}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"}
        if kind == "standard":
            a.update(level=rng.choice(LEVELS), action=rng.choice(("formulate", "revise")), rank=rng.randint(1, 4),
                     ref=rng.choice(REFS[:-1]))
        elif kind == "pilot":
            a.update(level=rng.choice(("national", "provincial", "municipal")), domain="agriculture",
                     accepted=rng.random() < 0.5, ref=rng.choice(("示范区第九批", "示范区第十批", None)))
        elif kind == "prize":
            a.update(prize="china-innovation", grade=str(rng.randint(1, 3)), rank=1, ref=rng.choice(REFS))
        elif kind == "good_behavior":
            a.update(level=rng.choice(("national", "provincial")), grade=rng.choice(("AAAA", "AAA")))
        else:
            a.update(ref=rng.choice(("ISO 9001:2015", "Q/FJHF 001-2017", "IEC 60335-1:2020")))
        achs.append(a)
    records.load({"enterprises": [], "achievements": achs}, user="tester")
    return db


def _edit(rng, row, ents):
    raw = to_vocabulary(row).to_dict()
    if raw["kind"] == "standard":
        raw["level"] = rng.choice(LEVELS)
        raw["ref"] = rng.choice(REFS[:-1])
        raw["action"] = rng.choice(("formulate", "revise"))
    raw["date"] = f"{rng.choice((2013, 2016, 2018, 2022))}-05-0{rng.randint(1, 9)}"
    raw["enterprise"] = rng.choice(ents)
    edits.save_achievement(raw, "tester", editing=row)


def test_counts_brought_up_to_date_equal_a_full_count_after_random_changes(office):
    policies = _policies()
    ents = [e["uscc"] for e in records.list_enterprises()][:5]
    rng = random.Random(7)
    for p in policies:
        for day in DAYS:  # each date counted once (another date's counts: only the targets it moves)
            assert _counted(p, day, office).counts == _full(p, day)
    undo: list[edits.Snapshot] = []
    ways = {"incremental": 0, "kept": 0}
    for step in range(40):
        ids = [r.id for r in Achievement.select(Achievement.id)]
        choice = rng.random()
        if choice < 0.45:
            _edit(rng, Achievement.get_by_id(rng.choice(ids)), ents)
        elif choice < 0.7 or not undo:
            undo.append(edits.delete_achievements(rng.sample(ids, rng.randint(1, 3)), "tester"))
        else:
            edits.restore_achievements(undo.pop(rng.randrange(len(undo))), "tester")
        if step % 5 == 4:  # several changes between two readings, as between two refreshes
            with database.atomic():
                audit.record("tester", "update", "user", None, {"role": "clerk"}, {"role": "reviewer"})
        for p in policies:
            for day in DAYS:
                got = _counted(p, day, office)
                assert got.counts == _full(p, day), (step, p.id, day)
                ways[got.how] = ways.get(got.how, 0) + 1
    assert ways.get("full", 0) == 0  # every one brought up to date, none counted again
    assert ways["incremental"] > 100
    assert sum(_full(p, DAYS[-1]) and sum(_full(p, DAYS[-1]).values()) for p in policies) > 10  # not zeros


def test_a_new_start_takes_the_counts_kept_beside_the_database_and_what_changed_since(office):
    policy = load_policy("putian-chengxiang-2021")
    day = dt.date(2026, 12, 31)
    assert _counted(policy, day, office).how == "full"
    assert target_counts.counts_path(office).exists()
    target_counts._KEPT.clear()  # a new process
    assert _counted(policy, day, office).how == "kept"
    row = Achievement.select().where(Achievement.kind == "standard").first()
    raw = to_vocabulary(row).to_dict()
    raw["level"] = "national" if raw["level"] != "national" else "group"
    raw["ref"] = "GB/T 99999-2024"
    edits.save_achievement(raw, "tester", editing=row)
    target_counts._KEPT.clear()
    got = _counted(policy, day, office)
    assert (got.how, got.touched) == ("incremental", 1)
    assert got.counts == _full(policy, day)


def test_counts_kept_for_another_log_or_a_change_outside_it_are_counted_again(office):
    policy = load_policy("putian-chengxiang-2021")
    day = dt.date(2026, 12, 31)
    _counted(policy, day, office)
    kept = json.loads(target_counts.counts_path(office).read_text("utf-8"))
    # an achievement added with bare SQL: the log does not name it, the number does not add up
    database.execute_sql("INSERT INTO achievement (uuid, source_id, enterprise_id, kind, date, ref, level, action, "
                         "rank, natural_key, created_at, updated_at) SELECT 'u-x', 'x', enterprise_id, kind, date, "
                         "'GB/T 77777-2020', 'national', 'formulate', 1, '[\"x\", \"standard\", \"GB/T 77777-2020\", "
                         "\"formulate\"]', created_at, updated_at FROM achievement LIMIT 1")
    target_counts._KEPT.clear()
    got = _counted(policy, day, office)
    assert got.how == "full" and got.counts == _full(policy, day)
    target_counts._KEPT.clear()
    head = database.execute_sql("SELECT id, hash FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()
    n = Achievement.select().count()
    for what in ("hash", "counts"):
        forged = json.loads(json.dumps(kept))
        for k in forged["kept"]:
            k["audit_id"], k["audit_hash"], k["achievements"] = head[0], head[1], n
            k["counts"] = {t: 9999 for t in k["counts"]}  # targets shown as met
            if what == "hash":  # counts said to include an entry that holds another hash
                k["audit_hash"] = "0" * 64
        target_counts.counts_path(office).write_text(json.dumps(forged), "utf-8")
        target_counts._KEPT.clear()
        got = _counted(policy, day, office)  # under the right head but not signed by the office: not taken
        assert got.how == "full" and got.counts == _full(policy, day), what
    target_counts.counts_path(office).write_text("not json", "utf-8")
    target_counts._KEPT.clear()
    assert _counted(policy, day, office).counts == _full(policy, day)


def test_a_bulk_load_adds_its_rows_and_a_changed_credit_code_counts_everything_again(office, monkeypatch):
    """A few records loaded are named one by one (brought up to date); a bulk load's one entry adds
    rows above the highest id kept: their contribution is added (standards already counted, written
    another way, not counted twice); an enterprise's new credit code (every identity of its
    achievements changes) counts everything again."""
    from desktop.store.models import Enterprise

    policy = load_policy("putian-chengxiang-2021")
    day = dt.date(2026, 12, 31)
    _counted(policy, day, office)
    ent = records.list_enterprises()[0]["uscc"]

    def std(i):
        return {"id": f"n{i}", "enterprise": ent, "kind": "standard", "level": "national", "action": "formulate",
                "rank": 1, "ref": f"GB/T {88000 + i}-2021", "date": "2021-03-01"}

    records.load({"enterprises": [], "achievements": [std(1)]}, user="tester")
    got = _counted(policy, day, office)
    assert got.how == "incremental" and got.counts == _full(policy, day)
    monkeypatch.setattr(records, "ITEMISED_UP_TO", 0)  # a bulk load: one entry for the batch
    before = _full(policy, day)
    again = [{**std(40 + i), "ref": ref, "level": level} for i, (ref, level) in enumerate(
        (("gb/t 30001—2019", "national"), ("T/ZZB 0101-2017", "group"), ("t/zzb 0102-2017", "group"),
         ("DB35/T 1001-2018", "local")))]  # numbers the office holds already, some written another way
    records.load({"enterprises": [], "achievements": [std(i) for i in range(2, 40)] + again}, user="tester")
    got = _counted(policy, day, office)
    assert got.how == "incremental" and got.counts == _full(policy, day)
    assert got.counts != before  # the load did add to what is counted
    row = Enterprise.get(Enterprise.uscc == ent)
    edits.save_enterprise({"uscc": "91350302MA2Y0KXQ4Q", "name": row.name}, "tester", editing=row)
    got = _counted(policy, day, office)
    assert got.how == "full" and got.counts == _full(policy, day)


# ------------------------------------------------------------------ the audit check's mark

def _reopen(path):
    from desktop.store.db import close_db, open_db

    close_db()
    open_db(path, auto_backup=False)


def test_the_next_start_checks_only_the_entries_after_the_signed_mark(office, monkeypatch):
    from desktop.store.models import AuditEntry

    first = audit.check_chain(incremental=True)
    assert first.broken_at is None and first.full and first.read == AuditEntry.select().count()
    assert audit.verified_path(office).exists()
    _reopen(office)
    for i in range(3):
        with database.atomic():
            audit.record("tester", "update", "user", None, {"role": f"a{i}"}, {"role": f"b{i}"})
    again = audit.check_chain(incremental=True)
    assert (again.broken_at, again.full, again.read) == (None, False, 3)
    assert again.full_at == first.full_at  # the whole log was last read then: the overview says so


def test_an_old_entry_altered_in_place_is_found_by_the_full_check(office):
    from desktop.store.db import close_db, open_db

    audit.check_chain(incremental=True)
    target = database.execute_sql("SELECT min(id) + 2 FROM audit_entry").fetchone()[0]
    edit_audit_entry_by_hand(office, target)  # triggers dropped and put back exactly: the cookie moves
    check = audit.check_chain(incremental=True)
    assert check.broken_at == target and check.full  # the mark no longer holds: the whole log is read

    # the cookie put back by hand as well: the mark holds, the check from it does not see the old
    # entry, and says it read only what came after; the full check finds it
    close_db()
    open_db(office, auto_backup=False)
    cookie = database.execute_sql("PRAGMA schema_version").fetchone()[0]
    close_db()
    mark = json.loads(audit.verified_path(office).read_text("utf-8"))
    assert mark["last_id"] < target or mark["schema"] != cookie  # the broken check kept no new mark
    edit_audit_entry_by_hand(office, target + 1, '"mallory 2"')
    assert audit.check_chain().broken_at == target  # the full check always reads every entry


def test_a_forged_or_foreign_mark_is_not_taken(office):
    from desktop.store.models import AuditEntry

    audit.check_chain(incremental=True)
    path = audit.verified_path(office)
    mark = json.loads(path.read_text("utf-8"))
    assert mark["signature"]  # the office has a key: the mark is signed
    last = AuditEntry.select().count()
    for forged in ({**mark, "full_at": "2030-01-01T00:00:00"}, {**mark, "signature": None}, {**mark, "schema": 0}):
        path.write_text(json.dumps(forged), "utf-8")
        _reopen(office)
        check = audit.check_chain(incremental=True)
        assert check.full and check.read == last, forged


def test_a_targets_newest_achievements_are_listed_whichever_way_they_are_read(office, monkeypatch):
    """The achievements counting toward a target: their number as the engine finds them in scope, the
    newest first; read in date order (many) or sorted (few), the same rows."""
    from desktop.core import targets as T

    day = dt.date(2026, 12, 31)
    achs = records.achievements()
    checked = 0
    for policy in _policies():
        for t in policy.targets:
            if t.count == "entered":
                continue
            upto = target_counts.upto(t, day)
            mine = [a for a in achs if a.date <= upto and (t.start is None or a.date >= t.start) and T.in_scope(t, a)]
            monkeypatch.setattr(target_counts, "DENSE", 10**9)
            total, sorted_rows = target_counts.counting_rows(t, day, 4)
            monkeypatch.setattr(target_counts, "DENSE", 0)
            again, walked = target_counts.counting_rows(t, day, 4)
            assert total == again == len(mine), (policy.id, t.id)
            assert sorted_rows == walked
            dates = [str(r[-1]) for r in walked]
            assert dates == sorted(dates, reverse=True)
            assert dates == sorted((a.date.isoformat() for a in mine), reverse=True)[:4]
            checked += bool(mine)
    assert checked >= 3
