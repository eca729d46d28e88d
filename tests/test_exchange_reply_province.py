"""The province replies to a city the way a city replies to its counties: the city imports its
counties' packages and sends its own up; the province sees the city's submission (the city's records
and the counties' it passed on), returns it with a comment on a county's record; the city imports
the reply and sees the province's decision and which record it named. A province cannot comment on
records another city sent, and the reply is the city's alone."""
from __future__ import annotations

import pytest
from test_consolidate_province import _register
from test_exchange import apply, export, load, make_uscc, new_office, sample

from desktop.exchange.package import PackageError


def _session(path):
    from desktop.operations.session import Session

    return Session.open(path, auto_backup=False, check=False)


def _chain(tmp_path):
    """county → city (莆田) → province, plus a second city (泉州) with a county of its own."""
    county = tmp_path / "county.db"
    county_card = new_office(county, "城厢区市场监督管理局", "350302")
    load(county, sample())
    city = tmp_path / "city.db"
    city_card = new_office(city, "莆田市市场监督管理局", "350300", role="city")
    other_county = tmp_path / "other-county.db"
    other_county_card = new_office(other_county, "丰泽区市场监督管理局", "350503")
    load(other_county, sample(uscc=make_uscc(7), name="泉州某某有限公司", region="350503", id="q1", ref="GB/T 41999-2024"))
    other_city = tmp_path / "other-city.db"
    other_city_card = new_office(other_city, "泉州市市场监督管理局", "350500", role="city")
    province = tmp_path / "province.db"
    province_card = new_office(province, "福建省市场监督管理局", "350000", role="city")

    _register(city, county_card)
    assert apply(city, export(county, tmp_path / "county.stdpkg", year=2024).path).plan.rejected == []
    _register(other_city, other_county_card)
    assert apply(other_city, export(other_county, tmp_path / "other-county.stdpkg", year=2024).path).plan.rejected == []
    _register(province, city_card, other_city_card)
    for path, name in ((city, "up.stdpkg"), (other_city, "other-up.stdpkg")):
        res = apply(province, export(path, tmp_path / name, year=2024).path)
        assert res.plan.rejected == [] and res.plan.conflicts == []
    _register(city, province_card)
    return county, city, other_city, province


def test_the_province_returns_a_citys_submission_and_the_city_sees_why(tmp_path):
    from desktop.operations import exchange
    from desktop.store.models import Achievement

    county, city, _other_city, province = _chain(tmp_path)
    with _session(province) as s:
        subs = {(r["name"], r["year"]): r["achievements"] for r in exchange.submissions(s)}
        assert subs == {("莆田市市场监督管理局", 2024): 2, ("泉州市市场监督管理局", 2024): 2}
        records = exchange.submission_records(s, "莆田市市场监督管理局", 2024)
        assert sorted(r["source_id"] for r in records) == ["p1", "s1"]
        done = exchange.reply(s, tmp_path / "reply.stdpkg", "莆田市市场监督管理局", year=2024, decision="returned",
                              comment="请核实后重新报送", remarks={"s1": "标准编号与公告不符"})
        assert done["remarks"] == 1 and done["office"] == "莆田市市场监督管理局"
        (sub,) = [r for r in exchange.submissions(s) if r["name"] == "莆田市市场监督管理局"]
        assert sub["decision"] == "returned"

    got = apply(city, tmp_path / "reply.stdpkg")
    assert got.applied["replies"] == 1
    with _session(city) as s:
        (reply,) = exchange.replies(s)
        assert (reply["from_name"], reply["year"], reply["decision"], reply["comment"]) == (
            "福建省市场监督管理局", 2024, "returned", "请核实后重新报送")
        assert [(m["source_id"], m["comment"], m["exists"]) for m in reply["remarks"]] == [
            ("s1", "标准编号与公告不符", True)]
        marks = exchange.returned_records(s)
        (mark,) = marks.values()
        s1 = Achievement.get(Achievement.source_id == "s1")
        assert list(marks) == [s1.get_id()] and mark["office"] == "福建省市场监督管理局"
        assert exchange.returned_mark(mark).startswith("[Returned by the province] 2024: 标准编号与公告不符")

    assert apply(city, tmp_path / "reply.stdpkg").applied["replies"] == 0  # replayed: nothing added
    with pytest.raises(PackageError):  # the county neither trusts the province nor is it addressed
        apply(county, tmp_path / "reply.stdpkg")


