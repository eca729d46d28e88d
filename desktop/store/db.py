"""Opening the office database: the writer lock, pragmas, creation, migration and backups.

    with open_db(path) as db:   # or open_db(path) ... close_db()
        ...

``foreign_keys=1``, WAL journal on a local disk (rollback journal on removable media, where WAL's
shared memory is unsafe), ``synchronous=FULL`` because this database holds money.
"""
from __future__ import annotations

import getpass
import logging
import threading
import os
import shutil
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import peewee

from desktop.core.errors import SchemaTooNew, StdAwardError
from desktop.core.i18n import _
from desktop.store import backup as backups
from desktop.store.audit import TRIGGERS_SQL
from desktop.store.lock import WriterLock
from desktop.store.migrations import SCHEMA_VERSION, STEPS, pending
from desktop.store.models import ALL_MODELS, database

_lock: WriterLock | None = None
_path: Path | None = None
current_user: str = os.environ.get("STDAWARD_USER") or getpass.getuser()


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


def open_db(path: Path | str, *, create: bool = True, auto_backup: bool | str = True,
            lock: bool = True) -> sqlite3.Connection:
    """Open (creating or migrating as needed) and bind the models. Raises DatabaseBusy if another
    process holds it, SchemaTooNew if a newer program wrote it.

    ``auto_backup``: the first open of a day writes a rotating backup; ``"background"`` writes it
    from a thread with its own connection (the GUI, so the window does not wait), False skips it."""
    global _lock, _path
    close_db()
    path = Path(path)
    if not path.exists() and not create:
        raise StdAwardError(_("there is no database at {path}").format(path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    if lock:
        _lock = WriterLock(path)
        _lock.acquire()
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
        try:
            version = database.execute_sql("PRAGMA user_version").fetchone()[0]
            has_tables = bool(database.get_tables())
        except sqlite3.DatabaseError as exc:
            raise StdAwardError(_("{path} is not a StdAward database ({reason})").format(path=path, reason=exc)) from exc
        if version > SCHEMA_VERSION:
            raise SchemaTooNew(_("{path} was written by a newer StdAward (schema {found}, this program knows {known}); "
                                 "update the program").format(path=path, found=version, known=SCHEMA_VERSION))
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
        return database.connection()
    except BaseException:
        close_db()
        raise


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


def close_db() -> None:
    global _lock, _path
    if not database.is_closed():
        database.close()
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
        return safety or path
    finally:
        lock.release()
