"""What the overview reads: the office, this year's and last year's award round, notices, data safety
(backups, the last export, the audit log), for the first thing an officer sees every morning.

``read_overview`` is on the quick start's path: it reads with plain SQL (``quick.read``) before
peewee and the models are imported, so nothing here imports them at module level, and it takes the
database's path rather than a ``Session`` (the window paints before one exists).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.core.status import PAYING, Decision, NoticeStatus


def _sql(sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
    from desktop.operations.quick import read

    return read(sql, params)


def office_row() -> dict[str, Any] | None:
    """What the overview shows of the office profile (None before set-up)."""
    rows = _sql("SELECT name, region_code, doc_prefix, policy_id, signatory FROM office ORDER BY id LIMIT 1")
    return dict(zip(("name", "region_code", "doc_prefix", "policy_id", "signatory"), rows[0])) if rows else None


def _display_name(username: str | None) -> str:
    if not username:
        return "-"
    rows = _sql("SELECT display_name FROM \"user\" WHERE username = ?", (username,))
    from desktop.core.labels import person_label

    return person_label(rows[0][0], username) if rows else username


def round_summary(year: int) -> dict[str, Any]:
    """The year's latest award round: status ("none" without one), preparer, lines, total awarded
    (paying lines with an amount, not rejected), discretionary amounts still to set, flagged lines,
    notices issued from it; and whether the year has achievements to compute."""
    span = (f"{year}-01-01", f"{year}-12-31")
    received = False  # the year's records are the counties', received in their packages (at the city)
    if not _sql("SELECT EXISTS(SELECT 1 FROM achievement WHERE origin IS NOT NULL)")[0][0]:  # a county: all its own
        has_achievements = bool(_sql("SELECT EXISTS(SELECT 1 FROM achievement WHERE date BETWEEN ? AND ?)", span)[0][0])
        rows = _sql("SELECT id, status, prepared_by, reviewed_by, note FROM award_round WHERE year = ? "
                    "ORDER BY id DESC LIMIT 1", (year,))
    else:
        # the city: its own achievements (few: found by their empty origin), and its own round, not a
        # county's received in its package (whose lines pay that county's achievements: the first
        # line tells), which the county computes, approves and issues
        has_achievements = bool(_sql("SELECT EXISTS(SELECT 1 FROM achievement WHERE origin IS NULL "
                                     "AND date BETWEEN ? AND ?)", span)[0][0])
        # none of its own: the counties' records of the year (by the date's index: the year's first
        # record is a county's, or the year has none)
        received = not has_achievements and bool(_sql(
            "SELECT EXISTS(SELECT 1 FROM achievement WHERE +origin IS NOT NULL AND date BETWEEN ? AND ?)", span)[0][0])
        rows = _sql("SELECT id, status, prepared_by, reviewed_by, note FROM award_round r WHERE year = ? AND "
                    "(SELECT a.origin FROM award w JOIN achievement a ON a.id = w.achievement_id "
                    "WHERE w.round_id = r.id ORDER BY w.id LIMIT 1) IS NULL ORDER BY id DESC LIMIT 1", (year,))
    if not rows:
        return {"year": year, "status": "none", "has_achievements": has_achievements, "received": received}
    rid, status, prepared_by, reviewed_by, note = rows[0]
    lines, to_set, flagged = _sql(
        "SELECT count(*), coalesce(sum(CASE WHEN status = 'discretionary' AND amount IS NULL THEN 1 ELSE 0 END), 0), "
        "coalesce(sum(CASE WHEN flags IS NOT NULL AND flags NOT IN ('', '[]') THEN 1 ELSE 0 END), 0) FROM award WHERE round_id = ?", (rid,))[0]
    paying = ", ".join("?" * len(PAYING))
    amounts = _sql(f"SELECT amount FROM award WHERE round_id = ? AND status IN ({paying}) AND amount IS NOT NULL "
                   "AND decision != ?", (rid, *PAYING, Decision.REJECTED.value))
    total = sum((Decimal(a) for (a,) in amounts), Decimal("0.00"))  # amounts are exact TEXT
    notices = _sql("SELECT count(*) FROM notice WHERE round_id = ? AND status != ?",
                   (rid, NoticeStatus.VOID.value))[0][0]
    return {"year": year, "status": status, "has_achievements": has_achievements, "id": rid,
            "prepared_by": prepared_by, "preparer": _display_name(prepared_by), "reviewer": _display_name(reviewed_by),
            "note": note or "", "lines": lines, "paid": len(amounts), "total": total, "to_set": to_set,
            "flagged": flagged, "notices": notices}


def notice_summary(year: int) -> dict[str, Any]:
    """Notices issued in ``year`` (not void), the year's last document number, notices waiting for a
    reprint, failed or left unprinted by an interruption (any year)."""
    issued = _sql("SELECT count(*) FROM notice WHERE year = ? AND status != ?", (year, NoticeStatus.VOID.value))[0][0]
    last = _sql("SELECT doc_number, issued_on FROM notice WHERE year = ? ORDER BY serial DESC LIMIT 1", (year,))
    # a notice left pending (the program stopped while printing it) needs a reprint as much as a failed one
    failed = _sql("SELECT count(*) FROM notice WHERE status IN (?, ?)",
                  (NoticeStatus.FAILED.value, NoticeStatus.PENDING.value))[0][0]
    return {"year": year, "issued": issued, "last": last[0][0] if last else None,
            "last_on": str(last[0][1])[:10] if last else None, "failed": failed}


def _backup_time(path: Path) -> dt.datetime:
    """The time in a backup's name (``office-20260301-083000-123456-daily.db``), else its mtime."""
    parts = path.stem.split("-")
    for i in range(len(parts) - 1):
        try:
            return dt.datetime.strptime(f"{parts[i]}-{parts[i + 1]}", "%Y%m%d-%H%M%S")
        except ValueError:
            continue
    return dt.datetime.fromtimestamp(path.stat().st_mtime)


