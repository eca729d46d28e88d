"""Award rules on every boundary and refusals an officer can quote (issue 13): prize identity,
refused claims, look-alikes without a reference, notes on the right awards, horizons and the
office's closing date, derived measures, one source of Chinese labels, and the policy print-out."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.core.engine import compute
from desktop.core.labels import ZH
from desktop.core.policies import CASE_USCC, PolicyError, closing, install, known_policy_ids, load_policy
from desktop.core.vocabulary import parse_batch
from tests.conftest import run_cli

OTHER = "91350302MA2Y0KXQ4Q"
INTERNAL = re.compile(r"\b(?:[a-z]+-){1,}[a-z0-9]+\b|\b(?:national|provincial|municipal|standard|district|city)\b")


def achs(*rows: dict) -> list:
    recs = [{"id": f"r{i + 1}", "enterprise": CASE_USCC, **r} for i, r in enumerate(rows)]
    out, problems = parse_batch(recs)
    assert not [p for p in problems if p.severity == "error"], problems
    return out


def test_a_provincial_prize_for_a_standard_already_given_a_national_prize_is_paid():
    p = load_policy("putian-chengxiang-2021")
    given = achs({"kind": "prize", "prize": "china-innovation", "grade": 1, "rank": 1, "date": "2023-01-01",
                  "ref": "GB/T 1-2022"},
                 {"kind": "prize", "prize": "fujian-contribution", "grade": 1, "rank": 1, "date": "2023-02-01",
                  "ref": "GB/T 1-2022"})
    r = compute(p, given)
    assert [(x.status, x.amount) for x in r] == [("awarded", Decimal("100000.00")), ("awarded", Decimal("50000.00"))]
    # and against the database: the national prize already paid does not block the provincial one
    prior = {given[0].identity(): "old"}
    assert compute(p, given[1:], prior)[0].status == "awarded"
    assert compute(p, given[:1], prior)[0].status == "duplicate"


def test_a_claim_refused_earlier_in_the_batch_never_makes_the_later_one_a_duplicate():
    p = load_policy("putian-chengxiang-2021")
    pilot = {"kind": "pilot", "level": "national", "domain": "service", "date": "2023-01-01", "ref": "试点-会展"}
    r = compute(p, achs({**pilot, "accepted": False, "title": "会展试点（未验收）"},
                        {**pilot, "accepted": True, "date": "2023-09-01", "title": "会展试点（已验收）"},
                        {**pilot, "accepted": True, "date": "2023-10-01", "title": "会展试点（再次申报）"}))
    assert [x.status for x in r] == ["not_eligible", "awarded", "duplicate"]
    assert "会展试点（已验收），试点-会展" in r[2].explanation and "未验收" not in r[2].explanation


def test_two_items_that_nothing_tells_apart_are_both_paid_and_flagged_for_the_officer():
    p = load_policy("jiulongpo-2012")
    r = compute(p, achs({"kind": "project", "level": "municipal", "date": "2013-01-01"},
                        {"kind": "project", "level": "municipal", "date": "2013-06-01"}))
    assert [x.status for x in r] == ["awarded", "awarded"]
    assert not r[0].flags and any("请核实" in f and "r1" in f for f in r[1].flags)


def test_the_5_yuan_note_rides_only_on_national_pilot_awards():
    p = load_policy("putian-chengxiang-2021")
    r = compute(p, achs({"kind": "pilot", "level": "national", "domain": "service", "accepted": True, "date": "2023-01-01"},
                        {"kind": "pilot", "level": "provincial", "domain": "service", "accepted": True,
                         "date": "2023-01-01"}))
    assert any("5元" in f for f in r[0].flags)
    assert not any("5元" in f for f in r[1].flags) and r[1].amount == Decimal("30000.00")


def test_an_award_past_the_policy_horizon_is_flagged_and_the_office_can_close_the_policy():
    p = load_policy("quanzhou-2012")
    a = achs({"kind": "standard", "level": "national", "action": "formulate", "rank": 1, "date": "2024-03-01",
              "ref": "GB/T 43001-2024"})
    r = compute(p, a)[0]
    assert r.status == "awarded" and any("到2015年" in f for f in r.flags)
    closed = closing(p, dt.date(2020, 12, 31))
    assert p.expires is None  # the cached policy itself is untouched
    r = compute(closed, a)[0]
    assert r.status == "not_eligible" and "本单位确定的政策适用截止日期（2020年12月31日）" in r.explanation
    assert compute(closed, achs({"kind": "standard", "level": "national", "action": "formulate", "rank": 1,
                                 "date": "2019-03-01", "ref": "GB/T 38001-2019"}))[0].status == "awarded"
    with pytest.raises(PolicyError, match="before the policy takes effect|早于|before"):
        closing(p, dt.date(2010, 1, 1))


def test_refusals_say_what_the_policy_pays_for_the_kind_in_rank_order_without_internal_ids():
    p = load_policy("putian-chengxiang-2021")
    r = compute(p, achs({"kind": "secretariat", "level": "municipal", "body": "tc", "date": "2023-01-01", "ref": "X"},
                        {"kind": "prize", "prize": "chongqing-product", "grade": 1, "rank": 1, "date": "2023-01-01"},
                        {"kind": "gi", "rank": 1, "date": "2023-01-01"},
                        {"kind": "leader", "level": "provincial", "date": "2023-01-01"}))
    sec, prize, gi, _leader = (x.explanation for x in r)
    # said against every level the clause pays (国家级 and 省级), not only the nearest rule's
    assert sec.startswith("市级专业标准化技术委员会秘书处不予奖补：级别“市级”不在本条款范围内（国家级、省级）（五(二)1）")
    pilot = compute(p, achs({"kind": "pilot", "level": "municipal", "domain": "industry", "accepted": True,
                             "date": "2023-01-01"}))[0].explanation
    assert "（国家级、省级）" in pilot  # rank order, one style of label (not 市级、国家、省级)
    assert "五(二)1 承担全国专业标准化技术委员会、分技术委员会秘书处" in sec
    assert "中国标准创新贡献奖" in prize and "福建省标准贡献奖" in prize
    assert "奖项“重庆市产品标准奖”不在本条款范围内（中国标准创新贡献奖、福建省标准贡献奖）（五(二)5）" in prize
    assert gi == "本政策没有关于地理标志产品保护的奖补条款"
    for text in (sec, prize, gi):
        assert not INTERNAL.search(text), text


def test_a_refusal_says_why_each_clause_for_the_kind_leaves_the_achievement_out():
    q = load_policy("quanzhou-2012")
    local, group, industrial = (x.explanation for x in compute(q, achs(
        {"kind": "standard", "level": "local", "action": "formulate", "rank": 2, "date": "2013-04-01", "ref": "DB35/T 1-2013"},
        {"kind": "standard", "level": "group", "action": "formulate", "rank": 3, "date": "2013-04-01", "ref": "T/QZ 1-2013"},
        {"kind": "pilot", "level": "national", "domain": "industry", "accepted": True, "date": "2014-04-01"})))
    # 四(三)1 pays only the first drafter; 四(三)2 leaves out 地方标准 (the nearest rule alone said neither)
    assert "不予奖补：四(三)1：排名第2位，本条款只适用于第1位；四(三)2：级别“地方”不在本条款范围内（国际、国家、行业）。" in local
    assert "四(三)2：级别“团体”不在本条款范围内（国际、国家、行业）" in group and "（国际）" not in group
    assert "领域“工业”不在本条款范围内（农业、服务业、园区）（四(三)）" in industrial
    # one rule's several reasons all stay said
    j = compute(load_policy("jiulongpo-2012"), achs({"kind": "standard", "level": "industry", "action": "revise",
                                                     "rank": 2, "date": "2013-04-01", "ref": "QC/T 1-2013"}))[0]
    assert "级别“行业”不在本条款范围内（国际、国家）；制修订类别“修订”不在本条款范围内（制定）；排名第2位" in j.explanation


def test_every_clause_heading_names_what_it_pays_for():
    """A clause for any prize or any committee reads 标准奖项 / 技术委员会, never a gap (温州's prize
    clause printed as a bare 三(二); 广州's as （优秀标准化项目）)."""
    from desktop.core.engine import _Words

    for pid in known_policy_ids():
        p = load_policy(pid)
        w = _Words(p)
        for rule in p.rules:
            scope = w.scope(rule)
            what = scope[len(rule.clause):].strip()
            assert what and not what.startswith("（") and "标准化秘书处" not in what and not what.endswith("标准化"), (pid, scope)
    assert _Words(load_policy("wenzhou-2017")).scope(load_policy("wenzhou-2017").rule("prize")) == "三(二) 标准奖项"
    gz = load_policy("guangzhou-2013")
    assert _Words(gz).scope(gz.rule("secretariat")).endswith("国际、国家级、省级专业标准化技术委员会秘书处落户广州")


def test_every_explanation_of_every_worked_case_is_free_of_internal_ids_and_amounts_carry_yuan():
    from desktop.core.policies import case_results

    for pid in known_policy_ids():
        for _case, _given, results in case_results(load_policy(pid)):
            for r in results:
                if r.status == "duplicate":  # names the other record by the office's own record id
                    continue
                assert not INTERNAL.search(r.explanation), (pid, r.explanation)
                for figure in re.findall(r"\d{1,3}(?:,\d{3})+(?:\.\d\d)?(?![\d,])(.?)", r.explanation):
                    assert figure == "元", (pid, r.explanation)


def test_quanzhou_counts_product_adoptions_not_distinct_standard_numbers():
    from desktop.core.targets import progress

    p = load_policy("quanzhou-2012")
    given = achs({"kind": "adoption", "date": "2013-05-01", "ref": "EN 71-1:2011"},
                 {"kind": "adoption", "date": "2013-05-01", "ref": "EN 71-1:2011", "enterprise": OTHER})
    count = {t.id: t.count for t in progress(p, given, dt.date(2015, 12, 31))}["adoption-20"]
    assert count == 2


def test_one_source_of_chinese_labels_for_notices_explanations_and_the_template():
    from desktop.core.policies import common_labels
    from desktop.exchange.xlsx import LABELS_ZH
    from desktop.notices import content

    labels = common_labels()
    for group in ("kind", "level", "tier", "action", "body", "prize", "grade", "domain"):
        assert labels[group] == ZH[group]
    assert content._PRIZE == ZH["prize"] and content._DOMAIN == ZH["domain"] and content._BODY == ZH["body"]
    for fld in ("level", "action", "body", "prize", "grade", "domain", "accepted", "rank", "ref"):
        assert LABELS_ZH[fld] == ZH["field"][fld]


MEASURE = '''
[policy]
id = "chengxiang-2026"
extends = "putian-chengxiang-2021"
title = "城厢区标准化奖补调整办法"
document_number = "城市监〔2026〕3号"
decided_by = "城市监〔2026〕3号"
decided_on = 2026-03-01
issuer = "莆田市城厢区市场监督管理局"
issued = 2026-03-01
effective = 2026-03-01
effective_clause = "第五条"

[[rules]]
id = "pilot"
amounts = { national = "80000", provincial = "30000" }

[[case]]
name = "国家级试点8万"
given = [{ kind = "pilot", level = "national", domain = "service", accepted = true, date = "2026-05-01" }]
expect = [{ status = "awarded", amount = "80000", rule = "pilot" }]
'''


def test_a_derived_rule_says_what_changed_and_who_decided_it_and_the_office_is_the_issuer(tmp_path):
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "chengxiang-2026.toml").write_text(MEASURE, "utf-8")
    p = load_policy("chengxiang-2026", [folder])
    rule = p.rule("pilot")
    assert p.issuer == "莆田市城厢区市场监督管理局" and p.decided_on == dt.date(2026, 3, 1)
    assert rule.changed == "国家级由50,000元改为80,000元"
    assert rule.text.startswith("按城市监〔2026〕3号执行：国家级由50,000元改为80,000元")
    assert "上级政策五(二)6原文" in rule.text  # the parent's words are quoted as the parent's
    # the office set the national amount itself: the “5元” reading no longer rides on the award
    assert rule.notes == ()
    r = compute(p, achs({"kind": "pilot", "level": "national", "domain": "service", "accepted": True,
                         "date": "2026-05-01"}))[0]
    assert r.amount == Decimal("80000.00") and not any("5元" in f for f in r.flags)
    assert p.rule("formulate-main").notes == ("formulate-main-ranks",)  # a reading of ranks stays
    # an unchanged rule keeps the parent's literal text and says nothing changed
    assert p.rule("leader").text == load_policy("putian-chengxiang-2021").rule("leader").text
    assert p.rule("leader").changed is None
    # no issuer of its own: refused, never the base government's name
    (folder / "chengxiang-2026.toml").write_text(MEASURE.replace('issuer = "莆田市城厢区市场监督管理局"\n', ""), "utf-8")
    with pytest.raises(PolicyError) as exc:
        load_policy("chengxiang-2026", [folder])
    assert exc.value.key == "policy.issuer"


