"""The round's public steps as use cases: the 公示 of an approved round's list (start it, print it,
record and close objections, read its state), the office setting that switches the step off, and
the 不予奖补告知书 for every claim of an approved round that is not paid.

Starting a 公示 and closing an objection need a reviewer or an administrator; anyone may record an
objection (the clerk who takes the call); switching the step off is an office setting
(administrator). ``check_may_issue`` is what notice issuing asks before it allocates a number.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import N_, _
from desktop.core.progress import as_callbacks
from desktop.core.status import Decision, RoundStatus
from desktop.operations.session import Session

OUTCOME_LABELS = {"open": N_("open"), "upheld": N_("upheld"), "rejected": N_("not upheld")}


def outcome_label(outcome: str) -> str:
    return _(OUTCOME_LABELS.get(outcome, outcome))


@dataclass(frozen=True)
class ObjectionInfo:
    uuid: str  # for the views' selection and scripts (never shown: the officer reads ``number``)
    number: int  # its place in the 公示's objections, 1 for the first recorded (what the CLI shows)
    enterprise: str
    achievement: str
    what: str
    raised_by: str
    raised_on: dt.date
    text: str
    outcome: str
    outcome_label: str
    reason: str
    closed_by: str
    year: int = 0  # its round's

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.uuid, "number": self.number, "enterprise": self.enterprise, "achievement": self.achievement, "what": self.what,
                "raised_by": self.raised_by, "raised_on": self.raised_on.isoformat(), "text": self.text,
                "outcome": self.outcome, "reason": self.reason, "closed_by": self.closed_by}


@dataclass(frozen=True)
class PublicityState:
    """A round's 公示 as the screens and the CLI show it."""

    round_uuid: str
    year: int
    round_status: str
    required: bool  # False: the office switched the step off
    started: bool
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    days: int = 0
    objections_to: str = ""
    contact: str = ""
    started_by: str = ""
    calendar_notes: tuple[str, ...] = ()
    objections: list[ObjectionInfo] = field(default_factory=list)
    may_issue: bool = False
    why_not: str = ""  # why notices cannot be issued yet
    today: dt.date | None = None  # the day the state was read (the period runs or has ended)

    @property
    def open_objections(self) -> int:
        return sum(1 for o in self.objections if o.outcome == "open")

    def as_dict(self) -> dict[str, Any]:
        return {"round": self.round_uuid, "year": self.year, "required": self.required, "started": self.started,
                "starts_on": self.starts_on.isoformat() if self.starts_on else None,
                "ends_on": self.ends_on.isoformat() if self.ends_on else None, "days": self.days,
                "objections_to": self.objections_to, "contact": self.contact, "started_by": self.started_by,
                "calendar_notes": list(self.calendar_notes), "objections": [o.as_dict() for o in self.objections],
                "may_issue": self.may_issue, "why_not": self.why_not}


def _round(ref: str | int) -> Any:
    from desktop.operations.rounds import _get

    return _get(ref)


def _what(aw: Any) -> str:
    from desktop.notices.content import describe
    from desktop.store.records import to_vocabulary

    a = aw.achievement
    try:
        return describe(to_vocabulary(a, a.enterprise.uscc))
    except (KeyError, ValueError, TypeError, AttributeError):  # a description is a convenience
        return a.title or a.ref or ""


def _objection_info(o: Any, number: int | None = None) -> ObjectionInfo:
    from desktop.store.models import Achievement, Award, Enterprise, Objection

    aw = Award.select(Award, Achievement, Enterprise).join(Achievement).join(Enterprise) \
        .where(Award.id == o.award_id).first()  # type: ignore[attr-defined]  # peewee's implicit id
    if number is None:  # its place among its 公示's objections
        number = Objection.select().where(Objection.publicity == o.publicity_id,
                                          Objection.id <= o.id).count()  # type: ignore[attr-defined]
    return ObjectionInfo(o.uuid, number, aw.achievement.enterprise.name, aw.achievement.source_id, _what(aw), o.raised_by,
                         o.raised_on, o.text, o.outcome, outcome_label(o.outcome), o.reason or "", o.closed_by or "",
                         aw.round.year)


