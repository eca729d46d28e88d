"""不予奖补告知书: every claim of an approved round that is not eligible or a duplicate appears on
exactly one letter, its enterprise's, with the reason the engine gave and the clause quoted from the
policy; nothing internal is printed; a round not approved, or without refused claims, gets none."""
from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
from conftest import GOOD_USCC as A
from conftest import OTHER_USCC as B
from conftest import run_cli

from desktop.core.errors import StdAwardError
from desktop.operations import publicity as P
from desktop.operations import rounds as rops
from desktop.operations.session import Session
from desktop.store import records, users
from desktop.store.models import AuditEntry

DAY = dt.date(2025, 3, 10)
NAMES = {A: "福建省泉州市鑫堃茶业有限公司", B: "泉州市燊昇电子科技有限公司"}


@pytest.fixture
def office(db):
    from desktop.store import office as officemod

    officemod.update(name="泉州市市场监督管理局", region_code="350500", doc_prefix="泉市监", user="tester",
                     settings={"contact": "张明", "phone": "0595-22500000"})
    users.create_user("clerk1", "王办事", "password-1")
    users.create_user("boss", "李科长", "password-2", role="reviewer", by="clerk1")
    return db


def session(path, name: str, password: str) -> Session:
    s = Session.attach(path, clock=lambda: DAY)
    s.sign_in(name, password)
    return s


def load_claims() -> None:
    """A: a national standard it led (paid), the same standard claimed again (a duplicate) and an
    enterprise standard (no clause pays it). B: an enterprise standard and an industry standard at
    rank 9 (not eligible both)."""
    std = {"kind": "standard", "action": "formulate", "date": "2014-05-05"}
    records.load({
        "enterprises": [{"uscc": u, "name": n} for u, n in NAMES.items()],
        "achievements": [
            {**std, "id": "a-nat", "enterprise": A, "level": "national", "rank": 1, "ref": "GB/T 20001-2014",
             "title": "茶叶加工技术规范"},
            {**std, "id": "a-nat-again", "enterprise": A, "level": "national", "rank": 1, "ref": "GB/T 20001-2014",
             "title": "茶叶加工技术规范", "date": "2014-06-01"},
            {**std, "id": "a-ent", "enterprise": A, "level": "enterprise", "rank": 1, "ref": "Q/XK 0001-2014"},
            {**std, "id": "b-ent", "enterprise": B, "level": "enterprise", "rank": 1, "ref": "Q/SS 0002-2014"},
            {**std, "id": "b-ind", "enterprise": B, "level": "industry", "rank": 9, "ref": "SJ/T 11111-2014"},
        ]}, user="clerk1")


def approved_round(office) -> str:
    load_claims()
    clerk = session(office, "clerk1", "password-1")
    info = rops.compute(clerk, 2014, "quanzhou-2012")
    rops.submit(clerk, info.uuid)
    rops.approve(session(office, "boss", "password-2"), info.uuid)
    return info.uuid


def letters(pdf) -> dict[str, str]:
    """Recipient name → the whole letter's text (pages joined, whitespace removed)."""
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [re.sub(r"\s", "", p) for p in out.split("\f") if p.strip()]
    found: dict[str, str] = {}
    current = None
    for page in pages:
        starts = [n for n in NAMES.values() if f"{n}：" in page and "不予奖补告知书" in page]
        if starts:
            current = starts[0]
            found[current] = ""
        assert current is not None
        found[current] += page
    return found


