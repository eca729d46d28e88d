"""The award engine: the fast path agrees with the readable rule-by-rule decision, duplicates are
judged within the input and against the database, pools and totals are explained."""
from __future__ import annotations

import random
from decimal import Decimal

from desktop.core.engine import IdentityMaker, compare, compute, decide, explain_totals
from desktop.core.policies import known_policy_ids, load_policy
from desktop.core.vocabulary import Achievement, parse_batch

A, B = "91350100M000100Y43", "91350302MA2Y0KXQ4Q"


def achs(*records):
    out, problems = parse_batch([{"enterprise": A, "date": "2022-05-01", **r} for r in records])
    assert not [p for p in problems if p.severity == "error"], problems
    return out


def random_achievements(n: int, seed: int = 7) -> list[Achievement]:
    rnd = random.Random(seed)
    levels = ["international", "national", "industry", "local", "group", "enterprise"]
    out = []
    for i in range(n):
        kind = rnd.choice(["standard", "standard", "secretariat", "prize", "pilot", "leader", "research",
                           "project", "gi", "good_behavior", "adoption", "innovation_base"])
        d = f"{rnd.randint(2011, 2026)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        r = {"id": f"r{i}", "kind": kind, "date": d, "enterprise": rnd.choice([A, B])}
        if kind == "standard":
            r.update(level=rnd.choice(levels), action=rnd.choice(["formulate", "revise"]), rank=rnd.randint(1, 10),
                     ref=rnd.choice(["GB/T 100-2022", "T/ZZB 0101-2017", "QB/T 5-2013", None]))
        elif kind == "secretariat":
            r.update(level=rnd.choice(["international", "national", "provincial", "municipal"]),
                     body=rnd.choice(["tc", "sc", "wg"]))
        elif kind == "prize":
            r.update(prize=rnd.choice(["china-innovation", "fujian-contribution", "chongqing-innovation",
                                       "chongqing-product"]), grade=rnd.choice([1, 2, 3]), rank=rnd.randint(1, 3))
        elif kind == "pilot":
            r.update(level=rnd.choice(["national", "provincial", "municipal"]), accepted=rnd.random() < 0.5,
                     domain=rnd.choice(["agriculture", "service", "park", "industry"]))
        elif kind in ("leader", "research", "innovation_base"):
            r.update(level=rnd.choice(["national", "provincial"]))
            if kind == "research":
                r["accepted"] = rnd.random() < 0.5
        elif kind == "project":
            r["level"] = "municipal"
        elif kind == "gi":
            r["rank"] = rnd.randint(1, 3)
        elif kind == "good_behavior":
            r.update(level="national", grade=rnd.choice(["AAA", "AAAA", "AAAAA"]))
        elif kind == "adoption":
            r["ref"] = f"ISO {rnd.randint(1, 50)}:2015"
        r = {k: v for k, v in r.items() if v is not None}
        out.append(r)
    parsed, problems = parse_batch(out)
    assert not [p for p in problems if p.severity == "error"]
    return parsed


def test_fast_path_agrees_with_the_rule_by_rule_decision_for_every_policy():
    rows = random_achievements(3000)
    for pid in known_policy_ids():
        policy = load_policy(pid)
        results = compute(policy, rows)
        seen = set()
        for a, r in zip(rows, results):
            o = decide(policy, a)
            assert (r.rule, r.clause) == (o.rule, o.clause)
            if r.status == "duplicate":
                assert a.ref is not None and a.identity() in seen
                continue
            if o.status == "not_eligible":  # a refused claim never makes a later one a duplicate
                assert r.flags == o.flags
            elif a.identity() in seen:
                # without a ref nothing tells the two apart: paid, with one flag for the officer
                assert a.ref is None and r.flags[:-1] == o.flags and "请核实" in r.flags[-1]
            else:
                assert r.flags == o.flags
                seen.add(a.identity())
            assert (r.status, r.amount, r.fund) == (o.status, o.amount, o.fund)
            if r.status != "discretionary":
                assert r.explanation == o.explanation


