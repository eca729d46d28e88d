"""Line breaking and justification of layout 3, measured on the rendered PDFs (``pdftotext -bbox``):
a justified line is never letter-spaced by more than half an em a gap, a line that would need more
is set flush left, a long clause reference breaks between its parts (never inside 第（三）项), an
amount in capitals or a standard number is never split, nothing runs past the right margin, and
the last line of a paragraph is never spread. On notices with a 40-character enterprise name and
long clause references (both copies), on letters of refusal and on the demo's notices."""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from decimal import Decimal as D
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import GOOD_USCC, run_main
from test_notice_typesetting import OFFICE, POLICY, _render, pages_of, words

from desktop.core.award import AwardResult
from desktop.core.vocabulary import Achievement

MM = 72 / 25.4
LEFT, RIGHT = 28 * MM, (28 + 156) * MM
SIZE = 16.0
NAME40 = "福建省莆田市城厢区鑫堃茶业科技发展与标准化技术服务研究咨询股份有限公司"
REFS = ("GB/T 3280-2025", "IEC 62368-3:2025", "DB35/T 1234-2026", "T/ZZB 0123-2020", "ISO/IEC 27001:2022",
        "GB/T 12345.2-2024")
TITLES = ("运动鞋 缓震性能的测定", "不锈钢冷轧钢板和钢带", "茶", "信息安全技术 网络安全等级保护基本要求", "乌龙茶",
          "食品安全国家标准 茶叶中农药残留量的测定")
CLAUSES = ("五(二)2", "四(三)1", "十二(十一)12", "五", "四(三)1、五(二)2", "三(一)3")
AMOUNTS = ("21000", "1650000", "35000.5", "12345678.91", "980.10", "100000")


def _fonts() -> dict:
    from desktop.notices import fonts

    return {r: f.as_dict() for r, f in fonts.choose({}).items()}


def long_notice(seed: int = 0, name: str = NAME40) -> dict:
    """Six award lines with long clause references, long titles, amounts up to eight figures."""
    from desktop.notices import content as C
    from desktop.notices.verify import content_hash

    achs, res = {}, []
    for i in range(6):
        k = (seed + i) % 6
        aid = f"std-{'abcdef'[i]}"
        achs[aid] = Achievement(aid, GOOD_USCC, "standard", dt.date(2026, 5, 1), ref=REFS[k], title=TITLES[k],
                                level=("national", "industry", "local")[k % 3], action=("formulate", "revise")[k % 2],
                                rank=1 + k % 3)
        res.append(AwardResult(aid, "awarded", D(AMOUNTS[k]), "std", CLAUSES[(k + seed) % 6],
                               "依据第五条第（二）项第2目核定，按第一起草单位全额奖励",
                               ("与本企业已申报的同一成果重复",) if i == 2 else (), GOOD_USCC, "main", "standard"))
    draft = C.build_drafts(res, achs, {GOOD_USCC: name}, OFFICE, POLICY, dt.date(2026, 11, 22), 2026, _fonts())[0]
    content = C.finalise(draft, str(uuid.UUID(int=seed + 100)), "城市监", seed + 100)
    return {"content": content, "content_hash": content_hash(content)}


def refusal_letter(name: str = NAME40) -> dict:
    from desktop.notices import refusal as R
    from desktop.notices.verify import content_hash

    lines = [R.RefusedLine("a1", f"作为第二起草单位参与制定国家标准《不锈钢冷轧钢板和钢带》（{REFS[0]}）", "not_eligible",
                           "第二起草单位不属于奖补范围", "四(三)1", "主导制定国家标准的，每项奖励20万元"),
             R.RefusedLine("a2", "承担全国专业标准化技术委员会分技术委员会秘书处", "duplicate",
                           "与本企业已申报的同一成果重复", "十二(十一)12", ""),
             R.RefusedLine("a3", f"荣获中国标准创新贡献奖二等奖《{TITLES[3]}》（{REFS[4]}）", "not_eligible",
                           "获奖年度不在本次申报期内", "五(二)2、四(三)1", "获得中国标准创新贡献奖的，一等奖奖励50万元")]
    content = R.build_refusals([(GOOD_USCC, name, lines)], OFFICE, POLICY, dt.date(2026, 11, 22), 2026, _fonts(),
                               contact="张三，0594-1234567", doc_number="城市监〔2026〕9号")[0]
    return {"content": content, "content_hash": content_hash(content)}


