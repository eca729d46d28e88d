"""Notices as use cases: issuing 发文字号 from approved rounds, drafts, printing, reprints, voiding,
verification and summaries. Every function takes the ``Session`` first.

* ``issue_round(session, round_uuid, issued_on=None) -> list[Notice]`` — official notices only from
  an approved round (``notices.issue``: reviewer or administrator). One notice per enterprise whose
  paying, not rejected award lines are not yet on an issued (not void) notice. Running it again
  allocates nothing and says which numbers already cover the round (``AlreadyIssued``). A line whose
  notice was voided is issuable again; its new notice records the number it replaces and says so.
  The text is checked against the fonts *before* any serial is allocated (a missing glyph costs no
  number); serials and ``Notice`` rows (status ``pending``) are written in one transaction.
* ``draft(session, results, achievements, names, policy, issued_on, year, out_path)`` — the same
  layout from a file without a round: 样稿 on every page, no 发文字号, nothing recorded.
* ``print_notices(session, notices, out_path, copy)`` — renders, then marks the notices ``issued``
  (the 存档联 print is recorded as such); if rendering fails or is cancelled, the notices not yet
  issued are marked ``failed``. A void notice stays void and its reprint says 作废 on every page.
* ``needs_print(session)`` / ``reprint_pending(session, out_path)`` — notices left ``pending`` (a
  crash while rendering) or ``failed``, and one batch reprint of them.
* ``void(session, ref, reason)`` — final; the number stays used, the reason and date are audited and
  shown by ``verify``.
* ``find``, ``listing``, ``verify``, ``write_summary``, ``write_round_summary``.

Serials come from ``desktop.store.serials.allocate`` inside the issuing transaction; a number is never
reused. Every allocation and status change is in the audit log under the session's user.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.award import AwardResult
from desktop.core.batches import batches
from desktop.core.docnames import number_list, unique_path
from desktop.core.errors import Problem, StdAwardError, ValidationFailed
from desktop.core.faultpoints import fault_point
from desktop.core.i18n import _
from desktop.core.ids import random_uuid
from desktop.core.money import money_str
from desktop.core.progress import as_callbacks
from desktop.core.status import PAYING, Decision, NoticeStatus, RoundStatus, notice_status_label
from desktop.notices import content as C
from desktop.notices import fonts as fontmod
from desktop.notices import verify as V
from desktop.operations.session import Session
from desktop.store import audit
from desktop.store import office as officemod
from desktop.store.models import AuditEntry, AwardRound, Enterprise, Notice, User, database
from desktop.store.serials import allocate, hold

NEEDS_PRINT = (NoticeStatus.PENDING.value, NoticeStatus.FAILED.value)


def status_label(status: str) -> str:
    """A notice's status as an officer reads it (``core.status``)."""
    return notice_status_label(status)


class AlreadyIssued(StdAwardError):
    """Every award line asked for is already on an issued notice; nothing was allocated."""

    def __init__(self, numbers: Sequence[str]) -> None:
        self.numbers = list(numbers)
        super().__init__(_("these awards are already on issued notices {numbers}: no new number was allocated "
                           "(reprint them, or void one to issue it again)").format(numbers="、".join(self.numbers)))


class NoticeVoid(StdAwardError):
    """A verification of a voided notice: the notice exists but no longer stands."""

    def __init__(self, number: str, on: str, reason: str) -> None:
        self.number, self.on, self.reason = number, on, reason
        super().__init__(_("notice {number}: 已作废 (void) since {date}; reason: {reason}").format(
            number=number, date=on or "?", reason=reason or "?"))


def _policy_info(policy: Any) -> dict[str, Any]:
    if isinstance(policy, Mapping):
        return dict(policy)
    return {"id": policy.id, "title": policy.title, "document_number": policy.document_number,
            "content_hash": policy.content_hash}


def _ensure_enterprises(drafts: Sequence[C.Draft], user: str) -> dict[str, Enterprise]:
    rows = {e.uscc: e for e in Enterprise.select().where(Enterprise.uscc.in_([d.enterprise for d in drafts]))}
    for d in drafts:
        if d.enterprise not in rows:
            row = Enterprise.create(uscc=d.enterprise, name=d.enterprise_name)
            audit.record(user, "create", "enterprise", row.uuid, None, {"uscc": d.enterprise, "name": d.enterprise_name,
                                                                        "via": "notice"})
            rows[d.enterprise] = row
    return rows


def _paying(r: AwardResult) -> bool:
    return r.status in PAYING and r.amount is not None and r.amount > 0 and bool(r.enterprise)