def test_installing_a_measure_never_overwrites_silently(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "chengxiang-2026.toml").write_text(MEASURE, "utf-8")
    folder = tmp_path / "office" / "policies"
    policy = load_policy(src / "chengxiang-2026.toml")
    target = install(policy, {"chengxiang-2026.toml": MEASURE.encode()}, folder, replace=False)
    assert target.read_text("utf-8") == MEASURE
    changed = MEASURE.replace('"80000"', '"90000"').replace('amount = "80000"', 'amount = "90000"')
    with pytest.raises(PolicyError, match="already installed"):
        install(policy, {"chengxiang-2026.toml": changed.encode()}, folder, replace=False)
    assert target.read_text("utf-8") == MEASURE  # untouched
    install(policy, {"chengxiang-2026.toml": changed.encode()}, folder, replace=True)
    assert target.read_text("utf-8") == changed
    assert not list(folder.glob(".installing-*"))
    bundled = load_policy("putian-chengxiang-2021")
    with pytest.raises(PolicyError, match="bundled"):
        install(bundled, {"putian-chengxiang-2021.toml": b""}, folder, replace=True)


def test_policy_add_refuses_to_overwrite_without_replace(tmp_path):
    src = tmp_path / "chengxiang-2026.toml"
    src.write_text(MEASURE, "utf-8")
    db = str(tmp_path / "office.db")
    assert run_cli("policy-add", str(src), "--db", db).returncode == 0
    src.write_text(MEASURE.replace('national = "80000"', 'national = "90000"').replace(
        'amount = "80000"', 'amount = "90000"'), "utf-8")
    r = run_cli("policy-add", str(src), "--db", db)
    assert r.returncode != 0 and "already installed" in r.stderr
    installed = [f for f in tmp_path.rglob("chengxiang-2026.toml") if f != src]
    assert len(installed) == 1 and '"80000"' in installed[0].read_text("utf-8")  # the first stays
    assert run_cli("policy-add", str(src), "--replace", "--db", db).returncode == 0
    assert '"90000"' in installed[0].read_text("utf-8")