def state(session: Session, ref: str | int) -> PublicityState:
    """The round's 公示: its period, the objections, and whether notices may be issued today."""
    from desktop.store import publicity as store

    rnd = _round(ref)
    required = store.settings()["required"]
    pub = store.current(rnd)
    why = ""
    try:
        store.check_may_issue(rnd, session.today())
        may = rnd.status == RoundStatus.APPROVED
    except StdAwardError as exc:
        may, why = False, str(exc)
    if pub is None:
        return PublicityState(rnd.uuid, rnd.year, rnd.status, required, False, may_issue=may, why_not=why,
                              today=session.today())
    return PublicityState(rnd.uuid, rnd.year, rnd.status, required, True, pub.starts_on, pub.ends_on, pub.days,
                          pub.objections_to, pub.contact, pub.started_by,
                          tuple((pub.calendar_note or "").splitlines()),
                          [_objection_info(o, n) for n, o in enumerate(store.objections(pub), 1)], may, why,
                          session.today())


def preview_period(session: Session, starts_on: dt.date, days: int) -> tuple[dt.date, tuple[str, ...]]:
    """(the last working day, notes) of a period starting ``starts_on`` (the dialog shows it before starting)."""
    from desktop.store import publicity as store

    p = store.period(starts_on, days)
    return p.end, p.notes


def start(session: Session, ref: str | int, days: int, objections_to: str, contact: str,
          starts_on: dt.date | None = None) -> PublicityState:
    """Publicise an approved round's list for ``days`` working days from ``starts_on`` (today)."""
    from desktop.store import publicity as store

    session.require("publicity.start")
    rnd = _round(ref)
    from desktop.operations.notices import received_from

    county = received_from(rnd)
    if county is not None:  # a county's round at the city: the county publicises its own list
        raise StdAwardError(_("the round for {year} is {office}'s, received in its package: its 公示 is held there, "
                              "not here").format(year=rnd.year, office=county))
    day = starts_on or session.today()
    approved = _approval_day(rnd)
    if rnd.status == RoundStatus.APPROVED and approved is not None and day < approved:
        raise StdAwardError(_("{round} was approved on {approved}: its publicity cannot start on {start}, before "
                              "the approval").format(round=store.round_label(rnd), approved=approved, start=day))
    store.start(rnd, day, days, objections_to, contact, session.username)
    return state(session, ref)


def _approval_day(rnd: Any) -> dt.date | None:
    """The day the round was approved (None for a round without a recorded approval). A 公示 may start
    on that day or later; a start before today is accepted, the office recording a list it already
    posted on its board (the audit entry shows when it was recorded)."""
    from desktop.operations.notices import approval_day

    return approval_day(rnd)


def record_objection(session: Session, ref: str | int, achievement_id: str, raised_by: str, text: str,
                     raised_on: dt.date | None = None, enterprise: str | None = None) -> ObjectionInfo:
    """Record an objection against the line of one achievement (its id as loaded; ``enterprise``, a
    credit code, says whose when several enterprises have one with this id)."""
    from desktop.store import publicity as store

    session.require("publicity.object")
    rnd = _round(ref)
    return _record(session, rnd, store.line_of(rnd, achievement_id, enterprise), raised_by, text, raised_on)


def record_objection_on(session: Session, award_uuid: str, raised_by: str, text: str,
                        raised_on: dt.date | None = None) -> ObjectionInfo:
    """``record_objection`` for a line chosen on screen (the award's key): that line, whatever other
    enterprise has an achievement with the same id."""
    from desktop.store.models import Award

    session.require("publicity.object")
    aw = Award.get_or_none(Award.uuid == award_uuid)
    if aw is None:
        raise StdAwardError(_("no award {id}").format(id=award_uuid))
    return _record(session, aw.round, aw, raised_by, text, raised_on)