def _drafts(results: Sequence[AwardResult], achievements: Mapping[str, Any], names: Mapping[str, str],
            policy: Any, issued_on: dt.date, year: int, round_uuid: str | None) -> tuple[Any, list[C.Draft]]:
    """The office and the checked drafts (names present, every glyph in its font)."""
    office = officemod.require()
    missing = [Problem(r.id, "enterprise", _("no name for enterprise {code}: add it to the database or "
                                             "under \"enterprises\" in the file").format(code=r.enterprise))
               for r in results if _paying(r) and r.enterprise not in names]
    if missing:
        raise ValidationFailed(missing)
    fonts = fontmod.choose(office.settings)
    from desktop.operations import template_store as wording

    drafts = C.build_drafts(results, achievements, names, {**officemod.as_dict(office), "settings": office.settings},
                            _policy_info(policy), issued_on, year, {r: f.as_dict() for r, f in fonts.items()},
                            round_uuid, template=wording.for_notices())
    if not drafts:
        raise StdAwardError(_("no enterprise has an award to notify (nothing awarded with an amount)"))
    return office, drafts


def _check_glyphs(drafts: Sequence[C.Draft], office: Any) -> None:
    fonts = fontmod.choose(office.settings)
    problems: list[Problem] = []
    for d in drafts:  # every glyph checked before a single number is allocated
        try:
            fontmod.check_texts(fonts["body"], C.body_texts(d.content))
            fontmod.check_texts(fonts["heading"], C.heading_texts(d.content))
        except ValidationFailed as exc:
            problems += exc.problems
    if problems:
        raise ValidationFailed(problems)


def _lines_on_notices(statuses: Sequence[str] | None = None, exclude: Sequence[str] | None = None,
                      enterprises: Sequence[str] | None = None) -> dict[tuple[str, str], list[str]]:
    """(enterprise USCC, achievement id) → the 发文字号 of the notices carrying that award line."""
    q = Notice.select(Notice.doc_number, Notice.content, Notice.status).order_by(Notice.year, Notice.serial)
    if statuses is not None:
        q = q.where(Notice.status.in_(list(statuses)))
    if exclude is not None:
        q = q.where(Notice.status.not_in(list(exclude)))
    if enterprises is not None:
        q = q.join(Enterprise).where(Enterprise.uscc.in_(list(enterprises)))
    out: dict[tuple[str, str], list[str]] = {}
    for n in q:
        uscc = n.content["recipient"]["uscc"]
        for line in n.content.get("lines") or ():
            out.setdefault((uscc, str(line["achievement"])), []).append(n.doc_number)
    return out


def _replacement(d: C.Draft, replaces: list[str]) -> None:
    """Name the voided notices this one replaces, in its record and in its text (before 特此通知)."""
    d.content["replaces"] = replaces
    paras = list(d.content["text"]["paragraphs"])
    paras.insert(len(paras) - 1, f"本通知替代已作废的{'、'.join(replaces)}通知。")
    d.content["text"] = {**d.content["text"], "paragraphs": paras}


def _issue(session: Session, results: Sequence[AwardResult], achievements: Mapping[str, Any],
           names: Mapping[str, str], policy: Any, issued_on: dt.date, year: int, round_uuid: str | None) -> list[Notice]:
    """Allocate 发文字号 and store one pending notice per enterprise with a paying award line that no
    issued notice carries yet (checked again inside the transaction that allocates)."""
    user = session.username
    office = officemod.require()
    if not office.doc_prefix:
        raise StdAwardError(_("the office profile has no document number prefix (发文字号, e.g. 城市监): "
                              "set it with \"stdaward office --doc-prefix ...\""))
    paying = [r for r in results if _paying(r)]
    with database.atomic():
        hold(office.doc_prefix, issued_on.year)  # the register first: two officers never issue the same lines
        covered = _lines_on_notices(exclude=[NoticeStatus.VOID.value],
                                    enterprises=sorted({r.enterprise for r in paying if r.enterprise}))
        todo = [r for r in results if (r.enterprise, r.id) not in covered]
        numbers = sorted({num for r in paying for num in covered.get((r.enterprise or "", r.id), ())})
        if paying and not any(_paying(r) for r in todo):
            raise AlreadyIssued(numbers)
        office, drafts = _drafts(todo, achievements, names, policy, issued_on, year, round_uuid)
        voided = _lines_on_notices(statuses=[NoticeStatus.VOID.value], enterprises=[d.enterprise for d in drafts])
        for d in drafts:
            replaces = sorted({num for line in d.content["lines"]
                               for num in voided.get((d.enterprise, str(line["achievement"])), ())})
            if replaces:
                _replacement(d, replaces)
        _check_glyphs(drafts, office)
        ents = _ensure_enterprises(drafts, user)
        serials = allocate(office.doc_prefix, issued_on.year, len(drafts))
        notices = []
        for d, serial in zip(drafts, serials):
            uid = random_uuid()  # printed on the notice: no time in it
            content = C.finalise(d, uid, office.doc_prefix, serial)
            chash = V.content_hash(content)
            n = Notice.create(uuid=uid, round=_round_id(round_uuid), enterprise=ents[d.enterprise].id,  # type: ignore[attr-defined]  # peewee's implicit id
                              year=issued_on.year, serial=serial, doc_number=content["doc_number"],
                              issued_on=issued_on, status=NoticeStatus.PENDING.value, content=content,
                              content_hash=chash, total=d.total)
            audit.record(user, "issue", "notice", uid, None, {
                "doc_number": n.doc_number, "enterprise": d.enterprise, "total": money_str(d.total),
                "content_hash": chash, "status": NoticeStatus.PENDING.value,
                **({"replaces": d.content["replaces"]} if d.content.get("replaces") else {})})
            notices.append(n)
    return notices


