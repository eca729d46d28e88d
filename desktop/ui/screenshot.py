"""``stdaward --screenshot FILE.png [--view NAME]``: render the main window, one view, or the
first-run wizard / sign-in dialog / payments dialog (``--view wizard`` / ``login`` / ``payments``)
offscreen to a PNG, then exit."""
from __future__ import annotations

import sys
from pathlib import Path

from desktop.core.i18n import _
from desktop.ui.context import AppContext
from desktop.ui.qt import QApplication, QSize
from desktop.ui.views import VIEWS

DIALOGS = ("wizard", "login", "payments")


def take_screenshot(app: QApplication, db_path: Path, demo: bool, out: Path, view: str | None,
                    size: QSize = QSize(1280, 800)) -> int:
    from desktop.operations import quick
    from desktop.ui.app import open_database, open_error_text

    names = [v.name for v in VIEWS]
    if view and view not in names and view not in DIALOGS:
        print(_("error: unknown view {view}; views: {views}").format(view=view, views=", ".join(names + list(DIALOGS))),
              file=sys.stderr)
        return 2
    try:
        open_database(db_path, demo)
    except Exception as exc:  # noqa: BLE001 - any failure to open is told in one line
        print(_("error: {reason}").format(reason=open_error_text(exc, db_path).splitlines()[0]), file=sys.stderr)
        return 1
    try:
        ctx = AppContext(db_path)
        ctx.demo = demo
        admin = quick.first_admin()
        if admin is not None:
            ctx.set_user(admin)
        widget = _build(ctx, view)
        widget.resize(size if view not in DIALOGS else widget.sizeHint().expandedTo(QSize(640, 440)))
        widget.show()
        for _round in range(3):
            app.processEvents()
            ctx.tasks.wait()
        out.parent.mkdir(parents=True, exist_ok=True)
        if not widget.grab().save(str(out), "PNG"):
            print(_("error: cannot write {file}").format(file=out), file=sys.stderr)
            return 1
        widget.close()
        return 0
    finally:
        quick.close()


def _build(ctx: AppContext, view: str | None):
    if view == "wizard":
        from desktop.ui.wizard import FirstRunWizard

        return FirstRunWizard(ctx)
    if view == "login":
        from desktop.ui.login import LoginDialog

        return LoginDialog(ctx)
    if view == "payments":  # 资金 → 拨付 (a dialog of the main window, not a view of its own)
        from desktop.ui.views.payments import PaymentsDialog

        return PaymentsDialog(ctx)
    from desktop.ui.mainwindow import MainWindow

    win = MainWindow(ctx)
    win.show_view(view or "overview")
    return win
