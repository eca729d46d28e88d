"""The quick start of the window (offscreen): on a current database with the office set up, the main
window paints its default view with real rows before peewee (or babel, reportlab, cryptography,
openpyxl, stdnum) is imported; the models are bound right after and the status bar then names the
user. A busy or too new database is refused on that path as on the slow one."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from tests.conftest import GOOD_USCC, std  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("peewee", "babel", "reportlab", "cryptography", "openpyxl", "stdnum", "desktop.store.models")

# Started in a fresh interpreter (this one has peewee loaded): records what is imported when the
# main window receives its first paint event, then waits for the models and reads the status bar.
SCRIPT = """
import json, sys
from pathlib import Path
from desktop.ui.app import Startup, make_app
from desktop.ui.context import AppContext
from desktop.ui.qt import QEvent, QObject, QTimer

HEAVY = %r
app = make_app()
ctx = AppContext()
st = Startup(ctx, lambda code: app.exit(code))
seen = {}

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "loaded" not in seen and obj is st.window:
            view = st.window.current_view()
            seen["loaded"] = [m for m in HEAVY if m in sys.modules]
            seen["view"] = st.window.current_name()
            seen["rows"] = view.model.rowCount()
            seen["first"] = view.model.index(0, 0).data()
        return False

watch = FirstPaint()
app.installEventFilter(watch)

def bound():
    seen["after"] = [m for m in HEAVY[:1] if m in sys.modules]
    seen["status"] = st.window.status_user.text()
    seen["office"] = ctx.office.name
    app.exit(0)

