"""The county's 公示 and the objections raised in it travel to the city, read-only: the city sees,
per county and round, the period and each objection with its outcome (in its window too); a later
package updates what it said; a malformed row is counted as refused and keeps nothing."""
from __future__ import annotations

import datetime as dt

import pytest
from test_exchange import add_round, apply, city, county, export, using

WHERE = "莆田市城厢区市场监督管理局标准化股"
WHO = "林明，0594-2000000"


def _session(path):
    from desktop.operations.session import Session

    return Session.open(path, auto_backup=False, check=False)


def _county_with_publicity(tmp_path):
    from desktop.operations import publicity as P

    path, card = county(tmp_path)
    rnd = add_round(path, 2024, [("s1", "50000.00", "r1", "省级"), ("p1", "20000.00", "r2", "省级")])
    with _session(path) as s:
        P.start(s, rnd, 5, WHERE, WHO, starts_on=dt.date(2025, 3, 3))
        obj = P.record_objection(s, rnd, "s1", "莆田某鞋业公司", "该企业不是第一起草单位", dt.date(2025, 3, 4))
        P.record_objection(s, rnd, "p1", "张三", "试点尚未验收", dt.date(2025, 3, 5))
        P.close_objection(s, obj.uuid[:8], False, "经核查，起草单位排序无误")
    return path, card, rnd


def test_the_city_sees_each_countys_publicity_and_objections(tmp_path):
    from desktop.operations import exchange
    from desktop.operations import publicity as P

    path, card, rnd = _county_with_publicity(tmp_path)
    city_db = city(tmp_path, card)
    first = export(path, tmp_path / "p1.stdpkg", year=2024)
    assert first.counts["publicity"] == 1
    res = apply(city_db, first.path)
    assert res.applied["publicity"] == 1 and res.applied["publicity_rejected"] == 0
    with _session(city_db) as s:
        (seen,) = exchange.county_publicity(s)
    assert (seen["office"], seen["year"], seen["starts_on"], seen["ends_on"], seen["days"], seen["status"]) == (
        "a县市场监督管理局", 2024, "2025-03-03", "2025-03-07", 5, "current")
    assert [(o["record"].split()[0], o["raised_by"], o["outcome"], o["reason"]) for o in seen["objections"]] == [
        ("s1", "莆田某鞋业公司", "not upheld", "经核查，起草单位排序无误"), ("p1", "张三", "open", "")]

    with _session(path) as s:  # the second objection is upheld at the county: the next package says so
        second = [o for o in P.state(s, rnd).objections if o.outcome == "open"][0]
        P.close_objection(s, second.uuid[:8], True, "试点确未验收")
    res = apply(city_db, export(path, tmp_path / "p2.stdpkg").path)
    assert res.applied["publicity"] == 1
    with _session(city_db) as s:
        outcomes = [[o["outcome"] for o in p["objections"]] for p in exchange.county_publicity(s)]
    assert ["not upheld", "upheld"] in outcomes
    again = apply(city_db, export(path, tmp_path / "p3.stdpkg").path)  # nothing new: nothing changes
    assert again.applied["publicity"] == 0


def test_a_malformed_publicity_row_is_refused_and_keeps_nothing(tmp_path):
    from desktop.exchange import hearings
    from desktop.exchange.package import read_package

    path, card, _rnd = _county_with_publicity(tmp_path)
    city_db = city(tmp_path, card)
    pkg = read_package(export(path, tmp_path / "p1.stdpkg").path)
    (row,) = pkg.rows("publicity")
    assert row[hearings.COLUMNS.index("origin")] is None  # the county's own
    with using(city_db):
        own = hearings.own_office_uuid()
    bad_rows = [
        dict(zip(hearings.COLUMNS, row), days="5"),
        dict(zip(hearings.COLUMNS, row), starts_on="2025-13-01"),
        dict(zip(hearings.COLUMNS, row), objections=[dict(row[8][0], outcome="maybe")]),
        dict(zip(hearings.COLUMNS, row), objections=[dict(row[8][0], text="x\u202e" * 3)]),  # text direction
        dict(zip(hearings.COLUMNS, row), origin="../../etc"),  # an origin that is no office id
        dict(zip(hearings.COLUMNS, row), origin=own),  # the city's own 公示 sent back as a county's
    ]
    with using(city_db):
        from desktop.store.models import Setting

        for bad in bad_rows:
            applied: dict[str, int] = {}
            hearings.keep(card["uuid"], [list(bad.values())], applied)
            assert applied == {"publicity_rejected": 1, "publicity": 0}
        assert Setting.get_or_none(Setting.key == f"exchange.publicity.{card['uuid']}") is None
        assert hearings.for_city() == []


