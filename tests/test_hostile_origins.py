"""A city's package names, in its signed manifest, the counties whose records it passes on; the
province groups its report by those names. A city is its own signer, so it can sign anything: it
must not be able to claim a county whose records its package does not carry, a county of another
city's region, a county another city already passes on, or another registered office (which would
move that city's own records under the claimant on the province's report), nor rename them."""
from __future__ import annotations

from test_exchange import new_office, using

A_CITY = "a1111111-2222-4333-8444-555555555555"
B_CITY = "b1111111-2222-4333-8444-555555555555"
B_COUNTY = "c1111111-2222-4333-8444-555555555555"
A_COUNTY = "d1111111-2222-4333-8444-555555555555"


def test_a_city_cannot_claim_or_rename_another_citys_county_or_another_registered_office(tmp_path):
    from desktop.exchange import origins
    from desktop.store.models import KnownOffice

    province = tmp_path / "province.db"
    new_office(province, "福建省市场监督管理局", "350000", role="city")
    with using(province):
        KnownOffice.create(uuid=A_CITY, name="莆田市市场监督管理局", region_code="350300", public_key="-")
        KnownOffice.create(uuid=B_CITY, name="泉州市市场监督管理局", region_code="350500", public_key="-")
        applied: dict[str, int] = {}
        origins.keep(B_CITY, [{"uuid": B_COUNTY, "name": "丰泽区市场监督管理局", "region": "350503"}], applied,
                     carried={B_COUNTY})
        assert applied == {}
        forged = [{"uuid": A_COUNTY, "name": "城厢区市场监督管理局", "region": "350302"},  # its own: kept
                  {"uuid": B_COUNTY, "name": "某某区市场监督管理局", "region": "350303"},  # B's county, region faked
                  {"uuid": B_CITY, "name": "泉州市市场监督管理局", "region": "350500"},  # another registered city
                  {"uuid": "e1111111-2222-4333-8444-555555555555", "name": "晋江市市场监督管理局",
                   "region": "350582"},  # of B's region, records not carried
                  {"uuid": "f1111111-2222-4333-8444-555555555555", "name": "涵江区市场监督管理局",
                   "region": "350303"}]  # named, but the package carries no record of it
        origins.keep(A_CITY, forged, applied, carried={A_COUNTY, B_COUNTY, B_CITY,
                                                       "e1111111-2222-4333-8444-555555555555"})
        assert applied == {"origins_rejected": 4}
        assert origins.senders() == {B_COUNTY: B_CITY, A_COUNTY: A_CITY}
        names = origins.known_names()
        assert names[B_COUNTY]["name"] == "丰泽区市场监督管理局" and names[B_CITY]["name"] == "泉州市市场监督管理局"
        assert names[A_COUNTY]["name"] == "城厢区市场监督管理局"
        # the county's own city, in a later package, may rename it (a county renamed by the State Council)
        origins.keep(B_CITY, [{"uuid": B_COUNTY, "name": "丰泽区市场监管局", "region": "350503"}], applied,
                     carried={B_COUNTY})
        assert origins.known_names()[B_COUNTY]["name"] == "丰泽区市场监管局"


def test_a_countys_publicity_row_with_an_objection_against_another_countys_record_is_refused(tmp_path):
    """County a's package carries its 公示 with an objection naming a record county b sent the city:
    the row is refused whole (counted), nothing of it kept; the same row naming a's own record is kept."""
    import datetime as dt

    from test_consolidate_province import _register
    from test_exchange import apply, city, county, export
    from test_exchange_publicity import _county_with_publicity

    from desktop.exchange import hearings
    from desktop.exchange.package import read_package
    from desktop.store.models import Achievement, Setting

    path, card, _rnd = _county_with_publicity(tmp_path)
    city_db = city(tmp_path, card)
    other_path, other_card = county(tmp_path, tag="b", region="350303")
    _register(city_db, other_card)
    assert apply(city_db, export(other_path, tmp_path / "b.stdpkg").path).plan.rejected == []
    (row,) = read_package(export(path, tmp_path / "p1.stdpkg").path).rows("publicity")
    with using(city_db):
        theirs = Achievement.get(Achievement.origin == other_card["uuid"]).uuid
        forged = dict(zip(hearings.COLUMNS, row))
        forged["objections"] = [dict(forged["objections"][0], achievement=theirs, raised_on=str(dt.date(2025, 3, 4)))]
        applied: dict[str, int] = {}
        hearings.keep(card["uuid"], [list(forged.values())], applied)
        assert applied == {"publicity_rejected": 1, "publicity": 0}
        assert Setting.get_or_none(Setting.key == f"exchange.publicity.{card['uuid']}") is None
        hearings.keep(card["uuid"], [row], applied)
        assert applied == {"publicity_rejected": 0, "publicity": 1}
