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
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from desktop.core.award import AwardResult
from desktop.core.i18n import _
from desktop.core.labels import ZH
from desktop.core.money import ZERO, money_in_capitals, money_str, to_money
from desktop.core.status import PAYING
from desktop.notices import wording as W

FORMAT = 1
LAYOUT_VERSION = 3  # 2: justified lines, units kept whole, 版记, 落款, wording from a template; 3: a long
# clause reference breaks between its parts, justified lines spread by at most half an em a gap

# The vocabulary's Chinese words: one source (desktop.core.labels.ZH), shared with explanations,
# the xlsx template and the policy print-out.
_LEVEL = ZH["level"]
_TIER = ZH["tier"]
_SECRETARIAT_LEVEL = ZH["committee_level"]
_BODY = ZH["body"]
_ACTION = ZH["action"]
_PRIZE = ZH["prize"]
_GRADE = ZH["grade"]
_DOMAIN = ZH["domain"]


def _ref(a: Any) -> str:
    title, ref = getattr(a, "title", None), getattr(a, "ref", None)
    if title and ref:
        return f"《{title}》（{ref}）"
    if title:
        return f"《{title}》"
    return f"（{ref}）" if ref else ""


def _name_ref(a: Any) -> str:
    """A body's or project's own name (not a document: no 《》) and its code."""
    title, ref = getattr(a, "title", None), getattr(a, "ref", None)
    if title and ref:
        return f"{title}（{ref}）"
    return title or (f"（{ref}）" if ref else "")


def _rank(a: Any, unit: str = "起草单位") -> str:
    rank = getattr(a, "rank", None)
    return f"（第{chinese_number(rank)}{unit}）" if rank and rank > 1 else ""


_COMMITTEE = {  # (level, body) → the proper term for a committee secretariat
    ("international", "tc"): "国际标准化组织技术委员会", ("international", "sc"): "国际标准化组织分技术委员会",
    ("international", "wg"): "国际标准化组织工作组",
    ("national", "tc"): "全国专业标准化技术委员会", ("national", "sc"): "全国专业标准化技术委员会分技术委员会",
    ("national", "wg"): "全国专业标准化技术委员会工作组",
    ("provincial", "tc"): "省级专业标准化技术委员会", ("provincial", "sc"): "省级专业标准化技术委员会分技术委员会",
    ("provincial", "wg"): "省级专业标准化技术委员会工作组",
    ("municipal", "tc"): "市级专业标准化技术委员会", ("municipal", "sc"): "市级专业标准化技术委员会分技术委员会",
    ("municipal", "wg"): "市级专业标准化技术委员会工作组",
}


def describe(a: Any) -> str:
    """The achievement in the words of a notice, e.g. 作为第一起草单位主导制定国家标准《…》（GB/T 12345-2024）."""
    kind = a.kind
    # 国家标准 but 国家级试点: a standard's level, every other kind's tier
    level = (_LEVEL if kind == "standard" else _TIER).get(a.level or "", "")
    if kind == "standard":
        rank = a.rank or 1
        action = _ACTION.get(a.action or "", "制修订")
        who = "作为第一起草单位主导" if rank == 1 else f"作为第{chinese_number(rank)}起草单位"
        return f"{who}{action}{level}标准{_ref(a)}"
    if kind == "secretariat":
        term = _COMMITTEE.get((a.level or "", a.body or "tc"), "专业标准化技术委员会")
        name = _name_ref(a)
        return f"承担{name}秘书处" if getattr(a, "title", None) else f"承担{term}{name}秘书处"
    if kind == "prize":
        return f"荣获{_PRIZE.get(a.prize or '', '标准奖项')}{_GRADE.get(str(a.grade or ''), '')}{_ref(a)}{_rank(a, '完成单位')}"
    if kind == "pilot":
        done = "并通过验收" if a.accepted else ""
        return f"承担{level}{_DOMAIN.get(a.domain or '', '')}标准化试点示范项目{_name_ref(a)}{done}"
    if kind == "leader":
        return f"入选{level}企业标准“领跑者”{_ref(a)}"
    if kind == "research":
        return f"承担{level}标准化研究项目{_name_ref(a)}{'并结题验收合格' if a.accepted else ''}"
    if kind == "project":
        return f"{level}标准化项目{_name_ref(a)}通过验收"
    if kind == "gi":
        return f"地理标志产品保护获批{_name_ref(a)}{'（牵头单位）' if (a.rank or 1) == 1 else _rank(a, '单位')}"
    if kind == "good_behavior":
        return f"获评{level}标准化良好行为企业（{a.grade}）" if a.grade else f"获评{level}标准化良好行为企业"
    if kind == "adoption":
        return f"产品采用国际标准或国外先进标准{_ref(a)}"
    if kind == "self_declared":
        return f"企业产品（服务）标准自我声明公开{_ref(a)}"
    if kind == "innovation_base":
        return f"获批{level}企业技术标准创新基地{_name_ref(a)}"
    return f"标准化成果{_ref(a)}"


