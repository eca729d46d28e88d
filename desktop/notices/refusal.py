"""不予奖补告知书: the letter telling an enterprise which of its claims in an approved round are not
paid, and why, in the layout of the award notices (GB/T 9704: red issuing-authority header, title,
主送, body on the 3号 grid, signature over the 成文日期, page numbers).

``build_refusals(groups, office, policy, issued_on, year, fonts, words)`` makes one content mapping
per enterprise (each line: the achievement, the reason in the words the engine gave, the clause
cited and quoted from the policy text); ``render_refusals(contents, out)`` draws them into one PDF
with ``notice.render_notices``. A letter carries a 发文字号 only when the office gives one.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.notices import content as C

LAYOUT = C.LAYOUT_VERSION  # drawn by notice.layout_notice with the current line breaking
DUPLICATE_REASON = "该成果已在以往或本批次申报中获得（或拟获得）奖补，一次性奖补不重复享受。"
DEFAULT_DAYS = 15  # working days to ask for a review (the office's wording may say otherwise)


@dataclass(frozen=True)
class RefusedLine:
    """One claim that is not paid: the achievement (its description), the engine's words, the clause
    and the literal policy text it cites (empty when the claim matched no clause)."""

    achievement: str
    description: str
    status: str  # not_eligible | duplicate
    explanation: str
    clause: str
    clause_text: str


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。；！？" else text + "。"


def _duplicate_clause(description: str, explanation: str) -> str | None:
    """The engine's duplicate explanation as the rest of the claim's sentence, naming the achievement
    once: 「重复申报：与本企业已申报的同一成果（《题名》编号）重复，…」 after a description that already
    names 《题名》（编号） (or the same number under a title typed otherwise) becomes
    「与本企业已申报的同一成果重复，…」. None when the explanation is
    worded otherwise (an office's own labels): the caller then quotes it whole."""
    text = explanation.strip()
    for head in ("重复申报：", "重复申报:"):
        if text.startswith(head):
            text = text[len(head):].strip()
    if not text.startswith("与"):
        return None
    named = re.search(r"同一成果（(.*)）重复", text)
    if named:
        def bare(t: str) -> str:
            return re.sub(r"[\s（）()]", "", t)
        what = bare(named.group(1))
        number = re.split(r"[》，,]", what)[-1]  # 《题名》编号 or 名称，编号: the same number is the same achievement
        if what and (what in bare(description) or (number != what and number and number in bare(description))):
            text = text[:named.start()] + "同一成果重复" + text[named.end():]
    return text


def line_text(n: int, line: RefusedLine, short: str) -> list[str]:
    """The paragraph of one refused claim: （一）描述，理由。依据《意见》第四条第（三）项第1目：“原文”。
    A duplicate reads 「（一）描述，与本企业已申报的同一成果重复，一次性奖补不重复给予。」, the achievement
    named once (in the description). The citation follows in the same paragraph: layout 3 breaks a
    clause reference between its 条, 项 and 目, so no line before it is left short. (Letters of layout
    2 set the citation as a paragraph of its own; they keep the paragraphs stored in their content and
    reprint as they were.)"""
    head = f"（{C.chinese_number(n)}）{line.description}"
    if line.status == "duplicate":
        rest = _duplicate_clause(line.description, line.explanation) if line.explanation else None
        if rest is not None:
            text = _sentence(f"{head}，{rest}")
        else:
            text = f"{head}。{DUPLICATE_REASON}" + (_sentence(f"审核意见：{line.explanation}") if line.explanation
                                                   else "")
    else:
        text = f"{head}。" + _sentence(f"审核意见：{line.explanation}")
    if line.clause:
        cited = C.cite_clause(line.clause, short)
        text += f"依据{cited}：“{line.clause_text}”。" if line.clause_text else f"依据{cited}。"
    return [text]


def build_refusals(groups: Sequence[tuple[str, str, Sequence[RefusedLine]]], office: Mapping[str, Any],
                   policy: Mapping[str, Any], issued_on: dt.date, year: int, fonts: Mapping[str, Any],
                   days: int | None = None, contact: str = "", doc_number: str | None = None,
                   round_uuid: str | None = None, wording: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """One letter's content per (uscc, name, lines) group, in the order given. ``wording``: the
    office's texts (``public_wording``; the defaults where it is silent), kept in the content with
    its version so a reprint is the same text; ``days`` overrides its working days for a review."""
    from desktop.notices import public_wording as PW

    words = PW.merged(wording)
    days = days or int(words["letter_days"])
    title = policy.get("title") or policy.get("id") or ""
    short = C.short_title(title)
    number = policy.get("document_number")
    if short != title:
        cited = f"《{title}》（{number}，以下简称《{short}》）" if number else f"《{title}》（以下简称《{short}》）"
    else:
        cited = f"《{title}》（{number}）" if number else f"《{title}》"
    settings = office.get("settings") or {}
    reach = "，".join(x for x in (settings.get("contact") or "", settings.get("phone") or "") if x) or contact
    out = []
    for uscc, name, lines in groups:
        paragraphs = [PW.render(words["letter_opening"], year=year, policy=cited, count=len(lines))]
        for i, ln in enumerate(lines, start=1):
            paragraphs += line_text(i, ln, short)
        paragraphs.append(PW.render(words["letter_review"], days=days, office=office["name"])
                          + (PW.render(words["letter_contact"], contact=reach) if reach else ""))
        paragraphs.append(PW.render(words["letter_closing"]))
        out.append({
            "format": C.FORMAT, "layout": LAYOUT, "kind": "refusal", "round": round_uuid, "year": year,
            "issued_on": issued_on.isoformat(),
            "office": {k: office.get(k) for k in ("uuid", "name", "region", "doc_prefix", "signatory")},
            "recipient": {"uscc": uscc, "name": name},
            "policy": {k: policy.get(k) for k in ("id", "title", "document_number", "content_hash")},
            "lines": [{"achievement": ln.achievement, "status": ln.status, "clause": ln.clause} for ln in lines],
            "doc_number": doc_number,
            "fonts": dict(fonts),
            "wording": {"version": (wording or {}).get("version", 0),
                        **{k: words[k] for k in ("letter_opening", "letter_review", "letter_contact", "letter_closing")},
                        "letter_days": days},
            "text": {"title": f"{year}年度标准化奖补资金不予奖补告知书", "recipient": f"{name}：",
                     "paragraphs": paragraphs, "signature": office.get("signatory") or office["name"],
                     "date": C.date_text(issued_on), "archive_notes": [], "record": None},
        })
    return out


def render_refusals(contents: Sequence[Mapping[str, Any]], out_path: Path | str,
                    progress: Callable[[int, int], None] | None = None,
                    cancel: Callable[[], bool] | None = None, qr: Sequence[str | None] | None = None) -> Path:
    """Draw the letters into one PDF (every glyph checked first; nothing written when cancelled).
    ``qr``: per letter, its signed statement (``verify.make_letter_statement``), drawn as the QR
    with the verification code on the last page, as on a notice; a letter recorded without an id
    (printed before letters were verifiable) has none and is drawn as it was."""
    from desktop.notices import verify as V
    from desktop.notices.notice import render_notices

    statements = list(qr) if qr is not None else [None] * len(contents)
    items = [{"content": c, "content_hash": V.content_hash(c), "qr": q} for c, q in zip(contents, statements)]
    return render_notices(items, out_path, progress=progress, cancel=cancel)