def _round_id(round_uuid: str | None) -> int | None:
    if not round_uuid:
        return None
    return int(_round(round_uuid).id)


def _round(round_uuid: str) -> Any:
    """A round by its global id or its year (the officer knows the year; the id is the program's)."""
    from desktop.operations.rounds import _get

    return _get(round_uuid)


def received_from(rnd: AwardRound) -> str | None:
    """The office (a county, at the city) whose package brought the round ``rnd`` — its award lines
    pay achievements of that origin — by its registered name; None for this office's own round."""
    from desktop.store.models import Achievement, Award, KnownOffice

    if not Achievement.select().where(Achievement.origin.is_null(False)).exists():
        return None  # a county's database (or a city's with nothing received): every round is its own
    row = (Award.select(Achievement.origin).join(Achievement)
           .where(Award.round == rnd, Achievement.origin.is_null(False)).limit(1).tuples().first())
    if row is None:
        return None
    known = KnownOffice.get_or_none(KnownOffice.uuid == row[0])
    return known.name if known is not None else _("another office")


def issue_round(session: Session, round_uuid: str, issued_on: dt.date | None = None) -> list[Notice]:
    """Official notices for an approved round: one per enterprise with paying award lines (decision
    not rejected; discretionary lines with the amount the officer set) that no issued notice carries.
    Raises AlreadyIssued (allocating nothing) when every line is already on an issued notice."""
    from desktop.operations import round_work
    from desktop.store import rounds

    session.require("notices.issue")
    rnd = _round(round_uuid)
    if rnd.status != RoundStatus.APPROVED.value:
        raise StdAwardError(_("the round for {year} is {status}: notices are issued only for an approved round").format(
            year=rnd.year, status=RoundStatus(rnd.status).label))
    county = received_from(rnd)
    if county is not None:  # a county's round, in its package at the city: the county issues its notices
        raise StdAwardError(_("the round for {year} is {office}'s, received in its package: its notices are issued "
                              "there, not here").format(year=rnd.year, office=county))
    rounds.check_round_intact(rnd)  # the lines are still exactly what the reviewer approved
    from desktop.operations.integrity import check_no_missing_notices

    check_no_missing_notices()  # a notice deleted by hand would leave its lines to be issued (and paid) again
    from desktop.operations.publicity import check_may_issue

    check_may_issue(session, rnd)  # the 公示 has ended with every objection closed (or the office skips it)
    results, achs = round_lines(rnd)
    names = {e.uscc: e.name for e in Enterprise.select().where(Enterprise.uscc.in_({r.enterprise for r in results}))}
    policy = _policy_info(round_work.load_policy(rnd.policy_id))  # the office's own measures too
    policy["content_hash"] = rnd.policy_hash
    return _issue(session, results, achs, names, policy, issued_on or session.today(), rnd.year, rnd.uuid)


def round_lines(rnd: Any) -> tuple[list[AwardResult], dict[str, Any]]:
    """A stored round's award lines, without those whose decision is rejected, and the
    achievements they are for (vocabulary objects by id)."""
    from desktop.store import rounds
    from desktop.store.models import Achievement, Award
    from desktop.store.records import to_vocabulary

    rejected = {row.achievement.source_id for row in Award.select(Award, Achievement.source_id).join(Achievement)
                .where(Award.round == rnd.id, Award.decision == Decision.REJECTED.value)}
    results = [r for r in rounds.round_results(rnd) if r.id not in rejected]
    q = (Achievement.select(Achievement, Enterprise).join(Enterprise).switch(Achievement)
         .join(Award).where(Award.round == rnd.id))
    return results, {a.source_id: to_vocabulary(a, a.enterprise.uscc) for a in q}


