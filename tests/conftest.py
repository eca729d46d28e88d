"""Shared fixtures. Qt runs offscreen; every test gets its own data folder and database."""
from __future__ import annotations

import datetime
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("STDAWARD_USER", "tester")
# Tests read English messages unless they ask for another language (run_cli(env={"STDAWARD_LANG": ...})).
os.environ["STDAWARD_LANG"] = "en"

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# How long a Qt wait gives its condition when the test names no limit (pytest-qt's own is 5 s). A
# wait returns as soon as its condition holds, so a passing test pays nothing for the longer limit;
# a CI machine running two test processes on two cores takes more than 5 s for a worker's round or
# a window's first moments now and then, and a test must not fail for that (timings are benchmarks').
QT_PATIENCE_MS = 30_000


def _patient_qtbot() -> None:
    try:
        from pytestqt.qtbot import QtBot
    except ImportError:  # (the Qt tests skip themselves)
        return
    import functools

    for name in ("waitUntil", "waitSignal", "waitSignals", "waitCallback", "waitActive", "waitExposed"):
        wait = getattr(QtBot, name)
        if getattr(wait, "patient", False):
            continue

        @functools.wraps(wait)
        def patient(self: Any, *args: Any, _wait: Any = wait, **kw: Any) -> Any:
            kw.setdefault("timeout", QT_PATIENCE_MS)
            return _wait(self, *args, **kw)

        patient.patient = True  # type: ignore[attr-defined]
        setattr(QtBot, name, patient)


_patient_qtbot()
GOOD_USCC = "91350100M000100Y43"  # check character 3
OTHER_USCC = "91350302MA2Y0KXQ4Q"


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path, monkeypatch):
    monkeypatch.setenv("STDAWARD_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("STDAWARD_DB", raising=False)
    from desktop.core import i18n

    i18n.set_locale("en")
    # passwords: the real scrypt cost (128 MiB, ~0.3 s a hash) only where a test asks for it
    monkeypatch.setattr("desktop.store.users.COST", (2**10, 8, 1))
    yield
    i18n.set_locale("en")


@pytest.fixture
def db(tmp_path):
    """An open, empty office database (closed afterwards)."""
    from desktop.store.db import close_db, open_db

    path = tmp_path / "office.db"
    open_db(path)
    yield path
    close_db()


# what a command line run may be given in this process: anything else (a fault to inject, a console's
# encoding, a debug switch) is read by the process itself, so the run gets a process of its own
IN_PROCESS_ENV = {"STDAWARD_LANG", "STDAWARD_USER", "STDAWARD_PASSWORD_FILE", "STDAWARD_DB", "STDAWARD_DATA"}


def run_cli(*argv: str, env: dict | None = None, stdin: str | None = None, process: bool = False):
    """Run the command line ``stdaward ARGV``; returns its exit code, stdout and stderr (text).

    It runs the CLI's ``main`` in this process (a Python start costs more than most commands) unless
    ``process`` asks for ``python -m desktop`` in a subprocess (the real entry point, exit status and
    console), ``env`` sets something only a process reads, this process has a database open (the run
    would close it under the test), or the call comes from a thread (several PCs at once: each its own
    process, as they are)."""
    import subprocess
    import threading

    store = sys.modules.get("desktop.store.db")
    if (not process and set(env or {}) <= IN_PROCESS_ENV and getattr(store, "_path", None) is None
            and threading.current_thread() is threading.main_thread()):
        return run_main(*argv, env=env, stdin=stdin)
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "desktop", *argv], cwd=ROOT, env=e, input=stdin,
                          capture_output=True, text=True, timeout=120)


def run_main(*argv: str, env: dict | None = None, stdin: str | None = None):
    """Run the CLI's ``main`` in this process (output captured); the same result fields as
    ``run_cli``, without starting Python, where a test needs no process of its own. ``env`` is in
    force for the call only (``STDAWARD_LANG``, ``STDAWARD_USER``...), the language is put back after,
    and ``stdin`` stands for the terminal's input (not a terminal: nothing is asked)."""
    import contextlib
    import io
    from types import SimpleNamespace

    from desktop.cli import main
    from desktop.core import i18n

    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in env or {}}
    locale = i18n.current_locale()
    stdin_before = sys.stdin
    os.environ.update(env or {})
    try:
        sys.stdin = io.StringIO(stdin or "")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(argv))
            except SystemExit as exc:  # argparse: a bad option, --help, --version
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
    finally:
        sys.stdin = stdin_before
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        i18n.set_locale(locale)
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


@pytest.fixture
def mount_tmpfs(tmp_path: Path):  # noqa: ANN201 - yields the mounting function
    """A real, small disk: ``mount_tmpfs(size_mb, name)`` mounts a tmpfs of that size under the test's
    folder (skipped where this machine does not let the tests mount one: it needs root); all are
    unmounted after the test."""
    import subprocess

    mounted: list[Path] = []

    def mount(size_mb: int, name: str) -> Path:
        where = tmp_path / name
        where.mkdir()
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(where)], capture_output=True)
        if r.returncode != 0:
            pytest.skip("cannot mount a small disk here (needs root)")
        mounted.append(where)
        return where

    try:
        yield mount
    finally:
        for where in mounted:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


