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
from desktop.core.vocabulary import ALL_FIELDS, ENTERPRISE_FIELDS

ENTERPRISE_SHEET = ("企业", "enterprises")
ACHIEVEMENT_SHEET = ("成果", "achievements")

LABELS_ZH = {
    "uscc": "统一社会信用代码", "name": "企业名称", "region": "行政区划代码", "address": "地址",
    "contact": "联系人", "phone": "联系电话", "uuid": "全局编号",
    "id": "成果编号", "enterprise": "企业统一社会信用代码", "kind": "类别", "date": "日期",
    "ref": "标准编号/项目编号", "title": "名称", "evidence": "证明材料", "level": "级别",
    "action": "制定/修订", "rank": "排名", "body": "机构类型", "prize": "奖项", "grade": "等级",
    "domain": "领域", "accepted": "是否验收合格", "enterprise_name": "企业名称", "note": "备注",
    "units": "起草单位",
}
_BY_LABEL = {v: k for k, v in LABELS_ZH.items() if k != "enterprise_name"}
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


def _rows(ws: Any, known: tuple[str, ...], sheet_label: str) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        return []
    header = [(_BY_LABEL.get(str(h).strip(), str(h).strip()) if h is not None else None) for h in rows[0]]
    bad = [h for h in header if h and h not in known]
    if bad:
        raise BadFile(_("sheet {sheet}: unknown column {col}").format(sheet=sheet_label, col=bad[0]))
    start = 1
    if len(rows) > 1 and all((c is None or str(c).strip() in _BY_LABEL or str(c).strip() in LABELS_ZH.values())
                             for c in rows[1]) and any(rows[1]):
        start = 2  # the label row of the template
    out = []
    for number, row in enumerate(rows[start:], start=start + 1):
        rec = {h: _cell(v) for h, v in zip(header, row) if h and _cell(v) is not None}
        if rec:
            rec["__row__"] = f"{sheet_label}!{number}"
            out.append(rec)
    return out


def read_workbook(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Read a workbook into the load format. Each record keeps ``__row__`` for error messages."""
    from openpyxl import load_workbook
    from zipfile import BadZipFile

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
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)
    return path


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
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)
    return path
