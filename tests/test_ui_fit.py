"""The window on the screens officers have: 1280×800 (a laptop) and 1024×768 (the old projector).
The policy a round is computed under is read whole in the rounds view at 1280 px; where a row cannot
hold a policy's title, it is shortened in the middle (its start and 文号 readable) with the whole title
in the tooltip, never cut off at the right edge."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

POLICY = "putian-chengxiang-2021"


@pytest.fixture
def window(qtbot, db):
    from desktop.store import office
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow

    office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监",
                  policy_id=POLICY, signatory="莆田市城厢区市场监督管理局", user="tester")
    make_app()
    ctx = AppContext(db)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    yield win
    ctx.tasks.wait()


def shown(win, name: str, width: int, height: int, qtbot):
    from desktop.ui.qt import QApplication

    win.resize(width, height)
    view = win.show_view(name)
    win.ctx.tasks.wait()
    qtbot.waitUntil(lambda: win.width() == width)
    QApplication.processEvents()
    return view


def text_room(combo) -> int:
    """The width the combo's style gives its text."""
    from desktop.ui.qt import QStyle, QStyleOptionComboBox

    opt = QStyleOptionComboBox()
    combo.initStyleOption(opt)
    return combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                        QStyle.SubControl.SC_ComboBoxEditField, combo).width()


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_the_rounds_view_shows_the_whole_policy_title(window, qtbot, size):
    view = shown(window, "rounds", *size, qtbot)
    combo = view.policy
    title = combo.currentText()
    assert len(title) > 30 and "〔2021〕" in title  # a real 公文 title with its 文号
    assert combo.fontMetrics().horizontalAdvance(title) <= text_room(combo)
    assert combo.shown_text() == title
    assert combo.toolTip() == title
    for b in (view.compute_btn, view.amount_btn, view.submit_btn, view.review_btn, view.audit_btn):
        assert b.width() >= b.sizeHint().width(), b.text()  # no button squeezed
        assert b.geometry().right() <= view.width()


def test_a_title_too_long_for_the_row_is_shortened_in_the_middle_not_cut(window, qtbot):
    view = shown(window, "targets", 960, 720, qtbot)
    combo = view.policy
    title = combo.currentText()
    assert combo.fontMetrics().horizontalAdvance(title) > text_room(combo)  # it does not fit at 960 px (at 1024 it misses by a pixel or two: too close to test)
    short = combo.shown_text()
    assert "…" in short and short != title
    head, tail = short.split("…")
    assert title.startswith(head) and title.endswith(tail) and tail.endswith("号）")  # the 文号 stays readable
    assert combo.fontMetrics().horizontalAdvance(short) <= text_room(combo)
    assert combo.toolTip() == title
    shown(window, "targets", 1600, 1000, qtbot)
    assert combo.shown_text() == title  # a wider window shows it whole again


@pytest.mark.parametrize("size", [(1200, 720), (1366, 728)])
def test_the_enterprises_table_shows_every_column_in_the_default_window(window, qtbot, size):
    """The window's first size on a 1366×768 laptop: the enterprises' columns, the telephone number
    included, are all on screen without scrolling sideways, each wide enough for its heading."""
    from desktop.operations import records
    from desktop.ui.qt import Qt

    records.save_enterprise(window.ctx.session, {"uscc": "91350302MA2Y0KXQ4Q", "name": "莆田市城厢区华峰鞋业有限公司",
                                                 "region": "350302", "contact": "林振华", "phone": "0594-2681234"})
    window.ctx.changed("enterprises")
    view = shown(window, "enterprises", *size, qtbot)
    table = view.tableview
    qtbot.waitUntil(lambda: table.model().rowCount() == 1)
    header = table.horizontalHeader()
    assert header.length() <= table.viewport().width(), (header.length(), table.viewport().width())
    phone = header.count() - 1
    assert table.model().headerData(phone, Qt.Orientation.Horizontal) in ("Telephone", "Phone", "电话")
    text = table.model().index(0, phone).data()
    assert header.sectionSize(phone) >= table.fontMetrics().horizontalAdvance(text), text
    for i in range(header.count()):
        title = table.model().headerData(i, Qt.Orientation.Horizontal)
        assert header.sectionSize(i) >= table.fontMetrics().horizontalAdvance(title), title
