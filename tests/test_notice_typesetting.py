"""Notices set like 公文, measured on the rendered PDF: nothing beyond the type area, units never
split across lines or pages, lines justified, the signature never alone on its page, 版记, duplex
padding, metadata; and the wording rules (clause citations, amounts, title year, 成文日期 checks,
the office's template)."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import uuid
from decimal import Decimal as D
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import GOOD_USCC

from desktop.core.award import AwardResult
from desktop.core.errors import ValidationFailed
from desktop.core.vocabulary import Achievement

MM = 72 / 25.4
LEFT, RIGHT = 28 * MM, (28 + 156) * MM
POLICY = {"id": "putian-chengxiang-2021", "title": "莆田市城厢区人民政府关于实施标准化战略的意见",
          "document_number": "莆城政〔2021〕88号", "content_hash": "ab" * 32}
OFFICE = {"uuid": "o", "name": "莆田市城厢区市场监督管理局", "region": "350302", "doc_prefix": "城市监"}
REFS = ("GB/T 3280-2025", "IEC 62368-3:2025", "DB35/T 1234-2026", "T/ZZB 0123-2020", "ISO/IEC 27001:2022")
AMOUNTS = ("21000", "100000", "35000.5", "1650000", "7", "12345678.91", "980.10")


def _notice(n_lines: int, name: str = "福建省莆田市鑫堃茶业有限公司", office: dict | None = None,
            seed: int = 0, year: int = 2026, template: dict | None = None) -> dict:
    from desktop.notices import content as C
    from desktop.notices import fonts
    from desktop.notices.verify import content_hash

    achs, res = {}, []
    for i in range(n_lines):
        k = seed + i
        aid = f"a{i}"
        achs[aid] = Achievement(aid, GOOD_USCC, "standard", dt.date(year, 5, 1), ref=REFS[k % len(REFS)],
                                title=("运动鞋 缓震性能的测定", "不锈钢冷轧钢板和钢带", "茶")[k % 3],
                                level=("national", "industry", "local")[k % 3],
                                action=("formulate", "revise")[k % 2], rank=1 + k % 3)
        res.append(AwardResult(aid, "awarded", D(AMOUNTS[k % len(AMOUNTS)]), "std", ("五(二)2", "四(三)1", "五")[k % 3],
                               "x", (), GOOD_USCC, "main", "standard"))
    chosen = fonts.choose({})
    draft = C.build_drafts(res, achs, {GOOD_USCC: name}, office or OFFICE, POLICY, dt.date(2026, 11, 22), 2026,
                           {r: f.as_dict() for r, f in chosen.items()}, template=template)[0]
    content = C.finalise(draft, str(uuid.UUID(int=seed + 1)), "城市监", seed + 1)
    return {"content": content, "content_hash": content_hash(content)}


def _render(tmp: Path, notices: list[dict], name: str = "n.pdf", **kw) -> Path:
    from desktop.notices import render_notices

    return render_notices(notices, tmp / name, **kw)


def words(pdf: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    pat = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
    return [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in pat.findall(out)]


def pages_of(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def lines_of(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, its text lines (words with the same baseline joined, left to right)."""
    out = []
    for p in range(1, pages_of(pdf) + 1):
        rows: dict[float, list] = {}
        for w in words(pdf, p):
            rows.setdefault(round(w[3], 0), []).append(w)
        out.append([(min(w[0] for w in ws), min(w[1] for w in ws), max(w[2] for w in ws), max(w[3] for w in ws),
                     "".join(w[4] for w in sorted(ws))) for _y, ws in sorted(rows.items())])
    return out


