"""Page geometry of GB/T 9704-2012 and Chinese line breaking.

A4 (210 × 297 mm); top margin 37 mm, left margin 28 mm; type area (版心) 156 × 225 mm holding
22 lines of 28 characters of 3号 (16 pt) text, so the line pitch is 225/22 mm and the character
pitch 156/28 mm (a hair under 16 pt: the text is set with a small negative character spacing).
Page numbers are 4号 (14 pt) "— 1 —", 7 mm below the type area, odd pages at the right and even
pages at the left, one character in from the edge.

``wrap`` breaks text into lines by measured width, never starting a line with closing punctuation
(，。、）》 …) nor ending one with opening punctuation (（《 …), and keeping runs of Latin letters and
digits (standard numbers such as GB/T 12345-2024, amounts) together where they fit.

This is layout 3 (``content.LAYOUT_VERSION``): a clause reference may break between its parts
(第四条 | 第（三）项 | 第1目, never inside one), and ``justify_segments`` spreads a line by at most
``JUSTIFY_CAP`` em per gap: a line that would need more (the next unit is long and unbreakable, an
amount in capitals or a standard number) is set flush left at its natural spacing instead. Layouts
1 and 2 keep their own breakers in ``legacy`` so that notices issued with them reprint identically.
"""
from __future__ import annotations

import re
from functools import lru_cache

from reportlab.lib.pagesizes import A4, landscape

MM = 72.0 / 25.4
PAGE_W, PAGE_H = A4
TOP_MARGIN = 37 * MM
LEFT_MARGIN = 28 * MM
AREA_W = 156 * MM
AREA_H = 225 * MM
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
LINE_PITCH = AREA_H / LINES_PER_PAGE
CHAR_PITCH = AREA_W / CHARS_PER_LINE
AREA_TOP = PAGE_H - TOP_MARGIN  # y of the type area's top edge (PDF points, origin bottom-left)
AREA_BOTTOM = AREA_TOP - AREA_H
AREA_LEFT = LEFT_MARGIN
AREA_RIGHT = LEFT_MARGIN + AREA_W

BODY_SIZE = 16.0  # 3号
TITLE_SIZE = 22.0  # 2号
PAGE_NO_SIZE = 14.0  # 4号
PAGE_NO_GAP = 7 * MM  # 一字线上距版心下边缘 7 mm
HEADER_OFFSET = 35 * MM  # 发文机关标志上边缘至版心上边缘 35 mm
RULE_GAP = 4 * MM  # 发文字号之下 4 mm 处印红色分隔线
RED = (0.86, 0.0, 0.0)  # 版头 red (the standard says red; PANTONE 185C-like on screen)
ASCENT = 0.86  # fraction of the em above the baseline for CJK faces (em box centred in the line)

LANDSCAPE = landscape(A4)

NO_LINE_START = frozenset("，。、：；！？）》」』”’〕】…—％,.;:!?)]}%·")
NO_LINE_END = frozenset("（《「『“‘〔【¥([{")
_WORD = re.compile(r"¥?[A-Za-z0-9][A-Za-z0-9./\-+_:,]*")  # layout 1 (legacy)


def body_char_space(size: float = BODY_SIZE) -> float:
    """Extra spacing per character so 28 full-width characters fill the 156 mm line exactly."""
    return CHAR_PITCH - size if size == BODY_SIZE else 0.0


class _Widths(dict):
    """Advance widths of single characters in one font and size, measured once each."""

    def __init__(self, font: str, size: float) -> None:
        super().__init__()
        self.font, self.size = font, size

    def __missing__(self, ch: str) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        w = self[ch] = stringWidth(ch, self.font, self.size)
        return w


_widths: dict[tuple[str, float], _Widths] = {}


def widths(font: str, size: float) -> _Widths:
    table = _widths.get((font, size))
    if table is None:
        table = _widths[(font, size)] = _Widths(font, size)
    return table


def char_width(font: str, size: float, ch: str) -> float:
    return widths(font, size)[ch]


def text_width(text: str, font: str, size: float, char_space: float = 0.0) -> float:
    if len(text) == 1:
        return widths(font, size)[text] + char_space  # the same float as the general sum below
    return _advance(text, font, size) + char_space * len(text)


@lru_cache(maxsize=65536)
def _advance(text: str, font: str, size: float) -> float:
    """Sum of the characters' advance widths (memoised: signatures, dates and titles recur)."""
    w = widths(font, size)
    return sum([w[ch] for ch in text])


# Units that a line never breaks inside (GB/T 9704 text reads them as one word): an amount in
# capitals (人民币贰万壹仟元整), an amount in figures with its 元, a 发文字号 (莆城政〔2021〕88号), a date
# (2026年11月22日, 2026年度), each part of a clause reference (第五条, 第（二）项, 第2目: a long
# reference breaks between its parts as a typesetter breaks it, never inside one), a short clause
# (五(二)2), and a standard number, a committee's number or any run of Latin letters and digits,
# with inner spaces before digits (GB/T 3280-2025, IEC 62368-3:2025, ISO/IEC 27001:2022,
# SAC/TC 28/SC 9/WG 3).
_UNIT_PATTERNS = (
    r"人民币[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+",
    r"[\u4e00-\u9fff]{1,6}[〔\[]\d{4}[〕\]]\d+号",
    r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?|度)?",
    r"第[（(][一二三四五六七八九十]+[）)]项",
    r"[一二三四五六七八九十]+[（(][一二三四五六七八九十]+[）)]\d*",
    r"第[一二三四五六七八九十百零\d]+[项目位条]?",
    r"¥?\d[\d,]*(?:\.\d+)?元",
    r"¥?[A-Za-z0-9][A-Za-z0-9./\-+_:,]*(?: \d[A-Za-z0-9./\-+_:,]*)*",
)
_UNIT = re.compile("|".join(_UNIT_PATTERNS))
_UNIT_NO_DOC = re.compile("|".join(p for p in _UNIT_PATTERNS if "〔" not in p))  # the same, fast, without 〔
JUSTIFY_CAP = 0.5  # the most a justified line is spread: half an em per gap (JIS X 4051's limit
# for 字间 expansion); a line that would need more is set flush left
SQUEEZE = 0.5  # a closing mark may be squeezed into a full line by up to half an em (挤进) before
# the last character is pushed down with it (推出)


