"""Targets (工作目标) counted by the database: for each target of a policy, how many distinct things
its scope takes by a date, as ``desktop.core.targets.progress`` counts them over the achievements in
Python, without reading the achievements into Python (the overview refreshes this at every change;
a million achievements took 52 s and 2.9 GB read whole).

The distinct key follows ``core.targets._distinct_key`` through the stored duplicate identity
(``natural_key``, the JSON of ``Achievement.identity()``): its third part is the normalised standard
number and its fourth what tells a standard's actions or a prize's schemes apart.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.i18n import _
from desktop.core.policy_schema import CONDITION_VALUES, Target
from desktop.store import audit
from desktop.store.backend import is_postgres, json_item, json_valid, json_values, snapshot
from desktop.store.models import Achievement, database
from desktop.store.records import _KEY_JSON

Report = Callable[[int, int, str], None]  # (done, total, what is being done): a task's progress

PER_ENTERPRISE = ("adoption", "self_declared")  # as core.targets._PER_ENTERPRISE

_NO_REF = "(a.ref IS NULL OR a.ref = '')"
_KEY = {  # counting -> the distinct key of an achievement with a ref (without one: its whole identity)
    "enterprises": "a.enterprise_id",
    "standards": "json_array(a.kind, json_extract(a.natural_key, '$[2]'))",
}
_ITEMS_KEY = (f"CASE WHEN a.kind IN ({', '.join(repr(k) for k in PER_ENTERPRISE)}) "
              "THEN json_array(json_extract(a.natural_key, '$[0]'), a.kind, json_extract(a.natural_key, '$[2]')) "
              "ELSE json_array(a.kind, json_extract(a.natural_key, '$[2]'), json_extract(a.natural_key, '$[3]')) END")


# the same keys in PostgreSQL's JSON functions (its upper() knows Unicode; natural_key is text)
_NK = "CAST(a.natural_key AS jsonb)"
_KEY_PG = {
    "enterprises": "a.enterprise_id",
    "standards": f"jsonb_build_array(a.kind, {_NK} -> 2)",
}
_ITEMS_KEY_PG = (f"CASE WHEN a.kind IN ({', '.join(repr(k) for k in PER_ENTERPRISE)}) "
                 f"THEN jsonb_build_array({_NK} -> 0, a.kind, {_NK} -> 2) "
                 f"ELSE jsonb_build_array(a.kind, {_NK} -> 2, {_NK} -> 3) END")


def _upper(text: str | None) -> str | None:
    return None if text is None else text.upper()  # Python's (SQLite's upper() knows only ASCII)


def upto(t: Target, as_of: dt.date) -> dt.date:
    """The last date a target counts on ``as_of``: the earlier of the date and its deadline."""
    return min(as_of, t.deadline) if t.deadline else as_of


def target_where(t: Target, as_of: dt.date) -> tuple[str, list[Any], str]:
    """(the condition on an achievement ``a`` that one counted target takes on ``as_of``, its
    parameters, the expression of the distinct thing it counts)."""
    where, params = ["a.date <= ?"], [upto(t, as_of).isoformat()]
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
        params.append(bool(s.accepted))  # SQLite stores 1/0, a server's column is boolean
    if s.rank is not None:
        lo, hi = s.rank
        where.append("a.rank >= ?")
        params.append(lo)
        if hi is not None:
            where.append("a.rank <= ?")
            params.append(hi)
    if s.ref_prefix:
        upper = "upper" if is_postgres() else "stdaward_upper"
        where.append("(" + " OR ".join(f"substr({upper}(a.ref), 1, ?) = ?" for _p in s.ref_prefix) + ")")
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
    if is_postgres():
        key = _KEY_PG.get(t.count, _ITEMS_KEY_PG)
        if t.count != "enterprises":
            key = f"CASE WHEN {_NO_REF} THEN {_NK} ELSE {key} END"
        return " AND ".join(where), params, key
    key = _KEY.get(t.count, _ITEMS_KEY)
    if t.count != "enterprises":
        key = f"CASE WHEN {_NO_REF} THEN a.natural_key ELSE {key} END"
    return " AND ".join(where), params, key


def target_sql(t: Target, as_of: dt.date) -> tuple[str, list[Any]]:
    """The ``COUNT(DISTINCT ...)`` of one counted target on ``as_of``, with its parameters.

    A target counting standards counts, per kind, the distinct standard numbers of the records with a
    ref (the third part of their identity), and the distinct identities of those without one: the
    same number as ``COUNT(DISTINCT key)`` (the two kinds of key never meet: a number's key is
    ``[kind, number]``, an identity has four parts), written so that an index on the number (schema
    7's ``achievement_standard_claim_v1`` on a server: ``(natural_key ->> 2)``, date, for standards
    with a ref) is read in the number's order instead of every row's JSON worked out and sorted.
    Taken only where that index is there (a server of schema 7; SQLite has none) and
    ``USE_NUMBER_INDEX`` says so: measured, it is not yet the faster form."""
    where, params, key = target_where(t, as_of)
    if t.count != "standards" or not t.kinds:
        return f"SELECT COUNT(DISTINCT {key}) FROM achievement a WHERE {where}", params
    if not _number_indexed():
        # without the index the split form reads the kind's rows twice: at 10⁵ SQLite 1.75 s against the one
        # COUNT(DISTINCT)'s 1.14 s (json_valid too), a server 1.06-1.17 s against 0.77-0.79 s
        return f"SELECT COUNT(DISTINCT {key}) FROM achievement a WHERE {where}", params
    number, with_ref = json_item("a.natural_key", 2), f"a.ref IS NOT NULL AND a.ref != '' AND {json_valid('a.natural_key')}"
    parts, out = [], []
    for kind in t.kinds:
        # the kind a constant: the planner proves a partial index's condition (kind = 'standard') from constants
        same = f"a.kind = '{kind}'" if _PLAIN.fullmatch(kind) else "a.kind = ?"
        parts.append(f"(SELECT COUNT(DISTINCT {number}) + COALESCE(MAX(CASE WHEN {number} IS NULL THEN 1 ELSE 0 END), 0) "
                     f"FROM achievement a WHERE {same} AND {with_ref} AND {where})")
        out += ([] if _PLAIN.fullmatch(kind) else [kind]) + params
    # without a ref (or an identity no JSON reader takes): the whole identity, as ``target_where``'s key
    whole = _NK if is_postgres() else "a.natural_key"
    parts.append(f"(SELECT COUNT(DISTINCT {whole}) FROM achievement a WHERE NOT ({with_ref}) AND {where})")
    return "SELECT " + " + ".join(parts), out + params


NUMBER_INDEX = "achievement_standard_claim_v1"  # schema 7, on a server: the standards' numbers (see target_sql)
# Measured at 10⁶ on a server with that index built by hand (as schema 7 builds it): the planner reads
# the index for the numbers, but the index holds no level (a target's scope) and the records without a
# ref still take a scan of their own: standards-60 17.4 s against the one distinct count's 14.5-15.6 s,
# group-standards-6 7.8-10.0 s against 6.7-7.6 s. Not taken until an index serves it better (the
# level among its columns; the records without a ref indexed apart).
USE_NUMBER_INDEX = False


def _number_indexed() -> bool:
    """Is the per-number form to be taken: an index on the standards' numbers there (schema 7's, on a
    server), and the form enabled (see ``USE_NUMBER_INDEX``)?"""
    if not (USE_NUMBER_INDEX and is_postgres()):
        return False
    return database.execute_sql("SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE tablename = 'achievement' AND "
                                "indexname = ? AND schemaname = current_schema())", (NUMBER_INDEX,)).fetchone()[0]


_PLAIN = re.compile(r"[a-z_]{1,40}")  # a kind written into the SQL as a constant (policy kinds are such words)


def register_functions() -> None:
    """The SQL functions the targets' conditions use, on this thread's connection (SQLite's: a
    server has its own)."""
    if is_postgres():
        return
    database.connection().create_function("stdaward_upper", 1, _upper, deterministic=True)


DENSE = 4  # a target counting more than this many times the rows listed reads them in date order


def counting_rows(t: Target, as_of: dt.date, limit: int) -> tuple[int, list[tuple[Any, ...]]]:
    """(how many achievements count toward ``t`` on ``as_of``, the newest ``limit`` of them as
    (enterprise name, kind, level, action, rank, ref, title, body, prize, grade, domain, accepted,
    date))."""
    register_functions()
    where, params, _key = target_where(t, as_of)
    total = int(database.execute_sql(f"SELECT count(*) FROM achievement a WHERE {where}", params).fetchone()[0])
    if total > DENSE * limit and not is_postgres():  # many: walk the dates from the newest (the kind's index would sort them all)
        where = where.replace("a.kind IN (", "+a.kind IN (", 1)
    rows = database.execute_sql(
        "SELECT e.name, a.kind, a.level, a.action, a.rank, a.ref, a.title, a.body, a.prize, a.grade, a.domain, "
        f"a.accepted, a.date FROM achievement a JOIN enterprise e ON e.id = a.enterprise_id WHERE {where} "
        "ORDER BY a.date DESC, a.id DESC LIMIT ?", [*params, limit]).fetchall()
    return total, rows


def counts(targets: list[Target], as_of: dt.date, report: Report | None = None) -> dict[str, int]:
    """Target id -> how many distinct things it counts on ``as_of`` (targets counted from records);
    each target's counting told to ``report`` before it starts (a million records: seconds each)."""
    register_functions()
    out = {}
    counting = [t for t in targets if t.count != "entered"]
    for i, t in enumerate(counting):
        if report is not None:
            report(i, len(counting), _("Counting target {n} of {total}: {target}").format(
                n=i + 1, total=len(counting), target=t.text))
        sql, params = target_sql(t, as_of)
        out[t.id] = database.execute_sql(sql, params).fetchone()[0]
    return out


