"""The computed award of DESIGN.md: one per achievement, with the rule, clause and explanation.

This is the contract between the engine (which makes them), the database (which keeps them),
notices, summaries, exchange and the GUI (which show them).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from desktop.core.money import money_str
from desktop.core.status import PAYING

STATUSES = ("awarded", "not_eligible", "discretionary", "unspecified", "duplicate")


@dataclass(slots=True, unsafe_hash=True)
class AwardResult:
    """Treat as immutable (hashable by value). A plain slots class rather than a frozen one: the
    engine builds 100,000 of these in its hot path and a frozen dataclass costs ~3 µs each."""

    id: str  # the achievement's id
    status: str  # one of STATUSES
    amount: Decimal | None  # yuan, two places; None unless the policy (or an officer) fixes it
    rule: str | None  # policy rule id
    clause: str | None  # where in the policy text, e.g. "五(二)2"
    explanation: str  # human-readable, e.g. "国家标准修订 第2位 50,000元 × 70% = 35,000元"
    flags: tuple[str, ...] = ()  # notes an officer must see (interpretation of the text, ...)
    enterprise: str | None = None  # USCC, for totals
    fund: str | None = None  # which fund pays
    kind: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON form (``stdaward compute --json``)."""
        return {"id": self.id, "status": self.status, "amount": money_str(self.amount),
                "rule": self.rule, "clause": self.clause, "explanation": self.explanation,
                "flags": list(self.flags)}


@dataclass
class Totals:
    by_enterprise: dict[str, Decimal] = field(default_factory=dict)
    by_fund: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = Decimal("0.00")


def totals(results: list[AwardResult]) -> Totals:
    t = Totals()
    for r in results:
        if r.amount is None or r.status not in PAYING:
            continue
        if r.enterprise:
            t.by_enterprise[r.enterprise] = t.by_enterprise.get(r.enterprise, Decimal("0.00")) + r.amount
        fund = r.fund or "-"
        t.by_fund[fund] = t.by_fund.get(fund, Decimal("0.00")) + r.amount
        t.total += r.amount
    return t