def _record(session: Session, rnd: Any, line: Any, raised_by: str, text: str,
            raised_on: dt.date | None) -> ObjectionInfo:
    from desktop.store import publicity as store

    day = raised_on or session.today()
    if day > session.today():
        raise StdAwardError(_("the objection is dated {day}, in the future").format(day=day))
    return _objection_info(store.record_objection(rnd, line, raised_by, text, day, session.username))


def _objection(ref: str, round_ref: str | int | None = None) -> Any:
    """An objection by its number in the round's 公示 (``round_ref`` given), or by the start of its
    global id (scripts)."""
    from desktop.store import publicity as store
    from desktop.store.models import Objection

    text = (ref or "").strip()
    if round_ref is not None:
        rnd = _round(round_ref)
        found = store.objections(store.current(rnd))
        if text.isdigit() and 1 <= int(text) <= len(found):
            return found[int(text) - 1]
        raise StdAwardError(_("the publicity of {round} has no objection {n} (see \"stdaward publicity show "
                              "{year}\")").format(round=store.round_label(rnd), n=text, year=rnd.year))
    if len(text) >= 8:
        found = list(Objection.select().where(Objection.uuid.startswith(text)).limit(2))
        if len(found) == 1:
            return found[0]
    raise StdAwardError(_("no objection {id} (see \"stdaward publicity show ROUND\")").format(id=text))


def close_objection(session: Session, objection: str, upheld: bool, reason: str,
                    round_ref: str | int | None = None) -> ObjectionInfo:
    """Close an objection as upheld (its line goes back to the preparer and the round through review
    again) or not upheld, with the reason."""
    from desktop.store import publicity as store

    session.require("publicity.close")
    return _objection_info(store.close_objection(_objection(objection, round_ref), upheld, reason, session.username))


def settings(session: Session) -> dict[str, Any]:
    from desktop.store import publicity as store

    return store.settings()


def set_required(session: Session, required: bool, reason: str | None = None) -> dict[str, Any]:
    """Switch the 公示 step on or off for the office (administrator; the reason is in the audit chain)."""
    from desktop.store import publicity as store

    session.require("office.settings")
    return store.set_settings(user=session.username, required=required, reason=reason)


def set_refusal_prefix(session: Session, prefix: str) -> dict[str, Any]:
    """Number the letters of refusal in the office's register under ``prefix`` ("" for no number)."""
    from desktop.store import publicity as store

    session.require("office.settings")
    return store.set_settings(user=session.username, refusal_prefix=prefix)


def set_local_days(session: Session, days_off: Sequence[dt.date], workdays: Sequence[dt.date]) -> dict[str, Any]:
    """The office's own days off (a local holiday) and working days, used when periods are counted."""
    from desktop.store import publicity as store

    session.require("office.settings")
    return store.set_settings(user=session.username, days_off=list(days_off), workdays_=list(workdays))


def save_settings(session: Session, *, required: bool, reason: str | None, days_off: Sequence[dt.date],
                  workdays: Sequence[dt.date], refusal_prefix: str, version: int | None = None) -> dict[str, Any]:
    """Every 公示 setting of the Settings screen in one change (administrator; one audit entry with the
    reason; nothing saved when any part is refused). With ``version`` (the office settings' version
    the screen loaded): StaleRecord naming who saved the settings since, nothing saved."""
    from desktop.store import publicity as store

    session.require("office.settings")
    return store.set_settings(user=session.username, required=required, reason=reason, days_off=list(days_off),
                              workdays_=list(workdays), refusal_prefix=refusal_prefix, version=version)


def check_may_issue(session: Session, rnd: Any) -> None:
    """Refuse notices while the round's 公示 runs or an objection is open (unless switched off)."""
    from desktop.store import publicity as store

    store.check_may_issue(rnd, session.today())


# ---------------------------------------------------------------- printing
def _policy(rnd: Any) -> tuple[Any, dict[str, Any]]:
    from desktop.operations.round_work import load_policy

    policy = load_policy(rnd.policy_id)
    return policy, {"id": policy.id, "title": policy.title, "document_number": policy.document_number,
                    "content_hash": rnd.policy_hash}


