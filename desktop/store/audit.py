"""Append-only, hash-chained audit log: who changed what money or status, when, before and after.

Each entry's hash covers its content and the previous entry's hash, so editing or deleting any row
breaks the chain from there on (``verify_chain`` finds where). SQL triggers refuse UPDATE and DELETE.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from desktop.store.models import AuditEntry, now

GENESIS = "0" * 64


def _digest(prev: str, at: dt.datetime, user: str, action: str, entity: str,
            entity_uuid: str | None, before: Any, after: Any) -> str:
    body = json.dumps([prev, at.isoformat(), user, action, entity, entity_uuid, before, after],
                      ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(user: str, action: str, entity: str, entity_uuid: str | None,
           before: Any = None, after: Any = None) -> AuditEntry:
    """Append one entry (call inside the transaction that makes the change)."""
    last = AuditEntry.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).first()
    prev = last.hash if last else GENESIS
    at = now()
    before = json.loads(json.dumps(before, default=str)) if before is not None else None
    after = json.loads(json.dumps(after, default=str)) if after is not None else None
    h = _digest(prev, at, user, action, entity, entity_uuid, before, after)
    return AuditEntry.create(at=at, user=user, action=action, entity=entity, entity_uuid=entity_uuid,
                             before=before, after=after, prev_hash=prev, hash=h)


def verify_chain() -> int | None:
    """The id of the first entry whose hash does not follow, or None when the chain is intact."""
    prev = GENESIS
    for e in AuditEntry.select().order_by(AuditEntry.id):
        if e.prev_hash != prev or e.hash != _digest(prev, e.at, e.user, e.action, e.entity,
                                                    e.entity_uuid, e.before, e.after):
            return e.id
        prev = e.hash
    return None


TRIGGERS_SQL = [
    """CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]
