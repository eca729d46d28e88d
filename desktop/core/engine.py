"""The award engine: what each achievement is owed under a policy, and why, clause by clause.

``compute(policy, achievements, prior, pool_spent)`` gives one ``AwardResult`` per achievement in
input order. How it stays fast (100,000 rows well under a second): the decision for an achievement
depends only on its kind, level, action, rank, body, prize, grade, domain, acceptance, which
"date bucket" it falls in (between the policy's date boundaries) and, when a rule looks at it, which
standard-number prefix it has. Each distinct combination is decided once by the readable slow path
(``decide``) and then served from a dict; per row remains one dict lookup, the duplicate check and
building the result.

Explanations are composed in Chinese from the policy's labels (``policies/common/labels.toml``,
overridable per policy): the policy texts are Chinese and the explanation is part of the award.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from desktop.core.award import AwardResult, Totals, totals
from desktop.core.money import ZERO, to_money, yuan_short
from desktop.core.policy_schema import CONDITION_VALUES, Conditions, Note, Rule
from desktop.core.vocabulary import KIND_FIELDS, Achievement, Identity, identity_detail, standard_key

if TYPE_CHECKING:  # only for annotations: policies loads the engine when it runs its worked cases
    from desktop.core.policies import Policy

_HUNDRED = Decimal(100)
_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A decision shared by every achievement with the same deciding fields."""

    status: str
    amount: Decimal | None
    rule: str | None
    clause: str | None
    explanation: str
    flags: tuple[str, ...]
    fund: str | None
    pool: str | None = None  # discretionary: the explanation is completed per year


# ---------------------------------------------------------------- labels and phrases

class _Words:
    """Label lookups and phrase formatting for one policy."""

    def __init__(self, policy: Policy) -> None:
        self.labels = policy.labels
        self.policy = policy

    def label(self, group: str, value: Any) -> str:
        if value is None:
            return ""
        return self.labels.get(group, {}).get(str(value), str(value))

    def value_label(self, name: str, value: Any, kind: str) -> str:
        """A condition value in the words of its kind: 国家 (标准) but 国家级 (试点)."""
        return self.label("tier" if name == "level" and kind != "standard" else name, value)

    def value_list(self, name: str, values: Iterable[str], kind: str) -> str:
        """Allowed values in rank order (国际、国家、行业、地方 …; 一等奖、二等奖 …), one style."""
        return "、".join(self.value_label(name, v, kind) for v in sorted(values, key=lambda v: value_rank(name, v)))

    def describe(self, a: Achievement) -> str:
        """The achievement itself (not the rule that refused it): 国家级工业标准化试点示范项目."""
        ctx = {"level": self.label("level", a.level), "tier": self.label("tier", a.level),
               "action": self.label("action", a.action), "body": self.label("body", a.body),
               "prize": self.label("prize", a.prize), "grade": self.label("grade", a.grade),
               "domain": self.label("domain", a.domain),
               "rank": f" 第{a.rank}位" if a.rank is not None else ""}
        text = self.labels.get("describe", {}).get(a.kind)
        return text.format_map(ctx) if text else self.label("kind", a.kind)

    def scope(self, rule: Rule) -> str:
        """What a rule pays for, in words, with its clause: 五(二)2 国际、国家…标准制定 主要起草单位（第1至2位）."""
        ctx: dict[str, str] = {"rank": ""}
        for name in CONDITION_VALUES:
            allowed = frozenset(rule.amounts) if rule.by == name and rule.amounts else rule.when.values.get(name)
            ctx[name] = self.value_list(name, allowed, rule.kind) if allowed else ""
        ctx["tier"] = ctx["level"]
        if not ctx["action"] and rule.kind == "standard":
            ctx["action"] = self.phrase("any_action")
        for name in ("prize", "body"):  # a clause for any prize or committee: 标准奖项, 技术委员会, not a gap
            if not ctx[name]:
                ctx[name] = self.phrase(f"any_{name}")
        text = rule.label.format_map(ctx).strip()
        if rule.when.rank is not None:
            lo, hi = rule.when.rank
            text += (self.phrase("scope_rank_from", lo=lo) if hi is None else
                     self.phrase("scope_rank_only", lo=lo) if lo == hi else
                     self.phrase("scope_rank_range", lo=lo, hi=hi))
        return f"{rule.clause} {text}"

    def phrase(self, name: str, **kw: Any) -> str:
        return self.labels["phrase"][name].format(**kw)

    def rule_label(self, rule: Rule, a: Achievement) -> str:
        ctx = {"kind": self.label("kind", a.kind), "level": self.label("level", a.level),
               "tier": self.label("tier", a.level), "action": self.label("action", a.action),
               "body": self.label("body", a.body), "prize": self.label("prize", a.prize),
               "grade": self.label("grade", a.grade), "domain": self.label("domain", a.domain),
               "rank": a.rank if a.rank is not None else ""}
        return rule.label.format_map(ctx)

    def date(self, d: dt.date) -> str:
        return self.phrase("date", y=d.year, m=d.month, d=d.day)


