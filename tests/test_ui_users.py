"""Switching user in the window (Ctrl+L) rebuilds what the new role may use: an administrator's Users
view is gone for a reviewer (and creating an account through the operations is refused); the
Settings a reviewer saw disabled are usable again when the administrator signs back in."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")


@pytest.fixture
def admin_window(qtbot, db):
    from desktop.store import office, users
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow

    make_app()
    office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监",
                  policy_id="putian-chengxiang-2021", signatory="莆田市城厢区市场监督管理局", user="tester")
    admin = users.create_user("lin", "林振华", "correct horse", "admin")
    users.create_user("wang", "王建国", "correct horse", "reviewer")
    ctx = AppContext(db)
    ctx.set_user(admin)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    yield win
    ctx.tasks.wait()
    win.close()


def _switch_with_ctrl_l(win, qtbot, monkeypatch, username: str) -> None:
    """Press Ctrl+L and sign in as ``username`` in the login dialog it opens."""
    from desktop.ui.login import LoginDialog
    from desktop.ui.qt import Qt

    seen: list[LoginDialog] = []

    def exec_(dlg: LoginDialog) -> int:
        seen.append(dlg)
        dlg.username.setText(username)
        dlg.password.setText("correct horse")
        dlg.accept()
        return dlg.result()

    monkeypatch.setattr(LoginDialog, "exec", exec_)
    win.activateWindow()
    qtbot.keyClick(win, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    if not seen:  # no keyboard focus offscreen: the same action, triggered directly
        win.qactions["switch_user"].trigger()
    assert len(seen) == 1 and win.ctx.username == username


def _nav_names(win) -> list[str]:
    from desktop.ui.qt import Qt

    return [win.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(win.nav.count())]


def test_a_reviewer_cannot_use_the_users_view_after_switching(admin_window, qtbot, monkeypatch):
    from desktop.operations import users
    from desktop.operations.session import PermissionDenied

    win = admin_window
    view = win.show_view("users")
    assert view.add_btn.isEnabled() and view.model.rowCount() == 2
    _switch_with_ctrl_l(win, qtbot, monkeypatch, "wang")
    assert "users" not in _nav_names(win) and win.view("users") is None
    assert win.current_name() != "users" and not view.isVisible()
    assert win.show_view("users") is None
    assert "王建国" in win.status_user.text()
    with pytest.raises(PermissionDenied):
        users.create(win.ctx.session, "mallory", "马某", "correct horse", "admin")
    assert [u["username"] for u in users.listing(win.ctx.session)] == ["lin", "wang"]

    _switch_with_ctrl_l(win, qtbot, monkeypatch, "lin")
    again = win.show_view("users")
    assert "users" in _nav_names(win) and again is not None and again.add_btn.isEnabled()


def test_settings_are_enabled_again_for_the_administrator(admin_window, qtbot, monkeypatch):
    win = admin_window
    _switch_with_ctrl_l(win, qtbot, monkeypatch, "wang")
    settings = win.show_view("settings")
    assert not settings.office_box.isEnabled() and "administrator" in settings.office_msg.text()
    _switch_with_ctrl_l(win, qtbot, monkeypatch, "lin")
    assert win.show_view("settings") is settings
    assert settings.office_box.isEnabled() and settings.office_msg.text() == ""
    settings.o["signatory"].setText("城厢区市场监督管理局（章）")
    settings._save_office()
    assert settings.office_msg.text() == "Saved."
    assert win.ctx.office.signatory == "城厢区市场监督管理局（章）"


def test_the_audit_view_shows_entries_in_words(admin_window, qtbot):
    from desktop.ui.tablemodel import ROW_ROLE

    win = admin_window
    view = win.show_view("audit")
    assert win.ctx.tasks.wait() and view.checked and view.broken_at is None and "✓" in view.chain.text()
    rows = [view.model.index(i, 0).data(ROW_ROLE) for i in range(view.model.rowCount())]
    made = [r for r in rows if r["action"] == "added" and r["entity"] == "user account：wang"]
    assert len(made) == 1 and "role：reviewer" in made[0]["change"] and "full name：王建国" in made[0]["change"]
    assert view.model.columnCount() == 6 and all("=" not in r["change"] for r in rows)
    view.search.setText("王建国")
    assert view.proxy.rowCount() >= 1 and view.proxy.rowCount() < view.model.rowCount()


def test_without_accounts_the_users_view_says_what_that_means_and_what_to_do(qtbot, db):
    from desktop.store import office, users
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow

    make_app()
    office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监", user="tester")
    win = MainWindow(AppContext(db))
    qtbot.addWidget(win)
    win.show()
    view = win.show_view("users")
    win.ctx.tasks.wait()
    assert view.pages.currentWidget() is view.empty and view.empty.hint.isVisible()
    assert "administrator" in view.empty.title.text() and "New user..." in view.empty.hint.text()
    users.create_user("lin", "林振华", "correct horse", "admin")
    view.refresh()
    assert view.pages.currentWidget() is view.tableview and view.model.rowCount() == 1
    win.ctx.tasks.wait()
    win.close()


def test_edit_is_offered_once_a_user_is_chosen(admin_window, qtbot):
    """编辑… pressed with no user chosen did nothing; it waits for a choice, as on the other lists, and
    is offered again after the list is read anew (a user added or changed)."""
    view = admin_window.show_view("users")
    assert view.model.rowCount() == 2
    assert view.add_btn.isEnabled() and not view.edit_btn.isEnabled()
    view.tableview.selectRow(0)
    assert view.edit_btn.isEnabled()
    view.refresh()  # the list read again: nothing chosen any more
    assert not view.edit_btn.isEnabled()
    view.tableview.selectRow(1)
    assert view.edit_btn.isEnabled()
