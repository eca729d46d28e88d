"""Append-only, hash-chained audit log: who changed what money or status, when, before and after.

Each entry's hash covers its content and the previous entry's hash, so editing or deleting any row
breaks the chain from there on (``verify_chain`` finds where). SQL triggers refuse UPDATE and DELETE
(``ensure_triggers`` puts back any that were dropped, on every open).

Three things make the log hold up against someone who edits the SQLite file directly:

* **The signed head.** After every commit that appended entries, the chain's head (entry count, last
  id, last hash) is signed with the office's Ed25519 key and written atomically beside the database
  (``<db>.audit-head``). Deleting the last entries, or rewriting one and recomputing every later
  hash, no longer matches the signed head. ``head()`` gives the head for export packages and the
  archive copy: a copy kept elsewhere is what makes it an anchor, since the key lives in the same
  database.
* **Row digests.** Each entry records, in ``state``, a digest of the audited fields of the records
  it leaves behind (a round: status, preparer, reviewer, approval digest and every award line's
  amount, status, rule and decision; a notice: number, status, total, content hash; a user: role,
  active, password hash; a payment; the office and registered offices' keys; a letter of refusal:
  its number, date, lines, content and content hash). ``verify_all``
  recomputes them from the tables: an amount, approval, total or password hash changed outside
  the program shows, naming the record.
* **One place.** ``record`` is the only writer of the log; the stores call it inside the
  transaction that makes the change.
"""
from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.i18n import N_, _
from desktop.store.backend import chain_lock, is_postgres, notify_change
from desktop.store.models import (
    Achievement,
    AuditEntry,
    Award,
    AwardRound,
    JSONField,
    KnownOffice,
    Notice,
    Objection,
    Office,
    PackageLog,
    Payment,
    Publicity,
    RefusalLetter,
    Setting,
    User,
    as_stored,
    database,
    now,
)

GENESIS = "0" * 64
HEAD_FORMAT = "stdaward-audit-head"
HEAD_SUFFIX = ".audit-head"


# what ``json.dumps(..., ensure_ascii=False, sort_keys=True, default=str)`` makes, one encoder for every
# entry (``dumps`` with arguments builds a new one per call: a fifth of a whole log's check)
_DIGEST_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


def _digest(prev: str, at: dt.datetime, user: str, action: str, entity: str,
            entity_uuid: str | None, before: Any, after: Any, state: Any = None) -> str:
    parts = [prev, at.isoformat(), user, action, entity, entity_uuid, before, after]
    if state is not None:  # entries written before v3 have none: their hashes stay as they were
        parts.append(state)
    body = _DIGEST_JSON.encode(parts)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


_QUOTED = json.encoder.encode_basestring  # type: ignore[attr-defined]  # a str as JSON, not escaping non-ASCII
_STORED_AT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?")  # str() of a datetime, as stored


