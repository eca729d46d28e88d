"""The policy print-out (政策编码审定稿): the whole encoded policy as a document an office leader can
read and sign off.

For each paying clause: the literal text, the reading taken, the amounts table (levels × ranks ×
percentages), the conditions, the notes (literal words, reading, why) and, for a local measure, what
it changed and who decided it; then the targets, every judgment call, and every worked case with the
result the engine gives for it. Same page geometry (GB/T 9704 type area) and fonts as the notices;
no internal id (rule, policy or enum codes) is printed: everything is in the policy's Chinese labels.

``policy_blocks(policy)`` builds the text (pure, testable); ``render_policy(policy, out_path)``
draws it, written to a temporary file, synced and renamed like the notices.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.i18n import _
from desktop.core.labels import describe_target_count, status_label
from desktop.core.money import yuan_short
from desktop.notices import fonts as fontmod
from desktop.notices import layout as L
from desktop.notices.notice import Cancelled, new_canvas, write_atomically

SUBTITLE = "政策编码审定稿"
TEXT_SIZE = 14.0  # 4号: the print-out is long; headings stay at 3号 and the title at 2号
SMALL_SIZE = 12.0  # 小4号, tables and worked cases
HEAD_SIZE = L.BODY_SIZE


@dataclass(frozen=True)
class Block:
    """One piece of the document: ``kind`` is title, subtitle, h1, h2, p, small or table."""

    kind: str
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()  # a table: the first row is its header


def _date(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "—"


def _yuan(v: Any) -> str:
    return f"{yuan_short(v)}元"


def _amount_table(w: Any, rule: Any) -> tuple[tuple[str, ...], ...]:
    """Levels (or grades, prizes …) × ranks × percentages, in rank order, amounts in 元."""
    from desktop.core.engine import value_rank

    if rule.pay != "amount":
        return ()
    if rule.amounts is None:
        keys: list[tuple[str, Any]] = [("每项", rule.amount)]
    else:
        keys = [(w.value_label(rule.by, k, rule.kind), rule.amounts[k])
                for k in sorted(rule.amounts, key=lambda k: value_rank(rule.by, k))]
    head_label = w.label("field", rule.by) if rule.by else "类别"
    if rule.percent_by_rank:
        ranks = sorted(rule.percent_by_rank)
        head = (head_label, "全额", *[f"第{r}位（{format(rule.percent_by_rank[r].normalize(), 'f')}%）" for r in ranks])
        from desktop.core.money import to_money

        body = [(k, _yuan(v), *[_yuan(to_money(v * rule.percent_by_rank[r] / 100)) for r in ranks])
                for k, v in keys]
        return (head, *body)
    return ((head_label, "金额"), *[(k, _yuan(v)) for k, v in keys])


def _conditions(w: Any, rule: Any) -> str:
    """The conditions a rule sets beyond its amounts table, in words."""
    parts = []
    for name, allowed in rule.when.values.items():
        parts.append(f"{w.label('field', name)}：{w.value_list(name, allowed, rule.kind)}")
    if rule.when.rank is not None:
        lo, hi = rule.when.rank
        parts.append("排名：" + (f"第{lo}位及以后" if hi is None else f"第{lo}位" if lo == hi else f"第{lo}至{hi}位"))
    if rule.when.accepted is not None:
        parts.append("须验收合格" if rule.when.accepted else "未验收")
    if rule.when.ref_prefix:
        parts.append("编号以" + "、".join(rule.when.ref_prefix) + "开头")
    if rule.when.dates:
        lo, hi = rule.when.dates
        parts.append(f"成果日期：{_date(lo) if lo else ''}至{_date(hi) if hi else ''}")
    if rule.pool:
        pool = w.policy.pools[rule.pool]
        parts.append(f"资金：{pool.name}（{pool.years[0]}年至{pool.years[-1]}年，每年{_yuan(pool.budget)}）")
    elif rule.fund:
        parts.append(f"资金：{w.policy.funds[rule.fund].name}")
    return "；".join(parts) if parts else "无其他条件"


_PAY = {"amount": "按下表金额一次性奖补", "discretionary": "从专项资金中择优补助，额度由主管部门确定",
        "unspecified": "认可该类别，文件未规定金额"}


def _note_text(note: Any) -> str:
    return f"{note.clause}：原文“{note.literal}”；执行：{note.reading}；理由：{note.why}"


def policy_blocks(policy: Any) -> list[Block]:
    """The print-out's text, in order (no drawing: tests read it)."""
    from desktop.core.engine import _Words, note_flag
    from desktop.core.policies import case_results

    w = _Words(policy)
    out: list[Block] = [Block("title", policy.title), Block("subtitle", SUBTITLE)]
    head = [f"文号：{policy.document_number or '（原文未载文号）'}", f"发布机关：{policy.issuer}",
            f"发布日期：{_date(policy.issued)}", f"施行日期：{_date(policy.starts)}"
            + (f"（{policy.effective_clause}：{policy.effective_text}）" if policy.effective_text else ""),
            (f"本单位确定的适用截止日期：{_date(policy.expires)}" if policy.closed_by_office
             else f"有效期至：{_date(policy.expires)}" if policy.expires else "有效期：文件未规定失效日期")]
    if policy.horizon:
        head.append(f"工作目标期限：{policy.horizon_text}（{_date(policy.horizon)}），此后计算的奖补均提示核实")
    if policy.extends:
        head.append(f"本地实施细则，依据上级政策制定；决定文号：{policy.decided_by or '—'}，"
                    f"决定日期：{_date(policy.decided_on)}")
    out.append(Block("p", "；".join(head) + "。"))
    for note_id in policy.policy_notes:
        out.append(Block("small", "日期解读　" + _note_text(policy.notes[note_id])))

    out.append(Block("h1", "一、奖补条款"))
    for n, rule in enumerate(policy.rules, 1):
        out.append(Block("h2", f"（{n}）{w.scope(rule)}"))
        inner = rule.text.replace("“", "‘").replace("”", "’")  # quotes within a quotation
        out.append(Block("p", f"原文：“{inner}”"))
        out.append(Block("p", f"执行：{_PAY[rule.pay]}。条件：{_conditions(w, rule)}。"))
        table = _amount_table(w, rule)
        if table:
            out.append(Block("table", rows=table))
        if rule.changed:
            out.append(Block("p", f"本细则修改：{rule.changed}（{policy.decided_by or policy.issuer}，"
                                  f"{_date(policy.decided_on)}）"))
        for note_id in rule.notes:
            out.append(Block("small", "解读　" + _note_text(policy.notes[note_id])))
    if not policy.rules:
        out.append(Block("p", "本政策没有奖补条款。"))

    out.append(Block("h1", "二、工作目标"))
    for n, t in enumerate(policy.targets, 1):
        goal = t.goal_text or f"{format(t.goal, 'f') if hasattr(t.goal, 'normalize') else t.goal}{t.unit or ''}"
        out.append(Block("p", f"{n}．{t.clause}“{t.text}”：目标{goal}，期限{_date(t.deadline)}；"
                              f"{describe_target_count(t.count)}。"))
    if not policy.targets:
        out.append(Block("p", "本政策没有工作目标。"))

    out.append(Block("h1", "三、解读与判断"))
    for n, note in enumerate(policy.notes.values(), 1):
        out.append(Block("small", f"{n}．{_note_text(note)}"))
    if not policy.notes:
        out.append(Block("p", "没有需要判断的表述。"))

    out.append(Block("h1", "四、算例"))
    for n, (case, given, results) in enumerate(case_results(policy), 1):
        out.append(Block("h2", f"算例{n}　{case['name']}"))
        rows: list[tuple[str, ...]] = [("成果", "结果", "金额", "说明")]
        notes = {note_flag(policy, note) for note in policy.notes.values()}
        for a, r in zip(given, results):
            # the engine's own flags (possible duplicates, past the horizon); notes are printed above
            own = [f for f in r.flags if f not in notes]
            rows.append((f"{w.describe(a)}（{_date(a.date)}）", status_label(r.status),
                         _yuan(r.amount) if r.amount is not None else "—",
                         r.explanation + "".join(f"。提示：{f}" for f in own)))
        if len(rows) > 1:
            out.append(Block("table", rows=tuple(rows)))
        if case.get("expect_targets"):
            names = {t.id: t.text for t in policy.targets}
            counts = "；".join(f"“{names.get(k, k)}”计{v}" for k, v in case["expect_targets"].items())
            out.append(Block("small", f"目标计数（截至{_date(case.get('as_of'))}）：{counts}"))
    out.append(Block("p", "以上算例均由计算程序按本编码复算通过。"))
    out.append(Block("h1", "五、审定意见"))
    out.append(Block("p", "审定意见：" + "＿" * 20))
    out.append(Block("p", "负责人（签字）：" + "＿" * 8 + "　日期：＿＿＿＿年＿＿月＿＿日"))
    return out