def rule_label(policy: Policy, rule: Rule, achievement: Achievement) -> str:
    """A rule's label filled in for one achievement (国家标准制定 主要起草单位…), worded as the
    engine words its explanations; for summaries, notices and the GUI."""
    return _Words(policy).rule_label(rule, achievement)


def note_flag(policy: Policy, note: Note) -> str:
    """The flag an officer sees on every award computed from a judgment call."""
    return _Words(policy).phrase("note", clause=note.clause, literal=note.literal, reading=note.reading, why=note.why)


# Rank order of condition values in lists (a level list reads 国际、国家、行业、省级、地方 …).
_ORDER: dict[str, tuple[str, ...]] = {
    "level": ("international", "national", "industry", "provincial", "local", "municipal", "group", "enterprise"),
    "grade": ("1", "2", "3", "AAAAA", "AAAA", "AAA", "AA", "A"),
}


def value_rank(name: str, value: str) -> tuple[int, str]:
    order = _ORDER.get(name) or CONDITION_VALUES.get(name) or ()
    return (order.index(value) if value in order else len(order), str(value))


# ---------------------------------------------------------------- the readable slow path

def _failures(w: _Words, rule: Rule, a: Achievement) -> list[str]:
    """Why ``rule`` does not take ``a`` (dates aside); empty when it does."""
    out: list[str] = []
    for name in CONDITION_VALUES:
        allowed = rule.when.values.get(name)
        if rule.by == name and rule.amounts is not None:
            allowed = frozenset(rule.amounts)
        if allowed is None:
            continue
        value = getattr(a, name)
        if value is None:
            out.append(w.phrase("missing", field=w.label("field", name)))
        elif value not in allowed:
            out.append(w.phrase("not_covered", field=w.label("field", name), value=w.value_label(name, value, a.kind),
                                allowed=w.value_list(name, allowed, a.kind)))
    if rule.when.rank is not None:
        lo, hi = rule.when.rank
        if a.rank is None:
            out.append(w.phrase("missing", field=w.label("field", "rank")))
        elif a.rank < lo or (hi is not None and a.rank > hi):
            if hi is None:
                out.append(w.phrase("rank_from", rank=a.rank, lo=lo))
            elif lo == hi:
                out.append(w.phrase("rank_only", rank=a.rank, lo=lo))
            else:
                out.append(w.phrase("rank_range", rank=a.rank, lo=lo, hi=hi))
    if rule.when.accepted is not None and a.accepted is not rule.when.accepted:
        out.append(w.phrase("not_accepted"))
    if rule.when.ref_prefix and not (a.ref and a.ref.upper().startswith(rule.when.ref_prefix)):
        out.append(w.phrase("ref_prefix", prefixes="、".join(rule.when.ref_prefix)))
    return out


