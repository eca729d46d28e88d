"""Issuing notices in the database: 发文字号 serials, stored content, printing, reprints, verification.

Public API (CLI and GUI share it):

* ``issue_from_results(results, achievements, names, policy, issued_on, year, round_uuid=None,
  user=None) -> list[Notice]`` — one notice per enterprise with a paying award. The text is checked
  against the fonts *before* any serial is allocated (a missing glyph costs no number); then, in one
  transaction, serials are allocated and ``Notice`` rows stored with status ``pending``, everything
  they are printed from in ``content`` and its SHA-256 in ``content_hash``.
* ``issue_for_round(round_uuid, issued_on, user=None) -> list[Notice]`` — the same for an approved
  award round (``desktop.store.rounds``); a round's notices are issued once.
* ``void(notice, user, reason)`` — withdraws a notice; its number stays used, the reason is audited.
* ``write_round_summary(round_uuid, out_path)`` / ``write_summary(...)`` — the 汇总表 (PDF or xlsx).
* ``print_notices(notices, out_path, copy="enterprise"|"archive", progress=None, cancel=None)`` —
  renders, then marks the notices ``issued``; if rendering fails or is cancelled they are marked
  ``failed`` (never silently skipped: their numbers stay allocated, are listed, and ``reprint``
  prints them from the stored content).
* ``find(ref)`` by uuid or 发文字号, ``notice_data(notice)`` (checks the stored hash),
  ``verify(code)`` for ``stdaward verify-notice``.

Serials: ``NoticeSerial`` holds the last serial per office prefix and year; allocation raises it
inside the issuing transaction (SQLite serialises writers), never below a number already used, so
a number is never reused. Every allocation and status change is in the audit log.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from peewee import fn

from desktop.core.award import AwardResult
from desktop.core.errors import Problem, StdAwardError, ValidationFailed
from desktop.core.i18n import _
from desktop.core.money import money_str
from desktop.notices import content as C
from desktop.notices import fonts as fontmod
from desktop.notices import verify as V
from desktop.store import audit
from desktop.store import office as officemod
from desktop.store.db import current_user
from desktop.store.models import Enterprise, Notice, NoticeSerial, database, new_uuid


def allocate(prefix: str, year: int, count: int = 1) -> list[int]:
    """The next ``count`` serials for ``prefix`` and ``year`` (call inside a transaction)."""
    row, _created = NoticeSerial.get_or_create(prefix=prefix, year=year, defaults={"last": 0})
    used = (Notice.select(fn.MAX(Notice.serial)).where(Notice.year == year,
                                                       Notice.doc_number.startswith(f"{prefix}〔")).scalar() or 0)
    start = max(row.last, used) + 1
    NoticeSerial.update(last=start + count - 1).where(NoticeSerial.id == row.id).execute()
    return list(range(start, start + count))


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


def issue_from_results(results: Sequence[AwardResult], achievements: Mapping[str, Any],
                       names: Mapping[str, str], policy: Any, issued_on: dt.date, year: int,
                       round_uuid: str | None = None, user: str | None = None) -> list[Notice]:
    """Allocate 发文字号 and store one pending notice per enterprise with a paying award."""
    user = user or current_user
    office = officemod.require()
    if not office.doc_prefix:
        raise StdAwardError(_("the office profile has no document number prefix (发文字号, e.g. 城市监): "
                              "set it with \"stdaward office --doc-prefix ...\""))
    missing = [Problem(r.id, "enterprise", _("no name for enterprise {code}: add it to the database or "
                                             "under \"enterprises\" in the file").format(code=r.enterprise))
               for r in results if r.enterprise and r.enterprise not in names
               and r.status in C.PAYING and r.amount]
    if missing:
        raise ValidationFailed(missing)
    fonts = fontmod.choose(office.settings)
    from desktop.store import wording

    drafts = C.build_drafts(results, achievements, names, {**officemod.as_dict(office), "settings": office.settings},
                            _policy_info(policy), issued_on, year, {r: f.as_dict() for r, f in fonts.items()},
                            round_uuid, template=wording.for_notices())
    if not drafts:
        raise StdAwardError(_("no enterprise has an award to notify (nothing awarded with an amount)"))
    problems: list[Problem] = []
    for d in drafts:  # every glyph checked before a single number is allocated
        try:
            fontmod.check_texts(fonts["body"], C.body_texts(d.content))
            fontmod.check_texts(fonts["heading"], C.heading_texts(d.content))
        except ValidationFailed as exc:
            problems += exc.problems
    if problems:
        raise ValidationFailed(problems)
    with database.atomic():
        ents = _ensure_enterprises(drafts, user)
        serials = allocate(office.doc_prefix, issued_on.year, len(drafts))
        notices = []
        for d, serial in zip(drafts, serials):
            uid = new_uuid()
            content = C.finalise(d, uid, office.doc_prefix, serial)
            chash = V.content_hash(content)
            n = Notice.create(uuid=uid, round=_round_id(round_uuid), enterprise=ents[d.enterprise].id,
                              year=issued_on.year, serial=serial, doc_number=content["doc_number"],
                              issued_on=issued_on, status="pending", content=content, content_hash=chash,
                              total=d.total)
            audit.record(user, "issue", "notice", uid, None, {
                "doc_number": n.doc_number, "enterprise": d.enterprise, "total": money_str(d.total),
                "content_hash": chash, "status": "pending"})
            notices.append(n)
    return notices


def _round_id(round_uuid: str | None) -> int | None:
    if not round_uuid:
        return None
    from desktop.store.models import AwardRound

    return AwardRound.get(AwardRound.uuid == round_uuid).id


def issue_for_round(round_uuid: str, issued_on: dt.date, user: str | None = None) -> list[Notice]:
    """Notices for an approved award round: one per enterprise with a paying award line whose
    decision is not rejected (discretionary lines with the amount the officer set). A round's
    notices are issued once; only when every one of them has been voided can it be issued again
    (with new numbers: a voided number is never reused)."""
    from desktop.store import rounds
    from desktop.store.models import AwardRound

    rnd = AwardRound.get_or_none(AwardRound.uuid == round_uuid)
    if rnd is None:
        raise StdAwardError(_("no award round {id}").format(id=round_uuid))
    if rnd.status != "approved":
        raise StdAwardError(_("round {id} is {status}: notices are issued only for an approved round").format(
            id=round_uuid, status=rnd.status))
    done = [n.doc_number for n in Notice.select().where(Notice.round == rnd.id, Notice.status != "void")
            .order_by(Notice.serial)]
    if done:
        raise StdAwardError(_("this round's notices were already issued ({numbers}); use \"stdaward reprint\"").format(
            numbers=", ".join(done)))
    results, achs = round_lines(rnd)
    names = {e.uscc: e.name for e in Enterprise.select().where(Enterprise.uscc.in_({r.enterprise for r in results}))}
    policy = _policy_info(rounds.load_policy(rnd.policy_id))  # the office's own measures too
    policy["content_hash"] = rnd.policy_hash
    return issue_from_results(results, achs, names, policy, issued_on, rnd.year, rnd.uuid, user)


def round_lines(rnd: Any) -> tuple[list[AwardResult], dict[str, Any]]:
    """A stored round's award lines, without those whose decision is rejected, and the
    achievements they are for (vocabulary objects by id)."""
    from desktop.store import rounds
    from desktop.store.models import Achievement, Award
    from desktop.store.records import to_vocabulary

    rejected = {row.achievement.source_id for row in Award.select(Award, Achievement.source_id).join(Achievement)
                .where(Award.round == rnd.id, Award.decision == "rejected")}
    results = [r for r in rounds.round_results(rnd) if r.id not in rejected]
    q = (Achievement.select(Achievement, Enterprise).join(Enterprise).switch(Achievement)
         .join(Award).where(Award.round == rnd.id))
    return results, {a.source_id: to_vocabulary(a, a.enterprise.uscc) for a in q}


def write_summary(policy: Any, results: Sequence[AwardResult], achievements: Mapping[str, Any],
                  names: Mapping[str, str], year: int, out_path: Path | str,
                  progress: Callable[[int, int], None] | None = None,
                  cancel: Callable[[], bool] | None = None, draft: bool = False) -> Path:
    """The office's 汇总表 of ``results`` under ``policy`` (PDF or xlsx by the suffix), each item
    named by its rule's label filled in for the achievement; ``draft`` marks it 草稿."""
    from desktop.notices.summary import item_labels, render_summary, rows_from_results

    office = officemod.require()
    rows = rows_from_results(results, names, item_labels=item_labels(policy, results, achievements))
    return render_summary(rows, Path(out_path), title=f"{office.name}{year}年度标准化奖补资金汇总表",
                          funds={fid: f.name for fid, f in getattr(policy, "funds", {}).items()},
                          settings=office.settings, progress=progress, cancel=cancel,
                          subtitle=f"{policy.title}（{policy.document_number or policy.id}）", draft=draft,
                          office=office.name)


