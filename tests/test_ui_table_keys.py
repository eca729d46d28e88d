"""The enterprises and achievements tables answer the keys an officer uses in Explorer or Excel:
Delete deletes the selection through the same path as the Delete button (its refusals and Ctrl+Z),
Enter opens the edit form, and a right click offers 编辑 / 删除 / 复制."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.conftest import GOOD_USCC, OTHER_USCC, std  # noqa: E402
from tests.test_ui_records import add_records, window  # noqa: E402, F401 - fixture


def key(qtbot, widget, which: str) -> None:
    from desktop.ui.qt import Qt

    qtbot.keyClick(widget, getattr(Qt.Key, f"Key_{which}"))


@pytest.fixture
def opened(monkeypatch):
    """The edit forms the table opens (answered with Cancel), as (form class, record edited)."""
    from desktop.ui.views.achievement_form import AchievementForm
    from desktop.ui.views.enterprise_dialog import EnterpriseDialog

    seen: list[tuple[str, object]] = []

    def fake_exec(self):
        seen.append((type(self).__name__, self.editing))
        return 0
    monkeypatch.setattr(AchievementForm, "exec", fake_exec)
    monkeypatch.setattr(EnterpriseDialog, "exec", fake_exec)
    return seen


def achievements_view(window, qtbot):  # noqa: F811
    view = window.show_view("achievements")
    view.refresh()
    qtbot.waitUntil(lambda: view.model.rowCount() >= 1)
    view.tableview.setFocus()
    return view


def test_delete_key_deletes_the_selected_achievements_and_ctrl_z_restores(window, qtbot):  # noqa: F811
    from desktop.operations import records
    from desktop.store.models import Achievement

    add_records(window.ctx)
    records.save_achievement(window.ctx.session, std(id="A2", ref="GB/T 12346-2024"))
    window.ctx.changed("achievements")
    view = achievements_view(window, qtbot)
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    key(qtbot, view.tableview, "Delete")  # nothing selected: nothing deleted
    assert Achievement.select().count() == 2
    view.tableview.selectAll()
    key(qtbot, view.tableview, "Delete")
    assert Achievement.select().count() == 0
    assert "Ctrl+Z" in window.statusBar().currentMessage()
    window.ctx.undo_stack.undo()
    assert sorted(a.source_id for a in Achievement.select()) == ["A1", "A2"]


def test_enter_opens_the_edit_form_of_the_one_selected_row(window, qtbot, opened):  # noqa: F811
    add_records(window.ctx)
    view = achievements_view(window, qtbot)
    view.tableview.selectRow(0)
    key(qtbot, view.tableview, "Return")
    assert [(name, ed.achievement.id) for name, ed in opened] == [("AchievementForm", "A1")]
    ents = window.show_view("enterprises")
    ents.tableview.setFocus()
    key(qtbot, ents.tableview, "Enter")
    assert len(opened) == 1  # no row chosen: no form
    ents.tableview.selectRow(0)
    key(qtbot, ents.tableview, "Enter")
    assert opened[-1][0] == "EnterpriseDialog" and opened[-1][1]["uscc"] == GOOD_USCC


def test_delete_key_on_an_enterprise_goes_through_its_checks_and_undo(window, qtbot, monkeypatch):  # noqa: F811
    from desktop.operations import records
    from desktop.store.models import Enterprise
    from desktop.ui.qt import QMessageBox

    add_records(window.ctx)  # 华峰 has an achievement
    records.save_enterprise(window.ctx.session, {"uscc": OTHER_USCC, "name": "莆田市城厢区海峡食品有限公司"})
    window.ctx.changed("enterprises")
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a: said.append(text))
    view = window.show_view("enterprises")
    view.tableview.setFocus()
    view.select_uscc(GOOD_USCC)
    key(qtbot, view.tableview, "Delete")
    assert Enterprise.select().count() == 2 and "Delete them first" in said[0]  # the button's refusal
    view.select_uscc(OTHER_USCC)
    key(qtbot, view.tableview, "Delete")
    assert [e.uscc for e in Enterprise.select()] == [GOOD_USCC]
    window.ctx.undo_stack.undo()
    assert Enterprise.select().count() == 2


def test_the_row_menu_edits_deletes_and_copies(window, qtbot, opened):  # noqa: F811
    from desktop.store.models import Achievement
    from desktop.ui.qt import QApplication

    add_records(window.ctx)
    view = achievements_view(window, qtbot)
    view.tableview.clearSelection()
    pos = view.tableview.visualRect(view.model.index(0, 1)).center()
    menu = view.row_keys.show_menu(pos)  # a right click on the first row selects it
    assert view.selected_ids() and [a.text() for a in menu.actions() if a.text()] == ["Edit...", "Delete", "Copy"]
    assert all(a.isEnabled() for a in menu.actions() if a.text())
    copy = next(a for a in menu.actions() if a.text() == "Copy")
    copy.trigger()
    pasted = QApplication.clipboard().text()
    assert "GB/T 12345-2024" in pasted and "运动鞋 缓震性能的测定" in pasted and "\t" in pasted
    menu.close()
    menu = view.row_keys.show_menu(pos)
    next(a for a in menu.actions() if a.text() == "Edit...").trigger()
    assert [name for name, _ed in opened] == ["AchievementForm"]
    menu.close()
    menu = view.row_keys.show_menu(pos)
    next(a for a in menu.actions() if a.text() == "Delete").trigger()
    assert Achievement.select().count() == 0
    menu.close()
    # below the last row: nothing chosen, so only nothing can be done
    view.tableview.clearSelection()
    menu = view.row_keys.show_menu(view.tableview.viewport().rect().bottomRight())
    assert not any(a.isEnabled() for a in menu.actions() if a.text())
    menu.close()
