"""The table of a round's award lines: status, amount, explanation and clause per achievement,
flagged lines highlighted (background colour, warning icon, the flag texts as tooltip), lines that
still need an officer's amount tinted, refusals and duplicates in muted text.

A round may hold 100,000 lines: the model filters itself (``set_filter``: every line's shown text is
prepared once, with the lines, so a keystroke is one substring test per line and one reset) and the
proxy in front of it maps row to row; ``read_round`` reads the whole
screen's data in a worker (``desktop.ui.views.round_data.read_round``)."""
from __future__ import annotations

from itertools import compress
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


def read_round(session: Any, year: int, rnd: Any = None) -> RD.RoundSnapshot:
    """The round screen's data for ``year`` (safe in a worker: no Qt object is touched)."""
    shown: dict[tuple[int, Any], str] = {}
    return RD.read_round(session, year, lambda row: search_text(row, shown), rnd)


class RoundLinesModel(ListTableModel):
    """``all_rows`` are the round's lines (in the chosen order); ``rows`` those the search and the
    "needing attention" switch let through."""

    def __init__(self, parent=None) -> None:
        super().__init__(LINE_COLUMNS, parent)
        self.all_rows: list[dict[str, Any]] = []
        self.needle = ""
        self.only_attention = False
        self._hay: list[str] = []  # the search text of each of all_rows (strings: nothing for the GC to walk)
        self._shown_hay: list[str] = []  # that of each shown row

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.all_rows = rows
        self.rows = rows
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

    def _passing(self, rows: list[dict[str, Any]], hay: list[str]) -> list[dict[str, Any]]:
        if self.only_attention:
            keep = [bool(r["flags"]) or needs_amount(r) for r in rows]
            rows, hay = list(compress(rows, keep)), list(compress(hay, keep))
        if self.needle:
            needle = self.needle
            keep = [needle in h for h in hay]
            rows, hay = list(compress(rows, keep)), list(compress(hay, keep))
        self._shown_hay = hay
        return rows

    def set_filter(self, text: str | None = None, only_attention: bool | None = None) -> None:
        """Show only the lines whose shown text contains ``text`` (any case) and, with
        ``only_attention``, only flagged lines and lines still without an officer's amount. Typing
        on (the new text contains the old) searches only the lines still shown."""
        needle = self.needle if text is None else text.strip().casefold()
        attention = self.only_attention if only_attention is None else only_attention
        narrower = attention == self.only_attention and self.needle in needle
        self.needle, self.only_attention = needle, attention
        self.beginResetModel()
        self.rows = (self._passing(self.rows, self._shown_hay) if narrower
                     else self._passing(self.all_rows, self._hay))
        self.endResetModel()

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
