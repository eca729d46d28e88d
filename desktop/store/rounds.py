"""Award rounds in the database: a year's achievements computed under a policy, reviewed, approved.

A round is created in ``draft`` (Award rows from the engine), may be recomputed while draft or
returned, discretionary amounts are set by an officer within the pool's remaining budget for the
year, then ``submit`` -> ``approve`` (or ``return_round``). The approver must differ from whoever
prepared the round and have the role reviewer or admin. Every change writes an AwardEvent and an
audit entry in the same transaction.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.core.award import AwardResult
from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.core.money import ZERO, to_money
from desktop.core.status import PAYING
from desktop.store import audit, records
from desktop.store.backend import year_lock
from desktop.store.models import (
    Achievement,
    Award,
    AwardEvent,
    AwardRound,
    Enterprise,
    TargetValue,
    database,
    new_uuid,
    now,
)

PAID = PAYING  # the statuses whose amount is paid (desktop.core.status)
REVIEW_ROLES = ("reviewer", "admin")


def policy_dirs() -> list[Path]:
    """The office's own policy folder (local measures) beside the open database."""
    from desktop.store.db import db_path
    from desktop.store.files import measures_folder

    return [measures_folder(db_path())]


def load_policy(policy_id: str):  # noqa: ANN201
    """The policy as this office applies it: with its own measures, and closed on the date its
    settings give (``office.close_policy``), if any."""
    from desktop.core.policies import closing
    from desktop.core.policies import load_policy as load
    from desktop.store.office import policy_closings

    return closing(load(policy_id, policy_dirs()), policy_closings().get(policy_id))


def prior_awards(exclude_round: AwardRound | int | None = None) -> dict[tuple, str]:
    """Identities already awarded (awarded/discretionary, decision not rejected) -> achievement id."""
    q = (Award.select(Award, Achievement, Enterprise.uscc).join(Achievement).join(Enterprise)
         .where(Award.status.in_(PAID), Award.decision != "rejected"))
    if exclude_round is not None:
        q = q.where(Award.round != (exclude_round.id if isinstance(exclude_round, AwardRound) else exclude_round))
    out: dict[tuple, str] = {}
    for aw in q:
        a = records.to_vocabulary(aw.achievement, aw.achievement.enterprise.uscc)
        out.setdefault(a.identity(), a.id)
    return out


def pool_committed(policy, year: int, exclude_award: int | None = None) -> dict[str, Decimal]:  # noqa: ANN001
    """Pool id -> amount already set on discretionary awards of that year (not rejected)."""
    rule_pool = {r.id: r.pool for r in policy.rules if r.pool}
    q = (Award.select(Award.rule, Award.amount, Award.id).join(AwardRound)
         .where(Award.status == "discretionary", Award.decision != "rejected", Award.amount.is_null(False),
                AwardRound.year == year, AwardRound.policy_id == policy.id))
    spent: dict[str, Decimal] = {}
    for aw in q:
        pool = rule_pool.get(aw.rule)
        if pool and aw.id != exclude_award:
            spent[pool] = spent.get(pool, ZERO) + aw.amount
    return spent


def _snapshot(aw: Award) -> dict[str, Any]:
    return {"status": aw.status, "amount": None if aw.amount is None else format(aw.amount, "f"),
            "rule": aw.rule, "decision": aw.decision}


def _event(aw: Award, user: str, before: str | None, after: str, amount_before: Any, note: str | None = None) -> None:
    AwardEvent.create(award=aw, user=user, before=before, after=after, amount_before=amount_before,
                      amount_after=aw.amount, note=note)


def _year_rows(year: int) -> tuple[list, dict[str, int]]:
    rows = records.achievement_rows(year=year)
    return [a for _row, a in rows], {a.uuid: row_id for row_id, a in rows}


def _compute(policy, rnd: AwardRound | None, year: int) -> tuple[list, list[AwardResult], dict[str, int]]:  # noqa: ANN001
    from desktop.core.engine import compute

    achs, ids = _year_rows(year)
    results = compute(policy, achs, prior=prior_awards(rnd), pool_spent=pool_committed(policy, year))
    return achs, results, ids


