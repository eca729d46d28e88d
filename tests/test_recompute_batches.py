"""Recomputing a round writes in batches: every line as the engine computes it, the amounts officers
set kept, one event per changed or new line, the audit log naming each line, and a failure half-way
leaves the round as it was."""
from __future__ import annotations

import random
from decimal import Decimal

import pytest

from desktop.core.engine import compute
from desktop.operations import round_work
from desktop.store import audit, records, rounds
from desktop.store.models import Achievement, AuditEntry, Award, AwardEvent

A, B = "91350100M000100Y43", "91350302MA2Y0KXQ4Q"
LEVELS = ("national", "industry", "local", "group", "enterprise")


def _records(rng: random.Random, n: int, start: int = 0) -> list[dict]:
    out = []
    for i in range(start, start + n):
        if rng.random() < 0.2:  # pooled: a discretionary amount set by an officer
            out.append({"id": f"g{i}", "enterprise": rng.choice((A, B)), "kind": "gi", "rank": 1, "ref": f"地理标志{i}",
                        "date": f"2014-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"})
            continue
        ref = f"GB/T {20000 + rng.randint(0, n)}-2014"  # some numbers drawn twice: duplicates
        out.append({"id": f"s{i}", "enterprise": rng.choice((A, B)), "kind": "standard", "level": rng.choice(LEVELS),
                    "action": rng.choice(("formulate", "revise")), "rank": rng.randint(1, 6), "ref": ref,
                    "date": f"2014-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"})
    return out


def _load(achs: list[dict]) -> None:
    records.load({"enterprises": [{"uscc": A, "name": "甲公司"}, {"uscc": B, "name": "乙公司"}], "achievements": achs},
                 user="clerk1")


def _lines(rnd) -> dict[str, tuple]:
    return {aw.achievement.source_id: (aw.status, aw.amount, aw.rule, aw.clause, aw.fund, aw.explanation, aw.flags,
                                       aw.decision) for aw in Award.select().where(Award.round == rnd)}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_recomputed_round_holds_what_the_engine_computes_with_set_amounts_kept(db, monkeypatch, seed):
    monkeypatch.setattr(rounds, "BATCH", 3)  # several batches from a few dozen lines
    rng = random.Random(seed)
    _load(_records(rng, 40))
    rnd = round_work.create_round(2014, "quanzhou-2012", "clerk1")
    set_by_officer = {}
    for aw in Award.select().where(Award.round == rnd, Award.status == "discretionary"):
        if rng.random() < 0.6:
            set_by_officer[aw.achievement.source_id] = round_work.set_amount(aw, Decimal(rng.randint(0, 20)), "clerk1").amount
    # the county corrects records, adds new ones and moves one into another year
    moved = [a for a in Achievement.select() if a.source_id.startswith("s")][:1]
    for a in Achievement.select():
        if a.kind == "standard" and rng.random() < 0.3:
            Achievement.update(rank=rng.randint(1, 6), level=rng.choice(LEVELS)).where(Achievement.id == a.id).execute()
    Achievement.update(date="2015-01-05").where(Achievement.id == moved[0].id).execute()
    _load(_records(rng, 12, start=100))
    before = _lines(rnd)
    events_before = AwardEvent.select().count()
    last_event = max(e.id for e in AwardEvent.select())

    tallied = []
    real_summary = rounds._round_summary
    monkeypatch.setattr(rounds, "_round_summary", lambda r, lines=None: tallied.append(lines is not None)
                        or real_summary(r, lines))
    round_work.recompute(rnd, "clerk1")
    monkeypatch.setattr(rounds, "_round_summary", real_summary)
    assert tallied == [True]  # from the lines as the recompute met them, not the round read back

    achs, ids = rounds._year_rows(2014)
    policy = round_work.load_policy("quanzhou-2012")
    expected = compute(policy, achs, prior=round_work.prior_awards(rnd), pool_spent=round_work.pool_committed(policy, 2014))
    now = _lines(rnd)
    assert moved[0].source_id not in now and set(now) == {a.id for a in achs}
    # the round's entry, made from the lines as the recompute left them, says what reading them says
    said = AuditEntry.select().where(AuditEntry.entity == "award_round", AuditEntry.action == "recompute").get().after
    assert said == rounds._round_summary(rnd) and said["awards"] == len(now)
    assert set_by_officer and said["total"] != "0.00"
    for a, r in zip(achs, expected):
        status, amount, rule, clause, fund, explanation, flags, decision = now[a.id]
        kept = a.id in set_by_officer and before[a.id][0] == r.status == "discretionary" and before[a.id][2] == r.rule
        assert (status, rule, clause, fund, explanation, flags) == (r.status, r.rule, r.clause, r.fund, r.explanation,
                                                                    list(r.flags)), a.id
        assert amount == (set_by_officer[a.id] if kept else r.amount), a.id
        assert decision == "proposed"
    # one event per line that changed or is new, saying so, with the amounts before and after
    changed = {sid for sid in now if sid in before and now[sid] != before[sid]}
    added = set(now) - set(before)
    assert changed and added
    new_events = list(AwardEvent.select().where(AwardEvent.id > last_event).order_by(AwardEvent.id))
    by_award = {e.award.achievement.source_id: e for e in new_events}
    assert set(by_award) == changed | added and len(new_events) == len(changed) + len(added)
    for sid in changed:
        e = by_award[sid]
        assert (e.before, e.after, e.amount_before, e.amount_after) == (before[sid][0], now[sid][0], before[sid][1],
                                                                        now[sid][1]) and e.note
    for sid in added:
        assert by_award[sid].before is None and by_award[sid].after == now[sid][0]
    # a handful of lines: the log names each changed and new line with its before and after
    uuids = {aw.achievement.source_id: aw.uuid for aw in Award.select().where(Award.round == rnd)}
    logged = {e.entity_uuid: e for e in AuditEntry.select().where(
        AuditEntry.entity == "award", AuditEntry.action.in_(("recompute", "create")))}
    assert set(logged) == {uuids[sid] for sid in changed | added}
    for sid in changed:
        assert logged[uuids[sid]].before["status"] == before[sid][0]
        assert logged[uuids[sid]].after["status"] == now[sid][0]
    for sid in added:
        assert logged[uuids[sid]].before is None and logged[uuids[sid]].after["status"] == now[sid][0]
    assert audit.verify_chain() is None
    # the round as written matches its last audit entry (the records this test changed behind the
    # program's back are reported, as they should be)
    assert [f.message for f in audit.verify_rows() if not f.message.startswith("achievement ")] == []
    round_work.recompute(rnd, "clerk1")  # nothing changed since: nothing written but the round's own entry
    assert _lines(rnd) == now and AwardEvent.select().count() == events_before - 1 + len(new_events)  # one went


