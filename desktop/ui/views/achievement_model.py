"""The achievements table for 100,000 rows (Anki browser ``DataModel`` style).

``AchievementIndex`` keeps one compact entry per achievement (id, year, kind, level, award status,
lower-cased search text), read with one SQL statement; filtering is a pass over these lists, never a
query per keystroke. ``AchievementModel`` shows the filtered ids and fetches the displayed columns by
id, a block of rows at a time, into a bounded row cache: painting only ever asks for the rows on
screen.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

from desktop.core.i18n import N_, _
from desktop.core.vocabulary import kind_label, level_label
from desktop.ui.qt import QAbstractTableModel, QColor, QModelIndex, Qt

NO_ROUND = "none"
STATUS_LABELS = {
    "awarded": N_("awarded"), "not_eligible": N_("not eligible"), "discretionary": N_("discretionary"),
    "unspecified": N_("no amount set"), "duplicate": N_("duplicate"), NO_ROUND: N_("not in a round"),
}
ID_ROLE = Qt.ItemDataRole.UserRole + 10
BLOCK = 200
CACHE_LIMIT = 20000

# (key, label, SQL expression used for sorting)
COLUMNS = [
    ("source_id", N_("Id"), "a.source_id"),
    ("enterprise", N_("Enterprise"), "e.name"),
    ("kind", N_("Kind"), "a.kind"),
    ("level", N_("Level"), "a.level"),
    ("date", N_("Date"), "a.date"),
    ("ref", N_("Reference"), "a.ref"),
    ("title", N_("Title"), "a.title"),
    ("rank", N_("Rank"), "a.rank"),
    ("status", N_("Status"), "status"),
    ("amount", N_("Amount"), "amount"),
]

_LATEST_AWARD = ("(SELECT aw.{col} FROM award aw WHERE aw.achievement_id = a.id "
                 "ORDER BY aw.round_id DESC LIMIT 1)")
_STATUS_SQL = f"COALESCE({_LATEST_AWARD.format(col='status')}, '{NO_ROUND}')"
_AMOUNT_SQL = _LATEST_AWARD.format(col="amount")


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))


@dataclass
class Filter:
    text: str = ""
    year: int | None = None
    kind: str | None = None
    level: str | None = None
    status: str | None = None


class AchievementIndex:
    """One compact entry per achievement, in the current sort order."""

    def __init__(self) -> None:
        self.ids = array("q")
        self.years = array("h")
        self.kinds: list[str] = []
        self.levels: list[str | None] = []
        self.statuses: list[str] = []
        self.texts: list[str] = []
        self.order_sql = "a.date DESC, a.id DESC"

    def load(self, order_sql: str | None = None) -> None:
        from desktop.store.models import database

        if order_sql:
            self.order_sql = order_sql
        any_award = database.execute_sql("SELECT EXISTS(SELECT 1 FROM award)").fetchone()[0]
        status_sql = _STATUS_SQL if any_award else f"'{NO_ROUND}'"  # no per-row lookup before the first round
        ents = {i: f"{name} {code}".lower() for i, name, code in
                database.execute_sql("SELECT id, name, uscc FROM enterprise").fetchall()}
        join = " JOIN enterprise e ON e.id = a.enterprise_id" if "e." in self.order_sql else ""  # only to sort by name
        cur = database.execute_sql(
            "SELECT a.id, CAST(substr(a.date, 1, 4) AS INTEGER), a.kind, a.level, "
            f"{status_sql} AS status, a.enterprise_id, "
            "lower(a.source_id || ' ' || COALESCE(a.ref, '') || ' ' || COALESCE(a.title, '')) "
            f"FROM achievement a{join} ORDER BY {self.order_sql}")
        rows = cur.fetchall()
        if rows:
            ids, years, kinds, levels, statuses, owners, own_texts = zip(*rows)
        else:
            ids = years = kinds = levels = statuses = owners = own_texts = ()
        self.ids, self.years = array("q", ids), array("h", years)
        self.kinds, self.levels, self.statuses = list(kinds), list(levels), list(statuses)
        self.texts = [f"{ents.get(o, '')} {t}" for o, t in zip(owners, own_texts)]

    def __len__(self) -> int:
        return len(self.ids)

    def select(self, f: Filter) -> list[int]:
        """Ids passing the filter, in index order. Every word of the text must occur."""
        n = len(self.ids)
        keep = range(n)
        if f.year is not None:
            ys = self.years
            keep = [i for i in keep if ys[i] == f.year]
        if f.kind:
            ks = self.kinds
            keep = [i for i in keep if ks[i] == f.kind]
        if f.level:
            ls = self.levels
            keep = [i for i in keep if ls[i] == f.level]
        if f.status:
            ss = self.statuses
            keep = [i for i in keep if ss[i] == f.status]
        texts = self.texts
        for word in f.text.lower().split():
            keep = [i for i in keep if word in texts[i]]
        if isinstance(keep, range):
            return list(self.ids)
        ids = self.ids
        return [ids[i] for i in keep]

    def distinct_years(self) -> list[int]:
        return sorted(set(self.years), reverse=True)

    def distinct_statuses(self) -> list[str]:
        return sorted(set(self.statuses))


def fetch_rows(ids: list[int]) -> dict[int, tuple]:
    """Display values of these achievements, by id (one query)."""
    from desktop.store.models import database

    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    cur = database.execute_sql(
        f"SELECT a.id, a.source_id, e.name, a.kind, a.level, a.date, a.ref, a.title, a.rank, {_STATUS_SQL}, "
        f"{_AMOUNT_SQL} FROM achievement a JOIN enterprise e ON e.id = a.enterprise_id WHERE a.id IN ({marks})", ids)
    return {r[0]: r[1:] for r in cur.fetchall()}


class AchievementModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.index_ = AchievementIndex()
        self.filter = Filter()
        self.ids: list[int] = []
        self.cache: dict[int, tuple] = {}
        self.sort_column, self.sort_order = 4, Qt.SortOrder.DescendingOrder

    # ------------------------------------------------------------------ loading and filtering
    def reload(self) -> None:
        self.index_.load(self._order_sql())
        self.cache.clear()
        self.apply_filter(self.filter)

    def apply_filter(self, f: Filter) -> None:
        self.filter = f
        self.beginResetModel()
        self.ids = self.index_.select(f)
        self.endResetModel()

    def total(self) -> int:
        return len(self.index_)

    def _order_sql(self) -> str:
        col = COLUMNS[self.sort_column][2]
        direction = "DESC" if self.sort_order == Qt.SortOrder.DescendingOrder else "ASC"
        if col == "amount":
            col = f"CAST({_AMOUNT_SQL} AS REAL)"  # ordering only; amounts are shown from the text
        elif col == "status":
            col = _STATUS_SQL
        return f"{col} {direction}, a.id {direction}"

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if (column, order) == (self.sort_column, self.sort_order) and len(self.index_):
            return
        self.sort_column, self.sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        self.index_.load(self._order_sql())
        self.ids = self.index_.select(self.filter)
        self.layoutChanged.emit()

    # ------------------------------------------------------------------ Qt model
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMNS[section][1])
        return None

    def row_values(self, row: int) -> tuple:
        aid = self.ids[row]
        values = self.cache.get(aid)
        if values is None:
            if len(self.cache) > CACHE_LIMIT:
                self.cache.clear()
            start = max(0, row - BLOCK // 4)
            self.cache.update(fetch_rows(self.ids[start:start + BLOCK]))
            values = self.cache.get(aid, ("",) * 10)
        return values

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == ID_ROLE:
            return self.ids[index.row()]
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
                from desktop.ui.tablemodel import money_text
                from decimal import Decimal

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
