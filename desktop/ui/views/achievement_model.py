"""The achievements table for 100,000 rows (Anki browser ``DataModel`` style).

The first screen comes from the database at once: the row count, and the displayed columns of the
first rows read with ``ORDER BY ... LIMIT`` in the current sort order (the date index serves the
default order); further rows are read a block at a time, by position, as the view scrolls to them.
Meanwhile ``AchievementIndex`` (one compact entry per achievement: id, year, kind, level, award
status, lower-cased search text, in the sort order) is built in the background with the task
runner and swapped in when ready; filtering is a pass over its lists, never a query per keystroke.
The pass runs in slices (``FilterPass``): a keystroke shows its first screen at once, the other rows
follow from the event loop (the count line says 正在筛选… until the pass is complete), and a new
keystroke stops it, narrowing from what it found where that is correct.
A filter asked for before the index has arrived waits for it (or builds it at once if no worker has
started on it). Displayed columns are fetched by id into a bounded row cache, so painting only ever
asks for the rows on screen.
"""
from __future__ import annotations

import logging
import threading
import time
from array import array
from dataclasses import dataclass
from itertools import compress, repeat
from operator import contains, eq, is_not
from typing import Any

from desktop.core.collector import paused as _collector_paused
from desktop.core.i18n import N_, _
from desktop.core.labels import kind_label, level_label
from desktop.core.status import award_status_label
from desktop.ui.qt import QAbstractTableModel, QColor, QModelIndex, Qt, QTimer, Signal, is_alive

NO_ROUND = "none"
NO_ROUND_LABEL = N_("not in a round")  # no round has computed the achievement yet
ID_ROLE = Qt.ItemDataRole.UserRole + 10
_SERVED_ROLES = frozenset(int(r) for r in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole,
                                           Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole,
                                           Qt.ItemDataRole.BackgroundRole)) | {int(ID_ROLE)}
RETURNED_BACKGROUND = "#fde7e4"  # a record the city returned with a comment
BLOCK = 200
CACHE_LIMIT = 20000
# The columns whose order an index of the database serves: their first screen is read at once. Any
# other order reads every row to find its first screen (at 10⁶: the title, level or rank 1.5-1.6 s,
# the status or amount 0.35 s, the record id or enterprise 0.11-0.14 s), so the rows stay in the old
# order until the index in the new one is read in the background.
INDEXED_ORDERS = frozenset(("date", "kind", "ref"))
MEMO_SIZE = 8  # filter results remembered per index (4 bytes a row each)
CHUNK = 2000  # index rows read per fetch (the UI thread gets the GIL back between chunks)
# A filter runs in slices on the UI thread (event loop in between: a keystroke is never kept waiting
# for a whole pass); the first rows show as soon as a screenful is found, the count when it is complete.
FIRST_SLICE = 4096  # positions tested in a pass's first slice (the first screen of a dense query)
MIN_SLICE, MAX_SLICE = 1024, 1 << 16  # ~30 ms at most for the slowest test of a row
SLICE_TARGET = 0.008  # seconds a slice should take
SLICE_BUDGET = 0.025  # seconds of slices at a time before the event loop gets the thread back
FIRST_SCREEN = 2 * BLOCK  # rows found before the first screen is shown
SHOW_EVERY = 0.3  # seconds between additions of found rows to the table (each costs a repaint)
RELEASE_SLICE = 20000  # index entries freed at a time when an old index is let go

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
    """An award status in the words the round screen and the notices use (``core.status``)."""
    return _(NO_ROUND_LABEL) if status == NO_ROUND else award_status_label(status)


DEFAULT_ORDER = (4, Qt.SortOrder.DescendingOrder)  # the newest first (by date)