def draft(session: Session, results: Sequence[AwardResult], achievements: Mapping[str, Any],
          names: Mapping[str, str], policy: Any, issued_on: dt.date, year: int, out_path: Path | str) -> Path:
    """The notices of computed results (a file, no round) as a draft: 样稿 on every page, no 发文字号,
    no verification code, nothing recorded in the database."""
    from desktop.notices.notice import render_notices

    _office, drafts = _drafts(results, achievements, names, policy, issued_on, year, None)
    items = [{"content": d.content, "content_hash": V.content_hash(d.content), "mark": C.DRAFT_MARK} for d in drafts]
    on_progress, cancel = as_callbacks(session.progress)
    return render_notices(items, out_path, progress=on_progress, cancel=cancel)


def write_summary(session: Session, policy: Any, results: Sequence[AwardResult], achievements: Mapping[str, Any],
                  names: Mapping[str, str], year: int, out_path: Path | str, draft: bool = False) -> Path:
    """The office's 汇总表 of ``results`` under ``policy`` (PDF or xlsx by the suffix), each item
    named by its rule's label filled in for the achievement; ``draft`` marks it 草稿."""
    from desktop.notices.summary import item_labels, render_summary, rows_from_results

    office = officemod.require()
    on_progress, cancel = as_callbacks(session.progress)
    rows = rows_from_results(results, names, item_labels=item_labels(policy, results, achievements))
    return render_summary(rows, Path(out_path), title=f"{office.name}{year}年度标准化奖补资金汇总表",
                          funds={fid: f.name for fid, f in getattr(policy, "funds", {}).items()},
                          settings=office.settings, progress=on_progress, cancel=cancel,
                          subtitle=f"{policy.title}（{policy.document_number or policy.issuer}）", draft=draft,
                          office=office.name)


def write_round_summary(session: Session, round_uuid: str, out_path: Path | str) -> Path:
    """The 汇总表 of a stored round (any status: it is what a reviewer approves), PDF or xlsx:
    its paying lines, rejected decisions left out, under the policy it was computed with."""
    from desktop.operations.round_work import load_policy

    rnd = _round(round_uuid)
    results, achs = round_lines(rnd)
    names = {e.uscc: e.name for e in Enterprise.select().where(Enterprise.uscc.in_({r.enterprise for r in results}))}
    return write_summary(session, load_policy(rnd.policy_id), results, achs, names, rnd.year, Path(out_path),
                         draft=rnd.status != RoundStatus.APPROVED.value)


def void(session: Session, notice: Notice | str, reason: str) -> Notice:
    """Withdraw a notice (e.g. issued with a wrong amount), for good. It keeps its 发文字号, which is
    never given to another notice, stays in the list, no longer verifies, and its award lines can be
    issued again on a notice that names it; the reason and date are in the audit log."""
    session.require("notices.void")
    n = find(session, notice) if isinstance(notice, str) else Notice.get_by_id(notice.id)  # type: ignore[attr-defined]  # peewee's implicit id
    reason = (reason or "").strip()
    if not reason:
        raise StdAwardError(_("say why notice {number} is voided (a reason is required)").format(number=n.doc_number))
    if n.status == NoticeStatus.VOID.value:
        raise StdAwardError(_("notice {number} is already void").format(number=n.doc_number))
    from desktop.store import payments

    payments.can_void(n)  # a paid notice needs its payment reversed first
    with database.atomic():
        before = n.status
        Notice.update(status=NoticeStatus.VOID.value).where(Notice.id == n.id).execute()  # type: ignore[attr-defined]  # peewee's implicit id
        audit.record(session.username, "void", "notice", n.uuid, {"status": before},
                     {"status": NoticeStatus.VOID.value, "doc_number": n.doc_number, "reason": reason,
                      "on": session.today().isoformat()})
    n.status = NoticeStatus.VOID.value
    return n


def void_info(n: Notice) -> tuple[str, str]:
    """(date, reason) a notice was voided, from the audit log."""
    e = (AuditEntry.select().where(AuditEntry.entity == "notice", AuditEntry.entity_uuid == n.uuid,
                                   AuditEntry.action == "void").order_by(AuditEntry.id.desc()).first())  # type: ignore[attr-defined]  # peewee's implicit id
    if e is None:
        return "", ""
    after = e.after or {}
    return str(after.get("on") or e.at.date().isoformat()), str(after.get("reason") or "")


def notice_data(notice: Notice) -> dict[str, Any]:
    """``{"content", "content_hash", "mark"}`` for rendering, after checking the stored hash still
    matches; a void notice is marked 作废."""
    if V.content_hash(notice.content) != notice.content_hash:
        raise StdAwardError(_("notice {number} was altered in the database: its content no longer matches "
                              "its hash").format(number=notice.doc_number))
    mark = C.VOID_MARK if notice.status == NoticeStatus.VOID.value else None
    return {"content": notice.content, "content_hash": notice.content_hash, "mark": mark, "qr": _statement(notice)}


def _statement(notice: Notice) -> str | None:
    """The QR's signed statement (anyone holding the office card verifies it offline); None for a
    void notice, or one this office did not issue (its copy at the city), which keep the short code."""
    from desktop.operations import statements

    if notice.status == NoticeStatus.VOID.value or not notice.doc_number:
        return None
    try:
        return statements.statement_for(notice)
    except StdAwardError:
        return None


