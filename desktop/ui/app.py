"""Starting the desktop program: QApplication set-up, opening the database, first-run wizard or
sign-in, the main window, and ``--screenshot``.

The usual start (an office set up, no accounts, the database current) is quick: the writer lock and
the schema check on a plain sqlite3 connection (``db.open_quick``), the window painted with its
default view read by plain SQL (its costly count read ahead while Qt loaded: ``store/prefetch.py``),
and peewee and the models bound in the background once the window has been up for a moment
(``db.bind_quick``, ``BIND_AFTER_MS``); whatever needs them sooner binds them itself
(``ctx.require_store``). The cyclic garbage collector, paused by ``desktop.cli.open_gui``, resumes
after the first paint (``resume_gc``). A new
database, a migration (with a progress message), the demo, the wizard and sign-in take the slow
path: ``open_db`` in a worker first.

``run_gui(args)`` is called by ``desktop/cli.py`` when no verb is given; ``args`` carries ``db``,
``demo``, ``screenshot``, ``view``, ``lang`` and the benchmark's hidden ``startup_probe``.
"""
from __future__ import annotations

import gc
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from desktop.core.errors import DatabaseBusy, DatabaseDamaged, SchemaTooNew, ServerRefused, StdAwardError
from desktop.core.i18n import _, current_locale, set_locale
from desktop.ui import settings
from desktop.ui.context import AppContext
from desktop.ui.qt import (
    QApplication,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QIcon,
    QLibraryInfo,
    QLocale,
    Qt,
    QTimer,
    QTranslator,
    QWidget,
    qconnect,
)

# Families that show Chinese well, best first, per script; the first one installed is used.
CJK_FAMILIES = {
    "zh_CN": ("Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC",
              "Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "SimHei", "SimSun"),
    "zh_TW": ("Microsoft JhengHei UI", "Microsoft JhengHei", "PingFang TC", "Noto Sans CJK TC",
              "Source Han Sans TC", "WenQuanYi Micro Hei", "PMingLiU", "MingLiU"),
}
_translators: list[QTranslator] = []
# After a quick start the models are bound in a worker this long after the first paint. Binding
# imports peewee and the models: pure Python that holds the GIL for ~70 ms, and started at once it
# held back the window's first moments (its remaining paint, the first clicks) by as much; by now
# the officer is reading the window. An action taken sooner binds them itself (ctx.require_store).
BIND_AFTER_MS = 800
PROBE_TIMEOUT_MS = 30_000
# The window listens for later starts on its database (desktop/ui/instance.py: QtNetwork and a local
# socket) and opens the files it was started with this long after its first paint, not in the moments
# the officer first reads and clicks.
SERVE_AFTER_MS = 400


# ---------------------------------------------------------------------------- the application
def make_app() -> QApplication:
    """The QApplication, set up once: high-DPI, Chinese-capable font, Qt's own translations."""
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        argv = [sys.argv[0] if sys.argv else "stdaward"]
        if sys.platform.startswith("linux") and not os.environ.get("QT_STYLE_OVERRIDE"):
            argv += ["-style", "Fusion"]  # given at creation: no default style built first and replaced
        app = QApplication(argv)
        app.setApplicationName("StdAward")
        app.setOrganizationName("StdAward")
        app.setApplicationDisplayName("StdAward")
    apply_language(app)
    app.setWindowIcon(app_icon())
    quiet_disabled_hints(app)
    return app  # type: ignore[return-value]


def quiet_disabled_hints(app: QApplication) -> None:
    """A greyed-out field's hint (例 "2026-06-01, 2026-09-15") lighter than a greyed-out value: Fusion
    draws it darker, so a reviewer reading the settings took the examples for the office's days off."""
    from desktop.ui.qt import QColor, QPalette

    pal = app.palette()
    hint = QColor(pal.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
    hint.setAlpha(110)
    if pal.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.PlaceholderText) != hint:
        pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.PlaceholderText, hint)
        app.setPalette(pal)