# ---------------------------------------------------------------- the print-out

def test_the_print_out_holds_every_clause_table_note_and_case_and_no_internal_id():
    from desktop.notices.policy_print import policy_blocks

    p = load_policy("putian-chengxiang-2021")
    blocks = policy_blocks(p)
    text = "\n".join(b.text for b in blocks) + "\n".join("|".join(r) for b in blocks for r in b.rows)
    for rule in p.rules:  # quoted whole, its own quotation marks nested as ‘’
        assert "原文：“" + rule.text.replace("“", "‘").replace("”", "’") + "”" in text and rule.clause in text
    for note in p.notes.values():
        assert note.literal in text and note.reading in text and note.why in text
    for case in p.cases:
        assert case["name"] in text
    assert "第2位（70%）" in text and "35,000元" in text  # revise: levels × ranks × percentages
    assert "审定意见" in text and "负责人（签字）" in text
    for rid in [r.id for r in p.rules] + [p.id, "district", "not_eligible", "awarded"]:
        assert not re.search(rf"(?<![A-Za-z-]){re.escape(rid)}(?![A-Za-z-])", text), rid


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_policy_print_cli_writes_a_pdf_with_the_embedded_font(tmp_path):
    out = tmp_path / "九龙坡 政策.pdf"
    r = run_cli("policy-print", "jiulongpo-2012", "--out", str(out), "--db", str(tmp_path / "none.db"))
    assert r.returncode == 0, r.stderr
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "四(三)" in text and "每通过一个市级标准化项目" in text and "50,000元" in text
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Helvetica" not in fonts and " yes " in fonts  # embedded TrueType only
    assert run_cli("policy-print", "no-such-policy", "--out", str(tmp_path / "x.pdf"),
                   "--db", str(tmp_path / "none.db")).returncode != 0
    assert not (tmp_path / "x.pdf").exists()
    r = run_cli("policy-print", "jiulongpo-2012", "--out", str(tmp_path / "x.docx"), "--db", str(tmp_path / "none.db"))
    assert r.returncode != 0 and not (tmp_path / "x.docx").exists()


