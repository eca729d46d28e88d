"""Earlier layouts, kept unchanged so that a reprint draws exactly what was printed then.

Layout 1 (notices issued before justified setting and 版记): ``layout_notice_v1`` and ``wrap_v1``.
Layout 2 (justified setting, units kept whole, 版记): the page make-up is ``notice.layout_notice``'s,
only its line breaking is kept here, ``wrap_v2`` and ``justify_segments_v2``: a clause reference
was one unbreakable unit and a justified line was spread however loose that made it."""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from desktop.notices import content as C
from desktop.notices import fonts as fontmod
from desktop.notices import layout as L
from desktop.notices import notice as N


def _tokens_v1(text: str) -> list[str]:
    """Single characters, except runs of Latin letters/digits, which stay together."""
    out: list[str] = []
    pos = 0
    for m in L._WORD.finditer(text):
        out.extend(text[pos:m.start()])
        out.append(m.group())
        pos = m.end()
    out.extend(text[pos:])
    return out


@lru_cache(maxsize=16384)
def wrap_v1(text: str, font: str, size: float, width: float, char_space: float = 0.0,
         first_indent: float = 0.0) -> tuple[str, ...]:
    """Lines of ``text`` each at most ``width`` wide (the first ``first_indent`` narrower);
    memoised, since the same sentences recur on every notice."""
    tokens = _tokens_v1(text)
    wd = L.widths(font, size)
    # each token's width exactly as text_width computes it (a character: its advance + char_space)
    token_widths = [wd[t] + char_space if len(t) == 1 else L.text_width(t, font, size, char_space) for t in tokens]
    lines: list[str] = []
    cur: list[str] = []
    cur_w = 0.0
    limit = width - first_indent + 0.01
    for tok, w in zip(tokens, token_widths):
        if cur and cur_w + w > limit:
            if len(tok) > 1 and w > width:  # a word longer than a line: break it by characters
                for ch in tok:
                    cw = L.text_width(ch, font, size, char_space)
                    if cur and cur_w + cw > limit:
                        lines.append("".join(cur))
                        cur, cur_w, limit = [], 0.0, width + 0.01
                    cur.append(ch)
                    cur_w += cw
                continue
            carry: list[str] = []
            head = tok
            while head[0] in L.NO_LINE_START and len(cur) > 1:  # take the previous character down too
                carry.insert(0, cur.pop())
                head = carry[0]
            while len(cur) > 1 and cur[-1][-1] in L.NO_LINE_END:
                carry.insert(0, cur.pop())
            lines.append("".join(cur))
            cur = carry
            cur_w = sum(L.text_width(t, font, size, char_space) for t in cur)
            limit = width + 0.01
        cur.append(tok)
        cur_w += w
    if cur or not lines:
        lines.append("".join(cur))
    return tuple(lines)


