"""Workbooks that print like tables: numbers stay numbers, text stays text (no formula from a
name starting with = + - @), borders, widths and print set-up; in the city's consolidation workbook
and in the window's table export as in the 汇总表."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

HOSTILE = ['=HYPERLINK("http://x","点我")', "+1+2", "-3+4", "@SUM(A1:A2)"]


def test_as_number_reads_displayed_numbers_but_leaves_codes_as_text():
    from desktop.notices.sheet import as_number

    assert as_number("¥21,000.00") == D("21000.00") and as_number("1,234") == 1234 and as_number("17") == 17
    assert as_number("-5.5") == D("-5.5")
    for text in ("913503020000000012", "007", "2026-11-22", "GB/T 1-2026", "1,23", "", "=1+1", "12abc"):
        assert as_number(text) is None, text


def test_consolidation_workbook_keeps_text_text_and_prints(tmp_path):
    from openpyxl import load_workbook

    from desktop.exchange.xlsx import write_sheets

    rows = [[name, 2026, "std", "五(二)2", "main", 3, D("21000.50")] for name in HOSTILE]
    out = write_sheets(tmp_path / "c.xlsx", [("按规则", ["县区", "年度", "规则", "条款", "资金", "项数", "金额（元）"], rows)])
    ws = load_workbook(out).active
    assert [ws.cell(r, 1).value for r in range(2, 6)] == HOSTILE
    assert all(ws.cell(r, 1).data_type == "s" for r in range(2, 6))
    assert ws.cell(2, 7).value == pytest.approx(21000.5) and ws.cell(2, 7).number_format == "#,##0.00"
    assert ws.cell(2, 6).value == 3
    assert ws.cell(3, 1).border.top.style == "thin" and ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1


def test_table_export_writes_numbers_as_numbers_and_names_as_text(tmp_path):
    from openpyxl import load_workbook

    from desktop.ui.excel import write_rows

    rows = [[name, "913503020000000012", "¥21,000.00", "3", "2026-11-22"] for name in HOSTILE]
    out = write_rows(tmp_path / "t.xlsx", "企业", ["名称", "代码", "金额", "项数", "日期"], rows)
    ws = load_workbook(out).active
    assert [ws.cell(r, 1).value for r in range(2, 6)] == HOSTILE
    assert all(ws.cell(r, 1).data_type == "s" for r in range(2, 6))
    assert ws.cell(2, 2).value == "913503020000000012"
    assert ws.cell(2, 3).value == pytest.approx(21000) and ws.cell(2, 3).number_format == "#,##0.00"
    assert ws.cell(2, 4).value == 3 and ws.cell(2, 5).value == "2026-11-22"
