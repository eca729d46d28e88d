"""Run database and file work off the UI thread (Anki ``CollectionOp`` style).

    ctx.tasks.run(lambda progress: import_rows(rows, progress),
                  on_done=lambda result: ..., label=_("Importing..."))

The function runs in the thread pool and receives a ``Progress``: call ``progress.update(done,
total, text)`` now and then, and stop early when ``progress.cancelled`` is true (or call
``progress.check()``, which raises ``Cancelled``). ``on_done(result)`` or ``on_error(exc)`` then runs
on the UI thread. Without ``on_error`` the error is shown in a dialog (StdAwardError: its message;
ValidationFailed: each problem). ``Cancelled`` (``desktop.core.progress``), whoever raised it, is no
error: the work was rolled back, the runner's ``cancelled`` signal carries 已取消 (the main window
shows it in its status bar) and ``on_cancelled`` runs if given. With ``label`` a progress dialog with a Cancel button appears if
the work takes longer than a moment; ``on_progress(done, total, text)`` hears the updates on the UI thread. ``quiet=True`` marks a read whose result may simply be
dropped (a view's background index): it shows nothing and does not keep the window from closing.

peewee keeps one SQLite connection per thread; the worker's connection is closed when its function
returns, so pool threads never hold the database open.
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from desktop.core.errors import StdAwardError, ValidationFailed
from desktop.core.i18n import _, colon
from desktop.core.progress import Cancelled, ProgressState
from desktop.ui.qt import QObject, QRunnable, Qt, QThreadPool, QWidget, Signal, is_alive, qconnect


class Progress(ProgressState):
    """Handed to a task function: report progress (a Qt signal to the dialog), look at the cancel flag."""

    def __init__(self, signals: _Signals) -> None:
        super().__init__(lambda done, total, text: signals.progress.emit(done, total, text))


class _Signals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any], signals: _Signals, progress: Progress) -> None:
        super().__init__()
        self.fn, self.signals, self.progress = fn, signals, progress
        self.setAutoDelete(True)

    def run(self) -> None:  # in a pool thread
        try:
            try:
                result = self.fn(self.progress)
            except BaseException as exc:  # noqa: BLE001 - handed to the UI thread
                exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
                log = logging.getLogger("desktop.tasks")
                if isinstance(exc, StdAwardError):  # bad input or a refusal the officer reads: no traceback
                    log.warning("background task %r refused: %s", self.fn, exc)
                elif not isinstance(exc, Cancelled):
                    log.error("background task %r failed", self.fn, exc_info=exc)
                self.signals.failed.emit(exc)
            else:
                self.signals.finished.emit(result)
        except RuntimeError:
            pass  # the application is shutting down: nobody is left to hear the result
        finally:
            from desktop.operations.quick import thread_done

            thread_done()  # this thread's database connection only


class Task(QObject):
    """One running job; ``done`` is true once its callback has run."""

    def __init__(self, runner: TaskRunner, quiet: bool = False) -> None:
        super().__init__(runner)
        self.done = False
        self.quiet = quiet
        self.dialog = None  # a QProgressDialog when the task has a label
        self.progress: Progress | None = None


class TaskRunner(QObject):
    """The application's single way to run work in the background."""

    idle_changed = Signal(bool)
    cancelled = Signal(str)  # a task was cancelled (and rolled back): the message to show

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._active: list[Task] = []
        self.dialog_parent: QWidget | None = None

    @property
    def idle(self) -> bool:
        """No work running that the user started or waits for (quiet reads do not count)."""
        return all(t.quiet for t in self._active)

    def cancel_all(self) -> None:
        """Ask every running job to stop; each rolls back and reports itself cancelled."""
        for task in list(self._active):
            if task.progress is not None:
                task.progress.cancel()

    def run(self, fn: Callable[[Progress], Any], *, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None, label: str | None = None,
            parent: QWidget | None = None, quiet: bool = False,
            on_cancelled: Callable[[], None] | None = None,
            on_progress: Callable[[int, int, str], None] | None = None) -> Task:
        task = Task(self, quiet)
        signals = _Signals(task)
        progress = Progress(signals)
        task.progress = progress
        if label:
            from desktop.ui.qt import QProgressDialog  # dialogs' classes load when first shown

            owner = parent or self.dialog_parent
            if owner is not None and not is_alive(owner):  # the window was closed (another database opened)
                owner = self.dialog_parent = None
            dlg = QProgressDialog(label, _("Cancel"), 0, 0, owner)
            dlg.setWindowTitle(_("Please wait"))
            dlg.setWindowModality(Qt.WindowModality.WindowModal)
            dlg.setMinimumDuration(400)
            dlg.setAutoClose(False)
            dlg.setAutoReset(False)
            qconnect(dlg.canceled, progress.cancel)
            task.dialog = dlg

            def on_progress(done: int, total: int, text: str) -> None:
                dlg.setMaximum(max(total, 0))
                dlg.setValue(min(done, total) if total else 0)
                if text:
                    dlg.setLabelText(text)
            qconnect(signals.progress, on_progress)

        if on_progress is not None:  # a quiet task's own words (a view's "counting 3 of 5"), on the UI thread
            qconnect(signals.progress, lambda done, total, text: _deliver(on_progress, done, total, text))

        def finish() -> None:
            task.done = True
            if task.dialog is not None and is_alive(task.dialog):  # gone with its window otherwise
                task.dialog.close()
                task.dialog.deleteLater()
            self._active.remove(task)
            if not self._active:
                self.idle_changed.emit(True)

        def ok(result: Any) -> None:
            finish()
            if on_done is not None:
                _deliver(on_done, result)

        def bad(exc: BaseException) -> None:
            finish()
            if isinstance(exc, Cancelled):
                if not quiet:
                    self.cancelled.emit(_("Cancelled: nothing was changed."))
                if on_cancelled is not None:
                    on_cancelled()
                return
            if on_error is not None:
                _deliver(on_error, exc)
            else:
                owner = parent or self.dialog_parent
                _deliver(show_error, owner if owner is None or is_alive(owner) else None, exc)

        qconnect(signals.finished, ok)
        qconnect(signals.failed, bad)
        if not self._active:
            self.idle_changed.emit(False)
        self._active.append(task)
        self.pool.start(_Job(fn, signals, progress))
        return task

    def wait(self, msecs: int = 30000) -> bool:
        """Block until every job has finished and its callback ran (tests, screenshots)."""
        from desktop.ui.qt import QDeadlineTimer, QEventLoop

        deadline = QDeadlineTimer(msecs)
        loop = QEventLoop()  # its processEvents returns a bool: QCoreApplication's (void) drops a reference to None
        while self._active and not deadline.hasExpired():
            self.pool.waitForDone(20)
            loop.processEvents()
        return not self._active


