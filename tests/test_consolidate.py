"""City consolidation: reports by county, year, rule and fund; checks across counties."""
from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal

import pytest
from conftest import GOOD_USCC, OTHER_USCC, run_cli
from test_exchange import add_round, apply, city, county, export, sample, using


@pytest.fixture
def two_counties(tmp_path):
    a, card_a = county(tmp_path, "城厢", "350302")
    add_round(a, 2024, [("s1", "100000.00", "formulate-national", "std-fund"), ("p1", "50000.00", "pilot", "std-fund")])
    b_data = sample(OTHER_USCC, name="莆田某某食品有限公司", region="350303")
    b_data["enterprises"].append({"uscc": GOOD_USCC, "name": "福建某某鞋业有限公司", "region": "350303"})
    b_data["achievements"].append({"id": "g1", "enterprise": GOOD_USCC, "kind": "leader", "date": "2024-08-01",
                                   "level": "provincial"})
    b, card_b = county(tmp_path, "荔城", "350304", data=b_data)
    add_round(b, 2024, [("s1", "70000.00", "formulate-national", "std-fund"), ("g1", "20000.00", "leader", "other-fund")])
    dst = city(tmp_path, card_a, card_b)
    for src, name in ((a, "a"), (b, "b")):
        res = apply(dst, export(src, tmp_path / f"{name}.stdpkg").path)
        assert res.plan.rejected == []
    # 荔城 sent an enterprise 城厢 had registered, with its own region: shown, never overwritten
    [conflict] = res.plan.conflicts
    assert conflict.table == "enterprises" and conflict.theirs == {"region_code": "350303"}
    assert "already registered by 城厢县市场监督管理局" in conflict.reason
    return dst, card_a, card_b


def _report(path, year=None):
    from desktop.exchange.consolidate import build_report

    with using(path):
        return build_report(year=year)


def test_report_by_county_year_rule_and_fund(two_counties):
    dst, card_a, card_b = two_counties
    report = _report(dst)
    rows = {(r.county, r.year, r.rule, r.fund): (r.count, r.total) for r in report.rows}
    assert rows == {
        ("城厢县市场监督管理局", 2024, "formulate-national", "std-fund"): (1, Decimal("100000.00")),
        ("城厢县市场监督管理局", 2024, "pilot", "std-fund"): (1, Decimal("50000.00")),
        ("荔城县市场监督管理局", 2024, "formulate-national", "std-fund"): (1, Decimal("70000.00")),
        ("荔城县市场监督管理局", 2024, "leader", "other-fund"): (1, Decimal("20000.00")),
    }
    assert report.by_county() == {"城厢县市场监督管理局": Decimal("150000.00"), "荔城县市场监督管理局": Decimal("90000.00")}
    assert report.total == Decimal("240000.00")
    assert _report(dst, year=2023).rows == []
    # what an officer reads names rules and funds in words or by clause, never by their ids
    from desktop.exchange.consolidate import text_lines

    shown = "\n".join(text_lines(report))
    assert not any(i in shown for i in ("formulate-national", "std-fund", "other-fund", "leader "))


def test_checks_no_single_county_can_make(two_counties):
    from desktop.exchange.consolidate import CLAIM, ENTERPRISE, TOTALS

    dst, card_a, card_b = two_counties
    findings = _report(dst).findings
    kinds = [f.kind for f in findings]
    assert TOTALS not in kinds  # the data held here agrees with what each county reported
    claim = next(f for f in findings if f.kind == CLAIM)
    assert claim.severity == "conflict" and "GB/T 12345-2024" in claim.message  # two rank-1 claims
    assert {i["enterprise"] for i in claim.items} == {GOOD_USCC, OTHER_USCC}
    ent = next(f for f in findings if f.kind == ENTERPRISE)
    assert GOOD_USCC in ent.message
    assert {i["origin"] for i in ent.items} == {card_a["uuid"], card_b["uuid"]}
    assert kinds.count(ENTERPRISE) == 1


def test_totals_that_differ_from_the_countys_own_summary_are_flagged(two_counties):
    from desktop.exchange.consolidate import TOTALS
    from desktop.store.models import Award

    dst, card_a, _card_b = two_counties
    with using(dst):
        Award.update(amount=Decimal("99999.00")).where(Award.amount == Decimal("100000.00")).execute()
    found = [f for f in _report(dst).findings if f.kind == TOTALS]
    assert len(found) == 1 and found[0].items[0]["origin"] == card_a["uuid"]
    assert found[0].items[0]["reported"] == "150000.00" and found[0].items[0]["held"] == "149999.00"


