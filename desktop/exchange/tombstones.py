"""Deletions and merges travel with the package (tombstones), so the city's picture follows the county's.

**At the office that exports** (``collect``): the audit log already holds every deletion of an
achievement or an enterprise and every merge of two enterprise records, with the global id, when and
by whom; at a city also those it applied from its counties' packages, so a province that consolidates
cities receives them the same way. Each package carries *all* of them whose record is still gone here (a restored record is
back, so its deletion is not sent): a tombstone is one short row, so even years of them cost little,
and a city that missed a package, or imports an older office's packages late, still catches up. A
record merged into one that was merged again later names the record that stays in the end; one
merged into a record deleted since is sent as a deletion (no record stays). A package of one year
(or of the latest changes) also carries the records the merges keep (``export.select``).

**At the city that imports** (``plan`` and ``apply``, called by ``importer``): each tombstone is
checked against the city's copy, in the dry run as on import:

* the city has no copy (deleted before, or never received): **unchanged**; a replayed package
  deletes nothing twice;
* the copy is as the office last sent it: **deleted** (a merge moves what the city still holds of
  the merged record to the record that stays, then deletes it);
* the city changed its copy after the office sent it: a **conflict**, never silent; kept unless the
  officer takes the office's deletion (``TAKE_THEIRS``); keeping it (``KEEP_MINE``) is remembered;
* a tombstone that is malformed, names a record another office sent or that the package itself
  also sends, or would delete an achievement in an award round here or an enterprise whose
  achievements the city still holds: **rejected** with the reason, nothing deleted.

Every deletion is in the city's audit log (``import-delete`` / ``import-merge``), and the enterprise
codes the office no longer holds leave its claims (the cross-county check).

**Evidence removed** from an achievement travels the same way, as tombstone rows of the table
``evidence`` (the achievement's global id, the file's SHA-256 under ``key``, ``detach``, the file's
name under ``into``; no new package member, so no format change): the city removes that attachment
from its copy of the office's own record (``import-detach`` in its audit log). The file stays in the
city's evidence folder, kept by its hash: other records may hold the same file.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from desktop.core.batches import batches
from desktop.core.i18n import _
from desktop.exchange.tables import ACHIEVEMENTS, ENTERPRISES, TOMBSTONE_COLUMNS, Table, digest
from desktop.store import audit
from desktop.store.backend import json_values
from desktop.store.models import Achievement, AuditEntry, Enterprise, Notice, Setting, database, now

if TYPE_CHECKING:
    from desktop.exchange.importer import ImportPlan

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
EVIDENCE = "evidence"  # a tombstone row of this table: a file removed from an achievement (``_detached``)
_TABLES = {"achievements": ACHIEVEMENTS, "enterprises": ENTERPRISES}
_ENTITY = {"achievement": "achievements", "enterprise": "enterprises"}


# ------------------------------------------------------------------------------------- export

def collect() -> list[list[Any]]:
    """The package rows (``TOMBSTONE_COLUMNS``) of every deletion and merge in the audit log whose
    record is not here now, oldest first; a merge's ``into`` is the record that stays in the end."""
    q = (AuditEntry.select(AuditEntry.at, AuditEntry.user, AuditEntry.action, AuditEntry.entity,
                           AuditEntry.entity_uuid, AuditEntry.before, AuditEntry.after)
         .where((AuditEntry.action.in_(["delete", "import-delete"]) & AuditEntry.entity.in_(list(_ENTITY)))
                | (AuditEntry.action.in_(["merge", "import-merge"]) & (AuditEntry.entity == "enterprise")))
         .order_by(AuditEntry.id))
    found: dict[tuple[str, str], list[Any]] = {}
    for e in q:
        table = _ENTITY[e.entity]
        if e.entity_uuid is None:  # many deletions applied by one import, listed in one entry
            for rec in (e.after or {}).get("records", []) if isinstance(e.after, dict) else []:
                if isinstance(rec, dict) and isinstance(rec.get("uuid"), str):
                    found.pop((table, rec["uuid"]), None)
                    found[(table, rec["uuid"])] = [table, rec["uuid"], None, "delete", None, str(e.at), e.user]
            continue
        action = e.action.removeprefix("import-")  # a city passes on to the province what its counties did
        if e.action == "merge":
            drop = (e.before or {}).get("drop") or {}
            gone, into, key = drop.get("uuid"), e.entity_uuid, drop.get("uscc")
        elif e.action == "import-merge":
            gone, into, key = e.entity_uuid, (e.after or {}).get("into"), (e.before or {}).get("uscc")
        else:
            gone, into = e.entity_uuid, None
            key = (e.before or {}).get("uscc") if table == "enterprises" else None
        if not isinstance(gone, str):
            continue
        found.pop((table, gone), None)  # the latest word on a record counts (deleted, restored, deleted again)
        found[(table, gone)] = [table, gone, key, action, into, str(e.at), e.user]
    if not found:
        return _detached()
    here = {t: {u for (u,) in database.execute_sql(f"SELECT uuid FROM {_TABLES[t].db}").fetchall()}
            for t in _TABLES}
    merged = {row[1]: row[4] for row in found.values() if row[3] == "merge"}
    out = []
    for (table, gone), row in found.items():
        if gone in here[table]:
            continue  # restored (undo) since: not a deletion any more
        into, seen = row[4], {gone}
        while into in merged and into not in here["enterprises"] and into not in seen:
            seen.add(into)
            into = merged[into]
        if row[3] == "merge" and into not in here["enterprises"]:
            # the record it was merged into was deleted since, with all it held: no record stays, so
            # the merged one is simply gone (a city that never received the other one can still follow)
            out.append([*row[:3], "delete", None, *row[5:]])
            continue
        out.append([*row[:4], into, *row[5:]])
    return out + _detached()