def test_the_citys_window_lists_the_counties_publicity(tmp_path, qtbot):
    pytest.importorskip("pytestqt")
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.views.exchange import ExchangeView

    path, card, _rnd = _county_with_publicity(tmp_path)
    city_db = city(tmp_path, card)
    apply(city_db, export(path, tmp_path / "p1.stdpkg").path)
    make_app()
    ctx = AppContext()
    with using(city_db):
        ctx.db_path = city_db
        view = ExchangeView(ctx)
        qtbot.addWidget(view)
        view.show()
        assert view.publicity_btn.isVisible()
        dlg = view.county_publicity()
        county_item = dlg.tree.topLevelItem(0)
        period = county_item.child(0)
        assert county_item.text(0) == "a县市场监督管理局"
        assert period.text(0) == "2024: 2025-03-03 to 2025-03-07 (5 working days)" and period.text(1) == "current"
        assert period.text(3) == "2 objections, 1 still open"
        assert [(period.child(i).text(1), period.child(i).text(2)) for i in range(period.childCount())] == [
            ("not upheld", "莆田某鞋业公司"), ("open", "张三")]
        assert not dlg.empty.isVisibleTo(dlg)
        dlg.close()
    ctx.tasks.wait()


def _county_round(tmp_path, name: str, region: str, n: int, objection: str, upheld: bool | None):
    """A county with an approved round publicised for 5 working days and one objection (closed as
    ``upheld``, or open when None)."""
    from test_consolidate_province import _county

    from desktop.operations import publicity as P

    path, card = _county(tmp_path, name, region, n, "10000.00")
    with using(path):
        from desktop.store.models import AwardRound

        rnd = AwardRound.get().uuid
    with _session(path) as s:
        P.start(s, rnd, 5, WHERE, WHO, starts_on=dt.date(2025, 3, n))
        obj = P.record_objection(s, rnd, f"s{n}", f"{name}的举报人", objection, dt.date(2025, 3, n))
        if upheld is not None:
            P.close_objection(s, obj.uuid[:8], upheld, "已核查")
    return path, card


def test_a_city_passes_its_counties_publicity_to_the_province_per_county(tmp_path, qtbot):
    """Two cities of two counties each: the province sees each county's 公示 and objection, under the
    county's own name and the city that passed it on, and keeps none of it as its own."""
    from test_consolidate_province import _register
    from test_exchange import new_office

    from desktop.operations import exchange

    plan = {("莆田市市场监督管理局", "350300"): [("城厢区市场监督管理局", "350302", None),
                                                ("荔城区市场监督管理局", "350304", True)],
            ("泉州市市场监督管理局", "350500"): [("丰泽区市场监督管理局", "350503", False),
                                                ("晋江市市场监督管理局", "350582", None)]}
    province = tmp_path / "province.db"
    new_office(province, "福建省市场监督管理局", "350000", role="city")
    expected = []
    n = 0
    for (city_name, city_region), counties in plan.items():
        city_db = tmp_path / f"city-{city_region}.db"
        city_card = new_office(city_db, city_name, city_region, role="city")
        for name, region, upheld in counties:
            n += 1
            path, card = _county_round(tmp_path, name, region, n, f"异议{n}", upheld)
            _register(city_db, card)
            assert apply(city_db, export(path, tmp_path / f"{region}.stdpkg").path).applied["publicity"] == 1
            outcome = {None: "open", True: "upheld", False: "not upheld"}[upheld]
            expected.append((name, city_name, f"2025-03-0{n}", f"异议{n}", outcome))
        _register(province, city_card)
        up = export(city_db, tmp_path / f"{city_region}-up.stdpkg", year=2024)
        assert up.counts["publicity"] == 2  # the city has no 公示 of its own: its two counties'
        res = apply(province, up.path)
        assert res.applied["publicity"] == 2 and res.applied["publicity_rejected"] == 0
        again = apply(province, export(city_db, tmp_path / f"{city_region}-up2.stdpkg").path)
        assert again.applied["publicity"] == 0  # a later package saying the same changes nothing

    with _session(province) as s:
        seen = exchange.county_publicity(s)
    assert sorted((p["office"], p["via"], p["starts_on"], p["objections"][0]["text"], p["objections"][0]["outcome"])
                  for p in seen) == sorted(expected)
    with using(province):
        from desktop.store.models import Objection, Publicity

        assert Publicity.select().count() == 0 and Objection.select().count() == 0  # read-only: nothing of its own

    pytest.importorskip("pytestqt")
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.views.exchange import ExchangeView

    make_app()
    ctx = AppContext()
    with using(province):
        ctx.db_path = province
        view = ExchangeView(ctx)
        qtbot.addWidget(view)
        dlg = view.county_publicity()
        tops = sorted(dlg.tree.topLevelItem(i).text(0) for i in range(dlg.tree.topLevelItemCount()))
        assert tops == sorted(f"{name} (through {city})" for name, city, *_ in expected)
        dlg.close()
    ctx.tasks.wait()