def _nearness(rule: Rule, why: list[str], a: Achievement) -> tuple[int, int, int, int]:
    """Which failing rule explains a refusal best: the one whose categories (level, body, prize ...)
    fit, failing only on rank or acceptance; a rule for another action (制定 vs 修订) or prize is
    further away; then the fewest failures and the nearest rank range."""
    def misses(name: str) -> bool:
        allowed = frozenset(rule.amounts) if rule.by == name and rule.amounts else rule.when.values.get(name)
        return allowed is not None and getattr(a, name) not in allowed

    categories = sum(1 for n in CONDITION_VALUES if misses(n))
    far = sum(1 for n in ("action", "prize") if misses(n))
    dist = 0
    if rule.when.rank and a.rank is not None:
        lo, hi = rule.when.rank
        dist = lo - a.rank if a.rank < lo else (a.rank - hi if hi is not None and a.rank > hi else 0)
    return categories, far, len(why), dist


def _clause_reason(w: _Words, fails: Sequence[tuple[Rule, list[str]]], a: Achievement) -> str:
    """Why the rules of one clause all leave an achievement out. A value that none of them takes is
    said against all their values together (级别“市级”不在本条款范围内（国家级、省级）, not only the
    nearest rule's 国家级); otherwise the nearest rule's reasons."""
    if len(fails) == 1:
        return "；".join(fails[0][1])
    out: list[str] = []
    for name in CONDITION_VALUES:
        value = getattr(a, name)
        if value is None:
            continue
        allowed: set[str] = set()
        for rule, _why in fails:
            values = frozenset(rule.amounts) if rule.by == name and rule.amounts else rule.when.values.get(name)
            if values is None or value in values:
                break
            allowed |= values
        else:
            out.append(w.phrase("not_covered", field=w.label("field", name), value=w.value_label(name, value, a.kind),
                                allowed=w.value_list(name, allowed, a.kind)))
    return "；".join(out or min(fails, key=lambda rf: _nearness(rf[0], rf[1], a))[1])


def _period(policy: Policy, rule: Rule) -> tuple[dt.date | None, dt.date | None]:
    lo, hi = rule.when.dates or (None, None)
    if rule.pool:
        years = policy.pools[rule.pool].years
        plo, phi = dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)
        lo, hi = max(lo, plo) if lo else plo, min(hi, phi) if hi else phi
    return lo, hi


def _in_period(policy: Policy, rule: Rule, d: dt.date) -> bool:
    lo, hi = _period(policy, rule)
    if rule.pool and d.year not in policy.pools[rule.pool].years:
        return False
    return (lo is None or d >= lo) and (hi is None or d <= hi)


def _applies(c: Conditions | None, a: Achievement) -> bool:
    """Whether an achievement meets a note's ``applies`` conditions (None: every award)."""
    if c is None:
        return True
    for name, allowed in c.values.items():
        if getattr(a, name) not in allowed:
            return False
    if c.accepted is not None and a.accepted is not c.accepted:
        return False
    if c.rank is not None:
        lo, hi = c.rank
        if a.rank is None or a.rank < lo or (hi is not None and a.rank > hi):
            return False
    return True


def _flags(policy: Policy, note_ids: Sequence[str], a: Achievement | None = None) -> tuple[str, ...]:
    """The notes that travel with an award: only those whose reading affects this achievement."""
    return tuple(note_flag(policy, policy.notes[n]) for n in note_ids
                 if a is None or _applies(policy.notes[n].applies, a))


def _horizon(policy: Policy, w: _Words, a: Achievement) -> tuple[str, ...]:
    if policy.horizon and a.date > policy.horizon:
        return (w.phrase("past_horizon", horizon=policy.horizon_text, date=w.date(policy.horizon)),)
    return ()


