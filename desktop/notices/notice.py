"""Drawing official award notices (奖补通知书) with reportlab, after GB/T 9704-2012.

``render_notices(notices, out_path, copy="enterprise", progress=None, cancel=None)`` draws each
notice (a mapping with ``content`` and ``content_hash``, as stored in ``Notice`` rows, and optionally
``qr``: the signed statement its caller made with ``verify.make_statement``) into one PDF; every notice starts on a new page and numbers its own pages "— 1 —". ``copy="archive"``
draws the approval/archive copy (审批存档联): the same notice marked 存档联 with the computation and
every flag an officer must see; the enterprise's copy never shows them.

Page: red issuing-authority name (版头) 35 mm below the type area's top edge, 发文字号 two lines
below it, the red rule 4 mm under that, the title (2号 heading font) two lines below the rule,
主送 the enterprise, the body on the 3号 grid (28 characters per line, paragraphs indented two
characters), then the signature (office name centred over the 成文日期, the date four characters
in from the right) with room for the seal, kept on one page with the closing line. The
verification code and QR code sit in the bottom margin of the last page, opposite the page number.

Output is deterministic (``invariant=1``): the same content and font files give byte-identical
PDFs, which is how reprints are tested. Files are written to a temporary name, synced, and renamed.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from desktop.core.errors import ValidationFailed
from desktop.core.faultpoints import fault_point
from desktop.core.i18n import _
from desktop.core.progress import Cancelled  # noqa: F401 - raised here, caught by callers
from desktop.notices import content as C
from desktop.notices import fonts as fontmod
from desktop.notices import layout as L
from desktop.notices import verify as V
from desktop.notices.verify import draw_qr, qr_payload, verification_code

COPIES = ("enterprise", "archive")
BLACK = (0.0, 0.0, 0.0)
Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Text:
    font: str
    size: float
    x: float
    y: float
    text: str
    color: tuple[float, float, float] = BLACK
    bold: bool = False
    char_space: float = 0.0
    scale: float = 100.0  # horizontal scale (%), below 100 for a condensed 发文机关标志


@dataclass
class Page:
    texts: list[Text] = field(default_factory=list)
    rules: list[tuple[float, float, float, float]] = field(default_factory=list)  # red rules
    qr: tuple[str, float, float, float] | None = None  # payload, x, y, size
    black_rules: list[tuple[float, float, float, float, float]] = field(default_factory=list)  # + width


class _Flow:
    """Places lines top to bottom on the type area, starting new pages as needed (the header)."""

    def __init__(self) -> None:
        self.pages: list[Page] = [Page()]
        self.y = L.AREA_TOP  # top of the next line slot

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def line(self, text: str, font: str, size: float = L.BODY_SIZE, x: float = L.AREA_LEFT,
             align: str = "left", bold: bool = False, color: tuple[float, float, float] = BLACK,
             pitch: float = L.LINE_PITCH, right: float = L.AREA_RIGHT) -> None:
        y = self.y
        cs = L.body_char_space(size)
        if align != "left":
            w = L.text_width(text, font, size, cs) - cs
            x = (L.AREA_LEFT + L.AREA_RIGHT - w) / 2 if align == "center" else right - w
        if text:
            self.pages[-1].texts.append(Text(font, size, x, y - (pitch - size) / 2 - L.ASCENT * size, text, color,
                                             bold, cs))
        self.y = y - pitch


@dataclass(slots=True)
class Row:
    """One line of the body on the grid: ``text`` starting at ``x`` with character spacing ``cs``
    (a justified line), or right-aligned at ``right``; an empty row is a blank line."""

    text: str = ""
    x: float = L.AREA_LEFT
    cs: float = 0.0
    size: float = L.BODY_SIZE
    right: float | None = None
    kind: str = "body"
    pieces: list[tuple[float, str, float]] | None = None  # a justified line with Latin runs kept tight


Wrap = Callable[..., tuple[str, ...]]
Justify = Callable[..., list[tuple[float, str, float]]]


def breaker(layout: int = C.LAYOUT_VERSION) -> tuple[Wrap, Justify]:
    """The line breaker and justification of a layout version: the current ones (``layout``) from
    3 on, layout 2's kept in ``legacy`` for the notices issued with it."""
    if layout >= 3:
        return L.wrap, L.justify_segments
    from desktop.notices.legacy import justify_segments_v2, wrap_v2

    return wrap_v2, justify_segments_v2


