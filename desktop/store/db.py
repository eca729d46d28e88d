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

import datetime as dt
import logging
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core import failures
from desktop.core.errors import DatabaseDamaged, SchemaTooNew, StdAwardError
from desktop.core.i18n import _
from desktop.store import atomic
from desktop.store import backup as backups
from desktop.store.backend import imported, is_connection_file
from desktop.store.lock import WriterLock
from desktop.store.migrations import SCHEMA_VERSION
from desktop.store.volumes import refuse_network, sqlite_uri

_lock: WriterLock | None = None
_path: Path | None = None
# The quick start: a plain connection for one thread's reads until the models are bound.
_quick: sqlite3.Connection | None = None
_quick_thread: int | None = None
_bind_lock = threading.RLock()  # binding and closing, one at a time (open_db closes what it replaces)
_bind_asked = threading.Event()  # bind_quick was called: the window has painted, or something needs the models
_bound = False
_closes = 0  # closes so far: a worker that waited for one quick open never binds or reads another
BIND_WAIT = 2.0  # seconds a worker waits for the binding to be asked for before doing it itself
QUICK_CHECK_MAX = 16 << 20  # databases up to this size (~30,000 achievements) get quick_check at every open
# What the last open found worth telling the officer (leftovers removed, a daily backup that could not
# be written, read-only use): sentences, already translated. The CLI prints them on stderr.
open_notes: list[str] = []
read_only: bool = False
read_only_reason: str | None = None  # why (desktop.core.failures: READ_ONLY, PERMISSION or DISK_FULL)
FULL_BELOW = 1 << 20  # an open that fails to write where less than this is free met a full disk
damage_found: DatabaseDamaged | None = None  # what the background backup found (the open went ahead)


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


def damaged(path: Path, reason: object = None) -> DatabaseDamaged:
    """The error for a damaged database at ``path``, naming the newest good backup."""
    good = backups.newest_good(path)
    msg = failures.message(failures.DAMAGED, path, good)
    if reason:
        msg += " " + _("(SQLite says: {reason})").format(reason=reason)
    return DatabaseDamaged(msg, path, good)


def _emptied(path: Path) -> bool:
    """An office database cut to nothing (a copy or sync tool, a full disk, a pulled stick): the file
    is empty yet its audit head or a backup shows it held an office. SQLite would take it for a new
    database and the office would start afresh, silently; a file never used before is still new."""
    from desktop.store.audit import HEAD_SUFFIX

    try:
        if not path.is_file() or path.stat().st_size > 0:
            return False
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            return False  # the pages are in the write-ahead log: SQLite reads them from there
    except OSError:
        return False
    return path.with_name(path.name + HEAD_SUFFIX).exists() or bool(backups.list_backups(path))


def _is_damage(exc: BaseException) -> bool:
    found = failures.classify(exc)
    return found is not None and found[0] == failures.DAMAGED


def quick_check(con: sqlite3.Connection | Any, path: Path) -> None:
    """SQLite's quick_check on a database small enough for it to cost little (a county's database
    is a few MB: milliseconds); a larger one is checked by the daily backup, which reads it whole.
    Raises DatabaseDamaged."""
    try:
        if path.stat().st_size > QUICK_CHECK_MAX:
            return
        run = getattr(con, "execute_sql", None) or con.execute
        row = run("PRAGMA quick_check(1)").fetchone()
    except (OSError, sqlite3.DatabaseError) as exc:
        if _is_damage(exc):
            raise damaged(path, exc) from None
        raise
    except Exception as exc:  # peewee's DatabaseError wraps sqlite3's
        if _is_damage(exc):
            raise damaged(path, exc) from None
        raise
    if row is None or row[0] != "ok":
        raise damaged(path)


