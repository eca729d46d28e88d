"""The screens on a 1200 and a 1366 px wide window: no column an officer reads cut at a table's edge,
and a wrapped status line breaking only between its parts, never inside a 发文字号 or a name."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_rounds import add_data, window  # noqa: E402, F401 - fixture

WIDTHS = (1200, 1366)


def breaks(text: str, font, width: int) -> list[str]:
    """The lines a label of ``width`` px in ``font`` makes of one paragraph of ``text`` (Qt's own
    line breaking), as typed (the characters that only forbid a break left out)."""
    from desktop.ui.linebreaks import plain
    from desktop.ui.qt import QTextLayout

    layout = QTextLayout(text, font)
    layout.beginLayout()
    lines = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        lines.append(plain(text[line.textStart():line.textStart() + line.textLength()]))
    layout.endLayout()
    return lines


def computed_rounds_view(window):  # noqa: F811
    ctx = window.ctx
    add_data(ctx)
    view = window.show_view("rounds")
    view.year.setValue(2024)
    view.compute_round(2024, "putian-chengxiang-2021")
    assert ctx.tasks.wait()
    view.select_achievement("A1")
    return view


def right_edge(table, column: int) -> int:
    return table.columnViewportPosition(column) + table.columnWidth(column)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_rounds_tables_show_the_clause_and_the_achievement_whole(window, qtbot, width):  # noqa: F811
    from desktop.ui.qt import QApplication
    from desktop.ui.views.round_model import HISTORY_COLUMNS, LINE_COLUMNS

    view = computed_rounds_view(window)
    window.resize(width, 760)
    QApplication.processEvents()
    table, keys = view.tableview, [c.key for c in LINE_COLUMNS]
    edge = table.viewport().width()
    for key in ("enterprise", "status", "amount", "clause"):
        c = keys.index(key)
        assert 0 <= table.columnViewportPosition(c) and right_edge(table, c) <= edge, key
    what = keys.index("what")  # the achievement's wording takes the rest of the table's width
    assert table.columnViewportPosition(what) > 0 and abs(right_edge(table, what) - edge) <= 1
    assert table.columnWidth(what) >= 120
    history = view.history
    assert view.history_model.rowCount() >= 1
    for c in range(len(HISTORY_COLUMNS)):  # every column of the award's history seen, none cut
        assert right_edge(history, c) <= history.viewport().width() + 1, HISTORY_COLUMNS[c].key
        assert history.columnWidth(c) >= 40


def test_an_achievement_column_dragged_by_the_officer_keeps_its_width(window, qtbot):  # noqa: F811
    from desktop.ui.qt import QApplication, Qt
    from desktop.ui.views.round_model import LINE_COLUMNS

    view = computed_rounds_view(window)
    window.resize(1366, 760)
    QApplication.processEvents()
    what = [c.key for c in LINE_COLUMNS].index("what")
    header = view.tableview.horizontalHeader()
    qtbot.mousePress(header.viewport(), Qt.MouseButton.LeftButton)  # the officer drags the border
    view.tableview.setColumnWidth(what, 500)
    qtbot.mouseRelease(header.viewport(), Qt.MouseButton.LeftButton)
    window.resize(1200, 760)
    QApplication.processEvents()
    assert view.tableview.columnWidth(what) == 500


def test_the_round_state_wraps_between_its_parts_only(window, qtbot):  # noqa: F811
    from desktop.ui.linebreaks import plain

    view = computed_rounds_view(window)
    first = view.state.text().split("\n")[0]
    assert plain(first).startswith("Round 2024 · ") and "莆城政〔2021〕88号" in plain(first)
    name = "陈晓梅 (chen)"
    assert name in plain(first)
    font = view.state.font()
    for width in range(240, 1000, 9):  # any width of the window
        lines = breaks(first, font, width)
        assert len(lines) > 1 or width > 600
        assert any("莆城政〔2021〕88号" in ln for ln in lines), (width, lines)
        assert any(name in ln for ln in lines), (width, lines)
        assert any("Round 2024" in ln for ln in lines), (width, lines)


@pytest.fixture
def zh():
    """The screens in zh_CN (the window made after)."""
    from desktop.core import i18n

    i18n.set_locale("zh_CN")
    yield
    i18n.set_locale("en")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_notices_table_shows_every_column_up_to_the_archive_copy(zh, window, qtbot, width):  # noqa: F811
    from desktop.ui.qt import QApplication
    from desktop.ui.views.notices import COLUMNS
    from tests.test_ui_publicity import approved_round

    add_data(window.ctx)
    approved_round(window.ctx)
    view = window.show_view("notices")
    view.refresh()
    window.resize(width, 760)
    QApplication.processEvents()
    assert view.tableview.isVisible()
    table, keys = view.tableview, [c.key for c in COLUMNS]
    edge = table.viewport().width()
    for key in ("doc_number", "name", "issued_on", "total", "status", "archive_printed"):
        c = keys.index(key)
        assert 0 <= table.columnViewportPosition(c) and right_edge(table, c) <= edge, key
    assert table.columnWidth(keys.index("name")) >= 110
    header = table.horizontalHeader()  # the 存档联 column's heading is not cut either
    archive = keys.index("archive_printed")
    title = table.model().headerData(archive, header.orientation())
    assert table.columnWidth(archive) >= header.fontMetrics().horizontalAdvance(title)


def test_the_overview_header_wraps_between_its_parts_only(window, qtbot):  # noqa: F811
    from desktop.ui.linebreaks import plain

    view = window.show_view("overview")
    view.refresh()
    assert window.ctx.tasks.wait()
    qtbot.waitUntil(lambda: "莆城政〔2021〕88号" in plain(view.profile.text()))
    text = view.profile.text()
    signatory = "莆田市城厢区市场监督管理局"
    assert signatory in plain(text) and "putian-chengxiang-2021" not in plain(text)
    for width in range(240, 1000, 9):
        lines = breaks(text, view.profile.font(), width)
        assert any("莆城政〔2021〕88号" in ln for ln in lines), (width, lines)
        assert any(signatory in ln for ln in lines), (width, lines)


def test_the_round_details_and_the_review_dialog_read_naturally_in_chinese(zh, window, qtbot):  # noqa: F811
    from desktop.ui.views.round_dialogs import ReviewDialog

    view = computed_rounds_view(window)
    detail = view.detail.toPlainText()
    assert "条款：五(二)2" in detail and "资金：" in detail, detail
    assert "条款:" not in detail and "资金:" not in detail
    from tests.qt_answers import submitted_for_review

    submitted_for_review(window, view)
    dlg = ReviewDialog(window.ctx, view.round, view.lines, view)
    qtbot.addWidget(dlg)
    assert dlg.who.text() == "您以审核人王建国（wang）的身份审核。"  # the brackets of the language
