"""A notice row deleted from the database by hand (an editor, a "cleanup") is not quietly forgotten:
issuing the round again does not put the same awards on a second notice (which would pay them
twice), and audit-verify names the missing notice."""
from __future__ import annotations

import sqlite3

import pytest
from conftest import run_cli
from test_operations_integrity import _boss, _issued

from desktop.core.errors import StdAwardError
from desktop.operations.session import Session
from desktop.store.db import close_db


def test_a_notice_deleted_by_hand_is_named_and_not_issued_again(db):
    from test_notice_rounds import DAY

    from desktop.operations import notices as ops
    from desktop.store.models import AwardRound, Notice

    notice = _issued(db)
    number, rnd_uuid = notice.doc_number, AwardRound.get_by_id(notice.round_id).uuid
    boss = Session(db, _boss())
    with pytest.raises(StdAwardError):  # intact: every line is on its notice already
        ops.issue_round(boss, rnd_uuid, DAY)
    close_db()
    con = sqlite3.connect(db)
    con.execute("DELETE FROM notice WHERE id = ?", (notice.id,))
    con.commit()
    con.close()
    with Session.open(db, auto_backup=False):
        boss = Session(db, _boss())
        with pytest.raises(StdAwardError, match="deleted outside the program") as refused:
            ops.issue_round(boss, rnd_uuid, DAY)
        assert number in str(refused.value)
        assert Notice.select().count() == 0  # nothing issued under a new number
    r = run_cli("audit-verify", "--db", str(db), "--user", "boss", "--password-file", str(_password(db)))
    assert r.returncode == 1 and number in (r.stdout + r.stderr), (r.stdout, r.stderr)


def _password(db) -> str:
    path = db.parent / "boss.pw"
    path.write_text("password-2\n", "utf-8")
    return str(path)