def test_units_never_split_and_lines_justified_in_many_notices(tmp_path):
    """Amounts in capitals (with 整), figures with 元, standard numbers and each part of a clause
    reference (第五条, 第（二）项, 第2目) stay on one line; every line that a paragraph continues ends on
    the right edge of the type area, unless justifying it would spread it by more than the cap
    (layout.JUSTIFY_CAP em a gap): then it is set flush left."""
    from desktop.notices import content as C
    from desktop.notices import layout as L

    batch = [_notice(n, seed=s) for s, n in enumerate((1, 2, 3, 4, 5, 6, 7, 9, 11, 14, 15))]
    pdf = _render(tmp_path, batch)
    all_lines = [ln for page in lines_of(pdf) for ln in page]
    texts = [ln[4] for ln in all_lines]
    units = set()
    for item in batch:
        for ln in item["content"]["lines"]:
            units.add(C.amount_text(ln["amount"]).split("（")[0])  # 人民币…元整
            units.add(re.sub(r"\s", "", f"{D(ln['amount']):,.2f}元"))
        units.add(C.amount_text(item["content"]["total"]).split("（")[0])
    units |= {re.sub(r"\s", "", r) for r in REFS} | {"第五条", "第（二）项", "第2目", "第四条", "第（三）项", "第1目",
                                                  "莆城政〔2021〕88号"}
    for unit in units:
        assert any(unit in t for t in texts), f"{unit} never printed whole: {[t for t in texts if unit[:3] in t]}"
        for a, b in pairwise(texts):
            at = (a + b).find(unit, max(0, len(a) - len(unit) + 1))
            assert not 0 <= at < len(a), f"{unit} split: {a} | {b}"
    # 禁则: no line starts with a closing mark, none ends with an opening one
    assert not [t for t in texts if t[0] in "，。、：；）》〕"]
    assert not [t for t in texts if t[-1] in "（《〔"]
    # justified: a body line followed on its page by a flush-left continuation ends at the right edge
    short = []
    for page in lines_of(pdf):
        body = [ln for ln in page if abs((ln[3] - ln[1]) - 16) < 1.5 and ln[1] < 37 * MM + 225 * MM]
        for a, b in pairwise(body):
            continued = abs(b[0] - LEFT) < 1 and abs(a[0] - LEFT) < 2 * 16 + 2 * 3 and not a[4].endswith("：")
            gaps = len(re.sub(r"[A-Za-z0-9][A-Za-z0-9./\-+_:,]*", "x", a[4])) - 1  # a Latin run is set tight
            if continued and RIGHT - a[2] > 1.0 and (RIGHT - a[2]) / gaps <= L.JUSTIFY_CAP * 16:
                short.append((a[4], round(RIGHT - a[2], 1)))
    assert not short, short


def test_nothing_beyond_the_type_area_for_long_names(tmp_path):
    """A 54-character enterprise name wraps (主送 flush left, continued flush left); a 29- and a
    45-character office name keep the red 版头 at least the title size and inside the measure; the
    署名 never runs into the left margin."""
    from desktop.notices import fonts
    from desktop.notices import layout as L
    from desktop.notices.notice import authority_lines

    long_ent = "福建省莆田市城厢区" + "鑫堃茶业科技发展与标准化技术服务研究咨询" * 2 + "股份有限公司"
    assert len(long_ent) >= 54
    for office_name in ("莆田市城厢区市场监督管理局", "福建省莆田市城厢区市场监督管理局标准化工作领导小组办公室",
                        "福建省莆田市城厢区市场监督管理局（知识产权局）标准化工作领导小组办公室综合科室"):
        office = dict(OFFICE, name=office_name)
        pdf = _render(tmp_path, [_notice(2, long_ent, office)])
        for p in range(1, pages_of(pdf) + 1):
            for w in words(pdf, p):
                assert LEFT - 0.5 <= w[0] and w[2] <= RIGHT + 0.5, (office_name, w)
        head = fonts.register(fonts.choose({})["heading"])
        _lines, size, scale = authority_lines(office_name, head)
        assert size >= L.TITLE_SIZE and scale >= 75
        w1 = words(pdf, 1)
        red = [w for w in w1 if w[1] < 37 * MM + 60 * MM and (w[3] - w[1]) >= 22]
        assert red and all(w[3] - w[1] >= L.TITLE_SIZE - 0.5 for w in red)
        assert "".join(w[4] for w in sorted(red, key=lambda w: (w[1], w[0]))).replace(" ", "") == office_name
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert re.sub(r"\s", "", text).count(long_ent + "：") == 1


