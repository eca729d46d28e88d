"""Import: verify a package, show what it would change, then apply it in one transaction.

    plan = plan_import(path, passphrase)            # verifies; reads the database, changes nothing
    plan.summary()                                   # new / updated / unchanged / conflicts / rejected
    for c in plan.conflicts: c.mine, c.theirs, c.fields   # both sides, for the officer
    result = apply_import(path, passphrase, resolutions={c.key: TAKE_THEIRS}, progress=..., cancelled=...)

Records are matched by global id, then by natural key (an enterprise's USCC; an achievement's
identity: enterprise + kind + standard number + action). A matched record is compared three ways
with the version last received from the same office (kept per office in the ``Setting`` row
``exchange.base.<office uuid>`` as short content hashes):

* same content here and in the package: **unchanged**;
* only the package changed since last time: **updated** (theirs is taken);
* only this database changed since last time: **unchanged** (the local edit is kept);
* both changed, or a record entered here separately differs: **conflict**, shown side by side and
  left as it is unless the caller resolves it with ``TAKE_THEIRS`` or ``KEEP_MINE``.

A package older than the last one imported from its office is refused as stale; the same package
again changes nothing. Records that are malformed, or whose enterprise / round / achievement is
neither in the package nor here, are **rejected** with the reason and the rest is imported.

Planning and writing go a batch at a time (``BATCH`` records checked, resolved and looked up in the
database's indexes; ``CHUNK`` written with one ``executemany``), and the plan keeps counts, a sample of
each kind for the officer (``SAMPLE``; every conflict) and the mapping of package ids to local ids:
never an object per record. The rows to insert are set aside on disk as the plan makes them (database
form, our natural key, the hash the office's version is remembered by: ``package.Spool``) and written
from there as they are. A package's large tables are not kept in memory (``package.STREAM_AT``): reading
the package sets their rows aside on disk as it checks them, so a million records are parsed from the
file once, planned from what was set aside, and written from the plan's own; before writing, the file
is hashed again, so a stick pulled or a file replaced after its check still writes nothing.

``progress(stage, done, total)`` is called with the stages "verify", "plan" and "write";
``cancelled()`` is polled at each call and, when true, raises ``Cancelled`` (rolled back). ``apply_import`` plans again inside its transaction, so what it applies is
exactly what the database holds at that moment; a crash or a cancel leaves the database as before.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from hashlib import blake2b
from operator import itemgetter
from pathlib import Path
from typing import Any

from desktop.core.award import STATUSES
from desktop.core.batches import batches
from desktop.core.errors import Problem
from desktop.core.i18n import _, colon
from desktop.core.labels import ZH
from desktop.core.standards import standard_key
from desktop.core.vocabulary import KIND_FIELDS, MAX_TEXT, MIN_DATE, check_uscc, parse_achievement, text_problem
from desktop.exchange.export import Cancelled, Progress
from desktop.exchange.offices import trust
from desktop.exchange.package import Package, PackageError, Spool, bulk, read_package, refuse_temporary
from desktop.exchange.tables import ACHIEVEMENTS, BY_NAME, ENTERPRISES, ROUNDS, SUMMARY_COLUMNS, TABLES, Table, digest
from desktop.store import audit, backend
from desktop.store.atomic import fault_point
from desktop.store.models import KnownOffice, PackageLog, Setting, database

KEEP_MINE, TAKE_THEIRS = "keep_mine", "take_theirs"
PAUSE_ENV = "STDAWARD_TEST_IMPORT_PAUSE"  # tests: a marker file written mid-transaction, then a long sleep
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SAMPLE_USCC = "91350100M000100Y43"  # a valid code, to check a kind's fields without the enterprise
_ROUND_STATUSES = ("draft", "submitted", "approved", "returned")
_DECISIONS = ("proposed", "approved", "rejected", "paid")
CHUNK = 20000
BATCH = 20000  # package records checked, resolved and matched against the database at a time
LOOKUP_BATCH = 50000  # package values looked up per query
SAMPLE = 1000  # records of each kind a plan keeps for the officer to see; every one is counted
REBUILD_INDEXES_AT = 10000  # rows inserted into one table above which its indexes are rebuilt


@dataclass
class Item:
    """One record of the package in the summary, with why it lands where it does."""

    table: str  # enterprises | achievements | rounds | awards
    uuid: str  # the record's global id in the package
    reason: str
    row: list[Any] | None = field(default=None, repr=False, compare=False)  # the package row

    @property
    def label(self) -> str:
        """What the officer recognises the record by (made when shown: imports can be large)."""
        return _label(BY_NAME[self.table], self.row) if self.row is not None else self.uuid

    @property
    def key(self) -> str:
        return f"{self.table}:{self.uuid}"

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "uuid": self.uuid, "label": self.label, "reason": self.reason}


@dataclass
class Conflict(Item):
    """A record that differs here and in the package, both sides shown (package form)."""

    mine: dict[str, Any] = field(default_factory=dict)
    theirs: dict[str, Any] = field(default_factory=dict)
    fields: list[str] = field(default_factory=list)  # the columns that differ
    local_uuid: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(super().as_dict(), key=self.key, fields=self.fields, mine=self.mine, theirs=self.theirs,
                    local_uuid=self.local_uuid)


class _Sample(list[Item]):
    """A plan's records of one kind: every one counted (per table too), only the first ``limit``
    kept, so a plan of a million records holds a summary, not a million objects."""

    def __init__(self, limit: int | None) -> None:
        super().__init__()
        self.limit = limit
        self.total = 0
        self.by_table: dict[str, int] = {}

    def append(self, item: Item) -> None:
        self.total += 1
        self.by_table[item.table] = self.by_table.get(item.table, 0) + 1
        if self.limit is None or len(self) < self.limit:
            super().append(item)

    @property
    def full(self) -> bool:
        """True once further records are only counted (no need to make an Item for them)."""
        return self.limit is not None and len(self) >= self.limit

    def tally(self, table: str, n: int = 1) -> None:
        """Count ``n`` records of ``table`` past the sample (as ``append`` would, without their Items)."""
        self.total += n
        self.by_table[table] = self.by_table.get(table, 0) + n


def _sample() -> _Sample:
    return _Sample(SAMPLE)


def _all() -> _Sample:
    return _Sample(None)


@dataclass
class _Op:
    table: Table
    raw: list[Any]  # package row in database form, references as local uuids
    local_id: int | None = None  # None: insert
    hash: str = ""
    before: dict[str, Any] | None = None


@dataclass
class ImportPlan:
    package: Package
    # each a sample (the first SAMPLE records, every one counted: ``counts``); conflicts all kept
    new: list[Item] = field(default_factory=_sample)
    updated: list[Item] = field(default_factory=_sample)
    deleted: list[Item] = field(default_factory=_sample)  # the office's deletions and merges (tombstones)
    unchanged: list[Item] = field(default_factory=_sample)
    conflicts: list[Conflict] = field(default_factory=_all)  # type: ignore[arg-type]
    rejected: list[Item] = field(default_factory=_sample)
    already_imported: bool = False
    _ops: list[_Op] = field(default_factory=list, repr=False)  # updates (few): their rows in database form
    # the rows to insert as planned (database form, references as local uuids, our natural key) with
    # the hash the office's version is remembered by, set aside on disk a batch at a time: written as
    # they are, never checked, keyed or hashed again, and never all in memory
    _inserts: dict[str, Spool] = field(default_factory=dict, repr=False)
    _uscc: dict[str, str] = field(default_factory=dict, repr=False)  # the package's enterprises: local uuid -> USCC
    _mapping: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)  # table -> package uuid -> local
    _new_bases: dict[str, list[str]] = field(default_factory=dict, repr=False)  # table -> "uuid:hash ..." written
    _carried: set[str] = field(default_factory=set, repr=False)  # origins of the package records
    _conflict_ops: dict[str, _Op] = field(default_factory=dict, repr=False)
    _bases: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)  # table -> uuid -> hash
    _tombstones: list[Any] = field(default_factory=list, repr=False)  # tombstones._Tomb to carry out
    _tombstone_conflicts: dict[str, Any] = field(default_factory=dict, repr=False)
    _token: tuple = field(default=(), repr=False)  # what the database held when planned (_data_token)
    _spent: bool = field(default=False, repr=False)  # applied (its rows now hold local row ids)

    @property
    def office(self) -> dict[str, Any]:
        m = self.package.manifest
        return {"uuid": self.package.office_uuid, "name": self.package.office_name,
                "region": m["office"].get("region"), "sequence": self.package.sequence, "period": m.get("period")}

    @property
    def changes_anything(self) -> bool:
        return bool(self.new or self.updated or self.deleted)

    def counts(self) -> dict[str, int]:
        return {k: _count(getattr(self, k)) for k in ("new", "updated", "deleted", "unchanged", "conflicts", "rejected")}

    def summary(self, details: bool = True) -> dict[str, Any]:
        """The dry-run summary: counts under the six keys, the records (with reasons) under
        ``details`` (all but the unchanged ones, which are only counted)."""
        out: dict[str, Any] = dict(self.counts())
        out["package"] = dict(self.office, sha256=self.package.sha256, counts=self.package.manifest.get("counts"),
                              already_imported=self.already_imported)
        if details:
            out["details"] = {k: [i.as_dict() for i in getattr(self, k)]
                              for k in ("new", "updated", "deleted", "conflicts", "rejected")}
        return out


def _count(items: list[Item]) -> int:
    return items.total if isinstance(items, _Sample) else len(items)


# ------------------------------------------------------------------------------------- checks

def _check_rows(plan: ImportPlan, t: Table, rows: list[list[Any]], seen: set[str],
                rejected: set[str]) -> list[list[Any]]:
    """The rows that are well-formed (their uuids into ``seen``);
    the others go to ``plan.rejected`` with the reason (their uuids into ``rejected``)."""
    check = _CHECKS[t.name]
    good = []
    combo_cache: dict[tuple, str | None] = {}
    for row in rows:
        u = row[0]
        if not isinstance(u, str) or not _UUID.match(u):
            plan.rejected.append(Item(t.name, str(u), _("the global id is not a UUID")))
            rejected.add(str(u))
            continue
        if u in seen:
            plan.rejected.append(Item(t.name, u, _("the package lists this record twice"), row=row))
            rejected.add(u)
            continue
        seen.add(u)
        why = check(t, row, combo_cache)
        if why:
            plan.rejected.append(Item(t.name, u, why, row=row))
            rejected.add(u)
        else:
            good.append(row)
    return good


def _text(v: Any, required: bool = True) -> bool:
    return isinstance(v, str) and bool(v.strip()) if required else (v is None or isinstance(v, str))


def _texts(row: list[Any], indices: tuple[int, ...]) -> bool:
    for i in indices:
        if row[i] is not None and type(row[i]) is not str:
            return False
    return True


def _bad_text(t: Table, row: list[Any], fields: tuple[tuple[str, str], ...]) -> str | None:
    """The vocabulary's text limits (length, control and text-direction characters) on a package's
    row: (column, vocabulary field) pairs. A sender's package is input like any other."""
    for column, fld in fields:
        v = row[t.idx[column]]
        values = v if isinstance(v, list) else (v,)
        for x in values:
            if isinstance(x, str) and (len(x) > MAX_TEXT[fld] or not x.isprintable()):
                why = text_problem(x, fld)
                if why:
                    return f"{fld}{colon()}{why}"
    return None