def create_round(year: int, policy_id: str, user: str) -> AwardRound:
    """Compute the year's achievements and store the round in draft, with its Award rows."""
    policy = load_policy(policy_id)
    if AwardRound.select().where(AwardRound.year == year).exists():
        raise StdAwardError(_("there is already an award round for {year}; recompute it instead").format(year=year))
    with database.atomic():
        year_lock(year)  # PostgreSQL: the year's achievements hold still, and a second officer waits
        if AwardRound.select().where(AwardRound.year == year).exists():  # made while this one waited
            raise StdAwardError(_("there is already an award round for {year}; recompute it instead").format(year=year))
        rnd = AwardRound.create(year=year, policy_id=policy.id, policy_hash=policy.content_hash,
                                status="draft", prepared_by=user)
        achs, results, ids = _compute(policy, rnd, year)
        _insert_awards(rnd, [(ids[a.uuid], r) for a, r in zip(achs, results)], user, _("computed"))
        audit.record(user, "create", "award_round", rnd.uuid, None, _round_summary(rnd))
    return rnd


BATCH = 5000  # award lines per executemany


def _insert_awards(rnd: AwardRound, lines: list[tuple[int, AwardResult]], user: str, note: str) -> int | None:
    """The round's new award lines and their first event ("computed"), written with the cursor in
    batches (peewee building one INSERT per line cost 40 s for a round of 100,000 lines). The values
    are stored exactly as the models store them (each field's ``db_value``), one event per line in
    line order, as ``Award.create`` + ``_event`` did. Returns the first new line's row id (None: none)."""
    if not lines:
        return None
    stamp = Award.updated_at.db_value(now())
    money, flags = Award.amount.db_value, Award.flags.db_value
    first = None
    cur = database.cursor()
    for start in range(0, len(lines), BATCH):
        rows = [(new_uuid(), rnd.id, ach_id, r.status, money(r.amount), r.rule, r.clause, r.fund, r.explanation,
                 flags(list(r.flags)), "proposed", stamp) for ach_id, r in lines[start:start + BATCH]]
        cur.executemany("INSERT INTO award (uuid, round_id, achievement_id, status, amount, rule, clause, fund, "
                        "explanation, flags, decision, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        if first is None:
            first = database.execute_sql("SELECT id FROM award WHERE uuid = ?", (rows[0][0],)).fetchone()[0]
    database.execute_sql(
        "INSERT INTO award_event (award_id, at, \"user\", before, after, amount_before, amount_after, note) "
        "SELECT id, ?, ?, NULL, status, NULL, amount, ? FROM award WHERE round_id = ? AND id >= ? ORDER BY id",
        (AwardEvent.at.db_value(now()), user, note, rnd.id, first))
    return first


def _round_summary(rnd: AwardRound) -> dict[str, Any]:
    rows = database.execute_sql("SELECT status, amount FROM award WHERE round_id = ?", (rnd.id,)).fetchall()
    total = sum((Decimal(amount) for status, amount in rows if amount is not None and status in PAID), ZERO)
    return {"year": rnd.year, "policy": rnd.policy_id, "policy_hash": rnd.policy_hash, "status": rnd.status,
            "awards": len(rows), "total": format(to_money(total), "f")}


def _locked(rnd: AwardRound) -> AwardRound:
    """The round re-read inside the current transaction; on PostgreSQL its row is locked until the
    transaction ends (``SELECT … FOR UPDATE``), so an officer setting an amount, another submitting
    and a reviewer approving take turns: no line changes after it was approved, no status written
    over another. SQLite has one writer at a time."""
    from desktop.store.backend import is_postgres

    q = AwardRound.select().where(AwardRound.id == rnd.id)
    return (q.for_update() if is_postgres() else q).get()


def _moved_meanwhile(rnd: AwardRound, status: str) -> StdAwardError:
    from desktop.core.status import round_status_label

    return StdAwardError(_("the round for {year} is now {status}: someone else changed it meanwhile; nothing was "
                           "changed, reload it").format(year=rnd.year, status=round_status_label(status)))


def _editable(rnd: AwardRound) -> None:
    if rnd.status not in ("draft", "returned"):
        raise StdAwardError(_("the round for {year} is {status}; only a draft or returned round can change").format(
            year=rnd.year, status=rnd.status))


def recompute(rnd: AwardRound, user: str) -> AwardRound:
    """Recompute a draft or returned round (e.g. after new achievements or a policy change).
    Amounts an officer set on discretionary awards stay when the award is still discretionary
    under the same rule.

    Written in batches like ``create_round``: the round's lines read once, the changed ones updated
    and their events added with ``executemany``, the new ones inserted by ``_insert_awards``, and
    for more than a handful of lines one audit entry per batch hashing each line's before and after
    (``_audit_lines``: one entry per line, each hashing the whole round, made a large recompute
    quadratic). The round's own entry
    at the end records its digest, which ``verify_rows`` checks."""
    rnd = AwardRound.get_by_id(rnd.id)
    _editable(rnd)
    policy = load_policy(rnd.policy_id)
    with database.atomic():
        year_lock(rnd.year)
        rnd = _locked(rnd)
        _editable(rnd)
        achs, results, ids = _compute(policy, rnd, rnd.year)
        existing = {row[2]: row for row in Award.select(
            Award.id, Award.uuid, Award.achievement, Award.status, Award.amount, Award.rule, Award.explanation,
            Award.flags).where(Award.round == rnd).tuples()}
        created: list[tuple[int, AwardResult]] = []
        changed: list[tuple[tuple, AwardResult, Decimal | None]] = []
        for a, r in zip(achs, results):
            row = existing.pop(ids[a.uuid], None)
            if row is None:
                created.append((ids[a.uuid], r))
                continue
            _id, _uuid, _ach, status, amount_was, rule, explanation, flags = row
            keep = status == r.status == "discretionary" and rule == r.rule
            amount = amount_was if keep else r.amount
            if (status, amount_was, rule, explanation, flags) != (r.status, amount, r.rule, r.explanation, list(r.flags)):
                changed.append((row, r, amount))
        _update_awards(rnd, changed, user)
        first_new = _insert_awards(rnd, created, user, _("computed"))
        if created:
            new_rows = Award.select(Award.uuid, Award.status, Award.amount, Award.rule, Award.decision).where(
                (Award.round == rnd) & (Award.id >= first_new)).order_by(Award.id).tuples()
            snaps = {u: {"status": st, "amount": None if am is None else format(am, "f"), "rule": ru, "decision": de}
                     for u, st, am, ru, de in new_rows}
            _audit_lines(user, "create", rnd, {u: (None, after) for u, after in snaps.items()})
        for aw in Award.select().where(Award.id.in_([row[0] for row in existing.values()])):  # moved out of the year
            snap = _snapshot(aw)
            from desktop.store.models import Objection

            # objections raised against the line go with it; the log keeps what they said
            gone = [(o.uuid, {"raised_by": o.raised_by, "raised_on": o.raised_on, "text": o.text,
                              "outcome": o.outcome, "reason": o.reason})
                    for o in Objection.select().where(Objection.award == aw)]
            aw.delete_instance(recursive=True)
            for uuid, before in gone:
                audit.record(user, "delete", "objection", uuid, before, None)
            audit.record(user, "delete", "award", aw.uuid, snap, None)
        rnd.policy_hash = policy.content_hash
        rnd.save()
        audit.record(user, "recompute", "award_round", rnd.uuid, None, _round_summary(rnd))
    return rnd


def _update_awards(rnd: AwardRound, changed: list[tuple[tuple, AwardResult, Decimal | None]], user: str) -> None:
    """The recomputed lines that changed: updated, each with its event ("recomputed"), and their audit
    entries (``_audit_lines``) with each line's before and after, as ``_snapshot`` gives them."""
    if not changed:
        return
    money, flags_db = Award.amount.db_value, Award.flags.db_value
    stamp, at = Award.updated_at.db_value(now()), AwardEvent.at.db_value(now())
    before_money, after_money = AwardEvent.amount_before.db_value, AwardEvent.amount_after.db_value
    decisions = dict(Award.select(Award.id, Award.decision).where(Award.round == rnd).tuples())
    note = _("recomputed")
    cur = database.cursor()
    lines: dict[str, tuple[Any, Any]] = {}

    def snap(status: str, amount: Decimal | None, rule: str | None, decision: str) -> dict[str, Any]:
        return {"status": status, "amount": None if amount is None else format(amount, "f"), "rule": rule,
                "decision": decision}

    for start in range(0, len(changed), BATCH):
        part = changed[start:start + BATCH]
        cur.executemany("UPDATE award SET status = ?, amount = ?, rule = ?, clause = ?, fund = ?, explanation = ?, "
                        "flags = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                        [(r.status, money(amount), r.rule, r.clause, r.fund, r.explanation, flags_db(list(r.flags)),
                          stamp, row[0]) for row, r, amount in part])
        cur.executemany("INSERT INTO award_event (award_id, at, \"user\", before, after, amount_before, amount_after, "
                        "note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [(row[0], at, user, row[3], r.status, before_money(row[4]), after_money(amount), note)
                         for row, r, amount in part])
        lines.update({row[1]: (snap(row[3], row[4], row[5], decisions[row[0]]), snap(r.status, amount, r.rule,
                                                                                     decisions[row[0]]))
                      for row, r, amount in part})
    _audit_lines(user, "recompute", rnd, lines)


