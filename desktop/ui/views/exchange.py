"""Exchange: export this office's package to a folder (a USB stick), optionally with a passphrase;
import a package after a dry run that shows what is new, updated, unchanged, in conflict or rejected
(with reasons), conflicts resolved side by side and everything applied in one transaction; for a
city office, the county keys it trusts and the consolidation report."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from desktop.core.i18n import N_, _, colon
from desktop.core.regions import region_name, shown_region
from desktop.operations.exchange import CATEGORIES
from desktop.operations.exchange import TABLES as TABLE_LABELS
from desktop.ui.files import kept_text
from desktop.ui.qt import (
    QAbstractItemView,
    QBrush,
    QButtonGroup,
    QColor,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    is_alive,
    qconnect,
)
from desktop.ui.tablemodel import Column, ListTableModel, make_table
from desktop.ui.tasks import error_text
from desktop.ui.views.base import View
from desktop.ui.views.round_data import when
from desktop.ui.views.widgets import MessageBar, TableViewMixin, bold

LOG_COLUMNS = [Column("at", N_("When"), fmt=when), Column("direction", N_("Direction")), Column("office", N_("Office")),
               Column("sequence", N_("No."), align_right=True), Column("counts", N_("Records")),
               Column("path", N_("File"))]
OFFICE_COLUMNS = [Column("name", N_("Office")), Column("region", N_("Region"), fmt=shown_region), Column("fingerprint", N_("Key fingerprint")),
                  Column("last_sequence", N_("Last package"), align_right=True,
                         fmt=lambda n: str(n) if n else "-")]  # none imported yet: no number, not 0


# ---------------------------------------------------------------------------- export
class ExportDialog(QDialog):
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from desktop.operations import exchange

        self.ctx = ctx
        s = ctx.session
        self.result_info = None
        self.setObjectName("exportDialog")
        self.setWindowTitle(_("Export a package"))
        self.setMinimumWidth(560)
        lay = QVBoxLayout(self)
        what = QGroupBox(_("What to export"))
        wl = QGridLayout(what)
        self.all_rb, self.year_rb, self.since_rb = (QRadioButton(_("Everything")), QRadioButton(_("One year")),
                                                    QRadioButton(_("Changes since the last export")))
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(dt.date.today().year - 1)
        last = exchange.last_export(s)
        self.since_rb.setEnabled(last is not None)
        self.since_rb.setToolTip(_("last export: {when}").format(when=when(last)) if last else _("no export yet"))
        self.all_rb.setChecked(True)
        wl.addWidget(self.all_rb, 0, 0)
        wl.addWidget(self.year_rb, 1, 0)
        wl.addWidget(self.year, 1, 1)
        wl.addWidget(self.since_rb, 2, 0)
        lay.addWidget(what)
        form = QFormLayout()
        folder_row = QHBoxLayout()
        self.folder = QLineEdit()
        self.folder.setPlaceholderText(_("e.g. the USB stick"))
        browse = QPushButton(_("Browse..."))
        qconnect(browse.clicked, self._browse)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        form.addRow(_("Folder"), folder_row)
        self.filename = QLineEdit(exchange.default_name(s, None))
        form.addRow(_("File name"), self.filename)
        self.passphrase, self.repeat = QLineEdit(), QLineEdit()
        for w in (self.passphrase, self.repeat):
            w.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(_("optional: encrypts the package"))
        form.addRow(_("Passphrase"), self.passphrase)
        form.addRow(_("Repeat"), self.repeat)
        lay.addLayout(form)
        self.evidence = QLabel()  # the evidence the package will carry and the room on the stick
        self.evidence.setObjectName("exportEvidence")
        self.evidence.setWordWrap(True)
        lay.addWidget(self.evidence)
        self.message = MessageBar(self)
        lay.addWidget(self.message)
        self.preview: dict[str, Any] | None = None
        self._preview_seq = 0
        self._room_said = ""  # the too-small sentence last shown
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(250)
        qconnect(self._preview_timer.timeout, self.update_preview)
        for rb in (self.all_rb, self.year_rb, self.since_rb):
            qconnect(rb.toggled, lambda on: on and self._preview_timer.start())
        qconnect(self.year.valueChanged, lambda _v: self.year_rb.isChecked() and self._preview_timer.start())
        qconnect(self.folder.textChanged, lambda _t: self._preview_timer.start())
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Export"))
        qconnect(self.buttons.accepted, self.export)
        qconnect(self.buttons.rejected, self.reject)
        lay.addWidget(self.buttons)
        qconnect(self.year.valueChanged,
                 lambda v: self.year_rb.isChecked() and self.filename.setText(exchange.default_name(s, v)))

    def _browse(self) -> None:
        from desktop.ui.files import start_in

        folder = QFileDialog.getExistingDirectory(self, _("Choose the folder"), self.folder.text() or start_in())
        if folder:
            self.folder.setText(folder)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.preview is None and self._preview_seq == 0:
            self.update_preview()

    def update_preview(self) -> None:
        """Before writing: how many evidence files (and MB) the selection carries, the folder's free
        space, and whether the stick is too small, read off the UI thread (it reads file sizes)."""
        from desktop.operations import exchange

        self._preview_timer.stop()
        self._preview_seq += 1
        seq, s = self._preview_seq, self.ctx.session
        folder = Path(self.folder.text().strip()) if self.folder.text().strip() else None
        year = self.year.value() if self.year_rb.isChecked() else None
        since = self.since_rb.isChecked()
        self.evidence.setText(_("Counting the evidence files not sent before..."))

        def done(info: dict[str, Any]) -> None:
            if seq == self._preview_seq and is_alive(self):
                self._show_preview(info)

        def failed(exc: BaseException) -> None:
            if seq == self._preview_seq and is_alive(self):
                self.evidence.setText(error_text(exc))
        self.ctx.tasks.run(lambda p: exchange.export_preview(s.with_progress(p), folder, year=year, since_last=since),
                           on_done=done, on_error=failed, quiet=True)

    def _show_preview(self, info: dict[str, Any]) -> None:
        self.preview = info
        mb = f"{info['bytes'] / (1 << 20):.1f}"
        if info["files"]:
            text = _("The package will carry {n} evidence files not sent before ({size} MB).").format(n=info["files"], size=mb)
        elif info.get("attached"):
            text = _("No evidence file to carry: every one was sent before.")
        else:  # nothing attached at all: "sent before" would be untrue
            text = _("No evidence file to carry: none is attached to these records.")
        if info["free"] is not None:
            text += " " + _("Free space in the folder: {free} MB.").format(free=f"{info['free'] / (1 << 20):.1f}")
        elif not self.folder.text().strip():
            text += " " + _("Choose the folder to see its free space.")
        self.evidence.setText(text)
        if info["problem"]:
            self.message.error(info["problem"])
        elif self.message.kind == "error" and self.message.text() == self._room_said:
            self.message.clear()  # another folder or selection fits
        self._room_said = info["problem"] or ""

    def export(self) -> None:
        from desktop.operations import exchange

        if self.passphrase.text() != self.repeat.text():
            self.message.error(_("The two passphrases differ."))
            return
        if not self.folder.text().strip() or not self.filename.text().strip():
            self.message.error(_("Choose the folder and the file name."))
            return
        out = Path(self.folder.text().strip()) / self.filename.text().strip()
        year = self.year.value() if self.year_rb.isChecked() else None
        since, passphrase, s = self.since_rb.isChecked(), self.passphrase.text() or None, self.ctx.session

        def work(p):
            return exchange.export(s.with_progress(p), out, year=year, since_last=since, passphrase=passphrase)

        def done(res) -> None:
            self.result_info = res
            self.ctx.changed("exchange")
            self.accept()
        self.message.clear()
        self.ctx.tasks.run(work, on_done=done, on_error=lambda exc: self.message.error(error_text(exc)),
                           on_cancelled=lambda: self.message.info(_("Cancelled: no package was written.")),
                           label=_("Writing the package..."), parent=self)


# ---------------------------------------------------------------------------- import
class ImportDialog(QDialog):
    """The dry run's summary, conflicts side by side, then the import in one transaction."""

    def __init__(self, ctx, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.path = ctx, Path(path)
        self.plan = None
        self.result = None
        self.reply: dict[str, Any] | None = None  # the checked package is the city's reply
        self.resolutions: dict[str, str] = {}
        self.setObjectName("importDialog")
        self.setWindowTitle(_("Import {file}").format(file=self.path.name))
        self.resize(900, 620)
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(_("passphrase, if the package is encrypted"))
        self.check_btn = QPushButton(_("Check the package"))
        top.addWidget(QLabel(_("Passphrase")))
        top.addWidget(self.passphrase, 1)
        top.addWidget(self.check_btn)
        lay.addLayout(top)
        self.office = bold(QLabel())
        self.office.setWordWrap(True)
        lay.addWidget(self.office)
        self.counts = QLabel()
        self.counts.setObjectName("importCounts")
        lay.addWidget(self.counts)
        self.message = MessageBar(self)
        lay.addWidget(self.message)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([_("Record"), _("Reason")])
        self.tree.setColumnWidth(0, 260)
        split.addWidget(self.tree)
        right = self.conflict_panel = QWidget()  # hidden for a reply: it carries no records to conflict
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(bold(QLabel(_("Conflicts: this database and the package side by side"))))
        self.conflicts = QListWidget()
        rl.addWidget(self.conflicts, 1)
        self.sides = QTableWidget(0, 3)
        self.sides.setHorizontalHeaderLabels([_("Field"), _("This database"), _("Package")])
        self.sides.verticalHeader().setVisible(False)
        self.sides.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sides.horizontalHeader().setStretchLastSection(True)
        self.sides.setColumnWidth(1, 170)
        rl.addWidget(self.sides, 2)
        choice = QHBoxLayout()
        self.keep_rb, self.take_rb = QRadioButton(_("Keep this database's version")), QRadioButton(_("Take the package's version"))
        self.choice_group = QButtonGroup(self)
        self.choice_group.addButton(self.keep_rb)
        self.choice_group.addButton(self.take_rb)
        choice.addWidget(self.keep_rb)
        choice.addWidget(self.take_rb)
        rl.addLayout(choice)
        split.addWidget(right)
        split.setSizes([450, 450])
        lay.addWidget(split, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.import_btn = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_btn.setText(_("Import"))
        self.import_btn.setEnabled(False)
        qconnect(self.buttons.accepted, self.apply)
        qconnect(self.buttons.rejected, self.reject)
        lay.addWidget(self.buttons)
        qconnect(self.check_btn.clicked, self.check)
        qconnect(self.conflicts.currentRowChanged, self._show_conflict)
        qconnect(self.keep_rb.toggled, lambda on: on and self._resolve("keep"))
        qconnect(self.take_rb.toggled, lambda on: on and self._resolve("take"))
        self._set_choice_enabled(False)

    def check(self) -> None:
        """The dry run, off the UI thread: verify and classify, changing nothing."""
        from desktop.operations import exchange

        path, passphrase, s = self.path, self.passphrase.text() or None, self.ctx.session

        def work(p):
            return exchange.plan_import(s.with_progress(p), path, passphrase)
        self.message.clear()
        self.ctx.tasks.run(work, on_done=self._planned, on_error=self._failed, label=_("Checking the package..."),
                           parent=self)

    def _failed(self, exc: BaseException) -> None:
        self.message.error(error_text(exc))
        self.import_btn.setEnabled(False)

    def _planned(self, plan) -> None:
        self.plan = plan
        self.resolutions = {}
        info = plan.office
        self.office.setText(_("From {office} (region {region}), package no. {seq}").format(
            office=plan.package.office_name, region=region_name(info.get("region")) or "-", seq=info.get("sequence")))
        counts = plan.counts()
        self.counts.setText("   ".join(f"{_(label)}{colon()}{counts[key]}" for key, label in CATEGORIES))
        self.tree.clear()
        for key, label in CATEGORIES:
            items = getattr(plan, key)
            top = QTreeWidgetItem([f"{_(label)} ({counts[key]})", ""])  # the plan lists a sample of many
            self.tree.addTopLevelItem(top)
            if key == "unchanged":
                continue  # only counted: a large import holds many
            for item in items[:2000]:
                child = QTreeWidgetItem([f"{_(TABLE_LABELS.get(item.table, item.table))}{colon()}{item.label}", item.reason])
                child.setToolTip(0, child.text(0))  # a long enterprise name is cut at the column's edge
                child.setToolTip(1, item.reason)
                if key in ("conflicts", "rejected"):
                    child.setForeground(1, QBrush(QColor("#b3261e")))
                top.addChild(child)
            top.setExpanded(key in ("conflicts", "rejected") or len(items) <= 20)
        self.conflicts.clear()
        for c in plan.conflicts:
            self.conflicts.addItem(QListWidgetItem(f"{_(TABLE_LABELS.get(c.table, c.table))}{colon()}{c.label}"))
        from desktop.operations import exchange

        self.reply = exchange.reply_preview(self.ctx.session, plan)
        self.conflict_panel.setVisible(self.reply is None)
        self.tree.setHeaderLabels([_("Record"), _("Reason")])
        if self.reply is not None:
            self._show_reply(self.reply)
        if plan.already_imported:
            self.message.info(_("This package was imported before; importing it again changes nothing."))
        elif self.reply is not None:
            self.message.info(_("This is the city's reply on your submission: press Import to keep it (the overview "
                                "and the achievements then show what was returned and why)."))
        elif not plan.changes_anything and not plan.conflicts:
            self.message.info(_("Nothing to import: every record is already here."))
        else:
            self.message.info(_("Nothing has changed yet. Resolve the conflicts you can, then press Import: "
                                "everything is applied in one transaction."))
        from desktop.operations.roles import allowed

        if not allowed(self.ctx.role, "exchange.import"):
            self.message.info(_("Only a clerk or an administrator imports a package; this one was checked, "
                                "nothing was changed."))
        self.import_btn.setEnabled((plan.changes_anything or bool(plan.conflicts)
                                    or (self.reply is not None and not plan.already_imported))
                                   and allowed(self.ctx.role, "exchange.import"))
        if plan.conflicts:
            self.conflicts.setCurrentRow(0)

    def _show_reply(self, reply: dict[str, Any]) -> None:
        """A reply carries no records: the decision, the city's note and its comments on records."""
        self.office.setText(_("The reply of {office} on {year}: {decision}").format(
            office=reply["office"], year=reply["year"], decision=reply["decision_label"]))
        self.counts.setText(_("Note: {comment}").format(comment=reply["comment"] or "-"))
        self.tree.clear()
        self.tree.setHeaderLabels([_("Record"), _("The city's comment")])
        top = QTreeWidgetItem([_("Records commented on ({n})").format(n=len(reply["remarks"])), ""])
        self.tree.addTopLevelItem(top)
        for r in reply["remarks"]:
            child = QTreeWidgetItem([r["label"] if r["exists"] else _("{record} (not in this database)").format(
                record=r["label"]), r["comment"]])
            child.setToolTip(0, child.text(0))
            child.setToolTip(1, r["comment"])
            top.addChild(child)
        top.setExpanded(True)

    def _set_choice_enabled(self, on: bool) -> None:
        self.keep_rb.setEnabled(on)
        self.take_rb.setEnabled(on)

    def _show_conflict(self, row: int) -> None:
        self.sides.setRowCount(0)
        if self.plan is None or not (0 <= row < len(self.plan.conflicts)):
            self._set_choice_enabled(False)
            return
        c = self.plan.conflicts[row]
        keys = list(dict.fromkeys([*c.fields, *c.mine.keys(), *c.theirs.keys()]))
        self.sides.setRowCount(len(keys))
        for i, k in enumerate(keys):
            cells = [k, _cell(c.mine.get(k)), _cell(c.theirs.get(k))]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if k in c.fields:
                    item.setBackground(QBrush(QColor("#fff4d6")))
                self.sides.setItem(i, j, item)
        self._set_choice_enabled(True)
        choice = self.resolutions.get(c.key)
        self.choice_group.setExclusive(False)
        self.keep_rb.setChecked(choice == "keep_mine")
        self.take_rb.setChecked(choice == "take_theirs")
        self.choice_group.setExclusive(True)

    def _resolve(self, which: str) -> None:
        from desktop.operations.exchange import KEEP_MINE, TAKE_THEIRS

        row = self.conflicts.currentRow()
        if self.plan is None or not (0 <= row < len(self.plan.conflicts)):
            return
        c = self.plan.conflicts[row]
        self.resolutions[c.key] = KEEP_MINE if which == "keep" else TAKE_THEIRS
        item = self.conflicts.item(row)
        mark = "✓ " + (_("keep mine") if which == "keep" else _("take theirs"))
        item.setText(f"{_(TABLE_LABELS.get(c.table, c.table))}: {c.label} — {mark}")

    def resolve(self, key: str, choice: str) -> None:
        """Set a conflict's resolution directly (KEEP_MINE / TAKE_THEIRS)."""
        self.resolutions[key] = choice

    def apply(self) -> None:
        from desktop.operations import exchange

        if self.plan is None:
            return
        passphrase, resolutions = self.passphrase.text() or None, dict(self.resolutions)
        s, plan = self.ctx.session, self.plan

        def work(p):
            # the package the dry run read and verified, and its plan: neither done again
            return exchange.apply_import(s.with_progress(p), plan.package, passphrase, resolutions, plan=plan)

        def done(result) -> None:
            self.result = result
            self.ctx.changed("*")
            self.accept()
        self.ctx.tasks.run(work, on_done=done, on_error=self._failed, label=_("Importing..."), parent=self)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, dict)):
        import json

        return json.dumps(v, ensure_ascii=False)
    return str(v)


