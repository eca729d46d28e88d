"""An office that chose its policy 「later」 in the first-run wizard: the rounds view chose none for
it (it showed the first policy in the list, another city's, 广州市标准化战略实施纲要, ready to
compute under); Compute asks for the policy; the officer's own choice is kept when the year changes."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")


@pytest.fixture
def window(qtbot, db):
    from desktop.store import office, users
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow

    make_app()
    office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监",
                  policy_id=None, signatory="莆田市城厢区市场监督管理局", user="tester")
    clerk = users.create_user("chen", "陈晓梅", "correct horse", "clerk")
    ctx = AppContext(db)
    ctx.set_user(clerk)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    yield win
    ctx.tasks.wait()
    win.close()


def test_no_policy_in_force_means_none_chosen_and_compute_asks_for_one(window, qtbot):
    from desktop.store.models import AwardRound

    view = window.show_view("rounds")
    assert window.ctx.tasks.wait()
    assert view.policy.count() > 1
    assert view.policy.currentIndex() == -1 and view.policy.currentData() is None
    assert view.policy.shown_text() == "(choose the policy to compute under)"
    view.compute()
    assert window.ctx.tasks.wait()
    assert "Choose the policy to compute the round under" in view.message.text()
    assert AwardRound.select().count() == 0

    # the officer chooses one: kept when another year is looked at
    i = view.policy.findData("putian-chengxiang-2021")
    view.policy.setCurrentIndex(i)
    view.policy.activated.emit(i)
    view.year.setValue(view.year.value() - 1)
    assert window.ctx.tasks.wait()
    assert view.policy.currentData() == "putian-chengxiang-2021"


def test_the_policy_in_force_is_chosen_as_before(window, qtbot):
    from desktop.store import office

    office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监",
                  policy_id="putian-chengxiang-2021", signatory="莆田市城厢区市场监督管理局", user="tester")
    window.ctx.changed("office")
    view = window.show_view("rounds")
    view.refresh()
    assert window.ctx.tasks.wait()
    assert view.policy.currentData() == "putian-chengxiang-2021"


def test_the_targets_of_no_policy_are_shown_until_the_officer_chooses_one(window, qtbot):
    """Before, the targets view of such an office showed the first policy's targets (广州's) as if
    they were the office's own."""
    view = window.show_view("targets")
    assert window.ctx.tasks.wait()
    assert view.policy.count() > 1 and view.policy.currentIndex() == -1
    assert view.policy.shown_text() == "(choose a policy)"
    assert view.pages.currentWidget() is view.empty and view.targets.rowCount() == 0
    assert view.empty.title.text() == "No policy in force" and "Settings" in view.empty.hint.text()
    view.policy.setCurrentIndex(view.policy.findData("putian-chengxiang-2021"))
    assert window.ctx.tasks.wait()
    qtbot.waitUntil(lambda: view.pages.currentWidget() is view.split)
    assert view.targets.rowCount() > 0