# The achievements' number and highest id as two scalar subqueries, never ``SELECT count(*), max(id)``:
# SQLite answers a lone ``count(*)`` by counting the b-tree's cells (OP_Count, a millisecond at 10⁵)
# and a lone ``max(id)`` by one seek, but the two in one aggregate decode every row of an index
# (40-60 ms at 10⁵, over 100 ms at 10⁶: what made the overview's restart and edit 4-5x slower).
_COUNT_AND_TOP = "SELECT (SELECT count(*) FROM achievement), (SELECT coalesce(max(id), 0) FROM achievement)"


# ------------------------------------------------------------------ kept counts, brought up to date
#
# Counting every target over a million achievements takes seconds. The counts are kept under the
# audit entry they include (in this process, and in ``<db>.target-counts`` beside the database, so
# the next start need not count again), and brought up to date from the audit entries added since:
# an achievement added, changed, deleted or restored names itself (and what it was before), so only
# the distinct things it was or is counted as are looked at again. A bulk load or an import that
# only added achievements (its entry says so: nothing updated, taken over or deleted) added rows
# above the highest row id the counts include: their contribution is what they count that the rows
# below do not (``_add_rows``), found in SQL without counting everything again. Anything else that
# can change what the targets count (an import that updated or deleted records, an enterprise
# changed or merged, a restore) counts everything again, as does a count of the achievements that
# does not add up.

