"""Enterprises and achievements in the database: load a batch all or nothing, list, convert.

The database row and the vocabulary object (``desktop.core.vocabulary.Achievement``) convert both
ways, so every rule (validation, duplicates, the engine) works on the vocabulary and never on rows.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any, Protocol

from desktop.core.batches import IN_LIST, batches
from desktop.core.errors import Problem, StdAwardError, ValidationFailed
from desktop.core.i18n import N_, _
from desktop.core.progress import NO_PROGRESS, Progress
from desktop.core.vocabulary import Achievement as Ach
from desktop.core.vocabulary import Enterprise as Ent
from desktop.core.vocabulary import parse_achievement, parse_batch, parse_enterprise, split_input
from desktop.store import audit
from desktop.store.atomic import fault_point
from desktop.store.models import Achievement, Enterprise, Evidence, database, new_uuid, now

# An evidence file named in a load file but not attached yet (no copy in the evidence folder).
DECLARED = ""

_ACH_COLUMNS = ("ref", "title", "level", "action", "rank", "body", "prize", "grade", "domain",
                "accepted", "note")


_KEY_JSON = json.JSONEncoder(ensure_ascii=False, default=str)  # as json.dumps(..., ensure_ascii=False, default=str)


def natural_key(a: Ach) -> str:
    return _KEY_JSON.encode(a.identity())


def to_vocabulary(row: Achievement, uscc: str | None = None) -> Ach:
    """A database row as a vocabulary object (``id`` is the row's source id); a row holding what the
    program cannot have written (edited outside it) is refused by name, as ``ach_from_sql`` does."""
    code = uscc or row.enterprise.uscc
    units = row.units
    try:
        return Ach(id=row.source_id, enterprise=code, kind=row.kind, date=_a_day(row.date), ref=row.ref,
                   title=row.title, level=row.level, action=row.action,
                   rank=None if row.rank is None else _whole(row.rank), body=row.body, prize=row.prize,
                   grade=row.grade, domain=row.domain, accepted=row.accepted, uuid=row.uuid, note=row.note,
                   units=_list_of_texts(units) if units else ())
    except (ValueError, TypeError):
        stored = None if units is None else json.dumps(units, ensure_ascii=False)
        raise _unreadable(row.source_id, code, row.date, row.rank, stored) from None


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
    from desktop.store.office import city_level

    problems: list[Problem] = []
    city = city_level()
    ents = [e for i, r in enumerate(raw_ents) if (e := parse_enterprise(r, i, problems, city_level=city))]
    achs, more = parse_batch(raw_achs)
    problems.extend(more)
    seen: set[str] = set()
    for e in ents:
        if e.uscc in seen:
            problems.append(Problem(e.uscc, "uscc", _("this enterprise is listed twice")))
        seen.add(e.uscc)
    return ents, achs, problems


BATCH = 1000  # records per insert batch, per audit entry and per cancel check
ITEMISED_UP_TO = 100  # a load of at most this many records gets one audit entry per record, as typed ones do

_ENT_INSERT = ("INSERT INTO enterprise (uuid, uscc, name, region_code, address, contact, phone, created_at, "
               "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
_ACH_INSERT_COLUMNS = ("uuid", "source_id", "enterprise_id", "kind", "date", *_ACH_COLUMNS, "units", "natural_key",
                       "created_at", "updated_at")
_ACH_INSERT = (f"INSERT INTO achievement ({', '.join(_ACH_INSERT_COLUMNS)}) "
               f"VALUES ({', '.join('?' * len(_ACH_INSERT_COLUMNS))})")
_EVIDENCE_INSERT = "INSERT INTO evidence (achievement_id, filename, sha256, size, added_at) VALUES (?, ?, ?, 0, ?)"


def _in_query(sql: str, values: Iterable[Any]) -> list[tuple[Any, ...]]:
    """``sql`` with one ``{}`` for the placeholders, run over ``values`` in chunks (set-based lookups)."""
    rows: list[tuple[Any, ...]] = []
    for part in batches(sorted(set(values))):
        rows += database.execute_sql(sql.format(", ".join("?" * len(part))), part).fetchall()
    return rows


def _held_ids(pairs: set[tuple[int, str]]) -> set[tuple[int, Any]]:
    """Which of these (enterprise row id, achievement id) pairs the database holds, each looked up by
    the (enterprise, id) index (an id alone is every enterprise's: "A0001" of each)."""
    held: set[tuple[int, Any]] = set()
    for part in batches(sorted(pairs), IN_LIST // 2):
        values = ", ".join("(CAST(? AS INTEGER), CAST(? AS TEXT))" for _ in part)
        held.update(database.execute_sql(
            f"WITH p(e, s) AS (VALUES {values}) SELECT a.enterprise_id, a.source_id FROM p "
            f"JOIN achievement a ON a.enterprise_id = p.e AND a.source_id = p.s",
            [x for pair in part for x in pair]).fetchall())
    return held


def _db_row(uuid: str, enterprise_id: int, vals: dict[str, Any], stamp: str) -> tuple[Any, ...]:
    """The achievement's values as the columns store them (what the peewee fields would write)."""
    units = vals["units"]
    accepted = vals["accepted"]
    return (uuid, vals["source_id"], enterprise_id, vals["kind"], vals["date"].isoformat(),
            *(vals[c] for c in _ACH_COLUMNS[:-2]), None if accepted is None else bool(accepted), vals["note"],
            None if units is None else json.dumps(units, ensure_ascii=False, sort_keys=True),
            vals["natural_key"], stamp, stamp)


class LoadSource(Protocol):
    """Where ``load`` reads its records: a parsed document (``Document``) or a file read a record at
    a time (``desktop.exchange.jsonstream.JsonLoadFile``, ``desktop.exchange.xlsx.WorkbookSource``)."""

    total: int | None  # records, when known before reading them

    def enterprises(self) -> list[Any]: ...

    def achievements(self) -> Iterable[Any]: ...

    def progress(self, done: int) -> tuple[int, int]: ...


class Document:
    """A parsed load document: a list of achievements, or {"enterprises": [...], "achievements": [...]}."""

    def __init__(self, data: Any) -> None:
        self._ents, self._achs = split_input(data)
        self.total: int | None = len(self._ents) + len(self._achs)

    def enterprises(self) -> list[Any]:
        return list(self._ents)

    def achievements(self) -> Iterable[Any]:
        return self._achs

    def progress(self, done: int) -> tuple[int, int]:
        return done, self.total or 0


def _is_source(data: Any) -> bool:
    return callable(getattr(data, "achievements", None)) and callable(getattr(data, "enterprises", None))


MAX_LISTED = 1000  # errors (and warnings) one refusal lists; the rest are counted


class _Found:
    """The problems of one load: every one counted, the first ``MAX_LISTED`` of each severity kept."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.more_errors = self.more_warnings = 0

    def add(self, problems: list[Problem]) -> None:
        for p in problems:
            if p.severity == "error":
                if len(self.errors) < MAX_LISTED:
                    self.errors.append(p)
                else:
                    self.more_errors += 1
            elif len(self.warnings) < MAX_LISTED:
                self.warnings.append(p)
            else:
                self.more_warnings += 1

    def listed(self, severity: str) -> list[Problem]:
        kept, more = (self.errors, self.more_errors) if severity == "error" else (self.warnings, self.more_warnings)
        if not more:
            return list(kept)
        return [*kept, Problem("-", "-", _("{n} more problems like these are not listed").format(n=more), severity)]


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def load(data: Any, *, user: str, progress: Progress = NO_PROGRESS) -> LoadResult:
    """Validate and add enterprises and achievements; all or nothing (raises ValidationFailed).

    ``data`` is a parsed document or a ``LoadSource`` read a record at a time (a file of a million
    achievements is never in memory whole). Streamed path, in one transaction: the enterprises (a few
    thousand) are checked and written first; then the achievements a batch of ``BATCH`` at a time are
    validated (the vocabulary's checks, ids unique in the file, their enterprise in the file or the
    database, ids and uuids the database already holds: set-based queries per batch) and written with
    ``executemany``. After the first error nothing more is written, but the rest of the file is still
    checked so that the refusal names every problem (the first ``MAX_LISTED``); the refusal rolls back
    what was written. The audit log gets one entry per batch, whose ``state`` holds each record's uuid
    and digest, so an achievement edited or deleted outside the program still shows in
    ``audit.verify_all``. ``progress`` is told how far the work is and checked every batch: a cancel
    raises ``Cancelled`` inside the transaction, so nothing is left behind. A small load
    (``ITEMISED_UP_TO`` records or fewer) is logged record by record instead, so the audit view shows
    what each record was loaded with."""
    from desktop.store.office import city_level

    source: LoadSource = data if _is_source(data) else Document(data)
    found = _Found()
    scratch: list[Problem] = []
    city = city_level()
    ents = [e for i, r in enumerate(source.enterprises())
            if (e := parse_enterprise(r, i, scratch, city_level=city))]
    twice: set[str] = set()
    for e in ents:
        if e.uscc in twice:
            scratch.append(Problem(e.uscc, "uscc", _("this enterprise is listed twice")))
        twice.add(e.uscc)
    in_file = {e.uscc for e in ents}
    known_rows = {r[1]: r for r in _in_query(
        "SELECT id, uscc, uuid, name, region_code, address, contact, phone FROM enterprise WHERE uscc IN ({})", in_file)}
    taken = _("this uuid already belongs to another record; remove it to load the record as a new one")
    uuids: set[str] = set()
    new_uuids = {e.uuid: e.uscc for e in ents if e.uuid and e.uscc not in known_rows}
    held_by = dict(_in_query("SELECT uuid, uscc FROM enterprise WHERE uuid IN ({})", new_uuids))
    for e in ents:
        if e.uuid and e.uscc not in known_rows:
            if held_by.get(e.uuid, e.uscc) != e.uscc or e.uuid in uuids:
                scratch.append(Problem(e.uscc, "uuid", taken))
            uuids.add(e.uuid)
    found.add(scratch)

    achs_in = iter(source.achievements())
    head = list(islice(achs_in, max(0, ITEMISED_UP_TO - len(ents)) + 1))
    itemised = len(ents) + len(head) <= ITEMISED_UP_TO
    total = source.total
    progress.update(*source.progress(0), _("Saving {n} records...").format(n=total) if total is not None
                    else _("Saving records..."))
    progress.check()
    stamp = str(now())
    ent_ids: dict[str, int] = {code: r[0] for code, r in known_rows.items()}
    in_db = set(ent_ids)  # codes registered before this load (their achievement ids may clash)
    missing: set[str] = set()  # codes in neither the file nor the database
    result = LoadResult()
    done = 0
    with database.atomic():
        cur = database.cursor()
        fields = ("name", "region_code", "address", "contact", "phone")
        for batch in batches(ents, BATCH) if not found.errors else ():
            new: list[tuple[Any, ...]] = []
            for e in batch:
                vals = dict(zip(fields, (e.name, e.region, e.address, e.contact, e.phone)))
                row = known_rows.get(e.uscc)
                if row is None:
                    new.append((e.uuid or new_uuid(), e.uscc, *vals.values(), stamp, stamp))
                    continue
                before = dict(zip(fields, row[3:]))
                changed = {k: v for k, v in vals.items() if v is not None and v != before[k]}
                if changed:
                    Enterprise.update(updated_at=now(), version=Enterprise.version + 1,  # an open form sees it
                                      **changed).where(Enterprise.id == row[0]).execute()
                    audit.record(user, "update", "enterprise", row[2], {k: before[k] for k in changed}, changed)
                    result.enterprises_updated += 1
            if new:
                cur.executemany(_ENT_INSERT, new)
                if itemised:
                    for r in new:
                        audit.record(user, "create", "enterprise", r[0], None, {"uscc": r[1], "name": r[2]})
                else:
                    listed = [[r[0], r[1], r[2]] for r in new]  # uuid, credit code, name
                    audit.record_batch(user, "load", "enterprise",
                                       {"counts": len(new), "digest": audit.fields_digest(listed)}, None)
                result.enterprises_added += len(new)
            done += len(batch)
            progress.update(*source.progress(done))
            progress.check()
        if not found.errors:
            for code, ent_id in _in_query("SELECT uscc, id FROM enterprise WHERE uscc IN ({})",
                                          in_file - ent_ids.keys()):
                ent_ids[code] = ent_id
        seen: dict[str, int] = {}  # achievement id -> its position in the file
        position = 0
        twice_msg = _("the id {id} is used twice in this batch (records {a} and {b})")
        for raws in _batches(chain(head, achs_in), BATCH):
            scratch = []
            achs: list[Ach] = []
            for raw in raws:
                a = parse_achievement(raw, position, scratch)
                position += 1
                if a is None:
                    continue
                if a.id in seen:
                    scratch.append(Problem(a.id, "id", twice_msg.format(id=a.id, a=seen[a.id] + 1, b=position)))
                    continue
                seen[a.id] = position - 1
                achs.append(a)
            unknown = {a.enterprise for a in achs} - ent_ids.keys() - in_file - missing
            if unknown:
                for code, ent_id in _in_query("SELECT uscc, id FROM enterprise WHERE uscc IN ({})", unknown):
                    ent_ids[code] = ent_id
                    in_db.add(code)
                missing |= unknown - ent_ids.keys()
            held = _held_ids({(ent_ids[a.enterprise], a.id) for a in achs if a.enterprise in in_db})
            given = [a.uuid for a in achs if a.uuid]
            held_uuids = {r[0] for r in _in_query("SELECT uuid FROM achievement WHERE uuid IN ({})", given)
                          } if given else set()
            for a in achs:
                if a.enterprise in missing:
                    scratch.append(Problem(a.id, "enterprise", _(
                        "no enterprise with code {code} in the file or the database; add it under \"enterprises\""
                    ).format(code=a.enterprise)))
                elif a.enterprise in in_db and (ent_ids[a.enterprise], a.id) in held:
                    scratch.append(Problem(a.id, "id", _(
                        "this enterprise already has an achievement with id {id} in the database").format(id=a.id)))
                if a.uuid:
                    if a.uuid in uuids or a.uuid in held_uuids:
                        scratch.append(Problem(a.id, "uuid", taken))
                    uuids.add(a.uuid)
            found.add(scratch)
            done += len(raws)
            if not found.errors:
                _write_achievements(cur, achs, ent_ids, stamp, user, itemised)
                result.achievements_added += len(achs)
            progress.update(*source.progress(done))
            progress.check()
        if found.errors:
            raise ValidationFailed(found.listed("error"))  # rolls back what was written
        fault_point("load", "in-transaction")
        progress.update(*source.progress(done))
        progress.check()  # a cancel during the last records still rolls everything back
    result.warnings = found.listed("warning")
    return result


def _write_achievements(cur: Any, achs: list[Ach], ent_ids: dict[str, int], stamp: str, user: str,
                        itemised: bool) -> None:
    """One batch of checked achievements: ``executemany`` of their rows and evidence names, and their
    audit entry (one per batch that hashes each record, or one per record for a small load)."""
    rows: list[tuple[Any, ...]] = []
    state: dict[str, str | None] = {}
    evidence: list[tuple[str, str]] = []
    for a in achs:
        uuid = a.uuid or new_uuid()
        vals = row_values(a)
        rows.append(_db_row(uuid, ent_ids[a.enterprise], vals, stamp))
        state[f"achievement:{uuid}"] = audit.fields_digest(audit.achievement_fields(vals))
        evidence += [(uuid, name) for name in dict.fromkeys(a.evidence)]  # the names it validated are kept
    if not rows:
        return
    cur.executemany(_ACH_INSERT, rows)
    if evidence:
        ids = dict(_in_query("SELECT uuid, id FROM achievement WHERE uuid IN ({})", (u for u, _n in evidence)))
        cur.executemany(_EVIDENCE_INSERT, [(ids[u], name, DECLARED, stamp) for u, name in evidence])
    if itemised:
        for a, r in zip(achs, rows):
            audit.record(user, "create", "achievement", r[0], None, a.to_dict())
    else:
        audit.record_batch(user, "load", "achievement",
                           {"counts": len(rows), "digest": audit.fields_digest(sorted(state.items()))}, state)


def refresh_natural_keys(kinds: Iterable[str] = ("prize",)) -> int:
    """Recompute the stored duplicate identity of the achievements of ``kinds`` (a prize's identity
    now includes its scheme and grade); returns how many rows changed. For a migration step."""
    changed = 0
    with database.atomic():
        columns = [f for f in Achievement._meta.sorted_fields if f.name != "version"]  # v5 adds it: not there yet
        q = (Achievement.select(*columns, Enterprise.uscc).join(Enterprise)
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
        out.setdefault(ev.achievement_id, []).append(ev.filename)  # the key, not a query
    return out


def list_enterprises() -> list[dict[str, Any]]:
    from peewee import JOIN, fn

    q = (Enterprise.select(Enterprise, fn.COUNT(Achievement.id).alias("n"))
         .join(Achievement, JOIN.LEFT_OUTER).group_by(Enterprise.id).order_by(Enterprise.name))
    return [{"uuid": e.uuid, "uscc": e.uscc, "name": e.name, "region": e.region_code,
             "address": e.address, "contact": e.contact, "phone": e.phone,
             "achievements": e.n} for e in q]


ACH_COLUMNS_SQL = ("a.id, a.source_id, e.uscc, a.kind, a.date, a.ref, a.title, a.level, a.action, a.rank, a.body, "
                   "a.prize, a.grade, a.domain, a.accepted, a.uuid, a.note, a.units")  # as ach_from_sql reads them


def ach_from_sql(cols: Any, shared: dict[Any, Any] | None = None) -> tuple[int, Ach]:
    """(row id, vocabulary object) from the columns ``ACH_COLUMNS_SQL`` names (``a`` the achievement,
    ``e`` its enterprise), converted as the models convert them (``to_vocabulary``). With ``shared``
    (one dict for a whole read) the values that repeat from row to row (the enterprise's code, kind,
    level, action, the date) are one object each rather than a copy per row: a year of a million
    achievements held in a few hundred MB less."""
    (row_id, sid, uscc, kind, date, ref, title, level, action, rank, body, prize, grade, domain, accepted, uuid,
     note, units) = cols
    if uscc is None:  # read with its enterprise LEFT JOINed: the enterprise row was deleted outside the program
        raise orphaned(sid)
    try:
        if shared is None:
            day = _day(date)
        else:
            uscc, kind, level, action = (shared.setdefault(uscc, uscc), shared.setdefault(kind, kind),
                                         shared.setdefault(level, level), shared.setdefault(action, action))
            day = shared.get(("date", date))
            if day is None:
                day = shared[("date", date)] = _day(date)
        return row_id, Ach(id=str(sid), enterprise=uscc, kind=kind, date=day, ref=ref, title=title, level=level,
                           action=action, rank=None if rank is None else _whole(rank), body=body, prize=prize,
                           grade=None if grade is None else str(grade), domain=domain,
                           accepted=None if accepted is None else bool(accepted), uuid=uuid, note=note,
                           units=_texts(units) if units else ())
    except (ValueError, TypeError):  # (a JSON error is a ValueError)
        raise _unreadable(cols[1], cols[2], cols[4], cols[9], cols[17]) from None


# What a row read back must hold where the program writes it: anything else was written outside it
# (the file edited by hand, another tool). Refused naming the record and the field, never computed on.
_STORED = {"date": N_("date"), "rank": N_("rank"), "units": N_("units")}


def _day(value: Any) -> Any:
    """A stored date read as the model reads it."""
    return _a_day(Achievement.date.python_value(value))


def _a_day(day: Any) -> dt.date:
    if not isinstance(day, dt.date):  # (peewee gives back a text it cannot read as a date)
        raise ValueError(day)
    return day


def _whole(value: Any) -> int:
    if type(value) is int:
        return value
    if not isinstance(value, str) or not value.strip().isdigit():  # (a real, a text: not the program's)
        raise ValueError(value)
    return int(value)


def _texts(value: Any) -> tuple[str, ...]:
    """Stored units (JSON text) read as the model reads them."""
    return _list_of_texts(json.loads(value))


def _list_of_texts(items: Any) -> tuple[str, ...]:
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        raise ValueError(items)
    return tuple(items)


def refuse_dates_of(year: int) -> None:
    """Refuse (by record and field) an achievement of ``year`` whose stored date is no date and
    sorts outside the year's days (2025-13-45, 2025-00-10: written outside the program), which a
    reading of the year's days would leave out without a word. SQLite only: a server's date
    column holds only dates. Two probes of the date index."""
    y = f"{year:04d}"
    row = database.execute_sql(
        f"SELECT {ACH_COLUMNS_SQL} FROM {ACH_FROM_SQL} "
        "WHERE (a.date >= ? AND a.date < ?) OR (a.date > ? AND a.date < ?) LIMIT 1",
        (f"{y}-", f"{y}-01-01", f"{y}-12-31", f"{y}-\uffff")).fetchone()  # (not "2025.": a number to a DATE column)
    if row is not None:
        raise orphaned(row[1]) if row[2] is None else _unreadable(row[1], row[2], row[4], row[9], row[17])


def _unreadable(sid: Any, uscc: str, date: Any, rank: Any, units: Any) -> StdAwardError:
    """The refusal of an achievement row whose stored values (date, rank, units as stored) the
    program cannot have written."""
    name = Enterprise.select(Enterprise.name).where(Enterprise.uscc == uscc).scalar()
    enterprise = f"{name}（{uscc}）" if name else uscc
    for key, value, read in (("date", date, _day), ("rank", rank, _whole), ("units", units, _texts)):
        if value is None or (key == "units" and not value):
            continue
        try:
            read(value)
        except (ValueError, TypeError):
            shown = str(value)
            return StdAwardError(_(
                "achievement {id} of {enterprise}: its {field} in the database cannot be read ({value}); the "
                "record was changed outside the program. {view} → {button} in the window, or \"stdaward "
                "audit-verify\", shows what changed; then restore a backup").format(
                view=_("Audit log"), button=_("Check the chain"),
                id=sid, enterprise=enterprise, field=_(_STORED[key]),
                value=shown if len(shown) <= 40 else shown[:40] + "…"))
    return StdAwardError(_("achievement {id} of {enterprise} cannot be read from the database; the record was "
                           "changed outside the program").format(id=sid, enterprise=enterprise))


def achievement_rows(year: int | None = None, enterprise: str | None = None) -> list[tuple[int, Ach]]:
    """(row id, vocabulary object) of the achievements of ``year`` and/or ``enterprise``, by date then
    row: read with the cursor (peewee building a model per row cost ~0.25 ms a row, 25 s for a year of
    100,000)."""
    shared: dict[Any, Any] = {}
    return [ach_from_sql(cols, shared) for cols in database.execute_sql(*_achievement_sql(year, enterprise))]


def orphaned(sid: Any) -> StdAwardError:
    """The refusal of an achievement whose enterprise row was deleted outside the program (a hand tool
    enforces no foreign key): every reading of the year names it, none leaves it out."""
    return StdAwardError(_(
        "achievement {id} cannot be read: its enterprise is no longer in the database (deleted outside the "
        "program). {view} → {button} in the window, or \"stdaward audit-verify\", shows what changed; then "
        "restore a backup").format(id=sid, view=_("Audit log"), button=_("Check the chain")))


# The achievements with their enterprise's columns; LEFT JOINed, so a record whose enterprise row is
# gone comes with NULLs (``ach_from_sql`` refuses it by name) rather than not at all.
ACH_FROM_SQL = "achievement a LEFT JOIN enterprise e ON e.id = a.enterprise_id"


def _achievement_sql(year: int | None, enterprise: str | None) -> tuple[str, list[Any]]:
    where, params = [], []
    if year is not None:
        where.append("a.date BETWEEN ? AND ?")
        params += [f"{year:04d}-01-01", f"{year:04d}-12-31"]
    if enterprise:
        where.append("e.uscc = ?")
        params.append(enterprise)
    return (f"SELECT {ACH_COLUMNS_SQL} FROM {ACH_FROM_SQL}"
            + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY a.date, a.id"), params


def achievements(year: int | None = None, enterprise: str | None = None) -> list[Ach]:
    """The vocabulary objects alone (no list of (row id, object) pairs made on the way)."""
    shared: dict[Any, Any] = {}
    return [ach_from_sql(cols, shared)[1] for cols in database.execute_sql(*_achievement_sql(year, enterprise))]


def achievement_listing(year: int | None = None) -> tuple[list[Ach], list[str]]:
    """``achievements`` to be listed, and the refusal of each record that cannot be read (edited
    outside the program): a listing shows every other record and names those, where a computation
    refuses them all."""
    shared: dict[Any, Any] = {}
    found: list[Ach] = []
    unreadable: list[str] = []
    for cols in database.execute_sql(*_achievement_sql(year, None)).fetchall():
        try:
            found.append(ach_from_sql(cols, shared)[1])
        except StdAwardError as exc:
            unreadable.append(str(exc))
    return found, unreadable


def enterprise_names(codes: Iterable[str] | None = None) -> dict[str, str]:
    q = Enterprise.select(Enterprise.uscc, Enterprise.name)
    if codes is not None:
        q = q.where(Enterprise.uscc.in_(list(codes)))
    return {e.uscc: e.name for e in q}