def test_every_refused_claim_is_on_exactly_one_letter_with_its_reason_and_clause(office, tmp_path):
    uuid = approved_round(office)
    boss = session(office, "boss", "password-2")
    lines = {ln["achievement"]: ln for ln in rops.lines(boss, uuid)}
    refused = {k: v for k, v in lines.items() if v["status"] in ("not_eligible", "duplicate")}
    assert sorted(refused) == ["a-ent", "a-nat-again", "b-ent", "b-ind"]
    assert lines["a-nat-again"]["status"] == "duplicate"
    done = P.write_refusals(boss, uuid, tmp_path / "refusals.pdf")
    assert (done["letters"], done["lines"]) == (2, 4)
    text = letters(done["path"])
    assert sorted(text) == sorted(NAMES.values())
    from desktop.operations import round_work

    policy = round_work.load_policy("quanzhou-2012")
    for aid, ln in refused.items():
        own = NAMES[ln["uscc"]]
        other = next(n for n in NAMES.values() if n != own)
        what = re.sub(r"\s", "", ln["what"])
        assert text[own].count(what) == 1, (aid, what)  # exactly once, on its own enterprise's letter
        assert what not in text[other]
        if ln["status"] == "not_eligible":
            reason = re.sub(r"\s", "", ln["explanation"].split("：", 1)[-1])[:20]
            assert reason in text[own], (aid, reason)
        rule = policy.rule(ln["rule"]) if ln["rule"] else None
        if rule is not None:
            assert re.sub(r"\s", "", rule.text)[:30] in text[own]  # the clause quoted, not just its number
    # the paid line is not on any letter, and the duplicate names 茶叶加工技术规范 once, in its description:
    # the reason says what it repeats without naming it again, and the status label is not quoted
    assert text[NAMES[A]].count("茶叶加工技术规范") == 1
    assert ("主导制定国家标准《茶叶加工技术规范》（GB/T20001-2014），与本企业已申报的同一成果重复，一次性奖补不重复给予。"
            in text[NAMES[A]]), text[NAMES[A]]
    assert "重复申报：" not in text[NAMES[A]] and "不重复享受" not in text[NAMES[A]]
    assert "a-nat" not in text[NAMES[A]]
    for t in text.values():
        assert "2014年度标准化奖补资金不予奖补告知书" in t and "复核" in t and "张明，0595-22500000" in t
        assert "泉州市市场监督管理局2025年3月10日" in t
        internal = [uuid, "not_eligible", "duplicate", "quanzhou-2012", *[v["uuid"] for v in lines.values()],
                    *{v["rule"] for v in lines.values() if v["rule"] and v["rule"].isascii()}]
        for word in internal:
            assert not re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", t), word
    entries = list(AuditEntry.select().where(AuditEntry.entity == "refusal_letter"))
    assert [(e.action, e.user) for e in entries] == [("create", "boss")] * 2
    assert not done["numbers"]  # the office has not asked for a 发文字号 on these letters


def test_printing_again_gives_the_same_letters_and_an_office_register_numbers_them_once(office, tmp_path):
    from desktop.store.models import NoticeSerial, RefusalLetter

    uuid = approved_round(office)
    admin = session(office, "clerk1", "password-1")
    with pytest.raises(StdAwardError, match="1-12 Chinese characters"):
        P.set_refusal_prefix(admin, "泉市监 告")
    P.set_refusal_prefix(admin, "泉市监告")
    boss = session(office, "boss", "password-2")
    first = P.write_refusals(boss, uuid, tmp_path / "a.pdf", dt.date(2025, 3, 3))
    assert sorted(first["numbers"]) == ["泉市监告〔2025〕1号", "泉市监告〔2025〕2号"] and first["new"] == 2
    again = P.write_refusals(boss, uuid, tmp_path / "b.pdf")  # a later day: the letters keep their own
    assert again["new"] == 0 and again["numbers"] == first["numbers"]
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    text = letters(tmp_path / "b.pdf")
    assert any("泉市监告〔2025〕1号" in t for t in text.values()) and all("2025年3月3日" in t for t in text.values())
    assert RefusalLetter.select().count() == 2 and NoticeSerial.get(prefix="泉市监告", year=2025).last == 2
    from desktop.store import audit

    assert audit.verify_chain() is None and audit.verify_rows() == []


