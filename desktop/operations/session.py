"""The open office as one object: the database, the signed-in user and role, the office's policy
folders, a clock, and the progress/cancel of the work at hand.

    session = Session.open(path)                 # opens (creates, migrates) the database
    session.sign_in("rev1", password)            # when the database has accounts
    rounds.approve(session, round_uuid)          # every operation takes the session first
    session.close()

The CLI builds one from ``--db`` and its sign-in, the GUI from its open database and login dialog.
A database without accounts has one user, the computer's account name, acting as administrator
(``Actor.implicit``). With accounts, nobody is signed in until ``sign_in`` succeeds: reads work,
every change is refused by ``require``.
"""
from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.core.progress import NO_PROGRESS, Progress
from desktop.operations import roles


class PermissionDenied(StdAwardError):
    """The signed-in user's role does not allow this change."""


@dataclass(frozen=True)
class Actor:
    """Who is working: a signed-in account, or the one implicit user of a database without accounts.
    ``role`` is None when accounts exist and nobody has signed in (reads only)."""

    username: str
    display_name: str
    role: str | None
    implicit: bool = False

    @classmethod
    def of(cls, user: Any) -> Actor:
        """The actor for an account row (or anything with username, display_name and role)."""
        if isinstance(user, Actor):
            return user
        return cls(user.username, user.display_name, user.role)

    @property
    def label(self) -> str:
        """The name an officer reads: full name and role."""
        if self.role is None:
            return _("not signed in")
        return f"{self.display_name} · {roles.role_label(self.role)}"


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a service account, a container)
        return "officer"


@dataclass
class Session:
    """One open office database and who is working on it."""

    db_path: Path
    actor: Actor
    clock: Callable[[], dt.date] = dt.date.today
    progress: Progress = field(default=NO_PROGRESS)
    notes: list[str] = field(default_factory=list)  # what opening found and did (leftovers removed, read-only)

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: Path | str, *, create: bool = True, auto_backup: bool | str = True,
             clock: Callable[[], dt.date] | None = None, check: bool = True) -> Session:
        """Open (create, migrate) the database at ``path`` and bind the models. Raises DatabaseBusy,
        SchemaTooNew or StdAwardError like ``desktop.store.db.open_db``. ``notes`` says what opening
        found, including (``check``) the cheap money-trail check's warnings (``integrity.open_notes``)."""
        from desktop.store import db

        path = Path(path)
        db.open_db(path, create=create, auto_backup=auto_backup)
        session = cls.attach(path, clock=clock)
        session.notes = list(db.open_notes)
        from desktop.operations import integrity  # imports this module: not at the top

        if check:
            session.notes += integrity.open_notes(path)
        return session

    @classmethod
    def attach(cls, path: Path | str, *, clock: Callable[[], dt.date] | None = None) -> Session:
        """A session over the database already opened in this process at ``path`` (the GUI's quick
        start binds the models itself)."""
        from desktop.store import users

        actor = Actor(os_user(), os_user(), None) if users.has_users() else implicit_actor()
        return cls(Path(path), actor, clock or dt.date.today)

    def close(self) -> None:
        from desktop.store import db

        db.close_db()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ who
    @property
    def username(self) -> str:
        return self.actor.username

    @property
    def role(self) -> str | None:
        return self.actor.role

    def sign_in(self, username: str, password: str) -> Actor:
        """Check the password and make that account the session's user (StdAwardError if wrong,
        with the same message for an unknown name and a wrong password)."""
        from desktop.store import users

        user = users.verify(username, password)
        if user is None:
            raise StdAwardError(_("wrong user name or password"))
        self.actor = Actor(user.username, user.display_name, user.role)
        return self.actor

    def sign_out(self) -> None:
        from desktop.store import users

        self.actor = Actor(os_user(), os_user(), None) if users.has_users() else implicit_actor()

    def refresh_actor(self) -> None:
        """Re-read the signed-in account (its role may have been changed by an administrator)."""
        from desktop.store.models import User

        if self.actor.implicit or self.actor.role is None:
            return
        user = User.get_or_none(User.username == self.actor.username)
        if user is None or not user.active:
            self.sign_out()
        else:
            self.actor = Actor(user.username, user.display_name, user.role)

    def require(self, action: str) -> None:
        """Refuse (PermissionDenied) unless the signed-in user's role allows ``action``
        (``desktop.operations.roles.PERMISSIONS``), and refuse (StdAwardError) every change while the
        database is open for reading only (a full or read-only disk): a backup to another disk still works."""
        if roles.allowed(self.actor.role, action):
            from desktop.store import db

            if db.read_only and action not in roles.READS:
                raise StdAwardError(db.refusal(self.db_path, roles.action_label(action)))
            return
        allowed = " / ".join(roles.role_label(r) for r in roles.PERMISSIONS[action][0])
        if self.actor.role is None:
            raise PermissionDenied(_("sign in to {action}: this database has user accounts (needs {roles})").format(
                action=roles.action_label(action), roles=allowed))
        raise PermissionDenied(_("{user} ({role}) may not {action}; this needs {roles}").format(
            user=self.actor.display_name, role=roles.role_label(self.actor.role),
            action=roles.action_label(action), roles=allowed))

    # ------------------------------------------------------------------ the office
    def policy_dirs(self) -> list[Path]:
        """Where the office's own measures are read from (a folder beside the database, made from the
        measures the database holds: ``desktop.store.files``); the seeds are always read."""
        from desktop.store.files import measures_folder

        return [measures_folder(self.db_path)]

    def folder(self, name: str) -> Path:
        """A folder beside the database: ``backups``, ``evidence``, ``policies``, ``notices``."""
        from desktop.store.paths import folder_for

        return folder_for(self.db_path, name)

    def today(self) -> dt.date:
        return self.clock()

    def with_progress(self, progress: Progress) -> Session:
        """The same session reporting to ``progress`` (a background task's)."""
        return replace(self, progress=progress)


def implicit_actor() -> Actor:
    name = os_user()
    return Actor(name, name, roles.ADMIN, implicit=True)