def _stamps(t: Table, row: list[Any]) -> str | None:
    for c in ("created_at", "updated_at"):
        if c in t.idx and not _text(row[t.idx[c]]):
            return _("the record lacks its {field} time").format(field=c)
    return None


@cache
def _optional(t: Table, *names: str) -> tuple[int, ...]:
    return tuple(t.idx[n] for n in names)


def _check_enterprise(t: Table, row: list[Any], _cache: dict) -> str | None:
    ix = t.idx
    code, why = check_uscc(row[ix["uscc"]])
    if why or code != row[ix["uscc"]]:
        return why or _("the unified social credit code is not in its normal form")
    if not _text(row[ix["name"]]):
        return _("the enterprise name is missing")
    region = row[ix["region_code"]]
    if region is not None and not re.fullmatch(r"\d{6}", str(region)):
        return _("the region code is not six digits")
    if not _texts(row, _optional(t, "address", "contact", "phone", "origin")):
        return _("a text field holds something else")
    return _bad_text(t, row, (("name", "name"), ("address", "address"), ("contact", "contact"),
                              ("phone", "phone"))) or _stamps(t, row)


_KIND_COLS = ("level", "action", "rank", "body", "prize", "grade", "domain", "accepted")
_MAX_DATE = dt.date(2100, 12, 31)


_AX = ACHIEVEMENTS.idx
_A_REQUIRED = (_AX["source_id"], _AX["natural_key"])
_A_OPTIONAL = tuple(_AX[c] for c in ("ref", "title", "note", "origin", "created_at", "updated_at"))
_A_LIMITED = tuple((_AX[c], fld, MAX_TEXT[fld]) for c, fld in (("source_id", "id"), ("ref", "ref"), ("title", "title"),
                                                                ("note", "note")))
_A_COMBO = itemgetter(*(_AX[c] for c in _KIND_COLS))


