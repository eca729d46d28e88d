"""Targets (工作目标) counted by the database: for each target of a policy, how many distinct things
its scope takes by a date, as ``desktop.core.targets.progress`` counts them over the achievements in
Python, without reading the achievements into Python (the overview refreshes this at every change;
a million achievements took 52 s and 2.9 GB read whole).

The distinct key follows ``core.targets._distinct_key`` through the stored duplicate identity
(``natural_key``, the JSON of ``Achievement.identity()``): its third part is the normalised standard
number and its fourth what tells a standard's actions or a prize's schemes apart.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from desktop.core.policy_schema import CONDITION_VALUES, Target
from desktop.store.models import database

PER_ENTERPRISE = ("adoption", "self_declared")  # as core.targets._PER_ENTERPRISE

_NO_REF = "(a.ref IS NULL OR a.ref = '')"
_KEY = {  # counting -> the distinct key of an achievement with a ref (without one: its whole identity)
    "enterprises": "a.enterprise_id",
    "standards": "json_array(a.kind, json_extract(a.natural_key, '$[2]'))",
}
_ITEMS_KEY = (f"CASE WHEN a.kind IN ({', '.join(repr(k) for k in PER_ENTERPRISE)}) "
              "THEN json_array(json_extract(a.natural_key, '$[0]'), a.kind, json_extract(a.natural_key, '$[2]')) "
              "ELSE json_array(a.kind, json_extract(a.natural_key, '$[2]'), json_extract(a.natural_key, '$[3]')) END")


def _upper(text: str | None) -> str | None:
    return None if text is None else text.upper()  # Python's (SQLite's upper() knows only ASCII)


def target_sql(t: Target, as_of: dt.date) -> tuple[str, list[Any]]:
    """The ``COUNT(DISTINCT ...)`` of one counted target on ``as_of``, with its parameters."""
    upto = min(as_of, t.deadline) if t.deadline else as_of
    where, params = ["a.date <= ?"], [upto.isoformat()]
    if t.start is not None:
        where.append("a.date >= ?")
        params.append(t.start.isoformat())
    where.append(f"a.kind IN ({', '.join('?' * len(t.kinds))})" if t.kinds else "0")
    params += list(t.kinds)
    s = t.scope
    for name in CONDITION_VALUES:
        allowed = s.values.get(name)
        if allowed is not None:
            where.append(f"a.{name} IN ({', '.join('?' * len(allowed))})" if allowed else "0")
            params += sorted(allowed)
    if s.accepted is not None:
        where.append("a.accepted = ?")
        params.append(1 if s.accepted else 0)
    if s.rank is not None:
        lo, hi = s.rank
        where.append("a.rank >= ?")
        params.append(lo)
        if hi is not None:
            where.append("a.rank <= ?")
            params.append(hi)
    if s.ref_prefix:
        where.append("(" + " OR ".join("substr(stdaward_upper(a.ref), 1, ?) = ?" for _p in s.ref_prefix) + ")")
        for p in s.ref_prefix:
            params += [len(p), p]
    if s.dates is not None:
        since, until = s.dates
        if since:
            where.append("a.date >= ?")
            params.append(since.isoformat())
        if until:
            where.append("a.date <= ?")
            params.append(until.isoformat())
    key = _KEY.get(t.count, _ITEMS_KEY)
    if t.count != "enterprises":
        key = f"CASE WHEN {_NO_REF} THEN a.natural_key ELSE {key} END"
    return f"SELECT COUNT(DISTINCT {key}) FROM achievement a WHERE {' AND '.join(where)}", params


def counts(targets: list[Target], as_of: dt.date) -> dict[str, int]:
    """Target id -> how many distinct things it counts on ``as_of`` (targets counted from records)."""
    database.connection().create_function("stdaward_upper", 1, _upper, deterministic=True)
    out = {}
    for t in targets:
        if t.count == "entered":
            continue
        sql, params = target_sql(t, as_of)
        out[t.id] = database.execute_sql(sql, params).fetchone()[0]
    return out


TOUCHING = ("achievement", "enterprise", "package", "target_value", "office", "policy")  # audited entities


def data_mark() -> tuple[Any, ...]:
    """What changes whenever what the targets count may have changed: the achievements' number and
    newest row, and the newest audit entry about achievements, enterprises, imports, entered values,
    the office or its measures (every change the program makes to them is audited). A cache of the
    counts under this mark is refreshed only by a change that touches them (a payment does not)."""
    n, last = database.execute_sql("SELECT count(*), max(id) FROM achievement").fetchone()
    entry = database.execute_sql(
        f"SELECT id FROM audit_entry WHERE entity IN ({', '.join('?' * len(TOUCHING))}) ORDER BY id DESC LIMIT 1",
        TOUCHING).fetchone()
    return n, last, entry[0] if entry else None
