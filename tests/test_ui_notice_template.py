"""The notice wording editor: live preview, problems named by field, Save only when valid."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

pytestmark = pytest.mark.gui

OFFICE = {"uuid": "o", "name": "莆田市城厢区市场监督管理局", "region": "350302", "doc_prefix": "城市监"}


def test_editor_previews_validates_and_saves(qtbot):
    from desktop.ui.qt import QDialogButtonBox
    from desktop.ui.views.notice_template import NoticeTemplateDialog

    saved = []
    dlg = NoticeTemplateDialog({"kinds": {"prize": "{n}{achievement}，奖励{amount}。"}}, OFFICE,
                               lambda t: saved.append(t) or len(saved))
    qtbot.addWidget(dlg)
    save = dlg.buttons.button(QDialogButtonBox.StandardButton.Save)
    preview = dlg.preview.toPlainText()
    assert "关于下达" in preview and "人民币叁万伍仟元整（35,000.00元）" in preview and "抄送：莆田市城厢区财政局。" in preview
    assert save.isEnabled()
    dlg.fields["closing"].setText("此复。{oops}")
    assert not save.isEnabled() and "Closing line" in dlg.problems.text() and "{oops}" in dlg.problems.text()
    assert "closing" not in dlg.problems.text()  # the label, never the internal key
    dlg.cc.setPlainText("财政局，审计局")
    assert "Copies to (抄送), line 1" in dlg.problems.text()
    dlg.cc.setPlainText("{finance}")
    assert "此复" not in dlg.preview.toPlainText()  # the last good preview stays
    dlg.fields["closing"].setText("此复。")
    dlg.cc.setPlainText("{finance}\n莆田市城厢区审计局")
    assert save.isEnabled() and dlg.problems.text() == ""
    text = dlg.preview.toPlainText()
    assert "此复。" in text and "莆田市城厢区财政局，莆田市城厢区审计局。" in text
    dlg.accept()
    assert dlg.version == 1 and saved[0]["closing"] == "此复。" and saved[0]["kinds"] == {
        "prize": "{n}{achievement}，奖励{amount}。"}
    assert saved[0]["cc"] == ["{finance}", "莆田市城厢区审计局"]


def test_editor_shows_a_save_failure_and_stays_open(qtbot):
    from desktop.core.errors import StdAwardError
    from desktop.ui.views.notice_template import NoticeTemplateDialog

    def refuse(_template):
        raise StdAwardError("this needs the role administrator")

    dlg = NoticeTemplateDialog({}, OFFICE, refuse)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.accept()
    assert dlg.isVisible() and "administrator" in dlg.problems.text() and dlg.version is None
