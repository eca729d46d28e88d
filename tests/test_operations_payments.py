"""Payments through the operations layer and the CLI: who may record them, partial payments and
what remains, reversals by voucher, totals, the finance bureau's workbook all or nothing."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import run_cli
from test_notice_rounds import DAY
from test_payments import _sheet
from test_payments import notice as notice

from desktop.core.errors import ValidationFailed
from desktop.operations import payments as ops
from desktop.operations.session import Actor, PermissionDenied, Session
from desktop.store.models import AuditEntry, Payment

NUMBER = "泉市监〔2015〕1号"


def boss(db: Path) -> Session:
    return Session(db, Actor("boss", "李科长", "reviewer"))


def clerk(db: Path) -> Session:
    return Session(db, Actor("clerk2", "张办事", "clerk"))


def test_a_clerk_or_nobody_signed_in_may_not_record_reverse_or_import(db, notice, tmp_path):
    sheet = _sheet(tmp_path / "p.xlsx", [["PZ-1", NUMBER, "2015-12-28", 100, ""]])
    nobody = Session(db, Actor("x", "x", None))
    for s in (clerk(db), nobody):
        with pytest.raises(PermissionDenied, match="record payments"):
            ops.record(s, NUMBER, "100", DAY, "PZ-1")
        with pytest.raises(PermissionDenied):
            ops.import_xlsx(s, sheet)
    ops.record(boss(db), NUMBER, "100", DAY, "PZ-1")
    with pytest.raises(PermissionDenied):
        ops.reverse(clerk(db), NUMBER, "PZ-1", DAY, "R-1", "退回")
    assert Payment.select().count() == 1


def test_a_payment_typed_with_a_full_width_comma_or_the_yuan_sign_is_read_as_any_amount(db, notice):
    """A finance officer's 「20，000元」 (the comma an input method gives) is 20,000 yuan, as in the
    round's amount dialog, not 'not an amount in yuan'; more than fen is still refused."""
    s = boss(db)
    state = ops.record(s, NUMBER, "20，000元", DAY, "PZ-1")
    assert state["paid"] == Decimal("20000.00")
    state = ops.record(s, NUMBER, "￥1,000.50", DAY, "PZ-2")
    assert state["paid"] == Decimal("21000.50")
    with pytest.raises(ValidationFailed) as exc:
        ops.record(s, NUMBER, "10.005", DAY, "PZ-3")
    assert exc.value.problems[0].field == "amount"
    assert Payment.select().count() == 2

@pytest.mark.parametrize("status", ["failed", "void"])
def test_a_notice_that_may_not_be_paid_is_named_in_the_notice_lists_words(db, notice, status):
    """A payment against a notice whose printing failed (or a void one) is refused naming its state as
    the notice list and the audit log do, not in words of the payments' own ('not printed (failed)')."""
    from desktop.operations import audit
    from desktop.operations import notices as notice_ops
    from desktop.store.models import Notice

    Notice.update(status=status).where(Notice.id == notice.id).execute()
    with pytest.raises(ValidationFailed) as exc:
        ops.record(boss(db), NUMBER, "100", DAY, "PZ-1")
    shown = notice_ops.status_label(status)
    assert shown == audit.value_text("status", status)  # the audit log names it alike
    assert f"is {shown}:" in exc.value.problems[0].message, exc.value.problems[0].message
    assert Payment.select().count() == 0

def test_partial_payments_and_a_reversal_show_what_remains(db, notice):
    s = boss(db)
    state = ops.record(s, NUMBER, "200000", "2015-12-28", "PZ-1", "第一笔")
    assert (state["paid"], state["outstanding"]) == (Decimal("200000.00"), Decimal("150000.00"))
    with pytest.raises(ValidationFailed) as exc:
        ops.record(s, NUMBER, "150000.01", "2015-12-29", "PZ-2")
    assert exc.value.problems[0].field == "amount" and exc.value.problems[0].record == NUMBER
    state = ops.reverse(s, NUMBER, "PZ-1", "2016-01-05", "退-PZ-1", "账户有误")
    assert state["outstanding"] == Decimal("350000.00")
    assert [(p["reference"], p["is_reversal"], p["reversed"]) for p in state["payments"]] == [
        ("PZ-1", False, True), ("退-PZ-1", True, False)]
    rows = ops.listing(s, 2015)
    assert [r["reference"] for r in rows] == ["PZ-1", "退-PZ-1"] and ops.listing(s, 2016) == []
    assert AuditEntry.select().where(AuditEntry.entity == "payment", AuditEntry.user == "boss").count() == 2


def test_unknown_notices_and_vouchers_are_named(db, notice):
    s = boss(db)
    with pytest.raises(ValidationFailed) as exc:
        ops.record(s, "泉市监〔2015〕9号", "100", DAY, "PZ-1")
    assert (exc.value.problems[0].record, exc.value.problems[0].field) == ("泉市监〔2015〕9号", "doc_number")
    with pytest.raises(ValidationFailed, match="no payment with the voucher PZ-7"):
        ops.reverse(s, NUMBER, "PZ-7", DAY, "R", "x")
    assert Payment.select().count() == 0