def decide(policy: Policy, a: Achievement) -> Outcome:
    """The award for one achievement, ignoring duplicates (the readable reference path)."""
    w = _Words(policy)
    rules = [r for r in policy.rules if r.kind == a.kind]
    if not rules:
        return Outcome("not_eligible", None, None, None,
                       w.phrase("no_clause", kind=w.label("kind", a.kind)), (), None)
    fails = [(r, _failures(w, r, a)) for r in rules]
    matching = [r for r, f in fails if not f]
    date_flags = _flags(policy, policy.policy_notes)
    first = matching[0] if matching else None
    if a.date < policy.starts:
        return Outcome("not_eligible", None, first.id if first else None,
                       first.clause if first else policy.effective_clause,
                       w.phrase("before_effective", date=w.date(policy.starts)), date_flags, None)
    if policy.expires and a.date > policy.expires:
        return Outcome("not_eligible", None, first.id if first else None,
                       first.clause if first else None,
                       w.phrase("closed_by_office" if policy.closed_by_office else "after_expiry",
                                date=w.date(policy.expires)), date_flags, None)
    if not matching:
        rule, why = min(fails, key=lambda rf: _nearness(rf[0], rf[1], a))
        scopes = "；".join(dict.fromkeys(w.scope(r) for r in rules))
        clauses: dict[str, list[tuple[Rule, list[str]]]] = {}
        for r, f in fails:
            clauses.setdefault(r.clause, []).append((r, f))
        if len(clauses) == 1:
            text = w.phrase("not_eligible", what=w.describe(a), clause=rule.clause, reason=_clause_reason(w, fails, a),
                            kind=w.label("kind", a.kind), scopes=scopes)
        else:  # why each clause that pays for this kind leaves it out (泉州: 四(三)1 第1位 only, 四(三)2 no 地方标准)
            reasons = "；".join(w.phrase("clause_reason", clause=c, reason=_clause_reason(w, members, a))
                               for c, members in clauses.items())
            text = w.phrase("not_eligible_clauses", what=w.describe(a), reasons=reasons,
                            kind=w.label("kind", a.kind), scopes=scopes)
        return Outcome("not_eligible", None, rule.id, rule.clause, text, (), None)
    first = matching[0]
    in_time = [r for r in matching if _in_period(policy, r, a.date)]
    if not in_time:
        lo, hi = _period(policy, first)
        if first.pool:
            years = policy.pools[first.pool].years
            span = w.phrase("years", lo=years[0], hi=years[-1])
        else:
            span = w.phrase("span", lo=w.date(lo) if lo else "", hi=w.date(hi) if hi else "")
        return Outcome("not_eligible", None, first.id, first.clause,
                       w.phrase("outside_period", label=w.rule_label(first, a), span=span),
                       _flags(policy, first.notes, a), None)
    rule = in_time[0]
    label = w.rule_label(rule, a)
    flags = _flags(policy, rule.notes, a) + _horizon(policy, w, a)
    if rule.pay == "unspecified":
        return Outcome("unspecified", None, rule.id, rule.clause, w.phrase("unspecified", label=label), flags, rule.fund)
    if rule.pay == "discretionary":
        return Outcome("discretionary", None, rule.id, rule.clause, label, flags, rule.fund, rule.pool)
    if rule.amount is not None:
        base = rule.amount
    else:  # the schema gives a paying rule either amount or amounts with by
        assert rule.amounts is not None and rule.by is not None
        base = rule.amounts[getattr(a, rule.by)]
    if rule.percent_by_rank:
        assert a.rank is not None  # percent_by_rank needs a closed when.rank, which a matching rule met
        pct = rule.percent_by_rank[a.rank]
        amount = to_money(base * pct / _HUNDRED)
        text = w.phrase("percent", label=label, rank=a.rank, base=yuan_short(base),
                        pct=format(pct.normalize(), "f"), amount=yuan_short(amount))
    else:
        amount = to_money(base)
        if rule.when.rank is not None:
            text = w.phrase("ranked", label=label, rank=a.rank, amount=yuan_short(amount))
        else:
            text = w.phrase("fixed", label=label, amount=yuan_short(amount))
    return Outcome("awarded", amount, rule.id, rule.clause, text, flags, rule.fund)


# ---------------------------------------------------------------- compiled fast path

# The values that decide an achievement's outcome (see the module's docstring): kind, level, action,
# rank, body, prize, grade, domain, accepted, date bucket, standard-number prefix (-1: none looked at).
_Key = tuple[str, str | None, str | None, int | None, str | None, str | None, str | None, str | None,
             bool | None, int, int]


