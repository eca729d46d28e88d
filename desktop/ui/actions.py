"""Main-window actions declared in one place (Picard ``ui/mainwindow/actions.py`` style).

Each action is a small function ``(window) -> None`` registered with ``@action(name, label,
shortcut)``; the main window builds QActions, menus and shortcuts from ``ACTIONS`` and ``MENUS``.
Other modules add actions by importing ``action`` and decorating a handler, then listing its name in
``MENUS`` (or ``add_to_menu``). Handlers that belong to a view ask the window for that view.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from desktop.core.i18n import N_


@dataclass(frozen=True)
class ActionSpec:
    name: str
    label: str  # N_() msgid
    shortcut: str | tuple[str, ...] | None  # one key sequence, or several (the first is shown in the menu)
    handler: Callable[..., None]
    tip: str | None = None

    @property
    def shortcuts(self) -> tuple[str, ...]:
        """Every key sequence that triggers the action, the primary one first."""
        if self.shortcut is None:
            return ()
        return (self.shortcut,) if isinstance(self.shortcut, str) else tuple(self.shortcut)


ACTIONS: dict[str, ActionSpec] = {}

# (menu label, action names); None = separator. Views contribute through their own names.
MENUS: list[tuple[str, list[str | None]]] = [
    (N_("&File"), ["open_database", "connect_server", "backup_now", "restore_backup", None, "import_excel", "download_template",
                   "export_table", None, "open_demo", None, "switch_user", "quit"]),
    (N_("&Edit"), ["undo", "redo", None, "new_enterprise", "new_achievement", None, "find"]),
    (N_("&View"), ["refresh"]),  # the view list is appended by the window (Ctrl+1..9)
    (N_("&Help"), ["help", "open_log_folder", None, "about"]),
]


def action(name: str, label: str, shortcut: str | tuple[str, ...] | None = None, tip: str | None = None):
    def deco(fn: Callable[..., None]) -> Callable[..., None]:
        ACTIONS[name] = ActionSpec(name, label, shortcut, fn, tip)
        return fn
    return deco


def add_to_menu(menu_label: str, name: str | None) -> None:
    for label, names in MENUS:
        if label == menu_label:
            names.append(name)
            return
    MENUS.insert(len(MENUS) - 1, (menu_label, [name]))


def _call_view(window, view: str, method: str) -> None:
    v = window.show_view(view)
    if v is not None and hasattr(v, method):
        getattr(v, method)()


@action("quit", N_("&Quit"), "Ctrl+Q")
def _quit(window) -> None:
    window.close()


@action("refresh", N_("&Refresh"), "F5")
def _refresh(window) -> None:
    window.ctx.changed("*")


@action("find", N_("&Find"), "Ctrl+F")
def _find(window) -> None:
    box = window.current_view().search_box() if window.current_view() else None
    if box is not None:
        box.setFocus()
        box.selectAll()


@action("undo", N_("&Undo"), "Ctrl+Z")
def _undo(window) -> None:
    window.undo_stack.undo()


@action("redo", N_("&Redo"), ("Ctrl+Y", "Ctrl+Shift+Z"))  # Ctrl+Y as on Windows; Ctrl+Shift+Z as elsewhere
def _redo(window) -> None:
    window.undo_stack.redo()


@action("new_enterprise", N_("New &enterprise..."), "Ctrl+Shift+N")
def _new_enterprise(window) -> None:
    _call_view(window, "enterprises", "add")


@action("new_achievement", N_("New &achievement..."), "Ctrl+N")
def _new_achievement(window) -> None:
    _call_view(window, "achievements", "add")


@action("import_excel", N_("&Import from Excel..."), "Ctrl+I")
def _import_excel(window) -> None:
    from desktop.ui import excel

    excel.import_workbook(window)


@action("download_template", N_("Save the Excel &template..."))
def _template(window) -> None:
    from desktop.ui import excel

    excel.save_template(window)


@action("export_table", N_("&Export table to Excel..."), "Ctrl+E")
def _export(window) -> None:
    from desktop.ui import excel

    excel.export_current(window)


@action("open_database", N_("&Open another database..."), "Ctrl+O")
def _open_database(window) -> None:
    from desktop.ui import database_actions

    database_actions.open_other(window)


@action("connect_server", N_("&Connect to the office database server..."))
def _connect_server(window) -> None:
    from desktop.ui import database_actions

    database_actions.connect_server(window)


@action("backup_now", N_("&Back up the database..."), "Ctrl+B")
def _backup_now(window) -> None:
    from desktop.ui import database_actions

    database_actions.backup_now(window)


@action("restore_backup", N_("&Restore from a backup..."))
def _restore_backup(window) -> None:
    from desktop.ui import database_actions

    database_actions.restore_backup(window)


@action("open_demo", N_("Open the &demo database"))
def _demo(window) -> None:
    window.open_demo()


@action("switch_user", N_("&Sign in as another user..."), "Ctrl+L")
def _switch(window) -> None:
    from desktop.ui.login import switch_user

    switch_user(window)


@action("help", N_("StdAward &help"), "F1")
def _help(window) -> None:
    from desktop.core.i18n import current_locale
    from desktop.ui.help import HelpDialog

    window.help_dialog = HelpDialog(window, current_locale())
    window.help_dialog.show()


@action("open_log_folder", N_("Open the &log folder"))
def _open_log_folder(window) -> None:
    from desktop.core.i18n import _
    from desktop.operations.logs import log_folder
    from desktop.ui.qt import QDesktopServices, QMessageBox, QUrl

    try:
        folder = log_folder()
    except OSError as exc:
        QMessageBox.warning(window, _("StdAward"), _("The log folder cannot be created: {reason}").format(
            reason=exc.strerror or exc))
        return
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        QMessageBox.information(window, _("StdAward"), _("The log files are in {folder}").format(folder=folder))


@action("about", N_("&About StdAward"))
def _about(window) -> None:
    from desktop import __version__
    from desktop.core.i18n import _
    from desktop.ui.qt import QMessageBox

    QMessageBox.about(window, _("About StdAward"), _(
        "StdAward {version}\nStandardization awards for county quality bureaus.").format(version=__version__))


@action("verify_notice", N_("&Verify a notice (scan its QR code)..."))
def _verify_notice(window: object) -> None:
    from desktop.ui.views.verify_dialog import open_verify_dialog

    open_verify_dialog(window)


@action("payments", N_("&Payments on notices..."))
def _payments(window: object) -> None:
    from desktop.ui.views.payments import open_payments_dialog

    open_payments_dialog(window)


add_to_menu(N_("&Money"), "payments")
add_to_menu(N_("&Money"), "verify_notice")
