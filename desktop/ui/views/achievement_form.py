"""The achievement entry form: the fields follow the kind (standard: number, level, action, rank,
drafting units; secretariat: level and body; prize: prize, grade, rank; ...), every change is checked
with the vocabulary's own validation, and evidence files can be attached and opened."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.core.errors import StaleRecord, StdAwardError
from desktop.core.i18n import N_, _
from desktop.core.labels import PRIZE_GRADES
from desktop.core.vocabulary import (
    _KIND_FIELDS,
    ACTIONS,
    BODIES,
    DOMAINS,
    KIND_FIELDS,
    KINDS,
    LEVEL_LABELS,
    PRIZES,
    kind_label,
)
from desktop.ui.forms import ProblemForm
from desktop.ui.qt import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDate,
    QDateEdit,
    QDesktopServices,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    Qt,
    QUrl,
    QVBoxLayout,
    QWidget,
    qconnect,
)
from desktop.ui.tasks import error_text
from desktop.ui.views.widgets import close_form, fit_to_screen

if TYPE_CHECKING:
    from desktop.operations.records import SavedAchievement

FIELD_LABELS = {
    "enterprise": N_("Enterprise"), "id": N_("Achievement id"), "kind": N_("Kind"), "date": N_("Date"),
    "ref": N_("Standard number / reference"), "title": N_("Title"), "level": N_("Level"),
    "action": N_("Formulate or revise"), "rank": N_("Rank among drafting units"), "body": N_("Body"),
    "prize": N_("Prize"), "grade": N_("Grade"), "domain": N_("Domain"), "accepted": N_("Accepted"),
    "units": N_("Drafting units"), "note": N_("Note"),
}
DATE_HINTS = {  # what "date" means for the kind
    "standard": N_("Publication date"), "prize": N_("Award date"), "pilot": N_("Approval or acceptance date"),
    "research": N_("Approval or acceptance date"),
}
ABC_GRADES = ("AAAAA", "AAAA", "AAA", "AA", "A")
ENUMS = {"action": ACTIONS, "body": BODIES, "prize": PRIZES, "domain": DOMAINS}


def field_label(field: str, kind: str | None = None) -> str:
    if field == "date" and kind in DATE_HINTS:
        return _(DATE_HINTS[kind])
    return _(FIELD_LABELS.get(field, field))


class AchievementForm(QDialog):
    """New achievement, or edit one (``editing`` is ``records.achievement(...)``). ``saved`` holds the
    ``records.SavedAchievement`` on accept."""

    def __init__(self, ctx, editing=None, parent: QWidget | None = None, enterprise: str | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.editing = ctx, editing
        self.saved: SavedAchievement | None = None
        self.pending: list[Path] = []  # evidence chosen before the first save
        self.touched: set[str] = set()  # problems show under fields the officer has changed (all on Save)
        self.setObjectName("achievementForm")
        self.setWindowTitle(_("Edit achievement") if editing else _("New achievement"))
        outer = QVBoxLayout(self)
        self.returned = QLabel()  # the city returned this record: its comment, above everything
        self.returned.setObjectName("returnedMark")
        self.returned.setWordWrap(True)
        self.returned.setStyleSheet("color: #b3261e; background: #fde7e4; padding: 6px; border-radius: 4px;")
        self.returned.setVisible(False)
        outer.addWidget(self.returned)
        body = QWidget()
        self.form = ProblemForm(body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from field to field, never to the scroll area
        outer.addWidget(scroll, 1)
        self.w: dict[str, Any] = {}
        self._build()
        outer.addWidget(self._evidence_box())
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        outer.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        qconnect(self.buttons.accepted, self.accept)
        qconnect(self.buttons.rejected, self.reject)
        outer.addWidget(self.buttons)
        fit_to_screen(self, 640, 720)
        if editing is not None:
            self._show_returned(editing.id)
            self._load(editing)
            self.touched = set(FIELD_LABELS)
        else:
            if enterprise:
                self.set_enterprise(enterprise)
            self._suggest_id()
            # the cursor waits in the first field the officer has to fill
            self.w["ref" if enterprise else "enterprise"].setFocus(Qt.FocusReason.OtherFocusReason)
        self._kind_changed()
        self.confirmation: QMessageBox | None = None
        self._as_opened = self._typed()

    def _typed(self) -> tuple[Any, ...]:
        """What the officer has put in the form (to tell whether closing it would lose anything)."""
        return repr(sorted(self.raw().items())), len(self.pending)

    def reject(self) -> None:
        """Cancel, Esc or the window's ×: see ``close_form``."""
        close_form(self, self._typed() == self._as_opened)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        from desktop.operations import records

        ent = QComboBox()
        ent.setEditable(True)
        ent.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        ent.addItem("", None)
        for name, uscc in records.enterprise_choices(self.ctx.session):
            ent.addItem(f"{name} · {uscc}", uscc)
        ent.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        ent.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        ent.lineEdit().setPlaceholderText(_("type part of the name or the credit code"))
        self.w["enterprise"] = self.form.add("enterprise", field_label("enterprise"), ent)
        self.w["id"] = self.form.add("id", field_label("id"), QLineEdit())
        kind = QComboBox()
        for k in KINDS:
            kind.addItem(kind_label(k), k)
        self.w["kind"] = self.form.add("kind", field_label("kind"), kind)
        date = QDateEdit(QDate.currentDate())
        date.setCalendarPopup(True)
        date.setDisplayFormat("yyyy-MM-dd")
        self.w["date"] = self.form.add("date", field_label("date"), date)
        self.w["ref"] = self.form.add("ref", field_label("ref"), QLineEdit())
        self.w["ref"].setPlaceholderText(_("e.g. GB/T 12345-2024"))
        self.w["title"] = self.form.add("title", field_label("title"), QLineEdit())
        for f in ("level", "action", "body", "prize", "grade", "domain"):
            self.w[f] = self.form.add(f, field_label(f), QComboBox())
        rank = QSpinBox()
        rank.setRange(0, 999)
        rank.setSpecialValueText(_("(choose)"))
        self.w["rank"] = self.form.add("rank", field_label("rank"), rank)
        self.w["accepted"] = self.form.add("accepted", field_label("accepted"), QCheckBox(_("accepted (验收合格)")))
        self.w["units"] = self.form.add("units", field_label("units"), QLineEdit())
        self.w["units"].setPlaceholderText(_("other drafting units, separated by ;"))
        self.w["note"] = self.form.add("note", field_label("note"), QLineEdit())
        for f in ("enterprise", "level", "action", "body", "prize", "grade", "domain"):
            qconnect(self.w[f].currentIndexChanged, lambda _i, f=f: self._touch(f))
        qconnect(self.w["kind"].currentIndexChanged, lambda _i: self._kind_changed())
        qconnect(self.w["enterprise"].editTextChanged, lambda _t: self._touch("enterprise"))
        for f in ("id", "ref", "title", "units", "note"):
            qconnect(self.w[f].textChanged, lambda _t, f=f: self._touch(f))
        qconnect(self.w["date"].dateChanged, lambda _d: self._touch("date"))
        qconnect(self.w["rank"].valueChanged, lambda _v: self._touch("rank"))
        qconnect(self.w["accepted"].toggled, lambda _v: self._touch("accepted"))

    def _touch(self, field: str) -> None:
        self.touched.add(field)
        self.validate()

    def _evidence_box(self) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(QLabel(_("Evidence files")))
        self.evidence = QListWidget()
        self.evidence.setMaximumHeight(90)
        lay.addWidget(self.evidence)
        row = QHBoxLayout()
        self.ev_add, self.ev_open, self.ev_remove = QPushButton(_("Attach file...")), QPushButton(_("Open")), QPushButton(_("Remove"))
        for b in (self.ev_add, self.ev_open, self.ev_remove):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        # clicked(bool) would hand its "checked" flag to a slot's first parameter: call them with none
        qconnect(self.ev_add.clicked, lambda: self.attach())
        qconnect(self.ev_open.clicked, lambda: self.open_evidence())
        qconnect(self.ev_remove.clicked, lambda: self.remove_evidence())
        qconnect(self.evidence.itemDoubleClicked, lambda _i: self.open_evidence())
        return box

    def _fill_enum(self, field: str, kind: str) -> None:
        box: QComboBox = self.w[field]
        current = box.currentData()
        spec = _KIND_FIELDS[kind].get(field)
        box.blockSignals(True)
        box.clear()
        box.addItem(_("(choose)"), None)
        if field == "level" and spec:
            for v in spec[2]:
                box.addItem(_(LEVEL_LABELS[v]), v)
        elif field == "grade" and spec:
            items = PRIZE_GRADES.items() if spec[1] == "prize_grade" else ((g, g) for g in ABC_GRADES)
            for v, label in items:
                box.addItem(_(label), v)
        elif field in ENUMS:
            for v, label in ENUMS[field].items():
                box.addItem(_(label), v)
        i = box.findData(current)
        box.setCurrentIndex(max(i, 0))
        box.blockSignals(False)

    def _kind_changed(self) -> None:
        kind = self.kind()
        own = KIND_FIELDS[kind]
        for f in ("level", "action", "rank", "body", "prize", "grade", "domain", "accepted"):
            self.form.set_row_visible(f, f in own)
            if f in own and isinstance(self.w[f], QComboBox):
                self._fill_enum(f, kind)
        self.form.set_row_visible("units", kind in ("standard", "prize", "gi"))
        self.form.set_label("date", field_label("date", kind))
        self.validate()

    # ------------------------------------------------------------------ values
    def kind(self) -> str:
        return self.w["kind"].currentData()

    def set_enterprise(self, uscc: str) -> None:
        box = self.w["enterprise"]
        i = box.findData(uscc)
        if i >= 0:
            box.setCurrentIndex(i)
        else:
            box.setEditText(uscc)

    def enterprise_code(self) -> str:
        box = self.w["enterprise"]
        text = box.currentText().strip()
        i = box.findText(text)
        if i > 0:
            return box.itemData(i)
        # the whole name typed (not picked from the list): the enterprise of that name, if only one has it
        named = [box.itemData(j) for j in range(1, box.count()) if box.itemText(j).rsplit(" · ", 1)[0] == text]
        if len(named) == 1:
            return named[0]
        return text.split("·")[-1].strip().upper() if text else ""

    def _typing_a_name(self) -> bool:
        """The enterprise box holds part of a name (not a credit code being typed)."""
        code = self.enterprise_code()
        return bool(code) and not all(c.isascii() and c.isalnum() for c in code)

    def _suggest_id(self) -> None:
        from desktop.operations import records

        self.w["id"].setText(records.suggest_id(self.ctx.session))

    def raw(self) -> dict[str, Any]:
        """The form as a vocabulary record (only the fields of the chosen kind)."""
        kind = self.kind()
        own = KIND_FIELDS[kind]
        d = self.w["date"].date()
        out: dict[str, Any] = {"id": self.w["id"].text().strip(), "enterprise": self.enterprise_code(), "kind": kind,
                               "date": dt.date(d.year(), d.month(), d.day()).isoformat(),
                               "ref": self.w["ref"].text().strip(), "title": self.w["title"].text().strip(),
                               "note": self.w["note"].text().strip()}
        for f in own:
            w = self.w[f]
            if isinstance(w, QComboBox):
                out[f] = w.currentData()
            elif isinstance(w, QSpinBox):
                out[f] = w.value() or None
            elif isinstance(w, QCheckBox):
                out[f] = w.isChecked()
        if kind in ("standard", "prize", "gi"):
            units = [u.strip() for u in self.w["units"].text().replace("；", ";").split(";") if u.strip()]
            if units:
                out["units"] = units
        return {k: v for k, v in out.items() if v not in (None, "")}

    def editing_id(self) -> int | None:
        return None if self.editing is None else self.editing.id

    def _show_returned(self, ach_id: int) -> None:
        from desktop.operations import exchange

        mark = exchange.returned_records(self.ctx.session).get(ach_id)
        if mark is not None:
            self.returned.setText(exchange.returned_mark(mark))
            self.returned.setVisible(True)

    def _load(self, record) -> None:
        a = record.achievement
        self.set_enterprise(a.enterprise)
        self.w["id"].setText(a.id)
        self.w["kind"].setCurrentIndex(self.w["kind"].findData(a.kind))
        self._kind_changed()
        self.w["date"].setDate(QDate(a.date.year, a.date.month, a.date.day))
        for f in ("ref", "title", "note"):
            self.w[f].setText(getattr(a, f) or "")
        for f in ("level", "action", "body", "prize", "grade", "domain"):
            i = self.w[f].findData(getattr(a, f))
            if i >= 0:
                self.w[f].setCurrentIndex(i)
        self.w["rank"].setValue(a.rank or 0)
        self.w["accepted"].setChecked(bool(a.accepted))
        self.w["units"].setText("; ".join(a.units))
        for ev in record.evidence:
            item = QListWidgetItem(ev.filename if ev.attached else _("{file} (named when loaded; no file attached)").format(
                file=ev.filename))
            item.setData(Qt.ItemDataRole.UserRole, ev.id)
            self.evidence.addItem(item)

    # ------------------------------------------------------------------ validation and saving
    def validate(self) -> bool:
        from desktop.operations import records

        if not hasattr(self, "buttons"):
            return False
        problems = records.achievement_problems(self.ctx.session, self.raw(), self.editing_id())
        shown = [p for p in problems if p.field in self.touched or p.field not in FIELD_LABELS]
        if self._typing_a_name():  # a name, not a code: say what to do rather than count its characters
            shown = [dataclasses.replace(p, message=_("no enterprise has this name: choose one from the list, "
                                                      "or type its credit code"))
                     if p.field == "enterprise" else p for p in shown]
        rest = self.form.show_problems(shown)
        self.error.setText("\n".join(p.message for p in rest))
        return not any(p.severity == "error" for p in problems)

    def problem(self, field: str) -> str:
        """The message shown under a field ("" when fine): for tests and accessibility."""
        return self.form.message(field)

    def accept(self) -> None:
        from desktop.operations import records

        self.touched = set(FIELD_LABELS)
        if not self.validate():
            return
        raw = self.raw()
        duplicates = records.duplicate_problems(raw, self.editing_id())
        if duplicates and QMessageBox.question(
                self, _("Same achievement recorded twice?"),
                _("{problem}\n\nSave it again all the same?").format(problem=duplicates[0].message),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            return
        version = None if self.editing is None else self.editing.version
        try:
            self.saved = records.save_achievement(self.ctx.session, raw, self.editing_id(), list(self.pending),
                                                  version=version)
        except StaleRecord as exc:  # another officer saved it since this form loaded it
            from desktop.ui.stale import offer_reload

            self.error.setText(error_text(exc))
            self.stale_box = offer_reload(self, exc, self.reload)
            return
        except (StdAwardError, OSError) as exc:
            self.error.setText(error_text(exc))
            return
        self.ctx.changed("achievements")
        super().accept()

    def reload(self) -> None:
        """Show the achievement as it is now (another officer changed it) and take its version."""
        from desktop.operations import records

        ach_id = self.editing_id()
        if ach_id is None:
            return
        try:
            self.editing = records.achievement(self.ctx.session, ach_id)
        except StdAwardError as exc:  # removed meanwhile
            self.error.setText(error_text(exc))
            self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
            return
        self.evidence.clear()
        self._load(self.editing)
        self.error.setText(_("Reloaded as it is now: make your change again."))
        self.ctx.changed("achievements")

    # ------------------------------------------------------------------ evidence
    def attach(self, paths: list[str] | None = None) -> None:
        from desktop.operations import records

        if not isinstance(paths, (list, tuple)):
            from desktop.ui.files import remember, start_in

            paths, _filter = QFileDialog.getOpenFileNames(self, _("Attach evidence"), start_in(),
                                                         _("Documents (*.pdf *.jpg *.jpeg *.png *.doc *.docx *.ofd);;All files (*)"))
            if paths:
                remember(paths[0])
        for p in paths:
            item = QListWidgetItem(Path(p).name)
            if self.editing is None:
                self.pending.append(Path(p))
                item.setData(Qt.ItemDataRole.UserRole + 1, str(p))
            else:
                try:
                    ev = records.attach_evidence(self.ctx.session, self.editing.id, Path(p))
                except StdAwardError as exc:
                    self.error.setText(error_text(exc))
                    continue
                item.setData(Qt.ItemDataRole.UserRole, ev.id)
                self.ctx.changed("achievements")
            self.evidence.addItem(item)

    def _item_path(self, item: QListWidgetItem) -> Path | None:
        from desktop.operations import records

        ev_id = item.data(Qt.ItemDataRole.UserRole)
        if ev_id is not None:
            return records.evidence_to_open(self.ctx.session, ev_id)  # under its own name, not its hash
        pending = item.data(Qt.ItemDataRole.UserRole + 1)
        return Path(pending) if pending else None

    def open_evidence(self) -> None:
        item = self.evidence.currentItem()
        if item is None:
            return
        try:
            path = self._item_path(item)
        except StdAwardError as exc:
            self.error.setText(error_text(exc))
            return
        if path is None:
            return
        if not path.is_file():
            self.error.setText(_("{file} cannot be found any more").format(file=path))
        elif not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.error.setText(_("No program on this computer opens {file}").format(file=path.name))

    def remove_evidence(self) -> None:
        from desktop.operations import records

        item = self.evidence.currentItem()
        if item is None:
            return
        ev_id = item.data(Qt.ItemDataRole.UserRole)
        if ev_id is not None:
            try:
                records.remove_evidence(self.ctx.session, ev_id)
            except StdAwardError as exc:
                self.error.setText(error_text(exc))
                return
            self.ctx.changed("achievements")
        else:
            self.pending = [p for p in self.pending if str(p) != item.data(Qt.ItemDataRole.UserRole + 1)]
        self.evidence.takeItem(self.evidence.row(item))
