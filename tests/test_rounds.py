"""Award rounds in the database: computed and stored with history, discretionary amounts within
the pool, four-eyes review, duplicates against earlier rounds, entered target values."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from desktop.core.errors import StdAwardError
from desktop.operations import round_work
from desktop.store import records, rounds
from desktop.store.audit import verify_chain
from desktop.store.models import AuditEntry, Award, AwardEvent, AwardRound

A, B = "91350100M000100Y43", "91350302MA2Y0KXQ4Q"


def load(*achievements):
    records.load({"enterprises": [{"uscc": A, "name": "甲公司"}, {"uscc": B, "name": "乙公司"}],
                  "achievements": list(achievements)}, user="clerk1")


def pooled(i, year=2014, enterprise=A):
    return {"id": f"g{i}", "enterprise": enterprise, "kind": "gi", "rank": 1, "ref": f"地理标志{i}", "date": f"{year}-03-0{i}"}


def by_source(rnd):
    return {aw.achievement.source_id: aw for aw in Award.select().where(Award.round == rnd)}


def test_round_is_computed_stored_and_audited(db):
    load(pooled(1), {"id": "s", "enterprise": B, "kind": "standard", "level": "national", "action": "formulate",
                     "rank": 1, "ref": "GB/T 20001-2014", "date": "2014-05-05"})
    rnd = round_work.create_round(2014, "quanzhou-2012", "clerk1")
    aws = by_source(rnd)
    assert aws["s"].status == "awarded" and aws["s"].amount == Decimal("200000.00") and aws["s"].fund == "city"
    assert aws["g1"].status == "discretionary" and aws["g1"].amount is None
    assert AwardEvent.select().count() == 2
    assert AuditEntry.select().where(AuditEntry.entity == "award_round").count() == 1
    assert [r.id for r in rounds.round_results(rnd)] == ["g1", "s"]
    with pytest.raises(StdAwardError, match="only a discretionary"):
        round_work.set_amount(aws["s"], Decimal("1"), "clerk1")
    with pytest.raises(StdAwardError, match="already"):
        round_work.create_round(2014, "quanzhou-2012", "clerk1")


def test_discretionary_amounts_stay_within_the_pool_for_the_year(db):
    load(pooled(1), pooled(2), pooled(3, year=2015))
    r14 = round_work.create_round(2014, "quanzhou-2012", "clerk1")
    aws = by_source(r14)
    round_work.set_amount(aws["g1"], "400000", "clerk1", "择优")
    with pytest.raises(StdAwardError, match="200000.00 left"):
        round_work.set_amount(aws["g2"], Decimal("250000"), "clerk1")
    round_work.set_amount(aws["g2"], Decimal("200000"), "clerk1")
    round_work.set_amount(aws["g1"], Decimal("300000"), "clerk1")  # changing one's own amount frees budget
    assert Award.get_by_id(aws["g1"].id).amount == Decimal("300000.00")
    r15 = round_work.create_round(2015, "quanzhou-2012", "clerk1")  # another year has its own 60万
    round_work.set_amount(by_source(r15)["g3"], Decimal("600000"), "clerk1")
    assert verify_chain() is None


def test_submit_approve_needs_another_person_with_the_right_role(db):
    load(pooled(1))
    rnd = round_work.create_round(2014, "quanzhou-2012", "clerk1")
    with pytest.raises(StdAwardError, match="no amount"):
        rounds.submit(rnd, "clerk1")
    round_work.set_amount(by_source(rnd)["g1"], Decimal("100000"), "clerk1")
    rounds.submit(rnd, "clerk1")
    with pytest.raises(StdAwardError, match="only a draft or returned"):
        round_work.set_amount(by_source(rnd)["g1"], Decimal("1"), "clerk1")
    with pytest.raises(StdAwardError, match="another person"):
        round_work.approve(rnd, "clerk1")
    from desktop.operations import rounds as ops
    from desktop.operations.session import Actor, PermissionDenied, Session

    clerk = Session.attach(db)
    clerk.actor = Actor("clerk2", "clerk2", "clerk")
    with pytest.raises(PermissionDenied, match="reviewer"):  # the role is the operations' check, once
        ops.approve(clerk, rnd.uuid)
    assert AwardRound.get_by_id(rnd.id).status == "submitted"
    round_work.return_round(rnd, "boss", "金额偏高")
    round_work.set_amount(by_source(rnd)["g1"], Decimal("80000"), "clerk1", "按审核意见调整")
    rounds.submit(rnd, "clerk1")
    rnd = round_work.approve(rnd, "boss")
    assert rnd.status == "approved" and rnd.reviewed_by == "boss" and rnd.approved_at
    assert by_source(rnd)["g1"].decision == "approved"
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.entity == "award_round").order_by(AuditEntry.id)]
    assert actions == ["create", "submitted", "returned", "submitted", "approved"]
    assert verify_chain() is None


def test_earlier_rounds_make_later_claims_duplicates_and_recompute_keeps_set_amounts(db):
    load({"id": "s", "kind": "standard", "enterprise": A, "level": "national", "action": "formulate", "rank": 1,
          "ref": "GB/T 40000-2022", "date": "2022-05-01"}, pooled(1, year=2023))
    round_work.create_round(2022, "putian-chengxiang-2021", "clerk1")
    load({"id": "s-again", "kind": "standard", "enterprise": A, "level": "national", "action": "formulate",
          "rank": 1, "ref": "GB/T 40000-2022", "date": "2023-02-01"})
    assert list(round_work.prior_awards().values()) == ["s"]
    r23 = round_work.create_round(2023, "putian-chengxiang-2021", "clerk1")
    aws = by_source(r23)
    assert aws["s-again"].status == "duplicate" and "已获奖补" in aws["s-again"].explanation  # the paid one
    assert "GB/T 40000-2022" in aws["s-again"].explanation
    assert aws["g1"].status == "not_eligible"
    round_work.recompute(r23, "clerk1")
    assert by_source(r23)["s-again"].status == "duplicate"


def test_entered_target_values_are_kept_with_date_and_source(db):
    with pytest.raises(StdAwardError):
        round_work.enter_target_value("wenzhou-2017", "standards-1000", "5", dt.date(2017, 6, 1), "x", "clerk1")
    round_work.enter_target_value("wenzhou-2017", "adoption-rate-66", "61.5", dt.date(2017, 6, 1), "统计局", "clerk1")
    vals = rounds.target_values("wenzhou-2017")
    assert vals["adoption-rate-66"][0].value == "61.5" and vals["adoption-rate-66"][0].source == "统计局"


def test_a_round_written_in_batches_keeps_every_line_its_event_and_the_approval_digest(db, monkeypatch):
    """The lines are written with the cursor in batches: every line with its amount, flags and first
    event ("computed", in line order), the same values a reviewer approves and a notice is checked
    against, and a cancel or error before the end leaves no round behind."""
    monkeypatch.setattr(rounds, "BATCH", 2)  # several batches from a handful of lines
    load(pooled(1), pooled(2), *({"id": f"s{i}", "enterprise": B, "kind": "standard",
                                  "level": "enterprise" if i == 5 else "national",
                                  "action": "formulate", "rank": i, "ref": f"GB/T 2000{i}-2014", "date": f"2014-05-0{i}"}
                                 for i in range(1, 6)))
    rnd = round_work.create_round(2014, "quanzhou-2012", "clerk1")
    aws = by_source(rnd)
    assert sorted(aws) == ["g1", "g2", "s1", "s2", "s3", "s4", "s5"]
    assert aws["s1"].amount == Decimal("200000.00") and aws["s1"].decision == "proposed"
    assert aws["s5"].status == "not_eligible" and aws["s5"].amount is None and aws["s5"].flags == []
    assert aws["s2"].status == "awarded" and aws["s2"].flags  # a participation rank: its note travels
    events = list(AwardEvent.select().order_by(AwardEvent.id))
    assert [e.award_id for e in events] == sorted(aw.id for aw in aws.values())
    assert all(e.before is None and e.after == aws_by_id.status and e.amount_after == aws_by_id.amount
               and e.user == "clerk1" for e, aws_by_id in zip(events, sorted(aws.values(), key=lambda a: a.id)))
    round_work.set_amount(aws["g1"], Decimal("1000"), "clerk1")
    round_work.set_amount(aws["g2"], Decimal("0"), "clerk1")
    rounds.submit(rnd, "clerk1")
    round_work.approve(rnd, "reviewer1")
    rounds.check_round_intact(rnd)  # the digest approved is the digest of the lines as written
    assert verify_chain() is None

    load({"id": "late", "enterprise": A, "kind": "standard", "level": "national", "action": "formulate", "rank": 1,
          "ref": "GB/T 30001-2015", "date": "2015-02-02"})
    n_awards, n_events = Award.select().count(), AwardEvent.select().count()

    def broken(*_a, **_k):
        raise RuntimeError("disk full")
    monkeypatch.setattr(rounds.audit, "record", broken)
    with pytest.raises(RuntimeError):
        round_work.create_round(2015, "quanzhou-2012", "clerk1")
    assert (Award.select().count(), AwardEvent.select().count()) == (n_awards, n_events)
    assert not rounds.AwardRound.select().where(rounds.AwardRound.year == 2015).exists()
