"""Connecting this PC to the office's database server (File → 连接单位数据库服务器…, and the first-run
wizard): try an address, save it as the connection file the program opens next time, keep the
password in the OS keyring or, without one, for this run only. No session: these run before any
database is open, like ``setup`` and ``quick``."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _

DEFAULT_PORT = 5432


def _params(host: str, port: int | None, dbname: str, user: str, password: str | None) -> dict[str, Any]:
    """psycopg's connection parameters of the dialog's fields; StdAwardError naming the empty field."""
    host, dbname, user = host.strip(), dbname.strip(), user.strip()
    for value, label in ((host, _("Server")), (dbname, _("Database")), (user, _("User name"))):
        if not value:
            raise StdAwardError(_("{field} is empty: fill it in").format(field=label))
    if port is not None and not 0 < port < 65536:
        raise StdAwardError(_("The port {port} is not a port number (1 to 65535; PostgreSQL's usual port is "
                              "5432)").format(port=port))
    params: dict[str, Any] = {"host": host, "port": port or DEFAULT_PORT, "dbname": dbname, "user": user}
    if password:
        params["password"] = password
    return params


def address(host: str, port: int | None, dbname: str, user: str) -> str:
    """The ``postgresql://`` address of the fields, without a password (what the CLI's ``--db`` takes)."""
    from desktop.store import servers

    return servers.address(host, port or DEFAULT_PORT, dbname, user)


def test(host: str, port: int | None, dbname: str, user: str, password: str | None) -> dict[str, Any]:
    """Try the server (off the UI thread): ``state`` ``ready`` (``office``: its office's name, or
    None before set-up) or ``empty`` (``may_create``: whether this user may create the tables).
    ServerRefused with the officer's sentence when it cannot be used."""
    from desktop.store import servers

    return servers.probe(_params(host, port, dbname, user, password))


def save(host: str, port: int | None, dbname: str, user: str, password: str | None,
         keep_password: bool = True) -> dict[str, Any]:
    """Write the connection file for these fields (no password in it) and use the password for the
    rest of this run; with ``keep_password`` keep it in the OS keyring too. Returns ``path`` (the
    connection file to open) and ``kept`` (whether the keyring holds the password now)."""
    from desktop.store import backend, servers

    _params(host, port, dbname, user, password)
    url = address(host, port, dbname, user)
    path = backend.connection_file(url)
    backend.use_password(path, password or None)
    kept = False
    if password and keep_password:
        kept = servers.remember(url, password)
    elif not keep_password:
        servers.forget(url)
    return {"path": path, "kept": kept}


def use_password(path: Path, password: str, keep_password: bool = False) -> bool:
    """The password asked at sign-in for the server database ``path``: used for this run, and kept
    in the keyring with ``keep_password`` (returns whether it was)."""
    from desktop.store import backend, servers

    backend.use_password(path, password)
    return bool(keep_password) and servers.remember(servers.url_of(path), password)


def keyring_available() -> bool:
    """Does this PC have a keyring that keeps passwords (Windows Credential Manager, Keychain, the
    Secret Service)? Without one the password is asked at each sign-in."""
    from desktop.store import servers

    return servers.keyring_available()


def is_server(path: Path | str | None) -> bool:
    """Is ``path`` the connection file of a server database (not a database file)?"""
    from desktop.store.backend import is_connection_file

    return path is not None and is_connection_file(path)


def connection_for(url: str) -> Path:
    """The connection file that opens the server database ``url`` (an address without password, as
    the recent list keeps it): written into the data folder when missing."""
    from desktop.store.backend import connection_file, is_url

    if not is_url(url):
        raise StdAwardError(_("{url} is not a server address").format(url=url))
    return connection_file(url)


def fields(path: Path) -> dict[str, Any]:
    """The dialog's fields (host, port, dbname, user) of a connection file, to edit it."""
    from desktop.store.backend import read_connection

    params = read_connection(Path(path))
    return {"host": str(params.get("host") or ""), "port": int(params.get("port") or DEFAULT_PORT),
            "dbname": str(params.get("dbname") or ""), "user": str(params.get("user") or "")}


def describe(path: Path) -> str:
    """The server address (no password) or the file, to name the database to the officer."""
    from desktop.store.backend import describe as name

    return name(Path(path))
