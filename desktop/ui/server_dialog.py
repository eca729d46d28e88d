"""The connection dialog (File → 连接单位数据库服务器…, and the first-run wizard's alternative to a
database file on this PC): server, port, database, user name and password, a 「测试连接」 button that
tries them off the UI thread and says plainly what is wrong, and 「连接」, which saves the connection
(the program opens it again next time; the password goes to the OS keyring, never into a file) and
leaves ``path`` set to the connection file to open.

An empty database is offered to be set up when the user may create tables in it; a database the
user may not set up, or one holding something else, cannot be connected to (the message says what
the administrator must do)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.core.i18n import _
from desktop.ui.context import AppContext
from desktop.ui.qt import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    qconnect,
)
from desktop.ui.tasks import error_text

OK_STYLE = "color: #1b5e20;"
BAD_STYLE = "color: #b3261e;"


class ServerDialog(QDialog):
    """Accepted only after a successful test of exactly the fields shown (``path``: the connection
    file written; ``kept``: whether the keyring holds the password)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, start: dict[str, Any] | None = None) -> None:
        super().__init__(parent)
        from desktop.operations import servers

        self.ctx = ctx
        self.path: Path | None = None
        self.kept = False
        self.result_state: dict[str, Any] | None = None  # the last test's verdict on ``_tested``'s fields
        self._tested: tuple[Any, ...] | None = None
        self._testing = False
        self.setObjectName("serverDialog")
        self.setWindowTitle(_("Connect to the office database server"))
        lay = QVBoxLayout(self)
        intro = QLabel(_("Several officers share one database on the office's PostgreSQL server. Ask the "
                         "administrator for these details."))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        start = start or {}
        self.host = QLineEdit(str(start.get("host", "")))
        self.host.setPlaceholderText(_("e.g. 192.168.1.10 or server name"))
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(int(start.get("port") or servers.DEFAULT_PORT))
        self.dbname = QLineEdit(str(start.get("dbname", "")))
        self.dbname.setPlaceholderText("stdaward")
        self.user = QLineEdit(str(start.get("user", "")))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("Server"), self.host)
        form.addRow(_("Port"), self.port)
        form.addRow(_("Database"), self.dbname)
        form.addRow(_("User name"), self.user)
        form.addRow(_("Password"), self.password)
        lay.addLayout(form)
        self.keep = QCheckBox(_("Remember the password on this PC (in the system's password store)"))
        self.keep.setObjectName("keepPassword")
        self.has_keyring = servers.keyring_available()
        self.keep.setChecked(self.has_keyring)
        self.keep.setEnabled(self.has_keyring)
        if not self.has_keyring:
            self.keep.setText(_("This PC has no password store: the password is asked at each sign-in and "
                                "never saved"))
        lay.addWidget(self.keep)
        self.status = QLabel()
        self.status.setObjectName("serverStatus")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.test_button = QPushButton(_("Test connection"))
        self.test_button.setObjectName("testConnection")
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Connect"))
        self.ok_button.setEnabled(False)
        qconnect(self.test_button.clicked, self.test)
        qconnect(buttons.accepted, self.accept)
        qconnect(buttons.rejected, self.reject)
        lay.addWidget(buttons)
        for w in (self.host, self.dbname, self.user, self.password):
            qconnect(w.textChanged, self._edited)
        qconnect(self.port.valueChanged, self._edited)
        (self.password if self.host.text() and self.user.text() else self.host).setFocus()
        self.setMinimumWidth(460)

    def values(self) -> tuple[str, int, str, str, str]:
        return (self.host.text().strip(), self.port.value(), self.dbname.text().strip(), self.user.text().strip(),
                self.password.text())

    def _edited(self, *_args: object) -> None:
        """Any change makes the last test stale: test again before connecting."""
        if self._tested is not None and self._tested != self.values():
            self._tested, self.result_state = None, None
            self.ok_button.setEnabled(False)
            self.ok_button.setText(_("Connect"))
            self.status.setText("")

    def test(self) -> None:
        """Try the fields in a worker; the verdict lands in ``status`` (and enables 「连接」)."""
        from desktop.operations import servers

        if self._testing:
            return
        fields = self.values()
        self._testing = True
        self.test_button.setEnabled(False)
        self.ok_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(_("Connecting to {server}...").format(server=fields[0]))
        self.ctx.tasks.run(lambda _p: servers.test(*fields), on_done=lambda r: self._tested_ok(fields, r),
                           on_error=lambda exc: self._tested_bad(fields, exc), quiet=True)

    def _finish_test(self) -> None:
        self._testing = False
        self.test_button.setEnabled(True)

    def _tested_ok(self, fields: tuple[Any, ...], found: dict[str, Any]) -> None:
        self._finish_test()
        if fields != self.values():  # edited while the test ran: its verdict is about other fields
            self.status.setText("")
            return
        dbname = fields[2]
        self._tested, self.result_state = fields, found
        if found["state"] == "ready":
            office = found.get("office")
            text = (_("Connected: the database {dbname} of {office}.").format(dbname=dbname, office=office) if office
                    else _("Connected: the StdAward database {dbname} (no office set up yet).").format(dbname=dbname))
            self._say(text, ok=True)
            self.ok_button.setText(_("Connect"))
            self.ok_button.setEnabled(True)
        elif found.get("may_create"):
            self._say(_("Connected. The database {dbname} is empty: StdAward sets up its tables in it when you "
                        "connect, then asks for the office and the first administrator.").format(dbname=dbname),
                      ok=True)
            self.ok_button.setText(_("Set up and connect"))
            self.ok_button.setEnabled(True)
        else:
            self._say(_("Connected, but the database {dbname} is empty and the user {user} may not set it up. Ask "
                        "the administrator to connect once as the database's owner (or to grant {user} the right "
                        "to create tables).").format(dbname=dbname, user=fields[3]), ok=False)

    def _tested_bad(self, fields: tuple[Any, ...], exc: BaseException) -> None:
        self._finish_test()
        if fields != self.values():
            self.status.setText("")
            return
        self._tested, self.result_state = None, None
        self._say(error_text(exc), ok=False)
        if getattr(exc, "kind", None) == "password":
            self.password.selectAll()
            self.password.setFocus()

    def _say(self, text: str, ok: bool) -> None:
        self.status.setStyleSheet(OK_STYLE if ok else BAD_STYLE)
        self.status.setText(text)

    def accept(self) -> None:
        from desktop.operations import servers

        if self._tested is None or self._tested != self.values() or not self.ok_button.isEnabled():
            self.test()  # connecting needs a test of the fields shown
            return
        host, port, dbname, user, password = self.values()
        try:
            saved = servers.save(host, port, dbname, user, password or None, self.keep.isChecked())
        except Exception as exc:  # noqa: BLE001 - a connection file that cannot be written: told in the dialog
            self._say(error_text(exc), ok=False)
            return
        self.path, self.kept = saved["path"], saved["kept"]
        super().accept()


