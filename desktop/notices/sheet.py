"""Workbook cells and sheets that print like the office's tables (openpyxl): text that stays text,
numbers that stay numbers, borders, column widths that fit, and a page set-up (A4 landscape, fit to
the page's width, header rows repeated on every printed page).

Used by the 汇总表 (``summary``), the city's consolidation workbook and the window's table export.

A text cell starting with ``=``, ``+``, ``-`` or ``@`` is written as text, never as a formula a
spreadsheet would evaluate (an enterprise named "=HYPERLINK(…)" stays a name).
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

FORMULA_START = ("=", "+", "-", "@")
MONEY_FORMAT = "#,##0.00"
MAX_WIDTH = 60  # characters; longer text wraps within the column


def set_value(cell: Any, value: Any) -> Any:
    """Put ``value`` in ``cell``: a str is always text (a leading = + - @ included), a Decimal a
    number shown with two places."""
    if isinstance(value, Decimal):
        cell.value = value
        cell.number_format = MONEY_FORMAT
        return cell
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters a workbook cannot hold are dropped
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula
    return cell


_NUMBER = re.compile(r"^-?¥?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def as_number(text: str) -> Decimal | int | None:
    """A displayed number as a number (¥21,000.00, 1,234, 3.50, 17), else None. Codes that only
    look numeric stay text: a leading zero, or more than 12 digits (a credit code, an ID)."""
    t = text.strip()
    if not t or not _NUMBER.match(t):
        return None
    digits = t.replace("¥", "").replace(",", "").lstrip("-")
    if (len(digits) > 1 and digits[0] == "0" and not digits.startswith("0.")) or len(digits.split(".")[0]) > 12:
        return None
    try:
        value = Decimal(t.replace("¥", "").replace(",", ""))
    except InvalidOperation:
        return None
    return int(value) if "." not in t else value


def display_width(text: Any) -> int:
    """Width in Excel character units: a CJK (wide) character counts two."""
    from desktop.core.i18n import columns

    return columns("" if text is None else (f"{text:,.2f}" if isinstance(text, Decimal) else str(text)))


def finish(ws: Any, header_row: int, last_row: int, ncols: int, first_row: int | None = None,
           landscape: bool = True, title_rows: str | None = None) -> None:
    """Borders round every cell of the table (``first_row`` — the header by default — to
    ``last_row``), column widths that fit their contents (long text wrapped), and the print set-up:
    A4, landscape, fitted to one page wide, the header rows repeated on every page."""
    from openpyxl.styles import Alignment, Border, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    start = first_row or header_row
    widths = [0] * ncols
    for row in ws.iter_rows(min_row=start, max_row=last_row, max_col=ncols):
        for k, cell in enumerate(row):
            cell.border = border
            w = display_width(cell.value)
            widths[k] = max(widths[k], w)
            if w > MAX_WIDTH:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for k, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(k)].width = min(MAX_WIDTH, max(6, w + 2))
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows or f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True
