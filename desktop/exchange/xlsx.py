"""Excel in and out: the import template, reading it (row-by-row problems), writing tables.

The template has two sheets, 企业 (enterprises) and 成果 (achievements). Row 1 holds the Chinese
column labels, row 2 an example (its first cell starts with 示例：, and it is never imported), data starts on
row 3; the enumerated columns have drop-down lists of the Chinese words (from a hidden sheet 选项).
Headers may also be the vocabulary field names (older templates: names on row 1, labels on row 2),
and values the Chinese words officers read (国家, 制定, 「标准制修订」, 是) as well as the codes.
Problems name the sheet, row and column in Chinese (``工作表“成果”第4行（A-002）`` · ``H列“排名”``).
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from desktop.core.errors import BadFile, Problem
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

EXAMPLE_MARK = "示例："
CHOICES_SHEET = "选项"
# Chinese words read as codes, beyond ZH's own labels (the words officers write in a cell).
_MORE_WORDS: dict[str, dict[str, str]] = {
    "level": {"国家级": "national", "全国": "national", "省": "provincial", "省级": "provincial", "市": "municipal",
              "市级": "municipal", "国际标准": "international", "国家标准": "national", "行业标准": "industry",
              "地方标准": "local", "团体标准": "group", "企业标准": "enterprise"},
    "action": {"制订": "formulate", "修改": "revise"},
    "kind": {"标准": "standard", "秘书处": "secretariat", "奖项": "prize", "试点示范": "pilot", "领跑者": "leader",
             "企业标准领跑者": "leader", "科研项目": "research", "地理标志": "gi", "良好行为": "good_behavior",
             "采标": "adoption", "自我声明": "self_declared", "创新基地": "innovation_base"},
    "grade": {"一等": "1", "二等": "2", "三等": "3"},
    "accepted": {"是": "true", "否": "false", "合格": "true", "验收合格": "true", "不合格": "false"},
}
_WORD_FIELDS = ("kind", "level", "action", "body", "prize", "grade", "domain", "accepted")
_QUOTES = "「」『』“”\"'‘’《》 "


def _word_table() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for fld in _WORD_FIELDS:
        words = {v: k for k, v in ZH[fld].items()}
        if fld == "level":
            for group in ("tier", "committee_level", "level"):
                words.update({v: k for k, v in ZH[group].items()})
        words.update(_MORE_WORDS.get(fld, {}))
        table[fld] = {w.strip(_QUOTES): code for w, code in words.items()}
    return table


_WORDS = _word_table()


def code_of(field: str, value: Any) -> Any:
    """The vocabulary code for a Chinese word in an enumerated column (「国家」→ national, 是 → true);
    anything else (a code, or a word the program does not know, which validation then names) as it is."""
    if field not in _WORDS or not isinstance(value, str):
        return value
    word = unicodedata.normalize("NFKC", value).strip().strip(_QUOTES)
    found = _WORDS[field].get(word)
    if found is None and field == "level" and word.endswith("级"):
        found = _WORDS[field].get(word[:-1])
    if found is None:
        return value
    return found == "true" if field == "accepted" else found


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


OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # the Excel 97-2003 (.xls) container


def refuse_xls(path: Path) -> None:
    """A plain BadFile for an Excel 97-2003 workbook (by its name or its first bytes: a .xls renamed
    .xlsx too), saying how to make an .xlsx of it."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        head = b""
    if path.suffix.lower() == ".xls" or head == OLE2_MAGIC:
        raise BadFile(_("{file} is an old Excel 97-2003 workbook (.xls), which the program does not read. Open it "
                        "in Excel (or WPS) and save it as .xlsx (请在 Excel 中另存为 .xlsx: 文件 → 另存为 → "
                        "Excel 工作簿), then import the .xlsx").format(file=path))


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
    return list(_iter_rows(ws, known, sheet_label))


def _iter_rows(ws: Any, known: tuple[str, ...], sheet_label: str) -> Iterator[dict[str, Any]]:
    """A sheet's records one row at a time (a read-only sheet streams: no list of the whole sheet)."""
    from openpyxl.utils import get_column_letter

    it = ws.iter_rows(values_only=True)
    first = next(it, None)
    if first is None:
        return
    header = [(_BY_LABEL.get(_label(h), _label(h)) if h is not None and _label(h) else None) for h in first]
    bad = [(k, h) for k, h in enumerate(header) if h and h not in known]
    if bad:
        k, h = bad[0]
        raise BadFile(_("sheet {sheet}: unknown column {col}").format(
            sheet=sheet_label, col=f"{get_column_letter(k + 1)}“{str(first[k])[:40]}”"))
    columns = {h: get_column_letter(k + 1) for k, h in enumerate(header) if h}
    second = next(it, None)
    rest: Any = it
    start = 1
    if second is not None and all((c is None or str(c).strip() in _BY_LABEL or str(c).strip() in LABELS_ZH.values())
                                  for c in second) and any(second):
        start = 2  # the label row of the template
    elif second is not None:
        import itertools

        rest = itertools.chain([second], it)
    for number, row in enumerate(rest, start=start + 1):
        if number - start > MAX_ROWS:
            raise BadFile(_("sheet {sheet} has more than {limit} rows; split it into several workbooks").format(
                sheet=sheet_label, limit=MAX_ROWS))
        for v in row:
            if isinstance(v, str) and len(v) > MAX_CELL:
                raise BadFile(_("sheet {sheet} row {row}: a cell holds {n} characters, more than {limit}").format(
                    sheet=sheet_label, row=number, n=len(v), limit=MAX_CELL))
        if number == 2 and row and isinstance(row[0], str) and row[0].strip().startswith(EXAMPLE_MARK):
            continue  # the template's example row (its first cell says 示例：; a title may say 示例 freely)
        rec = {h: code_of(h, _cell(v)) for h, v in zip(header, row) if h and _cell(v) is not None}
        if rec:
            rec["__row__"] = f"{sheet_label}!{number}"
            rec["__columns__"] = columns
            yield rec