def _set_status(notices: Sequence[Notice], status: str, user: str, note: str | None = None) -> None:
    with database.atomic():
        for n in notices:
            before = n.status
            if before in (status, NoticeStatus.VOID.value):  # void is final
                continue
            Notice.update(status=status).where(Notice.id == n.id).execute()  # type: ignore[attr-defined]  # peewee's implicit id
            n.status = status
            audit.record(user, "status", "notice", n.uuid, {"status": before},
                         {"status": status, "doc_number": n.doc_number, **({"note": note} if note else {})})
            fault_point("notices", "in-transaction")


def print_notices(session: Session, notices: Sequence[Notice], out_path: Path | str,
                  copy: str = "enterprise", duplex: bool = False) -> Path:
    """Render stored notices. The enterprise copy marks them ``issued`` on success (``failed``, and
    re-raised, otherwise); the 存档联 print is recorded. Void notices stay void and print as 作废."""
    from desktop.notices.notice import render_notices

    session.require("notices.print")
    notices = _fresh(notices)  # the status as stored now, not as remembered
    on_progress, cancel = as_callbacks(session.progress)
    items = [notice_data(n) for n in notices]
    if copy == "archive":
        head = archive_head_line()
        approvals: dict[str, str | None] = {}
        for item in items:
            rnd = item["content"].get("round")
            if rnd not in approvals:
                approvals[rnd] = approval_line(rnd)
            item["trail"] = [line for line in (approvals[rnd], head) if line]
    try:
        path = render_notices(items, out_path, copy=copy, progress=on_progress, cancel=cancel, duplex=duplex)
    except BaseException as exc:
        if copy == "enterprise":
            _set_status([n for n in notices if n.status != NoticeStatus.ISSUED.value], NoticeStatus.FAILED.value,
                        session.username, str(exc)[:200] or type(exc).__name__)
        raise
    if copy == "enterprise":
        _set_status(notices, NoticeStatus.ISSUED.value, session.username)
    else:
        with database.atomic():
            for n in notices:
                audit.record(session.username, "print_archive", "notice", n.uuid, None,
                             {"doc_number": n.doc_number, "copy": "archive"})
    return path


def _check_value(digest: str) -> str:
    """The first 16 hex digits of a digest in groups of four, as an auditor copies it by hand."""
    head = digest[:16].upper()
    return " ".join(head[i:i + 4] for i in range(0, 16, 4))


def _person(username: str | None) -> str:
    if not username:
        return "—"
    user = User.get_or_none(User.username == username)
    return user.display_name if user is not None and user.display_name else username


def approval_day(rnd: Any) -> dt.date | None:
    """The day the round was approved (None for a round without a recorded approval)."""
    when = rnd.approved_at
    if isinstance(when, str):
        try:
            return dt.date.fromisoformat(when[:10])
        except ValueError:
            return None
    if isinstance(when, dt.datetime):
        return when.date()
    return when if isinstance(when, dt.date) else None


def approval_line(round_uuid: str | None) -> str | None:
    """The 存档联's account of the round's approval: who prepared and approved it, when, and the
    check value of the lines as approved (what ``audit-verify`` compares them with)."""
    if not round_uuid:
        return None
    rnd = AwardRound.get_or_none(AwardRound.uuid == round_uuid)
    if rnd is None or rnd.status != RoundStatus.APPROVED.value:
        return None
    when = approval_day(rnd)
    day = f"{when.year}年{when.month}月{when.day}日" if when is not None else "—"
    line = f"本轮奖补名单由{_person(rnd.prepared_by)}编制，经{_person(rnd.reviewed_by)}于{day}审核批准"
    if rnd.approved_digest:
        line += f"，批准时名单校验值{_check_value(rnd.approved_digest)}"
    return line + "。"


def archive_head_line() -> str:
    """The audit log's head when the 存档联 is printed: an auditor holding the paper later sees that
    the log still has at least these entries ending in this value (a log cut short or rewritten
    after printing no longer matches)."""
    head = audit.current_head()
    line = f"打印时审计日志共{head['count']}条，末条校验值{_check_value(head['hash'])}"
    if head.get("fingerprint"):
        line += f"，本局签名密钥指纹{head['fingerprint']}"
    return line + "。"


def _fresh(notices: Sequence[Notice]) -> list[Notice]:
    """The same notices read again (one query), in the order given."""
    ids = [n.id for n in notices]  # type: ignore[attr-defined]  # peewee's implicit id
    rows: dict[int, Notice] = {}
    for part in batches(ids):
        rows.update({n.id: n for n in Notice.select().where(Notice.id.in_(part))})  # type: ignore[attr-defined]  # peewee's implicit id
    return [rows[i] for i in ids]