def write_round_summary(round_uuid: str, out_path: Path | str, progress: Callable[[int, int], None] | None = None,
                        cancel: Callable[[], bool] | None = None) -> Path:
    """The 汇总表 of a stored round (any status: it is what a reviewer approves), PDF or xlsx:
    its paying lines, rejected decisions left out, under the policy it was computed with."""
    from desktop.store import rounds
    from desktop.store.models import AwardRound

    rnd = AwardRound.get_or_none(AwardRound.uuid == round_uuid)
    if rnd is None:
        raise StdAwardError(_("no award round {id}").format(id=round_uuid))
    results, achs = round_lines(rnd)
    names = {e.uscc: e.name for e in Enterprise.select().where(Enterprise.uscc.in_({r.enterprise for r in results}))}
    return write_summary(rounds.load_policy(rnd.policy_id), results, achs, names, rnd.year, Path(out_path),
                         progress=progress, cancel=cancel, draft=rnd.status != "approved")


def void(notice: Notice, user: str, reason: str) -> Notice:
    """Withdraw a notice (e.g. issued with a wrong amount). It keeps its 发文字号, which is never
    given to another notice, stays in the list, and no longer verifies; the reason is in the audit log."""
    reason = (reason or "").strip()
    n = Notice.get_by_id(notice.id)
    if not reason:
        raise StdAwardError(_("say why notice {number} is voided (a reason is required)").format(number=n.doc_number))
    if n.status == "void":
        raise StdAwardError(_("notice {number} is already void").format(number=n.doc_number))
    with database.atomic():
        before = n.status
        Notice.update(status="void").where(Notice.id == n.id).execute()
        audit.record(user, "void", "notice", n.uuid, {"status": before},
                     {"status": "void", "doc_number": n.doc_number, "reason": reason})
    n.status = "void"
    return n


