"""The city's upkeep after an import (the claim keys, the keys two counties share, the enterprises
each county sent), taken by the written rows' ids since 9910bf3, against a full recount
(``award_sums.refresh_all``, rolled back) after inserts, updates of held records and deletions."""
from __future__ import annotations

from conftest import GOOD_USCC
from conftest_pg import pg_server  # noqa: F401 - fixture (office_db asks for it)
from test_consolidate_kept import _city_of_counties, _import
from test_exchange import export, using


def _kept_and_recounted(city) -> tuple[tuple, tuple]:
    from desktop.store import award_sums
    from desktop.store.models import database

    def now() -> tuple:
        return tuple(sorted(database.execute_sql(sql).fetchall()) for sql in (
            "SELECT kind, claim, origin, year, achievement_id FROM claim_key",
            "SELECT kind, claim FROM shared_claim",
            "SELECT origin, enterprise_id FROM sent_enterprise"))

    with using(city):
        kept = now()
        with database.atomic() as tx:
            award_sums.refresh_all()
            recount = now()
            tx.rollback()
    return kept, recount


def _same(kept: tuple, recount: tuple) -> bool:
    """The claim keys and enterprise pairs exactly; every key two counties share noted (a key noted
    once stays noted when a county's record leaves it: the report finds one county on it, no finding,
    as before 9910bf3: the upkeep only adds to ``shared_claim``)."""
    return kept[0] == recount[0] and kept[2] == recount[2] and set(kept[1]) >= set(recount[1])


def test_shared_claims_and_enterprises_sent_equal_a_recount_after_updates_and_deletions(tmp_path, office_db):
    from desktop.operations import records as ops
    from desktop.operations.session import Session
    from desktop.store import records
    from desktop.store.models import Achievement

    city, cards, a = _city_of_counties(tmp_path, office_db)
    kept, recount = _kept_and_recounted(city)
    assert kept == recount and kept[1]  # 城厢 and 荔城 both claim s1's standard
    # 城厢: s1's standard changed (no longer shared with 荔城's s1), a new record s8 with another
    with using(a):
        Achievement.update(ref="GB/T 70000-2024", updated_at="2026-12-01 10:00:00").where(
            Achievement.source_id == "s1").execute()
        records.load({"enterprises": [], "achievements": [
            {"id": "s8", "enterprise": GOOD_USCC, "kind": "standard", "date": "2024-10-01", "ref": "GB/T 88888-2024",
             "level": "national", "action": "formulate", "rank": 1}]}, user="tester")
    _import(city, export(a, tmp_path / "a2.stdpkg").path)
    kept, recount = _kept_and_recounted(city)
    assert _same(kept, recount), (kept, recount)
    # then s8 deleted (a tombstone) and s1 back on the shared standard
    s = Session.open(a, auto_backup=False, check=False)
    try:
        ops.delete_achievements(s, [ops.find_achievement(s, "s8")])
    finally:
        s.close()
    with using(a):
        Achievement.update(ref="GB/T 12345-2024", updated_at="2026-12-02 10:00:00").where(
            Achievement.source_id == "s1").execute()
    _import(city, export(a, tmp_path / "a3.stdpkg").path)
    kept, recount = _kept_and_recounted(city)
    with using(city):
        assert not Achievement.select().where(Achievement.source_id == "s8").exists()
    assert ("standard", "GB/T 12345-2024") in recount[1]
    assert _same(kept, recount), (kept, recount)