def _detached() -> list[list[Any]]:
    """Evidence removals as tombstone rows: ``["evidence", achievement uuid, sha256, "detach",
    file name, at, by]``, one per file removed from an achievement that is still here and no longer
    holds that file (put back since: not sent; the achievement deleted: its own tombstone says it).
    At a city also those it applied from its counties' packages, for the province."""
    q = (AuditEntry.select(AuditEntry.at, AuditEntry.user, AuditEntry.entity_uuid, AuditEntry.before)
         .where(AuditEntry.action.in_(["detach", "import-detach"]) & (AuditEntry.entity == "evidence"))
         .order_by(AuditEntry.id))
    found: dict[tuple[str, str], list[Any]] = {}
    for e in q:
        before = e.before if isinstance(e.before, dict) else {}
        sha, name = before.get("sha256"), before.get("file")
        if isinstance(e.entity_uuid, str) and isinstance(sha, str) and _SHA256.match(sha) and isinstance(name, str):
            found.pop((e.entity_uuid, sha), None)
            found[(e.entity_uuid, sha)] = [EVIDENCE, e.entity_uuid, sha, "detach", name, str(e.at), e.user]
    if not found:
        return []
    here = {u for (u,) in database.execute_sql("SELECT uuid FROM achievement").fetchall()}
    held = set(database.execute_sql("SELECT a.uuid, v.sha256 FROM evidence v JOIN achievement a "
                                    "ON a.id = v.achievement_id").fetchall())
    return [row for key, row in found.items() if key[0] in here and key not in held]


# ------------------------------------------------------------------------------------- import

@dataclass
class _Tomb:
    table: Table
    uuid: str
    action: str  # delete | merge
    local_id: int
    before: dict[str, Any]  # the city's copy (package form), for the audit log
    into: str | None = None  # a merge: the local uuid of the enterprise that stays
    at: str = ""
    by: str = ""


def _kept_key(office_uuid: str) -> str:
    return f"exchange.tombstones_kept.{office_uuid}"


def _setting(key: str) -> Any:
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row is not None else None


def _problem(row: dict[str, Any]) -> str | None:
    if row["table"] not in _TABLES or row["action"] not in ("delete", "merge"):
        return _("the deletion names no kind of record this program deletes")
    if not isinstance(row["uuid"], str) or not _UUID.match(row["uuid"]):
        return _("the global id is not a UUID")
    if row["table"] == "enterprises" and not isinstance(row["key"], str):
        return _("the deletion does not name the enterprise's credit code")
    if row["action"] == "merge" and (row["table"] != "enterprises" or not isinstance(row["into"], str)
                                     or not _UUID.match(row["into"]) or row["into"] == row["uuid"]):
        return _("the merge does not name the record that stays")
    if not isinstance(row["at"], str) or not isinstance(row["by"], str):
        return _("the deletion lacks when or by whom")
    return None


