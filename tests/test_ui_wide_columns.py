"""The achievements table in a wide window (1920×1080): a kind's words (采用国际标准和国外先进标准) and
a long 文号 are shown whole, not cut to 「采用国际标准和国…」 while the title beside them has hundreds
of pixels to spare; at 1280 px the title keeps its room; the widths saved at closing are the ones a
narrower window can hold."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests import test_ui_rounds_fit as rounds_fit  # noqa: E402

LONG_KIND = "采用国际标准和国外先进标准"
KIND_COLUMN, REF_COLUMN, TITLE_COLUMN = 2, 5, 6  # 成果类型, 编号/文号, 名称
PADDING = 6  # a cell's text margins: 3 px each side in Qt's styles


@pytest.fixture
def demo_window(tmp_path, qtbot, request):
    from desktop.core import i18n
    from desktop.operations import records
    from desktop.operations.session import Session
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow

    s = Session.open(tmp_path / "demo.db")
    records.install_demo(s)
    i18n.set_locale(getattr(request, "param", "zh_CN"))
    make_app()
    ctx = AppContext(tmp_path / "demo.db")
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    yield win
    ctx.tasks.wait()
    i18n.set_locale("en")
    s.close()


def achievements_at(win, qtbot, width: int, height: int):
    from desktop.ui.qt import QApplication

    win.resize(width, height)
    view = win.show_view("achievements")
    win.ctx.tasks.wait()
    qtbot.waitUntil(lambda: win.width() == width and view.model.rowCount() > 20)
    QApplication.processEvents()
    return view


def cell_with(view, column: int, text: str):
    model = view.model
    for r in range(model.rowCount()):
        if model.index(r, column).data() == text:
            return r
    raise AssertionError(f"no row shows {text}")


def needed(view, text: str) -> int:
    return view.tableview.fontMetrics().horizontalAdvance(text) + PADDING


def test_a_wide_window_shows_the_kind_and_the_document_number_whole(demo_window, qtbot):
    view = achievements_at(demo_window, qtbot, 1920, 1080)
    header = view.tableview.horizontalHeader()
    cell_with(view, KIND_COLUMN, LONG_KIND)
    assert header.sectionSize(KIND_COLUMN) >= needed(view, LONG_KIND)
    longest_ref = max((view.model.index(r, REF_COLUMN).data() or "" for r in range(view.model.rowCount())),
                      key=lambda t: view.tableview.fontMetrics().horizontalAdvance(t))
    assert header.sectionSize(REF_COLUMN) >= needed(view, longest_ref), longest_ref
    assert header.sectionSize(TITLE_COLUMN) >= 320  # the title still has the most room
    assert header.length() <= view.tableview.viewport().width()  # nothing pushed off the right edge


@pytest.mark.parametrize("demo_window", ["en"], indirect=True)
def test_a_wide_english_window_shows_the_level_whole(demo_window, qtbot):
    """「international」, 「provincial」: the level column was sized for two Chinese characters and read
    「inter…」 in English whatever the window's width."""
    view = achievements_at(demo_window, qtbot, 1920, 1080)
    header = view.tableview.horizontalHeader()
    cell_with(view, 3, "international")
    assert header.sectionSize(3) >= needed(view, "international")
    assert header.sectionSize(KIND_COLUMN) >= needed(view, "Standardization research project")
    assert header.sectionSize(TITLE_COLUMN) >= 320


