"""The Settings screen with two administrators on one database: a save made on settings or wording
another administrator changed since the screen (or the wording editor) read them is refused, says
who and when, writes nothing, and a box that does not block the window offers to reload."""
from __future__ import annotations

import dataclasses

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_rounds import qtbot_left, window  # noqa: E402, F401 - fixture


def _zhou(ctx):
    """The other administrator, 周局长, working on another PC (a session of their own)."""
    from desktop.operations.session import Actor
    from desktop.store import users

    users.create_user("zhou", "周局长", "correct horse", "admin")
    return dataclasses.replace(ctx.session, actor=Actor("zhou", "周局长", "admin"))


def _reload(box) -> None:
    from desktop.ui.qt import QMessageBox

    assert box.isVisible() and box.button(QMessageBox.StandardButton.Cancel) is not None
    next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole).click()


def _settings_view(window, qtbot):  # noqa: F811
    from desktop.store import users

    window.ctx.set_user(users.verify("lin", "correct horse"))
    view = window.show_view("settings")
    view.refresh()
    return view


def test_the_office_profile_saved_meanwhile_by_another_administrator_is_not_overwritten(window, qtbot):  # noqa: F811
    from desktop.operations import settings

    view = _settings_view(window, qtbot)
    other = _zhou(window.ctx)
    settings.update_office(other, version=settings.office_version(other), signatory="周局长")

    view.o["name"].setText("莆田市城厢区市场监管局")
    qtbot.mouseClick(view.save_office, qtbot_left())
    assert "周局长" in view.office_msg.text() and "reload" in view.office_msg.text()
    row = settings.office(window.ctx.session)
    assert (row.name, row.signatory) == ("莆田市城厢区市场监督管理局", "周局长")  # nothing of this screen written

    _reload(view.stale_box)
    assert view.o["signatory"].text() == "周局长" and view.o["name"].text() == "莆田市城厢区市场监督管理局"
    view.o["name"].setText("莆田市城厢区市场监管局")
    qtbot.mouseClick(view.save_office, qtbot_left())
    assert view.office_msg.text() == "Saved."
    row = settings.office(window.ctx.session)
    assert (row.name, row.signatory) == ("莆田市城厢区市场监管局", "周局长")
    # this officer's own saves go on from the version they made
    view.refusal_prefix.setText("城市监告")
    qtbot.mouseClick(view.save_publicity, qtbot_left())
    assert view.publicity_msg.text() == "Saved."


def test_the_publicity_settings_saved_meanwhile_are_not_overwritten(window, qtbot):  # noqa: F811
    from desktop.operations import publicity

    view = _settings_view(window, qtbot)
    other = _zhou(window.ctx)
    publicity.save_settings(other, required=True, reason=None, days_off=[], workdays=[], refusal_prefix="城市监告")
    view.refusal_prefix.setText("城厢告")
    qtbot.mouseClick(view.save_publicity, qtbot_left())
    assert "周局长" in view.publicity_msg.text()
    assert publicity.settings(window.ctx.session)["refusal_prefix"] == "城市监告"
    _reload(view.stale_box)
    assert view.refusal_prefix.text() == "城市监告"


def test_the_wording_editor_refuses_a_save_over_another_administrators_version_and_reopens_on_it(
        window, qtbot):  # noqa: F811
    from desktop.operations import wording
    from desktop.ui.qt import QDialogButtonBox

    view = _settings_view(window, qtbot)
    qtbot.mouseClick(view.edit_wording, qtbot_left())
    dlg = view.wording_dialog
    assert dlg.isVisible()
    other = _zhou(window.ctx)
    wording.save_template(other, {"closing": "此复。"}, 0)

    dlg.fields["closing"].setText("特此通知！")
    qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Save), qtbot_left())
    assert dlg.isVisible() and "周局长" in dlg.problems.text()
    assert wording.template(window.ctx.session) == (1, {"closing": "此复。"})

    _reload(view.stale_box)
    assert not dlg.isVisible()
    again = view.wording_dialog
    assert again is not dlg and again.isVisible() and again.fields["closing"].text() == "此复。"
    again.fields["closing"].setText("特此通知！")
    qtbot.mouseClick(again.buttons.button(QDialogButtonBox.StandardButton.Save), qtbot_left())
    version, saved = wording.template(window.ctx.session)
    assert not again.isVisible() and (version, saved["closing"]) == (2, "特此通知！")