_CN_DIGITS = "一二三四五六七八九十"
_CLAUSE = re.compile(r"([一二三四五六七八九十]+)(?:[(（]([一二三四五六七八九十]+)[)）])?(\d+)?")


def cite_clause(clause: str | None, short: str) -> str:
    """A policy clause as a 公文 cites it: 五(二)2 → 《意见》第五条第（二）项第2目; several clauses
    (五(二)、四(一)1) are joined with 、; anything else is cited as written, with full-width brackets."""
    doc = f"《{short}》" if short else "政策"
    if not clause:
        return f"{doc}有关"
    parts = []
    for piece in re.split(r"[、,，]\s*", clause.strip()):
        m = _CLAUSE.fullmatch(piece)
        if m is None:
            parts.append(piece.replace("(", "（").replace(")", "）"))
            continue
        text = f"第{m.group(1)}条"
        if m.group(2):
            text += f"第（{m.group(2)}）项"
        if m.group(3):
            text += f"第{int(m.group(3))}目"
        parts.append(text)
    return doc + "、".join(parts)


def amount_text(value: Any) -> str:
    """An amount as a notice's prose states it: 人民币贰万壹仟元整（21,000.00元）."""
    money = to_money(value)
    return f"{money_in_capitals(money)}（{money:,.2f}元）"


def short_title(title: str) -> str:
    """The name a policy is cited by after its first mention: the genre after the last 的
    (关于实施标准化战略的意见 → 意见), else the whole title."""
    tail = title.rsplit("的", 1)[-1] if "的" in title else title
    return tail if 1 < len(tail) <= 8 else title


def issue_date_problems(issued_on: dt.date, today: dt.date, approved_on: dt.date | None = None) -> tuple[
        list[str], list[str]]:
    """(errors, warnings) for a 成文日期: a date in the future is refused; one before the round's
    approval is allowed (an office may date a notice as of a meeting) but warned about."""
    errors, warnings = [], []
    if issued_on > today:
        errors.append(_("the date of the notices, {date}, is in the future (today is {today})").format(
            date=issued_on.isoformat(), today=today.isoformat()))
    if approved_on is not None and issued_on < approved_on:
        warnings.append(_("the date of the notices, {date}, is before the round was approved ({approved}): "
                          "the notices are back-dated").format(date=issued_on.isoformat(),
                                                               approved=approved_on.isoformat()))
    return errors, warnings


_SMALL = "零一二三四五六七八九十"