def _digest_as_stored(prev: str, at: Any, user: str, action: str, entity: str, entity_uuid: str | None,
                      before: str | None, after: str | None, state: str | None) -> str | None:
    """``_digest`` of an entry as the database holds it, without reading its JSON back: the program
    stores each JSON column as ``json.dumps(value, ensure_ascii=False, sort_keys=True)`` (``JSONField``),
    which is exactly how ``_digest`` writes the value inside its list, so the stored text takes its
    place there. Only a shortcut: an entry it does not confirm is checked by ``_digest`` over the
    values read back (JSON stored another way, by an older program or by hand, is judged by its
    value, as it always was). Taken only when each JSON column holds one JSON value: texts of several
    values could otherwise split the same bytes another way (``after`` holding ``after, state`` and
    ``state`` emptied would hash alike). None when the time is not stored as the program stores it."""
    if isinstance(at, str):
        if not _STORED_AT.fullmatch(at):
            return None
        at_iso = at[:10] + "T" + at[11:]  # datetime.isoformat() of what it stores
    elif isinstance(at, dt.datetime):
        at_iso = at.isoformat()
    else:
        return None
    if not (isinstance(prev, str) and isinstance(user, str) and isinstance(action, str) and isinstance(entity, str)
            and (entity_uuid is None or isinstance(entity_uuid, str))):
        return None  # a column holding something else than text (a blob written by hand): read back
    enc = _QUOTED  # a text as ``_DIGEST_JSON`` writes it
    body = (f"[{enc(prev)}, {enc(at_iso)}, {enc(user)}, {enc(action)}, {enc(entity)}, "
            f"{'null' if entity_uuid is None else enc(entity_uuid)}, "
            f"{'null' if before is None else before}, {'null' if after is None else after}"
            + ("]" if state is None else f", {state}]"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


_FIELDS_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def fields_digest(fields: Any) -> str:
    body = _FIELDS_JSON.encode(fields)  # one encoder, not one per call: a bulk load digests every record
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------ audited fields of each record

def _money(value: Any) -> str | None:
    return None if value is None else format(value, "f")


def _round_line_rows(round_id: int) -> Iterator[list[Any]]:
    rows = database.execute_sql(  # the cursor: a round may hold 1,000,000 lines
        "SELECT w.status, w.amount, w.rule, w.decision, a.uuid FROM award w JOIN achievement a ON a.id = w.achievement_id "
        "WHERE w.round_id = ? ORDER BY a.uuid", (round_id,))
    money = Award.amount.python_value
    for status, amount, rule, decision, ach in rows:
        yield [ach, status, _money(money(amount)), rule, "approved" if decision == "paid" else decision]


def round_lines(round_id: int) -> list[list[Any]]:
    """A round's award lines as approved: achievement, status, amount, rule, decision (``paid`` counts
    as ``approved``: paying out does not change what was approved)."""
    return list(_round_line_rows(round_id))


DIGEST_CHUNK = 5000  # lines encoded at a time by lines_digest


def lines_digest(round_id: int) -> str:
    """``fields_digest(round_lines(round_id))``, hashed a chunk of lines at a time (the same bytes: a
    JSON list is its items' texts between brackets, joined by commas), so that a round of 1,000,000
    lines is never held as one list and one string."""
    h = hashlib.sha256(b"[")
    chunk: list[list[Any]] = []
    sep = b""
    for line in _round_line_rows(round_id):
        chunk.append(line)
        if len(chunk) == DIGEST_CHUNK:
            h.update(sep + _FIELDS_JSON.encode(chunk)[1:-1].encode("utf-8"))
            chunk, sep = [], b","
    if chunk:
        h.update(sep + _FIELDS_JSON.encode(chunk)[1:-1].encode("utf-8"))
    h.update(b"]")
    return h.hexdigest()


def _round_fields(rnd: AwardRound) -> dict[str, Any]:
    return {"year": rnd.year, "policy": rnd.policy_id, "policy_hash": rnd.policy_hash, "status": rnd.status,
            "prepared_by": rnd.prepared_by, "reviewed_by": rnd.reviewed_by,
            "approved_digest": rnd.approved_digest, "lines": lines_digest(rnd.id)}


def _notice_fields(n: Notice) -> dict[str, Any]:
    # not the enterprise row: merging duplicates moves notices (the recipient is in the content hash)
    return {"doc_number": n.doc_number, "status": n.status, "total": _money(n.total),
            "content_hash": n.content_hash, "round": n.round_id, "issued_on": str(n.issued_on)}


def _user_fields(u: User) -> dict[str, Any]:
    return {"username": u.username, "role": u.role, "active": bool(u.active), "password_hash": u.password_hash}


def _payment_fields(p: Payment) -> dict[str, Any]:
    return {"notice": p.notice_id, "paid_on": str(p.paid_on), "amount": _money(p.amount),
            "reference": p.reference, "reverses": p.reverses_id, "user": p.user}


def _office_fields(o: Office) -> dict[str, Any]:
    return {"name": o.name, "region": o.region_code, "doc_prefix": o.doc_prefix, "role": o.role,
            "public_key": o.public_key}


ACHIEVEMENT_FIELDS = ("source_id", "kind", "date", "ref", "title", "level", "action", "rank", "body", "prize",
                      "grade", "domain", "accepted", "note", "units")


def _publicity_fields(p: Publicity) -> dict[str, Any]:
    return {"round": p.round_id, "starts_on": str(p.starts_on), "days": p.days, "ends_on": str(p.ends_on),
            "objections_to": p.objections_to, "contact": p.contact, "status": p.status}


def _letter_fields(letter: RefusalLetter) -> dict[str, Any]:
    # the content itself, not only its stored hash: content and hash rewritten together match each other
    return {"round": letter.round_id, "enterprise": letter.enterprise_id, "lines": letter.lines,
            "issued_on": str(letter.issued_on), "doc_number": letter.doc_number, "content_hash": letter.content_hash,
            "content": fields_digest(letter.content)}


def _letter_label(letter: RefusalLetter) -> str:
    content = letter.content if isinstance(letter.content, dict) else {}
    name = (content.get("recipient") or {}).get("name") or ""
    return _("the letter of refusal to {name} ({number})").format(name=name, number=letter.doc_number or "—")


def _objection_fields(o: Objection) -> dict[str, Any]:
    return {"publicity": o.publicity_id, "award": o.award_id, "raised_by": o.raised_by, "raised_on": str(o.raised_on),
            "text": o.text, "outcome": o.outcome, "reason": o.reason, "closed_by": o.closed_by}


def achievement_fields(values: Any) -> dict[str, Any]:
    """An achievement's audited fields from a row's or a load's values (a mapping); not its enterprise
    (merging duplicate enterprises moves achievements) nor the stored duplicate key (derived)."""
    out = {k: values.get(k) for k in ACHIEVEMENT_FIELDS}
    out["date"] = None if out["date"] is None else str(out["date"])
    out["accepted"] = None if out["accepted"] is None else bool(out["accepted"])
    out["units"] = list(out["units"]) if out["units"] else None
    return out


def _known_fields(k: KnownOffice) -> dict[str, Any]:
    return {"name": k.name, "region": k.region_code, "public_key": k.public_key}


@dataclass(frozen=True)
class Kind:
    """An audited kind of record: its rows by key, the key of a row, its audited fields, a label."""

    model: Any
    key: Callable[[Any], str]
    fields: Callable[[Any], dict[str, Any]]
    label: Callable[[Any], str]
    every_row_recorded: bool  # a row the log never saw was added outside the program

    def row(self, key: str) -> Any:
        field = self.model.username if self.model is User else self.model.uuid
        return self.model.get_or_none(field == key)


KINDS: dict[str, Kind] = {
    "award_round": Kind(AwardRound, lambda r: r.uuid, _round_fields,
                        lambda r: _("the award round for {year}").format(year=r.year), False),
    "notice": Kind(Notice, lambda n: n.uuid, _notice_fields,
                   lambda n: _("notice {number}").format(number=n.doc_number), True),
    "user": Kind(User, lambda u: u.username, _user_fields,
                 lambda u: _("the account {name}").format(name=u.username), True),
    "achievement": Kind(Achievement, lambda a: a.uuid, lambda a: achievement_fields(a.__data__),
                        lambda a: _("achievement {id}").format(id=a.source_id), False),
    "payment": Kind(Payment, lambda p: p.uuid, _payment_fields,
                    lambda p: _("the payment {ref}").format(ref=p.reference), True),
    "office": Kind(Office, lambda o: o.uuid, _office_fields, lambda o: _("the office profile"), True),
    "known_office": Kind(KnownOffice, lambda k: k.uuid, _known_fields,
                         lambda k: _("the registered office {name}").format(name=k.name), False),
    "publicity": Kind(Publicity, lambda p: p.uuid, _publicity_fields,
                      lambda p: _("the publicity of {start}").format(start=p.starts_on), True),
    "objection": Kind(Objection, lambda o: o.uuid, _objection_fields,
                      lambda o: _("the objection raised by {who} on {day}").format(who=o.raised_by, day=o.raised_on),
                      True),
    # not every row: letters printed before letters were audited row by row have no digest in the log
    "refusal_letter": Kind(RefusalLetter, lambda r: r.uuid, _letter_fields, _letter_label, False),
}


KIND_NAMES = {"award_round": N_("an award round"), "notice": N_("a notice"), "user": N_("an account"),
              "payment": N_("a payment"), "office": N_("the office profile"),
              "known_office": N_("a registered office"), "achievement": N_("an achievement"),
              "publicity": N_("a publicity period"), "objection": N_("an objection"),
              "refusal_letter": N_("a letter of refusal")}


def _state_for(entity: str, key: str | None, action: str) -> dict[str, str | None] | None:
    """``{"entity:key": digest}`` of what a change leaves behind (None when nothing is audited)."""
    if key is None or action.startswith("import"):  # imported rows are vouched for by their package
        return None
    if entity == "award":  # an award line is part of its round's digest
        aw = Award.select(Award.round).where(Award.uuid == key).first()
        if aw is None:
            return None
        entity, key = "award_round", AwardRound.get_by_id(aw.round_id).uuid
    kind = KINDS.get(entity)
    if kind is None:
        return None
    if entity == "achievement" and action == "delete":  # recorded just before the row goes
        return {f"{entity}:{key}": None}
    row = kind.row(key)
    return {f"{entity}:{key}": None if row is None else fields_digest(kind.fields(row))}


# ------------------------------------------------------------------ writing

def record(user: str, action: str, entity: str, entity_uuid: str | None,
           before: Any = None, after: Any = None) -> AuditEntry:
    """Append one entry (call inside the transaction that makes the change, after making it)."""
    with chain_lock():  # PostgreSQL: one appender at a time, so the chain never forks
        last = AuditEntry.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).first()
        prev = last.hash if last else GENESIS
        at = now()
        before = json.loads(json.dumps(before, default=str)) if before is not None else None
        after = json.loads(json.dumps(after, default=str)) if after is not None else None
        state = _state_for(entity, entity_uuid, action)
        return _append(at, user, action, entity, entity_uuid, before, after, state, prev)


def _append(at: dt.datetime, user: str, action: str, entity: str, entity_uuid: str | None, before: Any,
            after: Any, state: Any, prev: str) -> AuditEntry:
    h = _digest(prev, at, user, action, entity, entity_uuid, before, after, state)
    entry = AuditEntry.create(at=at, user=user, action=action, entity=entity, entity_uuid=entity_uuid,
                              before=before, after=after, prev_hash=prev, hash=h, state=state)
    _anchor_after_commit(user)
    return entry


def record_batch(user: str, action: str, entity: str, after: Any, state: dict[str, str | None] | None) -> AuditEntry:
    """Append one entry for many records changed together (a bulk load): ``after`` says what (counts,
    a digest over the records), ``state`` holds each record's key and digest for ``verify_rows``."""
    with chain_lock():
        last = AuditEntry.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).first()
        return _append(now(), user, action, entity, None, None, after, state, last.hash if last else GENESIS)


