"""Form helpers shared by the dialogs: a form whose fields each carry a message line that shows
the validation problem for that field as the officer types."""
from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from desktop.core.errors import Problem
from desktop.ui.qt import QFormLayout, QLabel, QWidget, qconnect

W = TypeVar("W", bound=QWidget)


class ProblemForm(QFormLayout):
    """A QFormLayout where ``add(field, label, widget)`` also adds a (hidden) message line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.labels: dict[str, QLabel] = {}
        self.messages: dict[str, QLabel] = {}
        self.widgets: dict[str, QWidget] = {}
        self.region_names: dict[str, QLabel] = {}

    def add(self, field: str, label: str, widget: W) -> W:
        """Add a row; the widget itself comes back (typed as given: ``self.name = form.add(..., QLineEdit())``)."""
        lab = QLabel(label)
        lab.setBuddy(widget)
        msg = QLabel()
        msg.setObjectName(f"problem-{field}")
        msg.setWordWrap(True)
        msg.setVisible(False)
        self.addRow(lab, widget)
        self.addRow("", msg)
        self.labels[field], self.messages[field], self.widgets[field] = lab, msg, widget
        return widget

    def set_label(self, field: str, text: str) -> None:
        self.labels[field].setText(text)

    def set_row_visible(self, field: str, visible: bool) -> None:
        self.setRowVisible(self.widgets[field], visible)
        if not visible:
            self.setRowVisible(self.messages[field], False)

    def add_region_name(self, field: str) -> QLabel:
        """Under the region code typed in ``field``, the region's name where known (福建省莆田市城厢区),
        kept up to date as the officer types; call ``update_region_name`` after a silent ``setText``."""
        hint = QLabel()
        hint.setObjectName(f"region-name-{field}")
        hint.setStyleSheet("color: #6b6b6b;")
        row, _role = self.getWidgetPosition(self.widgets[field])
        self.insertRow(row + 1, "", hint)
        self.region_names[field] = hint
        edit = self.widgets[field]
        qconnect(edit.textChanged, lambda _t: self.update_region_name(field))  # type: ignore[attr-defined]
        self.update_region_name(field)
        return hint

    def update_region_name(self, field: str) -> None:
        from desktop.core.regions import region_name

        code = self.widgets[field].text().strip()  # type: ignore[attr-defined]
        hint = self.region_names[field]
        name = region_name(code) if code else ""
        hint.setText(name if name != code else "")
        self.setRowVisible(hint, bool(hint.text()))

    def show_problems(self, problems: Iterable[Problem], aliases: dict[str, str] | None = None) -> list[Problem]:
        """Put each problem under its field; returns the ones that have no field here."""
        aliases = aliases or {}
        by_field: dict[str, list[Problem]] = {}
        rest = []
        for p in problems:
            f = aliases.get(p.field, p.field)
            if f in self.messages:
                by_field.setdefault(f, []).append(p)
            else:
                rest.append(p)
        for f, msg in self.messages.items():
            items = by_field.get(f, [])
            set_message(msg, items)
            self.setRowVisible(msg, bool(items) and self.isRowVisible(self.widgets[f]))
        return rest

    def message(self, field: str) -> str:
        """The message shown under ``field`` ("" when it is fine)."""
        return self.messages[field].text()


def set_message(label: QLabel, problems: list[Problem]) -> None:
    """Errors in red, warnings in amber; empty hides nothing by itself (the form decides)."""
    if not problems:
        label.setText("")
        return
    error = any(p.severity == "error" for p in problems)
    label.setStyleSheet("color: #b3261e;" if error else "color: #8a5a00;")
    label.setText("\n".join(p.message for p in problems))
