"""What the award-round screens show, read from the database (Qt-free, so it runs in workers).

``round_lines(rnd)`` gives one dict per Award row (achievement, enterprise, status, amount, rule,
clause, fund, explanation, flags, decision); ``pool_budgets(rnd)`` the discretionary pools of the
round's policy with the year's budget, what is committed and what remains; ``totals_by`` sums the
lines per enterprise or per fund; ``history(award_id)`` the award's AwardEvent rows.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from desktop.core.i18n import N_, _
from desktop.core.money import ZERO

STATUS_LABELS = {"awarded": N_("awarded"), "not_eligible": N_("not eligible"), "discretionary": N_("discretionary"),
                 "unspecified": N_("amount not fixed"), "duplicate": N_("duplicate")}
DECISION_LABELS = {"proposed": N_("proposed"), "approved": N_("approved"), "rejected": N_("rejected"),
                   "paid": N_("paid")}
ROUND_STATUS_LABELS = {"draft": N_("draft"), "submitted": N_("submitted for review"), "approved": N_("approved"),
                       "returned": N_("returned to the preparer")}
PAYING = ("awarded", "discretionary")


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))


def decision_label(decision: str) -> str:
    return _(DECISION_LABELS.get(decision, decision))


def round_status_label(status: str) -> str:
    return _(ROUND_STATUS_LABELS.get(status, status))


def years_with_achievements() -> list[int]:
    from peewee import fn

    from desktop.store.models import Achievement

    q = Achievement.select(fn.DISTINCT(fn.strftime("%Y", Achievement.date))).tuples()
    return sorted(int(y) for (y,) in q if y)


def rounds_for_year(year: int) -> list[Any]:
    from desktop.store.models import AwardRound

    return list(AwardRound.select().where(AwardRound.year == year).order_by(AwardRound.id.desc()))


def latest_round(year: int):
    rounds = rounds_for_year(year)
    return rounds[0] if rounds else None


def round_lines(rnd) -> list[dict[str, Any]]:
    from desktop.notices.content import describe
    from desktop.store.models import Achievement, Award, Enterprise
    from desktop.store.records import to_vocabulary

    q = (Award.select(Award, Achievement, Enterprise).join(Achievement).join(Enterprise)
         .where(Award.round == rnd.id).order_by(Enterprise.name, Achievement.date, Achievement.id))
    out = []
    for w in q:
        a = w.achievement
        try:
            what = describe(to_vocabulary(a, a.enterprise.uscc))
        except Exception:  # noqa: BLE001 - a description is a convenience; the kind is enough
            what = a.title or a.kind
        out.append({"id": w.id, "uuid": w.uuid, "achievement": a.source_id, "date": a.date.isoformat(),
                    "enterprise": a.enterprise.name, "uscc": a.enterprise.uscc, "kind": a.kind, "what": what,
                    "status": w.status, "amount": w.amount, "rule": w.rule or "", "clause": w.clause or "",
                    "fund": w.fund or "", "explanation": w.explanation, "flags": list(w.flags or []),
                    "decision": w.decision})
    return out


@dataclass(frozen=True)
class PoolState:
    id: str
    name: str
    clause: str
    budget: Decimal
    used: Decimal  # committed this year: amounts set on discretionary awards (not rejected)

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.used


def pool_budgets(rnd, policy=None) -> dict[str, PoolState]:
    """The pools of the round's policy open in its year: budget, committed, remaining."""
    from desktop.store import rounds

    policy = policy or rounds.load_policy(rnd.policy_id)
    used = rounds.pool_committed(policy, rnd.year)
    return {pid: PoolState(pid, p.name, p.clause, p.budget, used.get(pid, ZERO))
            for pid, p in policy.pools.items() if rnd.year in p.years}


def pool_of(rule_id: str, rnd, policy=None) -> str | None:
    from desktop.store import rounds

    policy = policy or rounds.load_policy(rnd.policy_id)
    r = policy.rule(rule_id) if rule_id else None
    return r.pool if r is not None else None


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


def history(award_id: int) -> list[dict[str, Any]]:
    from desktop.store.models import AwardEvent

    return [{"at": e.at, "user": e.user, "before": e.before or "", "after": e.after,
             "amount_before": e.amount_before, "amount_after": e.amount_after, "note": e.note or ""}
            for e in AwardEvent.select().where(AwardEvent.award == award_id).order_by(AwardEvent.id)]


def user_name(username: str | None) -> str:
    from desktop.store.models import User

    if not username:
        return "-"
    u = User.get_or_none(User.username == username)
    return f"{u.display_name} ({username})" if u is not None else username


def when(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value or "")


def policy_choices() -> list[tuple[str, str]]:
    """(id, label) of each installed policy and of the office's local measures, for a combo box."""
    from desktop.core.policies import installed
    from desktop.store import rounds

    out = []
    for p in installed(rounds.policy_dirs()):
        label = p.get("title") or p["id"]
        if p.get("document_number"):
            label += f"（{p['document_number']}）"
        if p.get("extends"):
            label = _("{label} · local measure").format(label=label)
        out.append((p["id"], label))
    return out