ITEMISED_UP_TO = 100  # lines changed by a recompute that get an audit entry each (as a single edit does)


def _audit_lines(user: str, action: str, rnd: AwardRound, lines: dict[str, tuple[Any, Any]]) -> None:
    """The audit entries of lines a recompute added or changed (award uuid -> (before, after)): one
    per line, as an officer's edit, for a handful; for more, one per batch saying how many and
    hashing each line's before and after (the lines' events hold them in full), as a bulk load does."""
    if len(lines) <= ITEMISED_UP_TO:
        for uuid, (before, after) in lines.items():
            audit.record(user, action, "award", uuid, before, after)
        return
    items = sorted(lines.items())
    for start in range(0, len(items), BATCH):
        part = items[start:start + BATCH]
        audit.record_batch(user, action, "award", {"round": rnd.uuid, "awards": len(part), "digest": audit.fields_digest(
            [[u, b, a] for u, (b, a) in part])}, None)


def set_amount(award: Award, amount: Decimal | str | int, user: str, note: str | None = None,
               version: int | None = None) -> Award:
    """An officer fixes a discretionary amount, within what the pool has left for that year; only if
    the line is still at ``version`` (the one the officer's screen loaded), else StaleRecord."""
    from desktop.store import concurrency

    aw = Award.get_by_id(award.id)
    concurrency.check(aw, version)
    rnd = aw.round
    _editable(rnd)
    if aw.status != "discretionary":
        raise StdAwardError(_("only a discretionary award's amount is set by an officer; this one is {status}").format(status=aw.status))
    value = to_money(amount)
    if value < 0:
        raise StdAwardError(_("an amount cannot be negative"))
    policy = load_policy(rnd.policy_id)
    rule = policy.rule(aw.rule)
    if rule is None or not rule.pool:
        raise StdAwardError(_("the rule {rule} no longer draws on a pool; recompute the round").format(rule=aw.rule))
    pool = policy.pools[rule.pool]
    year = aw.achievement.date.year
    left = pool.budget - pool_committed(policy, year, exclude_award=aw.id).get(pool.id, ZERO)
    if value > left:
        raise StdAwardError(_("{amount} is more than the {left} left in {pool} for {year}").format(
            amount=format(value, "f"), left=format(left, "f"), pool=pool.name, year=year))
    with database.atomic():
        _editable(_locked(rnd))  # submitted or approved meanwhile: the line stays as approved
        before, snap = aw.amount, _snapshot(aw)
        aw.amount, aw.updated_at = value, now()
        aw.save()
        _event(aw, user, aw.status, aw.status, before, note)
        audit.record(user, "set_amount", "award", aw.uuid, snap, {**_snapshot(aw), "note": note})
    return aw


