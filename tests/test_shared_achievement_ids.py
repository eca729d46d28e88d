"""An achievement's id is unique within its enterprise only: two enterprises may each have a "gi".
Where an officer names a line by that id (``round amount``, ``publicity object``), the command
refuses to guess and names both enterprises, and ``--enterprise CODE`` says whose; a line chosen on
the screen is that line, whatever id another enterprise's record shares."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import test_publicity
from conftest import GOOD_USCC as A
from conftest import OTHER_USCC as B
from conftest import run_cli
from test_publicity import START, WHERE, WHO, Clock, as_user

from desktop.core.errors import StdAwardError
from desktop.operations import publicity as P
from desktop.operations import round_work
from desktop.store import records, rounds, users
from desktop.store.models import Award, Objection

office = test_publicity.office  # the fixture: the Quanzhou office with a clerk and a reviewer


NAMES = {A: "福建省泉州市鑫堃茶业有限公司", B: "泉州市燊昇电子科技有限公司"}


def _load() -> None:
    """Each enterprise's own file (one batch refuses an id twice; two enterprises' files do not)."""
    for code, ref, day in ((A, "安溪铁观音", "2014-03-01"), (B, "德化白瓷", "2014-03-02")):
        records.load({"enterprises": [{"uscc": code, "name": NAMES[code]}],
                      "achievements": [{"id": "gi", "enterprise": code, "kind": "gi", "rank": 1, "ref": ref,
                                        "date": day}]}, user="clerk1")


def _lines(rnd) -> dict[str, Award]:
    return {aw.achievement.enterprise.uscc: aw for aw in Award.select().where(Award.round == rnd)}


def test_round_amount_refuses_an_id_two_enterprises_share_and_sets_the_one_named(office, tmp_path):
    from desktop.store.db import close_db

    _load()
    rnd = round_work.create_round(2014, "quanzhou-2012", "clerk1")
    assert {c: aw.status for c, aw in _lines(rnd).items()} == {A: "discretionary", B: "discretionary"}
    close_db()
    (tmp_path / "pw").write_text("password-1\n", "utf-8")
    me = ["--db", str(office), "--user", "clerk1", "--password-file", str(tmp_path / "pw"), "--lang", "zh_CN"]
    r = run_cli("round", "amount", "2014", "--achievement", "gi", "--amount", "90000", *me)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert NAMES[A] in r.stderr and NAMES[B] in r.stderr and A in r.stderr and B in r.stderr and "--enterprise" in r.stderr
    r = run_cli("round", "amount", "2014", "--achievement", "gi", "--enterprise", B, "--amount", "90000", *me)
    assert r.returncode == 0, r.stderr
    r = run_cli("round", "amount", "2014", "--achievement", "gi", "--enterprise", "91350100M000100Y4X", "--amount", "1",
                *me)
    assert r.returncode != 0 and "91350100M000100Y4X" in r.stderr  # no line of that enterprise: said, nothing set
    from desktop.store.db import open_db

    open_db(office, auto_backup=False)
    lines = _lines(rnd)
    assert lines[B].amount == Decimal("90000.00") and lines[A].amount is None  # before: whichever came first


def _publicised(office):
    _load()
    rnd = round_work.create_round(2014, "quanzhou-2012", "clerk1")
    lines = _lines(rnd)
    round_work.set_amount(lines[A], Decimal("150000"), "clerk1", "择优")
    round_work.set_amount(lines[B], Decimal("50000"), "clerk1", "择优")
    rounds.submit(rnd, "clerk1")
    rnd = round_work.approve(rnd, users.verify("boss", "password-2").username)
    rnd.approved_at = dt.datetime(2015, 1, 5, 9, 0)
    rnd.save()
    clock = Clock(START)
    boss = as_user(office, "boss", "password-2", clock)
    P.start(boss, rnd.uuid, 5, WHERE, WHO)
    return rnd, boss, _lines(rnd)


def test_an_objection_on_a_line_chosen_on_screen_goes_to_that_line_whatever_id_it_shares(office):
    rnd, boss, lines = _publicised(office)
    o = P.record_objection_on(boss, lines[B].uuid, "某举报人", "德化白瓷的牵头单位另有其人")  # before: refused
    assert Objection.get(Objection.uuid == o.uuid).award.id == lines[B].id
    assert o.enterprise == NAMES[B]


def test_an_objection_named_by_a_shared_id_is_refused_naming_both_and_taken_with_the_enterprise(office):
    rnd, boss, lines = _publicised(office)
    with pytest.raises(StdAwardError) as refused:
        P.record_objection(boss, rnd.uuid, "gi", "某举报人", "名单有误")
    said = str(refused.value)
    assert NAMES[A] in said and NAMES[B] in said and "--enterprise" in said and Objection.select().count() == 0
    o = P.record_objection(boss, rnd.uuid, "gi", "某举报人", "名单有误", enterprise=A.lower())
    assert Objection.get(Objection.uuid == o.uuid).award.id == lines[A].id
