"""Payments (拨付) on issued notices: choose a notice, see its total, what was paid and what remains,
record a (partial) payment or take one back, and the totals per year and fund. Everything goes
through ``desktop.operations.payments`` (which checks the role and writes the audit log)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desktop.core.errors import StdAwardError, ValidationFailed
from desktop.core.i18n import _, colon
from desktop.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTimer,
    QVBoxLayout,
    QWidget,
    qconnect,
)

if TYPE_CHECKING:
    from desktop.ui.context import AppContext


def _money(value: Any) -> str:
    from desktop.core.money import format_money

    return format_money(value)


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()  # this sizes the last column to its contents too, stretched or not
    # the note takes the rest: no empty strip at the right. Qt stretches it again only when the setting
    # changes, so it is switched off and on (set once, a second filling left the note narrow)
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setStretchLastSection(True)


PAYMENT_ROWS_SHOWN = 4


class PaymentsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None, doc_number: str | None = None) -> None:
        """``doc_number``: the notice shown first (the one selected where the dialog was opened from)."""
        super().__init__(parent)
        self.ctx = ctx
        self.state: dict[str, Any] | None = None
        self._shown_for = ""  # the number (as chosen or typed) whose notice is shown
        self._first = doc_number
        self.setWindowTitle(_("Payments on notices"))
        self.resize(760, 640)
        lay = QVBoxLayout(self)
        tabs = QTabWidget()
        lay.addWidget(tabs)

        page = QWidget()
        tabs.addTab(page, _("Record a payment"))
        v = QVBoxLayout(page)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Notice (document number):")))
        self.notice = QComboBox()
        self.notice.setEditable(True)  # a 发文字号 can be typed or pasted
        typed_number = self.notice.lineEdit()
        assert typed_number is not None
        typed_number.setPlaceholderText(_("choose or type a document number"))
        top.addWidget(self.notice, 1)
        v.addLayout(top)
        self.summary = QLabel("")
        v.addWidget(self.summary)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([_("Date"), _("Voucher"), _("Amount"), _("Payment or reversal"), _("Note")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)  # a row number means nothing to the officer
        # room for a few payments and their reversals before it scrolls
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height()
                                    + PAYMENT_ROWS_SHOWN * self.table.verticalHeader().defaultSectionSize()
                                    + 2 * self.table.frameWidth())
        v.addWidget(self.table, 1)

        pay = QGroupBox(_("Record a payment"))
        f = QFormLayout(pay)
        self.date = QLineEdit(ctx.session.today().isoformat())
        self.amount = QLineEdit()
        self.amount.setPlaceholderText(_("yuan, e.g. 20000 or 20000.50"))
        self.voucher = QLineEdit()
        self.note = QLineEdit()
        f.addRow(_("Date"), self.date)
        f.addRow(_("Amount"), self.amount)
        f.addRow(_("Voucher or bank reference"), self.voucher)
        f.addRow(_("Note"), self.note)
        self.record_btn = QPushButton(_("Record payment"))
        f.addRow(self.record_btn)
        v.addWidget(pay)

        back = QGroupBox(_("Take back the selected payment"))
        f = QFormLayout(back)
        self.rev_date = QLineEdit(ctx.session.today().isoformat())
        self.rev_ref = QLineEdit()
        self.rev_reason = QLineEdit()
        f.addRow(_("Date"), self.rev_date)
        f.addRow(_("Voucher or bank reference"), self.rev_ref)
        f.addRow(_("Reason"), self.rev_reason)
        self.reverse_btn = QPushButton(_("Record the reversal"))
        f.addRow(self.reverse_btn)
        v.addWidget(back)
        self.import_btn = QPushButton(_("Import the finance bureau's spreadsheet..."))
        self.import_btn.setToolTip(_("columns 发文字号, 日期, 金额, 凭证号; every row is recorded or none"))
        v.addWidget(self.import_btn)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        v.addWidget(self.message)

        self.totals = QTableWidget(0, 5)
        self.totals.setHorizontalHeaderLabels([_("Year"), _("Fund"), _("Issued"), _("Paid"), _("Outstanding")])
        self.totals.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.totals.verticalHeader().setVisible(False)
        tabs.addTab(self.totals, _("Totals per year and fund"))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        qconnect(buttons.rejected, self.reject)
        lay.addWidget(buttons)
        qconnect(self.notice.activated, lambda _i: self.load_notice())
        typed = self.notice.lineEdit()
        assert typed is not None  # the combo box is editable
        qconnect(typed.returnPressed, self.load_notice)
        # a number typed is shown once typing pauses; until then no other notice's payments stand
        # under it (the table kept the notice shown before, while 登记拨付 went to the one typed)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(400)
        qconnect(self._typing.timeout, lambda: self.load_notice(quiet=True))
        qconnect(self.notice.editTextChanged, self._typed)
        qconnect(self.record_btn.clicked, self.record)
        qconnect(self.reverse_btn.clicked, self.reverse)
        qconnect(self.import_btn.clicked, self.import_sheet)
        # Enter records what the field being typed in belongs to: the payment or the reversal. No
        # button is the dialog's default, or Enter in the reversal's reason (or the notice's number)
        # would also press 登记拨付 — or Close
        for button in (self.record_btn, self.reverse_btn, self.import_btn, *buttons.buttons()):
            button.setAutoDefault(False)
            button.setDefault(False)
        for field in (self.date, self.amount, self.voucher, self.note):
            qconnect(field.returnPressed, self.record_btn.click)
        for field in (self.rev_date, self.rev_ref, self.rev_reason):
            qconnect(field.returnPressed, self.reverse_btn.click)
        self.refresh()

    # ------------------------------------------------------------------ reads
    def refresh(self) -> None:
        from desktop.operations import payments

        s = self.ctx.session
        self.ctx.tasks.run(lambda p: (payments.payable_notices(s), payments.totals(s)), on_done=self._refreshed,
                           on_error=self._failed)

    def _refreshed(self, result: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
        notices, totals = result
        current, self._first = self.doc_number() or self._first or "", None
        self.notice.clear()
        for n in notices:
            self.notice.addItem(_("{number} · {recipient} · outstanding {left}").format(
                number=n["doc_number"], recipient=n["recipient"], left=_money(n["outstanding"])), n["doc_number"])
        if current:
            i = self.notice.findData(current)
            if i >= 0:
                self.notice.setCurrentIndex(i)
            else:
                self.notice.setEditText(current)
        if not notices and not current:  # said plainly, not an empty list and a silent form
            self.summary.setText(_("No notice has been issued yet: once notices are issued, their payments are "
                                   "recorded here by document number."))
        _fill(self.totals, [[str(t["year"]), t["fund_name"], _money(t["issued"]), _money(t["paid"]),
                             _money(t["outstanding"])] for t in totals])
        if self.doc_number():
            self.load_notice()

    def doc_number(self) -> str:
        data = self.notice.currentData()
        text = self.notice.currentText().strip()
        if data and self.notice.itemText(self.notice.currentIndex()) == text:
            return str(data)
        return text.split(" · ")[0].strip()

    def _typed(self, _text: str) -> None:
        if self.state is not None and self.doc_number() != self._shown_for:
            self.state = None
            self.summary.setText("")
            _fill(self.table, [])
        self._typing.start()

    def load_notice(self, quiet: bool = False) -> None:
        """Show the notice whose number is chosen or typed; ``quiet``: read as the officer types (a
        number not yet whole is no notice, and not an error to tell)."""
        from desktop.operations import payments

        self._typing.stop()
        number = self.doc_number()
        if not number:
            return
        s = self.ctx.session
        self.ctx.tasks.run(lambda p: payments.notice_state(s, number), on_done=lambda st: self._arrived(number, st),
                           on_error=(lambda _exc: None) if quiet else self._failed)

    def _arrived(self, number: str, state: dict[str, Any]) -> None:
        if number == self.doc_number():  # (not: another number chosen or typed meanwhile)
            self._shown_for = number  # as typed ([] for 〔〕 is the same notice)
            self._show_state(state)

    def _show_state(self, state: dict[str, Any]) -> None:
        self.state = state
        self.summary.setText(_("{number} {recipient}: total {total}, paid {paid}, outstanding {left}").format(
            number=state["doc_number"], recipient=state["recipient"], total=_money(state["total"]),
            paid=_money(state["paid"]), left=_money(state["outstanding"])))
        rows = []
        for p in state["payments"]:
            if p["is_reversal"]:
                kind, amount = _("reversal of {ref}").format(ref=p["reverses"]), "-" + _money(p["amount"])
            else:
                kind, amount = (_("payment (reversed)") if p["reversed"] else _("payment")), _money(p["amount"])
            rows.append([p["paid_on"].isoformat(), p["reference"], amount, kind, p["note"]])
        _fill(self.table, rows)
        can = bool(state["payable"])
        self.record_btn.setEnabled(can and state["outstanding"] > 0)

    # ------------------------------------------------------------------ changes
    def record(self) -> None:
        from desktop.operations import payments

        s, number = self.ctx.session, self.doc_number()
        if not number:
            self._say(_("choose or type the notice's document number first"), error=True)
            return
        amount, day, ref, note = self.amount.text(), self.date.text().strip(), self.voucher.text(), self.note.text()
        self.ctx.tasks.run(lambda p: payments.record(s.with_progress(p), number, amount, day, ref, note or None),
                           on_done=self._changed, on_error=self._failed)

    def selected_voucher(self) -> str | None:
        if self.state is None:
            return None
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        p = self.state["payments"][rows[0].row()]
        return None if p["is_reversal"] else str(p["reference"])

    def reverse(self) -> None:
        from desktop.operations import payments

        voucher = self.selected_voucher()
        if voucher is None:
            self._say(_("select the payment to take back in the table first"), error=True)
            return
        s, number = self.ctx.session, self.doc_number()
        day, ref, reason = self.rev_date.text().strip(), self.rev_ref.text(), self.rev_reason.text()
        self.ctx.tasks.run(lambda p: payments.reverse(s.with_progress(p), number, voucher, day, ref, reason),
                           on_done=self._changed, on_error=self._failed)

    def import_sheet(self) -> None:
        from desktop.operations import payments
        from desktop.ui.files import remember, start_in

        path, _f = QFileDialog.getOpenFileName(self, _("Import the finance bureau's spreadsheet"), start_in(),
                                               _("Excel workbooks (*.xlsx)"))
        if not path:
            return
        remember(path)
        s = self.ctx.session
        self.ctx.tasks.run(lambda p: payments.import_xlsx(s.with_progress(p), path), on_done=self._imported,
                           on_error=self._failed, label=_("Importing payments..."), parent=self)

    def _imported(self, done: dict[str, Any]) -> None:
        self._say(_("{rows} payments recorded, {amount} in all, on {n} notices").format(
            rows=done["rows"], amount=_money(done["amount"]), n=len(done["notices"])))
        self.ctx.changed("payments")
        self.refresh()

    def _changed(self, state: dict[str, Any]) -> None:
        self.amount.clear()
        self.voucher.clear()
        self.note.clear()
        self.rev_ref.clear()
        self.rev_reason.clear()
        self._say(_("Recorded. Outstanding on {number}: {left}").format(number=state["doc_number"],
                                                                        left=_money(state["outstanding"])))
        self.ctx.changed("payments")
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationFailed):  # each problem with its record (a sheet's row number, a notice)
            text = "\n".join(f"{p.record}{colon()}{p.message}" for p in exc.problems if p.severity == "error")
        elif isinstance(exc, StdAwardError):
            text = str(exc)
        else:
            text = _("the payment could not be recorded; nothing was changed")
        self._say(text, error=True)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b71c1c;" if error else "color: #1b5e20;")


def open_payments_dialog(window: Any) -> None:
    """The menu entry: a fresh dialog (the notices and totals as they stand now), on the notice
    selected in the notices view when it is the one shown."""
    view = window.current_view()
    chosen = view.selected() if getattr(view, "name", "") == "notices" else []
    dlg = PaymentsDialog(window.ctx, window, chosen[0]["doc_number"] if len(chosen) == 1 else None)
    window._payments_dialog = dlg  # kept alive while shown
    dlg.show()