def app_icon() -> QIcon:
    from desktop.operations.quick import resources_dir

    path = resources_dir() / "icons" / "stdaward.png"
    return QIcon(str(path)) if path.exists() else QIcon()


def apply_language(app: QApplication) -> None:
    """Qt's shipped catalogue for the current locale (so Qt's own dialogs speak it) and a font that
    shows its script."""
    for t in _translators:
        app.removeTranslator(t)
    _translators.clear()
    loc = current_locale()
    QLocale.setDefault(QLocale(loc))
    if loc != "en":
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        for base in ("qtbase", "qt"):
            t = QTranslator(app)
            if t.load(f"{base}_{loc}", folder):
                app.installTranslator(t)
                _translators.append(t)
                break
        if loc in QT_GAPS:  # installed last: asked first
            gaps = _QtGaps(QT_GAPS[loc], app)
            app.installTranslator(gaps)
            _translators.append(gaps)
    app.setFont(ui_font(loc))


# Qt's own words its shipped catalogue lacks in this version (its file dialog's labels gained an "&"
# that the catalogue's entries do not have), in Qt's own wording for them without it
QT_GAPS: dict[str, dict[tuple[str, str], str]] = {
    "zh_CN": {("QFileDialog", "&Look in:"): "查找范围(&L)：", ("QFileDialog", "Files of &type:"): "文件类型(&T)："},
    "zh_TW": {("QFileDialog", "&Look in:"): "尋找於(&L)：", ("QFileDialog", "Files of &type:"): "檔案型態(&T)："},
}


class _QtGaps(QTranslator):
    """A translator answering only ``QT_GAPS``' words (None for the rest: Qt asks the next one)."""

    def __init__(self, words: dict[tuple[str, str], str], parent: QApplication) -> None:
        super().__init__(parent)
        self.words = words

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> Any:
        return self.words.get((context, source))

    def isEmpty(self) -> bool:
        return False


def ui_font(locale: str) -> QFont:
    """The platform's UI font with a CJK family behind it; the bundled font (21 MB to register) only
    on a computer that has none of the usual ones."""
    installed = set(QFontDatabase.families())
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
    cjk = [f for f in CJK_FAMILIES.get(locale, CJK_FAMILIES["zh_CN"]) if f in installed]
    if not cjk:
        from desktop.operations.quick import resources_dir

        for f in sorted((resources_dir() / "fonts").glob("*.tt[fc]")):
            cjk += QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(f)))
    if locale.startswith("zh"):
        font.setFamilies(cjk[:1] + [font.family()] + cjk[1:])
    else:
        font.setFamilies([font.family()] + cjk)
    if font.pointSizeF() < 9:
        font.setPointSizeF(9)
    return font


# ---------------------------------------------------------------------------- opening the database
def open_database(path: Path, demo: bool = False) -> dict[str, Any]:
    """Open (create, migrate) the database; with ``demo`` fill an empty one with the demo data.
    Runs in a worker thread. Returns what the UI needs to decide what comes next."""
    from desktop.operations import setup

    return setup.open_office(path, demo)


def open_error_text(exc: BaseException, path: Path) -> str:
    """What an officer reads when the database cannot be opened."""
    from desktop.operations import servers

    if servers.is_server(path) and isinstance(exc, StdAwardError) and not isinstance(exc, SchemaTooNew):
        return _("The office's database server could not be opened. Check the connection (the button below), "
                 "or ask the administrator whether the server is running.\n\n{detail}").format(detail=exc)
    if isinstance(exc, DatabaseBusy):
        return _("This database is already open in another StdAward window (or another program is using it). "
                 "Switch to that window, or close it and start StdAward again.\n\n{detail}").format(detail=exc)
    if isinstance(exc, SchemaTooNew):
        return _("This database was written by a newer version of StdAward. Install the newer version to "
                 "open it; nothing was changed.\n\n{detail}").format(detail=exc)
    if isinstance(exc, DatabaseDamaged):
        if exc.backup is not None:
            return _("The database is damaged (a failing disk or a stick pulled out while writing). The newest "
                     "good backup is {backup}; restore it with the button below. The damaged file is kept aside, "
                     "unread.\n\n{detail}").format(backup=exc.backup, detail=exc)
        return str(exc)
    if isinstance(exc, (StdAwardError, sqlite3.DatabaseError)):
        from desktop.operations.quick import folder_for

        return _("The database could not be opened: it is damaged or not a StdAward database. "
                 "Restore the latest backup (stdaward restore FILE; backups are in {folder}).\n\n{detail}").format(
            folder=folder_for(path, "backups"), detail=exc)
    return _("The database could not be opened: {reason}").format(reason=exc)


