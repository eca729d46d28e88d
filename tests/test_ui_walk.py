"""Rough edges found walking the daily path as an officer: Tab goes through the enterprise and
achievement forms in the order the fields are read (never to a scroll area), the achievement form
opens with the cursor in its first field, Enter on a discretionary line of a round sets its amount,
the round's progress names the policy by its title (not its internal id), Ctrl+P prints the chosen
notices, and the main actions explain themselves in tooltips."""
from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("pytestqt")

from tests.conftest import GOOD_USCC, OTHER_USCC  # noqa: E402
from tests.test_ui_print import answer_print_dialog, notices_view  # noqa: E402, F401 - fixture
from tests.test_ui_rounds import add_data, window  # noqa: E402, F401 - fixture


def tab_stops(dialog) -> list:
    """The widgets Tab visits in ``dialog``, in order, from its first."""
    from desktop.ui.qt import Qt

    stops, w = [], dialog.nextInFocusChain()
    while w is not dialog and len(stops) < 200:
        if (w.focusPolicy() & Qt.FocusPolicy.TabFocus) == Qt.FocusPolicy.TabFocus and w.isVisibleTo(dialog) \
                and w.isEnabled() and w.focusProxy() is None:
            stops.append(w)
        w = w.nextInFocusChain()
    return stops


def field_order(dialog, fields: dict) -> tuple[list[str], list[str]]:
    """(the fields in Tab order, the fields top to bottom on screen) among the visible ``fields``."""
    from desktop.ui.qt import QPoint, QWidget

    by_widget = {}
    for name, widget in fields.items():
        if widget.isVisibleTo(dialog):
            by_widget[id(widget)] = name
            for child in widget.findChildren(QWidget):  # an editable combo's or a date's line edit
                by_widget.setdefault(id(child), name)
    tabbed: list[str] = []
    for w in tab_stops(dialog):
        name = by_widget.get(id(w))
        if name is not None and name not in tabbed:
            tabbed.append(name)
    on_screen = sorted(set(by_widget.values()), key=lambda n: fields[n].mapTo(dialog, QPoint(0, 0)).y())
    return tabbed, on_screen


def test_tab_goes_through_the_enterprise_form_top_to_bottom(window, qtbot):  # noqa: F811
    from desktop.ui.qt import QScrollArea
    from desktop.ui.views.enterprise_dialog import EnterpriseDialog

    dlg = EnterpriseDialog(window.ctx, None, window)
    qtbot.addWidget(dlg)
    dlg.show()
    assert len(dlg.fields) == 6
    tabbed, on_screen = field_order(dlg, dlg.fields)
    assert tabbed == on_screen
    assert not any(isinstance(w, QScrollArea) for w in tab_stops(dlg))


def test_tab_goes_through_the_achievement_form_top_to_bottom_and_it_opens_in_the_first_field(window, qtbot):  # noqa: F811
    from desktop.ui.qt import QApplication, QScrollArea
    from desktop.ui.views.achievement_form import AchievementForm

    add_data(window.ctx)
    form = AchievementForm(window.ctx, None, window)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    QApplication.processEvents()
    stops = tab_stops(form)
    assert not any(isinstance(w, QScrollArea) for w in stops)  # no stop on the frame around the fields
    tabbed, on_screen = field_order(form, form.w)
    assert tabbed == on_screen and tabbed[0] == "enterprise" and len(tabbed) >= 8
    # the evidence buttons, then Save and Cancel, come after the last field
    names = [getattr(w, "text", lambda: "")() for w in stops]
    assert names.index(form.ev_add.text()) > max(stops.index(w) for w in stops
                                                 if any(w is f or f.isAncestorOf(w) for f in form.w.values()))
    focused = form.focusWidget()
    assert focused is not None and (focused is form.w["enterprise"] or form.w["enterprise"].isAncestorOf(focused))

    preset = AchievementForm(window.ctx, None, window, GOOD_USCC)  # opened from an enterprise: its first blank field
    qtbot.addWidget(preset)
    preset.show()
    QApplication.processEvents()
    assert preset.focusWidget() is preset.w["ref"]


