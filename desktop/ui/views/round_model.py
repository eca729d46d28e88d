"""The table of a round's award lines: status, amount, explanation and clause per achievement,
flagged lines highlighted (background colour, warning icon, the flag texts as tooltip), lines that
still need an officer's amount tinted, refusals and duplicates in muted text.

A round may hold 100,000 lines: the model filters itself (``set_filter``: every line's shown text is
prepared once, with the lines, so a keystroke is one substring test per line and one reset) and the
proxy in front of it maps row to row; ``read_round`` reads the whole
screen's data in a worker (``desktop.ui.views.round_data.read_round``)."""
from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, compress, count, repeat
from operator import add, contains
from typing import Any

from desktop.core.i18n import N_, _
from desktop.ui.qt import QBrush, QColor, QIdentityProxyModel, QModelIndex, Qt
from desktop.ui.tablemodel import Column, ListTableModel, money_text
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
ENTERPRISE_TOTAL_COLUMNS = [Column("enterprise", N_("Enterprise")), Column("count", N_("Paid items"), align_right=True),
                            Column("open", N_("To decide"), align_right=True),
                            Column("total", N_("Total"), fmt=money_text, align_right=True)]
FUND_TOTAL_COLUMNS = [Column("fund_name", N_("Fund")), Column("count", N_("Paid items"), align_right=True),
                      Column("open", N_("To decide"), align_right=True),
                      Column("total", N_("Total"), fmt=money_text, align_right=True)]
HISTORY_COLUMNS = [Column("at", N_("When"), fmt=RD.when), Column("user", N_("By")),
                   Column("change", N_("Change")), Column("amounts", N_("Amount")), Column("note", N_("Note"))]


def needs_amount(row: dict[str, Any]) -> bool:
    return row["status"] == "discretionary" and row["amount"] is None


READ_AT_ONCE = 2000  # a round with more lines is read in a worker (a county's is a few hundred)


def search_text(row: dict[str, Any], shown: dict[tuple[int, Any], str] | None = None) -> str:
    """A line's columns as shown, case-folded, one per line: what the search box looks in (a search
    never spans two columns, as with a search over each column). ``shown`` caches the formatted
    values (amounts, statuses: a round has few distinct ones, and babel takes ~0.5 ms an amount)."""
    texts = []
    for n, col in enumerate(LINE_COLUMNS):
        value = row.get(col.key)
        if col.fmt is None:
            texts.append("" if value is None else str(value))
        elif shown is None:
            texts.append(col.fmt(value))
        else:
            text = shown.get((n, value))
            if text is None:
                text = shown[(n, value)] = col.fmt(value)
            texts.append(text)
    return "\n".join(texts).casefold()


def read_round(session: Any, year: int, rnd: Any = None, previous: RD.RoundSnapshot | None = None) -> RD.RoundSnapshot:
    """The round screen's data for ``year`` (safe in a worker: no Qt object is touched); with
    ``previous``, the snapshot shown now, the lines that changed since are named (``changed``)."""
    shown: dict[tuple[int, Any], str] = {}
    return RD.read_round(session, year, lambda row: search_text(row, shown), rnd, previous)


def show_snapshot(model: RoundLinesModel, shown: RD.RoundSnapshot | None, snap: RD.RoundSnapshot) -> bool | None:
    """Put ``snap`` in ``model``, which shows ``shown``. Read after ``shown`` with the same lines, only
    the changed lines are updated in place (True: the lines kept their place, the chosen ones stay
    chosen). Otherwise the model is reset with the new lines (False), unless ``snap`` holds only the
    changes against a reading no longer shown (None: read the round again in full)."""
    if snap.updates is not None:
        if shown is None or snap.against != id(shown) or model.source is not shown.lines:
            return None
        model.update_lines([(shown.lines[i], new) for i, new in zip(snap.changed or (), snap.updates)])
        snap.updates = None
        return True
    model.set_rows(snap.lines)
    return False