class _FlowV1:
    """Places lines top to bottom on the type area, starting new pages as needed."""

    def __init__(self) -> None:
        self.pages: list[N.Page] = [N.Page()]
        self.y = L.AREA_TOP  # top of the next line slot

    @property
    def page(self) -> N.Page:
        return self.pages[-1]

    def room(self) -> int:
        return int((self.y - L.AREA_BOTTOM + 0.01) // L.LINE_PITCH)

    def new_page(self) -> None:
        self.pages.append(N.Page())
        self.y = L.AREA_TOP

    def line(self, text: str, font: str, size: float = L.BODY_SIZE, x: float = L.AREA_LEFT,
             align: str = "left", bold: bool = False, color: tuple[float, float, float] = N.BLACK,
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
            self.pages[-1].texts.append(N.Text(font, size, x, y - (pitch - size) / 2 - L.ASCENT * size, text, color,
                                             bold, cs))
        self.y = y - pitch

    def skip(self, lines: float = 1) -> None:
        self.y -= lines * L.LINE_PITCH

    def paragraph(self, text: str, font: str, indent_chars: int = 2) -> None:
        cs = L.body_char_space()
        indent = indent_chars * L.CHAR_PITCH
        for i, ln in enumerate(wrap_v1(text, font, L.BODY_SIZE, L.AREA_W, cs, indent)):
            self.line(ln, font, x=L.AREA_LEFT + (indent if i == 0 else 0))


def _fit_size(text: str, font: str, largest: float, width: float) -> float:
    w = L.text_width(text, font, largest)
    return largest if w <= width else largest * width / w


def layout_notice_v1(content: Mapping[str, Any], content_hash: str, fonts: Mapping[str, fontmod.FontChoice],
                     copy: str = "enterprise") -> list[Any]:
    """The pages of a layout-1 notice, exactly as they were drawn when it was issued."""

    body = fontmod.register(fonts["body"])
    head = fontmod.register(fonts["heading"])
    head_bold = fonts["heading"].bold
    t = content["text"]
    flow = _FlowV1()
    if copy == "archive":
        flow.line(C.ARCHIVE_MARK, head, align="right", bold=head_bold)
    # 版头: 发文机关标志, 35 mm below the top of the type area, red, centred
    name = content["office"]["name"]
    size = _fit_size(name, head, 36.0, L.AREA_W)
    top = L.AREA_TOP - L.HEADER_OFFSET
    w = L.text_width(name, head, size)
    flow.page.texts.append(N.Text(head, size, (L.AREA_LEFT + L.AREA_RIGHT - w) / 2, top - L.ASCENT * size, name,
                                L.RED, head_bold))
    flow.y = top - size - 2 * L.LINE_PITCH  # 发文字号 two blank lines below the authority's name
    flow.line(content.get("doc_number") or "", body, align="center")  # a draft has none
    rule_y = flow.y + (L.LINE_PITCH - L.BODY_SIZE) / 2 - L.RULE_GAP
    flow.page.rules.append((L.AREA_LEFT, rule_y, L.AREA_RIGHT, rule_y))
    flow.y = rule_y - 2 * L.LINE_PITCH  # title two blank lines below the red rule
    title_pitch = L.TITLE_SIZE * 1.5
    for ln in balanced_v1(t["title"], head, L.TITLE_SIZE, L.AREA_W):
        flow.line(ln, head, L.TITLE_SIZE, align="center", bold=head_bold, pitch=title_pitch)
    flow.skip(1)
    flow.line(t["recipient"], body)
    paragraphs = t["paragraphs"]
    for p in paragraphs[:-1]:
        flow.paragraph(p, body)
    # the closing line, then the signature block (seal room, office name, date) on one page
    cs = L.body_char_space()
    closing = wrap_v1(paragraphs[-1], body, L.BODY_SIZE, L.AREA_W, cs, 2 * L.CHAR_PITCH)
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
        N._page_number(page, n, body)
    N._verification(flow.pages[-1], len(flow.pages), content, content_hash, body)
    return flow.pages


def balanced_v1(text: str, font: str, size: float, width: float) -> list[str]:
    """Title lines of even length (GB/T 9704: 回行时排列对称), never one orphaned character."""
    lines = wrap_v1(text, font, size, width)
    if len(lines) > 1:
        target = L.text_width(text, font, size) / len(lines) + size
        lines = wrap_v1(text, font, size, min(width, target))
    return list(lines)




# Layout 2: the units and the breaker as they were (layout.py has layout 3's)
_UNIT_PATTERNS_V2 = (
    r"人民币[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+",
    r"[\u4e00-\u9fff]{1,6}[〔\[]\d{4}[〕\]]\d+号",
    r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?|度)?",
    r"第[一二三四五六七八九十百零]+条(?:第（[一二三四五六七八九十]+）项)?(?:第\d+目)?",
    r"[一二三四五六七八九十]+[（(][一二三四五六七八九十]+[）)]\d*",
    r"第[一二三四五六七八九十百零\d]+[项目位条]?",
    r"¥?\d[\d,]*(?:\.\d+)?元",
    r"¥?[A-Za-z0-9][A-Za-z0-9./\-+_:,]*(?: \d[A-Za-z0-9./\-+_:,]*)?",
)
_UNIT_V2 = re.compile("|".join(_UNIT_PATTERNS_V2))
_UNIT_NO_DOC_V2 = re.compile("|".join(p for p in _UNIT_PATTERNS_V2 if "〔" not in p))
_LATIN_V2 = re.compile(_UNIT_PATTERNS_V2[-1])


def units_v2(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    for m in (_UNIT_V2 if ("〔" in text or "[" in text) else _UNIT_NO_DOC_V2).finditer(text):
        out.extend(text[pos:m.start()])
        out.append(m.group())
        pos = m.end()
    out.extend(text[pos:])
    return out


@lru_cache(maxsize=16384)
def wrap_v2(text: str, font: str, size: float, width: float, char_space: float = 0.0,
            first_indent: float = 0.0) -> tuple[str, ...]:
    """Layout 2's lines of ``text`` (see ``layout.wrap``): a clause reference never broken."""
    tokens = units_v2(text)
    wd = L.widths(font, size)
    token_widths = [wd[t] + char_space if len(t) == 1 else L.text_width(t, font, size, char_space) for t in tokens]
    lines: list[str] = []
    cur: list[str] = []
    cur_w = 0.0
    limit = width - first_indent + 0.01
    for tok, w in zip(tokens, token_widths):
        if cur and cur_w + w > limit:
            if len(tok) == 1 and tok in L.NO_LINE_START and cur_w + w - char_space <= limit + L.SQUEEZE * size:
                cur.append(tok)
                cur_w += w
                continue
            if len(tok) > 1 and w > width:
                for ch in tok:
                    cw = L.text_width(ch, font, size, char_space)
                    if cur and cur_w + cw > limit:
                        lines.append("".join(cur))
                        cur, cur_w, limit = [], 0.0, width + 0.01
                    cur.append(ch)
                    cur_w += cw
                continue
            carry: list[str] = []
            head = tok
            while head[0] in L.NO_LINE_START and len(cur) > 1:
                carry.insert(0, cur.pop())
                head = carry[0]
            while len(cur) > 1 and cur[-1][-1] in L.NO_LINE_END:
                carry.insert(0, cur.pop())
            lines.append("".join(cur))
            cur = carry
            cur_w = sum(L.text_width(t, font, size, char_space) for t in cur)
            limit = width + 0.01
        cur.append(tok)
        cur_w += w
    if cur or not lines:
        lines.append("".join(cur))
    return tuple(lines)


def justify_segments_v2(line: str, font: str, size: float, width: float, char_space: float = 0.0
                        ) -> list[tuple[float, str, float]]:
    """Layout 2's justified line (see ``layout.justify_segments``): spread to the measure however
    loose that makes it."""
    runs = [m for m in _LATIN_V2.finditer(line) if m.end() - m.start() > 1]
    if not runs:
        return [(0.0, line, L.justify(line, font, size, width))]
    tokens: list[str] = []
    tight: list[bool] = []
    pos = 0
    for m in runs:
        tokens += line[pos:m.start()]
        tight += [False] * (m.start() - pos)
        tokens.append(m.group())
        tight.append(True)
        pos = m.end()
    tokens += line[pos:]
    tight += [False] * (len(line) - pos)
    gaps = len(line) - 1 - sum(len(t) - 1 for t, k in zip(tokens, tight) if k)
    natural = L._advance(line, font, size) + char_space * (len(line) - 1)
    extra = (width - natural) / gaps if gaps > 0 else 0.0
    loose = char_space + extra
    out: list[tuple[float, str, float]] = []
    x = 0.0
    run = ""
    for tok, k in zip(tokens, tight):
        if not k:
            run += tok
            continue
        if run:
            out.append((x, run, loose))
            x += L._advance(run, font, size) + loose * len(run)
            run = ""
        out.append((x, tok, char_space))
        x += L._advance(tok, font, size) + char_space * (len(tok) - 1) + loose
    if run:
        out.append((x, run, loose))
    return out
