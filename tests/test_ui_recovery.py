"""The desktop program on a damaged database: the message names the newest good backup and one
click restores it (the damaged file kept aside, unread), then the program starts on it."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

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
    good = backup.make_backup(database, path, "manual")
    close_db()
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
