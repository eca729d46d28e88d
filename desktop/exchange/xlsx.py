"""Excel in and out: the import template, reading it (row-by-row problems), writing tables.

The template has two sheets, 企业 (enterprises) and 成果 (achievements). Row 1 holds the
vocabulary field names (what the program reads), row 2 their Chinese labels (for people); data
starts on row 3. Headers may also be the Chinese labels alone.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from desktop.core.errors import BadFile
from desktop.core.i18n import _
from desktop.core.labels import ZH
from desktop.core.vocabulary import ALL_FIELDS, ENTERPRISE_FIELDS
from desktop.store.atomic import write_atomic

ENTERPRISE_SHEET = ("企业", "enterprises")
ACHIEVEMENT_SHEET = ("成果", "achievements")

# Column labels: the achievement fields' Chinese names are the one source in desktop.core.labels
# (ZH["field"]); the enterprise columns are the template's own.
LABELS_ZH = {
    "uscc": "统一社会信用代码", "name": "企业名称", "region": "行政区划代码", "address": "地址",
    "contact": "联系人", "phone": "联系电话", **ZH["field"],
}
# Labels earlier templates carried, still read back.
_OLD_LABELS = {"制定/修订": "action", "机构类型": "body", "是否验收合格": "accepted"}
_BY_LABEL = {**{v: k for k, v in LABELS_ZH.items() if k != "enterprise_name"}, **_OLD_LABELS}
# Limits on a workbook to load (README "Limits"): checked on the archive before openpyxl reads it (it
# holds the shared strings in memory), and row by row while reading.
MAX_XLSX_FILE = 64 << 20  # the .xlsx file
MAX_XLSX_UNPACKED = 512 << 20  # all its parts, unpacked
MAX_XLSX_PART = 256 << 20  # one part (a sheet, the shared strings)
MAX_XLSX_RATIO = 200  # unpacked / packed size of a part larger than 1 MB
MAX_ROWS = 200_000  # data rows per sheet
MAX_CELL = 10_000  # characters in one cell

ACHIEVEMENT_COLUMNS = ("id", "enterprise", "kind", "date", "ref", "title", "level", "action", "rank",
                       "body", "prize", "grade", "domain", "accepted", "note")


def _sheet(wb: Any, names: tuple[str, ...]) -> Any:
    for n in names:
        if n in wb.sheetnames:
            return wb[n]
    return None


def _cell(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def check_archive(path: Path) -> None:
    """Refuse a workbook that would cost too much to open (too large, or packed like a "zip
    bomb") before openpyxl reads any of it."""
    import zipfile

    try:
        size = path.stat().st_size
        if size > MAX_XLSX_FILE:
            raise BadFile(_("{file} is {size} MB; workbooks of at most {limit} MB are loaded (split it)").format(
                file=path, size=size >> 20, limit=MAX_XLSX_FILE >> 20))
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise BadFile(_("{file} is not an Excel workbook (.xlsx): {reason}").format(file=path, reason=exc)) from None
    except FileNotFoundError:
        raise BadFile(_("cannot read {file}: no such file").format(file=path)) from None
    total = 0
    for info in infos:
        total += info.file_size
        tight = info.file_size > (1 << 20) and info.file_size > MAX_XLSX_RATIO * max(info.compress_size, 1)
        if info.file_size > MAX_XLSX_PART or total > MAX_XLSX_UNPACKED or tight:
            raise BadFile(_("{file}: its part {part} would unpack to {size} MB, more than a workbook to load may "
                            "hold; it is refused").format(file=path, part=info.filename, size=info.file_size >> 20))


def _rows(ws: Any, known: tuple[str, ...], sheet_label: str) -> list[dict[str, Any]]:
    it = ws.iter_rows(values_only=True)
    first = next(it, None)
    if first is None:
        return []
    header = [(_BY_LABEL.get(str(h).strip(), str(h).strip()) if h is not None else None) for h in first]
    bad = [h for h in header if h and h not in known]
    if bad:
        raise BadFile(_("sheet {sheet}: unknown column {col}").format(sheet=sheet_label, col=str(bad[0])[:40]))
    second = next(it, None)
    rest: Any = it
    start = 1
    if second is not None and all((c is None or str(c).strip() in _BY_LABEL or str(c).strip() in LABELS_ZH.values())
                                  for c in second) and any(second):
        start = 2  # the label row of the template
    elif second is not None:
        import itertools

        rest = itertools.chain([second], it)
    out = []
    for number, row in enumerate(rest, start=start + 1):
        if number - start > MAX_ROWS:
            raise BadFile(_("sheet {sheet} has more than {limit} rows; split it into several workbooks").format(
                sheet=sheet_label, limit=MAX_ROWS))
        for v in row:
            if isinstance(v, str) and len(v) > MAX_CELL:
                raise BadFile(_("sheet {sheet} row {row}: a cell holds {n} characters, more than {limit}").format(
                    sheet=sheet_label, row=number, n=len(v), limit=MAX_CELL))
        rec = {h: _cell(v) for h, v in zip(header, row) if h and _cell(v) is not None}
        if rec:
            rec["__row__"] = f"{sheet_label}!{number}"
            out.append(rec)
    return out


def read_workbook(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Read a workbook into the load format. Each record keeps ``__row__`` for error messages."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    check_archive(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise BadFile(_("cannot read {file}: no such file").format(file=path)) from None
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise BadFile(_("{file} is not an Excel workbook (.xlsx): {reason}").format(file=path, reason=exc)) from None
    ents_ws, achs_ws = _sheet(wb, ENTERPRISE_SHEET), _sheet(wb, ACHIEVEMENT_SHEET)
    if ents_ws is None and achs_ws is None:
        raise BadFile(_("{file} has neither a 企业 nor a 成果 sheet; start from the template").format(file=path))
    ents = _rows(ents_ws, ENTERPRISE_FIELDS, ents_ws.title) if ents_ws is not None else []
    achs = _rows(achs_ws, ALL_FIELDS, achs_ws.title) if achs_ws is not None else []
    for a in achs:
        for fld in ("evidence", "units"):
            if isinstance(a.get(fld), str):
                a[fld] = [x.strip() for x in a[fld].replace("；", ";").split(";") if x.strip()]
        if "id" not in a:
            a["id"] = a["__row__"]
    wb.close()
    return {"enterprises": ents, "achievements": achs}


def strip_rows(data: dict[str, list[dict[str, Any]]]) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str]]:
    """Remove the ``__row__`` markers, returning a map from record id/code to its row."""
    where: dict[str, str] = {}
    for key, idf in (("enterprises", "uscc"), ("achievements", "id")):
        for r in data.get(key, []):
            row = r.pop("__row__", None)
            if row and r.get(idf) is not None:
                where[str(r[idf])] = row
    return data, where