def sweep(path: Path) -> list[Path]:
    """Remove the temporary files interrupted writes left beside the database and in its backups
    folder (the caller holds the writer lock); note them for the officer."""
    restoring = path.with_name(path.name + ".restoring")
    if not path.exists() and restoring.is_file():  # a restore stopped after the damaged file was set aside
        try:
            backups.check_file(restoring)
        except StdAwardError:
            pass
        else:
            os.replace(restoring, path)
            atomic.fsync_dir(path.parent)
            open_notes.append(_("finished a restore that was interrupted: {path} holds the restored backup").format(
                path=path))
    from desktop.store.paths import folder_for

    removed = atomic.sweep_leftovers([(path.parent, (path.name, "." + path.name, path.stem + "-")),
                                      (backups.backup_dir(path), ()), (folder_for(path, "evidence"), ())])
    if removed:
        open_notes.append(_("removed {n} temporary file(s) left by an interrupted operation: {files}").format(
            n=len(removed), files=", ".join(p.name for p in removed[:5])))
    return removed


def _lock_or_read_only(path: Path) -> tuple[WriterLock | None, str | None]:
    """The writer lock and why the database may only be read: (None, READ_ONLY or PERMISSION) on
    read-only media (the lock file cannot be created); DISK_FULL when the disk is full (the lock is
    held if its file could be made). The database is then opened for reading only."""
    try:
        lock = acquire_lock(path)
    except OSError as exc:
        found = failures.classify(exc)
        readable = (failures.READ_ONLY, failures.PERMISSION, failures.DISK_FULL)
        if found is not None and found[0] in readable and path.is_file():
            return None, found[0]
        raise StdAwardError(failures.message(found[0], path) if found else str(exc)) from None
    return lock, failures.DISK_FULL if lock.disk_full else None


def disk_full(path: Path, exc: BaseException | None = None) -> bool:
    """Did opening ``path`` fail (``exc``) because its disk is full? SQLite reports a WAL index it could
    not create as a bare "disk I/O error": the free space on the disk tells."""
    found = failures.classify(exc) if exc is not None else None
    if found is not None:
        return found[0] == failures.DISK_FULL
    try:
        return shutil.disk_usage(path.parent).free < FULL_BELOW
    except OSError:
        return False


def read_only_note(path: Path, reason: str | None) -> str:
    """What the officer is told about a database open for reading only, and why."""
    if reason == failures.DISK_FULL:
        return _("the disk holding {path} is full: the database is open for reading only and changes are "
                 "refused. You can look at the data and back it up to another disk; free some space, then "
                 "open it again").format(path=path)
    return _("{path} is on a read-only disk: it is open for reading only").format(path=path)


