"""Add or edit an enterprise, with the credit code checked as it is typed (the expected check
character is shown when only the last character is wrong)."""
from __future__ import annotations

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.ui.forms import ProblemForm
from desktop.ui.qt import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget, qconnect
from desktop.ui.tasks import error_text


class EnterpriseDialog(QDialog):
    def __init__(self, ctx, editing=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.editing, self.saved = ctx, editing, None
        self.setObjectName("enterpriseDialog")
        self.setWindowTitle(_("Edit enterprise") if editing else _("New enterprise"))
        lay = QVBoxLayout(self)
        self.form = ProblemForm()
        lay.addLayout(self.form)
        self.fields: dict[str, QLineEdit] = {}
        office = ctx.office
        for key, label in (("name", _("Name")), ("uscc", _("Unified social credit code")),
                           ("region", _("Region code")), ("address", _("Address")),
                           ("contact", _("Contact person")), ("phone", _("Phone"))):
            w = QLineEdit()
            self.fields[key] = self.form.add(key, label, w)
            qconnect(w.textChanged, self.validate)
        self.fields["uscc"].setMaxLength(20)
        self.fields["uscc"].setPlaceholderText(_("18 characters, e.g. 91350302MA2Y0KXQ4Q"))
        self.fields["region"].setMaxLength(6)
        if editing is not None:
            for key, attr in (("name", "name"), ("uscc", "uscc"), ("region", "region_code"), ("address", "address"),
                              ("contact", "contact"), ("phone", "phone")):
                self.fields[key].setText(getattr(editing, attr) or "")
        elif office is not None:
            self.fields["region"].setText(office.region_code)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        qconnect(self.buttons.accepted, self.accept)
        qconnect(self.buttons.rejected, self.reject)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.validate()

    def values(self) -> dict:
        return {k: w.text().strip() for k, w in self.fields.items()}

    def validate(self) -> bool:
        from desktop.store.edits import enterprise_problems

        if not hasattr(self, "buttons"):  # still being built
            return False
        vals = self.values()
        problems = enterprise_problems(vals, self.editing)
        shown = [p for p in problems if vals.get(p.field)]  # no complaint about an untouched empty field
        self.form.show_problems(shown)
        ok = not any(p.severity == "error" for p in problems)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(ok)
        return ok

    def accept(self) -> None:
        from desktop.store.edits import save_enterprise

        if not self.validate():
            return
        try:
            self.saved = save_enterprise(self.values(), self.ctx.username, self.editing)
        except StdAwardError as exc:
            self.error.setText(error_text(exc))
            return
        self.ctx.changed("enterprises")
        super().accept()
