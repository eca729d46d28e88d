"""Enterprises: a searchable, sortable table with achievement counts and totals awarded; add, edit,
delete (undoable) and merge two records of the same enterprise. Delete and Enter on the table and a
right-click menu (编辑, 删除, 复制) do the same as the buttons.

The default view at start: its rows are read with plain SQL (``db.execute_sql``), so the window can
show them before peewee and the models are loaded."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import N_, _
from desktop.core.regions import shown_region
from desktop.ui.qt import QLabel, QPushButton, Qt, QVBoxLayout, is_alive, qconnect
from desktop.ui.tablemodel import (
    ROW_ROLE,
    Column,
    ListTableModel,
    SearchProxy,
    make_table,
    money_text,
    restore_header,
    save_header,
)
from desktop.ui.tasks import show_error
from desktop.ui.views.base import EmptyState, View, search_bar, stacked_pages

COLUMNS = [
    Column("name", N_("Name")),
    Column("uscc", N_("Credit code")),
    Column("region", N_("Region"), fmt=shown_region),  # 福建省莆田市城厢区 once the region table is read
    Column("achievements", N_("Achievements"), align_right=True),
    Column("total", N_("Total awarded"), fmt=money_text, align_right=True),
    Column("contact", N_("Contact")),
    Column("phone", N_("Phone")),
]


def enterprise_rows(db_path: Path | None = None) -> list[dict[str, Any]]:
    """Every enterprise with its achievement count and the total granted (approved rounds only)."""
    from desktop.operations import records

    return records.enterprise_rows(db_path)


class EnterprisesView(View):
    name = "enterprises"
    watches = ("enterprises", "achievements", "rounds", "awards")

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        lay = QVBoxLayout(self)
        self.add_btn, self.edit_btn, self.merge_btn, self.delete_btn = (QPushButton() for _i in range(4))
        self.search = search_bar(lay, self.add_btn, self.edit_btn, self.merge_btn, self.delete_btn)
        self.model = ListTableModel(COLUMNS, self)
        self.proxy = SearchProxy(self.model, self)
        self.tableview = make_table(self.name, model=self.proxy)
        self.empty = EmptyState()
        self.pages = stacked_pages(lay, self.tableview, self.empty)
        self.count = QLabel()
        lay.addWidget(self.count)
        qconnect(self.search.textChanged, self._search)
        qconnect(self.add_btn.clicked, self.add)
        qconnect(self.edit_btn.clicked, self.edit)
        qconnect(self.merge_btn.clicked, self.merge)
        qconnect(self.delete_btn.clicked, self.delete)
        qconnect(self.tableview.doubleClicked, lambda _i: self.edit())
        qconnect(self.tableview.selectionModel().selectionChanged, lambda *_a: self._update_buttons())
        from desktop.ui.views.row_keys import RowKeys

        self.row_keys = RowKeys(self.tableview, self.edit, self.delete, can_edit=lambda: len(self.selected()) == 1,
                                can_delete=lambda: len(self.selected()) == 1)
        self._reading_regions = False
        qconnect(ctx.store_ready, self.read_regions)
        self.retranslate()
        self.read_regions()
        if not restore_header(self.tableview, self.name):
            for i, w in enumerate((280, 160, 150, 80, 120, 80)):  # the telephone keeps room at 1200 px
                self.tableview.setColumnWidth(i, w)
        self.tableview.sortByColumn(0, Qt.SortOrder.AscendingOrder)

    # ------------------------------------------------------------------ View protocol
    def retranslate(self) -> None:
        self.search.setPlaceholderText(_("Search by name, credit code, contact... (Ctrl+F)"))
        self.add_btn.setText(_("New..."))
        self.edit_btn.setText(_("Edit..."))
        self.merge_btn.setText(_("Merge..."))
        self.delete_btn.setText(_("Delete"))
        self.model.retranslate()
        self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(enterprise_rows(self.ctx.db_path))
        self._update_count()

    def read_regions(self) -> None:
        """The region column names each region once the region table is read: in the background,
        after the models are bound (a quick start paints the codes first, without stdnum)."""
        from desktop.core import regions
        from desktop.operations import quick

        if regions.loaded() or not quick.bound() or self._reading_regions:
            return
        self._reading_regions = True

        def done(_result: object) -> None:
            if is_alive(self) and self.model.rowCount():
                column = [c.key for c in COLUMNS].index("region")
                self.model.dataChanged.emit(self.model.index(0, column),
                                            self.model.index(self.model.rowCount() - 1, column))
                self.proxy.invalidate()  # a search by the region's name finds the rows

        self.ctx.tasks.run(lambda _p: regions.load(), on_done=done, quiet=True)

    def table(self):
        return self.tableview

    def search_box(self):
        return self.search

    def save_state(self) -> None:
        save_header(self.tableview, self.name)

    def export_name(self) -> str:
        return _("Enterprises")

    # ------------------------------------------------------------------ helpers
    def _search(self, text: str) -> None:
        self.proxy.search(text)
        self._update_count()

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        if total == 0:
            self.empty.set_text(_("No enterprises yet"), _("Press New... (Ctrl+Shift+N) to register one, or import "
                                                           "the Excel template (Ctrl+I)."))
            self.pages.setCurrentWidget(self.empty)
        else:
            self.pages.setCurrentWidget(self.tableview)
        self.count.setText(_("{shown} of {total} enterprises").format(shown=shown, total=total))
        self._update_buttons()

    def _update_buttons(self) -> None:
        n = len(self.selected())
        self.edit_btn.setEnabled(n == 1)
        self.delete_btn.setEnabled(n == 1)
        self.merge_btn.setEnabled(self.model.rowCount() >= 2)

    def selected(self) -> list[dict[str, Any]]:
        rows = self.tableview.selectionModel().selectedRows() if self.tableview.selectionModel() else []
        return [r.data(ROW_ROLE) for r in rows]

    def select_uscc(self, uscc: str) -> None:
        for r in range(self.proxy.rowCount()):
            idx = self.proxy.index(r, 0)
            if idx.data(ROW_ROLE)["uscc"] == uscc:
                self.tableview.selectRow(r)
                self.tableview.scrollTo(idx)
                return

    # ------------------------------------------------------------------ actions
    def add(self) -> None:
        self.ctx.require_store()
        from desktop.ui.views.enterprise_dialog import EnterpriseDialog

        dlg = EnterpriseDialog(self.ctx, None, self)
        if dlg.exec() and dlg.saved is not None:
            self.select_uscc(dlg.saved["uscc"])

    def edit(self) -> None:
        from desktop.operations import records
        from desktop.ui.views.enterprise_dialog import EnterpriseDialog

        sel = self.selected()
        if len(sel) != 1:
            return
        self.ctx.require_store()
        try:
            editing = records.enterprise(self.ctx.session, sel[0]["id"])
        except StdAwardError as exc:
            show_error(self, exc)
            self.refresh()
            return
        dlg = EnterpriseDialog(self.ctx, editing, self)
        if dlg.exec() and dlg.saved is not None:
            self.select_uscc(dlg.saved["uscc"])

    def delete(self) -> None:
        sel = self.selected()
        if len(sel) != 1:
            return
        row = sel[0]
        from desktop.ui.qt import QMessageBox
        from desktop.ui.views.enterprise_dialog import DeleteEnterprise

        if row["achievements"]:
            QMessageBox.information(self, _("Delete enterprise"), _(
                "{name} has {n} achievements. Delete them first, or merge this record into another one.").format(
                name=row["name"], n=row["achievements"]))
            return
        self.ctx.require_store()
        from desktop.operations import records

        try:  # refused (a role, notices issued to it) before anything goes on the undo stack
            deleted = records.delete_enterprise(self.ctx.session, row["id"])
        except StdAwardError as exc:
            show_error(self, exc)
            return
        self.ctx.undo_stack.push(DeleteEnterprise(self.ctx, row["id"], deleted))
        self.ctx.changed("enterprises")

    def merge(self) -> None:
        from desktop.ui.qt import QMessageBox
        from desktop.ui.views.enterprise_dialog import MergeDialog

        self.ctx.require_store()
        dlg = MergeDialog(self.model.rows, self.selected(), self)
        if not dlg.exec():
            return
        keep, drop = dlg.choice()
        if QMessageBox.question(self, _("Merge enterprises"), _(
                "Move all {n} achievements of\n{drop} ({drop_code})\nto\n{keep} ({keep_code})\nand delete the first "
                "record? This is written to the audit log and cannot be undone.").format(
                n=drop["achievements"], drop=drop["name"], drop_code=drop["uscc"], keep=keep["name"],
                keep_code=keep["uscc"])) != QMessageBox.StandardButton.Yes:
            return
        from desktop.operations import records

        try:
            records.merge_enterprises(self.ctx.session, keep["id"], drop["id"])
        except StdAwardError as exc:
            show_error(self, exc)
            return
        self.ctx.changed("enterprises")
        self.ctx.changed("achievements")
        self.select_uscc(keep["uscc"])