@pytest.mark.parametrize("n_lines", [1, 6, 7, 14, 15])
def test_signature_page_never_holds_only_the_closing_and_signature(tmp_path, n_lines):
    pdf = _render(tmp_path, [_notice(n_lines)])
    last = lines_of(pdf)[-1]
    texts = [ln[4] for ln in last]
    i = texts.index("特此通知。")
    body_before = [t for t in texts[:i] if not t.startswith("—")]
    assert len(body_before) >= 2, texts
    assert "莆田市城厢区市场监督管理局" in texts[i + 1:] and "2026年11月22日" in texts[i + 1:]


def test_spacing_tightened_within_tolerance_only_where_it_saves_a_page(tmp_path, monkeypatch):
    """GB/T 9704 7.3.5: line spacing is adjusted so the signature is not pushed onto a page of its
    own; here a 4-line notice takes 2 pages with lines at most 8 % tighter (24 a page), where the
    standard 22 lines would take 3. A notice that gains nothing keeps the standard grid."""
    from desktop.notices import layout as L
    from desktop.notices import notice as N

    pdf = _render(tmp_path, [_notice(4)])
    assert pages_of(pdf) == 2
    ys = sorted({round(ln[1], 2) for ln in lines_of(pdf)[1] if abs((ln[3] - ln[1]) - 16) < 1.5})
    gaps = [b - a for a, b in pairwise(ys)]
    assert min(gaps) >= 225 * MM / 24 - 0.1 and min(gaps) < L.LINE_PITCH - 1
    monkeypatch.setattr(N, "PITCHES", (L.LINE_PITCH,))
    assert pages_of(_render(tmp_path, [_notice(4)], "std.pdf")) == 3
    monkeypatch.undo()
    pdf = _render(tmp_path, [_notice(3)], "three.pdf")
    ys = sorted({round(ln[1], 2) for ln in lines_of(pdf)[1] if abs((ln[3] - ln[1]) - 16) < 1.5})
    assert all(abs((b - a) / L.LINE_PITCH - round((b - a) / L.LINE_PITCH)) < 0.01 for a, b in pairwise(ys))


def test_record_block_cc_printer_and_date(tmp_path):
    pdf = _render(tmp_path, [_notice(2)])
    last = [ln[4] for ln in lines_of(pdf)[-1]]
    assert "抄送：莆田市城厢区财政局。" in last
    assert any(t.startswith("莆田市城厢区市场监督管理局") and t.endswith("2026年11月22日印发") for t in last)


def test_signatory_is_used(tmp_path):
    pdf = _render(tmp_path, [_notice(1, office=dict(OFFICE, signatory="莆田市城厢区市场监督管理局（印）"))])
    assert any("莆田市城厢区市场监督管理局（印）" == ln[4] for ln in lines_of(pdf)[-1])


def test_duplex_pads_odd_notices_and_metadata_is_the_documents(tmp_path):
    one, two = _notice(1, seed=0), _notice(15, seed=1)
    plain = _render(tmp_path, [one, two], "plain.pdf")
    padded = _render(tmp_path, [one, two], "duplex.pdf", duplex=True)
    n1, n2 = pages_of(_render(tmp_path, [one], "a.pdf")), pages_of(_render(tmp_path, [two], "b.pdf"))
    assert pages_of(plain) == n1 + n2
    assert pages_of(padded) == n1 + n1 % 2 + n2 + n2 % 2
    if n1 % 2:  # the padding page is blank: no page number, nothing
        assert words(padded, n1 + 1) == []
    info = subprocess.run(["pdfinfo", str(_render(tmp_path, [one], "m.pdf"))], capture_output=True, text=True, check=True).stdout
    assert "Author:          莆田市城厢区市场监督管理局" in info
    assert "城市监〔2026〕1号 关于下达2026年度标准化奖补资金的通知" in info
    assert "CreationDate:    Sat Nov 21 16:00:00 2026 UTC" in info  # 2026-11-22 00:00 +08:00
    assert (tmp_path / "m.pdf").read_bytes() == _render(tmp_path, [one], "m2.pdf").read_bytes()


