"""Connecting a PC to the office's PostgreSQL server: trying an address before it is used (the
connection dialog's 测试连接) and keeping the password in the operating system's keyring.

A probe connects with psycopg directly, not through the models' database object, so trying an
address never disturbs the database the window has open. Its verdict is one of a few plain kinds
(``ServerRefused.kind``): wrong user name or password, a server that cannot be reached, no such
database, a PC the server does not let in, a database holding something else; or, when it
connects, whether the StdAward tables are there, and if not whether this user may create them.

The password never goes into the connection file. With a keyring (Windows Credential Manager,
macOS Keychain, the Secret Service on a Linux desktop) it is kept there under the connection's
address without its password; without one (a headless Linux PC, CI) it is asked at sign-in and
kept in this process only (``backend.use_password``).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from desktop.core.errors import ServerRefused
from desktop.core.i18n import _
from desktop.store import backend

SERVICE = "StdAward"
CONNECT_TIMEOUT = 8  # seconds: an address that does not answer is told, not waited on


def address(host: str, port: int | None, dbname: str, user: str) -> str:
    """The ``postgresql://`` address of these fields (no password). A host that is a folder (a unix
    socket directory) goes in the ``host`` setting, as libpq takes it."""
    host, dbname, user = host.strip(), dbname.strip(), user.strip()
    cred = quote(user, safe="") + "@" if user else ""
    path = "/" + quote(dbname, safe="")
    if host.startswith("/"):
        query = {"host": host, **({"port": str(port)} if port else {})}
        return f"postgresql://{cred}{path}?{urlencode(query)}"
    netloc = f"[{host}]" if ":" in host else host
    return f"postgresql://{cred}{netloc}{':' + str(port) if port else ''}{path}"


def classify(exc: BaseException) -> str:
    """What a failed connection means for the officer: ``password``, ``no_database``,
    ``not_allowed`` (pg_hba.conf has no line for this PC) or ``unreachable``."""
    state = getattr(exc, "sqlstate", None)
    text = str(exc)
    if state == "28P01" or re.search(r"password authentication failed|no password supplied|"
                                     r"role \"[^\"]*\" does not exist", text):
        return "password"
    if state == "3D000" or re.search(r"database \"[^\"]*\" does not exist", text):
        return "no_database"
    if "no pg_hba.conf entry" in text or "pg_hba.conf rejects" in text:
        return "not_allowed"
    return "unreachable"


def refusal(kind: str, params: dict[str, Any], exc: BaseException | None = None) -> ServerRefused:
    """The officer's sentence for a failed connection of ``kind``."""
    server = _server_name(params)
    user, dbname = params.get("user") or "", params.get("dbname") or ""
    if kind == "password":
        text = _("The server {server} refused the user name {user} or its password: check both (letters are "
                 "case-sensitive).").format(server=server, user=user)
    elif kind == "no_database":
        text = _("The server {server} has no database named {dbname}: check the name, or ask the administrator "
                 "to create it.").format(server=server, dbname=dbname)
    elif kind == "not_allowed":
        text = _("The server {server} does not let this PC in as {user}: the administrator adds the office "
                 "network to the server's pg_hba.conf (see the README).").format(server=server, user=user)
    else:
        reason = str(exc).strip().splitlines()[0] if exc is not None and str(exc).strip() else ""
        text = _("Cannot reach the database server {server}: check the address and the port, that the server "
                 "is running and that its firewall lets this PC in ({reason}).").format(server=server, reason=reason)
    return ServerRefused(text, kind)


def _server_name(params: dict[str, Any]) -> str:
    host = str(params.get("host") or "localhost")
    return f"{host}:{params.get('port') or 5432}"


