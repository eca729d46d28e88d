"""Steps that cannot be taken back ask first, without blocking the window: issuing notices names the
发文字号 it will use, submitting and approving name the total and the number of lines. Cancel (the
default button) changes nothing; the step's own button does it."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.conftest import OTHER_USCC  # noqa: E402
from tests.qt_answers import answer, submitted_for_review  # noqa: E402
from tests.test_ui_rounds import add_data, window  # noqa: E402, F401 - fixture


def two_enterprises(ctx) -> None:
    from desktop.store.edits import save_achievement, save_enterprise

    add_data(ctx)
    save_enterprise({"name": "莆田市城厢区海峡食品有限公司", "uscc": OTHER_USCC}, ctx.username)
    save_achievement({"enterprise": OTHER_USCC, "kind": "standard", "level": "industry", "date": "2024-06-01",
                      "id": "B1", "action": "formulate", "rank": 1, "ref": "SB/T 10001-2024"}, ctx.username)
    ctx.changed("achievements")


def computed(window):  # noqa: F811
    view = window.show_view("rounds")
    view.compute_round(2024, "putian-chengxiang-2021")
    assert window.ctx.tasks.wait()
    return view


def test_submit_asks_with_the_total_and_cancel_leaves_the_draft(window, qtbot):  # noqa: F811
    from desktop.store.models import AuditEntry, AwardRound

    two_enterprises(window.ctx)
    view = computed(window)
    before = AuditEntry.select().count()
    view.submit_btn.click()
    box = view.confirmation
    assert box.defaultButton() is box.escapeButton()  # Enter and Esc both take the safe answer
    question = answer(view, ok=False)
    assert f"{len(view.lines)} lines" in question and "¥" in question and "2024" in question
    assert AwardRound.get().status == "draft" and AuditEntry.select().count() == before
    assert view.submit_btn.isEnabled()

    view.submit_btn.click()
    answer(view)
    assert AwardRound.get().status == "submitted"
    assert view.message.kind == "ok"


def test_approve_asks_in_the_review_dialog_and_cancel_leaves_it_submitted(window, qtbot):  # noqa: F811
    from desktop.store.models import AwardRound
    from desktop.ui.tablemodel import money_text
    from desktop.ui.views import round_data as RD
    from desktop.ui.views.round_dialogs import ReviewDialog

    two_enterprises(window.ctx)
    view = computed(window)
    submitted_for_review(window, view)
    dlg = ReviewDialog(window.ctx, view.round, view.lines, view)
    qtbot.addWidget(dlg)
    dlg.approve_btn.click()
    question = answer(dlg, ok=False)
    assert money_text(RD.grand_total(view.lines)) in question and f"{len(view.lines)} lines" in question
    assert AwardRound.get().status == "submitted" and dlg.done_as is None

    dlg.approve_btn.click()
    answer(dlg)
    assert AwardRound.get().status == "approved" and dlg.done_as == "approved"


def test_approve_from_the_round_view_asks_too(window, qtbot):  # noqa: F811
    from desktop.store.models import AwardRound

    two_enterprises(window.ctx)
    view = computed(window)
    submitted_for_review(window, view)
    view.approve_current()
    answer(view, ok=False)
    assert window.ctx.tasks.wait()
    assert AwardRound.get().status == "submitted"
    view.approve_current()
    answer(view)
    assert window.ctx.tasks.wait()
    assert AwardRound.get().status == "approved"


def test_the_approve_question_follows_the_offices_publicity_setting(window, qtbot):  # noqa: F811
    from desktop.store import publicity
    from desktop.store.models import AwardRound

    two_enterprises(window.ctx)
    view = computed(window)
    submitted_for_review(window, view)
    view.approve_current()  # the office publicises its lists (a new office's setting)
    question = answer(view, ok=False)
    assert "publicised" in question and "once the publicity period has ended" in question
    assert "Its notices can then be issued" not in question
    publicity.set_settings(user="tester", required=False, reason="notices without a publicity step")
    view.approve_current()
    question = answer(view, ok=False)
    assert "Its notices can then be issued." in question and "publicity" not in question
    assert window.ctx.tasks.wait() and AwardRound.get().status == "submitted"


def test_issue_names_the_numbers_it_will_use_and_cancel_uses_none(window, qtbot):  # noqa: F811
    from desktop.store import serials
    from desktop.store.models import Notice

    ctx = window.ctx
    two_enterprises(ctx)
    view = computed(window)
    view.submit()
    answer(view)
    ctx.set_user(window.accounts["reviewer"])
    view.refresh()
    view.approve_current()
    answer(view)
    assert ctx.tasks.wait()
    # the office's register already gave numbers 1 and 2 elsewhere this year
    serials.set_next("城市监", 2025, 3, "wang")
    from desktop.store import publicity

    publicity.set_settings(user="tester", required=False, reason="notices without a publicity step")

    notices = window.show_view("notices")
    notices.date.setDate(notices.date.date().fromString("2025-03-01", "yyyy-MM-dd"))
    notices.issue_btn.click()
    question = answer(notices, ok=False)
    assert "城市监〔2025〕3号" in question and "4号" in question and "2 document numbers" in question
    assert ctx.tasks.wait()
    assert Notice.select().count() == 0
    assert serials.next_serial("城市监", 2025) == 3  # nothing used by the cancelled issue
    assert notices.issue_btn.isEnabled()

    notices.issue_btn.click()
    answer(notices)
    assert ctx.tasks.wait()
    assert sorted(n.doc_number for n in Notice.select()) == ["城市监〔2025〕3号", "城市监〔2025〕4号"]
    assert not notices.issue_btn.isEnabled()
    # a second issue of the same round asks nothing and says why
    notices.issue()
    assert getattr(notices, "confirmation", None) is None
    assert notices.message.kind == "error" and Notice.select().count() == 2


def test_approving_in_the_review_dialog_opened_from_the_round_view_does_not_crash_the_program(window, qtbot,  # noqa: F811
                                                                                            monkeypatch):
    """审核… → 批准 → 批准 as an officer does it: the dialog runs modal and closes itself from the
    confirmation's button. Deleting that box as it closed took the whole program down a moment later
    ("shared QObject was deleted directly", then a bus error) once nothing else held the dialog."""
    import gc

    from desktop.store.models import AwardRound
    from desktop.ui.qt import QApplication, QDialog, QTimer

    # the real QDialog.exec, which the suite replaces by an instant "rejected" (timers below answer)
    real = next(value for obj, name, value in monkeypatch._setattr if obj is QDialog and name == "exec")
    monkeypatch.setattr(QDialog, "exec", real)
    two_enterprises(window.ctx)
    view = computed(window)
    submitted_for_review(window, view)
    assert window.ctx.tasks.wait()
    steps: list[str] = []

    def press_approve() -> None:
        QApplication.activeModalWidget().approve_btn.click()
        steps.append("approve")
        QTimer.singleShot(50, confirm)

    def confirm() -> None:
        box = QApplication.activeModalWidget()
        next(b for b in box.buttons() if box.buttonRole(b) == box.ButtonRole.AcceptRole).click()
        steps.append("confirmed")
    QTimer.singleShot(50, press_approve)
    view.review()  # modal, as the 审核… button runs it; returns once the round is approved
    assert steps == ["approve", "confirmed"] and AwardRound.get().status == "approved"
    for _ in range(5):
        QApplication.processEvents()
        gc.collect()
    assert window.isVisible() and view.message.kind == "ok"  # still running, and says what comes next