def test_wording_cites_clauses_and_amounts_like_a_gongwen():
    from desktop.notices import content as C

    assert C.cite_clause("五(二)2", "意见") == "《意见》第五条第（二）项第2目"
    assert C.cite_clause("四(三)", "意见") == "《意见》第四条第（三）项"
    assert C.cite_clause("五(二)、四(一)1", "意见") == "《意见》第五条第（二）项、第四条第（一）项第1目"
    assert C.cite_clause("附件(1)", "意见") == "《意见》附件（1）"
    assert C.amount_text(D(21000)) == "人民币贰万壹仟元整（21,000.00元）"
    paras = _notice(3)["content"]["text"]["paragraphs"]
    assert "（莆城政〔2021〕88号，以下简称《意见》）" in paras[0]
    assert paras[1] == ("（一）依据《意见》第五条第（二）项第2目规定，你单位作为第一起草单位主导制定国家标准"
                        "《运动鞋 缓震性能的测定》（GB/T 3280-2025），给予奖补资金人民币贰万壹仟元整（21,000.00元）。")
    assert "作为第二起草单位修订行业标准" in paras[2] and "参与" not in paras[2]
    assert "依据《意见》第四条第（三）项第1目规定" in paras[2]
    assert not any("¥" in p or "(" in p for p in paras)


def test_secretariat_is_termed_properly_without_book_marks():
    from desktop.notices.content import describe

    a = Achievement("t", GOOD_USCC, "secretariat", dt.date(2026, 1, 1), level="national", body="sc", ref="SAC/TC 339/SC 2")
    assert describe(a) == "承担全国专业标准化技术委员会分技术委员会（SAC/TC 339/SC 2）秘书处"
    b = Achievement("t", GOOD_USCC, "secretariat", dt.date(2026, 1, 1), level="national", body="tc",
                    title="全国茶叶标准化技术委员会", ref="SAC/TC 339")
    assert describe(b) == "承担全国茶叶标准化技术委员会（SAC/TC 339）秘书处"
    assert "《" not in describe(b) and "工作组" not in describe(a)


def test_title_year_is_the_notices_own_award_year():
    """In a mixed batch, an enterprise paid only for 2025 gets a 2025年度 notice, whatever the
    latest year in the file; a round's notices take the round's year."""
    from desktop.notices import content as C

    other = "91350302MA2YYYYY2B"
    achs = {"a": Achievement("a", GOOD_USCC, "standard", dt.date(2026, 3, 1), ref="GB/T 1-2026", level="national",
                             action="formulate", rank=1),
            "b": Achievement("b", other, "standard", dt.date(2025, 3, 1), ref="GB/T 2-2025", level="national",
                             action="formulate", rank=1)}
    res = [AwardResult(k, "awarded", D(1000), "std", "五(二)2", "x", (), a.enterprise, "main", "standard")
           for k, a in achs.items()]
    names = {GOOD_USCC: "甲公司", other: "乙公司"}
    drafts = C.build_drafts(res, achs, names, OFFICE, POLICY, dt.date(2026, 11, 22), 2026, {})
    assert [d.content["text"]["title"][4:8] for d in drafts] == ["2026", "2025"]
    rnd = C.build_drafts(res, achs, names, OFFICE, POLICY, dt.date(2026, 11, 22), 2024, {}, round_uuid="r")
    assert {d.content["year"] for d in rnd} == {2024}


def test_issue_date_checks():
    from desktop.notices.content import issue_date_problems

    today = dt.date(2026, 12, 2)
    errors, warnings = issue_date_problems(dt.date(2026, 12, 3), today)
    assert errors and "future" in errors[0] and not warnings
    errors, warnings = issue_date_problems(dt.date(2026, 11, 1), today, approved_on=dt.date(2026, 11, 20))
    assert not errors and "back-dated" in warnings[0]
    assert issue_date_problems(today, today, dt.date(2026, 11, 20)) == ([], [])


def test_cli_refuses_a_future_date(tmp_path):
    from conftest import run_cli

    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    r = run_cli("notices", "--db", str(tmp_path / "o.db"), "--policy", "putian-chengxiang-2021", "--input",
                str(tmp_path / "none.json"), "--out", str(tmp_path / "n.pdf"), "--date", future)
    assert r.returncode == 2 and "--date" in r.stderr and "future" in r.stderr