# ---------------------------------------------------------------------------- the city's reply
REPLY_COLUMNS = (N_("Id"), N_("Enterprise"), N_("Reference"), N_("Title"), N_("The province's remark"),
                 N_("Comment to the county"))
UPPER_COL, COMMENT_COL = 4, 5


class ReplyDialog(QDialog):
    """At the city: accept or return a county's submission (one year's records), with comments on
    records picked from the submission's list and the city's note; the reply package is written to a
    chosen folder (a USB stick) for the county to import."""

    def __init__(self, ctx, parent: QWidget | None = None, office: str | None = None, year: int | None = None) -> None:
        super().__init__(parent)
        from desktop.operations import exchange

        self.ctx = ctx
        self.result_info: dict[str, Any] | None = None
        self.records: list[dict[str, Any]] = []
        self.setObjectName("replyDialog")
        self.setWindowTitle(_("Accept or return a submission"))
        self.resize(920, 640)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.submission = QComboBox()
        self.submission.setObjectName("submission")
        self.submissions = exchange.submissions(ctx.session)
        for sub in self.submissions:
            last = _("last reply: {decision}").format(decision=sub["decision_label"]) if sub["decision"] else _(
                "no reply yet")
            self.submission.addItem(_("{office}, {year}: {n} achievements ({last})").format(
                office=sub["name"], year=sub["year"], n=sub["achievements"], last=last))
        form.addRow(_("Submission"), self.submission)
        decide = QHBoxLayout()
        self.accept_rb, self.return_rb = QRadioButton(_("Accept")), QRadioButton(_("Return for correction"))
        self.accept_rb.setChecked(True)
        decide.addWidget(self.accept_rb)
        decide.addWidget(self.return_rb)
        decide.addStretch(1)
        form.addRow(_("Decision"), decide)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(_("the city's note to the county (required when returning, unless records "
                                       "are commented on)"))
        self.note.setMaximumHeight(80)
        form.addRow(_("Note"), self.note)
        lay.addLayout(form)
        hint = QLabel(_("To comment on a record, double-click its Comment cell and type; records without a comment "
                        "are not mentioned."))
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(_("find a record: id, enterprise, reference, title"))
        lay.addWidget(self.filter)
        self.table = QTableWidget(0, len(REPLY_COLUMNS))
        self.table.setObjectName("replyRecords")
        self.table.setHorizontalHeaderLabels([_(c) for c in REPLY_COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        for i, w in enumerate((70, 200, 130, 200, 200)):
            self.table.setColumnWidth(i, w)
        lay.addWidget(self.table, 1)
        counted = QHBoxLayout()
        self.commented = QLabel()
        counted.addWidget(self.commented, 1)
        # at a city whose submission the province returned: its remarks on this county's records, passed on
        self.pass_on_btn = QPushButton(_("Pass on the province's remarks"))
        self.pass_on_btn.setObjectName("passOn")
        self.pass_on_btn.setToolTip(_("Put the province's remark on each of this county's records it returned "
                                      "into the comment to the county, and return the submission"))
        qconnect(self.pass_on_btn.clicked, self.pass_on)
        counted.addWidget(self.pass_on_btn)
        lay.addLayout(counted)
        out = QFormLayout()
        folder_row = QHBoxLayout()
        self.folder = QLineEdit()
        self.folder.setPlaceholderText(_("e.g. the USB stick"))
        browse = QPushButton(_("Browse..."))
        qconnect(browse.clicked, self._browse)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        out.addRow(_("Folder"), folder_row)
        self.filename = QLineEdit()
        out.addRow(_("File name"), self.filename)
        lay.addLayout(out)
        self.message = MessageBar(self)
        lay.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.write_btn = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.write_btn.setText(_("Write the reply"))
        qconnect(self.buttons.accepted, self.write)
        qconnect(self.buttons.rejected, self.reject)
        lay.addWidget(self.buttons)
        qconnect(self.submission.currentIndexChanged, lambda _i: self._load())
        qconnect(self.filter.textChanged, self._filter)
        qconnect(self.table.itemChanged, lambda _item: self._count())
        if not self.submissions:
            self.message.info(_("No county's records here yet: import a county's package first."))
            self.write_btn.setEnabled(False)
        for i, sub in enumerate(self.submissions):
            if (office is None or office in (sub["office"], sub["name"])) and (year is None or year == sub["year"]):
                self.submission.setCurrentIndex(i)
                break
        self._load()

    def current(self) -> dict[str, Any] | None:
        i = self.submission.currentIndex()
        return self.submissions[i] if 0 <= i < len(self.submissions) else None

    def _load(self) -> None:
        from desktop.operations import exchange

        sub = self.current()
        self.records = exchange.submission_records(self.ctx.session, sub["office"], sub["year"]) if sub else []
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.records))
        for row, r in enumerate(self.records):
            for col, text in enumerate((r["source_id"], r["enterprise"], r["ref"], r["title"], r["upper"], "")):
                item = QTableWidgetItem(text)
                if col != COMMENT_COL:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    item.setToolTip(text)
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        upper = any(r["upper"] for r in self.records)
        self.table.setColumnHidden(UPPER_COL, not upper)  # a county office's city, or nothing returned from above
        self.pass_on_btn.setVisible(upper)
        if sub is not None:
            self.filename.setText(exchange.reply_name(self.ctx.session, sub["office"], sub["year"]))
        self._filter(self.filter.text())
        self._count()

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        for row, r in enumerate(self.records):
            hay = " ".join((r["source_id"], r["enterprise"], r["ref"], r["title"])).lower()
            self.table.setRowHidden(row, not all(w in hay for w in words))

    def set_comment(self, source_id: str, text: str) -> None:
        """Comment on the record with the county's id ``source_id`` (what typing in its cell does)."""
        for row, r in enumerate(self.records):
            if r["source_id"] == source_id:
                self.table.item(row, COMMENT_COL).setText(text)
                return
        raise KeyError(source_id)

    def pass_on(self) -> None:
        """The province's remark on each record it returned, into that record's comment to the county
        (after what the city wrote there itself), and the submission returned: one action."""
        for row, r in enumerate(self.records):
            if not r["upper"]:
                continue
            said = _("{office}: {comment}").format(office=r["upper_office"], comment=r["upper"])
            item = self.table.item(row, COMMENT_COL)
            own = item.text().strip()
            if said not in own:
                item.setText(f"{own}；{said}" if own else said)
        self.return_rb.setChecked(True)

    def comments(self) -> dict[str, str]:
        """Global id -> the comment typed on that record (records left blank are not mentioned)."""
        out = {}
        for row, r in enumerate(self.records):
            item = self.table.item(row, COMMENT_COL)
            text = item.text().strip() if item is not None else ""
            if text:
                out[r["uuid"]] = text
        return out

    def _count(self) -> None:
        n = len(self.comments())
        self.commented.setText(_("{n} records commented on").format(n=n) if n else _("No record commented on"))
        if n and not self.return_rb.isChecked() and not self.accept_rb.signalsBlocked():
            self.return_rb.setChecked(True)  # comments on records are the reasons of a return

    def _browse(self) -> None:
        from desktop.ui.files import start_in

        folder = QFileDialog.getExistingDirectory(self, _("Choose the folder"), self.folder.text() or start_in())
        if folder:
            self.folder.setText(folder)

    def write(self) -> None:
        from desktop.operations import exchange

        sub = self.current()
        if sub is None:
            return
        if not self.folder.text().strip() or not self.filename.text().strip():
            self.message.error(_("Choose the folder and the file name."))
            return
        out = Path(self.folder.text().strip()) / self.filename.text().strip()
        decision = "returned" if self.return_rb.isChecked() else "accepted"
        comment, remarks, s = self.note.toPlainText().strip(), self.comments(), self.ctx.session
        if decision == "accepted" and remarks:
            self.message.error(_("Comments on records go with a return: choose Return for correction, or clear "
                                 "the comments."))
            return

        def work(p):
            return exchange.reply(s.with_progress(p), out, sub["office"], year=sub["year"], decision=decision,
                                  comment=comment, remarks=remarks)

        def done(res) -> None:
            self.result_info = res
            self.ctx.changed("exchange")
            self.accept()
        self.message.clear()
        self.ctx.tasks.run(work, on_done=done, on_error=lambda exc: self.message.error(error_text(exc)),
                           label=_("Writing the reply..."), parent=self)