def _check_achievement(t: Table, row: list[Any], cache: dict) -> str | None:
    """As the vocabulary checks an officer's record (``_check_kind_fields`` once per combination of
    the kind's fields; each date once): a million rows checked at the cost of their texts' lengths."""
    for i in _A_REQUIRED:
        v = row[i]
        if v.__class__ is not str or not v.strip():
            return _("the record lacks its id, enterprise or natural key")
    if row[_AX["enterprise"]].__class__ is not str:
        return _("the record lacks its id, enterprise or natural key")
    d = row[_AX["date"]]
    ok = cache.get(d) if d.__class__ is str else False  # dates repeat: each checked once
    if ok is None:
        try:
            ok = cache[d] = bool(_DATE.match(d)) and MIN_DATE <= dt.date.fromisoformat(d) <= _MAX_DATE
        except ValueError:
            ok = cache[d] = False
    if not ok:
        return _("{value!r} is not a date the program accepts").format(value=d)
    for i in _A_OPTIONAL:
        v = row[i]
        if v is not None and v.__class__ is not str:
            return _("a text field holds something else")
    units = row[_AX["units"]]
    if units is not None and not (isinstance(units, list) and all(isinstance(x, str) for x in units)):
        return _("the drafting units are not a list of names")
    for i, fld, limit in _A_LIMITED:  # the vocabulary's text limits; the message from the vocabulary itself
        v = row[i]
        if v is not None and (len(v) > limit or not v.isprintable()):
            why = text_problem(v, fld)
            if why:
                return f"{fld}{colon()}{why}"
    if units:
        bad = _bad_text(t, row, (("units", "units"),))
        if bad:
            return bad
    combo = (row[_AX["kind"]], row[_AX["ref"]] is not None, row[_AX["created_at"]] is None,
             row[_AX["updated_at"]] is None) + _A_COMBO(row)
    try:
        why = cache[combo]
    except KeyError:
        why = cache[combo] = _check_kind_fields(t, row)
    except TypeError:  # an unhashable value where a plain one belongs
        return _("a field has the wrong type")
    return why


_KEY_JSON = json.JSONEncoder(ensure_ascii=False, default=str)
# what the encoder would escape in a string (ensure_ascii=False): where none occurs, a list of strings
# is written as it would write it
_JSON_ESCAPED = re.compile(r'[\x00-\x1f\\"]')


def _natural_keys(rows: list[list[Any]], package_uscc: Mapping[str, str]) -> None:
    """The duplicate identity is ours to compute, never the package's word for it: every
    achievement's natural key is recomputed from its own fields and its enterprise's credit code
    (rows as resolved: the enterprise column holds the local uuid of a package or local enterprise).
    Exactly ``records.natural_key`` (``Achievement.identity`` as JSON), built straight from the row."""
    ix = ACHIEVEMENTS.idx
    uscc: dict[str, str] = dict(package_uscc)
    wanted = sorted({r[ix["enterprise"]] for r in rows} - uscc.keys())
    for part in batches(wanted):
        uscc.update(database.execute_sql(
            f"SELECT uuid, uscc FROM enterprise WHERE uuid IN ({','.join('?' * len(part))})", part).fetchall())
    keys: dict[str, str] = {}  # ref -> normalised standard key (the costly parse, once per ref)
    encode = _KEY_JSON.encode  # json.dumps(..., ensure_ascii=False, default=str) without an encoder per row
    e, k, rf, d = ix["enterprise"], ix["kind"], ix["ref"], ix["date"]
    own = {kind: tuple(ix[f] for f in fields) for kind, fields in KIND_FIELDS.items()}
    acc, nk = ix["accepted"], ix["natural_key"]
    for r in rows:
        code = uscc.get(r[e])
        if code is None:  # cannot happen: _resolve_refs kept only rows whose enterprise exists
            continue
        kind, ref = r[k], r[rf]
        if ref:
            key = keys.get(ref)
            if key is None:
                key = keys[ref] = standard_key(ref)
            detail = (r[ix["action"]] if kind == "standard" else
                      f"{r[ix['prize']]}/{r[ix['grade']] or ''}" if kind == "prize" else None)
            if (detail is None or detail.__class__ is str) and kind.__class__ is str and not _JSON_ESCAPED.search(
                    f"{code}{kind}{key}{detail or ''}"):  # nothing to escape: the encoder's output, written directly
                r[nk] = f'["{code}", "{kind}", "{key}", ' + ("null]" if detail is None else f'"{detail}"]')
                continue
            ident: tuple = (code, kind, key, detail)
        else:
            values = tuple(bool(r[i]) if i == acc and r[i] is not None else r[i] for i in own.get(kind, ()))
            ident = (code, kind, None, values, int(r[d][:4]))
        r[nk] = encode(ident)


def _check_kind_fields(t: Table, row: list[Any]) -> str | None:
    ix = t.idx
    # the vocabulary's own validation, once per combination of the kind's fields
    raw = {"id": "x", "enterprise": _SAMPLE_USCC, "kind": row[ix["kind"]], "date": "2020-01-01"}
    raw.update({c: row[ix[c]] for c in _KIND_COLS if row[ix[c]] is not None})
    if row[ix["ref"]] is not None:
        raw["ref"] = "X"
    problems: list[Problem] = []
    parse_achievement(raw, 0, problems)
    errs = [f"{p.field}{colon()}{p.message}" for p in problems if p.severity == "error"]
    return "; ".join(errs) or _stamps(t, row)


def _check_round(t: Table, row: list[Any], _cache: dict) -> str | None:
    r = dict(zip(t.columns, row))
    if not isinstance(r["year"], int) or not 1949 <= r["year"] <= 2100:
        return _("the round's year is not plausible")
    if r["status"] not in _ROUND_STATUSES or not _text(r["policy_id"]) or not _text(r["policy_hash"]):
        return _("the round's status or policy is missing or unknown")
    if not _texts(row, _optional(t, "prepared_by", "reviewed_by", "approved_at", "note")):
        return _("a text field holds something else")
    return _stamps(t, row)


def _check_award(t: Table, row: list[Any], _cache: dict) -> str | None:
    r = dict(zip(t.columns, row))
    if r["status"] not in STATUSES or r["decision"] not in _DECISIONS:
        return _("the award's status or decision is unknown")
    if r["amount"] is not None:
        try:
            a = Decimal(r["amount"]) if isinstance(r["amount"], str) else None
            if a is None or not a.is_finite() or a < 0 or a != a.quantize(Decimal("0.01")):
                raise InvalidOperation
        except InvalidOperation:
            return _("{value!r} is not an amount of money").format(value=r["amount"])
    if not isinstance(r["explanation"], str) or not isinstance(r["flags"], list):
        return _("the award lacks its explanation")
    if not _texts(row, _optional(t, "rule", "clause", "fund")) or not all(isinstance(x, str) for x in r["flags"]):
        return _("a text field holds something else")
    return _stamps(t, row)


_CHECKS = {"enterprises": _check_enterprise, "achievements": _check_achievement, "rounds": _check_round,
           "awards": _check_award}


