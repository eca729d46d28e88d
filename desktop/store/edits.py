"""The edits an officer makes to records, as small Qt-free functions (Anki ``aqt/operations`` style):
save an enterprise, merge two, add/edit/delete/restore an achievement, attach evidence.

Each runs in one transaction and writes its audit entry; the views call them (directly when quick,
through ``ctx.tasks`` when long) and then announce ``ctx.changed(...)``.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.errors import Problem, StdAwardError, ValidationFailed
from desktop.core.i18n import _
from desktop.core.vocabulary import parse_achievement, parse_enterprise
from desktop.store import audit, concurrency
from desktop.store.backend import year_lock
from desktop.store.models import Achievement, Award, AwardRound, Enterprise, Evidence, Notice, database, new_uuid, now
from desktop.store.records import natural_key, row_values, to_vocabulary

# ---------------------------------------------------------------------------- enterprises
ENTERPRISE_COLUMNS = ("name", "region_code", "address", "contact", "phone")


def enterprise_problems(values: dict[str, Any], editing: Enterprise | None = None) -> list[Problem]:
    """Validation of the enterprise form: the vocabulary's checks plus "this code is registered"."""
    problems: list[Problem] = []
    from desktop.store.office import city_level

    raw = {k: v for k, v in values.items() if v not in (None, "")}
    parse_enterprise(raw, 0, problems, city_level=city_level())
    code = (values.get("uscc") or "").strip().upper()
    if code and not any(p.field == "uscc" for p in problems):
        other = Enterprise.get_or_none(Enterprise.uscc == code)
        if other is not None and (editing is None or other.id != editing.id):
            problems.append(Problem(code, "uscc", _("this code is already registered to {name}").format(name=other.name)))
    return problems


def save_enterprise(values: dict[str, Any], user: str, editing: Enterprise | None = None,
                    version: int | None = None) -> Enterprise:
    """Register an enterprise, or change ``editing`` (only if it is still at ``version``, the version
    the form loaded: StaleRecord naming who changed it meanwhile, nothing written)."""
    problems = [p for p in enterprise_problems(values, editing) if p.severity == "error"]
    if problems:
        raise ValidationFailed(problems)
    problems = []
    ent = parse_enterprise({k: v for k, v in values.items() if v not in (None, "")}, 0, problems)
    assert ent is not None
    vals = {"uscc": ent.uscc, "name": ent.name, "region_code": ent.region, "address": ent.address,
            "contact": ent.contact, "phone": ent.phone}
    with database.atomic():
        if editing is None:
            row = Enterprise.create(uuid=new_uuid(), **vals)
            audit.record(user, "create", "enterprise", row.uuid, None, {"uscc": row.uscc, "name": row.name})
            return row
        concurrency.check(editing, version)
        before = {k: getattr(editing, k) for k in vals}
        changed = {k: v for k, v in vals.items() if v != before[k]}
        if changed:
            concurrency.bump(editing, version, updated_at=now(), **changed)
            if "uscc" in changed:  # the duplicate identity contains the credit code
                for a in Achievement.select().where(Achievement.enterprise == editing.id):
                    a.natural_key = natural_key(to_vocabulary(a, changed["uscc"]))
                    a.save()
            audit.record(user, "update", "enterprise", editing.uuid, {k: before[k] for k in changed}, changed)
        return Enterprise.get_by_id(editing.id)


def merge_enterprises(keep: Enterprise, drop: Enterprise, user: str) -> int:
    """Move everything of ``drop`` to ``keep`` and delete ``drop``. Returns achievements moved.

    An achievement id that ``keep`` already uses gets a suffix; blank details of ``keep`` are filled
    from ``drop``."""
    if keep.id == drop.id:
        raise StdAwardError(_("choose two different enterprises to merge"))
    with database.atomic():
        used = {r.source_id for r in Achievement.select(Achievement.source_id).where(Achievement.enterprise == keep.id)}
        moved = []
        for a in Achievement.select().where(Achievement.enterprise == drop.id):
            sid = a.source_id
            n = 2
            while sid in used:
                sid, n = f"{a.source_id}-{n}", n + 1
            used.add(sid)
            a.source_id, a.enterprise = sid, keep.id
            a.natural_key = natural_key(to_vocabulary(a, keep.uscc))
            a.updated_at = now()
            a.save()
            moved.append(a.uuid)
        Notice.update(enterprise=keep.id).where(Notice.enterprise == drop.id).execute()
        filled = {k: getattr(drop, k) for k in ENTERPRISE_COLUMNS if not getattr(keep, k) and getattr(drop, k)}
        if filled:
            concurrency.bump(keep, None, updated_at=now(), **filled)
        before = {"keep": {"uuid": keep.uuid, "uscc": keep.uscc, "name": keep.name},
                  "drop": {"uuid": drop.uuid, "uscc": drop.uscc, "name": drop.name}}
        Enterprise.delete().where(Enterprise.id == drop.id).execute()
        audit.record(user, "merge", "enterprise", keep.uuid, before, {"achievements_moved": moved, "filled": filled})
    return len(moved)