def _move(rnd: AwardRound, user: str, to: str, note: str | None = None, **fields: Any) -> AwardRound:
    before = rnd.status
    with database.atomic():
        now_at = _locked(rnd).status
        if now_at != before:  # another officer moved it meanwhile (PostgreSQL: they held the row until done)
            raise _moved_meanwhile(rnd, now_at)
        rnd.status = to
        for k, v in fields.items():
            setattr(rnd, k, v)
        if note:
            rnd.note = note
        rnd.save()
        after = {"status": to, "note": note}
        if to == "approved":
            after["digest"] = rnd.approved_digest
        audit.record(user, to, "award_round", rnd.uuid, {"status": before}, after)
    return rnd


def submit(rnd: AwardRound, user: str) -> AwardRound:
    rnd = AwardRound.get_by_id(rnd.id)
    _editable(rnd)
    open_ = (Award.select().where(Award.round == rnd, Award.status == "discretionary", Award.amount.is_null()).count())
    if open_:
        raise StdAwardError(_("{n} discretionary award(s) still have no amount; set them (0 for none) before submitting").format(n=open_))
    return _move(rnd, user, "submitted", prepared_by=user)


def _reviewer(rnd: AwardRound, user: str, role: str) -> None:
    if role not in REVIEW_ROLES:
        raise StdAwardError(_("only a reviewer or an administrator can approve or return a round"))
    # changing a line (computing, an amount) makes one a preparer; a review decision on it does not
    # (an approval, or a line reopened by an upheld objection, is reviewed again by the same reviewer)
    decisions = ("proposed", "approved", "rejected", "paid")
    touched = (AwardEvent.select().join(Award).where(Award.round == rnd, AwardEvent.user == user,
                                                     AwardEvent.after.not_in(decisions)).exists())
    if user == rnd.prepared_by or touched:
        raise StdAwardError(_("{user} prepared this round; another person must review it").format(user=user))