def test_policy_print_is_identical_when_run_twice(tmp_path):
    from desktop.notices.policy_print import render_policy

    p = load_policy("wenzhou-2017")
    a = render_policy(p, tmp_path / "a.pdf")
    b = render_policy(p, tmp_path / "b.pdf")
    assert Path(a).read_bytes() == Path(b).read_bytes()


def test_the_office_closes_a_policy_in_its_settings_and_compute_obeys(tmp_path):
    import json

    from tests.conftest import GOOD_USCC

    db = str(tmp_path / "office.db")
    assert run_cli("office", "--name", "泉州市市场监督管理局", "--region", "350500", "--doc-prefix", "泉市监",
                   "--db", db).returncode == 0
    data = {"enterprises": [{"uscc": GOOD_USCC, "name": "泉州某鞋业有限公司"}],
            "achievements": [{"id": "s24", "enterprise": GOOD_USCC, "kind": "standard", "level": "national",
                              "action": "formulate", "rank": 1, "date": "2024-03-01", "ref": "GB/T 43002-2024"}]}
    src = tmp_path / "in.json"
    src.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert run_cli("load", str(src), "--db", db).returncode == 0

    def award():
        r = run_cli("compute", "--policy", "quanzhou-2012", "--year", "2024", "--json", "--db", db)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)[0]

    first = award()
    assert first["status"] == "awarded" and any("到2015年" in f for f in first["flags"])
    r = run_cli("office", "--close-policy", "quanzhou-2012=2020-12-31", "--db", db)
    assert r.returncode == 0 and "2020-12-31" in r.stdout
    closed = award()
    assert closed["status"] == "not_eligible" and "2020年12月31日" in closed["explanation"]
    for bad in ("quanzhou-2012=2010-01-01", "quanzhou-2012=next year", "no-such-policy=2020-01-01", "=2020-01-01"):
        r = run_cli("office", "--close-policy", bad, "--db", db)
        assert r.returncode == 2 and "close-policy" in r.stderr, (bad, r.stderr)
    assert award()["status"] == "not_eligible"  # the refused changes left the setting as it was
    assert run_cli("office", "--close-policy", "quanzhou-2012=", "--db", db).returncode == 0
    assert award()["status"] == "awarded"