class RoundLinesModel(ListTableModel):
    """``all_rows`` are the round's lines (in the chosen order); ``rows`` those the search and the
    "needing attention" switch let through.

    A search over every line looks in one text of all of them (each line's search text, separated by
    a character no search holds): a text found nowhere costs one scan at C speed, one found in a few
    lines a jump to each, one found in most a test per line. Typing on searches only the lines still
    shown. ``update_lines`` changes lines in place after a refresh (the rows the officer chose and the
    scroll position stay)."""

    SEPARATOR = "\x00"
    REPAINT_EACH_UP_TO = 200  # changed lines signalled one by one; more as one span

    def __init__(self, parent=None) -> None:
        super().__init__(LINE_COLUMNS, parent)
        self.all_rows: list[dict[str, Any]] = []
        self.source: list[dict[str, Any]] = []  # the list given to set_rows, in its own order
        self.needle = ""
        self.only_attention = False
        self._hay: list[str] = []  # the search text of each of all_rows (strings: nothing for the GC to walk)
        self._shown_hay: list[str] = []  # that of each shown row
        self._text: str | None = None  # _hay joined by SEPARATOR, made at the first search over every line
        self._starts: list[int] = []  # where each line's text starts in it
        self._pos: dict[int, int] = {}  # id() of each of all_rows -> its place there

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """Show ``rows`` (in the chosen order: sorted on a copy, ``rows`` keep the order they came in)."""
        self.beginResetModel()
        self.source = rows
        self.all_rows = list(rows)
        self.rows = self.all_rows
        if self.sorted_by is not None:
            super()._sort_rows(*self.sorted_by)
        self._index()
        self.rows = self._passing(self.all_rows, self._hay)
        self.endResetModel()

    def _sort_rows(self, column: int, order: Qt.SortOrder) -> None:
        self.rows = self.all_rows
        super()._sort_rows(column, order)
        self._index()
        self.rows = self._passing(self.all_rows, self._hay)

    def _index(self) -> None:
        for r in self.all_rows:
            if "search" not in r:  # lines not read by read_round (a small round, a test)
                r["search"] = search_text(r)
        self._hay = [r["search"] for r in self.all_rows]
        self._pos = {id(r): i for i, r in enumerate(self.all_rows)}  # a line's place in all_rows
        self._text = None

    def _found_in(self, needle: str) -> list[bool]:
        """For each of all_rows, whether its search text holds ``needle``."""
        hay = self._hay
        if self._text is None:  # (joined and measured by C loops: ~10 ms for 100,000 lines)
            self._text = self.SEPARATOR.join(hay)
            self._starts = list(accumulate(map(add, map(len, hay), repeat(1)), initial=0))  # and the end
        text, starts = self._text, self._starts
        found = text.count(needle)
        if found > len(hay) // 8:  # in many lines: one test per line is quicker than a jump per line
            return list(map(contains, hay, repeat(needle)))
        keep = [False] * len(hay)
        at = text.find(needle) if found else -1
        while at >= 0:
            i = bisect_right(starts, at) - 1
            keep[i] = True
            at = text.find(needle, starts[i + 1])
        return keep

    def _passes(self, row: dict[str, Any]) -> bool:
        return ((not self.only_attention or bool(row["flags"]) or needs_amount(row))
                and (not self.needle or self.needle in row["search"]))

    def _passing(self, rows: list[dict[str, Any]], hay: list[str]) -> list[dict[str, Any]]:
        keep: list[bool] | None = None
        if self.needle:
            needle = self.needle
            keep = self._found_in(needle) if rows is self.all_rows else list(map(contains, hay, repeat(needle)))
        if self.only_attention:
            attention = [bool(r["flags"]) or needs_amount(r) for r in rows]
            keep = attention if keep is None else [a and b for a, b in zip(attention, keep)]
        if keep is None or all(keep):  # (every line passes: the same list, whose places are known)
            self._shown_hay = hay
            return rows
        self._shown_hay = list(compress(hay, keep))
        return list(compress(rows, keep))

    def set_filter(self, text: str | None = None, only_attention: bool | None = None) -> None:
        """Show only the lines whose shown text contains ``text`` (any case) and, with
        ``only_attention``, only flagged lines and lines still without an officer's amount. Typing
        on (the new text contains the old) searches only the lines still shown."""
        needle = self.needle if text is None else text.strip().casefold().replace(self.SEPARATOR, "")
        attention = self.only_attention if only_attention is None else only_attention
        narrower = attention == self.only_attention and self.needle in needle
        self.needle, self.only_attention = needle, attention
        self.layoutAboutToBeChanged.emit()  # not a reset: the chosen line stays chosen while it is shown
        kept, kept_rows = self._kept()
        self.rows = (self._passing(self.rows, self._shown_hay) if narrower
                     else self._passing(self.all_rows, self._hay))
        self._relocate(kept, kept_rows)
        self.layoutChanged.emit()

    def _kept(self) -> tuple[list[QModelIndex], list[int | None]]:
        """The persistent indexes (the current line, the chosen ones) and id() of the line of each."""
        kept = self.persistentIndexList()
        return kept, [id(self.rows[i.row()]) if 0 <= i.row() < len(self.rows) else None for i in kept]

    def _relocate(self, kept: list[QModelIndex], kept_rows: list[int | None]) -> None:
        """Move the persistent indexes ``_kept`` gave to their lines' new rows (gone: invalid)."""
        if not kept:
            return
        # every row's place, by C loops (a Python loop over 100,000 rows took most of a keystroke)
        where = self._pos if self.rows is self.all_rows else dict(zip(map(id, self.rows), count()))
        self.changePersistentIndexList(kept, [self.index(where[r], i.column()) if r in where else QModelIndex()
                                              for r, i in zip(kept_rows, kept)])

    def update_lines(self, changes: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
        """Lines that changed after a refresh, (the line shown, the line as read now): each shown line
        takes its new values in place. Only their cells are repainted unless a change moves a line
        in or out of the search, or in the chosen order; then the rows are laid out again with the
        chosen lines and the current one kept (a layout change, not a reset)."""
        if not changes:
            return
        key = self.columns[self.sorted_by[0]].key if self.sorted_by is not None else None
        relayout = False
        changed: set[int] = set()
        for line, new in changes:
            passed = self._passes(line)
            if key is not None and line.get(key) != new.get(key):
                relayout = True
            line.clear()
            line.update(new)
            if "search" not in line:
                line["search"] = search_text(line)
            relayout = relayout or self._passes(line) != passed
            changed.add(id(line))
        for line_id in changed:
            i = self._pos[line_id]
            self._hay[i] = self.all_rows[i]["search"]
        self._text = None
        if not relayout:
            last = len(self.columns) - 1
            if self.rows is self.all_rows:  # nothing filtered out: a line's row is its place
                shown = sorted(self._pos[line_id] for line_id in changed)
            else:
                shown = [n for n, r in enumerate(self.rows) if id(r) in changed]
            for n in shown:
                self._shown_hay[n] = self.rows[n]["search"]
            if len(shown) > self.REPAINT_EACH_UP_TO:  # many: one signal (the view repaints only what is on screen)
                self.dataChanged.emit(self.index(shown[0], 0), self.index(shown[-1], last))
                return
            for n in shown:
                self.dataChanged.emit(self.index(n, 0), self.index(n, last))
            return
        self.layoutAboutToBeChanged.emit()
        kept, kept_rows = self._kept()
        if key is not None:
            self.rows = self.all_rows
            super()._sort_rows(*self.sorted_by)  # type: ignore[misc]  # key is set only when sorted_by is
            self._index()
        self.rows = self._passing(self.all_rows, self._hay)
        self._relocate(kept, kept_rows)
        self.layoutChanged.emit()

    def row_of(self, source_id: str) -> int:
        """The shown row of the line of achievement ``source_id``, or -1."""
        return next((i for i, r in enumerate(self.rows) if r["achievement"] == source_id), -1)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        flagged = bool(row["flags"])
        if role == Qt.ItemDataRole.BackgroundRole:
            if flagged:
                return QBrush(QColor(FLAG_BACKGROUND))
            if needs_amount(row):
                return QBrush(QColor(OPEN_BACKGROUND))
            return None
        if role == Qt.ItemDataRole.ForegroundRole and row["status"] in ("not_eligible", "duplicate"):
            return QBrush(QColor(MUTED_TEXT))
        if role == Qt.ItemDataRole.DecorationRole and index.column() == STATUS_COLUMN:
            if flagged:
                return flag_icon()
            if needs_amount(row):
                return info_icon()
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(row)
        return super().data(index, role)


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


def tooltip(row: dict[str, Any]) -> str:
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
        change = RD.status_label(e["after"]) if e["after"] in RD.STATUS_LABELS else RD.decision_label(e["after"])
        if e["before"]:
            before = RD.status_label(e["before"]) if e["before"] in RD.STATUS_LABELS else RD.decision_label(e["before"])
            change = f"{before} → {change}"
        amounts = ""
        if e["amount_before"] != e["amount_after"]:
            amounts = f"{money_text(e['amount_before']) or '-'} → {money_text(e['amount_after']) or '-'}"
        elif e["amount_after"] is not None:
            amounts = money_text(e["amount_after"])
        out.append({**e, "user": RD.user_name(e["user"]), "change": change, "amounts": amounts})
    return out
