"""What a notice says: built from award results into a self-contained content dict.

The content holds everything a notice is printed from (office profile snapshot, recipient, policy id,
version hash and document number, each award line with its achievement, clause, amount,
explanation and flags, the total, the date, the 发文字号, the fonts) *and* the final wording, so a
reprint years later draws exactly the same text even if the wording templates here change.
``LAYOUT_VERSION`` names the page layout it was drawn with.

The wording is the official Chinese of the document itself, not user-interface text, so it is not
translated with the interface language (an officer using the English interface still issues a
Chinese notice). Amounts: figures with ``format_money`` (¥115,000.00), capitals with
``money_in_capitals`` (人民币壹拾壹万伍仟元整).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence

from desktop.core.award import AwardResult
from desktop.core.money import ZERO, format_money, money_in_capitals, money_str, to_money

FORMAT = 1
LAYOUT_VERSION = 1
PAYING = ("awarded", "discretionary")

_LEVEL = {"international": "国际", "national": "国家", "industry": "行业", "local": "地方", "group": "团体",
          "enterprise": "企业", "provincial": "省级", "municipal": "市级"}
_SECRETARIAT_LEVEL = {"international": "国际", "national": "全国", "provincial": "省级", "municipal": "市级"}
_BODY = {"tc": "技术委员会", "sc": "分技术委员会", "wg": "工作组"}
_ACTION = {"formulate": "制定", "revise": "修订"}
_PRIZE = {"china-innovation": "中国标准创新贡献奖", "fujian-contribution": "福建省标准贡献奖",
          "chongqing-innovation": "重庆市标准创新贡献奖", "chongqing-product": "重庆市产品标准奖"}
_GRADE = {"1": "一等奖", "2": "二等奖", "3": "三等奖"}
_DOMAIN = {"agriculture": "农业", "service": "服务业", "industry": "工业", "park": "园区", "social": "社会管理和公共服务",
           "general": "综合"}


def _ref(a: Any) -> str:
    title, ref = getattr(a, "title", None), getattr(a, "ref", None)
    if title and ref:
        return f"《{title}》（{ref}）"
    if title:
        return f"《{title}》"
    return f"（{ref}）" if ref else ""


def _rank(a: Any, unit: str = "起草单位") -> str:
    rank = getattr(a, "rank", None)
    return f"（第{rank}{unit}）" if rank and rank > 1 else ""


def describe(a: Any) -> str:
    """The achievement in the words of a notice, e.g. 主导制定国家标准《…》（GB/T 12345-2024）."""
    kind = a.kind
    level = _LEVEL.get(a.level or "", "")
    if kind == "standard":
        lead = "主导" if (a.rank or 1) == 1 else "参与"
        return f"{lead}{_ACTION.get(a.action or '', '制修订')}{level}标准{_ref(a)}{_rank(a)}"
    if kind == "secretariat":
        return (f"承担{_SECRETARIAT_LEVEL.get(a.level or '', '')}专业标准化{_BODY.get(a.body or '', '技术委员会')}"
                f"秘书处{_ref(a)}")
    if kind == "prize":
        return f"荣获{_PRIZE.get(a.prize or '', '标准奖项')}{_GRADE.get(str(a.grade or ''), '')}{_ref(a)}{_rank(a, '完成单位')}"
    if kind == "pilot":
        done = "并通过验收" if a.accepted else ""
        return f"承担{level}{_DOMAIN.get(a.domain or '', '')}标准化试点示范项目{_ref(a)}{done}"
    if kind == "leader":
        return f"入选{level}企业标准“领跑者”{_ref(a)}"
    if kind == "research":
        return f"承担{level}标准化研究项目{_ref(a)}{'并结题验收合格' if a.accepted else ''}"
    if kind == "project":
        return f"{level}标准化项目{_ref(a)}通过验收"
    if kind == "gi":
        return f"地理标志产品保护获批{_ref(a)}{'（牵头单位）' if (a.rank or 1) == 1 else _rank(a, '单位')}"
    if kind == "good_behavior":
        return f"获评{level}标准化良好行为企业（{a.grade}）" if a.grade else f"获评{level}标准化良好行为企业"
    if kind == "adoption":
        return f"产品采用国际标准或国外先进标准{_ref(a)}"
    if kind == "self_declared":
        return f"企业产品（服务）标准自我声明公开{_ref(a)}"
    if kind == "innovation_base":
        return f"获批{level}企业技术标准创新基地{_ref(a)}"
    return f"标准化成果{_ref(a)}"


def chinese_number(n: int) -> str:
    import cn2an

    return cn2an.an2cn(n)


def date_text(day: dt.date) -> str:
    """成文日期 in Arabic numerals, without padding: 2026年11月22日."""
    return f"{day.year}年{day.month}月{day.day}日"


def doc_number(prefix: str, year: int, serial: int) -> str:
    """发文字号: 城市监〔2026〕12号 (year in 六角括号, serial unpadded)."""
    return f"{prefix}〔{year}〕{serial}号"


@dataclass
class Draft:
    """One notice before its 发文字号 is allocated."""

    enterprise: str  # USCC
    enterprise_name: str
    total: Decimal
    content: dict[str, Any] = field(default_factory=dict)


def build_drafts(results: Sequence[AwardResult], achievements: Mapping[str, Any],
                 names: Mapping[str, str], office: Mapping[str, Any], policy: Mapping[str, Any],
                 issued_on: dt.date, year: int, fonts: Mapping[str, Any],
                 round_uuid: str | None = None) -> list[Draft]:
    """One draft per enterprise with at least one paying award line (amount > 0), in the order the
    enterprises first appear in ``results``. ``achievements`` maps result id → vocabulary object."""
    by_ent: dict[str, list[AwardResult]] = {}
    for r in results:
        if r.status in PAYING and r.amount is not None and r.amount > 0 and r.enterprise:
            by_ent.setdefault(r.enterprise, []).append(r)
    drafts = []
    for uscc, lines in by_ent.items():
        total = sum((to_money(r.amount) for r in lines), ZERO)
        content = _content(uscc, names[uscc], lines, achievements, office, policy, issued_on, year, fonts,
                           round_uuid, total)
        drafts.append(Draft(uscc, names[uscc], total, content))
    return drafts


def _line_text(i: int, r: AwardResult, a: Any, policy: Mapping[str, Any]) -> str:
    desc = describe(a) if a is not None else r.explanation
    clause = f"依据政策第{r.clause}条" if r.clause else "依据政策规定"
    return f"（{chinese_number(i)}）{desc}，{clause}，奖补资金{format_money(r.amount)}。"


def _content(uscc: str, name: str, lines: list[AwardResult], achievements: Mapping[str, Any],
             office: Mapping[str, Any], policy: Mapping[str, Any], issued_on: dt.date, year: int,
             fonts: Mapping[str, Any], round_uuid: str | None, total: Decimal) -> dict[str, Any]:
    doc = f"（{policy['document_number']}）" if policy.get("document_number") else ""
    paragraphs = [f"根据《{policy.get('title') or policy['id']}》{doc}有关规定，经审核，你单位下列标准化成果"
                  f"符合奖补条件，现将{year}年度标准化奖补资金核定如下："]
    paragraphs += [_line_text(i + 1, r, achievements.get(r.id), policy) for i, r in enumerate(lines)]
    paragraphs.append(f"以上合计奖补资金{format_money(total)}（大写：{money_in_capitals(total)}）。")
    paragraphs.append("请你单位按规定用途使用奖补资金，自觉接受财政、审计等部门的监督检查。")
    paragraphs.append("特此通知。")
    archive = []
    for i, r in enumerate(lines, start=1):
        archive.append(f"第（{chinese_number(i)}）项 成果编号{r.id}，规则{r.rule or '—'}：{r.explanation}")
        archive += [f"第（{chinese_number(i)}）项 审核提示：{flag}" for flag in r.flags]
    return {
        "format": FORMAT, "layout": LAYOUT_VERSION, "round": round_uuid, "year": year,
        "issued_on": issued_on.isoformat(),
        "office": {k: office.get(k) for k in ("uuid", "name", "region", "doc_prefix", "signatory")},
        "recipient": {"uscc": uscc, "name": name},
        "policy": {k: policy.get(k) for k in ("id", "title", "document_number", "content_hash")},
        "lines": [{"achievement": r.id, "description": describe(achievements[r.id]) if r.id in achievements else None,
                   "status": r.status, "rule": r.rule, "clause": r.clause, "fund": r.fund,
                   "amount": money_str(r.amount), "explanation": r.explanation, "flags": list(r.flags)}
                  for r in lines],
        "total": money_str(total),
        "fonts": dict(fonts),
        "text": {"title": f"关于下达{year}年度标准化奖补资金的通知", "recipient": f"{name}：",
                 "paragraphs": paragraphs, "signature": office["name"], "date": date_text(issued_on),
                 "archive_notes": archive},
    }


def finalise(draft: Draft, notice_uuid: str, prefix: str, serial: int) -> dict[str, Any]:
    """The stored content: the draft with its notice id and 发文字号."""
    content = dict(draft.content)
    year = dt.date.fromisoformat(content["issued_on"]).year
    content.update(notice=notice_uuid, serial=serial, serial_year=year,
                   doc_number=doc_number(prefix, year, serial))
    return content


ARCHIVE_MARK = "存档联（审批用，不交企业）"
ARCHIVE_HEADING = "审核提示（仅存档联）："
DRAFT_MARK = "样稿"
VOID_MARK = "作废"


def body_texts(content: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(record, field, text) of everything printed in the body font, for the glyph check. Before
    the 发文字号 is allocated the record is the enterprise's code and a sample number is checked."""
    t = content["text"]
    rec = content.get("doc_number") or content["recipient"]["uscc"]
    number = content.get("doc_number") or doc_number(content["office"].get("doc_prefix") or "",
                                                     dt.date.fromisoformat(content["issued_on"]).year, 1234567890)
    out = [(rec, "recipient", t["recipient"]), (rec, "signature", t["signature"] + t["date"]),
           (rec, "doc_number", number + "核验码— ")]
    out += [(rec, f"paragraph {i + 1}", p) for i, p in enumerate(t["paragraphs"])]
    out += [(rec, f"archive note {i + 1}", p) for i, p in enumerate(t["archive_notes"])]
    return out


def heading_texts(content: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    rec = content.get("doc_number") or content["recipient"]["uscc"]
    return [(rec, "office", content["office"]["name"]), (rec, "title", content["text"]["title"]),
            (rec, "archive mark", ARCHIVE_MARK + ARCHIVE_HEADING + DRAFT_MARK + VOID_MARK)]


def enterprises_in(results: Iterable[AwardResult]) -> list[str]:
    return list(dict.fromkeys(r.enterprise for r in results if r.enterprise))
