"""Keys and a context menu on a view's table rows, as in Explorer or Excel: Delete deletes the
selection (through the view's own delete, with its checks and undo), Enter opens the edit form, and a
right click offers 编辑 / 删除 / 复制 for the rows under the cursor (复制 puts them on the clipboard as
tab-separated text, ready to paste into Excel). The menu opens with ``popup`` (it never blocks)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desktop.core.i18n import _
from desktop.ui.qt import QApplication, QEvent, QMenu, QObject, QPoint, Qt, QTableView, qconnect


def rows_text(table: QTableView) -> str:
    """The selected rows as shown (visible columns, in their on-screen order), one line each."""
    model, header = table.model(), table.horizontalHeader()
    columns = [header.logicalIndex(v) for v in range(header.count())]
    columns = [c for c in columns if not header.isSectionHidden(c)]
    rows = sorted(i.row() for i in table.selectionModel().selectedRows())
    lines = []
    for r in rows:
        cells = [model.index(r, c).data(Qt.ItemDataRole.DisplayRole) for c in columns]
        lines.append("\t".join("" if v is None else str(v).replace("\t", " ").replace("\n", " ") for v in cells))
    return "\n".join(lines)


class RowKeys(QObject):
    """Installed on ``table``: Delete → ``delete()``, Enter/Return → ``edit()``, a context menu with
    both and Copy. ``can_edit``/``can_delete`` say whether the selection allows them (the buttons' rule)."""

    def __init__(self, table: QTableView, edit: Callable[[], Any], delete: Callable[[], Any],
                 can_edit: Callable[[], bool], can_delete: Callable[[], bool]) -> None:
        super().__init__(table)
        self.table, self.edit, self.delete = table, edit, delete
        self.can_edit, self.can_delete = can_edit, can_delete
        self.menu: QMenu | None = None  # the last context menu shown
        table.installEventFilter(self)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        qconnect(table.customContextMenuRequested, self.show_menu)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            key, mods = event.key(), event.modifiers()  # type: ignore[attr-defined]  # a QKeyEvent here
            plain = mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
            if plain and key == Qt.Key.Key_Delete:
                if self.can_delete():
                    self.delete()
                return True
            if plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self.can_edit():
                    self.edit()
                return True
        return False

    def copy(self) -> str:
        text = rows_text(self.table)
        if text:
            QApplication.clipboard().setText(text)
        return text

    def show_menu(self, pos: QPoint) -> QMenu:
        """The rows' menu at ``pos`` (table viewport coordinates); the row under the cursor becomes the
        selection unless it is already part of it."""
        index = self.table.indexAt(pos)
        sm = self.table.selectionModel()
        if index.isValid() and not sm.isRowSelected(index.row(), index.parent()):
            self.table.selectRow(index.row())
        menu = QMenu(self.table)
        menu.setObjectName("rowMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        edit = menu.addAction(_("Edit..."))
        edit.setShortcut(Qt.Key.Key_Return)
        edit.setEnabled(self.can_edit())
        qconnect(edit.triggered, lambda _c=False: self.edit())
        delete = menu.addAction(_("Delete"))
        delete.setShortcut(Qt.Key.Key_Delete)
        delete.setEnabled(self.can_delete())
        qconnect(delete.triggered, lambda _c=False: self.delete())
        menu.addSeparator()
        copy = menu.addAction(_("Copy"))
        copy.setEnabled(bool(sm.selectedRows()))
        qconnect(copy.triggered, lambda _c=False: self.copy())
        self.menu = menu
        menu.popup(self.table.viewport().mapToGlobal(pos))
        return menu
