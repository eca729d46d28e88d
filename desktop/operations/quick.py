"""The desktop program's quick start, as a narrow read-only entry: the window paints its first view
from plain SQL before peewee and the models are imported (~60 ms), and binds them afterwards.

    if quick.open(path) is not None:     # lock + schema check on a plain sqlite3 connection
        rows = quick.read(sql, params)   # reads on that connection, from the opening thread
        ...                              # the window paints
        quick.bind()                     # later, from a worker: the models, keeping the lock
        quick.end()                      # back on the UI thread: reads go through the models

Everything else goes through a ``Session``. Only reads may be issued here; the SQL lives in the
query functions of ``desktop.operations`` (``records.enterprise_rows`` and the like), not in views.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def open(path: Path) -> sqlite3.Connection | None:
    """Lock and check the database quickly; None (nothing held) when it must be created or migrated
    first (then ``Session.open``)."""
    from desktop.store import db

    return db.open_quick(path)


def read(sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
    """The rows of one read on the open database (the quick connection, or the models' once bound)."""
    from desktop.store import db

    return db.execute_sql(sql, params).fetchall()


def bind() -> None:
    """Bind the models to the quickly opened database (any thread; once; does nothing otherwise)."""
    from desktop.store import db

    db.bind_quick()


def end() -> None:
    from desktop.store import db

    db.end_quick()


def bound() -> bool:
    from desktop.store import db

    return db.models_bound()


def close() -> None:
    from desktop.store import db

    db.close_db()


def prefetch(path: Path) -> None:
    """Start reading the enterprises view's costly counts while Qt loads (``store.prefetch``)."""
    from desktop.store import prefetch as pf

    pf.start(path)


def resolve_db_path(explicit: str | None) -> Path:
    from desktop.store.paths import resolve_db_path as resolve

    return resolve(explicit)


def thread_done() -> None:
    """Close the calling thread's database connection (peewee keeps one per thread): a pool thread
    must not hold the database open between tasks."""
    from desktop.store.backend import imported

    database = imported("desktop.store.models", "database")  # (another thread may be importing them)
    if database is not None and database.database and not database.is_closed():
        database.close()


def state(path: Path) -> dict[str, Any] | None:
    """The quick open (``open``) and what decides the next step, read with plain SQL: the office's
    name (None before set-up) and whether accounts exist. None (nothing held) when the database
    must be created or migrated first."""
    from desktop.store import db

    con = db.open_quick(path)
    if con is None:
        return None
    try:
        office = con.execute("SELECT name FROM office ORDER BY id LIMIT 1").fetchone()
        users = con.execute("SELECT EXISTS(SELECT 1 FROM user WHERE active)").fetchone()[0]
    except BaseException:
        db.close_db()
        raise
    return {"office": office[0] if office else None, "users": bool(users)}


def resources_dir() -> Path:
    """The program's shipped files (icons, fonts, the demo), also inside a frozen build."""
    from desktop.store.demo import resources_dir as folder

    return folder()


def folder_for(path: Path, name: str) -> Path:
    """A folder beside the database at ``path`` (``backups``, ``evidence``...), without opening it."""
    from desktop.store.paths import folder_for as folder

    return folder(path, name)


def first_admin() -> Any:
    """The first active administrator (an ``Actor``), or None: whom ``--screenshot`` shows signed in."""
    from desktop.operations.session import Actor
    from desktop.store import users

    admins = [u for u in users.all_users() if u.role == "admin" and u.active]
    return Actor.of(admins[0]) if admins else None


def data_dir() -> Path:
    """The user's data folder (``STDAWARD_DATA`` moves it)."""
    from desktop.store.paths import data_dir as folder

    return folder()


def server_address(path: Path | str | None) -> str | None:
    """A server database's address as the status line names it (as the recent list does), None for a
    database file: ``servers`` is imported only for a server (not at every start)."""
    from desktop.store.backend import is_connection_file

    if path is None or not is_connection_file(path):
        return None
    from desktop.operations import servers

    return servers.describe(Path(path)).split("://", 1)[-1]