def discretionary_round(win):
    """A round under the Quanzhou 2012 policy with one line whose amount the office decides."""
    from desktop.core.policies import load_policy
    from desktop.store import office
    from desktop.store.edits import save_achievement, save_enterprise

    ctx = win.ctx
    policy = load_policy("quanzhou-2012")
    pool = next(iter(policy.pools.values()))
    year = pool.years[0]
    office.update(policy_id="quanzhou-2012", user="tester")
    save_enterprise({"name": "泉州市丰泽区测试企业有限公司", "uscc": OTHER_USCC}, ctx.username)
    case = next(c for c in policy.cases if any(e.get("status") == "discretionary" for e in c.get("expect", [])))
    given = dict(case["given"][0])
    given.update({"id": "D1", "enterprise": OTHER_USCC, "date": f"{year}-06-01"})
    save_achievement({k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in given.items()}, ctx.username)
    ctx.changed("achievements")
    return policy, year


def test_enter_on_a_discretionary_line_opens_its_amount(window, qtbot, monkeypatch):  # noqa: F811
    from desktop.ui.qt import QApplication, Qt
    from desktop.ui.views import round_dialogs

    policy, year = discretionary_round(window)
    view = window.show_view("rounds")
    view.year.setValue(year)
    seen: list[str] = []
    real_run = view.ctx.tasks.run

    def run(fn, **kw):
        class Tap:  # the progress the task reports, as the progress dialog would show it
            def __init__(self, p):
                self.p = p

            def __getattr__(self, name):
                return getattr(self.p, name)

            def update(self, done, total=0, text=""):
                seen.append(text)
                self.p.update(done, total, text)
        return real_run(lambda p: fn(Tap(p)), **kw)
    monkeypatch.setattr(view.ctx.tasks, "run", run)
    view.compute()
    assert view.ctx.tasks.wait()
    assert seen and all(policy.id not in t for t in seen)
    assert any(view.policy.currentText() in t for t in seen)  # the title the officer chose

    opened: list[str] = []
    monkeypatch.setattr(round_dialogs.AmountDialog, "exec", lambda dlg: opened.append(dlg.windowTitle()) or 0)
    window.activateWindow()
    assert view.select_achievement("D1")
    view.tableview.setFocus()
    QApplication.processEvents()
    qtbot.keyClick(view.tableview, Qt.Key.Key_Return)
    assert len(opened) == 1
    qtbot.keyClick(view.tableview, Qt.Key.Key_Enter)  # the keypad's Enter too
    assert len(opened) == 2


def test_ctrl_p_prints_the_chosen_notices(notices_view, monkeypatch, tmp_path, qtbot):  # noqa: F811
    from desktop.ui.qt import QApplication, QKeySequence, Qt

    view = notices_view
    asked = answer_print_dialog(monkeypatch, tmp_path / "ctrl-p.pdf", lambda printer: None)
    view.window().activateWindow()
    view.tableview.setFocus()
    QApplication.processEvents()
    assert view.print_btn.shortcut() == QKeySequence(QKeySequence.StandardKey.Print)
    qtbot.keyClick(view.tableview, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(asked) == 1)  # a button's shortcut presses it as a click would, a moment later
    assert view.ctx.tasks.wait()
    assert (tmp_path / "ctrl-p.pdf").exists()


def test_the_main_actions_say_what_they_do(window):  # noqa: F811
    rounds = window.show_view("rounds")
    for b in (rounds.compute_btn, rounds.amount_btn, rounds.submit_btn, rounds.review_btn, rounds.audit_btn):
        assert b.toolTip() and b.toolTip() != b.text(), b.text()
    notices = window.show_view("notices")
    for b in (notices.issue_btn, notices.print_btn, notices.save_btn):
        assert b.toolTip() and b.toolTip() != b.text(), b.text()
    assert "Ctrl+P" in notices.print_btn.toolTip()