def _label(t: Table, row: list[Any]) -> str:
    r = dict(zip(t.columns, row))
    if t is ENTERPRISES:
        return f"{r.get('uscc')} {r.get('name')}"
    if t is ACHIEVEMENTS:
        kind = ZH["kind"].get(str(r.get("kind")), _("unknown kind"))  # never the internal code
        prize = ZH["prize"].get(str(r.get("prize")), "") if r.get("prize") else ""
        return " ".join(str(x) for x in (r.get("source_id"), kind, r.get("ref") or prize) if x)
    if t is ROUNDS:
        return f"{r.get('year')} {r.get('policy_id')} ({r.get('status')})"
    return f"{r.get('status')} {r.get('amount') or ''} {r.get('rule') or ''}".strip()


# ------------------------------------------------------------------------------------- planning

def _base_key(office_uuid: str) -> str:
    return f"exchange.base.{office_uuid}"


def claims_key(office_uuid: str) -> str:
    """The setting holding the USCCs of every enterprise an office has sent: a list of its own (a
    county's is some 40 KB), apart from the hashes of its rows (20 MB at a city of 10,000,000), so
    the cross-county check reads the lists without the hashes. An import before this kept the list
    in the base record (``"claims"``): still read from there until the office's next import."""
    return f"exchange.claims.{office_uuid}"


def _summaries_key(office_uuid: str) -> str:
    return f"exchange.summaries.{office_uuid}"


def _setting(key: str) -> Any:
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row is not None else None


def _load_bases(office_uuid: str) -> dict[str, dict[str, str]]:
    """table -> package uuid -> content hash of the version last received from the office."""
    stored = _setting(_base_key(office_uuid)) or {}
    return {t.name: dict(x.split(":", 1) for x in stored.get(t.name, "").split()) for t in TABLES}


def enterprise_claims(office_uuid: str) -> list[str]:
    """The USCCs of every enterprise an office has sent (for the cross-county checks)."""
    kept = _setting(claims_key(office_uuid))
    if kept is None:
        kept = (_setting(_base_key(office_uuid)) or {}).get("claims", [])
    return [c for c in kept if isinstance(c, str)] if isinstance(kept, list) else []


def round_summaries(office_uuid: str) -> dict[str, dict[str, Any]]:
    """round uuid -> the totals the office itself reported for that round."""
    return dict(_setting(_summaries_key(office_uuid)) or {})


def _local_rows(t: Table, column: str, values: list[Any]) -> list[tuple]:
    """The local rows (id first, then the package columns) whose ``column`` is one of ``values``.

    The database does the matching: the package's values go in as one JSON parameter and are
    looked up in the column's index (uuids and natural keys are indexed), so the cost follows the
    package, never the size of the database (a city holding fifty counties)."""
    if not values:
        return []
    expr = t.exprs[t.index(column)]
    out: list[tuple] = []
    wanted = sorted(set(values))  # in index order: the look-ups walk the index forward (faster than unsorted)
    for start in range(0, len(wanted), LOOKUP_BATCH):
        sql = t.select(with_id=True) + f" WHERE {expr} IN ({backend.json_values()})"
        out.extend(database.execute_sql(sql, [json.dumps(wanted[start:start + LOOKUP_BATCH],
                                                         ensure_ascii=False)]).fetchall())
    out.sort(key=itemgetter(0))  # by local row id, as the first match of a natural key is the oldest record
    return out


def _check_stale(pkg: Package) -> bool:
    """Refuse stale or clashing packages; True when this very package was imported before."""
    office = trust(pkg)
    if pkg.sequence < office.last_sequence:
        raise PackageError(_("this package (no. {seq} from {name}) is older than no. {last} already imported: it is "
                             "stale and refused; ask the office for a new export").format(
            seq=pkg.sequence, name=office.name, last=office.last_sequence))
    if pkg.sequence == office.last_sequence:
        same = PackageLog.get_or_none((PackageLog.direction == "import") & (PackageLog.office_uuid == pkg.office_uuid)
                                      & (PackageLog.sequence == pkg.sequence))
        if same is not None and same.sha256 != pkg.sha256:
            raise PackageError(_("a different package with the same number ({seq}) from {name} was already imported; "
                                 "this one is refused").format(seq=pkg.sequence, name=office.name))
        return same is not None
    return False


def _data_token() -> tuple:
    """What says the database still holds what a plan was made from: every change the program makes,
    removals included, appends to the audit log in its own transaction, and a row added moves its
    table's largest id. Each is one step down a primary key, so the cost stays the same however many
    counties the city holds (a count of each table, as this once also took, read a city's million
    achievements twice per import)."""
    parts = ", ".join(f"(SELECT max(id) FROM {t.db})" for t in TABLES)
    return tuple(database.execute_sql(f"SELECT (SELECT max(id) FROM audit_entry), {parts}").fetchone())


def _plan(pkg: Package, step: Callable[[str, int, int], None]) -> ImportPlan:
    plan = ImportPlan(package=pkg, _token=_data_token())
    plan.already_imported = _check_stale(pkg)
    _check_reply(pkg)
    plan._bases = _load_bases(pkg.office_uuid)
    mapping = plan._mapping  # package table -> package uuid -> local uuid
    rejected_refs: dict[str, set[str]] = {}
    new_enterprises: dict[str, str] = {}  # the package's enterprises: uuid -> credit code
    for n, t in enumerate(TABLES):
        step("plan", n, len(TABLES))
        seen: set[str] = set()  # the uuids of the table's well-formed rows so far
        rejected_refs[t.name] = set()
        mapping[t.name] = {}
        state = _MatchState(pkg.uuids(t.name))
        # a batch at a time (a large table read from the file as it is unpacked): checked, copied into
        # database form, looked up in the database's indexes; what is kept across batches is the
        # mapping, the ids seen and the bookkeeping of which local rows are taken
        origin_i = t.index("origin") if t in (ENTERPRISES, ACHIEVEMENTS) else None
        for part in pkg.batches(t.name, BATCH):
            if origin_i is not None:  # the records' origins, read once with the rows
                plan._carried.update(r[origin_i] for r in part if isinstance(r[origin_i], str))
            rows = _check_rows(plan, t, part, seen, rejected_refs[t.name])
            batch = _resolve_refs(plan, t, rows, mapping, rejected_refs)
            if t is ACHIEVEMENTS:
                _natural_keys(batch, new_enterprises)
            _match(plan, t, batch, pkg.office_uuid, mapping[t.name], state)
            if t is ENTERPRISES:  # by the local uuid the achievements' references now hold
                ui = ENTERPRISES.index("uscc")
                new_enterprises.update((mapping[t.name][raw[0]], raw[ui]) for raw in batch
                                       if raw[0] in mapping[t.name])
            step("plan", n, len(TABLES))
    plan._uscc = new_enterprises
    _plan_tombstones(plan, mapping)
    step("plan", len(TABLES), len(TABLES))
    return plan