def list_rows(session: Session, ref: str | int) -> list[Any]:
    """The proposed list: the paying lines of the round (not rejected, amount above zero)."""
    from desktop.core.status import PAYING
    from desktop.notices.content import cite_clause, short_title
    from desktop.notices.publicity import ListRow
    from desktop.store.models import Achievement, Award, Enterprise

    rnd = _round(ref)
    _p, info = _policy(rnd)
    short = short_title(info["title"])
    q = (Award.select(Award, Achievement, Enterprise).join(Achievement).join(Enterprise)
         .where(Award.round == rnd.id, Award.status.in_(PAYING), Award.decision != Decision.REJECTED.value,
                Award.amount.is_null(False))
         .order_by(Enterprise.name, Achievement.date, Achievement.id))  # type: ignore[attr-defined]  # peewee's implicit id
    return [ListRow(aw.achievement.enterprise.name, _what(aw), cite_clause(aw.clause, short), aw.amount)
            for aw in q if aw.amount > 0]


def print_list(session: Session, ref: str | int, out_path: Path | str) -> Path:
    """The 公示 PDF of the round's proposed list (the 公示 must have been started: its dates are printed),
    worded with the office's template in force at its first print (kept, so a reprint is the same)."""
    from desktop.notices.publicity import render_list
    from desktop.operations import public_template_store as wording
    from desktop.store import office as officemod
    from desktop.store import publicity as store

    session.require("notices.print")
    rnd = _round(ref)
    pub = store.current(rnd)
    if pub is None:
        raise StdAwardError(_("{round} has not been publicised: start the publicity first, so the list carries its "
                              "dates").format(round=store.round_label(rnd)))
    office = officemod.require()
    _p, info = _policy(rnd)
    rows = list_rows(session, rnd.uuid)
    if not rows:
        raise StdAwardError(_("{round} has no award to publicise").format(round=store.round_label(rnd)))
    on_progress, cancel = as_callbacks(session.progress)
    words = wording.list_wording(pub.uuid)
    first = words is None
    if words is None:
        words = wording.in_force()
    path = render_list(out_path, year=rnd.year, office=office.name, policy=info, rows=rows, starts_on=pub.starts_on,
                       ends_on=pub.ends_on, days=pub.days, objections_to=pub.objections_to, contact=pub.contact,
                       settings=office.settings, signature=office.name, progress=on_progress, cancel=cancel,
                       wording=words)
    if first:
        wording.keep_list_wording(pub.uuid, words, session.username)
    return path


def refused_lines(session: Session, ref: str | int) -> list[tuple[str, str, list[Any], list[str]]]:
    """(uscc, enterprise name, lines, their award uuids) for every enterprise with a not-eligible or
    duplicate claim in the round."""
    from desktop.core.status import AwardStatus
    from desktop.notices.refusal import RefusedLine
    from desktop.store.models import Achievement, Award, Enterprise

    rnd = _round(ref)
    policy, _info = _policy(rnd)
    q = (Award.select(Award, Achievement, Enterprise).join(Achievement).join(Enterprise)
         .where(Award.round == rnd.id, Award.status.in_((AwardStatus.NOT_ELIGIBLE.value, AwardStatus.DUPLICATE.value)))
         .order_by(Enterprise.name, Enterprise.uscc, Achievement.date, Achievement.id))  # type: ignore[attr-defined]  # peewee's implicit id
    groups: dict[str, tuple[str, str, list[Any], list[str]]] = {}
    for aw in q:
        rule = policy.rule(aw.rule) if aw.rule else None
        ent = aw.achievement.enterprise
        g = groups.setdefault(ent.uscc, (ent.uscc, ent.name, [], []))
        g[2].append(RefusedLine(aw.achievement.source_id, _what(aw), aw.status, aw.explanation or "", aw.clause or "",
                                (rule.text or "") if rule is not None else ""))
        g[3].append(aw.uuid)
    return list(groups.values())


def refused_count(session: Session, ref: str | int) -> int:
    """How many claims of the round are not eligible or duplicates (what the letters of refusal cover)."""
    from desktop.core.status import AwardStatus
    from desktop.store.models import Award

    rnd = _round(ref)
    return Award.select().where(Award.round == rnd.id, Award.status.in_(
        (AwardStatus.NOT_ELIGIBLE.value, AwardStatus.DUPLICATE.value))).count()


