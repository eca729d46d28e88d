"""An amount raised in the database file while the round waits for review is not approved: the
reviewer is told the round no longer matches what its preparer submitted, nothing is approved, and
an untouched round is approved as before."""
from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest
from test_money_trail import office as office  # noqa: F401  # clerk1 (administrator) and boss (reviewer)
from test_notice_rounds import prepared_round

from desktop.core.errors import StdAwardError
from desktop.store.db import close_db, open_db
from desktop.store.models import Award, AwardRound


def _raise_by_hand(path, award_id: int, amount: str) -> None:
    close_db()
    con = sqlite3.connect(path)
    con.execute("UPDATE award SET amount = ? WHERE id = ?", (amount, award_id))
    con.commit()
    con.close()
    open_db(path, auto_backup=False)


def test_a_submitted_round_edited_by_hand_is_not_approved(office):  # noqa: F811
    from desktop.operations import round_work
    from desktop.store import users

    rnd = prepared_round(approve=False)
    aw = Award.select().where(Award.round == rnd, Award.amount == Decimal(150000)).get()
    _raise_by_hand(office, aw.id, "900000.00")
    boss = users.verify("boss", "password-2")
    with pytest.raises(StdAwardError, match="no longer matches what clerk1 submitted") as refused:
        round_work.approve(AwardRound.get_by_id(rnd.id), boss.username)
    assert "2014" in str(refused.value)
    rnd = AwardRound.get_by_id(rnd.id)
    assert rnd.status == "submitted" and rnd.approved_digest is None
    assert Award.get_by_id(aw.id).decision == "proposed"
    _raise_by_hand(office, aw.id, "150000.00")  # put back as submitted: approved as before
    assert round_work.approve(AwardRound.get_by_id(rnd.id), boss.username).status == "approved"
