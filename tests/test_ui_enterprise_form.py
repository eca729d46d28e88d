"""The enterprise form says what is wrong under the field as the officer types: a name cleared, a
region code that is no administrative division, a phone number with letters; Save stays off until
the form is right, and pressing it anyway shows every problem and saves nothing."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.conftest import GOOD_USCC  # noqa: E402
from tests.test_ui_records import window  # noqa: E402, F401 - fixture


@pytest.fixture
def dialog(window, qtbot):  # noqa: F811
    from desktop.ui.views.enterprise_dialog import EnterpriseDialog

    dlg = EnterpriseDialog(window.ctx, None, window)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def save_enabled(dlg) -> bool:
    return dlg.buttons.button(dlg.buttons.StandardButton.Save).isEnabled()


def test_clearing_the_name_says_it_is_required(dialog, qtbot):
    assert dialog.form.message("name") == ""  # nothing said about a field not reached yet
    dialog.fields["name"].setText("华峰")
    dialog.fields["uscc"].setText(GOOD_USCC)
    assert save_enabled(dialog)
    dialog.fields["name"].setFocus()
    dialog.fields["name"].selectAll()
    qtbot.keyClick(dialog.fields["name"], qtbot_backspace())  # the officer deletes the name
    assert dialog.fields["name"].text() == ""
    assert "name is required" in dialog.form.message("name")
    assert dialog.form.messages["name"].isVisibleTo(dialog)
    assert not save_enabled(dialog)


def test_a_region_code_without_a_province_is_refused_with_the_reason(dialog):
    dialog.fields["name"].setText("莆田市城厢区华峰鞋业有限公司")
    dialog.fields["uscc"].setText(GOOD_USCC)
    dialog.fields["region"].setText("999999")
    assert "999999" in dialog.form.message("region") and "no province" in dialog.form.message("region")
    assert not save_enabled(dialog)
    dialog.fields["region"].setText("350300")  # a county office: a whole city's code is not the county's
    assert "whole city" in dialog.form.message("region")
    dialog.fields["region"].setText("350302")
    assert dialog.form.message("region") == "" and save_enabled(dialog)


def test_a_phone_with_letters_is_refused_and_an_extension_accepted(dialog):
    dialog.fields["name"].setText("莆田市城厢区华峰鞋业有限公司")
    dialog.fields["uscc"].setText(GOOD_USCC)
    dialog.fields["phone"].setText("0594-2345678abc")
    assert "only digits" in dialog.form.message("phone") and not save_enabled(dialog)
    dialog.fields["phone"].setText("0594-2345678 转 8012")
    assert dialog.form.message("phone") == "" and save_enabled(dialog)


def test_save_pressed_anyway_shows_every_problem_and_saves_nothing(dialog):
    from desktop.store.models import Enterprise

    dialog.fields["region"].setText("999999")
    dialog.accept()
    assert "name is required" in dialog.form.message("name")
    assert dialog.form.message("uscc") != "" and "no province" in dialog.form.message("region")
    assert dialog.saved is None and dialog.isVisible() and Enterprise.select().count() == 0


def qtbot_backspace():
    from desktop.ui.qt import Qt

    return Qt.Key.Key_Backspace


def test_closing_the_form_with_a_name_typed_asks_first(dialog, qtbot):
    """Esc or Cancel after typing asks before losing it; the default answer keeps the form; the form as
    it was opened closes without a question."""
    from qt_answers import answer

    dialog.reject()  # nothing typed yet (the office's region is filled in for the officer)
    assert not dialog.isVisible() and dialog.confirmation is None
    dialog.show()
    dialog.fields["name"].setText("莆田市城厢区测试科技有限公司")
    dialog.fields["uscc"].setText(GOOD_USCC)
    dialog.reject()
    assert dialog.isVisible()
    answer(dialog, ok=False)
    assert dialog.isVisible() and dialog.fields["name"].text() == "莆田市城厢区测试科技有限公司"
    dialog.reject()
    answer(dialog, ok=True)
    assert not dialog.isVisible()