def write_refusals(session: Session, ref: str | int, out_path: Path | str, issued_on: dt.date | None = None,
                   days: int | None = None) -> dict[str, Any]:
    """The 不予奖补告知书 of an approved round, one per enterprise with a refused claim, into one PDF.
    A letter is recorded when first printed (numbered in the office's register when it has set a
    prefix for these letters); printing again gives the same letters, unless the refused lines of
    an enterprise changed (a round reviewed again), which makes a new one. Audited."""
    from desktop.notices import fonts as fontmod
    from desktop.notices.refusal import build_refusals, render_refusals
    from desktop.operations import public_template_store as wording
    from desktop.store import office as officemod
    from desktop.store import publicity as store

    session.require("notices.print")
    rnd = _round(ref)
    if rnd.status != RoundStatus.APPROVED:
        raise StdAwardError(_("{round} is not approved: letters of refusal follow the approved list").format(
            round=store.round_label(rnd)))
    from desktop.operations.notices import received_from

    county = received_from(rnd)
    if county is not None:  # a county's round at the city: the county writes to its own enterprises
        raise StdAwardError(_("the round for {year} is {office}'s, received in its package: its letters of refusal "
                              "are issued there, not here").format(year=rnd.year, office=county))
    groups = refused_lines(session, rnd.uuid)
    if not groups:
        raise StdAwardError(_("{round} has no claim that is not eligible or a duplicate: no letter to print").format(
            round=store.round_label(rnd)))
    day = issued_on or session.today()
    if day > session.today():
        raise StdAwardError(_("the date of the letters, {date}, is in the future").format(date=day))
    office = officemod.require()
    _p, info = _policy(rnd)
    fonts = {r: f.as_dict() for r, f in fontmod.choose(office.settings).items()}
    pub = store.current(rnd)  # the office's contact settings first, else the contact of the round's 公示
    office_info = {**officemod.as_dict(office), "settings": office.settings}
    words = wording.in_force()

    def maker(uscc: str, name: str, lines: list[Any]) -> Any:
        return lambda: build_refusals([(uscc, name, lines)], office_info, info, day, rnd.year, fonts,
                                      days=days, contact=pub.contact if pub is not None else "",
                                      round_uuid=rnd.uuid, wording=words)[0]

    on_progress, cancel = as_callbacks(session.progress)
    path = Path(out_path)
    contents, new = _record_letters(
        rnd, [(uscc, uuids, maker(uscc, name, lines)) for uscc, name, lines, uuids in groups],
        store.settings()["refusal_prefix"], session.username,
        lambda items, qr: render_refusals(items, path, progress=on_progress, cancel=cancel, qr=qr))
    return {"path": path, "letters": len(contents), "new": new, "lines": sum(len(g[2]) for g in groups),
            "enterprises": [g[1] for g in groups],
            "numbers": [c.get("doc_number") for c in contents if c.get("doc_number")]}


