"""Add or edit an enterprise, with the credit code checked as it is typed (the expected check
character is shown when only the last character is wrong); merge two records of the same
enterprise; delete one (undoable). Imported when first used, not with the enterprises view."""
from __future__ import annotations

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.ui.forms import ProblemForm
from desktop.ui.qt import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QUndoCommand,
                           QVBoxLayout, QWidget, qconnect)
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


class DeleteEnterprise(QUndoCommand):
    """Delete an enterprise without achievements; undo puts it back with the same global id."""

    def __init__(self, ctx, ent_id: int, name: str) -> None:
        super().__init__(_("Delete enterprise {name}").format(name=name))
        self.ctx, self.ent_id, self.data = ctx, ent_id, None

    def redo(self) -> None:
        from desktop.store import audit
        from desktop.store.models import Enterprise, database

        with database.atomic():
            row = Enterprise.get_by_id(self.ent_id)
            self.data = dict(row.__data__)
            audit.record(self.ctx.username, "delete", "enterprise", row.uuid, {"uscc": row.uscc, "name": row.name}, None)
            row.delete_instance()
        self.ctx.changed("enterprises")

    def undo(self) -> None:
        from desktop.store import audit
        from desktop.store.models import Enterprise, database

        with database.atomic():
            row = Enterprise.create(**self.data)
            audit.record(self.ctx.username, "restore", "enterprise", row.uuid, None, {"uscc": row.uscc, "name": row.name})
        self.ctx.changed("enterprises")


class MergeDialog(QDialog):
    """Choose the record to keep and the duplicate to merge into it."""

    def __init__(self, rows: list[dict], selected: list[dict], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Merge two records of the same enterprise"))
        self.rows = sorted(rows, key=lambda r: r["name"])
        lay = QVBoxLayout(self)
        hint = QLabel(_("Choose the record to keep and the duplicate record. The duplicate's achievements move to the "
                        "kept record, its empty details fill the kept record's, and the duplicate is deleted."))
        hint.setWordWrap(True)
        lay.addWidget(hint)
        form = QFormLayout()
        self.keep, self.drop = QComboBox(), QComboBox()
        for box in (self.keep, self.drop):
            for r in self.rows:
                box.addItem(f"{r['name']} · {r['uscc']} · {r['achievements']}", r["id"])
            box.setMinimumWidth(460)
        ids = [r["id"] for r in self.rows]
        if selected:
            self.keep.setCurrentIndex(ids.index(selected[0]["id"]))
        if len(selected) > 1:
            self.drop.setCurrentIndex(ids.index(selected[1]["id"]))
        elif self.drop.currentIndex() == self.keep.currentIndex() and len(ids) > 1:
            self.drop.setCurrentIndex(1 if self.keep.currentIndex() == 0 else 0)
        form.addRow(_("Keep"), self.keep)
        form.addRow(_("Merge into it and delete"), self.drop)
        lay.addLayout(form)
        self.warn = QLabel()
        self.warn.setStyleSheet("color: #b3261e;")
        lay.addWidget(self.warn)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Merge"))
        qconnect(self.buttons.accepted, self.accept)
        qconnect(self.buttons.rejected, self.reject)
        lay.addWidget(self.buttons)
        for box in (self.keep, self.drop):
            qconnect(box.currentIndexChanged, lambda _i: self._check())
        self._check()

    def _check(self) -> None:
        same = self.keep.currentData() == self.drop.currentData()
        self.warn.setText(_("Choose two different records.") if same else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not same)

    def choice(self) -> tuple[dict, dict]:
        by_id = {r["id"]: r for r in self.rows}
        return by_id[self.keep.currentData()], by_id[self.drop.currentData()]
