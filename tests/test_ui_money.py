"""The payments dialog and the notice verification dialog: a reviewer records a partial payment and
sees what remains, an amount above it is refused in the dialog with nothing recorded, a clerk is
refused; a scanned statement that was forged or altered is refused, a genuine one shows only its
signed values."""
from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal

import pytest
from conftest import GOOD_USCC
from test_payments import notice as notice  # an issued notice of ¥350,000.00, 泉市监〔2015〕1号

from desktop.operations.session import Actor
from desktop.store.models import Payment

pytest.importorskip("pytestqt")

NUMBER = "泉市监〔2015〕1号"


@pytest.fixture
def ctx(qtbot, db, notice):
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext

    make_app()
    c = AppContext(db)
    c.set_user(Actor("boss", "李科长", "reviewer"))
    yield c
    c.tasks.wait()


def test_the_payments_dialog_records_a_partial_payment_and_refuses_too_much(qtbot, ctx):
    from desktop.ui.views.payments import PaymentsDialog

    dlg = PaymentsDialog(ctx)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.state is not None)
    assert dlg.notice.count() == 1 and dlg.doc_number() == NUMBER
    assert "outstanding ¥350,000.00" in dlg.summary.text()
    assert dlg.totals.rowCount() == 1 and dlg.totals.item(0, 4).text() == "¥350,000.00"

    dlg.date.setText("2015-12-28")
    dlg.amount.setText("200000")
    dlg.voucher.setText("PZ-1")
    dlg.record_btn.click()
    qtbot.waitUntil(lambda: "outstanding ¥150,000.00" in dlg.summary.text())
    assert dlg.table.rowCount() == 1 and dlg.table.item(0, 1).text() == "PZ-1"
    qtbot.waitUntil(lambda: dlg.totals.item(0, 3) is not None and dlg.totals.item(0, 3).text() == "¥200,000.00")

    dlg.amount.setText("150000.01")
    dlg.voucher.setText("PZ-2")
    dlg.record_btn.click()
    qtbot.waitUntil(lambda: "more than the ¥150,000.00 outstanding" in dlg.message.text())
    assert Payment.select().count() == 1

    # take it back: select the payment, give the reversal's voucher and reason
    dlg.table.selectRow(0)
    dlg.rev_date.setText("2016-01-05")
    dlg.rev_ref.setText("退-PZ-1")
    dlg.rev_reason.setText("银行退回")
    dlg.reverse_btn.click()
    qtbot.waitUntil(lambda: "outstanding ¥350,000.00" in dlg.summary.text())
    assert dlg.table.rowCount() == 2 and "reversal of PZ-1" in dlg.table.item(1, 3).text()


def test_the_payments_table_shows_several_payments_without_row_numbers(qtbot, ctx):
    from desktop.ui.views.payments import PAYMENT_ROWS_SHOWN, PaymentsDialog

    dlg = PaymentsDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.state is not None)
    for table in (dlg.table, dlg.totals):
        assert not table.verticalHeader().isVisible()
    rows = dlg.table.viewport().height() // dlg.table.verticalHeader().defaultSectionSize()
    assert PAYMENT_ROWS_SHOWN >= 4 and rows >= PAYMENT_ROWS_SHOWN


def test_the_payments_columns_fill_the_table_after_a_payment_is_recorded(qtbot, ctx):
    """Filled again after a payment, the table's columns still reach its right edge (the note takes the
    rest), as they do when it is first shown: no blank strip beside a narrow 备注 column."""
    from desktop.ui.views.payments import PaymentsDialog

    dlg = PaymentsDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.resize(900, 700)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.state is not None)
    dlg.date.setText("2015-12-28")
    dlg.amount.setText("200000")
    dlg.voucher.setText("PZ-1")
    dlg.record_btn.click()
    qtbot.waitUntil(lambda: dlg.table.rowCount() == 1)
    header = dlg.table.horizontalHeader()
    assert header.length() >= dlg.table.viewport().width() - 1, (header.length(), dlg.table.viewport().width())
    assert header.sectionSize(4) > header.sectionSize(0)


