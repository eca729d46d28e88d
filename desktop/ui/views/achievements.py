"""Achievements: every achievement of the database in one lazy table, filtered by text, year, kind,
level and award status; add and edit through the entry form; delete with undo (Ctrl+Z). Delete and
Enter on the table and a right-click menu (编辑, 删除, 复制) do the same as the buttons."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.core.labels import KINDS, LEVEL_LABELS, kind_label
from desktop.ui import tablemodel
from desktop.ui.qt import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    Qt,
    QTimer,
    QUndoCommand,
    QVBoxLayout,
    qconnect,
)
from desktop.ui.tasks import show_error
from desktop.ui.views.achievement_model import ID_ROLE, AchievementModel, Filter, status_label
from desktop.ui.views.base import EmptyState, View, search_bar, stacked_pages
from desktop.ui.views.widgets import MessageBar

if TYPE_CHECKING:
    from desktop.ui.context import AppContext

DEBOUNCE_MS = 120
# Default widths; the title (column 6) takes what is left, so every column fits at 1,280 px wide.
COLUMN_WIDTHS = {0: 64, 1: 200, 2: 124, 3: 48, 4: 84, 5: 126, 7: 40, 8: 92, 9: 96}
TITLE_COLUMN = 6
KIND_COLUMN, LEVEL_COLUMN, REF_COLUMN = 2, 3, 5
# the title keeps at least this when a wider window widens the kind and 文号 columns to their words
TITLE_LEAST = 320
CELL_PADDING = 12  # a cell's margins on both sides, with a little air


class AchievementsView(View):
    name = "achievements"
    watches = ("achievements", "enterprises", "rounds", "awards")

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        lay = QVBoxLayout(self)
        self.year, self.kind, self.level, self.status = QComboBox(), QComboBox(), QComboBox(), QComboBox()
        for box in (self.year, self.kind, self.level, self.status):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.search = search_bar(lay, self.year, self.kind, self.level, self.status)
        actions = QHBoxLayout()
        self.add_btn, self.edit_btn, self.delete_btn = QPushButton(), QPushButton(), QPushButton()
        for b in (self.add_btn, self.edit_btn, self.delete_btn):
            actions.addWidget(b)
        actions.addStretch(1)
        self.count = QLabel()
        actions.addWidget(self.count)
        lay.addLayout(actions)
        self.returned = MessageBar(self)  # the records the city returned, with its comments
        self.returned.setObjectName("returnedBar")
        lay.addWidget(self.returned)
        self.model = AchievementModel(self, runner=ctx.tasks)
        self.grown: tablemodel.Widened | None = None  # the kind and 文号 widened in a wide window
        self.tableview = tablemodel.make_table(self.name, model=self.model)
        self.tableview.horizontalHeader().setSortIndicator(4, Qt.SortOrder.DescendingOrder)
        if not tablemodel.restore_header(self.tableview, self.name):  # may restore another sort order
            header = self.tableview.horizontalHeader()
            header.setStretchLastSection(False)
            header.setSectionResizeMode(TITLE_COLUMN, QHeaderView.ResizeMode.Stretch)
            for i, w in COLUMN_WIDTHS.items():
                self.tableview.setColumnWidth(i, w)
        header = self.tableview.horizontalHeader()
        if header.sectionResizeMode(TITLE_COLUMN) == QHeaderView.ResizeMode.Stretch:
            # from the widths given or restored (saved as a narrower window holds them: see save_state)
            self.grown = tablemodel.grow_columns(self.tableview, self._wanted_widths, TITLE_COLUMN, TITLE_LEAST)
            qconnect(self.model.modelReset, self.grown.refit)
            qconnect(self.model.layoutChanged, self.grown.refit)
        self.empty = EmptyState()
        self.pages = stacked_pages(lay, self.tableview, self.empty)
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        qconnect(self.debounce.timeout, self.apply_filter)
        qconnect(self.search.textChanged, lambda _t: self.debounce.start())
        for box in (self.year, self.kind, self.level, self.status):
            qconnect(box.currentIndexChanged, lambda _i: self.apply_filter())
        qconnect(self.add_btn.clicked, lambda: self.add())
        qconnect(self.edit_btn.clicked, self.edit)
        qconnect(self.delete_btn.clicked, self.delete)
        qconnect(self.tableview.doubleClicked, lambda _i: self.edit())
        qconnect(self.tableview.selectionModel().selectionChanged, lambda *_a: self._update_buttons())
        from desktop.ui.views.row_keys import RowKeys

        self.row_keys = RowKeys(self.tableview, self.edit, self.delete, can_edit=lambda: len(self.selected_ids()) == 1,
                                can_delete=lambda: bool(self.selected_ids()))
        qconnect(self.model.modelReset, self._update_buttons)
        qconnect(self.model.index_ready, self._index_ready)
        qconnect(self.model.filter_progress, self._update_count)
        qconnect(ctx.store_ready, self.show_returned)
        self.model.reload()
        self.retranslate()

    def show_returned(self) -> None:
        """Mark the records the city returned (their rows tinted, the comment as their tooltip) and
        list them above the table until the city's next word on the year."""
        from desktop.operations import exchange, quick

        marks: dict[int, dict] = {}
        if self.ctx.db_path is not None and quick.bound():  # after a quick start: once the models are in
            marks = exchange.returned_records(self.ctx.session)
        self.model.marks = {aid: exchange.returned_mark(m) for aid, m in marks.items()}
        if not marks:
            self.returned.clear()
            return
        waiting = [m for m in marks.values() if not m["changed"]]
        lines = "；".join(f"{m['label']}：{m['comment']}" for m in sorted(marks.values(), key=lambda m: m["label"]))
        self.returned.show_message(_("The city returned {n} records ({todo} not changed since): {records}. Correct "
                                     "them and export the year again.").format(n=len(marks), todo=len(waiting),
                                                                              records=lines),
                                   "error" if waiting else "info")

    def _wanted_widths(self) -> dict[int, int]:
        """The widths that show the longest kind and level (any of them: 「provincial」 in English) and the
        longest 文号 on screen whole."""
        fm = self.tableview.fontMetrics()
        kinds = max(fm.horizontalAdvance(kind_label(k)) for k in KINDS) + CELL_PADDING
        levels = max(fm.horizontalAdvance(_(label)) for label in LEVEL_LABELS.values()) + CELL_PADDING
        return {KIND_COLUMN: kinds, LEVEL_COLUMN: levels, REF_COLUMN: self.tableview.sizeHintForColumn(REF_COLUMN)}

    # ------------------------------------------------------------------ View protocol
    def retranslate(self) -> None:
        self.search.setPlaceholderText(_("Search enterprise, credit code, standard number, title... (Ctrl+F)"))
        self.add_btn.setText(_("New..."))
        self.edit_btn.setText(_("Edit..."))
        self.delete_btn.setText(_("Delete"))
        self._fill_filters()
        self.show_returned()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.model.columnCount() - 1)
        self._update_count()

    def refresh(self) -> None:
        self.show_returned()
        self.model.reload()
        self._fill_filters()
        self._update_count()

    def table(self):
        return self.tableview

    def search_box(self):
        return self.search

    def save_state(self) -> None:
        if self.grown is not None:
            self.grown.shrink()
        tablemodel.save_header(self.tableview, self.name)

    def export_name(self) -> str:
        return _("Achievements")

    # ------------------------------------------------------------------ filters
    def _index_ready(self) -> None:
        """The filter index arrived: the year and status lists become exact."""
        self._fill_filters()
        self._update_count()

    def _fill_filters(self) -> None:
        fills = {
            self.year: [(_("All years"), None)] + [(str(y), y) for y in self.model.years()],
            self.kind: [(_("All kinds"), None)] + [(kind_label(k), k) for k in KINDS],
            self.level: [(_("All levels"), None)] + [(_(label), key) for key, label in LEVEL_LABELS.items()],
            self.status: [(_("Any status"), None)] + [(status_label(s), s) for s in self.model.statuses()],
        }
        for box, items in fills.items():
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            for label, data in items:
                box.addItem(label, data)
            box.setCurrentIndex(max(0, box.findData(current)))
            box.blockSignals(False)

    def current_filter(self) -> Filter:
        return Filter(text=self.search.text(), year=self.year.currentData(), kind=self.kind.currentData(),
                      level=self.level.currentData(), status=self.status.currentData())

    def apply_filter(self) -> None:
        self.debounce.stop()
        self.model.apply_filter(self.current_filter())
        self._update_count()

    def _update_count(self) -> None:
        total, shown = self.model.total(), self.model.rowCount()
        busy = self.model.filtering or self.model.waiting
        if total == 0:
            self.empty.set_text(_("No achievements yet"), _(
                "Press New... (Ctrl+N) to enter one, or import the Excel template (Ctrl+I). Enterprises come first: "
                "register them under Enterprises."))
            self.pages.setCurrentWidget(self.empty)
        elif shown == 0 and not busy:
            self.empty.set_text(_("Nothing matches the filter"), _("Clear the search box or choose \"All\" in the filters."))
            self.pages.setCurrentWidget(self.empty)
        else:
            self.pages.setCurrentWidget(self.tableview)
        if self.model.waiting == "order":  # the rows in the previous order until the index in the new one is in
            text = _("Sorting... {shown} of {total} achievements, in the previous order until done")
        elif busy:  # the first rows are on screen, the others still being found (or the data re-indexed)
            text = _("Filtering... {shown} found so far, of {total} achievements")
        else:
            text = _("{shown} of {total} achievements")
        self.count.setText(text.format(shown=f"{self.model.found():,}", total=f"{total:,}"))

    def _update_buttons(self) -> None:
        n = len(self.selected_ids())
        self.edit_btn.setEnabled(n == 1)
        self.delete_btn.setEnabled(n >= 1)

    def selected_ids(self) -> list[int]:
        sm = self.tableview.selectionModel()
        return [i.data(ID_ROLE) for i in sm.selectedRows()] if sm else []

    # ------------------------------------------------------------------ actions
    def add(self, enterprise: str | None = None) -> None:
        from desktop.operations import records
        from desktop.ui.views.achievement_form import AchievementForm

        self.ctx.require_store()  # after a quick start the models may still be binding
        if not records.has_enterprises(self.ctx.session):
            from desktop.ui.qt import QMessageBox

            QMessageBox.information(self, _("New achievement"), _("Register the enterprise first (Enterprises, Ctrl+Shift+N)."))
            return
        AchievementForm(self.ctx, None, self, enterprise).exec()

    def edit(self) -> None:
        from desktop.operations import records
        from desktop.ui.views.achievement_form import AchievementForm

        ids = self.selected_ids()
        if len(ids) == 1:
            self.ctx.require_store()
            try:
                editing = records.achievement(self.ctx.session, ids[0])
            except StdAwardError as exc:
                show_error(self, exc)
                self.refresh()
                return
            AchievementForm(self.ctx, editing, self).exec()

    def delete(self) -> None:
        from desktop.operations import records

        ids = self.selected_ids()
        if not ids:
            return
        self.ctx.require_store()
        try:
            snap = records.delete_achievements(self.ctx.session, ids)
        except StdAwardError as exc:
            show_error(self, exc)
            return
        self.ctx.undo_stack.push(DeleteAchievements(self.ctx, ids, snap))
        self.ctx.changed("achievements")
        self.window().statusBar().showMessage(_("{n} achievements deleted; Ctrl+Z puts them back").format(n=len(ids)), 8000)


class DeleteAchievements(QUndoCommand):
    """Already done when pushed (the deletion can be refused, so it runs first); undo restores the
    rows with their ids and evidence, redo deletes them again."""

    def __init__(self, ctx: AppContext, ids: list[int], snap: object) -> None:
        super().__init__(_("Delete {n} achievements").format(n=len(ids)))
        self.ctx, self.ids, self.snap, self.first = ctx, ids, snap, True

    def redo(self) -> None:
        from desktop.operations import records

        if self.first:
            self.first = False
            return
        self._run(lambda: setattr(self, "snap", records.delete_achievements(self.ctx.session, self.ids)))

    def undo(self) -> None:
        from desktop.operations import records

        self._run(lambda: records.restore_achievements(self.ctx.session, self.snap))

    def _run(self, step: Callable[[], object]) -> None:
        try:
            step()
        except StdAwardError as exc:  # a role taken away meanwhile, a round computed since
            show_error(None, exc)
            self.setObsolete(True)
        self.ctx.changed("achievements")