def _resolve_refs(plan: ImportPlan, t: Table, rows: list[list[Any]], mapping: dict[str, dict[str, str]],
                  rejected_refs: dict[str, set[str]]) -> list[list[Any]]:
    """The rows' copies in database form with references replaced by the local uuid of the record
    they name (in the package or here), for the rows whose references resolve."""
    if not t.refs:
        return [t.to_raw(r) for r in rows]
    out = []
    lookups = {}
    for col, target in t.refs:
        i = t.index(col)
        missing = sorted({r[i] for r in rows if r[i] not in mapping[target] and r[i] not in rejected_refs[target]})
        found = {x[1] for x in _local_rows(BY_NAME[target], "uuid", missing)}
        lookups[col] = found
    for r in rows:
        why = None
        raw = t.to_raw(r)
        for col, target in t.refs:
            i = t.index(col)
            ref = r[i]
            if ref in mapping[target]:
                raw[i] = mapping[target][ref]
            elif ref in lookups[col]:
                raw[i] = ref
            elif ref in rejected_refs[target]:
                why = _("the {what} it belongs to was rejected").format(what=_TARGET_WORD[target])
            else:
                why = _("the {what} it belongs to is neither in this package nor in the database; import the "
                        "office's earlier packages first").format(what=_TARGET_WORD[target])
        if why:
            plan.rejected.append(Item(t.name, r[0], why, row=r))
            rejected_refs[t.name].add(r[0])
        else:
            out.append(raw)
    return out


_TARGET_WORD = {"enterprises": "enterprise", "achievements": "achievement", "rounds": "award round"}


@dataclass
class _MatchState:
    """What matching one table keeps from batch to batch."""

    package_uuids: set[str]  # the uuids of the table's well-formed package rows
    claimed: set[int] = field(default_factory=set)  # local rows already matched by natural key
    unique_taken: set[Any] = field(default_factory=set)  # USCCs a new enterprise must not take (unique column)


def _match(plan: ImportPlan, t: Table, rows: list[list[Any]], office_uuid: str,
           mapping: dict[str, str], state: _MatchState) -> None:
    """Classify a batch of rows (database form); adds package uuid
    -> local uuid to ``mapping`` for the rows that will exist here."""
    content = t.content
    by_uuid = {x[1]: x for x in _local_rows(t, "uuid", [r[0] for r in rows])}
    unmatched = [r for r in rows if r[0] not in by_uuid]
    by_natural: dict[Any, tuple] = {}
    unique_taken, claimed = state.unique_taken, state.claimed
    if t.natural is not None and unmatched:
        ni = t.index(t.natural)
        for x in _local_rows(t, t.natural, sorted({r[ni] for r in unmatched})):
            if x[1] not in state.package_uuids:  # a local row matched by its own id is not free to match another
                by_natural.setdefault(x[1 + ni], x)
            elif t is ENTERPRISES:
                unique_taken.add(x[1 + ni])
    base = plan._bases[t.name]
    new_rows: list[tuple[list[Any], str]] = []  # (row in database form, hash) of the rows to insert
    origin_i = t.index("origin") if "origin" in t.columns else None
    ni = t.index(t.natural) if t.natural is not None else None
    theirs_of = itemgetter(*content)
    mine_of = itemgetter(*(1 + i for i in content))
    new_reason = _("not in this database yet")
    sample = plan.new if isinstance(plan.new, _Sample) else None
    tallied = 0  # new records past the sample, counted once for the batch
    for raw in rows:
        u = raw[0]
        mine = by_uuid.get(u)
        if mine is None and ni is not None and by_natural:
            cand = by_natural.get(raw[ni])
            if cand is not None and cand[0] not in claimed:
                mine = cand
            elif cand is not None and t is ENTERPRISES:
                plan.rejected.append(Item(t.name, u, _("the package lists this enterprise twice"), row=raw))
                continue
        h = blake2b(repr(theirs_of(raw)).encode("utf-8"), digest_size=8).hexdigest()  # tables.digest, inline
        if mine is None and t is ENTERPRISES:
            if raw[ni] in unique_taken:
                plan.rejected.append(Item(t.name, u, _("another enterprise here already has this code"), row=raw))
                continue
            unique_taken.add(raw[ni])
        if mine is None:
            if origin_i is not None and raw[origin_i] is None:
                raw[origin_i] = office_uuid
            if sample is not None and sample.full:  # a million new records: counted, only the first kept to show
                tallied += 1
            else:
                plan.new.append(Item(t.name, u, new_reason, row=raw))
            new_rows.append((raw, h))
            mapping[u] = u
            continue
        claimed.add(mine[0])
        mapping[u] = mine[1]
        hl = digest(mine_of(mine))
        via = "" if mine[1] == u else _(" (matched by {key}, recorded here under another id)").format(key=t.natural)
        if hl == h:
            plan.unchanged.append(Item(t.name, u, _("the same here") + via, row=raw))
            base[u] = h
            continue
        diff = [t.columns[i] for i in content if raw[i] != mine[1 + i]]
        mine_d = {c: v for c, v in zip(t.columns, t.to_package(mine[1:])) if c in diff}
        theirs_d = {c: v for c, v in zip(t.columns, t.to_package(raw)) if c in diff}
        op = _Op(t, raw, mine[0], h, before=mine_d)
        if base.get(u) == hl:
            plan.updated.append(Item(t.name, u, _("changed at the office: {fields}").format(
                fields=", ".join(diff)) + via, row=raw))
            plan._ops.append(op)
        elif base.get(u) == h:
            plan.unchanged.append(Item(t.name, u, _("changed here since the last import; the "
                                                                     "office has not changed it, so yours is kept"), row=raw))
        else:
            other = mine[1 + origin_i] if origin_i is not None else None
            reason = (_("changed here and at the office since the last import") if u in base else
                      _("already registered by {county}, differently; see the consolidation checks").format(
                          county=_office_name(other)) if other not in (None, office_uuid) else
                      _("recorded here separately and different from the office's record") if mine[1] != u else
                      _("differs from the office's record, which this database has not received before"))
            c = Conflict(t.name, u, reason + via, row=raw, mine=mine_d, theirs=theirs_d, fields=diff,
                         local_uuid=mine[1])
            plan.conflicts.append(c)
            plan._conflict_ops[c.key] = op
    if tallied and sample is not None:
        sample.tally(t.name, tallied)
    if new_rows:
        plan._inserts.setdefault(t.name, Spool()).add(new_rows)


def _office_name(uuid: str) -> str:
    row = KnownOffice.get_or_none(KnownOffice.uuid == uuid)
    return row.name if row is not None else uuid


# ------------------------------------------------------------------------------------- public API