# ---------------------------------------------------------------- drawing

_STYLE = {  # kind -> (font role, size, indent in characters, gap after in points)
    "title": ("heading", L.TITLE_SIZE, 0, 6.0), "subtitle": ("body", HEAD_SIZE, 0, 12.0),
    "h1": ("heading", HEAD_SIZE, 0, 4.0), "h2": ("heading", TEXT_SIZE, 0, 2.0),
    "p": ("body", TEXT_SIZE, 2, 4.0), "small": ("body", SMALL_SIZE, 2, 3.0),
}


def render_policy(policy: Any, out_path: Path | str, settings: Mapping[str, Any] | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  cancel: Callable[[], bool] | None = None) -> Path:
    """Write the print-out as PDF (raises FontError / ValidationFailed before writing anything)."""
    out = Path(out_path)
    if out.suffix.lower() != ".pdf":
        from desktop.core.errors import StdAwardError

        raise StdAwardError(_("the policy print-out is written as .pdf, not {suffix}").format(suffix=out.suffix or "?"))
    blocks = policy_blocks(policy)
    choices = fontmod.choose(settings)
    names = {role: fontmod.register(c) for role, c in choices.items()}
    text = "".join(b.text + "".join("".join(r) for r in b.rows) for b in blocks) + "— 0123456789"
    for role in ("body", "heading"):
        fontmod.check_texts(choices[role], [(policy.title, "policy-print", text)])
    return write_atomically(out, lambda fh: _draw(fh, policy, blocks, names, progress, cancel))