def plan(plan: ImportPlan, mapping: dict[str, dict[str, str]]) -> None:
    """Classify the package's tombstones into ``plan`` (see the module docstring). ``mapping`` is
    the package uuid -> local uuid of the records the package itself sends."""
    from desktop.exchange.importer import Conflict, Item, _local_rows

    pkg = plan.package
    rows = [dict(zip(TOMBSTONE_COLUMNS, r)) for r in pkg.rows("tombstones")]
    drops = [r for r in rows if r["table"] == EVIDENCE]
    if drops:
        _plan_drops(plan, drops)
    rows = [r for r in rows if r["table"] != EVIDENCE]
    if not rows:
        return
    office = pkg.office_uuid
    kept = set(_setting(_kept_key(office)) or [])
    order = {("achievements", "delete"): 0, ("enterprises", "merge"): 1, ("enterprises", "delete"): 2}
    good, seen = [], set()
    for r in rows:
        why = _problem(r)
        table = r["table"] if r["table"] in _TABLES else "enterprises"
        if why is None and (r["table"], r["uuid"]) in seen:
            why = _("the package lists this deletion twice")
        if why is None and r["uuid"] in mapping.get(r["table"], {}):
            why = _("the package both sends this record and deletes it")
        if why is not None:
            plan.rejected.append(Item(table, str(r.get("uuid")), why))
            continue
        seen.add((r["table"], r["uuid"]))
        good.append(r)
    good.sort(key=lambda r: (order[(r["table"], r["action"])], r["at"]))
    gone_achievements = {r["uuid"] for r in good if r["table"] == "achievements"}
    # achievements the package sends, by the enterprise they belong to once imported
    sent_to: dict[str, str] = {}
    ach_ix = ACHIEVEMENTS.index("enterprise")
    for batch in pkg.batches("achievements", 50000):  # a large table is read from the file, not kept
        for r in batch:
            if isinstance(r[0], str):
                ent = r[ach_ix]
                sent_to[mapping.get("achievements", {}).get(r[0], r[0])] = mapping.get("enterprises", {}).get(ent, ent)
    origin_of = {t: t.index("origin") for t in _TABLES.values()}
    here = {name: {x[1]: x for x in _local_rows(t, "uuid", sorted({r["uuid"] for r in good if r["table"] == name}))}
            for name, t in _TABLES.items()}  # one lookup per table, not one per tombstone
    # the award lines of the achievements the package deletes, not every line the city holds
    in_round = {a for (a,) in database.execute_sql(
        f"SELECT DISTINCT w.achievement_id FROM award w JOIN achievement a ON a.id = w.achievement_id "
        f"WHERE a.uuid IN ({json_values()})", [json.dumps(sorted(here["achievements"]))]).fetchall()}
    for r in good:
        t = _TABLES[r["table"]]
        local = [here[t.name][r["uuid"]]] if r["uuid"] in here[t.name] else []
        if not local:
            plan.unchanged.append(Item(t.name, r["uuid"], _("deleted at the office; not in this database")))
            continue
        mine = local[0]
        row = list(mine[1:])
        when = _("deleted at the office on {at} by {user}").format(at=r["at"][:16], user=r["by"])
        origin = row[origin_of[t]]
        if origin != office and r["uuid"] not in plan._bases[t.name]:  # neither its own nor passed on by it
            plan.rejected.append(Item(t.name, r["uuid"], _("the office may delete only records it sent itself; "
                                                           "this one was not sent by it"), row=row))
            continue
        if r["uuid"] in kept:
            plan.unchanged.append(Item(t.name, r["uuid"], when + _("; kept here, as decided at an earlier import"),
                                       row=row))
            continue
        tomb = _Tomb(t, r["uuid"], r["action"], int(mine[0]), dict(zip(t.columns, t.to_package(row))),
                     at=r["at"], by=r["by"])
        why = refused = None
        content = digest(itemgetter(*t.content)(row))
        if plan._bases[t.name].get(r["uuid"]) != content:
            why = _("changed here after the office sent it, and deleted at the office since")
        elif t is ACHIEVEMENTS and tomb.local_id in in_round:
            refused = _("not deleted: it is in an award round here")
        elif t is ENTERPRISES:
            held = [u for (u,) in database.execute_sql("SELECT uuid FROM achievement WHERE enterprise_id = ?",
                                                       [tomb.local_id]).fetchall()
                    if u not in gone_achievements and sent_to.get(u, r["uuid"]) == r["uuid"]]
            if r["action"] == "merge":
                target = mapping.get("enterprises", {}).get(r["into"], r["into"])
                there = target in mapping.get("enterprises", {}).values() or bool(
                    _local_rows(ENTERPRISES, "uuid", [target]))
                if not there:
                    plan.rejected.append(Item(t.name, r["uuid"], _(
                        "merged at the office into a record that is neither in this package nor here; import the "
                        "office's earlier packages first"), row=row))
                    continue
                tomb.into = target
            elif held:
                refused = _("not deleted: this database holds {n} achievements of it that the office has not "
                            "deleted").format(n=len(held))
        if refused is not None:
            plan.rejected.append(Item(t.name, r["uuid"], refused + " (" + when + ")", row=row))
            continue
        if why is not None:
            what = _("the record")  # shown as the row's name beside both sides
            c = Conflict(t.name, r["uuid"], why + " (" + when + ")", row=row, mine={what: _("kept, as changed here")},
                         theirs={what: _("deleted")}, fields=[what], local_uuid=r["uuid"])
            plan.conflicts.append(c)
            plan._tombstone_conflicts[c.key] = tomb
            continue
        reason = when if r["action"] == "delete" else _("merged at the office into another record of the "
                                                         "enterprise on {at} by {user}").format(at=r["at"][:16],
                                                                                                user=r["by"])
        plan.deleted.append(Item(t.name, r["uuid"], reason, row=row))
        plan._tombstones.append(tomb)


