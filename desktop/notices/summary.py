"""The summary table (汇总表) of an award round: per enterprise and rule, amounts per fund.

``rows_from_results(results, names, labels)`` groups paying results (awarded/discretionary with an
amount) by enterprise and rule. ``render_summary(rows, out_path, ...)`` writes

* ``.pdf``: A4 landscape, the title and the column headers repeated on every page, a subtotal
  under each enterprise with more than one rule, and at the foot of every page the page total
  (本页小计) and the running total (累计); the last page ends with the grand total (合计).
  Same fonts and glyph check as the notices; deterministic output.
* ``.xlsx`` (openpyxl): real numbers with the ``#,##0.00`` format, the header frozen, subtotal and
  total rows in bold.

Files are written to a temporary name, synced and renamed (``notice.write_atomically``).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.core.award import AwardResult
from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.core.money import ZERO, to_money
from desktop.core.status import PAYING
from desktop.notices import fonts as fontmod
from desktop.notices import layout as L
from desktop.notices.notice import Cancelled, new_canvas, write_atomically

HEAD = ("序号", "企业名称", "统一社会信用代码", "奖补事项（政策条款）", "项数")
NO_FUND = "-"


@dataclass
class SummaryRow:
    uscc: str
    name: str
    rule: str
    clause: str
    label: str
    count: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)  # fund id -> yuan

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)

    @property
    def item(self) -> str:
        return f"{self.label}（{self.clause}）" if self.clause else self.label


def rows_from_results(results: Sequence[AwardResult], names: Mapping[str, str],
                      labels: Mapping[str, str] | None = None,
                      item_labels: Mapping[str, str] | None = None) -> list[SummaryRow]:
    """One row per enterprise and award item, enterprises in order of first appearance. Only lines
    that pay (awarded or discretionary with an amount above zero) are listed. ``labels`` names a
    rule; ``item_labels`` (by result id) names the item for that very achievement (the rule's
    label filled in, e.g. 国家标准制定 …) and splits a rule's row where the items differ."""
    labels = labels or {}
    item_labels = item_labels or {}
    rows: dict[tuple[str, str, str], SummaryRow] = {}
    for r in results:
        if r.status not in PAYING or r.amount is None or r.amount <= 0 or not r.enterprise:
            continue
        label = item_labels.get(r.id) or labels.get(r.rule or "", r.rule or "")
        key = (r.enterprise, r.rule or "", label)
        row = rows.get(key)
        if row is None:
            row = rows[key] = SummaryRow(r.enterprise, names.get(r.enterprise, r.enterprise), r.rule or "",
                                         r.clause or "", label)
        fund = r.fund or NO_FUND
        row.count += 1
        row.amounts[fund] = row.amounts.get(fund, ZERO) + to_money(r.amount)
    order = list(dict.fromkeys(k[0] for k in rows))
    return sorted(rows.values(), key=lambda row: order.index(row.uscc))


def item_labels(policy: Any, results: Sequence[AwardResult], achievements: Mapping[str, Any]) -> dict[str, str]:
    """Result id -> its rule's label filled in for that achievement (国家标准制定 主导单位…), worded
    as the engine words it: a rule's label is a template ({level}标准{action} …)."""
    from desktop.core.engine import rule_label

    rules = {rule.id: rule for rule in getattr(policy, "rules", [])}
    return {r.id: rule_label(policy, rules[r.rule], achievements[r.id]) for r in results
            if r.rule in rules and r.id in achievements}


def fund_ids(rows: Sequence[SummaryRow]) -> list[str]:
    return list(dict.fromkeys(f for r in rows for f in r.amounts))


@dataclass
class _Line:
    """A printed table line: a data row, an enterprise subtotal or a total."""

    cells: list[str]
    amounts: dict[str, Decimal]
    kind: str  # row | subtotal
    group: tuple[str, str, str] = ("", "", "")  # the enterprise's 序号, name and code

    def continued(self) -> list[str]:
        """The cells as the first line of a page when its enterprise began on an earlier page:
        序号 and name repeated, marked （续）."""
        if self.cells[0] or not self.group[0]:
            return self.cells
        n, name, uscc = self.group
        return [n, f"{name}（续）", uscc] + self.cells[3:]


def _lines(rows: Sequence[SummaryRow]) -> list[_Line]:
    out: list[_Line] = []
    n = 0
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and rows[j].uscc == rows[i].uscc:
            j += 1
        n += 1
        group = rows[i:j]
        for k, r in enumerate(group):
            out.append(_Line([str(n) if k == 0 else "", r.name if k == 0 else "", r.uscc if k == 0 else "",
                              r.item, str(r.count)], dict(r.amounts), "row", (str(n), r.name, r.uscc)))
        if len(group) > 1:
            sub: dict[str, Decimal] = {}
            for r in group:
                for f, a in r.amounts.items():
                    sub[f] = sub.get(f, ZERO) + a
            out.append(_Line(["", "", "", "小计", str(sum(r.count for r in group))], sub, "subtotal",
                             (str(n), group[0].name, group[0].uscc)))
        i = j
    return out


