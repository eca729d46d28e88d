"""User accounts (administrators only): add, change role, reset password, deactivate. The changes
go through ``desktop.operations.users``, which refuses anyone but an administrator; the view is only
in the navigation of an administrator (the main window drops it when the user changes)."""
from __future__ import annotations

from typing import Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import N_, _
from desktop.operations.roles import ROLES, role_label
from desktop.ui.forms import ProblemForm
from desktop.ui.qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    qconnect,
)
from desktop.ui.tablemodel import ROW_ROLE, Column, ListTableModel, make_table
from desktop.ui.tasks import error_text
from desktop.ui.views.base import EmptyState, View, stacked_pages

COLUMNS = [Column("username", N_("User name")), Column("display_name", N_("Full name")),
           Column("role", N_("Role"), fmt=role_label),
           Column("active", N_("Active"), fmt=lambda v: _("yes") if v else _("no"))]


class UserDialog(QDialog):
    """New account (``user`` None) or changes to one; the password field is optional when editing."""

    def __init__(self, ctx, user: dict[str, Any] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.user = ctx, user
        self.setObjectName("userDialog")
        self.setWindowTitle(_("Edit user") if user else _("New user"))
        lay = QVBoxLayout(self)
        self.form = ProblemForm()
        lay.addLayout(self.form)
        self.username = self.form.add("username", _("User name"), QLineEdit(user["username"] if user else ""))
        self.username.setReadOnly(user is not None)
        self.display = self.form.add("display_name", _("Full name"), QLineEdit(user["display_name"] if user else ""))
        self.role = self.form.add("role", _("Role"), QComboBox())
        for r in ROLES:
            self.role.addItem(role_label(r), r)
        self.role.setCurrentIndex(self.role.findData(user["role"] if user else "clerk"))
        self.password = self.form.add("password", _("New password") if user else _("Password"), QLineEdit())
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        if user:
            self.password.setPlaceholderText(_("leave empty to keep the password"))
        self.active = QCheckBox(_("Account active"))
        self.active.setChecked(user["active"] if user else True)
        self.active.setVisible(user is not None)
        lay.addWidget(self.active)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        qconnect(buttons.accepted, self.accept)
        qconnect(buttons.rejected, self.reject)
        lay.addWidget(buttons)
        self.setMinimumWidth(440)

    def accept(self) -> None:
        from desktop.operations import users

        s = self.ctx.session
        try:
            if self.user is None:
                users.create(s, self.username.text(), self.display.text(), self.password.text(),
                             self.role.currentData())
            else:
                users.update(s, self.user["username"], display_name=self.display.text(),
                             role=self.role.currentData(), active=self.active.isChecked(),
                             password=self.password.text() or None)
        except StdAwardError as exc:
            rest = self.form.show_problems(getattr(exc, "problems", []))
            self.error.setText(error_text(exc) if not getattr(exc, "problems", None) else "\n".join(p.message for p in rest))
            return
        self.ctx.changed("users")
        if self.user is not None and self.user["username"] == self.ctx.username:
            self.ctx.set_user(self.ctx.session.actor)  # one's own role changed: the window follows
        super().accept()


class UsersView(View):
    name = "users"
    watches = ("users",)

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.add_btn, self.edit_btn = QPushButton(), QPushButton()
        bar.addWidget(self.add_btn)
        bar.addWidget(self.edit_btn)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        lay.addWidget(self.hint)
        self.model = ListTableModel(COLUMNS, self)
        self.tableview = make_table(self.name)
        self.tableview.setModel(self.model)
        self.empty = EmptyState()
        self.pages = stacked_pages(lay, self.tableview, self.empty)
        qconnect(self.add_btn.clicked, self.add)
        qconnect(self.edit_btn.clicked, self.edit)
        qconnect(self.tableview.doubleClicked, lambda _i: self.edit())
        # 编辑… once a user is chosen (pressed with none, it did nothing), as on the other lists
        qconnect(self.tableview.selectionModel().selectionChanged, lambda *_a: self._update_buttons())
        qconnect(self.model.modelReset, self._update_buttons)
        self.retranslate()

    def _update_buttons(self) -> None:
        from desktop.operations import roles

        chosen = len(self.tableview.selectionModel().selectedRows()) == 1
        self.edit_btn.setEnabled(chosen and roles.allowed(self.ctx.role, "users.manage"))

    def retranslate(self) -> None:
        self.add_btn.setText(_("New user..."))
        self.edit_btn.setText(_("Edit..."))
        self.hint.setText(_("Clerks enter data and prepare award rounds; reviewers approve rounds prepared by someone "
                            "else; administrators also manage users and the office profile."))
        self.model.retranslate()
        self.refresh()

    def refresh(self) -> None:
        from desktop.operations import roles, users

        admin = roles.allowed(self.ctx.role, "users.manage")
        self.add_btn.setEnabled(admin)
        rows = users.listing(self.ctx.session) if admin else []
        self.model.set_rows(rows)
        for i, w in enumerate((140, 200, 120)):
            self.tableview.setColumnWidth(i, w)
        self._update_buttons()
        if rows:
            self.pages.setCurrentWidget(self.tableview)
            return
        if admin:  # an empty table says nothing: say what it means and what to do
            self.empty.set_text(_("No user accounts: whoever uses this database acts as administrator."),
                                _("Press New user... to add the office's accounts (one administrator first); "
                                  "the program then asks each officer to sign in."))
        else:
            self.empty.set_text(_("Only an administrator manages user accounts"), "")
        self.pages.setCurrentWidget(self.empty)

    def table(self):
        return self.tableview

    def add(self) -> None:
        UserDialog(self.ctx, None, self).exec()

    def edit(self) -> None:
        rows = self.tableview.selectionModel().selectedRows()
        if rows:
            UserDialog(self.ctx, rows[0].data(ROW_ROLE), self).exec()