def test_identity_maker_matches_achievement_identity():
    make = IdentityMaker()
    rows = random_achievements(500, seed=3)
    assert [make(a) for a in rows] == [a.identity() for a in rows]


def test_one_result_per_achievement_in_input_order():
    p = load_policy("putian-chengxiang-2021")
    rows = achs({"id": "z", "kind": "leader", "level": "national", "ref": "L1"},
                {"id": "a", "kind": "gi", "rank": 1, "ref": "G"},
                {"id": "m", "kind": "leader", "level": "provincial", "ref": "L2"})
    assert [r.id for r in compute(p, rows)] == ["z", "a", "m"]
    assert compute(p, []) == []


def test_duplicates_within_the_input_and_against_the_database():
    p = load_policy("putian-chengxiang-2021")
    first = achs({"id": "s1", "kind": "standard", "level": "national", "action": "formulate", "rank": 1,
                  "ref": "GB/T 40000-2022", "title": "茶叶加工技术规范"})[0]
    again = achs({"id": "s2", "kind": "standard", "level": "national", "action": "formulate", "rank": 1,
                  "ref": "GB/T  40000—2022", "title": "茶叶加工技术规范（第二次申报）", "date": "2022-09-01"})[0]
    other_enterprise = achs({"id": "s3", "enterprise": B, "kind": "standard", "level": "national",
                             "action": "formulate", "rank": 2, "ref": "GB/T 40000-2022"})[0]
    rs = compute(p, [first, again, other_enterprise])
    assert [r.status for r in rs] == ["awarded", "duplicate", "awarded"]
    # named to the enterprise by the earlier claim's title and number, not the office's reference
    assert rs[1].amount is None and "与本企业已申报的同一成果（《茶叶加工技术规范》GB/T 40000-2022）重复" in rs[1].explanation
    assert "s1" not in rs[1].explanation
    prior = {first.identity(): "old-7"}
    rs = compute(p, [first], prior=prior)
    assert rs[0].status == "duplicate" and "已获奖补的同一成果（《茶叶加工技术规范》GB/T 40000-2022）" in rs[0].explanation
    assert "old-7" not in rs[0].explanation
    # a record matched by its own id is not its own duplicate
    assert compute(p, [first], prior={first.identity(): "s1"})[0].status == "awarded"


def test_discretionary_awards_state_the_pool_remaining_for_the_year():
    p = load_policy("quanzhou-2012")
    rows = achs({"id": "g", "kind": "gi", "rank": 1, "ref": "永春芦柑", "date": "2014-03-03"},
                {"id": "h", "kind": "gi", "rank": 1, "ref": "湖头米粉", "date": "2016-03-03"})
    rs = compute(p, rows, pool_spent={"city-2013-2015": Decimal("550000")})
    assert rs[0].status == "discretionary" and rs[0].amount is None
    assert "2014年度预算600,000" in rs[0].explanation and "尚余50,000" in rs[0].explanation
    assert rs[1].status == "not_eligible" and "2013年至2015年" in rs[1].explanation


def test_totals_per_enterprise_and_fund():
    p = load_policy("jiulongpo-2012")
    rows = achs({"id": "1", "kind": "project", "level": "municipal", "ref": "P1"},
                {"id": "2", "kind": "standard", "level": "national", "action": "formulate", "rank": 1, "ref": "GB/T 9-2013"},
                {"id": "3", "enterprise": B, "kind": "prize", "prize": "chongqing-innovation", "grade": 2, "rank": 4,
                 "ref": "DB50/T 1-2013"},
                {"id": "4", "kind": "project", "level": "municipal", "ref": "P1"})
    t = explain_totals(compute(p, rows))
    assert t.total == Decimal("400000.00")
    assert t.by_enterprise == {A: Decimal("350000.00"), B: Decimal("50000.00")}
    assert t.by_fund == {"district": Decimal("50000.00"), "industry": Decimal("350000.00")}


