"""The desktop program on a damaged database: the message names the newest good backup and one
click restores it (the damaged file kept aside, unread), then the program starts on it."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from desktop.ui.qt import QToolButton  # noqa: E402
from tests.conftest import OTHER_USCC, std  # noqa: E402


def damaged_office(tmp_path: Path) -> tuple[Path, Path]:
    from desktop.store import backup, office, records
    from desktop.store.db import close_db, open_db
    from desktop.store.models import database

    path = tmp_path / "office.db"
    open_db(path, auto_backup=False)
    office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监", user="tester")
    records.load({"enterprises": [{"uscc": OTHER_USCC, "name": "莆田鞋业"}],
                  "achievements": [std(id=f"a{i}", enterprise=OTHER_USCC, ref=f"GB/T {1000 + i}-2024")
                                   for i in range(200)]}, user="tester")
    made = backup.make_backup(database, path, "manual")
    close_db()
    import datetime as dt

    today = dt.date.today()
    day_before = (today - dt.timedelta(days=1)).strftime("%Y%m%d")
    good = made.with_name(made.name.replace(today.strftime("%Y%m%d"), day_before, 1))  # yesterday's: today's is due
    made.rename(good)
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    raw = bytearray(path.read_bytes())
    for off in range(4096, len(raw), 4096 * 2):
        raw[off:off + 8] = b"\xff" * 8
    path.write_bytes(bytes(raw))
    return path, good


def test_damage_found_at_open_is_restored_with_one_click(qtbot, tmp_path):
    from desktop.store import db
    from desktop.ui.app import Startup, make_app
    from desktop.ui.context import AppContext
    from desktop.ui.qt import QMessageBox

    path, good = damaged_office(tmp_path)
    make_app()
    ctx = AppContext()
    exits: list[int] = []
    st = Startup(ctx, exits.append)
    try:
        st.start(path)
        qtbot.waitUntil(lambda: isinstance(st.dialog, QMessageBox) and st.dialog.isVisible(), timeout=15000)
        box = st.dialog
        assert box.objectName() == "openError"
        assert "damaged" in box.text() and good.name in box.text()
        restore = next(b for b in box.buttons() if b.text() == "Restore the newest good backup")
        restore.click()
        qtbot.waitUntil(lambda: st.window is not None and db.models_bound(), timeout=15000)
        assert exits == []
        from desktop.store.models import Achievement

        assert Achievement.select().count() == 200
        kept = [p for p in path.parent.iterdir() if ".damaged-" in p.name and not p.name.endswith(("-wal", "-shm"))]
        assert len(kept) == 1
    finally:
        if st.window is not None:
            st.window.close()
        ctx.tasks.wait()
        db.close_db()


# ------------------------------------------------------------------------- what opening found
def plain_office(tmp_path: Path) -> Path:
    from desktop.store import office, records
    from desktop.store.db import close_db, open_db

    path = tmp_path / "office.db"
    open_db(path, auto_backup=False)
    office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监", user="tester")
    records.load({"enterprises": [{"uscc": OTHER_USCC, "name": "莆田鞋业"}],
                  "achievements": [std(id="a1", enterprise=OTHER_USCC)]}, user="tester")
    close_db()
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return path


def open_notes_shown(qtbot, path: Path, restored: list | None = None) -> str:
    """Start the desktop program on ``path`` and return the text of the bar at the top of its window
    once it shows what opening found (the program keeps working: the bar is not a modal box)."""
    from desktop.store import db
    from desktop.ui.app import Startup, make_app
    from desktop.ui.context import AppContext

    make_app()
    ctx = AppContext()
    exits: list[int] = []
    st = Startup(ctx, exits.append)
    try:
        st.start(path)
        qtbot.waitUntil(lambda: st.window is not None and db.models_bound(), timeout=15000)
        bar = st.window.notes_bar
        qtbot.waitUntil(bar.isVisible, timeout=15000)
        assert exits == [] and st.dialog is None
        text = bar.text()
        assert text.startswith("Opening the database found:")
        if restored is not None:  # the damage case: one click restores, as at the start
            qtbot.waitUntil(bar.restore_btn.isVisible, timeout=15000)
            st._restore = restored.append
            bar.restore_btn.click()
        else:
            assert not bar.restore_btn.isVisible()
        assert st.window.show_view("enterprises") is not None  # work goes on with the bar shown
        close = next(b for b in bar.findChildren(QToolButton) if b.text() == "×")
        close.click()
        assert not bar.isVisible()
        return text
    finally:
        if st.window is not None:
            st.window.close()
        ctx.tasks.wait()
        db.wait_for_backup()
        db.close_db()


def test_the_window_says_which_leftovers_opening_removed(qtbot, tmp_path):
    path = plain_office(tmp_path)
    backups = path.parent / "office-backups"
    backups.mkdir(exist_ok=True)
    (backups / "office-20260101-daily.db.part").write_bytes(b"half a backup")
    text = open_notes_shown(qtbot, path)
    assert "removed 1 temporary file(s) left by an interrupted operation: office-20260101-daily.db.part" in text
    assert not (backups / "office-20260101-daily.db.part").exists()


def test_the_window_says_the_daily_backup_could_not_be_written(qtbot, tmp_path):
    path = plain_office(tmp_path)
    folder = path.parent / "office-backups"
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    folder.write_text("a file where the backups folder should be")
    text = open_notes_shown(qtbot, path)
    assert "today's automatic backup could not be written; it will be tried again at the next start" in text


def test_the_window_says_a_database_on_read_only_media_is_open_for_reading(qtbot, tmp_path, monkeypatch):
    import errno

    from desktop.store import lock

    path = plain_office(tmp_path)

    def refuse(self) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(self.path))

    monkeypatch.setattr(lock.WriterLock, "acquire", refuse)
    text = open_notes_shown(qtbot, path)
    assert f"{path} is on a read-only disk: it is open for reading only" in text


def test_the_window_says_what_damage_the_background_backup_found(qtbot, tmp_path, monkeypatch):
    """A database too large for the quick check at open is read whole by the day's backup, in the
    background, after the window is up: damage it finds is shown in the window, not only logged."""
    from desktop.store import backup
    from desktop.store.db import close_db, open_db
    from desktop.store.models import database

    path = plain_office(tmp_path)
    open_db(path, auto_backup=False)
    made = backup.make_backup(database, path, "manual")
    close_db()
    import datetime as dt

    today = dt.date.today()
    day_before = (today - dt.timedelta(days=1)).strftime("%Y%m%d")
    good = made.with_name(made.name.replace(today.strftime("%Y%m%d"), day_before, 1))  # yesterday's: today's is due
    made.rename(good)

    def failing_disk(con, db_path, kind):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(backup, "make_backup", failing_disk)
    restored: list = []
    text = open_notes_shown(qtbot, path, restored)
    assert "damaged" in text and str(path) in text and good.name in text
    assert restored == [good]


def test_a_database_set_aside_twice_in_one_second_keeps_both_copies(tmp_path):
    """Setting a damaged file aside names it by the second; a second damaged file set aside in that
    second must get a name of its own, not replace the first copy."""
    from desktop.store.db import _set_aside

    db = tmp_path / "office.db"
    db.write_bytes(b"first damaged file")
    first = _set_aside(db)
    db.unlink()
    db.write_bytes(b"second damaged file")
    second = _set_aside(db)
    assert first != second
    assert first.read_bytes() == b"first damaged file" and second.read_bytes() == b"second damaged file"
