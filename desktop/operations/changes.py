"""What other officers changed since this window last looked: the audit log read from a mark.

Every change the program makes appends to the audit log, whose ids only grow, so the log's highest
id is a cheap "anything new?" (one read of the primary key's index) on SQLite and on PostgreSQL
alike. The window keeps the id it has seen (``Changes.head``) and asks again every few seconds;
what others appended since says who changed how many records and which screens to refresh.

On a PostgreSQL server the window need not wait for its next look: every transaction that appends
to the audit log also sends a NOTIFY, which the server delivers at the commit (``Listener``, on a
connection and thread of its own, hears it and wakes the window within a moment). The look every
few seconds stays: it is what SQLite has, and it covers a listening connection that dropped (the
server restarted, the network went away) until the listener is back, which it tries quietly.
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.operations.session import Session

# the screens (``AppContext.changed`` names) that show each kind of audited record
AREAS = {"enterprise": "enterprises", "achievement": "achievements", "evidence": "achievements",
         "award": "awards", "award_round": "rounds", "notice": "notices", "payment": "notices",
         "user": "users", "office": "office", "known_office": "office", "publicity": "rounds",
         "objection": "rounds", "refusal_letter": "notices"}

UNCHANGED = ("backup",)  # entries that change no record (the day's backup of a server database)


@dataclass
class Changes:
    """What others changed after the mark: ``head`` is the new mark; ``by`` maps each officer (full
    name) to the number of records they changed; ``areas`` the screens that show them."""

    head: int
    by: dict[str, int] = field(default_factory=dict)
    areas: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(self.by.values())


def head(session: Session) -> int:
    """The audit log's newest entry id (0 when empty)."""
    from desktop.store import db

    row = db.execute_sql("SELECT MAX(id) FROM audit_entry").fetchone()
    return int(row[0] or 0)


def since(session: Session, mark: int | None) -> Changes:
    """What officers other than the session's user changed after entry ``mark`` (None: nothing yet,
    only the mark to start from)."""
    from desktop.store import db

    newest = head(session)
    if mark is None or newest <= mark:
        return Changes(newest)
    from desktop.store.models import AuditEntry

    after = AuditEntry.after.python_value
    rows = db.execute_sql('SELECT "user", entity, entity_uuid, after FROM audit_entry WHERE id > ? AND id <= ? '
                          f'AND "user" <> ? AND entity NOT IN ({", ".join("?" * len(UNCHANGED))}) ORDER BY id',
                          (mark, newest, session.username, *UNCHANGED)).fetchall()
    records: dict[str, set[Any]] = {}
    batches: dict[str, int] = {}
    areas: list[str] = []
    for user, entity, key, raw in rows:
        if key is not None:
            records.setdefault(user, set()).add((entity, key))
        else:  # a bulk load: one entry with the count of what it added
            done = after(raw)
            counts = done.get("counts") if isinstance(done, dict) else None
            batches[user] = batches.get(user, 0) + (counts if isinstance(counts, int) and counts > 0 else 1)
        area = AREAS.get(entity, "*")
        if area not in areas:
            areas.append(area)
    users = sorted(set(records) | set(batches))
    names: dict[str, str] = {}
    for name, shown in db.execute_sql('SELECT username, display_name FROM "user"').fetchall():
        names[name] = shown
    by = {names.get(u) or u: len(records.get(u, ())) + batches.get(u, 0) for u in users}
    return Changes(newest, by, areas)


# ---------------------------------------------------------------------------- hearing it at once (PostgreSQL)
log = logging.getLogger(__name__)


