"""The 公示 of a county's award rounds and the objections raised against them travel to the city,
read-only: the city sees, per county and round, the publicity period and each objection with its
outcome, without a table of its own (no schema change).

**At the office that exports** (``rows``): one package row per 公示 (``COLUMNS``) of the selected
year's rounds (every year's for a whole or "since the last export" package: they are few), the
objections nested in it, each naming the achievement it was raised against by its global id and the
county's label.

**At the city that imports** (``keep``): the rows are checked (types, dates, text limits, no
objection against a record another registered office sent; a row that fails is counted in
``publicity_rejected``, nothing else of it kept) and kept in the city's settings
per office (``exchange.publicity.<office>``), by 公示: a later package replaces what an earlier one
said about the same 公示 (older packages are refused as stale before this runs). ``for_city`` reads
them back for the city's window.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from desktop.store.models import Setting, database

COLUMNS = ("uuid", "round", "year", "starts_on", "days", "ends_on", "status", "started_at", "objections")
OBJECTION_KEYS = ("uuid", "achievement", "label", "raised_by", "raised_on", "text", "outcome", "reason", "closed_at")
STATUSES = ("open", "superseded")
OUTCOMES = ("open", "upheld", "rejected")
MAX_TEXT = 4000
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _key(office_uuid: str) -> str:
    return f"exchange.publicity.{office_uuid}"


# ------------------------------------------------------------------------------------- export

def rows(year: int | None = None) -> list[list[Any]]:
    """The package rows of this office's 公示 (of ``year``'s rounds, or all), oldest first."""
    where, params = (" WHERE r.year = ?", [year]) if year is not None else ("", [])
    pubs = database.execute_sql(
        "SELECT p.id, p.uuid, r.uuid, r.year, p.starts_on, p.days, p.ends_on, p.status, p.started_at "
        "FROM publicity p JOIN award_round r ON r.id = p.round_id" + where + " ORDER BY p.started_at, p.id",
        params).fetchall()
    if not pubs:
        return []
    objections: dict[int, list[dict[str, Any]]] = {}
    for (pid, uuid, ach_uuid, sid, ent, raised_by, raised_on, text, outcome, reason,
         closed_at) in database.execute_sql(
            "SELECT o.publicity_id, o.uuid, a.uuid, a.source_id, e.name, o.raised_by, o.raised_on, o.text, "
            "o.outcome, o.reason, o.closed_at FROM objection o JOIN award w ON w.id = o.award_id "
            "JOIN achievement a ON a.id = w.achievement_id JOIN enterprise e ON e.id = a.enterprise_id "
            "ORDER BY o.id").fetchall():
        objections.setdefault(pid, []).append({
            "uuid": uuid, "achievement": ach_uuid, "label": f"{sid} {ent}", "raised_by": raised_by,
            "raised_on": str(raised_on), "text": text, "outcome": outcome, "reason": reason or "",
            "closed_at": str(closed_at)[:19] if closed_at else ""})
    return [[uuid, ruuid, ryear, str(starts), days, str(ends), status, str(started)[:19], objections.get(pid, [])]
            for pid, uuid, ruuid, ryear, starts, days, ends, status, started in pubs]


# ------------------------------------------------------------------------------------- import

def _date(v: Any) -> bool:
    try:
        dt.date.fromisoformat(v)
    except (TypeError, ValueError):
        return False
    return True


def _text(v: Any, limit: int = MAX_TEXT) -> bool:
    return isinstance(v, str) and len(v) <= limit and all(c.isprintable() or c in "\n\t" for c in v)


def _objection_ok(o: Any) -> bool:
    return (isinstance(o, dict) and set(o) == set(OBJECTION_KEYS) and isinstance(o["uuid"], str)
            and bool(_UUID.match(o["uuid"])) and isinstance(o["achievement"], str) and _text(o["label"], 300)
            and _text(o["raised_by"], 300) and _date(o["raised_on"]) and _text(o["text"])
            and o["outcome"] in OUTCOMES and _text(o["reason"]) and _text(o["closed_at"], 40))


def _row_ok(r: dict[str, Any]) -> bool:
    return (isinstance(r["uuid"], str) and bool(_UUID.match(r["uuid"])) and isinstance(r["round"], str)
            and isinstance(r["year"], int) and not isinstance(r["year"], bool) and 1990 <= r["year"] <= 2200
            and _date(r["starts_on"]) and _date(r["ends_on"]) and r["starts_on"] <= r["ends_on"]
            and isinstance(r["days"], int) and not isinstance(r["days"], bool) and 0 < r["days"] <= 366
            and r["status"] in STATUSES and _text(r["started_at"], 40)
            and isinstance(r["objections"], list) and len(r["objections"]) <= 10000
            and all(_objection_ok(o) for o in r["objections"]))


def _others_records(office_uuid: str, uuids: list[Any]) -> set[str]:
    """Of ``uuids``, the records held here that another registered office sent: an office's 公示
    cannot hold an objection against another county's claim (a forged row is refused whole)."""
    import json

    from desktop.store.backend import json_values

    wanted = sorted({u for u in uuids if isinstance(u, str)})
    if not wanted:
        return set()
    return {u for (u,) in database.execute_sql(
        "SELECT a.uuid FROM achievement a JOIN known_office k ON k.uuid = a.origin "
        f"WHERE a.origin != ? AND a.uuid IN ({json_values()})",
        [office_uuid, json.dumps(wanted)]).fetchall()}


def keep(office_uuid: str, package_rows: list[list[Any]], applied: dict[str, int]) -> None:
    """At the city: keep the office's 公示 rows (checked; inside the import's transaction)."""
    if not package_rows:
        return
    got = [dict(zip(COLUMNS, r)) for r in package_rows]
    theirs = _others_records(office_uuid, [o.get("achievement") for r in got if isinstance(r["objections"], list)
                                           for o in r["objections"] if isinstance(o, dict)])
    good = [r for r in got if _row_ok(r) and not any(o["achievement"] in theirs for o in r["objections"])]
    applied["publicity_rejected"] = len(got) - len(good)
    row = Setting.get_or_none(Setting.key == _key(office_uuid))
    kept = dict(row.value) if row is not None and isinstance(row.value, dict) else {}
    changed = 0
    for r in good:
        if kept.get(r["uuid"]) != r:
            kept[r["uuid"]] = r
            changed += 1
    applied["publicity"] = changed
    if changed:
        Setting.insert(key=_key(office_uuid), value=kept).on_conflict_replace().execute()


def for_city() -> list[dict[str, Any]]:
    """Every registered office's 公示 kept here, by office name, year (newest first) and start."""
    from desktop.store.models import KnownOffice

    out = []
    for k in KnownOffice.select().order_by(KnownOffice.region_code, KnownOffice.name):
        row = Setting.get_or_none(Setting.key == _key(k.uuid))
        if row is None or not isinstance(row.value, dict):
            continue
        for p in sorted(row.value.values(), key=lambda p: (-p["year"], p["starts_on"], p["started_at"])):
            out.append(dict(p, office=k.uuid, office_name=k.name))
    return out