def baseline(user: str) -> AuditEntry:
    """One entry recording every audited record as it stands (when the trail starts: migration).
    Not the achievements: a county's hundreds of thousands would make one huge entry; they are
    recorded as they are loaded, added or changed from then on."""
    state: dict[str, str | None] = {}
    for entity, kind in KINDS.items():
        if entity == "achievement" or not kind.model.table_exists():  # a kind a later schema step adds
            continue
        meta = kind.model._meta
        have = {c.name for c in meta.database.get_columns(meta.table_name)}  # a column a later step adds: not yet
        for row in kind.model.select(*[f for f in meta.sorted_fields if f.column_name in have]):
            state[f"{entity}:{kind.key(row)}"] = fields_digest(kind.fields(row))
    with chain_lock():
        last = AuditEntry.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).first()
        return _append(now(), user, "baseline", "audit", None, None, {"records": len(state)}, state,
                       last.hash if last else GENESIS)


# ------------------------------------------------------------------ the signed head beside the database

def head_path(db_file: Path) -> Path:
    return Path(db_file).with_name(Path(db_file).name + HEAD_SUFFIX)


def _head_message(count: int, last_id: int, last_hash: str) -> bytes:
    return f"{HEAD_FORMAT}/1|{count}|{last_id}|{last_hash}".encode()


@functools.lru_cache(maxsize=4)
def _private_key(pem: str) -> Any:
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(pem.encode(), password=None)


def _office_keys() -> tuple[str | None, str | None]:
    office = Office.select(Office.signing_key, Office.public_key).order_by(Office.id).first()
    return (None, None) if office is None else (office.signing_key, office.public_key)


def current_head() -> dict[str, Any]:
    """The chain's head as it stands, signed with the office key when the office has one (for the
    file beside the database, export packages and the archive copy)."""
    count = AuditEntry.select().count()
    last = AuditEntry.select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).first()
    last_id, last_hash = (last.id, last.hash) if last else (0, GENESIS)
    signing, public = _office_keys()
    sig = fp = None
    if signing and public:
        sig = base64.b64encode(_private_key(signing).sign(_head_message(count, last_id, last_hash))).decode()
        fp = key_fingerprint(public)
    return {"format": HEAD_FORMAT, "count": count, "last_id": last_id, "hash": last_hash,
            "fingerprint": fp, "signature": sig}


def key_fingerprint(public_key_pem: str) -> str:
    """The office key's fingerprint, as ``stdaward offices`` shows it (20 hex digits in groups)."""
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_public_key(public_key_pem.encode())
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()[:20].upper()
    return " ".join(digest[i:i + 4] for i in range(0, 20, 4))


def write_head(db_file: Path | None = None) -> Path | None:
    """Sign the head and write it beside the database (temporary file, fsync, rename)."""
    if db_file is None:
        from desktop.store import db as dbmod

        db_file = dbmod._path
        if db_file is None:
            return None
    with _head_lock, chain_lock():  # whoever writes last read last, so the file ends at the newest head
        if is_postgres():  # officers on several PCs append: the head lives with the log on the server
            from desktop.store import pg

            pg.store_head(current_head())
            return None
        return _write_json(head_path(db_file), current_head())


_head_lock = threading.Lock()


def _write_head_after_commit() -> None:
    """The change is committed whatever happens here: a head that cannot be written (disk full,
    permissions) is logged, and ``verify_all`` then reports the entries it does not cover."""
    try:
        write_head()
    except (OSError, ValueError):
        logging.getLogger(__name__).exception("could not write the audit log's signed head")


