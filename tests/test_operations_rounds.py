"""Award rounds through the operations layer and the CLI: roles come from the session, a round is
never approved by the person who prepared it, bad input names what is wrong."""
from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from conftest import run_cli
from test_notice_rounds import DAY, load_demo_like

from desktop.core.errors import StdAwardError
from desktop.operations import rounds as ops
from desktop.operations.session import Actor, PermissionDenied, Session
from desktop.store import users
from desktop.store.models import Award, AwardEvent, AwardRound


@pytest.fixture
def office(db):
    """The Quanzhou office with an administrator (clerk1) and a reviewer (boss), as in test_notice_rounds."""
    from test_notice_rounds import office as setup

    return setup.__wrapped__(db)


def as_role(path, role: str, name: str) -> Session:
    s = Session.attach(path, clock=lambda: DAY)
    s.actor = Actor(name, name, role)
    return s


def signed(path, name: str, password: str) -> Session:
    s = Session.attach(path, clock=lambda: DAY)
    s.sign_in(name, password)
    return s


def prepare(office, load: bool = True) -> tuple[Session, str]:
    """The administrator clerk1 computes the 2014 round, sets the pool amounts and submits it."""
    if load:
        load_demo_like()
    prep = signed(office, "clerk1", "password-1")
    info = ops.compute(prep, 2014, "quanzhou-2012")
    lines = {ln["achievement"]: ln for ln in ops.lines(prep, info.uuid)}
    assert ops.set_amount(prep, lines["gi-a"]["uuid"], "150000", "择优") == Decimal("150000.00")
    ops.set_amount(prep, lines["gi-b"]["uuid"], Decimal(0))
    assert ops.submit(prep, 2014).status == "submitted"
    return prep, info.uuid


def test_the_preparer_cannot_approve_their_own_round_even_as_administrator(office):
    prep, uid = prepare(office)
    with pytest.raises(StdAwardError, match="prepared this round; another person must review it"):
        ops.approve(prep, uid)
    with pytest.raises(StdAwardError, match="another person"):
        ops.return_round(prep, uid, "再看看")
    assert AwardRound.get(AwardRound.uuid == uid).status == "submitted"
    info = ops.approve(signed(office, "boss", "password-2"), uid)
    assert (info.status, info.reviewed_by, info.total) == ("approved", "boss", Decimal("350000.00"))


def test_roles_refuse_before_anything_changes(office):
    load_demo_like()
    reviewer = as_role(office, "reviewer", "rev9")
    with pytest.raises(PermissionDenied):
        ops.compute(reviewer, 2014, "quanzhou-2012")
    assert AwardRound.select().count() == 0
    _prep, uid = prepare(office, load=False)
    clerk = as_role(office, "clerk", "clerk9")
    with pytest.raises(PermissionDenied):
        ops.approve(clerk, uid)
    with pytest.raises(PermissionDenied):
        ops.return_round(clerk, uid, "不对")
    with pytest.raises(PermissionDenied):
        ops.submit(reviewer, uid)
    with pytest.raises(PermissionDenied):
        ops.set_amount(reviewer, Award.select().first().uuid, "1")
    nobody = Session.attach(office)
    with pytest.raises(PermissionDenied, match="sign in"):
        ops.approve(nobody, uid)
    assert AwardRound.get(AwardRound.uuid == uid).status == "submitted"


def test_return_needs_a_reason_and_a_returned_round_can_be_recomputed(office):
    prep, uid = prepare(office)
    boss = signed(office, "boss", "password-2")
    with pytest.raises(StdAwardError, match="say why"):
        ops.return_round(boss, uid, "  ")
    info = ops.return_round(boss, uid, "B 的材料不全")
    assert (info.status, info.note) == ("returned", "B 的材料不全")
    assert ops.compute(prep, 2014).uuid == uid  # recomputed in place, same policy
    with pytest.raises(StdAwardError, match="another policy"):
        ops.compute(prep, 2014, "putian-chengxiang-2021")
    with pytest.raises(StdAwardError, match="no award round for 2013"):
        ops.info(prep, 2013)
    with pytest.raises(StdAwardError, match="name the policy"):
        ops.compute(prep, 2013)


