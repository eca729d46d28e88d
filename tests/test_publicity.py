"""The 公示 of an approved round's list: its period in working days (holidays and make-up working days
of each year), notices refused while it runs or while an objection is open, an upheld objection
sending the line and the round back through review, who may do what, the office switching the step
off (audited), the printed list, the command line, and a schema 3 database upgraded to 4."""
from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import subprocess

import pytest
from conftest import GOOD_USCC as A
from conftest import run_cli
from test_notice_rounds import prepared_round

from desktop.core import workdays
from desktop.core.errors import StdAwardError
from desktop.operations import notices as nops
from desktop.operations import publicity as P
from desktop.operations import rounds as rops
from desktop.operations.session import PermissionDenied, Session
from desktop.store.models import AuditEntry, Award, AwardRound, Notice, Objection, Publicity

WHERE = "泉州市市场监督管理局标准化科（泉州市丰泽区东海大街1号）"
WHO = "张明，0595-22500000"
START = dt.date(2025, 9, 26)  # a Friday: the 国庆 holiday and its make-up Sunday follow


class Clock:
    def __init__(self, day: dt.date) -> None:
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


@pytest.fixture
def office(db):
    """The Quanzhou office (publicity on, as for any new office), an administrator, a reviewer, a clerk."""
    from desktop.store import office as officemod
    from desktop.store import users

    officemod.update(name="泉州市市场监督管理局", region_code="350500", doc_prefix="泉市监", user="tester")
    users.create_user("clerk1", "王办事", "password-1")  # the first account is an administrator
    users.create_user("boss", "李科长", "password-2", role="reviewer", by="clerk1")
    users.create_user("xiao", "肖文员", "password-3", role="clerk", by="clerk1")
    return db


def as_user(path, name: str, password: str, clock: Clock) -> Session:
    s = Session.attach(path, clock=clock)
    s.sign_in(name, password)
    return s


def pdf_text(pdf) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s", "", out)


def column_text(pdf, left_mm: float, width_mm: float) -> str:
    """The text of the first page inside a vertical strip (a table column), whitespace removed."""
    pt = 72 / 25.4
    out = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-x", str(int(left_mm * pt) + 1), "-y", "0",
                          "-W", str(int(width_mm * pt) - 2), "-H", "842", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s", "", out)


# ---------------------------------------------------------------------------- working days
def test_a_period_over_national_day_counts_the_make_up_sunday_and_skips_the_holiday():
    p = workdays.count_period(START, 5)
    # Fri 26 Sep, Sun 28 Sep (调休上班), Mon 29, Tue 30, then 1-8 Oct off: the fifth day is 9 Oct
    assert (p.first, p.end, p.notes) == (START, dt.date(2025, 10, 9), ())
    assert workdays.is_workday(dt.date(2025, 9, 28)) and not workdays.is_workday(dt.date(2025, 9, 27))
    assert workdays.count_period(START, 3).end == dt.date(2025, 9, 29)  # the Sunday is the second day


def test_a_period_over_the_spring_festival_counts_the_make_up_saturday():
    # 2026: Sat 14 Feb is worked, 15-23 Feb are off
    p = workdays.count_period(dt.date(2026, 2, 13), 3)
    assert p.end == dt.date(2026, 2, 24)
    started_on_holiday = workdays.count_period(dt.date(2026, 2, 16), 1)
    assert started_on_holiday.first == started_on_holiday.end == dt.date(2026, 2, 24)


def test_a_year_the_calendar_does_not_know_counts_monday_to_friday_and_says_so():
    assert not workdays.known_year(2099)
    p = workdays.count_period(dt.date(2099, 1, 2), 5)  # Friday 2 Jan 2099
    assert p.end == dt.date(2099, 1, 8)
    assert len(p.notes) == 1 and "2099" in p.notes[0] and "Monday to Friday" in p.notes[0]
    straddling = workdays.count_period(dt.date(2026, 12, 28), 10)
    known = workdays.known_year(2027)
    assert bool(straddling.notes) is not known and all("2026" not in n for n in straddling.notes)


