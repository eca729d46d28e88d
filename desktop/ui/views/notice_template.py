"""The office's notice wording (通知书措辞模板), edited with a live preview.

Each text of the template is edited in its own field, and the award line of any kind of
achievement may be worded on its own (chosen from a list; empty means the general line is used);
the preview below shows the notice a sample enterprise would receive (with a line of the kind
chosen), redrawn as the officer types; "Restore the default wording" puts every text back; problems (an unknown placeholder, a line
break, an empty closing …) are listed by field and Save stays disabled until there are none. Saving
stores a new version; notices already issued keep the wording they were printed with.

The dialog is given the current template and a ``save(template) -> version`` function, so it works
against whatever layer the window uses to store settings.
"""
from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from desktop.core.i18n import _, colon
from desktop.core.labels import kind_label
from desktop.operations import wording as W
from desktop.ui.qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
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

TEXT_FIELDS = ("opening", "line", "total", "payment", "closing")


class NoticeTemplateDialog(QDialog):
    def __init__(self, template: Mapping[str, Any], office: Mapping[str, Any],
                 save: Callable[[dict[str, Any]], int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeTemplateDialog")
        self.setWindowTitle(_("Notice wording"))
        self.office, self._save = dict(office), save
        self.version: int | None = None
        self.kinds: dict[str, str] = dict(template.get("kinds") or {})  # kind → its own award line
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
            if key == "line":
                form.addRow(_("Award line for one kind"), self._kind_editor())
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
        self.defaults_btn = self.buttons.addButton(_("Restore the default wording"),
                                                   QDialogButtonBox.ButtonRole.ResetRole)
        self.defaults_btn.setObjectName("restoreDefaults")
        qconnect(self.defaults_btn.clicked, self.restore_defaults)
        qconnect(self.buttons.accepted, self.accept)
        qconnect(self.buttons.rejected, self.reject)
        lay.addWidget(self.buttons)
        fit_to_screen(self, 820, 760)
        self.refresh()

    def _kind_editor(self) -> QWidget:
        """The award line of one kind of achievement: chosen from a list, empty while the general
        line above is used; its placeholders listed; a button goes back to the general line."""
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.kind_box = QComboBox()
        self.kind_box.setObjectName("kindChoice")
        for kind in W.kinds():
            self.kind_box.addItem(kind_label(kind), kind)
        row.addWidget(self.kind_box, 1)
        self.kind_reset = QPushButton(_("Use the general award line"))
        self.kind_reset.setObjectName("kindReset")
        row.addWidget(self.kind_reset)
        lay.addLayout(row)
        self.kind_text = QPlainTextEdit()
        self.kind_text.setObjectName("kindLine")
        self.kind_text.setFixedHeight(52)
        self.kind_text.setPlaceholderText(_("Empty: this kind uses the award line above"))
        lay.addWidget(self.kind_text)
        names = "、".join(f"{{{p}}}" for p in sorted(W.placeholders()["line"]))
        self.kind_help = QLabel(_("Placeholders: {names}").format(names=names))
        self.kind_help.setObjectName("kindPlaceholders")
        self.kind_help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.kind_help)
        qconnect(self.kind_box.currentIndexChanged, lambda _i: self._show_kind())
        qconnect(self.kind_text.textChanged, self._kind_edited)
        qconnect(self.kind_reset.clicked, lambda: self.kind_text.setPlainText(""))
        self._mark_kinds()
        self._show_kind()
        return box

    def current_kind(self) -> str:
        return str(self.kind_box.currentData())

    def _show_kind(self) -> None:
        self.kind_text.blockSignals(True)
        self.kind_text.setPlainText(self.kinds.get(self.current_kind(), ""))
        self.kind_text.blockSignals(False)
        self.kind_reset.setEnabled(self.current_kind() in self.kinds)
        if hasattr(self, "preview"):
            self.refresh()

    def _kind_edited(self) -> None:
        kind, text = self.current_kind(), self.kind_text.toPlainText()
        if text.strip():
            self.kinds[kind] = text
        else:
            self.kinds.pop(kind, None)
        self.kind_reset.setEnabled(kind in self.kinds)
        self._mark_kinds()
        self.refresh()

    def _mark_kinds(self) -> None:
        """A kind worded on its own is marked in the list, so the officer sees which ones are."""
        for i in range(self.kind_box.count()):
            kind = str(self.kind_box.itemData(i))
            self.kind_box.setItemText(i, kind_label(kind) + ("  ✎" if kind in self.kinds else ""))

    def restore_defaults(self) -> None:
        """Every text back to the default wording (saved only with Save, as a new version)."""
        full = W.default_template()
        for key, w in self.fields.items():
            if isinstance(w, QPlainTextEdit):
                w.setPlainText(full[key])
            else:
                w.setText(full[key])
        self.cc.setPlainText("\n".join(full["cc"]))
        self.days.setValue(int(full["days"]))
        self.kinds = dict(full["kinds"])
        self._mark_kinds()
        self._show_kind()
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
        self.problems.setText("\n".join(f"{self.field_label(p.field)}{colon()}{p.message}" for p in problems))
        if problems:
            return  # the last good preview stays
        text = W.sample(template, self.office, kind=self.current_kind())
        self.preview.setHtml(preview_html(text))

    def field_label(self, field: str) -> str:
        """The label the officer sees for a template field (never its internal key)."""
        if field.startswith("cc "):
            return _("{field}, line {n}").format(field=self.labels["cc"], n=field[3:])
        if field.startswith("kinds."):
            return _("Award line for {kind}").format(kind=kind_label(field[6:]))
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
