"""Table models for the views.

``ListTableModel`` shows a list of dicts (small tables: enterprises, users, rounds) through
``Column`` declarations; it sorts its own rows (numbers and money as numbers, text with the UI
locale's collation: pinyin order for Chinese), which is many times faster than a proxy asking
``data()`` for every comparison. Put it behind a ``SearchProxy`` for the search box: the proxy
filters and hands sorting down to it. ``make_table`` builds a QTableView with the program's habits
(sortable, whole-row selection, remembered column widths). Big tables (achievements) use their own
lazy model in ``views/achievement_model.py``.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from desktop.core.i18n import _, columns, current_locale
from desktop.ui import settings
from desktop.ui.qt import (
    QAbstractItemModel,
    QAbstractItemView,
    QAbstractTableModel,
    QApplication,
    QCollator,
    QEvent,
    QHeaderView,
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    Qt,
    QTableView,
    QWidget,
    qconnect,
)

ROW_ROLE = Qt.ItemDataRole.UserRole + 2
DISPLAY_ROLE, ALIGNMENT_ROLE = int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.TextAlignmentRole)
RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
TOOLTIP_ROLE = int(Qt.ItemDataRole.ToolTipRole)
_SERVED = frozenset((DISPLAY_ROLE, ALIGNMENT_ROLE, int(ROW_ROLE), TOOLTIP_ROLE))
# A cell's text this wide or wider (a Chinese character counting two: an enterprise's name of eight
# characters is cut in a narrow column as surely as sixteen Latin letters) is also its tooltip:
# whole where the column cuts it
LONG_TEXT = 16


def money_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    from desktop.core.money import format_money

    return format_money(value)


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # N_() msgid
    fmt: Callable[[Any], str] | None = None
    align_right: bool = False
    width: int | None = None


class ListTableModel(QAbstractTableModel):
    def __init__(self, columns: list[Column], parent=None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.rows: list[dict[str, Any]] = []
        self.sorted_by: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = rows
        if self.sorted_by is not None:
            self._sort_rows(*self.sorted_by)
        self.endResetModel()

    def _sort_rows(self, column: int, order: Qt.SortOrder) -> None:
        key = self.columns[column].key
        reverse = order == Qt.SortOrder.DescendingOrder
        if all(isinstance(r.get(key), (int, float, Decimal, type(None))) for r in self.rows):
            self.rows.sort(key=lambda r: (r.get(key) is not None, r.get(key) or 0), reverse=reverse)  # blanks first
            return

        # The collator (the UI locale's order: pinyin for Chinese) is exact but each comparison is a
        # call into Qt. Rows first put in a close order at C speed (GB 18030 code order is pinyin
        # order for the common characters; case-folded for other scripts) leave the stable sort
        # little to do: 2,000 names take ~2,000 comparisons instead of ~20,000, same result.
        keyed = [("" if r.get(key) is None else str(r.get(key)), r) for r in self.rows]
        close: Callable[[str], Any] = ((lambda t: t.encode("gb18030")) if current_locale().startswith("zh")
                                       else str.casefold)
        keyed.sort(key=lambda pair: close(pair[0]), reverse=reverse)
        by_collator = functools.cmp_to_key(QCollator().compare)  # the default locale: the UI's
        keyed.sort(key=lambda pair: by_collator(pair[0]), reverse=reverse)
        self.rows[:] = [r for _t, r in keyed]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows themselves, keeping selections on the same rows. Rows change only through
        ``set_rows``, which keeps this order: asked again for it (``sortByColumn`` asks twice, once
        through the header's sort indicator), there is nothing to do."""
        if not 0 <= column < len(self.columns) or self.sorted_by == (column, order):
            return
        self.sorted_by = (column, order)
        self.layoutAboutToBeChanged.emit()
        kept = self.persistentIndexList()
        kept_rows = [id(self.rows[i.row()]) for i in kept]
        self._sort_rows(column, order)
        where = {id(r): n for n, r in enumerate(self.rows)}
        self.changePersistentIndexList(kept, [self.index(where[r], i.column()) for r, i in zip(kept_rows, kept)])
        self.layoutChanged.emit()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() else len(self.columns)

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        # Qt's own index() asks rowCount() and columnCount(): two calls into Python for every
        # index, and the search proxy makes one for every data() call. One call here instead
        # makes painting the table about 40% quicker.
        if 0 <= row < len(self.rows) and 0 <= column < len(self.columns) and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def data(self, index: QModelIndex, role: int = DISPLAY_ROLE) -> Any:
        # A painted cell is asked for some ten roles; the ones not served return at once.
        if role not in _SERVED or not index.isValid():
            return None
        if role == DISPLAY_ROLE or role == TOOLTIP_ROLE:
            col = self.columns[index.column()]
            value = self.rows[index.row()].get(col.key)
            text = col.fmt(value) if col.fmt is not None else ("" if value is None else str(value))
            if role == TOOLTIP_ROLE:
                return text if len(text) >= LONG_TEXT or columns(text) >= LONG_TEXT else None
            return text
        if role == ALIGNMENT_ROLE:
            return RIGHT_ALIGNED if self.columns[index.column()].align_right else None
        if role == ROW_ROLE:
            return self.rows[index.row()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(self.columns[section].label)
        return None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)


