"""The achievements table for 100,000 rows (Anki browser ``DataModel`` style).

The first screen comes from the database at once: the row count, and the displayed columns of the
first rows read with ``ORDER BY ... LIMIT`` in the current sort order (the date index serves the
default order); further rows are read a block at a time, by position, as the view scrolls to them.
Meanwhile ``AchievementIndex`` (one compact entry per achievement: id, year, kind, level, award
status, lower-cased search text, in the sort order) is built in the background with the task
runner and swapped in when ready; filtering is a pass over its lists, never a query per keystroke.
A filter asked for before the index has arrived waits for it (or builds it at once if no worker has
started on it). Displayed columns are fetched by id into a bounded row cache, so painting only ever
asks for the rows on screen.
"""
from __future__ import annotations

import logging
import threading
from array import array
from dataclasses import dataclass
from itertools import compress, repeat
from operator import contains, eq
from typing import Any

from desktop.core.i18n import N_, _
from desktop.core.labels import kind_label, level_label
from desktop.ui.qt import QAbstractTableModel, QColor, QModelIndex, Qt, QTimer, Signal, is_alive

NO_ROUND = "none"
STATUS_LABELS = {
    "awarded": N_("awarded"), "not_eligible": N_("not eligible"), "discretionary": N_("discretionary"),
    "unspecified": N_("no amount set"), "duplicate": N_("duplicate"), NO_ROUND: N_("not in a round"),
}
ID_ROLE = Qt.ItemDataRole.UserRole + 10
_SERVED_ROLES = frozenset(int(r) for r in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole,
                                           Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole,
                                           Qt.ItemDataRole.BackgroundRole)) | {int(ID_ROLE)}
RETURNED_BACKGROUND = "#fde7e4"  # a record the city returned with a comment
BLOCK = 200
CACHE_LIMIT = 20000
UNINDEXED_ORDERS = frozenset(("status", "amount"))  # sorting by them reads every row: done in the background
MEMO_SIZE = 8  # filter results remembered per index (4 bytes a row each)
CHUNK = 2000  # index rows read per fetch (the UI thread gets the GIL back between chunks)

# (key, label) of the columns; their sort order and the reads are ``operations.records``'.
COLUMNS = [
    ("source_id", N_("Id")),
    ("enterprise", N_("Enterprise")),
    ("kind", N_("Kind")),
    ("level", N_("Level")),
    ("date", N_("Date")),
    ("ref", N_("Reference")),
    ("title", N_("Title")),
    ("rank", N_("Rank")),
    ("status", N_("Status")),
    ("amount", N_("Amount")),
]


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))


def order_sql(column: int, order: Qt.SortOrder) -> str:
    """The ORDER BY clause of a table column (ties broken by id in the same direction)."""
    from desktop.operations import records

    return records.achievement_order(COLUMNS[column][0], order == Qt.SortOrder.DescendingOrder)


@dataclass
class Filter:
    text: str = ""
    year: int | None = None
    kind: str | None = None
    level: str | None = None
    status: str | None = None

    def is_empty(self) -> bool:
        return not (self.text.split() or self.year is not None or self.kind or self.level or self.status)


