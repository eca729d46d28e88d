"""The cheap integrity check at every open: a database edited by hand (the audit tail deleted, an
award amount raised) makes the next command warn on stderr, naming what was altered; the altered
round is refused for notices."""
from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import run_cli
from test_money_trail import office as office  # the office with clerk1 (administrator) and boss (reviewer)
from test_notice_rounds import prepared_round

from desktop.core.errors import StdAwardError
from desktop.operations import integrity
from desktop.operations.session import Session
from desktop.store.db import close_db
from desktop.store.models import AuditEntry, Award


def _edit(path: Path, *sql: tuple[str, tuple]) -> None:
    con = sqlite3.connect(path)
    for stmt, params in sql:
        con.execute(stmt, params)
    con.commit()
    con.close()


def test_an_intact_database_opens_without_a_warning(office):
    rnd = prepared_round()
    assert integrity.quick_findings(office) == []
    close_db()
    with Session.open(office, auto_backup=False) as s:
        assert s.notes == []
        integrity.round_intact(s, rnd.uuid)
    r = run_cli("payment", "list", "--db", str(office))
    assert r.returncode == 0 and "warning" not in r.stderr, r.stderr


def test_the_audit_tail_deleted_by_hand_is_named_at_the_next_command(office):
    prepared_round()
    last = AuditEntry.select().order_by(AuditEntry.id.desc()).first().id
    close_db()
    _edit(office, ("DROP TRIGGER audit_entry_no_delete", ()), ("DELETE FROM audit_entry WHERE id >= ?", (last - 1,)))
    r = run_cli("payment", "list", "--db", str(office))
    assert r.returncode == 0, r.stderr
    assert "warning: the money trail was altered outside the program: 2 entries were removed from the end of " \
           "the audit log" in r.stderr
    assert "write protection (1 of its triggers)" in r.stderr  # put back, and said so
    with Session.open(office, auto_backup=False) as s:  # the trigger is back: quiet about it now, not the tail
        assert any("2 entries were removed" in n for n in s.notes)
        assert not any("write protection" in n for n in s.notes)


def test_an_award_amount_raised_by_hand_is_named_and_its_round_refused(office):
    rnd = prepared_round()
    aw = Award.select().where(Award.round == rnd, Award.amount == Decimal(150000)).get()
    close_db()
    _edit(office, ("UPDATE award SET amount = '500000.00' WHERE id = ?", (aw.id,)))
    r = run_cli("payment", "totals", "--db", str(office))
    assert r.returncode == 0, r.stderr
    assert "warning: the money trail was altered outside the program: the award round for 2014 no longer matches " \
           "what boss approved" in r.stderr
    with Session.open(office, auto_backup=False) as s:
        with pytest.raises(StdAwardError, match="no notice is issued for it"):
            integrity.round_intact(s, rnd.uuid)
        with pytest.raises(StdAwardError, match="no award round"):
            integrity.round_intact(s, "no-such-round")


def test_a_forged_head_file_is_named(office):
    from desktop.store import audit

    prepared_round()
    close_db()
    head = audit.head_path(office)
    head.write_text(head.read_text().replace('"signature": "', '"signature": "AAAA'))
    with Session.open(office, auto_backup=False) as s:
        assert any("not signed by this office's key" in n for n in s.notes), s.notes
    head.unlink()
    with Session.open(office, auto_backup=False) as s:
        assert any("signed head of the audit log" in n and "is missing" in n for n in s.notes), s.notes


def test_verify_notice_text_takes_a_statement_or_the_short_code(db):
    from desktop.notices import verify as V
    from desktop.operations import notices as nops
    from desktop.operations import statements

    n = _issued(db)
    s = Session(db, _boss())
    by_statement = integrity.verify_notice_text(s, "  " + statements.statement_for(n) + "\n")
    by_code = integrity.verify_notice_text(s, V.verification_code(n.uuid, n.content_hash))
    assert by_statement.signed and not by_code.signed
    for got in (by_statement, by_code):
        assert (got.office, got.doc_number, got.total, got.issued_on) == (
            "泉州市市场监督管理局", "泉市监〔2015〕1号", Decimal("350000.00"), "2015-12-18")
    with pytest.raises(StdAwardError, match="no notice has the verification code"):
        integrity.verify_notice_text(s, "ABCD-EFGH-JKLM")
    with pytest.raises(StdAwardError, match="nothing was scanned"):
        integrity.verify_notice_text(s, "   ")
    nops.void(s, nops.find(s, n.doc_number), "金额有误")
    with pytest.raises(StdAwardError, match="voided by this office"):
        integrity.verify_notice_text(s, statements.statement_for(n))
    with pytest.raises(StdAwardError, match="作废"):
        integrity.verify_notice_text(s, V.verification_code(n.uuid, n.content_hash))