# ---------------------------------------------------------------------------- the counties' 公示
class CountyPublicityDialog(QDialog):
    """At the city, read-only: each county's 公示 (period, current or superseded) and the objections
    raised in it with their outcomes, as the counties' packages carried them."""

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from desktop.operations import exchange

        self.setObjectName("countyPublicity")
        self.setWindowTitle(_("The counties' publicity periods and objections"))
        self.resize(940, 560)
        lay = QVBoxLayout(self)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([_("County, year and period"), _("Status or outcome"), _("Raised by"),
                                   _("Objection and reason")])
        for i, w in enumerate((330, 150, 140)):
            self.tree.setColumnWidth(i, w)
        lay.addWidget(self.tree, 1)
        self.empty = QLabel(_("No county's package has carried a publicity period yet."))
        lay.addWidget(self.empty)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        qconnect(buttons.rejected, self.reject)
        lay.addWidget(buttons)
        self.rows = exchange.county_publicity(ctx.session)
        offices: dict[str, QTreeWidgetItem] = {}
        for p in self.rows:
            office = _("{county} (through {city})").format(county=p["office"], city=p["via"]) if p["via"] else p[
                "office"]
            top = offices.get(office)
            if top is None:
                top = offices[office] = QTreeWidgetItem([office, "", "", ""])
                self.tree.addTopLevelItem(top)
                top.setExpanded(True)
            open_n = sum(1 for o in p["objections"] if o["open"])
            period = QTreeWidgetItem([
                _("{year}: {start} to {end} ({days} working days)").format(year=p["year"], start=p["starts_on"],
                                                                          end=p["ends_on"], days=p["days"]),
                p["status"], "",
                _("{n} objections, {open} still open").format(n=len(p["objections"]), open=open_n)
                if p["objections"] else _("no objection")])
            top.addChild(period)
            period.setExpanded(True)
            for o in p["objections"]:
                text = o["text"] + (" — " + o["reason"] if o["reason"] else "")
                item = QTreeWidgetItem([f"{o['raised_on']} {o['record']}", o["outcome"], o["raised_by"], text])
                item.setToolTip(3, text)
                if o["open"]:
                    item.setForeground(1, QBrush(QColor("#b3261e")))
                period.addChild(item)
        self.empty.setVisible(not self.rows)