class _Compiled:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.words = _Words(policy)
        points = {policy.starts}
        if policy.expires:
            points.add(policy.expires + _DAY)
        if policy.horizon:
            points.add(policy.horizon + _DAY)
        prefixes: set[str] = set()
        for r in policy.rules:
            lo, hi = _period(policy, r)
            if lo:
                points.add(lo)
            if hi:
                points.add(hi + _DAY)
            if r.pool:
                points.update(dt.date(y, 1, 1) for y in policy.pools[r.pool].years)
                points.update(dt.date(y + 1, 1, 1) for y in policy.pools[r.pool].years)
            prefixes.update(r.when.ref_prefix)
        self.points = sorted(points)
        self.prefixes = tuple(sorted(prefixes))
        self.cache: dict[_Key, Outcome] = {}
        self.prefix_cache: dict[str | None, int] = {None: -1}

    def prefix_of(self, ref: str | None) -> int:
        hit = self.prefix_cache.get(ref)
        if hit is None:  # (None is cached: never a miss)
            up = (ref or "").upper()
            hit = next((i for i, p in enumerate(self.prefixes) if up.startswith(p)), -1)
            self.prefix_cache[ref] = hit
        return hit


def _compiled(policy: Policy) -> _Compiled:
    comp = policy._compiled
    if comp is None:
        comp = policy._compiled = _Compiled(policy)
    return comp


_OWN: dict[str, Callable[[Achievement], tuple[Any, ...]]] = {}
for _kind, _fields in KIND_FIELDS.items():
    if not _fields:
        _OWN[_kind] = lambda a: ()
    elif len(_fields) == 1:
        _OWN[_kind] = (lambda g: (lambda a: (g(a),)))(attrgetter(_fields[0]))
    else:
        _OWN[_kind] = attrgetter(*_fields)


class IdentityMaker:
    """``Achievement.identity()`` with the standard-number parse remembered per ref (it is the
    costly part). Must agree with ``Achievement.identity`` exactly (tested)."""

    def __init__(self) -> None:
        self.refs: dict[str, str | None] = {}

    def __call__(self, a: Achievement) -> Identity:
        ref = a.ref
        if ref:
            return (a.enterprise, a.kind, self.key(ref), identity_detail(a))
        return (a.enterprise, a.kind, None, _OWN[a.kind](a), a.date.year)

    def key(self, ref: str) -> str | None:
        """``Achievement.standard_key`` of a record with this (non-empty) ref."""
        key = self.refs.get(ref)
        if key is None:
            key = self.refs[ref] = standard_key(ref)
        return key


# A coarser key than the normalised standard number, cheap to make: equal standard keys always
# give equal rough keys, so only rows whose rough keys meet need the exact (costly) identity.
# A ref typed with a full-width input method or pasted with a non-breaking space has the standard key
# of the plain one (the key is taken of its NFKC form, its white space any), so its rough key must be
# too: such a ref is folded the same way first (an ASCII ref, nearly all, is not touched).
_ROUGH = str.maketrans({"—": "-", "–": "-", "‐": "-", "－": "-", "／": "/", "：": ":"})


def _rough(ref: str) -> str:
    if not ref.isascii():
        ref = unicodedata.normalize("NFKC", ref)
    return "".join(ref.upper().split()).translate(_ROUGH)


# Like Identity with the standard key replaced by the rough form of the ref.
_Rough = tuple[str, str, str, str | None] | tuple[str, str, None, tuple[Any, ...], int]


# What the duplicate check keeps of a paid or payable claim until the batch is done: its id, its ref
# and its title (a later claim of the same achievement names it by them). The rest of the record is
# in its key (``_Duplicates.rough``); keeping the whole record kept its global id, its note and a
# 19-slot object per claim: ~180 MB of the 550,000 claims of a round of 10⁶.
_Claim = tuple[str, str | None, str | None]