def _label(h: Any) -> str:
    """A header cell as a label: half-width, without spaces, a trailing * (required) or a note in brackets."""
    text = "".join(unicodedata.normalize("NFKC", str(h)).split()).rstrip("*")
    return text.split("(")[0] if text.endswith(")") else text


def read_workbook(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Read a workbook into the load format. Each record keeps ``__row__`` for error messages."""
    wb = _open(path)
    ents_ws, achs_ws = _sheet(wb, ENTERPRISE_SHEET), _sheet(wb, ACHIEVEMENT_SHEET)
    if ents_ws is None and achs_ws is None:
        raise BadFile(_("{file} has neither a 企业 nor a 成果 sheet; start from the template").format(file=path))
    ents = _rows(ents_ws, ENTERPRISE_FIELDS, ents_ws.title) if ents_ws is not None else []
    achs = [_achievement(a) for a in _iter_rows(achs_ws, ALL_FIELDS, achs_ws.title)] if achs_ws is not None else []
    wb.close()
    return {"enterprises": ents, "achievements": achs}


def _achievement(a: dict[str, Any]) -> dict[str, Any]:
    """A row of the 成果 sheet in the load format: lists split at semicolons, the row as its id when it has none."""
    for fld in ("evidence", "units"):
        if isinstance(a.get(fld), str):
            a[fld] = [x.strip() for x in a[fld].replace("；", ";").split(";") if x.strip()]
    if "id" not in a:
        a["id"] = a["__row__"]
    return a


def _open(path: Path) -> Any:
    """The workbook, read-only (its sheets stream), after the .xls and archive checks."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    refuse_xls(path)
    check_archive(path)
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise BadFile(_("cannot read {file}: no such file").format(file=path)) from None
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise BadFile(_("{file} is not an Excel workbook (.xlsx): {reason}").format(file=path, reason=exc)) from None


class WorkbookSource:
    """A workbook made from the template as a record source for ``store.records.load``: the 企业
    sheet as a list, the 成果 sheet a row at a time (read-only openpyxl parses the sheet as it goes),
    each record's place (``where``: id → ``成果!4``; ``columns``: id → column letters by field) kept
    for ``locate``. Close it when done."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.wb = _open(self.path)
        self.ents_ws, self.achs_ws = _sheet(self.wb, ENTERPRISE_SHEET), _sheet(self.wb, ACHIEVEMENT_SHEET)
        if self.ents_ws is None and self.achs_ws is None:
            self.wb.close()
            raise BadFile(_("{file} has neither a 企业 nor a 成果 sheet; start from the template").format(file=path))
        self.where: dict[str, str] = {}
        self.columns: dict[str, dict[str, str]] = {}
        self.total: int | None = None
        rows = getattr(self.achs_ws, "max_row", None) if self.achs_ws is not None else 0
        self._rows = rows if isinstance(rows, int) else 0  # the sheet's stated size, for progress only

    def close(self) -> None:
        self.wb.close()

    def progress(self, done: int) -> tuple[int, int]:
        return (min(done, self._rows), self._rows) if self._rows > done else (done, 0)

    def _place(self, rec: dict[str, Any], key: str) -> dict[str, Any]:
        row, cols = rec.pop("__row__", None), rec.pop("__columns__", None)
        if row and rec.get(key) is not None:
            self.where[str(rec[key])] = row
            if cols is not None:
                self.columns[str(rec[key])] = cols
        return rec

    def enterprises(self) -> list[Any]:
        if self.ents_ws is None:
            return []
        return [self._place(r, "uscc") for r in _iter_rows(self.ents_ws, ENTERPRISE_FIELDS, self.ents_ws.title)]

    def achievements(self) -> Iterator[Any]:
        if self.achs_ws is None:
            return
        for r in _iter_rows(self.achs_ws, ALL_FIELDS, self.achs_ws.title):
            yield self._place(_achievement(r), "id")


def strip_rows(data: dict[str, list[dict[str, Any]]],
               columns: dict[str, dict[str, str]] | None = None) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str]]:
    """Remove the ``__row__`` markers, returning a map from record id/code to its row (and filling
    ``columns``, when given, with each record's column letters by field)."""
    where: dict[str, str] = {}
    for key, idf in (("enterprises", "uscc"), ("achievements", "id")):
        for r in data.get(key, []):
            row = r.pop("__row__", None)
            cols = r.pop("__columns__", None)
            if row and r.get(idf) is not None:
                where[str(r[idf])] = row
                if columns is not None and cols is not None:
                    columns[str(r[idf])] = cols
    return data, where


def locate(problems: list[Problem], where: dict[str, str], columns: dict[str, dict[str, str]]) -> list[Problem]:
    """The problems of a workbook's records, named in Chinese by sheet, row and column:
    ``工作表“成果”第4行（A-002）`` · ``H列“排名”``. A record id the workbook gave (``成果!4``, a row
    without a 成果编号) is not repeated."""
    out = []
    for p in problems:
        place = where.get(p.record)
        if place is None:
            out.append(p)
            continue
        sheet, _sep, row = place.rpartition("!")
        record = f"工作表“{sheet}”第{row}行" + ("" if p.record == place else f"（{p.record}）")
        label = LABELS_ZH.get(p.field, p.field)
        letter = columns.get(p.record, {}).get(p.field)
        field = f"{letter}列“{label}”" if letter else f"“{label}”列（表中没有这一列）"
        out.append(Problem(record, field, p.message, p.severity))
    return out


# The template's drop-down lists: column -> the Chinese words offered (the reader takes codes too).
CHOICES: dict[str, list[str]] = {
    "kind": list(ZH["kind"].values()),
    "level": ["国际", "国家", "行业", "地方", "团体", "企业", "省级", "市级"],
    "action": list(ZH["action"].values()),
    "body": list(ZH["body"].values()),
    "prize": list(ZH["prize"].values()),
    "grade": ["1", "2", "3", "A", "AA", "AAA", "AAAA", "AAAAA"],
    "domain": list(ZH["domain"].values()),
    "accepted": ["是", "否"],
}
ENTERPRISE_COLUMNS = ("uscc", "name", "region", "address", "contact", "phone")
_EXAMPLES = {
    "enterprises": ["示例：91350302MA2Y0KXQ4Q", "示例：莆田市某某鞋业有限公司", "350302", "莆田市城厢区", "张三",
                    "0594-0000000"],
    "achievements": ["示例：A-001", "91350302MA2Y0KXQ4Q", "标准制修订", "2025-06-01", "GB/T 12345-2025",
                     "运动鞋通用技术规范", "国家", "制定", 1, None, None, None, None, None,
                     "本行是示例，不会导入；从第3行起填写"],
}


def write_template(path: Path) -> Path:
    """The import template: Chinese column labels, an example row (never imported), and drop-down
    lists of the Chinese words for the enumerated columns."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = ENTERPRISE_SHEET[0]
    ws2 = wb.create_sheet(ACHIEVEMENT_SHEET[0])
    choices = wb.create_sheet(CHOICES_SHEET)
    ranges: dict[str, str] = {}
    for k, (fld, words) in enumerate(CHOICES.items(), start=1):
        letter = get_column_letter(k)
        choices.cell(1, k, LABELS_ZH[fld])
        for r, w in enumerate(words, start=2):
            choices.cell(r, k, w).number_format = "@"
        ranges[fld] = f"{CHOICES_SHEET}!${letter}$2:${letter}${len(words) + 1}"
    choices.sheet_state = "hidden"
    for sheet, cols, example in ((ws, ENTERPRISE_COLUMNS, _EXAMPLES["enterprises"]),
                                 (ws2, ACHIEVEMENT_COLUMNS, _EXAMPLES["achievements"])):
        sheet.append([LABELS_ZH[c] for c in cols])
        sheet.append(example)
        for k, c in enumerate(cols, start=1):
            head = sheet.cell(1, k)
            head.font = Font(bold=True)
            sheet.cell(2, k).font = Font(italic=True, color="808080")
            sheet.cell(2, k).fill = PatternFill("solid", fgColor="FFF2CC")
            letter = get_column_letter(k)
            sheet.column_dimensions[letter].width = 24 if c in ("name", "title", "kind", "prize", "note") else 16
            if c in ("uscc", "enterprise", "ref", "id", "region", "phone"):  # text, never a number (leading 0s)
                sheet.column_dimensions[letter].number_format = "@"
            if c in ranges:
                dv = DataValidation(type="list", formula1=f"={ranges[c]}", allow_blank=True, showErrorMessage=True,
                                    errorTitle="请从列表中选择", error=f"“{LABELS_ZH[c]}”请从下拉列表中选择。")
                dv.add(f"{letter}3:{letter}1002")
                sheet.add_data_validation(dv)
        sheet.freeze_panes = "A3"
    ws2["D1"].comment = Comment("日期写作 2025-06-01", "StdAward")
    ws2["I1"].comment = Comment("1 = 主导/第一起草单位", "StdAward")
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
