"""The first-run wizard: the office profile (validated as you type) and the first administrator,
or a button to open the demo database instead."""
from __future__ import annotations

from typing import Any

from desktop.core.errors import Problem, ValidationFailed
from desktop.core.i18n import _
from desktop.operations.session import Actor
from desktop.ui.context import AppContext
from desktop.ui.forms import ProblemForm
from desktop.ui.qt import QComboBox, QLabel, QLineEdit, QVBoxLayout, QWizard, QWizardPage, qconnect
from desktop.ui.tasks import error_text


def policy_choices() -> list[tuple[str, str]]:
    """(id, label) of each installed policy, for a combo box."""
    from desktop.core.policies import installed

    out = []
    for p in installed():
        label = p.get("title") or p["id"]
        if p.get("document_number"):
            label += f"（{p['document_number']}）"
        out.append((p["id"], label))
    return out


class OfficePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Your office"))
        self.setSubTitle(_("Who issues the notices. You can change this later in Settings."))
        lay = QVBoxLayout(self)
        self.form = ProblemForm()
        lay.addLayout(self.form)
        self.name = self.form.add("name", _("Issuing authority"), QLineEdit())
        self.name.setPlaceholderText(_("e.g. 莆田市城厢区市场监督管理局"))
        self.region = self.form.add("region", _("Region code (GB/T 2260)"), QLineEdit())
        self.region.setPlaceholderText("350302")
        self.region.setMaxLength(6)
        self.form.add_region_name("region")
        self.prefix = self.form.add("doc_prefix", _("Document number prefix"), QLineEdit())
        self.prefix.setPlaceholderText(_("e.g. 城市监 (gives 城市监〔2026〕1号)"))
        self.policy = self.form.add("policy", _("Policy in force"), QComboBox())
        self.policy.addItem(_("(choose later)"), None)
        for pid, label in policy_choices():
            self.policy.addItem(label, pid)
        self.signatory = self.form.add("signatory", _("Signatory (optional)"), QLineEdit())
        for w in (self.name, self.region, self.prefix, self.signatory):
            qconnect(w.textChanged, self._validate)
        self._problems: list[Problem] = []
        self._touched = False

    def values(self) -> dict[str, Any]:
        return {"name": self.name.text().strip(), "region_code": self.region.text().strip(),
                "doc_prefix": self.prefix.text().strip(), "policy_id": self.policy.currentData(),
                "signatory": self.signatory.text().strip() or None}

    def _validate(self) -> None:
        from desktop.operations.setup import office_problems

        self._problems = office_problems(self.values())
        # Only complain about fields the officer has typed in (an empty form is not an error yet).
        shown = [p for p in self._problems if self._typed(p.field)]
        self.form.show_problems(shown, {"region_code": "region"})
        self.completeChanged.emit()

    def _typed(self, field: str) -> bool:
        w = {"name": self.name, "region": self.region, "doc_prefix": self.prefix}.get(field)
        return w is None or bool(w.text()) or w.isModified()

    def isComplete(self) -> bool:
        from desktop.operations.setup import office_problems

        v = self.values()
        return bool(v["name"]) and bool(v["region_code"]) and not office_problems(v)


class AdminPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("The first administrator"))
        self.setSubTitle(_("This account manages users. Reviewers and clerks can be added later."))
        lay = QVBoxLayout(self)
        self.form = ProblemForm()
        lay.addLayout(self.form)
        self.username = self.form.add("username", _("User name"), QLineEdit())
        self.display = self.form.add("display_name", _("Full name"), QLineEdit())
        self.password = self.form.add("password", _("Password"), QLineEdit())
        self.repeat = self.form.add("repeat", _("Password again"), QLineEdit())
        for w in (self.password, self.repeat):
            w.setEchoMode(QLineEdit.EchoMode.Password)
        for w in (self.username, self.display, self.password, self.repeat):
            qconnect(w.textChanged, self._validate)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        lay.addWidget(self.error)

    def problems(self) -> list[Problem]:
        from desktop.operations.setup import admin_problems

        return admin_problems(self.username.text(), self.display.text(), self.password.text(), self.repeat.text())

    def _validate(self) -> None:
        fields = {"username": self.username, "display_name": self.display, "password": self.password,
                  "repeat": self.repeat}
        self.form.show_problems([p for p in self.problems() if fields[p.field].text()])
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.problems()


class FirstRunWizard(QWizard):
    """On accept the office and the administrator exist (one transaction); ``wants_demo`` is set
    when the officer chose the demo database instead."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.wants_demo = False
        self.server_path: Any = None  # the connection file, when the officer connected to a server instead
        self.server_dialog: Any = None
        self.created_user: Actor | None = None
        self.setObjectName("firstRunWizard")
        self.setWindowTitle(_("Set up StdAward"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.office_page, self.admin_page = OfficePage(), AdminPage()
        self.addPage(self.office_page)
        self.addPage(self.admin_page)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setButtonText(QWizard.WizardButton.CustomButton1, _("Open the demo database instead"))
        self.setOption(QWizard.WizardOption.HaveCustomButton2, True)
        self.setButtonText(QWizard.WizardButton.CustomButton2, _("Connect to the office database server..."))
        self.setButtonLayout([QWizard.WizardButton.CustomButton1, QWizard.WizardButton.CustomButton2,
                              QWizard.WizardButton.Stretch, QWizard.WizardButton.BackButton,
                              QWizard.WizardButton.NextButton, QWizard.WizardButton.FinishButton,
                              QWizard.WizardButton.CancelButton])
        qconnect(self.customButtonClicked, self._custom)
        self.setMinimumWidth(620)

    def _custom(self, which: int) -> None:
        if int(getattr(which, "value", which)) == QWizard.WizardButton.CustomButton2.value:
            self._server()
            return
        self.wants_demo = True
        self.reject()

    def _server(self) -> None:
        """Several officers share the office's server instead of a database file on this PC."""
        from desktop.ui.server_dialog import ServerDialog

        dlg = ServerDialog(self.ctx, self)
        self.server_dialog = dlg

        def finished(result: int) -> None:
            self.server_dialog = None
            if result and dlg.path is not None:
                self.server_path = dlg.path
                self.reject()
        qconnect(dlg.finished, finished)
        dlg.open()

    def accept(self) -> None:
        from desktop.operations import setup

        vals = self.office_page.values()
        a = self.admin_page
        try:
            self.created_user = setup.set_up(self.ctx.session, vals, a.username.text(), a.display.text(),
                                             a.password.text())
        except ValidationFailed as exc:
            rest = self.office_page.form.show_problems(exc.problems, {"region_code": "region"})
            rest = a.form.show_problems(rest)
            a.error.setText(error_text(ValidationFailed(rest)) if rest else "")
            return
        self.ctx.changed("office")
        super().accept()
