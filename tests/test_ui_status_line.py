"""The status line names the database the officer works in: a server database by its address
(lin@192.168.1.10:5432/stdaward), not by the connection file this PC keeps for it deep in the data
folder (…/servers/lin@192.168.1.10-5432-stdaward-1a2b3c4d/office.pgdb), which names no server to
someone who reads it."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")


def test_a_server_database_is_named_by_its_address(qtbot, db, tmp_path):
    from desktop.store import backend
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow

    make_app()
    ctx = AppContext(db)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    assert str(db) in win.status_db.text()  # a file: its path
    connection = backend.connection_file("postgresql://lin@192.168.1.10:5432/stdaward", folder=tmp_path / "servers")
    ctx.db_path = connection
    win.update_status()
    text = win.status_db.text()
    assert "lin@192.168.1.10:5432/stdaward" in text, text
    assert ".pgdb" not in text and "servers" not in text
    ctx.db_path = db