def test_a_bad_amount_is_named_and_nothing_changes(office):
    prep, uid = prepare(office)
    ops.return_round(signed(office, "boss", "password-2"), uid, "重新核定")
    gi = next(ln for ln in ops.lines(prep, uid) if ln["achievement"] == "gi-a")
    with pytest.raises(StdAwardError, match="十万 is not an amount"):
        ops.set_amount(prep, gi["uuid"], "十万")
    with pytest.raises(StdAwardError, match="no award"):
        ops.set_amount(prep, "nope", "1")
    assert Award.get(Award.uuid == gi["uuid"]).amount == Decimal("150000.00")


def test_an_amount_typed_as_the_window_takes_it_is_read_the_same_by_the_operation(office):
    """The command line's --amount goes to set_amount as typed: it reads 「￥120,000元」 or 「12，000」
    (a full-width comma from an input method) as the window's amount dialog does, not as an error."""
    from desktop.ui.views.round_dialogs import parse_amount

    prep, uid = prepare(office)
    ops.return_round(signed(office, "boss", "password-2"), uid, "重新核定")
    gi = next(ln for ln in ops.lines(prep, uid) if ln["achievement"] == "gi-a")
    for typed, want in (("￥120,000元", "120000.00"), ("12，000", "12000.00"), (" 8000.5 ", "8000.50"),
                        ("¥1,500", "1500.00")):
        assert parse_amount(typed) == Decimal(want), typed
        assert ops.set_amount(prep, gi["uuid"], typed) == Decimal(want), typed
        assert Award.get(Award.uuid == gi["uuid"]).amount == Decimal(want)
    for bad in ("十万", "", "1.2.3", "NaN", "Infinity"):
        assert parse_amount(bad) is None, bad
        with pytest.raises(StdAwardError, match="is not an amount"):
            ops.set_amount(prep, gi["uuid"], bad)
    assert Award.get(Award.uuid == gi["uuid"]).amount == Decimal("1500.00")

def test_cli_round_verbs_with_roles(office, tmp_path):
    from desktop.store.db import close_db

    load_demo_like()
    users.create_user("clerk2", "张办事", "password-3", role="clerk", by="clerk1")
    db = str(office)
    close_db()
    pw = {}
    for name, password in (("clerk2", "password-3"), ("boss", "password-2")):
        (tmp_path / name).write_text(password + "\n", "utf-8")
        pw[name] = ["--user", name, "--password-file", str(tmp_path / name)]
    r = run_cli("round", "compute", "--db", db, "--year", "2014", "--policy", "quanzhou-2012", *pw["boss"])
    assert r.returncode != 0 and "may not" in r.stderr  # a reviewer does not prepare
    r = run_cli("round", "compute", "--db", db, "--year", "2014", "--policy", "quanzhou-2012", "--json", *pw["clerk2"])
    assert r.returncode == 0, r.stderr
    uid = json.loads(r.stdout)["uuid"]
    r = run_cli("round", "show", "--db", db, "2014", "--json")
    shown = json.loads(r.stdout)
    assert shown["uuid"] == uid and shown["open_amounts"] == 2 and len(shown["lines"]) == 4
    r = run_cli("round", "submit", "--db", db, uid, *pw["clerk2"])
    assert r.returncode != 0 and "discretionary" in r.stderr  # the pool amounts are not set yet
    r = run_cli("round", "amount", "--db", db, "2014", "--achievement", "gi-a", "--amount", "十五万", *pw["clerk2"])
    assert r.returncode != 0 and "十五万 is not an amount" in r.stderr
    r = run_cli("round", "amount", "--db", db, "2014", "--achievement", "nope", "--amount", "1", *pw["clerk2"])
    assert r.returncode != 0 and "has no line for achievement nope" in r.stderr
    for ach, amount in (("gi-a", "150000"), ("gi-b", "0")):
        r = run_cli("round", "amount", "--db", db, uid, "--achievement", ach, "--amount", amount, "--note", "择优",
                    *pw["clerk2"])
        assert r.returncode == 0, r.stderr
    assert run_cli("round", "submit", "--db", db, uid, *pw["clerk2"]).returncode == 0
    r = run_cli("round", "approve", "--db", db, uid, *pw["clerk2"])
    assert r.returncode != 0 and "may not" in r.stderr
    r = run_cli("round", "approve", "--db", db, uid, "--json", *pw["boss"])
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["status"] == "approved" and json.loads(r.stdout)["reviewed_by"] == "boss"
    # notices: a clerk may not issue; the reviewer issues once; a second run names the number
    out = str(tmp_path / "n.pdf")
    r = run_cli("notices", "--db", db, "--round", uid, "--out", out, "--date", "2015-12-18", *pw["clerk2"])
    assert r.returncode != 0 and "may not" in r.stderr
    r = run_cli("notices", "--db", db, "--round", uid, "--out", out, "--date", "2015-12-18", *pw["boss"])
    assert r.returncode == 0, r.stderr
    numbers = re.findall(r"泉市监〔2015〕\d+号", r.stdout)
    assert numbers
    r = run_cli("notices", "--db", db, "--round", uid, "--out", str(tmp_path / "m.pdf"), *pw["boss"])
    assert r.returncode != 0 and numbers[0] in r.stderr and not (tmp_path / "m.pdf").exists()
    r = run_cli("reprint", "--db", db, "--pending", "--out", str(tmp_path / "p.pdf"), *pw["clerk2"])
    assert r.returncode != 0 and "no notice is waiting" in r.stderr
    r = run_cli("notice-void", "--db", db, numbers[0], "--reason", "金额有误", *pw["clerk2"])
    assert r.returncode != 0 and "may not" in r.stderr
    assert run_cli("notice-void", "--db", db, numbers[0], "--reason", "金额有误", *pw["boss"]).returncode == 0
    listing = json.loads(run_cli("notice-list", "--db", db, "--json").stdout)
    code = next(n["code"] for n in listing if n["doc_number"] == numbers[0])
    r = run_cli("verify-notice", "--db", db, code)
    assert r.returncode != 0 and "已作废" in r.stderr and "金额有误" in r.stderr



