"""The rounds view's totals per enterprise and per fund, beside the lines at 1280×800: each total is
read whole inside the pane (it was cut at the pane's edge to 「¥250,0」), and the lines not eligible,
under no fund, make no fund row 「-  0  0」."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_review_dialog import computed_with_a_refusal  # noqa: E402
from tests.test_ui_rounds import window  # noqa: E402, F401 - fixture

PADDING = 6  # a cell's text margins


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_the_totals_are_read_whole_beside_the_lines(window, qtbot, size):  # noqa: F811
    from desktop.ui.qt import QApplication

    window.resize(*size)
    view = computed_with_a_refusal(window)
    qtbot.waitUntil(lambda: window.width() == size[0])
    for tab, table in ((1, view.ent_table), (2, view.fund_table)):
        view.tabs.setCurrentIndex(tab)
        QApplication.processEvents()
        model, header = table.model(), table.horizontalHeader()
        assert model.rowCount() > 0
        room = table.viewport().width()
        for column in range(header.count()):  # every column inside the pane, none a scroll away
            assert header.sectionViewportPosition(column) + header.sectionSize(column) <= room, (tab, column)
        for r in range(model.rowCount()):
            total = model.index(r, 3).data()
            assert header.sectionSize(3) >= table.fontMetrics().horizontalAdvance(total) + PADDING, total
        assert header.sectionSize(0) >= 100  # the name keeps some room


def test_lines_under_no_fund_make_no_fund_row(window, qtbot):  # noqa: F811
    view = computed_with_a_refusal(window)
    assert any(ln["status"] == "not_eligible" for ln in view.lines)
    names = [view.fund_model.index(r, 0).data() for r in range(view.fund_model.rowCount())]
    assert names and "-" not in names and all(names), names
