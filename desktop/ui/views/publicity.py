"""The 公示 of an approved round, in one dialog opened from the round view: start it (first day,
working days, where objections go, contact; the last day shown as you type, holidays and make-up
days counted), print the list, record objections against a line and close them (upheld or not, with
the reason), read the period and whether notices may go out; and save the 不予奖补告知书 of the
round's refused claims. Everything goes through ``desktop.operations.publicity``."""
from __future__ import annotations

import datetime as dt
import logging
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from desktop.core import collector
from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.ui.qt import (
    QAbstractItemView,
    QAbstractListModel,
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QModelIndex,
    QPushButton,
    QSpinBox,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
    is_alive,
    qconnect,
)
from desktop.ui.tasks import error_text
from desktop.ui.views import round_data as RD
from desktop.ui.views.round_model import passing
from desktop.ui.views.widgets import MessageBar, bold


def _qdate(day: dt.date) -> Any:
    return QDate(day.year, day.month, day.day)


def _pydate(q: Any) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class LineChoices(QAbstractListModel):
    """The round's lines an objection may be recorded against, for the dialog's combo box: one row
    per line (enterprise · achievement; the award's uuid as its data), made only for the rows shown,
    so a round of 10⁶ lines opens at once; ``find`` keeps the lines whose enterprise, credit code,
    achievement or its id holds a text (the round table's own search): over more than
    ``FIND_AT_ONCE`` lines in a worker (``runner``), a newer text stopping it, the rows as they
    were until its lines arrive (``searching`` meanwhile; ``on_found`` called then)."""

    SEARCHED = {"enterprise": None, "uscc": None}
    FIND_AT_ONCE = 20000  # (~5 ms on the UI thread; 10⁶ lines took ~200 ms there)

    def __init__(self, lines: Sequence[Any], parent: Any = None, runner: Any = None) -> None:
        super().__init__(parent)
        self.lines = lines if isinstance(lines, RD.RoundLines) else RD.RoundLines.of(lines)
        self.shown: Sequence[int] = range(len(self.lines))
        self.needle = ""
        self.runner = runner
        self.searching = False
        self.on_found: Callable[[], None] | None = None
        self._job = 0

    def find(self, text: str) -> None:
        needle = text.strip().casefold().replace("\x00", "").replace("\n", "").replace("\r", "")
        self._job += 1  # (a search still running is of no use now)
        if needle == self.needle:  # the lines shown are this text's
            self.searching = False
            if self.on_found is not None:
                self.on_found()
            return
        if not needle:  # every line: nothing to search
            self._show(needle, range(len(self.lines)))
            return
        at = self.shown if self.needle in needle else range(len(self.lines))  # typing on: the lines still shown
        if self.runner is None or len(at) <= self.FIND_AT_ONCE:
            self._show(needle, passing(self.lines, at, needle, False, None, self.SEARCHED) or array("i"))
            return
        job, lines = self._job, self.lines
        self.searching = True

        def alive() -> bool:  # (asked in the worker between slices: a newer text stops it)
            return job == self._job

        def found(shown: Sequence[int] | None) -> None:
            if is_alive(self) and job == self._job and shown is not None:
                self._show(needle, shown)

        def failed(exc: BaseException) -> None:
            if is_alive(self) and job == self._job:
                logging.getLogger(__name__).warning("lines of the round not searched: %s", exc)
                self.searching = False
                if self.on_found is not None:
                    self.on_found()

        def work(_p: Any) -> Sequence[int] | None:
            with collector.paused():
                return passing(lines, at, needle, False, alive, self.SEARCHED)

        self.runner.run(work, quiet=True, on_done=found, on_error=failed)

    def _show(self, needle: str, shown: Sequence[int]) -> None:
        self.searching = False
        self.beginResetModel()
        self.shown = shown
        self.needle = needle
        self.endResetModel()
        if self.on_found is not None:
            self.on_found()

    def text(self, pos: int) -> str:
        return f"{self.lines.get(pos, 'enterprise')} · {self.lines.get(pos, 'what')}"

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() else len(self.shown)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.shown):
            return None
        pos = self.shown[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(pos)
        if role == Qt.ItemDataRole.UserRole:
            return self.lines.get(pos, "uuid")
        return None


READ_AT_ONCE = 2000  # a round with more lines is read for the dialog in a worker


def read_choices(session: Any, round_uuid: str, progress: Any = None) -> RD.RoundLines:
    """The round's lines as the dialog's line chooser needs them (enterprise, credit code,
    achievement, its id, status and the award's uuid), a batch at a time into compact columns (no
    dict per line: 10⁶ dicts took gigabytes); safe in a worker, ``progress`` asked between batches."""
    from desktop.operations import rounds

    reader = rounds.LineReader(session, round_uuid)
    lines = RD.RoundLines()
    with collector.paused():
        for rows in reader.batches():
            for row in rows:
                lines.append(reader.choice_values(row))
            if progress is not None:
                progress.check()
    return lines


def line_combo(choices: LineChoices) -> Any:
    """A combo box showing ``choices``, sized without measuring each line's text (10⁶ of them)."""
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(40)
    combo.setModel(choices)
    combo.view().setUniformItemSizes(True)
    combo.setMaxVisibleItems(15)
    return combo


class PublicityDialog(QDialog):
    """The round's 公示 and its objections; the letters of refusal."""

    def __init__(self, ctx, round_info, lines: Sequence[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.round, self.lines = ctx, round_info, lines
        self.changed = False
        self._refused: bool | None = None  # whether a line is refused (asked when the buttons are set)
        self.setObjectName("publicityDialog")
        self.setWindowTitle(_("Publicity (公示) of the award round for {year}").format(year=round_info.year))
        self.setMinimumWidth(760)
        lay = QVBoxLayout(self)
        self.state = bold(QLabel())
        self.state.setObjectName("publicityState")
        self.state.setWordWrap(True)
        lay.addWidget(self.state)
        self.gate = QLabel()
        self.gate.setObjectName("publicityGate")
        self.gate.setWordWrap(True)
        lay.addWidget(self.gate)
        self.message = MessageBar(self)
        lay.addWidget(self.message)

        # starting the 公示
        self.start_box = QGroupBox(_("Start the publicity"))
        form = QFormLayout(self.start_box)
        self.first_day = QDateEdit()
        self.first_day.setCalendarPopup(True)
        self.first_day.setDisplayFormat("yyyy-MM-dd")
        self.first_day.setDate(_qdate(ctx.session.today()))
        self.days = QSpinBox()
        self.days.setRange(1, 60)
        self.days.setValue(5)
        self.ends = QLabel()
        self.ends.setObjectName("publicityEnds")
        self.ends.setWordWrap(True)
        self.where = QLineEdit()
        self.where.setPlaceholderText(_("e.g. the standardization section, address or mailbox"))
        self.contact = QLineEdit()
        self.contact.setPlaceholderText(_("contact person and telephone"))
        settings = getattr(ctx.office, "settings", None) or {}
        reach = "，".join(x for x in (settings.get("contact") or "", settings.get("phone") or "") if x)
        self.contact.setText(reach)
        self.start_btn = QPushButton(_("Start the publicity"))
        self.start_btn.setObjectName("startPublicity")
        form.addRow(_("First day"), self.first_day)
        form.addRow(_("Working days"), self.days)
        form.addRow("", self.ends)
        form.addRow(_("Objections to"), self.where)
        form.addRow(_("Contact"), self.contact)
        form.addRow("", self.start_btn)
        lay.addWidget(self.start_box)

        # the objections
        self.table = QTableWidget(0, 7)
        self.table.setObjectName("objections")
        self.table.setHorizontalHeaderLabels([_("Received"), _("Raised by"), _("Enterprise"), _("Achievement"),
                                              _("Objection"), _("Outcome"), _("Reason")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for i, w in enumerate((90, 110, 170, 170, 200, 70, 160)):
            self.table.setColumnWidth(i, w)
        lay.addWidget(QLabel(_("Objections")))
        lay.addWidget(self.table, 1)

        self.object_box = QGroupBox(_("Record an objection"))
        of = QFormLayout(self.object_box)
        # one row per line, made when shown (a combo box item per line froze the window at 10⁶ lines)
        self.choices = LineChoices(lines, self, runner=getattr(ctx, "tasks", None))
        self.choices.on_found = self._found
        self.line = line_combo(self.choices)
        self.line.setObjectName("objectionLine")
        self.find_line = QLineEdit()
        self.find_line.setObjectName("findObjectionLine")
        self.find_line.setClearButtonEnabled(True)
        self.find_line.setPlaceholderText(_("Find the line: enterprise, credit code, achievement or its id"))
        self.found = QLabel()
        self.found.setObjectName("objectionLinesFound")
        self._finding = QTimer(self)  # the search runs once typing pauses
        self._finding.setSingleShot(True)
        self._finding.setInterval(250)
        qconnect(self._finding.timeout, self._find)
        qconnect(self.find_line.textChanged, lambda _t: self._finding.start())
        self.lines = self.choices.lines
        self.raised_by = QLineEdit()
        self.raised_on = QDateEdit()
        self.raised_on.setCalendarPopup(True)
        self.raised_on.setDisplayFormat("yyyy-MM-dd")
        self.raised_on.setDate(_qdate(ctx.session.today()))
        self.text = QLineEdit()
        self.object_btn = QPushButton(_("Record the objection"))
        self.object_btn.setObjectName("recordObjection")
        of.addRow(_("Find"), self.find_line)
        of.addRow(_("Line"), self.line)
        of.addRow("", self.found)
        self._object_form = of
        of.setRowVisible(self.found, False)  # (shown once a search says something)
        of.addRow(_("Raised by"), self.raised_by)
        of.addRow(_("Received on"), self.raised_on)
        of.addRow(_("Objection"), self.text)
        of.addRow("", self.object_btn)
        lay.addWidget(self.object_box)

        self.close_box = QGroupBox(_("Close the chosen objection"))
        cl = QHBoxLayout(self.close_box)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("why (the enterprise and the file read it)"))
        self.upheld_btn = QPushButton(_("Upheld"))
        self.upheld_btn.setObjectName("upheld")
        self.upheld_btn.setToolTip(_("The line goes back to the preparer and the round through review again"))
        self.rejected_btn = QPushButton(_("Not upheld"))
        self.rejected_btn.setObjectName("notUpheld")
        cl.addWidget(self.reason, 1)
        cl.addWidget(self.upheld_btn)
        cl.addWidget(self.rejected_btn)
        lay.addWidget(self.close_box)

        buttons = QDialogButtonBox()
        self.print_btn = buttons.addButton(_("Print the list..."), QDialogButtonBox.ButtonRole.ActionRole)
        self.print_btn.setObjectName("printPublicity")
        self.refusals_btn = buttons.addButton(_("Letters of refusal..."), QDialogButtonBox.ButtonRole.ActionRole)
        self.refusals_btn.setObjectName("refusals")
        self.refusals_btn.setToolTip(_("A letter to each enterprise with a claim that is not eligible or a "
                                       "duplicate: the reason and the clause"))
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        qconnect(buttons.rejected, self.reject)
        lay.addWidget(buttons)

        qconnect(self.first_day.dateChanged, lambda _d: self._preview())
        qconnect(self.days.valueChanged, lambda _v: self._preview())
        qconnect(self.start_btn.clicked, self.start)
        qconnect(self.object_btn.clicked, self.record)
        qconnect(self.upheld_btn.clicked, lambda: self.close_objection(True))
        qconnect(self.rejected_btn.clicked, lambda: self.close_objection(False))
        qconnect(self.table.itemSelectionChanged, self._enable)
        qconnect(self.print_btn.clicked, self.print_list)
        qconnect(self.refusals_btn.clicked, self.save_refusals)
        self.refresh()

    # ------------------------------------------------------------------ showing
    def _find(self) -> None:
        """Only the lines holding the text typed in the combo box (the first of them chosen; a large
        round's found in the background)."""
        self.choices.find(self.find_line.text())
        if self.choices.searching:
            self._say_found(_("Searching..."))
            self.object_btn.setEnabled(False)  # (the line chosen may not hold the text)

    def _found(self) -> None:
        n = self.choices.rowCount()
        self.line.setCurrentIndex(0 if n else -1)
        self.object_btn.setEnabled(n > 0)  # no line to record an objection against
        if not self.choices.needle:
            self._say_found("")
        elif n:
            self._say_found(_("{n} line(s) found").format(n=n))
        else:
            self._say_found(_("No line of this round holds that text."))

    def _say_found(self, text: str) -> None:
        """What the search found, on its own row under the line; the row gone while there is nothing
        to say (an empty row stood between the line and who raised the objection)."""
        self.found.setText(text)
        self._object_form.setRowVisible(self.found, bool(text))

    def refresh(self) -> None:
        from desktop.operations import publicity

        self.st = publicity.state(self.ctx.session, self.round.uuid)
        self._refused = None  # (asked again: the 公示 may have changed)
        st = self.st
        if st.started:
            text = _("Publicised from {start} to {end} ({days} working days) · objections to {where} · "
                     "contact {contact}").format(start=st.starts_on, end=st.ends_on, days=st.days,
                                                  where=st.objections_to, contact=st.contact)
            for note in st.calendar_notes:
                text += "\n" + note
        elif st.round_status != "approved":
            text = _("The round is not approved: its list is publicised once a reviewer approves it.")
        else:
            text = _("The list of this round has not been publicised yet.")
        self.state.setText(text)  # (the step switched off is said once, by the gate's sentence below)
        self.gate.setText(publicity.gate_sentence(st, here=True))
        self.table.setRowCount(len(st.objections))
        for r, o in enumerate(st.objections):
            values = (o.raised_on.isoformat(), o.raised_by, o.enterprise, o.what, o.text, o.outcome_label, o.reason)
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setToolTip(v)
                self.table.setItem(r, c, item)
        self.start_box.setVisible(not st.started)
        self._preview()
        self._enable()

    def _preview(self) -> None:
        from desktop.operations import publicity

        try:
            end, notes = publicity.preview_period(self.ctx.session, _pydate(self.first_day.date()), self.days.value())
        except StdAwardError as exc:
            self.ends.setText(error_text(exc))
            return
        self.ends.setText("\n".join([_("Last day: {end}").format(end=end), *notes]))

    def selected_objection(self) -> Any:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.st.objections):
            return None
        return self.st.objections[rows[0].row()]

    def _enable(self) -> None:
        st = self.st
        approved = st.round_status == "approved"
        self.start_btn.setEnabled(approved and not st.started)
        self.object_box.setEnabled(approved and st.started)
        chosen = self.selected_objection()
        self.close_box.setEnabled(chosen is not None and chosen.outcome == "open")
        self.print_btn.setEnabled(st.started)
        if self._refused is None and approved:  # (once a reading of the 公示: a scan of every line)
            self._refused = self.lines.any_of("status", ("not_eligible", "duplicate"))
        self.refusals_btn.setEnabled(approved and bool(self._refused))

    # ------------------------------------------------------------------ actions
    def _changed(self, text: str) -> None:
        self.changed = True
        self.ctx.changed("rounds")
        self.refresh()
        self.message.ok(text)

    def start(self) -> None:
        from desktop.operations import publicity

        try:
            st = publicity.start(self.ctx.session, self.round.uuid, self.days.value(), self.where.text(),
                                 self.contact.text(), _pydate(self.first_day.date()))
        except StdAwardError as exc:
            self.message.error(error_text(exc))
            return
        self._changed(_("Publicity started: {start} to {end}.").format(start=st.starts_on, end=st.ends_on))

    def record(self) -> None:
        from desktop.operations import publicity

        uid = self.line.currentData()
        if uid is None:
            return
        try:
            o = publicity.record_objection_on(self.ctx.session, uid, self.raised_by.text(), self.text.text(),
                                              _pydate(self.raised_on.date()))
        except StdAwardError as exc:
            self.message.error(error_text(exc))
            return
        self.raised_by.clear()
        self.text.clear()
        self._changed(_("Objection by {who} recorded against {what}.").format(who=o.raised_by, what=o.what))

    def close_objection(self, upheld: bool) -> None:
        from desktop.operations import publicity

        o = self.selected_objection()
        if o is None:
            return
        try:
            done = publicity.close_objection(self.ctx.session, o.uuid, upheld, self.reason.text())
        except StdAwardError as exc:
            self.message.error(error_text(exc))
            return
        self.reason.clear()
        if upheld:
            self._changed(_("Objection upheld: {what} goes back to the preparer and the round is returned for "
                            "review.").format(what=done.what))
        else:
            self._changed(_("Objection closed as not upheld."))

    def _save_path(self, title: str, name: str) -> Path | None:
        from desktop.ui.files import remember, start_in

        path, _filter = QFileDialog.getSaveFileName(self, title, start_in(name), _("PDF files (*.pdf)"))
        if not path:
            return None
        remember(path)
        out = Path(path)
        return out if out.suffix.lower() == ".pdf" else out.with_suffix(".pdf")

    def print_list(self) -> None:
        out = self._save_path(_("Save the publicity list"), f"{self.round.year}年度拟奖补名单公示.pdf")
        if out is not None:
            self.write_list(out)

    def write_list(self, out: Path) -> None:
        from desktop.operations import publicity

        s, uid = self.ctx.session, self.round.uuid
        self.ctx.tasks.run(lambda p: publicity.print_list(s.with_progress(p), uid, out),
                           on_done=lambda path: self.message.ok(_("Saved {path}.").format(path=path)),
                           on_error=lambda exc: self.message.error(error_text(exc)),
                           label=_("Writing the PDF..."), parent=self)

    def save_refusals(self) -> None:
        out = self._save_path(_("Save the letters of refusal"), f"{self.round.year}年度不予奖补告知书.pdf")
        if out is not None:
            self.write_refusals(out)

    def write_refusals(self, out: Path) -> None:
        from desktop.operations import publicity

        s, uid = self.ctx.session, self.round.uuid

        def done(result: dict[str, Any]) -> None:
            self.message.ok(_("{n} letter(s) for {lines} claim(s) saved: {path}").format(
                n=result["letters"], lines=result["lines"], path=result["path"]))
        self.ctx.tasks.run(lambda p: publicity.write_refusals(s.with_progress(p), uid, out), on_done=done,
                           on_error=lambda exc: self.message.error(error_text(exc)),
                           label=_("Writing the PDF..."), parent=self)
