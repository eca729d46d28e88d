"""The window notices changes other officers made (another PC on the office server, the command
line): every ``INTERVAL_MS`` it asks, off the UI thread, whether the audit log grew with entries by
someone else (``desktop.operations.changes``: one indexed read when nothing changed). When it did,
the screens that show those records refresh, keeping the selected rows and the scroll position, and
the status bar says who changed how many records. While a form is open (its edits not saved yet)
nothing refreshes under it: the news waits until the form is closed.

On an office server the window also listens (``changes.Listener``, a connection and thread of its
own): a change another PC commits wakes it at once, so it asks within a moment instead of at the next
tick. The tick stays, for SQLite and for while the listening connection is down; a look that gets
an answer while the listener is away tells it to connect again now.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.core.i18n import _
from desktop.ui.qt import QApplication, QDialog, QObject, Qt, QTableView, QTimer, QWidget, Signal, qconnect

INTERVAL_MS = 10_000
RETRY_MS = 300  # heard while the window was busy: asked again this soon
RECONNECT_S = 30.0  # the listener tries again this often by itself; a look the server answers makes it sooner
KEYED_UP_TO = 5_000  # rows: a larger (lazy) table keeps its selection by row number (no walk over its rows)


class ChangeWatcher(QObject):
    heard = Signal()  # the listener heard of a change (emitted from its thread, received on the UI thread)

    def __init__(self, window: Any, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(window)
        self.window, self.ctx = window, window.ctx
        self.mark: int | None = None
        self.mark_for: Path | None = None
        self.busy = False
        self.last_text = ""  # what the status bar was last told (tests, accessibility)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        qconnect(self.timer.timeout, self.poll)
        self.timer.start()
        self.listener: Any = None  # changes.Listener on a server database
        self.listener_for: Path | None = None
        self.pending = False  # heard of a change not yet asked about
        self.soon = QTimer(self)
        self.soon.setSingleShot(True)
        self.soon.setInterval(RETRY_MS)
        qconnect(self.soon.timeout, self._catch_up)
        qconnect(self.heard, self._heard)

    # ------------------------------------------------------------------ hearing (a server database)
    def _listen(self) -> None:
        """Listen to the open database's server (and stop listening to one no longer open)."""
        if self.listener_for == self.ctx.db_path:
            return
        self.stop_listening()
        self.listener_for = self.ctx.db_path
        from desktop.operations import changes

        self.listener = changes.listen(self.ctx.session, self.heard.emit, retry_after=RECONNECT_S)

    def stop_listening(self) -> None:
        if self.listener is not None:
            self.listener.stop(timeout=0)  # its thread ends within a moment; nothing waits for it
        self.listener, self.listener_for = None, None

    def stop(self) -> None:
        """The window closes: no more looks, no more listening."""
        self.timer.stop()
        self.soon.stop()
        self.stop_listening()

    def _heard(self) -> None:
        self.pending = True
        self._catch_up()

    def _catch_up(self) -> None:
        """Ask now about what was heard, or as soon as the window is free to."""
        from desktop.operations import quick

        if not self.pending or self.busy:  # a question is out: its answer asks again (``_answered``)
            return
        if self.ctx.db_path is None or not quick.bound():
            self.pending = False
            return
        if not self.ctx.tasks.idle:  # the officer's own work first
            self.soon.start()
            return
        self.pending = False
        self.poll()

    # ------------------------------------------------------------------ asking
    def poll(self) -> None:
        """Ask (in the background) what changed since the mark; does nothing while a question is out,
        while the officer's own work runs, or without a database."""
        from desktop.operations import quick

        if self.busy or self.ctx.db_path is None or not self.ctx.tasks.idle or not quick.bound():
            return
        if self.mark_for != self.ctx.db_path:  # another database: start from its present
            self.mark, self.mark_for = None, self.ctx.db_path
        self._listen()
        s, mark = self.ctx.session, self.mark
        self.busy = True

        def ask(_progress: Any) -> Any:
            from desktop.operations import changes

            return changes.since(s, mark)

        self.ctx.tasks.run(ask, on_done=self._answered, on_error=self._failed, quiet=True)

    def _failed(self, _exc: BaseException) -> None:
        self.busy = False  # the server out of reach for a moment: asked again at the next tick
        if self.pending:
            self.soon.start()

    def _answered(self, news: Any) -> None:
        self.busy = False
        if self.pending:  # heard of more while asking
            self.soon.start()
        if self.listener is not None and not self.listener.listening.is_set():
            self.listener.nudge()  # the server answers again: listen again now
        if self.mark_for != self.ctx.db_path:
            return
        if self.mark is None or not news.by:
            self.mark = news.head
            return
        if self.form_open():  # unsaved edits: not now (the mark stays, so nothing is lost)
            return
        self.mark = news.head
        self.apply(news)

    def form_open(self) -> bool:
        """Is a form open (a dialog the officer types into), whose edits a refresh must not disturb?
        A message box or a progress dialog is not one."""
        from desktop.ui.qt import QMessageBox, QProgressDialog

        return any(isinstance(w, QDialog) and not isinstance(w, (QMessageBox, QProgressDialog)) and w.isVisible()
                   for w in QApplication.topLevelWidgets())

    # ------------------------------------------------------------------ refreshing
    def apply(self, news: Any) -> None:
        view = self.window.current_view() if hasattr(self.window, "current_view") else None
        table = view.table() if view is not None else None
        kept = _keep(table) if table is not None else None
        for area in news.areas:
            self.ctx.changed(area)
        if table is not None and kept is not None:
            _put_back(table, kept)
        text = "; ".join(_("{who} changed {n} record(s)").format(who=who, n=n) for who, n in news.by.items())
        self.last_text = text
        self.window.statusBar().showMessage(text, 60_000)