def test_local_days_off_and_a_silly_length_are_handled():
    local = workdays.count_period(dt.date(2025, 11, 3), 2, days_off=[dt.date(2025, 11, 4)])
    assert local.end == dt.date(2025, 11, 5)
    with pytest.raises(ValueError, match="1 to 60"):
        workdays.count_period(START, 0)


# ---------------------------------------------------------------------------- the gate before notices
def test_notices_wait_for_the_end_of_the_period_and_for_every_objection(office):
    rnd = prepared_round()
    clock = Clock(START)
    boss = as_user(office, "boss", "password-2", clock)
    with pytest.raises(StdAwardError, match="has not been publicised"):
        nops.issue_round(boss, rnd.uuid)
    assert P.gate_sentence(P.state(boss, rnd.uuid)) == ("Not publicised yet: start its publicity (Publicity...); "
                                                        "notices wait for its end.")
    # the command line names its own verb, not the window's button
    said = P.gate_sentence(P.state(boss, rnd.uuid), command_line=True)
    assert "Publicity..." not in said and "stdaward publicity start 2014 --days N" in said
    st = P.start(boss, rnd.uuid, 5, WHERE, WHO)
    assert (st.starts_on, st.ends_on, st.days) == (START, dt.date(2025, 10, 9), 5) and not st.may_issue
    assert P.gate_sentence(st) == ("Publicised from 2025-09-26 until 2025-10-09 (5 working days): notices may be "
                                   "issued from 2025-10-10.")
    clock.day = dt.date(2025, 10, 9)  # the last day of the period
    with pytest.raises(StdAwardError, match=r"runs until 2025-10-09.*from 2025-10-10"):
        nops.issue_round(boss, rnd.uuid)
    assert Notice.select().count() == 0
    clerk = as_user(office, "xiao", "password-3", clock)
    obj = P.record_objection(clerk, rnd.uuid, "std-a", "泉州某茶业公司", "该标准的第一起草单位不是该企业",
                             dt.date(2025, 10, 8))
    assert P.gate_sentence(P.state(boss, rnd.uuid)) == (
        "Publicised from 2025-09-26 until 2025-10-09 (5 working days), 1 objection(s) open: notices may be issued "
        "from 2025-10-10 once they are closed.")
    clock.day = dt.date(2025, 10, 10)
    assert P.gate_sentence(P.state(boss, rnd.uuid)) == ("Publicity ended on 2025-10-09, 1 objection(s) still open: "
                                                        "notices may be issued once they are closed.")
    with pytest.raises(StdAwardError, match=r"泉州某茶业公司 on 2025-10-08 against 福建省泉州市鑫堃茶业有限公司 "
                                            r"\(achievement std-a\) is still open"):
        nops.issue_round(boss, rnd.uuid)
    assert Notice.select().count() == 0
    st = P.state(boss, rnd.uuid)
    assert st.open_objections == 1 and "still open" in st.why_not
    P.close_objection(boss, obj.uuid[:8], False, "经核查，标准封面所列起草单位排序无误")
    assert P.gate_sentence(P.state(boss, rnd.uuid)) == "Publicity ended on 2025-10-09: notices may be issued from " \
                                                       "2025-10-10."
    issued = nops.issue_round(boss, rnd.uuid)
    assert [n.doc_number for n in issued] == ["泉市监〔2025〕1号"]
    with pytest.raises(StdAwardError, match="notices have already been issued"):
        P.record_objection(clerk, rnd.uuid, "std-a", "某人", "迟到的异议", dt.date(2025, 10, 9))
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.entity.in_(("publicity", "objection")))]
    assert actions == ["publicity_start", "objection", "objection_close"]


