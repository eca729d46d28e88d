"""On a 1366×768 office laptop (about 728 px of height above the taskbar) the main window and the
tall dialogs open no taller than the screen's room: their Save and Cancel buttons stay on the screen,
where the officer can reach them, instead of below its edge."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

pytestmark = pytest.mark.gui

ROOM = (1366, 728)  # a 1366×768 screen less a 40 px taskbar
TITLE_BAR = 32  # what the window's own title bar and frame take above and below it


@pytest.fixture
def laptop(monkeypatch):
    from desktop.ui.app import make_app
    from desktop.ui.qt import QRect, QScreen

    make_app()
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(0, 0, *ROOM))


def fits(widget) -> bool:
    return widget.width() <= ROOM[0] and widget.height() + TITLE_BAR <= ROOM[1]


def test_the_achievement_form_fits_a_laptop_screen(laptop, qtbot, db):
    from desktop.ui.context import AppContext
    from desktop.ui.views.achievement_form import AchievementForm

    form = AchievementForm(AppContext(db))
    qtbot.addWidget(form)
    assert fits(form), form.size()
    assert form.height() >= 600  # still room for the fields and the evidence list


def test_the_wording_editors_fit_a_laptop_screen(laptop, qtbot):
    from desktop.ui.views.notice_template import NoticeTemplateDialog
    from desktop.ui.views.publicity_wording import PublicityWordingDialog

    notice = NoticeTemplateDialog({}, {"uuid": "o", "name": "莆田市城厢区市场监督管理局", "region": "350302",
                                       "doc_prefix": "城市监"}, lambda _t: 1)
    public = PublicityWordingDialog({}, "莆田市城厢区市场监督管理局", lambda _t: 1)
    for dlg in (notice, public):
        qtbot.addWidget(dlg)
        assert fits(dlg), (type(dlg).__name__, dlg.size())


def test_the_main_window_opens_within_a_laptop_screen(laptop, qtbot, db):
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow
    from desktop.ui.settings import GEOMETRY

    assert GEOMETRY.get() is None or GEOMETRY.get().isEmpty()  # a first start: the default size
    win = MainWindow(AppContext(db))
    qtbot.addWidget(win)
    assert fits(win), win.size()