def _record_letters(rnd: Any, groups: list[tuple[str, list[str], Any]], prefix: str, user: str,
                    render: Any) -> tuple[list[dict[str, Any]], int]:
    """The letters' contents for ``groups`` (uscc, the refused lines' award uuids, a function making the
    content for a date): a letter already printed for the same lines is printed again as it was (its
    date and 发文字号 kept); a new one is recorded, numbered in the office's register when ``prefix``
    is set, and audited. ``render(contents)`` draws them inside the same transaction, so a letter that
    cannot be printed is not recorded. Each letter carries its id and, in its QR, a statement signed
    with the office's key (``statements.statement_for_letter``), checkable like a notice's. A letter
    whose stored content no longer matches its hash is refused, not reprinted. Returns the contents
    and how many are new."""
    from desktop.core.ids import random_uuid
    from desktop.notices import verify as V
    from desktop.notices.content import doc_number
    from desktop.operations import statements
    from desktop.store import audit, serials
    from desktop.store.models import Enterprise, RefusalLetter, database

    out: list[dict[str, Any]] = []
    qr: list[str | None] = []
    new = 0
    with database.atomic():
        for uscc, uuids, make in groups:
            key = sorted(uuids)
            ent = Enterprise.get(Enterprise.uscc == uscc)
            last = (RefusalLetter.select().where(RefusalLetter.round == rnd.id, RefusalLetter.enterprise == ent.id)  # type: ignore[attr-defined]  # peewee's implicit id
                    .order_by(RefusalLetter.id.desc()).first())  # type: ignore[attr-defined]  # peewee's implicit id
            if last is not None and last.lines == key:
                _check_intact(last)
                out.append(last.content)
                qr.append(statements.statement_for_letter(last))
                continue
            content = make()
            day = dt.date.fromisoformat(content["issued_on"])
            if prefix:
                serial = serials.allocate(prefix, day.year)[0]
                content["doc_number"] = doc_number(prefix, day.year, serial)
            content["letter"] = random_uuid()  # printed on the letter
            row = RefusalLetter.create(uuid=content["letter"], round=rnd, enterprise=ent, lines=key, issued_on=day,
                                       doc_number=content.get("doc_number"), content=content,
                                       content_hash=V.content_hash(content), created_by=user)
            audit.record(user, "create", "refusal_letter", row.uuid, None,
                         {"enterprise": ent.name, "doc_number": row.doc_number, "lines": len(key), "date": day})
            out.append(content)
            qr.append(statements.statement_for_letter(row))
            new += 1
        render(out, qr)
    return out, new


def _check_intact(letter: Any) -> None:
    from desktop.notices import verify as V
    from desktop.store import audit

    if V.content_hash(letter.content) != letter.content_hash or not audit.row_matches_log("refusal_letter", letter):
        name = (letter.content.get("recipient") or {}).get("name") or ""
        raise StdAwardError(_("the letter of refusal to {name} ({number}) was altered in the database: its content "
                              "no longer matches its hash").format(name=name, number=letter.doc_number or "—"))


def _letter_check(letter: Any) -> dict[str, Any]:
    from desktop.notices import verify as V

    _check_intact(letter)
    c = letter.content
    return {"valid": True, "kind": V.LETTER, "doc_number": letter.doc_number or "", "enterprise": c["recipient"]["uscc"],
            "name": c["recipient"]["name"], "issued_on": letter.issued_on.isoformat(), "claims": len(c["lines"]),
            "status": _("letter of refusal"), "code": V.verification_code(letter.uuid, letter.content_hash),
            "uuid": letter.uuid}


def letter_by_code(code: str) -> dict[str, Any] | None:
    """The particulars of this database's letter of refusal whose verification code is ``code``
    (normalised), or None; refused when its stored content was altered."""
    from desktop.notices import verify as V
    from desktop.store.models import RefusalLetter

    for row in RefusalLetter.select():
        if row.content.get("letter") and V.verification_code(row.uuid, row.content_hash) == code:
            return _letter_check(row)
    return None


def letter_by_payload(uid: str, digest: str) -> dict[str, Any] | None:
    """The same for an ``SA1`` QR payload (the letter id's prefix and the content hash's)."""
    from desktop.store.models import RefusalLetter

    for row in RefusalLetter.select().where(RefusalLetter.uuid.startswith(uid)):
        if row.content_hash.startswith(digest) and row.content.get("letter"):
            return _letter_check(row)
    return None



# ---------------------------------------------------------------- the wording of the 公示 list and the letters
def wording(session: Session) -> tuple[int, dict[str, Any]]:
    """(version, the office's own texts) of the 公示 list and the letters; (0, {}) while the defaults apply."""
    from desktop.operations import public_template_store as store

    return store.current()


def wording_in_force(session: Session) -> dict[str, Any]:
    """Every text the next 公示 list or letter is worded with (the defaults filled in)."""
    from desktop.operations import public_template_store as store

    return store.in_force(check=False)  # what the editor shows; printing checks it


def default_wording() -> dict[str, Any]:
    from desktop.notices import public_wording as PW

    return dict(PW.DEFAULT)


