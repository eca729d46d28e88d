"""The 公示 of a round's proposed award list (拟奖补名单的公示), on the notices' page geometry.

A4 portrait, the GB/T 9704 type area: the title (2号, heading font) centred, the opening paragraph
(the policy, the period with its start and end dates and its length in working days), the list as
a ruled table (序号, 企业名称, 奖补事项, 政策依据, 拟奖补金额) with its column heads repeated on each
page and the total on its last row, the paragraph on where to send objections and whom to ask, then
the office's name over the date. Page numbers "— n —" as on the notices. Every glyph is checked
against its font before anything is drawn; the file is written atomically and deterministically.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.core.i18n import _
from desktop.core.money import ZERO
from desktop.notices import content as C
from desktop.notices import fonts as fontmod
from desktop.notices import layout as L
from desktop.notices.notice import (
    BLACK,
    KEEP_BEFORE_SIGNATURE,
    PITCHES,
    Cancelled,
    Page,
    Row,
    Text,
    _page_number,
    _place,
    _rows,
    _signature,
    balanced,
    draw_pages,
    new_canvas,
    write_atomically,
)

HEAD = ("序号", "企业名称", "奖补事项", "政策依据", "拟奖补金额（元）")
COLS_MM = (12.0, 38.0, 46.0, 33.0, 27.0)  # 156 mm: the type area's width
TABLE_SIZE = 12.0  # 小四
TABLE_PITCH = 16.0
PAD = 3.0
RULE = 0.6


@dataclass(frozen=True)
class ListRow:
    enterprise: str
    item: str  # what the award is for
    clause: str  # cited: 《意见》第四条第（三）项第1目
    amount: Decimal


def texts(title: str, paragraphs: Sequence[str], rows: Sequence[ListRow], signature: str, date: str
          ) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(body, heading) texts for the glyph check, each named by its record and field."""
    body = [("公示", f"paragraph {i + 1}", p) for i, p in enumerate(paragraphs)]
    body += [(r.enterprise, "list", r.enterprise + r.item + r.clause) for r in rows]
    body.append(("公示", "table", "".join(HEAD) + "合计0123456789,.—（续）" + signature + date))
    return body, [("公示", "title", title)]


def layout(title: str, opening: Sequence[str], rows: Sequence[ListRow], closing: Sequence[str], signature: str,
           date: str, body: str, head: str, head_bold: bool, pitch: float = L.LINE_PITCH) -> list[Page]:
    """The pages, ready to draw; ``pitch``: the body's line spacing (see ``fitted``)."""
    pages = [Page()]
    y = L.AREA_TOP

    def room(h: float) -> None:
        nonlocal y
        if y - h < L.AREA_BOTTOM - 0.01:
            pages.append(Page())
            y = L.AREA_TOP

    for ln in balanced(title, head, L.TITLE_SIZE, L.AREA_W):
        w = L.text_width(ln, head, L.TITLE_SIZE)
        pages[-1].texts.append(Text(head, L.TITLE_SIZE, (L.AREA_LEFT + L.AREA_RIGHT - w) / 2,
                                    y - L.ASCENT * L.TITLE_SIZE - 4, ln, BLACK, head_bold))
        y -= L.TITLE_SIZE * 1.5
    y -= pitch

    def paragraph(text: str) -> None:
        nonlocal y
        for row in _rows(text, body):
            put(row)

    def put(row: Row) -> None:
        nonlocal y
        room(pitch)
        _place(pages[-1], row, y, pitch, body, head, head_bold)
        y -= pitch

    for p in opening:
        paragraph(p)
    y -= pitch / 2
    xs = [L.AREA_LEFT]
    for w in COLS_MM:
        xs.append(xs[-1] + w * L.MM)

    def cells(values: Sequence[str]) -> list[tuple[str, ...]]:
        return [L.wrap(v, body, TABLE_SIZE, (xs[k + 1] - xs[k]) - 2 * PAD) for k, v in enumerate(values)]

    def draw_row(values: Sequence[str], aligns: str) -> None:
        nonlocal y
        wrapped = cells(values)
        h = max(len(c) for c in wrapped) * TABLE_PITCH + 2 * PAD
        page = pages[-1]
        top = y
        for k, lines in enumerate(wrapped):
            left, right = xs[k] + PAD, xs[k + 1] - PAD
            for m, s in enumerate(lines):
                base = top - PAD - m * TABLE_PITCH - (TABLE_PITCH - TABLE_SIZE) / 2 - L.ASCENT * TABLE_SIZE
                w = L.text_width(s, body, TABLE_SIZE)
                x = left if aligns[k] == "l" else (right - w if aligns[k] == "r" else (left + right - w) / 2)
                page.texts.append(Text(body, TABLE_SIZE, x, base, s))
        page.black_rules.append((xs[0], top - h, xs[-1], top - h, RULE))
        for x in xs:
            page.black_rules.append((x, top, x, top - h, RULE))
        y = top - h

    def head_row(continued: bool) -> None:
        nonlocal y
        pages[-1].black_rules.append((xs[0], y, xs[-1], y, RULE))
        draw_row([h + ("（续）" if continued and k == 1 else "") for k, h in enumerate(HEAD)], "ccccc")

    def height(values: Sequence[str]) -> float:
        return max(len(c) for c in cells(values)) * TABLE_PITCH + 2 * PAD

    first = [HEAD[k] for k in range(len(HEAD))]
    room(height(first) + (height(_row_values(1, rows[0])) if rows else 0))
    head_row(False)
    total = ZERO
    for i, r in enumerate(rows, start=1):
        values = _row_values(i, r)
        if y - height(values) < L.AREA_BOTTOM - 0.01:
            pages.append(Page())
            y = L.AREA_TOP
            head_row(True)
        draw_row(values, "cllcr")
        total += r.amount
    values = ["", "合计", f"{len(rows)}项", "", f"{total:,.2f}"]
    if y - height(values) < L.AREA_BOTTOM - 0.01:
        pages.append(Page())
        y = L.AREA_TOP
        head_row(True)
    draw_row(values, "cccc" + "r")
    y -= pitch / 2
    # GB/T 9704 7.3.5: the signature and date are kept with the last two lines of text (never a
    # signature alone, nor with a one-line paragraph, on a page)
    text_rows = [row for p in closing for row in _rows(p, body)]
    keep = max(0, len(text_rows) - KEEP_BEFORE_SIGNATURE)
    for row in text_rows[:keep]:
        put(row)
    tail = [*text_rows[keep:], Row(), Row(), *_signature(signature, date, body)]
    room(len(tail) * pitch)
    for row in tail:
        _place(pages[-1], row, y, pitch, body, head, head_bold)
        y -= pitch
    for n, page in enumerate(pages, start=1):
        _page_number(page, n, body)
    return pages


