"""Where a wrapped label may break its line: a status line of several parts (「2025 年度批次 · 政策 ·
已批准 · 经办：张小明 (xm)」) wraps between its parts, never inside a 发文字号, a name or a date.

Qt breaks a line at a space and between two Chinese characters; a part is kept whole by joining its
characters with WORD JOINER (U+2060, zero width, drawn as nothing) and its spaces made no-break
spaces. A part too long for any line (a policy's forty-character title) keeps only its 发文字号
whole: ``keep_whole(text, free=(title,))``.
"""
from __future__ import annotations

import re

JOIN = "\u2060"  # WORD JOINER: no break here
NBSP = "\u00a0"
SEPARATOR = " · "
# a 发文字号, bare or in brackets: 莆城政〔2021〕88号, （闽政〔2019〕1号）
DOC_NUMBER = re.compile(r"[（(]?[\u4e00-\u9fff]+〔\d{4}〕\d+号[）)]?")


def _breakable(a: str, b: str) -> bool:
    """Whether Qt could break between ``a`` and ``b`` without a space (ideographs, full-width
    punctuation, a slash or a hyphen)."""
    return ord(a) >= 0x2E80 or ord(b) >= 0x2E80 or a in "/-—~·" or b in "/-—~·"


def unbroken(text: str) -> str:
    """``text`` that a wrapped label never breaks."""
    if len(text) < 2:
        return text
    out = [text[0]]
    for a, b in zip(text, text[1:], strict=False):
        if b == " ":
            continue
        if a == " ":
            out.append(NBSP)
        elif _breakable(a, b):
            out.append(JOIN)
        out.append(b)
    return "".join(out)


def keep_doc_numbers(text: str) -> str:
    """``text`` free to wrap, but not inside a 发文字号."""
    return DOC_NUMBER.sub(lambda m: unbroken(m.group(0)), text)


def keep_whole(text: str, free: tuple[str, ...] = (), separator: str = SEPARATOR) -> str:
    """``text`` of parts joined by ``separator``, each part made unbreakable except those containing
    one of ``free`` (too long to keep on one line), which keep only their 发文字号 whole. Each line
    of a text of several lines is treated alike."""
    def part(p: str) -> str:
        return keep_doc_numbers(p) if any(f and f in p for f in free) else unbroken(p)

    return "\n".join(separator.join(part(p) for p in line.split(separator)) for line in text.split("\n"))


_CLAUSES = re.compile(r"(，|；|, |; )")  # where a sentence of several clauses may break: after its commas


def whole_clauses(text: str) -> str:
    """``text`` wrapping only after the commas between its clauses (「已下达 ¥120,000.00，已拨付
    ¥80,000.00，未拨付 ¥40,000.00」 never breaks inside 「未拨付」 or an amount)."""
    return "".join(p if _CLAUSES.fullmatch(p) else unbroken(p) for p in _CLAUSES.split(text))


def plain(text: str) -> str:
    """What ``unbroken`` made of a text, read back as typed (for comparisons and tooltips)."""
    return text.replace(JOIN, "").replace(NBSP, " ")