# ---------------------------------------------------------------------------- achievements
def suggest_id(enterprise: Enterprise | None) -> str:
    """A free achievement id for the entry form (the officer may change it)."""
    last = Achievement.select(Achievement.id).order_by(Achievement.id.desc()).scalar() or 0
    base = last + 1
    while enterprise is not None and Achievement.select().where(
            (Achievement.enterprise == enterprise.id) & (Achievement.source_id == f"A{base:05d}")).exists():
        base += 1
    return f"A{base:05d}"


def achievement_problems(raw: dict[str, Any], editing: Achievement | None = None) -> list[Problem]:
    """Everything wrong with the entry form's values (errors and warnings)."""
    problems: list[Problem] = []
    parse_achievement(raw, None, problems)
    code = raw.get("enterprise")
    ent = Enterprise.get_or_none(Enterprise.uscc == code) if code else None
    if code and ent is None and not any(p.field == "enterprise" for p in problems):
        problems.append(Problem(str(raw.get("id")), "enterprise", _("no enterprise with code {code}; add the enterprise first").format(code=code)))
    sid = str(raw.get("id") or "").strip()
    if ent is not None and sid:
        q = Achievement.select().where((Achievement.enterprise == ent.id) & (Achievement.source_id == sid))
        if editing is not None:
            q = q.where(Achievement.id != editing.id)
        if q.exists():
            problems.append(Problem(sid, "id", _("this enterprise already has an achievement with id {id}").format(id=sid)))
    return problems


def save_achievement(raw: dict[str, Any], user: str, editing: Achievement | None = None,
                     version: int | None = None) -> Achievement:
    """Add an achievement, or change ``editing`` if it is still at ``version`` (the form's)."""
    problems = achievement_problems(raw, editing)
    if any(p.severity == "error" for p in problems):
        raise ValidationFailed([p for p in problems if p.severity == "error"])
    a = parse_achievement(raw, None, [])
    assert a is not None
    ent = Enterprise.get(Enterprise.uscc == a.enterprise)
    vals = row_values(a)
    with database.atomic():
        if editing is None:
            row = Achievement.create(uuid=new_uuid(), enterprise=ent.id, **vals)
            audit.record(user, "create", "achievement", row.uuid, None, a.to_dict())
            return row
        year_lock(editing.date.year, a.date.year, shared=True)  # PostgreSQL: not while its year's round is computed
        if Award.select().where(Award.achievement == editing.id).exists():
            raise StdAwardError(_("this achievement is already in an award round; recompute or return the round before changing it"))
        concurrency.check(editing, version)
        before = to_vocabulary(editing).to_dict()
        for k, v in vals.items():
            setattr(editing, k, v)
        editing.enterprise = ent.id
        editing.updated_at = now()
        editing.save()
        audit.record(user, "update", "achievement", editing.uuid, before, a.to_dict())
        return editing


