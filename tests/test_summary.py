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
    last = [c for c in ws[ws.max_row - 2]]  # the grand total; the sign-off two rows under it
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


def test_pdf_page_break_repeats_name_and_number_with_continued_mark_and_sign_off(tmp_path):
    """An enterprise whose rows run onto the next page is named again there, with its 序号 and
    （续）; the last page carries 制表/审核/日期; a draft (unapproved round) says 草稿 on every page."""
    res, names = [], {}
    for i in range(12):
        e = f"9135030200000{i:04d}X"
        names[e] = f"莆田市第{i + 1}号标准化示范有限公司"
        for k in range(5):
            res.append(AwardResult(f"a{i}-{k}", "awarded", D("1000.00"), f"rule-{k}", f"五(二){k + 1}", "x", (), e, "main"))
    out = render_summary(rows_from_results(res, names), tmp_path / "s.pdf", title="汇总表", draft=True,
                         office="莆田市城厢区市场监督管理局")
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 2 and "汇总表（草稿）" in info and "莆田市城厢区市场监督管理局" in info
    texts = [subprocess.run(["pdftotext", "-layout", "-f", str(p), "-l", str(p), str(out), "-"],
                            capture_output=True, text=True).stdout for p in range(1, pages + 1)]
    continued = 0
    for t in texts[1:]:
        body = t.split("合计（元）", 1)[1]
        first, second = [ln for ln in body.splitlines() if ln.strip()][:2]
        # every page starts with an enterprise's number and name: its own first row, or repeated (续)
        assert re.match(r"\s*\d+\s+莆田市第\d+号标准化示范有限公司", first), first
        if "（续）" in first + second:
            continued += 1
    assert continued >= 1
    assert all("草稿" in t for t in texts)
    assert "制表：" in texts[-1] and "审核：" in texts[-1] and "日期：" in texts[-1]
    assert not any("制表：" in t for t in texts[:-1])
    final = render_summary(rows_from_results(res, names), tmp_path / "f.pdf", title="汇总表")
    assert "草稿" not in subprocess.run(["pdftotext", str(final), "-"], capture_output=True, text=True).stdout


def test_xlsx_prints_like_a_table_and_keeps_formulas_out(tmp_path):
    from openpyxl import load_workbook

    from desktop.notices.sheet import display_width

    res = [AwardResult("a", "awarded", D("21000.00"), "r", "五(二)2", "x", (), "91350302000000001X", "main"),
           AwardResult("b", "awarded", D("5.00"), "r", "五(二)2", "x", (), "91350302000000002X", "main")]
    names = {"91350302000000001X": '=HYPERLINK("http://x","点我")', "91350302000000002X": "@SUM(A1:A9)"}
    out = render_summary(rows_from_results(res, names, {"r": "国家标准制定 主要起草单位（排名前2位）"}), tmp_path / "s.xlsx",
                         title="莆田市城厢区2026年度标准化奖补资金汇总表", funds={"main": "标准化专项资金"}, draft=True)
    ws = load_workbook(out).active
    assert ws.cell(4, 2).value == '=HYPERLINK("http://x","点我")' and ws.cell(4, 2).data_type == "s"
    assert ws.cell(5, 2).value == "@SUM(A1:A9)" and ws.cell(5, 2).data_type == "s"
    assert "草稿" in ws.cell(1, 1).value and ws.oddHeader.center.text == "草稿"
    assert ws.cell(4, 6).value == 21000 and ws.cell(4, 6).number_format == "#,##0.00"
    # every label fits its column (wide characters count two), and every table cell has borders
    for row in ws.iter_rows(min_row=3, max_row=ws.max_row - 2):
        for c in row:
            width = ws.column_dimensions[c.column_letter].width
            assert display_width(c.value) <= width or c.alignment.wrap_text, (c.coordinate, c.value, width)
            assert c.border.left.style == "thin" and c.border.bottom.style == "thin"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$3"