def verify(path: Path, passphrase: str | None = None, progress: Progress | None = None) -> Package:
    """Check a package completely without changing anything (see ``package.read_package``)."""
    refuse_temporary(Path(path))
    return read_package(path, passphrase=passphrase, progress=progress)


def _stepper(progress: Progress | None, cancelled: Callable[[], bool] | None, message: str) -> Callable[[str, int, int], None]:
    def step(stage: str, done: int, total: int) -> None:
        if cancelled is not None and cancelled():
            raise Cancelled(message)
        if progress is not None:
            progress(stage, done, total)
    return step


def plan_import(path: Path | Package, passphrase: str | None = None, progress: Progress | None = None,
                cancelled: Callable[[], bool] | None = None) -> ImportPlan:
    """The dry run: verify the package and classify every record. Changes nothing."""
    step = _stepper(progress, cancelled, _("import cancelled; nothing was changed"))
    if not isinstance(path, Package):
        refuse_temporary(Path(path))
    pkg = path if isinstance(path, Package) else read_package(path, passphrase=passphrase, progress=step,
                                                              signer=trust)
    with database.atomic() as txn, bulk():
        plan = _plan(pkg, step)
        txn.rollback()  # a dry run leaves nothing behind, whatever happened
    return plan


@dataclass
class ImportResult:
    plan: ImportPlan
    applied: dict[str, int]  # inserted / updated / resolved (taken theirs) / kept (mine)

    def summary(self, details: bool = True) -> dict[str, Any]:
        return dict(self.plan.summary(details), applied=self.applied)


def apply_import(path: Path | Package, passphrase: str | None = None,
                 resolutions: Mapping[str, str] | None = None, *, user: str,
                 progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
                 plan: ImportPlan | None = None) -> ImportResult:
    """Verify, plan again and apply in one transaction. ``resolutions`` maps a conflict's ``key`` to
    KEEP_MINE or TAKE_THEIRS; an unresolved conflict keeps this database's version and stays a
    conflict next time. ``plan``, the dry run of this same package just shown to the officer, is
    applied as it is when the database has not changed since it was made (checked inside the
    transaction; otherwise the package is planned again): a large package is planned once."""
    resolutions = dict(resolutions or {})
    bad = {k: v for k, v in resolutions.items() if v not in (KEEP_MINE, TAKE_THEIRS)}
    if bad:
        raise ValueError(f"unknown resolutions: {bad}")
    step = _stepper(progress, cancelled, _("import cancelled; nothing was changed"))
    if not isinstance(path, Package):
        refuse_temporary(Path(path))
    pkg = path if isinstance(path, Package) else read_package(path, passphrase=passphrase, progress=step,
                                                              signer=trust)
    if backend.is_postgres():  # the server manages its own cache
        with database.atomic(), bulk():
            return _apply(pkg, resolutions, user, step, plan)
    cache = database.execute_sql("PRAGMA cache_size").fetchone()[0]
    database.execute_sql("PRAGMA cache_size = -65536")  # 64 MB while indexes grow by thousands of rows
    try:
        with database.atomic(), bulk():
            return _apply(pkg, resolutions, user, step, plan)
    finally:
        database.execute_sql(f"PRAGMA cache_size = {int(cache)}")


def _apply(pkg: Package, resolutions: dict[str, str], user: str, step: Callable[[str, int, int], None],
           given: ImportPlan | None = None) -> ImportResult:
    """Plan again inside the transaction (unless ``given`` still holds) and apply (see ``apply_import``)."""
    pkg.check_unchanged()  # a large table is written from what was set aside when checked: the file must still be it
    if (given is not None and not given._spent and given.package.sha256 == pkg.sha256 and given._token
            and given._token == _data_token()):
        plan = given
        step("plan", len(TABLES), len(TABLES))
    else:
        plan = _plan(pkg, step)
    plan._spent = True  # its rows are about to take local row ids: never applied twice, even after a failure
    applied = {"inserted": 0, "updated": 0, "taken_theirs": 0, "kept_mine": 0}
    ops = list(plan._ops)
    for c in plan.conflicts:
        choice = resolutions.get(c.key)
        op = plan._conflict_ops.get(c.key)
        if op is None:  # a deletion the city has reasons to keep: carried out (or not) by _apply_tombstones
            continue
        if choice == TAKE_THEIRS:
            ops.append(op)
            applied["taken_theirs"] += 1
        if choice in (KEEP_MINE, TAKE_THEIRS):
            plan._bases[c.table][c.uuid] = op.hash
        if choice == KEEP_MINE:
            applied["kept_mine"] += 1
    from desktop.exchange import kept_sums

    mark = kept_sums.before_write(ops)  # schema 7's triggers stand aside for the bulk write, which notes their work
    _write(ops, plan, user, step, applied)
    kept_sums.after_write(mark)
    _apply_tombstones(plan, resolutions, user, applied)
    _keep_evidence(pkg, user, applied)
    _keep_reply(pkg, user, applied)
    _keep_carried(pkg, applied, plan._carried)
    _finish(pkg, plan, user, applied)
    kept_sums.after_import(pkg)  # the consolidation's sums of this sender's rounds, the stale counties' keys
    return ImportResult(plan=plan, applied=applied)


def _write(ops: list[_Op], plan: ImportPlan, user: str, step: Callable[[str, int, int], None],
           applied: dict[str, int]) -> None:
    cur = database.cursor()
    total = (len(ops) + sum(p.count for p in plan._inserts.values())) or 1
    done = 0
    ids: dict[str, dict[str, int]] = {}  # table -> local uuid -> local id, for references
    for t in TABLES:
        mine = [o for o in ops if o.table is t]
        spool = plan._inserts.get(t.name) or Spool()
        for col, target in t.refs:
            i = t.index(col)
            _known_ids(ids.setdefault(target, {}), BY_NAME[target], {o.raw[i] for o in mine})
        updates = []
        refs = [(t.index(col), ids[target]) for col, target in t.refs]
        bools = [t.index(c) for c in t.bools]
        base = plan._bases[t.name]
        for o in mine:
            raw = o.raw  # the plan is spent: its rows take local row ids in place of references
            base[raw[0]] = o.hash
            audit.record(user, "import-update", t.db, raw[0], o.before,
                         {c: v for c, v in zip(t.columns, t.to_package(raw)) if c in (o.before or {})})
            for i, local in refs:
                raw[i] = local[raw[i]]
            for i in bools:  # written as booleans: SQLite stores 1/0, PostgreSQL's column is boolean
                if raw[i] is not None:
                    raw[i] = bool(raw[i])
            updates.append([raw[i] for i in t.update_columns()] + [o.local_id])
        inserted = spool.count
        rebuild = _drop_indexes(t, inserted)
        hashes = plan._new_bases.setdefault(t.name, [])
        for chunk in spool.batches(CHUNK):
            rows = _insert_rows(t, chunk, ids, hashes)
            cur.executemany(t.insert_sql(), rows)
            done += len(rows)
            step("write", done, total)
            if t is ACHIEVEMENTS:
                _test_pause()
        for sql in rebuild:  # the same definitions, built in one sorted pass
            database.execute_sql(sql)
        if updates:
            cur.executemany(t.update_sql(), updates)
            done += len(updates)
            step("write", done, total)
        spool.close()
        applied["inserted"] += inserted
        applied["updated"] += len(updates)
    applied["updated"] -= applied["taken_theirs"]


