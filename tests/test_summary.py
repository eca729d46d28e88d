"""The summary table (汇总表): grouping per enterprise and rule, PDF pages with totals, xlsx numbers."""
from __future__ import annotations

import re
import subprocess
from decimal import Decimal as D

import pytest

from desktop.core.award import AwardResult
from desktop.notices.summary import render_summary, rows_from_results


def many(n_ent: int = 40):
    res = []
    names = {}
    for i in range(n_ent):
        e = f"9135030200000{i:04d}X"
        names[e] = f"莆田市第{i + 1}号标准化示范有限公司"
        res.append(AwardResult(f"a{i}", "awarded", D("100000.00"), "std-formulate", "五(二)2", "x", (), e, "main"))
        res.append(AwardResult(f"b{i}", "awarded", D("0.05"), "secretariat", "五(二)1", "x", (), e, "pool"))
        res.append(AwardResult(f"c{i}", "awarded", D("15000.00"), "std-formulate", "五(二)2", "x", (), e, "main"))
        res.append(AwardResult(f"d{i}", "not_eligible", None, None, None, "x", (), e, None))
    return res, names


def test_rows_group_by_enterprise_and_rule():
    res, names = many(2)
    rows = rows_from_results(res, names, {"std-formulate": "制定标准"})
    assert [(r.uscc[-5:], r.rule, r.count, r.total) for r in rows] == [
        ("0000X", "std-formulate", 2, D("115000.00")), ("0000X", "secretariat", 1, D("0.05")),
        ("0001X", "std-formulate", 2, D("115000.00")), ("0001X", "secretariat", 1, D("0.05"))]
    assert rows[0].item == "制定标准（五(二)2）"


def test_pdf_landscape_header_on_every_page_and_totals(tmp_path):
    res, names = many(40)
    out = render_summary(rows_from_results(res, names), tmp_path / "s.pdf", title="城厢区2026年度标准化奖补资金汇总表",
                         funds={"main": "标准化专项资金", "pool": "奖励资金池"})
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "841.89 x 595.276 pts (A4)" in info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 3
    texts = [subprocess.run(["pdftotext", "-layout", "-f", str(p), "-l", str(p), str(out), "-"],
                            capture_output=True, text=True).stdout for p in range(1, pages + 1)]
    assert all("统一社会信用代码" in t and "标准化专项资金" in t and "本页小计" in t for t in texts)
    assert "4,600,002.00" in texts[-1]  # 40 × (115,000.00 + 0.05)
    assert all("累计" in t for t in texts[:-1])


def test_xlsx_real_numbers_formats_frozen_header(tmp_path):
    from openpyxl import load_workbook

    res, names = many(3)
    out = render_summary(rows_from_results(res, names), tmp_path / "s.xlsx", title="汇总表", funds={"main": "专项"})
    ws = load_workbook(out).active
    assert ws.freeze_panes == "A4"
    head = [c.value for c in ws[3]]
    assert head[:5] == ["序号", "企业名称", "统一社会信用代码", "奖补事项（政策条款）", "项数"] and "专项" in head
    last = [c for c in ws[ws.max_row]]
    assert last[1].value == "合计" and last[-1].value == pytest.approx(345000.15)
    assert isinstance(ws.cell(4, 6).value, (int, float)) and ws.cell(4, 6).number_format == "#,##0.00"


def test_summary_refuses_other_formats_and_empty(tmp_path):
    from desktop.core.errors import StdAwardError

    res, names = many(1)
    with pytest.raises(StdAwardError, match=".pdf or .xlsx"):
        render_summary(rows_from_results(res, names), tmp_path / "s.csv", title="t")
    with pytest.raises(StdAwardError, match="nothing"):
        render_summary([], tmp_path / "s.pdf", title="t")
    assert not list(tmp_path.iterdir())