def test_enter_in_a_field_records_what_that_field_belongs_to(qtbot, ctx):
    """Enter in the payment's fields records the payment; Enter in the reversal's fields records the
    reversal (it used to press 登记拨付 and complain of the empty payment form); Enter never closes
    the dialog."""
    from desktop.ui.qt import Qt
    from desktop.ui.views.payments import PaymentsDialog

    dlg = PaymentsDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.state is not None)
    dlg.date.setText("2015-12-28")
    dlg.amount.setText("200000")
    dlg.voucher.setText("PZ-1")
    qtbot.keyClick(dlg.voucher, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "outstanding ¥150,000.00" in dlg.summary.text())
    assert Payment.select().count() == 1 and dlg.isVisible()

    dlg.table.selectRow(0)
    dlg.rev_date.setText("2016-01-05")
    dlg.rev_ref.setText("退-PZ-1")
    dlg.rev_reason.setText("银行退回")
    qtbot.keyClick(dlg.rev_reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "outstanding ¥350,000.00" in dlg.summary.text())
    assert Payment.select().count() == 2 and dlg.isVisible()
    assert "amount" not in dlg.message.text() and "voucher" not in dlg.message.text(), dlg.message.text()


def test_a_clerk_is_refused_in_the_payments_dialog(qtbot, ctx):
    from desktop.ui.views.payments import PaymentsDialog

    ctx.set_user(Actor("clerk1", "王办事", "clerk"))
    dlg = PaymentsDialog(ctx)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.state is not None)
    dlg.date.setText("2015-12-28")
    dlg.amount.setText("100")
    dlg.voucher.setText("PZ-1")
    dlg.record_btn.click()
    qtbot.waitUntil(lambda: "may not record payments" in dlg.message.text())
    assert Payment.select().count() == 0


def _scan(qtbot, dlg, text: str) -> None:
    dlg.ok = None
    dlg.input.setText(text)
    dlg.check_btn.click()
    qtbot.waitUntil(lambda: dlg.ok is not None)


def test_a_forged_statement_is_refused_in_the_verify_dialog(qtbot, ctx, notice):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from desktop.notices import verify as V
    from desktop.operations import statements
    from desktop.ui.views.verify_dialog import VerifyNoticeDialog

    genuine = statements.statement_for(notice)
    dlg = VerifyNoticeDialog(ctx)
    qtbot.addWidget(dlg)

    _scan(qtbot, dlg, genuine)
    assert dlg.ok, dlg.verdict.text()
    assert dlg.fields["office"].text() == "泉州市市场监督管理局"
    assert dlg.fields["doc_number"].text() == NUMBER and dlg.fields["recipient"].text() == GOOD_USCC
    assert dlg.fields["total"].text() == "¥350,000.00" and dlg.fields["issued_on"].text() == "2015-12-18"

    mallory = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    forged = V.make_statement(mallory, doc_number=NUMBER, recipient=GOOD_USCC, total=Decimal(900000),
                              issued_on=dt.date(2015, 12, 18), content_hash=notice.content_hash)
    _scan(qtbot, dlg, forged)
    assert dlg.ok is False and "not registered here" in dlg.verdict.text()
    assert all(label.text() == "" for label in dlg.fields.values())  # nothing of the forgery is shown

    raw = base64.b32decode(genuine[4:] + "=" * (-len(genuine[4:]) % 8))
    body, sig = bytearray(raw[:-64]), raw[-64:]
    body[13:19] = (90000000).to_bytes(6, "big")  # ¥900,000.00 with the genuine signature
    _scan(qtbot, dlg, "SA2:" + base64.b32encode(bytes(body) + sig).decode().rstrip("="))
    assert dlg.ok is False and "altered or forged" in dlg.verdict.text()

    for junk in ("", "SA2:!!!", "hello"):
        _scan(qtbot, dlg, junk)
        assert dlg.ok is False and "Refused" in dlg.verdict.text() and "Error" not in dlg.verdict.text()