def refusal(path: Path | None, action: str) -> str:
    """Why ``action`` (its label) is refused on the database open for reading only."""
    where = path if path is not None else _("the database")
    if read_only_reason == failures.DISK_FULL:
        return _("the disk holding {path} is full, so the database is open for reading only: cannot {action}. "
                 "Free some space on that disk and open it again; meanwhile you can look at the data and back "
                 "it up to another disk").format(path=where, action=action)
    return failures.message(read_only_reason or failures.READ_ONLY, where)


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
    global _lock, _path, _bound, read_only, read_only_reason, damage_found
    import peewee

    from desktop.store.audit import TRIGGERS_SQL
    from desktop.store.models import ALL_MODELS, database

    path = Path(path)
    if is_connection_file(path):  # a PostgreSQL server: desktop.store.pg
        return _open_server(path, create=create)
    quick = _quick is not None and _path == path
    if not quick:
        close_db()
    elif not database.is_closed():
        database.close()
    if not path.exists() and not create:
        raise StdAwardError(_("there is no database at {path}").format(path=path))
    refuse_network(path)
    del open_notes[:]
    damage_found = None
    read_only, read_only_reason = False, None
    if not path.parent.is_dir():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            found = failures.classify(exc)
            raise StdAwardError(failures.message(found[0], path.parent) if found else str(exc)) from None
    if lock and _lock is None:
        _lock, read_only_reason = _lock_or_read_only(path)
        read_only = read_only_reason is not None
    if lock and not read_only:  # also after a quick open, which took the lock without tidying
        sweep(path)
    try:
        if _emptied(path):
            found = damaged(path)
            raise DatabaseDamaged(f"{found} " + _("(the file is empty: 0 bytes, cut off outside the program)"),
                                  path, found.backup)
        journal = "delete" if is_removable(path) else "wal"
        pragmas: dict[str, Any] = {"foreign_keys": 1, "synchronous": "full", "busy_timeout": 5000}

        immutable = [False]

        def init(as_is: bool) -> None:
            immutable[0] = as_is
            if as_is:  # nothing may be written, not even a journal or WAL index: read the file as it is
                database.init(path.resolve().as_uri() + "?immutable=1", pragmas=pragmas, uri=True,
                              check_same_thread=False)
            else:  # also on a full disk where SQLite can still read the WAL (changes are refused: Session.require)
                database.init(str(path), pragmas={**pragmas, "journal_mode": journal}, check_same_thread=False)

        init(read_only and read_only_reason != failures.DISK_FULL)
        try:
            try:
                database.connect(reuse_if_open=True)
            except (sqlite3.DatabaseError, peewee.DatabaseError) as exc:
                if read_only_reason not in (None, failures.DISK_FULL) or not path.is_file() \
                        or path.stat().st_size == 0 or not disk_full(path, exc):
                    raise
                # the disk is full (SQLite could not make its WAL index): read the file as it is
                database.close()
                read_only, read_only_reason = True, failures.DISK_FULL
                init(True)
                database.connect(reuse_if_open=True)
        except (sqlite3.DatabaseError, peewee.DatabaseError) as exc:
            if _is_damage(exc) and path.stat().st_size > 0:
                raise damaged(path, exc) from None
            found = failures.classify(exc)
            if found is not None:
                raise StdAwardError(failures.message(found[0], path)) from None
            raise StdAwardError(_("{path} is not a StdAward database ({reason})").format(path=path, reason=exc)) from exc
        _path = path
        try:
            version, has_tables = check_schema(database.connection(), path)
        except StdAwardError as exc:
            if _is_damage(exc.__cause__ or exc) and not isinstance(exc, SchemaTooNew):
                raise damaged(path, exc.__cause__) from None
            raise
        if has_tables:
            quick_check(database, path)
        if read_only:
            open_notes.append(read_only_note(path, read_only_reason))
            wal = path.with_name(path.name + "-wal")
            if immutable[0] and wal.is_file() and wal.stat().st_size > 0:
                open_notes.append(_("the latest changes, kept in {wal}, are not shown until the database can be "
                                    "opened normally again").format(wal=wal))
            if not has_tables or version < SCHEMA_VERSION:
                raise StdAwardError(failures.message(read_only_reason or failures.READ_ONLY, path))
        if not has_tables:
            with database.atomic():
                database.create_tables(ALL_MODELS)
                for sql in TRIGGERS_SQL:
                    database.execute_sql(sql)
                from desktop.store import award_sums

                award_sums.install()  # schema 7: the consolidation's sums go stale with any other write
                database.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif version < SCHEMA_VERSION:
            migrate_forward(path, version)
        if not read_only:  # a new database gets it with its tables
            _ensure_number_index()
        if has_tables and version >= SCHEMA_VERSION and auto_backup and not read_only \
                and not backups.latest_automatic_today(path):
            if auto_backup == "background" and journal == "wal":  # a rollback journal would make writers wait
                start_background_backup(path)
            else:
                daily_backup(database, path)
        if not read_only:
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


def _ensure_number_index() -> None:
    """The targets' number index (``target_counts.NUMBER_PROBE_INDEX``) made while the database opens,
    before the day's backup starts reading it and before any officer can write: made later by the
    overview's background reading, its commit could meet a write the officer had just begun (a
    transaction that had read before it), which SQLite then refuses as 「数据库正被使用」. Once in a
    database's life (seconds at a million records); a database whose index cannot be made (an
    identity no JSON reader takes) opens all the same, its targets counted in full."""
    from desktop.store import target_counts

    target_counts.make_number_probe_index()


