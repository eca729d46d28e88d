"""The consolidation's sums kept at import time (schema 7) against the award lines themselves, on
SQLite and on a PostgreSQL server: after the counties' first packages, a county's replacing package,
lines changed or deleted at the city outside any import, and a summary changed by hand. The report
from the kept sums must equal the recount from the lines, or the recount must say they differ."""
from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import GOOD_USCC, OTHER_USCC, run_cli
from conftest_pg import pg_server  # noqa: F401 - fixture (office_db asks for it)
from test_exchange import add_round, county, export, new_office, sample, using


def _county_packages(tmp: Path) -> tuple[list[Path], list[dict], Path]:
    """Two counties' first packages, and the first county's file (to send a replacing package)."""
    a, card_a = county(tmp, "城厢", "350302")
    add_round(a, 2024, [("s1", "100000.00", "formulate-national", "std-fund"), ("p1", "50000.00", "pilot", "std-fund")])
    b_data = sample(OTHER_USCC, name="莆田某某食品有限公司", region="350303")
    b_data["achievements"].append({"id": "g1", "enterprise": OTHER_USCC, "kind": "leader", "date": "2023-08-01",
                                   "level": "provincial"})
    # 荔城 also sends an achievement of an enterprise 城厢 registered
    b_data["enterprises"].append({"uscc": GOOD_USCC, "name": "福建某某鞋业有限公司", "region": "350303"})
    b_data["achievements"].append({"id": "g2", "enterprise": GOOD_USCC, "kind": "leader", "date": "2024-08-01",
                                   "level": "provincial"})
    b, card_b = county(tmp, "荔城", "350304", data=b_data)
    add_round(b, 2024, [("s1", "70000.00", "formulate-national", "std-fund")])
    add_round(b, 2023, [("g1", "20000.00", "leader", "other-fund")])
    return [export(a, tmp / "a1.stdpkg").path, export(b, tmp / "b1.stdpkg").path], [card_a, card_b], a


def _open_city(db: str | Path, cards: list[dict]) -> Path:
    from desktop.exchange import offices
    from desktop.exchange.package import fingerprint
    from desktop.store.paths import resolve_db_path

    path = resolve_db_path(str(db))
    new_office(path, "莆田市市场监督管理局", "350300", role="city")
    with using(path):
        for c in cards:
            offices.register(c, expected_fingerprint=fingerprint(c["public_key"]), user="tester")
    return path


def _import(path: Path, pkg: Path) -> None:
    from desktop.exchange.importer import TAKE_THEIRS, apply_import, plan_import

    with using(path):
        plan = plan_import(pkg)
        apply_import(pkg, user="tester", resolutions={c.key: TAKE_THEIRS for c in plan.conflicts})


def _city_of_counties(tmp: Path, db: str | Path) -> tuple[Path, list[dict], Path]:
    """A city at ``db`` that registered the two counties of ``_county_packages`` and imported both
    packages: (the city's database, the counties' cards, the first county's database)."""
    pkgs, cards, a = _county_packages(tmp)
    city = _open_city(db, cards)
    for pkg in pkgs:
        _import(city, pkg)
    return city, cards, a


def _both(path: Path, year: int | None = None) -> tuple[dict, dict, int]:
    """(the report from the kept sums, the recount from the lines, the rounds whose sums are kept),
    each without the moment it was made."""
    from desktop.exchange.consolidate import build_report
    from desktop.store.models import SummedRound

    with using(path):
        kept = build_report(year=year).as_dict()
        recount = build_report(year=year, recount=True).as_dict()
        summed = SummedRound.select().count()
    for d in (kept, recount):
        d.pop("generated")
    return kept, recount, summed


def _lines_total(path: Path) -> Decimal:
    """Every paying line at the city, added one by one in Python."""
    from desktop.store.models import Award

    with using(path):
        return sum((a.amount for a in Award.select() if a.status in ("awarded", "discretionary")
                    and a.decision != "rejected" and a.amount is not None), Decimal("0.00"))


