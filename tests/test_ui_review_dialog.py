"""The review dialog in zh_CN: the policy's whole title with its 文号 is read (it was cut at the
dialog's right edge, 「……（莆城政〔2021〕8」), and the funds listed are the ones that pay, not a line
「资金（未列明资金）：¥0.00（0 项）」 for the lines that are not eligible."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_narrow import zh  # noqa: E402, F401 - fixture
from tests.test_ui_rounds import add_data, window  # noqa: E402, F401 - fixture


def computed_with_a_refusal(window):  # noqa: F811
    """The 2024 round of the test office, with one claim no clause pays (an enterprise standard)."""
    from desktop.store.edits import save_achievement

    ctx = window.ctx
    add_data(ctx)
    save_achievement({"enterprise": "91350100M000100Y43", "kind": "standard", "level": "enterprise",
                      "date": "2024-06-01", "id": "Q1", "action": "formulate", "rank": 1, "ref": "Q/HF 0001-2024"},
                     ctx.username)
    view = window.show_view("rounds")
    view.year.setValue(2024)
    view.compute_round(2024, "putian-chengxiang-2021")
    assert ctx.tasks.wait()
    return view


def shown_whole(label) -> bool:
    """Every character of ``label`` is inside it: a label that does not wrap is as wide as its
    longest line, a wrapping one as tall as its text at its width."""
    rect = label.contentsRect()
    if label.wordWrap():
        return rect.height() >= label.heightForWidth(rect.width())
    fm = label.fontMetrics()
    return all(fm.horizontalAdvance(line) <= rect.width() for line in label.text().split("\n"))


def test_the_review_dialog_shows_the_policy_title_whole_and_only_the_funds_that_pay(zh, window, qtbot):  # noqa: F811
    from desktop.ui.qt import QApplication, QLabel
    from desktop.ui.views.round_dialogs import ReviewDialog
    from tests.qt_answers import submitted_for_review

    view = computed_with_a_refusal(window)
    assert any(ln["status"] == "not_eligible" for ln in view.lines)
    submitted_for_review(window, view)
    dlg = ReviewDialog(window.ctx, view.round, view.lines, view)
    qtbot.addWidget(dlg)
    dlg.show()
    QApplication.processEvents()
    summary = dlg.findChild(QLabel, "reviewSummary") or next(
        lb for lb in dlg.findChildren(QLabel) if lb.text().startswith("政策"))
    assert "莆城政〔2021〕88号" in summary.text()
    assert dlg.width() <= 800  # it still fits a small screen
    assert shown_whole(summary), (summary.width(), summary.text())
    words = "\n".join(lb.text() for lb in dlg.findChildren(QLabel))
    assert "（0 项）" not in words and "(0 项)" not in words, words
    assert "区级实施标准化战略专项资金" in words  # the fund that pays is still listed