def apply(plan: ImportPlan, resolutions: dict[str, str], user: str, applied: dict[str, int]) -> None:
    """Carry out the planned deletions and merges (and the conflicts resolved by taking the
    office's deletion) inside the import's transaction; remember the ones kept here."""
    from desktop.exchange.importer import KEEP_MINE, TAKE_THEIRS

    office = plan.package.office_uuid
    todo = list(plan._tombstones)
    kept = set(_setting(_kept_key(office)) or [])
    for key, tomb in plan._tombstone_conflicts.items():
        choice = resolutions.get(key)
        if choice == TAKE_THEIRS:
            todo.append(tomb)
            applied["taken_theirs"] += 1
        elif choice == KEEP_MINE:
            kept.add(tomb.uuid)
            applied["kept_mine"] += 1
    if kept:
        Setting.insert(key=_kept_key(office), value=sorted(kept)).on_conflict_replace().execute()
    # the office no longer holds these codes, whatever this database did with its copies (one the
    # city matched to its own record by credit code is not deleted here, but is no claim of the office)
    sent = {r[ENTERPRISES.index("uscc")] for r in plan.package.rows("enterprises")}
    gone_codes = {r[2] for r in plan.package.rows("tombstones")
                  if r[0] == "enterprises" and isinstance(r[2], str) and r[2] not in sent}
    order = {("achievements", "delete"): 0, ("enterprises", "merge"): 1, ("enterprises", "delete"): 2}
    todo.sort(key=lambda tb: (order[(tb.table.name, tb.action)], tb.at))
    _delete_achievements([tb for tb in todo if tb.table is ACHIEVEMENTS], office, user)
    applied["deleted"] = applied.get("deleted", 0) + sum(1 for tb in todo if tb.table is ACHIEVEMENTS)
    for tomb in todo:
        after = {"office": office, "deleted_at": tomb.at, "deleted_by": tomb.by}
        if tomb.table is ACHIEVEMENTS:
            continue
        if tomb.action == "merge":
            keep = Enterprise.get(Enterprise.uuid == tomb.into)
            held = [u for (u,) in database.execute_sql("SELECT uuid FROM achievement WHERE enterprise_id = ?",
                                                       [tomb.local_id]).fetchall()]
            as_sent = _as_sent(plan, ACHIEVEMENTS, held)  # those the city changed stay its own changes
            moved = _move_achievements(tomb.local_id, keep)
            _rebase(plan, ACHIEVEMENTS, as_sent)
            Notice.update(enterprise=keep.id).where(Notice.enterprise == tomb.local_id).execute()
            if _as_sent(plan, ENTERPRISES, [keep.uuid]):  # never over details the city entered itself
                _fill_blanks(keep, Enterprise.get_by_id(tomb.local_id))
                _rebase(plan, ENTERPRISES, [keep.uuid])
            Enterprise.delete().where(Enterprise.id == tomb.local_id).execute()
            audit.record(user, "import-merge", "enterprise", tomb.uuid, tomb.before,
                         dict(after, into=keep.uuid, achievements_moved=moved))
        else:
            if Achievement.select().where(Achievement.enterprise == tomb.local_id).exists():
                continue  # the officer took the deletion of a record changed here; what it holds keeps it
            Enterprise.delete().where(Enterprise.id == tomb.local_id).execute()
            audit.record(user, "import-delete", "enterprise", tomb.uuid, tomb.before, after)
        applied["deleted"] = applied.get("deleted", 0) + 1
    if gone_codes:
        _forget_claims(office, gone_codes)
    _apply_drops(plan, user, applied)


