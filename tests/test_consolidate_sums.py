"""The consolidation report's sums and checks, worked out by the database, against the same figures
added up award by award in Python: on SQLite and on a PostgreSQL server, with the awkward lines a
city receives (no rule, no fund, rejected, discretionary, no amount yet, two rounds of one county),
what the counties reported (right, wrong, for a round not held, for a round with nothing paid) and
enterprises sent by two offices."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import GOOD_USCC, OTHER_USCC
from conftest_pg import pg_server  # noqa: F401 - fixture
from test_exchange import new_office, using

A, B, C = "00000000-0000-0000-0000-00000000000a", "00000000-0000-0000-0000-00000000000b", "00000000-0000-0000-0000-00000000000c"
THIRD_USCC = "91350302MA0000000X"


def _uscc(n: int) -> str:
    from stdnum.cn import uscc

    body = f"91350302MA{n:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def _fill(db: Path) -> dict[str, str]:
    """A city holding three counties' records and rounds, written straight into the tables; returns
    round name -> uuid."""
    from desktop.store.models import Achievement, Award, AwardRound, Enterprise, KnownOffice, Setting

    new_office(db, "莆田市市场监督管理局", "350300", role="city")
    with using(db):
        for uuid, name, region in ((A, "城厢县市场监督管理局", "350302"), (B, "荔城县市场监督管理局", "350304"),
                                   (C, "秀屿县市场监督管理局", "350305")):
            KnownOffice.create(uuid=uuid, name=name, region_code=region, public_key="-")
        ents = {}
        for n, origin in ((1, A), (2, A), (3, B), (4, C), (5, None)):
            ents[n] = Enterprise.create(uscc=_uscc(n), name=f"莆田市第{n}号鞋业有限公司", region_code="350302", origin=origin)
        ents[6] = Enterprise.create(uscc=GOOD_USCC, name="福建某某鞋业有限公司", origin=B)
        ents[7] = Enterprise.create(uscc=OTHER_USCC, name="莆田某某食品有限公司", origin=C)
        achs = []
        for i in range(40):
            e = ents[1 + i % 7]
            # every fifth achievement came from another county than its enterprise's (a county
            # sending records of an enterprise another registered), some the city's own
            origin = (A, B, C, None)[i % 4] if i % 5 == 0 else e.origin
            achs.append(Achievement.create(source_id=f"a{i}", enterprise=e, kind="standard", date=f"{2023 + i % 2}-03-01",
                                           ref=f"GB/T {1000 + i}-2024", level="national", action="formulate", rank=1,
                                           natural_key=json.dumps([e.uscc, "standard", f"GB/T {1000 + i}-2024", "formulate"]),
                                           origin=origin))
        rounds = {}
        for name, year in (("a24", 2024), ("a24b", 2024), ("b24", 2024), ("c23", 2023), ("b23", 2023), ("empty", 2024)):
            rounds[name] = AwardRound.create(year=year, policy_id="putian-chengxiang-2021", policy_hash="h" * 64,
                                             status="approved")
        lines = [  # (round, status, amount, rule, fund, decision)
            ("awarded", "100000.00", "formulate-main", "district", "approved"),
            ("awarded", "35000.50", "formulate-main", "district", "approved"),
            ("discretionary", "12345.67", "research", None, "approved"),
            ("discretionary", None, "research", "district", "proposed"),
            ("awarded", "70000.00", "", "district", "approved"),
            ("awarded", "50000.00", None, "", "rejected"),
            ("not_eligible", None, None, None, "approved"),
            ("awarded", "0.01", "prize-china", "unknown-fund", "paid"),
        ]
        names = ["a24", "a24b", "b24", "c23", "b23"]
        for i, ach in enumerate(achs):
            status, amount, rule, fund, decision = lines[i % len(lines)]
            Award.create(round=rounds[names[i % len(names)]], achievement=ach, status=status,
                         amount=Decimal(amount) if amount else None, rule=rule, clause=f"五(二){1 + i % 3}", fund=fund,
                         explanation="-", decision=decision)
        uuids = {name: r.uuid for name, r in rounds.items()}
        held = _by_round(uuids)
        summaries = {  # what each county reported: A right (twice), B one wrong total, C a round not held here
            A: {uuids[r]: _summary(uuids[r], y, *held[uuids[r]]) for r, y in (("a24", 2024), ("a24b", 2024))},
            B: {uuids["b24"]: _summary(uuids["b24"], 2024, held[uuids["b24"]][0], held[uuids["b24"]][1] + 1),
                uuids["b23"]: _summary(uuids["b23"], 2023, *held[uuids["b23"]]),
                uuids["empty"]: _summary(uuids["empty"], 2024, 0, Decimal("0.00"))},
            C: {uuids["c23"]: _summary(uuids["c23"], 2023, *held[uuids["c23"]]),
                "00000000-0000-0000-0000-0000000000ff": _summary("00000000-0000-0000-0000-0000000000ff", 2024, 1,
                                                                 Decimal("5.00"))},
        }
        for office, sums in summaries.items():
            Setting.create(key=f"exchange.summaries.{office}", value=sums)
        # what the imports kept: the hashes of the rows received (large at a city) and the
        # enterprises each county sent; B and C both sent THIRD_USCC, which nobody registered here
        for office, usccs in ((A, [_uscc(1), _uscc(2), GOOD_USCC]), (B, [_uscc(3), GOOD_USCC, THIRD_USCC]),
                              (C, [_uscc(4), OTHER_USCC, THIRD_USCC, 7])):
            Setting.create(key=f"exchange.base.{office}",
                           value={"achievements": " ".join(f"{i:036d}:{'0' * 64}" for i in range(300)), "claims": usccs})
    return uuids


def _summary(round_uuid: str, year: int, count: int, total: Decimal) -> dict:
    return {"round": round_uuid, "year": year, "policy_id": "putian-chengxiang-2021", "status": "approved",
            "count": count, "total": format(total, "f"), "by_fund": {}}


def _paying() -> list[tuple]:
    """Every award that pays, one by one: (round uuid, origin, year, rule, fund, clause, amount)."""
    from desktop.store.models import Achievement, Award, AwardRound

    q = (Award.select(AwardRound.uuid, Achievement.origin, AwardRound.year, Award.rule, Award.fund, Award.clause,
                      Award.amount)
         .join(AwardRound, on=(Award.round == AwardRound.id))
         .join(Achievement, on=(Award.achievement == Achievement.id))
         .where(Award.status.in_(["awarded", "discretionary"]) & (Award.decision != "rejected")
                & Award.amount.is_null(False)))
    return [(*r[:6], Decimal(r[6])) for r in q.tuples()]


def _by_round(uuids: dict[str, str]) -> dict[str, tuple[int, Decimal]]:
    out = {u: (0, Decimal("0.00")) for u in uuids.values()}
    for ruuid, *_rest, amount in _paying():
        count, total = out[ruuid]
        out[ruuid] = (count + 1, total + amount)
    return out


def _expected_rows(year: int | None) -> dict[tuple, tuple[int, Decimal, str]]:
    out: dict[tuple, tuple[int, Decimal, str]] = {}
    for _ruuid, origin, yr, rule, fund, clause, amount in _paying():
        if year is not None and yr != year:
            continue
        key = (origin, yr, rule or "-", fund or "-")
        count, total, first = out.get(key, (0, Decimal("0.00"), clause or ""))
        out[key] = (count + 1, total + amount, min(first, clause or ""))
    return out


def _check(db: Path, uuids: dict[str, str]) -> dict:
    from desktop.exchange.consolidate import ENTERPRISE, TOTALS, build_report, text_lines

    with using(db):
        got = {}
        for year in (None, 2024, 2023):
            report = build_report(year=year)
            expected = _expected_rows(year)
            rows = {(r.county_uuid, r.year, r.rule, r.fund): (r.count, r.total, r.clause) for r in report.rows}
            assert rows == expected
            assert report.total == sum((v[1] for v in expected.values()), Decimal("0.00"))
            assert all(isinstance(r.total, Decimal) for r in report.rows)
            shown = "\n".join(text_lines(report))
            assert "formulate-main" not in shown and "unknown-fund" not in shown and "district" not in shown
            totals = sorted((f.items[0]["origin"], f.items[0]["round"], f.items[0]["reported"], f.items[0]["held"],
                             f.items[0]["held_count"]) for f in report.findings if f.kind == TOTALS)
            held = _by_round(uuids)
            b24 = (B, uuids["b24"], format(held[uuids["b24"]][1] + 1, "f"), format(held[uuids["b24"]][1], "f"),
                   held[uuids["b24"]][0])
            missing = (C, "00000000-0000-0000-0000-0000000000ff", "5.00", "0.00", 0)
            # the round with nothing paid, reported as nothing, agrees; the wrong total and the round
            # not held here are flagged, each in its year
            assert totals == {None: sorted([b24, missing]), 2024: sorted([b24, missing]), 2023: []}[year]
            ents = {f.items[0]["enterprise"]: sorted((i["origin"] or "", i["how"]) for i in f.items)
                    for f in report.findings if f.kind == ENTERPRISE}
            got[year] = {"rows": sorted((str(k), v) for k, v in rows.items()), "totals": totals, "enterprises": ents,
                         "findings": [(f.kind, f.severity, f.message, f.items) for f in report.findings]}
    ents = got[None]["enterprises"]
    assert ents[THIRD_USCC] == [(B, "registered it"), (C, "registered it")]  # sent by two, registered by none
    assert ents[GOOD_USCC] == [(A, "registered it"), (B, "registered it")]
    # a county sending records of an enterprise another registered; the city's own enterprise with a
    # county's achievements; the city's own records of a county's enterprise are no second county
    assert ents[OTHER_USCC] == [(A, "sent achievements of it"), (C, "registered it")]
    assert ents[_uscc(3)] == [(B, "registered it"), (C, "sent achievements of it")]
    assert ents[_uscc(5)] == [("", "registered it"), (B, "sent achievements of it")]
    assert _uscc(1) not in ents and _uscc(2) not in ents
    return got


def test_report_sums_and_checks_match_the_awards_one_by_one_on_sqlite(tmp_path):
    db = tmp_path / "city.db"
    _check(db, _fill(db))


def test_the_server_gives_the_same_report_as_sqlite(tmp_path, pg_server):  # noqa: F811 - the fixture imported above
    from desktop.store.paths import resolve_db_path

    lite = tmp_path / "city.db"
    on_sqlite = _check(lite, _fill(lite))
    name = pg_server.create_database("sums")
    try:
        db = resolve_db_path(pg_server.url(name))
        on_server = _check(db, _fill(db))
    finally:
        pg_server.drop_database(name)
    for year in on_sqlite:  # the same counties, rows, totals and findings (round uuids are new each fill)
        assert on_server[year]["enterprises"] == on_sqlite[year]["enterprises"]
        assert [r[1] for r in on_server[year]["rows"]] == [r[1] for r in on_sqlite[year]["rows"]]
        assert [f[:2] for f in on_server[year]["findings"]] == [f[:2] for f in on_sqlite[year]["findings"]]


@pytest.mark.parametrize("value", [None, [1, 2], {"claims": "not a list"}, {"claims": None}])
@pytest.mark.parametrize("kept_apart", [False, True])
def test_a_damaged_import_record_names_no_enterprise_and_breaks_nothing(tmp_path, value, kept_apart):
    """The list of enterprises B sent, damaged in the file: inside its import record (as imports kept
    it before) or in the setting of its own (``importer.claims_key``) an import now keeps it in."""
    from desktop.exchange.consolidate import ENTERPRISE, build_report
    from desktop.exchange.importer import claims_key
    from desktop.store.models import Setting

    db = tmp_path / "city.db"
    _fill(db)
    with using(db):
        if kept_apart:
            Setting.create(key=claims_key(B), value=value.get("claims") if isinstance(value, dict) else value)
        else:
            Setting.update(value=value).where(Setting.key == f"exchange.base.{B}").execute()
        ents = {f.items[0]["enterprise"]: {i["origin"] for i in f.items}
                for f in build_report().findings if f.kind == ENTERPRISE}
    assert THIRD_USCC not in ents  # now sent by one county only, as far as the city can read
    assert ents[GOOD_USCC] == {A, B}  # B still registered it here


def test_an_officer_who_may_not_build_the_index_gets_the_same_report(tmp_path, pg_server):  # noqa: F811
    """On an office server the officers' accounts are not the tables' owner: the claim check then
    reads every key from its record (slower), and the report is the one the owner's index gives."""
    import psycopg

    from desktop.exchange.consolidate import CLAIM, CLAIM_INDEXES
    from desktop.store.paths import resolve_db_path

    name = pg_server.create_database("roles")
    try:
        owner = resolve_db_path(pg_server.url(name))
        uuids = _fill(owner)
        with psycopg.connect(host=str(pg_server.folder), port=5432, user=pg_server.superuser, dbname=name,
                             autocommit=True) as con:
            con.execute("CREATE ROLE city_officer LOGIN")
            con.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO city_officer")
            con.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO city_officer")
            for index in CLAIM_INDEXES.values():
                con.execute("DROP INDEX IF EXISTS " + index)

            def indexed() -> set[str]:
                return {r[0] for r in con.execute("SELECT indexname FROM pg_indexes WHERE indexname = ANY(%s)",
                                                  (list(CLAIM_INDEXES.values()),))}

            officer = resolve_db_path(pg_server.url(name).replace(f"{pg_server.superuser}@", "city_officer@"))
            as_officer = _check(officer, uuids)
            assert indexed() == set()
            as_owner = _check(owner, uuids)
            assert indexed() == set()  # the report reads the claim keys kept at import (schema 7): no index
            # the recount groups every record's claim again: the owner's builds the indexes back
            officer_recount = _recounted_claims(officer)
            assert indexed() == set()
            owner_recount = _recounted_claims(owner)
            assert indexed() == set(CLAIM_INDEXES.values())
    finally:
        pg_server.drop_database(name)
        with psycopg.connect(host=str(pg_server.folder), port=5432, user=pg_server.superuser, dbname="postgres",
                             autocommit=True) as con:
            con.execute("DROP ROLE IF EXISTS city_officer")
    assert as_officer == as_owner
    assert officer_recount == owner_recount == [f for f in as_owner[None]["findings"] if f[0] == CLAIM]


def _recounted_claims(db: Path) -> list:
    from desktop.exchange.consolidate import CLAIM, build_report

    with using(db):
        return [(f.kind, f.severity, f.message, f.items) for f in build_report(recount=True).findings if f.kind == CLAIM]
