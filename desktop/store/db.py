"""Opening the office database: the writer lock, pragmas, creation, migration and backups.

    with open_db(path) as db:   # or open_db(path) ... close_db()
        ...

``foreign_keys=1``, WAL journal on a local disk (rollback journal on removable media, where WAL's
shared memory is unsafe), ``synchronous=FULL`` because this database holds money.

The desktop program starts in two steps so its window does not wait for peewee (~60 ms to import):
``open_quick(path)`` takes the writer lock and checks the schema version on a plain ``sqlite3``
connection, and ``execute_sql`` reads through it on that thread; then ``bind_quick()`` (from a
worker, after the first paint) runs ``open_db`` on the same path, keeping the lock, and reads go
through the models' connection once ``end_quick()`` has closed the plain one. This module imports
peewee only inside those functions.
"""
from __future__ import annotations

import getpass
import logging
import os
import shutil
import sqlite3
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from desktop.core.errors import SchemaTooNew, StdAwardError
from desktop.core.i18n import _
from desktop.store import backup as backups
from desktop.store.lock import WriterLock
from desktop.store.migrations import SCHEMA_VERSION

_lock: WriterLock | None = None
_path: Path | None = None
current_user: str = os.environ.get("STDAWARD_USER") or getpass.getuser()
# The quick start: a plain connection for one thread's reads until the models are bound.
_quick: sqlite3.Connection | None = None
_quick_thread: int | None = None
_bind_lock = threading.Lock()
_bind_asked = threading.Event()  # bind_quick was called: the window has painted, or something needs the models
_bound = False
BIND_WAIT = 2.0  # seconds a worker waits for the binding to be asked for before doing it itself


def is_removable(path: Path) -> bool:
    """Best effort: is this path on removable media (USB stick)? WAL is unsafe there."""
    p = str(path.resolve())
    if os.name == "nt":  # pragma: no cover
        import ctypes

        drive = os.path.splitdrive(p)[0] + "\\"
        return ctypes.windll.kernel32.GetDriveTypeW(drive) == 2  # DRIVE_REMOVABLE
    return p.startswith(("/media/", "/run/media/", "/mnt/usb"))


def db_path() -> Path:
    if _path is None:
        raise StdAwardError("database not open")
    return _path


def acquire_lock(path: Path) -> WriterLock:
    """The writer lock of ``path`` (DatabaseBusy if another process holds it)."""
    lock = WriterLock(path)
    lock.acquire()
    return lock


def check_schema(con: sqlite3.Connection, path: Path) -> tuple[int, bool]:
    """(schema version, has tables) of an open database; SchemaTooNew if a newer program wrote it,
    StdAwardError if it is not a database at all."""
    try:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        has_tables = con.execute("SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table')").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StdAwardError(_("{path} is not a StdAward database ({reason})").format(path=path, reason=exc)) from exc
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(_("{path} was written by a newer StdAward (schema {found}, this program knows {known}); "
                             "update the program").format(path=path, found=version, known=SCHEMA_VERSION))
    return version, bool(has_tables)


