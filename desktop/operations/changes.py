"""What other officers changed since this window last looked: the audit log read from a mark.

Every change the program makes appends to the audit log, whose ids only grow, so the log's highest
id is a cheap "anything new?" (one read of the primary key's index) on SQLite and on PostgreSQL
alike. The window keeps the id it has seen (``Changes.head``) and asks again every few seconds;
what others appended since says who changed how many records and which screens to refresh.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop.operations.session import Session

# the screens (``AppContext.changed`` names) that show each kind of audited record
AREAS = {"enterprise": "enterprises", "achievement": "achievements", "evidence": "achievements",
         "award": "awards", "award_round": "rounds", "notice": "notices", "payment": "notices",
         "user": "users", "office": "office", "known_office": "office", "publicity": "rounds",
         "objection": "rounds", "refusal_letter": "notices"}


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
                          'AND "user" <> ? ORDER BY id', (mark, newest, session.username)).fetchall()
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