def anchor_file(db_file: Path) -> Path:
    """Sign and write the head of a database that is not open here (after a restore replaced it:
    the head beside it described the database that was replaced)."""
    import sqlite3

    con = sqlite3.connect(db_file)
    try:
        count = con.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
        last = con.execute("SELECT id, hash FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()
        keys = con.execute("SELECT signing_key, public_key FROM office ORDER BY id LIMIT 1").fetchone()
    finally:
        con.close()
    last_id, last_hash = last if last else (0, GENESIS)
    sig = fp = None
    if keys and keys[0] and keys[1]:
        sig = base64.b64encode(_private_key(keys[0]).sign(_head_message(count, last_id, last_hash))).decode()
        fp = key_fingerprint(keys[1])
    return _write_json(head_path(db_file), {"format": HEAD_FORMAT, "count": count, "last_id": last_id,
                                            "hash": last_hash, "fingerprint": fp, "signature": sig})


def _write_json(target: Path, value: dict[str, Any]) -> Path:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.part")
    with open(tmp, "wb") as fh:
        fh.write(json.dumps(value, indent=1).encode())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return target


def _anchor_after_commit(user: str) -> None:
    """Once per transaction: sign the head after the commit, and (PostgreSQL) tell the other PCs
    listening that a change is on its way (delivered at the commit, dropped at a rollback)."""
    pending = getattr(getattr(database, "_state", None), "commit_callbacks", None)
    if pending is not None and _write_head_after_commit in pending:
        return
    notify_change(user)
    database.after_commit(_write_head_after_commit)


# ------------------------------------------------------------------ triggers

TRIGGERS = {
    "audit_entry_no_update": """CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    "audit_entry_no_delete": """CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
}
TRIGGERS_SQL = list(TRIGGERS.values())
recreated_on_open: list[str] = []  # triggers found missing (and put back) when the database was opened


def ensure_triggers() -> list[str]:
    """Put back any append-only trigger that is missing; returns the names put back."""
    if is_postgres():
        from desktop.store import pg

        recreated_on_open[:] = pg.ensure_triggers()
        return list(recreated_on_open)
    have = {r[0] for r in database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()}
    missing = [name for name in TRIGGERS if name not in have]
    for name in missing:
        database.execute_sql(TRIGGERS[name])
    recreated_on_open[:] = missing
    return missing


# ------------------------------------------------------------------ verifying

# The last entry a check found in order, per database: in this process, and in a signed mark kept
# with the database (``<db>.audit-verified`` beside a SQLite file; the ``audit.verified`` setting on
# a server) so the next start reads only what was added since. The mark is signed with the office's
# key (as the head is) and holds the entry's id and hash and a *guard*: what an entry edited in
# place would change.
#
# Why a mark at entry N lets a check read only the entries after N, soundly: the entries after N
# link to N's hash, so a rewritten tail (hashes recomputed) no longer ends at the hash the mark
# holds, or breaks a link the check reads; what the chain from N cannot see is an entry at or before
# N whose *content* was edited in place (its stored hash left as it was). That needs the log's
# append-only protection lifted, and the guard is what lifting it leaves behind:
#
# * SQLite: dropping or putting back a trigger moves the schema cookie (``PRAGMA schema_version``,
#   one step per statement that changes the schema, never back), so the guard is the cookie: a mark
#   whose cookie is not the database's is not taken and the whole log is read. The program's own
#   schema changes (an import dropping and rebuilding a table's indexes for a bulk insert) would
#   move it too and cost the next start a full read of a million entries: ``own_schema_change``
#   carries the mark over them. It runs inside the transaction that changes the schema, before the
#   change, and only when the mark holds at that moment (its cookie is the database's, the triggers
#   are there); the transaction holds the database's write lock from its first change to its
#   commit, so nobody else can change the schema in between, and the cookie the commit leaves is
#   the mark's plus exactly the statements announced. The carried mark therefore says what the old
#   one said; a trigger dropped before the import moved the cookie away from the mark's already (no
#   carry), one dropped after moves it past the carried one (the mark is not taken).
# * PostgreSQL: the triggers can be lifted without a schema change (``session_replication_role``,
#   ``ALTER TABLE ... DISABLE TRIGGER``), but every UPDATE writes a new row version stamped with its
#   transaction id (``xmin``). The guard is the oldest transaction still running when the check
#   began: every entry it read was written before that or by a transaction that had finished, so a
#   row at or before N stamped with that transaction or a later one (``age(xmin)`` no greater) was
#   written after the check read it, and the mark is not taken. A dump and restore restamps every
#   row: the whole log is read again.
#
# What the guard cannot see (the file's bytes edited directly, the cookie set back by hand) the full
# check sees: it reads every entry, and is what the audit view and ``stdaward audit-verify`` run.
_verified: dict[str, tuple[int, str, str]] = {}  # database -> (last id, its hash, the guard then)
VERIFIED_SUFFIX = ".audit-verified"
VERIFIED_FORMAT = "stdaward-audit-verified"
VERIFIED_SETTING = "audit.verified"  # the mark on a server: in the settings table, with the log


@dataclass(frozen=True)
class ChainCheck:
    """What a check of the chain did: the first broken entry (None: intact), how many entries it read,
    whether it read the whole log, and when the whole log was last read and found in order (None:
    never, or this check found it broken)."""

    broken_at: int | None
    read: int
    full: bool
    full_at: dt.datetime | None
    entries: int


def forget_verified() -> None:
    """The database was closed: the next open trusts only a signed mark kept with it."""
    _verified.clear()
    _full_at.clear()
    _carry.pending = None


def verified_path(db_file: Path) -> Path:
    return Path(db_file).with_name(Path(db_file).name + VERIFIED_SUFFIX)


def _schema_cookie() -> int:
    return int(database.execute_sql("PRAGMA schema_version").fetchone()[0])


def _guard_now() -> str:
    """The guard a check beginning now keeps in its mark (see above): SQLite's schema cookie; on
    PostgreSQL the oldest transaction still running (``xid:N``, its 32-bit id)."""
    if is_postgres():
        xmin = database.execute_sql("SELECT txid_snapshot_xmin(txid_current_snapshot())").fetchone()[0]
        return f"xid:{int(xmin) % (1 << 32)}"
    return str(_schema_cookie())


def _guard_holds(last_id: int, guard: str) -> bool:
    """Is nothing at or before entry ``last_id`` written since the check that kept ``guard``?"""
    if not is_postgres():
        return guard == str(_schema_cookie())
    if not guard.startswith("xid:") or not guard[4:].isdigit():
        return False
    row = database.execute_sql("SELECT EXISTS (SELECT 1 FROM audit_entry WHERE id <= ? AND "
                               "age(xmin) <= age(CAST(CAST(? AS text) AS xid)))", (last_id, guard[4:])).fetchone()
    return not row[0]


def office_signature(message: bytes) -> tuple[str | None, str | None]:
    """(signature, key fingerprint) of ``message`` with the office key; (None, None) without a key."""
    signing, public = _office_keys()
    if not (signing and public):
        return None, None
    return base64.b64encode(_private_key(signing).sign(message)).decode(), key_fingerprint(public)


def signed_by_office(message: bytes, signature: Any) -> bool:
    """Is ``signature`` the office key's over ``message``? True for any when the office has no key
    (nothing to sign with, as for the head)."""
    _signing, public = _office_keys()
    if not public:
        return True
    return isinstance(signature, str) and bool(signature) and _verify_signature(public, message, signature)


def _mark_message(last_id: int, last_hash: str, guard: str, full_at: str) -> bytes:
    return f"{VERIFIED_FORMAT}/1|{last_id}|{last_hash}|{guard}|{full_at}".encode()


def _write_mark(db_file: Path, last_id: int, last_hash: str, full_at: dt.datetime, guard: str) -> None:
    """Sign and keep the mark (a mark that cannot be written is only logged: the next start then
    reads the whole log)."""
    stamp = full_at.isoformat(timespec="seconds")
    sig, fp = office_signature(_mark_message(last_id, last_hash, guard, stamp))
    value = {"format": VERIFIED_FORMAT, "last_id": last_id, "hash": last_hash,
             "schema": int(guard) if guard.isdigit() else guard, "full_at": stamp, "fingerprint": fp,
             "signature": sig}
    if is_postgres():
        from desktop.store.models import Setting

        with database.atomic():
            Setting.insert(key=VERIFIED_SETTING, value=value).on_conflict_replace().execute()
        return
    try:
        _write_json(verified_path(db_file), value)
    except OSError:
        logging.getLogger(__name__).exception("could not keep the audit check's mark")


def _read_mark(db_file: Path) -> Any:
    if is_postgres():
        row = database.execute_sql("SELECT value FROM setting WHERE key = ?", (VERIFIED_SETTING,)).fetchone()
        if row is None:
            return None
        return json.loads(row[0]) if isinstance(row[0], str) else row[0]
    return json.loads(verified_path(db_file).read_text("utf-8"))


def _stored_mark(db_file: Path) -> tuple[int, str, dt.datetime, str] | None:
    """The mark kept with the database if it holds: signed by this office's key (when it has one),
    its guard holding, its entry still holding its hash; else None (read the whole log)."""
    try:
        m = _read_mark(db_file)
        if not isinstance(m, dict):
            return None
        last_id, last_hash, guard = int(m["last_id"]), str(m["hash"]), str(m["schema"])
        full_at = dt.datetime.fromisoformat(str(m["full_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if m.get("format") != VERIFIED_FORMAT:
        return None
    if not signed_by_office(_mark_message(last_id, last_hash, guard, str(m["full_at"])), m.get("signature")):
        return None
    row = database.execute_sql("SELECT hash FROM audit_entry WHERE id = ?", (last_id,)).fetchone()
    if row is None or row[0] != last_hash or not _guard_holds(last_id, guard):
        return None
    return last_id, last_hash, full_at, guard


_full_at: dict[str, dt.datetime] = {}  # per database: when this process (or the mark) last read the whole log


def _verified_mark(db_file: Path | None) -> tuple[int, str] | None:
    """The last entry found in order (id and hash), by this process or by the signed mark kept with
    the database, if that entry still holds that hash and the guard holds; else None (check from the
    start)."""
    if db_file is None:
        return None
    mark = _verified.get(str(db_file))
    if mark is not None:
        row = database.execute_sql("SELECT hash FROM audit_entry WHERE id = ?", (mark[0],)).fetchone()
        if row is not None and row[0] == mark[1] and _guard_holds(mark[0], mark[2]):
            return mark[0], mark[1]
    stored = _stored_mark(db_file)
    if stored is None:
        return None
    _full_at[str(db_file)] = stored[2]
    return stored[0], stored[1]


def _protection_removed() -> bool:
    """Were the log's append-only triggers missing at open, or are they now? An entry can only be
    edited in place with them removed, so the entries before the mark are read again then."""
    if recreated_on_open:
        return True
    if is_postgres():
        from desktop.store import pg

        have = {r[0] for r in database.execute_sql(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = CAST('audit_entry' AS regclass) AND NOT tgisinternal "
            "AND tgenabled != 'D'").fetchall()}
        return any(name not in have for name in pg.TRIGGERS)
    have = {r[0] for r in database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()}
    return any(name not in have for name in TRIGGERS)


class _Carry(threading.local):
    """A mark being carried over the program's own schema changes in this thread's transaction:
    (the transaction, the database, the mark: id, hash, full-check time, the cookie the changes
    will leave)."""

    pending: tuple[Any, str, tuple[int, str, dt.datetime | None], int] | None = None


_carry = _Carry()


def drop_indexes_for_bulk(table: str, inserts: int, at: int) -> list[str]:
    """For a bulk insert of ``inserts`` rows (at least ``at``) into a SQLite ``table`` holding fewer
    rows than that (a county's first package at the city), drop the table's indexes inside the
    transaction, the audit check's mark carried over (``own_schema_change``), and return their exact
    definitions to build again after the insert: one sorted build is much faster than growing each
    index row by row. Unique indexes are rebuilt too and still refuse duplicates (the transaction
    then rolls back). Nothing on PostgreSQL (the trick reads SQLite's own catalogue)."""
    if inserts < at or is_postgres():
        return []
    # counted no further than the insert itself: a city's million rows are never counted to learn
    # that twenty thousand are fewer
    existing = database.execute_sql(f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} LIMIT ?)", [inserts]).fetchone()[0]
    if inserts <= existing:
        return []
    rows = database.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                                "AND sql IS NOT NULL", [table]).fetchall()
    own_schema_change(2 * len(rows))  # each dropped and built again
    for name, _sql in rows:
        database.execute_sql(f'DROP INDEX "{name}"')
    return [sql for _name, sql in rows]


def own_schema_change(statements: int) -> None:
    """The program is about to change the schema of a SQLite database by ``statements`` statements
    (an import's indexes dropped and built again), inside the transaction it is in: keep the audit
    check's mark valid across them (see the comment above ``_verified``), so the next check reads
    only the entries added since rather than the whole log. Call it before the changes, inside the
    transaction; nothing is carried when the mark does not hold at that moment, or for PostgreSQL
    (its guard does not move with the schema)."""
    if is_postgres() or statements <= 0 or database.transaction_depth() == 0:
        return
    from desktop.store import db as dbmod

    db_file = dbmod._path
    if db_file is None:
        return
    key, txn, cookie = str(db_file), database.top_transaction(), _schema_cookie()
    pending = _carry.pending
    if pending is not None and pending[0] is txn and pending[1] == key and pending[3] == cookie:
        _carry.pending = (txn, key, pending[2], cookie + statements)  # more changes in the same transaction
        return
    _carry.pending = None
    if _protection_removed():
        return
    mark: tuple[int, str, dt.datetime | None] | None = None
    stored = _stored_mark(Path(db_file))  # the mark kept with the database, holding now
    if stored is not None:
        mark = (stored[0], stored[1], stored[2])
    else:
        mine = _verified.get(key)
        if mine is not None and mine[2] == str(cookie):
            row = database.execute_sql("SELECT hash FROM audit_entry WHERE id = ?", (mine[0],)).fetchone()
            if row is not None and row[0] == mine[1]:
                mark = (mine[0], mine[1], _full_at.get(key))
    if mark is None:
        return
    _carry.pending = (txn, key, mark, cookie + statements)
    database.after_commit(_carry_after_commit)


def forget_schema_change() -> None:
    """The schema change announced by ``own_schema_change`` did not happen (it failed and its
    savepoint rolled back): the mark is not carried, so the commit that follows leaves it as it was."""
    _carry.pending = None


def _carry_after_commit() -> None:
    pending, _carry.pending = _carry.pending, None
    if pending is None:
        return
    _txn, key, (last_id, last_hash, full_at), cookie = pending
    mine = _verified.get(key)
    if mine is None or mine[:2] == (last_id, last_hash):
        _verified[key] = (last_id, last_hash, str(cookie))
    if full_at is not None:
        _write_mark(Path(key), last_id, last_hash, full_at, str(cookie))


def _entries_after(last_id: int, chunk: int = 2000) -> Iterator[tuple[Any, ...]]:
    """(id, at, user, action, entity, entity_uuid, before, after, prev_hash, hash, state, whole) of the
    entries after ``last_id`` in order, a chunk at a time, as the database holds them (the first
    check of a start reads the whole log: building a model object per entry took two thirds of it;
    ``_digest_read_back`` reads one as the model's fields do)."""
    # whether each JSON column holds one JSON value (NULL counts as one), which the shortcut needs (see
    # ``_digest_as_stored``): SQLite tests it in C; a server before version 16 has no test, so there
    # every entry is read back
    whole = "0" if is_postgres() else ("(before IS NULL OR json_valid(before)) AND (after IS NULL OR json_valid(after)) "
                                       "AND (state IS NULL OR json_valid(state))")
    sql = ('SELECT id, at, "user", action, entity, entity_uuid, before, after, prev_hash, hash, '
           f"state, {whole} FROM audit_entry WHERE id > ? ORDER BY id")
    cur = database.execute_sql(sql, (last_id,))
    while True:
        try:
            rows = cur.fetchmany(chunk)  # not all at once: a log of a million entries is read, not held
        except sqlite3.OperationalError as exc:
            if "decode" not in str(exc):
                raise
            # text that is no UTF-8 (written into the file by hand): the entries up to it one at a time,
            # then that entry with nothing readable, which the check reports where it is
            while True:
                try:
                    row = database.execute_sql(sql + " LIMIT 1", (last_id,)).fetchone()
                except sqlite3.OperationalError:
                    stuck = database.execute_sql("SELECT min(id) FROM audit_entry WHERE id > ?", (last_id,)).fetchone()
                    yield (stuck[0], None, None, None, None, None, None, None, None, None, None, 0)
                    return
                if row is None:
                    return
                yield row
                last_id = row[0]
        if not rows:
            return
        yield from rows
        last_id = rows[-1][0]


def _digest_read_back(prev: str, at: Any, user: str, action: str, entity: str, entity_uuid: str | None,
                      before: Any, after: Any, state: Any) -> str | None:
    """``_digest`` of an entry as the database holds it, its time and JSON columns read back as the
    model's fields read them; None when they cannot be (JSON no program wrote, a time that is no
    time: an entry edited by hand, which the check reports where it is instead of stopping)."""
    json_value = AuditEntry.before.python_value
    try:
        return _digest(prev, AuditEntry.at.python_value(at), user, action, entity, entity_uuid, json_value(before),
                       json_value(after), json_value(state))
    except (ValueError, TypeError, AttributeError, RecursionError):  # RecursionError: JSON nested past Python's reach
        return None


def verify_chain(incremental: bool = False, db_file: Path | None = None) -> int | None:
    """The id of the first entry whose hash does not follow, or None when the chain is intact
    (``check_chain`` says also what was read)."""
    return check_chain(incremental, db_file).broken_at


def check_chain(incremental: bool = False, db_file: Path | None = None) -> ChainCheck:
    """Check the hash chain; the first broken entry and what was read.

    ``incremental`` (the overview's check on every refresh): start after the last entry a previous
    check found in order, kept in this process and in the signed mark kept with the database (taken
    only while its entry holds the same hash and its guard holds: see the comment above
    ``_verified``), so a refresh or a new start reads the entries added since, not the whole log.
    An entry edited in place needs the append-only triggers removed: while they are missing (or
    were found missing at open) the whole log is read. The full check (the audit view, ``stdaward
    audit-verify``) always reads every entry and renews the mark; the signed head catches a log
    rewritten with its hashes recomputed."""
    if db_file is None:
        from desktop.store import db as dbmod

        db_file = dbmod._path
    key = str(db_file)
    if incremental and _protection_removed():
        incremental = False  # the log could be edited in place: read all of it, and forget the mark
        _verified.pop(key, None)
    guard = _guard_now()  # before reading: whatever is written after this, the guard sees
    mark = _verified_mark(db_file) if incremental else None
    last_id, prev = mark if mark is not None else (0, GENESIS)
    full = mark is None
    read = 0
    for e_id, at, user, action, entity, entity_uuid, before, after, prev_hash, e_hash, state, whole in \
            _entries_after(last_id):
        read += 1
        if whole and prev_hash == prev and e_hash == _digest_as_stored(prev, at, user, action, entity, entity_uuid,
                                                                       before, after, state):
            last_id, prev = e_id, e_hash
            continue
        if prev_hash != prev or e_hash != _digest_read_back(prev, at, user, action, entity, entity_uuid, before, after,
                                                            state):
            if full:
                _full_at.pop(key, None)
            return ChainCheck(e_id, read, full, None, _entry_count())
        last_id, prev = e_id, e_hash
    if full:
        _full_at[key] = now()
    full_at = _full_at.get(key)
    if db_file is not None and last_id:
        _verified[key] = (last_id, prev, guard)
        if full_at is not None and (read or mark is None or not _mark_kept(Path(db_file))):
            _write_mark(Path(db_file), last_id, prev, full_at, guard)
    return ChainCheck(None, read, full, full_at, _entry_count())


def _mark_kept(db_file: Path) -> bool:
    if is_postgres():
        return database.execute_sql("SELECT 1 FROM setting WHERE key = ?", (VERIFIED_SETTING,)).fetchone() is not None
    return verified_path(db_file).exists()


def _entry_count() -> int:
    return int(database.execute_sql("SELECT count(*) FROM audit_entry").fetchone()[0])


@dataclass(frozen=True)
class Finding:
    """One thing the audit check found wrong: the entry it concerns (if any) and a plain sentence."""

    entry: int | None
    message: str

    def __str__(self) -> str:
        return self.message


def _verify_signature(public_pem: str, message: bytes, sig_b64: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(public_pem.encode())
        if not isinstance(key, Ed25519PublicKey):
            return False
        key.verify(base64.b64decode(sig_b64, validate=True), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def verify_head(db_file: Path) -> list[Finding]:
    """Does the signed head beside the database match the log in it?"""
    count = AuditEntry.select().count()
    path = head_path(db_file)
    stored: str | None = None
    if is_postgres():
        from desktop.store import pg

        stored = pg.stored_head()
    if stored is None if is_postgres() else not path.exists():
        if count == 0:
            return []
        return [Finding(None, _("the signed head of the audit log ({file}) is missing: entries may have been "
                                "removed or rewritten").format(file=path.name))]
    try:
        h = json.loads(stored if stored is not None else path.read_text("utf-8"))
        h_count, h_id, h_hash = int(h["count"]), int(h["last_id"]), str(h["hash"])
    except (OSError, ValueError, KeyError, TypeError):
        return [Finding(None, _("the signed head of the audit log ({file}) cannot be read").format(file=path.name))]
    _signing, public = _office_keys()
    message = _head_message(h_count, h_id, h_hash)
    if h.get("fingerprint") and (not public or key_fingerprint(public) != h["fingerprint"]):
        return [Finding(None, _("the audit log's head was signed with the office key {fp}, which this database no "
                                "longer holds: the key was removed or replaced outside the program").format(
                                    fp=h["fingerprint"]))]
    if public and not (h.get("signature") and _verify_signature(public, message, h["signature"])):
        return [Finding(None, _("the head of the audit log is not signed by this office's key: it was "
                                    "written outside the program"))]
    if count < h_count:
        return [Finding(None, _("{n} entries were removed from the end of the audit log (the signed head "
                                "counts {head}, the log holds {have})").format(n=h_count - count, head=h_count,
                                                                               have=count))]
    row = AuditEntry.get_or_none(AuditEntry.id == h_id) if h_id else None
    if h_id and (row is None or row.hash != h_hash):
        return [Finding(h_id, _("audit entry {id} is not the one the signed head records: the log was "
                                "rewritten and its hashes recomputed").format(id=h_id))]
    if count > h_count:
        first = (AuditEntry.select(AuditEntry.id).where(AuditEntry.id > h_id).order_by(AuditEntry.id).first())
        return [Finding(first.id if first else None,
                        _("{n} audit entries after entry {id} are not covered by the signed head (added "
                          "outside the program, or the program stopped before signing them)").format(
                            n=count - h_count, id=h_id))]
    return []


def row_matches_log(entity: str, row: Any) -> bool:
    """Does ``row`` still match the digest the log last recorded for it? True when the log never
    recorded one (a row from before its kind was audited)."""
    kind = KINDS[entity]
    key = f"{entity}:{kind.key(row)}"
    last = (AuditEntry.select(AuditEntry.state)
            .where(AuditEntry.entity == entity, AuditEntry.entity_uuid == kind.key(row), AuditEntry.state.is_null(False))
            .order_by(AuditEntry.id.desc()).first())  # type: ignore[attr-defined]  # peewee's implicit id
    if last is None or key not in (last.state or {}):
        return True
    return bool(last.state[key] == fields_digest(kind.fields(row)))


def _row_digest(kind: Any, row: Any) -> str | None:
    """``fields_digest`` of the row's audited fields; None when a value is not of the type the program
    writes (a JSON number where it writes a list: the row was edited outside it, so it cannot match)."""
    try:
        return fields_digest(kind.fields(row))
    except (TypeError, ValueError, AttributeError):
        return None


def verify_rows() -> list[Finding]:
    """Do the rounds, notices, users, payments and offices agree with what the log last recorded?"""
    recorded: dict[str, tuple[str | None, int]] = {}
    for e in AuditEntry.select(AuditEntry.id, AuditEntry.state).where(AuditEntry.state.is_null(False)) \
            .order_by(AuditEntry.id):
        for key, digest in (e.state or {}).items():
            recorded[key] = (digest, e.id)
    findings = []
    seen: set[str] = set()
    for entity, kind in KINDS.items():
        for row in kind.model.select().iterator():  # not cached: 200,000 records are read, not held
            key = f"{entity}:{kind.key(row)}"
            seen.add(key)
            got = recorded.get(key)
            if got is None:
                if kind.every_row_recorded and recorded:
                    findings.append(Finding(None, _("{what} is not in the audit log: it was added outside the "
                                                    "program").format(what=kind.label(row))))
                continue
            digest = _row_digest(kind, row)
            if digest is None or got[0] != digest:
                findings.append(Finding(got[1], _("{what} was changed outside the program: it no longer matches "
                                                  "audit entry {id}").format(what=kind.label(row), id=got[1])))
    for key, (digest, entry) in recorded.items():
        if digest is not None and key not in seen:
            what = _(KIND_NAMES.get(key.split(":", 1)[0], N_("a record")))
            findings.append(Finding(entry, _("{what} that audit entry {id} records was deleted outside the "
                                             "program").format(what=what, id=entry)))
    return findings


HEAD_TEXT = "AH1"


def head_text(head: dict[str, Any] | None = None) -> str:
    """The head in a line short enough to print on an archive copy or read over the telephone:
    ``AH1:<entries>:<last id>:<first 16 hex of the last hash>``. Kept outside the office (in an
    export package, on paper), it anchors the log even against someone holding the office key."""
    h = head or current_head()
    return f"{HEAD_TEXT}:{h['count']}:{h['last_id']}:{h['hash'][:16].upper()}"


def parse_head_text(text: str) -> tuple[int, int, str] | None:
    parts = text.strip().split(":")
    if len(parts) != 4 or parts[0].upper() != HEAD_TEXT:
        return None
    try:
        count, last_id = int(parts[1]), int(parts[2])
    except ValueError:
        return None
    digest = parts[3].lower()
    if count < 0 or last_id < 0 or not 8 <= len(digest) <= 64 or any(c not in "0123456789abcdef" for c in digest):
        return None
    return count, last_id, digest


def verify_against(text: str) -> list[Finding]:
    """Does the log still hold the head recorded in ``text`` (``head_text``, or a head file's JSON)
    and extend it? An earlier head kept elsewhere catches a log rewritten and re-signed with the key."""
    parsed = parse_head_text(text)
    if parsed is None:
        try:
            h = json.loads(text)
            parsed = (int(h["count"]), int(h["last_id"]), str(h["hash"]).lower())
        except (ValueError, KeyError, TypeError):
            return [Finding(None, _("{text!r} is not an audit head (AH1:entries:id:hash)").format(text=text[:60]))]
    count, last_id, digest = parsed
    have = AuditEntry.select().count()
    if have < count:
        return [Finding(None, _("the log holds {have} entries, fewer than the {n} of the head kept elsewhere: entries "
                                "were removed").format(have=have, n=count))]
    if last_id:
        row = AuditEntry.get_or_none(AuditEntry.id == last_id)
        if row is None or not row.hash.startswith(digest):
            return [Finding(last_id, _("audit entry {id} is not the one the head kept elsewhere records: the log was "
                                       "rewritten").format(id=last_id))]
        if AuditEntry.select().where(AuditEntry.id <= last_id).count() != count:
            return [Finding(last_id, _("the log up to entry {id} no longer holds the {n} entries the head kept elsewhere "
                                       "counts").format(id=last_id, n=count))]
    return []


def _holder_label(model: Any, row: Any) -> str:
    """What a finding calls a record holding a JSON value (read in ``as_stored``)."""
    for kind in KINDS.values():
        if kind.model is model:
            return kind.label(row)
    if model is Award:
        return _("the line of achievement {id} in the award round for {year}").format(
            id=row.achievement.source_id, year=row.round.year)
    if model is PackageLog:
        return _("the record of exchange package no. {n}").format(n=row.sequence)
    return _("a setting of the program ({key})").format(key=row.key) if model is Setting else _("a record")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, TypeError, RecursionError):
        return False
    return True


def verify_stored_values() -> list[Finding]:
    """Records holding a JSON value that is not JSON (the audit log's own entries: the chain check),
    which the program cannot have written: each named. On SQLite only such values are read
    (``json_valid``); on a server each is read and tried."""
    from desktop.store.backend import stream

    findings: list[Finding] = []
    for model in (Achievement, Award, Notice, Office, PackageLog, RefusalLetter, Setting):
        table, pk = model._meta.table_name, model._meta.primary_key
        for f in (f for f in model._meta.sorted_fields if isinstance(f, JSONField)):
            col = f.column_name
            where = f"{col} IS NOT NULL" + ("" if is_postgres() else f" AND NOT json_valid({col})")
            for rows in stream(f"SELECT {pk.column_name}, {col} FROM {table} WHERE {where}", (), 500):
                for key, text in rows:
                    row = None if _is_json(text) else model.get_or_none(pk == key)
                    if row is not None:
                        findings.append(Finding(None, _("{what} holds a value the program did not write: it was "
                                                        "changed outside the program").format(
                            what=_holder_label(model, row))))
    return findings


LINKS_NAMED = 20  # records named per kind of broken link; the rest counted


def verify_links() -> list[Finding]:
    """Records whose enterprise or achievement row is gone: deleted outside the program (a hand tool
    enforces no foreign key; the program never deletes an enterprise with records). The achievements
    and their enterprises carry no digest in the log, so only this finds their rows deleted."""
    findings: list[Finding] = []
    for sql, say in (
            ("SELECT a.source_id FROM achievement a LEFT JOIN enterprise e ON e.id = a.enterprise_id "
             "WHERE e.id IS NULL ORDER BY a.id",
             lambda row: _("achievement {id}: its enterprise is no longer in the database (deleted outside the "
                           "program)").format(id=row[0])),
            ("SELECT r.year FROM award w JOIN award_round r ON r.id = w.round_id LEFT JOIN achievement a "
             "ON a.id = w.achievement_id WHERE a.id IS NULL ORDER BY w.id",
             lambda row: _("a line of the award round for {year}: its achievement is no longer in the database "
                           "(deleted outside the program)").format(year=row[0]))):
        rows = database.execute_sql(sql).fetchall()
        findings += [Finding(None, say(row)) for row in rows[:LINKS_NAMED]]
        if len(rows) > LINKS_NAMED:
            findings.append(Finding(None, _("and {n} more records like the last one").format(n=len(rows) - LINKS_NAMED)))
    return findings


def verify_all(db_file: Path | None = None) -> list[Finding]:
    """Everything: the chain, the signed head beside the database, the records it covers, and the
    triggers found missing at open. Empty when all is well; the first finding names the first bad
    entry where there is one."""
    if db_file is None:
        from desktop.store.db import db_path

        db_file = db_path()
    findings: list[Finding] = []
    with as_stored():  # a JSON value that is no longer JSON is a record changed outside: found, not fatal
        broken = verify_chain()
        if broken is not None:
            findings.append(Finding(broken, _("audit entry {id} was altered or removed: the chain breaks there").format(
                id=broken)))
        findings += verify_head(Path(db_file))
        findings += verify_rows()
        findings += verify_stored_values()
        findings += verify_links()
    if recreated_on_open:
        findings.append(Finding(None, _("the audit log's write protection ({n} of its triggers) was removed outside "
                                        "the program; it has been put back").format(n=len(recreated_on_open))))
    return findings