def notice_data(notice: Notice) -> dict[str, Any]:
    """``{"content", "content_hash"}`` for rendering, after checking the stored hash still matches."""
    if V.content_hash(notice.content) != notice.content_hash:
        raise StdAwardError(_("notice {number} was altered in the database: its content no longer matches "
                              "its hash").format(number=notice.doc_number))
    return {"content": notice.content, "content_hash": notice.content_hash}


def _set_status(notices: Sequence[Notice], status: str, user: str, note: str | None = None) -> None:
    with database.atomic():
        for n in notices:
            before = n.status
            if before == status:
                continue
            Notice.update(status=status).where(Notice.id == n.id).execute()
            n.status = status
            audit.record(user, "status", "notice", n.uuid, {"status": before},
                         {"status": status, "doc_number": n.doc_number, **({"note": note} if note else {})})


def print_notices(notices: Sequence[Notice], out_path: Path | str, copy: str = "enterprise",
                  progress: Callable[[int, int], None] | None = None,
                  cancel: Callable[[], bool] | None = None, user: str | None = None,
                  duplex: bool = False) -> Path:
    """Render stored notices; ``issued`` on success, ``failed`` (and re-raised) otherwise."""
    from desktop.notices import render_notices

    user = user or current_user
    try:
        path = render_notices([notice_data(n) for n in notices], out_path, copy=copy, progress=progress,
                              cancel=cancel, duplex=duplex)
    except BaseException as exc:
        pending = [n for n in notices if n.status != "issued"]
        _set_status(pending, "failed", user, str(exc)[:200])
        raise
    if copy == "enterprise":
        _set_status(notices, "issued", user)
    return path


def find(ref: str) -> Notice:
    """A notice by uuid or 发文字号 (城市监〔2026〕12号; [ ] accepted for 〔 〕)."""
    norm = ref.strip().replace("[", "〔").replace("]", "〕")
    n = Notice.get_or_none((Notice.uuid == norm) | (Notice.doc_number == norm))
    if n is None:
        raise StdAwardError(_("no notice {ref}").format(ref=ref))
    return n


def listing_row(n: Notice) -> dict[str, Any]:
    return {"uuid": n.uuid, "doc_number": n.doc_number, "enterprise": n.enterprise.uscc,
            "name": n.enterprise.name, "issued_on": n.issued_on.isoformat(), "status": n.status,
            "total": money_str(n.total), "code": V.verification_code(n.uuid, n.content_hash)}


def listing(year: int | None = None) -> list[dict[str, Any]]:
    q = Notice.select(Notice, Enterprise).join(Enterprise)
    if year is not None:
        q = q.where(Notice.year == year)
    return [listing_row(n) for n in q.order_by(Notice.year, Notice.serial)]


def verify(code: str) -> dict[str, Any]:
    """Check a verification code (or a scanned QR payload) against the database.

    Returns the notice's particulars with ``valid`` True, or raises StdAwardError saying why not
    (unknown code, altered content, voided notice)."""
    parsed = V.parse_payload(code)
    if parsed:
        uid, prefix = parsed
        n = next((row for row in Notice.select().where(Notice.uuid.startswith(uid))
                  if row.content_hash.startswith(prefix)), None)
        if n is None:
            raise StdAwardError(_("no notice matches this QR code: it was not issued by this office's database"))
    else:
        want = V.normalise_code(code)
        n = next((row for row in Notice.select() if V.verification_code(row.uuid, row.content_hash) == want), None)
        if n is None:
            raise StdAwardError(_("no notice has the verification code {code}").format(code=want))
    notice_data(n)  # raises if the stored content was altered
    if n.status == "void":
        raise StdAwardError(_("notice {number} was voided").format(number=n.doc_number))
    return {"valid": True, "doc_number": n.doc_number, "enterprise": n.enterprise.uscc,
            "name": n.content["recipient"]["name"], "issued_on": n.issued_on.isoformat(),
            "total": money_str(n.total), "status": n.status,
            "code": V.verification_code(n.uuid, n.content_hash), "uuid": n.uuid}