@dataclass
class Snapshot:
    """Everything needed to put deleted achievements back (undo)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)


def delete_achievements(ids: list[int], user: str) -> Snapshot:
    snap = Snapshot()
    with database.atomic():
        year_lock(*{r.date.year for r in Achievement.select(Achievement.id, Achievement.date)
                    .where(Achievement.id.in_(ids))}, shared=True)  # PostgreSQL: not while their year's round is computed
        rounds = (AwardRound.select(AwardRound.year).join(Award).where(Award.achievement.in_(ids)).distinct())
        years = sorted({r.year for r in rounds})
        if years:
            raise StdAwardError(_("an achievement in an award round cannot be deleted (round {years})").format(
                years=", ".join(map(str, years))))
        for row in Achievement.select().where(Achievement.id.in_(ids)):
            snap.rows.append(dict(row.__data__))
            snap.evidence += [dict(e.__data__) for e in row.evidence]
            audit.record(user, "delete", "achievement", row.uuid, to_vocabulary(row).to_dict(), None)
        Achievement.delete().where(Achievement.id.in_(ids)).execute()
    return snap


def restore_achievements(snap: Snapshot, user: str) -> None:
    """Put deleted achievements back (undo), with their evidence; all or nothing. An achievement
    that is back already (the same record, brought again by a county's package) is not put back
    twice: ValidationFailed naming it, nothing restored. (The same claim entered again under another
    id is a record of its own: the round marks one of the two a duplicate.) A row id another record
    has taken since (a load after the deletion) is not reclaimed: the achievement comes back under a
    new one."""
    with database.atomic():
        again = [Problem(data.get("source_id") or data["uuid"], "restore",
                         _("entered again since it was deleted: its deletion cannot be undone"))
                 for data in snap.rows if Achievement.select().where(Achievement.uuid == data["uuid"]).exists()]
        if again:
            raise ValidationFailed(again)
        ids: dict[Any, Any] = {}  # the row id each had -> the one it has again
        for data in snap.rows:
            row = recreate(Achievement, data)
            ids[data["id"]] = row.id
            audit.record(user, "restore", "achievement", row.uuid, None, to_vocabulary(row).to_dict())
        for data in snap.evidence:
            recreate(Evidence, {**data, "achievement": ids.get(data["achievement"], data["achievement"])})


def recreate(model: Any, data: dict[str, Any]) -> Any:
    """A deleted row made again from its fields (an undo), under its own row id unless another row
    has taken that id since (SQLite gives a freed highest id to the next row): then under a new one."""
    if model.get_or_none(id=data["id"]) is not None:
        data = {k: v for k, v in data.items() if k != "id"}
    return model.create(**data)


MAX_EVIDENCE = 200 << 20  # bytes of one evidence file (a scanned certificate is a few MB)


def attach_evidence(db_path: Path, achievement: Achievement, source: Path, user: str) -> Evidence:
    """Copy a file into the evidence folder under its SHA-256 (same file stored once; on a server the
    database keeps its contents too, ``desktop.store.files``). A link, a
    device or a folder is refused (a link would copy whatever it points at), and so is a file larger
    than ``MAX_EVIDENCE`` or with a name that cannot be shown. The file is hashed and copied from
    one open handle, so what is stored is what was hashed."""
    import stat

    from desktop.core.vocabulary import text_problem
    from desktop.store.atomic import write_atomic
    from desktop.store.paths import folder_for

    source = Path(source)
    record = achievement.source_id or achievement.uuid
    why = text_problem(source.name, "evidence")
    if why:
        raise ValidationFailed([Problem(record, "evidence", why)])
    if source.is_symlink():
        raise ValidationFailed([Problem(record, "evidence", _("{file} is a link to another file; attach the file "
                                                              "itself").format(file=source.name))])
    if not source.exists():
        raise ValidationFailed([Problem(record, "evidence", _("{file} cannot be read: no such file").format(
            file=source.name))])
    if not source.is_file():
        raise ValidationFailed([Problem(record, "evidence", _("{file} is not an ordinary file").format(
            file=source.name))])
    fd = os.open(source, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ValidationFailed([Problem(record, "evidence", _("{file} is not an ordinary file").format(
                file=source.name))])
        if st.st_size > MAX_EVIDENCE:
            raise ValidationFailed([Problem(record, "evidence", _("{file} is {size} MB; evidence files of at most "
                                                                  "{limit} MB are accepted").format(
                file=source.name, size=st.st_size >> 20, limit=MAX_EVIDENCE >> 20))])
        h = hashlib.sha256()
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
        digest = h.hexdigest()
        folder = folder_for(db_path, "evidence")
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{digest}{source.suffix.lower()}"
        if not target.exists():
            def copy(tmp: Path) -> None:
                fh.seek(0)
                with open(tmp, "wb") as out:
                    shutil.copyfileobj(fh, out, 1 << 20)

            write_atomic(target, copy, step="evidence")
    from desktop.store import files

    with database.atomic():
        files.put(target, digest, st.st_size)  # a server keeps the contents: every PC opens it (v6)
        ev = Evidence.create(achievement=achievement.id, filename=source.name, sha256=digest, size=st.st_size)
        # the record's evidence changed: the next "since the last export" package carries it and the file
        Achievement.update(updated_at=now()).where(Achievement.id == achievement.id).execute()
        audit.record(user, "attach", "evidence", achievement.uuid, None, {"file": source.name, "sha256": digest})
    return ev


def remove_evidence(ev: Evidence, user: str) -> None:
    with database.atomic():
        audit.record(user, "detach", "evidence", ev.achievement.uuid, {"file": ev.filename, "sha256": ev.sha256}, None)
        Achievement.update(updated_at=now()).where(Achievement.id == ev.achievement_id).execute()
        ev.delete_instance()