class _Page:
    def __init__(self, canvas: Any, names: Mapping[str, str]) -> None:
        self.canvas, self.names = canvas, names
        self.y = L.AREA_TOP
        self.number = 1

    def need(self, height: float) -> None:
        if self.y - height < L.AREA_BOTTOM and self.y < L.AREA_TOP:
            self.finish()
            self.canvas.showPage()
            self.number += 1
            self.y = L.AREA_TOP

    def finish(self) -> None:
        c = self.canvas
        c.setFont(self.names["body"], L.PAGE_NO_SIZE)
        label = f"— {self.number} —"
        y = L.AREA_BOTTOM - L.PAGE_NO_GAP - L.PAGE_NO_SIZE * L.ASCENT
        if self.number % 2:  # outside corners: odd pages right, even pages left, one character in
            c.drawRightString(L.AREA_RIGHT - L.CHAR_PITCH, y, label)
        else:
            c.drawString(L.AREA_LEFT + L.CHAR_PITCH, y, label)


def _draw(fh: Any, policy: Any, blocks: Sequence[Block], names: Mapping[str, str],
          progress: Callable[[int, int], None] | None, cancel: Callable[[], bool] | None) -> None:
    canvas = new_canvas(fh, title=f"{policy.title}（{SUBTITLE}）", font=names["body"])
    page = _Page(canvas, names)
    for i, b in enumerate(blocks):
        if cancel is not None and cancel():
            raise Cancelled(_("cancelled: no file was written"))
        if b.kind == "table":
            _table(page, b.rows)
        else:
            _paragraph(page, b)
        if progress is not None:
            progress(i + 1, len(blocks))
    page.finish()
    canvas.showPage()
    canvas.save()


def _paragraph(page: _Page, b: Block) -> None:
    role, size, indent, gap = _STYLE[b.kind]
    font = page.names[role]
    pitch = size * 1.5
    lines = L.wrap(b.text, font, size, L.AREA_W, 0.0, indent * size)
    if b.kind == "title" and len(lines) > 1:  # balanced lines, no character left alone on the last
        even = L.text_width(b.text, font, size) / len(lines) + 2 * size
        lines = _title_lines(b.text, font, size) or L.wrap(b.text, font, size, min(L.AREA_W, even), 0.0, 0.0)
    if b.kind in ("h1", "h2"):  # a heading is not left alone at the foot of a page
        page.need(pitch * (len(lines) + 2))
    c = page.canvas
    for k, line in enumerate(lines):
        page.need(pitch)
        c.setFont(font, size)
        y = page.y - pitch + (pitch - size) / 2 + (1 - L.ASCENT) * size
        if b.kind in ("title", "subtitle"):
            c.drawCentredString(L.AREA_LEFT + L.AREA_W / 2, y, line)
        else:
            x = L.AREA_LEFT + (indent * size if k == 0 else 0)
            _line(c, x, y, line, font, size, L.AREA_RIGHT - x)
        page.y -= pitch
    page.y -= gap