def test_a_round_not_approved_or_without_refused_claims_gets_no_letter(office, tmp_path):
    load_claims()
    clerk = session(office, "clerk1", "password-1")
    info = rops.compute(clerk, 2014, "quanzhou-2012")
    with pytest.raises(StdAwardError, match="is not approved"):
        P.write_refusals(clerk, info.uuid, tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()
    records.load({"achievements": [{"id": "ok", "enterprise": A, "kind": "standard", "action": "formulate",
                                    "level": "national", "rank": 1, "ref": "GB/T 30000-2015", "date": "2015-05-05"}]},
                 user="clerk1")
    other = rops.compute(clerk, 2015, "quanzhou-2012")
    rops.submit(clerk, other.uuid)
    rops.approve(session(office, "boss", "password-2"), other.uuid)
    with pytest.raises(StdAwardError, match="no claim that is not eligible"):
        P.write_refusals(clerk, other.uuid, tmp_path / "r.pdf")
    rops.submit(clerk, info.uuid)
    rops.approve(session(office, "boss", "password-2"), info.uuid)
    with pytest.raises(StdAwardError, match="in the future"):  # nothing recorded either
        P.write_refusals(clerk, info.uuid, tmp_path / "r.pdf", DAY + dt.timedelta(days=1))
    assert not (tmp_path / "r.pdf").exists()
    from desktop.store.models import RefusalLetter

    assert RefusalLetter.select().count() == 0


def test_the_command_line_writes_the_letters(office, tmp_path):
    uuid = approved_round(office)
    from desktop.store.db import close_db

    close_db()
    pw = tmp_path / "pw"
    pw.write_text("password-2\n")
    r = run_cli("refusals", uuid, "--out", str(tmp_path / "l.pdf"), "--date", "2025-03-10", "--db", str(office),
                "--user", "boss", "--password-file", str(pw))
    assert r.returncode == 0, r.stderr
    assert "2 letter(s) for 4 claim(s) written (2 new)" in r.stdout
    assert sorted(letters(tmp_path / "l.pdf")) == sorted(NAMES.values())


def test_a_duplicate_line_names_the_achievement_once_and_keeps_what_it_cannot_reword():
    from desktop.notices.refusal import DUPLICATE_REASON, RefusedLine, line_text

    desc = "主导制定国家标准《茶叶加工技术规范》（GB/T 20001-2014）"

    def line(explanation: str, clause: str = "", clause_text: str = "") -> str:
        return "".join(line_text(2, RefusedLine("x", desc, "duplicate", explanation, clause, clause_text), "意见"))

    prior = line("重复申报：与本企业已获奖补的同一成果（《茶叶加工技术规范》GB/T 20001-2014）重复，一次性奖补不重复给予")
    assert prior == f"（二）{desc}，与本企业已获奖补的同一成果重复，一次性奖补不重复给予。"
    # the same number under a title typed otherwise is the same achievement: not named again
    typed = line("重复申报：与本企业已申报的同一成果（《茶叶加工规范》GB/T 20001-2014）重复，一次性奖补不重复给予")
    assert typed == prior.replace("已获奖补", "已申报")
    # another number: the earlier claim is named, as it tells the enterprise which one
    other = line("重复申报：与本企业已申报的同一成果（《茶叶加工规范》GB/T 20002-2014）重复，一次性奖补不重复给予")
    assert "同一成果（《茶叶加工规范》GB/T 20002-2014）重复" in other and other.count("茶叶加工技术规范") == 1
    # an office's own wording is quoted whole after the general reason, never cut
    own = line("本局认定为重复申报")
    assert own == f"（二）{desc}。{DUPLICATE_REASON}审核意见：本局认定为重复申报。"
    # the clause follows in the same paragraph
    cited = line("重复申报：与本企业已申报的同一成果（《茶叶加工技术规范》GB/T 20001-2014）重复", "四(三)1", "一次性奖补")
    assert cited == (f"（二）{desc}，与本企业已申报的同一成果重复。依据《意见》第四条第（三）项第1目：“一次性奖补”。")