class _Duplicates:
    """Finds claims of the same achievement within a batch and against the database."""

    def __init__(self, prior: Mapping[Identity, str]) -> None:
        self.exact = IdentityMaker()
        self.prior = prior
        self.prior_rough: dict[_Rough, bool] = {}
        for ident in prior:
            if ident[2] is not None:
                self.prior_rough[(ident[0], ident[1], _rough(ident[2]), ident[3])] = True
        # rough key -> claim, or list of [claim, its identity or None until needed]
        self.seen: dict[_Rough, _Claim | list[list[Any]]] = {}

    def rough(self, a: Achievement) -> _Rough:
        if a.ref:
            return (a.enterprise, a.kind, _rough(a.ref), identity_detail(a))
        return (a.enterprise, a.kind, None, _OWN[a.kind](a), a.date.year)

    def _identity(self, rough: _Rough, claim: _Claim) -> Identity:
        """A kept claim's identity (``IdentityMaker``'s): without a ref its rough key is its identity."""
        ref = claim[1]
        if not ref:
            return rough
        return (rough[0], rough[1], self.exact.key(ref), rough[3])  # type: ignore[return-value]

    def check(self, a: Achievement) -> tuple[str | None, bool]:
        """(id of the earlier paid or payable claim in the batch, or None; whether it was awarded
        before). Call only for a claim that is itself paid or payable: a refused claim never makes
        a later one a duplicate. Without a ref the match is only possible (the caller flags it)."""
        rough = self.rough(a)
        hit = self.seen.get(rough)
        ident: Identity | None = None
        if hit is None:
            self.seen[rough] = (a.id, a.ref, a.title)
        else:
            ident = self.exact(a)
            if not isinstance(hit, list):
                hit = self.seen[rough] = [[hit, None]]
            for entry in hit:
                if entry[1] is None:
                    entry[1] = self._identity(rough, entry[0])
                if entry[1] == ident:
                    if a.ref is None:
                        hit.append([(a.id, a.ref, a.title), ident])
                    return entry[0][0], False
            hit.append([(a.id, a.ref, a.title), ident])
        if self.prior and (a.ref is None or rough in self.prior_rough):
            ident = ident or self.exact(a)
            other = self.prior.get(ident)
            if other is not None and other != a.id:
                return other, True
        return None, False

    def claimed(self, a: Achievement, other: str) -> str:
        """The earlier claim ``other`` of the batch that ``a`` repeats, named as it was entered."""
        hit = self.seen.get(self.rough(a))
        if isinstance(hit, list):
            for entry in hit:
                if entry[0][0] == other:
                    return _claimed(a.kind, entry[0][2], entry[0][1])
        return claimed(a)


_DOCUMENTS = frozenset({"standard", "prize", "leader", "adoption", "self_declared"})  # titles set in 《》


def claimed(a: Achievement) -> str:
    """An achievement as a duplicate's explanation names it to the enterprise: its title and
    number (《茶叶加工技术规范》GB/T 20001-2014), not the office's own reference for the record."""
    return _claimed(a.kind, a.title, a.ref)


def _claimed(kind: str, title: str | None, ref: str | None) -> str:
    ref = ref or ""
    if not title:
        return ref
    return f"《{title}》{ref}" if kind in _DOCUMENTS else f"{title}{ref and '，' + ref}"


def compute(policy: Policy, achievements: Iterable[Achievement], prior: Mapping[Identity, str] | None = None,
            pool_spent: Mapping[str, Decimal] | None = None) -> list[AwardResult]:
    """One award per achievement, in input order.

    ``prior``: identities already awarded in the database -> the achievement id awarded (a record
    matched by its own id is not its own duplicate). ``pool_spent``: pool id -> amount already
    committed in the year of the achievements (for the remaining budget in explanations)."""
    return list(compute_iter(policy, achievements, prior, pool_spent))