def body_lines(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each body line (3号 words on one baseline) as its words, left to right, in reading order."""
    out = []
    for p in range(1, pages_of(pdf) + 1):
        rows: dict[float, list] = {}
        for w in words(pdf, p):
            if abs((w[3] - w[1]) - SIZE) < 1.0:
                rows.setdefault(round(w[3], 0), []).append(w)
        out += [sorted(ws) for _y, ws in sorted(rows.items())]
    return out


def source_text(items: list[dict]) -> str:
    t = [item["content"]["text"] for item in items]
    return "\n".join(x["recipient"] + "\n" + "\n".join(x["paragraphs"] + x["archive_notes"]) for x in t)


def spacing_problems(pdf: Path, source: str) -> list[tuple[str, float]]:
    """Gaps between adjacent glyphs wider than the cap allows (pdftotext splits a line into words
    exactly where its glyphs stand apart), and glyphs past either edge of the type area."""
    from desktop.notices import fonts
    from desktop.notices import layout as L

    body = fonts.register(fonts.choose({})["body"])
    space = L.char_width(body, SIZE, " ")
    widest = L.body_char_space() + L.JUSTIFY_CAP * SIZE + 0.3  # natural spacing + the cap, rounding
    found = []
    for ws in body_lines(pdf):
        text = "".join(w[4] for w in ws)
        if ws[0][0] < LEFT - 0.5 or ws[-1][2] > RIGHT + 0.5:
            found.append((text, round(max(LEFT - ws[0][0], ws[-1][2] - RIGHT), 1)))
        for a, b in pairwise(ws):
            gap = b[0] - a[2]
            spaced = f"{a[4][-1]} {b[4][0]}" in source  # a space of the text itself: its width, set loose both sides
            if gap > (space + 2 * widest if spaced else widest):
                found.append((text, round(gap, 1)))
    return found


def ragged_lines(pdf: Path) -> list[tuple[str, float, int]]:
    """Lines a paragraph continues that end short of the right edge: (text, shortfall, gaps)."""
    from desktop.notices import layout as L

    out = []
    for a, b in pairwise(body_lines(pdf)):
        if abs(b[0][0] - LEFT) > 1 or a[0][0] > LEFT + 2 * L.CHAR_PITCH + 1 or a[-1][4].endswith("："):
            continue  # b does not continue a's paragraph
        text = "".join(w[4] for w in a)
        if RIGHT - a[-1][2] > 1.0:
            gaps = len(re.sub(r"[A-Za-z0-9][A-Za-z0-9./\-+_:,]*", "x", text)) - 1  # a Latin run is set tight
            out.append((text, RIGHT - a[-1][2], gaps))
    return out


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """The long notices (both copies) and the letters of refusal, each PDF with its source text."""
    tmp = tmp_path_factory.mktemp("linebreaks")
    notices = [long_notice(seed) for seed in range(6)]
    letters = [refusal_letter(), refusal_letter("福建省莆田市鑫堃茶业有限公司")]
    return {"enterprise": (_render(tmp, notices, "ent.pdf"), source_text(notices)),
            "archive": (_render(tmp, notices, "arc.pdf", copy="archive"), source_text(notices)),
            "refusal": (_render(tmp, letters, "ref.pdf"), source_text(letters))}


@pytest.mark.parametrize("which", ["enterprise", "archive", "refusal"])
def test_no_justified_line_is_spread_past_the_cap_nor_runs_past_the_margin(printed, which):
    pdf, source = printed[which]
    assert spacing_problems(pdf, source) == []


@pytest.mark.parametrize("which", ["enterprise", "archive", "refusal"])
def test_a_line_that_would_be_spread_past_the_cap_is_set_flush_left(printed, which):
    """Every continued line ends on the right edge unless justifying it would have opened its gaps
    wider than the cap: then it keeps its natural spacing (one word for pdftotext) and ends short."""
    from desktop.notices import layout as L

    pdf, _source = printed[which]
    ragged = ragged_lines(pdf)
    for text, short, gaps in ragged:
        assert short / gaps > L.JUSTIFY_CAP * SIZE, (text, short, gaps)
    if which == "enterprise":  # the line before a 23-character amount in capitals, 以上合计 before a total
        assert any(t.endswith("给予奖补资金") for t, _s, _g in ragged), ragged
        assert any(t == "以上合计" for t, _s, _g in ragged), ragged


@pytest.mark.parametrize("which", ["enterprise", "archive", "refusal"])
def test_units_are_never_split_and_clause_references_only_between_their_parts(printed, which):
    from desktop.core.money import money_in_capitals

    pdf, source = printed[which]
    lines = ["".join(w[4] for w in ws) for ws in body_lines(pdf)]
    units = {re.sub(r"\s", "", r) for r in REFS} | {money_in_capitals(D(a)) for a in AMOUNTS}
    units |= set(re.findall(r"第[（(][一二三四五六七八九十]+[）)]项|第[一二三四五六七八九十]+条|第\d+目", source))
    units |= {"莆城政〔2021〕88号", "2026年11月22日", "2026年度"}
    split = []
    for a, b in pairwise(lines):
        joined = a + b
        for unit in units:
            for m in re.finditer(re.escape(unit), joined):
                if m.start() < len(a) < m.end():
                    split.append((a, b, unit))
    assert split == []
    # the clause references do break, between 条 and 第（…）项 or 项 and 第…目, where a line needs it
    between = [(a, b) for a, b in pairwise(lines) if re.search(r"第[一二三四五六七八九十]+[条项]$|）项$", a)
               and b.startswith("第")]
    if which != "refusal":
        assert between, "no clause reference broke between its parts"


def test_the_last_line_of_a_paragraph_is_never_spread(printed):
    """The line before a paragraph's end keeps the natural spacing: pdftotext reads it as words
    split only at the text's own spaces."""
    pdf, source = printed["archive"]
    lines = body_lines(pdf)
    ends = [ws for ws, nxt in pairwise(lines) if abs(nxt[0][0] - (LEFT + 2 * 156 * MM / 28)) < 1]
    assert len(ends) > 20
    for ws in ends:
        for a, b in pairwise(ws):
            assert f"{a[4][-1]} {b[4][0]}" in source, ("".join(w[4] for w in ws), a, b)


def test_demo_notices_are_justified_within_the_cap(tmp_path):
    """The demo office's draft notices from its own data (the CLI, as an officer prints them)."""
    from desktop.store import demo

    db = str(tmp_path / "demo.db")
    assert run_main("demo", "--db", db).returncode == 0
    data = demo.demo_data()
    inp = tmp_path / "in.json"
    inp.write_text(json.dumps({k: data[k] for k in ("enterprises", "achievements")}, ensure_ascii=False), "utf-8")
    out = tmp_path / "demo.pdf"
    r = run_main("notices", "--db", db, "--policy", data["office"]["policy_id"], "--input", str(inp),
                 "--out", str(out), "--date", "2026-11-22")
    assert r.returncode == 0, r.stderr
    ach = " ".join(str(a.get("title", "")) + " " + str(a.get("ref", "")) for a in data["achievements"])
    assert spacing_problems(out, ach + " 运动鞋 缓震") == []
    from desktop.notices import layout as L

    for text, short, gaps in ragged_lines(out):
        assert short / gaps > L.JUSTIFY_CAP * SIZE, (text, short, gaps)


def test_wrap_breaks_a_clause_reference_between_its_parts_only():
    """At every measure, 《意见》第十二条第（十一）项第12目 breaks only after 条 or 项; a standard number,
    a committee's number and an amount in capitals stay whole (moved down instead)."""
    from desktop.notices import fonts
    from desktop.notices import layout as L

    body = fonts.register(fonts.choose({})["body"])
    cs = L.body_char_space()
    text = "依据《意见》第十二条第（十一）项第12目规定，给予人民币壹佰陆拾伍万元整（GB/T 3280-2025）承担（SAC/TC 28/SC 9/WG 3）"
    seen = set()
    for chars in range(12, 28):  # from the longest unit's length: a unit longer than a line is broken
        lines = L.wrap(text, body, SIZE, chars * L.CHAR_PITCH, cs)
        assert "".join(lines) == text
        for a, b in pairwise(lines):
            seen.add((a[-1], b[:2]))
            assert not re.search(r"第（?[一二三四五六七八九十\d]*$", a), (chars, lines)  # never 第 | 十二条, 第（ | 十一）项
            assert not re.match(r"[一二三四五六七八九十\d]*[）条项目]", b), (chars, lines)
            for unit in ("人民币壹佰陆拾伍万元整", "GB/T 3280-2025", "SAC/TC 28/SC 9/WG 3", "第（十一）项", "第十二条",
                         "第12目"):
                at = (a + b).find(unit)
                assert not (0 <= at < len(a) < at + len(unit)), (chars, lines, unit)
    assert ("条", "第（") in seen  # the break between 条 and 第（十一）项 is used


def test_a_closing_mark_squeezed_into_the_last_line_does_not_run_past_the_margin():
    """挤进: a paragraph of 25 characters and a figure after its indent, then 。, keeps the 。 on the
    line by tightening it; as the paragraph's last line it is tightened to the measure, not left wider."""
    from desktop.notices import fonts
    from desktop.notices import layout as L
    from desktop.notices.notice import _rows

    body = fonts.register(fonts.choose({})["body"])
    text = "奖补资金由财政通过国库集中支付方式于1日内拨付至账户。"
    assert len(text) == 27  # 25 characters, a figure (half an em), the 。
    rows = _rows(text, body)
    assert len(rows) == 1
    row = rows[0]
    end = row.x + L.text_width(row.text, body, SIZE, row.cs) - row.cs
    assert abs(end - L.AREA_RIGHT) < 0.01 and row.cs < L.body_char_space()
    old = _rows(text, body, layout=2)[0]  # layout 2 left it half an em into the margin (kept for reprints)
    assert old.x + L.text_width(old.text, body, SIZE, old.cs) - old.cs > L.AREA_RIGHT + 0.25 * SIZE


def test_new_notices_and_letters_are_recorded_with_layout_3():
    from desktop.notices import content as C

    assert C.LAYOUT_VERSION == 3
    assert long_notice()["content"]["layout"] == 3 and refusal_letter()["content"]["layout"] == 3


def test_layout_2_lines_are_still_broken_and_spread_as_they_were():
    """The layout-2 breaker kept for reprints: the clause reference whole and the line before it
    spread over the measure, exactly what layout 3 no longer does."""
    from desktop.notices import fonts
    from desktop.notices import layout as L
    from desktop.notices.legacy import justify_segments_v2, wrap_v2

    body = fonts.register(fonts.choose({})["body"])
    cs = L.body_char_space()
    note = "第（一）项 成果编号std-a，《意见》第五条第（二）项第2目：依据第五条第（二）项第2目核定"
    old = wrap_v2(note, body, SIZE, L.AREA_W, cs, 2 * L.CHAR_PITCH)
    new = L.wrap(note, body, SIZE, L.AREA_W, cs, 2 * L.CHAR_PITCH)
    assert old[0].endswith("《意见》") and old[1].startswith("第五条第（二）项第2目")
    assert new[0].endswith("第五条第（二）项") and new[1].startswith("第2目")
    spread = justify_segments_v2(old[0], body, SIZE, L.AREA_W - 2 * L.CHAR_PITCH, cs)
    assert max(space for _x, _t, space in spread) > L.JUSTIFY_CAP * SIZE  # more than half an em a gap
    capped = L.justify_segments(old[0], body, SIZE, L.AREA_W - 2 * L.CHAR_PITCH, cs)
    assert [space for _x, _t, space in capped] == [cs]  # flush left at the natural spacing


def _publicity(tmp: Path, n: int, name: str = "p.pdf") -> Path:
    from desktop.notices.publicity import ListRow, render_list

    rows = [ListRow(f"福建省莆田市鑫堃茶业有限公司{i}", f"主导制定国家标准《不锈钢冷轧钢板和钢带》（{REFS[0]}）",
                    "《意见》第四条第（三）项第1目", D("200000")) for i in range(n)]
    return render_list(tmp / name, year=2026, office=OFFICE["name"], policy=POLICY, rows=rows,
                       starts_on=dt.date(2026, 11, 23), ends_on=dt.date(2026, 11, 27), days=5,
                       objections_to="莆田市城厢区市场监督管理局标准化科", contact="张三，0594-1234567")


def test_a_short_publicity_list_fits_one_page_by_tightening_the_lines(tmp_path, monkeypatch):
    """GB/T 9704 7.3.5 on the 公示: a two-line list at the standard 22 lines a page leaves the contact
    line and the 落款 alone on a second page; tightened (at most to 24 lines a page) it fits one."""
    from desktop.notices import layout as L
    from desktop.notices import publicity

    pdf = _publicity(tmp_path, 2)
    assert pages_of(pdf) == 1
    ws = words(pdf, 1)
    assert "受理。联系人及电话：张三，0594-1234567。莆田市城厢区市场监督管理局2026年11月23日" in "".join(w[4] for w in ws)
    assert max(w[3] for w in ws if abs((w[3] - w[1]) - SIZE) < 1) <= (37 + 225) * MM + 0.5  # inside the type area
    ys = sorted({round(w[1], 1) for w in ws if abs((w[3] - w[1]) - SIZE) < 1 and w[0] < LEFT + 3 * L.CHAR_PITCH})
    assert min(b - a for a, b in pairwise(ys)) >= 225 * MM / 24 - 0.2  # never tighter than 24 lines a page
    monkeypatch.setattr(publicity, "PITCHES", (L.LINE_PITCH,))
    assert pages_of(_publicity(tmp_path, 2, "standard.pdf")) == 2


def test_the_publicity_signature_page_carries_two_lines_of_text(tmp_path):
    """A list too long for one page: the 落款 goes over with the last two lines of text, never with
    the one-line contact paragraph alone."""
    for n in (3, 13):
        pdf = _publicity(tmp_path, n, f"p{n}.pdf")
        last = [w for w in words(pdf, pages_of(pdf)) if abs((w[3] - w[1]) - SIZE) < 1]
        rows = sorted({round(w[1]) for w in last})
        text = ["".join(w[4] for w in sorted(x for x in last if round(x[1]) == y)) for y in rows]
        at = text.index(OFFICE["name"])
        assert at >= 2 and text[at - 1].startswith("联系人及电话") and "异议" in text[at - 2], text