def test_the_programs_own_notes_on_a_lines_history_read_in_the_readers_language(office):
    """A round computed and approved by officers whose program spoke English is read by one whose
    program speaks Chinese: the history's "computed" and "round approved" were shown in English on a
    Chinese screen. The program's own notes follow the reader; an officer's own words stay as typed."""
    from desktop.core import i18n

    prep, uid = prepare(office)  # written in English (the tests' language)
    ops.approve(signed(office, "boss", "password-2"), uid)
    gi = next(ln for ln in ops.lines(prep, uid) if ln["achievement"] == "gi-a")
    stored = [e.note for e in AwardEvent.select().where(AwardEvent.award == gi["id"]).order_by(AwardEvent.id)]
    assert stored == ["computed", "择优", "round approved"]  # as written: the log's values never change
    i18n.set_locale("zh_CN")
    assert [e["note"] for e in ops.history(prep, gi["id"])] == ["已计算", "择优", "批次已批准"]
    i18n.set_locale("zh_TW")
    assert [e["note"] for e in ops.history(prep, gi["id"])][0] == "已計算"
    # and what a Chinese program wrote (an objection upheld, during the 公示) reads in English
    AwardEvent.create(award=gi["id"], user="boss", before="approved", after="proposed", note="异议成立：名单有误")
    i18n.set_locale("en")
    assert [e["note"] for e in ops.history(prep, gi["id"])] == ["computed", "择优", "round approved",
                                                                "objection upheld: 名单有误"]


def test_an_account_is_named_with_the_brackets_of_the_screens_language(office):
    """「审核员 (rev1)」 stood beside the status line's 「管理员（管理员）」 on a Chinese screen."""
    from desktop.core import i18n
    from desktop.operations import overview

    assert ops.user_name(None, "boss") == "李科长 (boss)"
    i18n.set_locale("zh_CN")
    assert ops.user_name(None, "boss") == "李科长（boss）"
    assert overview._display_name("boss") == "李科长（boss）"
    assert ops.user_name(None, "nobody") == "nobody" and ops.user_name(None, None) == "-"
