"""File → Back up, Restore and Open another database, as an officer uses them in the window."""
from __future__ import annotations

import sqlite3

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_daily import set_up_office, started  # noqa: E402,F401 - the fixture


def _enterprises(db) -> list[str]:
    with sqlite3.connect(db) as con:
        return sorted(r[0] for r in con.execute("SELECT name FROM enterprise"))


def _add(ctx, name: str, uscc: str) -> None:
    from desktop.operations import records

    records.save_enterprise(ctx.session, {"uscc": uscc, "name": name, "region": "350302"})


def test_backup_then_restore_brings_the_database_back_and_keeps_the_replaced_one(started, qtbot, tmp_path):  # noqa: F811
    from desktop.ui import database_actions as dba

    win = set_up_office(started, qtbot)
    ctx = started.ctx
    _add(ctx, "莆田市甲公司", "91350302MA2Y0KXQ4Q")
    out = tmp_path / "U盘 #1" / "备份"
    out.mkdir(parents=True)
    dba.backup_now(win, str(out / "城厢 备份"))  # no suffix typed: .db is added
    assert ctx.tasks.wait()
    copy = out / "城厢 备份.db"
    assert copy.exists() and str(copy) in win.statusBar().currentMessage()
    _add(ctx, "莆田市乙公司", "91350100M000100Y43")
    assert _enterprises(ctx.db_path) == ["莆田市乙公司", "莆田市甲公司"]

    dba.restore_backup(win, str(copy))
    question = win.restore_question
    assert str(copy) in question.text() and "safety copy" in question.text()
    cancel = next(b for b in question.buttons() if b.text() != "Restore")
    cancel.click()  # the safe answer: nothing happens
    assert started.window is win and len(_enterprises(ctx.db_path)) == 2

    dba.restore_backup(win, str(copy))
    next(b for b in win.restore_question.buttons() if b.text() == "Restore").click()
    # the program starts again on the restored database: the administrator signs in again
    qtbot.waitUntil(lambda: started.dialog is not None or started.window is not None, timeout=10000)
    assert _enterprises(ctx.db_path) == ["莆田市甲公司"]
    kept = started.restored.kept
    assert kept is not None and kept.exists() and _enterprises(kept) == ["莆田市乙公司", "莆田市甲公司"]


def test_a_clerk_may_back_up_but_not_restore(started, qtbot, tmp_path):  # noqa: F811
    from desktop.operations import users
    from desktop.ui import database_actions as dba

    win = set_up_office(started, qtbot)
    ctx = started.ctx
    from desktop.operations.session import Actor

    users.create(ctx.session, "chen", "陈晓梅", "correct horse", "clerk")
    ctx.session.actor = Actor("chen", "陈晓梅", "clerk")
    dba.backup_now(win, str(tmp_path / "clerk.db"))
    assert ctx.tasks.wait() and (tmp_path / "clerk.db").exists()
    dba.restore_backup(win, str(tmp_path / "clerk.db"))
    box = next(w for w in win.findChildren(object) if w.objectName() == "errorBox")
    assert "restore a backup" in box.text() and getattr(win, "restore_question", None) is None


def test_the_restore_itself_refuses_a_clerk_whatever_the_menu_checked(started, qtbot, tmp_path):  # noqa: F811
    """The role is checked by the operation that restores, not only by the menu before the question:
    a clerk reaching the window's restore step is refused, the window stays open on the database as
    it was and nothing is replaced."""
    from desktop.operations import users
    from desktop.operations.session import Actor
    from desktop.ui import database_actions as dba

    win = set_up_office(started, qtbot)
    ctx = started.ctx
    _add(ctx, "莆田市甲公司", "91350302MA2Y0KXQ4Q")
    dba.backup_now(win, str(tmp_path / "before.db"))
    assert ctx.tasks.wait()
    _add(ctx, "莆田市乙公司", "91350100M000100Y43")
    users.create(ctx.session, "chen", "陈晓梅", "correct horse", "clerk")
    ctx.session.actor = Actor("chen", "陈晓梅", "clerk")
    started.restore_from(tmp_path / "before.db")
    assert started.window is win and win.isVisible()
    assert started.restore_error is not None and "restore a backup" in started.restore_error.text()
    assert _enterprises(ctx.db_path) == ["莆田市乙公司", "莆田市甲公司"]
    assert getattr(started, "restored", None) is None

def test_a_file_that_is_no_backup_changes_nothing_and_says_why(started, qtbot, tmp_path):  # noqa: F811
    from desktop.ui import database_actions as dba

    win = set_up_office(started, qtbot)
    ctx = started.ctx
    _add(ctx, "莆田市甲公司", "91350302MA2Y0KXQ4Q")
    bogus = tmp_path / "notes.db"
    bogus.write_text("这不是数据库", encoding="utf-8")
    dba.restore_backup(win, str(bogus))
    next(b for b in win.restore_question.buttons() if b.text() == "Restore").click()
    assert started.restore_error is not None and str(bogus) in started.restore_error.text()
    qtbot.waitUntil(lambda: started.dialog is not None or started.window is not None, timeout=10000)
    assert _enterprises(ctx.db_path) == ["莆田市甲公司"]


def test_open_another_database_starts_on_it(started, qtbot, tmp_path):  # noqa: F811
    from desktop.ui import database_actions as dba

    win = set_up_office(started, qtbot)
    other = tmp_path / "另一个 #局" / "office.db"
    other.parent.mkdir()
    dba.open_other(win, str(other))
    qtbot.waitUntil(lambda: started.dialog is not None, timeout=10000)
    assert started.ctx.db_path == other and started.window is None  # a new file: the first-run wizard
    assert started.dialog.objectName() == "firstRunWizard" or hasattr(started.dialog, "office_page")