def test_kept_sums_equal_the_recount_through_imports_a_replacing_package_and_edits(tmp_path, office_db):
    from desktop.exchange.consolidate import KEPT
    from desktop.store.models import Achievement, Award

    city, cards, a = _city_of_counties(tmp_path, office_db)
    for year in (2024, 2023, None):
        kept, recount, summed = _both(city, year)
        assert kept == recount
    assert summed == 3  # every round the counties sent is read from its kept sums
    assert Decimal(kept["total"]) == _lines_total(city) and not any(f["kind"] == KEPT for f in kept["findings"])

    # 城厢 changes a line's amount and adds a line, and sends a replacing package
    with using(a):
        Award.update(amount=Decimal("80000.00")).where(Award.amount == Decimal("100000.00")).execute()
    from desktop.store import records

    with using(a):
        records.load({"enterprises": [], "achievements": [
            {"id": "s9", "enterprise": GOOD_USCC, "kind": "standard", "date": "2024-09-01", "ref": "GB/T 99999-2024",
             "level": "national", "action": "formulate", "rank": 1, "title": "鞋类新标准"}]}, user="tester")
    add_round(a, 2024, [("s9", "30000.01", "formulate-national", "std-fund")])
    _import(city, export(a, tmp_path / "a2.stdpkg").path)
    kept, recount, summed = _both(city)
    assert kept == recount and summed == 4
    assert Decimal(kept["total"]) == _lines_total(city)
    assert Decimal(kept["by_county"]["城厢县市场监督管理局"]) == Decimal("160000.01")  # 80,000 + 50,000 + 30,000.01

    # at the city, outside any import: a county's line changed, another deleted
    with using(city):
        Award.update(amount=Decimal("1.00")).where(Award.amount == Decimal("50000.00")).execute()
        leader = Achievement.get(Achievement.source_id == "g1")
        Award.delete().where(Award.achievement == leader).execute()
    kept, recount, summed = _both(city)
    assert kept == recount and summed == 2  # the two rounds written here are summed from their lines
    assert Decimal(kept["total"]) == _lines_total(city)
    assert "2023" not in str([r["year"] for r in kept["rows"]])

    # an achievement of 荔城 moved at the city under 城厢's name: the enterprise check follows it
    from desktop.exchange.consolidate import ENTERPRISE

    def sent_by(report: dict) -> dict:
        return {f["items"][0]["enterprise"]: sorted((i["county"], i["how"]) for i in f["items"])
                for f in report["findings"] if f["kind"] == ENTERPRISE}

    before = sent_by(kept)
    with using(city):
        Achievement.update(origin=cards[0]["uuid"]).where(Achievement.source_id == "g1").execute()
    kept, recount, _summed = _both(city)
    assert kept == recount
    assert sent_by(kept) != before and ("城厢县市场监督管理局", "sent achievements of it") in sent_by(kept)[OTHER_USCC]