def test_the_print_out_says_when_the_office_closed_the_policy():
    from desktop.notices.policy_print import policy_blocks

    p = load_policy("quanzhou-2012")
    head = policy_blocks(p)[2].text
    assert "文件未规定失效日期" in head and "工作目标期限：到2015年（2015年12月31日）" in head
    head = policy_blocks(closing(p, dt.date(2020, 12, 31)))[2].text
    assert "本单位确定的适用截止日期：2020年12月31日" in head


def test_the_importer_computes_natural_keys_exactly_as_the_store_does():
    from desktop.exchange import importer
    from desktop.exchange.tables import ACHIEVEMENTS
    from desktop.store.records import natural_key
    from tests.test_engine import random_achievements

    achievements = random_achievements(2000) + achs(
        {"kind": "prize", "prize": "fujian-contribution", "grade": 2, "rank": 1, "date": "2023-01-01",
         "ref": "GB/T 5-2022"},
        {"kind": "prize", "prize": "china-innovation", "rank": 2, "date": "2023-01-01", "ref": "gb/t  5—2022"},
        {"kind": "pilot", "level": "provincial", "domain": "park", "accepted": False, "date": "2023-01-01"},
        {"kind": "secretariat", "level": "national", "body": "sc", "date": "2023-01-01", "ref": " SAC/TC 9/SC 1 "},
        {"kind": "adoption", "date": "2023-01-01", "ref": "EN 71-1:2011"})
    cols = ACHIEVEMENTS.columns
    rows = []
    for n, a in enumerate(achievements):
        raw = {"uuid": f"u{n}", "enterprise": "E" + a.enterprise, "source_id": a.id, "kind": a.kind,
               "date": a.date.isoformat(), "ref": a.ref, "level": a.level, "action": a.action, "rank": a.rank,
               "body": a.body, "prize": a.prize, "grade": a.grade, "domain": a.domain,
               "accepted": None if a.accepted is None else int(a.accepted), "natural_key": "forged"}
        rows.append([raw.get(c) for c in cols])
    importer._natural_keys(rows, {"E" + a.enterprise: a.enterprise for a in achievements})
    got = [r[cols.index("natural_key")] for r in rows]
    assert got == [natural_key(a) for a in achievements]
    assert any(a.ref is None for a in achievements) and any(a.kind == "prize" and a.ref for a in achievements)


