"""The tables a package carries, column by column, and how their rows map to the database.

Package rows are JSON lists in the order of ``Table.columns``; references to other records are
global ids (UUIDs), never local row numbers. Values are the database's own (dates and times as
text, money as a decimal string) except booleans (``accepted``) and lists (``units``, ``flags``),
which are JSON-native in the package. Export and import read the database through the cursor with
the same SELECT, so a record's comparable *content* is computed identically on both sides.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

# Columns that are not compared when deciding whether two versions of a record differ.
BOOKKEEPING = frozenset({"uuid", "origin", "created_at", "updated_at"})


@dataclass(frozen=True)
class Table:
    name: str  # in the package
    db: str  # the SQL table
    alias: str
    columns: tuple[str, ...]
    exprs: tuple[str, ...]  # SQL expressions giving ``columns`` (raw database values)
    joins: str = ""
    refs: tuple[tuple[str, str], ...] = ()  # (package column, referenced package table)
    natural: str | None = None  # column matched when the uuid is unknown here
    bools: tuple[str, ...] = ()
    jsons: tuple[str, ...] = ()

    @property
    def from_sql(self) -> str:
        return f" FROM {self.db} {self.alias}{self.joins}"

    def select(self, with_id: bool = False) -> str:
        return "SELECT " + ", ".join(((f"{self.alias}.id",) if with_id else ()) + self.exprs) + self.from_sql

    @property
    def content(self) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self.columns) if c not in BOOKKEEPING)

    @cached_property
    def idx(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.columns)}

    def index(self, column: str) -> int:
        return self.idx[column]

    @cached_property
    def _bool_idx(self) -> tuple[int, ...]:
        return tuple(self.idx[c] for c in self.bools)

    @cached_property
    def _json_idx(self) -> tuple[int, ...]:
        return tuple(self.idx[c] for c in self.jsons)

    def insert_sql(self) -> str:
        cols = [f"{c}_id" if c in dict(self.refs) else c for c in self.columns]
        return f"INSERT INTO {self.db} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"

    def update_sql(self) -> str:
        cols = [f"{c}_id" if c in dict(self.refs) else c for c in self.columns
                if c not in ("uuid", "origin", "created_at")]
        # records an officer edits carry a version (optimistic concurrency): an import that changes one
        # moves it on, so a form opened before the import refuses to overwrite what the package brought
        bump = ", version = version + 1" if self.db in VERSIONED else ""
        return f"UPDATE {self.db} SET {', '.join(c + ' = ?' for c in cols)}{bump} WHERE id = ?"

    def update_columns(self) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self.columns) if c not in ("uuid", "origin", "created_at"))

    # ---- value conversions
    def to_package(self, raw: Iterable[Any]) -> list[Any]:
        row = list(raw)
        for i in self._bool_idx:
            if row[i] is not None:
                row[i] = bool(row[i])
        for i in self._json_idx:
            if row[i] is not None:
                row[i] = json.loads(row[i])
        return row

    def to_raw(self, row: list[Any]) -> list[Any]:
        """A package row in the database's own representation (booleans 0/1, JSON as text)."""
        row = list(row)
        for i in self._bool_idx:
            if row[i] is not None:
                row[i] = int(bool(row[i]))
        for i in self._json_idx:
            if row[i] is not None:
                row[i] = json.dumps(row[i], ensure_ascii=False, sort_keys=True)
        return row


def digest(values: tuple[Any, ...]) -> str:
    """A short stable hash of a record's comparable content (for change detection, not security)."""
    return hashlib.blake2b(repr(values).encode("utf-8"), digest_size=8).hexdigest()


VERSIONED = ("enterprise", "achievement", "award")  # the tables with a version column (schema 5)

ENTERPRISES = Table(
    "enterprises", "enterprise", "e",
    ("uuid", "uscc", "name", "region_code", "address", "contact", "phone", "origin", "created_at", "updated_at"),
    ("e.uuid", "e.uscc", "e.name", "e.region_code", "e.address", "e.contact", "e.phone", "e.origin",
     "e.created_at", "e.updated_at"),
    natural="uscc")