def _open_server(path: Path, *, create: bool) -> Any:
    """Open the PostgreSQL database the connection file ``path`` names (no writer lock: the server
    serialises writers; no file backups: see ``desktop.store.pg``)."""
    global _path, _bound
    from desktop.store import pg

    close_db()
    del open_notes[:]
    _path = path  # the upgrade's steps find this PC's folders beside it (desktop.store.files)
    try:
        con = pg.open_server(path, create=create)
    except BaseException:
        _path = None
        raise
    _bound = True
    from desktop.store import files

    try:
        files.take_in(path)  # what this PC holds and the server lacks (files kept before schema 6)
    except Exception as exc:  # noqa: BLE001 - taken in at the next open; the office's work goes on
        logging.getLogger(__name__).warning("the files of %s could not be taken in: %s", path, exc)
    return con


# ---------------------------------------------------------------------------- the quick start
def open_quick(path: Path | str) -> sqlite3.Connection | None:
    """Step one of the desktop start, without peewee: the writer lock, the schema check, and a plain
    read-only connection for this thread (``execute_sql``). Returns None, holding nothing, when the
    database must first be created or migrated (``open_db``'s slow path). Raises DatabaseBusy,
    SchemaTooNew or StdAwardError (not a database) like ``open_db``."""
    global _lock, _path, _quick, _quick_thread
    close_db()
    path = Path(path)
    if not path.is_file() or is_connection_file(path):  # a server database opens the ordinary way
        return None
    refuse_network(path)
    try:
        _lock = acquire_lock(path)
    except OSError as exc:  # read-only media or a full disk: open_db opens it for reading only
        found = failures.classify(exc)
        if found is not None and found[0] in (failures.READ_ONLY, failures.PERMISSION, failures.DISK_FULL):
            return None
        raise
    if _lock.disk_full:
        close_db()
        return None
    try:
        con = sqlite3.connect(path, timeout=5, check_same_thread=False)  # end_quick may run on another thread
        try:
            con.execute("PRAGMA query_only = ON")
            version, has_tables = check_schema(con, path)
        except StdAwardError as exc:
            con.close()
            if not isinstance(exc, SchemaTooNew) and disk_full(path, exc.__cause__):  # no room for the WAL index
                close_db()
                return None
            if not isinstance(exc, SchemaTooNew) and _is_damage(exc.__cause__ or exc) and path.stat().st_size > 0:
                raise damaged(path, exc.__cause__) from None
            raise
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
    closes = _closes  # (read before the connection: a close in between is seen as one)
    con = _quick
    if con is not None and threading.get_ident() == _quick_thread:
        return con.execute(sql, params)
    if con is not None and not _bound:
        # A worker during a quick start (a view's background index): it leaves the processor to the
        # first paint and starts once the binding is asked for. The wait is bounded, so a pool with
        # a single thread (the binding queued behind this task) or a window never painted cannot
        # hold it for good.
        _bind_asked.wait(BIND_WAIT)
        with _bind_lock:
            if _closes == closes:
                bind_quick()
            same = _closes == closes and _bound
        if not same:  # closed meanwhile (the window shut in its first moments), perhaps another opened
            raise StdAwardError(_("the database was closed before this could be read"))
    from desktop.store.models import database

    return database.execute_sql(sql, params)


_backup_thread: threading.Thread | None = None