# ------------------------------------------------------------------------------------- evidence removals

@dataclass
class _Drop:
    achievement: str  # global id
    local_id: int
    label: str  # the county's id of the achievement and the file's name
    sha256: str
    filename: str
    at: str
    by: str


def _drops(plan: ImportPlan, rows: list[dict[str, Any]]) -> tuple[list[_Drop], list[tuple[str, str]], list[str]]:
    """The package's evidence removals against this database: those to carry out, those that are
    malformed or name a record the office did not send (label, reason), and those already done here."""
    office = plan.package.office_uuid
    ok = [r for r in rows if isinstance(r["uuid"], str) and _UUID.match(r["uuid"]) and isinstance(r["key"], str)
          and _SHA256.match(r["key"]) and r["action"] == "detach" and isinstance(r["into"], str)
          and isinstance(r["at"], str) and isinstance(r["by"], str)]
    bad = [(str(r.get("into") or r.get("uuid")), _("the removal of an evidence file is malformed"))
           for r in rows if r not in ok]
    if not ok:
        return [], bad, []
    uuids = sorted({r["uuid"] for r in ok})
    local = {u: (int(i), sid, origin) for i, u, sid, origin in database.execute_sql(
        f"SELECT id, uuid, source_id, origin FROM achievement WHERE uuid IN ({json_values()})",
        [json.dumps(uuids)]).fetchall()}
    held = set(database.execute_sql(
        "SELECT a.uuid, v.sha256 FROM evidence v JOIN achievement a ON a.id = v.achievement_id "
        f"WHERE a.uuid IN ({json_values()})", [json.dumps(uuids)]).fetchall())
    todo, done = [], []
    for r in ok:
        here = local.get(r["uuid"])
        # a record not held here by its global id's last 8 characters: random in either version (the
        # first 8 of an id in time order are its time, alike for every record of one load)
        label = f"{here[1] if here else r['uuid'][-8:]} {r['into']}"
        if here is None or (r["uuid"], r["key"]) not in held:
            done.append(label)
        elif here[2] != office and r["uuid"] not in plan._bases[ACHIEVEMENTS.name]:
            bad.append((label, _("the office may remove evidence only from records it sent itself")))
        else:
            todo.append(_Drop(r["uuid"], here[0], label, r["key"], r["into"], r["at"], r["by"]))
    return todo, bad, done


def _plan_drops(plan: ImportPlan, rows: list[dict[str, Any]]) -> None:
    from desktop.exchange.importer import Item

    todo, bad, done = _drops(plan, rows)
    for label, why in bad:
        plan.rejected.append(Item(EVIDENCE, label, why))
    for label in done:
        plan.unchanged.append(Item(EVIDENCE, label, _("evidence removed at the office; not here")))
    for d in todo:
        plan.deleted.append(Item(EVIDENCE, d.label, _("evidence removed at the office on {at} by {user}").format(
            at=d.at[:16], user=d.by)))


def _apply_drops(plan: ImportPlan, user: str, applied: dict[str, int]) -> None:
    """Remove the evidence the office removed from its achievements (in the import's transaction).
    The file itself stays in the evidence folder, kept by its hash: other records may hold it, and
    the audit log's history still names it."""
    rows = [dict(zip(TOMBSTONE_COLUMNS, r)) for r in plan.package.rows("tombstones") if r[0] == EVIDENCE]
    todo = _drops(plan, rows)[0] if rows else []
    for d in todo:
        n = database.execute_sql("DELETE FROM evidence WHERE achievement_id = ? AND sha256 = ?",
                                 [d.local_id, d.sha256]).rowcount
        audit.record(user, "import-detach", "evidence", d.achievement, {"file": d.filename, "sha256": d.sha256},
                     {"office": plan.package.office_uuid, "removed_at": d.at, "removed_by": d.by})
        applied["evidence_removed"] = applied.get("evidence_removed", 0) + max(n, 0)