class SearchProxy(QSortFilterProxyModel):
    """Case-insensitive "contains" over every column; sorting is done by the source model (rows
    pass through in its order)."""

    def __init__(self, source: QAbstractTableModel, parent=None) -> None:
        super().__init__(parent)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
        self.setSourceModel(source)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if source is not None:
            source.sort(column, order)

    def search(self, text: str) -> None:
        self.setFilterFixedString(text.strip())


def make_table(name: str, parent: QWidget | None = None, *, model: QAbstractItemModel | None = None) -> QTableView:
    """A sortable read-only table whose column widths are remembered under ``name``, showing
    ``model`` if given."""
    t = QTableView(parent)
    t.setObjectName(f"table-{name}")
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setAlternatingRowColors(True)
    t.setSortingEnabled(True)
    t.setWordWrap(False)
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 10)
    t.horizontalHeader().setStretchLastSection(True)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    t.horizontalHeader().setHighlightSections(False)
    if model is not None:
        t.setModel(model)
    return t


class _Fitter(QObject):
    """Resizes a table's columns whenever its viewport changes width (see ``fill_column`` and
    ``share_width``)."""

    def __init__(self, table: QTableView, fit: Callable[[int], None]) -> None:
        super().__init__(table)
        self.table, self.fit = table, fit
        self.busy = False
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show) and not self.busy:
            self.busy = True
            try:
                self.fit(self.table.viewport().width())
            finally:
                self.busy = False
        return False


class Widened:
    """Columns widened, out of the room a fitting leaves, up to the width each wants (its longest
    words): a wide window shows them whole. ``refit()`` fits again when the rows change (and with them
    the longest words); ``shrink()`` puts the first widths back before the header is saved, so what the
    next start restores is what a narrower window can hold (unless the officer dragged one of them:
    then the widths are theirs)."""

    def __init__(self, table: QTableView, wanted: Callable[[], dict[int, int]]) -> None:
        self.table, self.wanted = table, wanted
        header = table.horizontalHeader()
        self.base = {c: header.sectionSize(c) for c in wanted()}
        self.given: dict[int, int] = {}  # the widths the fitting gave
        self.dragged = False
        self.fitter: _Fitter | None = None  # (set by whoever fits: its busy flag guards every change here)

    def widen(self, wants: dict[int, int], room: int) -> None:
        for c, want in wants.items():
            extra = max(0, min(want - self.base[c], room))
            self.table.setColumnWidth(c, self.base[c] + extra)
            self.given[c] = self.base[c] + extra
            room -= extra

    def refit(self) -> None:
        fitter = self.fitter
        if fitter is not None and not fitter.busy:
            fitter.busy = True
            try:
                fitter.fit(self.table.viewport().width())
            finally:
                fitter.busy = False

    def shrink(self) -> None:
        if self.dragged or self.fitter is None:
            return
        self.fitter.busy = True
        try:
            for c, w in self.base.items():
                if self.table.columnWidth(c) == self.given.get(c):  # not set since by another hand
                    self.table.setColumnWidth(c, w)
        finally:
            self.fitter.busy = False


