"""Target progress counts what the text counts: distinct standards, enterprises or items, within
scope and dates; targets records cannot answer take the office's entered value."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from desktop.core.policies import load_policy
from desktop.core.targets import progress
from desktop.core.vocabulary import parse_batch

A, B = "91350100M000100Y43", "91350302MA2Y0KXQ4Q"


def achs(*records):
    out, problems = parse_batch([{"id": f"t{i}", "enterprise": A, "date": "2016-05-01", **r} for i, r in enumerate(records)])
    assert not [p for p in problems if p.severity == "error"], problems
    return out


def by_id(rows):
    return {r.id: r for r in rows}


def test_two_enterprises_on_one_standard_make_one_standard_but_two_enterprises():
    p = load_policy("jiulongpo-2012")
    rows = achs({"kind": "standard", "level": "national", "action": "formulate", "rank": 1, "ref": "GB/T 1-2013", "date": "2013-01-01"},
                {"enterprise": B, "kind": "standard", "level": "national", "action": "formulate", "rank": 2,
                 "ref": "GB/T  1—2013", "date": "2013-01-01"})
    t = by_id(progress(p, rows, dt.date(2014, 1, 1)))
    assert t["national-13"].count == 1
    assert t["enterprises-national-industry"].count == 2 and t["enterprises-national-industry"].met


def test_counts_only_within_start_and_deadline():
    p = load_policy("jiulongpo-2012")
    rows = achs({"kind": "standard", "level": "local", "action": "formulate", "rank": 1, "ref": "DB50/T 1-2012", "date": "2012-07-11"},
                {"kind": "standard", "level": "local", "action": "formulate", "rank": 1, "ref": "DB50/T 2-2012", "date": "2012-07-12"},
                {"kind": "standard", "level": "local", "action": "formulate", "rank": 1, "ref": "DB50/T 3-2015", "date": "2015-12-31"},
                {"kind": "standard", "level": "local", "action": "formulate", "rank": 1, "ref": "DB50/T 4-2016", "date": "2016-01-01"})
    assert by_id(progress(p, rows, dt.date(2020, 1, 1)))["local-23"].count == 2
    assert by_id(progress(p, rows, dt.date(2013, 1, 1)))["local-23"].count == 1  # as of an earlier date
    late = by_id(progress(p, rows, dt.date(2020, 1, 1)))["local-23"]
    assert late.overdue and late.to_json()["deadline"] == "2015-12-31"


def test_guangzhou_counts_only_aaaa_good_behaviour_enterprises():
    p = load_policy("guangzhou-2013")
    rows = achs({"kind": "good_behavior", "level": "provincial", "grade": "AAAA"},
                {"kind": "good_behavior", "level": "national", "grade": "AAAA", "date": "2017-01-01"},
                {"enterprise": B, "kind": "good_behavior", "level": "provincial", "grade": "AAA"})
    assert by_id(progress(p, rows, dt.date(2020, 12, 31)))["aaaa-enterprises-100"].count == 1


def test_zhejiang_made_standards_are_group_standards_numbered_t_zzb():
    p = load_policy("wenzhou-2017")
    rows = achs({"kind": "standard", "level": "group", "action": "formulate", "rank": 1, "ref": "T/ZZB 0001-2017", "date": "2017-02-01"},
                {"kind": "standard", "level": "group", "action": "formulate", "rank": 1, "ref": "T/CAS 1-2017", "date": "2017-02-01"})
    t = by_id(progress(p, rows, dt.date(2017, 12, 31)))
    assert t["zhejiang-made-20"].count == 1 and t["group-standards-90"].count == 2


def test_entered_targets_take_the_latest_value_up_to_the_date_with_source():
    p = load_policy("wenzhou-2017")
    entered = {"adoption-rate-66": [{"value": "58", "as_of": dt.date(2016, 12, 31), "source": "统计年报2016"},
                                    {"value": "67.5%", "as_of": dt.date(2017, 12, 31), "source": "统计年报2017"}]}
    t = by_id(progress(p, [], dt.date(2017, 6, 30), entered))["adoption-rate-66"]
    assert (t.count, t.source, t.met) == (Decimal("58"), "统计年报2016", False)
    t = by_id(progress(p, [], dt.date(2018, 1, 31), entered))["adoption-rate-66"]
    assert (t.count, t.met, t.to_json()["count"]) == (Decimal("67.5"), True, "67.5")
    assert by_id(progress(p, [], dt.date(2018, 1, 31)))["adoption-rate-66"].count is None


def test_a_figure_reaching_the_goal_after_the_deadline_is_met_late_not_met():
    """温州: 采标率 66% by the end of 2017; 58% then, 70% a year later. The latest figure is shown, but
    the target reads 逾期达成, not 已达成 (a counted target only counts records up to its deadline)."""
    p = load_policy("wenzhou-2017")
    entered = {"adoption-rate-66": [{"value": "58", "as_of": dt.date(2017, 12, 31), "source": "统计年报2017"},
                                    {"value": "70", "as_of": dt.date(2018, 12, 31), "source": "统计年报2018"}]}
    t = by_id(progress(p, [], dt.date(2019, 3, 1), entered))["adoption-rate-66"]
    assert (t.count, t.source, t.met, t.met_late, t.overdue) == (Decimal("70"), "统计年报2018", False, True, True)
    assert t.to_json()["met"] is False and t.to_json()["met_late"] is True
    t = by_id(progress(p, [], dt.date(2018, 1, 31), entered))["adoption-rate-66"]
    assert (t.count, t.met, t.met_late) == (Decimal("58"), False, False)
    on_time = {"adoption-rate-66": [{"value": "66", "as_of": dt.date(2017, 12, 31), "source": "统计年报2017"}]}
    t = by_id(progress(p, [], dt.date(2019, 3, 1), on_time))["adoption-rate-66"]
    assert (t.met, t.met_late, t.overdue) == (True, False, False)  # on the deadline day: met


def test_json_has_the_contract_fields():
    rows = progress(load_policy("putian-chengxiang-2021"), [], dt.date(2024, 1, 1))
    j = rows[0].to_json()
    assert {"id", "text", "goal", "count", "deadline"} <= set(j)
    assert j["goal"] == 60 and j["count"] == 0 and j["deadline"] == "2025-12-31"
