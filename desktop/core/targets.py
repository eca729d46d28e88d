"""Progress towards a policy's targets (工作目标): what its text counts, within scope and dates.

A target counts distinct standards (two enterprises on one standard make one standard), distinct
enterprises ("2-3家企业"), or distinct items (a claim counted once however often it is entered),
among achievements of its kinds and scope dated from its start (if any) up to the earlier of the
deadline and the as-of date. A target records cannot answer (an adoption rate, people trained) takes
the latest value the office entered on or before the as-of date, with its date and source.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from desktop.core.policy_schema import CONDITION_VALUES, Conditions, Target
from desktop.core.vocabulary import Achievement, identity_detail

if TYPE_CHECKING:  # only for annotations: policies loads this module when its worked cases count targets
    from desktop.core.policies import Policy


@dataclass(frozen=True)
class TargetProgress:
    id: str
    text: str
    goal: Decimal
    count: Decimal | None  # None: an entered target without a value yet
    deadline: dt.date | None
    clause: str
    counting: str  # standards | enterprises | items | entered
    as_of: dt.date
    unit: str | None = None
    goal_text: str | None = None
    start: dt.date | None = None
    source: str | None = None  # entered targets: where the figure comes from
    value_date: dt.date | None = None  # entered targets: the date of the figure
    flags: tuple[str, ...] = ()

    @property
    def late(self) -> bool:
        """An entered figure dated after the deadline (a counted target counts its records up to the
        deadline only)."""
        return bool(self.value_date and self.deadline and self.value_date > self.deadline)

    @property
    def met(self) -> bool | None:
        """Reached by the deadline (None: an entered target without a figure yet)."""
        return None if self.count is None else self.count >= self.goal and not self.late

    @property
    def met_late(self) -> bool:
        """Reached, by a figure dated after the deadline (逾期达成), not by it."""
        return self.count is not None and self.count >= self.goal and self.late

    @property
    def overdue(self) -> bool:
        return bool(self.deadline and self.as_of > self.deadline and not self.met)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "goal": _num(self.goal), "count": _num(self.count),
                "deadline": self.deadline.isoformat() if self.deadline else None,
                "clause": self.clause, "counting": self.counting, "unit": self.unit,
                "goal_text": self.goal_text, "from": self.start.isoformat() if self.start else None,
                "as_of": self.as_of.isoformat(), "met": self.met, "met_late": self.met_late, "source": self.source,
                "value_date": self.value_date.isoformat() if self.value_date else None,
                "flags": list(self.flags)}


def _num(d: Decimal | None) -> int | str | None:
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() else format(d, "f")


def in_scope(target: Target, a: Achievement) -> bool:
    if a.kind not in target.kinds:
        return False
    s: Conditions = target.scope
    for name in CONDITION_VALUES:
        allowed = s.values.get(name)
        if allowed is not None and getattr(a, name) not in allowed:
            return False
    if s.accepted is not None and a.accepted is not s.accepted:
        return False
    if s.rank is not None:
        lo, hi = s.rank
        if a.rank is None or a.rank < lo or (hi is not None and a.rank > hi):
            return False
    if s.ref_prefix and not (a.ref and a.ref.upper().startswith(s.ref_prefix)):
        return False
    if s.dates is not None:
        since, until = s.dates
        if (since and a.date < since) or (until and a.date > until):
            return False
    return True


def _distinct_key(counting: str, a: Achievement) -> Any:
    if counting == "enterprises":
        return a.enterprise
    if not a.ref:
        return a.identity()
    if counting == "standards":  # one standard however many enterprises took part
        return (a.kind, a.standard_key)
    if a.kind in _PER_ENTERPRISE:  # each enterprise's product is one item, whatever standard it adopts
        return (a.enterprise, a.kind, a.standard_key)
    # one named item (a committee, a project) however many enterprises took part; a prize is its
    # scheme and grade as well as its standard
    return (a.kind, a.standard_key, identity_detail(a))


# Kinds whose items belong to one enterprise: its products adopting or declaring a standard.
_PER_ENTERPRISE = frozenset({"adoption", "self_declared"})


def _value(v: Any, name: str) -> Any:
    return v.get(name) if isinstance(v, Mapping) else getattr(v, name, None)


def _entered(values: Any, as_of: dt.date) -> tuple[Decimal | None, dt.date | None, str | None]:
    """The latest entered value on or before ``as_of`` (values: one, or a list of them)."""
    if values is None:
        return None, None, None
    items = values if isinstance(values, (list, tuple)) else [values]
    best = None
    for v in items:
        when = _value(v, "as_of")
        if isinstance(when, str):
            when = dt.date.fromisoformat(when)
        if when is not None and when > as_of:
            continue
        if best is None or (when or dt.date.min) >= (best[1] or dt.date.min):
            best = (v, when)
    if best is None:
        return None, None, None
    try:
        figure = Decimal(str(_value(best[0], "value")).strip().rstrip("%"))
    except InvalidOperation:
        return None, best[1], _value(best[0], "source")
    return figure, best[1], _value(best[0], "source")


def progress(policy: Policy, achievements: Sequence[Achievement] | Iterable[Achievement], as_of: dt.date,
             entered: Mapping[str, Any] | None = None) -> list[TargetProgress]:
    """Per target of the policy: id, text, goal, count, deadline (and how it was counted)."""
    achievements = list(achievements)
    counted: dict[str, int] = {}
    for t in policy.targets:
        if t.count == "entered":
            continue
        upto = min(as_of, t.deadline) if t.deadline else as_of
        counted[t.id] = len({_distinct_key(t.count, a) for a in achievements
                             if a.date <= upto and (t.start is None or a.date >= t.start) and in_scope(t, a)})
    return progress_from_counts(policy, counted, as_of, entered)


def progress_from_counts(policy: Policy, counted: Mapping[str, int], as_of: dt.date,
                         entered: Mapping[str, Any] | None = None) -> list[TargetProgress]:
    """``progress`` from counts made elsewhere (the database counts them for the overview): target
    id -> distinct things counted, for every target counted from records."""
    from desktop.core.engine import note_flag

    entered = entered or {}
    out: list[TargetProgress] = []
    for t in policy.targets:
        flags = tuple(note_flag(policy, policy.notes[n]) for n in t.notes)
        if t.count == "entered":
            figure, when, source = _entered(entered.get(t.id), as_of)
            out.append(_row(t, as_of, flags, figure, source, when))
            continue
        out.append(_row(t, as_of, flags, Decimal(counted[t.id]), "records", None))
    return out


def _row(t: Target, as_of: dt.date, flags: tuple[str, ...], count: Decimal | None, source: str | None,
         value_date: dt.date | None) -> TargetProgress:
    return TargetProgress(id=t.id, text=t.text, goal=t.goal, deadline=t.deadline, clause=t.clause,
                          counting=t.count, as_of=as_of, unit=t.unit, goal_text=t.goal_text, start=t.start,
                          flags=flags, count=count, source=source, value_date=value_date)