def archive_printed(uuids: Sequence[str] | None = None) -> set[str]:
    """The uuids of the notices whose 存档联 has been printed."""
    q = AuditEntry.select(AuditEntry.entity_uuid).where(AuditEntry.entity == "notice",
                                                        AuditEntry.action == "print_archive")
    if uuids is not None:
        q = q.where(AuditEntry.entity_uuid.in_(list(uuids)))
    return {str(e.entity_uuid) for e in q}


def reprint(session: Session, ref: str, out_path: Path | str, copy: str = "enterprise") -> Path:
    """Print one notice again from its stored content (identical; 作废 on every page if void)."""
    return print_notices(session, [find(session, ref)], out_path, copy)


def pending(session: Session) -> list[Notice]:
    """Notices whose number is allocated but that were never printed (a crash while rendering) or
    whose printing failed: they need a reprint."""
    return list(Notice.select(Notice, Enterprise).join(Enterprise).where(Notice.status.in_(NEEDS_PRINT))
                .order_by(Notice.year, Notice.serial))


def needs_print(session: Session) -> int:
    """How many notices need printing (pending or failed), for the overview."""
    return int(Notice.select().where(Notice.status.in_(NEEDS_PRINT)).count())


def archive_missing(session: Session) -> list[Notice]:
    """Issued notices whose 存档联 was never printed (the program stopped, or the disk filled, between
    the enterprise copies and the archive copies)."""
    issued = list(Notice.select(Notice, Enterprise).join(Enterprise)
                  .where(Notice.status == NoticeStatus.ISSUED.value).order_by(Notice.year, Notice.serial))
    done = archive_printed([n.uuid for n in issued]) if issued else set()
    return [n for n in issued if n.uuid not in done]


def reprint_pending(session: Session, out_path: Path | str, archive: Path | str | None = None) -> list[Notice]:
    """Print every pending or failed notice into one PDF; with ``archive``, the 存档联 of those and of
    every issued notice whose 存档联 was never printed. Returns the notices printed (either copy)."""
    todo = pending(session)
    extra = archive_missing(session) if archive is not None else []
    if not todo and not extra:
        raise StdAwardError(_("no notice is waiting to be printed"))
    if todo:
        print_notices(session, todo, out_path)
    if archive is not None:
        both = sorted([*todo, *extra], key=lambda n: (n.year, n.serial))
        print_notices(session, both, archive, copy="archive")
        return both
    return todo


def find(session: Session, ref: str) -> Notice:
    """A notice by uuid or 发文字号 (城市监〔2026〕12号; [ ] accepted for 〔 〕)."""
    norm = ref.strip().replace("[", "〔").replace("]", "〕")
    n = Notice.get_or_none((Notice.uuid == norm) | (Notice.doc_number == norm))
    if n is None:
        raise StdAwardError(_("no notice {ref}").format(ref=ref))
    return n


def listing_row(n: Notice, archived: set[str] | None = None) -> dict[str, Any]:
    return {"uuid": n.uuid, "doc_number": n.doc_number, "enterprise": n.enterprise.uscc, "uscc": n.enterprise.uscc,
            "name": n.enterprise.name, "issued_on": n.issued_on.isoformat(), "status": n.status,
            "total": money_str(n.total), "code": V.verification_code(n.uuid, n.content_hash),
            "needs_print": n.status in NEEDS_PRINT, "replaces": list(n.content.get("replaces") or []),
            "archive_printed": None if archived is None else n.uuid in archived}


def listing(session: Session, year: int | None = None) -> list[dict[str, Any]]:
    q = Notice.select(Notice, Enterprise).join(Enterprise)
    if year is not None:
        q = q.where(Notice.year == year)
    archived = archive_printed()
    return [listing_row(n, archived) for n in q.order_by(Notice.year, Notice.serial)]