def _known_ids(ids: dict[str, int], target: Table, uuids: set[str]) -> None:
    """Add the local row ids of ``uuids`` (local uuids of ``target``) not yet in ``ids``."""
    need = sorted(uuids - ids.keys())
    for start in range(0, len(need), LOOKUP_BATCH):
        ids.update({x[1]: x[0] for x in database.execute_sql(
            f"SELECT id, uuid FROM {target.db} WHERE uuid IN ({backend.json_values()})",
            [json.dumps(need[start:start + LOOKUP_BATCH])]).fetchall()})


def _insert_rows(t: Table, chunk: list[tuple[list[Any], str]], ids: dict[str, dict[str, int]],
                 hashes: list[str]) -> list[list[Any]]:
    """A chunk of the plan's new rows (database form as the plan classified them: references to the
    local uuid, our natural key, the origin; with the hash the office's version is remembered by)
    with local row ids for references; their "uuid:hash" pairs appended to ``hashes`` as one text."""
    raws = [raw for raw, _h in chunk]
    for col, target in t.refs:
        i = t.index(col)
        _known_ids(ids.setdefault(target, {}), BY_NAME[target], {raw[i] for raw in raws})
    refs = [(t.index(col), ids[target]) for col, target in t.refs]
    bools = [t.index(c) for c in t.bools]
    hashes.append(" ".join([f"{raw[0]}:{h}" for raw, h in chunk]))
    for raw in raws:
        for i, local in refs:
            raw[i] = local[raw[i]]
        for i in bools:  # written as booleans: SQLite stores 1/0, PostgreSQL's column is boolean
            if raw[i] is not None:
                raw[i] = bool(raw[i])
    return raws


def _drop_indexes(t: Table, inserts: int) -> list[str]:
    """For a bulk insert larger than the table (a county's first package at the city): its indexes
    dropped, their definitions returned to build again (``audit.drop_indexes_for_bulk``)."""
    return audit.drop_indexes_for_bulk(t.db, inserts, REBUILD_INDEXES_AT)


def _test_pause() -> None:
    marker = os.environ.get(PAUSE_ENV)
    if marker:
        Path(marker).write_text(str(os.getpid()))
        time.sleep(600)


def _finish(pkg: Package, plan: ImportPlan, user: str, applied: dict[str, int]) -> None:
    office = KnownOffice.get(KnownOffice.uuid == pkg.office_uuid)
    ui = ENTERPRISES.index("uscc")
    claims = set(enterprise_claims(pkg.office_uuid))
    claims.update(r[ui] for r in pkg.rows("enterprises") if isinstance(r[ui], str))
    # one text per table ("uuid:hash uuid:hash ..."): a large import stores it in milliseconds
    # the records inserted last (a text per chunk written), after the others: read back, the later wins
    value = {name: " ".join([f"{u}:{h}" for u, h in hashes.items()] + plan._new_bases.get(name, []))
             for name, hashes in plan._bases.items()}
    Setting.insert(key=_base_key(pkg.office_uuid), value=value).on_conflict_replace().execute()
    Setting.insert(key=claims_key(pkg.office_uuid), value=sorted(claims)).on_conflict_replace().execute()
    sums = _setting(_summaries_key(pkg.office_uuid)) or {}
    for row in pkg.rows("summaries"):
        s = dict(zip(SUMMARY_COLUMNS, row))
        sums[str(s["round"])] = s
    Setting.insert(key=_summaries_key(pkg.office_uuid), value=sums).on_conflict_replace().execute()
    paid_new, paid_bad = _keep_payments(pkg)
    _keep_head(pkg)
    if pkg.sequence > office.last_sequence:
        office.last_sequence = pkg.sequence
        office.save()
    counts = plan.counts()
    if not plan.already_imported:
        PackageLog.create(direction="import", office_uuid=pkg.office_uuid, sequence=pkg.sequence, sha256=pkg.sha256,
                          path=str(pkg.path) if pkg.path else None,
                          summary={"counts": counts, "applied": applied, "period": pkg.manifest.get("period")})
    audit.record(user, "import", "package", pkg.sha256, None,
                 {"office": pkg.office_uuid, "name": office.name, "sequence": pkg.sequence,
                  "counts": counts, "applied": applied, "payments": {"new": paid_new, "rejected": paid_bad},
                  "new": _by_table(plan.new), "updated": _by_table(plan.updated),
                  "deleted": _by_table(plan.deleted)})
    fault_point("import", "in-transaction")


def _plan_tombstones(plan: ImportPlan, mapping: dict[str, dict[str, str]]) -> None:
    """The package's deletions and merges into the plan (``desktop.exchange.tombstones``)."""
    from desktop.exchange import tombstones

    tombstones.plan(plan, mapping)


def _apply_tombstones(plan: ImportPlan, resolutions: dict[str, str], user: str, applied: dict[str, int]) -> None:
    from desktop.exchange import tombstones

    applied["deleted"] = 0
    tombstones.apply(plan, resolutions, user, applied)


def _check_reply(pkg: Package) -> None:
    """A city's reply must be addressed to this office (``desktop.exchange.reply``)."""
    from desktop.exchange import reply

    reply.check_addressed(pkg)


def _keep_reply(pkg: Package, user: str, applied: dict[str, int]) -> None:
    from desktop.exchange import reply

    reply.keep(pkg, user, applied)


def _keep_carried(pkg: Package, applied: dict[str, int], carried: set[str]) -> None:
    """What the package carries besides records, kept read-only: the office's 公示 and objections
    (``desktop.exchange.hearings``), the names of the offices whose records it passes on
    (``desktop.exchange.origins``)."""
    from desktop.exchange import hearings, origins

    hearings.keep(pkg.office_uuid, pkg.rows("publicity"), applied)
    origins.keep(pkg.office_uuid, pkg.manifest.get("origins"), applied, carried)


