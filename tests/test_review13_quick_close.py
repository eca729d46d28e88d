"""A view's background read waiting for the models after a quick start, when the window is closed
in its first moments and another database (or the same one again) is opened: the worker belongs to
the database it was started on. It is told that database closed; it never binds, nor reads, the one
opened next (before that window has painted), nor binds the one being closed."""
from __future__ import annotations

import threading

import pytest

pytest.importorskip("pytestqt")

from tests.conftest import GOOD_USCC, std  # noqa: E402
from tests.test_ui_start import current_db  # noqa: E402,F401  (the quick start's database)

CLOSED = "the database was closed before this could be read"


class Held(threading.Event):
    """``_bind_asked`` whose waiter, once woken, is held (as a worker descheduled on a busy machine)
    until ``go``."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = threading.Event()
        self.go = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        self.waiting.set()
        woken = super().wait(timeout)
        self.go.wait(60)
        return woken


def _background_read(said: list[str]) -> threading.Thread:
    from desktop.core.errors import StdAwardError
    from desktop.store import db

    def read() -> None:
        try:
            said.append(f"read {db.execute_sql('SELECT count(*) FROM achievement').fetchone()[0]}")
        except StdAwardError as exc:
            said.append(str(exc))

    worker = threading.Thread(target=read)
    worker.start()
    return worker


def _other_office(tmp_path):
    from desktop.store import db, office, records

    path = tmp_path / "other" / "office.db"
    db.open_db(path, auto_backup=False)
    office.update(name="莆田市荔城区市场监督管理局", region_code="350304", doc_prefix="荔市监", user="tester")
    records.load({"enterprises": [{"uscc": GOOD_USCC, "name": "乙公司"}],
                  "achievements": [std(id=f"B{i:03d}") for i in range(5)]}, user="tester")
    db.close_db()
    return path


def test_a_worker_of_the_closed_window_neither_binds_nor_reads_the_database_opened_next(current_db, tmp_path,  # noqa: F811
                                                                                        monkeypatch):
    """File → open another database within the first two seconds: the old view's worker, woken late,
    found the new database quickly opened and bound it itself (before its window painted, from a
    thread of a window that no longer exists) and answered the old view with the other office's
    rows: 5 records where its database has 3."""
    from desktop.store import db

    other = _other_office(tmp_path)
    asked = Held()
    monkeypatch.setattr(db, "_bind_asked", asked)
    monkeypatch.setattr(db, "BIND_WAIT", 600.0)
    assert db.open_quick(current_db) is not None
    said: list[str] = []
    worker = _background_read(said)
    try:
        assert asked.waiting.wait(60)
        db.close_db()  # the officer opens another database
        assert db.open_quick(other) is not None
        asked.go.set()  # the old worker gets the processor again
        worker.join(60)
        assert not worker.is_alive()
        assert said == [CLOSED]
        assert not db.models_bound()  # the new window binds its models after its own first paint
    finally:
        asked.go.set()
        worker.join(60)
        db.close_db()


def test_a_window_closed_in_its_first_moments_does_not_bind_the_database_it_is_closing(current_db,  # noqa: F811
                                                                                        monkeypatch):
    """Closing wakes the waiting worker before it takes the binding lock: the worker, first to the
    lock, bound the database being closed (peewee and the models imported, the day's backup started
    in a thread the close does not wait for) and read it, all for a window already gone."""
    from desktop.store import backup as backups
    from desktop.store import db

    main = threading.current_thread()
    workers: list[threading.Thread] = []

    class WokenFirst(threading.Event):
        def __init__(self) -> None:
            super().__init__()
            self.waiting = threading.Event()

        def wait(self, timeout: float | None = None) -> bool:
            self.waiting.set()
            return super().wait(timeout)

        def set(self) -> None:
            super().set()
            if threading.current_thread() is main and workers:  # the closing thread loses the processor
                workers[0].join(10)

    asked = WokenFirst()
    monkeypatch.setattr(db, "_bind_asked", asked)
    monkeypatch.setattr(db, "BIND_WAIT", 600.0)
    assert db.open_quick(current_db) is not None
    said: list[str] = []
    workers.append(_background_read(said))
    try:
        assert asked.waiting.wait(60)
        db.close_db()
        workers[0].join(60)
        if db._backup_thread is not None:
            db._backup_thread.join(60)
        assert said == [CLOSED]
        assert backups.list_backups(current_db) == []  # no backup started for a window already closed
        assert not db.models_bound()
    finally:
        workers[0].join(60)
        db.close_db()


def test_another_database_opened_in_the_windows_first_moments_shows_its_own_rows(current_db, tmp_path,  # noqa: F811
                                                                                qtbot):
    """File → open another database before the first window bound its models: the new window lists
    the other office's records, its models are bound to it, and no error is shown."""
    from desktop.store import db
    from tests.test_ui_start import _start

    other = _other_office(tmp_path)
    st, exits = _start(current_db)
    try:
        st.window.show_view("achievements")  # its rows read, its index read in the background
        st.reopen(demo=False, path=other)
        assert st.window is not None and st.dialog is None
        st.window.show_view("achievements")
        qtbot.waitUntil(lambda: st.window.current_view().model.rowCount() == 5, timeout=10000)
        qtbot.waitUntil(db.models_bound, timeout=10000)
        assert db.db_path() == other and st.dialog is None and exits == []
        from desktop.store.models import Achievement

        assert sorted(a.source_id for a in Achievement.select()) == [f"B{i:03d}" for i in range(5)]
    finally:
        if st.window is not None:
            st.window.close()
        st.ctx.tasks.wait()
        db.close_db()


def test_closing_while_a_worker_binds_waits_for_it_then_leaves_nothing_bound_or_locked(current_db,  # noqa: F811
                                                                                      monkeypatch):
    """The window closed while its worker is half-way through binding the models: the close waits
    for the binding (no deadlock: the binding takes no lock the close holds), then closes it; the
    database is free for the next program and nothing stays bound."""
    from desktop.store import db
    from desktop.store.lock import WriterLock

    binding, go = threading.Event(), threading.Event()
    real = db._ensure_number_index

    def slow_index() -> None:
        binding.set()
        go.wait(60)
        real()

    monkeypatch.setattr(db, "_ensure_number_index", slow_index)
    assert db.open_quick(current_db) is not None
    failed: list[BaseException] = []

    def bind() -> None:
        try:
            db.bind_quick()
        except BaseException as exc:  # noqa: BLE001 - seen by the test
            failed.append(exc)

    worker = threading.Thread(target=bind)
    worker.start()
    closer = threading.Thread(target=db.close_db)
    try:
        assert binding.wait(60)
        closer.start()
        closer.join(0.5)
        assert closer.is_alive()  # it waits for the binding under way
        go.set()
        worker.join(60)
        closer.join(60)
        assert not worker.is_alive() and not closer.is_alive() and failed == []
        assert not db.models_bound()
        other = WriterLock(current_db)  # let go: another program may open it
        other.acquire()
        other.release()
    finally:
        go.set()
        worker.join(60)
        if closer.is_alive():
            closer.join(60)
        if db._backup_thread is not None:
            db._backup_thread.join(60)
        db.close_db()
