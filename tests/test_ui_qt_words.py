"""Qt's own dialogs speak the officer's language: the file dialog an officer saves notices or
attaches evidence with showed 「&Look in:」 and 「Files of &type:」 in English on a Chinese screen
(Qt's shipped catalogue lacks them in this version)."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")


@pytest.mark.parametrize("lang, look, kind", [("zh_CN", "查找范围(&L)：", "文件类型(&T)："),
                                              ("zh_TW", "尋找於(&L)：", "檔案型態(&T)：")])
def test_the_file_dialog_has_no_english_label_on_a_chinese_screen(qtbot, lang, look, kind):
    import re

    from desktop.core import i18n
    from desktop.ui.app import apply_language
    from desktop.ui.qt import QApplication, QFileDialog, QLabel

    i18n.set_locale(lang)
    try:
        apply_language(QApplication.instance())
        for mode in (QFileDialog.AcceptMode.AcceptOpen, QFileDialog.AcceptMode.AcceptSave):
            dlg = QFileDialog(None, "x")
            qtbot.addWidget(dlg)
            dlg.setOption(QFileDialog.Option.DontUseNativeDialog, True)
            dlg.setAcceptMode(mode)
            labels = [w.text() for w in dlg.findChildren(QLabel) if w.text()]
            assert look in labels and kind in labels, labels
            assert not [t for t in labels if re.search("[A-Za-z]{2,}", t)], labels
    finally:
        i18n.set_locale("en")
        apply_language(QApplication.instance())
    dlg = QFileDialog(None, "x")  # back in English: Qt's own words again
    qtbot.addWidget(dlg)
    dlg.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    assert "&Look in:" in [w.text() for w in dlg.findChildren(QLabel)]
