"""The 公示 of an approved round's list, the objections (异议) raised during it, and the office setting
that switches the step off.

After a reviewer approves a round the office publishes the proposed list for a number of working
days. Objections are recorded against a line of the round and closed as upheld or not upheld, with
the reason. An upheld objection sends that line back to the preparer (its decision is proposed
again) and the round back to ``returned``, like a reviewer's return: it is recomputed or corrected,
submitted, approved again and publicised anew (the 公示 it interrupted is superseded). Notices are
issued only after the period has ended with every objection closed, unless the office switched the
step off (its settings, audited like every office change). Every step writes an audit entry in the
transaction that makes it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from desktop.core import workdays
from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.core.status import Decision, NoticeStatus, RoundStatus
from desktop.store import audit
from desktop.store.models import (
    Achievement,
    Award,
    AwardEvent,
    AwardRound,
    Enterprise,
    Notice,
    Objection,
    Publicity,
    database,
    now,
)
from desktop.store.office import get as get_office
from desktop.store.office import require as require_office

SETTINGS_KEY = "publicity"
OPEN, UPHELD, REJECTED = "open", "upheld", "rejected"
SUPERSEDED = "superseded"


# ---------------------------------------------------------------- the office setting
def settings() -> dict[str, Any]:
    """The office's 公示 settings: ``required`` (True unless switched off), ``days_off`` and
    ``workdays`` (its own local days off and working days, ISO dates)."""
    office = get_office()
    raw = dict(((office.settings or {}) if office else {}).get(SETTINGS_KEY) or {})
    return {"required": bool(raw.get("required", True)), "days_off": list(raw.get("days_off") or []),
            "workdays": list(raw.get("workdays") or []), "refusal_prefix": raw.get("refusal_prefix") or ""}


def set_settings(*, user: str, required: bool | None = None, reason: str | None = None,
                 days_off: list[dt.date] | None = None, workdays_: list[dt.date] | None = None,
                 refusal_prefix: str | None = None, version: int | None = None) -> dict[str, Any]:
    """Change the office's 公示 settings. Switching the step off needs a reason (it is in the audit
    chain with the change). With ``version`` (the office settings' version the screen loaded), a
    change is refused when someone saved the settings since (StaleRecord naming who and when)."""
    office = require_office()
    before = settings()
    after = dict(before)
    if required is not None:
        if not required and before["required"] and not (reason or "").strip():
            raise StdAwardError(_("say why the office no longer publicises its award lists"))
        after["required"] = bool(required)
    if days_off is not None:
        after["days_off"] = sorted({d.isoformat() for d in days_off})
    if workdays_ is not None:
        after["workdays"] = sorted({d.isoformat() for d in workdays_})
    if refusal_prefix is not None:
        import re

        prefix = refusal_prefix.strip()
        if prefix and not re.fullmatch(r"[\u4e00-\u9fffA-Za-z]{1,12}", prefix):
            raise StdAwardError(_("the document number prefix of the letters of refusal is 1-12 Chinese characters or "
                                  "letters, such as 城市监告"))
        after["refusal_prefix"] = prefix
    if after == before:
        return after
    from desktop.store import concurrency

    concurrency.check(office, version)
    new = dict(office.settings or {})
    new[SETTINGS_KEY] = after
    with database.atomic():
        office.settings = new
        office.updated_at = now()
        office.save()
        audit.record(user, "publicity_settings", "office", office.uuid, {SETTINGS_KEY: before},
                     {SETTINGS_KEY: after, "reason": (reason or "").strip() or None})
    return after


def _local_days() -> tuple[list[dt.date], list[dt.date]]:
    s = settings()
    return ([dt.date.fromisoformat(d) for d in s["days_off"]], [dt.date.fromisoformat(d) for d in s["workdays"]])


def period(starts_on: dt.date, days: int) -> workdays.Period:
    off, extra = _local_days()
    try:
        return workdays.count_period(starts_on, days, off, extra)
    except ValueError as exc:
        raise StdAwardError(str(exc)) from None


# ---------------------------------------------------------------- reads
def round_label(rnd: AwardRound) -> str:
    return _("the award round for {year}").format(year=rnd.year)


def current(rnd: AwardRound | int) -> Publicity | None:
    """The round's 公示 in force (not superseded), or None."""
    rid = rnd.id if isinstance(rnd, AwardRound) else rnd
    return (Publicity.select().where(Publicity.round == rid, Publicity.status == OPEN)
            .order_by(Publicity.id.desc()).first())


def objections(pub: Publicity | None) -> list[Objection]:
    if pub is None:
        return []
    return list(Objection.select().where(Objection.publicity == pub).order_by(Objection.id))


def line_of(rnd: AwardRound, achievement_id: str, enterprise: str | None = None) -> Award:
    """The round's line for an achievement (its id as loaded; ids are unique within an enterprise,
    so ``enterprise``, a credit code, names whose when several have one); refused when none or
    ambiguous."""
    q = Award.select(Award, Achievement, Enterprise).join(Achievement).join(Enterprise).where(
        Award.round == rnd.id, Achievement.source_id == achievement_id)
    if enterprise:
        q = q.where(Enterprise.uscc == enterprise.strip().upper())
    found = list(q.limit(20))
    if not found:
        if enterprise:
            raise StdAwardError(_("{round} has no line for achievement {id} of the enterprise {code}").format(
                round=round_label(rnd), id=achievement_id, code=enterprise))
        raise StdAwardError(_("{round} has no line for achievement {id}").format(round=round_label(rnd),
                                                                                  id=achievement_id))
    if len(found) > 1:
        names = "、".join(f"{aw.achievement.enterprise.name}（{aw.achievement.enterprise.uscc}）" for aw in found)
        raise StdAwardError(_("achievement {id} names lines of several enterprises in {round} ({names}); name the "
                              "enterprise with --enterprise CODE, or choose the line in the round screen").format(
            id=achievement_id, round=round_label(rnd), names=names))
    return found[0]


def _notices_out(rnd: AwardRound) -> bool:
    return Notice.select().where(Notice.round == rnd.id, Notice.status != NoticeStatus.VOID.value).exists()


# ---------------------------------------------------------------- changes
def start(rnd: AwardRound, starts_on: dt.date, days: int, objections_to: str, contact: str, user: str) -> Publicity:
    """Publicise an approved round's list from ``starts_on`` for ``days`` working days."""
    rnd = AwardRound.get_by_id(rnd.id)
    label = round_label(rnd)
    if rnd.status != RoundStatus.APPROVED.value:
        raise StdAwardError(_("{round} is {status}: only an approved round's list is publicised").format(
            round=label, status=RoundStatus(rnd.status).label))
    existing = current(rnd)
    if existing is not None:
        raise StdAwardError(_("{round} is already publicised from {start} to {end}").format(
            round=label, start=existing.starts_on, end=existing.ends_on))
    if _notices_out(rnd):
        raise StdAwardError(_("notices have already been issued for {round}: a list is publicised before its "
                              "notices").format(round=label))
    objections_to, contact = (objections_to or "").strip(), (contact or "").strip()
    if not objections_to:
        raise StdAwardError(_("say where objections are to be sent (an address or a mailbox)"))
    if not contact:
        raise StdAwardError(_("say who answers questions about the list (contact person and telephone)"))
    from desktop.core.vocabulary import text_problem

    for name, value in ((_("where objections go"), objections_to), (_("contact"), contact)):
        if (why := text_problem(value, "name")) is not None:
            raise StdAwardError(_("{round}, {field}: {why}").format(round=label, field=name, why=why))
    p = period(starts_on, days)
    with database.atomic():
        pub = Publicity.create(round=rnd, starts_on=starts_on, days=days, ends_on=p.end, objections_to=objections_to,
                               contact=contact, started_by=user, calendar_note="\n".join(p.notes) or None)
        audit.record(user, "publicity_start", "publicity", pub.uuid, None,
                     {"round": rnd.uuid, "starts_on": starts_on, "first_day": p.first, "ends_on": p.end,
                      "days": days, "calendar": list(p.notes)})
    return pub


def record_objection(rnd: AwardRound, line: Award, raised_by: str, text: str, raised_on: dt.date,
                     user: str) -> Objection:
    """Record an objection against one line of the round (``line_of``, or the line chosen on screen),
    raised during its 公示."""
    rnd = AwardRound.get_by_id(rnd.id)
    label = round_label(rnd)
    pub = current(rnd)
    if pub is None:
        raise StdAwardError(_("{round} is not being publicised: objections are recorded during its 公示").format(
            round=label))
    if _notices_out(rnd):
        raise StdAwardError(_("notices have already been issued for {round}").format(round=label))
    raised_by, text = (raised_by or "").strip(), (text or "").strip()
    if not raised_by:
        raise StdAwardError(_("say who raised the objection"))
    if not text:
        raise StdAwardError(_("say what the objection is"))
    from desktop.core.vocabulary import text_problem

    for name, value, fld in ((_("raised by"), raised_by, "name"), (_("objection"), text, "note")):
        if (why := text_problem(value, fld)) is not None:
            raise StdAwardError(_("{round}, {field}: {why}").format(round=label, field=name, why=why))
    if raised_on < pub.starts_on or raised_on > pub.ends_on:
        raise StdAwardError(_("the objection is dated {day}, outside the publicity period ({start} to {end})")
                            .format(day=raised_on, start=pub.starts_on, end=pub.ends_on))
    aw = line
    achievement_id = aw.achievement.source_id
    with database.atomic():
        obj = Objection.create(publicity=pub, award=aw, raised_by=raised_by, raised_on=raised_on, text=text,
                               recorded_by=user)
        audit.record(user, "objection", "objection", obj.uuid, None,
                     {"round": rnd.uuid, "award": aw.uuid, "achievement": achievement_id, "raised_by": raised_by,
                      "raised_on": raised_on, "text": text})
    return obj


def close_objection(obj: Objection, upheld: bool, reason: str, user: str) -> Objection:
    """Close an objection. Upheld: its line goes back to the preparer (decision proposed again), the
    round is returned with the reason, and the 公示 is superseded (the corrected list is publicised
    anew after the round is approved again)."""
    obj = Objection.get_by_id(obj.id)
    if obj.outcome != OPEN:
        raise StdAwardError(_("the objection raised by {who} on {day} is already closed").format(
            who=obj.raised_by, day=obj.raised_on))
    reason = (reason or "").strip()
    if not reason:
        raise StdAwardError(_("say why the objection is upheld or not upheld"))
    pub = obj.publicity
    rnd = AwardRound.get_by_id(pub.round_id)
    if _notices_out(rnd):
        raise StdAwardError(_("notices have already been issued for {round}").format(round=round_label(rnd)))
    with database.atomic():
        before = {"outcome": obj.outcome}
        obj.outcome = UPHELD if upheld else REJECTED
        obj.reason, obj.closed_by, obj.closed_at = reason, user, now()
        obj.save()
        audit.record(user, "objection_close", "objection", obj.uuid, before,
                     {"outcome": obj.outcome, "reason": reason})
        if upheld:
            _reopen(obj, rnd, pub, reason, user)
    return obj


def _reopen(obj: Objection, rnd: AwardRound, pub: Publicity, reason: str, user: str) -> None:
    aw = Award.get_by_id(obj.award_id)
    note = _("objection upheld: {reason}").format(reason=reason)
    if aw.decision != Decision.PROPOSED.value:
        snap = {"decision": aw.decision}
        AwardEvent.create(award=aw, user=user, before=aw.decision, after=Decision.PROPOSED.value,
                          amount_before=aw.amount, amount_after=aw.amount, note=note)
        aw.decision, aw.updated_at = Decision.PROPOSED.value, now()
        aw.save()
        audit.record(user, "reopen", "award", aw.uuid, snap, {"decision": aw.decision, "objection": obj.uuid})
    pub.status = SUPERSEDED
    pub.save()
    audit.record(user, "publicity_superseded", "publicity", pub.uuid, {"status": OPEN}, {"status": SUPERSEDED})
    before = rnd.status
    rnd.status, rnd.note = RoundStatus.RETURNED.value, note
    rnd.save()
    audit.record(user, RoundStatus.RETURNED.value, "award_round", rnd.uuid, {"status": before},
                 {"status": rnd.status, "note": note, "objection": obj.uuid})


# ---------------------------------------------------------------- the gate before notices
def check_may_issue(rnd: AwardRound, today: dt.date) -> None:
    """Refuse (naming the end date or the open objection) while the round's 公示 has not ended or an
    objection is open, unless the office switched the step off."""
    if not settings()["required"]:
        return
    rnd = AwardRound.get_by_id(rnd.id)
    label = round_label(rnd)
    pub = current(rnd)
    if pub is None:
        raise StdAwardError(_("{round} has not been publicised: start its publicity (公示) and issue the notices "
                              "after it ends (or an administrator switches the step off in the office "
                              "settings)").format(round=label))
    if today <= pub.ends_on:
        raise StdAwardError(_("the publicity of {round} runs until {end}: notices can be issued from {next} on")
                            .format(round=label, end=pub.ends_on, next=pub.ends_on + dt.timedelta(days=1)))
    open_ = [o for o in objections(pub) if o.outcome == OPEN]
    if open_:
        o = open_[0]
        aw = Award.select(Award, Achievement, Enterprise).join(Achievement).join(Enterprise) \
            .where(Award.id == o.award_id).first()
        raise StdAwardError(_("the objection raised by {who} on {day} against {enterprise} (achievement {id}) is "
                              "still open: close it before notices are issued ({n} open in all)").format(
                                  who=o.raised_by, day=o.raised_on, enterprise=aw.achievement.enterprise.name,
                                  id=aw.achievement.source_id, n=len(open_)))
