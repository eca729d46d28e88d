"""Policy targets (工作目标): progress toward each goal by a date, the achievements each one counts,
and the figures an office enters for targets its records cannot count (``targets.enter``).

``None`` as the session of a read means the database open in this process (the overview's worker).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from desktop.core.errors import Problem, StdAwardError, ValidationFailed
from desktop.core.i18n import _
from desktop.operations.session import Session


@dataclass
class Dashboard:
    """What the targets screen shows for one policy on one date."""

    policy_id: str
    as_of: dt.date
    progress: list[Any]
    counting: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # target id -> achievements


def policy(session: Session | None, policy_id: str) -> Any:
    """The policy (the office's local measures included)."""
    from desktop.store import rounds

    return rounds.load_policy(policy_id)


def entered(session: Session | None, policy_id: str) -> dict[str, list[dict[str, Any]]]:
    """The figures entered for the policy's targets: target id → [{value, as_of, source, entered_by}]."""
    from desktop.store import rounds

    return {tid: [{"value": v.value, "as_of": v.as_of, "source": v.source, "entered_by": v.entered_by}
                  for v in vals]
            for tid, vals in rounds.target_values(policy_id).items()}


def progress(session: Session | None, policy_id: str, as_of: dt.date,
             ) -> tuple[Any, list[Any], dict[str, list[dict[str, Any]]], list[Any]]:
    """(policy, achievements, entered values, progress of every target): the dashboard's reading,
    also the overview's."""
    from desktop.core import targets as T
    from desktop.store import records

    pol = policy(session, policy_id)
    achs = records.achievements()
    values = entered(session, policy_id)
    return pol, achs, values, T.progress(pol, achs, as_of, values)


def counted_progress(session: Session | None, policy_id: str, as_of: dt.date) -> tuple[Any, list[Any]]:
    """(policy, progress of every target) counted by the database, as ``progress`` counts them,
    without reading the achievements: the overview's reading at every refresh. The counts are kept
    (in this process) until a change touches what they count (``target_counts.data_mark``)."""
    from desktop.core import targets as T
    from desktop.store import target_counts
    from desktop.store.db import db_path

    pol = policy(session, policy_id)
    key = (str(db_path()), pol.id, pol.content_hash, as_of, target_counts.data_mark())
    counted = _COUNTED.get(key)
    if counted is None:  # the first reading, or a change that touches what the targets count
        counted = target_counts.counts(list(pol.targets), as_of)
        _COUNTED.clear()
        _COUNTED[key] = counted
    return pol, T.progress_from_counts(pol, counted, as_of, entered(session, policy_id))


_COUNTED: dict[tuple[Any, ...], dict[str, int]] = {}  # the last counts, under what they were counted from


def dashboard(session: Session | None, policy_id: str, as_of: dt.date) -> Dashboard:
    """Progress of every target and the achievements each one counts."""
    from desktop.core import targets as T
    from desktop.notices.content import describe
    from desktop.store import records

    pol, achs, values, prog = progress(session, policy_id, as_of)
    names = records.enterprise_names()
    counting: dict[str, list[dict[str, Any]]] = {}
    for t in pol.targets:
        if t.count == "entered":
            counting[t.id] = [{"enterprise": "", "what": _("{value} (entered {date}, source: {source})").format(
                value=e["value"], date=e["as_of"], source=e["source"]), "date": str(e["as_of"]), "counted_as": ""}
                for e in values.get(t.id, [])]
            continue
        upto = min(as_of, t.deadline) if t.deadline else as_of
        rows = []
        for a in achs:
            if a.date <= upto and (t.start is None or a.date >= t.start) and T.in_scope(t, a):
                key = names.get(a.enterprise, a.enterprise) if t.count == "enterprises" else (a.ref or a.title or a.id)
                rows.append({"enterprise": names.get(a.enterprise, a.enterprise), "what": describe(a),
                             "date": a.date.isoformat(), "counted_as": key})
        counting[t.id] = rows
    return Dashboard(policy_id, as_of, prog, counting)


def target(session: Session | None, policy_id: str, target_id: str) -> Any:
    """One target of the policy (StdAwardError naming the policy's title if it has no such target)."""
    pol = policy(session, policy_id)
    found = next((t for t in pol.targets if t.id == target_id), None)
    if found is None:
        raise StdAwardError(_("{policy} has no such target").format(policy=pol.title))
    return found


def enter_value(session: Session, policy_id: str, target_id: str, value: str, as_of: dt.date,
                source: str) -> dict[str, Any]:
    """Record a figure for a target the records cannot count, with its date and source. Bad input
    raises ValidationFailed naming the target and the field; nothing is written."""
    from desktop.store import rounds

    session.require("targets.enter")
    t = target(session, policy_id, target_id)
    label = t.text or target_id
    problems = []
    if t.count != "entered":
        problems.append(Problem(label, "value", _("this target is counted from the records; no value is entered")))
    text = (value or "").strip()
    try:
        number = Decimal(text.rstrip("%").strip())
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        problems.append(Problem(label, "value", _("{value!r} is not a number").format(value=text)))
    if not (source or "").strip():
        problems.append(Problem(label, "source", _("say where the figure comes from")))
    if as_of > session.today():
        problems.append(Problem(label, "as_of", _("the date {date} is in the future").format(date=as_of.isoformat())))
    if problems:
        raise ValidationFailed(problems)
    tv = rounds.enter_target_value(policy_id, target_id, text, as_of, source.strip(), session.username)
    return {"value": tv.value, "as_of": tv.as_of, "source": tv.source, "entered_by": tv.entered_by}