class AchievementIndex:
    """One compact entry per achievement, in the current sort order. ``load`` runs in any thread."""

    def __init__(self) -> None:
        self.ids = array("q")
        self.years = array("h")
        self.kinds: list[str] = []
        self.levels: list[str | None] = []
        self.statuses: list[str] = []
        self.texts: list[str] = []
        self.order_sql = "a.date DESC, a.id DESC"
        self._memo: dict[tuple, array] = {}  # (fields, words) -> positions kept, oldest first
        self._id_list: tuple[Any, list[int]] = (None, [])  # (the ids it was made from, the ids as a list)

    def load(self, order_sql: str | None = None) -> None:
        from desktop.operations import records

        if order_sql:
            self.order_sql = order_sql
        self.ids, self.years = array("q"), array("h")
        self.kinds, self.levels, self.statuses, self.texts = [], [], [], []
        self._memo = {}
        for rows in records.achievement_index(self.order_sql, CHUNK):
            ids, years, kinds, levels, statuses, texts = zip(*rows)
            self.ids.extend(ids)
            self.years.extend(years)
            self.kinds.extend(kinds)
            self.levels.extend(levels)
            self.statuses.extend(statuses)
            self.texts.extend(texts)

    def __len__(self) -> int:
        return len(self.ids)

    def select(self, f: Filter) -> list[int]:
        """Ids passing the filter, in index order. Every word of the text must occur.

        Each pass runs at C speed (``compress`` over ``map(contains, ...)``: no Python code per
        row), and a query narrows the remembered result of an earlier one when that is a superset:
        typing a longer word (or one more word) searches only the rows the shorter query kept, and
        deleting characters finds the shorter query's rows remembered."""
        keep = self._positions(f)
        if self._id_list[0] is not self.ids:  # ids picked from a list: no int object made per row
            self._id_list = (self.ids, list(self.ids))
        ids = self._id_list[1]
        if keep is None or len(keep) == len(ids):
            return list(ids)
        return list(map(ids.__getitem__, keep))

    def _positions(self, f: Filter) -> array | None:
        """Positions (into the index lists) passing ``f``; None for all of them."""
        fields = (f.year, f.kind or None, f.level or None, f.status or None)
        words = tuple(dict.fromkeys(f.text.lower().split()))
        if not any(x is not None for x in fields) and not words:
            return None
        hit = self._memo.get((fields, words))
        if hit is not None:
            self._memo[(fields, words)] = self._memo.pop((fields, words))  # most recently used last
            return hit
        # The smallest remembered result all of whose words occur inside words of this query:
        # every row this query keeps is among its rows.
        start: array | None = None
        done: tuple[str, ...] = ()
        for (m_fields, m_words), rows in self._memo.items():
            if m_fields == fields and all(any(v in w for w in words) for v in m_words) and (
                    start is None or len(rows) < len(start)):
                start, done = rows, m_words
        if start is None:
            start = self._field_positions(fields)
        keep = start
        for word in words:
            if word in done:
                continue
            texts = self.texts
            if keep is None:
                keep = array("i", compress(range(len(texts)), map(contains, texts, repeat(word))))
            else:
                keep = array("i", compress(keep, map(contains, map(texts.__getitem__, keep), repeat(word))))
        if keep is None:
            keep = array("i", range(len(self.ids)))
        self._memo[(fields, words)] = keep
        while len(self._memo) > MEMO_SIZE:
            del self._memo[next(iter(self._memo))]
        return keep

    def _field_positions(self, fields: tuple) -> array | None:
        keep: array | None = None
        for value, column in zip(fields, (self.years, self.kinds, self.levels, self.statuses)):
            if value is None:
                continue
            if keep is None:
                keep = array("i", compress(range(len(column)), map(eq, column, repeat(value))))
            else:
                keep = array("i", compress(keep, map(eq, map(column.__getitem__, keep), repeat(value))))
        return keep

    def distinct_years(self) -> list[int]:
        return sorted(set(self.years), reverse=True)

    def distinct_statuses(self) -> list[str]:
        return sorted(set(self.statuses))


class IndexLoad:
    """One build of the index for one sort order, done once by whichever thread claims it first:
    the task runner's worker, or the UI thread when a filter cannot wait (it then waits for a worker
    that has already started rather than building a second copy)."""

    def __init__(self, order_sql: str) -> None:
        self.order_sql = order_sql
        self.index: AchievementIndex | None = None
        self.error: BaseException | None = None
        self.superseded = False  # a newer load replaced this one before a worker started on it
        self._claim = threading.Lock()
        self._done = threading.Event()

    def _build(self) -> AchievementIndex:
        try:
            index = AchievementIndex()
            index.load(self.order_sql)
            self.index = index
            return index
        except BaseException as exc:
            self.error = exc
            raise
        finally:
            self._done.set()

    def run(self, _progress=None) -> AchievementIndex | None:
        """In a worker: build it unless superseded or already taken by the UI thread."""
        if self.superseded or not self._claim.acquire(blocking=False):
            return None
        return self._build()

    def result(self) -> AchievementIndex:
        """The index, now: build it here, or wait for the worker that is building it."""
        if self._claim.acquire(blocking=False):
            return self._build()
        self._done.wait()
        if self.error is not None:
            raise self.error
        assert self.index is not None
        return self.index


