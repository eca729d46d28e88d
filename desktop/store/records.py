"""Enterprises and achievements in the database: load a batch all or nothing, list, convert.

The database row and the vocabulary object (``desktop.core.vocabulary.Achievement``) convert both
ways, so every rule (validation, duplicates, the engine) works on the vocabulary and never on rows.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from desktop.core.errors import Problem, ValidationFailed
from desktop.store.atomic import fault_point
from desktop.core.i18n import _
from desktop.core.progress import NO_PROGRESS, Progress
from desktop.core.vocabulary import Achievement as Ach
from desktop.core.vocabulary import Enterprise as Ent
from desktop.core.vocabulary import parse_batch, parse_enterprise, split_input
from desktop.store import audit
from desktop.store.models import Achievement, Enterprise, Evidence, database, new_uuid, now

# An evidence file named in a load file but not attached yet (no copy in the evidence folder).
DECLARED = ""

_ACH_COLUMNS = ("ref", "title", "level", "action", "rank", "body", "prize", "grade", "domain",
                "accepted", "note")


def natural_key(a: Ach) -> str:
    return json.dumps(a.identity(), ensure_ascii=False, default=str)


def to_vocabulary(row: Achievement, uscc: str | None = None) -> Ach:
    """A database row as a vocabulary object (``id`` is the row's source id)."""
    return Ach(id=row.source_id, enterprise=uscc or row.enterprise.uscc, kind=row.kind, date=row.date,
               ref=row.ref, title=row.title, level=row.level, action=row.action, rank=row.rank,
               body=row.body, prize=row.prize, grade=row.grade, domain=row.domain,
               accepted=row.accepted, uuid=row.uuid, note=row.note, units=tuple(row.units or ()))


def row_values(a: Ach) -> dict[str, Any]:
    vals = {c: getattr(a, c) for c in _ACH_COLUMNS}
    vals.update(kind=a.kind, date=a.date, source_id=a.id, natural_key=natural_key(a),
                units=list(a.units) or None)
    return vals


@dataclass
class LoadResult:
    enterprises_added: int = 0
    enterprises_updated: int = 0
    achievements_added: int = 0
    warnings: list[Problem] = field(default_factory=list)


def parse_load_input(data: Any) -> tuple[list[Ent], list[Ach], list[Problem]]:
    raw_ents, raw_achs = split_input(data)
    problems: list[Problem] = []
    ents = [e for i, r in enumerate(raw_ents) if (e := parse_enterprise(r, i, problems))]
    achs, more = parse_batch(raw_achs)
    problems.extend(more)
    seen: set[str] = set()
    for e in ents:
        if e.uscc in seen:
            problems.append(Problem(e.uscc, "uscc", _("this enterprise is listed twice")))
        seen.add(e.uscc)
    return ents, achs, problems


def load(data: Any, *, user: str, progress: Progress = NO_PROGRESS) -> LoadResult:
    """Validate and add enterprises and achievements; all or nothing (raises ValidationFailed).
    ``progress`` is told how far the writing is and checked every few hundred records: a cancel
    raises ``Cancelled`` inside the transaction, so nothing is left behind."""
    ents, achs, problems = parse_load_input(data)
    errors = [p for p in problems if p.severity == "error"]
    known = {e.uscc: e for e in Enterprise.select(Enterprise.id, Enterprise.uscc)}
    in_file = {e.uscc for e in ents}
    existing_ids = {(r.enterprise_id, r.source_id) for r in
                    Achievement.select(Achievement.enterprise, Achievement.source_id)}
    for a in achs:
        if a.enterprise not in known and a.enterprise not in in_file:
            errors.append(Problem(a.id, "enterprise", _(
                "no enterprise with code {code} in the file or the database; add it under \"enterprises\"").format(code=a.enterprise)))
        elif a.enterprise in known and (known[a.enterprise].id, a.id) in existing_ids:
            errors.append(Problem(a.id, "id", _("this enterprise already has an achievement with id {id} in the database").format(id=a.id)))
    if errors:
        raise ValidationFailed(errors)
    result = LoadResult(warnings=[p for p in problems if p.severity == "warning"])
    total = len(ents) + len(achs)
    step = 200
    progress.update(0, total, _("Saving {n} records...").format(n=total))
    progress.check()
    with database.atomic():
        for i, e in enumerate(ents):
            if i % step == 0:
                progress.update(i, total)
                progress.check()
            row = Enterprise.get_or_none(Enterprise.uscc == e.uscc)
            vals = dict(name=e.name, region_code=e.region, address=e.address, contact=e.contact, phone=e.phone)
            if row is None:
                row = Enterprise.create(uscc=e.uscc, uuid=e.uuid or new_uuid(), **vals)
                audit.record(user, "create", "enterprise", row.uuid, None, {"uscc": e.uscc, "name": e.name})
                result.enterprises_added += 1
            else:
                before = {k: getattr(row, k) for k in vals}
                changed = {k: v for k, v in vals.items() if v is not None and v != before[k]}
                if changed:
                    Enterprise.update(updated_at=now(), **changed).where(Enterprise.id == row.id).execute()
                    audit.record(user, "update", "enterprise", row.uuid,
                                 {k: before[k] for k in changed}, changed)
                    result.enterprises_updated += 1
            known[e.uscc] = row
        for i, a in enumerate(achs, len(ents)):
            if i % step == 0:
                progress.update(i, total)
                progress.check()
            row = Achievement.create(uuid=a.uuid or new_uuid(), enterprise=known[a.enterprise].id, **row_values(a))
            for name in dict.fromkeys(a.evidence):  # the names it validated are kept, not dropped
                Evidence.create(achievement=row.id, filename=name, sha256=DECLARED, size=0)
            audit.record(user, "create", "achievement", row.uuid, None, a.to_dict())
            result.achievements_added += 1
        fault_point("load", "in-transaction")
        progress.update(total, total)
        progress.check()  # a cancel during the last records still rolls everything back
    return result


def refresh_natural_keys(kinds: Iterable[str] = ("prize",)) -> int:
    """Recompute the stored duplicate identity of the achievements of ``kinds`` (a prize's identity
    now includes its scheme and grade); returns how many rows changed. For a migration step."""
    changed = 0
    with database.atomic():
        q = (Achievement.select(Achievement, Enterprise.uscc).join(Enterprise)
             .where(Achievement.kind.in_(list(kinds))))
        for row in q:
            key = natural_key(to_vocabulary(row, row.enterprise.uscc))
            if key != row.natural_key:
                Achievement.update(natural_key=key).where(Achievement.id == row.id).execute()
                changed += 1
    return changed


def evidence_names(achievement_ids: Iterable[int] | None = None) -> dict[int, list[str]]:
    """Achievement row id -> the evidence file names it carries (attached or only named)."""
    q = Evidence.select(Evidence.achievement, Evidence.filename).order_by(Evidence.id)
    if achievement_ids is not None:
        q = q.where(Evidence.achievement.in_(list(achievement_ids)))
    out: dict[int, list[str]] = {}
    for ev in q:
        out.setdefault(getattr(ev, "achievement_id"), []).append(ev.filename)  # the key, not a query
    return out


def list_enterprises() -> list[dict[str, Any]]:
    from peewee import JOIN, fn

    q = (Enterprise.select(Enterprise, fn.COUNT(Achievement.id).alias("n"))
         .join(Achievement, JOIN.LEFT_OUTER).group_by(Enterprise.id).order_by(Enterprise.name))
    return [{"uuid": e.uuid, "uscc": e.uscc, "name": e.name, "region": e.region_code,
             "address": e.address, "contact": e.contact, "phone": e.phone,
             "achievements": e.n} for e in q]


def achievements(year: int | None = None, enterprise: str | None = None) -> list[Ach]:
    q = Achievement.select(Achievement, Enterprise.uscc).join(Enterprise)
    if year is not None:
        import datetime as dt

        q = q.where(Achievement.date.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    if enterprise:
        q = q.where(Enterprise.uscc == enterprise)
    return [to_vocabulary(r, r.enterprise.uscc) for r in q.order_by(Achievement.date, Achievement.id)]


def enterprise_names(codes: Iterable[str] | None = None) -> dict[str, str]:
    q = Enterprise.select(Enterprise.uscc, Enterprise.name)
    if codes is not None:
        q = q.where(Enterprise.uscc.in_(list(codes)))
    return {e.uscc: e.name for e in q}