def test_the_finance_spreadsheet_is_imported_from_the_dialog_all_or_nothing(qtbot, ctx, tmp_path, monkeypatch):
    from test_payments import _sheet

    from desktop.ui.qt import QFileDialog
    from desktop.ui.views.payments import PaymentsDialog

    bad = _sheet(tmp_path / "bad.xlsx", [["PZ-1", NUMBER, "2015-12-28", 100, ""],
                                         ["PZ-2", "泉市监〔2015〕9号", "2015-12-28", 100, ""]])
    good = _sheet(tmp_path / "good.xlsx", [["PZ-1", NUMBER, "2015-12-28", 100000, ""],
                                           ["PZ-2", NUMBER, "2015-12-29", 50000, ""]])
    dlg = PaymentsDialog(ctx)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.state is not None)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    dlg.import_btn.click()
    qtbot.waitUntil(lambda: "row 3: no notice 泉市监〔2015〕9号" in dlg.message.text())
    assert Payment.select().count() == 0
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(good), ""))
    dlg.import_btn.click()
    qtbot.waitUntil(lambda: "outstanding ¥200,000.00" in dlg.summary.text())
    assert "2 payments recorded" in dlg.message.text() and Payment.select().count() == 2


def test_both_dialogs_open_from_the_money_menu(qtbot, ctx):
    from desktop.ui.mainwindow import MainWindow
    from desktop.ui.views.payments import PaymentsDialog
    from desktop.ui.views.verify_dialog import VerifyNoticeDialog

    win = MainWindow(ctx)
    qtbot.addWidget(win)
    menus = {m.title().replace("&", ""): [a.text() for a in m.actions()] for m in win.menuBar().findChildren(
        type(win.menuBar().actions()[0].menu()))}
    assert any("Payments on notices" in t for t in menus.get("Money", [])), menus
    win.qactions["verify_notice"].trigger()
    win.qactions["payments"].trigger()
    assert isinstance(win._verify_notice_dialog, VerifyNoticeDialog) and win._verify_notice_dialog.isVisible()
    assert isinstance(win._payments_dialog, PaymentsDialog) and win._payments_dialog.isVisible()
    qtbot.waitUntil(lambda: win._payments_dialog.state is not None)
    ctx.tasks.wait()
    win.close()


def test_a_scanner_typing_the_statement_and_enter_checks_it(qtbot, ctx, notice):
    from desktop.operations import statements
    from desktop.ui.qt import Qt
    from desktop.ui.views.verify_dialog import VerifyNoticeDialog

    dlg = VerifyNoticeDialog(ctx)
    qtbot.addWidget(dlg)
    qtbot.keyClicks(dlg.input, statements.statement_for(notice))  # a USB scanner is a keyboard
    qtbot.keyClick(dlg.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dlg.ok is not None)
    assert dlg.ok and dlg.fields["doc_number"].text() == NUMBER


def test_the_payments_dialog_opens_on_the_notice_selected_in_the_notices_view(qtbot, ctx, monkeypatch):
    """Opened from 资金 → 通知拨付 while a notice is selected in 通知书, the dialog shows that notice
    (not the first one of the list), so the officer records the payment on the notice chosen."""
    from desktop.operations import payments
    from desktop.ui.mainwindow import MainWindow
    from desktop.ui.views.notices import ROW_ROLE

    real = payments.payable_notices
    other = {"doc_number": "泉市监〔2015〕0号", "recipient": "另一家企业", "outstanding": Decimal("1.00")}
    monkeypatch.setattr(payments, "payable_notices", lambda s: [other, *real(s)])  # another notice listed first

    win = MainWindow(ctx)
    qtbot.addWidget(win)
    view = win.show_view("notices")
    qtbot.waitUntil(lambda: view.tableview.model().rowCount() == 1)
    view.tableview.selectRow(0)
    assert view.tableview.model().index(0, 0).data(ROW_ROLE)["doc_number"] == NUMBER
    win.qactions["payments"].trigger()
    dlg = win._payments_dialog
    qtbot.waitUntil(lambda: dlg.state is not None)
    assert dlg.notice.count() == 2 and dlg.doc_number() == NUMBER
    assert dlg.state["doc_number"] == NUMBER and "outstanding ¥350,000.00" in dlg.summary.text()
    ctx.tasks.wait()
    win.close()


