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
    from desktop.operations.round_work import load_policy

    return load_policy(policy_id)


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
    without reading the achievements: the overview's and the dashboard's reading. The counts are kept
    beside the database under the audit entry they include, and brought up to date from the
    achievements the entries since name (``target_counts.counted``)."""
    policy, progress, _how = counted_progress_how(session, policy_id, as_of)
    return policy, progress


def counted_progress_how(session: Session | None, policy_id: str, as_of: dt.date) -> tuple[Any, list[Any], str]:
    """``counted_progress`` and how the counts were had: ``kept``, ``incremental`` or ``full``."""
    from desktop.core import targets as T
    from desktop.store import target_counts
    from desktop.store.db import db_path

    pol = policy(session, policy_id)
    report = session.progress.update if session is not None else None  # a first counting takes a while
    got = target_counts.counted(list(pol.targets), f"{pol.id}@{pol.content_hash}", as_of, db_path(), report)
    return pol, T.progress_from_counts(pol, got.counts, as_of, entered(session, policy_id)), got.how


def keep_counts(session: Session) -> str | None:
    """After a write that added records in bulk (a load, an Excel file, an import), in the writer's
    thread once it has committed: the counts of the targets of the office's policy brought up to
    date now, so that the overview's next reading finds them kept. The write pays for what it added
    (the rows it added looked up among the others), and no reading has to count a million records
    the first time it meets them. A cache: if it cannot be kept, the warning is logged and the
    overview's reading does the work. How the counts were had (``kept``, ``incremental`` or ``full``;
    None: no policy set, or not kept)."""
    import logging

    from desktop.store import office

    try:
        row = office.get()
        if row is None or not row.policy_id:
            return None
        return counted_progress_how(session, row.policy_id, session.today())[2]
    except Exception:  # noqa: BLE001 - the write has committed; the counts are a cache the reading rebuilds
        logging.getLogger(__name__).warning("could not keep the targets' counts after a write", exc_info=True)
        return None


def keep_number_index(session: Session | None) -> bool:
    """The index the targets' counts are brought up to date by after an import or a load
    (``target_counts.NUMBER_PROBE_INDEX``), made if it is missing: once, seconds at a million records.
    No data changes (a cache of the database's own): no role needed. Call it after the audit check in
    the same thread (see ``target_counts.ensure_number_probe_index``). Is the index there?"""
    from desktop.store import target_counts

    return target_counts.make_number_probe_index()


COUNTING_SHOWN = 5000  # achievements listed under a target (the newest); the number counting is exact


@dataclass
class Counting:
    """The achievements that count toward one target: how many, and the newest of them as rows
    (enterprise, what, date, counted as)."""

    target_id: str
    total: int
    rows: list[dict[str, Any]]


def dashboard(session: Session | None, policy_id: str, as_of: dt.date) -> Dashboard:
    """Progress of every target (counted by the database), and the values entered for the targets
    the records cannot count; the achievements counting toward a target are read when it is
    chosen (``counting``)."""
    pol, prog = counted_progress(session, policy_id, as_of)
    values = entered(session, policy_id)
    counting: dict[str, list[dict[str, Any]]] = {}
    for t in pol.targets:
        if t.count == "entered":
            counting[t.id] = [{"enterprise": "", "what": _("{value} (entered {date}, source: {source})").format(
                value=e["value"], date=e["as_of"], source=e["source"]), "date": str(e["as_of"]), "counted_as": ""}
                for e in values.get(t.id, [])]
    return Dashboard(policy_id, as_of, prog, counting)


def counting(session: Session | None, policy_id: str, target_id: str, as_of: dt.date,
             limit: int = COUNTING_SHOWN) -> Counting:
    """The achievements counting toward one counted target on ``as_of``: their number and the newest
    ``limit`` of them, read by the database (a target over a million records is not read whole)."""
    from types import SimpleNamespace

    from desktop.notices.content import describe
    from desktop.store import target_counts

    t = target(session, policy_id, target_id)
    if t.count == "entered":
        return Counting(target_id, 0, [])
    total, found = target_counts.counting_rows(t, as_of, limit)
    rows = []
    for name, kind, level, action, rank, ref, title, body, prize, grade, domain, accepted, day in found:
        a = SimpleNamespace(kind=kind, level=level, action=action, rank=rank, ref=ref, title=title, body=body,
                            prize=prize, grade=grade, domain=domain, accepted=bool(accepted))
        rows.append({"enterprise": name, "what": describe(a), "date": str(day)[:10],
                     "counted_as": name if t.count == "enterprises" else (ref or title or "")})
    return Counting(target_id, total, rows)


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
    from desktop.operations import round_work

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
    tv = round_work.enter_target_value(policy_id, target_id, text, as_of, source.strip(), session.username)
    return {"value": tv.value, "as_of": tv.as_of, "source": tv.source, "entered_by": tv.entered_by}