def _boss():
    from desktop.operations.session import Actor

    return Actor("boss", "李科长", "reviewer")


def _issued(db: Path):
    """An issued and printed notice of ¥350,000.00 (泉市监〔2015〕1号) in the open database."""
    from test_notice_rounds import DAY

    from desktop.operations import notices as ops
    from desktop.store import office as officemod
    from desktop.store import users
    from desktop.store.models import Notice

    officemod.update(name="泉州市市场监督管理局", region_code="350500", doc_prefix="泉市监", user="tester")
    from desktop.store import publicity

    publicity.set_settings(user="tester", required=False, reason="notices without a publicity step")
    users.create_user("clerk1", "王办事", "password-1")
    users.create_user("boss", "李科长", "password-2", role="reviewer", by="clerk1")
    rnd = prepared_round()
    boss = Session(db, _boss())
    issued = ops.issue_round(boss, rnd.uuid, DAY)
    ops.print_notices(boss, issued, db.parent / "n.pdf")
    return Notice.get_by_id(issued[0].id)


@pytest.mark.gui
def test_the_window_warns_when_the_money_trail_was_altered(office, qtbot):
    """Opened in the window, a database whose audit tail was deleted by hand gets a warning box
    naming what was altered (the window checks once it is up, off the UI thread)."""
    from desktop.operations import quick
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow
    from desktop.ui.qt import QApplication

    prepared_round()
    last = AuditEntry.select().order_by(AuditEntry.id.desc()).first().id
    close_db()
    _edit(office, ("DROP TRIGGER audit_entry_no_delete", ()), ("DELETE FROM audit_entry WHERE id >= ?", (last - 1,)))
    make_app()
    s = Session.open(office, auto_backup=False)
    ctx = AppContext(office)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: bool(window.trail_warnings), timeout=10000)
    assert any("2 entries were removed" in n for n in window.trail_warnings)
    boxes = [w for w in QApplication.topLevelWidgets() if w.objectName() == "trailWarning" and w.isVisible()]
    assert boxes and "2 entries were removed" in boxes[0].text()
    for b in boxes:
        b.close()
    s.close()
    quick.close()


@pytest.mark.gui
def test_a_check_that_ends_after_its_window_closed_or_moved_on_shows_no_box(office, qtbot, monkeypatch):
    """The check runs off the UI thread. When it ends after its window was closed, or after the window
    opened another database, its finding is not shown: the box would stand alone on the screen, or
    warn about a database no longer open (and the check, reading the newly opened one against the
    old one's signed head, finds false alterations). A box left over stole the next window's keys."""
    import threading

    from desktop.operations import integrity, quick
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow
    from desktop.ui.qt import QApplication

    close_db()
    make_app()
    s = Session.open(office, auto_backup=False)
    for move_on in ("closed", "another database"):
        release, started = threading.Event(), threading.Event()

        def notes(_path, release=release, started=started):
            started.set()
            release.wait(60)
            return ["warning: the money trail was altered outside the program"]

        monkeypatch.setattr(integrity, "open_notes", notes)
        ctx = AppContext(office)
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(started.is_set)  # (the window checks a moment after its first paint)
        if move_on == "closed":
            window.close()
        else:
            ctx.db_path = office.with_name("other.db")
        release.set()
        assert ctx.tasks.wait()
        QApplication.processEvents()
        assert window.trail_warnings == [], move_on
        assert not [w for w in QApplication.topLevelWidgets() if w.objectName() == "trailWarning" and w.isVisible()]
        window.close()
    s.close()
    quick.close()


def test_a_countys_approved_round_at_the_city_raises_no_alarm_but_a_local_one_still_does(tmp_path):
    """The city keeps the rounds its counties' packages bring; their approvals are in the counties'
    logs, so the city's check on opening does not call them altered. A round of the city's own with
    no approval in its log still is."""
    from test_exchange import add_round, apply, city, county, export, using

    from desktop.store.models import Achievement, AwardRound

    path, card = county(tmp_path)
    add_round(path, 2024, [("s1", "50000.00", "r1", "省级")])
    city_db = city(tmp_path, card)
    apply(city_db, export(path, tmp_path / "p1.stdpkg", year=2024).path)
    with using(city_db):
        assert AwardRound.select().where(AwardRound.status == "approved").count() == 1
        assert integrity.quick_findings(city_db) == []
        Achievement.update(origin=None).execute()  # the same round as if it were the city's own
        (finding,) = integrity.quick_findings(city_db)
    assert "no matching approval" in finding