def test_totals_and_the_workbook(db, notice, tmp_path):
    s = boss(db)
    bad = _sheet(tmp_path / "bad.xlsx", [["PZ-1", NUMBER, "2015-12-28", 100, ""],
                                         ["PZ-2", NUMBER, "2015-12-28", "x", ""]])
    with pytest.raises(ValidationFailed) as exc:
        ops.import_xlsx(s, bad)
    assert [(p.record, p.field) for p in exc.value.problems] == [("row 3", "amount")]
    assert Payment.select().count() == 0
    good = _sheet(tmp_path / "good.xlsx", [["PZ-1", NUMBER, dt.datetime(2015, 12, 28), 300000, ""]])
    assert ops.import_xlsx(s, good) == {"rows": 1, "amount": Decimal("300000.00"), "notices": [NUMBER]}
    rows = ops.totals(s, 2015)
    assert [(r["issued"], r["paid"], r["outstanding"]) for r in rows] == [
        (Decimal("350000.00"), Decimal("300000.00"), Decimal("50000.00"))]
    assert [n["outstanding"] for n in ops.payable_notices(s)] == [Decimal("50000.00")]


def test_cli_payment_verbs(db, notice, tmp_path):
    from desktop.store.db import close_db

    close_db()
    (tmp_path / "pw").write_text("password-2\n")
    auth = ["--db", str(db), "--user", "boss", "--password-file", str(tmp_path / "pw")]
    r = run_cli("payment", "record", NUMBER, "--amount", "20000", "--date", "2015-12-28", "--voucher", "PZ-1", *auth)
    assert r.returncode == 0, r.stderr
    assert "outstanding ¥330,000.00" in r.stdout
    r = run_cli("payment", "record", NUMBER, "--amount", "400000", "--date", "2015-12-28", "--voucher", "PZ-2", *auth)
    assert r.returncode != 0 and "more than the ¥330,000.00 outstanding" in r.stderr and "unexpected" not in r.stderr
    r = run_cli("payment", "record", NUMBER, "--amount", "1", "--date", "2015-12-28", "--voucher", "PZ-3",
                "--db", str(db), env={"STDAWARD_USER": ""})
    assert r.returncode != 0 and "sign in to record payments" in r.stderr
    r = run_cli("payment", "list", "--json", "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert [(p["reference"], p["amount"]) for p in json.loads(r.stdout)] == [("PZ-1", "20000.00")]
    r = run_cli("payment", "totals", "--year", "2015", "--json", "--db", str(db))
    assert [(t["paid"], t["outstanding"]) for t in json.loads(r.stdout)] == [("20000.00", "330000.00")]
    r = run_cli("payment", "reverse", NUMBER, "--voucher", "PZ-1", "--date", "2016-01-02", "--ref", "R-1",
                "--reason", "银行退回", *auth)
    assert r.returncode == 0, r.stderr
    assert "outstanding ¥350,000.00" in r.stdout
    sheet = _sheet(tmp_path / "s.xlsx", [["PZ-9", NUMBER, "2016-01-03", 350000, ""]])
    r = run_cli("payment", "import", str(sheet), *auth)
    assert r.returncode == 0, r.stderr
    assert "1 payments recorded" in r.stdout


def test_cli_payment_on_a_mistyped_database_creates_nothing(tmp_path):
    missing = tmp_path / "typo.db"
    r = run_cli("payment", "record", NUMBER, "--amount", "1", "--date", "2015-12-28", "--voucher", "PZ-1",
                "--db", str(missing))
    assert r.returncode != 0 and "no database" in r.stderr and "unexpected" not in r.stderr
    assert not missing.exists()


def test_a_payment_or_reversal_dated_after_today_is_refused_by_row_and_field(db, notice, tmp_path):
    """A payment is recorded once made: a mistyped year (2061 for 2016) would count as paid money that
    was not, in totals and on the city's sheet."""
    s = boss(db)
    s.clock = lambda: dt.date(2016, 1, 10)
    with pytest.raises(ValidationFailed) as exc:
        ops.record(s, NUMBER, "100", "2061-01-05", "PZ-1")
    assert [(p.record, p.field) for p in exc.value.problems] == [(NUMBER, "date")]
    assert "in the future" in exc.value.problems[0].message
    sheet = _sheet(tmp_path / "p.xlsx", [["PZ-1", NUMBER, "2016-01-05", 100, ""],
                                         ["PZ-2", NUMBER, "2016-01-11", 100, ""]])
    with pytest.raises(ValidationFailed) as exc:
        ops.import_xlsx(s, sheet)
    assert [(p.record, p.field) for p in exc.value.problems] == [("row 3", "date")]
    assert Payment.select().count() == 0
    ops.record(s, NUMBER, "100", "2016-01-10", "PZ-1")  # today itself is fine
    with pytest.raises(ValidationFailed, match="in the future"):
        ops.reverse(s, NUMBER, "PZ-1", "2016-02-01", "退-PZ-1", "账户有误")
    assert Payment.select().count() == 1