def test_a_recompute_failing_half_way_leaves_the_round_as_it_was(db, monkeypatch):
    monkeypatch.setattr(rounds, "BATCH", 2)
    monkeypatch.setattr(rounds, "ITEMISED_UP_TO", 0)  # the batched log: it fails at its second entry
    rng = random.Random(7)
    _load(_records(rng, 20))
    rnd = round_work.create_round(2014, "quanzhou-2012", "clerk1")
    Achievement.update(rank=1, level="national").where(Achievement.kind == "standard").execute()
    _load(_records(rng, 5, start=100))
    before, n_events, n_audit = _lines(rnd), AwardEvent.select().count(), AuditEntry.select().count()
    calls = []
    real = rounds.audit.record_batch

    def fails_second_time(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(*a, **k)
    monkeypatch.setattr(rounds.audit, "record_batch", fails_second_time)
    with pytest.raises(OSError):
        round_work.recompute(rnd, "clerk1")
    assert _lines(rnd) == before
    assert (AwardEvent.select().count(), AuditEntry.select().count()) == (n_events, n_audit)
    assert audit.verify_chain() is None


def test_a_large_recompute_logs_a_batch_at_a_time_without_ids_on_screen(db, monkeypatch):
    from desktop.operations.audit import describe

    monkeypatch.setattr(rounds, "BATCH", 4)
    monkeypatch.setattr(rounds, "ITEMISED_UP_TO", 2)  # "large" from three lines
    rng = random.Random(11)
    _load(_records(rng, 30))
    rnd = round_work.create_round(2014, "quanzhou-2012", "clerk1")
    Achievement.update(rank=1, level="national").where(Achievement.kind == "standard").execute()
    _load(_records(rng, 9, start=100))
    before = _lines(rnd)
    round_work.recompute(rnd, "clerk1")
    now = _lines(rnd)
    changed = {sid for sid in now if sid in before and now[sid] != before[sid]}
    added = set(now) - set(before)
    assert len(changed) > 4 and len(added) > 4
    entries = list(AuditEntry.select().where(AuditEntry.entity == "award",
                                             AuditEntry.action.in_(("recompute", "create"))))
    counted = {"recompute": 0, "create": 0}
    for e in entries:
        assert e.entity_uuid is None and e.after["round"] == rnd.uuid and 0 < e.after["awards"] <= 4
        counted[e.action] += e.after["awards"]
        shown = describe(e.before, e.after)
        assert rnd.uuid not in shown and e.after["digest"] not in shown and str(e.after["awards"]) in shown, shown
    assert counted == {"recompute": len(changed), "create": len(added)}
    assert audit.verify_chain() is None
