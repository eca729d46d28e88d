"""Targets dashboard: each target (工作目标) of the policy with its progress toward the goal and the
deadline as a bar; a click lists the achievements that count; a target the records cannot answer
(an adoption rate, people trained) takes a value the office enters with its date and source."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from desktop.core.errors import Problem, StdAwardError, ValidationFailed
from desktop.core.i18n import N_, _
from desktop.ui.forms import ProblemForm
from desktop.ui.qt import (
    QAbstractItemView,
    QDate,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    qconnect,
)
from desktop.ui.tablemodel import Column, ListTableModel, make_table
from desktop.ui.tasks import error_text
from desktop.ui.views.base import EmptyState, View, stacked_pages
from desktop.ui.views.widgets import MessageBar, TableViewMixin, TitleComboBox, bold

if TYPE_CHECKING:
    from desktop.operations.targets import Dashboard

COUNTING = {"standards": N_("distinct standards"), "enterprises": N_("distinct enterprises"),
            "items": N_("distinct items"), "entered": N_("entered by the office")}
ACH_COLUMNS = [Column("enterprise", N_("Enterprise")), Column("what", N_("Achievement")), Column("date", N_("Date")),
               Column("counted_as", N_("Counted as"))]
# the figures entered for a target the records cannot count: the value (with its date and source) and
# its date; no enterprise and nothing counted, so those two columns are hidden
ENTERED_COLUMNS = [Column("enterprise", N_("Enterprise")), Column("what", N_("Value")), Column("date", N_("As of")),
                   Column("counted_as", N_("Counted as"))]


def _num(d: Decimal | None) -> str:
    if d is None:
        return "-"
    return str(int(d)) if d == d.to_integral_value() else format(d.normalize(), "f")


def state_text(p: Any) -> tuple[str, str]:
    """(text, colour) saying where a target stands."""
    if p.count is None:
        return _("no value entered yet"), "#8a5a00"
    if p.met:
        return "✓ " + _("met"), "#1b5e20"
    if p.met_late:  # reached, but by a figure dated after the deadline
        return "✓ " + _("met after the deadline"), "#8a5a00"
    if p.overdue:
        return "✗ " + _("deadline passed"), "#b3261e"
    if p.deadline:
        days = (p.deadline - p.as_of).days
        return _("{days} days left").format(days=days), "#1f3b63"
    return _("in progress"), "#1f3b63"


def progress_bar(p: Any) -> QProgressBar:
    """A target's progress as a bar "count / goal" (green met, red overdue, blue on its way); also
    the overview's."""
    bar = QProgressBar()
    goal = p.goal if p.goal > 0 else Decimal(1)
    bar.setRange(0, 1000)
    value = p.count or Decimal(0)
    bar.setValue(int(min(value / goal, Decimal(1)) * 1000))
    unit = p.unit or ""
    bar.setFormat(f"{_num(p.count)} / {_num(p.goal)}{unit}")
    bar.setAlignment(Qt.AlignmentFlag.AlignCenter)
    colour = "#81c784" if p.met else "#ffcc80" if p.met_late else ("#ef9a9a" if p.overdue else "#90caf9")  # light: legible
    bar.setStyleSheet(f"QProgressBar {{border:1px solid #bbb; border-radius:3px; background:#f4f4f4; margin:4px;}}"
                      f"QProgressBar::chunk {{background:{colour};}}")
    bar.setToolTip(p.goal_text or "")
    return bar