def units(text: str) -> list[str]:
    """The text as breakable pieces: single characters, and the unbreakable units above whole."""
    out: list[str] = []
    pos = 0
    for m in (_UNIT if ("〔" in text or "[" in text) else _UNIT_NO_DOC).finditer(text):
        out.extend(text[pos:m.start()])
        out.append(m.group())
        pos = m.end()
    out.extend(text[pos:])
    return out



@lru_cache(maxsize=16384)
def wrap(text: str, font: str, size: float, width: float, char_space: float = 0.0,
         first_indent: float = 0.0) -> tuple[str, ...]:
    """Lines of ``text`` each at most ``width`` wide (the first ``first_indent`` narrower), by the
    CJK line-breaking rules (禁则): no line starts with a closing mark (，。、）》 …) nor ends with an
    opening one (（《 …); a closing mark that does not fit is squeezed in by up to half an em, else
    the character before it goes down with it; units (``units``) are never split unless a unit
    alone is longer than a line; a space where a line breaks is dropped. A line may come out up to
    ``SQUEEZE`` em wider than ``width``: ``justify`` sets it to the measure. Memoised: the same
    sentences recur on every notice."""
    tokens = units(text)
    wd = widths(font, size)
    # each token's width exactly as text_width computes it (a character: its advance + char_space)
    token_widths = [wd[t] + char_space if len(t) == 1 else text_width(t, font, size, char_space) for t in tokens]
    lines: list[str] = []
    cur: list[str] = []
    cur_w = 0.0
    limit = width - first_indent + 0.01
    for tok, w in zip(tokens, token_widths):
        if cur and cur_w + w > limit:
            if len(tok) == 1 and tok in NO_LINE_START and cur_w + w - char_space <= limit + SQUEEZE * size:
                cur.append(tok)  # 挤进: the closing mark stays on this line, the spacing tightens
                cur_w += w
                continue
            if len(tok) > 1 and w > width:  # a unit longer than a line: break it by characters
                for ch in tok:
                    cw = text_width(ch, font, size, char_space)
                    if cur and cur_w + cw > limit:
                        lines.append("".join(cur))
                        cur, cur_w, limit = [], 0.0, width + 0.01
                    cur.append(ch)
                    cur_w += cw
                continue
            carry: list[str] = []
            head = tok
            while head[0] in NO_LINE_START and len(cur) > 1:  # take the previous piece down too
                carry.insert(0, cur.pop())
                head = carry[0]
            while len(cur) > 1 and cur[-1][-1] in NO_LINE_END:
                carry.insert(0, cur.pop())
            lines.append("".join(cur))
            cur = carry
            cur_w = sum(text_width(t, font, size, char_space) for t in cur)
            limit = width + 0.01
        cur.append(tok)
        cur_w += w
    if cur or not lines:
        lines.append("".join(cur))
    if len(lines) > 1 and " " in text:  # a space where a line breaks is not set: it would show as a gap
        last = len(lines) - 1
        lines = [ln.rstrip(" ") if i < last else ln for i, ln in enumerate(lines)]
        lines = [ln.lstrip(" ") if i else ln for i, ln in enumerate(lines)]
        lines = [ln for ln in lines if ln] or [""]
    return tuple(lines)


_LATIN = re.compile(_UNIT_PATTERNS[-1])


def justify_segments(line: str, font: str, size: float, width: float, char_space: float = 0.0
                     ) -> list[tuple[float, str, float]]:
    """A justified line as (x offset, text, character spacing) pieces: the extra space goes between
    Chinese characters and around units, never inside a run of Latin letters and digits (a
    standard number or an amount in figures is not letter-spaced). One piece when the line has no
    such run. A line that would be spread by more than ``JUSTIFY_CAP`` em per gap is one piece at
    ``char_space``: set flush left (ragged), not letter-spaced apart."""
    runs = [m for m in _LATIN.finditer(line) if m.end() - m.start() > 1]
    if not runs:
        space = justify(line, font, size, width)
        return [(0.0, line, space if space - char_space <= JUSTIFY_CAP * size else char_space)]
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
    natural = _advance(line, font, size) + char_space * (len(line) - 1)
    extra = (width - natural) / gaps if gaps > 0 else 0.0
    if extra > JUSTIFY_CAP * size:  # too loose to spread: flush left, the natural spacing
        return [(0.0, line, char_space)]
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
            x += _advance(run, font, size) + loose * len(run)
            run = ""
        out.append((x, tok, char_space))
        x += _advance(tok, font, size) + char_space * (len(tok) - 1) + loose
    if run:
        out.append((x, run, loose))
    return out


def justify(line: str, font: str, size: float, width: float) -> float:
    """The character spacing that sets ``line`` exactly to ``width`` (两端对齐): its first glyph at
    the left edge, its last glyph's advance ending at the right edge."""
    n = len(line)
    if n < 2:
        return 0.0
    return (width - _advance(line, font, size)) / (n - 1)
