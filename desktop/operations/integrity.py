"""Is the money trail intact? The audit log's chain, its signed head beside the database, and its
agreement with the rounds, awards, notices, payments and users it covers (``store.audit``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.core.errors import Problem, StdAwardError, ValidationFailed
from desktop.core.i18n import _
from desktop.core.status import NoticeStatus, RoundStatus
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
    findings += [audit.Finding(None, m) for m in wording_findings()]
    gone = missing_notices()
    if gone:
        findings.append(audit.Finding(None, _("notices {numbers} are recorded in the audit log as issued but are no "
                                              "longer in the database (deleted outside the program)").format(
            numbers="、".join(gone[:20]))))
    if against is not None:
        findings += audit.verify_against(against)
    return Verdict(AuditEntry.select().count(), audit.head_text(), findings)


def quick_findings(db_path: Path | str) -> list[str]:
    """The cheap check run whenever a session opens (a few queries whatever the log's length): the
    signed head beside the database is there, signed by the office key, and counts and ends where
    the log does; the append-only triggers were in place; every approved round still matches what
    its reviewer approved. The full ``verify`` (every entry, every record) is ``audit-verify``."""
    from desktop.store import audit, rounds
    from desktop.store.models import AwardRound

    found = [f.message for f in audit.verify_head(Path(db_path))]
    if audit.recreated_on_open:
        found.append(_("the audit log's write protection ({n} of its triggers) was removed outside the program; "
                       "it has been put back").format(n=len(audit.recreated_on_open)))
    for rnd in AwardRound.select().where(AwardRound.status == RoundStatus.APPROVED.value):
        if _imported(rnd):
            continue  # a county's round at the city: its approval is in that county's log, not this one
        try:
            rounds.check_round_intact(rnd)
        except StdAwardError as exc:
            found.append(str(exc))
    return found + wording_findings()


def missing_notices() -> list[str]:
    """The 发文字号 of notices the audit log records as issued here that the database no longer
    holds: deleted outside the program (nothing in it deletes a notice). Their award lines then look
    as if never issued, so issuing the round again would put them on a second notice and pay them
    twice. One query over the log's notice entries (issuing and ``audit-verify``, not every open)."""
    from desktop.store.models import AuditEntry, Notice

    q = (AuditEntry.select(AuditEntry.after)
         .where((AuditEntry.entity == "notice") & (AuditEntry.action == "issue")
                & AuditEntry.entity_uuid.not_in(Notice.select(Notice.uuid))))
    afters: list[Any] = [e.after for e in q]
    return [str((after or {}).get("doc_number") or "?") for after in afters]


def check_no_missing_notices() -> None:
    """Refuse (naming them) while notices recorded as issued are missing from the database."""
    gone = missing_notices()
    if gone:
        raise StdAwardError(_("notices {numbers} are recorded in the audit log as issued but are no longer in the "
                              "database (deleted outside the program); nothing is issued until the database is "
                              "restored from a backup made before that").format(numbers="、".join(gone[:20])))


def wording_findings() -> list[str]:
    """The office's wording in force (the notice template, the publicity list's and the letters'
    wording) and the wording each 公示 list was first printed with, against what the audit log
    recorded for them: each one changed outside the program, in a sentence."""
    from desktop.operations import public_template_store as public
    from desktop.operations import template_store
    from desktop.store.models import Setting

    found = []
    for key, entity in ((template_store.KEY, "notice_template"), (public.KEY, "publicity_template")):
        try:
            template_store.check_against_log(key, entity)
        except StdAwardError as exc:
            found.append(str(exc))
    for row in Setting.select(Setting.key).where(Setting.key.startswith(f"{public.LIST_KEY}.")):
        try:
            public.list_wording(row.key[len(public.LIST_KEY) + 1:])
        except StdAwardError as exc:
            found.append(str(exc))
    return found


def _imported(rnd: Any) -> bool:
    """A round another office approved and a package brought: its lines pay only records from
    elsewhere (an origin set), none of this office's own."""
    from desktop.store.models import Achievement, Award

    lines = Award.select().join(Achievement).where(Award.round == rnd.id)
    return lines.exists() and not lines.where(Achievement.origin.is_null()).exists()


def open_notes(db_path: Path | str) -> list[str]:
    """``quick_findings`` as the warnings a front end shows on opening (empty when all is well)."""
    found = quick_findings(db_path)
    if not found:
        return []
    return [_("warning: the money trail was altered outside the program: {finding} (run \"stdaward audit-verify\" "
              "for the full check)").format(finding=f) for f in found]


def round_intact(session: Session, round_uuid: str) -> None:
    """Refuse (StdAwardError naming the round) unless the round is approved and still exactly what
    its reviewer approved; notice issuing calls this before allocating numbers."""
    from desktop.store import rounds
    from desktop.store.models import AwardRound

    rnd = AwardRound.get_or_none(AwardRound.uuid == round_uuid)
    if rnd is None:
        raise StdAwardError(_("no award round {id}").format(id=round_uuid))
    rounds.check_round_intact(rnd)


@dataclass(frozen=True)
class NoticeCheck:
    """What a scanned notice proves: only signed (or, for the short code, stored) values."""

    office: str  # the issuing office by its registered name
    doc_number: str  # 发文字号 ("" for a letter of refusal the office does not number)
    recipient: str  # the recipient's unified social credit code
    total: Decimal | None  # None for a letter of refusal
    issued_on: str  # 成文日期, YYYY-MM-DD
    signed: bool  # True: an SA2 statement checked against a registered key; False: the short code here
    kind: str = "notice"  # or "refusal": a 不予奖补告知书
    claims: int = 0  # the claims a letter of refusal refuses

    @property
    def is_letter(self) -> bool:
        return self.kind == "refusal"


def verify_notice_text(session: Session, text: str) -> NoticeCheck:
    """Check what a barcode scanner typed: an ``SA2:`` statement (against the registered offices'
    keys and this office's own), or the short verification code / old QR payload (against this
    database's notices). Raises StdAwardError saying why it is refused (altered, forged, unknown key,
    unknown code, void)."""
    from desktop.notices import verify as V
    from desktop.operations import statements
    from desktop.store.models import Office

    text = (text or "").strip()
    if not text:
        raise StdAwardError(_("nothing was scanned: scan the notice's QR code or type its verification code"))
    if len(text) > 2000:
        raise StdAwardError(_("this is too long to be a notice's code ({n} characters)").format(n=len(text)))
    if V.is_statement(text):
        info = statements.verify_text(text)
        if info.get("status") == NoticeStatus.VOID:
            raise StdAwardError(_("notice {number} was voided by this office: it no longer stands").format(
                number=info["doc_number"]))
        if info.get("kind") == V.LETTER:
            return NoticeCheck(info["office"], info["doc_number"], info["enterprise"], None, info["issued_on"], True,
                               V.LETTER, info["claims"])
        return NoticeCheck(info["office"], info["doc_number"], info["enterprise"], Decimal(info["total"]),
                           info["issued_on"], True)
    from desktop.operations import notices

    found = notices.verify(session, text)
    own = Office.select(Office.name).order_by(Office.id).first()  # type: ignore[attr-defined]  # peewee's id
    if found.get("kind") == V.LETTER:
        return NoticeCheck(own.name if own is not None else "", found["doc_number"], found["enterprise"], None,
                           found["issued_on"], False, V.LETTER, found["claims"])
    return NoticeCheck(own.name if own is not None else "", found["doc_number"], found["enterprise"],
                       Decimal(found["total"]), found["issued_on"], False)
