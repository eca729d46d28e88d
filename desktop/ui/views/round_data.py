"""How the award-round screens word and total what ``desktop.operations.rounds`` reads (Qt-free).

Labels of award statuses, decisions and round states; ``totals_by`` sums the lines per enterprise or
per fund; ``grand_total`` the paying lines. Everything read from the database comes from
``desktop.operations.rounds`` (``lines``, ``latest``, ``pool_budgets``, ``history``...).
"""
from __future__ import annotations

import datetime as dt
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
