"""Add or edit an enterprise, with the credit code checked as it is typed (the expected check
character is shown when only the last character is wrong); merge two records of the same
enterprise; delete one (undoable). Imported when first used, not with the enterprises view."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from desktop.core.errors import StaleRecord, StdAwardError
from desktop.core.i18n import _
from desktop.ui.forms import ProblemForm
from desktop.ui.qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QUndoCommand,
    QVBoxLayout,
    QWidget,
    qconnect,
)
from desktop.ui.tasks import error_text
from desktop.ui.views.widgets import close_form

if TYPE_CHECKING:
    from desktop.operations.records import DeletedEnterprise
    from desktop.ui.context import AppContext


class EnterpriseDialog(QDialog):
    """``editing`` is the enterprise's values (``records.enterprise``); ``saved`` the values after saving."""

    def __init__(self, ctx: AppContext, editing: dict[str, Any] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.editing = ctx, editing
        self.saved: dict[str, Any] | None = None
        self.setObjectName("enterpriseDialog")
        self.setWindowTitle(_("Edit enterprise") if editing else _("New enterprise"))
        lay = QVBoxLayout(self)
        self.returned = QLabel()  # the city returned some of this enterprise's records: which and why
        self.returned.setObjectName("returnedMark")
        self.returned.setWordWrap(True)
        self.returned.setStyleSheet("color: #b3261e; background: #fde7e4; padding: 6px; border-radius: 4px;")
        self.returned.setVisible(False)
        lay.addWidget(self.returned)
        if editing is not None:
            self._show_returned(editing["id"])
        self.form = ProblemForm()
        lay.addLayout(self.form)
        self.fields: dict[str, QLineEdit] = {}
        self.touched: set[str] = set()  # fields the officer typed in: a problem shows even once emptied
        office = ctx.office
        for key, label in (("name", _("Name")), ("uscc", _("Unified social credit code")),
                           ("region", _("Region code")), ("address", _("Address")),
                           ("contact", _("Contact person")), ("phone", _("Phone"))):
            w = QLineEdit()
            self.fields[key] = self.form.add(key, label, w)
            qconnect(w.textEdited, lambda _t, k=key: self.touched.add(k))
            qconnect(w.textChanged, self.validate)
        self.fields["uscc"].setMaxLength(20)
        self.fields["uscc"].setPlaceholderText(_("18 characters, e.g. 91350302MA2Y0KXQ4Q"))
        self.fields["region"].setMaxLength(6)
        self.form.add_region_name("region")
        if editing is not None:
            for key, w in self.fields.items():
                w.setText(editing.get(key) or "")
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
        self.confirmation: QMessageBox | None = None
        self._as_opened = self.values()

    def reject(self) -> None:
        """Cancel, Esc or ×: see ``close_form``."""
        close_form(self, self.values() == self._as_opened)

    def _show_returned(self, ent_id: int) -> None:
        from desktop.operations import exchange

        marks = [m for m in exchange.returned_records(self.ctx.session).values() if m["enterprise"] == ent_id]
        if marks:
            self.returned.setText("\n".join(f"{m['label']}：{exchange.returned_mark(m)}"
                                            for m in sorted(marks, key=lambda m: m["label"])))
            self.returned.setVisible(True)

    def _editing_id(self) -> int | None:
        return None if self.editing is None else self.editing["id"]

    def values(self) -> dict[str, Any]:
        return {k: w.text().strip() for k, w in self.fields.items()}

    def validate(self) -> bool:
        from desktop.operations import records

        if not hasattr(self, "buttons"):  # still being built
            return False
        vals = self.values()
        problems = records.enterprise_problems(self.ctx.session, vals, self._editing_id())
        # no complaint about an empty field the officer has not reached yet; one emptied is said at once
        shown = [p for p in problems if vals.get(p.field) or p.field in self.touched]
        self.form.show_problems(shown)
        ok = not any(p.severity == "error" for p in problems)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(ok)
        return ok

    def accept(self) -> None:
        from desktop.operations import records

        if not self.validate():
            self.touched.update(self.fields)  # Save pressed anyway: every problem under its field
            self.validate()
            return
        version = None if self.editing is None else self.editing.get("version")
        try:
            self.saved = records.save_enterprise(self.ctx.session, self.values(), self._editing_id(), version)
        except StaleRecord as exc:  # another officer saved it since this form loaded it
            from desktop.ui.stale import offer_reload

            self.error.setText(error_text(exc))
            self.stale_box = offer_reload(self, exc, self.reload)
            return
        except StdAwardError as exc:
            self.error.setText(error_text(exc))
            return
        self.ctx.changed("enterprises")
        super().accept()

    def reload(self) -> None:
        """Show the enterprise as it is now (another officer changed it) and take its version."""
        from desktop.operations import records

        ent_id = self._editing_id()
        if ent_id is None:
            return
        try:
            self.editing = records.enterprise(self.ctx.session, ent_id)
        except StdAwardError as exc:  # removed meanwhile
            self.error.setText(error_text(exc))
            self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
            return
        for key, w in self.fields.items():
            w.setText(self.editing.get(key) or "")
        self._as_opened = self.values()
        self.error.setText(_("Reloaded as it is now: make your change again."))
        self.ctx.changed("enterprises")


class DeleteEnterprise(QUndoCommand):
    """Already done when pushed (``records.delete_enterprise`` may refuse, so it runs first); undo
    puts the enterprise back with the same global id, redo deletes it again."""

    def __init__(self, ctx: AppContext, ent_id: int, deleted: DeletedEnterprise) -> None:
        super().__init__(_("Delete enterprise {name}").format(name=deleted.name))
        self.ctx, self.ent_id, self.deleted, self.first = ctx, ent_id, deleted, True

    def redo(self) -> None:
        from desktop.operations import records

        if self.first:
            self.first = False
            return
        self._run(lambda: setattr(self, "deleted", records.delete_enterprise(self.ctx.session, self.ent_id)))

    def undo(self) -> None:
        from desktop.operations import records

        self._run(lambda: records.restore_enterprise(self.ctx.session, self.deleted))

    def _run(self, step: Callable[[], object]) -> None:
        from desktop.ui.tasks import show_error

        try:
            step()
        except StdAwardError as exc:
            show_error(None, exc)
            self.setObsolete(True)
        self.ctx.changed("enterprises")


class MergeDialog(QDialog):
    """Choose the record to keep and the duplicate to merge into it."""

    def __init__(self, rows: list[dict[str, Any]], selected: list[dict[str, Any]], parent: QWidget | None = None) -> None:
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
                # the count said as one (a bare 「· 4」 after the credit code read as part of it)
                box.addItem(_("{name} · {code} · {n} achievements").format(name=r["name"], code=r["uscc"],
                                                                          n=r["achievements"]), r["id"])
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

    def choice(self) -> tuple[dict[str, Any], dict[str, Any]]:
        by_id = {r["id"]: r for r in self.rows}
        return by_id[self.keep.currentData()], by_id[self.drop.currentData()]