def daily_backup(con: Any, path: Path) -> Path | None:
    """The day's automatic backup. It never blocks work: a failure (a full disk, a read-only
    backups folder) is noted for the officer and tried again at the next open; only damage to the
    database itself, which the backup is first to read whole, stops the open."""
    try:
        return backups.make_backup(con, path, "daily")
    except Exception as exc:  # noqa: BLE001 - a backup must never take the program down
        if _is_damage(exc):
            raise damaged(path, exc) from None
        found = failures.classify(exc)
        reason = (failures.message(found[0], found[1] or backups.backup_dir(path)) if found
                  else str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        open_notes.append(_("today's automatic backup could not be written; it will be tried again at the next "
                            "start. {reason}").format(reason=reason))
        logging.getLogger(__name__).warning("daily backup of %s failed: %s", path, exc)
        return None


def start_background_backup(path: Path) -> threading.Thread:
    """The daily backup from a thread with its own read connection (WAL lets it read a consistent
    snapshot while the program writes). A failure is logged, never raised into the UI."""
    global _backup_thread

    def work() -> None:
        try:
            con = sqlite3.connect(path, timeout=30)
            try:
                daily_backup(con, path)
            finally:
                con.close()
        except DatabaseDamaged as exc:  # the open went ahead: say so to whoever waits for the backup
            global damage_found
            damage_found = exc
            open_notes.append(str(exc))
            logging.getLogger(__name__).error("daily backup of %s found damage: %s", path, exc)
        except Exception:  # noqa: BLE001 - a backup must never take the program down
            logging.getLogger(__name__).exception("daily backup of %s failed", path)

    _backup_thread = threading.Thread(target=work, name="daily-backup", daemon=False)
    _backup_thread.start()
    return _backup_thread


_backup_progress: Any = None  # the server's daily backup: cancelled when the database closes


def start_server_backup(work: Any) -> threading.Thread:
    """Run ``work(progress)`` (the day's backup of a server database, which reads and records through
    the open database) in a thread of its own; what it fails at it adds to ``open_notes`` itself.
    Closing the database cancels it (nothing is recorded: the next start tries again) and waits for
    it, so it never outlives the connection it uses."""
    global _backup_thread, _backup_progress
    from desktop.core.progress import ProgressState

    progress = ProgressState()

    def run() -> None:
        try:
            work(progress)
        finally:
            database = imported("desktop.store.models", "database")
            if database is not None and not database.is_closed():
                database.close()  # this thread's own connection

    _backup_progress = progress
    _backup_thread = threading.Thread(target=run, name="daily-server-backup", daemon=True)
    _backup_thread.start()
    return _backup_thread


def _stop_server_backup() -> None:
    global _backup_progress
    thread, progress, _backup_progress = _backup_thread, _backup_progress, None
    if progress is None or thread is None or not thread.is_alive() or thread is threading.current_thread():
        return
    progress.cancel()
    thread.join()


def backup_running() -> bool:
    """Whether the day's background backup is still at work (it may yet add to ``open_notes``)."""
    return _backup_thread is not None and _backup_thread.is_alive()


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
            from desktop.store import audit

            audit.record("migration", "upgrade", "schema", None, {"version": version},
                         {"version": SCHEMA_VERSION})
            database.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
    finally:
        database.execute_sql("PRAGMA foreign_keys = ON")


def _close_models() -> None:
    global _bound
    database = imported("desktop.store.models", "database")  # never imported (or not yet): nothing bound
    if database is not None and not database.is_closed():
        database.close()
    unbind = imported("desktop.store.pg", "unbind")
    if unbind is not None:
        unbind()
    _bound = False


def close_db() -> None:
    """Close whatever is open. A worker waiting for a quick start's binding is woken and told the
    database was closed (it does not bind it again); a binding under way is let finish first."""
    global _lock, _path, read_only, read_only_reason, _closes
    _closes += 1  # before the worker is woken: it then binds nothing (neither this one nor the next)
    _bind_asked.set()
    with _bind_lock:
        read_only, read_only_reason = False, None
        forget_verified = imported("desktop.store.audit", "forget_verified")  # not imported for this: the quick start closes early
        if forget_verified is not None:
            forget_verified()  # edited while closed or not, the next open reads the whole audit log once
        end_quick()
        _stop_server_backup()
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


def _set_aside(path: Path) -> Path:
    """Keep a damaged database (and its journal, WAL and WAL index) under another name, never
    reading it: ``office.db`` is also ``office.db.damaged-20261202-201500`` (a hard link, so the
    final name is never empty; a rename where the disk has no links, such as a FAT stick)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    kept, n = path.with_name(f"{path.name}.damaged-{stamp}"), 1
    while any(kept.with_name(kept.name + s).exists() for s in ("", "-wal", "-shm", "-journal")):
        n += 1  # set aside twice in one second: the first copy is kept too, never overwritten
        kept = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, kept.with_name(kept.name + suffix))
    try:
        os.link(path, kept)
    except OSError:
        os.replace(path, kept)
    atomic.fsync_dir(path.parent)
    return kept


def has_accounts(path: Path | str) -> bool | None:
    """Whether the office database at ``path`` has active user accounts, asked before a restore by
    someone not signed in as an administrator. A database file is read on a connection of its own
    (one open for work in this process is left as it is) and checked whole, whatever its size; a
    server database is opened (it must not be open here). None when there is nothing there that can
    be read: no file, a file cut to nothing, a damaged file (or one the day's backup found damaged),
    not a StdAward database, a server that cannot be opened."""
    from desktop.core.errors import DatabaseBusy

    path = Path(path)
    if is_connection_file(path):
        try:
            open_db(path, auto_backup=False)
        except (DatabaseBusy, SchemaTooNew):
            raise
        except StdAwardError:
            return None
        try:
            from desktop.store.users import has_users

            return has_users()
        finally:
            close_db()
    found = damage_found
    if found is not None and found.path is not None and Path(str(found.path)) == path:
        return None
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        con = sqlite3.connect(sqlite_uri(path, mode="ro"), uri=True)
    except (OSError, sqlite3.Error):
        return None
    try:
        row = con.execute("PRAGMA quick_check(1)").fetchone()
        if row is None or row[0] != "ok":
            return None
        if not con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'user'").fetchone():
            return False  # a new database, or not an office's: nobody's accounts to protect
        return con.execute('SELECT 1 FROM "user" WHERE active LIMIT 1').fetchone() is not None
    except sqlite3.DatabaseError:  # malformed, encrypted, not a database at all
        return None
    finally:
        con.close()


@dataclass
class Restored:
    """What ``restore`` did with the database it replaced: ``kept`` is its safety copy (a backup)
    or, when it was damaged, the damaged file renamed aside; None when there was no database."""

    kept: Path | None
    damaged: bool = False
    evidence: Any = None  # the evidence files put back (store.evidence_copy.Restored), or None


def restore(backup_file: Path, path: Path) -> Restored:
    """Replace the database at ``path`` with ``backup_file`` (checked first). The database must
    not be open in this process; the writer lock keeps other processes out meanwhile. A readable
    database is first copied into the backups folder; a damaged one is renamed aside, unread."""
    backup_file = Path(backup_file)
    if is_connection_file(path):
        backups.make_backup(None, path)  # refused with the advice for a server database (pg_restore)
    if not backup_file.exists():
        raise StdAwardError(_("no backup file at {path}").format(path=backup_file))
    found = backups.check_file(backup_file)
    if found > SCHEMA_VERSION:
        raise SchemaTooNew(_("{path} was written by a newer StdAward (schema {found})").format(path=backup_file, found=found))
    if backup_file.resolve() == path.resolve():
        raise StdAwardError(_("{path} is the database itself; choose a backup file").format(path=backup_file))
    refuse_network(path)
    lock = WriterLock(path)
    lock.acquire()
    try:
        sweep(path)
        result = Restored(None)
        if _emptied(path):  # nothing to copy: set the empty file aside like any damaged one
            result = Restored(None, damaged=True)
        elif path.exists():
            try:
                con = sqlite3.connect(sqlite_uri(path, mode="ro"), uri=True)
                try:
                    quick_check(con, path)
                    result = Restored(backups.make_backup(con, path, "before-restore"))
                finally:
                    con.close()
            except (DatabaseDamaged, sqlite3.DatabaseError, StdAwardError) as exc:
                if not (isinstance(exc, DatabaseDamaged) or _is_damage(exc) or _is_damage(exc.__cause__ or exc)):
                    raise
                result = Restored(None, damaged=True)
        tmp = path.with_name(path.name + ".restoring")

        def copy(target: Path) -> None:
            shutil.copyfile(backup_file, target)

        def swap() -> None:
            if result.damaged:
                result.kept = _set_aside(path)
            for side in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
                         path.with_name(path.name + "-journal")):
                side.unlink(missing_ok=True)

        atomic.write_atomic(path, copy, check=backups.check_file, record=swap, step="restore", tmp=tmp)
        from desktop.store.audit import anchor_file

        anchor_file(path)  # the head beside it described the database just replaced
        return result
    finally:
        lock.release()