def test_a_summary_changed_by_hand_is_caught_by_the_recount(tmp_path, office_db):
    from desktop.exchange.consolidate import KEPT, text_lines
    from desktop.store.models import AwardSum, database

    city, _cards, _a = _city_of_counties(tmp_path, office_db)
    honest, _recount, _summed = _both(city)
    if office_db.endswith(".db"):  # in the file, with any SQLite tool
        con = sqlite3.connect(city)
        con.execute("UPDATE award_sum SET total = '1.00' WHERE total = '70000.00'")
        con.commit()
        con.close()
    else:
        with using(city):
            database.execute_sql("UPDATE award_sum SET total = '1.00' WHERE total = '70000.00'")
    with using(city):
        assert AwardSum.select().where(AwardSum.total == "1.00").count() == 1
    kept, recount, _summed = _both(city)
    assert kept["total"] != honest["total"]  # what the kept sums now say
    assert recount["rows"] == honest["rows"] and recount["total"] == honest["total"]  # the recount: the lines
    [found] = [f for f in recount["findings"] if f["kind"] == KEPT]
    assert found["severity"] == "conflict" and found["items"][0]["county"] == "荔城县市场监督管理局"
    item = found["items"][0]  # the county's whole: its two rounds, one of them altered by 69,999.00
    assert Decimal(item["held"]) - Decimal(item["kept"]) == Decimal("69999.00")
    assert item["held"] == honest["by_county"]["荔城县市场监督管理局"]
    from desktop.exchange.consolidate import build_report

    with using(city):
        shown = "\n".join(text_lines(build_report(recount=True)))
    assert "荔城县市场监督管理局" in shown and "award_sum" not in shown and "round_uuid" not in shown
    # the enterprises another county sent, taken out of the kept pairs by hand: the recount says so
    from desktop.exchange.consolidate import ENTERPRISE

    with using(city):
        database.execute_sql("DELETE FROM sent_enterprise")
    kept, recount, _summed = _both(city)
    assert [f for f in recount["findings"] if f["kind"] == ENTERPRISE] == \
        [f for f in honest["findings"] if f["kind"] == ENTERPRISE]
    wrong = [f for f in recount["findings"] if f["kind"] == KEPT and "enterprises" in f["message"]]
    assert {f["items"][0]["county"] for f in wrong} == {"荔城县市场监督管理局"}  # the county that sent one
    if office_db.endswith(".db"):  # the auditor's command line says so too
        out = run_cli("--db", str(city), "consolidate", "--recount")
        assert out.returncode == 0 and "荔城县市场监督管理局" in out.stdout and out.stdout.count("\n") > 3


def _make_v6(path: Path) -> None:
    """Take schema 7's additions away from a SQLite city (a real schema-6 file)."""
    con = sqlite3.connect(path)
    con.executescript("DROP TABLE award_sum; DROP TABLE summed_round; DROP TABLE sent_enterprise; DROP TABLE stale_origin;"
                      "DROP TABLE claim_key; DROP TABLE shared_claim; DROP TABLE deferred_upkeep;"
                      "DROP TRIGGER award_sum_stale_insert; DROP TRIGGER award_sum_stale_update;"
                      "DROP TRIGGER award_sum_stale_delete; DROP TRIGGER award_sum_stale_round;"
                      "DROP TRIGGER award_sum_stale_origin; DROP TRIGGER sent_stale_insert; DROP TRIGGER sent_stale_update;"
                      "DROP TRIGGER sent_stale_delete; DROP TRIGGER sent_stale_enterprise;"
                      "PRAGMA user_version = 6;")
    con.close()


def test_a_schema_6_city_is_upgraded_with_its_sums_worked_out(tmp_path):
    from desktop.store.migrations import SCHEMA_VERSION

    city, _cards, _a = _city_of_counties(tmp_path, tmp_path / "city.db")
    before, _recount, _summed = _both(city)
    _make_v6(city)
    kept, recount, summed = _both(city)  # opening it upgrades it
    assert kept == recount == before and summed == 3
    con = sqlite3.connect(city)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 8
        # what each county's records claim, worked out by the upgrade; GB/T 12345-2024 in both counties
        assert con.execute("SELECT count(*) FROM claim_key").fetchone()[0] == 2
        assert con.execute("SELECT kind, claim FROM shared_claim").fetchall() == [("standard", "GB/T 12345-2024")]
    finally:
        con.close()


def test_a_failed_upgrade_leaves_the_schema_6_file_as_it_was(tmp_path, monkeypatch):
    from desktop.store import award_sums
    from desktop.store.db import open_db

    city, _cards, _a = _city_of_counties(tmp_path, tmp_path / "city.db")
    _make_v6(city)
    before = city.read_bytes()

    def broken() -> None:
        raise OSError("disk full")

    monkeypatch.setattr(award_sums, "refresh_all", broken)
    with pytest.raises(OSError):
        open_db(city, auto_backup=False)
    from desktop.store.db import close_db

    close_db()
    con = sqlite3.connect(city)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 6
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "award_sum" not in tables and "summed_round" not in tables and "claim_key" not in tables
    finally:
        con.close()
    assert len(before) > 0


