"""Schema 7's claim keys and the import's own upkeep, on SQLite and on a PostgreSQL server.

What each county's records claim is kept at import time (``claim_key``, ``shared_claim``): the
report's check of a standard or prize claimed in two counties reads those keys and must give what
the recount (every record's claim worked out again) gives, through a county's replacing package that
changes a standard's number, the city's own records and edits made at the city outside an import.
The import stands schema 7's triggers aside only inside its own transaction and only while it writes
its rows: after it (or after a failed one) any other write still takes the kept sums and keys out.
"""
from __future__ import annotations

import sqlite3

import pytest
from conftest_pg import pg_server  # noqa: F401 - fixture (office_db asks for it)
from peewee import fn
from test_consolidate_kept import _both, _city_of_counties, _county_packages, _import, _open_city
from test_exchange import export, using


def _claims(report: dict) -> dict[str, list[tuple[str, str]]]:
    """What the report says is claimed in two counties: the thing -> sorted (county, record id)."""
    from desktop.exchange.consolidate import CLAIM

    out = {}
    for f in report["findings"]:
        if f["kind"] == CLAIM:
            out[f["items"][0]["ref"]] = sorted((i["county"], i["id"]) for i in f["items"])
    return out


def _kept_keys(path) -> tuple[int, int]:
    from desktop.store.models import ClaimKey, SharedClaim

    with using(path):
        return ClaimKey.select().count(), SharedClaim.select().count()


def _write_outside_an_import(path, sql: str, params: list) -> None:
    """An edit at the city that is no import: on SQLite with any tool on the file, on the server
    through the program's own connection."""
    if str(path).endswith(".db"):
        con = sqlite3.connect(path)
        con.execute(sql, params)
        con.commit()
        con.close()
        return
    from desktop.store.models import database

    with using(path):
        with database.atomic():
            database.execute_sql(sql, params)


def test_claims_kept_at_import_give_the_recount_through_a_changed_standard_and_edits_at_the_city(tmp_path, office_db):
    from desktop.store import records

    city, cards, a = _city_of_counties(tmp_path, office_db)
    kept, recount, _summed = _both(city)
    assert kept == recount
    # both counties claim GB/T 12345-2024 (their record s1): kept as two keys, one shared
    assert _claims(kept) == {"GB/T 12345-2024": [("城厢县市场监督管理局", "s1"), ("荔城县市场监督管理局", "s1")]}
    keys, shared = _kept_keys(city)
    assert keys == 2 and shared == 1

    # 城厢 corrects its standard's number and sends a replacing package: the claim is gone
    from desktop.store.models import Achievement

    with using(a):
        Achievement.update(ref="GB/T 54321-2024", natural_key=fn.replace(Achievement.natural_key, "12345", "54321")
                           ).where(Achievement.source_id == "s1").execute()
    _import(city, export(a, tmp_path / "a2.stdpkg").path)
    kept, recount, _summed = _both(city)
    assert kept == recount and _claims(kept) == {}
    assert _kept_keys(city)[0] == 2  # one key per record, not one per import

    # the city's own record of 城厢's new number (no county behind it): a claim of two "counties"
    with using(city):
        records.load({"enterprises": [{"uscc": "91350300MA00000038", "name": "市属某某公司", "region": "350300"}],
                      "achievements": [{"id": "c1", "enterprise": "91350300MA00000038", "kind": "standard",
                                        "date": "2024-07-01", "ref": "GB/T 54321-2024", "level": "national",
                                        "action": "formulate", "rank": 1}]}, user="tester")
    kept, recount, _summed = _both(city)
    assert kept == recount
    [(thing, items)] = _claims(kept).items()
    assert thing == "GB/T 54321-2024" and [c for c, _i in items].count("城厢县市场监督管理局") == 1
    assert len({c for c, _i in items}) == 2  # same rank 1 twice: the city's own and 城厢's

    # at the city, outside any import, 荔城's record takes the same number: its county goes stale and
    # the report works its keys out until its next import
    _write_outside_an_import(city, "UPDATE achievement SET ref = ?, natural_key = replace(natural_key, ?, ?) "
                                   "WHERE source_id = 's1' AND origin = ?",
                             ["GB/T 54321-2024", "GB/T 12345-2024", "GB/T 54321-2024", cards[1]["uuid"]])
    with using(city):
        from desktop.store.models import StaleOrigin

        assert [s.origin for s in StaleOrigin.select()] == [cards[1]["uuid"]]
    kept, recount, _summed = _both(city)
    assert kept == recount
    [(_thing, items)] = _claims(kept).items()
    assert {c for c, _i in items} >= {"城厢县市场监督管理局", "荔城县市场监督管理局"} and len(items) == 3
    for year in (2024, 2023):
        by_year, recount_year, _summed = _both(city, year)
        assert by_year == recount_year


