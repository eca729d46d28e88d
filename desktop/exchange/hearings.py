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

**A city passing them upward**: a city's package carries, besides any 公示 of its own (``origin``
empty), the 公示 its counties' packages brought, each with ``origin`` = the county's office id, as the
counties' records travel with theirs. The province keeps them under the city that sent them and shows
them per county (named from the package's ``origins``), read-only like a county's own.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from desktop.core.i18n import _
from desktop.store.models import Setting, database

COLUMNS = ("uuid", "round", "year", "starts_on", "days", "ends_on", "status", "started_at", "objections", "origin")
LEGACY_COLUMNS = COLUMNS[:-1]  # packages written before 公示 were passed upward (no origin: the sender's own)
OBJECTION_KEYS = ("uuid", "achievement", "label", "raised_by", "raised_on", "text", "outcome", "reason", "closed_at")
STATUSES = ("open", "superseded")
OUTCOMES = ("open", "upheld", "rejected")
MAX_TEXT = 4000
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


PREFIX = "exchange.publicity."


def _key(office_uuid: str) -> str:
    return PREFIX + office_uuid


# ------------------------------------------------------------------------------------- export

def rows(year: int | None = None) -> list[list[Any]]:
    """The package rows of this office's 公示 (of ``year``'s rounds, or all), oldest first, then those
    its senders' packages brought (a city passing its counties' 公示 to the province)."""
    return _own_rows(year) + _passed_on(year)


def _passed_on(year: int | None) -> list[list[Any]]:
    """The 公示 kept from the packages of the offices that send to this one, each with its origin."""
    out = []
    for row in Setting.select().where(Setting.key.startswith(PREFIX)).order_by(Setting.key):
        sender = row.key[len(PREFIX):]
        if not isinstance(row.value, dict):
            continue
        for r in sorted(row.value.values(), key=lambda r: (r["year"], r["starts_on"], r["started_at"], r["uuid"])):
            if year is not None and r["year"] != year:
                continue
            out.append([*(r[c] for c in LEGACY_COLUMNS), r.get("origin") or sender])
    return out


def _own_rows(year: int | None) -> list[list[Any]]:
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
    return [[uuid, ruuid, ryear, str(starts), days, str(ends), status, str(started)[:19], objections.get(pid, []),
             None] for pid, uuid, ruuid, ryear, starts, days, ends, status, started in pubs]


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
            and all(_objection_ok(o) for o in r["objections"])
            and (r["origin"] is None or (isinstance(r["origin"], str) and bool(_UUID.match(r["origin"])))))


def _others_records(office_uuid: str, uuids: list[Any]) -> dict[str, str]:
    """Of ``uuids``, the records held here that another registered office sent, with that office: an
    office's 公示 cannot hold an objection against another county's claim (a forged row is refused
    whole). A 公示 a city passes on from its county may name that county's records (its ``origin``)."""
    import json

    from desktop.store.backend import json_values

    wanted = sorted({u for u in uuids if isinstance(u, str)})
    if not wanted:
        return {}
    return {u: o for (u, o) in database.execute_sql(
        "SELECT a.uuid, a.origin FROM achievement a JOIN known_office k ON k.uuid = a.origin "
        f"WHERE a.origin != ? AND a.uuid IN ({json_values()})",
        [office_uuid, json.dumps(wanted)]).fetchall()}


def keep(office_uuid: str, package_rows: list[list[Any]], applied: dict[str, int]) -> None:
    """At the city: keep the office's 公示 rows (checked; inside the import's transaction)."""
    if not package_rows:
        return
    got = [dict(zip(COLUMNS, r)) for r in package_rows]
    theirs = _others_records(office_uuid, [o.get("achievement") for r in got if isinstance(r["objections"], list)
                                           for o in r["objections"] if isinstance(o, dict)])
    own = own_office_uuid()
    good = [r for r in got if _row_ok(r) and r["origin"] != own  # never this office's own 公示 back
            and not any(theirs.get(o["achievement"], r["origin"]) != r["origin"] for o in r["objections"])]
    for r in good:
        if r["origin"] == office_uuid:
            r["origin"] = None  # the sender's own
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


def own_office_uuid() -> str | None:
    from desktop.exchange.offices import own_office

    row = own_office()
    return row.uuid if row is not None else None


def for_city() -> list[dict[str, Any]]:
    """Every registered office's 公示 kept here, by office name, year (newest first) and start. A 公示
    a city passed on names its county (``office``/``office_name``, from the package's ``origins``)
    and the city (``via``/``via_name``); the sender's own has ``via`` None."""
    from desktop.exchange.origins import known_names
    from desktop.store.models import KnownOffice

    names = known_names()
    out = []
    for k in KnownOffice.select().order_by(KnownOffice.region_code, KnownOffice.name):
        row = Setting.get_or_none(Setting.key == _key(k.uuid))
        if row is None or not isinstance(row.value, dict):
            continue
        kept = sorted(row.value.values(), key=lambda p: (
            p.get("origin") is not None, names.get(p.get("origin") or "", {}).get("region", ""),
            names.get(p.get("origin") or "", {}).get("name", ""), -p["year"], p["starts_on"], p["started_at"]))
        for p in kept:
            origin = p.get("origin")
            if origin is None:
                out.append(dict(p, office=k.uuid, office_name=k.name, via=None, via_name=None))
            else:
                name = names.get(origin, {}).get("name") or _("an office {city} did not name").format(city=k.name)
                out.append(dict(p, office=origin, office_name=name, via=k.uuid, via_name=k.name))
    return out