def fill_column(table: QTableView, column: int, minimum: int, keep: tuple[int, ...] = (),
                grow: Callable[[], dict[int, int]] | None = None, least: int = 0) -> Widened:
    """Keep ``column`` (a long text: the achievement's wording, an enterprise's name) as wide as the
    viewport leaves beside the columns before it and the columns ``keep`` after it, at least
    ``minimum``: the visible columns end at the table's edge instead of a column cut there; the
    other columns after it are a scroll away. Once the officer drags that column it keeps the width
    given. ``grow`` names columns before it that widen up to the width it gives (an enterprise's
    whole name) while ``column`` keeps ``least``: a wide window shows them whole."""
    header = table.horizontalHeader()
    dragged = [False]
    widened = Widened(table, grow or dict)

    def resized(index: int, _old: int, _new: int) -> None:
        if fitter.busy or not QApplication.mouseButtons() & Qt.MouseButton.LeftButton:
            return
        if index == column:
            dragged[0] = True
        elif index in widened.base:
            widened.dragged = True

    def fit(width: int) -> None:
        if dragged[0] or header.isSectionHidden(column):
            return
        shown_before = [header.logicalIndex(v) for v in range(header.visualIndex(column))
                        if not header.isSectionHidden(header.logicalIndex(v))]
        after = sum(header.sectionSize(c) for c in keep if not header.isSectionHidden(c))
        if grow is not None and not widened.dragged:
            growing = {c: want for c, want in grow().items() if c in shown_before}
            others = sum(header.sectionSize(c) for c in shown_before if c not in growing)
            widened.widen(growing, width - others - after - least - sum(widened.base[c] for c in growing))
        before = sum(header.sectionSize(c) for c in shown_before)
        table.setColumnWidth(column, max(minimum, width - before - after))

    fitter = widened.fitter = _Fitter(table, fit)
    qconnect(header.sectionResized, resized)
    return widened


def grow_columns(table: QTableView, wanted: Callable[[], dict[int, int]], stretched: int, least: int) -> Widened:
    """Widen the columns ``wanted`` names (``Widened``) while the viewport still leaves the
    ``stretched`` column (the title, in Stretch mode) ``least`` pixels: a wide window shows an
    achievement's kind or 文号 whole instead of handing all its room to the title. Once the officer
    drags any column but the title, the widths are theirs."""
    widened = Widened(table, wanted)
    header = table.horizontalHeader()

    def resized(index: int, _old: int, _new: int) -> None:
        if index != stretched and not fitter.busy and QApplication.mouseButtons() & Qt.MouseButton.LeftButton:
            widened.dragged = True

    def fit(width: int) -> None:
        if widened.dragged:
            return
        fixed = sum(header.sectionSize(c) for c in range(header.count())
                    if c != stretched and c not in widened.base and not header.isSectionHidden(c))
        widened.widen(wanted(), width - fixed - least - sum(w for c, w in widened.base.items()
                                                            if not header.isSectionHidden(c)))

    fitter = widened.fitter = _Fitter(table, fit)
    qconnect(header.sectionResized, resized)
    return widened


def share_width(table: QTableView, weights: tuple[float, ...], minimums: tuple[int, ...]) -> None:
    """Share the viewport's width between the first columns by ``weights`` (each at least its
    minimum; the last column stretches over the rest), wrapping a cell's text at its spaces and
    growing the row to show it whole: a narrow table shows every column, none cut at its edge."""
    table.setWordWrap(True)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # it fits: nothing to scroll to

    def fit(width: int) -> None:
        widths = [max(least, int(width * w)) for w, least in zip(weights, minimums, strict=True)]
        room = width - int(width * max(0.0, 1 - sum(weights)))  # what the last column leaves
        if sum(widths) > room:  # the minimums do not fit: everything narrower alike, nothing cut
            widths = [int(w * room / sum(widths)) for w in widths]
        for i, w in enumerate(widths):
            table.setColumnWidth(i, w)
        last = len(widths)
        if last < table.horizontalHeader().count():  # stretched, but never wider than what is left
            table.setColumnWidth(last, max(20, width - sum(widths)))

    _Fitter(table, fit)


def restore_header(table: QTableView, name: str) -> bool:
    state = settings.header_state(name).get()
    return bool(state) and not state.isEmpty() and table.horizontalHeader().restoreState(state)


def save_header(table: QTableView, name: str) -> None:
    settings.header_state(name).set(table.horizontalHeader().saveState())