def test_template_validation_names_the_field():
    from desktop.notices import wording as W

    assert W.validate({}) == []
    problems = W.validate({"line": "{n}{achievement}{amont}", "closing": "特此\n通知。", "cc": ["财政局，审计局"],
                           "kinds": {"nonsense": "x"}, "opening": "{policy", "days": 0, "colour": "red"})
    fields = {p.field for p in problems}
    assert {"line", "closing", "cc 1", "kinds.nonsense", "opening", "days", "colour"} <= fields
    assert any("{amont}" in p.message for p in problems)
    assert W.finance_bureau("莆田市城厢区市场监督管理局") == "莆田市城厢区财政局"
    assert W.finance_bureau("某某委员会") == "同级财政部门"


def test_template_is_stored_versioned_and_used_and_reprints_keep_theirs(db, tmp_path):
    from test_notices import S

    from desktop.operations import notices as store
    from desktop.operations import template_store as wording
    from desktop.store import office as officemod

    officemod.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监", user="tester")
    with pytest.raises(ValidationFailed):
        wording.save({"closing": "{oops}"}, "admin")
    assert wording.current() == (0, {})
    assert wording.save({"closing": "此复。", "cc": ["{finance}", "莆田市城厢区审计局"]}, "admin") == 1
    achs = {"s": Achievement("s", GOOD_USCC, "standard", dt.date(2026, 5, 1), ref="GB/T 9-2026", level="national",
                             action="formulate", rank=1)}
    res = [AwardResult("s", "awarded", D(100000), "std", "五(二)2", "x", (), GOOD_USCC, "main", "standard")]
    n = store._issue(S(), res, achs, {GOOD_USCC: "甲公司"}, POLICY, dt.date(2026, 11, 22), 2026, None)[0]
    assert n.content["template"]["version"] == 1 and n.content["text"]["paragraphs"][-1] == "此复。"
    first = store.print_notices(S(), [n], tmp_path / "a.pdf").read_bytes()
    assert wording.save({"closing": "特此通知。"}, "admin") == 2
    assert [v["version"] for v in wording.history()] == [1, 2]
    again = store.print_notices(S(), [store.find(S(), n.doc_number)], tmp_path / "b.pdf").read_bytes()
    assert again == first
    text = subprocess.run(["pdftotext", str(tmp_path / "b.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "此复。" in text and "莆田市城厢区财政局，莆田市城厢区审计局。" in re.sub(r"\s", "", text)


def test_font_chosen_by_path_is_found_at_print_time(tmp_path):
    """A font given by its path outside the font folders is stored with that path and used again."""
    import shutil

    from desktop.notices import fonts

    copy = tmp_path / "myfonts" / "官方仿宋.ttc"
    copy.parent.mkdir()
    shutil.copy(fonts.bundled_path(), copy)
    chosen = fonts.choose({"fonts": {"body": str(copy)}})
    stored = chosen["body"].as_dict()
    assert stored["path"] == str(copy)
    assert fonts.from_stored("body", stored).path == str(copy)


def test_fonts_found_by_family_name_under_any_file_name(tmp_path, monkeypatch):
    """A face is found by the family its name table records, whatever its file is called, in a
    per-user font folder; the standard's face is preferred and reported as such."""
    import shutil

    from desktop.notices import fonts

    folder = tmp_path / "fonts" / "sub"
    folder.mkdir(parents=True)
    odd = folder / "zz-unusual-file-name.ttc"
    shutil.copy(fonts.bundled_path(), odd)
    monkeypatch.setenv("STDAWARD_FONT_DIRS", str(tmp_path / "fonts"))
    assert fonts.face_names(odd, 1) == {"AR PL UMing HK"}
    assert fonts.find_family("ar pl uming hk") == (odd, 1)
    chosen = fonts.choose({"fonts": {"body": "AR PL UMing HK"}})
    assert (chosen["body"].path, chosen["body"].index) == (str(odd), 1)
    with pytest.raises(fonts.FontError, match="not installed"):
        fonts.choose({"fonts": {"body": "方正仿宋_不存在"}})
    monkeypatch.setitem(fonts.STANDARD_FAMILIES, "body", ("AR PL UMing HK",))
    auto = fonts.choose({})["body"]
    assert (auto.path, auto.index) == (str(odd), 1)
    assert fonts.describe_face("body", auto) == {"face": "AR PL UMing HK", "standard": True}
    assert fonts.describe_face("heading", fonts.choose({})["heading"])["standard"] is False


def test_notice_fonts_verb_names_the_face_and_whether_it_is_the_standards(tmp_path):
    from conftest import run_cli

    db = str(tmp_path / "o.db")
    run_cli("office", "--db", db, "--name", "莆田市城厢区市场监督管理局", "--region", "350302", "--doc-prefix", "城市监")
    r = run_cli("notice-fonts", "--db", db)
    assert r.returncode == 0, r.stderr
    assert "not the standard's face" in r.stdout and "AR PL UMing" in r.stdout
    import json

    data = json.loads(run_cli("notice-fonts", "--db", db, "--json").stdout)
    assert data["body"]["standard"] is False and data["heading"]["face"]


def test_next_serial_is_settable_but_never_to_a_used_number(db, tmp_path):
    """An office continuing its OA register sets the next 发文字号; a number already used (or
    passed over) is refused, naming the field, and nothing changes."""
    from test_notices import S

    from desktop.operations import notices as store
    from desktop.store import office as officemod
    from desktop.store import serials
    from desktop.store.models import AuditEntry

    officemod.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监", user="tester")
    achs = {"s": Achievement("s", GOOD_USCC, "standard", dt.date(2026, 5, 1), ref="GB/T 9-2026", level="national",
                             action="formulate", rank=1)}
    res = [AwardResult("s", "awarded", D(100000), "std", "五(二)2", "x", (), GOOD_USCC, "main", "standard")]

    def issue():
        n = store._issue(S(), res, achs, {GOOD_USCC: "甲公司"}, POLICY, dt.date(2026, 11, 22), 2026, None)[0]
        store.void(S(), n, "测试编号")  # the same award may be issued again only once its notice is void
        return n

    assert serials.next_serial("城市监", 2026) == 1
    assert serials.set_next("城市监", 2026, 57, "admin") == 57
    assert issue().doc_number == "城市监〔2026〕57号"
    for bad in (57, 12, 0, -1):
        with pytest.raises(ValidationFailed) as exc:
            serials.set_next("城市监", 2026, bad, "admin")
        assert exc.value.problems[0].field == "next"
    assert serials.next_serial("城市监", 2026) == 58
    serials.set_next("城市监", 2026, 100, "admin")
    with pytest.raises(ValidationFailed, match="already used"):
        serials.set_next("城市监", 2026, 80, "admin")  # 58-99 were passed over: still never given
    assert issue().doc_number == "城市监〔2026〕100号"
    assert serials.next_serial("城市监", 2027) == 1
    assert AuditEntry.select().where(AuditEntry.entity == "notice_serial").count() == 2


def test_cli_notice_serial(tmp_path):
    from conftest import run_cli

    db = str(tmp_path / "o.db")
    run_cli("office", "--db", db, "--name", "莆田市城厢区市场监督管理局", "--region", "350302", "--doc-prefix", "城市监")
    r = run_cli("notice-serial", "--db", db, "--year", "2026", "--next", "41")
    assert r.returncode == 0 and "城市监〔2026〕41号" in r.stdout, r.stderr
    r = run_cli("notice-serial", "--db", db, "--year", "2026", "--next", "0")
    assert r.returncode == 2 and "next" in r.stderr


def test_docx_draft_is_marked_editable_and_has_no_number_or_code(tmp_path):
    from docx import Document

    from desktop.notices import verify as V
    from desktop.notices.docx_draft import DRAFT_MARK, write_docx

    item = _notice(2)
    out = write_docx(item["content"], tmp_path / "d.docx")
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert DRAFT_MARK in doc.sections[0].header.paragraphs[0].text and "草稿" in doc.core_properties.title
    assert "城市监〔2026〕  号" in text and "城市监〔2026〕1号" not in text  # the OA system numbers it
    assert "核验码" not in text and V.verification_code(item["content"]["notice"], item["content_hash"]) not in text
    assert not doc.inline_shapes  # no QR code
    for p in item["content"]["text"]["paragraphs"]:
        assert p in text
    assert "抄送：莆田市城厢区财政局。" in text and "2026年11月22日印发" in text
    sec = doc.sections[0]
    assert round(sec.left_margin.mm) == 28 and round(sec.top_margin.mm) == 37 and round(sec.page_width.mm) == 210


def test_cli_notice_docx_issues_nothing(tmp_path):
    import json

    from conftest import run_cli, std

    db = str(tmp_path / "o.db")
    run_cli("office", "--db", db, "--name", "莆田市城厢区市场监督管理局", "--region", "350302", "--doc-prefix", "城市监")
    data = {"enterprises": [{"uscc": GOOD_USCC, "name": "福建省莆田市鑫堃茶业有限公司"}],
            "achievements": [std(date="2025-05-01", ref="GB/T 43210-2024", title="运动鞋 缓震性能的测定")]}
    inp = tmp_path / "in.json"
    inp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = run_cli("notice-docx", "--db", db, "--policy", "putian-chengxiang-2021", "--input", str(inp),
                "--out", str(tmp_path / "drafts"), "--date", "2026-11-22")
    assert r.returncode == 0, r.stderr
    assert [p.name for p in (tmp_path / "drafts").iterdir()] == ["福建省莆田市鑫堃茶业有限公司-可编辑草稿.docx"]
    assert json.loads(run_cli("notice-list", "--db", db, "--json").stdout) == []


def test_a_notice_issued_with_layout_1_reprints_byte_identical(tmp_path):
    """A notice stored before justified setting and 版记 (``"layout": 1``) is drawn by the layout it
    was issued with: these hashes are of the PDFs the layout-1 code printed from this very content
    (reportlab 5.1, the bundled font)."""
    import hashlib
    import json

    item = json.loads((Path(__file__).parent / "data" / "notice_layout1.json").read_text(encoding="utf-8"))
    assert item["content"]["layout"] == 1
    for copy, digest in (("enterprise", "12437bd19b91e2980cfa078c9c58bf3134696a4c82a41a4f88f46409c40d3a83"),
                         ("archive", "e6f0f52884706fa36b1433dc049bc2b560a996eb20afd0690758b995914cc258")):
        pdf = _render(tmp_path, [item], f"{copy}.pdf", copy=copy)
        assert hashlib.sha256(pdf.read_bytes()).hexdigest() == digest, copy


def test_justified_lines_do_not_letter_space_standard_numbers(tmp_path):
    """The extra space of a justified line goes between Chinese characters: a standard number on
    it is set at its natural width (measured on the PDF) and stands apart as a word of its own."""
    from desktop.notices import fonts
    from desktop.notices import layout as L

    body = fonts.register(fonts.choose({})["body"])
    pdf = _render(tmp_path, [_notice(6)])
    checked = 0
    for p in range(1, pages_of(pdf) + 1):
        for w in words(pdf, p):
            if re.fullmatch(r"\d{4}-\d{4}|GB/T", w[4]):
                natural = L.text_width(w[4], body, 16, L.body_char_space()) - L.body_char_space()
                assert abs((w[2] - w[0]) - natural) < 1.0, (w, natural)
                checked += 1
    assert checked >= 3


def test_archive_copy_names_the_clause_not_the_rule_id(tmp_path):
    item = _notice(2)
    notes = item["content"]["text"]["archive_notes"]
    assert notes[0].startswith("第（一）项 成果编号a0，《意见》第五条第（二）项第2目：")
    assert not any("std" in n for n in notes)  # the rule's internal id never reaches paper


def test_a_one_line_notice_takes_two_pages_because_the_first_has_room_for_half_of_it(tmp_path):
    """GB/T 9704 fixes the 版头 (发文机关标志 35 mm below the top of the type area, 发文字号, red rule,
    title, each with its blank lines), which leaves the first page about 11 body lines even at the
    tightest spacing the layout allows (24 lines a page); the shortest notice needs about twice that
    (主送, opening, one award line, total, payment, 特此通知, seal room, 署名, 成文日期, 版记). So it
    takes two pages: the first filled to its last line, the second carrying text before 特此通知."""
    pdf = _render(tmp_path, [_notice(1)])
    assert pages_of(pdf) == 2
    first, second = lines_of(pdf)  # pdftotext measures y from the top of the page
    foot = (37 + 225) * MM  # the type area's lower edge
    body = [ln for ln in first if abs((ln[3] - ln[1]) - 16) < 1.5 and not ln[4].startswith("—")]
    recipient = min(ln[1] for ln in body if ln[4].endswith("："))  # the 主送 line, the first of the body
    room = int((foot - recipient) // (225 * MM / 24) + 0.01)  # body lines left at the tightest spacing
    assert 9 <= room <= 12
    second_body = [ln for ln in second if not ln[4].startswith("—")]
    needed = len(body) + len(second_body) + 3  # + the seal room (2 blank lines) and the 版记's gap
    assert needed > room + 6
    assert foot - max(ln[3] for ln in body) < 225 * MM / 22 + 1  # the first page is filled to its foot


def test_cli_words_one_kinds_award_line_checks_it_and_goes_back_to_the_general_line(tmp_path):
    import json

    from conftest import run_main

    db = str(tmp_path / "o.db")
    assert run_main("office", "--name", "莆田市城厢区市场监督管理局", "--region", "350302", "--doc-prefix", "城市监",
                    "--db", db).returncode == 0
    r = run_main("notice-wording", "--kind", "gi", "--line", "{n}你单位{achievement}，奖励{amount}。", "--db", db)
    assert r.returncode == 0, r.stderr
    shown = json.loads(run_main("notice-wording", "--json", "--db", db).stdout)
    assert shown["version"] == 1 and shown["kinds"]["gi"] == "{n}你单位{achievement}，奖励{amount}。"
    assert shown["kinds"]["prize"] is None and "{clause}" in shown["line"]
    r = run_main("notice-wording", "--kind", "prize", "--line", "{n}{achievement}{bonus}", "--db", db)
    assert r.returncode == 2 and "kinds.prize" in r.stderr and "{bonus}" in r.stderr
    r = run_main("notice-wording", "--kind", "medal", "--line", "{n}{achievement}", "--db", db)
    assert r.returncode == 2 and "unknown achievement kind" in r.stderr
    assert json.loads(run_main("notice-wording", "--json", "--db", db).stdout)["version"] == 1  # nothing saved
    text = run_main("notice-wording", "--kind", "gi", "--db", db).stdout
    assert "你单位{achievement}" in text and "standard" not in text
    r = run_main("notice-wording", "--kind", "gi", "--general", "--db", db)
    assert r.returncode == 0
    shown = json.loads(run_main("notice-wording", "--json", "--db", db).stdout)
    assert shown["version"] == 2 and shown["kinds"]["gi"] is None
    assert run_main("notice-wording", "--general", "--db", db).returncode == 1  # which kind?
    assert run_main("notice-wording", "--defaults", "--db", db).returncode == 0


LAYOUT2_PDFS = (  # the PDFs the layout-2 code printed from tests/data/notice_layout2.json (reportlab 5.1, bundled font)
    ("notice", "enterprise", "f0981d52e2438cdb01f59e8e35216a34959120b60387ea1a40d19402d3bd454b"),
    ("notice", "archive", "3458bfe52a0abfdd4c4e9cdcb5cdac8ee215d9636897201d3ad83eafc032b9cf"),
    ("refusal", "enterprise", "5f75c9dc64afb9225e94c764e717d6f4d27b75eb3ecd12377d0fae28d62b6c2f"),
)


def test_notices_and_letters_issued_with_layout_2_reprint_byte_identical(tmp_path):
    """A notice and a letter of refusal stored with ``"layout": 2`` (a 40-character name, long clause
    references, the loose lines layout 2 set before them) are drawn as they were issued, byte for byte."""
    import hashlib
    import json

    items = json.loads((Path(__file__).parent / "data" / "notice_layout2.json").read_text(encoding="utf-8"))
    for key, copy, digest in LAYOUT2_PDFS:
        assert items[key]["content"]["layout"] == 2
        pdf = _render(tmp_path, [items[key]], f"{key}-{copy}.pdf", copy=copy)
        assert hashlib.sha256(pdf.read_bytes()).hexdigest() == digest, (key, copy)