class EnterValueDialog(QDialog):
    """A figure for a target the records cannot count, with the date and where it comes from."""

    def __init__(self, ctx, policy_id: str, target: Any, parent: QWidget | None = None,
                 as_of: QDate | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.policy_id, self.target = ctx, policy_id, target
        self.saved = False
        self.setObjectName("enterValueDialog")
        self.setWindowTitle(_("Enter a value for a target"))
        self.setMinimumWidth(480)
        lay = QVBoxLayout(self)
        text = QLabel(f"{target.text}（{target.clause}）")
        text.setWordWrap(True)
        lay.addWidget(bold(text))
        self.form = ProblemForm()
        self.value = self.form.add("value", _("Value"), QLineEdit())
        self.value.setPlaceholderText(_("e.g. 85 or 85%") if target.unit in (None, "%") else target.unit)
        today = QDate.currentDate()
        self.date = self.form.add("as_of", _("As of"), QDateEdit(min(as_of, today) if as_of is not None else today))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.source = self.form.add("source", _("Source"), QLineEdit())
        self.source.setPlaceholderText(_("e.g. 2025 statistical report of the county bureau"))
        lay.addLayout(self.form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        qconnect(self.buttons.accepted, self.save)
        qconnect(self.buttons.rejected, self.reject)
        lay.addWidget(self.buttons)

    def save(self) -> None:
        from desktop.operations import targets

        problems = []
        if not self.value.text().strip():
            problems.append(Problem(self.target.id, "value", _("type the figure")))
        if not self.source.text().strip():
            problems.append(Problem(self.target.id, "source", _("say where the figure comes from")))
        if problems:
            self.form.show_problems(problems)
            return
        try:
            targets.enter_value(self.ctx.session, self.policy_id, self.target.id, self.value.text(),
                                self.date.date().toPython(), self.source.text())
        except ValidationFailed as exc:
            self.form.show_problems([Problem(self.target.id, p.field, p.message) for p in exc.problems])
            return
        except StdAwardError as exc:
            self.form.show_problems([Problem(self.target.id, "value", error_text(exc))])
            return
        self.saved = True
        self.ctx.changed("targets")
        self.accept()


class TargetsView(TableViewMixin, View):
    name = "targets"
    watches = ("achievements", "targets", "office", "enterprises")

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.data: Dashboard | None = None
        self.counted: dict[str, Any] = {}  # target id -> desktop.operations.targets.Counting, read when chosen
        self.pending_target: str | None = None  # asked for before the dashboard arrived (select_target)
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.policy_label, self.date_label = QLabel(), QLabel()
        self.policy = TitleComboBox()
        self.policy.setObjectName("policyChoice")
        self.as_of = QDateEdit(QDate.currentDate())
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self.enter_btn = QPushButton()
        bar.addWidget(self.policy_label)
        bar.addWidget(self.policy, 1)  # the policy's full name and 文号 where the width allows, not clipped
        for w in (self.date_label, self.as_of):
            bar.addWidget(w)
        bar.addSpacing(12)
        bar.addWidget(self.enter_btn)
        lay.addLayout(bar)
        self.message = MessageBar(self)
        lay.addWidget(self.message)

        self.targets = QTableWidget(0, 5)
        self.targets.setObjectName("targetsTable")
        self.targets.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.targets.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.targets.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.targets.verticalHeader().setVisible(False)
        self.targets.setWordWrap(True)
        h = self.targets.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for i, w in ((1, 230), (2, 100), (3, 140), (4, 150)):
            h.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
            self.targets.setColumnWidth(i, w)
        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        self.counting_label = bold(QLabel())
        self.counting_label.setWordWrap(True)
        ll.addWidget(self.counting_label)
        self.ach_model = ListTableModel(ACH_COLUMNS, self)
        self.tableview = make_table("target-achievements")
        self.tableview.setModel(self.ach_model)
        # the achievement's wording takes the room (it ends with the standard's number); what counted
        # it, a number the wording already carries, keeps a column of its own width
        ah = self.tableview.horizontalHeader()
        ah.setStretchLastSection(False)
        ah.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for i, w in ((0, 240), (2, 90), (3, 170)):
            self.tableview.setColumnWidth(i, w)
        ll.addWidget(self.tableview, 1)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.targets)
        self.split.addWidget(lower)
        self.split.setSizes([330, 300])
        self.empty = EmptyState()
        self.pages = stacked_pages(lay, self.split, self.empty)

        for pid, label in _policy_choices():
            self.policy.addItem(label, pid)
        office = ctx.office
        # the policy in force; none chosen for the officer when the office has none (the first in the
        # list is another city's, and its targets are not this office's)
        self.policy.setCurrentIndex(self.policy.findData(office.policy_id) if office and office.policy_id else -1)
        qconnect(self.policy.currentIndexChanged, lambda _i: self.refresh())
        qconnect(self.as_of.dateChanged, lambda _d: self.refresh())
        qconnect(self.targets.itemSelectionChanged, self._show_target)
        qconnect(self.targets.cellDoubleClicked, lambda _r, _c: self.enter_value())
        qconnect(self.enter_btn.clicked, self.enter_value)
        self.retranslate()

    def retranslate(self) -> None:
        self.policy_label.setText(_("Policy"))
        self.policy.setPlaceholderText(_("(choose a policy)"))
        self.date_label.setText(_("As of"))
        self.enter_btn.setText(_("Enter a value..."))
        self.enter_btn.setToolTip(_("For a target the records cannot count (a rate, people trained)"))
        self.targets.setHorizontalHeaderLabels([_("Target"), _("Progress"), _("Deadline"), _("Where it stands"),
                                                _("Counted from")])
        self.ach_model.retranslate()
        self.refresh()

    def export_name(self) -> str:
        return _("Targets")

    # ------------------------------------------------------------------ loading
    def refresh(self) -> None:
        pid = self.policy.currentData()
        if pid is None:
            if self.policy.count():
                self._show_empty(_("No policy in force"), _("Choose a policy above to see its targets, or set the "
                                                            "office's policy in force under Settings."))
            else:
                self._show_empty(_("No policy installed"), _("Choose the policy in force under Settings."))
            return
        from desktop.operations import targets

        as_of, s = self.as_of.date().toPython(), self.ctx.session
        self.ctx.tasks.run(lambda _p: targets.dashboard(s, pid, as_of), on_done=self._loaded,
                           on_error=lambda exc: self.message.error(error_text(exc)))

    def _show_empty(self, title: str, hint: str) -> None:
        self.empty.set_text(title, hint)
        self.pages.setCurrentWidget(self.empty)

    def _loaded(self, data: Dashboard) -> None:
        if data.policy_id != self.policy.currentData() or data.as_of != self.as_of.date().toPython():
            return  # an older request finishing late; the current one is on its way
        self.data = data
        self.counted = {}
        current = self.targets.currentRow()
        self.targets.setRowCount(0)
        if not data.progress:
            self._show_empty(_("This policy sets no targets"), _("Targets (工作目标) are counted only for a policy "
                                                                  "whose text sets them."))
            return
        self.pages.setCurrentWidget(self.split)
        self.targets.setRowCount(len(data.progress))
        for row, p in enumerate(data.progress):
            text = QTableWidgetItem(f"{p.text}（{p.clause}）")
            text.setToolTip("\n\n".join([p.text, *("⚠ " + f for f in p.flags)]))
            if p.flags:
                text.setText("⚠ " + text.text())
            self.targets.setItem(row, 0, text)
            self.targets.setCellWidget(row, 1, self._bar(p))
            self.targets.setItem(row, 2, QTableWidgetItem(p.deadline.isoformat() if p.deadline else "-"))
            state, colour = state_text(p)
            item = QTableWidgetItem(state)
            from desktop.ui.qt import QBrush, QColor

            item.setForeground(QBrush(QColor(colour)))
            self.targets.setItem(row, 3, item)
            source = _(COUNTING.get(p.counting, p.counting))
            if p.counting == "entered" and p.source:
                source = _("{source}, {date}").format(source=p.source, date=p.value_date)
            self.targets.setItem(row, 4, QTableWidgetItem(source))
        self.targets.resizeRowsToContents()
        wanted = [row for row, p in enumerate(data.progress) if p.id == self.pending_target]
        self.pending_target = None
        self.targets.selectRow(wanted[0] if wanted else min(max(current, 0), len(data.progress) - 1))
        self._show_target()

    def _bar(self, p: Any) -> QProgressBar:
        return progress_bar(p)

    def current_target(self):
        row = self.targets.currentRow()
        if self.data is None or not (0 <= row < len(self.data.progress)):
            return None
        return self.data.progress[row]

    def _show_target(self) -> None:
        p = self.current_target()
        self.enter_btn.setEnabled(p is not None and p.counting == "entered")
        if p is None or self.data is None:
            self.ach_model.set_rows([])
            self.counting_label.setText("")
            return
        entered = p.counting == "entered"
        self.ach_model.columns = ENTERED_COLUMNS if entered else ACH_COLUMNS
        for column in (0, 3):
            self.tableview.setColumnHidden(column, entered)
        if entered:
            self.counting_label.setText(_("Values entered for this target (the latest on or before {date} counts)").format(
                date=p.as_of))
            self.ach_model.set_rows(self.data.counting.get(p.id, []))
            return
        got = self.counted.get(p.id)
        if got is not None:
            self._show_counting(p, got)
            return
        # the achievements counting toward it are read when it is chosen, in the background: a target
        # over a million records is counted by the database and only its newest are listed
        self.ach_model.set_rows([])
        self.counting_label.setText(_("Reading the achievements that count toward: {text}").format(text=p.text))
        from desktop.operations import targets

        data, s = self.data, self.ctx.session

        def done(got: Any) -> None:
            if self.data is not data:
                return  # another policy or date since
            self.counted[got.target_id] = got
            now = self.current_target()
            if now is not None and now.id == got.target_id:
                self._show_counting(now, got)
        self.ctx.tasks.run(lambda _p: targets.counting(s, data.policy_id, p.id, data.as_of), on_done=done,
                           on_error=lambda exc: self.message.error(error_text(exc)))

    def _show_counting(self, p: Any, got: Any) -> None:
        text = _("{n} achievements count toward: {text}").format(n=f"{got.total:,}", text=p.text)
        if got.total > len(got.rows):
            text += " " + _("(the newest {shown} are listed; the Achievements view finds any of them)").format(
                shown=f"{len(got.rows):,}")
        self.counting_label.setText(text)
        self.ach_model.set_rows(got.rows)

    def select_target(self, target_id: str) -> bool:
        """Select the target ``target_id`` with the achievements that count toward it; if the
        dashboard is still being counted, once it arrives. False if the policy has no such target."""
        self.pending_target = target_id
        for row, p in enumerate(self.data.progress if self.data else []):
            if p.id == target_id:
                self.pending_target = None
                self.targets.selectRow(row)
                return True
        return self.data is None

    def enter_value(self) -> None:
        from desktop.operations import targets

        p = self.current_target()
        if p is None or p.counting != "entered" or self.data is None:
            return
        target = targets.target(self.ctx.session, self.data.policy_id, p.id)
        # dated the dashboard's day (a figure dated later would not count on the day shown)
        dlg = EnterValueDialog(self.ctx, self.data.policy_id, target, self, self.as_of.date())
        if dlg.exec() and dlg.saved:
            self.message.ok(_("Value recorded for {target}.").format(target=target.text))


def _policy_choices() -> list[tuple[str, str]]:
    from desktop.operations.rounds import policy_choices

    return policy_choices(None)
