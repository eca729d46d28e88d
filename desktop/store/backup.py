"""Consistent copies of the database: ``VACUUM INTO`` a temporary name, check it, rename.

Automatic backups (before a migration, before a restore, at most once a day on open) rotate; manual
ones are kept. A copy is read back with SQLite's ``quick_check`` (``VACUUM INTO`` builds every index
afresh, so the index checks ``integrity_check`` adds cost time and find little in a new copy); the
full ``integrity_check`` on demand (``stdaward backup --full-check``). A restore checks the file first
(full integrity check, schema) and keeps a copy of what it replaces.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from desktop.core import failures
from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.core.progress import Progress
from desktop.store import atomic
from desktop.store.paths import folder_for
from desktop.store.volumes import sqlite_uri

KEEP_AUTOMATIC = 10


def backup_dir(db_path: Path) -> Path:
    return folder_for(db_path, "backups")


_fsync_dir = atomic.fsync_dir


def check_file(path: Path, full: bool = True) -> int:
    """Integrity-check a database file (``full``: ``integrity_check``, else ``quick_check``, which
    skips matching the indexes against their tables); returns its schema version (user_version)."""
    try:
        con = sqlite3.connect(sqlite_uri(path, mode="ro"), uri=True)
        try:
            ok = con.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check").fetchone()[0]
            version = con.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StdAwardError(_("{path} is not a StdAward database ({reason})").format(path=path, reason=exc)) from exc
    if ok != "ok":
        raise StdAwardError(_("{path} is damaged: {reason}").format(path=path, reason=ok))
    if "enterprise" not in tables or "achievement" not in tables:
        raise StdAwardError(_("{path} is not a StdAward database").format(path=path))
    return version


def make_backup(con: sqlite3.Connection | object, db_path: Path, reason: str = "manual",
                dest: Path | None = None, full_check: bool = False, progress: Progress | None = None) -> Path:
    """Write a consistent copy with VACUUM INTO (works on a live WAL database), read back with
    ``quick_check`` (``full_check``: the full ``integrity_check``). A database on a PostgreSQL server
    is copied row by row into the same kind of file (``transfer.write_file``: it restores onto the
    server, or onto a PC as any backup); ``progress`` hears of it and may cancel."""
    from desktop.store.backend import is_connection_file

    folder = backup_dir(db_path)
    if dest is None:
        folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    if dest is not None and dest.is_dir():  # a folder named: the backup goes into it under the usual name
        dest = dest / f"{db_path.stem}-{stamp}-{reason}.db"
    # a backup saved earlier under the name asked for stays (with its evidence copy): this one goes beside it
    final = atomic.free_name(dest, (".evidence.zip",)) if dest else folder / f"{db_path.stem}-{stamp}-{reason}.db"

    def vacuum_into(tmp: Path) -> None:
        run = getattr(con, "execute_sql", None) or con.execute  # type: ignore[attr-defined]  # peewee or sqlite3
        run("VACUUM INTO ?", (str(tmp),))

    def from_server(tmp: Path) -> None:
        from desktop.store import transfer

        tmp.unlink(missing_ok=True)
        transfer.write_file(db_path, tmp, progress=progress)

    try:
        atomic.write_atomic(final, from_server if is_connection_file(db_path) else vacuum_into,
                            check=lambda copy: check_file(copy, full=full_check), step="backup",
                            tmp=final.with_name(final.name + ".part"), keep_existing=dest is not None)
    except Exception as exc:
        found = failures.classify(exc)
        if found is not None and found[0] in (failures.DISK_FULL, failures.READ_ONLY, failures.PERMISSION):
            raise StdAwardError(failures.message(found[0], final)) from exc
        raise
    if reason != "manual" and dest is None:
        rotate(folder, db_path.stem)
    return final


def rotate(folder: Path, stem: str, keep: int = KEEP_AUTOMATIC) -> None:
    autos = sorted(p for p in folder.glob(f"{stem}-*.db") if not p.name.endswith("-manual.db"))
    for old in autos[:-keep]:
        old.unlink(missing_ok=True)
        old.with_name(old.name + ".evidence.zip").unlink(missing_ok=True)  # its evidence copy goes with it


def newest_good(db_path: Path, limit: int = 5) -> Path | None:
    """The newest backup of ``db_path`` that passes the integrity check (the ``limit`` newest are
    tried), or None."""
    for candidate in list_backups(db_path)[:limit]:
        try:
            check_file(candidate)
        except StdAwardError:
            continue
        return candidate
    return None


def list_backups(db_path: Path) -> list[Path]:
    folder = backup_dir(db_path)
    return sorted(folder.glob("*.db"), reverse=True) if folder.exists() else []


def latest_automatic_today(db_path: Path) -> bool:
    today = dt.date.today().strftime("%Y%m%d")
    return any(p.name.startswith(f"{db_path.stem}-{today}") for p in list_backups(db_path))
