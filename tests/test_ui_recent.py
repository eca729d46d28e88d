"""File → 最近打开的数据库: the databases an officer opened, newest first, named by office and folder;
gone files greyed and removable; server connections by name, never with a password."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_daily import set_up_office, started  # noqa: E402,F401 - the fixture

OFFICE = "莆田市城厢区市场监督管理局"


@pytest.fixture(autouse=True)
def _empty_list():
    """Each test starts from an empty list (the settings file outlives a test's databases)."""
    from desktop.ui import recent

    recent._store([])
    yield
    recent._store([])


def _menu_rows(win) -> list[tuple[str, bool]]:
    menu = win.recent_menu
    menu.aboutToShow.emit()  # filled afresh as when the officer opens it
    return [(a.text(), a.isEnabled()) for a in menu.actions() if not a.isSeparator()]


def test_an_opened_database_is_listed_first_with_its_office_and_folder_and_opens_again(started, qtbot, tmp_path):  # noqa: F811
    from desktop.ui import recent

    win = set_up_office(started, qtbot)
    first = started.ctx.db_path
    qtbot.waitUntil(lambda: bool(recent.entries()), timeout=10000)
    assert [(e.target, e.office) for e in recent.entries()] == [(str(first.absolute()), OFFICE)]
    rows = _menu_rows(win)
    assert rows[0] == (f"&1 {OFFICE} — {first.parent}", True)

    other = tmp_path / "另一个 #局" / "office.db"  # a folder with # and Chinese, as on a USB stick
    other.parent.mkdir()
    recent.open_entry(win, recent.Recent(recent.FILE, str(first)))  # the open one: nothing happens
    assert started.window is win and "already open" in win.statusBar().currentMessage()
    from desktop.ui import database_actions

    database_actions.open_other(win, str(other))
    qtbot.waitUntil(lambda: started.dialog is not None, timeout=10000)
    win2 = set_up_office(started, qtbot)
    qtbot.waitUntil(lambda: len(recent.entries()) == 2, timeout=10000)
    assert [e.target for e in recent.entries()] == [str(other.absolute()), str(first.absolute())]  # newest first
    rows = _menu_rows(win2)
    assert rows[0][0] == f"&1 {OFFICE} — {other.parent}" and rows[1][0] == f"&2 {OFFICE} — {first.parent}"

    # choosing the older one from the menu opens it (its administrator signs in again)
    older = [a for a in win2.recent_menu.actions() if a.text().startswith("&2 ")][0]
    older.trigger()
    qtbot.waitUntil(lambda: started.ctx.db_path == first and (started.dialog is not None or started.window is not None),
                    timeout=10000)


def test_a_missing_file_is_greyed_marked_and_removable_and_the_list_keeps_eight(qtbot, tmp_path):
    from desktop.ui import recent, settings
    from desktop.ui.app import make_app
    from desktop.ui.qt import QMainWindow, QMenu

    make_app()
    files = []
    for i in range(10):
        f = tmp_path / f"局{i}" / "county.db"
        f.parent.mkdir()
        f.write_bytes(b"")
        files.append(f)
        recent.remember_file(f, f"第{i}局")
    recent.remember_file(files[3], "第3局")  # opened again: to the top, not twice
    got = recent.entries()
    assert len(got) == recent.MAX_RECENT
    assert [e.office for e in got] == ["第3局", "第9局", "第8局", "第7局", "第6局", "第5局", "第4局", "第2局"]
    files[8].unlink()
    win = QMainWindow()
    qtbot.addWidget(win)
    menu = QMenu()
    recent.fill(menu, win)
    rows = [(a.text(), a.isEnabled()) for a in menu.actions() if not a.isSeparator()]
    gone = [r for r in rows if "第8局" in r[0]]
    assert gone == [(f"&3 第8局 — {files[8].parent} (file not found)", False)]
    assert all(enabled for text, enabled in rows if "第8局" not in text)
    recent.open_entry(win, got[2])  # reached anyway (a stale menu): told, nothing opened
    assert "not there any more" in win.statusBar().currentMessage()
    prune = [a for a in menu.actions() if a.text() == "Remove missing files from the list"]
    assert len(prune) == 1
    prune[0].trigger()
    assert [e.office for e in recent.entries()] == ["第3局", "第9局", "第7局", "第6局", "第5局", "第4局", "第2局"]
    recent.fill(menu, win)
    assert not [a for a in menu.actions() if a.text() == "Remove missing files from the list"]
    [a for a in menu.actions() if a.text() == "Clear the list"][0].trigger()
    assert recent.entries() == [] and settings.RECENT_DATABASES.get() == []
    recent.fill(menu, win)
    assert [(a.text(), a.isEnabled()) for a in menu.actions()] == [("No databases opened yet", False)]


def test_a_server_connection_is_listed_by_its_name_and_its_password_is_never_stored(qtbot, tmp_path):
    import os

    from desktop.ui import recent, settings
    from desktop.ui.app import make_app
    from desktop.ui.qt import QMainWindow, QMenu

    make_app()
    recent.remember_server("局里的服务器", "postgresql://lin:p%40ss-s3cret@10.0.0.5:5432/stdaward", OFFICE)
    recent.remember_server("局里的服务器", "postgresql://lin:another-s3cret@10.0.0.5:5432/stdaward", OFFICE)
    (entry,) = recent.entries()
    assert entry.target == "postgresql://lin@10.0.0.5:5432/stdaward" and entry.name == "局里的服务器"
    ini = settings.settings_file(Path(os.environ["STDAWARD_DATA"]))
    assert "s3cret" not in ini.read_text(encoding="utf-8")
    win = QMainWindow()
    qtbot.addWidget(win)
    menu = QMenu()
    recent.fill(menu, win)
    text = menu.actions()[0].text()
    assert text == f"&1 局里的服务器 (server connection) · {OFFICE}" and menu.actions()[0].isEnabled()
    assert "10.0.0.5" not in text and "s3cret" not in menu.actions()[0].toolTip()
    opened: list[str] = []
    recent.SERVER_OPENER = lambda window, name: opened.append(name)
    try:
        menu.actions()[0].trigger()
    finally:
        recent.SERVER_OPENER = None
    assert opened == ["局里的服务器"]


def test_garbage_in_the_settings_file_and_the_demo_are_not_listed(qtbot, tmp_path):
    from types import SimpleNamespace

    from desktop.ui import recent, settings
    from desktop.ui.app import make_app

    make_app()
    real = tmp_path / "a.db"
    real.write_bytes(b"")
    settings.RECENT_DATABASES.set(["{not json", '{"kind": "disk", "target": "x"}', '{"target": "y"}', str(real), ""])
    assert [(e.kind, e.target) for e in recent.entries()] == [("file", str(real))]  # an old plain path is kept
    recent.opened(SimpleNamespace(db_path=tmp_path / "demo.db", demo=True, quick_office="演示局"))
    assert [e.target for e in recent.entries()] == [str(real)]
    recent.opened(SimpleNamespace(db_path=tmp_path / "b&c.db", demo=False, quick_office="甲&乙局"))
    assert recent.entries()[0].office == "甲&乙局"


def test_a_server_opened_in_the_window_is_remembered_by_its_address_and_reopens_from_the_menu(qtbot, tmp_path,
                                                                                                monkeypatch):
    """Opening a server database puts its address (no password, no connection-file path) in the list;
    choosing it hands the same connection file to the start-up, as File → Connect does."""
    from types import SimpleNamespace

    from desktop.operations import servers
    from desktop.ui import recent
    from desktop.ui.app import make_app
    from desktop.ui.qt import QMainWindow, QMenu

    make_app()
    conn = servers.connection_for("postgresql://lin:s3cret@10.0.0.5:5432/stdaward")
    ctx = SimpleNamespace(db_path=conn, demo=False, quick_office=OFFICE, tasks=SimpleNamespace(idle=True))
    recent.opened(ctx)
    (entry,) = recent.entries()
    assert entry.target == "postgresql://lin@10.0.0.5:5432/stdaward" and str(conn) not in entry.label()
    assert entry.label() == f"lin@10.0.0.5:5432/stdaward (server connection) · {OFFICE}"

    connected: list = []
    win = QMainWindow()
    qtbot.addWidget(win)
    win.ctx = SimpleNamespace(db_path=tmp_path / "county.db", tasks=SimpleNamespace(idle=True))
    win.startup = SimpleNamespace(connect_server=connected.append)
    menu = QMenu()
    recent.fill(menu, win)
    menu.actions()[0].trigger()
    assert connected == [conn]