def test_a_city_moved_to_the_server_and_back_keeps_its_sums_and_gives_the_same_report(tmp_path, pg_server):  # noqa: F811
    from desktop.store import transfer
    from desktop.store.db import close_db, open_db
    from desktop.store.models import SentEnterprise, StaleOrigin
    from desktop.store.paths import resolve_db_path

    city, cards, _a = _city_of_counties(tmp_path, tmp_path / "city.db")
    with using(city):  # one origin left stale by a write outside an import: carried as it is
        from desktop.store.models import Achievement

        Achievement.update(note="市局复核").where(Achievement.source_id == "g1").execute()
        Achievement.update(origin=cards[0]["uuid"]).where(Achievement.source_id == "g2").execute()
        stale = sorted(s.origin for s in StaleOrigin.select())
        pairs = SentEnterprise.select().count()
    assert stale and pairs
    original = _both(city)
    name = pg_server.create_database("moved")
    try:
        server = resolve_db_path(pg_server.url(name))
        open_db(city, auto_backup=False)
        try:
            transfer.copy(city, server)
        finally:
            close_db()
        on_server = _both(server)
        with using(server):
            assert sorted(s.origin for s in StaleOrigin.select()) == stale and SentEnterprise.select().count() == pairs
        open_db(server, auto_backup=False)
        try:
            transfer.copy(server, tmp_path / "back.db")
        finally:
            close_db()
        back = _both(tmp_path / "back.db")
    finally:
        pg_server.drop_database(name)
    assert original[0] == original[1]  # and each is its own recount
    # the offices behind one finding come in the order each engine reads them: compared as sets
    assert _same_order(on_server) == _same_order(original) == _same_order(back)


def _same_order(got: tuple[dict, dict, int]) -> list:
    import json

    out: list = [got[2]]
    for report in got[:2]:
        for f in report["findings"]:
            f["items"] = sorted(f["items"], key=lambda i: json.dumps(i, sort_keys=True))
        out.append(report)
    return out


def test_the_enterprises_each_county_sent_are_kept_apart_and_an_older_record_still_reads(tmp_path, office_db):
    """The list of enterprises a county sent is kept in a setting of its own, not inside the record of
    the hashes of every row received (20 MB per county at 10,000,000 achievements), so the report reads
    a few KB per county. A city whose imports kept the list inside that record (before) gives the same
    findings, and the county's next import moves its list out."""
    from desktop.exchange.consolidate import ENTERPRISE, build_report
    from desktop.exchange.importer import claims_key
    from desktop.store.models import Setting

    city, cards, a = _city_of_counties(tmp_path, office_db)

    def enterprise_findings() -> dict:
        with using(city):
            return {f.items[0]["enterprise"]: sorted((i["county"], i["how"]) for i in f.items)
                    for f in build_report().findings if f.kind == ENTERPRISE}

    def layout() -> list[tuple[bool, bool]]:  # per county: (list kept apart, list inside the record)
        with using(city):
            return [(Setting.get_or_none(Setting.key == claims_key(c["uuid"])) is not None,
                     "claims" in (Setting.get(Setting.key == f"exchange.base.{c['uuid']}").value or {}))
                    for c in cards]

    assert layout() == [(True, False), (True, False)]
    now = enterprise_findings()
    assert now[GOOD_USCC] == [("城厢县市场监督管理局", "registered it"), ("荔城县市场监督管理局", "registered it")]

    with using(city):  # as an import before this change left them
        for c in cards:
            kept = Setting.get(Setting.key == claims_key(c["uuid"]))
            base = Setting.get(Setting.key == f"exchange.base.{c['uuid']}")
            Setting.update(value={**base.value, "claims": kept.value}).where(Setting.key == base.key).execute()
            kept.delete_instance()
    assert layout() == [(False, True), (False, True)]
    assert enterprise_findings() == now

    _import(city, export(a, tmp_path / "a2.stdpkg").path)  # 城厢's next package
    assert layout() == [(True, False), (False, True)]
    assert enterprise_findings() == now
