"""The day's backup of an office database on a server, made by one PC a day.

Several PCs open the same server database. The first of the day that takes part (one whose backup
folder is set, or where an administrator works: ``desktop.operations.backups``) writes the day's
copy, the same checked SQLite file as ``stdaward backup`` with the evidence zip beside it, into its
folder, keeping the newest ``backup.KEEP_AUTOMATIC`` there. The PCs agree through the server:

* a session advisory lock (``backend.DAILY_BACKUP_LOCK``, the day) held on a connection of its own
  while the copy is written: a second PC finds it taken and leaves the day to the first (the
  server frees it when that connection ends, so a PC switched off half-way holds nothing);
* an audit entry ``backup``/``daily`` keyed by the day, appended once the copy is written and
  read back: "the backup of 2026-12-03 made by lin on PC-LIN". Every PC reads it to know the day
  is done; a copy that could not be written records nothing, and the next start tries again.

No table of its own: the audit log holds the record (the schema is unchanged).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core import failures
from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.core.progress import Progress
from desktop.store import backend
from desktop.store import backup as backups

ENTITY, ACTION = "backup", "daily"


@dataclass(frozen=True)
class Daily:
    """What became of the day's backup: ``made`` (by this call, into ``file``), ``done`` (already
    made, by ``user`` on ``host``), ``busy`` (another PC is making it now)."""

    status: str
    day: dt.date
    file: str | None = None
    user: str | None = None
    host: str | None = None


def made_on(day: dt.date) -> Daily | None:
    """The record of ``day``'s backup, if one was made (read through the open database)."""
    from desktop.store.models import AuditEntry

    row = (AuditEntry.select(AuditEntry.user, AuditEntry.after)
           .where((AuditEntry.entity == ENTITY) & (AuditEntry.action == ACTION)
                  & (AuditEntry.entity_uuid == day.isoformat()))
           .order_by(AuditEntry.id).first())
    if row is None:
        return None
    after = row.after if isinstance(row.after, dict) else {}
    return Daily("done", day, after.get("file"), row.user, after.get("host"))


def _lock_connection(path: Path) -> Any:
    import psycopg

    from desktop.store import servers

    params = backend.read_connection(path)
    params.setdefault("connect_timeout", 10)
    try:
        return psycopg.connect(**params, autocommit=True)
    except psycopg.Error as exc:
        kind = servers.classify(exc)
        if kind != "unreachable":
            raise servers.refusal(kind, params, exc) from None
        raise StdAwardError(_("cannot reach the database server {url}: {reason}").format(
            url=backend.describe(path), reason=str(exc).strip().splitlines()[0] if str(exc).strip() else exc)) from None


def _folder_ready(folder: Path, create: bool) -> None:
    """The folder exists (made when ``create``: the default one beside the connection file). A folder
    set by the officer is never made: missing, it is a drive not connected or a share gone, and a
    copy written to a new empty folder of that name would be on the wrong disk."""
    if folder.is_dir():
        return
    if folder.exists():
        raise StdAwardError(_("the backup folder {folder} is a file, not a folder").format(folder=folder))
    if not create:
        raise StdAwardError(_("the backup folder {folder} is not there (a drive not connected, a network share "
                              "not reachable?)").format(folder=folder))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        found = failures.classify(exc)
        raise StdAwardError(failures.message(found[0], folder) if found else str(exc)) from None


def make_if_due(path: Path, folder: Path, day: dt.date, user: str, host: str, *, create_folder: bool = False,
                progress: Progress | None = None) -> Daily:
    """Make ``day``'s backup of the server database of the connection file ``path`` into ``folder``
    unless it was made (``done``) or another PC is making it (``busy``). The record is appended as
    ``user``'s, naming ``host``. Raises StdAwardError (nothing recorded) when the copy cannot be
    written; ``Cancelled`` from ``progress`` leaves nothing either."""
    from desktop.store import audit, evidence_copy
    from desktop.store.models import database

    lock = _lock_connection(path)
    try:
        got = lock.execute("SELECT pg_try_advisory_lock(%s, %s)", (backend.DAILY_BACKUP_LOCK, day.toordinal()))
        if not got.fetchone()[0]:
            return Daily("busy", day)
        done = made_on(day)
        if done is not None:
            return done
        _folder_ready(folder, create_folder)
        stem = Path(path).stem
        stamp = dt.datetime.now().strftime("%H%M%S-%f")
        dest = folder / f"{stem}-{day:%Y%m%d}-{stamp}-daily.db"
        made = backups.make_backup(None, Path(path), "daily", dest=dest, progress=progress)
        try:
            evidence_copy.write(Path(path), made)
        except OSError as exc:
            made.unlink(missing_ok=True)
            found = failures.classify(exc)
            raise StdAwardError(failures.message(found[0], folder) if found else str(exc)) from None
        backups.rotate(folder, stem, backups.KEEP_AUTOMATIC)
        with database.atomic():
            audit.record(user, ACTION, ENTITY, day.isoformat(), None,
                         {"day": day.isoformat(), "file": made.name, "folder": str(folder), "host": host})
        return Daily("made", day, str(made), user, host)
    finally:
        lock.close()  # frees the day's lock