def test_an_upheld_objection_sends_the_line_back_and_the_round_through_review_again(office):
    rnd = prepared_round()
    clock = Clock(START)
    boss = as_user(office, "boss", "password-2", clock)
    P.start(boss, rnd.uuid, 5, WHERE, WHO)
    obj = P.record_objection(boss, rnd.uuid, "gi-a", "德化某公司", "安溪铁观音的牵头单位另有其人")
    approved_digest = AwardRound.get_by_id(rnd.id).approved_digest
    P.close_objection(boss, obj.uuid, True, "牵头单位证明材料与批复文件不符")
    assert P.gate_sentence(P.state(boss, rnd.uuid)).startswith("Not publicised: the list is publicised once a "
                                                               "reviewer approves the round")
    back = AwardRound.get_by_id(rnd.id)
    assert back.status == "returned" and "牵头单位证明材料与批复文件不符" in back.note
    decisions = {ln["achievement"]: ln["decision"] for ln in rops.lines(boss, rnd.uuid)}
    assert decisions["gi-a"] == "proposed" and decisions["std-a"] == "approved"
    assert Publicity.get().status == "superseded" and Objection.get().outcome == "upheld"
    clock.day = dt.date(2025, 10, 20)
    with pytest.raises(StdAwardError, match="is returned"):
        nops.issue_round(boss, rnd.uuid)
    # the preparer corrects the line and hands the round in; the same reviewer may approve it again
    clerk = as_user(office, "clerk1", "password-1", clock)
    rops.set_amount_for(clerk, rnd.uuid, "gi-a", "0", "牵头单位存疑，本年度不予补助")
    rops.submit(clerk, rnd.uuid)
    rops.approve(boss, rnd.uuid)
    again = AwardRound.get_by_id(rnd.id)
    assert again.status == "approved" and again.approved_digest != approved_digest
    with pytest.raises(StdAwardError, match="has not been publicised"):  # the corrected list is publicised anew
        nops.issue_round(boss, rnd.uuid)
    P.start(boss, rnd.uuid, 5, WHERE, WHO)
    clock.day = dt.date(2025, 10, 28)
    issued = nops.issue_round(boss, rnd.uuid)
    assert [n.total for n in issued] == [200000]  # gi-a is no longer paid
    from desktop.store import audit

    assert audit.verify_rows() == []


def test_a_clerk_records_an_objection_but_cannot_close_one_nor_start_a_publicity(office):
    rnd = prepared_round()
    clock = Clock(START)
    clerk = as_user(office, "xiao", "password-3", clock)
    with pytest.raises(PermissionDenied):
        P.start(clerk, rnd.uuid, 5, WHERE, WHO)
    boss = as_user(office, "boss", "password-2", clock)
    P.start(boss, rnd.uuid, 5, WHERE, WHO)
    obj = P.record_objection(clerk, rnd.uuid, "std-a", "某企业", "名单有误")
    with pytest.raises(PermissionDenied):
        P.close_objection(clerk, obj.uuid, True, "我认为成立")
    assert Objection.get().outcome == "open" and AwardRound.get_by_id(rnd.id).status == "approved"


def test_bad_objections_and_starts_are_refused_naming_what_is_wrong(office):
    rnd = prepared_round(approve=False)
    clock = Clock(START)
    boss = as_user(office, "boss", "password-2", clock)
    with pytest.raises(StdAwardError, match="only an approved round"):
        P.start(boss, rnd.uuid, 5, WHERE, WHO)
    rops.approve(boss, rnd.uuid)
    with pytest.raises(StdAwardError, match="where objections are to be sent"):
        P.start(boss, rnd.uuid, 5, "  ", WHO)
    with pytest.raises(StdAwardError, match="contact.*control"):
        P.start(boss, rnd.uuid, 5, WHERE, "张明\u202e0595")
    with pytest.raises(StdAwardError, match="1 to 60"):
        P.start(boss, rnd.uuid, 0, WHERE, WHO)
    assert Publicity.select().count() == 0
    P.start(boss, rnd.uuid, 5, WHERE, WHO)
    with pytest.raises(StdAwardError, match="already publicised from 2025-09-26 to 2025-10-09"):
        P.start(boss, rnd.uuid, 5, WHERE, WHO)
    with pytest.raises(StdAwardError, match="no line for achievement nope"):
        P.record_objection(boss, rnd.uuid, "nope", "某人", "异议")
    with pytest.raises(StdAwardError, match="outside the publicity period"):
        P.record_objection(boss, rnd.uuid, "std-a", "某人", "异议", dt.date(2025, 9, 1))
    with pytest.raises(StdAwardError, match="in the future"):
        P.record_objection(boss, rnd.uuid, "std-a", "某人", "异议", dt.date(2025, 9, 30))
    with pytest.raises(StdAwardError, match="say what the objection is"):
        P.record_objection(boss, rnd.uuid, "std-a", "某人", " ")
    obj = P.record_objection(boss, rnd.uuid, "std-a", "某人", "异议")
    with pytest.raises(StdAwardError, match="say why"):
        P.close_objection(boss, obj.uuid, False, "")
    P.close_objection(boss, obj.uuid, False, "不成立")
    with pytest.raises(StdAwardError, match="already closed"):
        P.close_objection(boss, obj.uuid, True, "再议")
    with pytest.raises(StdAwardError, match="no objection"):
        P.close_objection(boss, "0000", True, "再议")
    assert Objection.select().count() == 1


