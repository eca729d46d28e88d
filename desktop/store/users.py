"""User accounts: roles clerk / reviewer / admin, passwords stored with scrypt and a random salt.

The first account created is always an administrator. Passwords are never stored or logged.

A hash is bound to its account: scrypt runs over the password with the salt *and the user name*, so
a hash copied onto another account's row does not let anyone sign in there. The stored form is
``scrypt2$N$r$p$salt_hex$hash_hex``; the cost is OWASP's current guidance (N=2^17, r=8, p=1, which
needs 128 MiB, hence ``maxmem``). Older forms still sign in and are rehashed at that moment:
``scrypt$…`` (unbound, before schema 3) and ``scrypt2`` at a lower cost. Every change to an account
is in the audit log (without the password), whose row digests cover the hash too.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re

from desktop.core.errors import Problem, ValidationFailed
from desktop.core.i18n import N_, _
from desktop.core.labels import PROGRAM_ACTORS
from desktop.store import audit
from desktop.store.models import User, database

ROLES = ("clerk", "reviewer", "admin")
ROLE_LABELS = {"clerk": N_("clerk"), "reviewer": N_("reviewer"), "admin": N_("administrator")}
MIN_PASSWORD = 8
COST: tuple[int, int, int] = (2**17, 8, 1)  # N, r, p; tests lower it (monkeypatch) to stay fast
SCHEME = "scrypt2"
_USERNAME = re.compile(r"^[\w.\-@\u4e00-\u9fff]{2,32}$")


def role_label(role: str) -> str:
    return _(ROLE_LABELS.get(role, role))


def _scrypt(secret: bytes, salt: bytes, n: int, r: int, p: int, dklen: int = 32) -> bytes:
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=256 * n * r * p + (1 << 20))


def _bound_salt(username: str, salt: bytes) -> bytes:
    return salt + b"\0user:" + username.strip().encode("utf-8")


def hash_password(password: str, username: str, *, cost: tuple[int, int, int] | None = None) -> str:
    """The stored form of ``password`` for the account ``username``."""
    n, r, p = cost or COST
    salt = os.urandom(16)
    digest = _scrypt(password.encode("utf-8"), _bound_salt(username, salt), n, r, p)
    return f"{SCHEME}${n}${r}${p}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str, username: str) -> bool:
    """Does ``password`` match ``stored`` for ``username``? (A hash made for another account does not.)"""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        want = bytes.fromhex(digest)
        if scheme == SCHEME:
            got = _scrypt(password.encode("utf-8"), _bound_salt(username, bytes.fromhex(salt)), int(n), int(r),
                          int(p), len(want))
        elif scheme == "scrypt":  # before schema 3: not bound to the account; rehashed at sign-in
            got = _scrypt(password.encode("utf-8"), bytes.fromhex(salt), int(n), int(r), int(p), len(want))
        elif scheme == "scrypt1b":  # a pre-3 hash bound to its account by the migration (see bind_legacy)
            old = _scrypt(password.encode("utf-8"), bytes.fromhex(salt), int(n), int(r), int(p), 32)
            got = _legacy_binding(username, old)
        else:
            return False
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(got, want)


def _legacy_binding(username: str, old_digest: bytes) -> bytes:
    return hashlib.sha256(b"stdaward-user:" + username.strip().encode("utf-8") + b"\0" + old_digest).digest()


def bind_legacy(username: str, stored: str) -> str:
    """A pre-schema-3 hash (``scrypt$…``, not bound to its account) bound without the password:
    the old digest is replaced by SHA-256 over the user name and it, so the row's hash no longer
    works on another row. The account is rehashed at its next sign-in."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return stored
    _scheme, n, r, p, salt, digest = parts
    return f"scrypt1b${n}${r}${p}${salt}${_legacy_binding(username, bytes.fromhex(digest)).hex()}"


def needs_rehash(stored: str) -> bool:
    parts = stored.split("$")
    return len(parts) != 6 or parts[0] != SCHEME or tuple(int(x) for x in parts[1:4]) != tuple(COST)


def has_users() -> bool:
    return User.select().where(User.active == True).exists()  # noqa: E712 - peewee expression


def all_users() -> list[User]:
    return list(User.select().order_by(User.id))


def validate(username: str | None, display_name: str | None, password: str | None, role: str | None,
             *, new: bool = True) -> list[Problem]:
    problems = []
    if username is not None and not _USERNAME.match(username.strip()):
        problems.append(Problem("user", "username", _("a user name has 2-32 letters, digits or . - _ @")))
    elif new and username is not None and username.strip().lower() in PROGRAM_ACTORS:
        problems.append(Problem("user", "username", _("the user name {name} is kept for the program's own work "
                                                      "in the audit log; choose another").format(name=username.strip())))
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
                           role=role, password_hash=hash_password(password, username.strip()))
        audit.record(by or user.username, "create", "user", user.username, None,
                     {"username": user.username, "display_name": user.display_name, "role": role})
    return user


def verify(username: str, password: str) -> User | None:
    """The active account with this name and password, or None (same answer for both mistakes).
    A hash in an older form (unbound, or cheaper than ``COST``) is replaced at this moment."""
    name = (username or "").strip()
    user = User.get_or_none(User.username == name)
    if user is None or not user.active:
        check_password(password, hash_password("timing", name), name)  # same work either way
        return None
    if not check_password(password, user.password_hash, user.username):
        return None
    if needs_rehash(user.password_hash):
        with database.atomic():
            user.password_hash = hash_password(password, user.username)
            user.save()
            audit.record(user.username, "rehash", "user", user.username, None, {"password": "rehashed"})
    return user


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
            user.password_hash = hash_password(password, user.username)
        user.save()
        after = {"display_name": user.display_name, "role": user.role, "active": user.active}
        if password is not None:
            after["password"] = "changed"
        audit.record(by, "update", "user", user.username, before, after)
    return user
