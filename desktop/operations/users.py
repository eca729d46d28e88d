"""User accounts (DESIGN.md "Roles"): list them, sign in, and — administrators only — add accounts,
change a role or full name, reset a password, deactivate. The first account made on a database is
an administrator; at least one active administrator always remains. Every change is in the audit
log (never the password)."""
from __future__ import annotations

from typing import Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.operations import roles
from desktop.operations.session import Actor, Session

ROLES = roles.ROLES
role_label = roles.role_label


def has_accounts(session: Session) -> bool:
    """Accounts exist (then every change needs a signed-in user)."""
    from desktop.store import users as store

    return store.has_users()


def listing(session: Session) -> list[dict[str, Any]]:
    """Every account (active or not) as plain rows, in the order they were made."""
    from desktop.store import users as store

    return [_row(u) for u in store.all_users()]


def get(session: Session, username: str) -> dict[str, Any] | None:
    return next((u for u in listing(session) if u["username"] == username), None)


def check(username: str, password: str) -> Actor | None:
    """The actor of the active account with this name and password, or None (same answer for an
    unknown name and a wrong password). The login dialog asks this before ``Session.sign_in``."""
    from desktop.store import users as store

    user = store.verify(username, password)
    return None if user is None else Actor(user.username, user.display_name, user.role)


def create(session: Session, username: str, display_name: str, password: str, role: str = roles.CLERK) -> dict[str, Any]:
    """Add an account (administrator only; on a database without accounts its implicit user is the
    administrator, and the first account made is an administrator whatever role was asked).
    ValidationFailed names each bad field."""
    from desktop.store import users as store

    session.require("users.manage")
    user = store.create_user(username, display_name, password, role, by=session.username)
    return _row(user)


def update(session: Session, username: str, *, display_name: str | None = None, role: str | None = None,
           active: bool | None = None, password: str | None = None) -> dict[str, Any]:
    """Change an account (administrator only). A password of None (or empty) keeps it."""
    from desktop.store import users as store
    from desktop.store.models import User

    session.require("users.manage")
    user = User.get_or_none(User.username == username)
    if user is None:
        raise StdAwardError(_("no user account {name}").format(name=username))
    store.update_user(user, session.username, display_name=display_name, role=role, active=active,
                      password=password or None)
    if username == session.username:
        session.refresh_actor()  # one's own role or account changed: the session follows
    return _row(user)


def _row(user: Any) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "role": user.role,
            "active": bool(user.active)}