_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _keep_evidence(pkg: Package, user: str, applied: dict[str, int]) -> None:
    """Attach the package's evidence rows to the achievements here (by global id; one already
    attached is not attached twice) and store the files it carries in this database's evidence
    folder by SHA-256 (each was checked against its hash when the package was read). A row whose
    file neither the package nor this folder holds is attached by name and counted as missing."""
    from desktop.core.vocabulary import text_problem
    from desktop.exchange.tables import EVIDENCE_COLUMNS
    from desktop.store import files
    from desktop.store.atomic import write_atomic
    from desktop.store.models import Evidence, now

    rows = [dict(zip(EVIDENCE_COLUMNS, r)) for r in pkg.rows("evidence")]
    if not rows:
        return
    applied.update(evidence_attached=0, evidence_files=0, evidence_missing=0, evidence_rejected=0)
    folder = files.evidence_folder()
    local = dict(database.execute_sql(f"SELECT uuid, id FROM achievement WHERE uuid IN ({backend.json_values()})",
                                      [json.dumps(sorted({str(r["achievement"]) for r in rows}))]).fetchall())
    # the files already attached to these achievements (not every file the city holds)
    have = {(a, s) for a, s in database.execute_sql(
        "SELECT v.achievement_id, v.sha256 FROM evidence v JOIN achievement a ON a.id = v.achievement_id "
        f"WHERE a.uuid IN ({backend.json_values()})", [json.dumps(sorted(local))]).fetchall()}
    written: set[str] = set()
    for r in rows:
        name, sha, size = r["filename"], r["sha256"], r["size"]
        ach = local.get(r["achievement"])
        if (ach is None or not isinstance(name, str) or not isinstance(sha, str) or not _SHA256.match(sha)
                or not isinstance(size, int) or size < 0 or text_problem(name, "evidence")):
            applied["evidence_rejected"] += 1
            continue
        key = f"{sha}{Path(name).suffix.lower()}"
        target = folder / key
        if key in pkg.files and key not in written and not target.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(target, pkg.files[key], step="evidence")
            written.add(key)
            applied["evidence_files"] += 1
        if target.is_file():
            files.put(target, sha)  # on a server every PC of the city opens it (desktop.store.files)
        elif not files.stored(sha):
            applied["evidence_missing"] += 1
        if (ach, sha) in have:
            continue
        have.add((ach, sha))
        Evidence.create(achievement=ach, filename=name, sha256=sha, size=size, added_at=r["added_at"] or now())
        audit.record(user, "import-attach", "evidence", r["achievement"], None,
                     {"file": name, "sha256": sha, "office": pkg.office_uuid})
        applied["evidence_attached"] += 1


def _by_table(items: Iterable[Item]) -> dict[str, int]:
    if isinstance(items, _Sample):
        return dict(items.by_table)
    out: dict[str, int] = {}
    for i in items:
        out[i.table] = out.get(i.table, 0) + 1
    return out


# ------------------------------------------------------------------------------------- payments and audit heads

def _payments_key(office_uuid: str) -> str:
    return f"exchange.payments.{office_uuid}"


def _head_key(office_uuid: str) -> str:
    return f"exchange.audit_head.{office_uuid}"


def _payment_problem(p: dict[str, Any]) -> str | None:
    """Why a package's payment row cannot be kept (None when it can)."""
    if not isinstance(p.get("uuid"), str) or not _UUID.match(p["uuid"]):
        return "uuid"
    if p.get("reverses") is not None and (not isinstance(p["reverses"], str) or not _UUID.match(p["reverses"])):
        return "reverses"
    for name in ("doc_number", "reference"):
        if not isinstance(p.get(name), str) or not p[name].strip() or len(p[name]) > 200:
            return name
    if not isinstance(p.get("paid_on"), str) or not _DATE.match(p["paid_on"]):
        return "paid_on"
    for name in ("amount", "notice_total"):
        try:
            value = Decimal(str(p.get(name)))
        except (InvalidOperation, ValueError):
            return name
        if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
            return name
    return None


def _altered_key(office_uuid: str) -> str:
    return f"exchange.payments_altered.{office_uuid}"


def _keep_payments(pkg: Package) -> tuple[int, int]:
    """Keep the package's payment rows for its office, by uuid: a row already kept is not counted
    again (importing the same package twice, or overlapping packages, adds nothing). A payment is
    never edited at the county, so a row that comes back different is not taken: the first version
    stays and the uuid is listed as altered (``office_payments_altered``). Returns (new, rejected)."""
    from desktop.exchange.tables import PAYMENT_COLUMNS

    rows = pkg.rows("payments")
    if not rows:
        return 0, 0
    kept = dict(_setting(_payments_key(pkg.office_uuid)) or {})
    altered = set(_setting(_altered_key(pkg.office_uuid)) or [])
    new = bad = 0
    for row in rows:
        p = dict(zip(PAYMENT_COLUMNS, row))
        if _payment_problem(p) is not None:
            bad += 1
            continue
        before = kept.get(p["uuid"])
        if before is None:
            new += 1
            kept[p["uuid"]] = p
        elif before != p:
            altered.add(p["uuid"])
    Setting.insert(key=_payments_key(pkg.office_uuid), value=kept).on_conflict_replace().execute()
    if altered:
        Setting.insert(key=_altered_key(pkg.office_uuid), value=sorted(altered)).on_conflict_replace().execute()
    return new, bad


def office_payments_altered(office_uuid: str) -> list[str]:
    """The payments an office sent again with other content than first received (uuids)."""
    return list(_setting(_altered_key(office_uuid)) or [])


def _keep_head(pkg: Package) -> None:
    """Keep the office's audit log head from its newest package, with whether its signature (by the
    key the package is signed with) holds and whether the log shrank since an earlier package."""
    head = pkg.manifest.get("audit_head")
    if not isinstance(head, dict):
        return
    before = _setting(_head_key(pkg.office_uuid)) or {}
    if int(before.get("sequence") or 0) > pkg.sequence:
        return  # an older package imported again: the newer head stays
    try:
        count, last_id, digest = int(head["count"]), int(head["last_id"]), str(head["hash"])
    except (KeyError, TypeError, ValueError):
        return
    signed = bool(head.get("signature")) and audit._verify_signature(
        pkg.public_key, audit._head_message(count, last_id, digest), str(head["signature"]))
    shrank = bool(before) and int(before.get("count") or 0) > count
    value = {"sequence": pkg.sequence, "count": count, "last_id": last_id, "hash": digest, "signed": signed,
             "text": audit.head_text({"count": count, "last_id": last_id, "hash": digest}),
             "shrank_from": int(before["count"]) if shrank else None}
    Setting.insert(key=_head_key(pkg.office_uuid), value=value).on_conflict_replace().execute()


def office_payments(office_uuid: str) -> list[dict[str, Any]]:
    """The payments an office has sent, in date order (amounts as decimal strings)."""
    kept = _setting(_payments_key(office_uuid)) or {}
    return sorted(kept.values(), key=itemgetter("paid_on", "created_at", "uuid"))


def office_head(office_uuid: str) -> dict[str, Any] | None:
    """The audit head from the office's newest package (see ``_keep_head``), or None."""
    head = _setting(_head_key(office_uuid))
    return dict(head) if isinstance(head, dict) else None