def test_claim_keys_taken_out_by_hand_are_named_by_the_recount(tmp_path, office_db):
    from desktop.exchange.consolidate import KEPT

    city, cards, _a = _city_of_counties(tmp_path, office_db)
    honest, _recount, _summed = _both(city)
    assert _claims(honest)
    if office_db.endswith(".db"):
        con = sqlite3.connect(city)
        con.execute("DELETE FROM claim_key WHERE origin = ?", [cards[1]["uuid"]])
        con.commit()
        con.close()
    else:
        from desktop.store.models import database

        with using(city):
            database.execute_sql("DELETE FROM claim_key WHERE origin = ?", [cards[1]["uuid"]])
    kept, recount, _summed = _both(city)
    assert _claims(kept) == {}  # what the damaged keys now say
    assert _claims(recount) == _claims(honest)  # the recount: the records themselves
    wrong = [f for f in recount["findings"] if f["kind"] == KEPT]
    assert [f["items"][0]["county"] for f in wrong] == ["荔城县市场监督管理局"]
    assert "claim_key" not in wrong[0]["message"] and cards[1]["uuid"] not in wrong[0]["message"]


def _deferred(path) -> bool:
    """Are schema 7's triggers standing aside in this connection now?"""
    from desktop.store.backend import is_postgres
    from desktop.store.models import database

    if is_postgres():
        return database.execute_sql("SELECT current_setting('stdaward.importing', true)").fetchone()[0] == "1"
    return database.execute_sql("SELECT count(*) FROM deferred_upkeep").fetchone()[0] > 0


def test_the_import_stands_the_triggers_aside_only_inside_its_own_write(tmp_path, office_db, monkeypatch):
    from desktop.core.faultpoints import FAULT_ENV
    from desktop.exchange import kept_sums
    from desktop.store.models import Achievement, Award, StaleOrigin, SummedRound

    pkgs, cards, a = _county_packages(tmp_path)
    city = _open_city(office_db, cards)
    seen: list[bool] = []
    real = kept_sums.after_write

    def after_write(mark):  # the import's write is done: the triggers are still aside at this point
        seen.append(_deferred(city))
        real(mark)
        seen.append(_deferred(city))

    monkeypatch.setattr(kept_sums, "after_write", after_write)
    _import(city, pkgs[0])
    assert seen == [True, False]
    with using(city):
        assert not _deferred(city) and StaleOrigin.select().count() == 0 and SummedRound.select().count() == 1

    # an import that fails inside its transaction leaves nothing behind: no row, no setting
    monkeypatch.setenv(FAULT_ENV, "import:in-transaction=EIO")
    with pytest.raises(OSError):
        _import(city, pkgs[1])
    monkeypatch.delenv(FAULT_ENV)
    with using(city):
        assert not _deferred(city) and SummedRound.select().count() == 1
        assert Achievement.select().where(Achievement.origin == cards[1]["uuid"]).count() == 0
    # and a write that is no import still takes the round out of the kept sums, and the county's keys
    with using(city):
        Award.update(explanation="市局复核").execute()
        Achievement.update(ref="GB/T 1-2024").where(Achievement.source_id == "s1").execute()
        assert SummedRound.select().count() == 0 and [s.origin for s in StaleOrigin.select()] == [cards[0]["uuid"]]
    kept, recount, _summed = _both(city)
    assert kept == recount
    _import(city, pkgs[1])
    kept, recount, summed = _both(city)
    assert kept == recount and summed == 2  # 荔城's two rounds; 城厢's, written here, summed from its lines


def test_a_county_whose_records_another_import_moves_is_worked_out_again(tmp_path, office_db):
    """荔城's package carries a record of an enterprise 城厢 registered: importing it makes 城厢's
    pairs and 荔城's keys stale and works them out again at the end of the import, set-based."""
    from desktop.store.models import SentEnterprise, StaleOrigin

    pkgs, cards, _a = _county_packages(tmp_path)
    city = _open_city(office_db, cards)
    _import(city, pkgs[0])
    with using(city):
        assert SentEnterprise.select().count() == 0
    _import(city, pkgs[1])
    with using(city):
        assert StaleOrigin.select().count() == 0
        pairs = sorted((p.origin, p.enterprise_id) for p in SentEnterprise.select())
    assert [o for o, _e in pairs] == [cards[1]["uuid"]]  # 荔城 sent an achievement of 城厢's enterprise
    kept, recount, _summed = _both(city)
    assert kept == recount