def test_a_publicity_cannot_start_before_its_round_was_approved(office, tmp_path):
    rnd = prepared_round(approve=False)
    clock = Clock(START)
    boss = as_user(office, "boss", "password-2", clock)
    rops.approve(boss, rnd.uuid)  # approved on START
    with pytest.raises(StdAwardError, match=r"approved on 2025-09-26: its publicity cannot start on 2025-09-20"):
        P.start(boss, rnd.uuid, 5, WHERE, WHO, starts_on=dt.date(2025, 9, 20))
    assert Publicity.select().count() == 0 and not P.state(boss, rnd.uuid).started
    clock.day = dt.date(2025, 9, 30)  # a list posted on the day of the approval and recorded later is accepted
    assert P.start(boss, rnd.uuid, 5, WHERE, WHO, starts_on=START).starts_on == START


def test_the_command_line_refuses_a_backdated_publicity(office, tmp_path):
    from desktop.store.db import close_db

    rnd = prepared_round(approved_on=None)  # approved today
    close_db()
    pw = tmp_path / "pw"
    pw.write_text("password-2\n")
    boss = ["--db", str(office), "--user", "boss", "--password-file", str(pw)]
    before = dt.date.today() - dt.timedelta(days=14)
    r = run_cli("publicity", "start", "2014", "--days", "5", "--objections-to", WHERE, "--contact", WHO,
                "--from", before.isoformat(), *boss)
    assert r.returncode != 0
    assert (f"the award round for 2014 was approved on {dt.date.today()}: its publicity cannot start on {before}, "
            "before the approval") in r.stderr, r.stderr
    assert rnd.uuid not in r.stderr
    r = run_cli("publicity", "show", "2014", *boss)
    assert r.returncode == 0 and "Not publicised yet" in r.stdout, r.stdout + r.stderr
    assert "(Publicity...)" not in r.stdout and "stdaward publicity start 2014" in r.stdout  # no window button on a terminal


def test_switching_the_step_off_needs_an_administrator_and_a_reason_and_is_audited(office):
    rnd = prepared_round()
    clock = Clock(START)
    boss = as_user(office, "boss", "password-2", clock)
    with pytest.raises(PermissionDenied):
        P.set_required(boss, False, "本局不公示")
    admin = as_user(office, "clerk1", "password-1", clock)
    with pytest.raises(StdAwardError, match="say why"):
        P.set_required(admin, False, "")
    assert P.settings(admin)["required"]
    P.set_required(admin, False, "县政府常务会议已审定名单，不再另行公示")
    entry = AuditEntry.select().where(AuditEntry.action == "publicity_settings").get()
    assert entry.user == "clerk1" and entry.before["publicity"]["required"] is True
    assert entry.after["publicity"]["required"] is False and "县政府常务会议" in entry.after["reason"]
    assert P.state(boss, rnd.uuid).may_issue
    assert len(nops.issue_round(boss, rnd.uuid)) == 1
    P.set_required(admin, True)
    assert AuditEntry.select().where(AuditEntry.action == "publicity_settings").count() == 2
    from desktop.store import audit

    assert audit.verify_chain() is None and audit.verify_rows() == []


