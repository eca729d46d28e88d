"""How the award-round screens word and total what ``desktop.operations.rounds`` reads (Qt-free).

Labels of award statuses, decisions and round states; ``totals_by`` sums the lines per enterprise or
per fund; ``grand_total`` the paying lines. Everything read from the database comes from
``desktop.operations.rounds`` (``lines``, ``latest``, ``pool_budgets``, ``history``...);
``read_round`` reads all of it for one year at once, in a worker when the round is large.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from desktop.core.i18n import N_, _
from desktop.core.money import ZERO
from desktop.core.status import PAYING

STATUS_LABELS = {"awarded": N_("awarded"), "not_eligible": N_("not eligible"), "discretionary": N_("discretionary"),
                 "unspecified": N_("amount not fixed"), "duplicate": N_("duplicate")}
DECISION_LABELS = {"proposed": N_("proposed"), "approved": N_("approved"), "rejected": N_("rejected"),
                   "paid": N_("paid")}
ROUND_STATUS_LABELS = {"draft": N_("draft"), "submitted": N_("submitted for review"), "approved": N_("approved"),
                       "returned": N_("returned to the preparer")}


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))


def decision_label(decision: str) -> str:
    return _(DECISION_LABELS.get(decision, decision))


def round_status_label(status: str) -> str:
    return _(ROUND_STATUS_LABELS.get(status, status))


def years_with_achievements() -> list[int]:
    from desktop.operations import rounds

    return rounds.years(None)


def user_name(username: str | None) -> str:
    from desktop.operations import rounds

    return rounds.user_name(None, username)


def totals_by(lines: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Sum of paying amounts per ``key`` ("enterprise" or "fund"), with counts, largest first."""
    sums: dict[str, dict[str, Any]] = {}
    for ln in lines:
        k = ln[key] or "-"
        row = sums.setdefault(k, {key: k, "count": 0, "total": ZERO, "open": 0})
        if ln["status"] in PAYING and ln["amount"] is not None and ln["decision"] != "rejected":
            row["count"] += 1
            row["total"] += ln["amount"]
        elif ln["status"] in ("discretionary", "unspecified") and ln["amount"] is None:
            row["open"] += 1
    return sorted(sums.values(), key=lambda r: (-r["total"], r[key]))


def grand_total(lines: list[dict[str, Any]]) -> Decimal:
    return sum((ln["amount"] for ln in lines if ln["status"] in PAYING and ln["amount"] is not None
                and ln["decision"] != "rejected"), ZERO)


def when(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value or "")


def policy_choices() -> list[tuple[str, str]]:
    """(id, label) of each installed policy and of the office's local measures, for a combo box."""
    from desktop.operations import rounds

    return rounds.policy_choices(None)


def approve_question(year: int, lines: int, total: str) -> str:
    return _("Approve the award round for {year}: {n} lines, total {total}? Its notices can then be issued.").format(
        year=year, n=lines, total=total)


# ---------------------------------------------------------------- one reading of a year's round

@dataclass
class RoundSnapshot:
    """Everything the round screen shows of a year, read at once (in a worker for a large round):
    the round, its lines (each with the text the search looks in), fund names, the totals per
    enterprise and per fund, and the footer's counts. ``changed``: when read after an earlier
    snapshot of the same round with the same lines in the same order, the positions of the lines
    whose content differs (the screen updates only them, to ``updates``; ``lines`` are then the shown
    line objects, still with their old values until the screen takes the new ones); None when the
    screen must be rebuilt."""
    year: int
    round: Any  # desktop.operations.rounds.RoundInfo | None
    lines: list[dict[str, Any]] = field(default_factory=list)
    fund_names: dict[str, str] = field(default_factory=dict)
    by_enterprise: list[dict[str, Any]] = field(default_factory=list)
    by_fund: list[dict[str, Any]] = field(default_factory=list)
    paid: int = 0
    flagged: int = 0
    open: int = 0
    total: Decimal = ZERO
    signatures: list[tuple[Any, ...]] = field(default_factory=list, repr=False)  # each line's values, as read
    changed: list[int] | None = None
    against: int | None = None  # id() of the snapshot ``changed`` was found against (shown while this was read)
    updates: list[dict[str, Any]] | None = None  # the changed lines as read now (``lines``: the shown ones)


def line_signature(line: dict[str, Any]) -> tuple[Any, ...]:
    """What a line shows and is chosen by, as a value that a later reading compares (its flags a
    tuple: a line of plain values is left alone by the garbage collector, 100,000 of them too)."""
    line["flags"] = tuple(line["flags"])
    return tuple(line.values())


def read_round(session: Any, year: int, search_text: Callable[[dict[str, Any]], str],
               rnd: Any = None, previous: RoundSnapshot | None = None) -> RoundSnapshot:
    """The year's latest round as the screen shows it (``rnd``: its RoundInfo if already read).
    ``search_text`` gives a line's searchable text (the model's columns as shown), kept on the line
    under ``"search"`` so that a keystroke searches one string per line. ``previous``: the snapshot
    the screen shows now; the lines that differ from it are named in ``changed`` (compared here, in
    the worker, from values ``previous`` holds apart from the lines the screen may be changing)."""
    from desktop.operations import rounds

    rnd = rnd if rnd is not None else rounds.latest(session, year)
    snap = RoundSnapshot(year, rnd)
    if rnd is None:
        return snap
    snap.lines = rounds.lines(session, rnd.uuid)
    snap.fund_names = rounds.fund_names(session, rnd.uuid)
    for ln in snap.lines:
        snap.signatures.append(line_signature(ln))  # before its search text, which is derived
        ln["search"] = search_text(ln)
        if ln["status"] in PAYING and ln["amount"] is not None:
            snap.paid += 1
        if ln["flags"]:
            snap.flagged += 1
        if ln["status"] == "discretionary" and ln["amount"] is None:
            snap.open += 1
    snap.total = grand_total(snap.lines)
    snap.by_enterprise = totals_by(snap.lines, "enterprise")
    snap.by_fund = [{**r, "fund_name": snap.fund_names.get(r["fund"], r["fund"])} for r in totals_by(snap.lines, "fund")]
    if (previous is not None and previous.round is not None and previous.round.uuid == rnd.uuid
            and len(previous.signatures) == len(snap.signatures)
            and all(a[0] == b[0] for a, b in zip(previous.signatures, snap.signatures))):  # the same lines (award ids)
        snap.changed = [i for i, (a, b) in enumerate(zip(previous.signatures, snap.signatures)) if a != b]
        snap.against = id(previous)
        # Only the changed lines go to the screen: the shown ones take their values there. The rest of
        # this reading is let go here, a chunk at a time (freeing 100,000 lines at once on the UI
        # thread held it for a fifth of a second).
        snap.updates = [snap.lines[i] for i in snap.changed]
        read, snap.lines = snap.lines, previous.lines
        while read:
            del read[-2000:]
    return snap
