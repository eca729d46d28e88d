"""The table of a round's award lines: status, amount, explanation and clause per achievement,
flagged lines highlighted (background colour, warning icon, the flag texts as tooltip), lines that
still need an officer's amount tinted, refusals and duplicates in muted text.

A round may hold 10⁶ lines: they are kept by column (``round_data.RoundLines``), the model shows
positions into them (``order``: every line in the chosen order, ``shown``: those the search lets
through), the search tests one string per line and one per distinct value of the repeated columns,
and sorting builds its order in the background (``sort_positions``, in slices: the window stays
responsive) while the rows stay as they are; ``read_round`` reads the whole screen's data in a
worker (``desktop.ui.views.round_data.read_round``)."""
from __future__ import annotations

import bisect
import functools
import heapq
import logging
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import chain, compress, count, islice, repeat
from operator import and_, eq
from time import perf_counter
from typing import Any

from desktop.core import collector
from desktop.core.i18n import N_, _, current_locale
from desktop.ui.linebreaks import keep_whole
from desktop.ui.qt import (
    QAbstractTableModel,
    QBrush,
    QCollator,
    QColor,
    QIdentityProxyModel,
    QModelIndex,
    Qt,
    is_alive,
)
from desktop.ui.tablemodel import ALIGNMENT_ROLE, DISPLAY_ROLE, RIGHT_ALIGNED, ROW_ROLE, Column, money_text
from desktop.ui.views import round_data as RD
from desktop.ui.views.widgets import FLAG_BACKGROUND, MUTED_TEXT, OPEN_BACKGROUND, flag_icon, info_icon

LINE_COLUMNS = [
    Column("enterprise", N_("Enterprise")),
    Column("what", N_("Achievement")),
    Column("status", N_("Status"), fmt=RD.status_label),
    Column("amount", N_("Amount"), fmt=money_text, align_right=True),
    Column("clause", N_("Clause")),
    Column("explanation", N_("Explanation")),
    Column("decision", N_("Decision"), fmt=RD.decision_label),
    Column("achievement", N_("Achievement id")),
]
STATUS_COLUMN = 2
# the columns of repeated values the search looks in (what and the achievement id: a text per line)
SEARCHED = {c.key: c.fmt for c in LINE_COLUMNS if c.key in RD.CODED}
ENTERPRISE_TOTAL_COLUMNS = [Column("enterprise", N_("Enterprise")), Column("count", N_("Paid items"), align_right=True),
                            Column("open", N_("To decide"), align_right=True),
                            Column("total", N_("Total"), fmt=money_text, align_right=True)]
FUND_TOTAL_COLUMNS = [Column("fund_name", N_("Fund")), Column("count", N_("Paid items"), align_right=True),
                      Column("open", N_("To decide"), align_right=True),
                      Column("total", N_("Total"), fmt=money_text, align_right=True)]
HISTORY_COLUMNS = [Column("at", N_("When"), fmt=RD.when), Column("user", N_("By")),
                   # wrapped in a narrow column between its states, never inside one (拟定 → 已批准)
                   Column("change", N_("Change"), fmt=lambda v: keep_whole(str(v or ""), separator=" → ")),
                   Column("amounts", N_("Amount")), Column("note", N_("Note"))]


def needs_amount(row: Any) -> bool:
    return row["status"] == "discretionary" and row["amount"] is None


READ_AT_ONCE = 2000  # a round with more lines is read in a worker (a county's is a few hundred)


def read_round(session: Any, year: int, rnd: Any = None, previous: RD.RoundSnapshot | None = None) -> RD.RoundSnapshot:
    """The round screen's data for ``year`` (safe in a worker: no Qt object is touched); with
    ``previous``, the snapshot shown now, the lines that changed since are named (``changed``)."""
    return RD.read_round(session, year, rnd, previous)


def show_snapshot(model: RoundLinesModel, shown: RD.RoundSnapshot | None, snap: RD.RoundSnapshot) -> bool | None:
    """Put ``snap`` in ``model``, which shows ``shown``. Read after ``shown`` with the same lines, only
    the changed lines are updated in place (True: the lines kept their place, the chosen ones stay
    chosen). Otherwise the model is reset with the new lines (False), unless ``snap`` holds only the
    changes against a reading no longer shown (None: read the round again in full)."""
    if snap.updates is not None:
        if shown is None or snap.against is not shown or model.lines is not shown.lines:
            return None
        model.update_lines(snap.updates)
        model.lines.figures = snap.figures
        snap.updates, snap.against = None, None
        return True
    model.set_rows(snap.lines)
    return False


# ---------------------------------------------------------------- the UI thread's turn