def test_local_days_off_move_the_end_of_the_period(office):
    rnd = prepared_round()
    clock = Clock(dt.date(2025, 11, 3))
    admin = as_user(office, "clerk1", "password-1", clock)
    P.set_local_days(admin, [dt.date(2025, 11, 5)], [])
    boss = as_user(office, "boss", "password-2", clock)
    st = P.start(boss, rnd.uuid, 3, WHERE, WHO)
    assert st.ends_on == dt.date(2025, 11, 6)  # Mon 3, Tue 4, (Wed 5 off), Thu 6


# ---------------------------------------------------------------------------- the printed list
def test_the_printed_list_names_the_period_the_lines_and_where_objections_go_and_nothing_internal(office, tmp_path):
    rnd = prepared_round()
    clock = Clock(START)
    boss = as_user(office, "boss", "password-2", clock)
    with pytest.raises(StdAwardError, match="start the publicity first"):
        P.print_list(boss, rnd.uuid, tmp_path / "x.pdf")
    P.start(boss, rnd.uuid, 5, WHERE, WHO)
    pdf = P.print_list(boss, rnd.uuid, tmp_path / "list.pdf")
    text = pdf_text(pdf)
    for expected in ("关于2014年度标准化奖补资金拟奖补名单的公示", "公示期为5个工作日", "自2025年9月26日起至2025年10月9日止",
                     "200,000.00", "150,000.00", "350,000.00", re.sub(r"\s", "", WHERE), WHO,
                     "泉州市市场监督管理局2025年9月26日"):
        assert expected in text, expected
    # the table's columns (the type area starts 28 mm from the left; 序号 12, 企业名称 38, 奖补事项 46, 政策依据 33 mm)
    names = column_text(pdf, 40, 38)
    assert names.count("福建省泉州市鑫堃茶业有限公司") == 2
    items = column_text(pdf, 78, 46)
    assert "地理标志产品保护获批（安溪铁观音）" in items and "《茶叶加工技术规范》（GB/T20001-2014）" in items
    clauses = column_text(pdf, 124, 33)
    assert clauses.count("《意见》第四条第（三）项") == 2 and "第（三）项第1目" in clauses
    # only the paying lines: B's GI was given 0, its enterprise standard is not eligible
    assert "燊昇" not in text
    rows = rops.lines(boss, rnd.uuid)
    for internal in [r["uuid"] for r in rows] + [r["rule"] for r in rows if r["rule"]] + [rnd.uuid, "awarded",
                                                                                           "discretionary"]:
        assert internal not in text, internal


# ---------------------------------------------------------------------------- the command line
def test_the_command_line_runs_the_publicity(office, tmp_path):
    rnd = prepared_round()
    from desktop.store.db import close_db

    close_db()
    pw = tmp_path / "pw"
    pw.write_text("password-2\n")
    clerk_pw = tmp_path / "pw3"
    clerk_pw.write_text("password-3\n")
    boss = ["--db", str(office), "--user", "boss", "--password-file", str(pw)]
    clerk = ["--db", str(office), "--user", "xiao", "--password-file", str(clerk_pw)]
    today = dt.date.today()
    r = run_cli("publicity", "start", "2014", "--days", "5", "--objections-to", WHERE, "--contact", WHO, *boss)
    assert r.returncode == 0, r.stderr
    end = workdays.count_period(today, 5).end
    assert f"{today} to {end}" in r.stdout
    # the last line is the views' sentence: the end date and the first day of the notices once each
    assert r.stdout.strip().splitlines()[-1] == (f"Publicised from {today} until {end} (5 working days): notices "
                                                 f"may be issued from {end + dt.timedelta(days=1)}.")
    r = run_cli("publicity", "object", "2014", "std-a", "--by", "某企业", "--text", "排序有误", *clerk)
    assert r.returncode == 0, r.stderr
    # the objection is named by its number in the round's 公示, never by an internal id
    assert "objection 1 recorded against" in r.stdout and "publicity close 1 --round 2014" in r.stdout
    r = run_cli("publicity", "close", "1", "--round", "2014", "--upheld", "--reason", "成立", *clerk)
    assert r.returncode != 0 and "close an objection" in r.stderr
    listing = run_cli("publicity", "show", "2014", "--db", str(office)).stdout
    r = run_cli("publicity", "show", "2014", "--json", "--db", str(office))
    shown = json.loads(r.stdout)
    listed = [line.split("\t") for line in listing.splitlines() if "\t" in line]
    assert [row[0] for row in listed] == ["1"] and shown["objections"][0]["id"][:8] not in listing
    assert shown["objections"][0]["outcome"] == "open" and shown["may_issue"] is False
    assert shown["objections"][0]["number"] == 1 and shown["ends_on"] == end.isoformat()
    r = run_cli("publicity", "close", "2", "--round", "2014", "--rejected", "--reason", "不成立", *boss)
    assert r.returncode != 0 and "no objection 2" in r.stderr
    r = run_cli("publicity", "close", "1", "--round", "2014", "--rejected", "--reason", "不成立", *boss)
    assert r.returncode == 0 and "objection 1 (福建省泉州市鑫堃茶业有限公司): not upheld" in r.stdout, r.stdout
    r = run_cli("publicity", "close", shown["objections"][0]["id"][:8], "--upheld", "--reason", "x", *boss)
    assert "already closed" in r.stderr  # a script's global id still names it
    r = run_cli("publicity", "print", "2014", "--out", str(tmp_path / "gs.pdf"), *boss)
    assert r.returncode == 0 and "关于2014年度" in pdf_text(tmp_path / "gs.pdf")
    r = run_cli("notices", "--round", rnd.uuid, "--out", str(tmp_path / "n.pdf"), *boss)
    assert r.returncode == 1 and f"runs until {end}" in r.stderr
    r = run_cli("publicity", "setting", "--off", "--reason", "不公示", *boss)  # a reviewer is not an administrator
    assert r.returncode != 0 and "office settings" in r.stderr


