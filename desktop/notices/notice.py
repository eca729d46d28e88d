"""Drawing official award notices (奖补通知书) with reportlab, after GB/T 9704-2012.

``render_notices(notices, out_path, copy="enterprise", progress=None, cancel=None)`` draws each
notice (a mapping with ``content`` and ``content_hash``, as stored in ``Notice`` rows) into one
PDF; every notice starts on a new page and numbers its own pages "— 1 —". ``copy="archive"``
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

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from desktop.core.errors import StdAwardError, ValidationFailed
from desktop.core.progress import Cancelled  # noqa: F401 - raised here, caught by callers
from desktop.core.i18n import _
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


@dataclass
class Page:
    texts: list[Text] = field(default_factory=list)
    rules: list[tuple[float, float, float, float]] = field(default_factory=list)  # red rules
    qr: tuple[str, float, float, float] | None = None  # payload, x, y, size


class _Flow:
    """Places lines top to bottom on the type area, starting new pages as needed."""

    def __init__(self) -> None:
        self.pages: list[Page] = [Page()]
        self.y = L.AREA_TOP  # top of the next line slot

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def room(self) -> int:
        return int((self.y - L.AREA_BOTTOM + 0.01) // L.LINE_PITCH)

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = L.AREA_TOP

    def line(self, text: str, font: str, size: float = L.BODY_SIZE, x: float = L.AREA_LEFT,
             align: str = "left", bold: bool = False, color: tuple[float, float, float] = BLACK,
             pitch: float = L.LINE_PITCH, right: float = L.AREA_RIGHT) -> None:
        y = self.y
        if y - pitch < L.AREA_BOTTOM - 0.01:
            self.new_page()
            y = self.y
        cs = L.body_char_space(size)
        if align != "left":
            w = L.text_width(text, font, size, cs) - cs
            x = (L.AREA_LEFT + L.AREA_RIGHT - w) / 2 if align == "center" else right - w
        if text:
            self.pages[-1].texts.append(Text(font, size, x, y - (pitch - size) / 2 - L.ASCENT * size, text, color,
                                             bold, cs))
        self.y = y - pitch

    def skip(self, lines: float = 1) -> None:
        self.y -= lines * L.LINE_PITCH

    def paragraph(self, text: str, font: str, indent_chars: int = 2) -> None:
        cs = L.body_char_space()
        indent = indent_chars * L.CHAR_PITCH
        for i, ln in enumerate(L.wrap(text, font, L.BODY_SIZE, L.AREA_W, cs, indent)):
            self.line(ln, font, x=L.AREA_LEFT + (indent if i == 0 else 0))


def _fit_size(text: str, font: str, largest: float, width: float) -> float:
    w = L.text_width(text, font, largest)
    return largest if w <= width else largest * width / w


def layout_notice(content: Mapping[str, Any], content_hash: str, fonts: Mapping[str, fontmod.FontChoice],
                  copy: str = "enterprise", mark: str | None = None) -> list[Page]:
    """The pages of one notice (positions in PDF points), ready to draw. ``mark`` (样稿 for a draft,
    作废 for a void notice's reprint) is printed large and red at the top of every page. A draft has
    no 发文字号 and no verification code."""
    body = fontmod.register(fonts["body"])
    head = fontmod.register(fonts["heading"])
    head_bold = fonts["heading"].bold
    t = content["text"]
    flow = _Flow()
    if copy == "archive":
        flow.line(C.ARCHIVE_MARK, head, align="right", bold=head_bold)
    # 版头: 发文机关标志, 35 mm below the top of the type area, red, centred
    name = content["office"]["name"]
    size = _fit_size(name, head, 36.0, L.AREA_W)
    top = L.AREA_TOP - L.HEADER_OFFSET
    w = L.text_width(name, head, size)
    flow.page.texts.append(Text(head, size, (L.AREA_LEFT + L.AREA_RIGHT - w) / 2, top - L.ASCENT * size, name,
                                L.RED, head_bold))
    flow.y = top - size - 2 * L.LINE_PITCH  # 发文字号 two blank lines below the authority's name
    flow.line(content.get("doc_number") or "", body, align="center")
    rule_y = flow.y + (L.LINE_PITCH - L.BODY_SIZE) / 2 - L.RULE_GAP
    flow.page.rules.append((L.AREA_LEFT, rule_y, L.AREA_RIGHT, rule_y))
    flow.y = rule_y - 2 * L.LINE_PITCH  # title two blank lines below the red rule
    title_pitch = L.TITLE_SIZE * 1.5
    for ln in balanced(t["title"], head, L.TITLE_SIZE, L.AREA_W):
        flow.line(ln, head, L.TITLE_SIZE, align="center", bold=head_bold, pitch=title_pitch)
    flow.skip(1)
    flow.line(t["recipient"], body)
    paragraphs = t["paragraphs"]
    for p in paragraphs[:-1]:
        flow.paragraph(p, body)
    # the closing line, then the signature block (seal room, office name, date) on one page
    cs = L.body_char_space()
    closing = L.wrap(paragraphs[-1], body, L.BODY_SIZE, L.AREA_W, cs, 2 * L.CHAR_PITCH)
    if flow.room() < len(closing) + 4:
        flow.new_page()
    flow.paragraph(paragraphs[-1], body)
    flow.skip(2)
    date_right = L.AREA_RIGHT - 4 * L.CHAR_PITCH
    date_w = L.text_width(t["date"], body, L.BODY_SIZE, cs) - cs
    centre = date_right - date_w / 2
    sig_w = L.text_width(t["signature"], body, L.BODY_SIZE, cs) - cs
    sig_right = min(L.AREA_RIGHT, centre + sig_w / 2)
    flow.line(t["signature"], body, align="right", right=sig_right)
    flow.line(t["date"], body, align="right", right=date_right)
    if copy == "archive" and t["archive_notes"]:
        flow.skip(1)
        flow.line(C.ARCHIVE_HEADING, head, bold=head_bold)
        for note in t["archive_notes"]:
            flow.paragraph(note, body)
    for n, page in enumerate(flow.pages, start=1):
        _page_number(page, n, body)
        if mark:
            _mark(page, mark, head)
    if content.get("notice") and content.get("doc_number"):
        _verification(flow.pages[-1], len(flow.pages), content, content_hash, body)
    return flow.pages


MARK_SIZE = 26.0


def _mark(page: Page, text: str, font: str) -> None:
    """样稿 / 作废 in red in the top margin, right-aligned to the type area, spaced out."""
    space = MARK_SIZE / 2
    w = L.text_width(text, font, MARK_SIZE, space) - space
    y = L.AREA_TOP + 4 * L.MM
    page.texts.append(Text(font, MARK_SIZE, L.AREA_RIGHT - w, y, text, L.RED, False, space))


def balanced(text: str, font: str, size: float, width: float) -> list[str]:
    """Title lines of even length (GB/T 9704: 回行时排列对称), never one orphaned character."""
    lines = L.wrap(text, font, size, width)
    if len(lines) > 1:
        target = L.text_width(text, font, size) / len(lines) + size
        lines = L.wrap(text, font, size, min(width, target))
    return lines


def _page_number(page: Page, n: int, font: str) -> None:
    """"— n —" 4号, 7 mm below the type area; odd pages right, even pages left, one character in."""
    text = f"— {n} —"
    size = L.PAGE_NO_SIZE
    w = L.text_width(text, font, size)
    y = L.AREA_BOTTOM - L.PAGE_NO_GAP - L.ASCENT * size
    x = L.AREA_RIGHT - size - w if n % 2 else L.AREA_LEFT + size
    page.texts.append(Text(font, size, x, y, text))


QR_SIZE = 18 * L.MM


def _verification(page: Page, n: int, content: Mapping[str, Any], chash: str, font: str) -> None:
    code = verification_code(content["notice"], chash)
    y = L.AREA_BOTTOM - 3 * L.MM - QR_SIZE
    lines = [f"核验码 {code}", content["doc_number"]]
    size = 9.0
    if n % 2:  # page number at the right: the mark at the left
        x = L.AREA_LEFT
        tx = x + QR_SIZE + 2 * L.MM
        page.texts += [Text(font, size, tx, y + QR_SIZE - 8 - i * 12, ln) for i, ln in enumerate(lines)]
    else:
        x = L.AREA_RIGHT - QR_SIZE
        for i, ln in enumerate(lines):
            w = L.text_width(ln, font, size)
            page.texts.append(Text(font, size, x - 2 * L.MM - w, y + QR_SIZE - 8 - i * 12, ln))
    page.qr = (qr_payload(content["notice"], chash), x, y, QR_SIZE)


def page_texts(pages: Iterable[Page]) -> list[str]:
    return [t.text for p in pages for t in p.texts]


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
        to = canvas.beginText()
        font: tuple[str, float] | None = None
        colour: tuple[float, float, float] | None = None
        space = 0.0
        bold = []
        for t in page.texts:
            if t.bold:
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
            to.setFillColorRGB(*t.color)
            to.setStrokeColorRGB(*t.color)
            to.setTextRenderMode(2)
            to.textOut(t.text)
            to.setTextRenderMode(0)
            to.setCharSpace(0)
            canvas.drawText(to)
        if page.qr:
            payload, x, y, size = page.qr
            draw_qr(canvas, payload, x, y, size)
        canvas.showPage()


def notice_fonts(content: Mapping[str, Any]) -> dict[str, fontmod.FontChoice]:
    """The fonts a stored notice names, found again and checked (FontError if not identical)."""
    return {role: fontmod.from_stored(role, content["fonts"][role]) for role in fontmod.ROLES}


def new_canvas(target: Any, pagesize: tuple[float, float] = (L.PAGE_W, L.PAGE_H), title: str = "",
               font: str | None = None) -> Any:
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
    return c


def write_atomically(out_path: Path, draw: Callable[[Any], None]) -> Path:
    """Call ``draw(file)`` on a temporary file beside ``out_path``, sync, then rename over it."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.part")
    try:
        with open(tmp, "wb") as fh:
            draw(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if os.name != "nt":
        fd = os.open(out_path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return out_path


def render_notices(notices: Sequence[Mapping[str, Any]], out_path: Path | str, copy: str = "enterprise",
                   progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
                   fonts: Mapping[str, fontmod.FontChoice] | None = None) -> Path:
    """Draw ``notices`` (each with ``content`` and ``content_hash``) into one PDF at ``out_path``.

    ``progress(done, total)`` is called after each notice; ``cancel()`` returning True stops the
    work (raises Cancelled; nothing is written). An item's ``mark`` (样稿, 作废) is printed on each of
    its pages. ``fonts`` overrides the fonts the notices name
    (only for previews; stored notices always render with their own)."""
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

    def draw(fh: Any) -> None:
        title = "奖补通知书" + ("（存档联）" if copy == "archive" else "")
        canvas = new_canvas(fh, title=title, font=fontmod.register(chosen[0]["body"]) if chosen else None)
        V.prepare(total)
        for i, (item, f) in enumerate(zip(notices, chosen), start=1):
            if cancel is not None and cancel():
                raise Cancelled(_("cancelled: no file was written"))
            draw_pages(canvas, layout_notice(item["content"], item["content_hash"], f, copy, item.get("mark")))
            if progress is not None:
                progress(i, total)
        canvas.save()

    return write_atomically(Path(out_path), draw)


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