COUNTS_SUFFIX = ".target-counts"
COUNTS_FORMAT = "stdaward-target-counts"
MAX_TOUCHED = 500  # more achievements changed since the kept counts than this: everything counted again
_ENTITIES = ("achievement", "enterprise", "package", "database", "schema")  # audited changes that may matter
_NEUTRAL = {("enterprise", "create"), ("package", "export"), ("package", "reply"), ("package", "import-reply")}
_OLD_COLUMNS = ("uuid", "enterprise_id", "kind", "date", "ref", "level", "action", "rank", "body", "prize", "grade",
                "domain", "accepted", "natural_key")


@dataclass
class Kept:
    """Counts of one policy's targets, and what they include: the last audit entry (id and hash), the
    number of achievements then, the last date each target counted up to."""

    policy: str
    uptos: dict[str, str]
    counts: dict[str, int]
    audit_id: int
    audit_hash: str
    achievements: int
    max_id: int = 0  # the highest achievement row id then (0: not known, as in counts kept before it was)


@dataclass(frozen=True)
class Counted:
    """The counts, and how they were had: ``kept`` (nothing they count changed), ``incremental``
    (``touched`` achievements looked at again) or ``full`` (everything counted)."""

    counts: dict[str, int]
    how: str
    touched: int = 0


_KEPT: dict[str, list[Kept]] = {}  # database -> the counts kept in this process, newest first


def counts_path(db_file: Path) -> Path:
    return Path(db_file).with_name(Path(db_file).name + COUNTS_SUFFIX)