@functools.lru_cache(maxsize=4096)
def chinese_number(n: int) -> str:
    """二 for 2: 一 to 十 (drafting ranks) without loading cn2an (seconds on a busy PC), others remembered."""
    if 0 <= n <= 10:
        return _SMALL[n]
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
                 round_uuid: str | None = None, template: Mapping[str, Any] | None = None) -> list[Draft]:
    """One draft per enterprise with at least one paying award line (amount > 0), in the order the
    enterprises first appear in ``results``. ``achievements`` maps result id → vocabulary object.

    The title's year (关于下达XXXX年度…) is the award's own year: a round's year for a round; without
    one, the latest year among the achievements *this* notice pays (never another enterprise's), else
    ``year``. ``template`` is the office's wording (``wording``), the defaults where it is silent."""
    by_ent: dict[str, list[AwardResult]] = {}
    for r in results:
        if r.status in PAYING and r.amount is not None and r.amount > 0 and r.enterprise:
            by_ent.setdefault(r.enterprise, []).append(r)
    words = W.merged(template)
    drafts = []
    for uscc, lines in by_ent.items():
        total = sum((to_money(r.amount or ZERO) for r in lines), ZERO)
        own = year if round_uuid else notice_year(lines, achievements, year)
        content = _content(uscc, names[uscc], lines, achievements, office, policy, issued_on, own, fonts,
                           round_uuid, total, words)
        drafts.append(Draft(uscc, names[uscc], total, content))
    return drafts


def notice_year(lines: Sequence[AwardResult], achievements: Mapping[str, Any], default: int) -> int:
    """The latest year among the dates of the achievements a notice pays."""
    years = [a.date.year for r in lines if (a := achievements.get(r.id)) is not None and getattr(a, "date", None)]
    return max(years) if years else default


def _content(uscc: str, name: str, lines: list[AwardResult], achievements: Mapping[str, Any],
             office: Mapping[str, Any], policy: Mapping[str, Any], issued_on: dt.date, year: int,
             fonts: Mapping[str, Any], round_uuid: str | None, total: Decimal,
             words: Mapping[str, Any]) -> dict[str, Any]:
    title = policy.get("title") or policy["id"]
    short = short_title(title)
    number = policy.get("document_number")
    if short != title:
        cited = f"《{title}》（{number}，以下简称《{short}》）" if number else f"《{title}》（以下简称《{short}》）"
    else:
        cited = f"《{title}》（{number}）" if number else f"《{title}》"
    paragraphs = [W.render(words["opening"], policy=cited, short=f"《{short}》", year=year)]
    for i, r in enumerate(lines, start=1):
        a = achievements.get(r.id)
        text = words["kinds"].get(getattr(a, "kind", None) or r.kind or "", words["line"])
        paragraphs.append(W.render(text, n=f"（{chinese_number(i)}）", achievement=describe(a) if a else r.explanation,
                                   clause=cite_clause(r.clause, short), amount=amount_text(r.amount)))
    paragraphs.append(W.render(words["total"], amount=amount_text(total)))
    settings = office.get("settings") or {}
    contact, phone = settings.get("contact") or "", settings.get("phone") or ""
    reach = f"（联系人：{contact}，联系电话：{phone}）" if contact and phone else (
        f"（联系人：{contact}）" if contact else (f"（联系电话：{phone}）" if phone else ""))
    if words["payment"]:
        paragraphs.append(W.render(words["payment"], office=office["name"], contact=reach, phone=phone,
                                   days=words["days"]))
    paragraphs.append(words["closing"])
    archive = []
    for i, r in enumerate(lines, start=1):
        archive.append(f"第（{chinese_number(i)}）项 成果编号{r.id}，{cite_clause(r.clause, short)}：{r.explanation}")
        archive += [f"第（{chinese_number(i)}）项 审核提示：{flag}" for flag in r.flags]
    finance = W.finance_bureau(office["name"])
    cc = [W.render(organ, finance=finance) for organ in words["cc"]]
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
        "template": dict(words),
        "text": {"title": f"关于下达{year}年度标准化奖补资金的通知", "recipient": f"{name}：",
                 "paragraphs": paragraphs, "signature": office.get("signatory") or office["name"],
                 "date": date_text(issued_on), "archive_notes": archive,
                 "record": {"cc": "，".join(cc) + "。" if cc else "", "printer": office["name"],
                            "printed_on": date_text(issued_on)}},
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
    record = t.get("record") or {}
    if record:
        out.append((rec, "版记", f"抄送：{record.get('cc', '')}{record.get('printer', '')}{record.get('printed_on', '')}印发"))
    return out


