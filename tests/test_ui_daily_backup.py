"""The window on an office server makes the day's backup in the background when this PC takes part,
and says plainly in the bar at the top when it could not be written; the administrator sets this
PC's backup folder in 设置. No timing is asserted: every wait is for the result."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.conftest_pg import pg_server, window_on_server  # noqa: E402, F401 - fixture

WAIT_MS = 120_000


@pytest.fixture
def server_window(qtbot, pg_server):  # noqa: F811
    """A window on an office on a fresh server database without accounts (so its one user is the
    administrator), not yet shown."""
    with window_on_server(qtbot, pg_server, auto_backup=False) as (win, _url):
        yield win


def _copies(folder):
    return sorted(folder.glob("*-daily.db")) if folder.is_dir() else []


def test_the_window_makes_the_days_backup_in_the_background(server_window, qtbot):
    from desktop.store import db

    win = server_window
    own = win.ctx.session.folder("backups")
    win.show()  # the start is not held up: the copy is made after the first paint, beside the work
    qtbot.waitUntil(lambda: len(_copies(own)) == 1 and not db.backup_running(), timeout=WAIT_MS)
    from desktop.operations import backups

    assert backups.daily(win.ctx.session).status == "done"  # recorded: nobody makes it again today
    assert win.notes_bar.notes == []


def test_the_administrator_sets_this_pcs_backup_folder_and_the_days_copy_goes_there(server_window, qtbot, tmp_path):
    from desktop.operations import backups
    from desktop.store import db

    win = server_window
    view = win.show_view("settings")
    assert view.backup_box.isVisibleTo(win) and view.backup_box.isEnabled()
    view.backup_folder.setText(str(tmp_path / "nowhere"))
    view.save_backup_folder.click()
    assert "not a folder that exists" in view.backup_msg.text() and backups.daily_folder(win.ctx.session) is None
    share = tmp_path / "共享备份"
    share.mkdir()
    view.backup_folder.setText(str(share))
    view.save_backup_folder.click()
    assert backups.daily_folder(win.ctx.session) == share.resolve() and str(share) in view.backup_msg.text()
    qtbot.waitUntil(lambda: len(_copies(share)) == 1 and not db.backup_running(), timeout=WAIT_MS)
    assert _copies(win.ctx.session.folder("backups")) == []


def test_a_backup_folder_that_is_gone_is_said_in_the_bar_and_nothing_is_recorded(server_window, qtbot, tmp_path):
    from desktop.operations import backups
    from desktop.store import db

    win = server_window
    stick = tmp_path / "U盘"
    stick.mkdir()
    backups.set_daily_folder(win.ctx.session, stick)
    stick.rmdir()  # pulled out overnight
    win.show()
    qtbot.waitUntil(lambda: any("could not be written" in n for n in win.notes_bar.notes), timeout=WAIT_MS)
    assert any(str(stick) in n and "is not there" in n for n in win.notes_bar.notes)
    qtbot.waitUntil(lambda: not db.backup_running(), timeout=WAIT_MS)
    assert backups.daily(win.ctx.session, tmp_path).status == "made"  # nothing had been recorded for the day