# ---------------------------------------------------------------------------- the view
class ExchangeView(TableViewMixin, View):
    name = "exchange"
    watches = ("exchange", "office", "*")

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        lay = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        lay.addWidget(self.intro)
        bar = QHBoxLayout()
        self.export_btn, self.import_btn, self.register_btn, self.report_btn, self.reply_btn, self.publicity_btn = (
            QPushButton() for _i in range(6))
        for b in (self.export_btn, self.import_btn, self.reply_btn, self.register_btn, self.report_btn,
                  self.publicity_btn):
            bar.addWidget(b)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.message = MessageBar(self)
        lay.addWidget(self.message)
        self.offices_label = bold(QLabel())
        lay.addWidget(self.offices_label)
        self.offices_model = ListTableModel(OFFICE_COLUMNS, self)
        self.offices = make_table("known-offices")
        self.offices.setModel(self.offices_model)
        self.offices.setMaximumHeight(170)
        lay.addWidget(self.offices)
        self.log_label = bold(QLabel())
        lay.addWidget(self.log_label)
        self.model = ListTableModel(LOG_COLUMNS, self)
        self.tableview = make_table(self.name)
        self.tableview.setModel(self.model)
        for i, w in enumerate((130, 70, 240, 50, 300)):
            self.tableview.setColumnWidth(i, w)
        for i, w in enumerate((260, 160, 240)):  # a fingerprint is 24 characters: "818A 7C05 136F 7D5C 1371"
            self.offices.setColumnWidth(i, w)
        lay.addWidget(self.tableview, 1)
        qconnect(self.export_btn.clicked, self.export)
        qconnect(self.import_btn.clicked, self.import_package)
        qconnect(self.register_btn.clicked, self.register_office)
        qconnect(self.report_btn.clicked, self.consolidation)
        qconnect(self.reply_btn.clicked, lambda: self.reply())
        qconnect(self.publicity_btn.clicked, lambda: self.county_publicity())
        qconnect(self.tableview.doubleClicked, self._log_activated)
        self.retranslate()

    def retranslate(self) -> None:
        self.intro.setText(_("Packages carry this office's enterprises, achievements and award rounds to another "
                             "office (a county to its city) on a USB stick. Each package is signed; the city "
                             "accepts packages only from counties whose key it registered."))
        self.export_btn.setText(_("Export a package..."))
        self.import_btn.setText(_("Import a package..."))
        self.register_btn.setText(_("Register a county's key..."))
        self.report_btn.setText(_("Consolidation report..."))
        self.reply_btn.setText(_("Accept or return a submission..."))
        self.publicity_btn.setText(_("Counties' publicity..."))
        self.offices_label.setText(_("Offices whose packages this database accepts"))
        self.log_label.setText(_("Packages exported and imported"))
        self.offices_model.retranslate()
        self.model.retranslate()
        self.refresh()

    def refresh(self) -> None:
        from desktop.operations import exchange

        office = self.ctx.office
        city = office is not None and office.role == "city"
        from desktop.operations.roles import allowed

        self.register_btn.setVisible(True)  # a county registers its city's key once, to read its replies
        self.register_btn.setText(_("Register a county's key...") if city else _("Register the city's key..."))
        self.report_btn.setVisible(city)
        self.reply_btn.setVisible(city)
        self.publicity_btn.setVisible(city)
        self.reply_btn.setEnabled(allowed(self.ctx.role, "exchange.reply"))
        self.register_btn.setEnabled(allowed(self.ctx.role, "exchange.register"))
        self.import_btn.setEnabled(allowed(self.ctx.role, "exchange.import"))
        s = self.ctx.session
        rows = exchange.known_offices(s)
        self.offices_model.set_rows(rows)
        if rows:  # the region by its name (福建省莆田市城厢区), as long as the longest: never cut short
            self.offices.setColumnWidth(1, max(self.offices.columnWidth(1), self.offices.sizeHintForColumn(1)))
        self.offices.setVisible(city or bool(rows))
        self.offices_label.setVisible(city or bool(rows))
        log = exchange.package_log(s)
        self.model.set_rows(log)
        self.log_label.setText(_("Packages exported and imported") if log else _(
            "No package yet — press Export a package... to write this office's data to a USB stick, or Import a "
            "package... to read one."))

    def export_name(self) -> str:
        return _("Packages")

    def export(self) -> None:
        dlg = ExportDialog(self.ctx, self)
        if dlg.exec() and dlg.result_info is not None:
            r = dlg.result_info
            text = _("Package no. {seq} written to {path} ({size:,} bytes{enc}); it was read back and "
                     "verified.").format(seq=r.sequence, path=r.path, size=r.size,
                                         enc=_(", encrypted") if r.encrypted else "")
            if r.evidence_files:
                text += " " + _("It carries {n} evidence files not sent before ({size} MB).").format(
                    n=r.evidence_files, size=f"{r.evidence_bytes / (1 << 20):.1f}")
            if r.kept is not None:
                text += " " + kept_text(r.kept, r.path)
                self.message.info(" ".join([text, *r.warnings]))
            elif r.warnings:
                self.message.info(" ".join([text, *r.warnings]))
            else:
                self.message.ok(text)

    def import_package(self) -> None:
        from desktop.ui.files import remember, start_in

        path, _f = QFileDialog.getOpenFileName(self, _("Choose a package"), start_in(),
                                               _("Packages (*.stdpkg);;All files (*)"))
        if not path:
            return
        remember(path)
        self.open_package(Path(path))

    def open_package(self, path: Path) -> ImportDialog:
        """The import dialog of ``path`` (its check started), without blocking: a package chosen here,
        dropped on the window or double-clicked in Explorer comes the same way."""
        dlg = ImportDialog(self.ctx, Path(path), self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.import_dialog: ImportDialog | None = dlg

        def finished(result: int) -> None:
            self.import_dialog = None
            if result and dlg.result is not None and dlg.reply is not None:
                self.message.ok(_("The reply of {office} was kept ({year}: {decision}).").format(
                    office=dlg.reply["office"], year=dlg.reply["year"], decision=dlg.reply["decision_label"]))
            elif result and dlg.result is not None:
                a = dlg.result.applied
                self.message.ok(_("Imported: {inserted} new, {updated} updated, {theirs} conflicts taken from the "
                                  "package, {mine} kept.").format(inserted=a["inserted"], updated=a["updated"],
                                                                  theirs=a["taken_theirs"], mine=a["kept_mine"]))
        qconnect(dlg.finished, finished)
        dlg.check()
        dlg.open()
        return dlg

    def reply(self, office: str | None = None, year: int | None = None) -> ReplyDialog:
        """The city's reply to a county's submission, without blocking."""
        dlg = ReplyDialog(self.ctx, self, office, year)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.reply_dialog: ReplyDialog | None = dlg

        def finished(result: int) -> None:
            self.reply_dialog = None
            r = dlg.result_info
            if result and r is not None:
                self.message.ok(_("Reply to {office} on {year} ({decision}, {n} records commented on) written to "
                                  "{path}; take it to the county.").format(
                    office=r["office"], year=r["year"], decision=r["decision"], n=r["remarks"], path=r["path"])
                    + (" " + kept_text(r["kept"], r["path"]) if r.get("kept") else ""))
        qconnect(dlg.finished, finished)
        dlg.open()
        return dlg

    def _log_activated(self, index) -> None:
        """At the city, a county's imported package double-clicked: reply on that submission."""
        from desktop.operations.roles import allowed

        office = self.ctx.office
        rows = self.model.rows
        row = rows[index.row()] if 0 <= index.row() < len(rows) else None
        if (row is not None and row.get("imported") and office is not None and office.role == "city"
                and allowed(self.ctx.role, "exchange.reply")):
            self.reply(row["office_uuid"], row.get("year"))

    def county_publicity(self) -> CountyPublicityDialog:
        dlg = CountyPublicityDialog(self.ctx, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    def register_office(self) -> None:
        from desktop.operations import exchange
        from desktop.ui.files import remember, start_in
        from desktop.ui.qt import QInputDialog

        city = self.ctx.office is not None and self.ctx.office.role == "city"
        path, _f = QFileDialog.getOpenFileName(self, _("Choose the county's office card or a package") if city else _(
            "Choose the city's office card or its reply"), start_in(),
                                               _("Office cards and packages (*.json *.stdpkg);;All files (*)"))
        if not path:
            return
        remember(path)
        try:
            s = self.ctx.session
            info = exchange.read_card(s, Path(path))
            # A card is a file anyone could write: every new key is confirmed by its fingerprint.
            fp, ok = QInputDialog.getText(self, _("Confirm the key"), _(
                "Read the key fingerprint shown at {name} (by telephone) and type it here:").format(name=info["name"]))
            if not ok:
                return
            row = exchange.register_office(s, info, fingerprint=fp)
        except Exception as exc:  # noqa: BLE001 - shown to the officer
            self.message.error(error_text(exc))
            return
        self.message.ok(_("{name} registered: its packages are accepted now.").format(name=row["name"]))
        self.refresh()

    def consolidation(self) -> None:
        from decimal import Decimal

        from desktop.core.money import format_money
        from desktop.operations import exchange
        from desktop.ui.files import remember, start_in

        path, _f = QFileDialog.getSaveFileName(self, _("Save the consolidation report"), start_in(_("consolidation.xlsx")),
                                               _("Excel workbook (*.xlsx);;PDF (*.pdf)"))
        if not path:
            return
        remember(path)
        out = Path(path)

        s = self.ctx.session
        pdf = out.suffix.lower() == ".pdf"

        def work(p):
            return exchange.consolidation(s.with_progress(p), xlsx=None if pdf else out, pdf=out if pdf else None)
        self.ctx.tasks.run(work, on_done=lambda r: self.message.ok(_(
            "Consolidation report saved to {path}: total {total}, {n} findings to check.").format(
            path=out, total=format_money(Decimal(str(r.total))), n=len(r.findings))),
            on_error=lambda exc: self.message.error(error_text(exc)), label=_("Consolidating..."), parent=self)
