"""Payments (拨付) per notice: partial payments and what remains, never more than outstanding,
reversals, no voiding while a payment stands, totals per year and fund, the finance bureau's
spreadsheet all or nothing with rows named, and every change in the audit log (an amount edited in
the file is detected)."""
from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from test_notice_rounds import DAY, prepared_round

from desktop.core.errors import StdAwardError, ValidationFailed
from desktop.store import audit, payments, users
from desktop.store.db import close_db, open_db
from desktop.store.models import AuditEntry, Award, Notice, Payment


@pytest.fixture
def notice(db: Path) -> Notice:
    """An issued notice of ¥350,000.00 (泉市监〔2015〕1号) for an approved round."""
    from desktop.operations import notices as ops
    from desktop.operations.session import Actor, Session
    from desktop.store import office as officemod

    officemod.update(name="泉州市市场监督管理局", region_code="350500", doc_prefix="泉市监", user="tester")
    from desktop.store import publicity

    publicity.set_settings(user="tester", required=False, reason="notices without a publicity step")
    users.create_user("clerk1", "王办事", "password-1")
    users.create_user("boss", "李科长", "password-2", role="reviewer", by="clerk1")
    rnd = prepared_round()
    boss = Session(db, Actor("boss", "李科长", "reviewer"))
    issued = ops.issue_round(boss, rnd.uuid, DAY)
    ops.print_notices(boss, issued, db.parent / "n.pdf")
    return Notice.get_by_id(issued[0].id)


def test_partial_payments_show_what_remains_and_never_exceed_it(notice):
    assert notice.total == Decimal("350000.00") and notice.status == "issued"
    payments.record_payment(notice, dt.date(2015, 12, 28), "200000", "PZ-001", "clerk1")
    assert payments.paid(notice) == Decimal("200000.00")
    assert payments.outstanding(notice) == Decimal("150000.00")
    with pytest.raises(ValidationFailed) as exc:
        payments.record_payment(notice, dt.date(2015, 12, 29), "150000.01", "PZ-002", "clerk1")
    assert exc.value.problems[0].field == "amount" and "150,000.00" in exc.value.problems[0].message
    assert Payment.select().count() == 1  # nothing half-written
    payments.record_payment(notice, "2015-12-30", Decimal(150000), "PZ-002", "clerk1")
    assert payments.outstanding(notice) == 0


def test_bad_payments_name_the_field(notice):
    cases = [((dt.date(2015, 12, 1), "100", "PZ-1"), "date"),  # before the notice's date
             ((DAY, "-5", "PZ-1"), "amount"), ((DAY, "0", "PZ-1"), "amount"), ((DAY, "abc", "PZ-1"), "amount"),
             ((DAY, "NaN", "PZ-1"), "amount"), ((DAY, "100.005", "PZ-1"), "amount"), ((DAY, "100", "  "), "reference"), (("31/02/2015", "100", "PZ"), "date")]
    for (day, amount, ref), field in cases:
        with pytest.raises(ValidationFailed) as exc:
            payments.record_payment(notice, day, amount, ref, "clerk1")
        assert [p.field for p in exc.value.problems] == [field], (day, amount, ref)
        assert exc.value.problems[0].record == "泉市监〔2015〕1号"
    payments.record_payment(notice, DAY, "100", "PZ-1", "clerk1")
    with pytest.raises(ValidationFailed, match="already recorded"):
        payments.record_payment(notice, DAY, "100", "PZ-1", "clerk1")


def test_a_void_or_unprinted_notice_is_not_paid(notice):
    Notice.update(status="pending").where(Notice.id == notice.id).execute()
    with pytest.raises(ValidationFailed, match="not yet printed"):
        payments.record_payment(notice, DAY, "100", "PZ-1", "clerk1")


def test_a_paid_notice_cannot_be_voided_until_the_payment_is_reversed(notice):
    payments.can_void(notice)  # nothing paid yet
    p = payments.record_payment(notice, DAY, "350000", "PZ-9", "clerk1")
    with pytest.raises(StdAwardError, match=r"PZ-9 \(¥350,000.00\).*reversal"):
        payments.can_void(notice)
    r = payments.record_reversal(p, dt.date(2016, 1, 5), "退-PZ-9", "clerk1", "账户信息有误，银行退回")
    assert r.reverses.id == p.id and payments.outstanding(notice) == Decimal("350000.00")
    payments.can_void(notice)
    with pytest.raises(ValidationFailed, match="already reversed"):
        payments.record_reversal(p, dt.date(2016, 1, 6), "x", "clerk1", "again")
    with pytest.raises(ValidationFailed, match="cannot itself be reversed"):
        payments.record_reversal(r, dt.date(2016, 1, 6), "x", "clerk1", "again")
    with pytest.raises(ValidationFailed) as exc:
        payments.record_reversal(payments.record_payment(notice, DAY, "1", "PZ-10", "clerk1"), DAY, "", "clerk1", "")
    assert {p.field for p in exc.value.problems} == {"reference", "reason"}