class Listener:
    """LISTENs for the server's change notifications on a connection and thread of its own and calls
    ``on_change`` (from that thread) for each, and once more after a reconnection, since whatever was
    committed while the connection was down was not heard. The connection is watched with TCP
    keepalives; when it drops, ``listening`` is cleared and a new connection is tried every
    ``retry_after`` seconds, saying nothing (the window's regular look covers the gap).

    ``wake`` is set at every notification (a test or a caller may wait on it and clear it);
    ``heard`` counts them; ``pid`` is the listening connection's server process."""

    def __init__(self, path: Path, on_change: Callable[[], None], *, retry_after: float = 5.0,
                 tick: float = 0.5) -> None:
        self.path, self.on_change = Path(path), on_change
        self.retry_after, self.tick = retry_after, tick
        self.wake = threading.Event()
        self.listening = threading.Event()
        self.dropped = threading.Event()  # set while waiting to connect again (lost, or refused)
        self.heard = 0
        self.heard_from: deque[str] = deque(maxlen=100)  # who committed (the notifications' payloads)
        self.connections = 0  # made so far (the first, then each reconnection)
        self.pid: int | None = None
        self._stop = threading.Event()
        self._retry_now = threading.Event()
        self._thread = threading.Thread(target=self._run, name="change-listener", daemon=True)

    def start(self) -> Listener:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop listening (within ``tick`` seconds) and close the connection."""
        self._stop.set()
        self._retry_now.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def nudge(self) -> None:
        """Try to connect again now instead of after ``retry_after`` (the server answered again)."""
        self._retry_now.set()

    def _pause(self) -> None:
        """Wait ``retry_after`` seconds before connecting again, or less when nudged or stopped."""
        self._retry_now.wait(self.retry_after)
        self._retry_now.clear()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _fire(self, payload: str = "") -> None:
        self.heard += 1
        self.heard_from.append(payload)
        self.wake.set()
        try:
            self.on_change()
        except Exception:  # noqa: BLE001 - a window closing meanwhile must not end the listening
            log.exception("the change notification's receiver failed")

    def _connect(self) -> Any:
        import psycopg

        from desktop.store import backend

        params = backend.read_connection(self.path)
        params.setdefault("connect_timeout", 5)
        # a pulled cable or a sleeping server sends nothing: the keepalives notice within ~25 s
        for key, value in (("keepalives", 1), ("keepalives_idle", 10), ("keepalives_interval", 5),
                           ("keepalives_count", 3)):
            params.setdefault(key, value)
        params.setdefault("application_name", "stdaward-listen")
        con = psycopg.connect(**params, autocommit=True)
        try:
            con.execute(f"LISTEN {backend.CHANGES_CHANNEL}")
        except BaseException:
            con.close()
            raise
        return con

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                con = self._connect()
            except Exception as exc:  # noqa: BLE001 - the server away: try again later, quietly
                log.info("cannot listen for changes at the server (%s); trying again in %s s", exc, self.retry_after)
                self.dropped.set()
                self._pause()
                continue
            try:
                self._hear(con)
            except Exception as exc:  # noqa: BLE001 - dropped: reconnect quietly
                log.info("the connection listening for changes dropped (%s); trying again", exc)
            finally:
                self.listening.clear()
                self.pid = None
                try:
                    con.close()
                except Exception:  # noqa: BLE001 - already gone
                    pass
            if not self._stop.is_set():
                self.dropped.set()
                self._pause()

    def _hear(self, con: Any) -> None:
        self.pid = con.info.backend_pid
        self.connections += 1
        self._retry_now.clear()
        self.dropped.clear()
        self.listening.set()
        if self.connections > 1:  # back after a gap: what was committed meanwhile was not heard
            self._fire()
        while not self._stop.is_set():
            for note in con.notifies(timeout=self.tick):
                self._fire(note.payload)
                if self._stop.is_set():
                    return
            if con.closed or con.broken:
                raise ConnectionError("the listening connection closed")


def listen(session: Session, on_change: Callable[[], None], **kw: Any) -> Listener | None:
    """Start hearing other PCs' changes at once (``Listener``) on a server database; None on SQLite,
    where the regular look is all there is."""
    from desktop.store.backend import is_connection_file

    if not is_connection_file(session.db_path):
        return None
    return Listener(session.db_path, on_change, **kw).start()