class ServerPasswordDialog(QDialog):
    """Asked when the server refuses the sign-in to a saved connection (no password kept, or a
    changed one): the password for this run, kept in the keyring if the officer ticks it."""

    def __init__(self, path: Path, message: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from desktop.operations import servers

        self.path = path
        self.setObjectName("serverPasswordDialog")
        self.setWindowTitle(_("Password for the database server"))
        lay = QVBoxLayout(self)
        head = QLabel(_("The database server {server} needs the password of the user {user}.").format(
            server=servers.describe(path), user=servers.fields(path)["user"]))
        head.setWordWrap(True)
        lay.addWidget(head)
        self.message = QLabel(message)
        self.message.setObjectName("serverPasswordMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(BAD_STYLE)
        self.message.setVisible(bool(message))
        lay.addWidget(self.message)
        form = QFormLayout()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("Password"), self.password)
        lay.addLayout(form)
        self.keep = QCheckBox(_("Remember the password on this PC (in the system's password store)"))
        self.keep.setObjectName("keepPassword")
        self.keep.setEnabled(servers.keyring_available())
        self.keep.setChecked(False)
        lay.addWidget(self.keep)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Sign in"))
        qconnect(buttons.accepted, self.accept)
        qconnect(buttons.rejected, self.reject)
        lay.addWidget(buttons)
        self.password.setFocus()
        self.setMinimumWidth(420)

    def accept(self) -> None:
        from desktop.operations import servers

        servers.use_password(self.path, self.password.text())  # kept only once the server took it (Startup)
        super().accept()