def verify(session: Session, code: str) -> dict[str, Any]:
    """Check a verification code (or a scanned QR payload) against the database.

    Returns the notice's particulars with ``valid`` True, or raises StdAwardError saying why not
    (unknown code, altered content) or NoticeVoid (已作废, with the date and reason). A signed
    statement (``SA2:…``, from the printed QR) is checked against the registered offices' keys.
    A 不予奖补告知书 is checked the same way (``kind`` "refusal", the ``claims`` it refuses instead
    of a total)."""
    from desktop.operations import publicity

    if V.is_statement(code.strip()):
        from desktop.operations import integrity

        c = integrity.verify_notice_text(session, code)
        if c.is_letter:
            return {"valid": True, "kind": c.kind, "doc_number": c.doc_number, "name": c.office,
                    "enterprise": c.recipient, "claims": c.claims, "issued_on": c.issued_on,
                    "status": _("signed by {office}").format(office=c.office), "signed": True}
        return {"valid": True, "doc_number": c.doc_number, "name": c.office, "enterprise": c.recipient,
                "total": money_str(c.total), "issued_on": c.issued_on, "status": _("signed by {office}").format(
                    office=c.office), "signed": True}
    parsed = V.parse_payload(code)
    if parsed:
        uid, prefix = parsed
        n = next((row for row in Notice.select().where(Notice.uuid.startswith(uid))
                  if row.content_hash.startswith(prefix)), None)
        if n is None and (letter := publicity.letter_by_payload(uid, prefix)) is not None:
            return letter
        if n is None:
            raise StdAwardError(_("no notice matches this QR code: it was not issued by this office's database"))
    else:
        want = V.normalise_code(code)
        n = next((row for row in Notice.select() if V.verification_code(row.uuid, row.content_hash) == want), None)
        if n is None and (letter := publicity.letter_by_code(want)) is not None:
            return letter
        if n is None:
            raise StdAwardError(_("no notice has the verification code {code}").format(code=want))
    notice_data(n)  # raises if the stored content was altered
    if n.status == NoticeStatus.VOID.value:
        on, reason = void_info(n)
        raise NoticeVoid(n.doc_number, on, reason)
    return {"valid": True, "doc_number": n.doc_number, "enterprise": n.enterprise.uscc,
            "name": n.content["recipient"]["name"], "issued_on": n.issued_on.isoformat(),
            "total": money_str(n.total), "status": n.status,
            "code": V.verification_code(n.uuid, n.content_hash), "uuid": n.uuid}


# ---------------------------------------------------------------- what the notices screen reads and does
@dataclass(frozen=True)
class RoundChoice:
    """An approved round notices can be issued for."""

    uuid: str
    year: int
    policy_id: str


def approved_rounds(session: Session) -> list[RoundChoice]:
    from desktop.store.models import AwardRound

    return [RoundChoice(r.uuid, r.year, r.policy_id)
            for r in AwardRound.select().where(AwardRound.status == RoundStatus.APPROVED.value)
            .order_by(AwardRound.year.desc())]


def rows(session: Session, round_uuid: str | None = None) -> list[dict[str, Any]]:
    """The notices (of one round, or all), newest first, as listing rows with their id and year."""
    q = Notice.select(Notice, Enterprise).join(Enterprise)
    if round_uuid is not None:
        q = q.where(Notice.round == _round(round_uuid).id)
    notices = list(q.order_by(Notice.year.desc(), Notice.serial.desc()))
    archived = archive_printed([n.uuid for n in notices])
    return [{**listing_row(n, archived), "id": n.id, "year": n.year} for n in notices]  # type: ignore[attr-defined]  # peewee's implicit id


def issuable(session: Session, round_uuid: str) -> bool:
    """Whether the round has a paying award line that no issued (not void) notice carries."""
    results, _achs = round_lines(_round(round_uuid))
    paying = [r for r in results if _paying(r)]
    covered = _lines_on_notices(exclude=[NoticeStatus.VOID.value],
                                enterprises=sorted({r.enterprise or "" for r in paying}))
    return any((r.enterprise, r.id) not in covered for r in paying)


def issue_and_print(session: Session, round_uuid: str, issued_on: dt.date, duplex: bool = False) -> dict[str, Any]:
    """Issue an approved round's notices and print them into the office's notices folder (the
    enterprise copies, then the 存档联). A cancel or failure while printing leaves the notices
    ``failed`` with their numbers kept, to be reprinted."""
    progress = session.progress
    rnd = _round(round_uuid)
    progress.update(0, 0, _("Allocating document numbers..."))
    issued = issue_round(session, round_uuid, issued_on)
    folder = session.folder("notices") / str(rnd.year)
    folder.mkdir(parents=True, exist_ok=True)
    # named as an officer files them, by year and 发文字号; a later issue of the same round (after a
    # void) has other numbers, and a name already taken gets 「（2）」, so earlier files are kept
    span = number_list(n.doc_number for n in issued)
    out = unique_path(folder, f"{rnd.year}年度标准化奖补通知书（{span}）", ".pdf")
    archive = unique_path(folder, f"{rnd.year}年度标准化奖补通知书存档联（{span}）", ".pdf")
    for path, copy, label in ((out, "enterprise", _("Printing notice {done} of {total}...")),
                              (archive, "archive", _("Printing archive copy {done} of {total}..."))):
        print_notices(session.with_progress(_Labelled(progress, label)), issued, path, copy=copy, duplex=duplex)
    return {"path": out, "archive": archive, "count": len(issued), "numbers": [n.doc_number for n in issued],
            "number_list": span}


