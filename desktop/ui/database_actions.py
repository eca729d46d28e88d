"""The File menu's database actions: back up the database now (to the backups folder or a file the
officer picks, e.g. on a USB stick), restore a backup (administrators; the database replaced is kept
as a safety copy), open another database file, or connect to the office's database server. Each goes
through ``desktop.operations``."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from desktop.core.i18n import _
from desktop.ui.files import kept_text, remember, start_in
from desktop.ui.qt import QFileDialog, QMessageBox, Qt, qconnect
from desktop.ui.tasks import show_error

DB_FILTER = "StdAward (*.db)"


def _startup(window):
    return getattr(window, "startup", None)


def backup_now(window, path: str | None = None) -> None:
    """A checked copy of the open database, written in the background. ``path`` (tests) skips the
    file dialog; the dialog proposes the office's name and today's date in the last folder used."""
    from desktop.operations import backups

    session = window.ctx.session
    try:
        session.require("backups.make")
    except Exception as exc:  # noqa: BLE001 - PermissionDenied: told like any refusal
        show_error(window, exc, _("Back up the database"))
        return
    if path is None:
        office = window.ctx.office
        stem = (office.name if office is not None and office.name else "StdAward")
        suggested = start_in(_("{office} backup {date}.db").format(office=stem, date=dt.date.today().isoformat()))
        # no "replace it?" question: a backup never replaces a file, it goes beside it ("…（2）.db")
        path, _f = QFileDialog.getSaveFileName(window, _("Back up the database"), suggested, DB_FILTER,
                                               options=QFileDialog.Option.DontConfirmOverwrite)
        if not path:
            return
        remember(path)
    out = Path(path)
    if out.suffix.lower() != ".db":
        out = out.with_name(out.name + ".db")

    def done(written: Path) -> None:
        text = _("Backup written and checked: {file}").format(file=written)
        if Path(written) != out:

            text += " " + kept_text(out, written)
        window.statusBar().showMessage(text, 15000)

    window.ctx.tasks.run(lambda p: backups.make(session.with_progress(p), out), on_done=done,
                         on_error=lambda exc: show_error(window, exc, _("Back up the database")),
                         label=_("Backing up the database..."))


def restore_backup(window, path: str | None = None) -> None:
    """Replace the open database with a backup, after a question naming both files. Only an
    administrator may; the program then starts again on the restored database (sign-in included)."""
    from desktop.operations import backups

    session = window.ctx.session
    try:
        session.require("backups.restore")
    except Exception as exc:  # noqa: BLE001 - PermissionDenied: told like any refusal
        show_error(window, exc, _("Restore a backup"))
        return
    if not window.ctx.tasks.idle:
        window.statusBar().showMessage(_("Wait for the running work to finish, then restore."), 10000)
        return
    if path is None:
        found = backups.listing(session)
        folder = str(found[0].parent) if found else start_in()
        path, _f = QFileDialog.getOpenFileName(window, _("Restore a backup"), folder, DB_FILTER)
        if not path:
            return
    backup = Path(path)
    db_path = window.ctx.db_path
    box = QMessageBox(QMessageBox.Icon.Warning, _("Restore a backup"), _(
        "Replace the database {db} with the backup {backup}?\n\nEverything entered since that backup is "
        "replaced; the database as it is now is kept as a safety copy in the backups folder. StdAward starts "
        "again on the restored database.").format(db=db_path, backup=backup),
        QMessageBox.StandardButton.NoButton, window)
    box.setObjectName("restoreQuestion")
    ok = box.addButton(_("Restore"), QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def answered(button: object) -> None:
        window.restore_question = None
        if button is not ok:
            return
        startup = _startup(window)
        if startup is None:
            show_error(window, RuntimeError(_("restore is only possible from the main window")))
            return
        startup.restore_from(backup)

    qconnect(box.buttonClicked, answered)
    window.restore_question = box
    box.open()


def open_other(window, path: str | None = None) -> None:
    """Close this database and open another file (created and set up by the wizard if new)."""
    if not window.ctx.tasks.idle:
        window.statusBar().showMessage(_("Wait for the running work to finish, then open another database."), 10000)
        return
    if path is None:
        path, _f = QFileDialog.getOpenFileName(window, _("Open another database"), start_in(), DB_FILTER)
        if not path:
            return
        remember(path)
    startup = _startup(window)
    if startup is not None:
        from desktop.ui import settings

        settings.SERVER.set("")  # a file from now on, also at the next start
        startup.reopen(demo=False, path=Path(path))


def connect_server(window) -> None:
    """File → 连接单位数据库服务器…: the connection dialog (filled in with the server open now, if
    any); once it connects, this database closes and the server's opens (next start too)."""
    from desktop.operations import servers
    from desktop.ui.server_dialog import ServerDialog

    if not window.ctx.tasks.idle:
        window.statusBar().showMessage(_("Wait for the running work to finish, then connect to the server."), 10000)
        return
    current = window.ctx.db_path
    start = servers.fields(current) if servers.is_server(current) else None
    dlg = ServerDialog(window.ctx, window, start)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def finished(result: int) -> None:
        window.server_dialog = None
        startup = _startup(window)
        if result and dlg.path is not None and startup is not None:
            startup.connect_server(dlg.path)

    qconnect(dlg.finished, finished)
    window.server_dialog = dlg
    dlg.open()
