"""The payments dialog of an office that has issued no notice yet: it says so instead of showing an
empty list and a silent form, and 登记拨付 pressed with no notice chosen asks for the notice's
document number (it answered 「—：没有通知书—」, a dash for the number it was not given)."""
from __future__ import annotations

import pytest

from desktop.operations.session import Actor

pytest.importorskip("pytestqt")


@pytest.fixture
def dialog(qtbot, db):
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.views.payments import PaymentsDialog

    make_app()
    ctx = AppContext(db)
    ctx.set_user(Actor("boss", "李科长", "reviewer"))
    dlg = PaymentsDialog(ctx)
    qtbot.addWidget(dlg)
    assert ctx.tasks.wait()
    qtbot.waitUntil(lambda: dlg.totals.horizontalHeader().count() == 5 and ctx.tasks.idle)
    from desktop.ui.qt import QApplication

    QApplication.processEvents()  # the notices' list read
    yield dlg
    ctx.tasks.wait()


def test_an_office_without_notices_is_told_why_the_list_is_empty(dialog):
    assert dialog.notice.count() == 0
    assert "No notice has been issued yet" in dialog.summary.text()
    typed = dialog.notice.lineEdit()
    assert typed.text() == "" and typed.placeholderText() == "choose or type a document number"


def test_recording_with_no_notice_chosen_asks_for_its_number_and_records_nothing(dialog, qtbot):
    from desktop.store.models import Payment

    dialog.amount.setText("20000")
    dialog.voucher.setText("PZ-1")
    dialog.record_btn.click()
    assert dialog.ctx.tasks.wait()
    assert dialog.message.text() == "choose or type the notice's document number first"
    assert "—" not in dialog.message.text()
    assert Payment.select().count() == 0
    assert dialog.amount.text() == "20000"  # what was typed stays for when the number is given


def test_a_typed_number_that_is_no_notice_is_named_in_the_answer(dialog, qtbot):
    dialog.notice.setEditText("城市监〔2026〕99号")
    dialog.amount.setText("20000")
    dialog.record_btn.click()
    qtbot.waitUntil(lambda: "城市监〔2026〕99号" in dialog.message.text())
    assert "—" not in dialog.message.text()