def _rows(text: str, font: str, indent_chars: int = 2, kind: str = "body", layout: int = C.LAYOUT_VERSION
          ) -> list[Row]:
    """A paragraph wrapped to the 156 mm measure, every line but its last justified (两端对齐)."""
    return list(_rows_memo(text, font, indent_chars, kind, layout))


@lru_cache(maxsize=8192)
def _rows_memo(text: str, font: str, indent_chars: int, kind: str, layout: int) -> tuple[Row, ...]:
    """``_rows``, memoised (the rows are never changed once made: the same paragraphs recur). The
    last line (before the paragraph's forced break) is never spread; from layout 3 on, one that a
    closing mark squeezed in (挤进) wider than the measure is tightened to it."""
    cs = L.body_char_space()
    indent = indent_chars * L.CHAR_PITCH
    wrap, justify_segments = breaker(layout)
    lines = wrap(text, font, L.BODY_SIZE, L.AREA_W, cs, indent)
    out = []
    for i, ln in enumerate(lines):
        x = L.AREA_LEFT + (indent if i == 0 else 0)
        if i == len(lines) - 1 and (layout < 3 or L.text_width(ln, font, L.BODY_SIZE, cs) - cs <= L.AREA_RIGHT - x):
            out.append(Row(ln, x, cs, kind=kind))
            continue
        pieces = justify_segments(ln, font, L.BODY_SIZE, L.AREA_RIGHT - x, cs)
        if len(pieces) == 1:
            out.append(Row(ln, x, pieces[0][2], kind=kind))
        else:
            out.append(Row(ln, x, cs, kind=kind, pieces=pieces))
    return tuple(out)


# GB/T 9704 7.3.5: when the signature and date do not fit, line spacing may be adjusted. Pitches
# tried, from the standard 22 lines per page down to 24 (8% tighter), the tightest only where it
# saves a page.
PITCHES = tuple(L.AREA_H / n for n in (22, 23, 24))
KEEP_BEFORE_SIGNATURE = 2  # lines of text kept on the page of the closing line and signature


def paginate(rows: Sequence[Row], first_room: int, per_page: int, tail: int, keep: int = KEEP_BEFORE_SIGNATURE,
             after: int = 0) -> list[list[Row]]:
    """Rows into pages: ``first_room`` rows on the first page, ``per_page`` on the others. The
    ``tail`` rows before the last ``after`` ones (the closing line, seal room, signature and date)
    stay on one page together with the ``keep`` rows of text before them, so the signature page
    never holds only the closing line and the signature."""
    rows = list(rows)
    end_tail = len(rows) - after
    start = max(0, end_tail - tail - keep)  # the group kept together
    pages: list[list[Row]] = [[]]
    room = first_room

    def put(row: Row) -> None:
        nonlocal room
        if room <= 0:
            pages.append([])
            room = per_page
        if row.text or pages[-1]:  # a blank line never opens a page
            pages[-1].append(row)
            room -= 1

    for row in rows[:start]:
        put(row)
    group = rows[start:end_tail]
    if group and room < len(group) and pages[-1]:
        pages.append([])
        room = per_page
    for row in group:
        put(row)
    for row in rows[end_tail:]:
        put(row)
    return pages