def open_db(path: Path | str, *, create: bool = True, auto_backup: bool | str = True,
            lock: bool = True) -> sqlite3.Connection:
    """Open (creating or migrating as needed) and bind the models. Raises DatabaseBusy if another
    process holds it, SchemaTooNew if a newer program wrote it.

    ``auto_backup``: the first open of a day writes a rotating backup; ``"background"`` writes it
    from a thread with its own connection (the GUI, so the window does not wait), False skips it.
    After ``open_quick`` of the same path its writer lock is kept (and its connection left to
    ``end_quick``)."""
    global _lock, _path, _bound
    import peewee

    from desktop.store.audit import TRIGGERS_SQL
    from desktop.store.models import ALL_MODELS, database

    path = Path(path)
    quick = _quick is not None and _path == path
    if not quick:
        close_db()
    elif not database.is_closed():
        database.close()
    if not path.exists() and not create:
        raise StdAwardError(_("there is no database at {path}").format(path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    if lock and _lock is None:
        _lock = acquire_lock(path)
    try:
        journal = "delete" if is_removable(path) else "wal"
        database.init(str(path), pragmas={"foreign_keys": 1, "journal_mode": journal,
                                          "synchronous": "full", "busy_timeout": 5000},
                      check_same_thread=False)
        try:
            database.connect(reuse_if_open=True)
        except (sqlite3.DatabaseError, peewee.DatabaseError) as exc:
            raise StdAwardError(_("{path} is not a StdAward database ({reason})").format(path=path, reason=exc)) from exc
        _path = path
        version, has_tables = check_schema(database.connection(), path)
        if not has_tables:
            with database.atomic():
                database.create_tables(ALL_MODELS)
                for sql in TRIGGERS_SQL:
                    database.execute_sql(sql)
                database.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif version < SCHEMA_VERSION:
            migrate_forward(path, version)
        elif auto_backup and not backups.latest_automatic_today(path):
            if auto_backup == "background":
                start_background_backup(path)
            else:
                backups.make_backup(database, path, "daily")
        from desktop.store.audit import ensure_triggers

        ensure_triggers()  # dropped outside the program: put back, and reported by audit.verify_all
        _bound = True
        return database.connection()
    except BaseException:
        if quick:
            _close_models()
        else:
            close_db()
        raise


# ---------------------------------------------------------------------------- the quick start
def open_quick(path: Path | str) -> sqlite3.Connection | None:
    """Step one of the desktop start, without peewee: the writer lock, the schema check, and a plain
    read-only connection for this thread (``execute_sql``). Returns None, holding nothing, when the
    database must first be created or migrated (``open_db``'s slow path). Raises DatabaseBusy,
    SchemaTooNew or StdAwardError (not a database) like ``open_db``."""
    global _lock, _path, _quick, _quick_thread
    close_db()
    path = Path(path)
    if not path.is_file():
        return None
    _lock = acquire_lock(path)
    try:
        con = sqlite3.connect(path, timeout=5, check_same_thread=False)  # end_quick may run on another thread
        try:
            con.execute("PRAGMA query_only = ON")
            version, has_tables = check_schema(con, path)
        except BaseException:
            con.close()
            raise
        if not has_tables or version < SCHEMA_VERSION:
            con.close()
            close_db()
            return None
        _quick, _quick_thread, _path = con, threading.get_ident(), path
        return con
    except BaseException:
        close_db()
        raise


def bind_quick() -> None:
    """Step two: bind the models to the quickly opened database (any thread, once; a second caller
    waits for the first). Does nothing without a quick open or once bound."""
    _bind_asked.set()
    with _bind_lock:
        if _quick is not None and not _bound:
            open_db(_quick_path(), auto_backup="background")


def _quick_path() -> Path:
    assert _path is not None
    return _path


def end_quick() -> None:
    """Close the plain connection (after ``bind_quick``): reads go through the models from now on."""
    global _quick, _quick_thread
    con, _quick, _quick_thread = _quick, None, None
    _bind_asked.clear()
    if con is not None:
        con.close()


def models_bound() -> bool:
    return _bound


def execute_sql(sql: str, params: Any = ()) -> sqlite3.Cursor:
    """A read (or, once bound, any statement) on the open database: on the quick connection from
    the thread that opened it, until ``end_quick``; otherwise through the models' connection (one
    per thread), binding them first if a quick open has not yet."""
    con = _quick
    if con is not None and threading.get_ident() == _quick_thread:
        return con.execute(sql, params)
    if con is not None and not _bound:
        # A worker during a quick start (a view's background index): it leaves the processor to the
        # first paint and starts once the binding is asked for. The wait is bounded, so a pool with
        # a single thread (the binding queued behind this task) or a window never painted cannot
        # hold it for good.
        _bind_asked.wait(BIND_WAIT)
        bind_quick()
    from desktop.store.models import database

    return database.execute_sql(sql, params)


_backup_thread: threading.Thread | None = None


def start_background_backup(path: Path) -> threading.Thread:
    """The daily backup from a thread with its own read connection (WAL lets it read a consistent
    snapshot while the program writes). A failure is logged, never raised into the UI."""
    global _backup_thread

    def work() -> None:
        try:
            con = sqlite3.connect(path, timeout=30)
            try:
                backups.make_backup(con, path, "daily")
            finally:
                con.close()
        except Exception:  # noqa: BLE001 - a backup must never take the program down
            logging.getLogger(__name__).exception("daily backup of %s failed", path)

    _backup_thread = threading.Thread(target=work, name="daily-backup", daemon=False)
    _backup_thread.start()
    return _backup_thread


def wait_for_backup(timeout: float | None = None) -> None:
    if _backup_thread is not None:
        _backup_thread.join(timeout)


def migrate_forward(path: Path, version: int) -> None:
    from desktop.store.audit import TRIGGERS_SQL
    from desktop.store.migrations import STEPS, pending
    from desktop.store.models import database

    if version < 1:
        raise StdAwardError(_("{path} has no schema version; it is not a StdAward database").format(path=path))
    backups.make_backup(database, path, f"before-v{SCHEMA_VERSION}")
    database.execute_sql("PRAGMA foreign_keys = OFF")  # table rebuilds must not cascade
    try:
        with database.atomic():
            for v in pending(version):
                STEPS[v][1](database)
            for sql in TRIGGERS_SQL:
                database.execute_sql(sql)
            bad = database.execute_sql("PRAGMA foreign_key_check").fetchall()
            if bad:
                raise StdAwardError(_("migration left broken references: {bad}").format(bad=bad[:3]))
            database.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
    finally:
        database.execute_sql("PRAGMA foreign_keys = ON")


def _close_models() -> None:
    global _bound
    models = sys.modules.get("desktop.store.models")  # never imported: nothing to close
    if models is not None and not models.database.is_closed():
        models.database.close()
    _bound = False


def close_db() -> None:
    global _lock, _path
    end_quick()
    _close_models()
    if _lock is not None:
        _lock.release()
        _lock = None
    _path = None


@contextmanager
def opened(path: Path | str, **kw) -> Iterator[sqlite3.Connection]:
    con = open_db(path, **kw)
    try:
        yield con
    finally:
        close_db()


def restore(backup_file: Path, path: Path) -> Path:
    """Replace the database at ``path`` with ``backup_file`` (checked first). The database must
    not be open in this process; the writer lock keeps other processes out meanwhile. Returns the
    safety copy of what was replaced."""
    backup_file = Path(backup_file)
    if not backup_file.exists():
        raise StdAwardError(_("no backup file at {path}").format(path=backup_file))
    found = backups.check_file(backup_file)
    if found > SCHEMA_VERSION:
        raise SchemaTooNew(_("{path} was written by a newer StdAward (schema {found})").format(path=backup_file, found=found))
    lock = WriterLock(path)
    lock.acquire()
    try:
        safety = None
        if path.exists():
            con = sqlite3.connect(path)
            try:
                safety = backups.make_backup(con, path, "before-restore")
            finally:
                con.close()
        tmp = path.with_name(path.name + ".restoring")
        shutil.copyfile(backup_file, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        for side in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            side.unlink(missing_ok=True)
        os.replace(tmp, path)
        from desktop.store.audit import anchor_file

        anchor_file(path)  # the head beside it described the database just replaced
        return safety or path
    finally:
        lock.release()