def overview_reading(path: Path, policy: str, day: datetime.date) -> Any:
    """The overview's late reading (targets' counts, audit check) as the view makes it, on ``path``."""
    from desktop.operations.session import Session
    from desktop.ui.views.overview import read_late

    return read_late(Session.attach(path), policy, day)


@contextmanager
def opened_office(office_db: str | Path) -> Iterator[Path]:
    """The office database (a file, or a server's connection) opened as the program opens it, no
    target counts kept in memory from another test; closed after. Yields its path."""
    from desktop.store import target_counts
    from desktop.store.db import close_db, open_db
    from desktop.store.paths import resolve_db_path

    path = resolve_db_path(office_db)
    open_db(path, auto_backup=False)
    target_counts._KEPT.clear()
    try:
        yield path
    finally:
        close_db()
        target_counts._KEPT.clear()


def office_enterprises(codes: list[str]) -> list[dict]:
    """The enterprises of these credit codes, as an officer's file lists them."""
    return [{"uscc": c, "name": f"城厢第{i}号鞋业有限公司", "region": "350302"} for i, c in enumerate(codes)]


def load_with_number_index(codes: list[str], achievements: list[dict]) -> None:
    """These enterprises and achievements loaded into the open office, and the targets' number index
    made (at the open on SQLite, by the overview's check on a server)."""
    from desktop.store import records, target_counts

    records.load({"enterprises": office_enterprises(codes), "achievements": achievements}, user="tester")
    target_counts.make_number_probe_index()


def reopen_office(path: Path) -> None:
    """The office closed and opened again as a new process would: the counts kept in memory dropped."""
    from desktop.store import target_counts
    from desktop.store.db import close_db, open_db

    close_db()
    target_counts._KEPT.clear()
    open_db(path, auto_backup=False)


def full_target_counts(policy: str, day: datetime.date) -> dict:
    """Every counted target of ``policy`` counted in full from the records (what kept counts must equal)."""
    from desktop.core.policies import load_policy
    from desktop.store import target_counts

    return target_counts.counts([t for t in load_policy(policy).targets if t.count != "entered"], day)


def kept_target_counts(path: Path) -> dict:
    """The overview's kept target counts as stored: the ``<db>.target-counts`` file beside a SQLite
    database, the settings row on a server."""
    import json

    from desktop.store import target_counts
    from desktop.store.backend import is_postgres
    from desktop.store.models import database

    if is_postgres():
        row = database.execute_sql("SELECT value FROM setting WHERE key = ?", (target_counts.COUNTS_SETTING,)).fetchone()
        return json.loads(row[0]) if isinstance(row[0], str) else row[0]
    return json.loads(target_counts.counts_path(path).read_text("utf-8"))


def put_kept_target_counts(path: Path, value: dict) -> None:
    """Store ``value`` as the kept target counts, as an insider editing them by hand would."""
    import json

    from desktop.store import target_counts
    from desktop.store.backend import is_postgres
    from desktop.store.models import Setting, database

    if is_postgres():
        with database.atomic():
            Setting.insert(key=target_counts.COUNTS_SETTING, value=value).on_conflict_replace().execute()
    else:
        target_counts.counts_path(path).write_text(json.dumps(value), "utf-8")


def edit_audit_entry_by_hand(path: Path, entry_id: int, after: str = '"mallory"') -> None:
    """An insider's edit of one audit entry in the SQLite file: the log's append-only trigger dropped,
    the entry's ``after`` changed, the trigger put back exactly (nothing at open says it was ever
    removed; the schema cookie has moved). A database open here is closed for it and opened again."""
    import sqlite3

    from desktop.store import db as store
    from desktop.store.db import close_db, open_db

    was_open = store._path is not None
    close_db()
    con = sqlite3.connect(path)
    protection = con.execute("SELECT sql FROM sqlite_master WHERE name = 'audit_entry_no_update'").fetchone()[0]
    con.execute("DROP TRIGGER audit_entry_no_update")
    con.execute("UPDATE audit_entry SET after = ? WHERE id = ?", (after, entry_id))
    con.execute(protection)
    con.commit()
    con.close()
    if was_open:
        open_db(path, auto_backup=False)


@contextmanager
def sqlite_steps() -> Iterator[list[int]]:
    """Count the SQLite virtual machine's steps of what runs within, on the open database (a cost
    that does not depend on the machine's speed): ``[steps]``, filled in as it runs."""
    from desktop.store.models import database

    steps = [0]
    con = database.connection()
    con.set_progress_handler(lambda: steps.__setitem__(0, steps[0] + 1), 1)
    try:
        yield steps
    finally:
        con.set_progress_handler(None, 0)


