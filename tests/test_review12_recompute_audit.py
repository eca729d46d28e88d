"""A recompute's audit entries, itemised (a handful of changed lines) and batched (many): each line's
before and after are what ``_snapshot`` reads of the award before and after the recompute, and a
batch's digest is the one of those pairs, so an auditor recomputing it from the round finds it; the
chain and the rows still verify."""
from __future__ import annotations

import random

import pytest

from desktop.operations import round_work
from desktop.store import audit, rounds
from desktop.store.models import Achievement, AuditEntry, Award
from tests.test_recompute_batches import _load, _records


def _snaps(rnd) -> dict[str, dict]:
    return {aw.uuid: rounds._snapshot(aw) for aw in Award.select().where(Award.round == rnd)}


@pytest.mark.parametrize("itemised", [True, False])
def test_a_recomputes_audit_holds_each_changed_lines_before_and_after_as_read_from_the_round(db, monkeypatch, itemised):
    monkeypatch.setattr(rounds, "BATCH", 4)
    monkeypatch.setattr(rounds, "ITEMISED_UP_TO", 1000 if itemised else 2)
    rng = random.Random(7)
    _load(_records(rng, 30))
    rnd = round_work.create_round(2014, "quanzhou-2012", "clerk1")
    before = _snaps(rnd)
    start = AuditEntry.select().order_by(AuditEntry.id.desc()).first().id
    Achievement.update(rank=1, level="national").where(Achievement.kind == "standard").execute()
    round_work.recompute(rnd, "clerk1")
    after = _snaps(rnd)
    changed = sorted(u for u in before if after[u] != before[u])
    assert len(changed) > 4
    entries = list(AuditEntry.select().where(AuditEntry.id > start, AuditEntry.entity == "award",
                                             AuditEntry.action == "recompute").order_by(AuditEntry.id))
    if itemised:
        assert {e.entity_uuid: (e.before, e.after) for e in entries} == {u: (before[u], after[u]) for u in changed}
    else:
        digests = [audit.fields_digest([[u, before[u], after[u]] for u in changed[s:s + 4]])
                   for s in range(0, len(changed), 4)]
        assert [e.after["digest"] for e in entries] == digests
        assert [e.after["awards"] for e in entries] == [len(changed[s:s + 4]) for s in range(0, len(changed), 4)]
    assert audit.verify_chain() is None
    assert [f.message for f in audit.verify_rows() if not f.message.startswith("achievement ")] == []