ctx.store_ready.connect(bound)
QTimer.singleShot(10000, lambda: app.exit(3))
st.start(Path(sys.argv[1]))
rc = app.exec()
ctx.tasks.wait()
print(json.dumps(seen, ensure_ascii=False))
sys.exit(rc)
"""


@pytest.fixture
def current_db(tmp_path):
    """A current database with the office set up and no user accounts (the quick start's case)."""
    from desktop.store import db, office, records

    path = tmp_path / "office.db"
    db.open_db(path, auto_backup=False)
    office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监", user="tester")
    records.load({"enterprises": [{"uscc": GOOD_USCC, "name": "莆田市城厢区华峰鞋业有限公司"}],
                  "achievements": [std(id=f"A{i:03d}") for i in range(3)]}, user="tester")
    db.close_db()
    return path


def test_window_paints_before_peewee_is_imported_then_binds_the_models(current_db, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), STDAWARD_DATA=str(tmp_path / "data"))
    out = subprocess.run([sys.executable, "-c", SCRIPT % (HEAVY,), str(current_db)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["loaded"] == []  # nothing heavy before the first paint
    assert seen["view"] == "enterprises" and seen["rows"] == 1 and seen["first"] == "莆田市城厢区华峰鞋业有限公司"
    assert seen["after"] == ["peewee"]  # bound after the paint, not left out
    assert seen["status"] and seen["office"] == "莆田市城厢区市场监督管理局"


def _start(path: Path):
    from desktop.ui.app import Startup, make_app
    from desktop.ui.context import AppContext

    make_app()
    exits: list[int] = []
    st = Startup(AppContext(), exits.append)
    st.start(path)
    return st, exits


def test_quick_start_refuses_a_database_open_in_another_process(current_db, qtbot):
    from desktop.store.lock import WriterLock

    holder = WriterLock(current_db)
    holder.acquire()
    try:
        st, exits = _start(current_db)
        qtbot.waitUntil(lambda: st.dialog is not None, timeout=10000)
        assert "already open in another StdAward window" in st.dialog.text() and st.window is None
        st.dialog.done(0)
        assert exits == [1]
    finally:
        holder.release()


def test_quick_start_refuses_a_database_from_a_newer_program_and_leaves_it_alone(current_db, qtbot):
    import sqlite3

    from desktop.store.lock import WriterLock

    con = sqlite3.connect(current_db)
    con.execute("PRAGMA user_version = 99")
    con.close()
    before = current_db.read_bytes()
    st, exits = _start(current_db)
    qtbot.waitUntil(lambda: st.dialog is not None, timeout=10000)
    assert "newer version of StdAward" in st.dialog.text() and st.window is None
    st.dialog.done(0)
    assert exits == [1] and current_db.read_bytes() == before
    lock = WriterLock(current_db)  # the lock was let go
    lock.acquire()
    lock.release()


def test_actions_wait_for_the_models_after_a_quick_start(current_db, qtbot):
    from desktop.store import db
    from desktop.store.models import Enterprise

    st, _exits = _start(current_db)
    try:
        assert st.window is not None and not db.models_bound()  # shown before the models were bound
        st.ctx.require_store()  # what an action does first
        assert db.models_bound() and Enterprise.select().count() == 1
        st.window.show_view("achievements")
        qtbot.waitUntil(lambda: st.window.current_view().model.rowCount() == 3, timeout=10000)
    finally:
        st.window.close()
        st.ctx.tasks.wait()
        db.close_db()


def test_the_program_started_as_an_officer_starts_it_paints_its_rows(current_db, tmp_path):
    """``python -m desktop`` (what the ``stdaward`` command and the Windows shortcut run) down to the
    painted window, through the probe the start-up benchmark uses: the default view with its row,
    then the achievements view with its three rows."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), STDAWARD_DATA=str(tmp_path / "data"))
    out = subprocess.run([sys.executable, "-m", "desktop", "--db", str(current_db), "--startup-probe", "achievements"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ready", "enterprises=1:莆田市城厢区华峰鞋业有限公司", "achievements=3:A002"]  # newest first


def test_a_window_closed_in_its_first_moments_wakes_its_worker_and_tells_it_the_database_closed(current_db, monkeypatch):
    """A view's background read waits for the models after a quick start. Closed before they were
    bound (the probe's quick exit, an officer closing at once): the worker is woken at once and told
    the database closed. Before, it waited its two seconds, then imported the models on a closed
    database while the window closed them: "unexpected AttributeError: partially initialized module"."""
    import threading

    from desktop.core.errors import StdAwardError
    from desktop.store import db

    class Watched(threading.Event):
        def __init__(self) -> None:
            super().__init__()
            self.waiting = threading.Event()

        def wait(self, timeout: float | None = None) -> bool:
            self.waiting.set()
            return super().wait(timeout)

    asked = Watched()
    monkeypatch.setattr(db, "_bind_asked", asked)
    monkeypatch.setattr(db, "BIND_WAIT", 600.0)  # as if the window never painted: only the close can wake it
    assert db.open_quick(current_db) is not None
    said: list[str] = []

    def background_read() -> None:
        try:
            db.execute_sql("SELECT count(*) FROM achievement").fetchone()
            said.append("read")
        except StdAwardError as exc:
            said.append(str(exc))

    worker = threading.Thread(target=background_read)
    worker.start()
    assert asked.waiting.wait(60)
    db.close_db()
    worker.join(60)
    assert not worker.is_alive()
    assert said == ["the database was closed before this could be read"] and not db.models_bound()


def test_closing_while_another_thread_is_still_importing_the_models_closes_cleanly(current_db, monkeypatch):
    """While a worker imports the models (or the server's module, or the audit log's),
    ``sys.modules`` holds the module before its names exist: closing, a pool thread's end and the
    engine's question must not read them."""
    import types

    from desktop.operations import quick
    from desktop.store import backend, db

    assert db.open_quick(current_db) is not None
    for name in ("desktop.store.models", "desktop.store.pg", "desktop.store.audit"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    db.close_db()  # before: AttributeError, no attribute 'database'
    quick.thread_done()
    assert not db.models_bound() and not backend.is_postgres()


def test_the_probe_says_so_when_the_window_did_not_open_quickly(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), STDAWARD_DATA=str(tmp_path / "data"))
    out = subprocess.run([sys.executable, "-m", "desktop", "--db", str(tmp_path / "new.db"), "--startup-probe", ""],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and out.stdout.strip() == "not started"  # a new database: the first-run wizard


def test_the_garbage_collector_paused_for_the_start_resumes_after_the_first_paint(current_db, qtbot):
    import gc

    gc.disable()  # as desktop.cli.open_gui does before Qt is imported
    st = None
    try:
        st, _exits = _start(current_db)
        assert not gc.isenabled()  # shown, not yet painted
        qtbot.waitUntil(gc.isenabled, timeout=10000)
    finally:
        gc.enable()
        gc.unfreeze()
        if st is not None and st.window is not None:
            st.window.close()
            st.ctx.tasks.wait()
        from desktop.store import db

        db.close_db()  # (left open, the next test's in-process commands found this database open)