def _source(model: Any, row: int) -> tuple[Any, int]:
    while hasattr(model, "mapToSource"):
        index = model.mapToSource(model.index(row, 0))
        model, row = model.sourceModel(), index.row()
    return model, row


def _key(model: Any, row: int) -> Any:
    """What identifies the row across a reload: its record's id where the model keeps rows as dicts,
    else what its first column shows."""
    source, r = _source(model, row)
    rows = getattr(source, "rows", None)
    if isinstance(rows, list) and 0 <= r < len(rows) and isinstance(rows[r], dict) and "id" in rows[r]:
        return ("id", rows[r]["id"])
    return ("text", model.index(row, 0).data(Qt.ItemDataRole.DisplayRole))


def _keep(table: QTableView) -> dict[str, Any]:
    model, selection = table.model(), table.selectionModel()
    rows = sorted({i.row() for i in selection.selectedRows()}) if selection is not None else []
    current = table.currentIndex()
    keyed = model is not None and model.rowCount() <= KEYED_UP_TO
    return {"scroll": (table.verticalScrollBar().value(), table.horizontalScrollBar().value()),
            "rows": rows, "keys": [_key(model, r) for r in rows] if keyed else None,
            "column": current.column() if current.isValid() else 0}


def _put_back(table: QTableView, kept: dict[str, Any]) -> None:
    from desktop.ui.qt import QItemSelection, QItemSelectionModel

    model, selection = table.model(), table.selectionModel()
    if model is None or selection is None:
        return
    rows = kept["rows"]
    if kept["keys"] is not None and model.rowCount() <= KEYED_UP_TO:
        wanted = set(kept["keys"])
        rows = [r for r in range(model.rowCount()) if _key(model, r) in wanted] if wanted else []
    rows = [r for r in rows if r < model.rowCount()]
    chosen = QItemSelection()
    for r in rows:
        chosen.select(model.index(r, 0), model.index(r, max(model.columnCount() - 1, 0)))
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    selection.select(chosen, flags)
    if rows:
        selection.setCurrentIndex(model.index(rows[0], kept["column"]), QItemSelectionModel.SelectionFlag.NoUpdate)
    vertical, horizontal = kept["scroll"]
    table.verticalScrollBar().setValue(vertical)
    table.horizontalScrollBar().setValue(horizontal)


def watch(window: QWidget) -> ChangeWatcher:
    """Start noticing other officers' changes for ``window`` (the main window)."""
    return ChangeWatcher(window)