def _served_by_index(order: str) -> bool:
    """Is ``order`` (an ``order_sql``) the order of a column in ``INDEXED_ORDERS``?"""
    return any(order == order_sql(c, o) for c, (key, _label) in enumerate(COLUMNS) if key in INDEXED_ORDERS
               for o in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder))


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
        self._unfinished: dict[tuple, FilterPass] = {}  # passes a newer query interrupted, oldest first
        self._id_list: tuple[Any, list[int]] = (None, [])  # (the ids it was made from, the ids as a list)

    def load(self, order_sql: str | None = None) -> None:
        from desktop.operations import records

        if order_sql:
            self.order_sql = order_sql
        self.ids, self.years = array("q"), array("h")
        self.kinds, self.levels, self.statuses, self.texts = [], [], [], []
        self._memo, self._unfinished = {}, {}
        id_list: list[int] = []
        for rows in records.achievement_index(self.order_sql, CHUNK):
            ids, years, kinds, levels, statuses, texts = zip(*rows)
            self.ids.extend(ids)
            id_list.extend(ids)
            self.years.extend(years)
            self.kinds.extend(kinds)
            self.levels.extend(levels)
            self.statuses.extend(statuses)
            self.texts.extend(texts)
        # The ids as a list too, made a chunk at a time here (in the worker), not by the first filter
        # in one call holding the GIL.
        self._id_list = (self.ids, id_list)

    def __len__(self) -> int:
        return len(self.ids)

    def release(self, _progress=None) -> None:
        """Empty the lists a slice at a time (in a worker): freeing a million strings in one go holds
        the GIL, and so the UI thread, some 170 ms."""
        self._memo, self._unfinished = {}, {}
        for column in (self.texts, self.kinds, self.levels, self.statuses, self._id_list[1]):
            while column:
                del column[-RELEASE_SLICE:]
        self.ids, self.years = array("q"), array("h")

    def select(self, f: Filter) -> list[int]:
        """Ids passing the filter, in index order, at once (the whole pass; ``start`` does it in slices)."""
        run = self.start(f)
        while not run.step(float("inf")):
            pass
        return self.ids_at(run.found)

    def ids_at(self, positions: array | None) -> list[int]:
        """The ids at these positions (None: every id), picked from a list: no int object made per row."""
        if self._id_list[0] is not self.ids:
            self._id_list = (self.ids, list(self.ids))
        ids = self._id_list[1]
        if positions is None or len(positions) == len(ids):
            return list(ids)
        return list(map(ids.__getitem__, positions))

    def start(self, f: Filter, prior: FilterPass | None = None) -> FilterPass:
        """The pass of ``f`` over this index, not yet run (or already complete when remembered).

        It starts from the smallest known superset of its rows: a remembered complete result whose
        words all occur inside words of this query (typing a longer word or one more word searches
        only the rows the shorter query kept; deleting finds the shorter query's rows remembered), or
        the unfinished ``prior`` pass of such a query (the rows it found so far, then the part it had
        not reached yet), or an unfinished pass of this very query (it goes on where it stopped)."""
        fields = (f.year, f.kind or None, f.level or None, f.status or None)
        words = tuple(dict.fromkeys(f.text.lower().split()))
        key = (fields, words)
        if not any(x is not None for x in fields) and not words:
            return FilterPass(self, key, [], complete=True)
        hit = self._memo.get(key)
        if hit is not None:
            self._memo[key] = self._memo.pop(key)  # most recently used last
            return FilterPass(self, key, [], found=hit, complete=True)
        if prior is not None and prior.index is self and prior.key == key and not prior.complete:
            return prior  # the same words (a space typed): it goes on
        unfinished = self._unfinished.pop(key, None)
        if unfinished is not None and not unfinished.complete:
            return unfinished

        def narrows(m_fields: tuple, m_words: tuple) -> bool:
            return m_fields == fields and all(any(v in w for w in words) for v in m_words)

        best: tuple[int, list[Segment]] | None = None
        for (m_fields, m_words), rows in self._memo.items():
            if narrows(m_fields, m_words) and (best is None or len(rows) < best[0]):
                best = len(rows), [(rows, frozenset(m_words), True)]
        if prior is not None and prior.index is self and not prior.complete and narrows(*prior.key):
            segments = [(prior.found, frozenset(prior.key[1]), True), *prior.remaining()]
            size = sum(len(s[0]) for s in segments)
            if best is None or size < best[0]:
                best = size, segments
        if best is None:
            best = len(self.ids), [(range(len(self.ids)), frozenset(), False)]
        return FilterPass(self, key, best[1])

    def _finished(self, run: FilterPass) -> None:
        self._unfinished.pop(run.key, None)
        if run.found is None:
            return
        self._memo[run.key] = run.found
        while len(self._memo) > MEMO_SIZE:
            del self._memo[next(iter(self._memo))]

    def _set_aside(self, run: FilterPass) -> None:
        """Keep an unfinished pass: coming back to its query goes on from where it stopped."""
        if not run.complete and run.index is self:
            self._unfinished.pop(run.key, None)
            self._unfinished[run.key] = run
            while len(self._unfinished) > MEMO_SIZE:
                del self._unfinished[next(iter(self._unfinished))]

    def distinct_years(self) -> list[int]:
        return sorted(set(self.years), reverse=True)

    def distinct_statuses(self) -> list[str]:
        return sorted(set(self.statuses))


# Positions into the index lists, the words every one of them is known to contain, and whether
# they are known to pass the query's year/kind/level/status.
Segment = tuple["range | array", frozenset, bool]


