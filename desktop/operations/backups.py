"""Backups of the office database: make one now, list them, restore one (administrator)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.operations.session import Session


def make(session: Session, out: Path | None = None, full_check: bool = False) -> Path:
    """A consistent, checked copy of the open database (to ``out``, or the rotating backups folder):
    read back with SQLite's quick check, or its full integrity check with ``full_check``. A server
    database is copied row by row into the same kind of file (with progress and cancel), which
    restores onto the server or onto a PC."""
    from desktop.store import backup, evidence_copy
    from desktop.store.models import database

    session.require("backups.make")
    made = backup.make_backup(database, session.db_path, "manual", out, full_check=full_check,
                              progress=session.progress)
    evidence_copy.write(session.db_path, made)  # the evidence folder beside it (see store.evidence_copy)
    return made


def evidence_beside(backup_file: Path) -> Path | None:
    """The evidence files' copy written with a backup, if there is one."""
    from desktop.store import evidence_copy

    path = evidence_copy.beside(Path(backup_file))
    return path if path.is_file() else None


def daily_notes(session: Session, timeout: float | None = None) -> list[str]:
    """Wait for the day's automatic backup that opening the session started in the background (if
    any) and return what it has to tell the officer that opening did not (it failed, the database
    is damaged). A command prints these after its own work, which the backup did not hold up."""
    from desktop.store import db

    db.wait_for_backup(timeout)
    return [note for note in db.open_notes if note not in session.notes]


def open_findings() -> tuple[list[str], bool]:
    """What opening the database found that the officer should know, so far (temporary files left by
    an interrupted operation and removed, a database open for reading only, a daily backup that could
    not be written, damage the background backup found), and whether that backup is still running
    (more may follow). Cheap: nothing is read from disk."""
    from desktop.store import db

    return list(db.open_notes), db.backup_running()


def damage_backup() -> Path | None:
    """The newest good backup to restore when the background backup found the database damaged
    (None when it found nothing, or there is no good backup)."""
    from desktop.store import db

    found = db.damage_found
    return Path(str(found.backup)) if found is not None and found.backup is not None else None


def listing(session: Session) -> list[Path]:
    """The backups beside the database, newest first."""
    from desktop.store import backup

    return backup.list_backups(session.db_path)


def restore(path: Path, backup_file: Path, *, replace: bool = False, user: str | None = None,
            progress: Any = None) -> Any:
    """Replace the (closed) database at ``path`` with ``backup_file``; returns what became of the
    database replaced (``kept``: its safety copy, or the damaged file set aside unread; ``damaged``). Restoring needs an administrator when the database has accounts: the caller signs
    in on the current database first (``restore_signed_in``).

    On a server (``path`` a connection file) the backup goes into an empty database, or, with
    ``replace`` (the officer confirmed), replaces the office there after a safety copy; the restore
    is one transaction, checked, and recorded in the audit log as ``user``'s."""
    from desktop.store import evidence_copy
    from desktop.store.backend import is_connection_file
    from desktop.store.db import Restored
    from desktop.store.db import restore as store_restore

    if is_connection_file(path):
        from desktop.operations.session import os_user
        from desktop.store import transfer

        found = transfer.restore_to_server(Path(backup_file), Path(path), user=user or os_user(), replace=replace,
                                           progress=progress)
        done = Restored(found["kept"])
    else:
        done = store_restore(Path(backup_file), Path(path))
    try:
        done.evidence = evidence_copy.restore(Path(path), Path(backup_file))
        if is_connection_file(path) and done.evidence is not None:  # onto the server, for every PC
            from desktop.store import db

            db.open_db(Path(path), auto_backup=False)  # opening a server takes in this PC's files
            db.close_db()
    except (OSError, ValueError) as exc:  # zipfile.BadZipFile is a ValueError's sibling: both say "damaged"
        raise StdAwardError(_("the database was restored, but its evidence files could not be put back from "
                              "{file}: {reason}").format(file=evidence_copy.beside(Path(backup_file)),
                                                         reason=getattr(exc, "strerror", None) or exc)) from None
    return done


def restore_signed_in(session: Session, backup_file: Path, replace: bool = False) -> Any:
    """Check the administrator on the open session, close it, restore. The session is closed after."""
    session.require("backups.restore")
    path, user = session.db_path, session.username
    session.close()
    return restore(path, backup_file, replace=replace, user=user)


def damage_found(path: Path) -> Any:
    """The DatabaseDamaged error for ``path`` (naming the newest good backup), for damage met while
    reading, past the checks made at open."""
    from desktop.store import db

    return db.damaged(Path(path))