def wording_problems(words: Any) -> list[Any]:
    """What is wrong with the texts (unknown placeholders, line breaks...), each naming its text."""
    from desktop.notices import public_wording as PW

    return PW.validate(words)


def save_wording(session: Session, words: Any, version: int | None = None) -> int:
    """Validate and store the office's wording of the 公示 list and the letters as its next version
    (administrator, audited); returns it. A letter or list already printed keeps its wording. With
    ``version`` (the one the editor loaded): StaleRecord, nothing stored, when another was saved since."""
    from desktop.operations import public_template_store as store

    session.require("office.settings")
    return store.save(words, session.username, version)


def wording_sample(words: Any, office_name: str) -> dict[str, list[str]]:
    """The paragraphs a 公示 list and a letter would have with ``words`` (for a preview): sample
    values for the policy, dates and contact. Validate first."""
    from desktop.notices import public_wording as PW

    w = PW.merged(words)
    policy = "《关于深化标准化工作改革推动高质量发展的实施意见》（示例〔2021〕1号）"
    contact = "张明，0594-2600000"
    return {
        "list": [PW.render(w["list_opening"], policy=policy, year=2025, count=12, days=7, start="2026年3月2日",
                           end="2026年3月10日"),
                 PW.render(w["list_objections"], objections_to=f"{office_name}标准化科"),
                 PW.render(w["list_contact"], contact=contact)],
        "letter": [PW.render(w["letter_opening"], policy=policy, year=2025, count=2),
                   PW.render(w["letter_review"], days=w["letter_days"], office=office_name)
                   + PW.render(w["letter_contact"], contact=contact),
                   PW.render(w["letter_closing"])],
    }


def gate_sentence(st: PublicityState, here: bool = False, command_line: bool = False) -> str:
    """The round's 公示 and what it means for its notices, in one sentence (the notices view, the
    rounds view and the 公示 dialog show the same one). ``here``: said in the 公示 dialog itself,
    which starts the publicity below the sentence (no button to go to); ``command_line``: said by
    ``stdaward publicity show``, which names the verb that starts it instead of the window's button."""
    if not st.required:
        return _("The office has switched the publicity step off: notices do not wait for it.")
    if not st.started or st.starts_on is None or st.ends_on is None:
        if st.round_status != RoundStatus.APPROVED:
            return _("Not publicised: the list is publicised once a reviewer approves the round, and notices "
                     "wait for the end of its publicity.")
        if here:
            return _("Not publicised yet: start its publicity below; notices wait for its end.")
        if command_line:
            return _("Not publicised yet: start its publicity (stdaward publicity start {year} --days N "
                     "--objections-to … --contact …); notices wait for its end.").format(year=st.year)
        return _("Not publicised yet: start its publicity (Publicity...); notices wait for its end.")
    after = st.ends_on + dt.timedelta(days=1)
    n_open = st.open_objections
    if st.today is not None and st.today <= st.ends_on:
        if n_open:
            return _("Publicised from {start} until {end} ({days} working days), {open} objection(s) open: notices "
                     "may be issued from {next} once they are closed.").format(
                start=st.starts_on, end=st.ends_on, days=st.days, open=n_open, next=after)
        if st.round_status != RoundStatus.APPROVED:
            return _("Publicised from {start} until {end} ({days} working days): notices wait until the round is "
                     "approved again.").format(start=st.starts_on, end=st.ends_on, days=st.days)
        return _("Publicised from {start} until {end} ({days} working days): notices may be issued from "
                 "{next}.").format(start=st.starts_on, end=st.ends_on, days=st.days, next=after)
    if n_open:
        return _("Publicity ended on {end}, {open} objection(s) still open: notices may be issued once they are "
                 "closed.").format(end=st.ends_on, open=n_open)
    if st.round_status != RoundStatus.APPROVED:
        return _("Publicity ended on {end}: notices wait until the round is approved again.").format(end=st.ends_on)
    return _("Publicity ended on {end}: notices may be issued from {next}.").format(end=st.ends_on, next=after)
