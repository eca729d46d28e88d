"""Notices and the summary table for a stored award round: only once approved by another person,
one notice per enterprise with a paying award (discretionary amounts included), serials allocated
in the database, voiding that keeps the number."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from conftest import GOOD_USCC as A
from conftest import OTHER_USCC as B
from conftest import run_cli

from desktop.core.errors import StdAwardError
from desktop.operations import round_work
from desktop.store import records, rounds, users
from desktop.store.models import AuditEntry, Award, Notice, NoticeSerial

DAY = dt.date(2015, 12, 18)


def signed_in(path, name: str = "boss", password: str = "password-2"):
    """A session over the open test database, signed in (boss is a reviewer, clerk1 an administrator)."""
    from desktop.operations.session import Session

    s = Session.attach(path, clock=lambda: DAY)
    s.sign_in(name, password)
    return s


@pytest.fixture
def office(db):
    from desktop.store import office as officemod

    officemod.update(name="泉州市市场监督管理局", region_code="350500", doc_prefix="泉市监", user="tester")
    from desktop.store import publicity

    publicity.set_settings(user="tester", required=False, reason="notices without a publicity step")
    users.create_user("clerk1", "王办事", "password-1")  # the first account is an administrator
    users.create_user("boss", "李科长", "password-2", role="reviewer", by="clerk1")
    return db


def load_demo_like() -> None:
    """Two enterprises: A leads a national standard (fixed award) and a geographical indication
    (pool, amount set by the officer); B has a GI given 0 (so rejected on approval) and a standard
    the policy does not pay."""
    records.load({
        "enterprises": [{"uscc": A, "name": "福建省泉州市鑫堃茶业有限公司"}, {"uscc": B, "name": "泉州市燊昇电子科技有限公司"}],
        "achievements": [
            {"id": "std-a", "enterprise": A, "kind": "standard", "level": "national", "action": "formulate",
             "rank": 1, "ref": "GB/T 20001-2014", "title": "茶叶加工技术规范", "date": "2014-05-05"},
            {"id": "gi-a", "enterprise": A, "kind": "gi", "rank": 1, "ref": "安溪铁观音", "date": "2014-03-01"},
            {"id": "gi-b", "enterprise": B, "kind": "gi", "rank": 1, "ref": "德化白瓷", "date": "2014-03-02"},
            {"id": "ent-b", "enterprise": B, "kind": "standard", "level": "enterprise", "action": "formulate",
             "rank": 1, "ref": "Q/QZ 0001-2014", "date": "2014-06-01"},
        ]}, user="clerk1")


def prepared_round(approve: bool = True, approved_on: dt.datetime | None = dt.datetime(2015, 1, 5, 9, 0)):
    load_demo_like()
    rnd = round_work.create_round(2014, "quanzhou-2012", "clerk1")
    aws = {aw.achievement.source_id: aw for aw in Award.select().where(Award.round == rnd)}
    assert aws["gi-a"].status == aws["gi-b"].status == "discretionary"
    round_work.set_amount(aws["gi-a"], Decimal("150000"), "clerk1", "择优")
    round_work.set_amount(aws["gi-b"], Decimal("0"), "clerk1", "材料不全")
    rounds.submit(rnd, "clerk1")
    if approve:
        boss = users.verify("boss", "password-2")
        rnd = round_work.approve(rnd, boss.username)
        if approved_on is not None:  # by default at the start of 2015, before the days the tests' clocks
            rnd.approved_at = approved_on  # show (a 公示 may not start before its round's approval)
            rnd.save()
    return rnd


def test_notices_for_an_approved_round(office, tmp_path):
    from test_notices import text_of

    from desktop.operations import notices as store

    rnd = prepared_round()
    s = signed_in(office)
    issued = store.issue_round(s, rnd.uuid, DAY)
    # one notice per enterprise with a paying award: B's only paid line was given 0, so B gets none
    assert [(n.doc_number, n.enterprise.uscc, n.total) for n in issued] == [
        ("泉市监〔2015〕1号", A, Decimal("350000.00"))]
    n = Notice.get(Notice.doc_number == "泉市监〔2015〕1号")
    assert n.round.id == rnd.id and n.status == "pending" and n.year == 2015 and n.serial == 1
    assert NoticeSerial.get(prefix="泉市监", year=2015).last == 1
    lines = {ln["achievement"]: ln for ln in n.content["lines"]}
    assert set(lines) == {"std-a", "gi-a"}
    assert lines["gi-a"]["status"] == "discretionary" and lines["gi-a"]["amount"] == "150000.00"
    assert n.content["round"] == rnd.uuid and n.content["policy"]["content_hash"] == rnd.policy_hash
    assert "《茶叶加工技术规范》（GB/T 20001-2014）" in lines["std-a"]["description"]
    audit = AuditEntry.select().where(AuditEntry.entity == "notice", AuditEntry.action == "issue").count()
    assert audit == 1
    text = text_of(store.print_notices(s, issued, tmp_path / "n.pdf"))
    assert "福建省泉州市鑫堃茶业有限公司：" in text and "人民币叁拾伍万元整" in text and "安溪铁观音" in text
    assert "泉州市燊昇电子科技有限公司" not in text
    with pytest.raises(store.AlreadyIssued, match="already on issued notices 泉市监〔2015〕1号"):
        store.issue_round(s, rnd.uuid, DAY)
    assert NoticeSerial.get(prefix="泉市监", year=2015).last == 1 and Notice.select().count() == 1


def test_unapproved_or_unknown_rounds_are_refused_without_using_a_number(office):
    from desktop.operations import notices as store

    rnd = prepared_round(approve=False)
    s = signed_in(office)
    with pytest.raises(StdAwardError, match="round for 2014 is submitted for review: notices are issued only "
                                            "for an approved round"):
        store.issue_round(s, rnd.uuid, DAY)
    with pytest.raises(StdAwardError, match="no award round"):
        store.issue_round(s, "no-such-round", DAY)
    assert NoticeSerial.select().count() == 0 and Notice.select().count() == 0


def test_void_keeps_the_number_and_the_next_issue_continues(office):
    from desktop.notices import verify as V
    from desktop.operations import notices as store

    rnd = prepared_round()
    s = signed_in(office)
    first = store.issue_round(s, rnd.uuid, DAY)[0]
    with pytest.raises(StdAwardError, match="reason"):
        store.void(s, first, " ")
    store.void(s, first, "金额有误，重新核定")
    voided = store.find(s, "泉市监〔2015〕1号")
    assert voided.status == "void"
    entry = AuditEntry.select().where(AuditEntry.entity == "notice", AuditEntry.action == "void").get()
    assert entry.after["reason"] == "金额有误，重新核定" and entry.after["doc_number"] == "泉市监〔2015〕1号"
    with pytest.raises(store.NoticeVoid, match="已作废 .* since 2015-12-18; reason: 金额有误，重新核定"):
        store.verify(s, V.verification_code(voided.uuid, voided.content_hash))
    with pytest.raises(StdAwardError, match="already void"):
        store.void(s, voided, "again")
    again = store.issue_round(s, rnd.uuid, DAY)  # its award lines are issuable again, under a new number
    assert [n.doc_number for n in again] == ["泉市监〔2015〕2号"]
    assert again[0].content["replaces"] == ["泉市监〔2015〕1号"]
    assert "本通知替代已作废的泉市监〔2015〕1号通知。" in again[0].content["text"]["paragraphs"]


def test_cli_summary_and_notices_for_a_round(office, tmp_path):
    from openpyxl import load_workbook

    from desktop.store.db import close_db

    rnd = prepared_round(approved_on=None)  # approved today
    db = str(office)
    close_db()  # the command line opens the database itself
    (tmp_path / "pw").write_text("password-2\n", "utf-8")
    boss = ["--user", "boss", "--password-file", str(tmp_path / "pw")]
    r = run_cli("summary", "--db", db, "--round", rnd.uuid, "--out", str(tmp_path / "s.xlsx"))
    assert r.returncode == 0, r.stderr
    ws = load_workbook(tmp_path / "s.xlsx").active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert str(rows[-1][1]).startswith("制表：") and "审核：" in rows[-1][1]  # the sign-off under the table
    rows = rows[:-2]
    assert rows[-1][1] == "合计" and rows[-1][-1] == pytest.approx(350000)
    assert [row[1:5] for row in rows] == [
        ["福建省泉州市鑫堃茶业有限公司", A, "申报国家地理标志产品保护获批准的牵头单位（四(三)）", 1],
        [None, None, "国家标准制定 主导单位或第一起草单位（四(三)1）", 1],  # the rule's label filled in
        [None, None, "小计", 2], ["合计", None, None, 2]]  # B's 0 (rejected) and unpaid lines are not listed
    r = run_cli("notices", "--db", db, "--round", rnd.uuid, "--out", str(tmp_path / "n.pdf"), "--date", "2015-12-18",
                "--json", *boss)
    assert r.returncode == 0, r.stderr
    assert "back-dated" in r.stderr  # approved today, dated 2015: allowed, but said
    assert [n["doc_number"] for n in json.loads(r.stdout)] == ["泉市监〔2015〕1号"]
    r = run_cli("notice-void", "--db", db, "泉市监[2015]1号", "--reason", "重新核定", *boss)
    assert r.returncode == 0, r.stderr
    listing = json.loads(run_cli("notice-list", "--db", db, "--json").stdout)
    assert [(n["doc_number"], n["status"]) for n in listing] == [("泉市监〔2015〕1号", "void")]
