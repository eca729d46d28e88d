"""The overview window after a county's package was imported and the program started again: the
targets painted with the counts the imported rows added (as the engine counts them), the audit log's
row saying it checked only what came after the full check (the import's index rebuild did not cost
a full read), the targets painted before the chain's check when that is slow; a screenshot of it."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from tests.test_overview_import import (  # noqa: E402,F401 - fixtures
    _engine_counts,
    _import,
    _restart,
    city,
    county_package,
    pg_server,
)


def _window(qtbot, path):
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow

    make_app()
    ctx = AppContext(path)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1280, 900)
    win.show()
    return win, win.show_view("overview")


def _bars(view) -> dict[str, str]:
    """Target id -> the text of its bar as painted ("count / goal")."""
    from desktop.ui.qt import QLabel, QProgressBar

    grid, out = view.targets_grid, {}
    for row in range(grid.rowCount()):
        label, bar = grid.itemAtPosition(row, 0), grid.itemAtPosition(row, 1)
        if label is None or bar is None:
            continue
        text, widget = label.widget(), bar.widget()
        if isinstance(text, QLabel) and isinstance(widget, QProgressBar):
            out[text.objectName().removeprefix("target-")] = widget.text()
    return out


@pytest.mark.parametrize("office_db", ["sqlite"], indirect=True)
def test_the_overview_after_an_import_and_a_restart(qtbot, city, monkeypatch):  # noqa: F811
    from desktop.exchange import importer
    from desktop.store.models import AuditEntry
    from desktop.ui.qt import QProgressBar

    path, pkg = city
    monkeypatch.setattr(importer, "REBUILD_INDEXES_AT", 10)  # the import drops and rebuilds the indexes
    _import(pkg)
    _restart(path)
    win, view = _window(qtbot, path)
    assert view.ctx.tasks.wait()
    engine = _engine_counts()
    bars = _bars(view)
    assert bars and all(bars[t].startswith(f"{engine[t]} / ") for t in bars if t in engine), (bars, engine)
    assert view.late.counts_how == "incremental"  # the imported rows added to the counts kept before the import
    chain = view.safety.rows["chain"][1].text()
    m = re.fullmatch(r"✓ intact: the (\d+) entries added since the full check of \S+ \S+ checked \(\S+\), "
                     r"(\d+) entries in all; the full check of every entry is under Audit log", chain)
    assert m and int(m[2]) == AuditEntry.select().count(), chain
    out = Path(os.environ.get("STDAWARD_SCREENSHOTS", path.parent)) / "overview-after-import.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    qtbot.waitUntil(lambda: all(w.isVisible() for w in view.findChildren(QProgressBar)))  # laid out, then grabbed
    assert win.grab().save(str(out)) and out.stat().st_size > 0


@pytest.mark.parametrize("office_db", ["sqlite"], indirect=True)
def test_the_targets_are_painted_before_a_slow_chain_check_arrives(qtbot, city, monkeypatch):  # noqa: F811
    """The very first reading checks the whole log: the targets and money do not wait for it, and the
    audit row says it is being checked until it arrives."""
    import threading

    from desktop.operations import audit

    path, _pkg = city
    _restart(path)
    gate = threading.Event()
    real = audit.check_chain

    def slow(*args, **kw):
        gate.wait(30)  # the whole log of a large office being read
        return real(*args, **kw)

    monkeypatch.setattr(audit, "check_chain", slow)
    win, view = _window(qtbot, path)
    try:
        qtbot.waitUntil(lambda: view.late is not None and view.late.counted, timeout=20000)
        assert _bars(view)  # the targets are painted
        assert view.safety.rows["chain"][1].text().startswith("checking ")  # the audit row: still checking
    finally:
        gate.set()
    assert view.ctx.tasks.wait()
    assert view.safety.rows["chain"][1].text().startswith("✓ ")
