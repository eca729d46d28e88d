"""The award rounds' work that is not persistence: the policy as the office applies it, the award
engine run over the year as it is read, the pools' budgets, and the rule that a round is reviewed by
someone who did not prepare it. ``desktop.store.rounds`` writes and reads the rows.

These take no session: ``desktop.operations.rounds`` checks the role (``Session.require``, once
per change) and then calls them; so do the other operations that need a round's policy or the
awards already made.
"""
from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

from desktop.core.award import AwardResult
from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.core.money import ZERO


def load_policy(policy_id: str) -> Any:
    """The policy as this office applies it: with its own measures, and closed on the date its
    settings give (``office.close_policy``), if any."""
    from desktop.core.policies import closing
    from desktop.core.policies import load_policy as load
    from desktop.store.office import local_policy_dirs, policy_closings

    return closing(load(policy_id, local_policy_dirs()), policy_closings().get(policy_id))


def prior_awards(exclude_round: Any = None) -> dict[tuple[Any, ...], str]:
    """Identities already awarded (awarded/discretionary, decision not rejected) -> achievement id;
    the first award of an identity names it."""
    from desktop.store.rounds import paying_achievements

    out: dict[tuple[Any, ...], str] = {}
    for a in paying_achievements(exclude_round):
        out.setdefault(a.identity(), a.id)
    return out


def pool_committed(policy: Any, year: int, exclude_award: int | None = None) -> dict[str, Decimal]:
    """Pool id -> amount already set on discretionary awards of that year (not rejected)."""
    from desktop.store.rounds import discretionary_amounts

    rule_pool = {r.id: r.pool for r in policy.rules if r.pool}
    spent: dict[str, Decimal] = {}
    for award_id, rule, amount in discretionary_amounts(year, policy.id):
        pool = rule_pool.get(rule)
        if pool and award_id != exclude_award:
            spent[pool] = spent.get(pool, ZERO) + amount
    return spent


def _computer(policy: Any) -> Any:
    """The function ``desktop.store.rounds`` calls to compute a round's lines under ``policy``: (row
    id, achievement, its line, its award) for each of the stream, computed as the stream goes
    (``engine.compute_iter``), one result per achievement, in order."""
    from desktop.core.engine import compute_iter

    def compute(rnd: Any, stream: Iterable[tuple[int, Any, Any]]) -> Iterator[tuple[int, Any, Any, AwardResult]]:
        taken: deque[tuple[int, Any, Any]] = deque()  # read but not yet computed: one at a time

        def achievements() -> Iterator[Any]:
            for item in stream:
                taken.append(item)
                yield item[1]

        for r in compute_iter(policy, achievements(), prior=prior_awards(rnd),
                              pool_spent=pool_committed(policy, rnd.year)):
            row_id, a, line = taken.popleft()
            yield row_id, a, line, r

    return compute


def _collector_paused() -> AbstractContextManager[None]:
    """Python's cycle collector off while a round is computed and written (``core.collector``). The
    engine keeps every paid or payable claim of the year until the year is done (its duplicate
    check), and each full collection scans all of them again: at 10⁶ achievements 35 full
    collections took 8-10 s of a round (0.3-0.4 s at 10⁵), the part of the round that grew most.
    What a round builds forms no reference cycles; refcounting frees each batch as it passes."""
    from desktop.core.collector import paused

    return paused(freeze=False)


def create_round(year: int, policy_id: str, user: str) -> Any:
    """Compute the year's achievements under the policy and store the round in draft (``user`` has
    been allowed to prepare rounds)."""
    from desktop.store import rounds as store

    policy = load_policy(policy_id)
    with _collector_paused():
        return store.create_round(year, policy.id, policy.content_hash, user, _computer(policy))


def recompute(rnd: Any, user: str) -> Any:
    """Recompute a draft or returned round under its policy as it reads now."""
    from desktop.store import rounds as store
    from desktop.store.models import AwardRound

    rnd = AwardRound.get_by_id(rnd.id)
    store.editable(rnd)
    policy = load_policy(rnd.policy_id)
    with _collector_paused():
        return store.recompute(rnd, user, policy.content_hash, _computer(policy))


def set_amount(award: Any, amount: Decimal | str | int, user: str, note: str | None = None,
               version: int | None = None) -> Any:
    """A discretionary amount set within what the line's pool has left for that year."""
    from desktop.store import rounds as store

    def within(aw: Any, value: Decimal) -> None:
        policy = load_policy(aw.round.policy_id)
        rule = policy.rule(aw.rule)
        if rule is None or not rule.pool:
            raise StdAwardError(_("the rule {rule} no longer draws on a pool; recompute the round").format(
                rule=aw.rule))
        pool = policy.pools[rule.pool]
        year = aw.achievement.date.year
        left = pool.budget - pool_committed(policy, year, exclude_award=aw.id).get(pool.id, ZERO)
        if value > left:
            raise StdAwardError(_("{amount} is more than the {left} left in {pool} for {year}").format(
                amount=format(value, "f"), left=format(left, "f"), pool=pool.name, year=year))

    return store.set_amount(award, amount, user, note, version, within=within)


def _not_the_preparer(rnd: Any, user: str) -> None:
    from desktop.store import rounds as store

    if store.changed_by(rnd, user):
        raise StdAwardError(_("{user} prepared this round; another person must review it").format(user=user))


def approve(rnd: Any, user: str, on: dt.date | None = None) -> Any:
    """Approve a submitted round, as ``user`` (allowed to review), who did not prepare it, ``on``
    that day (default today)."""
    from desktop.store import rounds as store
    from desktop.store.models import AwardRound

    rnd = AwardRound.get_by_id(rnd.id)
    store.submitted(rnd, "approve")
    _not_the_preparer(rnd, user)
    return store.approve(rnd, user, on)


def return_round(rnd: Any, user: str, note: str) -> Any:
    """Send a submitted round back with the reason, as ``user`` (allowed to review), who did not
    prepare it."""
    from desktop.store import rounds as store
    from desktop.store.models import AwardRound

    rnd = AwardRound.get_by_id(rnd.id)
    store.submitted(rnd, "return")
    store.return_reason(note)
    _not_the_preparer(rnd, user)
    return store.return_round(rnd, user, note)


def enter_target_value(policy_id: str, target_id: str, value: str, as_of: dt.date, source: str,
                       user: str) -> Any:
    """A figure for a target of the policy that records cannot count (with its date and source)."""
    from desktop.store import rounds as store

    policy = load_policy(policy_id)
    target = next((t for t in policy.targets if t.id == target_id), None)
    if target is None or target.count != "entered":
        raise StdAwardError(_("{policy} has no target {target} that takes an entered value").format(
            policy=policy_id, target=target_id))
    return store.enter_target_value(policy_id, target_id, value, as_of, source, user)
