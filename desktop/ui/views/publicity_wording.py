"""The office's wording of the 公示 list and the 不予奖补告知书, edited like the notice wording: each
paragraph in its own field (its placeholders in the tooltip), a preview of both documents' texts
redrawn as the officer types, problems listed by field with Save disabled until there are none,
"Restore the default wording". Saving stores a new version (administrator, audited); letters and
lists already printed keep the wording they were printed with. Everything goes through
``desktop.operations.publicity``."""
from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from desktop.core.i18n import _, colon
from desktop.core.labels import publicity_wording_label
from desktop.ui.qt import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QSplitter,
    Qt,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    qconnect,
)
from desktop.ui.tasks import error_text
from desktop.ui.views.widgets import fit_to_screen

PLACEHOLDERS = {
    "list_opening": ("policy", "year", "count", "days", "start", "end"),
    "list_objections": ("objections_to",),
    "list_contact": ("contact",),
    "letter_opening": ("policy", "year", "count"),
    "letter_review": ("days", "office"),
    "letter_contact": ("contact",),
    "letter_closing": (),
}


class PublicityWordingDialog(QDialog):
    def __init__(self, template: Mapping[str, Any], office_name: str, save: Callable[[dict[str, Any]], int],
                 parent: QWidget | None = None) -> None:
        from desktop.operations import publicity

        super().__init__(parent)
        self.setObjectName("publicityWordingDialog")
        self.setWindowTitle(_("Wording of the publicity list and the letters of refusal"))
        self.office_name, self._save = office_name, save
        self.version: int | None = None
        full = {**publicity.default_wording(), **{k: v for k, v in template.items() if v is not None}}
        lay = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Vertical)
        lay.addWidget(split)
        top = QWidget()
        form = QFormLayout(top)
        self.fields: dict[str, QPlainTextEdit] = {}
        for key, names in PLACEHOLDERS.items():
            w = QPlainTextEdit(str(full[key]))
            w.setObjectName(key)
            w.setFixedHeight(52 if key.endswith(("contact", "closing")) else 72)
            w.setToolTip(_("Placeholders: {names}").format(names="、".join(f"{{{n}}}" for n in names) or _("none")))
            qconnect(w.textChanged, self.refresh)
            form.addRow(publicity_wording_label(key), w)
            self.fields[key] = w
        self.days = QSpinBox()
        self.days.setObjectName("letter_days")
        self.days.setRange(1, 90)
        self.days.setValue(int(full["letter_days"]))
        qconnect(self.days.valueChanged, self.refresh)
        form.addRow(publicity_wording_label("letter_days"), self.days)
        split.addWidget(top)
        self.preview = QTextBrowser()
        self.preview.setObjectName("publicityWordingPreview")
        split.addWidget(self.preview)
        self.problems = QLabel()
        self.problems.setObjectName("publicityWordingProblems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #b00020")
        lay.addWidget(self.problems)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.defaults_btn = self.buttons.addButton(_("Restore the default wording"),
                                                   QDialogButtonBox.ButtonRole.ResetRole)
        self.defaults_btn.setObjectName("restorePublicityDefaults")
        qconnect(self.defaults_btn.clicked, self.restore_defaults)
        qconnect(self.buttons.accepted, self.accept)
        qconnect(self.buttons.rejected, self.reject)
        lay.addWidget(self.buttons)
        fit_to_screen(self, 820, 780)
        self.refresh()

    def template(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: w.toPlainText() for k, w in self.fields.items()}
        out["letter_days"] = self.days.value()
        return out

    def restore_defaults(self) -> None:
        """Every text back to the default wording (stored only with Save, as a new version)."""
        from desktop.operations import publicity

        full = publicity.default_wording()
        for key, w in self.fields.items():
            w.setPlainText(str(full[key]))
        self.days.setValue(int(full["letter_days"]))
        self.refresh()

    def refresh(self) -> None:
        from desktop.operations import publicity

        template = self.template()
        problems = publicity.wording_problems(template)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not problems)
        self.problems.setText("\n".join(f"{publicity_wording_label(p.field)}{colon()}{p.message}" for p in problems))
        if problems:
            return  # the last good preview stays
        sample = publicity.wording_sample(template, self.office_name)
        self.preview.setHtml(preview_html(sample))

    def accept(self) -> None:
        try:
            self.version = self._save(self.template())
        except Exception as exc:  # noqa: BLE001 - shown to the officer, the dialog stays open
            self.problems.setText(error_text(exc))
            return
        super().accept()


def preview_html(sample: Mapping[str, list[str]]) -> str:
    """Both documents' paragraphs as simple HTML, each under its title."""
    esc = html.escape
    parts = []
    for key, title in (("list", "关于2025年度标准化奖补资金拟奖补名单的公示"), ("letter", "2025年度标准化奖补资金不予奖补告知书")):
        parts.append(f"<p align='center' style='font-size:14pt'><b>{esc(title)}</b></p>")
        paragraphs = sample[key]
        if key == "list":
            paragraphs = [paragraphs[0], "……", *paragraphs[1:]]  # the table of the list goes between
        else:
            paragraphs = [paragraphs[0], "（一）……", *paragraphs[1:]]  # the refused claims go between
        parts += [f"<p style='text-indent:2em'>{esc(p)}</p>" for p in paragraphs]
    return "<div style='font-size:12pt'>" + "".join(parts) + "</div>"
