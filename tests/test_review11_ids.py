"""Records' global ids in time order (version 7): where one is shown by its first characters, the
first characters are the time, so two records made in the same minute read alike."""
from __future__ import annotations

from types import SimpleNamespace


def test_evidence_removals_of_two_records_not_held_here_are_told_apart_in_the_import_plan(db):
    """A county removed a file from two of its records that the city does not hold (their packages
    not read yet): the plan lists each removal by the record's global id shortened, which for ids
    made by one load are the same 8 characters (the time), so the officer saw two lines alike."""
    from desktop.core.ids import ordered_uuids
    from desktop.exchange.tombstones import _drops

    first, second = ordered_uuids(2)
    rows = [{"uuid": u, "key": "a" * 64, "action": "detach", "into": "验收报告.pdf", "at": "2024-05-01T10:00",
             "by": "张三"} for u in (first, second)]
    plan = SimpleNamespace(package=SimpleNamespace(office_uuid="county"), _bases={"achievements": set()})
    todo, bad, done = _drops(plan, rows)
    assert todo == [] and bad == []
    assert len(done) == 2 and done[0] != done[1], done
