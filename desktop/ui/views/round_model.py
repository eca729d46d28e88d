"""The table of a round's award lines: status, amount, explanation and clause per achievement,
flagged lines highlighted (background colour, warning icon, the flag texts as tooltip), lines that
still need an officer's amount tinted, refusals and duplicates in muted text."""
from __future__ import annotations

from typing import Any

from desktop.core.i18n import N_, _
from desktop.ui.qt import QBrush, QColor, QModelIndex, Qt
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


class RoundLinesModel(ListTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(LINE_COLUMNS, parent)

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