def _add(into: dict[str, Decimal], amounts: Mapping[str, Decimal]) -> None:
    for f, a in amounts.items():
        into[f] = into.get(f, ZERO) + a


def _fmt(a: Decimal) -> str:
    return f"{to_money(a):,.2f}"


def render_summary(rows: Sequence[SummaryRow], out_path: Path | str, title: str,
                   funds: Mapping[str, str] | None = None, subtitle: str = "",
                   settings: Mapping[str, Any] | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   cancel: Callable[[], bool] | None = None, draft: bool = False,
                   office: str = "", made_on: Any = None) -> Path:
    """Write the table as PDF or xlsx (by the suffix of ``out_path``). ``draft`` (a round not yet
    approved) marks every page 草稿; the table ends with the sign-off lines 制表 / 审核 / 日期."""
    out = Path(out_path)
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise StdAwardError(_("the summary is written as .pdf or .xlsx, not {suffix}").format(suffix=out.suffix or "?"))
    if not rows:
        raise StdAwardError(_("nothing to summarise: no award with an amount"))
    funds = dict(funds or {})
    fids = fund_ids(rows)
    names = [funds.get(f, "奖补资金" if f == NO_FUND else f) for f in fids]
    if suffix == ".xlsx":
        return write_atomically(out, lambda fh: _xlsx(fh, rows, fids, names, title, subtitle, draft))
    return write_atomically(out, lambda fh: _pdf(fh, rows, fids, names, title, subtitle, settings, progress, cancel,
                                                 draft, office, made_on))


DRAFT = "草稿"
SIGN_OFF = "制表：                    审核：                    日期：        年    月    日"


def _xlsx(fh: Any, rows: Sequence[SummaryRow], fids: list[str], names: list[str], title: str, subtitle: str,
          draft: bool = False) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from desktop.notices import sheet

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总表"
    head = list(HEAD) + names + ["合计（元）"]
    ws.append([])
    sheet.set_value(ws.cell(1, 1), f"{title}（{DRAFT}）" if draft else title)
    ws.append([])
    sheet.set_value(ws.cell(2, 1), subtitle)
    ws.append([])
    for k, h in enumerate(head, start=1):
        sheet.set_value(ws.cell(3, k), h)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(head))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(head))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws["A2"].alignment = Alignment(horizontal="center")
    for c in ws[3]:
        c.font = Font(bold=True)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.freeze_panes = "A4"
    total: dict[str, Decimal] = {}

    def put(values: list[Any], bold: bool = False) -> None:
        r = ws.max_row + 1
        for k, v in enumerate(values, start=1):
            cell = sheet.set_value(ws.cell(r, k), v)
            if bold:
                cell.font = Font(bold=True)

    for ln in _lines(rows):
        cells: list[Any] = list(ln.cells)
        cells[0] = int(cells[0]) if cells[0] else None
        cells[4] = int(cells[4])
        amounts = [to_money(ln.amounts.get(f, ZERO)) for f in fids]
        put(cells + amounts + [sum(amounts, ZERO)], bold=ln.kind != "row")
        if ln.kind == "row":
            _add(total, ln.amounts)
    amounts = [to_money(total.get(f, ZERO)) for f in fids]
    put([None, "合计", None, None, sum(int(r.count) for r in rows)] + amounts + [sum(amounts, ZERO)], bold=True)
    last = ws.max_row
    sheet.finish(ws, 3, last, len(head), title_rows="1:3")
    ws.column_dimensions["A"].width = 6  # the title's merged cell must not widen 序号
    ws.cell(last + 2, 2).value = SIGN_OFF
    if draft:
        ws.oddHeader.center.text = DRAFT
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    wb.save(fh)


