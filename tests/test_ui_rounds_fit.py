"""At 1024×768 (the old projector, a small laptop) the rounds table shows each line's enterprise,
status and amount without scrolling, beside the details; a column layout saved before this
arrangement does not hide them again."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.test_daily_path import OFFICE, office_with_records  # noqa: E402


@pytest.fixture
def computed(tmp_path):
    from desktop.operations import rounds
    from desktop.operations.session import Session

    path = tmp_path / "county.db"
    s = Session.open(path)
    office_with_records(s)
    info = rounds.compute(s, 2025, OFFICE["policy_id"])
    assert info.status == "draft"
    yield path, s
    s.close()


def _open_rounds(qtbot, path, s, size: tuple[int, int]):
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow
    from desktop.ui.qt import QApplication

    make_app()
    ctx = AppContext(path)
    ctx.set_user(s.actor)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(*size)
    view = win.show_view("rounds")
    win.show()
    assert ctx.tasks.wait()
    view.year.setValue(2025)
    assert ctx.tasks.wait()
    qtbot.waitUntil(lambda: win.width() == size[0] and view.model.rowCount() > 0)
    QApplication.processEvents()
    return win, view


def _columns_in_sight(view) -> dict[str, bool]:
    from desktop.ui.views.round_model import LINE_COLUMNS

    header = view.tableview.horizontalHeader()
    room = view.tableview.viewport().width()
    out = {}
    for key in ("enterprise", "status", "amount"):
        i = [c.key for c in LINE_COLUMNS].index(key)
        left = header.sectionViewportPosition(i)
        out[key] = not header.isSectionHidden(i) and left >= 0 and left + header.sectionSize(i) <= room
    return out


@pytest.mark.parametrize("size", [(1024, 768), (1280, 800)])
def test_enterprise_status_and_amount_are_in_sight_without_scrolling(computed, qtbot, size):
    path, s = computed
    win, view = _open_rounds(qtbot, path, s, size)
    assert view.tableview.horizontalScrollBar().value() == 0
    assert _columns_in_sight(view) == {"enterprise": True, "status": True, "amount": True}
    assert view.tabs.isVisible() and view.tabs.width() > 250  # the details stay beside the table
    # a paying line's amount is read in full, not elided
    from desktop.ui.qt import Qt

    amounts = [view.proxy.index(r, 3).data(Qt.ItemDataRole.DisplayRole) for r in range(view.proxy.rowCount())]
    widest = max(view.tableview.fontMetrics().horizontalAdvance(a or "") for a in amounts)
    assert any(amounts) and widest < view.tableview.columnWidth(3)
    win.close()


def test_a_layout_saved_before_does_not_hide_the_status_again(computed, qtbot):
    """A column layout saved under the old arrangement (status and amount beyond 500 px) is left
    behind; the officer's later changes are saved and restored under the new one."""
    from desktop.ui import settings
    from desktop.ui.qt import QHeaderView, QTableView
    from desktop.ui.tablemodel import ListTableModel
    from desktop.ui.views.round_model import LINE_COLUMNS

    old = QTableView()
    qtbot.addWidget(old)
    old.setModel(ListTableModel(LINE_COLUMNS))
    for i, w in enumerate((190, 260, 100, 100, 60, 320, 70)):
        old.setColumnWidth(i, w)
    settings.header_state("rounds").set(old.horizontalHeader().saveState())
    path, s = computed
    win, view = _open_rounds(qtbot, path, s, (1024, 768))
    assert all(_columns_in_sight(view).values())
    header: QHeaderView = view.tableview.horizontalHeader()
    view.tableview.setColumnWidth(0, 150)  # the officer narrows the enterprise column
    view.save_state()
    win.close()
    win2, view2 = _open_rounds(qtbot, path, s, (1024, 768))
    assert view2.tableview.columnWidth(0) == 150 and all(_columns_in_sight(view2).values())
    assert header is not view2.tableview.horizontalHeader()
    win2.close()
