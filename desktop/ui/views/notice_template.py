"""The office's notice wording (通知书措辞模板), edited with a live preview.

Each text of the template is edited in its own field; the preview below shows the notice a sample
enterprise would receive, redrawn as the officer types; problems (an unknown placeholder, a line
break, an empty closing …) are listed by field and Save stays disabled until there are none. Saving
stores a new version; notices already issued keep the wording they were printed with.

The dialog is given the current template and a ``save(template) -> version`` function, so it works
against whatever layer the window uses to store settings.
"""
from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from desktop.core.i18n import _
from desktop.operations import wording as W
from desktop.ui.qt import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
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

TEXT_FIELDS = ("opening", "line", "total", "payment", "closing")


class NoticeTemplateDialog(QDialog):
    def __init__(self, template: Mapping[str, Any], office: Mapping[str, Any],
                 save: Callable[[dict[str, Any]], int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeTemplateDialog")
        self.setWindowTitle(_("Notice wording"))
        self.office, self._save = dict(office), save
        self.version: int | None = None
        self.kinds = dict(template.get("kinds") or {})  # kept as they are: not edited here
        full = W.merged(template)
        lay = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Vertical)
        lay.addWidget(split)
        top = QWidget()
        form = QFormLayout(top)
        labels = self.labels = {"opening": _("Opening paragraph"), "line": _("Each award line"), "total": _("Total"),
                                "payment": _("Payment and contact"), "closing": _("Closing line"),
                                "cc": _("Copies to (抄送)"), "days": _("Working days to reply")}
        self.fields: dict[str, Any] = {}
        for key in TEXT_FIELDS:
            w = QLineEdit(full[key]) if key in ("total", "closing") else QPlainTextEdit(full[key])
            if isinstance(w, QPlainTextEdit):
                w.setFixedHeight(64)
            qconnect(w.textChanged, self.refresh)
            known = "、".join(f"{{{p}}}" for p in sorted(W.placeholders()[key]))
            w.setToolTip(_("Placeholders: {names}").format(names=known or _("none")))
            form.addRow(labels[key], w)
            self.fields[key] = w
        self.cc = QPlainTextEdit("\n".join(full["cc"]))
        self.cc.setFixedHeight(52)
        self.cc.setToolTip(_("One organ per line; {finance} is the finance bureau at the office's level"))
        qconnect(self.cc.textChanged, self.refresh)
        form.addRow(labels["cc"], self.cc)
        self.days = QSpinBox()
        self.days.setRange(1, 90)
        self.days.setValue(int(full["days"]))
        qconnect(self.days.valueChanged, self.refresh)
        form.addRow(labels["days"], self.days)
        split.addWidget(top)
        self.preview = QTextBrowser()
        self.preview.setObjectName("noticePreview")
        split.addWidget(self.preview)
        self.problems = QLabel()
        self.problems.setObjectName("templateProblems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #b00020")
        lay.addWidget(self.problems)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        qconnect(self.buttons.accepted, self.accept)
        qconnect(self.buttons.rejected, self.reject)
        lay.addWidget(self.buttons)
        self.resize(820, 760)
        self.refresh()

    def template(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, w in self.fields.items():
            out[key] = w.toPlainText() if isinstance(w, QPlainTextEdit) else w.text()
        out["cc"] = [ln.strip() for ln in self.cc.toPlainText().splitlines() if ln.strip()]
        out["days"] = self.days.value()
        if self.kinds:
            out["kinds"] = dict(self.kinds)
        return out

    def refresh(self) -> None:
        template = self.template()
        problems = W.problems(template)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not problems)
        self.problems.setText("\n".join(f"{self.field_label(p.field)}: {p.message}" for p in problems))
        if problems:
            return  # the last good preview stays
        text = W.sample(template, self.office)
        self.preview.setHtml(preview_html(text))

    def field_label(self, field: str) -> str:
        """The label the officer sees for a template field (never its internal key)."""
        if field.startswith("cc "):
            return _("{field}, line {n}").format(field=self.labels["cc"], n=field[3:])
        if field.startswith("kinds."):
            return _("Award line wording for one kind of achievement")
        return self.labels.get(field, _("Notice wording"))

    def accept(self) -> None:
        try:
            self.version = self._save(self.template())
        except Exception as exc:  # noqa: BLE001 - shown to the officer, the dialog stays open
            self.problems.setText(error_text(exc))
            return
        super().accept()


def preview_html(text: Mapping[str, Any]) -> str:
    """The sample notice as simple HTML: title centred, paragraphs indented, signature right."""
    esc = html.escape
    parts = [f"<p align='center' style='font-size:18pt'><b>{esc(text['title'])}</b></p>",
             f"<p>{esc(text['recipient'])}</p>"]
    parts += [f"<p style='text-indent:2em'>{esc(p)}</p>" for p in text["paragraphs"]]
    parts += [f"<p align='right'>{esc(text['signature'])}<br>{esc(text['date'])}</p>"]
    record = text.get("record") or {}
    if record.get("cc"):
        parts.append(f"<hr><p>抄送：{esc(record['cc'])}</p>")
    parts.append(f"<p>{esc(record.get('printer') or '')}　　{esc(record.get('printed_on') or '')}印发</p>")
    return "<div style='font-size:12pt'>" + "".join(parts) + "</div>"
