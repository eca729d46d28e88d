"""Two officers on one database: the window notices what the other changed and refreshes, keeping the
selection, saying who changed how many records, never under an open form; a form whose record the
other officer saved meanwhile refuses to overwrite it, says who and when, and reloads on request."""
from __future__ import annotations

import dataclasses

import pytest

pytest.importorskip("pytestqt")

from tests.conftest import GOOD_USCC, OTHER_USCC  # noqa: E402
from tests.conftest_pg import pg_server, window_on_server  # noqa: E402, F401 - fixture
from tests.test_ui_records import window  # noqa: E402, F401 - fixture


def _other_officer(ctx, username: str = "zhang"):
    """Another officer's session on the same database (another PC, as far as the records go)."""
    from desktop.operations.session import Actor

    return dataclasses.replace(ctx.session, actor=Actor(username, username, "admin"))


def _form(values: dict) -> dict:
    return {k: values[k] for k in ("uscc", "name", "region", "address", "contact", "phone")}


def _poll(win) -> None:
    """What the window's timer does every few seconds, and wait for the answer."""
    win.changes.poll()
    win.ctx.tasks.wait()


def _shown_names(view) -> list[str]:
    model = view.tableview.model()
    return [model.index(r, 0).data() for r in range(model.rowCount())]


@pytest.fixture
def two(window):  # noqa: F811
    from desktop.operations import records

    s = window.ctx.session
    return [records.save_enterprise(s, {"uscc": code, "name": name, "region": "350302"})["id"]
            for code, name in ((GOOD_USCC, "莆田市城厢区华峰鞋业有限公司"), (OTHER_USCC, "莆田市城厢区南方制衣有限公司"))]


def test_the_window_refreshes_with_what_another_officer_changed_keeping_the_selection(window, two, qtbot):  # noqa: F811
    from desktop.operations import records

    view = window.show_view("enterprises")
    view.refresh()
    _poll(window)  # the mark to start from
    model = view.tableview.model()
    names = _shown_names(view)
    picked = names.index("莆田市城厢区南方制衣有限公司")
    view.tableview.selectRow(picked)

    other = _other_officer(window.ctx)
    target = records.enterprise(other, two[1])
    records.save_enterprise(other, {**_form(target), "name": "莆田市城厢区南方服饰有限公司"}, two[1], target["version"])
    first = records.enterprise(other, two[0])
    records.save_enterprise(other, {**_form(first), "phone": "0594-2230005"}, two[0], first["version"])
    assert "莆田市城厢区南方服饰有限公司" not in _shown_names(view)  # not seen until the window asks

    _poll(window)
    assert "莆田市城厢区南方服饰有限公司" in _shown_names(view)
    assert window.changes.last_text == "zhang changed 2 record(s)"
    assert window.statusBar().currentMessage() == "zhang changed 2 record(s)"
    selected = [i.row() for i in view.tableview.selectionModel().selectedRows()]
    assert [model.index(r, 0).data() for r in selected] == ["莆田市城厢区南方服饰有限公司"]

    _poll(window)  # nothing new: nothing said again
    window.statusBar().clearMessage()
    _poll(window)
    assert window.statusBar().currentMessage() == ""


def test_nothing_refreshes_under_an_open_form_and_the_news_comes_when_it_closes(window, two, qtbot):  # noqa: F811
    from qt_answers import answer

    from desktop.operations import records
    from desktop.ui.views.enterprise_dialog import EnterpriseDialog

    view = window.show_view("enterprises")
    view.refresh()
    _poll(window)
    mine = records.enterprise(window.ctx.session, two[0])
    form = EnterpriseDialog(window.ctx, mine, window)
    qtbot.addWidget(form)
    form.show()
    form.fields["contact"].setText("王科员")  # the officer is typing

    other = _other_officer(window.ctx)
    theirs = records.enterprise(other, two[1])
    records.save_enterprise(other, {**_form(theirs), "name": "莆田市城厢区南方服饰有限公司"}, two[1], theirs["version"])
    _poll(window)
    assert "莆田市城厢区南方服饰有限公司" not in _shown_names(view)
    assert form.fields["contact"].text() == "王科员" and window.changes.last_text == ""

    form.close()
    answer(form, ok=True)  # what was typed is given up: asked first
    _poll(window)
    assert "莆田市城厢区南方服饰有限公司" in _shown_names(view)
    assert window.changes.last_text == "zhang changed 1 record(s)"


