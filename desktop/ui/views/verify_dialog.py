"""Check a printed notice or 不予奖补告知书: a USB barcode scanner types the QR's text (an ``SA2:``
statement) or an officer types the short verification code; the dialog shows only what was signed
(which document, issuing office by its registered name, 发文字号, recipient's credit code, total or
the number of claims refused, 成文日期) or why it is refused.
The check itself is ``operations.integrity.verify_notice_text``."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.ui.qt import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    qconnect,
)

if TYPE_CHECKING:
    from desktop.ui.context import AppContext


class VerifyNoticeDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Verify a notice"))
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(_("Scan the QR code on the notice (the scanner types it here), or type the "
                               "verification code printed beside it, then press Enter.")))
        self.input = QLineEdit()
        self.input.setPlaceholderText(_("SA2:… or the verification code"))
        lay.addWidget(self.input)
        self.check_btn = QPushButton(_("Verify"))  # the verb: "Check" is also a report column's noun (核查项)
        lay.addWidget(self.check_btn)
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        lay.addWidget(self.verdict)
        form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        for key, label in (("document", _("Document")), ("office", _("Issuing office")),
                           ("doc_number", _("Document number")), ("recipient", _("Recipient's credit code")),
                           ("total", _("Total award")), ("issued_on", _("Date of issue"))):
            value = QLabel("")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            self.labels[key] = QLabel(label)
            form.addRow(self.labels[key], value)
        lay.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        qconnect(buttons.rejected, self.reject)
        lay.addWidget(buttons)
        qconnect(self.input.returnPressed, self.check)
        qconnect(self.check_btn.clicked, self.check)
        self.ok: bool | None = None  # the last check's outcome (None: nothing checked yet)

    def check(self) -> None:
        from desktop.operations import integrity

        text = self.input.text()
        s = self.ctx.session
        self.verdict.setText(_("Checking…"))
        self.ctx.tasks.run(lambda p: integrity.verify_notice_text(s.with_progress(p), text),
                           on_done=self._show, on_error=self._refuse)

    def _clear(self) -> None:
        for label in self.fields.values():
            label.setText("")

    def _show(self, result: Any) -> None:
        from desktop.core.money import format_money

        self.ok = True
        letter = result.is_letter
        self.fields["document"].setText(_("Letter of refusal") if letter else _("Notice of award"))
        self.fields["office"].setText(result.office)
        self.fields["doc_number"].setText(result.doc_number or _("not numbered"))
        self.fields["recipient"].setText(result.recipient)
        self.labels["total"].setText(_("Claims not paid") if letter else _("Total award"))
        self.fields["total"].setText(str(result.claims) if letter or result.total is None
                                     else format_money(result.total))
        self.fields["issued_on"].setText(result.issued_on)
        self.verdict.setText(_("✔ Verified: signed by {office}. Only the values below are proven by the "
                               "signature.").format(office=result.office) if result.signed else
                             _("✔ Verified against this office's database (verification code)."))
        self.verdict.setStyleSheet("color: #1b5e20; font-weight: bold;")
        self.input.selectAll()

    def _refuse(self, exc: BaseException) -> None:
        self.ok = False
        self._clear()
        reason = str(exc) if isinstance(exc, StdAwardError) else _("the code cannot be checked here")
        self.verdict.setText(_("✘ Refused: {reason}").format(reason=reason))
        self.verdict.setStyleSheet("color: #b71c1c; font-weight: bold;")
        self.input.selectAll()


def open_verify_dialog(window: Any) -> None:
    """The menu entry: one dialog, kept while the window lives."""
    dlg = getattr(window, "_verify_notice_dialog", None)
    if dlg is None:
        dlg = VerifyNoticeDialog(window.ctx, window)
        window._verify_notice_dialog = dlg
    dlg.show()
    dlg.raise_()
    dlg.input.setFocus()