# ---------------------------------------------------------------------------- upgrading a database
def test_a_schema_3_database_is_upgraded_keeping_its_rounds_and_notices(office, tmp_path):
    from desktop.store.db import close_db, open_db
    from desktop.store.migrations import SCHEMA_VERSION

    rnd = prepared_round()
    admin = as_user(office, "clerk1", "password-1", Clock(START))
    P.set_required(admin, False, "旧版本没有公示")
    boss = as_user(office, "boss", "password-2", Clock(START))
    issued = nops.issue_round(boss, rnd.uuid)
    P.set_required(admin, True)
    close_db()
    con = sqlite3.connect(office)  # as the previous version left it: no publicity tables, version 3
    con.executescript("DROP TABLE objection; DROP TABLE publicity; DROP TABLE refusal_letter; PRAGMA user_version = 3;"
                      "ALTER TABLE enterprise DROP COLUMN version; ALTER TABLE achievement DROP COLUMN version;"
                      "ALTER TABLE award DROP COLUMN version;"  # and none of the record versions of v5
                      "ALTER TABLE office DROP COLUMN version; DROP TABLE file_chunk; DROP TABLE stored_file;"
                      "DROP TABLE installed_measure;"  # nor the office version and stored files of v6
                      "DROP TABLE award_sum; DROP TABLE summed_round; DROP TABLE sent_enterprise; DROP TABLE stale_origin;"
                      "DROP TRIGGER award_sum_stale_insert; DROP TRIGGER award_sum_stale_update;"
                      "DROP TRIGGER award_sum_stale_delete; DROP TRIGGER award_sum_stale_round;"
                      "DROP TRIGGER award_sum_stale_origin; DROP TRIGGER sent_stale_insert; DROP TRIGGER sent_stale_update;"
                      "DROP TRIGGER sent_stale_delete; DROP TRIGGER sent_stale_enterprise;")  # nor v7's sums
    con.commit()
    con.close()
    open_db(office)
    from desktop.store.models import database

    assert database.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert [n.doc_number for n in Notice.select()] == [n.doc_number for n in issued]
    assert AwardRound.get_by_id(rnd.id).status == "approved" and Award.select().count() == 4
    assert Publicity.select().count() == 0
    from desktop.store import audit

    assert audit.verify_chain() is None and audit.verify_rows() == []
    assert P.state(as_user(office, "boss", "password-2", Clock(START)), rnd.uuid).started is False
    assert A in {n.enterprise.uscc for n in Notice.select()}