def test_a_form_whose_record_another_officer_saved_meanwhile_says_who_and_reloads(window, two, qtbot):  # noqa: F811
    from desktop.operations import records
    from desktop.ui.qt import QMessageBox
    from desktop.ui.views.enterprise_dialog import EnterpriseDialog

    form = EnterpriseDialog(window.ctx, records.enterprise(window.ctx.session, two[0]), window)
    qtbot.addWidget(form)
    form.show()
    form.fields["contact"].setText("王科员")

    other = _other_officer(window.ctx)
    theirs = records.enterprise(other, two[0])
    records.save_enterprise(other, {**_form(theirs), "phone": "0594-2230006"}, two[0], theirs["version"])

    form.accept()
    assert form.isVisible() and form.result() != form.DialogCode.Accepted  # not saved, not closed
    box = form.stale_box  # opened with open(): an exec() here would have failed the test (conftest)
    assert box.isVisible()
    assert "zhang" in box.text() and "reload" in box.text()
    assert "zhang" in form.error.text()
    now = records.enterprise(window.ctx.session, two[0])
    assert (now["phone"], now["contact"], now["version"]) == ("0594-2230006", "", 2)  # nothing of the form written

    assert box.button(QMessageBox.StandardButton.Cancel) is not None  # the officer chooses Reload instead
    reload_button = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    reload_button.click()
    qtbot.waitUntil(lambda: not box.isVisible())
    assert form.fields["phone"].text() == "0594-2230006" and form.editing["version"] == 2
    form.fields["contact"].setText("王科员")
    form.accept()
    now = records.enterprise(window.ctx.session, two[0])
    assert (now["phone"], now["contact"], now["version"]) == ("0594-2230006", "王科员", 3)


def test_on_the_office_server_the_window_hears_another_pc_and_refreshes(qtbot, pg_server, tmp_path):  # noqa: F811
    """The same on PostgreSQL: the other officer works from another process (the command line on
    another PC); the window's next look refreshes the enterprises and names who changed them."""
    from desktop.operations import records
    from tests.conftest import run_cli

    with window_on_server(qtbot, pg_server, auto_backup=False) as (win, url):
        ctx = win.ctx
        win.show()
        ent_id = records.save_enterprise(ctx.session, {"uscc": GOOD_USCC, "name": "莆田市城厢区华峰鞋业有限公司",
                                                       "region": "350302"})["id"]
        view = win.show_view("enterprises")
        view.refresh()
        _poll(win)
        other = run_cli("enterprise", GOOD_USCC, "--name", "莆田市城厢区华峰体育用品有限公司", "--db", url,
                        env={"USER": "zhang", "LOGNAME": "zhang"})
        assert other.returncode == 0, other.stderr
        assert "莆田市城厢区华峰体育用品有限公司" not in _shown_names(view)
        _poll(win)
        assert "莆田市城厢区华峰体育用品有限公司" in _shown_names(view)
        assert win.changes.last_text == "zhang changed 1 record(s)"
        assert records.enterprise(ctx.session, ent_id)["version"] == 2
        ctx.tasks.wait()
        win.close()


def test_an_achievement_form_saved_by_another_officer_meanwhile_is_refused_and_reloads(window, two, qtbot):  # noqa: F811
    from desktop.operations import records
    from desktop.ui.qt import QMessageBox
    from desktop.ui.views.achievement_form import AchievementForm

    s = window.ctx.session
    raw = {"id": "A1", "enterprise": GOOD_USCC, "kind": "standard", "date": "2025-03-01", "ref": "GB/T 41001-2025",
           "title": "运动鞋 缓震性能的测定", "level": "national", "action": "formulate", "rank": 1}
    ach_id = records.save_achievement(s, raw).id
    form = AchievementForm(window.ctx, records.achievement(s, ach_id), window)
    qtbot.addWidget(form)
    form.show()
    form.w["title"].setText("运动鞋 缓震性能")

    other = _other_officer(window.ctx)
    theirs = records.achievement(other, ach_id)
    records.save_achievement(other, {**theirs.achievement.to_dict(), "rank": 2}, ach_id, version=theirs.version)

    form.accept()
    box = form.stale_box
    assert box.isVisible() and "zhang" in box.text() and "A1" in box.text()
    now = records.achievement(s, ach_id)
    assert (now.achievement.title, now.achievement.rank, now.version) == ("运动鞋 缓震性能的测定", 2, 2)
    next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole).click()
    qtbot.waitUntil(lambda: not box.isVisible())
    assert form.w["rank"].value() == 2 and form.editing.version == 2
    assert form.w["title"].text() == "运动鞋 缓震性能的测定"


