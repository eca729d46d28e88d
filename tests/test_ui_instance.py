"""A second start on a database already open in this account brings the running window forward and
hands it the file given on the command line (opened in its import), then exits 0; when nobody answers
(another account's window, a window that hangs) the "already open" message stays. Files come in the
same way when the program is started with one, and when they are dropped on the window."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_start import ROOT, _start, current_db  # noqa: E402, F401 - fixture


def template(folder: Path) -> Path:
    """An Excel workbook the import reads (the template: its example rows are not imported)."""
    from desktop.operations import records

    return records.write_template(folder / "县局成果.xlsx")


def imported_message(window) -> str:
    return window.statusBar().currentMessage()


def test_a_second_start_brings_the_window_forward_and_opens_its_file(current_db, qtbot, tmp_path):  # noqa: F811
    st, exits = _start(current_db)
    qtbot.waitUntil(lambda: st.server is not None and st.server.listening, timeout=10000)
    st.window.showMinimized()
    book = template(tmp_path)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), STDAWARD_DATA=str(tmp_path / "data"))
    second = subprocess.Popen([sys.executable, "-m", "desktop", "--db", str(current_db), str(book)], cwd=tmp_path,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=60000)  # the events go on meanwhile
    finally:
        if second.poll() is None:
            second.kill()
    out, err = second.communicate()
    assert second.returncode == 0, err
    assert "already open" not in err
    qtbot.waitUntil(lambda: book.name in imported_message(st.window), timeout=20000)
    assert "achievements added" in imported_message(st.window)  # the workbook went through the Excel import
    assert not st.window.isMinimized()
    assert exits == []  # the first window keeps running
    st.ctx.tasks.wait()
    st.window.close()


def test_nobody_answering_keeps_the_already_open_message(current_db, qtbot, monkeypatch):  # noqa: F811
    """Another account's window listens under another name; a hung one accepts but never answers."""
    from desktop.store.lock import WriterLock
    from desktop.ui import instance
    from desktop.ui.qt import network

    qn = network()
    hung = qn.QLocalServer()
    assert hung.listen(instance.server_name(current_db))  # accepts, never replies
    monkeypatch.setattr(instance, "REPLY_MS", 300)
    holder = WriterLock(current_db)
    holder.acquire()
    try:
        st, exits = _start(current_db)
        qtbot.waitUntil(lambda: st.dialog is not None, timeout=10000)
        assert "already open in another StdAward window" in st.dialog.text() and st.window is None
        st.dialog.done(0)
        assert exits == [1]
        hung.close()
        monkeypatch.setattr(instance, "_account", lambda: "someone-else")
        other = instance.InstanceServer(current_db, lambda files: pytest.fail("another account's window was asked"))
        monkeypatch.undo()
        assert other.listening and other.name != instance.server_name(current_db)
        st, exits = _start(current_db)
        qtbot.waitUntil(lambda: st.dialog is not None, timeout=10000)
        assert "already open in another StdAward window" in st.dialog.text()
        st.dialog.done(0)
        assert exits == [1]
        other.close()
    finally:
        holder.release()


def test_the_server_ignores_what_is_not_a_request(qtbot, tmp_path):
    from desktop.ui import instance
    from desktop.ui.qt import network

    asked: list[list[str]] = []
    server = instance.InstanceServer(tmp_path / "x.db", asked.append)
    assert server.listening
    replies = []
    for payload in (b"not json\n", b'{"raise": false}\n', b'["raise"]\n', b'{"raise": true, "files": ["a.xlsx", 3]}\n'):
        sock = network().QLocalSocket()
        sock.connectToServer(server.name)
        got = bytearray()
        sock.readyRead.connect(lambda s=sock, g=got: g.extend(bytes(s.readAll().data())))
        qtbot.waitUntil(lambda s=sock: s.state() == s.LocalSocketState.ConnectedState)
        sock.write(payload)
        qtbot.waitUntil(lambda g=got: b"\n" in g)
        replies.append(bytes(got))
        sock.readyRead.disconnect()
        sock.abort()
        sock.deleteLater()
    assert replies == [b"no\n", b"no\n", b"no\n", b"ok\n"]
    assert asked == [["a.xlsx"]]  # only the one request, only its text file names
    server.close()
    server.deleteLater()
    qtbot.wait(50)


def test_a_start_with_a_workbook_opens_it_once_the_window_is_up(current_db, qtbot, tmp_path):  # noqa: F811
    from desktop.ui.app import Startup
    from desktop.ui.context import AppContext

    book = template(tmp_path)
    exits: list[int] = []
    st = Startup(AppContext(), exits.append, [str(book)])
    st.start(current_db)
    qtbot.waitUntil(lambda: st.window is not None and book.name in imported_message(st.window), timeout=20000)
    assert st.window.current_name() == "achievements" and exits == []
    st.ctx.tasks.wait()
    st.window.close()


def test_only_package_and_workbook_names_open_the_window():
    from desktop.cli import gui_args

    assert gui_args([r"E:\县局-2026.stdpkg"]).files == [r"E:\县局-2026.stdpkg"]
    assert gui_args(["--db", "o.db", "成果.XLSX"]).files == ["成果.XLSX"]
    assert gui_args(["--db", "o.db"]).files == []
    assert gui_args(["load", "成果.xlsx"]) is None  # a command, for the full parser
    assert gui_args(["notes.txt"]) is None


def test_a_second_start_with_several_files_opens_each_in_turn(current_db, qtbot, tmp_path):  # noqa: F811
    st, exits = _start(current_db)
    qtbot.waitUntil(lambda: st.server is not None and st.server.listening, timeout=10000)
    first = template(tmp_path)
    (tmp_path / "b").mkdir()
    second_book = template(tmp_path / "b").rename(tmp_path / "b" / "乡镇成果.xlsx")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), STDAWARD_DATA=str(tmp_path / "data"))
    second = subprocess.Popen([sys.executable, "-m", "desktop", "--db", str(current_db), str(first), str(second_book)],
                              cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=60000)
    finally:
        if second.poll() is None:
            second.kill()
    _out, err = second.communicate()
    assert second.returncode == 0, err
    qtbot.waitUntil(lambda: getattr(getattr(st.window, "file_queue", None), "summary", None) is not None, timeout=20000)
    box = st.window.file_queue.summary
    assert box.text() == "2 of 2 files opened."
    assert [line.split(":")[0] for line in box.informativeText().splitlines()] == [
        f"✓ {first.name}", f"✓ {second_book.name}"]
    box.accept()
    assert exits == []
    st.ctx.tasks.wait()
    st.window.close()