def _pdf(fh: Any, rows: Sequence[SummaryRow], fids: list[str], names: list[str], title: str, subtitle: str,
         settings: Mapping[str, Any] | None, progress: Callable[[int, int], None] | None,
         cancel: Callable[[], bool] | None, draft: bool = False, office: str = "", made_on: Any = None) -> None:
    choice = fontmod.choose(settings)["body"]
    font = fontmod.register(choice)
    lines = _lines(rows)
    fontmod.check_texts(choice, [(r.uscc, "summary", r.name + r.item) for r in rows]
                        + [("summary", "title", title + subtitle + "".join(HEAD + tuple(names)) +
                            "合计（元）本页小计累计第页共0123456789,.—（续）" + DRAFT + SIGN_OFF + office)])
    page_w, page_h = L.LANDSCAPE
    margin = 15 * L.MM
    width = page_w - 2 * margin
    size, pad, pitch = 10.0, 2.0, 13.0
    money_w = 28 * L.MM
    fixed = [10 * L.MM, 56 * L.MM, 40 * L.MM, None, 12 * L.MM] + [money_w] * (len(fids) + 1)
    rule_w = width - sum(w for w in fixed if w)
    if rule_w < 40 * L.MM:
        raise StdAwardError(_("too many funds for one landscape page ({count})").format(count=len(fids)))
    cols = [w if w else rule_w for w in fixed]
    xs = [margin]
    for w in cols:
        xs.append(xs[-1] + w)
    head = list(HEAD) + names + ["合计（元）"]
    canvas = new_canvas(fh, pagesize=L.LANDSCAPE, title=f"{title}（{DRAFT}）" if draft else title, font=font,
                        author=office, created=made_on)
    bottom = margin + 2 * (pitch + 2 * pad) + 8 * L.MM + 2 * pitch  # page totals, page number, sign-off
    running: dict[str, Decimal] = {}
    page_no = 0
    i = 0

    def text(x: float, y: float, s: str, align: str = "left", w: float = 0.0) -> None:
        canvas.setFont(font, size)
        if align == "right":
            canvas.drawRightString(x + w - pad * 2, y, s)
        elif align == "center":
            canvas.drawCentredString(x + w / 2, y, s)
        else:
            canvas.drawString(x + pad * 2, y, s)

    def amount_row(y: float, label: str, amounts: Mapping[str, Decimal]) -> float:
        h = pitch + 2 * pad
        canvas.rect(margin, y - h, width, h)
        text(xs[3], y - pad - size, label)
        vals = [amounts.get(f, ZERO) for f in fids]
        for k, v in enumerate(vals + [sum(vals, ZERO)]):
            text(xs[5 + k], y - pad - size, _fmt(v), "right", cols[5 + k])
        for x in xs[1:-1]:
            canvas.line(x, y, x, y - h)
        return y - h

    while i < len(lines) or page_no == 0:
        if cancel is not None and cancel():
            raise Cancelled(_("cancelled: no file was written"))
        page_no += 1
        if draft:
            _draft_mark(canvas, font, page_w, page_h)
        canvas.setLineWidth(0.6)
        canvas.setFont(font, 16)
        canvas.drawCentredString(page_w / 2, page_h - margin - 16, title)
        canvas.setFont(font, 10)
        canvas.drawCentredString(page_w / 2, page_h - margin - 32, subtitle)
        y = page_h - margin - 44
        head_lines = [L.wrap(h, font, size, cols[k] - 4 * pad) for k, h in enumerate(head)]
        hh = max(len(x) for x in head_lines) * pitch + 2 * pad
        canvas.rect(margin, y - hh, width, hh)
        for k, hl in enumerate(head_lines):
            for m, s in enumerate(hl):
                text(xs[k], y - pad - size - m * pitch, s, "center", cols[k])
        for x in xs[1:-1]:
            canvas.line(x, y, x, y - hh)
        y -= hh
        page_sum: dict[str, Decimal] = {}
        first_on_page = True
        while i < len(lines):
            ln = lines[i]
            cells = ln.continued() if first_on_page else ln.cells
            first_on_page = False
            wrapped = [L.wrap(c, font, size, cols[k] - 4 * pad) for k, c in enumerate(cells)]
            h = max(len(w) for w in wrapped) * pitch + 2 * pad
            if y - h < bottom and page_sum:
                break
            canvas.rect(margin, y - h, width, h)
            for k, w in enumerate(wrapped):
                align = "center" if k in (0, 4) else "left"
                for m, s in enumerate(w):
                    text(xs[k], y - pad - size - m * pitch, s, align, cols[k])
            vals = [ln.amounts.get(f, ZERO) for f in fids]
            for k, v in enumerate(vals + [sum(vals, ZERO)]):
                if v or ln.kind == "subtotal" or k == len(vals):
                    text(xs[5 + k], y - pad - size, _fmt(v), "right", cols[5 + k])
            for x in xs[1:-1]:
                canvas.line(x, y, x, y - h)
            if ln.kind == "row":
                _add(page_sum, ln.amounts)
                _add(running, ln.amounts)
            y -= h
            i += 1
            if progress is not None:
                progress(i, len(lines))
        y = amount_row(y, "本页小计", page_sum)
        y = amount_row(y, "合计" if i >= len(lines) else "累计", running)
        if i >= len(lines):  # sign-off under the grand total
            canvas.setFont(font, 11)
            canvas.drawString(margin + 10 * L.MM, y - 2 * pitch, SIGN_OFF)
        canvas.setFont(font, 10)
        canvas.drawCentredString(page_w / 2, margin, f"— {page_no} —")
        canvas.showPage()
    canvas.save()


def _draft_mark(canvas: Any, font: str, page_w: float, page_h: float) -> None:
    """草稿 across the page in light grey, under the table (drawn first): a round not yet approved
    must not pass for the final table."""
    canvas.saveState()
    canvas.setFillColorRGB(0.82, 0.82, 0.82)
    canvas.setFont(font, 120)
    canvas.translate(page_w / 2, page_h / 2)
    canvas.rotate(20)
    canvas.drawCentredString(0, -40, DRAFT)
    canvas.restoreState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(font, 14)
    canvas.drawString(15 * L.MM, page_h - 15 * L.MM - 14, f"【{DRAFT}】")
