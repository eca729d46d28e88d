"""Signing in (when accounts exist) and switching to another user."""
from __future__ import annotations

from desktop.core.i18n import _
from desktop.ui import settings
from desktop.ui.context import AppContext
from desktop.ui.qt import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget, qconnect


class LoginDialog(QDialog):
    """Accepts only with a right user name and password; ``user`` is then the account's ``Actor``."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.user = None
        self.setObjectName("loginDialog")
        self.setWindowTitle(_("Sign in to StdAward"))
        lay = QVBoxLayout(self)
        office = ctx.office if ctx.db_path else None
        head = QLabel(office.name if office else "")
        f = head.font()
        f.setPointSizeF(f.pointSizeF() * 1.3)
        f.setBold(True)
        head.setFont(f)
        lay.addWidget(head)
        form = QFormLayout()
        self.username = QLineEdit(settings.LAST_USER.get())
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("User name"), self.username)
        form.addRow(_("Password"), self.password)
        lay.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("loginError")
        self.error.setStyleSheet("color: #b3261e;")
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Sign in"))
        qconnect(buttons.accepted, self.accept)
        qconnect(buttons.rejected, self.reject)
        lay.addWidget(buttons)
        (self.password if self.username.text() else self.username).setFocus()
        self.setMinimumWidth(380)

    def accept(self) -> None:
        from desktop.operations import users

        user = users.check(self.username.text(), self.password.text())
        if user is None:
            self.error.setText(_("Wrong user name or password."))
            self.password.selectAll()
            self.password.setFocus()
            return
        self.user = user
        settings.LAST_USER.set(user.username)
        super().accept()


def switch_user(window) -> None:
    """Sign in as another account without closing the window (e.g. the reviewer approving)."""
    from desktop.operations import users

    if not users.has_accounts(window.ctx.session):
        from desktop.ui.qt import QMessageBox

        QMessageBox.information(window, _("StdAward"), _("There are no user accounts yet; an administrator adds them under Users."))
        return
    dlg = LoginDialog(window.ctx, window)
    dlg.username.clear()
    dlg.username.setFocus()
    if dlg.exec():
        window.ctx.set_user(dlg.user)
