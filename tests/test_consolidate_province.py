"""A province consolidates cities the way a city consolidates counties: each city's package passes
its counties' records on with their origin kept and names those counties, so the province's report
groups by city, then county, and never shows an office's internal id."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from conftest import std
from test_exchange import add_round, apply, export, load, make_uscc, new_office, using


def _register(path: Path, *cards: dict) -> None:
    from desktop.exchange import offices
    from desktop.exchange.package import fingerprint

    with using(path):
        for c in cards:
            offices.register(c, expected_fingerprint=fingerprint(c["public_key"]), user="tester")


def _county(tmp: Path, name: str, region: str, n: int, amount: str) -> tuple[Path, dict]:
    path = tmp / f"{region}.db"
    card = new_office(path, name, region)
    uscc = make_uscc(n)
    load(path, {"enterprises": [{"uscc": uscc, "name": f"{name[:3]}某企业", "region": region}],
                "achievements": [std(id=f"s{n}", enterprise=uscc, ref=f"GB/T {41000 + n}-2024")]})
    add_round(path, 2024, [(f"s{n}", amount, "formulate-national", "std-fund")])
    return path, card


def test_a_province_reports_by_city_then_county_with_each_countys_origin(tmp_path):
    from desktop.exchange import offices
    from desktop.exchange.consolidate import build_report, text_lines, write_xlsx

    plan = {("莆田市市场监督管理局", "350300"): [("城厢区市场监督管理局", "350302", "100000.00"),
                                                ("荔城区市场监督管理局", "350304", "50000.00")],
            ("泉州市市场监督管理局", "350500"): [("丰泽区市场监督管理局", "350503", "30000.00"),
                                                ("晋江市市场监督管理局", "350582", "20000.00")]}
    province = tmp_path / "province.db"
    new_office(province, "福建省市场监督管理局", "350000", role="city")
    origin_of: dict[str, str] = {}
    n = 0
    for (city_name, city_region), counties in plan.items():
        city_db = tmp_path / f"city-{city_region}.db"
        city_card = new_office(city_db, city_name, city_region, role="city")
        for name, region, amount in counties:
            n += 1
            path, card = _county(tmp_path, name, region, n, amount)
            origin_of[name] = card["uuid"]
            _register(city_db, card)
            assert apply(city_db, export(path, tmp_path / f"{region}.stdpkg").path).plan.rejected == []
        _register(province, city_card)
        res = apply(province, export(city_db, tmp_path / f"{city_region}-up.stdpkg").path)
        assert res.plan.rejected == [] and res.plan.conflicts == []

    with using(province):
        report = build_report()
        assert offices.own_office().name == "福建省市场监督管理局"
    assert report.nested
    assert report.by_city() == {
        "泉州市市场监督管理局": {"丰泽区市场监督管理局": Decimal("30000.00"), "晋江市市场监督管理局": Decimal("20000.00")},
        "莆田市市场监督管理局": {"城厢区市场监督管理局": Decimal("100000.00"), "荔城区市场监督管理局": Decimal("50000.00")},
    }
    assert {r.county: r.county_uuid for r in report.rows} == origin_of  # each county's origin kept
    assert report.total == Decimal("200000.00")
    lines = text_lines(report)
    body = "\n".join(lines)
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}", body)  # no office id on paper
    i_city, i_county = lines.index("  莆田市市场监督管理局: ¥150,000.00"), lines.index("    城厢区市场监督管理局: ¥100,000.00")
    assert i_city < i_county < lines.index("    荔城区市场监督管理局: ¥50,000.00")
    from openpyxl import load_workbook

    book = load_workbook(write_xlsx(report, tmp_path / "province.xlsx"))
    rows = [[c.value for c in r] for r in book.worksheets[1].iter_rows(min_row=2)]
    assert rows[:3] == [["泉州市市场监督管理局", "丰泽区市场监督管理局", 30000], ["泉州市市场监督管理局", "晋江市市场监督管理局", 20000],
                        ["泉州市市场监督管理局", "Subtotal", 50000]]
    assert rows[-1] == ["Total", None, 200000]


def test_a_forged_list_of_county_names_is_ignored_whole(tmp_path):
    from desktop.exchange import origins
    from desktop.store.models import Setting

    province = tmp_path / "province.db"
    new_office(province, "福建省市场监督管理局", "350000", role="city")
    sender = "11111111-2222-3333-4444-555555555555"
    with using(province):
        for bad in ("not a list", [{"uuid": "x", "name": "某县", "region": "1"}],
                    [{"uuid": "21111111-2222-3333-4444-555555555555", "name": "某县\u202e", "region": "1"}]):
            applied: dict[str, int] = {}
            origins.keep(sender, bad, applied, carried={"21111111-2222-3333-4444-555555555555"})
            assert applied == {"origins_rejected": 1}
        assert Setting.select().where(Setting.key.startswith(origins.PREFIX)).count() == 0
