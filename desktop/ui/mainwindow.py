"""The main window: side navigation of the registered views, menus and shortcuts from
``actions.py``, a status bar naming the office, the user and the database, remembered layout.

Views are created when first shown. After a quick start the window paints before the models are
bound: the views in ``QUICK_VIEWS`` read with plain SQL and show at once; any other view, and every
menu action, first waits for the models (``ctx.require_store()``, a fraction of a second at most).
"""
from __future__ import annotations

from desktop.core.i18n import _
from desktop.ui import actions as action_registry
from desktop.ui import settings
from desktop.ui.context import AppContext
from desktop.ui.qt import (
    QAction,
    QKeySequence,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSize,
    QSplitter,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    is_alive,
    qconnect,
)
from desktop.ui.views import VIEWS, ViewSpec
from desktop.ui.views.base import View
from desktop.ui.views.widgets import MessageBar, fit_to_screen

QUICK_VIEWS = ("overview", "enterprises", "achievements")  # need no models to show (db.execute_sql)


class OpenNotesBar(MessageBar):
    """A non-modal bar at the top of the window with what opening the database found (leftovers
    removed, reading only, a daily backup not written, damage found), each note once; its close
    button hides it until a new note comes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notes: list[str] = []
        self.backup: object = None  # the newest good backup, when damage was found
        self.restore_btn = QPushButton(_("Restore the newest good backup"), self)
        self.restore_btn.setObjectName("restoreFromNotes")
        self.restore_btn.setVisible(False)
        self.layout().insertWidget(1, self.restore_btn)

    def offer_restore(self, backup: object) -> None:
        """Damage found after the window opened: the same one-click restore as at the start."""
        self.backup = backup
        self.restore_btn.setVisible(backup is not None)

    def add(self, notes: list[str]) -> None:
        new = [n for n in notes if n and n not in self.notes]
        if not new:
            return
        self.notes += new
        self.show_message(_("Opening the database found:") + "\n" + "\n".join(f"• {n}" for n in self.notes), "info")


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        ctx.tasks.dialog_parent = self
        qconnect(ctx.tasks.cancelled, lambda text: self.statusBar().showMessage(text, 10000))
        self.undo_stack = ctx.undo_stack
        self.setObjectName("MainWindow")
        self.setMinimumSize(QSize(900, 560))
        self._views: dict[str, View] = {}
        self._specs: list[ViewSpec] = []
        self._after_paint: list | None = []  # None once painted

        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setFrameShape(QListWidget.Shape.NoFrame)
        self.nav.setSpacing(2)
        self.stack = QStackedWidget(self)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setObjectName("mainSplitter")
        split.addWidget(self.nav)
        split.addWidget(self.stack)
        split.setStretchFactor(1, 1)
        split.setSizes([170, 1000])
        split.setChildrenCollapsible(False)
        self.notes_bar = OpenNotesBar(self)
        qconnect(self.notes_bar.restore_btn.clicked, self._restore_from_notes)
        central = QWidget(self)
        box = QVBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.notes_bar)
        box.addWidget(split, 1)
        self.setCentralWidget(central)
        qconnect(self.nav.currentRowChanged, self._on_nav)

        self.status_office, self.status_user, self.status_db = QLabel(), QLabel(), QLabel()
        for w in (self.status_office, self.status_user):
            self.statusBar().addWidget(w)
        self.statusBar().addPermanentWidget(self.status_db)

        self.qactions: dict[str, QAction] = {}
        self._build_actions()
        self.retranslate()
        self._fill_nav()
        qconnect(ctx.user_changed, self._on_user_changed)
        qconnect(ctx.data_changed, self._on_data_changed)
        qconnect(ctx.language_changed, self.retranslate)
        qconnect(self.undo_stack.canUndoChanged, self.qactions["undo"].setEnabled)
        qconnect(self.undo_stack.canRedoChanged, self.qactions["redo"].setEnabled)
        self.qactions["undo"].setEnabled(False)
        self.qactions["redo"].setEnabled(False)
        self.restore_layout()
        self.setAcceptDrops(True)  # a package or workbook dropped on the window opens its import
        self.trail_warnings: list[str] = []
        from desktop.ui.changes import watch  # other officers' changes: see desktop/ui/changes.py

        self.changes = watch(self)
        # the money trail is checked once the window is up (after a quick start, once the models are bound)
        self.after_first_paint(lambda: QTimer.singleShot(1000, self, self.check_money_trail))
        self._notes_polls = 0
        self.after_first_paint(self.show_open_notes)
        self.after_first_paint(self.start_daily_backup)

    def _restore_from_notes(self) -> None:
        startup = getattr(self, "startup", None)
        if startup is not None and self.notes_bar.backup is not None:
            from pathlib import Path

            startup._restore(Path(str(self.notes_bar.backup)))

    NOTES_POLL_MS = 1000
    NOTES_POLLS = 600  # the background backup of a large database may take minutes

    def show_open_notes(self) -> None:
        """Show in the bar at the top what opening the database found (``backups.open_findings``):
        read once the models are bound, and again while the day's background backup is running."""
        from desktop.ui.qt import is_alive

        if not is_alive(self):
            return
        from desktop.operations import quick

        running = True
        if quick.bound():  # the backups' module once the models are bound: not on the first paint's path
            from desktop.operations import backups

            notes, running = backups.open_findings()
            self.notes_bar.add(notes)
            backup = backups.damage_backup()
            if backup is not None and self.notes_bar.backup is None:
                self.notes_bar.offer_restore(backup)
        self._notes_polls += 1
        if running and self._notes_polls < self.NOTES_POLLS:
            QTimer.singleShot(self.NOTES_POLL_MS, self, self.show_open_notes)

    def start_daily_backup(self) -> None:
        """On a server database, the day's backup when this PC makes it (its folder set, or an
        administrator signed in: ``backups.start_daily``), in the background; what it fails at shows
        in the bar at the top, like the notes of the opening."""
        from desktop.operations import quick
        from desktop.ui.qt import is_alive

        if not is_alive(self) or self.ctx.db_path is None or not quick.bound():
            return
        from desktop.operations import backups  # not before: the first paint's callbacks come here unbound

        if backups.start_daily(self.ctx.session):
            self._notes_polls = 0
            QTimer.singleShot(self.NOTES_POLL_MS, self, self.show_open_notes)

    def check_money_trail(self) -> None:
        """The cheap check of the audit chain and the approved rounds (``integrity.open_notes``), off
        the UI thread; anything altered outside the program is told plainly, in a warning box."""
        if self.ctx.db_path is None:
            return
        from desktop.operations import integrity

        ctx, path = self.ctx, self.ctx.db_path

        def work(_p: object) -> list[str]:
            ctx.require_store()
            return integrity.open_notes(path)

        def done(notes: list[str]) -> None:
            from desktop.ui.qt import QMessageBox

            if not is_alive(self) or not self.isVisible() or self.ctx.db_path != path:
                return  # the window was closed, or opened another database, while the check ran (a busy machine)
            self.trail_warnings = notes
            if not notes:
                return

            box = QMessageBox(QMessageBox.Icon.Warning, _("StdAward"),
                              _("Someone changed this database outside StdAward:") + "\n\n" + "\n".join(notes),
                              QMessageBox.StandardButton.Ok, self)
            box.setObjectName("trailWarning")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            self.statusBar().showMessage(notes[0], 60000)

        ctx.tasks.run(work, on_done=done, on_error=lambda exc: None, quiet=True)

    # ------------------------------------------------------------------ actions and menus
    def _build_actions(self) -> None:
        for spec in action_registry.ACTIONS.values():
            act = QAction(self)
            act.setObjectName(spec.name)
            if spec.shortcuts:
                act.setShortcuts([QKeySequence(k) for k in spec.shortcuts])
            qconnect(act.triggered, lambda _checked=False, s=spec: self._run_action(s))
            self.addAction(act)
            self.qactions[spec.name] = act
        self.undo_stack.setUndoLimit(50)

    def _run_action(self, spec) -> None:
        self.ctx.require_store()
        spec.handler(self)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        bar.clear()
        for label, names in action_registry.MENUS:
            menu = bar.addMenu(_(label))
            for name in names:
                if name is None:
                    menu.addSeparator()
                elif name in self.qactions:
                    menu.addAction(self.qactions[name])
                    if name == "open_database":  # File → 最近打开的数据库 right below it
                        from desktop.ui import recent

                        self.recent_menu = recent.add_menu(menu, self)
            if label == action_registry.MENUS[2][0]:
                menu.addSeparator()
                for i, spec in enumerate(self._visible_specs()):
                    act = menu.addAction(_(spec.label))
                    if i < 9:
                        act.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
                    qconnect(act.triggered, lambda _c=False, n=spec.name: self.show_view(n))

    def retranslate(self) -> None:
        self.setWindowTitle(_("StdAward · Standardization awards"))
        for name, act in self.qactions.items():
            spec = action_registry.ACTIONS[name]
            act.setText(_(spec.label))
            if spec.tip:
                act.setToolTip(_(spec.tip))
        self._build_menus()
        for row, spec in enumerate(self._specs):
            item = self.nav.item(row)
            if item is not None:
                item.setText(_(spec.label))
        self.update_status()

    # ------------------------------------------------------------------ views
    def _visible_specs(self) -> list[ViewSpec]:
        from desktop.operations.roles import allowed

        return [v for v in VIEWS if v.needs is None or allowed(self.ctx.role, v.needs)]

    def _fill_nav(self) -> None:
        current = self.current_name()
        self.nav.blockSignals(True)
        self.nav.clear()
        self._specs = self._visible_specs()
        for spec in self._specs:
            item = QListWidgetItem(_(spec.label))
            item.setData(Qt.ItemDataRole.UserRole, spec.name)
            item.setSizeHint(QSize(150, 34))
            self.nav.addItem(item)
        self.nav.blockSignals(False)
        width = max((self.nav.sizeHintForColumn(0) for _ in [0]), default=120) + 32
        self.nav.setFixedWidth(max(150, width))
        if current:
            self.show_view(current)

    def _on_nav(self, row: int) -> None:
        if 0 <= row < len(self._specs):
            self.show_view(self._specs[row].name)

    def view(self, name: str) -> View | None:
        """The view called ``name``, created on first use (None if not registered/allowed)."""
        if name not in self._views:
            spec = next((s for s in self._specs if s.name == name), None)
            if spec is None:
                return None
            if name not in QUICK_VIEWS:
                self.ctx.require_store()
            v = spec.create(self.ctx)
            v.setObjectName(f"view-{name}")
            self._views[name] = v
            self.stack.addWidget(v)
        return self._views[name]

    def made_view(self, name: str) -> View | None:
        """The view called ``name`` if it was made already (None otherwise: nothing is created)."""
        return self._views.get(name)

    def show_view(self, name: str) -> View | None:
        v = self.view(name)
        if v is None:
            return None
        self.stack.setCurrentWidget(v)
        row = next(i for i, s in enumerate(self._specs) if s.name == name)
        if self.nav.currentRow() != row:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(row)
            self.nav.blockSignals(False)
        return v

    def current_view(self) -> View | None:
        w = self.stack.currentWidget()
        return w if isinstance(w, View) else None

    def current_name(self) -> str | None:
        v = self.current_view()
        return v.objectName().removeprefix("view-") if v else None

    # ------------------------------------------------------------------ status and state
    def update_status(self) -> None:
        from desktop.operations.quick import server_address

        path = str(self.ctx.db_path) if self.ctx.db_path else "-"
        address = server_address(self.ctx.db_path)  # a server: its address, not the file behind it
        if address is not None:
            self.status_db.setText(_("Database server: {address}").format(address=address))
        else:
            self.status_db.setText((_("Demo database: {path}") if self.ctx.demo else _("Database: {path}")).format(
                path=path))
        if self.ctx.quick_office is not None:  # the models are not bound yet: the rest follows when they are
            self.status_office.setText(_("Office: {name}").format(name=self.ctx.quick_office))
            return
        from desktop.operations.roles import role_label

        office = self.ctx.office if self.ctx.db_path else None
        self.status_office.setText(_("Office: {name}").format(name=office.name) if office else _("Office: not set up"))
        actor = self.ctx.actor
        self.status_user.setText(_("User: {name} ({role})").format(
            name=actor.display_name, role=role_label(actor.role or "")))

    def after_first_paint(self, callback) -> None:
        """Run ``callback`` from the event loop once the window has painted (at once if it has)."""
        if self._after_paint is None:
            QTimer.singleShot(0, callback)
        else:
            self._after_paint.append(callback)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().paintEvent(event)
        if self._after_paint is not None:
            callbacks, self._after_paint = self._after_paint, None
            for cb in callbacks:
                QTimer.singleShot(0, cb)

    def _on_data_changed(self, what: str) -> None:
        if what in ("office", "*", "users"):
            self.update_status()

    def _on_user_changed(self) -> None:
        """Another user signed in: views the new role may not use are dropped (the current one too:
        the first view shows instead); the others refresh themselves for the new role, without the
        messages their last user was given."""
        self.start_daily_backup()  # an administrator signed in: this PC may make the day's backup
        for view in self._views.values():  # what the last user was told ("须由您以外的审核人批准") is not for this one
            bar = getattr(view, "message", None)
            if isinstance(bar, MessageBar):
                bar.clear()
        allowed = {s.name for s in self._visible_specs()}
        current = self.current_name()
        for name in [n for n in self._views if n not in allowed]:
            v = self._views.pop(name)
            self.stack.removeWidget(v)
            v.hide()
            v.deleteLater()
        self._fill_nav()
        self._build_menus()
        if current is not None and current not in allowed and self._specs:
            self.show_view(self._specs[0].name)
        self.update_status()

    def restore_layout(self) -> None:
        geo = settings.GEOMETRY.get()
        if geo and not geo.isEmpty():
            self.restoreGeometry(geo)
        else:
            fit_to_screen(self, 1200, 760)
        state = settings.WINDOW_STATE.get()
        if state and not state.isEmpty():
            self.restoreState(state)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        if not self.ctx.tasks.idle:
            event.ignore()
            self._ask_to_stop_work()
            return
        self.changes.stop()
        settings.GEOMETRY.set(self.saveGeometry())
        settings.WINDOW_STATE.set(self.saveState())
        if self.current_name():
            settings.LAST_VIEW.set(self.current_name())
        for v in self._views.values():
            if hasattr(v, "save_state"):
                v.save_state()
        super().closeEvent(event)

    def _ask_to_stop_work(self) -> None:
        """Closing while work runs: offer to cancel it (rolled back) and close once it has stopped. The
        box does not block: the work goes on, and its own progress dialog stays usable."""
        from desktop.ui.qt import QMessageBox

        if getattr(self, "_stop_box", None) is not None:
            self._stop_box.raise_()
            return
        box = QMessageBox(QMessageBox.Icon.Question, _("StdAward"),
                          _("Work is still running. Cancel it (nothing of it is kept) and close StdAward?"),
                          QMessageBox.StandardButton.NoButton, self)
        stop = box.addButton(_("Cancel the work and close"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(_("Keep working"), QMessageBox.ButtonRole.RejectRole)
        box.setObjectName("stopWorkBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._stop_box = box

        def answered(button) -> None:
            self._stop_box = None
            if button is not stop:
                return
            if self.ctx.tasks.idle:
                self.close()
                return

            def closed_when_idle(idle: bool) -> None:
                if idle:
                    self.ctx.tasks.idle_changed.disconnect(closed_when_idle)
                    self.close()
            qconnect(self.ctx.tasks.idle_changed, closed_when_idle)
            self.ctx.tasks.cancel_all()
        qconnect(box.buttonClicked, answered)
        box.open()

    # ------------------------------------------------------------------ files from outside
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt name
        """A package or a workbook dragged over the window may be dropped (anything else shows "no")."""
        if self._dropped_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt name
        if not self._dropped_files(event.mimeData()):
            event.ignore()
            return
        event.acceptProposedAction()
        mime = event.mimeData()
        self.open_files(u.toLocalFile() for u in mime.urls() if u.isLocalFile())  # the others are refused by name

    @staticmethod
    def _dropped_files(mime) -> list:
        from desktop.ui.open_files import openable

        if mime is None or not mime.hasUrls():
            return []
        return openable(u.toLocalFile() for u in mime.urls() if u.isLocalFile())

    def open_files(self, files) -> None:
        """Open each file in its import, one after another (packages first), then say in one summary
        what each gave and which were refused and why (desktop/ui/open_files.py)."""
        from desktop.ui.open_files import open_files

        files = list(files)
        if files:
            open_files(self, files)

    def bring_forward(self, files=()) -> None:
        """Another start on this database asked for this window: show it on top (restored if it was
        minimised) and open the files it was given."""
        from pathlib import Path

        from desktop.ui.open_files import openable

        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()
        self.open_files(openable(Path(f) for f in files))

    def open_demo(self) -> None:
        from desktop.ui import app

        app.reopen_with_demo(self)
