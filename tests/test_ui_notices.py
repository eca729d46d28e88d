"""The notices screen (offscreen) after a crash while printing: the waiting notices are offered for one
batch print; voiding is for a reviewer, needs a reason, and makes the round's awards issuable again."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_rounds import add_data, window  # noqa: F401 - fixture


def approved_and_issued_unprinted(ctx):
    """The clerk computes and submits, the reviewer approves and issues; the program then dies
    before printing (the notices stay pending)."""
    from desktop.operations import notices, rounds
    from desktop.operations.session import Actor, Session

    clerk = Session.attach(ctx.db_path)
    clerk.actor = Actor("chen", "陈晓梅", "clerk")
    reviewer = Session.attach(ctx.db_path)
    reviewer.actor = Actor("wang", "王建国", "reviewer")
    info = rounds.compute(clerk, 2024, "putian-chengxiang-2021")
    rounds.submit(clerk, info.uuid)
    rounds.approve(reviewer, info.uuid)
    return notices.issue_round(reviewer, info.uuid)


def test_waiting_notices_printed_in_one_batch_and_void_by_a_reviewer(window, qtbot, tmp_path):  # noqa: F811
    from desktop.store import publicity
    from desktop.store.models import Notice

    publicity.set_settings(user="tester", required=False, reason="notices without a publicity step")

    ctx = window.ctx
    add_data(ctx)
    issued = approved_and_issued_unprinted(ctx)
    number = issued[0].doc_number
    view = window.show_view("notices")  # signed in as the clerk
    assert not view.pending_btn.isHidden() and "1" in view.pending_btn.text()
    assert not view.issue_btn.isEnabled()  # already issued, and a clerk does not issue
    view.pending_to(tmp_path / "waiting.pdf")
    assert ctx.tasks.wait()
    assert (tmp_path / "waiting.pdf").exists() and (tmp_path / "waiting-存档联.pdf").exists()
    assert Notice.get(Notice.doc_number == number).status == "issued"
    assert view.pending_btn.isHidden()
    assert [r["archive_printed"] for r in view.model.rows] == [True]  # shown as ✓ in its column

    view.tableview.selectRow(0)
    assert not view.void_btn.isEnabled()  # a clerk may not void
    assert not view.void(number, "金额有误") and "may not" in view.message.text()
    assert Notice.get(Notice.doc_number == number).status == "issued"

    ctx.set_user(window.accounts["reviewer"])
    view.refresh()  # what the screen offers follows the signed-in user
    qtbot.waitUntil(lambda: bool(view.selected()))
    assert view.void_btn.isEnabled()
    assert not view.void(number, "  ") and "reason" in view.message.text()
    assert view.void(number, "金额有误")
    assert Notice.get(Notice.doc_number == number).status == "void"
    assert view.issue_btn.isEnabled()  # the awards of the voided notice can be issued again
    assert ctx.tasks.wait()  # the preview of the void notice finishes before the window closes