def quick_state(path: Path) -> dict[str, Any] | None:
    """The quick open (lock, schema check; see ``db.open_quick``) and what decides the next step, read
    with plain SQL; None (nothing held) when the database must be created or migrated first."""
    from desktop.operations import quick

    return quick.state(path)


class Startup:
    """Open the database (quickly when it can), then wizard / sign-in, then the main window."""

    def __init__(self, ctx: AppContext, on_exit: Callable[[int], None], files: Sequence[str] = ()) -> None:
        self.ctx = ctx
        self.on_exit = on_exit
        self.window = None
        self.dialog: QWidget | None = None  # the wizard, sign-in or error box being shown
        self.files = list(files)  # packages or workbooks to open once the window is up
        self.server: Any = None  # brings this window forward when the database is started again

    def start(self, path: Path, demo: bool = False) -> None:
        self.ctx.db_path, self.ctx.demo = path, demo
        if not demo and self._start_quick(path):
            return
        resume_gc()  # the slow path: a worker opens the database while a dialog or message is shown
        self.ctx.tasks.run(lambda _p: open_database(path, demo), on_done=self._opened, on_error=self._failed,
                           label=_("Opening the database..."))

    def _start_quick(self, path: Path) -> bool:
        """The main window straight away, the models bound after its first paint. False (nothing
        held) when the slow path is needed: a new database or a migration, the wizard, sign-in."""
        from desktop.operations import quick

        try:
            state = quick_state(path)
        except Exception as exc:  # noqa: BLE001 - busy, newer schema, damaged: told as on the slow path
            self._failed(exc)
            return True
        if state is None or not state["office"] or state["users"]:
            quick.close()
            return False
        self.ctx.quick_office = state["office"]
        self._show_main()
        self.window.after_first_paint(resume_gc)
        self.window.after_first_paint(lambda: QTimer.singleShot(BIND_AFTER_MS, self._bind_models))
        return True

    def _bind_models(self) -> None:
        from desktop.operations import quick

        if self.window is None or not self.window.isVisible():  # closed before its first second was up
            return
        self.ctx.tasks.run(lambda _p: quick.bind(), on_done=lambda _r: self._models_bound(), on_error=self._failed)

    def _models_bound(self) -> None:
        from desktop.operations import quick

        quick.end()
        self.ctx.quick_office = None
        if self.window is not None:
            self.window.update_status()
        self.ctx.store_ready.emit()

    def _failed(self, exc: BaseException) -> None:
        from desktop.ui.qt import QMessageBox

        resume_gc()
        if isinstance(exc, ServerRefused) and exc.kind == "password" and self.window is None:
            self._ask_server_password(str(exc))  # no password kept, or a changed one: asked, then opened again
            return
        if isinstance(exc, DatabaseBusy) and self.window is None:
            from desktop.ui.instance import ask_running

            if ask_running(self.ctx.db_path, self.files):  # our own window has it: it comes forward instead
                QTimer.singleShot(0, lambda: self.on_exit(0))  # once the event loop runs (we may be before it)
                return
        if not isinstance(exc, DatabaseDamaged):
            from desktop.core import failures

            found = failures.classify(exc)
            if found is not None and found[0] == failures.DAMAGED:  # met while reading, past the open's checks
                from desktop.operations import backups

                exc = backups.damage_found(self.ctx.db_path)
        box = QMessageBox(QMessageBox.Icon.Critical, _("StdAward"), open_error_text(exc, self.ctx.db_path),
                          QMessageBox.StandardButton.Close, self.window)
        box.setObjectName("openError")
        self.dialog = box
        backup = exc.backup if isinstance(exc, DatabaseDamaged) else None
        restore_btn = box.addButton(_("Restore the newest good backup"), QMessageBox.ButtonRole.AcceptRole) \
            if backup is not None else None
        from desktop.operations import servers

        server_btn = box.addButton(_("Change the connection..."), QMessageBox.ButtonRole.AcceptRole) \
            if self.window is None and servers.is_server(self.ctx.db_path) else None

        def finished(_r: int) -> None:
            if restore_btn is not None and box.clickedButton() is restore_btn:
                self._restore(Path(backup))
            elif server_btn is not None and box.clickedButton() is server_btn:
                self._change_connection()
            else:
                self.on_exit(1)

        qconnect(box.finished, finished)
        box.open()

    def _ask_server_password(self, message: str) -> None:
        """The password of the server database being opened, asked (its connection file keeps none):
        opened again with it, or the program ends when the officer cancels."""
        from desktop.ui.server_dialog import ServerPasswordDialog

        path, demo = self.ctx.db_path, self.ctx.demo
        first = not getattr(self, "_password_asked", False)
        self._password_asked = True
        dlg = ServerPasswordDialog(Path(str(path)), "" if first else message)
        self.dialog = dlg

        def done(result: int) -> None:
            if result:
                self._keep_password = (Path(str(path)), dlg.password.text()) if dlg.keep.isChecked() else None
                self.start(Path(str(path)), demo)
            else:
                self.on_exit(0)
        qconnect(dlg.finished, done)
        dlg.open()

    def _change_connection(self) -> None:
        """The server could not be opened (moved, renamed, stopped): the connection dialog, filled in
        with the connection that failed; connecting opens the server it names, cancelling ends."""
        from desktop.operations import servers
        from desktop.ui.server_dialog import ServerDialog

        try:
            start = servers.fields(Path(str(self.ctx.db_path)))
        except StdAwardError:
            start = None
        dlg = ServerDialog(self.ctx, None, start)
        self.dialog = dlg

        def done(result: int) -> None:
            if result and dlg.path is not None:
                self.connect_server(dlg.path)
            else:
                self.on_exit(1)
        qconnect(dlg.finished, done)
        dlg.open()

    def connect_server(self, path: Path) -> None:
        """Open the server database the connection dialog saved (and open it next time too)."""
        settings.SERVER.set(str(path))
        self._password_asked = False
        self.reopen(demo=False, path=path)

    def _restore(self, backup: Path) -> None:
        """One click from the damage message: the newest good backup replaces the damaged database
        (kept aside unread), and the program starts again on it. Nobody need sign in to a database
        that cannot be read: the operation checks that it cannot (it refuses on a healthy one)."""
        from desktop.operations import backups

        path = self.ctx.db_path
        self._close_database()
        try:
            backups.restore(path, backup)
        except Exception as exc:  # noqa: BLE001 - told to the officer like any failure to open
            self._failed(exc)
            return
        self.start(path, self.ctx.demo)

    def restore_from(self, backup: Path) -> None:
        """File → Restore (an administrator, after the question): close this database, replace it
        with ``backup`` (the replaced database is kept as a safety copy), start again on it. A backup
        that cannot be restored (not a StdAward database, a newer schema, damaged) changes nothing:
        the program starts again on the database as it was and says why."""
        from desktop.operations import backups

        path, demo, closed = self.ctx.db_path, self.ctx.demo, []

        def let_go() -> None:  # the role checked by the operation: the window lets go of the database
            self._close_database()
            closed.append(True)

        try:  # on a server: the officer confirmed replacing its office (the question named both)
            result = backups.restore(path, backup, session=self.ctx.session, replace=True, let_go=let_go)
        except Exception as exc:  # noqa: BLE001 - refused before anything was replaced: told, then back to work
            from desktop.ui.tasks import show_error

            self.restore_error = show_error(None if closed else self.window, exc, _("Restore a backup"))
            if closed:
                self.start(path, demo)
            return
        self.restored = result
        self.start(path, demo)

    def _opened(self, state: dict[str, Any]) -> None:
        keep, self._keep_password = getattr(self, "_keep_password", None), None
        if keep is not None:  # the server took the password asked: now it goes to the keyring, if ticked
            from desktop.operations import servers

            servers.use_password(keep[0], keep[1], keep_password=True)
        if not state["office"]:
            from desktop.ui.wizard import FirstRunWizard

            wiz = FirstRunWizard(self.ctx)
            self.dialog = wiz
            qconnect(wiz.finished, lambda result: self._after_wizard(wiz, result))
            wiz.open()
        elif state["users"]:
            self._sign_in()
        else:
            self._show_main()

    def _after_wizard(self, wiz, result: int) -> None:
        if wiz.wants_demo:
            self.reopen(demo=True)
        elif getattr(wiz, "server_path", None) is not None:
            self.connect_server(wiz.server_path)
        elif result:
            self.ctx.set_user(wiz.created_user)
            self._show_main()
        else:
            self.on_exit(0)

    def _sign_in(self) -> None:
        from desktop.ui.login import LoginDialog

        dlg = LoginDialog(self.ctx)
        self.dialog = dlg

        def done(result: int) -> None:
            if result:
                self.ctx.set_user(dlg.user)
                self._show_main()
            else:
                self.on_exit(0)
        qconnect(dlg.finished, done)
        dlg.open()

    def _show_main(self) -> None:
        from desktop.ui.mainwindow import MainWindow

        self.dialog = None
        self.window = MainWindow(self.ctx)
        self.window.startup = self
        # The view first, then the window: shown empty, the window would lay itself out twice.
        self.window.show_view(settings.LAST_VIEW.get()) or self.window.show_view("overview")
        self.window.show()
        QApplication.instance().setQuitOnLastWindowClosed(True)
        self.window.after_first_paint(lambda: QTimer.singleShot(SERVE_AFTER_MS, self._after_shown))

    def _after_shown(self) -> None:
        """Once painted: listen for later starts on this database, remember it in File → 最近打开的数据库,
        and open the files given at start. Not for a window closed meanwhile (its database is closed)."""
        if self.window is None or not self.window.isVisible():
            return
        self.serve()
        from desktop.ui import recent

        recent.opened(self.ctx)
        files, self.files = self.files, []
        if files and self.window is not None:
            from desktop.ui.open_files import openable

            self.window.open_files(openable(files))

    def serve(self) -> None:
        from desktop.ui.instance import InstanceServer

        self.stop_serving()
        if self.window is None or self.ctx.db_path is None:
            return
        window = self.window
        self.server = InstanceServer(self.ctx.db_path, lambda files: window.bring_forward(files), window)

    def _close_database(self) -> None:
        """Before the database is replaced or another opened: the window, the second-start server,
        the quick connection, the session and the undo history all go with the database they belong to."""
        from desktop.operations import quick

        self.stop_serving()
        if self.window is not None:
            self.window.hide()
            self.window.deleteLater()
            self.window = None
        quick.close()
        self.ctx.forget_session()
        self.ctx.undo_stack.clear()

    def stop_serving(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None

    def reopen(self, demo: bool, path: Path | None = None) -> None:
        """Close the current database and window and start again (demo, or another file)."""
        from desktop.operations.setup import demo_db_path

        self._close_database()
        self.ctx.set_user(None)
        self.start(demo_db_path() if demo else (path or self.ctx.db_path), demo)


def reopen_with_demo(window) -> None:
    startup = getattr(window, "startup", None)
    if startup is not None:
        startup.reopen(demo=True)


# ---------------------------------------------------------------------------- entry point
def resume_gc() -> None:
    """Undo the start-up pause of the cyclic garbage collector (``desktop.cli.open_gui``): what was
    built so far (modules, Qt classes, the first views) lives as long as the program, so it is
    moved out of the collector's sight (``gc.freeze``) rather than scanned again and again."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


class StartupProbe:
    """``--startup-probe VIEWS`` (``benchmarks/bench_gui.py``): once the main window has painted,
    show each named view with its first rows, then print one "ready" line and quit."""

    def __init__(self, startup: Startup, views: str, on_exit: Callable[[int], None]) -> None:
        self.startup, self.views, self.on_exit = startup, [v for v in views.split(",") if v], on_exit
        self.reported = False

    def arm(self) -> None:
        window = self.startup.window
        if window is None:  # the wizard, sign-in or an error is shown instead: not a quick start
            print("not started", flush=True)
            QTimer.singleShot(0, lambda: self.on_exit(1))  # once the event loop runs
            return
        window.after_first_paint(self._show_views)
        QTimer.singleShot(PROBE_TIMEOUT_MS, self._give_up)  # never painted: say so rather than hang

    def _give_up(self) -> None:
        if not self.reported:
            print("not painted", flush=True)
            self.on_exit(1)

    def _show_views(self) -> None:
        window = self.startup.window
        shown = [(window.current_name(), window.current_view())]  # the view the window opened with
        for name in self.views:
            view = window.show_view(name)
            window.repaint()
            QApplication.processEvents()
            shown.append((name, view))
        QTimer.singleShot(0, lambda: self._report(shown))

    def _report(self, views: list) -> None:
        parts = []
        for name, view in views:
            model = view.table().model() if view is not None and view.table() is not None else None
            first = model.index(0, 0).data() if model is not None and model.rowCount() else None
            parts.append(f"{name}={model.rowCount() if model is not None else '-'}:{first}")
        print("ready", " ".join(parts), flush=True)
        self.reported = True
        self.on_exit(0)


def choose_language(args: Any) -> None:
    if not getattr(args, "lang", None) and not os.environ.get("STDAWARD_LANG"):
        saved = settings.LANGUAGE.get()
        if saved:
            set_locale(saved)


def resolve_path(args: Any) -> Path:
    from desktop.operations.quick import resolve_db_path
    from desktop.operations.setup import demo_db_path

    if getattr(args, "demo", False):
        return demo_db_path()
    explicit = getattr(args, "db", None)
    if not explicit and not os.environ.get("STDAWARD_DB"):
        server = settings.SERVER.get()  # connected from the dialog last time: opened again
        if server and Path(server).is_file():
            return Path(server)
    return resolve_db_path(explicit)


def run_gui(args: Any) -> int:
    choose_language(args)
    app = make_app()
    path = resolve_path(args)
    if getattr(args, "screenshot", None):
        from desktop.ui.screenshot import take_screenshot

        resume_gc()
        return take_screenshot(app, path, bool(getattr(args, "demo", False)), Path(args.screenshot),
                               getattr(args, "view", None))
    ctx = AppContext()
    app.setQuitOnLastWindowClosed(False)  # until the main window is up (dialogs come and go before)
    codes: list[int] = []

    def finish(code: int) -> None:
        codes.append(code)
        app.exit(code)
    startup = Startup(ctx, finish, getattr(args, "files", None) or ())
    startup.start(path, bool(getattr(args, "demo", False)))
    if getattr(args, "startup_probe", None) is not None:
        StartupProbe(startup, args.startup_probe, finish).arm()
    rc = app.exec()
    from desktop.operations import quick

    quick.close()
    return codes[0] if codes else rc
