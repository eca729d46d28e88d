"""The city on a PostgreSQL server: county packages import and consolidate as on SQLite.

Needs the PostgreSQL server binaries (``tests/conftest_pg.py``); skipped, saying why, without them.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import GOOD_USCC, OTHER_USCC
from conftest_pg import pg_server  # noqa: F401 - fixture
from test_exchange import add_round, county, export, new_office, sample, table_dump, using


@pytest.fixture
def fresh_url(pg_server):  # noqa: F811 - the fixture imported above
    name = pg_server.create_database("city")
    yield pg_server.url(name)
    pg_server.drop_database(name)


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    """Two counties' packages: 荔城 also sends an enterprise 城厢 registered (with its own region) and
    claims the standard 城厢 claims; then 城厢's second package changes a record and adds one."""
    tmp = tmp_path_factory.mktemp("counties")
    a, card_a = county(tmp, "城厢", "350302")
    add_round(a, 2024, [("s1", "100000.00", "formulate-national", "std-fund"), ("p1", "50000.00", "pilot", "std-fund")])
    b_data = sample(OTHER_USCC, name="莆田某某食品有限公司", region="350303")
    b_data["enterprises"].append({"uscc": GOOD_USCC, "name": "福建某某鞋业有限公司", "region": "350303"})
    b_data["achievements"].append({"id": "g1", "enterprise": GOOD_USCC, "kind": "leader", "date": "2024-08-01",
                                   "level": "provincial"})
    # a prize named only by its title, the white space written differently (an ideographic space)
    b_data["achievements"].append({"id": "t1", "enterprise": OTHER_USCC, "kind": "prize", "date": "2024-05-01",
                                   "title": "鞋类\u3000标准  甲", "prize": "china-innovation", "grade": "1", "rank": 1})
    b, card_b = county(tmp, "荔城", "350304", data=b_data)
    add_round(b, 2024, [("s1", "70000.00", "formulate-national", "std-fund"), ("g1", "20000.00", "leader", "other-fund")])
    first = [export(a, tmp / "a1.stdpkg").path, export(b, tmp / "b1.stdpkg").path]
    from desktop.store import records
    from desktop.store.models import Achievement

    with using(a):
        Achievement.update(note="复核后验收", updated_at="2030-01-01 00:00:00").where(
            Achievement.source_id == "p1").execute()
        records.load({"enterprises": [], "achievements": [
            {"id": "s9", "enterprise": GOOD_USCC, "kind": "standard", "date": "2024-09-01", "ref": "GB/T 99999-2024",
             "level": "national", "action": "formulate", "rank": 1, "title": "鞋类新标准"},
            {"id": "t2", "enterprise": GOOD_USCC, "kind": "prize", "date": "2024-06-01", "title": " 鞋类 标准 甲",
             "prize": "china-innovation", "grade": "1", "rank": 1}]}, user="tester")
    return [*first, export(a, tmp / "a2.stdpkg").path], (card_a, card_b)


def _city(db: Path, pkgs: list[Path], cards: tuple[dict, ...]) -> dict:
    """Register the counties, import their packages in order (every conflict taken from the package
    the second time it is offered), and read back what the officer sees."""
    from desktop.exchange import offices
    from desktop.exchange.consolidate import build_report
    from desktop.exchange.importer import TAKE_THEIRS, apply_import, plan_import
    from desktop.exchange.package import fingerprint

    new_office(db, "莆田市市场监督管理局", "350300", role="city")
    out: dict = {"imports": []}
    with using(db):
        for c in cards:
            offices.register(c, expected_fingerprint=fingerprint(c["public_key"]), user="tester")
        for pkg in pkgs:
            plan = plan_import(pkg)
            res = apply_import(pkg, user="tester", resolutions={c.key: TAKE_THEIRS for c in plan.conflicts})
            out["imports"].append((plan.counts(), res.applied,
                                   sorted((c.table, c.reason, c.fields) for c in plan.conflicts)))
        again = plan_import(pkgs[-1])
        out["again"] = again.counts()
        report = build_report()
        out["rows"] = sorted((r.county, r.year, r.rule, r.fund, r.count, str(r.total)) for r in report.rows)
        out["findings"] = sorted((f.kind, f.severity, f.message, len(f.items)) for f in report.findings)
        out["total"] = str(report.total)
    out["tables"] = table_dump(db)
    return out


def test_a_city_on_the_server_imports_county_packages_and_consolidates_as_on_sqlite(tmp_path, fresh_url, packages):
    from desktop.store.paths import resolve_db_path

    pkgs, cards = packages
    on_sqlite = _city(tmp_path / "city.db", pkgs, cards)
    on_server = _city(resolve_db_path(fresh_url), pkgs, cards)
    assert on_server == on_sqlite
    # what both show: the first packages new, the second an update plus a new standard
    (first_a, applied_a, _none), (first_b, _applied_b, conflicts_b), (second_a, applied_a2, _) = on_sqlite["imports"]
    assert first_a["new"] == 6 and first_a["rejected"] == 0 and applied_a["inserted"] == 6
    assert [c[0] for c in conflicts_b] == ["enterprises"] and first_b["rejected"] == 0
    assert second_a["updated"] == 1 and second_a["new"] == 2 and applied_a2["inserted"] == 2
    assert on_sqlite["again"]["new"] == 0 and on_sqlite["again"]["updated"] == 0
    assert Decimal(on_sqlite["total"]) == Decimal("240000.00")
    from desktop.exchange.consolidate import CLAIM, ENTERPRISE

    assert {CLAIM, ENTERPRISE} <= {f[0] for f in on_sqlite["findings"]}, on_sqlite["findings"]
    claims = [f for f in on_sqlite["findings"] if f[0] == CLAIM]
    assert any("鞋类 标准 甲" in f[2] for f in claims), claims  # one prize, however its title is spaced
