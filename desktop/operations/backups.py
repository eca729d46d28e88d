"""Backups of the office database: make one now, list them, restore one (administrator), and the
day's automatic one.

On a PC's own database (SQLite) opening it makes the day's backup (``desktop.store.db``). On a
server the PCs share it: the first PC of the day that takes part makes it in the background
(``start_daily``: one whose backup folder is set here, ``set_daily_folder``, or where an
administrator works), and the others find it made (``desktop.store.daily``). ``daily`` does the
same in the foreground, for ``stdaward backup --if-due`` (a scheduled task).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import socket
from collections.abc import Callable
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


def restore(path: Path, backup_file: Path, *, session: Session | None = None, replace: bool = False,
            progress: Any = None, let_go: Callable[[], None] | None = None) -> Any:
    """Replace the database at ``path`` with ``backup_file``; returns what became of the database
    replaced (``kept``: its safety copy, or the damaged file set aside unread; ``damaged``).

    Restoring needs an administrator (DESIGN.md "Roles"): ``session``, open on ``path`` and signed in
    with that role. Without one (or with another role) it goes ahead only when the database cannot
    be opened or read (missing, damaged: there is nothing to sign in to) or has no user accounts
    (the computer's account acts as administrator); else PermissionDenied, nothing changed. Once
    allowed, ``let_go`` runs (the window lets go of the database) and the session is closed.

    On a server (``path`` a connection file) the backup goes into an empty database, or, with
    ``replace`` (the officer confirmed), replaces the office there after a safety copy; the restore
    is one transaction, checked, and recorded in the audit log as the administrator's."""
    from desktop.operations import roles
    from desktop.operations.session import Actor, os_user
    from desktop.store import evidence_copy
    from desktop.store.backend import is_connection_file
    from desktop.store.db import Restored, has_accounts
    from desktop.store.db import restore as store_restore

    path = Path(path)
    if session is not None and Path(session.db_path) != path:
        raise ValueError(f"the session is open on {session.db_path}, not on {path}")
    if session is not None and roles.allowed(session.role, "backups.restore"):
        session.require("backups.restore")  # also refused while the database is open for reading only
        user = session.username
    else:
        if session is not None and is_connection_file(path):  # open here: a server that could be opened
            from desktop.store.users import has_users

            accounts: bool | None = has_users()
        else:
            accounts = has_accounts(path)
        if accounts:
            asking = session or Session(path, Actor(os_user(), os_user(), None))
            asking.require("backups.restore")  # refused: sign in as an administrator
        user = os_user()
    if let_go is not None:
        let_go()
    if session is not None:
        session.close()
    if is_connection_file(path):
        from desktop.operations.transfer import keep_overview
        from desktop.store import transfer

        keeping = session or Session(path, Actor(user, user, None))  # today's date and the task's progress
        found = transfer.restore_to_server(Path(backup_file), path, user=user, replace=replace, progress=progress,
                                           then=lambda: keep_overview(keeping))
        done = Restored(found["kept"])
    else:
        done = store_restore(Path(backup_file), path)
    try:
        done.evidence = evidence_copy.restore(path, Path(backup_file))
        if is_connection_file(path) and done.evidence is not None:  # onto the server, for every PC
            from desktop.store import db

            db.open_db(path, auto_backup=False)  # opening a server takes in this PC's files
            db.close_db()
    except (OSError, ValueError) as exc:  # zipfile.BadZipFile is a ValueError's sibling: both say "damaged"
        raise StdAwardError(_("the database was restored, but its evidence files could not be put back from "
                              "{file}: {reason}").format(file=evidence_copy.beside(Path(backup_file)),
                                                         reason=getattr(exc, "strerror", None) or exc)) from None
    return done


def damage_found(path: Path) -> Any:
    """The DatabaseDamaged error for ``path`` (naming the newest good backup), for damage met while
    reading, past the checks made at open."""
    from desktop.store import db

    return db.damaged(Path(path))


# ---------------------------------------------------------------------------- the day's backup
DAILY_SETTINGS = "daily-backup.json"  # beside the server's connection file: this PC's folder for it
_started: set[tuple[str, str]] = set()  # (database, day) whose backup this process started


def _settings_file(session: Session) -> Path:
    return Path(session.db_path).with_name(DAILY_SETTINGS)


def on_server(session: Session) -> bool:
    """Is the session's database on a server (where the PCs share the day's backup)?"""
    from desktop.store.backend import is_connection_file

    return is_connection_file(session.db_path)


def daily_folder(session: Session) -> Path | None:
    """The folder this PC writes the server database's daily backup into, when one is set here."""
    if not on_server(session):
        return None
    try:
        found = json.loads(_settings_file(session).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    folder = found.get("folder") if isinstance(found, dict) else None
    return Path(folder) if isinstance(folder, str) and folder else None


def set_daily_folder(session: Session, folder: Path | None) -> Path | None:
    """Make this PC write the server database's daily backup into ``folder`` (an existing folder: a
    disk of this PC or a network share); None stops it (an administrator's PC still makes it into
    its backups folder). Kept on this PC, per server database. Administrator only."""
    from desktop.core import failures

    session.require("office.settings")
    if not on_server(session):
        raise StdAwardError(_("a database on this PC makes its own daily backup (in {folder}); a backup folder is "
                              "set only for a server database").format(folder=session.folder("backups")))
    target = _settings_file(session)
    if folder is None:
        target.unlink(missing_ok=True)
        return None
    folder = Path(folder).expanduser().resolve()
    if not folder.is_dir():
        raise StdAwardError(_("{folder} is not a folder that exists: make it first, or choose another").format(
            folder=folder))
    probe = folder / f".stdaward-probe-{socket.gethostname()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
        target.write_text(json.dumps({"folder": str(folder)}, ensure_ascii=False), "utf-8")
    except OSError as exc:
        found = failures.classify(exc)
        raise StdAwardError(failures.message(found[0], folder) if found else str(exc)) from None
    return folder


def daily_target(session: Session) -> tuple[Path, bool] | None:
    """Where this PC makes the server database's daily backup: (folder, whether it may be created),
    or None when this PC takes no part (no folder set here, and no administrator at work)."""
    from desktop.operations.roles import ADMIN

    folder = daily_folder(session)
    if folder is not None:
        return folder, False
    if session.role == ADMIN:
        return session.folder("backups"), True
    return None


def kept() -> int:
    """How many automatic backups a backups folder keeps (one a day: that many days)."""
    from desktop.store.backup import KEEP_AUTOMATIC

    return KEEP_AUTOMATIC


def host() -> str:
    return socket.gethostname() or "?"


def daily(session: Session, folder: Path | None = None) -> Any:
    """The day's backup now, unless it is made already (``stdaward backup --if-due``): returns the
    ``desktop.store.daily.Daily`` outcome (``made``, ``done`` by whom on which computer, or
    ``busy`` when another PC is making it). On a server: into ``folder`` (needs the right to make
    backups), else where ``daily_target`` says. On a PC's own database: its rotating backups folder,
    once a day. StdAwardError, nothing recorded, when the copy cannot be written."""
    from desktop.store import backup
    from desktop.store import daily as store
    from desktop.store.models import database

    day = session.today()
    if not on_server(session):
        session.require("backups.make")
        if folder is None:
            if backup.latest_automatic_today(session.db_path):
                return store.Daily("done", day)
            made = backup.make_backup(database, session.db_path, "daily", progress=session.progress)
            return store.Daily("made", day, str(made), session.username, host())
        stem = session.db_path.stem
        if any(Path(folder).glob(f"{stem}-{day:%Y%m%d}-*-daily.db")):
            return store.Daily("done", day)
        if not Path(folder).is_dir():
            raise StdAwardError(_("the backup folder {folder} is not there (a drive not connected, a network share "
                                  "not reachable?)").format(folder=folder))
        dest = Path(folder) / f"{stem}-{day:%Y%m%d}-{dt.datetime.now():%H%M%S-%f}-daily.db"
        made = backup.make_backup(database, session.db_path, "daily", dest=dest, progress=session.progress)
        backup.rotate(Path(folder), stem, backup.KEEP_AUTOMATIC)
        return store.Daily("made", day, str(made), session.username, host())
    if folder is not None:
        session.require("backups.make")
        target: tuple[Path, bool] | None = (Path(folder), False)
    else:
        target = daily_target(session)
    if target is None:
        raise StdAwardError(_("this PC makes no daily backup of {db}: an administrator sets its backup folder "
                              "(Settings, or stdaward backup --daily-folder FOLDER), or signs in here").format(
            db=_describe(session)))
    return store.make_if_due(session.db_path, target[0], day, backup_actor(session), host(),
                             create_folder=target[1], progress=session.progress)


def backup_actor(session: Session) -> str:
    """Who the day's backup is recorded as made by: the officer signed in, else the automatic backup
    itself (a scheduled task or a start before anyone signed in, on a PC whose folder an administrator
    set). Never the computer's account name, which would read like an officer's and may even be one's
    user name; the session stays signed out and can change no record."""
    from desktop.core.labels import AUTOMATIC_BACKUP

    return session.username if session.role is not None else AUTOMATIC_BACKUP


def _describe(session: Session) -> str:
    from desktop.store.backend import describe

    return describe(session.db_path)


def start_daily(session: Session) -> bool:
    """On a server database, when this PC takes part and has not yet started the day's backup in this
    program: start it in the background and return True. It never holds up the officer: what it
    fails at is told in the open notes (``open_findings``, the CLI's notes) and the log, and tried
    again at the next start. Cheap: the server is asked in the background."""
    from desktop.store import db

    if not on_server(session):
        return False
    target = daily_target(session)
    key = (str(session.db_path), session.today().isoformat())
    if target is None or key in _started or db.backup_running():
        return False
    _started.add(key)
    folder, create = target
    path, day, user, here = session.db_path, session.today(), backup_actor(session), host()

    def work(progress: Any) -> None:
        from desktop.core.errors import StdAwardError as Refused
        from desktop.core.progress import Cancelled
        from desktop.store import daily as store

        log = logging.getLogger(__name__)
        try:
            done = store.make_if_due(path, folder, day, user, here, create_folder=create, progress=progress)
        except Cancelled:
            _started.discard(key)  # the program closed meanwhile: the next start tries again
            log.info("the daily backup of %s was cancelled (the database closed)", path)
            return
        except Exception as exc:  # noqa: BLE001 - a backup must never take the program down
            _started.discard(key)
            reason = str(exc) if isinstance(exc, Refused) else f"{type(exc).__name__}: {exc}"
            db.open_notes.append(_("today's backup of the server database could not be written; it will be tried "
                                   "again at the next start. {reason}").format(reason=reason))
            log.warning("daily backup of %s failed: %s", path, reason)
            return
        log.info("daily backup of %s: %s %s", path, done.status, done.file or "")

    db.start_server_backup(work)
    return True
