"""The consolidation's kept figures (schema 7: sums per round, claim keys, enterprise pairs) brought
up to date by an import for what it wrote only, on SQLite and on a PostgreSQL server: after a
county's replacing package that changes a record's standard, a line's amount and adds a line, and
another county's package that moves its record to another enterprise, the report from the kept
figures equals the recount from the records (no finding that they differ), and what the import did
not write is left as it was kept (the same rows, not worked out again)."""
from __future__ import annotations

from decimal import Decimal

from conftest import GOOD_USCC, OTHER_USCC
from conftest_pg import pg_server  # noqa: F401 - fixture (office_db asks for it)
from test_consolidate_kept import _both, _city_of_counties, _import
from test_exchange import export, using


def _kept_rows(city, origin: str) -> tuple[list, list, list]:
    """(claim key rows, sum rows, pairs) kept of ``origin``'s records, with their row ids."""
    from desktop.store.models import AwardSum, ClaimKey, SentEnterprise

    with using(city):
        keys = sorted(ClaimKey.select(ClaimKey.id, ClaimKey.claim, ClaimKey.achievement_id)
                      .where(ClaimKey.origin == origin).tuples())
        sums = sorted(AwardSum.select(AwardSum.id, AwardSum.round_uuid, AwardSum.total)
                      .where(AwardSum.origin == origin).tuples())
        pairs = sorted(SentEnterprise.select(SentEnterprise.origin, SentEnterprise.enterprise_id).tuples())
    return keys, sums, pairs


def _no_kept_finding(report: dict) -> bool:
    from desktop.exchange.consolidate import KEPT

    return not any(f["kind"] == KEPT for f in report["findings"])


def test_an_import_keeps_the_figures_of_what_it_wrote_and_leaves_the_rest(tmp_path, office_db):
    from desktop.store import records
    from desktop.store.models import Achievement, Award, ClaimKey, StaleOrigin

    city, cards, a = _city_of_counties(tmp_path, office_db)
    a_uuid, b_uuid = cards[0]["uuid"], cards[1]["uuid"]
    kept, recount, summed = _both(city)
    assert kept == recount and _no_kept_finding(recount) and summed == 3
    b_before = _kept_rows(city, b_uuid)
    assert b_before[0] and b_before[1]  # 荔城's records claim standards and its rounds pay

    # 城厢: a record's standard corrected, a line's amount changed, a record and its line added
    with using(a):
        Achievement.update(ref="GB/T 70000-2024", updated_at="2026-12-01 10:00:00").where(
            Achievement.source_id == "s1").execute()
        Award.update(amount=Decimal("90000.00")).where(Award.amount == Decimal("100000.00")).execute()
        records.load({"enterprises": [], "achievements": [
            {"id": "s8", "enterprise": GOOD_USCC, "kind": "standard", "date": "2024-10-01", "ref": "GB/T 88888-2024",
             "level": "national", "action": "formulate", "rank": 1}]}, user="tester")
    from test_exchange import add_round

    add_round(a, 2024, [("s8", "12345.67", "formulate-national", "std-fund")])
    _import(city, export(a, tmp_path / "a2.stdpkg").path)

    kept, recount, summed = _both(city)
    assert kept == recount and _no_kept_finding(recount) and summed == 4
    assert Decimal(kept["by_county"]["城厢县市场监督管理局"]) == Decimal("90000.00") + Decimal("50000.00") + Decimal(
        "12345.67")
    with using(city):
        assert not StaleOrigin.select().exists()  # nothing left to work out at the next report
        s1 = Achievement.get(Achievement.source_id == "s1", Achievement.origin == a_uuid)
        assert [k.claim for k in ClaimKey.select().where(ClaimKey.achievement_id == s1.id)] == ["GB/T 70000-2024"]
    assert _kept_rows(city, b_uuid) == b_before  # 荔城's kept figures: the very rows, not worked out again

    # 城厢 corrects s1's standard once more: the keys and sums of its record s8 and s8's round stay the same rows
    a_before = _kept_rows(city, a_uuid)
    with using(a):
        Achievement.update(ref="GB/T 70001-2024", updated_at="2026-12-02 10:00:00").where(
            Achievement.source_id == "s1").execute()
    _import(city, export(a, tmp_path / "a3.stdpkg").path)
    kept, recount, summed = _both(city)
    assert kept == recount and _no_kept_finding(recount) and summed == 4
    a_keys, a_sums, _pairs = _kept_rows(city, a_uuid)
    untouched = [k for k in a_before[0] if k[2] != s1.id]
    assert untouched and set(untouched) <= set(a_keys)
    s8_round = [x for x in a_before[1] if x[2] == "12345.67"]
    assert s8_round and set(s8_round) <= set(a_sums)  # s1's round summed again (its record was written), not s8's
    assert sorted(k[1] for k in a_keys) == ["GB/T 70001-2024", "GB/T 88888-2024"]

    # 荔城 moves its record g2 from 城厢's enterprise to its own: the pair of 城厢's enterprise goes
    from desktop.store.models import Enterprise

    with using(city):
        good = Enterprise.get(Enterprise.uscc == GOOD_USCC).id
    assert (b_uuid, good) in _kept_rows(city, b_uuid)[2]
    b = tmp_path / "county-荔城.db"
    with using(b):
        own = Enterprise.get(Enterprise.uscc == OTHER_USCC)
        Achievement.update(enterprise=own, updated_at="2026-12-01 11:00:00").where(
            Achievement.source_id == "g2").execute()
    _import(city, export(b, tmp_path / "b2.stdpkg").path)
    kept, recount, summed = _both(city)
    assert kept == recount and _no_kept_finding(recount) and summed == 4
    assert (b_uuid, good) not in _kept_rows(city, b_uuid)[2]
    with using(city):
        assert not StaleOrigin.select().exists()


