"""Opening the office for the desktop program, and its first-run set-up: the office profile and
the first administrator, in one transaction.

``open_office`` runs in a worker on the program's slow path (a new database, a migration, the
demo); ``set_up`` is the first-run wizard's "Finish". The quick start's reads are ``quick``'s.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.core.errors import Problem
from desktop.core.i18n import _
from desktop.operations.session import Actor, Session


def open_office(path: Path, demo: bool = False) -> dict[str, Any]:
    """Open (create, migrate) the database, the daily backup made in the background; with ``demo``
    fill an empty one with the demo office and records. What decides the next step: whether the
    office is set up (else the wizard) and whether it has accounts (then sign-in)."""
    from desktop.store import db, office, users

    db.open_db(Path(path), auto_backup="background")  # the daily backup must not hold the window back
    if demo:
        from desktop.store import demo as demo_data
        from desktop.store.models import Achievement

        if not Achievement.select().exists():  # the demo database only: no accounts, nobody to sign in
            from desktop.operations.settings import known_policies

            demo_data.install(known_policies=known_policies())
    return {"office": office.get() is not None, "users": users.has_users()}


def demo_db_path() -> Path:
    """Where the demo database lives (beside the user's data, never the office's own)."""
    from desktop.store.demo import demo_db_path as path

    return path()


def office_problems(values: dict[str, Any]) -> list[Problem]:
    """The office profile's problems (name, region code, 发文字号 prefix, policy)."""
    from desktop.operations.settings import known_policies
    from desktop.store import office

    return office.validate(values, known_policies())


def admin_problems(username: str, display_name: str, password: str, repeat: str) -> list[Problem]:
    """The first administrator's problems, the two passwords compared."""
    from desktop.store import users

    problems = users.validate(username, display_name, password, "admin")
    if repeat != password:
        problems.append(Problem("user", "repeat", _("the two passwords differ")))
    return problems


def set_up(session: Session, office_values: dict[str, Any], username: str, display_name: str,
           password: str) -> Actor:
    """The office profile and its first administrator, both or neither (ValidationFailed names the
    fields). Only while the database has no accounts (its one user acts as administrator); the
    session is signed in as the new administrator after."""
    from desktop.operations.settings import known_policies
    from desktop.store import office, users
    from desktop.store.models import database

    session.require("office.settings")
    with database.atomic():
        office.update(user=username.strip(), known_policies=known_policies(), **office_values)
        user = users.create_user(username, display_name, password, "admin")
    session.actor = Actor(user.username, user.display_name, user.role)
    return session.actor