def test_the_notices_and_payments_file_dialogs_start_in_the_officers_folder(qtbot, ctx, monkeypatch, tmp_path):
    """Saving notices, the summary table or the waiting notices, and opening the finance bureau's sheet,
    start in the folder the officer last used (else Documents), never in the program's own working
    folder (C:\\Program Files\\StdAward on an installed PC); the folder chosen is the next start."""
    from pathlib import Path

    from desktop.ui import settings
    from desktop.ui.mainwindow import MainWindow
    from desktop.ui.qt import QFileDialog
    from desktop.ui.views.payments import PaymentsDialog

    stick = tmp_path / "U盘"
    stick.mkdir()
    settings.LAST_FOLDER.set(str(stick))
    asked: list[str] = []

    def ask(_parent, _title, start, *_a, **_k):
        asked.append(start)
        return "", ""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", ask)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", ask)

    win = MainWindow(ctx)
    qtbot.addWidget(win)
    view = win.show_view("notices")
    qtbot.waitUntil(lambda: view.tableview.model().rowCount() == 1)
    view.tableview.selectRow(0)
    view.save_selected()
    view.export_summary()
    view.save_pending()
    dlg = PaymentsDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.import_sheet()
    assert len(asked) == 4
    assert all(Path(start) == stick or Path(start).parent == stick for start in asked), asked
    assert Path(asked[0]).suffix == ".pdf" and Path(asked[1]).suffix == ".xlsx"  # with the suggested names

    chosen = stick / "2025" / "通知书.pdf"
    chosen.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(chosen), ""))
    monkeypatch.setattr(view, "save_to", lambda out: None)  # the file itself is not what is tested here
    view.save_selected()
    assert settings.LAST_FOLDER.get() == str(chosen.parent)
    ctx.tasks.wait()
    win.close()


def test_a_message_for_the_last_user_is_gone_when_another_signs_in(qtbot, ctx):
    """"Saved …" or "须由您以外的审核人批准" was said to the officer who did it: after 以其他用户身份登录
    the next officer does not find it addressed to them."""
    from desktop.ui.mainwindow import MainWindow

    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    view = win.show_view("notices")
    view.message.ok("已保存 E:/通知书.pdf。")
    assert view.message.isVisible()
    ctx.set_user(Actor("lin", "林振华", "admin"))
    assert view.message.text() == "" and not view.message.isVisible()
    assert win.show_view("notices") is view  # the same view, kept for the new role
    ctx.tasks.wait()
    win.close()


def test_a_number_typed_without_enter_never_stands_over_another_notices_payments(qtbot, ctx):
    """Before, the table and the outstanding amount stayed those of the notice shown before, while
    登记拨付 went to the number typed. Now they are cleared as soon as the number changes and the
    notice typed is shown once typing pauses; a number not yet whole is no error."""
    from desktop.ui.views.payments import PaymentsDialog

    dlg = PaymentsDialog(ctx)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.state is not None)
    dlg.date.setText("2015-12-28")
    dlg.amount.setText("200000")
    dlg.voucher.setText("PZ-1")
    dlg.record_btn.click()
    qtbot.waitUntil(lambda: dlg.table.rowCount() == 1 and "outstanding ¥150,000.00" in dlg.summary.text())

    dlg.notice.setEditText("泉市监〔2015〕")  # still typing
    assert dlg.table.rowCount() == 0 and dlg.summary.text() == "" and dlg.state is None
    qtbot.wait(600)
    assert ctx.tasks.wait()
    assert dlg.table.rowCount() == 0 and "no notice" not in dlg.message.text()  # not yet a number: no error

    dlg.notice.setEditText("泉市监[2015]1号")  # the same notice, typed with [] for 〔〕
    qtbot.waitUntil(lambda: dlg.table.rowCount() == 1)
    assert "outstanding ¥150,000.00" in dlg.summary.text() and dlg.state["doc_number"] == NUMBER
