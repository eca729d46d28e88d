"""Consistent copies of the database: ``VACUUM INTO`` a temporary name, check it, rename.

Automatic backups (before a migration, before a restore, at most once a day on open) rotate; manual
ones are kept. A restore checks the file first (integrity, schema) and keeps a copy of what it
replaces.
"""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.store.paths import folder_for

KEEP_AUTOMATIC = 10


def backup_dir(db_path: Path) -> Path:
    return folder_for(db_path, "backups")


def _fsync_dir(path: Path) -> None:
    if os.name != "nt":
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def check_file(path: Path) -> int:
    """Integrity-check a database file; returns its schema version (user_version)."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = con.execute("PRAGMA integrity_check").fetchone()[0]
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
                dest: Path | None = None) -> Path:
    """Write a consistent copy with VACUUM INTO (works on a live WAL database)."""
    folder = backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    final = dest or folder / f"{db_path.stem}-{stamp}-{reason}.db"
    tmp = final.with_name(final.name + ".part")
    if tmp.exists():
        tmp.unlink()
    run = getattr(con, "execute_sql", None) or con.execute  # a peewee database or a sqlite3 connection
    run("VACUUM INTO ?", (str(tmp),))
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    check_file(tmp)
    os.replace(tmp, final)
    _fsync_dir(final.parent)
    if reason != "manual" and dest is None:
        rotate(folder, db_path.stem)
    return final


def rotate(folder: Path, stem: str, keep: int = KEEP_AUTOMATIC) -> None:
    autos = sorted(p for p in folder.glob(f"{stem}-*.db") if not p.name.endswith("-manual.db"))
    for old in autos[:-keep]:
        old.unlink(missing_ok=True)


def list_backups(db_path: Path) -> list[Path]:
    folder = backup_dir(db_path)
    return sorted(folder.glob("*.db"), reverse=True) if folder.exists() else []


def latest_automatic_today(db_path: Path) -> bool:
    today = dt.date.today().strftime("%Y%m%d")
    return any(p.name.startswith(f"{db_path.stem}-{today}") for p in list_backups(db_path))