ACHIEVEMENTS = Table(
    "achievements", "achievement", "a",
    ("uuid", "enterprise", "source_id", "kind", "date", "ref", "title", "level", "action", "rank", "body",
     "prize", "grade", "domain", "accepted", "note", "units", "natural_key", "origin", "created_at", "updated_at"),
    ("a.uuid", "e.uuid", "a.source_id", "a.kind", "a.date", "a.ref", "a.title", "a.level", "a.action", "a.rank",
     "a.body", "a.prize", "a.grade", "a.domain", "a.accepted", "a.note", "a.units", "a.natural_key", "a.origin",
     "a.created_at", "a.updated_at"),
    joins=" JOIN enterprise e ON e.id = a.enterprise_id",
    refs=(("enterprise", "enterprises"),), natural="natural_key", bools=("accepted",), jsons=("units",))

ROUNDS = Table(
    "rounds", "award_round", "r",
    ("uuid", "year", "policy_id", "policy_hash", "status", "prepared_by", "reviewed_by", "created_at",
     "approved_at", "note"),
    ("r.uuid", "r.year", "r.policy_id", "r.policy_hash", "r.status", "r.prepared_by", "r.reviewed_by",
     "r.created_at", "r.approved_at", "r.note"))

AWARDS = Table(
    "awards", "award", "w",
    ("uuid", "round", "achievement", "status", "amount", "rule", "clause", "fund", "explanation", "flags",
     "decision", "updated_at"),
    ("w.uuid", "r.uuid", "a.uuid", "w.status", "w.amount", "w.rule", "w.clause", "w.fund", "w.explanation",
     "w.flags", "w.decision", "w.updated_at"),
    joins=" JOIN award_round r ON r.id = w.round_id JOIN achievement a ON a.id = w.achievement_id",
    refs=(("round", "rounds"), ("achievement", "achievements")), jsons=("flags",))

TABLES: tuple[Table, ...] = (ENTERPRISES, ACHIEVEMENTS, ROUNDS, AWARDS)
BY_NAME = {t.name: t for t in TABLES}

# Each round's own totals as the exporting office computed them (checked by the city).
SUMMARY_COLUMNS = ("round", "year", "policy_id", "status", "count", "total", "by_fund")
SUMMARY_SQL = """
SELECT r.uuid, r.year, r.policy_id, r.status, w.fund, w.amount
FROM award_round r LEFT JOIN award w ON w.round_id = r.id
  AND w.status IN ('awarded', 'discretionary') AND w.decision != 'rejected' AND w.amount IS NOT NULL
"""

# What the office paid out on its notices (拨付), reversals as rows of their own. Notices themselves
# stay in the county; the city keeps these rows per office, by uuid (importing twice adds nothing).
PAYMENT_COLUMNS = ("uuid", "doc_number", "notice_year", "recipient", "notice_total", "paid_on", "amount",
                   "reference", "reverses", "note", "user", "created_at")
PAYMENTS_SQL = """
SELECT p.uuid, n.doc_number, n.year, e.uscc, n.total, p.paid_on, p.amount, p.reference, q.uuid, p.note, p.user,
       p.created_at
FROM payment p JOIN notice n ON n.id = p.notice_id JOIN enterprise e ON e.id = n.enterprise_id
LEFT JOIN payment q ON q.id = p.reverses_id
"""

# Deletions and merges made at the office (tombstones), from its audit log: ``table`` (enterprises or
# achievements), the record's global id, ``key`` (an enterprise's credit code, which leaves the
# office's claims), ``action`` (delete or merge), ``into`` (a merge: the global id of the record that
# stays), when and by whom. The receiver deletes its copy unless it changed it.
TOMBSTONE_COLUMNS = ("table", "uuid", "key", "action", "into", "at", "by")

# The evidence files attached to the package's achievements: the achievement's global id, the file's
# name as attached, its SHA-256 and size, when attached. The files themselves travel once (the
# package's ``evidence.zip``, by SHA-256); a row whose file the receiver lacks still names it.
EVIDENCE_COLUMNS = ("achievement", "filename", "sha256", "size", "added_at")