def test_a_round_sent_again_with_changed_lines_is_summed_again_and_the_others_kept(tmp_path, office_db):
    from desktop.store.models import AwardRound, AwardSum

    city, cards, a = _city_of_counties(tmp_path, office_db)
    b_uuid = cards[1]["uuid"]
    with using(city):
        b_rounds = {r.uuid for r in AwardRound.select() if r.year == 2023}
        kept_2023 = sorted(AwardSum.select(AwardSum.id, AwardSum.total)
                           .where(AwardSum.round_uuid.in_(b_rounds)).tuples())
    assert kept_2023
    b = tmp_path / "county-荔城.db"
    from desktop.store.models import Award

    with using(b):  # 荔城's 2024 line changed; its 2023 round not
        Award.update(amount=Decimal("65000.50")).where(Award.amount == Decimal("70000.00")).execute()
    _import(city, export(b, tmp_path / "b2.stdpkg").path)
    kept, recount, summed = _both(city)
    assert kept == recount and _no_kept_finding(recount) and summed == 3
    assert Decimal(kept["by_county"]["荔城县市场监督管理局"]) == Decimal("65000.50") + Decimal("20000.00")
    with using(city):
        assert sorted(AwardSum.select(AwardSum.id, AwardSum.total)
                      .where(AwardSum.round_uuid.in_(b_rounds)).tuples()) == kept_2023
    assert _kept_rows(city, b_uuid)[0]


def test_claim_keys_written_with_their_indexes_built_once_are_the_same(tmp_path, monkeypatch):
    """SQLite, a first package larger than the keys kept: claim_key's indexes dropped for the insert
    and built again (the threshold lowered to this small city): the same keys, the indexes back."""
    from desktop.store import award_sums
    from desktop.store.models import database

    monkeypatch.setattr(award_sums, "REBUILD_CLAIMS_AT", 1)
    city, _cards, _a = _city_of_counties(tmp_path, tmp_path / "city.db")
    kept, recount, _summed = _both(city)
    assert kept == recount and _no_kept_finding(recount)
    with using(city):
        names = {n for (n,) in database.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'claim_key'")}
        keys = database.execute_sql("SELECT COUNT(*) FROM claim_key").fetchone()[0]
    assert {"claim_key_origin", "claim_key_kind_claim_origin"} <= names and keys >= 2