def layout_notice(content: Mapping[str, Any], content_hash: str, fonts: Mapping[str, fontmod.FontChoice],
                  copy: str = "enterprise", mark: str | None = None, qr_text: str | None = None,
                  trail: Sequence[str] = ()) -> list[Page]:
    """The pages of one notice (positions in PDF points), ready to draw. A notice stored with an
    earlier layout is drawn by that layout, so a reprint stays identical. ``mark`` (样稿 for a draft,
    作废 for a void notice's reprint) is printed large and red at the top of every page. A draft has
    no 发文字号 and no verification code. ``qr_text``: what the QR carries (the signed statement);
    without it, the short ``SA1`` payload. ``trail``: sentences printed after the 审核提示 on the 存档联
    only (the approval and the audit log's head at printing time); they are not part of the notice's
    content, so its hash and verification are unchanged."""
    version = content.get("layout", 1)
    if version < 2:
        from desktop.notices.legacy import layout_notice_v1

        pages = layout_notice_v1(content, content_hash, fonts, copy)
        if mark:
            head = fontmod.register(fonts["heading"])
            for page in pages:
                _mark(page, mark, head)
        return pages
    body = fontmod.register(fonts["body"])
    head = fontmod.register(fonts["heading"])
    head_bold = fonts["heading"].bold
    t = content["text"]
    flow = _Flow()
    if copy == "archive":
        flow.line(C.ARCHIVE_MARK, head, align="right", bold=head_bold)
    # 版头: 发文机关标志, 35 mm below the top of the type area, red, centred
    top = L.AREA_TOP - L.HEADER_OFFSET
    bottom = _authority(flow.page, content["office"]["name"], head, head_bold, top, version)
    flow.y = bottom - 2 * L.LINE_PITCH  # 发文字号 two blank lines below the authority's name
    flow.line(content.get("doc_number") or "", body, align="center")  # a draft has none
    rule_y = flow.y + (L.LINE_PITCH - L.BODY_SIZE) / 2 - L.RULE_GAP
    flow.page.rules.append((L.AREA_LEFT, rule_y, L.AREA_RIGHT, rule_y))
    flow.y = rule_y - 2 * L.LINE_PITCH  # title two blank lines below the red rule
    title_pitch = L.TITLE_SIZE * 1.5
    for ln in balanced(t["title"], head, L.TITLE_SIZE, L.AREA_W, layout=version):
        flow.line(ln, head, L.TITLE_SIZE, align="center", bold=head_bold, pitch=title_pitch)
    flow.y -= L.LINE_PITCH
    # the body on the grid: 主送 (flush left, wrapped), the paragraphs, the closing line, then the
    # seal room, the signature (centred over the date) and the 成文日期 (four characters in from the right)
    rows = _rows(t["recipient"], body, 0, layout=version)
    paragraphs = t["paragraphs"]
    for p in paragraphs[:-1]:
        rows += _rows(p, body, layout=version)
    closing = _rows(paragraphs[-1], body, layout=version)
    sign = [Row(), Row(), *_signature(t["signature"], t["date"], body, version)]
    tail = len(closing) + len(sign)
    rows += closing + sign
    after = 0
    if copy == "archive" and (t["archive_notes"] or trail):
        extra = [Row(), Row(C.ARCHIVE_HEADING, L.AREA_LEFT, kind="heading")]
        for note in [*t["archive_notes"], *trail]:
            extra += _rows(note, body, layout=version)
        rows += extra
        after = len(extra)
    record = _record_rows(t.get("record"), body, version)
    record_len = len(record[0]) + len(record[1])
    best: tuple[int, float, list[list[Row]]] | None = None
    for pitch in PITCHES:
        first = int((flow.y - L.AREA_BOTTOM + 0.01) // pitch)
        pages = paginate(rows, first, int((L.AREA_H + 0.01) // pitch), tail, after=after)
        count = len(pages) + (1 if record_len and _free(pages, first, pitch) < record_len + 1 else 0)
        if best is None or count < best[0]:
            best = (count, pitch, pages)
        # tighter lines gain at most a few rows a page: when the last page is fuller than that
        # (or there is one page), no tighter pitch can save a page
        need = record_len + 1 if count > len(pages) else len(pages[-1]) + (record_len + 1 if record_len else 0)
        if count == 1 or need > (len(PITCHES) - 1) * (count - 1) + 2:
            break
    assert best is not None
    _count, pitch, pages = best
    for i, rows_on_page in enumerate(pages):
        if i:
            flow.pages.append(Page())
        y = flow.y if i == 0 else L.AREA_TOP
        for row in rows_on_page:
            _place(flow.pages[-1], row, y, pitch, body, head, head_bold)
            y -= pitch
    if record_len:
        if _free(pages, int((flow.y - L.AREA_BOTTOM + 0.01) // pitch), pitch) < record_len + 1:
            flow.pages.append(Page())
        _draw_record(flow.pages[-1], record, body)
    for n, page in enumerate(flow.pages, start=1):
        _page_number(page, n, body)
        if mark:
            _mark(page, mark, head)
    if (content.get("notice") and content.get("doc_number")) or content.get("letter"):
        _verification(flow.pages[-1], len(flow.pages), content, content_hash, body, qr_text)
    return flow.pages


MARK_SIZE = 26.0


def _mark(page: Page, text: str, font: str) -> None:
    """样稿 / 作废 in red in the top margin, right-aligned to the type area, spaced out."""
    space = MARK_SIZE / 2
    w = L.text_width(text, font, MARK_SIZE, space) - space
    y = L.AREA_TOP + 4 * L.MM
    page.texts.append(Text(font, MARK_SIZE, L.AREA_RIGHT - w, y, text, L.RED, False, space))


def _free(pages: list[list[Row]], first: int, pitch: float) -> int:
    """Rows left free at the foot of the last page."""
    cap = first if len(pages) == 1 else int((L.AREA_H + 0.01) // pitch)
    return cap - len(pages[-1])


def _place(page: Page, row: Row, y: float, pitch: float, body: str, head: str, head_bold: bool) -> None:
    if not row.text:
        return
    font, bold = (head, head_bold) if row.kind == "heading" else (body, False)
    x, cs = row.x, row.cs
    if row.pieces:
        base = y - (pitch - row.size) / 2 - L.ASCENT * row.size
        page.texts += [Text(font, row.size, x + dx, base, text, BLACK, bold, space) for dx, text, space in row.pieces]
        return
    if row.right is not None:
        cs = L.body_char_space(row.size)
        x = row.right - (L.text_width(row.text, font, row.size, cs) - cs)
    page.texts.append(Text(font, row.size, x, y - (pitch - row.size) / 2 - L.ASCENT * row.size, row.text,
                           BLACK, bold, cs))


@lru_cache(maxsize=1024)
def _signature(signature: str, date: str, font: str, layout: int = C.LAYOUT_VERSION) -> tuple[Row, ...]:
    """发文机关署名 centred over the 成文日期, which ends four characters in from the right; a
    署名 too long for that is set on two lines (each centred, kept inside the type area)."""
    cs = L.body_char_space()
    date_right = L.AREA_RIGHT - 4 * L.CHAR_PITCH
    date_w = L.text_width(date, font, L.BODY_SIZE, cs) - cs
    centre = date_right - date_w / 2
    lines = list(balanced(signature, font, L.BODY_SIZE, L.AREA_W - 2 * L.CHAR_PITCH, cs, layout))
    out = []
    for ln in lines:
        w = L.text_width(ln, font, L.BODY_SIZE, cs) - cs
        right = min(L.AREA_RIGHT, max(centre + w / 2, L.AREA_LEFT + w))
        out.append(Row(ln, right=right, kind="signature"))
    return (*out, Row(date, right=date_right, kind="date"))


RECORD_SIZE = L.PAGE_NO_SIZE  # 版记 in 4号 仿宋
THICK, THIN = 0.35 * L.MM, 0.25 * L.MM


def _record_rows(record: Mapping[str, Any] | None, font: str, layout: int = C.LAYOUT_VERSION
                 ) -> tuple[list[str], list[tuple[str, str]]]:
    """The 版记's lines: 抄送 (wrapped), then 印发机关 left and 印发日期 right (a 印发机关 too long to
    share its line with the date is wrapped, the date beside its last line)."""
    if not record:
        return [], []
    width = L.AREA_W - 2 * RECORD_SIZE
    cc = record.get("cc") or ""
    cc_lines = list(breaker(layout)[0](f"抄送：{cc}", font, RECORD_SIZE, width)) if cc else []
    date = f"{record.get('printed_on') or ''}印发"
    room = width - L.text_width(date, font, RECORD_SIZE) - RECORD_SIZE
    name = record.get("printer") or ""
    if L.text_width(name, font, RECORD_SIZE) <= room:
        return cc_lines, [(name, date)]
    printer = balanced(name, font, RECORD_SIZE, width, layout=layout)
    if L.text_width(printer[-1], font, RECORD_SIZE) <= room:
        return cc_lines, [(ln, "") for ln in printer[:-1]] + [(printer[-1], date)]
    return cc_lines, [(ln, "") for ln in printer] + [("", date)]


def _draw_record(page: Page, record: tuple[list[str], list[tuple[str, str]]], font: str) -> None:
    """版记 at the foot of the type area: thick rules above its first line and on the type area's
    lower edge, a thin rule between 抄送 and 印发; each line one character in from either side."""
    cc, printed = record
    rows = [(ln, "") for ln in cc] + printed
    pitch = L.LINE_PITCH
    bottom = L.AREA_BOTTOM
    top = bottom + len(rows) * pitch
    page.black_rules.append((L.AREA_LEFT, top, L.AREA_RIGHT, top, THICK))
    page.black_rules.append((L.AREA_LEFT, bottom, L.AREA_RIGHT, bottom, THICK))
    if cc:
        y = bottom + len(printed) * pitch
        page.black_rules.append((L.AREA_LEFT, y, L.AREA_RIGHT, y, THIN))
    for i, (left, right) in enumerate(rows):
        y = top - i * pitch - (pitch - RECORD_SIZE) / 2 - L.ASCENT * RECORD_SIZE
        if left:
            page.texts.append(Text(font, RECORD_SIZE, L.AREA_LEFT + RECORD_SIZE, y, left))
        if right:
            w = L.text_width(right, font, RECORD_SIZE)
            page.texts.append(Text(font, RECORD_SIZE, L.AREA_RIGHT - RECORD_SIZE - w, y, right))


AUTHORITY_SIZE = 36.0  # the 发文机关标志 where the name fits the measure
MIN_SCALE = 75.0  # the narrowest horizontal scale (%) a 发文机关标志 is condensed to


@lru_cache(maxsize=256)
def authority_lines(name: str, font: str, layout: int = C.LAYOUT_VERSION) -> tuple[list[str], float, float]:
    """How the 发文机关标志 is set: (lines, size, horizontal scale %). One line at up to 36 pt; a
    name too long for that at the title size (22 pt) is condensed horizontally down to 75 %; a
    longer one is set on two balanced lines. Never smaller than the title size."""
    w = L.text_width(name, font, AUTHORITY_SIZE)
    if w <= L.AREA_W:
        return [name], AUTHORITY_SIZE, 100.0
    size = AUTHORITY_SIZE * L.AREA_W / w
    if size >= L.TITLE_SIZE:
        return [name], size, 100.0
    scale = 100.0 * L.AREA_W / L.text_width(name, font, L.TITLE_SIZE)
    if scale >= 90.0:
        return [name], L.TITLE_SIZE, scale
    lines = balanced(name, font, L.TITLE_SIZE, L.AREA_W, layout=layout)
    if len(lines) == 1:
        lines = balanced(name, font, L.TITLE_SIZE, L.AREA_W * 0.6, layout=layout)
    widest = max(L.text_width(ln, font, L.TITLE_SIZE) for ln in lines)
    size = min(AUTHORITY_SIZE, L.TITLE_SIZE * L.AREA_W / widest)
    if size >= L.TITLE_SIZE:
        return list(lines), size, 100.0
    return list(lines), L.TITLE_SIZE, max(MIN_SCALE, 100.0 * L.AREA_W / widest)


def _authority(page: Page, name: str, font: str, bold: bool, top: float, layout: int = C.LAYOUT_VERSION) -> float:
    """Draw the 发文机关标志 from ``top`` down; returns the y of its lower edge."""
    lines, size, scale = authority_lines(name, font, layout)
    y = top
    for ln in lines:
        w = L.text_width(ln, font, size) * scale / 100
        page.texts.append(Text(font, size, (L.AREA_LEFT + L.AREA_RIGHT - w) / 2, y - L.ASCENT * size, ln, L.RED,
                               bold, 0.0, scale))
        y -= size * 1.15
    return y + size * 0.15


def balanced(text: str, font: str, size: float, width: float, char_space: float = 0.0,
             layout: int = C.LAYOUT_VERSION) -> list[str]:
    """Title lines of even length (GB/T 9704: 回行时排列对称), never one orphaned character."""
    wrap = breaker(layout)[0]
    lines = wrap(text, font, size, width, char_space)
    if len(lines) > 1:
        target = L.text_width(text, font, size, char_space) / len(lines) + size
        lines = wrap(text, font, size, min(width, target), char_space)
    return list(lines)


def _page_number(page: Page, n: int, font: str) -> None:
    """"— n —" 4号, 7 mm below the type area; odd pages right, even pages left, one character in."""
    text = f"— {n} —"
    size = L.PAGE_NO_SIZE
    w = L.text_width(text, font, size)
    y = L.AREA_BOTTOM - L.PAGE_NO_GAP - L.ASCENT * size
    x = L.AREA_RIGHT - size - w if n % 2 else L.AREA_LEFT + size
    page.texts.append(Text(font, size, x, y, text))


QR_SIZE = 18 * L.MM
STATEMENT_QR_SIZE = 25 * L.MM  # a signed statement is a 53 × 53 symbol: 0.4 mm modules


def _verification(page: Page, n: int, content: Mapping[str, Any], chash: str, font: str,
                  qr_text: str | None = None) -> None:
    ident = content.get("notice") or content["letter"]  # a 不予奖补告知书 is checked by its letter id
    code = verification_code(ident, chash)
    side = STATEMENT_QR_SIZE if qr_text else QR_SIZE
    y = L.AREA_BOTTOM - 3 * L.MM - side
    lines = [f"核验码 {code}", *([content["doc_number"]] if content.get("doc_number") else [])]
    size = 9.0
    if n % 2:  # page number at the right: the mark at the left
        x = L.AREA_LEFT
        tx = x + side + 2 * L.MM
        page.texts += [Text(font, size, tx, y + side - 8 - i * 12, ln) for i, ln in enumerate(lines)]
    else:
        x = L.AREA_RIGHT - side
        for i, ln in enumerate(lines):
            w = L.text_width(ln, font, size)
            page.texts.append(Text(font, size, x - 2 * L.MM - w, y + side - 8 - i * 12, ln))
    page.qr = (qr_text or qr_payload(ident, chash), x, y, side)


def draw_pages(canvas: Any, pages: Sequence[Page]) -> None:
    """Draw laid-out pages: the red rules, then the page's ordinary text as one text object (font,
    character spacing and colour set only where they change), then the headings that need
    emboldening, each filled and stroked in a text object of its own that puts the rendering mode
    back (text state outlives the text object in PDF, so a stroke mode left set would embolden and
    recolour everything after it), then the QR code."""
    for page in pages:
        if page.rules:
            canvas.setStrokeColorRGB(*L.RED)
            canvas.setLineWidth(1.0)
            for x1, y1, x2, y2 in page.rules:
                canvas.line(x1, y1, x2, y2)
        if page.black_rules:
            canvas.setStrokeColorRGB(*BLACK)
            for x1, y1, x2, y2, width in page.black_rules:
                canvas.setLineWidth(width)
                canvas.line(x1, y1, x2, y2)
        to = canvas.beginText()
        font: tuple[str, float] | None = None
        colour: tuple[float, float, float] | None = None
        space = 0.0
        bold = []
        for t in page.texts:
            if t.bold or t.scale != 100.0:
                bold.append(t)
                continue
            if (t.font, t.size) != font:
                font = (t.font, t.size)
                to.setFont(t.font, t.size)
            if t.char_space != space:
                space = t.char_space
                to.setCharSpace(space)
            if t.color != colour:
                colour = t.color
                to.setFillColorRGB(*colour)
            to.setTextOrigin(t.x, t.y)
            to.textLine(t.text)  # unlike textOut, no width measured for a cursor the next origin resets
        if space:
            to.setCharSpace(0)
        canvas.drawText(to)
        for t in bold:
            canvas.setLineWidth(t.size * 0.035)
            to = canvas.beginText(t.x, t.y)
            to.setFont(t.font, t.size)
            to.setCharSpace(t.char_space)
            if t.scale != 100.0:
                to.setHorizScale(t.scale)
            to.setFillColorRGB(*t.color)
            to.setStrokeColorRGB(*t.color)
            if t.bold:
                to.setTextRenderMode(2)
            to.textOut(t.text)
            if t.bold:
                to.setTextRenderMode(0)
            to.setCharSpace(0)
            if t.scale != 100.0:
                to.setHorizScale(100)
            canvas.drawText(to)
        if page.qr:
            payload, x, y, size = page.qr
            draw_qr(canvas, payload, x, y, size)
        canvas.showPage()


def notice_fonts(content: Mapping[str, Any]) -> dict[str, fontmod.FontChoice]:
    """The fonts a stored notice names, found again and checked (FontError if not identical)."""
    return {role: fontmod.from_stored(role, content["fonts"][role]) for role in fontmod.ROLES}


def new_canvas(target: Any, pagesize: tuple[float, float] = (L.PAGE_W, L.PAGE_H), title: str = "",
               font: str | None = None, author: str = "", created: dt.date | None = None) -> Any:
    """A deterministic canvas; ``font`` (a registered name) replaces the Helvetica reportlab would
    otherwise name, unembedded, on every page."""
    from reportlab import rl_config
    from reportlab.pdfgen.canvas import Canvas

    rl_config.useA85 = 0  # binary (Flate) streams: smaller files, no ASCII85 pass over every page
    c = Canvas(target, pagesize=pagesize, invariant=1, pageCompression=1,
               **({"initialFontName": font, "initialFontSize": 12} if font else {}))
    c.setCreator("StdAward")
    c.setProducer("StdAward (reportlab)")
    if title:
        c.setTitle(title)
    if author:
        c.setAuthor(author)
    if created is not None:  # the document's own date (成文日期), not the clock: reprints stay identical
        stamp = c._doc._timeStamp
        stamp.YMDhms = (created.year, created.month, created.day, 0, 0, 0)
        stamp.dhh, stamp.dmm = 8, 0  # China Standard Time
    return c


def write_atomically(out_path: Path, draw: Callable[[Any], None], step: str = "write") -> Path:
    """Call ``draw(file)`` on a temporary file beside ``out_path``, sync, then rename over it.

    A temporary file an earlier, interrupted write to the same name left (``.NAME.<pid>.part``) is
    removed first. A system error without a file name (a full disk while the PDF is flushed) is
    raised naming ``out_path``, so the officer is told which file could not be written. The fault
    points ``<step>:written``, ``synced`` and ``renamed`` are the test hook of
    ``desktop.core.faultpoints``."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    for stale in out_path.parent.glob(f".{glob_escape(out_path.name)}.*.part"):
        stale.unlink(missing_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.part")
    try:
        with open(tmp, "wb") as fh:
            draw(fh)
            fh.flush()
            fault_point(step, "written")
            os.fsync(fh.fileno())
        fault_point(step, "synced")
        os.replace(tmp, out_path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None and exc.errno is not None:
            raise OSError(exc.errno, exc.strerror or str(exc), str(out_path)) from exc
        raise
    fault_point(step, "renamed")
    if os.name != "nt":
        fd = os.open(out_path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return out_path


def glob_escape(name: str) -> str:
    """``name`` as a glob pattern matching only itself."""
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in name)


def render_notices(notices: Sequence[Mapping[str, Any]], out_path: Path | str, copy: str = "enterprise",
                   progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
                   fonts: Mapping[str, fontmod.FontChoice] | None = None, duplex: bool = False) -> Path:
    """Draw ``notices`` (each with ``content`` and ``content_hash``) into one PDF at ``out_path``.

    ``progress(done, total)`` is called after each notice; ``cancel()`` returning True stops the
    work (raises Cancelled; nothing is written). An item's ``mark`` (样稿, 作废) is printed on each of
    its pages, its ``qr`` (a signed statement) in its QR code. ``fonts`` overrides the fonts the notices name
    (only for previews; stored notices always render with their own). ``duplex`` pads a notice
    with an odd number of pages with a blank page, so that printed on both sides every notice
    starts on a fresh sheet. The PDF's author is the office, its title the 发文字号 and title (the
    first and last 发文字号 of a batch), its creation date the latest 成文日期."""
    if copy not in COPIES:
        raise ValueError(f"copy must be one of {COPIES}")
    total = len(notices)
    resolved: dict[str, dict[str, fontmod.FontChoice]] = {}
    chosen: list[Mapping[str, fontmod.FontChoice]] = []
    for item in notices:
        stored = item["content"]["fonts"]
        key = repr(sorted((r, v["sha256"], v["index"], v["bold"]) for r, v in stored.items()))
        if fonts is None and key not in resolved:
            resolved[key] = notice_fonts(item["content"])
        chosen.append(fonts if fonts is not None else resolved[key])
    check_glyphs([(item["content"], f) for item, f in zip(notices, chosen)])

    title, author, created = pdf_info(notices, copy)

    def draw(fh: Any) -> None:
        canvas = new_canvas(fh, title=title, font=fontmod.register(chosen[0]["body"]) if chosen else None,
                            author=author, created=created)
        V.prepare(total)
        V.prepare_statements(sum(1 for item in notices if item.get("qr")))
        for i, (item, f) in enumerate(zip(notices, chosen), start=1):
            if cancel is not None and cancel():
                raise Cancelled(_("cancelled: no file was written"))
            pages = layout_notice(item["content"], item["content_hash"], f, copy, item.get("mark"), item.get("qr"),
                                  item.get("trail", ()) if copy == "archive" else ())
            if duplex and len(pages) % 2:
                pages.append(Page())  # the back of the last sheet stays blank (no page number)
            draw_pages(canvas, pages)
            if progress is not None:
                progress(i, total)
        canvas.save()

    return write_atomically(Path(out_path), draw, step="notices" if copy == "enterprise" else copy)


def pdf_info(notices: Sequence[Mapping[str, Any]], copy: str = "enterprise") -> tuple[str, str, dt.date | None]:
    """(title, author, creation date) of a PDF of ``notices``: 城市监〔2026〕12号 关于下达…的通知."""
    contents = [n["content"] for n in notices]
    if not contents or all(c.get("layout", 1) < 2 for c in contents):  # as layout 1 printed them
        return "奖补通知书" + ("（存档联）" if copy == "archive" else ""), "", None
    first, last = contents[0], contents[-1]
    numbers = [c.get("doc_number") or "" for c in (first, last)]
    number = numbers[0] if len(contents) == 1 or numbers[0] == numbers[1] else f"{numbers[0]}至{numbers[1]}"
    title = f"{number} {first['text']['title']}".strip() + ("（存档联）" if copy == "archive" else "")
    created = max(dt.date.fromisoformat(c["issued_on"]) for c in contents)
    return title, first["office"].get("name") or "", created


def check_glyphs(batch: Iterable[tuple[Mapping[str, Any], Mapping[str, fontmod.FontChoice]]]) -> None:
    """Every character printed must be in its font: the texts of all the notices are checked
    together, one pass per font, so every missing glyph is reported (naming the character, the
    record and the field) before anything is drawn."""
    groups: dict[str, tuple[fontmod.FontChoice, list[tuple[str, str, str]]]] = {}
    for content, fonts in batch:
        for role, texts in (("body", C.body_texts(content)), ("heading", C.heading_texts(content))):
            groups.setdefault(fonts[role].rl_name, (fonts[role], []))[1].extend(texts)
    problems = []
    for font, items in groups.values():
        try:
            fontmod.check_texts(font, items)
        except ValidationFailed as exc:
            problems += exc.problems
    if problems:
        raise ValidationFailed(problems)