# A worker steps aside between two slices of its work while the UI thread is painting the table
# (``round_data.step_aside``; ``data`` notes when a cell was last asked for).
_ui_asked = RD.UI_ASKED
step_aside = RD.step_aside


# ---------------------------------------------------------------- the search, in slices

SEARCH_SLICE = 4096  # lines tested by one call (~1 ms: a paint that begins meanwhile waits no longer)


def passing(lines: RD.RoundLines, positions: Sequence[int], needle: str, attention: bool,
            alive: Callable[[], bool] | None = None, searched: Mapping[str, Callable[[Any], str] | None] | None = None,
            ) -> Sequence[int] | None:
    """Those of ``positions`` whose line holds ``needle`` in a column the search looks in (``searched``,
    coded columns and how they are shown: the table's by default) and, with ``attention``, needs
    attention, in the order given; ``positions`` themselves when every line passes. A slice at a
    time, ``alive`` asked between slices (None once it says no: a newer search came). Safe in a
    worker."""
    searched = SEARCHED if searched is None else searched
    if not needle and not attention:
        return positions
    out = array("i")
    for s in range(0, len(positions), SEARCH_SLICE):
        part = positions[s:s + SEARCH_SLICE]
        keep: list[Any] | None = lines.hits(needle, part, searched) if needle else None
        if attention:
            marked = lines.attention(part)
            keep = marked if keep is None else list(map(and_, keep, marked))
        out.extend(compress(part, keep or ()))
        if alive is not None:
            if not alive():
                return None
            step_aside()
    return positions if len(out) == len(positions) else out


# ---------------------------------------------------------------- sorting, in slices

SORT_SLICE = 8192  # lines sorted by one call (the UI thread gets its turn between calls)
COLLATE_SLICE = 4096  # texts compared by the collator in one call (a few milliseconds)
BUCKETS_UP_TO = 4096  # fewer distinct values are sorted by a bucket each
SPLITTERS = 1024  # texts are put in about this many buckets of close keys, each sorted by one call
STEP = 16384  # lines handled between two looks at whether the UI thread is painting (a few milliseconds)


def _sorted_in_slices(items: list[int], key: Callable[[int], Any], size: int) -> Iterator[int]:
    """``items`` stably sorted by ``key``: each slice sorted by one call, the slices merged lazily
    (a Python loop, so another thread runs in between: one sort of 10⁶ would hold the GIL for a second)."""
    runs = []
    for i in range(0, len(items), size):
        runs.append(sorted(items[i:i + size], key=key))
        step_aside()
    if all(not key(b[0]) < key(a[-1]) for a, b in zip(runs, runs[1:])):  # already in order one after another
        return chain.from_iterable(runs)
    return heapq.merge(*runs, key=key)


def close_keys(texts: Sequence[str]) -> list[Any]:
    """A key per text whose order is close to the collator's, made at C speed: GB 18030 code order is
    pinyin order for the common characters; Latin letters lower-cased, as the collator puts "a"
    beside "A" (the bytes of a GB 2312 character are all above them)."""
    if current_locale().startswith("zh"):
        return [t.encode("gb18030", "replace").lower() for t in texts]
    return [t.casefold() for t in texts]


def _gallop(seq: Sequence[int], lo: int, hi: int, ok: Callable[[int], bool]) -> int:
    """The first index of ``seq[lo:hi]`` whose item is not ``ok`` (``ok`` holds for a prefix of them),
    found with few tests when it is near ``lo``: 1, 2, 4... steps, then halving."""
    if lo >= hi or not ok(seq[lo]):
        return lo
    good, step = lo, 1
    while True:
        probe = good + step
        if probe >= hi:
            bad = hi
            break
        if not ok(seq[probe]):
            bad = probe
            break
        good, step = probe, step * 2
    lo = good + 1
    while lo < bad:
        mid = (lo + bad) // 2
        if ok(seq[mid]):
            lo = mid + 1
        else:
            bad = mid
    return lo


def _merge(a: array, b: array, at: Callable[[int], str], compare: Callable[[str, str], int]) -> array:
    """Two runs in the collator's order made one, ``a``'s lines first among equals (its lines come
    before ``b``'s in the order so far; ``at``: the text of a line). Stretches of one run that go
    before the other's next line are found by galloping: runs that hardly overlap cost a few
    comparisons."""
    out = array("i")
    i = j = 0
    na, nb = len(a), len(b)
    while i < na and j < nb:
        t = at(b[j])
        k = _gallop(a, i, na, lambda p, t=t: compare(at(p), t) <= 0)
        out.extend(a[i:k])
        i = k
        if i == na:
            break
        t = at(a[i])
        k = _gallop(b, j, nb, lambda p, t=t: compare(at(p), t) < 0)
        out.extend(b[j:k])
        j = k
    out.extend(a[i:])
    out.extend(b[j:])
    return out