def _head() -> tuple[int, str]:
    row = database.execute_sql("SELECT id, hash FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, "")


def _holds(kept: Kept) -> bool:
    """Is the audit entry the counts include still the one they were counted at?"""
    if not kept.audit_id:
        return True
    row = database.execute_sql("SELECT hash FROM audit_entry WHERE id = ?", (kept.audit_id,)).fetchone()
    return row is not None and row[0] == kept.audit_hash


KEPT_PER_DATABASE = 16  # counts kept for this many (policy, dates) at once: the overview's, dashboards'


COUNTS_SETTING = "targets.counts"  # the kept counts on a server: in the settings table, with the data


def _read_file(db_file: Path | None) -> list[Kept]:
    if db_file is None:
        return []
    try:
        if is_postgres():
            row = database.execute_sql("SELECT value FROM setting WHERE key = ?", (COUNTS_SETTING,)).fetchone()
            if row is None:
                return []
            raw = json.loads(row[0]) if isinstance(row[0], str) else row[0]
        else:
            raw = json.loads(counts_path(db_file).read_text("utf-8"))
        if raw.get("format") != COUNTS_FORMAT or not audit.signed_by_office(_message(raw["kept"]), raw.get("signature")):
            return []  # not what this program kept (counts made to look met): counted again
        return [Kept(str(k["policy"]), {str(t): str(v) for t, v in k["uptos"].items()},
                     {str(t): int(v) for t, v in k["counts"].items()}, int(k["audit_id"]), str(k["audit_hash"]),
                     int(k["achievements"]), int(k.get("max_id") or 0)) for k in raw["kept"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []


def _message(kept: Any) -> bytes:
    """What the office key signs of the kept counts (beside the database, as the log's head is)."""
    return (COUNTS_FORMAT + "/1|" + json.dumps(kept, sort_keys=True, separators=(",", ":"))).encode()


def _find(db_file: Path | None, policy: str, uptos: dict[str, str]) -> Kept | None:
    """The counts kept for ``policy`` up to these dates, else those kept up to the nearest dates
    (some of its targets then count up to another date: they are moved to it, see ``_move_date``):
    the overview's reading this morning takes yesterday's, not those of an earlier year an officer
    looked at since; of two as near, the newest."""
    kept = _KEPT.get(str(db_file)) or _read_file(db_file)
    _KEPT[str(db_file)] = kept
    mine = [k for k in kept if k.policy == policy]
    if not mine:
        return None

    def days_apart(k: Kept) -> int:
        far = 0
        for tid, day in uptos.items():
            was = k.uptos.get(tid)
            try:
                far += abs((dt.date.fromisoformat(day) - dt.date.fromisoformat(was)).days) if was else 1 << 20
            except ValueError:
                far += 1 << 20
        return far

    return min(mine, key=days_apart)  # min keeps the first of equals: the newest kept


def _keep(db_file: Path | None, kept: Kept) -> None:
    others = [k for k in _KEPT.get(str(db_file), []) if (k.policy, k.uptos) != (kept.policy, kept.uptos)]
    _KEPT[str(db_file)] = [kept, *others][:KEPT_PER_DATABASE]
    if db_file is None:
        return
    if is_postgres():  # officers on several PCs: kept with the data, as the audit log's head is
        from desktop.store.models import Setting

        kept_now = [dataclasses.asdict(k) for k in _KEPT[str(db_file)]]
        sig, fp = audit.office_signature(_message(kept_now))
        with database.atomic():
            Setting.insert(key=COUNTS_SETTING, value={"format": COUNTS_FORMAT, "kept": kept_now, "fingerprint": fp,
                                                      "signature": sig}).on_conflict_replace().execute()
        return
    target = counts_path(db_file)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            kept_now = [dataclasses.asdict(k) for k in _KEPT[str(db_file)]]
            sig, fp = audit.office_signature(_message(kept_now))
            json.dump({"format": COUNTS_FORMAT, "kept": kept_now, "fingerprint": fp, "signature": sig}, fh)
        os.replace(tmp, target)
    except OSError:  # a cache: the next start counts again
        logging.getLogger(__name__).warning("could not keep the target counts beside the database", exc_info=True)
        tmp.unlink(missing_ok=True)


def _followable_import(after: Any) -> bool:
    """Can the import this entry records be followed without counting everything again: it added
    records (the rows above the kept highest id) and updated some (each update has an entry of its
    own naming the record and the columns it changed, as they were), but deleted or merged none?"""
    try:
        got = json.loads(after) if isinstance(after, str) else after
        applied, deleted = got["applied"], got.get("deleted") or {}
        return int(applied.get("deleted", 0)) == 0 and not any(deleted.values())
    except (ValueError, KeyError, TypeError, AttributeError):
        return False


IMPORTED = "\x00import-update"  # a touched record's "was": the columns an import changed (the package's form)


def _was(before: Any) -> dict[str, Any] | None:
    """An audit entry's record as it was (its JSON text or its value), None when it is no record."""
    try:
        was = json.loads(before) if isinstance(before, str) else before
    except ValueError:
        return None
    return was if isinstance(was, dict) else None


def _changes_since(audit_id: int) -> tuple[dict[str, dict[str, Any] | None], bool] | None:
    """The achievements changed after ``audit_id``: uuid -> what it was at that entry (None: it was
    not there: added or restored since), and whether rows were added in bulk (a load, an import that
    only added: their entries do not name them; they are the rows above the kept highest id). None
    when a change cannot be followed."""
    touched: dict[str, dict[str, Any] | None] = {}
    imported: set[str] = set()  # touched first by an import's update
    bulk = False
    rows = database.execute_sql(
        f"SELECT action, entity, entity_uuid, before, after FROM audit_entry WHERE id > ? AND entity IN "
        f"({', '.join('?' * len(_ENTITIES))}) ORDER BY id", (audit_id, *_ENTITIES))
    for action, entity, uuid, before, after in rows:
        if (entity, action) in _NEUTRAL:
            continue
        if action == "load" and entity in ("achievement", "enterprise") and not uuid:
            bulk = True  # a bulk load only adds (it records the rows it added by digest)
            continue
        if (entity, action) == ("package", "import"):
            if not _followable_import(after):
                return None
            bulk = True
            continue
        if (entity, action) == ("enterprise", "import-update"):
            continue  # an enterprise's name or address: nothing a target counts (they read the achievements' columns)
        if entity != "achievement" or action not in ("create", "update", "delete", "restore", "import-update") \
                or not uuid:
            return None
        if uuid in imported:
            return None  # changed again after an import changed it: its entry no longer says what it was
        if uuid in touched:
            continue  # what it was at the mark is in its first entry since
        if action == "import-update":  # the columns the import changed, as they were (the package's form)
            was = _was(before)
            if was is None:
                return None
            touched[uuid] = {IMPORTED: was}
            imported.add(uuid)
            if len(touched) > MAX_TOUCHED:
                return None
            continue
        if action in ("update", "delete"):
            was = _was(before)
            if was is None:
                return None
            touched[uuid] = was
        else:
            touched[uuid] = None
        if len(touched) > MAX_TOUCHED:
            return None
    return touched, bulk


def _old_rows(touched: dict[str, dict[str, Any] | None]) -> list[tuple[Any, ...]] | None:
    """The achievements as they were at the mark (the vocabulary the audit entry recorded), as rows
    of ``_OLD_COLUMNS``; None if one cannot be read back."""
    from desktop.core.vocabulary import parse_achievement
    from desktop.store.records import natural_key

    out = []
    ids: dict[str, int] = {}
    for uuid, was in touched.items():
        if was is None:
            continue
        if IMPORTED in was:
            row = _before_import(uuid, was[IMPORTED])
            if row is None:
                return None
            out.append(row)
            continue
        a = parse_achievement(dict(was), None, [])
        if a is None:
            return None
        if a.enterprise not in ids:
            row = database.execute_sql("SELECT id FROM enterprise WHERE uscc = ?", (a.enterprise,)).fetchone()
            if row is None:
                return None
            ids[a.enterprise] = row[0]
        out.append((uuid, ids[a.enterprise], a.kind, a.date.isoformat(), a.ref, a.level, a.action, a.rank, a.body,
                    a.prize, a.grade, a.domain, None if a.accepted is None else int(bool(a.accepted)), natural_key(a)))
    return out


def _before_import(uuid: str, changed: dict[str, Any]) -> tuple[Any, ...] | None:
    """The row of ``_OLD_COLUMNS`` an import's update found: the record as it is now (nothing changed
    it since: see ``_changes_since``) with the columns the import changed as they were. None if the
    record is not here under that id (matched by its identity, it keeps its own) or a column cannot
    be read back."""
    row = database.execute_sql(
        f"SELECT {', '.join('a.' + c for c in _OLD_COLUMNS)}, e.uuid FROM achievement a "
        "JOIN enterprise e ON e.id = a.enterprise_id WHERE a.uuid = ?", (uuid,)).fetchone()
    if row is None or not set(changed) <= _PACKAGE_COLUMNS:
        return None
    was = dict(zip(_OLD_COLUMNS, row[:-1]))
    for column, value in changed.items():
        if column == "enterprise":
            if value != row[-1]:
                found = database.execute_sql("SELECT id FROM enterprise WHERE uuid = ?", (value,)).fetchone()
                if found is None:
                    return None
                was["enterprise_id"] = found[0]
        elif column in was:
            was[column] = value
    if was["accepted"] is not None:
        was["accepted"] = int(bool(was["accepted"]))
    if not isinstance(was["date"], str):
        was["date"] = was["date"].isoformat() if was["date"] is not None else None
    return tuple(was[c] for c in _OLD_COLUMNS)


# the columns of an achievement in a package (``exchange.tables.ACHIEVEMENTS``, which the store does not
# read): the model's fields but its row id and edit version; an import's update naming another is not followed
_PACKAGE_COLUMNS = frozenset(Achievement._meta.fields) - {"id", "version"}


def _keys(sql: str, params: list[Any]) -> set[Any]:
    return {r[0] for r in database.execute_sql(sql, params)}


# The old rows' columns as a server types them (its VALUES would otherwise take every one as text)
_OLD_TYPES_PG = ("text", "integer", "text", "date", "text", "text", "text", "integer", "text", "text", "text", "text",
                 "boolean", "text")


def _in_ints(column: str, values: list[int]) -> tuple[str, list[Any]]:
    """``column IN`` the row ids ``values`` and its parameters: on a server the integers written out
    (a set-returning function's rows are guessed at a hundred, and the planner may then scan a whole
    kind and join rather than look the few ids up), on SQLite one JSON parameter."""
    if is_postgres():
        return f"{column} IN ({', '.join(str(int(v)) for v in values) or 'NULL'})", []
    return f"{column} IN (SELECT value FROM json_each(?))", [json.dumps(values)]


def _bytewise_keys() -> bool:
    """Does the database compare the identities' text byte by byte (SQLite; a server whose default
    collation is C or C.UTF-8), so that a range of its identity index holds exactly the identities
    beginning with a prefix? A linguistic collation (en_US, ICU) weighs punctuation apart: no."""
    if not is_postgres():
        return True
    row = database.execute_sql("SELECT datcollate, to_jsonb(d) ->> 'datlocprovider' FROM pg_database d "
                               "WHERE datname = current_database()").fetchone()
    return row is not None and row[1] in (None, "c") and str(row[0]).lower() in ("c", "posix", "c.utf-8", "c.utf8")


def _sharing(kind: str, number: Any, outside: str, uuids: str, bytewise: bool) -> set[Any]:
    """The other achievements of ``kind`` whose identity holds the standard number or item ``number``
    (its third part), by an index: one range of the identity index per enterprise (an identity with a
    ref begins ``["<credit code>", "<kind>", "<number>", ``), or on a server comparing text by its
    language, the number itself (schema 7's index on a standard's number serves the standards)."""
    if bytewise:
        tail = f"{_KEY_JSON.encode(kind)}, {_KEY_JSON.encode(number)}, "
        return _keys("SELECT a.id FROM enterprise e JOIN achievement a ON a.natural_key >= '[\"' || e.uscc || '\", ' || ? "
                     f"AND a.natural_key < '[\"' || e.uscc || '\", ' || ? WHERE {outside}", [tail, tail[:-1] + "!", uuids])
    # the kind a constant, and the rest as schema 7's index on a standard's number is defined (its
    # condition and its first column), so that a server finds the other holders through it
    same, first = (f"a.kind = '{kind}'", []) if _PLAIN.fullmatch(kind) else ("a.kind = ?", [kind])
    rows = f"{same} AND a.ref IS NOT NULL AND a.ref != '' AND {json_valid('a.natural_key')}"
    return _keys(f"SELECT a.id FROM achievement a WHERE {rows} AND {json_item('a.natural_key', 2)} = ? AND {outside}",
                 [*first, str(number), uuids])


def _bring_up_to_date(targets: list[Target], as_of: dt.date, kept: Kept, touched: dict[str, dict[str, Any] | None],
                      old: list[tuple[Any, ...]], below: int | None = None) -> dict[str, int]:
    """The kept counts with the touched achievements looked at again: per target, the distinct things
    they were and are counted as, each added or taken away unless another achievement in the
    target's scope is counted as it too. The same SQL on both engines but for their functions: on a
    server the old rows' columns are typed, and the keys compared as text (its JSON values are not).
    ``below``: only the rows up to that row id are looked at (the rows above, added in bulk since,
    are ``_add_rows``'s)."""
    pg = is_postgres()
    if pg:  # a few index probes, which the planner (guessing a join of ranges at 10⁸ rows) would JIT-compile
        database.execute_sql("SET LOCAL jit = off")  # for 1.3 of the 1.4 s the ranges' statement took at 10⁶
    uuids = json.dumps(list(touched))
    cte = ""
    cte_params: list[Any] = []
    if old:
        one = ", ".join(f"CAST(? AS {t})" for t in _OLD_TYPES_PG) if pg else ", ".join("?" * len(_OLD_COLUMNS))
        cte = f"WITH a({', '.join(_OLD_COLUMNS)}) AS (VALUES " + ", ".join(f"({one})" for _r in old) + ") "
        accepted = _OLD_COLUMNS.index("accepted")  # 1/0 on SQLite, a boolean on a server
        cte_params = [bool(v) if pg and i == accepted and v is not None else v for r in old for i, v in enumerate(r)]
    # the rows by their ids: looked up by uuid first, or the planner may walk a whole kind
    upto_id = "" if below is None else f" AND id <= {int(below)}"
    now_rows = database.execute_sql(
        f"SELECT id, enterprise_id, natural_key, kind, {json_item('natural_key', 2)} FROM achievement "
        f"WHERE uuid IN ({json_values()}){upto_id}", (uuids,)).fetchall()
    ids = _in_ints("a.id", [r[0] for r in now_rows])
    # everything another achievement would share a counted thing with: its enterprise, its whole
    # duplicate identity (records without a ref), its kind and standard number or item (the rest)
    ents = _in_ints("a.enterprise_id", sorted({r[1] for r in old} | {r[1] for r in now_rows}))
    nks = json.dumps(sorted({r[13] for r in old} | {r[2] for r in now_rows}))
    pairs = {(r[3], r[4]) for r in now_rows if r[4] is not None}
    for r in old:
        number = json.loads(r[13])[2]  # the identity the program wrote (``records.natural_key``)
        if number is not None:
            pairs.add((r[2], number if not pg else str(number)))
    candidates: set[int] = set()
    outside = f"a.uuid NOT IN ({json_values()})" + ("" if below is None else f" AND a.id <= {int(below)}")
    if any(t.count == "enterprises" for t in targets):
        candidates |= _keys(f"SELECT a.id FROM achievement a WHERE {ents[0]} AND {outside}", [*ents[1], uuids])
    candidates |= _keys(f"SELECT a.id FROM achievement a WHERE a.natural_key IN ({json_values()}) AND {outside}",
                        [nks, uuids])
    bytewise = _bytewise_keys() if pairs else True
    for kind, number in sorted(pairs, key=lambda p: (str(p[0]), str(p[1]))):
        candidates |= _sharing(kind, number, outside, uuids, bytewise)
    cands = _in_ints("a.id", sorted(candidates))
    out = dict(kept.counts)
    for t in targets:
        where, params, key = target_where(t, as_of)
        if pg:
            key = f"CAST({key} AS text)"  # one text per key (jsonb's is canonical), hashable in Python
        now_keys = _keys(f"SELECT DISTINCT {key} FROM achievement a WHERE {where} AND {ids[0]}",
                         [*params, *ids[1]]) if now_rows else set()
        was_keys = _keys(f"{cte}SELECT DISTINCT {key} FROM a WHERE {where}", [*cte_params, *params]) if old else set()
        if not now_keys and not was_keys:
            continue
        others = _keys(f"SELECT DISTINCT {key} FROM achievement a WHERE {where} AND {cands[0]}",
                       [*params, *cands[1]]) if candidates else set()
        out[t.id] += len(now_keys - others) - len(was_keys - others)
    return out


def counted(targets: list[Target], policy: str, as_of: dt.date, db_file: Path | None,
            report: Report | None = None) -> Counted:
    """Target id -> how many distinct things it counts on ``as_of`` (targets counted from records),
    from the counts kept for ``policy`` (its id and content hash) brought up to date, or counted
    (what it is doing told to ``report``: a first counting of a million records takes a while)."""
    register_functions()
    counting = [t for t in targets if t.count != "entered"]
    uptos = {t.id: upto(t, as_of).isoformat() for t in counting}
    keep: Kept | None = None
    result: Counted | None = None
    with snapshot():
        head = _head()
        n, top = database.execute_sql(_COUNT_AND_TOP).fetchone()
        n, top = int(n), int(top)
        kept = _find(db_file, policy, uptos)
        if kept is not None and _holds(kept):
            if (kept.audit_id, kept.audit_hash) == head and kept.achievements == n and kept.uptos == uptos:
                if kept.max_id != top:  # the same rows, the highest id not yet kept (counts kept before it was)
                    keep = dataclasses.replace(kept, max_id=top)
                result = Counted(dict(kept.counts), "kept")
            else:
                got = _incremental(counting, as_of, kept, uptos, n)
                if got is not None:
                    result = Counted(got[0], "incremental", got[1])
                    keep = Kept(policy, uptos, got[0], head[0], head[1], n, top)
        if result is None:
            result = Counted(counts(counting, as_of, report), "full")
            keep = Kept(policy, uptos, result.counts, head[0], head[1], n, top)
    if keep is not None:  # after the snapshot: kept with the data on a server, in a transaction of its own
        _keep(db_file, keep)
    return result


def _incremental(counting: list[Target], as_of: dt.date, kept: Kept, uptos: dict[str, str],
                 n: int) -> tuple[dict[str, int], int] | None:
    changes = _changes_since(kept.audit_id)
    if changes is None:
        return None
    touched, bulk = changes
    if bulk and not kept.max_id:
        return None  # rows added in bulk and no highest id kept (counts kept before it was): counted again
    if bulk and touched:  # a record added above the kept highest id and changed since: one of the rows added
        above = {u for (u,) in database.execute_sql(f"SELECT uuid FROM achievement WHERE uuid IN ({json_values()}) "
                                                    "AND id > ?", (json.dumps(list(touched)), kept.max_id))}
        touched = {u: was for u, was in touched.items() if u not in above}
    old = _old_rows(touched) if touched else []
    if old is None:
        return None
    uuids = json.dumps(list(touched))
    if bulk:  # the rows up to the kept highest id brought up to date first, then the rows added above it
        added = int(database.execute_sql("SELECT count(*) FROM achievement WHERE id > ?",
                                         (kept.max_id,)).fetchone()[0])
        present = database.execute_sql(
            f"SELECT count(*) FROM achievement WHERE uuid IN ({json_values()}) AND id <= ?", (uuids, kept.max_id)
        ).fetchone()[0] if touched else 0
        if kept.achievements - len(old) + present + added != n:
            return None  # rows removed, or added below the highest id without the log's knowing: counted again
        touched_n = added + len(touched)
    else:
        present = database.execute_sql(
            f"SELECT count(*) FROM achievement WHERE uuid IN ({json_values()})", (uuids,)
        ).fetchone()[0]
        if kept.achievements - len(old) + present != n:
            return None  # achievements added or removed without the log's knowing: count them all
        touched_n = len(touched)

    def brought(targets: list[Target], day: dt.date) -> dict[str, int]:
        """The kept counts of ``targets`` (counting up to ``day``) with the changes since."""
        if bulk:
            got = _bring_up_to_date(targets, day, kept, touched, old, below=kept.max_id) if touched else dict(kept.counts)
            return _add_rows(targets, day, got, kept.max_id)
        return _bring_up_to_date(targets, day, kept, touched, old) if touched else dict(kept.counts)

    # the targets counting up to the date they were kept at, and those a new day (or another date
    # asked for) moved: brought up to date at the date they were kept at, then moved to the new one
    out: dict[str, int] = {}
    by_day: dict[str, list[Target]] = {}
    whole = []
    for t in counting:
        if t.id in kept.counts and t.id in kept.uptos:
            by_day.setdefault(kept.uptos[t.id], []).append(t)
        else:
            whole.append(t)  # a target the counts were not kept for (a changed policy): counted
    between: dict[tuple[str, str], int] = {}  # the achievements dated between two dates, counted once a pair
    for day, ts in by_day.items():
        got = brought(ts, dt.date.fromisoformat(day))
        for t in ts:
            if day == uptos[t.id]:
                out[t.id] = got[t.id]
                continue
            pair = (min(day, uptos[t.id]), max(day, uptos[t.id]))
            if pair not in between:
                between[pair] = int(database.execute_sql("SELECT count(*) FROM achievement WHERE date > ? AND date <= ?",
                                                         pair).fetchone()[0])
            moved = _move_date(t, dt.date.fromisoformat(day), dt.date.fromisoformat(uptos[t.id]), got[t.id], n,
                               between[pair])
            if moved is None:
                whole.append(t)
            else:
                out[t.id] = moved
    if whole:
        out.update(counts(whole, as_of))
    return {t.id: out[t.id] for t in counting}, touched_n


MOVE_SHARE = 5  # a date moved over more than a fifth of the achievements: the target counted again


def _move_date(t: Target, was: dt.date, now: dt.date, count: int, n: int, between: int) -> int | None:
    """``count`` (of ``t`` counting up to ``was``) moved to count up to ``now``: the distinct things
    the achievements dated between the two (``between`` of them) count that none dated up to the
    earlier one counts too, added (a later date) or taken away (an earlier one). Only the achievements
    between the two dates are read, each looked up among the others by an index (as ``_add_rows``): a
    new day costs what it added, not every record again. None: counted instead (no index to look up
    by, or the dates hold so many achievements that counting is quicker)."""
    lo, hi = (was, now) if was < now else (now, was)
    if not between:
        return count
    if between * MOVE_SHARE > n or (t.count != "enterprises" and not has_number_probe_index()):
        return None
    new = _fresh_keys(t, hi, ("a.date > ?", [lo.isoformat()]), lo, ("1 = 1", []), by_date=True)
    return count + new if was < now else count - new


def _fresh_keys(t: Target, as_of: dt.date, rows: tuple[str, list[Any]], below_as_of: dt.date,
                below: tuple[str, list[Any]], by_date: bool = False) -> int:
    """How many distinct things ``t`` counts on ``as_of`` among the achievements ``a`` meeting
    ``rows`` that no achievement ``b`` meeting ``below`` counts on ``below_as_of`` too (conditions
    with their parameters; ``below`` written over ``b``): each of the rows' keys looked up among the
    others by an index (see ``NUMBER_PROBE_INDEX``), never the others read. ``by_date``: the rows
    are the achievements between two dates, found by the date's index (SQLite would otherwise take
    the kind's, and read every record of the kind to find them)."""
    where, params, key = target_where(t, as_of)
    b_where, b_params, _b_key = target_where(t, below_as_of)
    if not is_postgres():
        if by_date:  # the rows between two dates read by the date's index, never the whole kind's
            where = where.replace("a.kind IN (", "+a.kind IN (", 1)
        # each row looked up by its number or its identity, never by its kind (SQLite, without
        # statistics, may take the kind's index for the other row and read the whole kind per row)
        b_where = b_where.replace("a.kind IN (", "+a.kind IN (", 1)
    has_ref = "a.ref IS NOT NULL AND a.ref != ''"
    if t.count == "enterprises":
        holders = [("b.enterprise_id = a.enterprise_id", "1 = 1")]
    else:
        # a key with a number holds the kind and the number; one without is the whole identity: each
        # row looked up by one of the two (both: 1.76 s at 10⁶ with 10⁵ added, one: 0.48 s)
        holders = [(f"b.kind = a.kind AND {json_item('b.natural_key', 2)} = {json_item('a.natural_key', 2)}", has_ref),
                   ("b.natural_key = a.natural_key", f"NOT ({has_ref})")]
    probes = " AND ".join(f"NOT ({guard} AND EXISTS (SELECT 1 FROM achievement b WHERE {match} AND {below[0]} "
                          f"AND {_as_b(b_where)} AND {_as_b(key)} = {key}))" for match, guard in holders)
    sql_params = [*params, *rows[1]]
    for _h in holders:
        sql_params += [*below[1], *b_params]
    return int(database.execute_sql(
        f"SELECT count(*) FROM (SELECT DISTINCT {key} FROM achievement a WHERE {where} AND {rows[0]} AND {probes}) "
        "added", sql_params).fetchone()[0])


# The rows added above the kept highest id are looked up, key by key, among the rows below: by the
# enterprise's index (the enterprises' targets), the identity's (records without a ref: their whole
# identity is the key) and, for a standard number or an item, by ``NUMBER_PROBE_INDEX`` on the kind
# and the identity's third part. That index is the program's own, outside the schema's version (as
# the consolidation's claim indexes): made on first need (the overview's first reading, and again
# whenever it is found missing), named with a version so that a changed definition is a new index,
# never an old one taken for it. Without it (not yet made, or it could not be) such a target is counted.
NUMBER_PROBE_INDEX = "achievement_target_number_v1"


def number_probe_index_sql() -> str:
    return f"CREATE INDEX IF NOT EXISTS {NUMBER_PROBE_INDEX} ON achievement (kind, {json_item('natural_key', 2)})"


def has_number_probe_index() -> bool:
    if is_postgres():
        sql = ("SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE tablename = 'achievement' AND indexname = ? "
               "AND schemaname = current_schema())")
    else:
        sql = "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?)"
    return bool(database.execute_sql(sql, (NUMBER_PROBE_INDEX,)).fetchone()[0])


def ensure_number_probe_index() -> bool:
    """Make ``NUMBER_PROBE_INDEX`` if it is not there (inside the caller's transaction, in a savepoint
    of its own: a failure leaves the transaction as it was); is it there now?

    On SQLite a new index moves the schema cookie, which guards the audit check's mark: made while
    another thread checks the log, the mark that check keeps would no longer hold and the next check
    would read the whole log. So it is made after the check, by the same task (the overview's
    ``read_chain``), which carries its fresh mark over it; the counting only looks it up."""
    if has_number_probe_index():
        return True
    if str(database.database) in _INDEX_REFUSED:  # tried in this run already: said once, not at every refresh
        return False
    try:
        with database.atomic():
            audit.own_schema_change(1)  # SQLite: the audit check's mark carried over the new index
            database.execute_sql(number_probe_index_sql())
        return True
    except Exception:  # noqa: BLE001 - an identity no JSON reader takes (a server's cast refuses it): counted
        audit.forget_schema_change()  # no index made: the audit check's mark must not move past the schema
        _INDEX_REFUSED.add(str(database.database))
        logging.getLogger(__name__).warning("could not make the targets' number index", exc_info=True)
        return False


def make_number_probe_index() -> bool:
    """``ensure_number_probe_index`` in a transaction of its own, as the open of a database and the
    overview's check call it: a commit the disk refuses (nearly full) leaves the index unmade, said
    once in the log, and the caller goes on without it. Is the index there?"""
    import sqlite3

    import peewee

    try:
        with database.atomic():
            return ensure_number_probe_index()
    except (sqlite3.Error, peewee.DatabaseError):
        _INDEX_REFUSED.add(str(database.database))
        logging.getLogger(__name__).warning("could not keep the targets' number index", exc_info=True)
        return False


# the databases (by name) this run could not make the index in (an officer's account on a server that
# may not create indexes): the targets are counted in full there, without trying again at each refresh
_INDEX_REFUSED: set[str] = set()


def _as_b(sql: str) -> str:
    """A target's condition or key (over ``a``) written over another achievement ``b``."""
    return re.sub(r"\ba\.", "b.", sql)


def _add_rows(targets: list[Target], as_of: dt.date, base: dict[str, int], max_id: int) -> dict[str, int]:
    """The counts ``base`` (of the rows up to row id ``max_id``, as they are now) with the rows added
    above it: per target, the distinct things the added rows count that no row below counts too, in
    SQL, each added row's key looked up among the rows below by an index (see ``NUMBER_PROBE_INDEX``)
    instead of every row below read: the cost follows the rows added, not the rows held."""
    out = dict(base)
    indexed: bool | None = None
    for t in targets:
        if t.count != "enterprises":
            if indexed is None:  # made beside the audit check, never here (see ``ensure_number_probe_index``)
                indexed = has_number_probe_index()
            if not indexed:
                sql, sql_params = target_sql(t, as_of)
                out[t.id] = int(database.execute_sql(sql, sql_params).fetchone()[0])
                continue
        out[t.id] += _fresh_keys(t, as_of, ("a.id > ?", [max_id]), as_of, ("b.id <= ?", [max_id]))
    return out
