"""What every window and view shares: the operations session (open database, signed-in user,
clock), the office, the task runner.

Views call ``desktop.operations`` with ``ctx.session`` (in a task: ``ctx.session.with_progress(p)``),
never the store.

``ctx.changed(what)`` announces that data changed ("enterprises", "achievements", "office",
"users", "rounds", ...); views listen to ``data_changed`` and refresh what they show.

After a quick start (``desktop.store.db.open_quick``) the window shows before the models are bound;
``require_store()`` waits for them (or binds them at once), and ``store_ready`` says they are in.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.operations.session import Actor, Session
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
        self._session: Session | None = None
        self._actor: Actor | None = None  # who signed in, kept across reopening the database
        self.tasks = TaskRunner(self)
        self.undo_stack = QUndoStack(self)  # undo for deletions and merges (Ctrl+Z)
        self.demo = False
        self.quick_office: str | None = None  # the office name read by a quick start, until the models are bound

    def require_store(self) -> None:
        """Return once the models are bound: at once after a normal open; after a quick start, when
        the background binding is done (or here, if it has not started)."""
        from desktop.operations import quick

        quick.bind()

    @property
    def session(self) -> Session:
        """The operations session over the open database (made when first asked for, once the
        models are bound)."""
        if self.db_path is None:
            raise RuntimeError("no database open")
        if self._session is None or self._session.db_path != self.db_path:
            self.require_store()
            self._session = Session.attach(self.db_path)
            if self._actor is not None:
                self._session.actor = self._actor
        return self._session

    def forget_session(self) -> None:
        """The database was closed or replaced (restore, another database): the next use re-attaches."""
        self._session = None

    # ----------------------------------------------------------- office and user
    @property
    def office(self) -> Any:
        """The office profile (re-read, so it is never stale), or None before set-up."""
        if self.db_path is None:
            return None
        from desktop.operations import settings

        return settings.office(self.session)

    @property
    def actor(self) -> Actor:
        if self._session is not None:
            return self._session.actor
        if self._actor is not None:
            return self._actor
        from desktop.operations.session import implicit_actor

        return implicit_actor()

    @property
    def username(self) -> str:
        return self.actor.username

    @property
    def role(self) -> str | None:
        """The signed-in user's role; without accounts the single user acts as administrator."""
        return self.actor.role

    def set_user(self, user: Any) -> None:
        """The signed-in user changed (sign-in, switch user): every view rebuilds for the new role.
        ``user`` is an ``Actor`` (or an account row), None to sign out."""
        actor = None if user is None else Actor.of(user)
        self._actor = actor
        if self._session is not None:
            if actor is None:
                self._session.sign_out()
            else:
                self._session.actor = actor
        self.user_changed.emit()

    def changed(self, what: str) -> None:
        self.data_changed.emit(what)