def test_compare_shows_what_changes_between_two_policies():
    rows = achs({"id": "1", "kind": "standard", "level": "national", "action": "formulate", "rank": 1, "ref": "GB/T 1-2022"},
                {"id": "2", "kind": "project", "level": "municipal", "ref": "P"})
    out = compare(load_policy("putian-chengxiang-2021"), load_policy("jiulongpo-2012"), rows)
    assert out["rows"][0]["a"]["amount"] == "100000.00" and out["rows"][0]["b"]["amount"] == "300000.00"
    assert out["rows"][0]["difference"] == "200000.00" and out["rows"][1]["changed"]
    assert out["totals"] == {"a": "100000.00", "b": "350000.00", "difference": "250000.00", "changed": 2}


def test_results_follow_the_contract():
    p = load_policy("putian-chengxiang-2021")
    r = compute(p, achs({"id": "r", "kind": "standard", "level": "national", "action": "revise", "rank": 2,
                         "ref": "GB/T 30002-2023"}))[0]
    j = r.to_json()
    assert set(j) == {"id", "status", "amount", "rule", "clause", "explanation", "flags"}
    assert j["amount"] == "35000.00" and j["explanation"] == "国家标准修订 第2位 50,000元 × 70% = 35,000元"
    assert r.enterprise == A and r.fund == "district" and r.kind == "standard"


def test_refs_that_only_look_alike_are_not_duplicates_but_spelling_variants_are():
    p = load_policy("quanzhou-2012")
    rows = achs({"id": "1", "kind": "adoption", "ref": "ABC DEF", "date": "2014-01-01"},
                {"id": "2", "kind": "adoption", "ref": "ABCDEF", "date": "2014-01-01"},
                {"id": "3", "kind": "standard", "level": "national", "action": "formulate", "rank": 1, "ref": "GB/T 5-2014"},
                {"id": "4", "kind": "standard", "level": "national", "action": "formulate", "rank": 1, "ref": "gb/t 5—2014"})
    assert [r.status for r in compute(p, rows)][:2] == ["not_eligible", "not_eligible"]
    assert compute(p, rows)[3].status == "duplicate" and "（GB/T 5-2014）重复" in compute(p, rows)[3].explanation
    prior = {rows[2].identity(): "old", rows[0].identity(): "older"}
    rs = compute(p, rows[1:], prior=prior)
    assert [r.status for r in rs] == ["not_eligible", "duplicate", "duplicate"]
    assert "已获奖补的同一成果（GB/T 5-2014）重复" in rs[1].explanation and "old" not in rs[1].explanation


def test_the_duplicate_check_keeps_of_each_claim_only_what_names_it_not_the_whole_record():
    # A round of 10⁶ lines keeps every paid or payable claim until the year is done: whole records
    # (global id, note, 19 slots) were ~180 MB of it. What it keeps per claim is bounded by what a
    # later duplicate's explanation needs (its id, number and title), however long the record's note.
    import datetime as dt
    import tracemalloc
    import uuid

    from desktop.core.engine import compute_iter

    p = load_policy("putian-chengxiang-2021")
    n = 20_000
    day = dt.date(2022, 5, 1)

    def records():
        for i in range(n):
            yield Achievement(id=f"A{i}", enterprise=A, kind="standard", date=day, ref=f"GB/T {40000 + i}-2022",
                              title="茶叶加工技术规范", level="national", action="formulate", rank=1,
                              uuid=str(uuid.uuid4()), note=f"附件{i}：" + "申报材料齐全，经核实无误。" * 40)

    tracemalloc.start()
    try:
        held = 0
        for k, r in enumerate(compute_iter(p, records())):
            assert r.status == "awarded"
            if k == 100:
                start = tracemalloc.get_traced_memory()[0]
            if k == n - 1:  # the stream still open: everything it keeps is held
                held = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    per_claim = held / (n - 100)
    # a 490-character note alone is ~1 KB a record; the id, number and key kept are ~300 bytes
    assert per_claim < 450, per_claim