def fitted(*args: Any) -> list[Page]:
    """``layout`` at the standard line spacing, or tightened by up to 8 % (24 lines a page, as the
    notices, GB/T 9704 7.3.5) where that saves a page: a short list on one page."""
    best: list[Page] | None = None
    for pitch in PITCHES:
        pages = layout(*args, pitch=pitch)
        if best is None or len(pages) < len(best):
            best = pages
    assert best is not None
    return best


def _row_values(i: int, r: ListRow) -> list[str]:
    return [str(i), r.enterprise, r.item, r.clause, f"{r.amount:,.2f}"]


def render_list(out_path: Path | str, *, year: int, office: str, policy: Mapping[str, Any], rows: Sequence[ListRow],
                starts_on: dt.date, ends_on: dt.date, days: int, objections_to: str, contact: str,
                settings: Mapping[str, Any] | None = None, signature: str | None = None,
                progress: Callable[[int, int], None] | None = None,
                cancel: Callable[[], bool] | None = None, wording: Mapping[str, Any] | None = None) -> Path:
    """The 公示 PDF of a round's proposed list (``rows``: paying lines, in the round's order), its
    paragraphs worded with ``wording`` (``public_wording``; the defaults where it is silent)."""
    from desktop.notices import public_wording as PW

    words = PW.merged(wording)
    ptitle = policy.get("title") or policy.get("id") or ""
    number = policy.get("document_number")
    cited = f"《{ptitle}》（{number}）" if number else f"《{ptitle}》"
    title = f"关于{year}年度标准化奖补资金拟奖补名单的公示"
    opening = [PW.render(words["list_opening"], policy=cited, year=year, count=len(rows), days=days,
                         start=C.date_text(starts_on), end=C.date_text(ends_on))]
    closing = [PW.render(words["list_objections"], objections_to=objections_to),
               PW.render(words["list_contact"], contact=contact)]
    date = C.date_text(starts_on)
    signature = signature or office
    choice = fontmod.choose(settings)
    body_texts, head_texts = texts(title, opening + closing, rows, signature, date)
    fontmod.check_texts(choice["body"], body_texts)
    fontmod.check_texts(choice["heading"], head_texts)
    body = fontmod.register(choice["body"])
    head = fontmod.register(choice["heading"])
    if cancel is not None and cancel():
        raise Cancelled(_("cancelled: no file was written"))
    pages = fitted(title, opening, rows, closing, signature, date, body, head, choice["heading"].bold)
    if progress is not None:
        progress(1, 1)

    def draw(fh: Any) -> None:
        canvas = new_canvas(fh, title=title, font=body, author=office, created=starts_on)
        draw_pages(canvas, pages)
        canvas.save()

    return write_atomically(Path(out_path), draw)