def _reader(texts: Sequence[str]) -> Callable[[int], str]:
    """The text at an index, as quick as ``texts`` gives it (a ``TextColumn``: from its chunks)."""
    return texts.reader() if isinstance(texts, RD.TextColumn) else texts.__getitem__


def collated(texts: Sequence[str]) -> array:
    """The indexes of ``texts`` in the UI locale's collation, stably (equal texts in the order given;
    what the collator holds equal in their close keys' order), as sorting them with the collator
    as key gives them, in time about linear in their number and each call short (safe in a worker:
    another thread runs in between).

    Each text gets a close key (``close_keys``) and the texts are dealt into ~``SPLITTERS`` buckets
    by it (a sample of the keys splits them); a bucket is sorted by its keys, and by the collator
    only where neighbours are out of its order (once per distinct text). Buckets whose ends are out
    of order are merged (``_merge``). No object per text outlives its bucket (keys and comparison
    objects for 10⁶ texts held ~160 MB and cost full garbage collections in between)."""
    m = len(texts)
    if not m:
        return array("i")
    at = _reader(texts)
    compare = QCollator().compare
    step = max(1, m // SPLITTERS)
    splitters = sorted(set(close_keys(list(map(at, range(0, m, step))))))[1:]
    which = array("i")  # each text's bucket (its key made again there: 10⁶ keys held cost ~110 MB)
    for s in range(0, m, SORT_SLICE):
        keys = close_keys(list(map(at, range(s, min(m, s + SORT_SLICE)))))
        which.extend(map(bisect.bisect_right, repeat(splitters), keys))
        step_aside()
    buckets: list[list[int]] = [[] for _ in range(len(splitters) + 1)]
    for s in range(0, m, STEP):
        for i, b in zip(range(s, s + STEP), which[s:s + STEP]):
            buckets[b].append(i)
        step_aside()
    del which
    by_collator = functools.cmp_to_key(compare)
    runs: list[array] = []
    for bucket in buckets:
        if not bucket:
            continue
        shown = list(map(at, bucket))
        keys = close_keys(shown)
        order = sorted(range(len(bucket)), key=keys.__getitem__)
        ordered = _collate_bucket([bucket[k] for k in order], [shown[k] for k in order], compare, by_collator)
        if runs and compare(at(runs[-1][-1]), at(ordered[0])) <= 0:
            runs[-1].extend(ordered)  # in order after the run before
        else:
            runs.append(ordered)
        step_aside()
    del buckets
    while len(runs) > 1:
        merged = []
        for k in range(0, len(runs), 2):
            merged.append(_merge(runs[k], runs[k + 1], at, compare) if k + 1 < len(runs) else runs[k])
            step_aside()
        runs = merged
    return runs[0]


def _collate_bucket(bucket: list[int], shown: list[str], compare: Callable[[str, str], int],
                    by_collator: Callable[[str], Any]) -> array:
    """``bucket`` (indexes in their close keys' order, ``shown`` their texts) in the collator's
    order, stably."""
    out = array("i", bucket)
    n = len(bucket)
    if n < 2:
        return out
    for s in range(0, n - 1, COLLATE_SLICE):
        e = min(n, s + COLLATE_SLICE + 1)
        if any(map((0).__lt__, map(compare, shown[s:e - 1], shown[s + 1:e]))):
            break
    else:
        return out  # the close order is the collator's
    # once per distinct text (equal texts are neighbours or one sort keeps them in order)
    distinct = list(dict.fromkeys(shown))
    rank = {t: r for r, t in enumerate(sorted(distinct, key=by_collator))}
    del distinct
    order = sorted(range(n), key=lambda k: rank[shown[k]])
    return array("i", map(bucket.__getitem__, order))


def _reversed_groups(seq: array, texts: Sequence[str]) -> array:
    """``seq`` (indexes of ``texts`` in order) the other way round, equal texts still in the order of
    ``seq`` (a stable sort the other way): reversed, then each run of equal texts turned back."""
    out = array("i", reversed(seq))
    n, at = len(out), _reader(texts)
    start = -1  # where the run of equal texts that goes on begins
    for s in range(0, n - 1, SORT_SLICE):
        e = min(n, s + SORT_SLICE + 1)
        here = list(map(at, out[s:e]))
        for i in compress(count(s), map(eq, here[:-1], here[1:])):
            if start < 0:
                start = i
            if i + 1 >= n - 1 or at(out[i + 1]) != at(out[i + 2]):  # the run ends at i + 1
                out[start:i + 2] = out[start:i + 2][::-1]
                start = -1
        step_aside()
    return out


def sort_positions(values: Sequence[Any], codes: Sequence[int] | None, fmt: Callable[[Any], str] | None, numeric: bool,
                   descending: bool) -> array:
    """Positions of the lines in the order of a column, as a plain sort of the lines by the column's
    shown text in the UI locale's collation (money by value, blanks first) gives them, stably (ties
    in the order read), both ways: each distinct value ranked, then the lines sorted by their
    value's rank. ``values``: the column's distinct values, ``codes`` each line's (None: ``values``
    are the lines' own). Safe in a worker."""
    m = len(values)
    keyof: Callable[[int], Any]
    if numeric:
        def keyof(j: int) -> Any:
            v = values[j]
            return (v is not None, v if v is not None else 0)
        ordered: Iterator[int] = _sorted_in_slices(list(range(m)), keyof, SORT_SLICE)
    else:
        texts: Sequence[str] = (values if isinstance(values, RD.TextColumn) and fmt is None else
                                ["" if v is None else fmt(v) if fmt is not None else str(v) for v in values])
        if codes is None:  # a text per line: no more to do than collate them
            seq = collated(texts)
            return _reversed_groups(seq, texts) if descending else seq
        ordered = iter(collated(texts))
        keyof = texts.__getitem__
    # the distinct values in order (``seq``), those of the same text one group (``starts``: where
    # each group begins; their lines keep the order read): 4 bytes a value, not a list a group
    seq, starts = array("i"), array("i")
    last: Any = object()
    for j in ordered:
        k = keyof(j)
        if k != last:
            starts.append(len(seq))
            last = k
        seq.append(j)
        if not len(seq) % STEP:
            step_aside()
    del ordered
    ends = array("i", starts[1:])
    ends.append(len(seq))
    groups = range(len(starts) - 1, -1, -1) if descending else range(len(starts))
    out = array("i")
    if codes is None:  # the values are the lines': their order is the groups'
        for g in groups:
            out.extend(seq[starts[g]:ends[g]])
        return out
    rank = array("i", bytes(4 * m))
    for r, g in enumerate(groups):
        for j in seq[starts[g]:ends[g]]:
            rank[j] = r
    keys = array("i")
    for s in range(0, len(codes), STEP):
        keys.extend(map(rank.__getitem__, codes[s:s + STEP]))
        step_aside()
    if len(groups) <= BUCKETS_UP_TO:  # few distinct values: a bucket per rank, filled in the order read
        buckets = [array("i") for _ in groups]
        for s in range(0, len(keys), STEP):
            for i, k in zip(range(s, s + STEP), keys[s:s + STEP]):
                buckets[k].append(i)
            step_aside()
        for b in buckets:
            out.extend(b)
        return out
    merged = _sorted_in_slices(list(range(len(keys))), keys.__getitem__, SORT_SLICE)
    while chunk := list(islice(merged, STEP)):
        out.extend(chunk)
        step_aside()
    return out


def ranks(order: Sequence[int]) -> array:
    """Each line's place in ``order`` (positions of every line), made in slices: safe in a worker."""
    rank = array("i", bytes(4 * len(order)))
    for s in range(0, len(order), STEP):
        for r, p in zip(range(s, s + STEP), order[s:s + STEP]):
            rank[p] = r
        step_aside()
    return rank


class LineSeq(Sequence[RD.Line]):
    """The lines at ``positions``, as a list of line mappings would be."""

    def __init__(self, lines: RD.RoundLines, positions: Sequence[int]) -> None:
        self.lines, self.positions = lines, positions

    def __len__(self) -> int:
        return len(self.positions)

    def __getitem__(self, r: Any) -> Any:
        if isinstance(r, slice):
            return [RD.Line(self.lines, p) for p in self.positions[r]]
        return RD.Line(self.lines, self.positions[r])

    def __iter__(self) -> Iterator[RD.Line]:
        return (RD.Line(self.lines, p) for p in self.positions)


class RoundLinesModel(QAbstractTableModel):
    """The round's lines (``lines``, by column) shown at ``shown``: the positions of the lines the
    search and the "needing attention" switch let through, in the chosen order (``order``).
    ``rows``/``all_rows``: those lines as mappings. ``update_lines`` changes lines in place after a
    refresh (the rows the officer chose and the scroll position stay). With a ``runner``, a sort of
    more than ``SORT_AT_ONCE`` lines is built in the background (``sorting`` meanwhile: the rows stay
    in the order they had), and so is the search of more than ``FILTER_AT_ONCE`` (``searching``
    meanwhile; a newer search stops it): the UI thread only swaps the rows' order in when it is done."""

    REPAINT_EACH_UP_TO = 200  # changed lines signalled one by one; more as one span
    SORT_AT_ONCE = 5000
    FILTER_AT_ONCE = 20000  # (a search of 20,000 lines takes ~5 ms on the UI thread)

    def __init__(self, parent=None, runner=None) -> None:
        super().__init__(parent)
        self.columns = LINE_COLUMNS
        self.runner = runner
        self.lines = RD.RoundLines()
        self.order: Sequence[int] = range(0)
        self.shown: Sequence[int] = range(0)
        self.sorted_by: tuple[int, Qt.SortOrder] | None = None
        self.needle = ""
        self.only_attention = False
        self.sorting = False
        self._sort_job = 0
        self._resort = False  # a line's sort value changed while sorting: sort again when it arrives
        self._order_job = 0  # the sort whose order ``order`` is
        self.searching = False  # a search runs in the background (the rows shown are the last search's)
        self._filter_job = 0
        self._edits = 0  # lines changed in place so far (a search that ran meanwhile runs again)
        self._shown_for: tuple[Any, str, bool] = (self.order, "", False)  # the order and search ``shown`` is of
        self._texts: dict[tuple[int, int], str] = {}  # (column, code) -> the text shown
        self._ranks: tuple[Sequence[int], array] | None = None  # an order and each line's place in it

    # ------------------------------------------------------------ the lines as mappings
    @property
    def rows(self) -> LineSeq:
        return LineSeq(self.lines, self.shown)

    @property
    def all_rows(self) -> LineSeq:
        return LineSeq(self.lines, self.order)

    @property
    def source(self) -> RD.RoundLines:
        return self.lines

    # ------------------------------------------------------------ showing lines
    def set_rows(self, rows: RD.RoundLines | Sequence[Any]) -> None:
        """Show ``rows`` (a ``RoundLines``, or line dicts) in the chosen order."""
        lines = rows if isinstance(rows, RD.RoundLines) else RD.RoundLines.of(rows)
        self._sort_job += 1  # a sort or a search of the lines shown before is of no use now
        self._filter_job += 1
        self.sorting = self._resort = self.searching = False
        background = self.sorted_by is not None and self.runner is not None and len(lines) > self.SORT_AT_ONCE
        searched = bool(self.needle or self.only_attention) and self._filter_in_background(lines)
        self.beginResetModel()
        self.lines = lines
        self._texts.clear()
        self.order = range(len(lines))
        if self.sorted_by is not None and not background:
            self.order = sort_positions(*self._sort_inputs())
        # (searched in the background: no line shown until the search's lines arrive, never lines it would hide)
        self.shown = array("i") if searched else self._passing(self.order)
        self._shown_for = (self.order, self.needle, self.only_attention) if not searched else (None, "", False)
        self.endResetModel()
        if searched:
            self._start_filter()
        if background:
            self._start_sort()

    def _passing(self, positions: Sequence[int]) -> Sequence[int]:
        """Those of ``positions`` whose line passes the search and the switch."""
        every = isinstance(positions, range)
        at = None if every else positions
        keep: list[Any] | None = None
        if self.needle:
            keep = self.lines.hits(self.needle, at, SEARCHED)
        if self.only_attention:
            attention = self.lines.attention(at)
            keep = attention if keep is None else list(map(and_, keep, attention))
        if keep is None or all(keep):  # (every line passes: the same positions, whose rows are known)
            return positions
        return array("i", compress(positions, keep))

    def set_filter(self, text: str | None = None, only_attention: bool | None = None) -> None:
        """Show only the lines whose shown text contains ``text`` (any case) in one of its columns
        and, with ``only_attention``, only flagged lines and lines still without an officer's
        amount. Typing on (the new text contains the old) searches only the lines still shown. Over
        more than ``FILTER_AT_ONCE`` lines the search runs in the background (``searching``), the
        rows as they are until its lines arrive; a newer search stops it."""
        needle = self.needle if text is None else (
            text.strip().casefold().replace("\x00", "").replace("\n", "").replace("\r", ""))
        attention = self.only_attention if only_attention is None else only_attention
        if self._filter_in_background(self.lines):
            if (needle, attention) == (self.needle, self.only_attention):
                return
            self.needle, self.only_attention = needle, attention
            if not needle and not attention:  # every line, in the chosen order: nothing to search
                self._filter_job += 1
                self.searching = False
                self._sort_shown()
                self._relayout(shown=self.order)
                return
            order, was_needle, was_attention = self._shown_for
            narrower = order is self.order and was_needle in needle and (attention or not was_attention)
            self._start_filter(self.shown if narrower else None)
            return
        narrower = attention == self.only_attention and self.needle in needle
        self.needle, self.only_attention = needle, attention
        self.layoutAboutToBeChanged.emit()  # not a reset: the chosen line stays chosen while it is shown
        kept = self._kept()
        self.shown = self._passing(self.shown if narrower else self.order)
        self._shown_for = (self.order, needle, attention)
        self._relocate(kept)
        self.layoutChanged.emit()

    def _filter_in_background(self, lines: RD.RoundLines) -> bool:
        return self.runner is not None and len(lines) > self.FILTER_AT_ONCE

    def _start_filter(self, base: Sequence[int] | None = None) -> None:
        """Search the lines in the background: those of ``base`` (None: of every line in the chosen
        order) that pass the search; the rows are laid out anew when they arrive."""
        self._filter_job += 1
        job, lines, order, edits = self._filter_job, self.lines, self.order, self._edits
        positions = order if base is None else base
        needle, attention = self.needle, self.only_attention
        self.searching = True

        def alive() -> bool:  # (asked in the worker between slices: a newer search or lines stop it)
            return job == self._filter_job

        def work(_p: Any) -> Sequence[int] | None:
            with collector.paused():
                return passing(lines, positions, needle, attention, alive)

        self.runner.run(work, quiet=True,
                        on_done=lambda shown: self._filtered(job, lines, order, edits, shown),
                        on_error=lambda exc: self._filtered(job, lines, order, edits, None, exc))

    def _filtered(self, job: int, lines: RD.RoundLines, order: Sequence[int], edits: int,
                  shown: Sequence[int] | None, exc: BaseException | None = None) -> None:
        if not is_alive(self) or job != self._filter_job or lines is not self.lines:
            return  # the window is gone, or a newer search or other lines came meanwhile
        self.searching = False
        if exc is not None or shown is None:
            logging.getLogger(__name__).warning("round lines not searched: %s", exc)
            self._sort_shown()
            return
        if order is not self.order or edits != self._edits:  # sorted again, or lines changed, meanwhile
            self._start_filter()
            return
        self._sort_shown()
        self._relayout(shown=shown)

    def _sort_shown(self) -> None:
        """The rows of a sort waiting for its search are shown (or will be no more): the sort is done."""
        if self.sorting and self._order_job == self._sort_job:
            self.sorting = False

    def _kept(self) -> list[tuple[QModelIndex, int | None]]:
        """The persistent indexes (the current line, the chosen ones) and the position of the line of each."""
        n = len(self.shown)
        return [(i, self.shown[i.row()] if 0 <= i.row() < n else None) for i in self.persistentIndexList()]

    def _place_key(self) -> tuple[bool, Callable[[int], int] | None]:
        """Whether a line's row is found by halving (the rows are the lines of the order they were laid
        out in, a part of them when searched, so their places in it rise row by row), and the place
        of a line: its position when the lines are in the order read, its rank when the sort gave
        its ranks."""
        of = self._shown_for[0]  # the order the rows are of (a new one may wait for its search's rows)
        if isinstance(of, range):
            return True, None
        ranks = self._ranks
        return (True, ranks[1].__getitem__) if ranks is not None and of is not None and ranks[0] is of else (False, None)

    def row_of_position(self, pos: int) -> int:
        """The row showing the line at ``pos``, or -1 (found by halving when the order's ranks are
        known: a look over 10⁶ rows took ~60 ms)."""
        shown = self.shown
        if isinstance(shown, range):
            return shown.index(pos) if pos in shown else -1
        halving, place = self._place_key()
        if halving:
            if not 0 <= pos < len(self.lines):
                return -1
            r = bisect.bisect_left(shown, pos if place is None else place(pos), key=place)
            return r if r < len(shown) and shown[r] == pos else -1
        try:
            return shown.index(pos)
        except ValueError:
            return -1

    def _relocate(self, kept: list[tuple[QModelIndex, int | None]]) -> None:
        """Move the persistent indexes ``_kept`` gave to their lines' new rows (gone: invalid)."""
        if not kept:
            return
        wanted = {pos for _i, pos in kept if pos is not None}
        rows: dict[int | None, int] = {None: -1}
        if len(wanted) <= 4 or isinstance(self.shown, range) or (len(wanted) <= 4096 and self._place_key()[0]):
            # a few lines, or lines found by halving: each looked up
            rows.update((pos, self.row_of_position(pos)) for pos in wanted)
        else:  # many chosen lines: one pass over the rows
            rows.update(dict.fromkeys(wanted, -1))
            shown = self.shown
            rows.update((shown[r], r) for r in compress(count(), map(wanted.__contains__, shown)))
        self.changePersistentIndexList([i for i, _p in kept], [
            self.index(rows[pos], i.column()) if rows[pos] >= 0 else QModelIndex() for i, pos in kept])

    def _relayout(self, order: Sequence[int] | None = None, shown: Sequence[int] | None = None) -> None:
        """Lay the rows out anew (the chosen lines stay chosen): in ``order``, showing ``shown`` (None:
        the lines of the order that pass the search, found here)."""
        self.layoutAboutToBeChanged.emit()
        kept = self._kept()
        if order is not None:
            self.order = order
        self.shown = self._passing(self.order) if shown is None else shown
        self._shown_for = (self.order, self.needle, self.only_attention)
        self._relocate(kept)
        self.layoutChanged.emit()

    # ------------------------------------------------------------ sorting
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the lines (by the text shown; money by value), keeping the chosen lines chosen. A
        large round is sorted in the background: the rows stay in their order until it is done."""
        if not 0 <= column < len(self.columns) or self.sorted_by == (column, order):
            return
        self.sorted_by = (column, order)
        if self.runner is None or len(self.lines) <= self.SORT_AT_ONCE:
            self._sort_job += 1
            self.sorting = False
            self._order_job = self._sort_job
            self._relaid(sort_positions(*self._sort_inputs()))
            return
        self._start_sort()

    def _relaid(self, order: Sequence[int]) -> None:
        """The rows in ``order``: laid out at once, or, when the search runs in the background, once
        it has found the lines of the new order that pass it (the rows as they were meanwhile)."""
        if (self.needle or self.only_attention) and self._filter_in_background(self.lines):
            self.order = order
            self._start_filter()
            return
        self._relayout(order)

    def _sort_inputs(self) -> tuple[Sequence[Any], Sequence[int] | None, Callable[[Any], str] | None, bool, bool]:
        """What ``sort_positions`` needs, copied (the lines may change while a worker sorts)."""
        assert self.sorted_by is not None
        column, order = self.sorted_by
        col = self.columns[column]
        coded = self.lines.coded.get(col.key)
        if coded is not None:
            values, codes = list(coded.values), array("I", coded.codes)
        else:
            texts = getattr(self.lines, col.key)  # (a copy of the chunks, not a string per line)
            values, codes = texts.copy() if isinstance(texts, RD.TextColumn) else list(texts), None
        return values, codes, col.fmt, col.key == "amount", order == Qt.SortOrder.DescendingOrder

    def _start_sort(self) -> None:
        self._sort_job += 1
        job, lines, inputs = self._sort_job, self.lines, self._sort_inputs()
        self.sorting, self._resort = True, False
        def work(_p: Any) -> tuple[array, array]:
            with collector.paused():
                order = sort_positions(*inputs)
                return order, ranks(order)
        self.runner.run(work, quiet=True, on_done=lambda done: self._sorted(job, lines, done),
                        on_error=lambda exc: self._sorted(job, lines, None, exc))

    def _sorted(self, job: int, lines: RD.RoundLines, done: tuple[array, array] | None,
                exc: BaseException | None = None) -> None:
        if not is_alive(self) or job != self._sort_job or lines is not self.lines:
            return  # the window is gone, or another sort or other lines came meanwhile
        self.sorting = False
        if exc is not None or done is None:
            logging.getLogger(__name__).warning("round lines not sorted: %s", exc)
            return
        if self._resort:
            self._start_sort()
            return
        order, self._ranks = done[0], done
        self._order_job = job
        if (self.needle or self.only_attention) and self._filter_in_background(self.lines):
            self.sorting = True  # until the search of the new order is done
        self._relaid(order)

    # ------------------------------------------------------------ a refresh
    def update_lines(self, changes: list[tuple[int, tuple[Any, ...], int]] | RD.Changes) -> None:
        """Lines that changed after a refresh, (position, values as read now, signature), or as
        ``RoundLines.prepare`` made them ready in the worker: each takes its new values in place.
        Only their cells are repainted unless a change moves a line in or out of the search (the
        rows are laid out again, the chosen lines kept: a layout change, not a reset) or in the
        chosen order (sorted again, in the background for a large round)."""
        if not changes:
            return
        lines = self.lines
        prepared = changes if isinstance(changes, RD.Changes) else lines.prepare(changes)
        positions = prepared.positions
        filtering = bool(self.needle) or self.only_attention
        before = self._pass_states(positions) if filtering else None
        key = self.columns[self.sorted_by[0]].key if self.sorted_by is not None else None
        lines.apply(prepared)
        self._edits += 1
        moved = key is not None and prepared.touches(key)
        self._texts.clear()
        last = len(self.columns) - 1
        if len(changes) > self.REPAINT_EACH_UP_TO:  # many: one signal (the view repaints only what is on screen)
            if self.shown:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self.shown) - 1, last))
        else:
            if isinstance(self.shown, range) or self._place_key()[0]:
                rows = sorted(self.row_of_position(p) for p in positions)
            else:
                wanted = set(positions)
                rows = list(compress(count(), map(wanted.__contains__, self.shown)))
            for r in rows:
                if r >= 0:
                    self.dataChanged.emit(self.index(r, 0), self.index(r, last))
        if moved:
            if self.sorting:
                self._resort = True
            elif self.runner is None or len(lines) <= self.SORT_AT_ONCE:
                self._relaid(sort_positions(*self._sort_inputs()))
                return
            else:
                self._start_sort()
        if before is not None and self._pass_states(positions) != before:
            if self._filter_in_background(lines):
                self._start_filter()
            else:
                self._relayout()

    def _pass_states(self, positions: list[int]) -> list[bool]:
        keep = self.lines.hits(self.needle, positions, SEARCHED) if self.needle else [True] * len(positions)
        if self.only_attention:
            keep = list(map(and_, keep, self.lines.attention(positions)))
        return [bool(k) for k in keep]

    def row_of(self, source_id: str) -> int:
        """The shown row of the line of achievement ``source_id``, or -1."""
        try:
            pos = self.lines.achievement.index(source_id)
        except ValueError:
            return -1
        return self.row_of_position(pos)

    # ------------------------------------------------------------ Qt model
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() else len(self.shown)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() else len(self.columns)

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if 0 <= row < len(self.shown) and 0 <= column < len(self.columns) and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        _ui_asked[0] = perf_counter()  # (a paint under way: a worker steps aside)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(self.columns[section].label)
        return None

    def retranslate(self) -> None:
        self._texts.clear()
        self.lines.forget_shown()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)

    def _text(self, pos: int, column: int) -> str:
        col = self.columns[column]
        coded = self.lines.coded.get(col.key)
        if coded is None:
            value = self.lines.get(pos, col.key)
            return "" if value is None else str(value)
        code = coded.codes[pos]
        text = self._texts.get((column, code))
        if text is None:  # (babel takes ~0.5 ms an amount: each distinct value formatted once)
            value = coded.values[code]
            text = col.fmt(value) if col.fmt is not None else "" if value is None else str(value)
            self._texts[(column, code)] = text
        return text

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        _ui_asked[0] = perf_counter()  # (a paint under way: a worker steps aside)
        row, column = index.row(), index.column()  # (an invalid index's row is -1)
        if not 0 <= row < len(self.shown):
            return None
        pos = self.shown[row]
        if role == DISPLAY_ROLE:
            return self._text(pos, column)
        if role == ALIGNMENT_ROLE:
            return RIGHT_ALIGNED if self.columns[column].align_right else None
        row = RD.Line(self.lines, pos)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.BackgroundRole:
            if row["flags"]:
                return QBrush(QColor(FLAG_BACKGROUND))
            if needs_amount(row):
                return QBrush(QColor(OPEN_BACKGROUND))
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(MUTED_TEXT)) if row["status"] in ("not_eligible", "duplicate") else None
        if role == Qt.ItemDataRole.DecorationRole and column == STATUS_COLUMN:
            if row["flags"]:
                return flag_icon()
            if needs_amount(row):
                return info_icon()
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(row)
        return None


class LinesProxy(QIdentityProxyModel):
    """The round table's proxy: the search and the "needing attention" switch are the model's own
    (``RoundLinesModel.set_filter``); the proxy maps row to row (no per-row mapping to build when
    100,000 lines arrive, as a sort-filter proxy builds), and sorting goes to the model."""

    def __init__(self, source: RoundLinesModel, parent=None) -> None:
        super().__init__(parent)
        self.setSourceModel(source)

    @property
    def only_attention(self) -> bool:
        return bool(self.sourceModel().only_attention)

    def search(self, text: str) -> None:
        self.sourceModel().set_filter(text=text)

    def set_only_attention(self, on: bool) -> None:
        self.sourceModel().set_filter(only_attention=on)


def tooltip(row: Any) -> str:
    parts = [row["explanation"]]
    if row["clause"]:
        parts.append(_("Clause {clause}").format(clause=row["clause"]))
    if needs_amount(row):
        parts.append(_("An officer sets this amount within the pool (Set amount...)."))
    for f in row["flags"]:
        parts.append("⚠ " + f)
    return "\n\n".join(p for p in parts if p)


def history_rows(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for e in events:
        change = RD.status_label(e["after"]) if RD.is_award_status(e["after"]) else RD.decision_label(e["after"])
        if e["before"]:
            before = RD.status_label(e["before"]) if RD.is_award_status(e["before"]) else RD.decision_label(e["before"])
            change = f"{before} → {change}"
        amounts = ""
        if e["amount_before"] != e["amount_after"]:
            amounts = f"{money_text(e['amount_before']) or '-'} → {money_text(e['amount_after']) or '-'}"
        elif e["amount_after"] is not None:
            amounts = money_text(e["amount_after"])
        out.append({**e, "user": RD.user_name(e["user"]), "change": change, "amounts": amounts})
    return out
