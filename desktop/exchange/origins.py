"""The counties behind a city's package, named for the province.

A city's package passes its counties' records upward with each record's origin (the county's office
id) kept. So that a province can name those counties and group them under the city that sent them,
the package's signed manifest lists, under ``origins``, the offices whose records it carries
(``named``: global id, name, region code; the offices of the 公示 it passes on too), from the offices the sender registered and
those its own senders named to it. The province keeps the list per sending office (``keep``, in its
settings: no schema change); ``names`` and ``senders`` read it back for the consolidation report.
"""
from __future__ import annotations

import re
from typing import Any

from desktop.store.models import KnownOffice, Office, Setting

PREFIX = "exchange.origins."
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_ORIGINS = 5000


def _carried() -> dict[str, dict[str, dict[str, str]]]:
    """sender's office id -> {origin id -> {name, region}} as kept here."""
    out = {}
    for row in Setting.select().where(Setting.key.startswith(PREFIX)):
        if isinstance(row.value, dict):
            out[row.key[len(PREFIX):]] = row.value
    return out


def known_names() -> dict[str, dict[str, str]]:
    """Every office this database can name: registered ones, then those named in packages."""
    out: dict[str, dict[str, str]] = {}
    for by_sender in _carried().values():
        out.update(by_sender)
    for k in KnownOffice.select(KnownOffice.uuid, KnownOffice.name, KnownOffice.region_code):
        out[k.uuid] = {"name": k.name, "region": k.region_code or ""}
    return out


def named(seen: set[str]) -> list[dict[str, str]]:
    """The manifest's entries (uuid, name, region) of the offices ``seen`` that this one knows."""
    if not seen:
        return []
    names = known_names()
    return [{"uuid": u, "name": names[u]["name"], "region": names[u]["region"]} for u in sorted(seen) if u in names]


def _within(region: str, sender_region: str) -> bool:
    """Is ``region`` inside the sender's (350302 inside 350300, 350503 inside 350000)? A code left
    blank cannot be checked and passes."""
    prefix = (sender_region or "").rstrip("0")
    return not region or not prefix or region.startswith(prefix)


def keep(sender: str, origins: Any, applied: dict[str, int], carried: set[str]) -> None:
    """At the receiver: keep the names of the offices the sender's package carries records of (a
    malformed list is ignored whole and counted in ``origins_rejected``). A sender signs its own
    manifest, so each name is also checked against what it may claim: an office the package carries
    records of (``carried``), not a registered office (a city claiming another city would move that
    city's records under itself), not one another sender already passes on, and of a region inside
    the sender's; one that fails is ignored and counted."""
    if origins is None:
        return
    ok = (isinstance(origins, list) and len(origins) <= MAX_ORIGINS
          and all(isinstance(o, dict) and isinstance(o.get("uuid"), str) and _UUID.match(o["uuid"])
                  and isinstance(o.get("name"), str) and 0 < len(o["name"]) <= 200 and o["name"].isprintable()
                  and isinstance(o.get("region"), str) and len(o["region"]) <= 12 for o in origins))
    if not ok:
        applied["origins_rejected"] = 1
        return
    registered = {k.uuid: k.region_code or "" for k in KnownOffice.select(KnownOffice.uuid, KnownOffice.region_code)}
    registered.update({o.uuid: o.region_code or "" for o in Office.select(Office.uuid, Office.region_code)})  # itself
    others = {origin for by, names in _carried().items() if by != sender for origin in names}
    sender_region = registered.get(sender, "")
    key = PREFIX + sender
    row = Setting.get_or_none(Setting.key == key)
    kept = dict(row.value) if row is not None and isinstance(row.value, dict) else {}
    new, refused = {}, 0
    for o in origins:
        if o["uuid"] == sender:
            continue
        if (o["uuid"] not in carried or o["uuid"] in registered or o["uuid"] in others
                or not _within(o["region"], sender_region)):
            refused += 1
            continue
        new[o["uuid"]] = {"name": o["name"], "region": o["region"]}
    if refused:
        applied["origins_rejected"] = applied.get("origins_rejected", 0) + refused
    if {**kept, **new} != kept:
        Setting.insert(key=key, value={**kept, **new}).on_conflict_replace().execute()


def senders() -> dict[str, str]:
    """origin's office id -> the id of the registered office whose packages carried its records."""
    out: dict[str, str] = {}
    for sender, by_origin in _carried().items():
        for origin in by_origin:
            out.setdefault(origin, sender)
    return out


def answered_by(sender: str) -> set[str]:
    """The offices whose records ``sender``'s packages brought here: the sender itself and the
    offices below it that it passed on (a city's counties, at the province). What the receiver's
    reply to the sender may comment on."""
    return {sender, *_carried().get(sender, {})}