def compute_iter(policy: Policy, achievements: Iterable[Achievement], prior: Mapping[Identity, str] | None = None,
                 pool_spent: Mapping[str, Decimal] | None = None) -> Iterator[AwardResult]:
    """``compute`` as a stream: each award is yielded as soon as its achievement has been taken from
    ``achievements`` (any iterable: a store reading a year a batch at a time), so neither the
    achievements nor the awards need be held whole. What it keeps grows only with the paid or
    payable claims (the duplicate check), never with the refused ones. The awards are those of
    ``compute``, value for value (the same loop: ``compute`` is this stream made a list)."""
    comp = _compiled(policy)
    cache, points, w = comp.cache, comp.points, comp.words
    use_prefix = bool(comp.prefixes)
    dupes = _Duplicates(prior or {})
    check = dupes.check
    spent = pool_spent or {}
    pool_text: dict[tuple[str, str, int], str] = {}
    for a in achievements:
        key: _Key = (a.kind, a.level, a.action, a.rank, a.body, a.prize, a.grade, a.domain, a.accepted,
               bisect_right(points, a.date), comp.prefix_of(a.ref) if use_prefix else -1)
        o = cache.get(key)
        if o is None:
            o = cache[key] = decide(policy, a)
        other, before = check(a) if o.status != "not_eligible" else (None, False)
        flags = o.flags
        if other is not None and a.ref is None:
            # Nothing on the record tells it apart from the other claim: the officer decides.
            flags = flags + (w.phrase("possible_duplicate_prior" if before else "possible_duplicate_batch",
                                      other=other, kind=w.label("kind", a.kind)),)
            other = None
        if other is not None:
            # the earlier claim in the batch, as it was entered; a prior award: this one's words
            what = claimed(a) if before else dupes.claimed(a, other)
            text = w.phrase("duplicate_prior" if before else "duplicate_batch", other=other, what=what)
            yield AwardResult(a.id, "duplicate", None, o.rule, o.clause, text, o.flags, a.enterprise, None, a.kind)
        elif o.pool is None:
            yield AwardResult(a.id, o.status, o.amount, o.rule, o.clause, o.explanation, flags,
                              a.enterprise, o.fund, a.kind)
        else:
            year = a.date.year
            said = pool_text.get((o.explanation, o.pool, year))
            if said is None:
                said = pool_text[(o.explanation, o.pool, year)] = _pool_text(policy, w, o.explanation, o.pool, year,
                                                                             spent)
            yield AwardResult(a.id, o.status, None, o.rule, o.clause, said, flags, a.enterprise, o.fund, a.kind)


def _pool_text(policy: Policy, w: _Words, label: str, pool_id: str, year: int, spent: Mapping[str, Decimal]) -> str:
    pool = policy.pools[pool_id]
    used = to_money(spent.get(pool_id, ZERO))
    return w.phrase("discretionary", label=label, pool=pool.name, year=year,
                    budget=yuan_short(pool.budget), spent=yuan_short(used),
                    remaining=yuan_short(max(pool.budget - used, ZERO)))


def explain_totals(results: Sequence[AwardResult]) -> Totals:
    """Totals per enterprise and per fund of what is awarded (and discretionary amounts set)."""
    return totals(list(results))


# ---------------------------------------------------------------- comparing two policies

def compare(policy_a: Policy, policy_b: Policy, achievements: Sequence[Achievement],
            prior: Mapping[Identity, str] | None = None) -> dict[str, Any]:
    """Per achievement and in total, what changes between two policies (or two versions)."""
    ra = compute(policy_a, achievements, prior)
    rb = compute(policy_b, achievements, prior)
    rows: list[dict[str, Any]] = []
    for x, y in zip(ra, rb):
        ax, ay = x.amount or ZERO, y.amount or ZERO
        changed = (x.status, x.amount) != (y.status, y.amount)
        rows.append({"id": x.id, "enterprise": x.enterprise, "changed": changed,
                     "a": x.to_json(), "b": y.to_json(), "difference": format(ay - ax, "f")})
    ta, tb = totals(ra), totals(rb)
    return {"a": policy_a.id, "b": policy_b.id, "rows": rows,
            "totals": {"a": format(ta.total, "f"), "b": format(tb.total, "f"),
                       "difference": format(tb.total - ta.total, "f"),
                       "changed": sum(1 for r in rows if r["changed"])}}
