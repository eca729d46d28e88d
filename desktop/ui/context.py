"""What every window and view shares: the open database, the office, the user, the task runner.

``ctx.changed(what)`` announces that data changed ("enterprises", "achievements", "office",
"users", "rounds", ...); views listen to ``data_changed`` and refresh what they show.

After a quick start (``desktop.store.db.open_quick``) the window shows before the models are bound;
``require_store()`` waits for them (or binds them at once), and ``store_ready`` says they are in.
"""
from __future__ import annotations

from pathlib import Path

from desktop.ui.qt import QObject, QUndoStack, Signal
from desktop.ui.tasks import TaskRunner


class AppContext(QObject):
    data_changed = Signal(str)
    user_changed = Signal()
    language_changed = Signal()
    store_ready = Signal()  # the models are bound after a quick start

    def __init__(self, db_path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self.user = None  # desktop.store.models.User, or None when no accounts exist yet
        self.tasks = TaskRunner(self)
        self.undo_stack = QUndoStack(self)  # undo for deletions and merges (Ctrl+Z)
        self.demo = False
        self.quick_office: str | None = None  # the office name read by a quick start, until the models are bound

    def require_store(self) -> None:
        """Return once the models are bound: at once after a normal open; after a quick start, when
        the background binding is done (or here, if it has not started)."""
        from desktop.store import db

        db.bind_quick()

    # ----------------------------------------------------------- office and user
    @property
    def office(self):
        """The office profile row (re-read, so it is never stale), or None before set-up."""
        if self.db_path is None:
            return None
        self.require_store()
        from desktop.store import office

        return office.get()

    @property
    def username(self) -> str:
        from desktop.store import db

        return self.user.username if self.user is not None else db.current_user

    @property
    def role(self) -> str:
        """The signed-in user's role; without accounts the single user acts as administrator."""
        return self.user.role if self.user is not None else "admin"

    def set_user(self, user) -> None:
        from desktop.store import db

        self.user = user
        if user is not None:
            db.current_user = user.username  # every audit entry names the signed-in user
        self.user_changed.emit()

    def changed(self, what: str) -> None:
        self.data_changed.emit(what)