BATCH_AUDIT_AT = 50  # more achievement deletions than this in one import: one audit entry lists them all


def _delete_achievements(tombs: list[_Tomb], office: str, user: str) -> None:
    """Delete these achievements (and their evidence rows) with a few statements; a handful are
    audited one entry each, more in one entry listing every record (``collect`` reads both)."""
    ids = [tb.local_id for tb in tombs]
    for part in batches(ids):
        marks = ",".join("?" * len(part))
        database.execute_sql(f"DELETE FROM evidence WHERE achievement_id IN ({marks})", part)
        database.execute_sql(f"DELETE FROM achievement WHERE id IN ({marks})", part)
    if len(tombs) <= BATCH_AUDIT_AT:
        for tb in tombs:
            audit.record(user, "import-delete", "achievement", tb.uuid, tb.before,
                         {"office": office, "deleted_at": tb.at, "deleted_by": tb.by})
        return
    audit.record(user, "import-delete", "achievement", None, None,
                 {"office": office, "records": [{"uuid": tb.uuid, "before": tb.before, "deleted_at": tb.at,
                                                 "deleted_by": tb.by} for tb in tombs]})


def _move_achievements(drop_id: int, keep: Enterprise) -> list[str]:
    """Move the achievements still under ``drop_id`` to ``keep`` (an id already used there takes a
    suffix, as the office's merge does)."""
    from desktop.store.records import natural_key, to_vocabulary

    rows = list(Achievement.select().where(Achievement.enterprise == drop_id).order_by(Achievement._meta.primary_key))
    used = {r.source_id for r in Achievement.select(Achievement.source_id).where(Achievement.enterprise == keep.id)}
    for a in rows:
        sid, n = a.source_id, 2
        while sid in used:
            sid, n = f"{a.source_id}-{n}", n + 1
        used.add(sid)
        a.source_id, a.enterprise = sid, keep.id
        a.natural_key = natural_key(to_vocabulary(a, keep.uscc))
        a.updated_at = now()
        a.save()
    return [a.uuid for a in rows]


def _fill_blanks(keep: Enterprise, drop: Enterprise) -> None:
    """The office's merge fills the blank details of the record that stays from the merged one:
    the same here (a year's package may not carry the record that stays)."""
    from desktop.store.edits import ENTERPRISE_COLUMNS

    filled = {k: getattr(drop, k) for k in ENTERPRISE_COLUMNS if not getattr(keep, k) and getattr(drop, k)}
    if filled:
        Enterprise.update(updated_at=now(), version=Enterprise.version + 1, **filled).where(
            Enterprise.id == keep.id).execute()


def _as_sent(plan: ImportPlan, t: Table, uuids: list[str]) -> list[str]:
    """Those of ``uuids`` whose copy here is as the office last sent it."""
    from desktop.exchange.importer import _local_rows

    content = itemgetter(*(1 + i for i in t.content))
    return [row[1] for row in _local_rows(t, "uuid", uuids) if plan._bases[t.name].get(row[1]) == digest(content(row))]


def _rebase(plan: ImportPlan, t: Table, uuids: list[str]) -> None:
    """Records a merge changed here were changed on the office's behalf (as it changed them): their
    new content is the version received, so neither its next package nor a later deletion of one
    reads as a change made here."""
    from desktop.exchange.importer import _local_rows

    content = itemgetter(*(1 + i for i in t.content))
    for row in _local_rows(t, "uuid", uuids):
        plan._bases[t.name][row[1]] = digest(content(row))


def _forget_claims(office_uuid: str, codes: set[str]) -> None:
    """The office no longer holds these enterprises: they leave its claims (unless it still sends one
    under that code), so the cross-county check stops naming them."""
    from desktop.exchange.importer import claims_key, enterprise_claims

    still = {u for (u,) in database.execute_sql("SELECT uscc FROM enterprise WHERE origin = ?", [office_uuid])}
    kept = sorted(c for c in enterprise_claims(office_uuid) if c not in codes or c in still)
    Setting.insert(key=claims_key(office_uuid), value=kept).on_conflict_replace().execute()