def write_template(path: Path) -> Path:
    """The import template: both sheets with field names, Chinese labels and one example row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = ENTERPRISE_SHEET[0]
    ecols = ("uscc", "name", "region", "address", "contact", "phone")
    ws.append(list(ecols))
    ws.append([LABELS_ZH[c] for c in ecols])
    ws.append(["91350302MA2Y0KXQ4Q", "示例：莆田市某某鞋业有限公司", "350302", "莆田市城厢区", "张三", "0594-0000000"])
    ws2 = wb.create_sheet(ACHIEVEMENT_SHEET[0])
    ws2.append(list(ACHIEVEMENT_COLUMNS))
    ws2.append([LABELS_ZH[c] for c in ACHIEVEMENT_COLUMNS])
    ws2.append(["A-001", "91350302MA2Y0KXQ4Q", "standard", "2025-06-01", "GB/T 12345-2025", "示例标准",
                "national", "formulate", 1, None, None, None, None, None, None])
    for sheet in (ws, ws2):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for cell in sheet[2]:
            cell.fill = PatternFill("solid", fgColor="FFF2CC")
        sheet.freeze_panes = "A3"
        for col in sheet.columns:
            sheet.column_dimensions[col[0].column_letter].width = 18
    return write_atomic(Path(path), wb.save, step="xlsx")


def write_sheets(path: Path, sheets: list[tuple[str, list[str], list[list[Any]]]]) -> Path:
    """A workbook of plain tables: (sheet title, header, rows). Decimals stay exact (written as
    numbers with two places, shown as money); text is always text (a value starting with = + - @
    never becomes a formula); borders, fitting widths and an A4 landscape print set-up with the
    header repeated; written to a temporary name, then renamed."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from desktop.notices import sheet

    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title[:31])
        for k, h in enumerate(header, start=1):
            sheet.set_value(ws.cell(1, k), h).font = Font(bold=True)
        for r, row in enumerate(rows, start=2):
            for k, value in enumerate(row, start=1):
                sheet.set_value(ws.cell(r, k), value)
        ws.freeze_panes = "A2"
        sheet.finish(ws, 1, len(rows) + 1, len(header))
    return write_atomic(Path(path), wb.save, step="xlsx")


def write_table(path: Path, title: str, header: list[str], rows: list[list[str]], progress: Any = None) -> Path:
    """An .xlsx with one sheet of display text (write-only mode): figures become numbers, any other
    text stays text (a leading = + - @ is never a formula); written to a temporary name, then renamed.
    ``progress`` (a ``core.progress.Progress``) is told and checked every 5,000 rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet((title or "Sheet")[:31])
    from openpyxl.cell import WriteOnlyCell

    bold = []
    for h in header:
        c = WriteOnlyCell(ws, value=h)
        c.font = Font(bold=True)
        bold.append(c)
    ws.append(bold)
    from desktop.notices.sheet import MONEY_FORMAT, as_number

    for i, r in enumerate(rows):
        out = []
        for text in r:  # numbers as numbers; text always text (a leading = + - @ is no formula)
            value = as_number(text)
            cell = WriteOnlyCell(ws, value=text if value is None else value)
            if value is None:
                cell.data_type = "s"
            elif "." in text:
                cell.number_format = MONEY_FORMAT
            out.append(cell)
        ws.append(out)
        if progress is not None and i % 5000 == 0:
            progress.update(i, len(rows))
            progress.check()
    return write_atomic(Path(path), wb.save, step="xlsx")