def test_report_as_xlsx_and_pdf(two_counties, tmp_path):
    from openpyxl import load_workbook

    from desktop.exchange.consolidate import write_pdf, write_xlsx

    dst, *_ = two_counties
    report = _report(dst)
    with using(dst):
        xlsx = write_xlsx(report, tmp_path / "report.xlsx")
        pdf = write_pdf(report, tmp_path / "report.pdf")
    wb = load_workbook(xlsx)
    assert len(wb.sheetnames) == 3
    detail = list(wb[wb.sheetnames[0]].iter_rows(values_only=True))
    assert len(detail) == 1 + len(report.rows)
    assert sum(Decimal(str(r[6])) for r in detail[1:]) == Decimal("240000.00")
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "荔城县市场监督管理局" in text and "GB/T 12345-2024" in text


def test_cli_consolidate_json(two_counties, tmp_path):
    dst, *_ = two_counties
    r = run_cli("consolidate", "--db", str(dst), "--json", "--year", "2024", "--xlsx", str(tmp_path / "r.xlsx"))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["total"] == "240000.00" and len(out["rows"]) == 4
    assert {f["kind"] for f in out["findings"]} == {"claimed-in-two-counties", "enterprise-in-two-counties"}
    assert (tmp_path / "r.xlsx").exists()


def test_claims_grouped_by_the_database_as_an_officer_reads_them(two_counties):
    """The claims check runs as a GROUP BY in the database: a prize named only by its title matches
    across counties whatever white space each county typed (full-width spaces too), but not across
    years; a standard claimed twice within one county is not a cross-county finding; the city's own
    records count as a county of their own; a record whose stored key is damaged is skipped, never
    an error that stops the report."""
    from desktop.exchange.consolidate import CLAIM, cross_claims
    from desktop.store.models import Achievement, Enterprise

    dst, card_a, card_b = two_counties
    with using(dst):
        ent_a = Enterprise.create(uscc="91350302MA0000001X", name="城厢某某公司", origin=card_a["uuid"])
        ent_b = Enterprise.create(uscc="91350304MA0000002X", name="荔城某某公司", origin=card_b["uuid"])
        ent_city = Enterprise.create(uscc="91350300MA0000003X", name="市属某某公司", origin=None)

        def add(ent, sid, kind, date, ref=None, title=None, prize=None, rank=None, key=None):
            nk = key if key is not None else json.dumps([ent.uscc, kind, ref, "formulate"], ensure_ascii=False)
            Achievement.create(source_id=sid, enterprise=ent, kind=kind, date=date, ref=ref, title=title, prize=prize,
                               grade="1" if prize else None, rank=rank, natural_key=nk, origin=ent.origin)

        add(ent_a, "t1", "prize", "2024-05-01", title="鞋类\u3000标准  甲", prize="china-innovation", rank=1)
        add(ent_b, "t2", "prize", "2024-09-01", title=" 鞋类 标准 甲", prize="china-innovation", rank=2)
        add(ent_b, "t3", "prize", "2023-09-01", title="鞋类 标准 甲", prize="china-innovation", rank=1)
        add(ent_a, "w1", "standard", "2024-03-01", ref="GB/T 999-2024")
        add(ent_a, "w2", "standard", "2024-04-01", ref="GB/T 999-2024")
        add(ent_city, "c1", "standard", "2024-03-01", ref="GB/T 777-2024", rank=1)
        add(ent_b, "c2", "standard", "2024-03-01", ref="GB/T 777-2024", rank=2)
        from desktop.store.models import database
        from desktop.store.target_counts import NUMBER_PROBE_INDEX

        # a key damaged by hand: SQLite refuses to store it while the targets' number index (on the key's
        # JSON) is there, so whoever damaged it dropped that index first
        database.execute_sql(f"DROP INDEX {NUMBER_PROBE_INDEX}")
        add(ent_b, "x1", "standard", "2024-03-01", ref="GB/T 777-2024", key="{damaged")
        findings = cross_claims(None, lambda origin: origin or "市局")
        by_2024 = cross_claims(2024, lambda origin: origin or "市局")
        by_2023 = cross_claims(2023, lambda origin: origin or "市局")
    assert all(f.kind == CLAIM for f in findings)
    messages = [f.message for f in findings]
    prize = next(f for f in findings if "鞋类 标准 甲" in f.message)
    assert prize.severity == "review"  # ranks 1 and 2: co-drafters, to be checked
    from desktop.core.labels import prize_label

    assert prize_label("china-innovation") in prize.message and "china-innovation" not in prize.message  # never an id
    assert sorted(i["id"] for i in prize.items) == ["t1", "t2"]  # 2023's prize is another prize
    assert not any("GB/T 999-2024" in m for m in messages)  # twice, but in one county
    own = next(f for f in findings if "GB/T 777-2024" in f.message)
    assert [i["id"] for i in own.items] == ["c1", "c2"] and {i["county"] for i in own.items} == {"市局", card_b["uuid"]}
    assert [f.message for f in by_2024] == messages  # every claim above is of 2024 but t3
    assert not any("鞋类" in f.message or "777" in f.message for f in by_2023)
