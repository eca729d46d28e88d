"""Targets dashboard (offscreen): a bar per target toward its goal, the achievements that count, and
a value entered for a target the records cannot answer (with date and source, refused without)."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from desktop.ui.qt import Qt  # noqa: E402
from tests.test_ui_rounds import add_data, window  # noqa: E402,F401 - fixture


def test_progress_drill_down_and_entered_value(window, qtbot):  # noqa: F811
    from desktop.store import office
    from desktop.store.models import TargetValue
    from desktop.ui.views.targets import EnterValueDialog

    ctx = window.ctx
    add_data(ctx, year=2024)
    window.resize(1200, 760)  # the window's first size on a laptop (the test screen is only 800 px wide)
    view = window.show_view("targets")
    view.as_of.setDate(view.as_of.date().fromString("2024-12-31", "yyyy-MM-dd"))
    assert ctx.tasks.wait(), view.message.text()
    assert view.data is not None and str(view.data.as_of) == "2024-12-31", view.message.text()
    ids = [p.id for p in view.data.progress]
    assert "standards-60" in ids
    row = ids.index("standards-60")
    bar = view.targets.cellWidget(row, 1)
    assert bar.text().startswith("2 / 60")  # two distinct national standards toward sixty
    view.targets.selectRow(row)
    assert view.ach_model.rowCount() == 2 and "2 achievements count" in view.counting_label.text()
    widths = [view.tableview.columnWidth(i) for i in range(4)]
    assert widths[1] == max(widths)  # the achievement's wording takes the room, not what counted it

    # a policy with a target counted from an entered figure
    from desktop.operations import round_work

    pid, target = next((p, t) for p in ("wenzhou-2017", "jiulongpo-2012", "guangzhou-2013", "quanzhou-2012")
                       for t in round_work.load_policy(p).targets if t.count == "entered")
    office.update(policy_id=pid, user="tester")
    view.policy.setCurrentIndex(view.policy.findData(pid))
    qtbot.waitUntil(lambda: view.data is not None and view.data.policy_id == pid)
    assert view.select_target(target.id) and view.enter_btn.isEnabled()
    dlg = EnterValueDialog(ctx, pid, target, view)
    qtbot.addWidget(dlg)
    dlg.value.setText("85")
    dlg.save()
    assert "comes from" in dlg.form.message("source") and not dlg.saved
    dlg.source.setText("2024年统计年报")
    dlg.date.setDate(dlg.date.date().fromString("2024-06-30", "yyyy-MM-dd"))
    dlg.save()
    assert dlg.saved and TargetValue.get().source == "2024年统计年报"
    qtbot.waitUntil(lambda: any(p.id == target.id and p.count is not None for p in view.data.progress))

    # the figures entered are listed as values with their date: no enterprise column, nothing "counted as"
    view.select_target(target.id)
    headers = [view.ach_model.headerData(i, Qt.Orientation.Horizontal) for i in range(4)]
    shown = [headers[i] for i in range(4) if not view.tableview.isColumnHidden(i)]
    assert shown == ["Value", "As of"], headers
    assert view.ach_model.rowCount() == 1 and "85" in view.ach_model.index(0, 1).data()
    # and a counted target lists its achievements under the four columns again
    counted = next(p.id for p in view.data.progress if p.counting != "entered")
    view.select_target(counted)
    assert not any(view.tableview.isColumnHidden(i) for i in range(4))
    assert view.ach_model.headerData(0, Qt.Orientation.Horizontal) == "Enterprise"


def test_a_value_is_dated_the_dashboards_day_so_it_counts_on_the_day_shown(window, qtbot, monkeypatch):  # noqa: F811
    """With the dashboard read on an earlier day, the figure entered is dated that day (not today,
    when it would not count on the day shown); a day after today is never offered."""
    from desktop.operations import round_work
    from desktop.store import office
    from desktop.ui.qt import QDate
    from desktop.ui.views.targets import EnterValueDialog

    ctx = window.ctx
    pid = "wenzhou-2017"
    target = next(t for t in round_work.load_policy(pid).targets if t.count == "entered")
    office.update(policy_id=pid, user="tester")
    view = window.show_view("targets")
    view.policy.setCurrentIndex(view.policy.findData(pid))
    view.as_of.setDate(QDate(2017, 12, 31))
    qtbot.waitUntil(lambda: view.data is not None and str(view.data.as_of) == "2017-12-31")
    assert view.select_target(target.id)
    dialogs: list[EnterValueDialog] = []

    def look(dlg: EnterValueDialog) -> int:  # the officer looks at the date offered and presses Cancel
        dialogs.append(dlg)
        return 0
    monkeypatch.setattr(EnterValueDialog, "exec", look)
    view.enter_value()
    assert dialogs and dialogs[0].date.date() == QDate(2017, 12, 31)
    later = EnterValueDialog(ctx, pid, target, view, QDate.currentDate().addDays(30))
    qtbot.addWidget(later)
    assert later.date.date() == QDate.currentDate()


def test_a_target_met_after_its_deadline_reads_so_on_the_dashboard():
    """逾期达成 in amber, neither ✓ 已达成 nor ✗ 已逾期 (温州's 66% reached a year after its deadline)."""
    import datetime as dt
    from decimal import Decimal

    from desktop.core.policies import load_policy
    from desktop.core.targets import progress
    from desktop.ui.views.targets import state_text

    entered = {"adoption-rate-66": [{"value": "70", "as_of": dt.date(2018, 12, 31), "source": "统计年报2018"}]}
    t = next(p for p in progress(load_policy("wenzhou-2017"), [], dt.date(2019, 3, 1), entered)
             if p.id == "adoption-rate-66")
    assert t.count == Decimal("70") and state_text(t) == ("✓ met after the deadline", "#8a5a00")