def approve(rnd: AwardRound, user: str, role: str) -> AwardRound:
    rnd = AwardRound.get_by_id(rnd.id)
    if rnd.status != "submitted":
        raise StdAwardError(_("only a submitted round can be approved (this one is {status})").format(status=rnd.status))
    _reviewer(rnd, user, role)
    with database.atomic():
        now_at = _locked(rnd).status
        if now_at != "submitted":  # returned or approved by another reviewer meanwhile
            raise _moved_meanwhile(rnd, now_at)
        for aw in Award.select().where(Award.round == rnd, Award.status.in_(PAID), Award.decision == "proposed"):
            aw.decision = "approved" if (aw.amount or ZERO) > 0 else "rejected"
            aw.save()
            _event(aw, user, "proposed", aw.decision, aw.amount, _("round approved"))
        return _move(rnd, user, "approved", reviewed_by=user, approved_at=now(),
                     approved_digest=audit.lines_digest(rnd.id))


LEGACY_SEAL = "approval-digest"


def seal_legacy_approvals(user: str) -> int:
    """Rounds approved before schema 3 have no approval digest: record the lines as they stand (the
    migration calls this, so a round approved before the upgrade can still have its notices)."""
    sealed = 0
    for rnd in AwardRound.select().where(AwardRound.status == "approved", AwardRound.approved_digest.is_null()):
        digest = audit.lines_digest(rnd.id)
        AwardRound.update(approved_digest=digest).where(AwardRound.id == rnd.id).execute()
        audit.record(user, LEGACY_SEAL, "award_round", rnd.uuid, None, {"digest": digest, "reviewed_by": rnd.reviewed_by})
        sealed += 1
    return sealed


def check_round_intact(rnd: AwardRound) -> None:
    """Refuse (StdAwardError naming the round) unless the round is approved and its lines are still
    exactly what its reviewer approved: the digest recorded at approval, the same digest in the
    audit log's approval entry, by the reviewer the round names. Notice issuing calls this."""
    from desktop.store.models import AuditEntry

    rnd = AwardRound.get_by_id(rnd.id)
    label = _("the award round for {year}").format(year=rnd.year)
    if rnd.status != "approved":
        raise StdAwardError(_("{round} is not approved").format(round=label))
    entry = (AuditEntry.select().where(AuditEntry.entity == "award_round", AuditEntry.entity_uuid == rnd.uuid,
                                       AuditEntry.action.in_(("approved", LEGACY_SEAL)))
             .order_by(AuditEntry.id.desc()).first())
    signed = (entry.after or {}).get("digest") if entry is not None else None
    by = (entry.after or {}).get("reviewed_by") if entry is not None and entry.action == LEGACY_SEAL else (
        entry.user if entry is not None else None)
    if entry is None or not rnd.approved_digest or signed != rnd.approved_digest or by != rnd.reviewed_by:
        raise StdAwardError(_("{round} is marked approved, but the audit log has no matching approval: it was "
                              "changed outside the program; no notice is issued for it").format(round=label))
    if audit.lines_digest(rnd.id) != rnd.approved_digest:
        raise StdAwardError(_("{round} no longer matches what {reviewer} approved (an amount, status or decision "
                              "was changed afterwards); no notice is issued for it").format(
                                  round=label, reviewer=rnd.reviewed_by))