def test_on_the_office_server_a_change_another_pc_commits_refreshes_the_window_without_its_timer(
        qtbot, pg_server, tmp_path):  # noqa: F811
    """The window listens to the server: with its timer stopped (no regular look at all) another PC's
    committed change still refreshes the enterprises and names who made it; after the window closes
    it listens no more."""
    from desktop.operations import records
    from tests.conftest import run_cli

    with window_on_server(qtbot, pg_server, auto_backup=False) as (win, url):
        ctx = win.ctx
        win.show()
        records.save_enterprise(ctx.session, {"uscc": GOOD_USCC, "name": "莆田市城厢区华峰鞋业有限公司", "region": "350302"})
        view = win.show_view("enterprises")
        view.refresh()
        _poll(win)  # the mark to start from; the window starts listening to the server
        win.changes.timer.stop()
        listener = win.changes.listener
        assert listener is not None and listener.listening.wait(60)
        other = run_cli("enterprise", GOOD_USCC, "--name", "莆田市城厢区华峰体育用品有限公司", "--db", url,
                        env={"USER": "zhang", "LOGNAME": "zhang"})
        assert other.returncode == 0, other.stderr
        qtbot.waitUntil(lambda: "莆田市城厢区华峰体育用品有限公司" in _shown_names(view), timeout=60_000)
        assert win.changes.last_text == "zhang changed 1 record(s)"
        ctx.tasks.wait()
        win.close()
        assert win.changes.listener is None
        listener._thread.join(60)
        assert not listener.running


def test_when_the_listening_connection_drops_the_look_still_refreshes_and_brings_the_listener_back(
        qtbot, pg_server, tmp_path, monkeypatch):  # noqa: F811
    """The server drops the window's listening connection (a restart, say): the regular look still
    finds another PC's change, and its answer tells the listener to connect again at once; the next
    change is heard again without any look."""
    import psycopg

    from desktop.operations import records
    from desktop.ui import changes as ui_changes

    monkeypatch.setattr(ui_changes, "RECONNECT_S", 3600.0)  # only the look's answer brings it back in time
    with window_on_server(qtbot, pg_server, auto_backup=False) as (win, url):
        ctx = win.ctx
        win.show()
        ent = records.save_enterprise(ctx.session, {"uscc": GOOD_USCC, "name": "莆田市城厢区华峰鞋业有限公司",
                                                    "region": "350302"})["id"]
        view = win.show_view("enterprises")
        view.refresh()
        _poll(win)
        win.changes.timer.stop()
        listener = win.changes.listener
        assert listener.listening.wait(60)
        with psycopg.connect(host=str(pg_server.folder), port=5432, user=pg_server.superuser, dbname="postgres",
                             autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (listener.pid,))
        assert listener.dropped.wait(60)

        other = _other_officer(ctx)
        theirs = records.enterprise(other, ent)
        records.save_enterprise(other, {**_form(theirs), "name": "莆田市城厢区华峰体育用品有限公司"}, ent, theirs["version"])
        _poll(win)  # the look the timer makes every few seconds
        assert "莆田市城厢区华峰体育用品有限公司" in _shown_names(view)
        assert listener.listening.wait(60) and listener.connections == 2  # back at once, not in an hour

        theirs = records.enterprise(other, ent)
        records.save_enterprise(other, {**_form(theirs), "name": "莆田市城厢区华峰运动科技有限公司"}, ent, theirs["version"])
        qtbot.waitUntil(lambda: "莆田市城厢区华峰运动科技有限公司" in _shown_names(view), timeout=60_000)
        ctx.tasks.wait()
        win.close()
