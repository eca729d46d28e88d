"""Notices: issue the notices of an approved round (in the background, with progress and cancel),
preview them in the window (QtPdf), print through the system print dialog, save as PDF, reprint any
notice from the history (identical to the original, from its stored content), and export the round's
summary table (PDF or xlsx). For the chosen round it also shows the gate of its 公示 (running until
when, objections open, whether notices may go out), opens the 公示 dialog, and saves the round's
公示 list and its 不予奖补告知书, shown in the preview to be printed."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from desktop.core.docnames import number_list, safe_filename
from desktop.core.errors import StdAwardError
from desktop.core.i18n import N_, _, sentences
from desktop.operations.roles import allowed
from desktop.ui.files import remember, start_in
from desktop.ui.qt import (
    QBrush,
    QCheckBox,
    QColor,
    QDate,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QModelIndex,
    QPushButton,
    QSplitter,
    Qt,
    QVBoxLayout,
    QWidget,
    is_alive,
    pdf_modules,
    qconnect,
)
from desktop.ui.tablemodel import (
    ROW_ROLE,
    Column,
    ListTableModel,
    SearchProxy,
    fill_column,
    make_table,
    restore_header,
)
from desktop.ui.tasks import error_text
from desktop.ui.views.base import EmptyState, View, search_bar, stacked_pages
from desktop.ui.views.widgets import MessageBar, TableViewMixin, TitleComboBox

COLUMNS = [Column("doc_number", N_("Document number")), Column("name", N_("Enterprise")),
           Column("issued_on", N_("Date")), Column("total", N_("Total"), fmt=lambda v: _money(v), align_right=True),
           Column("status", N_("Status"), fmt=lambda s: _status(s)),
           Column("archive_printed", N_("Archive copy printed"), fmt=lambda v: "✓" if v else ""),
           Column("code", N_("Verification code"))]


def _status(status: str) -> str:
    from desktop.operations.notices import status_label

    return status_label(status)


def _money(v: Any) -> str:
    from decimal import Decimal

    from desktop.ui.tablemodel import money_text

    return money_text(Decimal(v)) if v not in (None, "") else ""


class NoticeModel(ListTableModel):
    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole:
            status = self.rows[index.row()]["status"]
            if status == "failed":
                return QBrush(QColor("#b3261e"))
            if status == "void":
                return QBrush(QColor("#6b6b6b"))
        return super().data(index, role)


# ---------------------------------------------------------------------------- the view
class NoticesView(TableViewMixin, View):
    name = "notices"
    watches = ("notices", "rounds", "office")

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        QtPdf, QtPdfWidgets = pdf_modules()
        self.preview_path: Path | None = None
        self._rendering = self._again = False
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.round_label, self.date_label = QLabel(), QLabel()
        self.round_box = TitleComboBox()  # year · policy title: shortened in the middle, never cut off
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.issue_btn, self.summary_btn = QPushButton(), QPushButton()
        self.issue_btn.setObjectName("issueButton")
        self.pending_btn = QPushButton()  # notices whose printing never finished (a crash, a failure)
        self.pending_btn.setObjectName("pendingButton")
        for w in (self.round_label, self.round_box, self.date_label, self.date, self.issue_btn, self.summary_btn,
                  self.pending_btn):
            bar.addWidget(w, 1 if w is self.round_box else 0)
        lay.addLayout(bar)
        # the round's public steps: the gate before notices, the 公示 list and the letters of refusal
        gate_bar = QHBoxLayout()
        self.gate = QLabel()
        self.gate.setObjectName("noticesGate")
        self.gate.setWordWrap(True)
        self.publicity_btn, self.list_btn, self.letters_btn = QPushButton(), QPushButton(), QPushButton()
        self.publicity_btn.setObjectName("noticesPublicity")
        self.list_btn.setObjectName("publicityList")
        self.letters_btn.setObjectName("refusalLetters")
        gate_bar.addWidget(self.gate, 1)
        for w in (self.publicity_btn, self.list_btn, self.letters_btn):
            gate_bar.addWidget(w)
        self.gate_row = QWidget()
        self.gate_row.setLayout(gate_bar)
        gate_bar.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.gate_row)
        self.preview_title: str | None = None  # set when the preview shows a 公示 list or letters
        self.gate_state: Any = None
        self.message = MessageBar(self)
        lay.addWidget(self.message)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        self.search = search_bar(ll)
        self.model = NoticeModel(COLUMNS, self)
        self.proxy = SearchProxy(self.model, self)
        self.tableview = make_table(self.name, model=self.proxy)
        ll.addWidget(self.tableview, 1)
        self.count = QLabel()
        ll.addWidget(self.count)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        pbar = QHBoxLayout()
        self.archive = QCheckBox()
        self.duplex = QCheckBox()
        self.duplex.setObjectName("duplexCheck")
        self.print_btn, self.save_btn, self.void_btn = QPushButton(), QPushButton(), QPushButton()
        self.print_btn.setObjectName("printButton")
        self.void_btn.setObjectName("voidButton")
        pbar.addWidget(self.archive)
        pbar.addWidget(self.duplex)
        pbar.addStretch(1)
        pbar.addWidget(self.void_btn)
        pbar.addWidget(self.print_btn)
        pbar.addWidget(self.save_btn)
        rl.addLayout(pbar)
        self.document = QtPdf.QPdfDocument(self)
        self.pdf_view = QtPdfWidgets.QPdfView(self)
        self.pdf_view.setDocument(self.document)
        self.pdf_view.setPageMode(QtPdfWidgets.QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QtPdfWidgets.QPdfView.ZoomMode.FitToWidth)
        self.preview_empty = EmptyState()
        self.preview_pages = stacked_pages(rl, self.pdf_view, self.preview_empty)

        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(left)
        self.split.addWidget(right)
        self.split.setSizes([680, 400])  # the table first: at 1200 px its columns up to 存档联 fit beside the page
        self.empty = EmptyState()
        self.pages = stacked_pages(lay, self.split, self.empty)

        qconnect(self.round_box.currentIndexChanged, lambda _i: self._round_changed())
        qconnect(self.issue_btn.clicked, self.issue)
        qconnect(self.summary_btn.clicked, self.export_summary)
        qconnect(self.print_btn.clicked, self.print_selected)
        qconnect(self.save_btn.clicked, self.save_selected)
        qconnect(self.pending_btn.clicked, self.save_pending)
        qconnect(self.void_btn.clicked, self.void_selected)
        qconnect(self.publicity_btn.clicked, self.open_publicity)
        qconnect(self.list_btn.clicked, self.save_list)
        qconnect(self.letters_btn.clicked, self.save_letters)
        qconnect(self.archive.toggled, lambda _on: self.preview())
        qconnect(self.search.textChanged, self._search)
        qconnect(self.tableview.selectionModel().selectionChanged, lambda *_a: self.preview())
        self.retranslate()
        if not restore_header(self.tableview, self.name):
            archive = self.tableview.fontMetrics().horizontalAdvance(_("Archive copy printed")) + 20
            for i, w in enumerate((125, 210, 84, 100, 72, archive)):
                self.tableview.setColumnWidth(i, w)
        # the enterprise's name takes what the other columns up to 存档联 leave: none of them cut at the
        # table's edge on a 1200 px screen (the verification code is a scroll away)
        keys = [c.key for c in COLUMNS]
        fill_column(self.tableview, keys.index("name"), 110,
                    keep=tuple(keys.index(k) for k in ("issued_on", "total", "status", "archive_printed")))

    # ------------------------------------------------------------------ View protocol
    def retranslate(self) -> None:
        self.round_label.setText(_("Approved round"))
        self.date_label.setText(_("Date of issue"))
        self.issue_btn.setText(_("Issue notices"))
        self.summary_btn.setText(_("Summary table..."))
        self.archive.setText(_("Archive copy (存档联)"))
        self.archive.setToolTip(_("The archive copy also shows the notes on judgment calls"))
        self.duplex.setText(_("Two-sided"))
        self.duplex.setToolTip(_("A blank page after a notice with an odd number of pages, so that every notice "
                                 "starts on a new sheet when printed on both sides"))
        self.print_btn.setText(_("Print..."))
        self.print_btn.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))  # after setText, which resets it
        self.print_btn.setToolTip(_("Print the chosen notices: all their pages, a range or the page shown (Ctrl+P)"))
        self.save_btn.setText(_("Save as PDF..."))
        self.save_btn.setToolTip(_("Save the chosen notices as one PDF file"))
        self.issue_btn.setToolTip(_("Give each award of the chosen round its notice and document number, dated as "
                                    "chosen, and print them"))
        self.void_btn.setText(_("Void..."))
        self.void_btn.setToolTip(_("Withdraw the chosen notice for good: its number stays used, its reprint "
                                   "says 作废, and its awards can be issued again"))
        self.publicity_btn.setText(_("Publicity..."))
        self.publicity_btn.setToolTip(_("公示 of the approved list, objections, and the letters of refusal"))
        self.list_btn.setText(_("Publicity list..."))
        self.list_btn.setToolTip(_("Save the round's 公示 list as PDF and show it here to print"))
        self.letters_btn.setText(_("Letters of refusal..."))
        self.letters_btn.setToolTip(_("A letter to each enterprise with a claim that is not eligible or a "
                                      "duplicate: the reason and the clause"))
        self.search.setPlaceholderText(_("Search document number, enterprise, code... (Ctrl+F)"))
        self.model.retranslate()
        self.refresh()

    def refresh(self) -> None:
        current = self.round_box.currentData()
        self.round_box.blockSignals(True)
        self.round_box.clear()
        from desktop.ui.views.round_data import policy_choices

        titles = dict(policy_choices())
        from desktop.operations import notices as ops

        for r in ops.approved_rounds(self.ctx.session):
            self.round_box.addItem(_("{year} · {policy}").format(year=r.year, policy=titles.get(r.policy_id, r.policy_id)),
                                   r.uuid)
        self.round_box.addItem(_("All notices"), None)
        i = self.round_box.findData(current) if current else 0
        self.round_box.setCurrentIndex(max(i, 0))
        self.round_box.blockSignals(False)
        self._round_changed()

    def export_name(self) -> str:
        return _("Notices")

    # ------------------------------------------------------------------ showing
    def current_round(self) -> Any:
        """The chosen approved round (uuid, year, policy_id), or None for all notices."""
        from desktop.operations import notices as ops

        uid = self.round_box.currentData()
        return next((r for r in ops.approved_rounds(self.ctx.session) if r.uuid == uid), None) if uid else None

    def _round_changed(self) -> None:
        from desktop.operations import notices as ops

        rnd = self.current_round()
        s = self.ctx.session
        rows = ops.rows(s, rnd.uuid if rnd else None)
        self.model.set_rows(rows)
        self._search(self.search.text())
        self.issue_btn.setEnabled(rnd is not None and ops.issuable(s, rnd.uuid) and allowed(s.role, "notices.issue"))
        waiting = ops.needs_print(s)
        self.pending_btn.setText(_("Print the {n} waiting notices...").format(n=waiting))
        self.pending_btn.setVisible(waiting > 0)
        self.summary_btn.setEnabled(rnd is not None)
        self.preview_title = None
        self._show_gate(rnd)
        if self.round_box.count() == 1 and not rows:
            self.empty.set_text(_("No approved round yet"), _(
                "Notices are issued for an approved award round: compute the round under Award rounds, submit it, "
                "and have a reviewer approve it."))
            self.pages.setCurrentWidget(self.empty)
        else:
            self.pages.setCurrentWidget(self.split)
        if rnd is not None and not rows:
            self.preview_empty.set_text(_("No notices for this round yet"),
                                        _("Choose the date of issue and press Issue notices."))
        else:
            self.preview_empty.set_text(_("No notice chosen"), _("Choose one or more notices to preview them."))
        if self.proxy.rowCount() and not self.tableview.selectionModel().hasSelection():
            self.tableview.selectRow(0)
        self.preview()

    def _show_gate(self, rnd: Any) -> None:
        """The chosen round's 公示 in one line, and what can be printed of it."""
        from desktop.operations import publicity

        self.gate_row.setVisible(rnd is not None)
        if rnd is None:
            return
        s = self.ctx.session
        st = publicity.state(s, rnd.uuid)
        self.gate_state = st
        self.gate.setText(publicity.gate_sentence(st))
        self.gate.setStyleSheet("" if st.may_issue else "color: #8a4b00;")
        printing = allowed(s.role, "notices.print")
        self.list_btn.setEnabled(st.started and printing)
        self.list_btn.setToolTip(_("Save the round's 公示 list as PDF and show it here to print") if st.started else
                                 _("The list is printed once its publicity has started (Publicity...)"))
        refused = publicity.refused_count(s, rnd.uuid)
        self.letters_btn.setEnabled(refused > 0 and printing)
        self.letters_btn.setToolTip(
            _("{n} claim(s) of this round are not paid: one letter to each of their enterprises, with the reason "
              "and the clause").format(n=refused) if refused else
            _("Every claim of this round is paid: there is no letter of refusal to print"))

    def _search(self, text: str) -> None:
        self.proxy.search(text)
        self.count.setText(_("{shown} of {total} notices").format(shown=self.proxy.rowCount(), total=self.model.rowCount()))

    def selected(self) -> list[dict[str, Any]]:
        rows = self.tableview.selectionModel().selectedRows()
        return [r.data(ROW_ROLE) for r in rows]

    def copy(self) -> str:
        return "archive" if self.archive.isChecked() else "enterprise"

    def preview(self) -> None:
        """Render the chosen notices (off the UI thread) and show them."""
        sel = self.selected()
        if sel:
            self.preview_title = None  # notices chosen: they replace a 公示 list or letters shown
        self.print_btn.setEnabled(bool(sel) or self.preview_title is not None)
        self.save_btn.setEnabled(bool(sel))
        self.void_btn.setEnabled(len(sel) == 1 and sel[0]["status"] != "void"
                                 and allowed(self.ctx.role, "notices.void"))
        if not sel:
            if self.preview_title is not None:
                return  # a 公示 list or letters stay shown until notices are chosen
            self.document.close()
            self.preview_path = None
            self.preview_pages.setCurrentWidget(self.preview_empty)
            return
        if self._rendering:  # one render at a time; the latest choice is rendered next
            self._again = True
            return
        ids, copy = [r["id"] for r in sel], self.copy()
        self._rendering, self._again = True, False

        def finished() -> None:
            self._rendering = False
            if self._again:
                self.preview()

        def shown(path: Path) -> None:
            if [r["id"] for r in self.selected()] == ids and self.copy() == copy:
                self.document.close()
                self.document.load(str(path))
                self.preview_path = path
                self.preview_pages.setCurrentWidget(self.pdf_view)
            else:
                self._again = True
            finished()

        def failed(exc: BaseException) -> None:
            self.message.error(error_text(exc))
            finished()
        from desktop.operations import notices as ops

        s = self.ctx.session
        self.ctx.tasks.run(lambda p: ops.preview(s.with_progress(p), ids, copy), on_done=shown, on_error=failed)

    # ------------------------------------------------------------------ actions
    def issue(self) -> None:
        """Issue the chosen round's notices once the officer confirms the 发文字号 it will use."""
        from desktop.operations.notice_plan import issue_plan
        from desktop.ui.views.widgets import confirm

        rnd = self.current_round()
        if rnd is None or self.ctx.db_path is None:
            return
        day = self.date.date().toPython()
        try:
            plan = issue_plan(self.ctx.session, rnd.uuid, day)
        except StdAwardError as exc:
            self.message.error(error_text(exc))
            return
        if plan.count == 0:
            self.message.error(_("Every award of this round is already on an issued notice: nothing to issue."))
            return
        if not plan.prefix:
            self.issue_now()  # the operation says what is missing (the office's 发文字号 prefix)
            return
        numbers = (plan.first_number if plan.count == 1 else _("{first} to {last}").format(
            first=plan.first_number, last=f"{plan.last}号"))
        text = _("Issue {count} notices dated {date}, total {total}? This will use {numbers}, "
                 "{count} document numbers in all.").format(count=plan.count, date=day.isoformat(),
                                                          total=_money(plan.total), numbers=numbers)
        confirm(self, _("Issue notices"), text, _("Issue notices"), self.issue_now,
                _("A document number once used is never given again, even if the notice is later voided."))

    def issue_now(self) -> None:
        from desktop.operations import notices as ops

        rnd = self.current_round()
        if rnd is None or self.ctx.db_path is None:
            return
        day = self.date.date().toPython()
        uid, s = rnd.uuid, self.ctx.session
        duplex = self.duplex.isChecked()

        def done(result: dict[str, Any]) -> None:
            self.ctx.changed("notices")
            self.refresh()
            self.message.ok(_("{count} notices issued ({numbers}). Saved to {path}; the archive copy to {archive}.").format(
                count=result["count"], numbers=number_list(result["numbers"]), path=result["path"],
                archive=result["archive"].name))
            self.last_issue = result

        def failed(exc: BaseException) -> None:
            self.ctx.changed("notices")
            self.refresh()
            self.message.error(error_text(exc) + "\n" + _("Notices whose printing failed keep their numbers: "
                                                          "choose them and press Save as PDF or Print to reprint."))
        self.message.clear()
        self.ctx.tasks.run(lambda p: ops.issue_and_print(s.with_progress(p), uid, day, duplex=duplex), on_done=done, on_error=failed,
                           label=_("Issuing notices..."), parent=self)

    def issue_for(self, round_uuid: str, day: dt.date) -> None:
        """Issue the notices of ``round_uuid`` dated ``day`` (choosing the round and the date, then Issue)."""
        self.refresh()
        i = self.round_box.findData(round_uuid)
        if i < 0:
            self.message.error(_("That round is not approved: notices are issued only for an approved round."))
            return
        self.round_box.setCurrentIndex(i)
        self.date.setDate(QDate(day.year, day.month, day.day))
        self.issue()

    def print_selected(self) -> None:
        from desktop.ui.views.pdf_print import print_with_dialog

        if self.preview_path is None or self.document.pageCount() < 1:
            return
        title = self.preview_title or _("Print notices {numbers}").format(
            numbers=number_list(r["doc_number"] for r in self.selected()[:3]))
        current = self.pdf_view.pageNavigator().currentPage()
        self.message.clear()
        print_with_dialog(self, self.preview_path, self.document.pageCount(), current,
                          title,
                          on_done=lambda pages: self.message.ok(_("{pages} pages sent to the printer.").format(pages=pages)),
                          on_error=lambda exc: self.message.error(error_text(exc)),
                          on_cancelled=lambda: self.message.error(_(
                              "Printing cancelled: no further pages were sent. Pages already sent may still come "
                              "out of the printer.")))

    def save_selected(self) -> None:
        sel = self.selected()
        if not sel:
            return
        suggested = safe_filename(_("Notices ({numbers})").format(numbers=number_list(r["doc_number"] for r in sel)), ".pdf")
        path, _filter = QFileDialog.getSaveFileName(self, _("Save notices as PDF"), start_in(suggested),
                                                    _("PDF files (*.pdf)"))
        if path:
            remember(path)
            self.save_to(Path(path))

    def save_to(self, out: Path) -> None:
        from desktop.operations import notices as ops

        ids, copy, s = [r["id"] for r in self.selected()], self.copy(), self.ctx.session
        duplex = self.duplex.isChecked()
        if out.suffix.lower() != ".pdf":
            out = out.with_suffix(".pdf")

        def done(path: Path) -> None:
            self.ctx.changed("notices")
            self._round_changed()
            self.message.ok(_("Saved {path}.").format(path=path))
        self.ctx.tasks.run(lambda p: ops.save(s.with_progress(p), ids, out, copy, duplex=duplex), on_done=done,
                           on_error=lambda exc: self.message.error(error_text(exc)),
                           label=_("Writing the PDF..."), parent=self)

    def export_summary(self) -> None:
        rnd = self.current_round()
        if rnd is None:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save the summary table"), start_in(_("summary-{year}.xlsx").format(year=rnd.year)),
            _("Excel workbook (*.xlsx);;PDF (*.pdf)"))
        if path:
            remember(path)
            self.summary_to(Path(path))

    def summary_to(self, out: Path) -> None:
        rnd = self.current_round()
        if rnd is None:
            return
        from desktop.operations import notices as ops

        uid, s = rnd.uuid, self.ctx.session
        self.ctx.tasks.run(lambda p: ops.write_round_summary(s.with_progress(p), uid, out),
                           on_done=lambda path: self.message.ok(_("Summary table saved to {path}.").format(path=path)),
                           on_error=lambda exc: self.message.error(error_text(exc)),
                           label=_("Writing the summary table..."), parent=self)

    def save_pending(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, _("Save the waiting notices as PDF"),
                                                    start_in(_("waiting-notices.pdf")), _("PDF files (*.pdf)"))
        if path:
            remember(path)
            self.pending_to(Path(path))

    def pending_to(self, out: Path) -> None:
        """Print every notice left pending or failed into ``out`` (their archive copies beside it)."""
        from desktop.operations import notices as ops

        if out.suffix.lower() != ".pdf":
            out = out.with_suffix(".pdf")
        archive, s = out.with_name(f"{out.stem}-存档联.pdf"), self.ctx.session

        def done(printed: list[Any]) -> None:
            self.ctx.changed("notices")
            self._round_changed()
            self.message.ok(_("{count} notices printed to {path}; their archive copies to {archive}.").format(
                count=len(printed), path=out, archive=archive.name))
        self.ctx.tasks.run(lambda p: ops.reprint_pending(s.with_progress(p), out, archive), on_done=done,
                           on_error=lambda exc: self.message.error(error_text(exc)),
                           label=_("Printing the waiting notices..."), parent=self)

    def void_selected(self) -> None:
        from desktop.ui.qt import QInputDialog

        sel = self.selected()
        if len(sel) != 1:
            return
        reason, ok = QInputDialog.getText(self, _("Void notice {number}").format(number=sel[0]["doc_number"]), _(
            "Voiding is final: the number stays used, a reprint says 作废, and the awards can be issued again on a "
            "new notice that names this one.\nWhy is it voided?"))
        if ok:
            self.void(sel[0]["doc_number"], reason)

    def void(self, number: str, reason: str) -> bool:
        from desktop.operations import notices as ops

        try:
            ops.void(self.ctx.session, number, reason)
        except StdAwardError as exc:
            self.message.error(error_text(exc))
            return False
        self.ctx.changed("notices")
        self._round_changed()
        self.message.ok(_("Notice {number} is void; its number stays used.").format(number=number))
        return True

    # ------------------------------------------------------------------ the 公示 list and the letters of refusal
    def open_publicity(self) -> None:
        """The 公示 dialog of the chosen round (the same as the round view's). Its line chooser's
        lines are read first: a large round's in the background (with progress and cancel)."""
        from desktop.operations import rounds as rops
        from desktop.ui.views import publicity

        rnd = self.current_round()
        if rnd is None:
            return
        s = self.ctx.session
        n = rops.line_count(s, rnd.uuid) or 0
        shown = self._round_screen_lines(rnd.uuid, n)
        if shown is not None:  # the round screen holds them: shared, not read a second time
            self._show_publicity(rnd, shown)
            return
        if n <= publicity.READ_AT_ONCE:
            self._show_publicity(rnd, publicity.read_choices(s, rnd.uuid))
            return
        self.ctx.tasks.run(lambda p: publicity.read_choices(s.with_progress(p), rnd.uuid, p),
                           on_done=lambda lines: self._show_publicity(rnd, lines),
                           on_error=lambda exc: self.message.error(error_text(exc)),
                           label=_("Reading the round's {n} lines...").format(n=n), parent=self)

    def _round_screen_lines(self, round_uuid: str, n: int) -> Any:
        """The round screen's lines when it shows this round with its ``n`` lines (a round of 10⁶
        lines held twice took ~940 MB), else None; the round screen is not made for this."""
        made = getattr(self.window(), "made_view", None)
        screen = made("rounds") if made is not None else None
        snap = getattr(screen, "snapshot", None)
        if snap is None or snap.round is None or snap.round.uuid != round_uuid or len(snap.lines) != n:
            return None
        return snap.lines

    def _show_publicity(self, rnd: Any, lines: Any) -> None:
        from desktop.ui.views.publicity import PublicityDialog

        if not is_alive(self):
            return
        dlg = PublicityDialog(self.ctx, rnd, lines, self)
        self.publicity_window = dlg  # kept while open

        def finished(_result: int) -> None:
            if dlg.changed:
                self.refresh()
            dlg.deleteLater()
        qconnect(dlg.finished, finished)
        dlg.open()

    def _pdf_path(self, title: str, name: str) -> Path | None:
        path, _filter = QFileDialog.getSaveFileName(self, title, start_in(name), _("PDF files (*.pdf)"))
        if not path:
            return None
        remember(path)
        out = Path(path)
        return out if out.suffix.lower() == ".pdf" else out.with_suffix(".pdf")

    def _show_document(self, path: Path, title: str) -> None:
        """Show a saved 公示 list or letters in the preview, ready for Print..."""
        self.tableview.clearSelection()
        self.document.close()
        self.document.load(str(path))
        self.preview_path, self.preview_title = path, title
        self.preview_pages.setCurrentWidget(self.pdf_view)
        self.print_btn.setEnabled(True)

    def save_list(self) -> None:
        rnd = self.current_round()
        if rnd is None:
            return
        out = self._pdf_path(_("Save the publicity list"), f"{rnd.year}年度拟奖补名单公示.pdf")
        if out is not None:
            self.list_to(out)

    def list_to(self, out: Path) -> None:
        from desktop.operations import publicity

        rnd = self.current_round()
        if rnd is None:
            return
        s, uid, year = self.ctx.session, rnd.uuid, rnd.year

        def done(path: Path) -> None:
            self._show_document(path, _("Publicity list of the award round for {year}").format(year=year))
            self.message.ok(_("Saved {path}. Press Print... to print it.").format(path=path))
        self.ctx.tasks.run(lambda p: publicity.print_list(s.with_progress(p), uid, out), on_done=done,
                           on_error=lambda exc: self.message.error(error_text(exc)),
                           label=_("Writing the PDF..."), parent=self)

    def save_letters(self) -> None:
        rnd = self.current_round()
        if rnd is None:
            return
        out = self._pdf_path(_("Save the letters of refusal"), f"{rnd.year}年度不予奖补告知书.pdf")
        if out is not None:
            self.letters_to(out)

    def letters_to(self, out: Path) -> None:
        from desktop.operations import publicity

        rnd = self.current_round()
        if rnd is None:
            return
        s, uid, year = self.ctx.session, rnd.uuid, rnd.year

        def done(result: dict[str, Any]) -> None:
            self._show_document(result["path"], _("Letters of refusal of the award round for {year}").format(year=year))
            self.message.ok(sentences(_("{n} letter(s) for {lines} claim(s) saved: {path}").format(
                n=result["letters"], lines=result["lines"], path=result["path"]), _("Press Print... to print them.")))
        self.ctx.tasks.run(lambda p: publicity.write_refusals(s.with_progress(p), uid, out), on_done=done,
                           on_error=lambda exc: self.message.error(error_text(exc)),
                           label=_("Writing the PDF..."), parent=self)