def return_round(rnd: AwardRound, user: str, role: str, note: str) -> AwardRound:
    rnd = AwardRound.get_by_id(rnd.id)
    if rnd.status != "submitted":
        raise StdAwardError(_("only a submitted round can be returned (this one is {status})").format(status=rnd.status))
    if not (note or "").strip():
        raise StdAwardError(_("say why the round is returned"))
    _reviewer(rnd, user, role)
    return _move(rnd, user, "returned", note, reviewed_by=user)


def round_figures(round_id: int) -> tuple[int, Decimal, int]:
    """(lines, total paying and not rejected, discretionary lines without an amount), summed by the
    database but the money, which is added exactly in Python."""
    n, open_ = database.execute_sql(
        "SELECT count(*), coalesce(sum(CASE WHEN status = 'discretionary' AND amount IS NULL THEN 1 ELSE 0 END), 0) FROM award WHERE round_id = ?",
        (round_id,)).fetchone()
    paying = ", ".join("?" * len(PAID))
    amounts = database.execute_sql(f"SELECT amount FROM award WHERE round_id = ? AND status IN ({paying}) "
                                   "AND amount IS NOT NULL AND decision != 'rejected'", (round_id, *PAID))
    return n, sum((to_money(a) for (a,) in amounts), ZERO), open_


def line_rows(round_id: int) -> list[tuple[Any, ...]]:
    """The round's lines for its screen, by enterprise name, date and row, read with the cursor (a
    round may hold 100,000): (award id, award uuid, status, amount, rule, clause, fund, explanation,
    flags, decision, version, enterprise name, vocabulary achievement), values as the models read them."""
    money, flags = Award.amount.python_value, Award.flags.python_value
    sql = ("SELECT w.id, w.uuid, w.status, w.amount, w.rule, w.clause, w.fund, w.explanation, w.flags, w.decision, "
           f"w.version, e.name, {records.ACH_COLUMNS_SQL} FROM award w JOIN achievement a ON a.id = w.achievement_id "
           "JOIN enterprise e ON e.id = a.enterprise_id WHERE w.round_id = ? ORDER BY e.name, a.date, a.id")
    return [(*row[:3], money(row[3]), *row[4:8], flags(row[8]), row[9], row[10], row[11],
             records.ach_from_sql(row[12:])[1])
            for row in database.execute_sql(sql, (round_id,))]


def round_results(rnd: AwardRound) -> list[AwardResult]:
    """The round's awards as AwardResult (with enterprise and fund), in achievement order."""
    q = (Award.select(Award, Achievement.source_id, Achievement.kind, Enterprise.uscc)
         .join(Achievement).join(Enterprise).where(Award.round == rnd)
         .order_by(Achievement.date, Achievement.id))
    return [AwardResult(aw.achievement.source_id, aw.status, aw.amount, aw.rule, aw.clause, aw.explanation,
                        tuple(aw.flags or ()), aw.achievement.enterprise.uscc, aw.fund, aw.achievement.kind)
            for aw in q]


# ---------------------------------------------------------------- entered target values

def target_values(policy_id: str) -> dict[str, list[TargetValue]]:
    out: dict[str, list[TargetValue]] = {}
    for tv in TargetValue.select().where(TargetValue.policy_id == policy_id).order_by(TargetValue.as_of):
        out.setdefault(tv.target_id, []).append(tv)
    return out


def enter_target_value(policy_id: str, target_id: str, value: str, as_of: dt.date, source: str,
                       user: str) -> TargetValue:
    """The office enters a figure for a target records cannot count (with its date and source)."""
    policy = load_policy(policy_id)
    target = next((t for t in policy.targets if t.id == target_id), None)
    if target is None or target.count != "entered":
        raise StdAwardError(_("{policy} has no target {target} that takes an entered value").format(policy=policy_id, target=target_id))
    try:
        Decimal(str(value).strip().rstrip("%"))
    except Exception:  # noqa: BLE001
        raise StdAwardError(_("{value!r} is not a number").format(value=value)) from None
    if not (source or "").strip():
        raise StdAwardError(_("say where the figure comes from"))
    with database.atomic():
        tv = TargetValue.create(policy_id=policy_id, target_id=target_id, value=str(value).strip(), as_of=as_of,
                                source=source.strip(), entered_by=user)
        audit.record(user, "create", "target_value", None, None,
                     {"policy": policy_id, "target": target_id, "value": tv.value, "as_of": as_of, "source": tv.source})
    return tv