def probe(params: dict[str, Any]) -> dict[str, Any]:
    """Connect with ``params`` (psycopg's: host, port, dbname, user, password) and tell what is
    there: ``state`` ``ready`` (a StdAward database; ``office`` its office's name or None),
    ``empty`` (no tables; ``may_create``: whether this user may create them). Raises
    ``ServerRefused`` (``kind`` ``password``, ``unreachable``, ``no_database``, ``not_allowed``,
    ``not_ours``, ``too_new``, ``too_old``)."""
    import psycopg

    from desktop.store.migrations import SCHEMA_VERSION
    from desktop.store.pg import SCHEMA_TABLE

    args = {k: v for k, v in params.items() if v not in (None, "")}
    args.setdefault("connect_timeout", CONNECT_TIMEOUT)
    try:
        con = psycopg.connect(**args, autocommit=True)
    except psycopg.Error as exc:
        raise refusal(classify(exc), params, exc) from None
    except OSError as exc:
        raise refusal("unreachable", params, exc) from None
    dbname = params.get("dbname") or ""
    try:
        tables = {r[0] for r in con.execute(  # pg_class: also the tables this user may not read
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')").fetchall()}
        if SCHEMA_TABLE not in tables:
            if tables:
                raise ServerRefused(_("The database {dbname} holds other tables: it is not a StdAward database. "
                                      "Choose another database.").format(dbname=dbname), "not_ours")
            row = con.execute("SELECT has_schema_privilege(COALESCE(current_schema(), 'public'), 'CREATE')").fetchone()
            return {"state": "empty", "may_create": bool(row and row[0]), "office": None}
        version = con.execute(f"SELECT version FROM {SCHEMA_TABLE}").fetchone()
        found = int(version[0]) if version else 0
        if found > SCHEMA_VERSION:
            raise ServerRefused(_("The database {dbname} was written by a newer StdAward (schema {found}): install "
                                  "the newer version on this PC.").format(dbname=dbname, found=found), "too_new")
        if found < SCHEMA_VERSION:
            raise ServerRefused(_("The database {dbname} has the older schema {found}: ask the administrator to update it "
                                  "first.").format(dbname=dbname, found=found), "too_old")
        office = None
        if "office" in tables:
            row = con.execute("SELECT name FROM office ORDER BY id LIMIT 1").fetchone()
            office = row[0] if row else None
        return {"state": "ready", "may_create": False, "office": office}
    except psycopg.Error as exc:
        raise refusal(classify(exc), params, exc) from None
    finally:
        con.close()


# ------------------------------------------------------------------ the keyring

def _keyring() -> Any:
    """The keyring backend, or None when this PC has none that keeps anything (headless, CI)."""
    try:
        import keyring

        found = keyring.get_keyring()
        return found if float(found.priority) > 0 else None
    except Exception:  # noqa: BLE001 - a broken or missing keyring is no keyring: the password is asked instead
        return None


def keyring_available() -> bool:
    return _keyring() is not None


def _key(url: str) -> str:
    return backend.redact(url)


def remembered(url: str) -> str | None:
    """The password kept in the keyring for the address ``url``, or None."""
    ring = _keyring()
    if ring is None:
        return None
    try:
        found = ring.get_password(SERVICE, _key(url))
    except Exception:  # noqa: BLE001 - a locked or broken keyring: asked at sign-in instead
        return None
    return found if isinstance(found, str) else None


def remember(url: str, password: str) -> bool:
    """Keep ``password`` for ``url`` in the keyring; False when there is none (then nothing is written)."""
    ring = _keyring()
    if ring is None:
        return False
    try:
        ring.set_password(SERVICE, _key(url), password)
    except Exception:  # noqa: BLE001 - a locked or refusing keyring: the password is asked at sign-in instead
        return False
    return True


def forget(url: str) -> None:
    ring = _keyring()
    if ring is None:
        return
    try:
        ring.delete_password(SERVICE, _key(url))
    except Exception:  # noqa: BLE001 - nothing kept (PasswordDeleteError) or no keyring: nothing to forget
        return


def url_of(path: Path) -> str:
    """The address a connection file names (no password)."""
    return backend.describe(Path(path))