def copies_of_a_standard(where: str, n: int) -> None:
    """``n`` copies of the open database's achievement ``where`` (SQL), each its own standard number
    (GB/T 30000-2024, …), id (x0, …) and global id, written with bare SQL (a big office, quickly)."""
    import json

    from desktop.store.models import database

    cols = [c for (_i, c, *_r) in database.execute_sql("PRAGMA table_info(achievement)").fetchall() if c != "id"]
    row = dict(zip(cols, database.execute_sql(f"SELECT {', '.join(cols)} FROM achievement WHERE {where}").fetchone()))
    key = json.loads(row["natural_key"])
    rows = []
    for i in range(n):
        key[2] = f"GB/T {30000 + i}-2024"
        rows.append(list(dict(row, uuid=f"00000000-0000-4000-8000-{i:012d}", source_id=f"x{i}", ref=key[2],
                              natural_key=json.dumps(key, ensure_ascii=False)).values()))
    with database.atomic():
        database.cursor().executemany(f"INSERT INTO achievement ({', '.join(cols)}) VALUES "
                                      f"({', '.join('?' * len(cols))})", rows)


def std(**kw):
    """A valid standard achievement, overridable field by field."""
    base = {"id": "s1", "enterprise": GOOD_USCC, "kind": "standard", "date": "2024-05-01",
            "level": "national", "action": "formulate", "rank": 1, "ref": "GB/T 12345-2024"}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


@pytest.fixture(autouse=True)
def _no_unanswered_dialogs(request, monkeypatch):
    """A modal box that nobody answers stops a headless run for good (no one clicks OK in CI). In every
    test that uses Qt, each modal dialog, message box and file dialog is answered at once (No, Cancel,
    no file) and recorded; a test that did not patch it itself fails naming the dialog and its text."""
    if "qtbot" not in request.fixturenames and "PySide6.QtWidgets" not in sys.modules:
        yield
        return
    from PySide6 import QtWidgets

    seen: list[str] = []

    def record(kind: str, *args) -> None:
        texts = [a for a in args if isinstance(a, str)]
        seen.append(f"{kind}: {' | '.join(texts)}")

    def box_static(kind: str, answer):
        def fake(*args, **kwargs):
            record(kind, *args)
            return answer
        return staticmethod(fake)

    mb = QtWidgets.QMessageBox
    no = mb.StandardButton.No
    for name, answer in (("information", mb.StandardButton.Ok), ("warning", mb.StandardButton.Ok),
                         ("critical", mb.StandardButton.Ok), ("question", no)):
        monkeypatch.setattr(mb, name, box_static(f"QMessageBox.{name}", answer))

    def dialog_exec(self, *args):
        texts = [self.windowTitle()]
        if isinstance(self, QtWidgets.QMessageBox):
            texts.append(self.text())
        record(f"{type(self).__name__}.exec", *texts)
        return 0  # rejected, like pressing Esc

    monkeypatch.setattr(QtWidgets.QDialog, "exec", dialog_exec)
    monkeypatch.setattr(QtWidgets.QMessageBox, "exec", dialog_exec)
    fd = QtWidgets.QFileDialog
    for name in ("getOpenFileName", "getSaveFileName", "getOpenFileNames"):
        monkeypatch.setattr(fd, name, box_static(f"QFileDialog.{name}", ([] if name.endswith("s") else "", "")))
    monkeypatch.setattr(fd, "getExistingDirectory", box_static("QFileDialog.getExistingDirectory", ""))
    yield
    app = QtWidgets.QApplication.instance()
    for w in app.topLevelWidgets() if app is not None else []:  # boxes and dialogs left open by this test
        if isinstance(w, QtWidgets.QDialog) and w.isVisible():  # would be seen by the next one (a form open)
            w.done(QtWidgets.QDialog.DialogCode.Rejected)  # closed even if it asks before losing what was typed
            w.deleteLater()
    if seen:
        pytest.fail("a modal dialog nobody answers would hang the program here: " + "; ".join(seen), pytrace=False)


@pytest.fixture(scope="session")
def pg_cluster():
    """One throwaway PostgreSQL server for the test process (``conftest_pg.pg_server``), started when a
    module first asks for it: an ``initdb`` costs more than most test modules' use of the server."""
    from conftest_pg import serve

    yield from serve()


@pytest.fixture(params=["sqlite", "postgresql"])
def office_db(request, tmp_path):
    """Where an office's database lives: a SQLite file, or a fresh database on the test server (a
    module asking for it imports ``pg_server`` from ``conftest_pg``)."""
    if request.param == "sqlite":
        yield str(tmp_path / "office.db")
        return
    server = request.getfixturevalue("pg_server")
    name = server.create_database()
    yield server.url(name)
    server.drop_database(name)