class _Labelled:
    """A progress that words each update with ``label`` (done, total)."""

    def __init__(self, inner: Any, label: str) -> None:
        self.inner, self.label = inner, label

    @property
    def cancelled(self) -> bool:
        return bool(self.inner.cancelled)

    def update(self, done: int, total: int = 0, text: str = "") -> None:
        self.inner.update(done, total, text or self.label.format(done=done, total=total))

    def check(self) -> None:
        self.inner.check()


def _by_ids(notice_ids: Sequence[int]) -> list[Notice]:
    return list(Notice.select().where(Notice.id.in_(list(notice_ids))).order_by(Notice.year, Notice.serial))  # type: ignore[attr-defined]  # peewee's implicit id


PREVIEW_KEEP_DAYS = 7


def preview_folder() -> Path:
    """Previews are cached in the officer's own data folder: a shared temporary folder could be
    unwritable (made by another account) or hold a file planted by another account under the name
    the preview looks for. Previews older than a week are removed."""
    import time

    from desktop.operations.quick import data_dir

    folder = data_dir() / "previews"
    folder.mkdir(parents=True, exist_ok=True)
    old = time.time() - PREVIEW_KEEP_DAYS * 86400
    for f in folder.glob("*.pdf"):
        try:
            if f.stat().st_mtime < old:
                f.unlink()
        except OSError:
            pass  # open in a viewer, or gone already: the next preview tries again
    return folder


def preview(session: Session, notice_ids: Sequence[int], copy: str) -> Path:
    """The chosen notices drawn from their stored content into a cached PDF (a preview changes no
    status; identical content gives an identical file, so the cache is keyed by the content hashes
    and the marks)."""
    from desktop.notices.notice import render_notices

    notices = _by_ids(notice_ids)
    items = [notice_data(n) for n in notices]
    key = hashlib.sha256(("|".join(f"{i['content_hash']}{i['mark'] or ''}" for i in items) + copy).encode())
    folder = preview_folder()
    path = folder / f"{key.hexdigest()[:24]}.pdf"
    if not path.exists():
        on_progress, cancel = as_callbacks(session.progress)
        render_notices(items, path, copy=copy, progress=on_progress, cancel=cancel)
    return path


def save(session: Session, notice_ids: Sequence[int], out: Path, copy: str, duplex: bool = False) -> Path:
    """Reprint the chosen notices to ``out`` (a pending or failed notice becomes issued once printed;
    a void one stays void and prints as 作废); ``duplex`` pads each to an even page count."""
    return print_notices(session, _by_ids(notice_ids), out, copy=copy, duplex=duplex)


# ---------------------------------------------------------------- drafts from a file, fonts
def compute_file(session: Session, policy_id: str, data: Any,
                 ) -> tuple[Any, list[AwardResult], dict[str, Any], dict[str, str], int]:
    """(policy, results, achievements by id, enterprise names, year) for a file of enterprises and
    achievements computed under ``policy_id`` (awards already in the database make repeats
    duplicates). Errors in the file raise ValidationFailed naming each record."""
    from desktop.core.engine import compute
    from desktop.core.policies import load_policy
    from desktop.operations.round_work import prior_awards
    from desktop.store import records

    ents, achs, problems = records.parse_load_input(data)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationFailed(errors)
    own = session.policy_dirs()[0]
    policy = load_policy(policy_id, [own] if own.is_dir() else [])
    results = compute(policy, achs, prior=prior_awards())
    names = records.enterprise_names({a.enterprise for a in achs})
    names.update({a.enterprise: a.enterprise_name for a in achs if a.enterprise_name and a.enterprise not in names})
    names.update({e.uscc: e.name for e in ents})
    paying = [a.date.year for a, r in zip(achs, results) if r.status in PAYING]
    year = max(paying) if paying else session.today().year
    return policy, results, {a.id: a for a in achs}, names, year


def fonts(session: Session, body: str | None = None, heading: str | None = None,
          reset: bool = False) -> dict[str, dict[str, Any]]:
    """The fonts notices are printed with (role → file, index, bundled...). Choosing one (a file name
    or a path) or going back to the automatic choice changes the office settings: every chosen font
    must be usable (TrueType, not CFF) before it is saved."""
    office = officemod.require()
    settings = dict(office.settings or {})
    chosen = dict(settings.get("fonts") or {})
    if reset or body or heading:
        session.require("office.settings")
        if reset:
            chosen = {}
        for role, val in (("body", body), ("heading", heading)):
            if val:
                path = Path(val)
                if path.exists():
                    fontmod.make_choice(role, path)  # refuses CFF and non-fonts now, not at printing
                    val = str(path.resolve())
                chosen[role] = val
        settings["fonts"] = chosen
        fontmod.choose(settings)
        officemod.update(settings=settings, user=session.username)
    return {role: c.as_dict() | {"path": c.path} | fontmod.describe_face(role, c)
            for role, c in fontmod.choose(settings).items()}