def test_the_province_cannot_comment_on_another_citys_records(tmp_path):
    from desktop.core.errors import ValidationFailed
    from desktop.exchange.reply import write_reply
    from desktop.operations import exchange
    from desktop.store.models import Achievement, KnownOffice

    _county, _city, _other_city, province = _chain(tmp_path)
    with _session(province) as s:
        with pytest.raises(ValidationFailed) as bad:  # q1 came through 泉州, not 莆田
            exchange.reply(s, tmp_path / "x.stdpkg", "莆田市市场监督管理局", year=2024, decision="returned",
                           remarks={"q1": "不对"})
        assert bad.value.problems[0].record == "q1" and bad.value.problems[0].field == "record"
        q1 = Achievement.get(Achievement.source_id == "q1").uuid
        putian = KnownOffice.get(KnownOffice.name == "莆田市市场监督管理局").uuid
        with pytest.raises(ValidationFailed):  # nor by its global id, below the operation
            write_reply(tmp_path / "x.stdpkg", putian, year=2024, decision="returned", remarks={q1: "不对"},
                        user="tester")
    assert not (tmp_path / "x.stdpkg").exists()


def test_the_city_passes_the_provinces_remarks_on_to_the_county_in_one_action(tmp_path):
    """The province returns a county's record with a remark; the city sees it beside that county's record
    and passes it on (with its own comment, if it has one) in its reply; the county reads both."""
    from conftest import run_main
    from test_exchange_reply import _trust_city

    from desktop.core.errors import StdAwardError
    from desktop.operations import exchange

    county, city, _other_city, province = _chain(tmp_path)
    with _session(province) as s:
        exchange.reply(s, tmp_path / "from-province.stdpkg", "莆田市市场监督管理局", year=2024, decision="returned",
                       comment="请核实后重新报送", remarks={"s1": "标准编号与公告不符"})
    assert apply(city, tmp_path / "from-province.stdpkg").applied["replies"] == 1
    _trust_city(county, city)

    with _session(city) as s:
        shown = {r["source_id"]: (r["upper"], r["upper_office"])
                 for r in exchange.submission_records(s, "城厢区市场监督管理局", 2024)}
        assert shown == {"s1": ("标准编号与公告不符", "福建省市场监督管理局"), "p1": ("", "")}
        with pytest.raises(StdAwardError, match="no remark of the province"):  # nothing returned for 2023
            exchange.reply(s, tmp_path / "none.stdpkg", "城厢区市场监督管理局", year=2023, decision="returned",
                           comment="x", pass_on=True)
    assert not (tmp_path / "none.stdpkg").exists()

    out = tmp_path / "to-county.stdpkg"
    r = run_main("reply", "城厢区市场监督管理局", "--year", "2024", "--return", "--remark", "s1=请附发布公告",
                 "--remark", "p1=缺少验收报告", "--pass-on", "--out", str(out), "--db", str(city))
    assert r.returncode == 0, r.stderr
    assert "2 records commented" in r.stdout and "remarks on 1 of them are passed on" in r.stdout

    assert apply(county, out).applied["replies"] == 1
    with _session(county) as s:
        (got,) = exchange.replies(s)
        said = {m["source_id"]: m["comment"] for m in got["remarks"]}
        assert said == {"s1": "请附发布公告；福建省市场监督管理局: 标准编号与公告不符", "p1": "缺少验收报告"}
        marks = {m["label"]: m for m in exchange.returned_records(s).values()}
        assert "标准编号与公告不符" in exchange.returned_mark(marks["s1"])
