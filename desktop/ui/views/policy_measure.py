"""A local measure derived from a policy (Qt-free): new amounts for some categories and a later
start, written as a policy file that ``extends`` the base, with the officer's hand-worked cases.

``measure_text(...)`` writes the TOML; ``check_measure(text, id)`` validates it strictly and runs its
cases in a scratch folder (nothing installed); ``install_measure(text, id)`` puts a checked measure
in the office's policy folder (temp name, fsync, rename), where rounds and the engine find it.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.core.i18n import _


@dataclass
class AmountRow:
    """One amount of a rule the form can change (``key`` None: the rule's single amount)."""

    rule: str
    key: str | None
    label: str
    clause: str
    base: Decimal


@dataclass
class Case:
    name: str
    given: dict[str, Any]
    amount: Decimal  # what the officer worked out by hand
    rule: str


@dataclass
class Measure:
    base: str
    id: str
    title: str
    document_number: str
    effective: dt.date
    amounts: dict[tuple[str, str | None], Decimal] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)
    issuer: str = ""  # the office that decides the measure (never the base policy's government)


def amount_rows(policy) -> list[AmountRow]:  # noqa: ANN001
    out = []
    for r in policy.rules:
        if r.pay != "amount":
            continue
        label = re.sub(r"\{[a-z_]+\}", "", r.label).strip()
        if r.amount is not None:
            out.append(AmountRow(r.id, None, label, r.clause, r.amount))
        for key, value in (r.amounts or {}).items():
            out.append(AmountRow(r.id, key, label, r.clause, value))
    return out


def example_for(policy, rule_id: str, key: str | None) -> dict[str, Any] | None:  # noqa: ANN001
    """An achievement from the base policy's worked cases that its rule pays (a start for a case)."""
    rule = policy.rule(rule_id)
    for c in policy.cases:
        for i, exp in enumerate(c.get("expect", [])):
            given = c.get("given", [])
            if exp.get("rule") == rule_id and i < len(given):
                g = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in given[i].items()}
                if key is None or rule is None or rule.by is None or g.get(rule.by) == key:
                    return g
    return None


def _s(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _inline(d: dict[str, Any]) -> str:
    parts = []
    for k, v in d.items():
        if isinstance(v, bool):
            parts.append(f"{k} = {'true' if v else 'false'}")
        elif isinstance(v, int):
            parts.append(f"{k} = {v}")
        elif isinstance(v, list):
            parts.append(f"{k} = [{', '.join(_s(x) for x in v)}]")
        else:
            parts.append(f"{k} = {_s(str(v))}")
    return "{" + ", ".join(parts) + "}"


def measure_text(m: Measure, policy) -> str:  # noqa: ANN001
    """The measure as a policy file extending ``m.base``."""
    lines = ["# 本地实施细则：由 StdAward 根据基础政策派生", "[policy]", f"id = {_s(m.id)}", f"extends = {_s(m.base)}",
             f"title = {_s(m.title)}", f"document_number = {_s(m.document_number)}", f"issuer = {_s(m.issuer)}",
             f"decided_by = {_s(m.document_number)}", f"decided_on = {m.effective.isoformat()}",
             f"issued = {m.effective.isoformat()}", f"effective = {m.effective.isoformat()}", ""]
    by_rule: dict[str, dict[str | None, Decimal]] = {}
    for (rule, key), value in m.amounts.items():
        by_rule.setdefault(rule, {})[key] = value
    for rule_id, values in by_rule.items():
        rule = policy.rule(rule_id)
        lines += ["[[rules]]", f"id = {_s(rule_id)}"]
        if None in values:
            lines.append(f"amount = {_s(format(values[None], 'f'))}")
        else:
            full = {k: format(values.get(k, v), "f") for k, v in (rule.amounts or {}).items()}
            lines.append("amounts = " + _inline(full))
        lines.append("")
    for c in m.cases:
        given = {k: v for k, v in c.given.items() if k not in ("id", "enterprise")}
        lines += ["[[case]]", f"name = {_s(c.name)}", f"given = [{_inline(given)}]",
                  f"expect = [{{status = \"awarded\", amount = {_s(format(c.amount, 'f'))}, rule = {_s(c.rule)}}}]", ""]
    return "\n".join(lines)


def problems(m: Measure, known_ids: list[str]) -> list[str]:
    out = []
    if not m.id or not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in m.id) or m.id != m.id.lower():
        out.append(_("the id is lower-case letters, digits and -, e.g. chengxiang-2026"))
    elif m.id in known_ids:
        out.append(_("the id {id} is already used").format(id=m.id))
    if not m.title.strip():
        out.append(_("the title is required"))
    if not m.issuer.strip():
        out.append(_("the office that decides the measure is required (set the office name in Settings)"))
    if not m.document_number.strip():
        out.append(_("the document number (文号) of the measure is required"))
    if not m.amounts:
        out.append(_("change at least one amount"))
    if not m.cases:
        out.append(_("add at least one worked case: an example achievement and the amount you worked out by hand"))
    return out


def check_measure(text: str, measure_id: str):  # noqa: ANN201
    """Validate and case-test the measure in a scratch folder; returns the Policy (or raises)."""
    from desktop.core.policies import check_file
    from desktop.store import rounds

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{measure_id}.toml"
        path.write_text(text, "utf-8")
        return check_file(path, rounds.policy_dirs())


def install_measure(text: str, measure_id: str, user: str) -> Path:
    import hashlib

    from desktop.core.policies import install
    from desktop.store import audit, rounds
    from desktop.store.models import database

    policy = check_measure(text, measure_id)
    target = install(policy, {f"{measure_id}.toml": text.encode("utf-8")}, rounds.policy_dirs()[0], replace=False)
    with database.atomic():
        audit.record(user, "install", "policy", measure_id, None,
                     {"file": target.name, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()})
    return target


def compare_on_year(a_id: str, b_id: str, year: int) -> dict[str, Any]:
    """Both policies computed on the year's achievements: per achievement and in total."""
    from desktop.core.engine import compare
    from desktop.store import records, rounds

    achs = records.achievements(year=year)
    out = compare(rounds.load_policy(a_id), rounds.load_policy(b_id), achs, rounds.prior_awards())
    names = records.enterprise_names()
    for row in out["rows"]:
        row["name"] = names.get(row["enterprise"], row["enterprise"])
    return out