def test_paying_in_full_marks_the_awards_paid_and_a_reversal_puts_them_back(notice):
    from desktop.store import rounds

    def decisions() -> set[str]:
        return {a.decision for a in Award.select().where(Award.round == notice.round_id,
                                                         Award.decision.in_(("approved", "paid")))}

    assert decisions() == {"approved"}
    p = payments.record_payment(notice, DAY, "350000", "PZ-1", "clerk1")
    assert decisions() == {"paid"}
    rounds.check_round_intact(notice.round)  # paying out does not change what was approved
    payments.record_reversal(p, DAY, "R-1", "clerk1", "退回")
    assert decisions() == {"approved"}
    assert audit.verify_all() == []


def test_totals_per_year_and_fund(notice):
    from desktop.operations.payments import fund_names

    payments.record_payment(notice, DAY, "200000", "PZ-1", "clerk1")
    rows = payments.totals(names=fund_names(payments.notice_policies()))
    assert [(r["year"], r["issued"], r["paid"], r["outstanding"]) for r in rows] == [
        (2015, Decimal("350000.00"), Decimal("200000.00"), Decimal("150000.00"))]
    assert rows[0]["fund_name"] and rows[0]["fund_name"] != rows[0]["fund"]  # a name, not the policy's id
    assert payments.totals(2016) == []


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["凭证号", "发文字号", "日期", "金额", "备注"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_the_finance_spreadsheet_is_all_or_nothing_with_rows_named(notice, tmp_path):
    bad = _sheet(tmp_path / "bad.xlsx", [
        ["PZ-1", "泉市监〔2015〕1号", dt.datetime(2015, 12, 28), 200000, ""],
        [None, None, None, None, None],
        ["PZ-2", "泉市监〔2015〕9号", "2015-12-28", 100, ""],       # no such notice
        ["PZ-3", "泉市监[2015]1号", "2015年12月29日", "160,000.00", ""],  # more than what remains
        ["PZ-1", "泉市监〔2015〕1号", "2015-12-30", 1, ""],          # voucher twice
    ])
    with pytest.raises(ValidationFailed) as exc:
        payments.import_xlsx(bad, "clerk1")
    assert [(p.record, p.field) for p in exc.value.problems] == [
        ("row 4", "doc_number"), ("row 5", "amount"), ("row 6", "reference")]
    assert Payment.select().count() == 0
    good = _sheet(tmp_path / "good.xlsx", [
        ["PZ-1", "泉市监〔2015〕1号", dt.datetime(2015, 12, 28), 200000.5, ""],
        ["PZ-3", "泉市监[2015]1号", "2015年12月29日", "149,999.50", ""],
    ])
    done = payments.import_xlsx(good, "clerk1")
    assert [p.amount for p in done] == [Decimal("200000.50"), Decimal("149999.50")]
    assert payments.outstanding(notice) == 0
    assert AuditEntry.select().where(AuditEntry.entity == "payment", AuditEntry.action == "pay").count() == 2


def test_a_sheet_without_the_columns_is_refused(notice, tmp_path):
    from openpyxl import Workbook

    from desktop.core.errors import BadFile

    wb = Workbook()
    wb.active.append(["编号", "金额"])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(BadFile, match="missing: 发文字号、日期、凭证号"):  # listed as the columns are
        payments.import_xlsx(tmp_path / "x.xlsx", "clerk1")
    (tmp_path / "y.xlsx").write_text("not a workbook")
    with pytest.raises(BadFile, match="not an Excel workbook"):
        payments.import_xlsx(tmp_path / "y.xlsx", "clerk1")


def test_a_sheet_headed_in_traditional_characters_is_read(notice, tmp_path):
    """The zh_TW screen names the columns 發文字號、日期、金額、憑證號: a sheet headed so is read."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["發文字號", "日期", "金額", "憑證號"])
    wb.active.append(["泉市监〔2015〕1号", "2015-12-28", 1000, "PZ-1"])
    wb.save(tmp_path / "tw.xlsx")
    done = payments.import_xlsx(tmp_path / "tw.xlsx", "clerk1")
    assert [(p.amount, p.reference) for p in done] == [(Decimal("1000.00"), "PZ-1")]


def test_a_payment_edited_in_the_file_is_detected(notice):
    p = payments.record_payment(notice, DAY, "1000", "PZ-1", "clerk1")
    assert audit.verify_all() == []
    path = Path(audit.database.database)
    close_db()
    con = sqlite3.connect(path)
    con.execute("UPDATE payment SET amount = '100000.00' WHERE id = ?", (p.id,))
    con.commit()
    con.close()
    open_db(path, auto_backup=False)
    assert any("the payment PZ-1 was changed outside the program" in f.message for f in audit.verify_all())