def test_at_1280_the_title_keeps_its_room_and_closing_saves_the_narrow_widths(demo_window, qtbot):
    from desktop.ui import settings
    from desktop.ui.views.achievements import COLUMN_WIDTHS

    view = achievements_at(demo_window, qtbot, 1280, 800)
    header = view.tableview.horizontalHeader()
    assert header.sectionSize(KIND_COLUMN) == COLUMN_WIDTHS[KIND_COLUMN]
    assert header.sectionSize(REF_COLUMN) == COLUMN_WIDTHS[REF_COLUMN]
    assert header.sectionSize(TITLE_COLUMN) >= 150

    view = achievements_at(demo_window, qtbot, 1920, 1080)  # the window is made wider: the columns follow
    assert header.sectionSize(KIND_COLUMN) >= needed(view, LONG_KIND)
    view.save_state()
    from desktop.ui.qt import QHeaderView, Qt

    saved = QHeaderView(Qt.Orientation.Horizontal)
    saved.setModel(view.model)
    assert saved.restoreState(settings.header_state("achievements").get())
    assert saved.sectionSize(KIND_COLUMN) == COLUMN_WIDTHS[KIND_COLUMN]
    assert saved.sectionSize(REF_COLUMN) == COLUMN_WIDTHS[REF_COLUMN]


# ------------------------------------------------------------------ the rounds table
computed = rounds_fit.computed  # the fixture: a county's office with its 2025 round computed
rounds_at = rounds_fit._open_rounds


def longest_enterprise(view) -> str:
    from desktop.ui.views.round_model import LINE_COLUMNS

    ent = [c.key for c in LINE_COLUMNS].index("enterprise")
    names = {view.proxy.index(r, ent).data() for r in range(view.proxy.rowCount())}
    return max(names, key=lambda t: view.tableview.fontMetrics().horizontalAdvance(t))


def test_a_wide_window_shows_each_lines_enterprise_whole(computed, qtbot):
    from desktop.ui.views.round_model import LINE_COLUMNS

    keys = [c.key for c in LINE_COLUMNS]
    win, view = rounds_at(qtbot, *computed, (1920, 1080))
    header = view.tableview.horizontalHeader()
    name = longest_enterprise(view)
    assert header.sectionSize(keys.index("enterprise")) >= needed(view, name), name
    assert header.sectionSize(keys.index("what")) >= view.WHAT_LEAST  # the wording keeps its room
    what = keys.index("what")  # it still ends at the table's edge
    assert header.sectionViewportPosition(what) + header.sectionSize(what) == view.tableview.viewport().width()


def test_at_1280_the_rounds_enterprise_keeps_its_width_and_a_wide_one_is_not_saved(computed, qtbot):
    from desktop.ui import settings
    from desktop.ui.qt import QHeaderView, Qt
    from desktop.ui.views.round_model import LINE_COLUMNS

    ent = [c.key for c in LINE_COLUMNS].index("enterprise")
    win, view = rounds_at(qtbot, *computed, (1280, 800))
    header = view.tableview.horizontalHeader()
    assert header.sectionSize(ent) == view.COLUMN_WIDTHS["enterprise"]
    win.resize(1920, 1080)
    qtbot.waitUntil(lambda: header.sectionSize(ent) > view.COLUMN_WIDTHS["enterprise"])
    view.save_state()
    saved = QHeaderView(Qt.Orientation.Horizontal)
    saved.setModel(view.proxy)
    assert saved.restoreState(settings.header_state(view.header_key).get())
    assert saved.sectionSize(ent) == view.COLUMN_WIDTHS["enterprise"]


def test_the_next_start_in_a_wide_window_widens_the_columns_again(demo_window, qtbot):
    """The widths saved at closing are restored at the next start, and a wide window still shows the
    kind whole (the widening was set up only when no widths had been saved)."""
    from desktop.ui.mainwindow import MainWindow

    view = achievements_at(demo_window, qtbot, 1920, 1080)
    assert view.tableview.horizontalHeader().sectionSize(KIND_COLUMN) >= needed(view, LONG_KIND)
    demo_window.close()  # saves the header
    again = MainWindow(demo_window.ctx)
    qtbot.addWidget(again)
    again.show()
    view = achievements_at(again, qtbot, 1920, 1080)
    assert view.tableview.horizontalHeader().sectionSize(KIND_COLUMN) >= needed(view, LONG_KIND)
    again.ctx.tasks.wait()
