"""Award rounds as use cases: compute (create or recompute), set a discretionary amount, submit,
approve, return, and the reads the round screens and ``stdaward round show`` need.

Preparing (compute, amounts, submit) needs ``rounds.prepare`` (clerk or administrator); approving or
returning needs ``rounds.review`` (reviewer or administrator) and is never done by the person who
prepared the round or changed one of its awards. The store runs each change in one transaction and
writes the audit entry under the session's user.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import N_, _, in_every_language
from desktop.core.money import ZERO, to_money
from desktop.core.status import LINE_FIELDS, award_status_label, round_status_label
from desktop.operations.session import Session


@dataclass(frozen=True)
class RoundInfo:
    """A round as the screens and the CLI show it (no model object leaves the operations)."""

    uuid: str
    year: int
    policy_id: str
    status: str
    status_label: str
    id: int  # the row's key, for views that select by it (never shown)
    prepared_by: str | None
    reviewed_by: str | None
    note: str | None
    awards: int
    total: Decimal  # paying, not rejected
    open_amounts: int  # discretionary lines still without an amount

    def as_dict(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "year": self.year, "policy": self.policy_id, "status": self.status,
                "prepared_by": self.prepared_by, "reviewed_by": self.reviewed_by, "note": self.note,
                "awards": self.awards, "total": format(self.total, "f"), "open_amounts": self.open_amounts}


def _get(ref: str | int) -> Any:
    """A round by uuid, or the latest round of a year (an int or a four-digit string)."""
    from desktop.store.models import AwardRound

    text = str(ref).strip()
    if text.isdigit() and len(text) == 4:
        rnd = AwardRound.select().where(AwardRound.year == int(text)).order_by(AwardRound.id.desc()).first()  # type: ignore[attr-defined]  # peewee's implicit id
        if rnd is None:
            raise StdAwardError(_("there is no award round for {year}").format(year=text))
        return rnd
    rnd = AwardRound.get_or_none(AwardRound.uuid == text)
    if rnd is None:
        raise StdAwardError(_("no award round {id}").format(id=text))
    return rnd


def info(session: Session, ref: str | int) -> RoundInfo:
    from desktop.store.rounds import round_figures

    rnd = _get(ref)
    n, total, open_ = round_figures(rnd.id)
    return RoundInfo(rnd.uuid, rnd.year, rnd.policy_id, rnd.status, round_status_label(rnd.status), rnd.id,
                     rnd.prepared_by, rnd.reviewed_by, rnd.note, n, total, open_)


def compute(session: Session, year: int, policy_id: str | None = None) -> RoundInfo:
    """Compute the year's round: create it (under ``policy_id``) or recompute the draft or returned
    round of that year."""
    from desktop.operations import round_work
    from desktop.store.models import AwardRound

    session.require("rounds.prepare")
    rnd = AwardRound.select().where(AwardRound.year == year).order_by(AwardRound.id.desc()).first()  # type: ignore[attr-defined]  # peewee's implicit id
    if policy_id:
        policy_id = resolve_policy(policy_id, session.policy_dirs())
    if rnd is None:
        if not policy_id:  # the office's policy in force, as compute and targets take it
            from desktop.store import office

            row = office.get()
            policy_id = row.policy_id if row is not None else None
        if not policy_id:
            raise StdAwardError(_("there is no award round for {year} yet: name the policy to compute it "
                                  "under").format(year=year))
        rnd = round_work.create_round(year, policy_id, session.username)
    else:
        if policy_id and policy_id != rnd.policy_id:
            raise StdAwardError(_("the round for {year} is computed under another policy; a round keeps its "
                                  "policy").format(year=year))
        round_work.recompute(rnd, session.username)
    return info(session, rnd.uuid)


def set_amount(session: Session, award_uuid: str, amount: Decimal | str | int, note: str | None = None,
               version: int | None = None) -> Decimal:
    """An officer sets a discretionary award's amount (within the pool); the amount stored. ``version``:
    the line's version as the officer's screen loaded it (StaleRecord if another officer changed it)."""
    from desktop.operations import round_work
    from desktop.store.models import Award

    session.require("rounds.prepare")
    aw = Award.get_or_none(Award.uuid == award_uuid)
    if aw is None:
        raise StdAwardError(_("no award {id}").format(id=award_uuid))
    try:
        value = to_money(amount)
    except (ArithmeticError, ValueError, TypeError):
        raise StdAwardError(_("{value} is not an amount of money").format(value=amount)) from None
    return Decimal(round_work.set_amount(aw, value, session.username, note, version).amount)


def set_amount_for(session: Session, ref: str | int, achievement_id: str, amount: Decimal | str | int,
                   note: str | None = None, version: int | None = None, enterprise: str | None = None) -> Decimal:
    """``set_amount`` for the award of one achievement (its id as loaded) in a round; ``enterprise``, a
    credit code, says whose when several enterprises have an achievement with this id (refused
    without it then: never the line of whichever comes first)."""
    from desktop.store.publicity import line_of

    session.require("rounds.prepare")
    return set_amount(session, line_of(_get(ref), achievement_id, enterprise).uuid, amount, note, version)


def submit(session: Session, ref: str | int) -> RoundInfo:
    from desktop.store import rounds as store

    session.require("rounds.prepare")
    rnd = store.submit(_get(ref), session.username)
    return info(session, rnd.uuid)


def approve(session: Session, ref: str | int) -> RoundInfo:
    """Approve a submitted round (never by the person who prepared it)."""
    from desktop.operations import round_work

    session.require("rounds.review")
    rnd = round_work.approve(_get(ref), session.username, session.today())
    return info(session, rnd.uuid)


def return_round(session: Session, ref: str | int, note: str) -> RoundInfo:
    """Send a submitted round back to its preparer with the reason."""
    from desktop.operations import round_work

    session.require("rounds.review")
    rnd = round_work.return_round(_get(ref), session.username, note)
    return info(session, rnd.uuid)


class LineReader:
    """A round's lines read a batch at a time, for a screen that keeps them compact (10⁶ lines are
    never held as dicts): ``batches`` gives the rows as read (plain values, hashable: ``key`` is the
    award id and a signature that a later reading compares), ``values`` a row's values in
    ``LINE_FIELDS`` order (flags a tuple), ``figures`` what the round's totals need of a row."""

    def __init__(self, session: Session, ref: str | int, award_uuid: str | None = None) -> None:
        from desktop.store.rounds import LineRows

        self.round = _get(ref)
        self._rows = LineRows(self.round.id, award_uuid)
        self._labels: dict[str, str] = {}
        self._days: dict[Any, str] = {}

    def batches(self, size: int = 5000) -> Any:
        return self._rows.batches(size)

    @staticmethod
    def key(row: tuple[Any, ...]) -> tuple[int, int]:
        return row[0], hash(row)

    def figures(self, row: tuple[Any, ...]) -> tuple[str, str, str, Decimal | None, str, bool]:
        """(enterprise name, fund, status, amount, decision, flagged) of a row."""
        return self._rows.figures(row)

    def values(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        from desktop.notices.content import describe

        aid, uuid, status, amount, rule, clause, fund, explanation, flags, decision, version, name, a = (
            self._rows.convert(row))
        label = self._labels.get(status)
        if label is None:
            label = self._labels[status] = award_status_label(status)
        day = self._days.get(a.date)
        if day is None:
            day = self._days[a.date] = a.date.isoformat()
        try:
            what = describe(a)
        except (KeyError, ValueError, TypeError, AttributeError):  # a description is a convenience
            what = a.title or a.kind
        return (aid, uuid, a.id, day, name, a.enterprise, a.kind, what, status, label, amount, rule or "", clause or "",
                fund or "", explanation, flags, decision, version)

    def choice_values(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        """What a chooser of the round's lines needs of a row (award id and uuid, achievement id,
        enterprise name and credit code, kind, description, status, version), in ``LINE_FIELDS``
        order, the rest None (no dict per line, no labels or dates made)."""
        from desktop.notices.content import describe

        aid, uuid, status, _amount, _rule, _clause, _fund, _explanation, _flags, _decision, version, name, a = (
            self._rows.convert(row))
        try:
            what = describe(a)
        except (KeyError, ValueError, TypeError, AttributeError):  # a description is a convenience
            what = a.title or a.kind
        return (aid, uuid, a.id, None, name, a.enterprise, a.kind, what, status, None, None, None, None, None, None,
                (), None, version)


def lines(session: Session, ref: str | int, award_uuid: str | None = None) -> list[dict[str, Any]]:
    """One row per award of the round: achievement, enterprise, what it is, status, amount, clause,
    fund, explanation, flags, decision (labels for the statuses included), and the line's version (what
    ``set_amount`` is given back, so a line another officer changed meanwhile is not overwritten).
    With ``award_uuid``, only that award's line (none if the round has no such award)."""
    reader = LineReader(session, ref, award_uuid)
    out = []
    for rows in reader.batches():
        for row in rows:
            line = dict(zip(LINE_FIELDS, reader.values(row)))
            line["flags"] = list(line["flags"])
            out.append(line)
    return out


def years(session: Session | None) -> list[int]:
    """The years that have achievements (the round screen's year choice; ``None``: the database open
    in this process)."""
    from peewee import fn

    from desktop.store.backend import year_of
    from desktop.store.models import Achievement

    q: Any = Achievement.select(fn.DISTINCT(year_of(Achievement.date))).tuples()
    return sorted(int(row[0]) for row in q if row[0])


# ---------------------------------------------------------------- what the round screens read
def latest(session: Session, year: int) -> RoundInfo | None:
    """The year's latest round, or None."""
    from desktop.store.models import AwardRound

    rnd = AwardRound.select().where(AwardRound.year == year).order_by(AwardRound.id.desc()).first()  # type: ignore[attr-defined]  # peewee's implicit id
    return None if rnd is None else info(session, rnd.uuid)


def line_count(session: Session, ref: str | int) -> int | None:
    """The number of lines of a round (by uuid, or the latest of a year; None: no such round),
    counted on the index alone: what a screen asks before it decides to read the round at once or
    in a worker (``latest`` and ``info`` add the round's money up over every line: ~0.4 s at 10⁶)."""
    from desktop.store.models import Award

    try:
        rnd = _get(ref)
    except StdAwardError:
        return None
    return Award.select().where(Award.round == rnd.id).count()


def default_year(session: Session) -> int:
    """The year of the latest round, else the latest year with achievements (not in the future)."""
    from desktop.store.models import AwardRound

    last = AwardRound.select(AwardRound.year).order_by(AwardRound.year.desc()).first()
    if last is not None:
        return int(last.year)
    this = session.today().year
    return max((y for y in years(session) if y <= this), default=this)


@dataclass(frozen=True)
class PoolState:
    """A discretionary pool of the round's policy in its year."""

    id: str
    name: str
    clause: str
    budget: Decimal
    used: Decimal  # committed this year: amounts set on discretionary awards (not rejected)

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.used


def _policy(ref: str | int) -> tuple[Any, Any]:
    from desktop.operations.round_work import load_policy

    rnd = _get(ref)
    return rnd, load_policy(rnd.policy_id)


def pool_budgets(session: Session, ref: str | int) -> dict[str, PoolState]:
    """The pools of the round's policy open in its year: budget, committed, remaining."""
    from desktop.operations.round_work import pool_committed

    rnd, policy = _policy(ref)
    used = pool_committed(policy, rnd.year)
    return {pid: PoolState(pid, p.name, p.clause, p.budget, used.get(pid, ZERO))
            for pid, p in policy.pools.items() if rnd.year in p.years}


def pool_of(session: Session, ref: str | int, rule_id: str) -> str | None:
    """The pool a rule of the round's policy draws on, if any."""
    _rnd, policy = _policy(ref)
    r = policy.rule(rule_id) if rule_id else None
    return r.pool if r is not None else None


def fund_names(session: Session, ref: str | int) -> dict[str, str]:
    """Fund id → name under the round's policy ({} when the policy can no longer be read)."""
    try:
        _rnd, policy = _policy(ref)
    except StdAwardError:
        return {}
    return {fid: f.name for fid, f in policy.funds.items()}


# The notes the program itself writes on an award's history, stored in the language of the officer
# whose program wrote them (desktop.store.rounds, desktop.store.publicity): shown in the reader's.
EVENT_NOTES = (N_("computed"), N_("recomputed"), N_("round approved"))
OBJECTION_UPHELD = N_("objection upheld: {reason}")


def _event_note(note: str) -> str:
    """A stored note as the reader's language says it: the program's own notes translated (an
    officer's own words as they were typed)."""
    for msgid in EVENT_NOTES:
        if note in in_every_language(msgid):
            return _(msgid)
    for said in in_every_language(OBJECTION_UPHELD):
        head = said.split("{reason}")[0]
        if head and note.startswith(head):
            return _(OBJECTION_UPHELD).format(reason=note[len(head):])
    return note


def history(session: Session, award_id: int) -> list[dict[str, Any]]:
    """An award's status history (AwardEvent rows), oldest first; the program's own notes in the
    reader's language, whoever wrote them."""
    from desktop.store.models import AwardEvent

    return [{"at": e.at, "user": e.user, "before": e.before or "", "after": e.after,
             "amount_before": e.amount_before, "amount_after": e.amount_after, "note": _event_note(e.note or "")}
            for e in AwardEvent.select().where(AwardEvent.award == award_id).order_by(AwardEvent.id)]  # type: ignore[attr-defined]  # peewee's implicit id


def user_name(session: Session | None, username: str | None) -> str:
    """"Full name (username)" of an account, the bare name of anyone else, "-" for nobody."""
    from desktop.store.models import User

    if not username:
        return "-"
    u = User.get_or_none(User.username == username)
    from desktop.core.labels import person_label

    return person_label(u.display_name, username) if u is not None else username


def policy_choices(session: Session | None) -> list[tuple[str, str]]:
    """(id, label) of each installed policy and of the office's local measures, for a choice box
    (``None``: the database open in this process)."""
    from desktop.core.policies import installed
    from desktop.operations.measures import labelled
    from desktop.store.office import local_policy_dirs

    return labelled(installed(session.policy_dirs() if session is not None else local_policy_dirs()))


# ---------------------------------------------------------------- computing outside a round (CLI compute, compare)
def load_policy(session: Session | None, policy_id: str | None, db_path: Path) -> Any:
    """A policy by id, the office's local measures included; without an id, the office's policy in
    force (when a database is open)."""
    from desktop.core.policies import load_policy as load

    if not policy_id and session is not None:
        from desktop.store import office

        row = office.get()
        policy_id = row.policy_id if row else None
    if not policy_id:
        raise StdAwardError(_("say which policy: --policy ID (see \"stdaward policies\")"))
    from desktop.operations.measures import policy_dirs_for

    dirs = session.policy_dirs() if session is not None else policy_dirs_for(Path(db_path))
    policy_id = resolve_policy(policy_id, dirs)
    policy = load(policy_id, dirs)
    if session is not None:  # as the office applies it: closed on the date its settings give
        from desktop.core.policies import closing
        from desktop.store.office import policy_closings

        policy = closing(policy, policy_closings().get(policy_id))
    return policy


def resolve_policy(ref: str, dirs: list[Path]) -> str:
    """The policy id an officer's reference names: the id itself, the number ``stdaward policies``
    lists it under, its exact title or its document number (莆城政〔2021〕88号). Anything else is
    returned as given (loading it then says no such policy)."""
    from desktop.core.policies import installed

    text = ref.strip()
    if re.fullmatch(r"[a-z][a-z0-9_-]*", text):  # written as an id: no need to read every policy file
        return text
    rows = installed(dirs)
    if text.isdigit() and 1 <= int(text) <= len(rows):
        return str(rows[int(text) - 1]["id"])
    found = [r["id"] for r in rows if text and text in (r.get("title"), r.get("document_number"))]
    return str(found[0]) if len(found) == 1 else text


def prior_awards(session: Session | None) -> dict[tuple[Any, ...], str]:
    """Awards already made in the database (so a repeated claim is judged a duplicate); {} without one."""
    if session is None:
        return {}
    from desktop.operations import round_work

    return round_work.prior_awards()


def achievements(session: Session, year: int | None = None) -> list[Any]:
    """The database's achievements (vocabulary objects), of one year or all."""
    from desktop.store import records

    return records.achievements(year=year)


@contextmanager
def year_reading(session: Session, year: int) -> Iterator[tuple[dict[tuple[Any, ...], str], Iterable[Any]]]:
    """(the awards already made, the achievements of ``year``) read as of one moment: a round another
    officer approves, or a record moved, while the year is read is in neither or in both. The year
    comes in the order ``achievements`` gives, a batch at a time as it is taken (a year of 10⁶ is
    never held whole), and is closed when the block ends."""
    from desktop.operations import round_work
    from desktop.store.backend import snapshot
    from desktop.store.rounds import year_achievements

    with snapshot():
        prior = round_work.prior_awards()  # (the snapshot's first read: the stream's batches see the same)
        stream = year_achievements(year)
        try:
            yield prior, stream
        finally:  # stopped half-way (its output failing): its batches end before the snapshot does
            stream.close()


def parse_achievements(data: Any) -> tuple[list[Any], list[Any]]:
    """(achievements, problems) of a JSON document or a workbook read with its row markers (the
    markers are dropped; every record is checked)."""
    from desktop.core.vocabulary import parse_batch, split_input

    if isinstance(data, dict) and any("__row__" in r for v in data.values() if isinstance(v, list) for r in v
                                      if isinstance(r, dict)):
        from desktop.exchange.xlsx import strip_rows

        data, _where = strip_rows(data)
    _ents, raw = split_input(data)
    achs, problems = parse_batch(raw)
    return list(achs), list(problems)