def test_no_line_of_the_print_out_crosses_its_cell_border_or_the_type_area():
    """The line breaker may squeeze a closing mark or a unit (… × 100%) half an em past the measure;
    the print-out draws such a line tighter instead of across the table's border (it crossed it in
    城厢's worked case of 修订 at 100%)."""
    from desktop.notices import fonts as fontmod
    from desktop.notices import layout as L
    from desktop.notices import policy_print as pp

    names = {role: fontmod.register(c) for role, c in fontmod.choose(None).items()}
    drawn: list[tuple[int, float, float, str, str, float, float]] = []
    borders: dict[int, list[tuple[float, float, float]]] = {}  # page -> x, y from, y to

    class Canvas:
        font, size, page = "", 0.0, 1

        def setFont(self, font: str, size: float) -> None:
            self.font, self.size = font, size

        def drawString(self, x: float, y: float, text: str, charSpace: float = 0.0) -> None:
            drawn.append((self.page, x, y, text, self.font, self.size, charSpace))

        def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
            borders.setdefault(self.page, []).append((x1, min(y1, y2), max(y1, y2)))

        def rect(self, x: float, y: float, w: float, h: float) -> None:
            borders.setdefault(self.page, []).append((x + w, y, y + h))

        def showPage(self) -> None:
            self.page += 1

        def __getattr__(self, name: str):
            return lambda *a, **k: None

    page = pp._Page(Canvas(), names)
    for block in pp.policy_blocks(load_policy("putian-chengxiang-2021")):
        if block.kind == "table":
            pp._table(page, block.rows)
        elif block.kind in ("p", "small", "h1", "h2"):
            pp._paragraph(page, block)
    assert any(t.endswith("× 100%") for *_p, t, _f, _s, _c in drawn)  # the line that crossed its border
    for n, x, y, text, font, size, space in drawn:
        # the border right of a cell's text on its page (the text stands 2 pt in from it); a
        # paragraph has none and ends at the type area's edge
        right = min((bx for bx, lo, hi in borders.get(n, []) if bx > x + 1 and lo <= y <= hi),
                    default=L.AREA_RIGHT + 2.0)
        end = x + L.text_width(text, font, size) + space * (len(text) - 1)
        assert end <= right - 2.0 + 0.05, (text, end, right)
    assert len(drawn) > 300


def test_a_title_of_the_print_out_breaks_between_words_and_fits_the_type_area():
    """GB/T 9704: a title that runs over is broken where its words allow (回行时词意完整). Balanced by
    width alone, 温州's broke 「全面實 | 施」 and 城厢's 「标准化工 | 作」."""
    from desktop.notices import fonts as fontmod
    from desktop.notices import layout as L
    from desktop.notices import policy_print as pp

    head = fontmod.register(fontmod.choose(None)["heading"])
    expected = {
        "wenzhou-2017": ["溫州市人民政府關於", "全面實施標準化戰略的意見"],
        "quanzhou-2012": ["泉州市人民政府关于", "进一步实施技术标准战略工作的意见"],
        "putian-chengxiang-2021": ["莆田市城厢区人民政府关于", "深化标准化工作改革", "推动高质量发展的实施意见"],
        "jiulongpo-2012": ["九龙坡区深入实施技术标准战略", "打造标准强区的实施意见"],
    }
    for pid, lines in expected.items():
        title = load_policy(pid).title
        got = pp._title_lines(title, head, L.TITLE_SIZE)
        assert got == lines, (pid, got)
        assert all(L.text_width(x, head, L.TITLE_SIZE) <= L.AREA_W for x in got)
    assert pp._title_lines("标准化标准化标准化标准化标准化标准化标准化标准化标准化", head, L.TITLE_SIZE) is None  # no boundary
