"""Entering a figure for a target the records cannot count, through the operations layer: the role,
and every bad field named with nothing written."""
from __future__ import annotations

import datetime as dt

import pytest

from desktop.core.errors import StdAwardError, ValidationFailed
from desktop.operations import targets as ops
from desktop.operations.session import Actor, PermissionDenied, Session
from desktop.store import users
from desktop.store.models import TargetValue

DAY = dt.date(2017, 12, 31)
POLICY = "wenzhou-2017"


@pytest.fixture
def session(db):
    users.create_user("admin1", "周主任", "password-1")  # accounts exist: nobody is signed in by default
    s = Session.attach(db, clock=lambda: DAY)
    s.actor = Actor("clerk1", "王办事", "clerk")
    return s


def test_a_figure_with_date_and_source_counts_toward_the_target(session):
    got = ops.enter_value(session, POLICY, "adoption-rate-66", " 70% ", dt.date(2017, 6, 30), "统计年报")
    assert got["value"] == "70%" and got["entered_by"] == "clerk1"
    dash = ops.dashboard(session, POLICY, DAY)
    p = next(p for p in dash.progress if p.id == "adoption-rate-66")
    assert p.count is not None and p.met
    assert [r["date"] for r in dash.counting["adoption-rate-66"]] == ["2017-06-30"]


def test_signed_out_is_refused(session, db):
    nobody = Session.attach(db, clock=lambda: DAY)
    with pytest.raises(PermissionDenied, match="sign in"):
        ops.enter_value(nobody, POLICY, "experts-100", "12", DAY, "培训记录")
    assert TargetValue.select().count() == 0


@pytest.mark.parametrize(("value", "source", "day", "fields"), [
    ("NaN", "年报", DAY, ["value"]),
    ("Infinity", "年报", DAY, ["value"]),
    ("七十", "  ", DAY, ["value", "source"]),
    ("70", "年报", dt.date(2018, 1, 1), ["as_of"]),
])
def test_bad_input_names_each_field_and_writes_nothing(session, value, source, day, fields):
    with pytest.raises(ValidationFailed) as exc:
        ops.enter_value(session, POLICY, "adoption-rate-66", value, day, source)
    assert [p.field for p in exc.value.problems] == fields
    assert all(p.record == "全市規模以上企業主導產品采標率66%以上" for p in exc.value.problems)
    assert TargetValue.select().count() == 0


def test_a_counted_target_or_an_unknown_one_takes_no_value(session):
    counted = next(t for t in ops.policy(session, POLICY).targets if t.count != "entered")
    with pytest.raises(ValidationFailed, match="counted from the records"):
        ops.enter_value(session, POLICY, counted.id, "5", DAY, "年报")
    with pytest.raises(StdAwardError, match="has no such target"):
        ops.enter_value(session, POLICY, "no-such-target", "5", DAY, "年报")
    assert TargetValue.select().count() == 0
