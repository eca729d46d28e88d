"""Is the money trail intact? The audit log's chain, its signed head beside the database, and its
agreement with the rounds, awards, notices, payments and users it covers (``store.audit``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop.core.errors import Problem, ValidationFailed
from desktop.core.i18n import _
from desktop.operations.session import Session


@dataclass
class Verdict:
    entries: int
    head: str  # the AH1:… line to keep elsewhere (print it, write it down)
    findings: list[Any] = field(default_factory=list)  # each with .entry and .message

    @property
    def ok(self) -> bool:
        return not self.findings


def parse_against(text: str) -> str:
    """A head kept elsewhere: an ``AH1:…`` line or the content of a head file; ValidationFailed if
    it is neither."""
    from pathlib import Path

    from desktop.store import audit

    against = text
    if not against.strip().upper().startswith(audit.HEAD_TEXT) and Path(against).is_file():
        against = Path(against).read_text("utf-8")
    if audit.parse_head_text(against) is None and not against.lstrip().startswith("{"):
        raise ValidationFailed([Problem("--against", "head", _("{text!r} is not an audit head (AH1:entries:id:hash)")
                                        .format(text=text[:60]))])
    return against


def verify(session: Session, against: str | None = None) -> Verdict:
    """Check everything; ``against`` (see ``parse_against``) also checks that the log still extends a
    head kept outside the database, which catches a log rewritten and re-signed with the office key."""
    from desktop.store import audit
    from desktop.store.models import AuditEntry

    findings = list(audit.verify_all(session.db_path))
    if against is not None:
        findings += audit.verify_against(against)
    return Verdict(AuditEntry.select().count(), audit.head_text(), findings)
