"""The policy file format: strict validation of a parsed TOML document into typed objects.

A policy file (``policies/<id>.toml``) has these tables; every key is checked, nothing unknown or
misplaced is let through, and every error names the file and the key path
(``rules[3].amounts.national``)::

    [policy]      id, title, document_number, issuer, region_code, issued, effective, expires,
                  effective_clause, effective_text, source, extends, notes, horizon + horizon_text (the
                  text's own 到20xx年: later awards are flagged), decided_by + decided_on (a local
                  measure: the office's document number and date; issuer is the office, never inherited)
    [funds.ID]    name, clause, text
    [pools.ID]    fund, name, clause, text, years, budget (per year)
    [notes.ID]    clause, literal, reading, why, applies, concerns   (a judgment call in reading the text;
                  applies: only awards meeting these conditions carry it; concerns = "amount": a
                  reading of a figure, dropped from a rule whose amounts a local measure replaces)
    [labels.*]    Chinese labels overriding policies/common/labels.toml
    [[rules]]     id, clause, text, kind, label, pay (amount | discretionary | unspecified), fund,
                  amount | amounts + by, percent_by_rank, pool, group, notes, when, changed (a
                  measure's rule: what it changed; written for it when left out)
    [rules.when]  level, action, body, prize, grade, domain (lists), accepted (bool),
                  rank = {from, to}, ref_prefix (list), dates = {from, to}
    [[targets]]   id, clause, text, goal, goal_text, unit, deadline, from, count
                  (standards | enterprises | items | entered), notes, scope (like ``when``)
    [[case]]      worked cases written inline (local measures); see desktop.core.policies

Amounts are decimal strings or integers (never floats): ``"150000"``. Nothing here reads files.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, NoReturn, TypedDict, overload

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.core.labels import ACTIONS, BODIES, DOMAINS, KINDS, PRIZES, STANDARD_LEVELS
from desktop.core.vocabulary import KIND_FIELDS

PAY_MODES = ("amount", "discretionary", "unspecified")
COUNT_MODES = ("standards", "enterprises", "items", "entered")
ALL_LEVELS = tuple(dict.fromkeys(STANDARD_LEVELS + ("provincial", "municipal")))
# Condition fields on an achievement and the values they may take (None: free text).
CONDITION_VALUES: dict[str, tuple[str, ...] | None] = {
    "level": ALL_LEVELS, "action": tuple(ACTIONS), "body": tuple(BODIES), "prize": tuple(PRIZES),
    "grade": None, "domain": tuple(DOMAINS),
}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_GRADE = re.compile(r"^(?:[123]|A{1,5})$")


class PolicyError(StdAwardError):
    """A policy file that cannot be used: names the file and the key."""

    def __init__(self, file: str | Path, key: str, message: str) -> None:
        self.file, self.key, self.message = str(file), key, message
        super().__init__(f"{file}: {key}: {message}")


# ---------------------------------------------------------------- typed objects

@dataclass(frozen=True)
class Fund:
    id: str
    name: str
    clause: str | None = None
    text: str | None = None
    pools: dict[str, Pool] = field(default_factory=dict)


@dataclass(frozen=True)
class Pool:
    id: str
    fund: str
    name: str
    clause: str
    text: str
    years: tuple[int, ...]
    budget: Decimal  # per year


@dataclass(frozen=True)
class Note:
    id: str
    clause: str
    literal: str
    reading: str
    why: str
    applies: Conditions | None = None  # only awards of achievements meeting these carry the note


@dataclass(frozen=True)
class Conditions:
    """What an achievement must be for a rule (or a target) to take it. None: any value."""

    values: dict[str, frozenset[str]] = field(default_factory=dict)  # level/action/body/prize/grade/domain
    accepted: bool | None = None
    rank: tuple[int, int | None] | None = None  # inclusive; None upper bound = no limit
    ref_prefix: tuple[str, ...] = ()
    dates: tuple[dt.date | None, dt.date | None] | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    clause: str
    text: str
    kind: str
    pay: str
    label: str
    when: Conditions
    fund: str | None = None
    amount: Decimal | None = None
    amounts: dict[str, Decimal] | None = None
    by: str | None = None
    percent_by_rank: dict[int, Decimal] | None = None
    pool: str | None = None
    group: str | None = None
    notes: tuple[str, ...] = ()
    changed: str | None = None  # in a local measure: what it changed from the base policy's rule


@dataclass(frozen=True)
class Target:
    id: str
    clause: str
    text: str
    goal: Decimal
    count: str
    scope: Conditions
    kinds: tuple[str, ...] = ()
    goal_text: str | None = None
    unit: str | None = None
    deadline: dt.date | None = None
    start: dt.date | None = None
    notes: tuple[str, ...] = ()


# ---------------------------------------------------------------- checking helpers

class _Checker:
    """Reads one table of the document, remembering the key path for error messages."""

    def __init__(self, file: str | Path, path: str, table: Any) -> None:
        self.file, self.path = file, path
        if not isinstance(table, dict):
            self.fail("", _("must be a table"))
        self.table: dict[str, Any] = table

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path and name else (self.path or name)

    def fail(self, name: str, message: str) -> NoReturn:
        raise PolicyError(self.file, self.key(name), message)

    def only(self, allowed: tuple[str, ...], where: str | None = None) -> None:
        for k in self.table:
            if k not in allowed:
                self.fail(k, _("unknown key here (allowed: {keys})").format(keys=", ".join(allowed)))

    def sub(self, name: str) -> _Checker:
        return _Checker(self.file, self.key(name), self.table.get(name, {}))

    @overload
    def text(self, name: str, required: Literal[True] = ...) -> str: ...
    @overload
    def text(self, name: str, required: bool) -> str | None: ...

    def text(self, name: str, required: bool = True) -> str | None:
        v = self.table.get(name)
        if v is None:
            if required:
                self.fail(name, _("is required"))
            return None
        if not isinstance(v, str) or not v.strip():
            self.fail(name, _("must be non-empty text"))
        return v.strip()

    def ident(self, name: str, value: Any = None) -> str:
        v = self.table.get(name) if value is None else value
        if not isinstance(v, str) or not _ID.match(v):
            self.fail(name, _("must be an id of lower-case letters, digits and hyphens, not {value!r}").format(value=v))
        return v

    @overload
    def date(self, name: str, required: Literal[True]) -> dt.date: ...
    @overload
    def date(self, name: str, required: bool = False) -> dt.date | None: ...

    def date(self, name: str, required: bool = False) -> dt.date | None:
        v = self.table.get(name)
        if v is None:
            if required:
                self.fail(name, _("is required"))
            return None
        if isinstance(v, dt.datetime) or not isinstance(v, dt.date):
            self.fail(name, _("must be a date written as YYYY-MM-DD without quotes, not {value!r}").format(value=v))
        return v

    def money(self, name: str, value: Any = None) -> Decimal:
        v = self.table.get(name) if value is None else value
        return parse_amount(v, lambda msg: self.fail(name, msg))

    def flag(self, name: str) -> bool | None:
        v = self.table.get(name)
        if v is not None and not isinstance(v, bool):
            self.fail(name, _("must be true or false"))
        return v

    def str_list(self, name: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...] | None:
        v = self.table.get(name)
        if v is None:
            return None
        if not isinstance(v, list) or not v or not all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in v):
            self.fail(name, _("must be a non-empty list of values"))
        out = tuple(str(x) for x in v)
        if allowed is not None:
            for x in out:
                if x not in allowed:
                    self.fail(name, _("{value!r} is not one of: {allowed}").format(value=x, allowed=", ".join(allowed)))
        if len(set(out)) != len(out):
            self.fail(name, _("lists a value twice"))
        return out


def parse_amount(v: Any, fail: Callable[[str], NoReturn]) -> Decimal:
    """A yuan amount from a policy file: an integer or a decimal string, never a float."""
    if isinstance(v, bool) or isinstance(v, float) or not isinstance(v, (int, str)):
        fail(_("must be an amount written as an integer or a decimal string such as \"150000\", not {value!r}").format(value=v))
    try:
        d = Decimal(str(v).strip())
    except InvalidOperation:
        fail(_("{value!r} is not a decimal amount (write yuan in figures, e.g. \"50000\")").format(value=v))
    if not d.is_finite() or d < 0 or d != d.quantize(Decimal("0.01")):
        fail(_("{value!r} is not an amount of yuan with at most two decimal places").format(value=v))
    return d


# ---------------------------------------------------------------- sections

POLICY_KEYS = ("id", "title", "document_number", "issuer", "region_code", "issued", "effective", "expires",
               "effective_clause", "effective_text", "source", "extends", "notes", "horizon", "horizon_text",
               "decided_by", "decided_on")
RULE_KEYS = ("id", "clause", "text", "kind", "label", "pay", "fund", "amount", "amounts", "by",
             "percent_by_rank", "pool", "group", "notes", "when", "changed")
WHEN_KEYS = ("level", "action", "body", "prize", "grade", "domain", "accepted", "rank", "ref_prefix", "dates")
TARGET_KEYS = ("id", "clause", "text", "goal", "goal_text", "unit", "deadline", "from", "count", "notes", "scope")
SCOPE_KEYS = WHEN_KEYS + ("kind",)
TOP_KEYS = ("policy", "funds", "pools", "notes", "labels", "rules", "targets", "case")


class Header(TypedDict):
    """The checked ``[policy]`` table."""

    id: str
    title: str
    issuer: str
    document_number: str | None
    effective_clause: str | None
    effective_text: str | None
    source: str | None
    region_code: str
    issued: dt.date
    effective: dt.date | None
    expires: dt.date | None
    extends: str | None
    notes: tuple[str, ...]
    horizon: dt.date | None
    horizon_text: str | None
    decided_by: str | None
    decided_on: dt.date | None


class FundRow(TypedDict):
    """A checked ``[funds.ID]`` table (its pools are attached when the policy is built)."""

    name: str
    clause: str | None
    text: str | None


def check_header(file: str | Path, doc: dict[str, Any]) -> Header:
    c = _Checker(file, "policy", doc.get("policy"))
    c.only(POLICY_KEYS)
    pid = c.ident("id")
    title, issuer = c.text("title"), c.text("issuer")
    number, effective_clause = c.text("document_number", False), c.text("effective_clause", False)
    effective_text, source = c.text("effective_text", False), c.text("source", False)
    region = c.table.get("region_code")
    if not isinstance(region, str) or not re.fullmatch(r"\d{6}", region):
        c.fail("region_code", _("must be a six-digit GB/T 2260 code in quotes"))
    issued = c.date("issued", required=True)
    effective = c.date("effective")
    expires = c.date("expires")
    if effective and not effective_clause:
        c.fail("effective_clause", _("the clause that sets the effective date is required with effective"))
    if expires and expires < (effective or issued):
        c.fail("expires", _("is before the policy takes effect"))
    ext = c.table.get("extends")
    extends = c.ident("extends") if ext is not None else None
    notes = c.str_list("notes") or ()
    # The policy's own horizon (到2015年): awards after it are flagged, not refused.
    horizon = c.date("horizon")
    horizon_text = c.text("horizon_text", required=horizon is not None)
    # A local measure: the office document that decided it (文号 and date).
    decided_by = c.text("decided_by", required=False)
    decided_on = c.date("decided_on")
    return Header(id=pid, title=title, issuer=issuer, document_number=number, effective_clause=effective_clause,
                  effective_text=effective_text, source=source, region_code=region, issued=issued,
                  effective=effective, expires=expires, extends=extends, notes=notes, horizon=horizon,
                  horizon_text=horizon_text, decided_by=decided_by, decided_on=decided_on)


def check_funds(file: str | Path, doc: dict[str, Any]) -> dict[str, FundRow]:
    top = _Checker(file, "funds", doc.get("funds", {}))
    out: dict[str, FundRow] = {}
    for fid in top.table:
        top.ident(fid, fid)
        c = top.sub(fid)
        c.only(("name", "clause", "text"))
        out[fid] = FundRow(name=c.text("name"), clause=c.text("clause", False), text=c.text("text", False))
    return out


def check_pools(file: str | Path, doc: dict[str, Any], funds: Mapping[str, object]) -> dict[str, Pool]:
    top = _Checker(file, "pools", doc.get("pools", {}))
    out: dict[str, Pool] = {}
    for pid in top.table:
        top.ident(pid, pid)
        c = top.sub(pid)
        c.only(("fund", "name", "clause", "text", "years", "budget"))
        fund = c.text("fund")
        if fund not in funds:
            c.fail("fund", _("no fund {id} in [funds]").format(id=fund))
        years = c.table.get("years")
        if not isinstance(years, list) or not years or not all(isinstance(y, int) and not isinstance(y, bool)
                                                                and 1949 < y < 2100 for y in years):
            c.fail("years", _("must be a list of years, e.g. [2013, 2014, 2015]"))
        out[pid] = Pool(pid, fund, c.text("name"), c.text("clause"), c.text("text"), tuple(sorted(years)),
                        c.money("budget"))
    return out


def check_notes(file: str | Path, doc: dict[str, Any]) -> dict[str, Note]:
    top = _Checker(file, "notes", doc.get("notes", {}))
    out: dict[str, Note] = {}
    for nid in top.table:
        top.ident(nid, nid)
        c = top.sub(nid)
        c.only(("clause", "literal", "reading", "why", "applies", "concerns"))
        concerns = c.text("concerns", required=False)
        if concerns not in (None, "amount"):
            c.fail("concerns", _("is \"amount\" (a reading of the text's figures) or left out"))
        applies = check_conditions(c.sub("applies"), WHEN_KEYS) if "applies" in c.table else None
        out[nid] = Note(nid, c.text("clause"), c.text("literal"), c.text("reading"), c.text("why"), applies)
    return out


def check_labels(file: str | Path, doc: dict[str, Any]) -> dict[str, dict[str, str]]:
    top = _Checker(file, "labels", doc.get("labels", {}))
    out: dict[str, dict[str, str]] = {}
    for group in top.table:
        c = top.sub(group)
        out[group] = {}
        for k, v in c.table.items():
            if not isinstance(v, str):
                c.fail(k, _("must be text"))
            out[group][k] = v
    return out


def check_conditions(c: _Checker, allowed_keys: tuple[str, ...]) -> Conditions:
    c.only(allowed_keys)
    values: dict[str, frozenset[str]] = {}
    for name, allowed in CONDITION_VALUES.items():
        lst = c.str_list(name, allowed)
        if lst is not None:
            if name == "grade":
                for g in lst:
                    if not _GRADE.match(g):
                        c.fail(name, _("a grade is 1, 2, 3 (prizes) or A to AAAAA, not {value!r}").format(value=g))
            values[name] = frozenset(lst)
    rank = None
    if "rank" in c.table:
        rc = c.sub("rank")
        rc.only(("from", "to"))
        lo, hi = rc.table.get("from", 1), rc.table.get("to")
        for k, v in (("from", lo), ("to", hi)):
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
                rc.fail(k, _("must be a whole number from 1"))
        if hi is not None and hi < lo:
            rc.fail("to", _("is smaller than from"))
        rank = (lo, hi)
    dates = None
    if "dates" in c.table:
        dc = c.sub("dates")
        dc.only(("from", "to"))
        dates = (dc.date("from"), dc.date("to"))
        if dates == (None, None):
            dc.fail("", _("give from, to or both"))
        if dates[0] and dates[1] and dates[1] < dates[0]:
            dc.fail("to", _("is before from"))
    prefixes = c.str_list("ref_prefix") or ()
    return Conditions(values, c.flag("accepted"), rank, tuple(p.upper() for p in prefixes), dates)


def _entries(file: str | Path, doc: dict[str, Any], section: str,
             keys: tuple[str, ...]) -> Iterator[tuple[_Checker, str]]:
    """Each table of an array section ([[rules]], [[targets]]) with its id, checked unique."""
    raw = doc.get(section, [])
    if not isinstance(raw, list):
        raise PolicyError(file, section, _("must be an array of tables ([[{section}]])").format(section=section))
    seen: set[str] = set()
    for i, body in enumerate(raw):
        c = _Checker(file, f"{section}[{i}]", body)
        eid = c.ident("id")
        c.path = f"{section}[{i}] ({eid})"
        c.only(keys)
        if eid in seen:
            c.fail("id", _("the id {id} is used twice").format(id=eid))
        seen.add(eid)
        yield c, eid


def _note_ids(c: _Checker, notes: dict[str, Note]) -> tuple[str, ...]:
    ids = c.str_list("notes") or ()
    for n in ids:
        if n not in notes:
            c.fail("notes", _("no note {id} in [notes]").format(id=n))
    return ids


def check_rules(file: str | Path, doc: dict[str, Any], funds: Mapping[str, object], pools: dict[str, Pool],
                notes: dict[str, Note]) -> list[Rule]:
    out: list[Rule] = []
    for c, rid in _entries(file, doc, "rules", RULE_KEYS):
        clause, text = c.text("clause"), c.text("text")
        kind = c.text("kind")
        if kind not in KINDS:
            c.fail("kind", _("{value!r} is not one of: {allowed}").format(value=kind, allowed=", ".join(KINDS)))
        pay = c.text("pay")
        if pay not in PAY_MODES:
            c.fail("pay", _("{value!r} is not one of: {allowed}").format(value=pay, allowed=", ".join(PAY_MODES)))
        when = check_conditions(c.sub("when"), WHEN_KEYS)
        for name in when.values:
            if name not in KIND_FIELDS[kind]:
                c.fail(f"when.{name}", _("the field {field} does not apply to kind {kind}").format(field=name, kind=kind))
        if when.rank and "rank" not in KIND_FIELDS[kind]:
            c.fail("when.rank", _("the field {field} does not apply to kind {kind}").format(field="rank", kind=kind))
        if when.accepted is not None and "accepted" not in KIND_FIELDS[kind]:
            c.fail("when.accepted", _("the field {field} does not apply to kind {kind}").format(field="accepted", kind=kind))
        fund = c.text("fund", required=False)
        if fund is not None and fund not in funds:
            c.fail("fund", _("no fund {id} in [funds]").format(id=fund))
        amount = amounts = by = pct = pool = None
        present = {k for k in ("amount", "amounts", "by", "percent_by_rank", "pool") if k in c.table}
        if pay == "amount":
            if fund is None:
                c.fail("fund", _("a rule that pays must name its fund"))
            if ("amount" in present) == ("amounts" in present):
                c.fail("amount", _("give either amount (one figure) or amounts with by (a table)"))
            if "pool" in present:
                c.fail("pool", _("only discretionary rules draw on a pool"))
            if "amount" in present:
                amount = c.money("amount")
                if "by" in present:
                    c.fail("by", _("by goes with an amounts table"))
            else:
                by = c.text("by")
                if by not in CONDITION_VALUES or by not in KIND_FIELDS[kind]:
                    c.fail("by", _("cannot key amounts by {value!r} for kind {kind}").format(value=by, kind=kind))
                if by in when.values:
                    c.fail(f"when.{by}", _("the amounts table already lists the {field} values this rule takes").format(field=by))
                tc = c.sub("amounts")
                if not tc.table:
                    tc.fail("", _("the amounts table is empty"))
                allowed = CONDITION_VALUES[by]
                amounts = {}
                for k in tc.table:
                    if (allowed is not None and k not in allowed) or (by == "grade" and not _GRADE.match(k)):
                        tc.fail(k, _("{value!r} is not a {field} value").format(value=k, field=by))
                    amounts[k] = tc.money(k)
            if "percent_by_rank" in present:
                pc = c.sub("percent_by_rank")
                first, last = when.rank or (1, None)
                if last is None:
                    c.fail("percent_by_rank", _("needs a closed rank range in when.rank"))
                pct = {}
                for k in pc.table:
                    if not k.isdigit():
                        pc.fail(k, _("keys are ranks (1, 2, 3 ...)"))
                    pct[int(k)] = pc.money(k)
                    if pct[int(k)] > 100:
                        pc.fail(k, _("a percentage above 100"))
                missing = [r for r in range(first, last + 1) if r not in pct]
                extra = [r for r in pct if not first <= r <= last]
                if missing or extra:
                    c.fail("percent_by_rank", _("must give exactly the ranks {lo} to {hi}").format(lo=first, hi=last))
        elif pay == "discretionary":
            pool = c.text("pool")
            if pool not in pools:
                c.fail("pool", _("no pool {id} in [pools]").format(id=pool))
            if fund is None:
                fund = pools[pool].fund
            elif fund != pools[pool].fund:
                c.fail("fund", _("the pool {pool} belongs to fund {fund}").format(pool=pool, fund=pools[pool].fund))
            for k in present - {"pool"}:
                c.fail(k, _("a discretionary rule leaves the amount to the office"))
        else:
            for k in present:
                c.fail(k, _("an unspecified rule sets no amount"))
        rnotes = _note_ids(c, notes)
        out.append(Rule(rid, clause, text, kind, pay, c.text("label", False) or "{kind}", when, fund, amount,
                        amounts, by, pct, pool, c.text("group", False), rnotes, c.text("changed", False)))
    check_overlaps(file, out)
    return out


def _value_set(rule: Rule, name: str) -> frozenset[str] | None:
    if rule.by == name and rule.amounts is not None:
        return frozenset(rule.amounts)
    return rule.when.values.get(name)


def _ranges_meet(a: tuple[Any, Any] | None, b: tuple[Any, Any] | None) -> bool:
    if a is None or b is None:
        return True
    lo = max(x for x in (a[0], b[0]) if x is not None) if (a[0] is not None or b[0] is not None) else None
    his = [x for x in (a[1], b[1]) if x is not None]
    return lo is None or not his or lo <= min(his)


def check_overlaps(file: str | Path, rules: list[Rule]) -> None:
    """Two rules of one group that could take the same achievement with overlapping ranks: an error."""
    for i, a in enumerate(rules):
        for b in rules[i + 1:]:
            if not a.group or a.group != b.group or a.kind != b.kind:
                continue
            if any((sa := _value_set(a, n)) is not None and (sb := _value_set(b, n)) is not None and not sa & sb
                   for n in CONDITION_VALUES):
                continue
            if a.when.accepted is not None and b.when.accepted is not None and a.when.accepted != b.when.accepted:
                continue
            if not _ranges_meet(a.when.dates, b.when.dates):
                continue
            if _ranges_meet(a.when.rank, b.when.rank):
                idx = rules.index(b)
                raise PolicyError(file, f"rules[{idx}] ({b.id}).when.rank", _(
                    "the rank range overlaps rule {other} of group {group}").format(other=a.id, group=a.group))


def check_targets(file: str | Path, doc: dict[str, Any], notes: dict[str, Note]) -> list[Target]:
    out = []
    for c, tid in _entries(file, doc, "targets", TARGET_KEYS):
        count = c.text("count")
        if count not in COUNT_MODES:
            c.fail("count", _("{value!r} is not one of: {allowed}").format(value=count, allowed=", ".join(COUNT_MODES)))
        sc = c.sub("scope")
        kinds = sc.str_list("kind", KINDS) or ()
        scope = check_conditions(sc, SCOPE_KEYS)
        if count != "entered" and not kinds:
            c.fail("scope.kind", _("a counted target names the kinds it counts"))
        if count == "entered" and sc.table:
            c.fail("scope", _("an entered target has no scope"))
        tnotes = _note_ids(c, notes)
        out.append(Target(tid, c.text("clause"), c.text("text"), c.money("goal"), count, scope, kinds,
                          c.text("goal_text", False), c.text("unit", False), c.date("deadline"), c.date("from"), tnotes))
    return out


def check_top(file: str | Path, doc: dict[str, Any]) -> None:
    for k in doc:
        if k not in TOP_KEYS:
            raise PolicyError(file, k, _("unknown top-level table (allowed: {keys})").format(keys=", ".join(TOP_KEYS)))