# Where a title may break without cutting a word (GB/T 9704: 回行时词意完整): after the issuer's 关于,
# a 的, a pause or a closing bracket, or before an opening one; less readily before the verbs that open a
# policy's aim (…改革 | 推动…). Titles are the policies' own names: a handful of patterns, and a
# segmenter would be a dependency for a few lines of print.
_BREAK_AFTER = ("关于", "關於", "的", "、", "，", "）", "》")
_BREAK_BEFORE = ("（", "《")
_WEAK_BEFORE = ("推动", "推動", "推进", "推進", "促进", "促進", "加快", "加强", "加強", "进一步", "進一步", "深化",
                "打造", "建设", "建設", "开展", "開展")  # not 实施: it follows 全面, 深入, 进一步
_WEAK = 3.0  # a weak boundary is taken over a strong one only when it evens the lines by more than 3 characters


def _boundaries(text: str) -> list[tuple[int, float]]:
    """(position, penalty in characters) of each place the title may break."""
    out = []
    for k in range(2, len(text) - 1):
        head, tail = text[:k], text[k:]
        if head.endswith(_BREAK_AFTER) or tail.startswith(_BREAK_BEFORE):
            out.append((k, 0.0))
        elif tail.startswith(_WEAK_BEFORE):
            out.append((k, _WEAK))
    return out


def _title_lines(text: str, font: str, size: float) -> list[str] | None:
    """The title on two (else three) lines broken at word boundaries, the most even such break that
    fits the type area; None when there is none (then balanced by width)."""
    places = _boundaries(text)

    def fits(parts: list[str]) -> float | None:
        widths = [L.text_width(p, font, size) for p in parts]
        return None if max(widths) > L.AREA_W else (max(widths) - min(widths)) / size

    best: tuple[float, list[str]] | None = None
    for k, pen in places:
        spread = fits([text[:k], text[k:]])
        if spread is not None and (best is None or spread + pen < best[0]):
            best = (spread + pen, [text[:k], text[k:]])
    if best is None:
        for i, (k1, p1) in enumerate(places):
            for k2, p2 in places[i + 1:]:
                parts = [text[:k1], text[k1:k2], text[k2:]]
                spread = fits(parts)
                if spread is not None and (best is None or spread + p1 + p2 < best[0]):
                    best = (spread + p1 + p2, parts)
    return None if best is None else best[1]


def _line(c: Any, x: float, y: float, line: str, font: str, size: float, width: float) -> None:
    """One line at its natural spacing, or, when the line breaker squeezed a closing mark or a
    unit into it (up to half an em over the measure), drawn tighter so that it ends at the edge:
    a table's text never crosses its cell's border, nor a paragraph the type area."""
    space = 0.0
    if L.text_width(line, font, size) > width + 0.01:
        space = L.justify(line, font, size, width)
    c.drawString(x, y, line, charSpace=space)


def _table(page: _Page, rows: Sequence[tuple[str, ...]]) -> None:
    font, size, pad = page.names["body"], SMALL_SIZE, 2.0
    pitch = size * 1.35
    ncol = len(rows[0])
    if ncol == 4:  # the worked cases: achievement, status, amount, explanation
        widths = [0.28, 0.12, 0.14, 0.46]
    else:
        widths = [1.0 / ncol] * ncol
    cols = [L.AREA_W * f for f in widths]
    c = page.canvas
    c.setLineWidth(0.5)
    fonts = [page.names["heading"] if r == 0 else font for r in range(len(rows))]  # the header row is bold
    wrapped = [[L.wrap(str(v), fonts[r], size, cols[k] - 2 * pad) for k, v in enumerate(row)]
               for r, row in enumerate(rows)]
    heights = [max(len(x) for x in cells) * pitch + 2 * pad for cells in wrapped]
    page.need(sum(heights[:2]))  # the header row never stands alone at the foot of a page
    for r, cells in enumerate(wrapped):
        h = heights[r]
        page.need(h)
        x = L.AREA_LEFT
        c.rect(L.AREA_LEFT, page.y - h, L.AREA_W, h)
        c.setFont(fonts[r], size)
        for k, lines in enumerate(cells):
            if k:
                c.line(x, page.y, x, page.y - h)
            for m, line in enumerate(lines):
                _line(c, x + pad, page.y - pad - (m + 1) * pitch + (pitch - size) / 2 + (1 - L.ASCENT) * size, line,
                      fonts[r], size, cols[k] - 2 * pad)
            x += cols[k]
        page.y -= h
    page.y -= 6.0
