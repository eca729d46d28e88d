"""User accounts: roles clerk / reviewer / admin, passwords stored with scrypt and a random salt.

The first account created is always an administrator. Passwords are never stored or logged; the
hash has the form ``scrypt$N$r$p$salt_hex$hash_hex`` so the cost can be raised later without
breaking old accounts. Every change to an account is in the audit log (without the password).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re

from desktop.core.errors import Problem, StdAwardError, ValidationFailed
from desktop.core.i18n import N_, _
from desktop.store import audit
from desktop.store.models import User, database

ROLES = ("clerk", "reviewer", "admin")
ROLE_LABELS = {"clerk": N_("clerk"), "reviewer": N_("reviewer"), "admin": N_("administrator")}
MIN_PASSWORD = 8
_N, _R, _P = 2**14, 8, 1
_USERNAME = re.compile(r"^[\w.\-@\u4e00-\u9fff]{2,32}$")


def role_label(role: str) -> str:
    return _(ROLE_LABELS.get(role, role))


def hash_password(password: str, *, n: int = _N, r: int = _R, p: int = _P) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(bytes.fromhex(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def has_users() -> bool:
    return User.select().where(User.active == True).exists()  # noqa: E712 - peewee expression


def all_users() -> list[User]:
    return list(User.select().order_by(User.id))


def validate(username: str | None, display_name: str | None, password: str | None, role: str | None,
             *, new: bool = True) -> list[Problem]:
    problems = []
    if username is not None and not _USERNAME.match(username.strip()):
        problems.append(Problem("user", "username", _("a user name has 2-32 letters, digits or . - _ @")))
    elif new and username is not None and User.select().where(User.username == username.strip()).exists():
        problems.append(Problem("user", "username", _("the user name {name} is taken").format(name=username.strip())))
    if display_name is not None and not display_name.strip():
        problems.append(Problem("user", "display_name", _("the full name is required")))
    if password is not None and len(password) < MIN_PASSWORD:
        problems.append(Problem("user", "password", _("a password has at least {n} characters").format(n=MIN_PASSWORD)))
    if role is not None and role not in ROLES:
        problems.append(Problem("user", "role", _("the role is clerk, reviewer or admin")))
    return problems


def create_user(username: str, display_name: str, password: str, role: str = "clerk",
                by: str | None = None) -> User:
    """Add an account. The first account is an administrator whatever role was asked."""
    problems = validate(username, display_name, password, role)
    if problems:
        raise ValidationFailed(problems)
    with database.atomic():
        if not User.select().exists():
            role = "admin"
        user = User.create(username=username.strip(), display_name=display_name.strip(),
                           role=role, password_hash=hash_password(password))
        audit.record(by or user.username, "create", "user", user.username, None,
                     {"username": user.username, "display_name": user.display_name, "role": role})
    return user


def verify(username: str, password: str) -> User | None:
    """The active account with this name and password, or None (same answer for both mistakes)."""
    user = User.get_or_none(User.username == (username or "").strip())
    if user is None or not user.active:
        check_password(password, hash_password("timing"))  # same work either way
        return None
    return user if check_password(password, user.password_hash) else None


def _other_active_admins(user: User) -> int:
    return User.select().where((User.role == "admin") & (User.active == True) & (User.id != user.id)).count()  # noqa: E712


def update_user(user: User, by: str, *, display_name: str | None = None, role: str | None = None,
                active: bool | None = None, password: str | None = None) -> User:
    problems = validate(None, display_name, password, role, new=False)
    losing_admin = user.role == "admin" and ((role is not None and role != "admin") or active is False)
    if losing_admin and _other_active_admins(user) == 0:
        problems.append(Problem(user.username, "role", _("at least one active administrator must remain")))
    if problems:
        raise ValidationFailed(problems)
    before = {"display_name": user.display_name, "role": user.role, "active": user.active}
    with database.atomic():
        if display_name is not None:
            user.display_name = display_name.strip()
        if role is not None:
            user.role = role
        if active is not None:
            user.active = active
        if password is not None:
            user.password_hash = hash_password(password)
        user.save()
        after = {"display_name": user.display_name, "role": user.role, "active": user.active}
        if password is not None:
            after["password"] = "changed"
        audit.record(by, "update", "user", user.username, before, after)
    return user


def require_role(user: User | None, *roles: str) -> None:
    if user is None or user.role not in roles:
        raise StdAwardError(_("this needs the role {roles}").format(roles=" / ".join(role_label(r) for r in roles)))