def fetch_rows(ids: list[int]) -> dict[int, tuple]:
    """Display values of these achievements, by id (one query)."""
    from desktop.operations import records

    return records.achievement_rows(ids)


def fetch_page(order: str, offset: int, limit: int) -> list[tuple]:
    """(id, display values...) of the rows at these positions in this sort order (one query)."""
    from desktop.operations import records

    return records.achievement_page(order, offset, limit)


def years_present() -> list[int]:
    from desktop.operations import records

    return records.achievement_years()


def statuses_present() -> list[str]:
    """Award statuses that may occur (exact ones come with the index)."""
    from desktop.operations import records

    return records.award_statuses()


def achievement_count() -> int:
    from desktop.operations import records

    return records.achievement_count()


class AchievementModel(QAbstractTableModel):
    """Rows are achievement ids in the sort order (None where a row's id has not been read yet)."""

    index_ready = Signal()  # the filter index arrived: filters are instant, the filter lists exact

    def __init__(self, parent=None, runner=None) -> None:
        super().__init__(parent)
        self.runner = runner  # a TaskRunner builds the index in the background; without one, at once
        self.index_: AchievementIndex | None = None
        self.filter = Filter()
        self.ids: list[int | None] = []
        self.cache: dict[int, tuple] = {}
        self.sort_column, self.sort_order = 4, Qt.SortOrder.DescendingOrder
        self._total = 0
        self._load: IndexLoad | None = None
        self.marks: dict[int, str] = {}  # achievement id -> the city's comment on it (a returned submission)

    # ------------------------------------------------------------------ loading and filtering
    def reload(self) -> None:
        """Re-read from the database: the first screen now, the filter index in the background.

        With a filter on and the same sort order (data changed), the filtered rows stay on screen,
        re-read as they are painted, until the new index replaces them; after a new sort order
        the filtered rows are rebuilt at once, except in an order that needs the whole table
        sorted (status, amount): then the rows on screen stay until the index in it arrives."""
        if self._load is not None:
            self._load.superseded = True
        order = order_sql(self.sort_column, self.sort_order)
        self._load = load = IndexLoad(order)
        keep = (not self.filter.is_empty() and self.runner is not None and self.index_ is not None
                and self.index_.order_sql == order)
        # Ordered by a column no database index serves (status, amount: the latest award of each
        # row), even the first rows need a sort of the whole table: every row is already known by
        # id, so they stay on screen in the old order until the index in the new order replaces them.
        keep = keep or (self.runner is not None and self.index_ is not None
                        and COLUMNS[self.sort_column][0] in UNINDEXED_ORDERS)
        self.index_ = None
        self.cache.clear()
        if keep:
            self._total = achievement_count()
            self.invalidate()
            QTimer.singleShot(0, lambda: self._start(load))
            return
        if not self.filter.is_empty():  # the filtered rows need the index
            self.apply_filter(self.filter)
            return
        self.beginResetModel()
        self._total = achievement_count()
        self.ids = [None] * self._total
        self._read_page(0)
        self.endResetModel()
        if self.runner is None:
            self._install(load)
        else:  # after this event: a reload superseded meanwhile (restored sort order) never starts
            QTimer.singleShot(0, lambda: self._start(load))

    def _start(self, load: IndexLoad) -> None:
        if load is self._load and self.index_ is None and not load.superseded:
            self.runner.run(load.run, on_done=lambda _index: self._arrived(load),
                            on_error=lambda exc: self._arrived(load, exc), quiet=True)

    def _arrived(self, load: IndexLoad, exc: BaseException | None = None) -> None:
        if not is_alive(self) or load is not self._load or self.index_ is not None:
            return  # the window is gone, a newer load replaced it, or the UI thread built it already
        if exc is not None:  # the next filter builds it on the UI thread, where an error is shown
            logging.getLogger(__name__).warning("achievement index not built in the background: %s", exc)
            self._load = None
            return
        if load.index is not None:
            self._install(load)

    def _install(self, load: IndexLoad) -> None:
        index = load.result()
        self.index_ = index
        self._total = len(index)
        if self.filter.is_empty() and len(index) == len(self.ids) and all(
                i is None or i == j for i, j in zip(self.ids, index.ids)):
            self.ids = list(index.ids)  # the rows on screen stay as they are
        else:
            self.beginResetModel()
            self.ids = index.select(self.filter)
            self.endResetModel()
        self.index_ready.emit()

    def ensure_index(self) -> AchievementIndex:
        """The filter index, waiting for (or building) it if it has not arrived yet."""
        if self.index_ is None:
            if self._load is None:
                self._load = IndexLoad(order_sql(self.sort_column, self.sort_order))
            self._install(self._load)
        assert self.index_ is not None
        return self.index_

    def apply_filter(self, f: Filter) -> None:
        if f.is_empty() and self.filter.is_empty() and self.index_ is None:
            return  # every row, already in order
        self.filter = f
        index = self.ensure_index()
        self.beginResetModel()
        self.ids = index.select(f)
        self.endResetModel()

    def total(self) -> int:
        return self._total

    def years(self) -> list[int]:
        return self.index_.distinct_years() if self.index_ is not None else years_present()

    def statuses(self) -> list[str]:
        return self.index_.distinct_statuses() if self.index_ is not None else statuses_present()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if (column, order) == (self.sort_column, self.sort_order):
            return
        self.sort_column, self.sort_order = column, order
        if self._load is not None:  # before the first reload only remember the order
            self.reload()

    # ------------------------------------------------------------------ Qt model
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        # One call into Python per index instead of Qt's rowCount() + columnCount() (tablemodel.py).
        if 0 <= row < len(self.ids) and 0 <= column < len(COLUMNS) and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMNS[section][1])
        return None

    def _read_page(self, start: int) -> None:
        """Ids and display values of the rows from ``start`` on, read by position in the sort order."""
        for pos, row in enumerate(fetch_page(order_sql(self.sort_column, self.sort_order), start, BLOCK), start):
            if pos < len(self.ids):
                self.ids[pos] = row[0]
                self.cache[row[0]] = row[1:]

    def row_id(self, row: int) -> int:
        if self.ids[row] is None:
            self._read_page(max(0, row - BLOCK // 4))
        return self.ids[row] or 0

    def row_values(self, row: int) -> tuple:
        aid = self.ids[row]
        values = self.cache.get(aid) if aid is not None else None
        if values is None:
            if len(self.cache) > CACHE_LIMIT:
                self.cache.clear()
            start = max(0, row - BLOCK // 4)
            block = self.ids[start:start + BLOCK]
            if aid is None or None in block:
                self._read_page(start)
            else:
                found = fetch_rows(block)
                self.cache.update({i: found.get(i, ("",) * len(COLUMNS)) for i in block})  # deleted: blank until the index
            values = self.cache.get(self.ids[row], ("",) * len(COLUMNS))
        return values

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _SERVED_ROLES or not index.isValid():  # a painted cell is asked for some ten roles
            return None
        if role == ID_ROLE:
            return self.row_id(index.row())
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.BackgroundRole):
            mark = self.marks.get(self.row_id(index.row())) if self.marks else None
            if mark is None:
                return None
            return mark if role == Qt.ItemDataRole.ToolTipRole else QColor(RETURNED_BACKGROUND)
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            v = self.row_values(index.row())[col]
            key = COLUMNS[col][0]
            if key == "kind":
                return kind_label(v)
            if key == "level":
                return level_label(v) if v else ""
            if key == "status":
                return status_label(v)
            if key == "amount":
                from decimal import Decimal

                from desktop.ui.tablemodel import money_text

                return money_text(Decimal(v)) if v else ""
            return "" if v is None else str(v)
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[col][0] in ("rank", "amount"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and COLUMNS[col][0] == "status":
            v = self.row_values(index.row())[col]
            if v in ("not_eligible", "duplicate"):
                return QColor("#b3261e")
        return None

    def invalidate(self, ids: list[int] | None = None) -> None:
        """Forget cached rows (all, or these ids) after an edit."""
        if ids is None:
            self.cache.clear()
        else:
            for i in ids:
                self.cache.pop(i, None)
        if self.ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.ids) - 1, len(COLUMNS) - 1))