def backup_summary(db_path: Path | None) -> dict[str, dt.datetime | None]:
    """The times of the latest automatic and the latest manual backup (None: none yet)."""
    from desktop.store.backup import list_backups

    out: dict[str, dt.datetime | None] = {"automatic": None, "manual": None}
    for p in list_backups(db_path) if db_path is not None else []:
        kind = "manual" if p.stem.endswith("-manual") else "automatic"
        when, seen = _backup_time(p), out[kind]
        if seen is None or when > seen:
            out[kind] = when
    return out


def last_export() -> dict[str, Any] | None:
    rows = _sql("SELECT at, sequence, path FROM package_log WHERE direction = 'export' ORDER BY at DESC, id DESC LIMIT 1")
    return {"at": str(rows[0][0])[:16], "sequence": rows[0][1], "path": rows[0][2] or ""} if rows else None


@dataclass
class Overview:
    """Everything the overview paints at once (plain SQL)."""
    today: dt.date
    office: dict[str, Any] | None
    enterprises: int
    achievements: int
    rounds: list[dict[str, Any]]  # this year, last year
    notices: dict[str, Any]
    backups: dict[str, dt.datetime | None]
    export: dict[str, Any] | None
    audit_entries: int
    replies: list[dict[str, Any]] = field(default_factory=list)  # the city's latest word per year


def city_replies() -> list[dict[str, Any]]:
    """The city's latest reply on each year's submission, newest year first: year, decision
    (accepted / returned), comment, the records commented on (labels as the city wrote them)."""
    import json

    rows = _sql("SELECT value FROM setting WHERE key = 'exchange.replies'")
    try:
        kept = json.loads(rows[0][0]) if rows and rows[0][0] else []
    except (TypeError, ValueError):
        return []
    latest: dict[int, dict[str, Any]] = {}
    for r in kept if isinstance(kept, list) else []:
        if isinstance(r, dict) and isinstance(r.get("year"), int):
            latest[r["year"]] = r  # kept oldest first: the last one is the city's latest word
    return [{"year": y, "decision": r.get("decision"), "comment": r.get("comment") or "",
             "office": r.get("from_name") or "", "remarks": [m.get("label") or "" for m in r.get("remarks", [])]}
            for y, r in sorted(latest.items(), reverse=True)]


def read_overview(db_path: Path | None, today: dt.date) -> Overview:
    n_ent, n_ach = (_sql(f"SELECT count(*) FROM {t}")[0][0] for t in ("enterprise", "achievement"))
    return Overview(today, office_row(), n_ent, n_ach, [round_summary(today.year), round_summary(today.year - 1)],
                    notice_summary(today.year), backup_summary(db_path), last_export(),
                    _sql("SELECT count(*) FROM audit_entry")[0][0], city_replies())