def heading_texts(content: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    rec = content.get("doc_number") or content["recipient"]["uscc"]
    return [(rec, "office", content["office"]["name"]), (rec, "title", content["text"]["title"]),
            (rec, "archive mark", ARCHIVE_MARK + ARCHIVE_HEADING + DRAFT_MARK + VOID_MARK)]


# a sample achievement of each kind the preview can add to its two lines (the kind-specific fields)
SAMPLE_KINDS: dict[str, dict[str, Any]] = {
    "prize": {"prize": "fujian-contribution", "grade": "2", "rank": 1, "ref": "GB/T 3280-2015"},
    "pilot": {"level": "provincial", "domain": "service", "accepted": True, "ref": "莆田市城厢区物业服务标准化试点"},
    "leader": {"level": "national", "ref": "Q/PTSL 0001-2025"},
    "research": {"level": "provincial", "accepted": True, "ref": "不锈钢板材表面质量评价方法研究"},
    "project": {"level": "municipal", "ref": "不锈钢冷轧生产线标准体系建设"},
    "gi": {"rank": 1, "ref": "莆田桂圆"},
    "good_behavior": {"level": "provincial", "grade": "AAAA"},
    "adoption": {"ref": "ISO 9445-1:2009"},
    "self_declared": {"ref": "Q/PTSL 0002-2025"},
    "innovation_base": {"level": "provincial", "ref": "福建省不锈钢技术标准创新基地"},
}


def sample_notice(template: Mapping[str, Any] | None, office: Mapping[str, Any],
                  policy: Mapping[str, Any] | None = None, kind: str | None = None) -> dict[str, Any]:
    """The ``text`` of a notice worded with ``template`` for a sample enterprise with two award
    lines (a standard and a committee secretariat), and a third of ``kind`` when that is another
    kind: what the template editor previews. Raises ``StdAwardError`` only for a template
    that ``wording.validate`` refuses."""
    from desktop.core.vocabulary import Achievement

    uscc = "91350302MA2Y0KXQ4Q"
    achs = {"s": Achievement("s", uscc, "standard", dt.date(issued_year := dt.date.today().year, 5, 1),
                             ref=f"GB/T 3280-{issued_year}", title="不锈钢冷轧钢板和钢带", level="national",
                             action="revise", rank=2),
            "t": Achievement("t", uscc, "secretariat", dt.date(issued_year, 3, 1), level="provincial", body="sc",
                             ref="FJ/TC 12/SC 3")}
    results = [AwardResult("s", "awarded", Decimal("35000.00"), "std-revise", "五(二)2", "", (), uscc, "main",
                           "standard"),
               AwardResult("t", "awarded", Decimal("100000.00"), "secretariat", "五(二)1", "", (), uscc, "main",
                           "secretariat")]
    if kind in SAMPLE_KINDS:
        achs["k"] = Achievement("k", uscc, kind, dt.date(issued_year, 6, 1), **SAMPLE_KINDS[kind])
        results.append(AwardResult("k", "awarded", Decimal("50000.00"), kind, "五(二)3", "", (), uscc, "main", kind))
    policy = policy or {"id": "sample", "title": "莆田市城厢区人民政府关于实施标准化战略的意见",
                        "document_number": "莆城政〔2021〕88号"}
    draft = build_drafts(results, achs, {uscc: "福建省莆田市示例标准化有限公司"}, office, policy,
                         dt.date.today(), issued_year, {}, template=template)[0]
    return draft.content["text"]
