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


def test_the_award_line_of_one_kind_is_worded_on_its_own_checked_previewed_and_reset(qtbot):
    from desktop.ui.qt import QDialogButtonBox
    from desktop.ui.views.notice_template import NoticeTemplateDialog

    saved = []
    dlg = NoticeTemplateDialog({"kinds": {"gi": "{n}你单位{achievement}，奖励{amount}。"}}, OFFICE,
                               lambda t: saved.append(t) or len(saved))
    qtbot.addWidget(dlg)
    save = dlg.buttons.button(QDialogButtonBox.StandardButton.Save)
    kinds = [dlg.kind_box.itemData(i) for i in range(dlg.kind_box.count())]
    assert "prize" in kinds and "gi" in kinds and len(kinds) == 12
    labels = [dlg.kind_box.itemText(i) for i in range(dlg.kind_box.count())]
    assert all(k not in labels for k in ("good_behavior", "self_declared", "innovation_base"))  # words, not codes
    assert labels[kinds.index("gi")].endswith("✎") and not labels[kinds.index("prize")].endswith("✎")
    assert "{achievement}" in dlg.kind_help.text() and "{amount}" in dlg.kind_help.text()
    assert "{clause}" in dlg.kind_help.text() and "{n}" in dlg.kind_help.text()

    dlg.kind_box.setCurrentIndex(kinds.index("gi"))  # the stored wording is shown and previewed
    assert dlg.kind_text.toPlainText() == "{n}你单位{achievement}，奖励{amount}。"
    assert "（三）你单位地理标志产品保护获批" in dlg.preview.toPlainText()

    dlg.kind_box.setCurrentIndex(kinds.index("prize"))  # not worded on its own: the general line
    assert dlg.kind_text.toPlainText() == "" and not dlg.kind_reset.isEnabled()
    general = dlg.preview.toPlainText()
    assert "（三）依据《意见》第五条第（二）项第3目规定，你单位荣获福建省标准贡献奖二等奖" in general

    dlg.kind_text.setPlainText("{n}你单位{achievement}，按{clause}奖励{amount}，{bonus}。")
    assert not save.isEnabled()
    assert "Award line for Standards prize" in dlg.problems.text() and "{bonus}" in dlg.problems.text()
    assert "kinds." not in dlg.problems.text()
    dlg.kind_text.setPlainText("{n}你单位{achievement}，\n奖励{amount}。")
    assert not save.isEnabled() and "line breaks" in dlg.problems.text()
    dlg.kind_text.setPlainText("{n}你单位{achievement}，按{clause}奖励{amount}。")
    assert save.isEnabled() and dlg.problems.text() == ""
    text = dlg.preview.toPlainText()
    assert "（三）你单位荣获福建省标准贡献奖二等奖（GB/T 3280-2015）" in text and "按《意见》第五条第（二）项第3目奖励" in text
    assert "（一）依据《意见》第五条第（二）项第2目规定" in text  # the other kinds keep the general line
    assert dlg.kind_box.itemText(kinds.index("prize")).endswith("✎")

    dlg.kind_box.setCurrentIndex(kinds.index("gi"))
    dlg.kind_reset.click()  # back to the general line for this kind
    assert dlg.kind_text.toPlainText() == "" and "gi" not in dlg.template().get("kinds", {})
    assert "（三）依据《意见》第五条第（二）项第3目规定，你单位地理标志产品保护获批" in dlg.preview.toPlainText()
    dlg.accept()
    assert saved[-1]["kinds"] == {"prize": "{n}你单位{achievement}，按{clause}奖励{amount}。"}


def test_restore_the_default_wording_puts_every_text_back(qtbot):
    from desktop.operations import wording
    from desktop.ui.views.notice_template import NoticeTemplateDialog

    saved = []
    dlg = NoticeTemplateDialog({"closing": "此复。", "days": 30, "cc": ["莆田市城厢区审计局"],
                                "kinds": {"prize": "{n}{achievement}，奖励{amount}。"}}, OFFICE,
                               lambda t: saved.append(t) or len(saved))
    qtbot.addWidget(dlg)
    assert dlg.fields["closing"].text() == "此复。"
    dlg.defaults_btn.click()
    default = wording.default_template()
    assert dlg.fields["closing"].text() == default["closing"] == "特此通知。"
    assert dlg.days.value() == default["days"] and dlg.cc.toPlainText() == "{finance}"
    assert dlg.kinds == {} and not any(dlg.kind_box.itemText(i).endswith("✎") for i in range(dlg.kind_box.count()))
    assert "抄送：莆田市城厢区财政局。" in dlg.preview.toPlainText()
    dlg.accept()
    assert saved[-1]["closing"] == "特此通知。" and "kinds" not in saved[-1] and saved[-1]["days"] == default["days"]