def _deliver(callback: Callable[..., Any], *args: Any) -> None:
    """Hand a finished job's result to its callback. The window the callback paints may have been
    closed while the job ran (the officer closed a dialog, switched user, or quit): then the result
    has nobody to go to and is dropped, as the job's own thread does when the application is gone."""
    try:
        callback(*args)
    except RuntimeError as exc:
        if "already deleted" not in str(exc):
            raise
        logging.getLogger("desktop.tasks").info("result of a background task dropped: its window is closed")


def _field(key: str) -> str:
    """" · 金额" for a field the program has a word for; nothing for one it has not (its internal key,
    "comment" or "doc_number", is no word for the officer: the message says what is wrong)."""
    from desktop.operations.audit import FIELDS

    return f" · {_(FIELDS[key])}" if key in FIELDS else ""


def error_text(exc: BaseException) -> str:
    """What the user reads about an error: the problems of bad input, else the one-line reason."""
    if isinstance(exc, ValidationFailed):
        return "\n".join(f"{p.record}{_field(p.field)}{colon()}{p.message}" for p in exc.problems if p.severity == "error")
    if isinstance(exc, StdAwardError):
        return str(exc) or type(exc).__name__
    from desktop.core import failures

    found = failures.classify(exc)
    if found is not None and found[0] != failures.DAMAGED:  # a full disk, a file open in a reader...
        return failures.message(found[0], found[1])
    return _("Unexpected {kind}: {reason}").format(kind=type(exc).__name__, reason=exc)


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None):
    """A warning box with the error (window-modal, does not block the caller); returns the QMessageBox."""
    from desktop.ui.qt import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, title or _("StdAward"), error_text(exc),
                      QMessageBox.StandardButton.Ok, parent)
    details = getattr(exc, "__traceback_text__", None)
    if details and not isinstance(exc, StdAwardError):
        box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setObjectName("errorBox")
    box.open()
    return box