class FilterPass:
    """One query's pass over the index, a slice of positions at a time, in index order: the rows
    found so far are the first rows of the result, so the first screen shows before the pass is done.

    Each slice runs at C speed (``compress`` over ``map(contains, ...)``: no Python code per row);
    its size adapts so that a slice takes about ``SLICE_TARGET`` seconds."""

    def __init__(self, index: AchievementIndex, key: tuple, segments: list[Segment], *,
                 found: array | None = None, complete: bool = False) -> None:
        self.index, self.key = index, key
        self.segments = segments
        self.found: array | None = found if complete else array("i")  # None: every row
        self.complete = complete
        self._seg, self._at = 0, 0  # the next position to test: segments[_seg][0][_at]
        self._chunk = FIRST_SLICE
        self.scanned = 0  # positions tested so far

    def remaining(self) -> list[Segment]:
        """The segments (or their rest) not tested yet."""
        if self.complete:
            return []
        rest = list(self.segments[self._seg:])
        if rest and self._at:
            positions, words, fields_done = rest[0]
            rest[0] = (positions[self._at:], words, fields_done)
        return rest

    def step(self, seconds: float, enough: int | None = None) -> bool:
        """Test slices for about ``seconds`` (at least one slice), or until ``enough`` rows are found;
        True once the pass is complete (its rows are then remembered by the index)."""
        if self.complete:
            return True
        assert self.found is not None
        clock = time.perf_counter
        began = clock()
        fields, words = self.key
        index = self.index
        columns = (index.years, index.kinds, index.levels, index.statuses)
        texts = index.texts
        while self._seg < len(self.segments):
            positions, known, fields_done = self.segments[self._seg]
            tests: list[tuple[Any, Any, Any]] = [] if fields_done else [
                (column, eq, value) for value, column in zip(fields, columns) if value is not None]
            tests += [(texts, contains, w) for w in words if w not in known]
            t0 = clock()
            part = positions[self._at:self._at + self._chunk]
            self._at += len(part)
            self.scanned += len(part)
            keep: Any = part
            for column, test, value in tests:
                if isinstance(keep, range):  # a run of positions: the column sliced, not picked row by row
                    values: Any = column[keep.start:keep.stop]
                else:
                    values = map(column.__getitem__, keep)
                keep = array("i", compress(keep, map(test, values, repeat(value))))
            self.found.extend(keep if isinstance(keep, array) else array("i", keep))
            if self._at >= len(positions):
                self._seg, self._at = self._seg + 1, 0
            took = clock() - t0
            if len(part):  # the next slice sized to take about SLICE_TARGET
                rate = took / len(part)
                want = int(SLICE_TARGET / rate) if rate > 0 else MAX_SLICE
                self._chunk = max(MIN_SLICE, min(MAX_SLICE, 4 * len(part), want))  # grows 4× a slice at most
            if clock() - began >= seconds or (enough is not None and len(self.found) >= enough):
                break
        if self._seg >= len(self.segments):
            self.complete = True
            self.segments = []
            index._finished(self)
        return self.complete


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
            with _collector_paused():
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
    filter_progress = Signal()  # rows of an unfinished filter pass were added (or it is complete), or rows wait

    def __init__(self, parent=None, runner=None) -> None:
        super().__init__(parent)
        self.runner = runner  # a TaskRunner builds the index in the background; without one, at once
        self.index_: AchievementIndex | None = None
        self.filter = Filter()
        self.ids: list[int | None] = []
        self.cache: dict[int, tuple] = {}
        self.sort_column, self.sort_order = DEFAULT_ORDER
        self._total = 0
        self._load: IndexLoad | None = None
        self.marks: dict[int, str] = {}  # achievement id -> the city's comment on it (a returned submission)
        self._pass: FilterPass | None = None  # the filter pass whose rows are shown (unfinished: going on)
        self._page_order = order_sql(self.sort_column, self.sort_order)  # the order of the ids read by position
        # Rows kept on screen until the new index arrives: "order" (they are in the previous sort order),
        # "data" (the filtered rows of the data before a change, re-read as painted), "" (none kept).
        self.waiting = ""
        self._order_shown = self._page_order  # the sort order of the rows on screen
        self._shown_at = 0.0  # when found rows were last added to the table

    # ------------------------------------------------------------------ loading and filtering
    def reload(self, new_order: bool = False) -> None:
        """Re-read from the database: the first screen now, the filter index in the background
        (``new_order``: only the sort order changed, not the records).

        With a filter on (data changed, or a new sort order), the filtered rows stay on screen,
        re-read as they are painted, until the new index replaces them (``waiting``: said in the
        count line). So do all rows in an order no database index serves (``INDEXED_ORDERS``; the
        status and amount are each row's latest award's): they stay in the old order
        (rows not read yet are read by position in it) until the index in the new order arrives;
        records added or deleted meanwhile are counted at once and the rows read again by position,
        in the order shown if an index serves it, else in the default one."""
        if self._load is not None:
            self._load.superseded = True
        order = order_sql(self.sort_column, self.sort_order)
        self._load = load = IndexLoad(order)
        keep = self.runner is not None and (
            (not self.filter.is_empty() and self.index_ is not None)
            or (COLUMNS[self.sort_column][0] not in INDEXED_ORDERS and (self.index_ is not None or bool(self.ids))))
        if self.index_ is not None and self.runner is not None:  # let it go, freed in the background
            self.runner.run(self.index_.release, quiet=True)
        elif self.index_ is not None:  # no pass of it kept (they refer to it, it to them)
            self.index_._unfinished = {}
        self._pass = None
        self.index_ = None
        self.cache.clear()
        self.waiting = ("data" if self._order_shown == order else "order") if keep else ""
        if keep:
            changed = not new_order and self.filter.is_empty()  # every row kept, and records came or went
            if self.waiting == "data" or not self._total or changed:  # a new order alone leaves the count
                self._total = achievement_count()
            if changed:  # the rows kept are stale: read again by position, in an order an index serves
                shown = self._order_shown if _served_by_index(self._order_shown) else order_sql(*DEFAULT_ORDER)
                self.beginResetModel()
                self.ids = [None] * self._total
                self._page_order = self._order_shown = shown
                self._read_page(0)
                self.endResetModel()
            else:
                self.invalidate()
            QTimer.singleShot(0, lambda: self._start(load))
            self.filter_progress.emit()  # the count line says the rows wait for the new order
            return
        if not self.filter.is_empty():  # the filtered rows need the index
            self.apply_filter(self.filter)
            return
        self.beginResetModel()
        self._total = achievement_count()
        self.ids = [None] * self._total
        self._page_order = self._order_shown = order
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
            self.waiting = ""
            self.filter_progress.emit()
            return
        if load.index is not None:
            self._install(load)

    def _install(self, load: IndexLoad) -> None:
        index = load.result()
        self.index_ = index
        self.waiting = ""
        self._order_shown = index.order_sql
        self._total = len(index)
        new = index.ids_at(None)
        # The rows read so far (ids not None) are where the index has them: compared at C speed (ids
        # are never 0), no Python code per row at 10⁶ rows.
        if self.filter.is_empty() and len(new) == len(self.ids) and (
                self.ids == new or list(compress(new, map(is_not, self.ids, repeat(None)))) == list(filter(None, self.ids))):
            self.ids = new  # type: ignore[assignment]  # the rows on screen stay as they are
        else:
            self._show_pass(index.start(self.filter))
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
        self._show_pass(index.start(f, prior=self._pass))

    @property
    def filtering(self) -> bool:
        """An unfinished filter pass: the rows shown are the first of its rows, more are coming."""
        return self._pass is not None and not self._pass.complete

    def _stop_pass(self) -> None:
        if self._pass is not None:
            self._pass.index._set_aside(self._pass)
            self._pass = None

    def _show_pass(self, run: FilterPass) -> None:
        """Show the first screen of ``run`` now; its other rows follow a slice at a time from the event
        loop (a keystroke or a new sort order in between stops it, its rows so far kept for reuse)."""
        self._stop_pass()
        self._pass = run
        run.step(SLICE_BUDGET, enough=FIRST_SCREEN)
        self.beginResetModel()
        self.ids = run.index.ids_at(run.found)  # type: ignore[assignment]  # every id known
        self.endResetModel()
        self._shown_at = time.perf_counter()
        if not run.complete:
            QTimer.singleShot(0, lambda: self._continue(run))

    def found(self) -> int:
        """Rows found so far by an unfinished filter pass (the table adds them every ``SHOW_EVERY``);
        the row count otherwise."""
        run = self._pass
        return len(run.found) if run is not None and run.found is not None else len(self.ids)

    def _continue(self, run: FilterPass) -> None:
        if not is_alive(self) or run is not self._pass:
            return  # superseded: a newer filter, a reload
        assert run.found is not None
        shown = len(self.ids)
        run.step(SLICE_BUDGET)
        now = time.perf_counter()
        if len(run.found) > shown and (run.complete or now - self._shown_at >= SHOW_EVERY):
            self._shown_at = now
            new = run.index.ids_at(run.found[shown:])
            self.beginInsertRows(QModelIndex(), shown, shown + len(new) - 1)
            self.ids.extend(new)
            self.endInsertRows()
        if not run.complete:
            QTimer.singleShot(0, lambda: self._continue(run))
        self.filter_progress.emit()

    def finish_filter(self) -> None:
        """Complete an unfinished filter pass now (for an export of every row)."""
        run = self._pass
        if run is not None and not run.complete:
            run.step(float("inf"))
            self._continue(run)

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
            self.reload(new_order=True)

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
        for pos, row in enumerate(fetch_page(self._page_order, start, BLOCK), start):
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
