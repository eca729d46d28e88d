"""Exchange: export this office's package to a folder (a USB stick), optionally with a passphrase;
import a package after a dry run that shows what is new, updated, unchanged, in conflict or rejected
(with reasons), conflicts resolved side by side and everything applied in one transaction; for a
city office, the county keys it trusts and the consolidation report."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from desktop.core.i18n import N_, _
from desktop.operations.exchange import CATEGORIES
from desktop.operations.exchange import TABLES as TABLE_LABELS
from desktop.ui.qt import (
    QAbstractItemView,
    QBrush,
    QButtonGroup,
    QColor,
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
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
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
OFFICE_COLUMNS = [Column("name", N_("Office")), Column("region", N_("Region")), Column("fingerprint", N_("Key fingerprint")),
                  Column("last_sequence", N_("Last package"), align_right=True)]


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
        self.message = MessageBar(self)
        lay.addWidget(self.message)
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
        right = QWidget()
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
            office=plan.package.office_name, region=info.get("region") or "-", seq=info.get("sequence")))
        counts = plan.counts()
        self.counts.setText("   ".join(f"{_(label)}: {counts[key]}" for key, label in CATEGORIES))
        self.tree.clear()
        for key, label in CATEGORIES:
            items = getattr(plan, key)
            top = QTreeWidgetItem([f"{_(label)} ({len(items)})", ""])
            self.tree.addTopLevelItem(top)
            if key == "unchanged":
                continue  # only counted: a large import holds many
            for item in items[:2000]:
                child = QTreeWidgetItem([f"{_(TABLE_LABELS.get(item.table, item.table))}: {item.label}", item.reason])
                child.setToolTip(1, item.reason)
                if key in ("conflicts", "rejected"):
                    child.setForeground(1, QBrush(QColor("#b3261e")))
                top.addChild(child)
            top.setExpanded(key in ("conflicts", "rejected") or len(items) <= 20)
        self.conflicts.clear()
        for c in plan.conflicts:
            self.conflicts.addItem(QListWidgetItem(f"{_(TABLE_LABELS.get(c.table, c.table))}: {c.label}"))
        if plan.already_imported:
            self.message.info(_("This package was imported before; importing it again changes nothing."))
        elif not plan.changes_anything and not plan.conflicts:
            self.message.info(_("Nothing to import: every record is already here."))
        else:
            self.message.info(_("Nothing has changed yet. Resolve the conflicts you can, then press Import: "
                                "everything is applied in one transaction."))
        from desktop.operations.roles import allowed

        if not allowed(self.ctx.role, "exchange.import"):
            self.message.info(_("Only a clerk or an administrator imports a package; this one was checked, "
                                "nothing was changed."))
        self.import_btn.setEnabled((plan.changes_anything or bool(plan.conflicts))
                                   and allowed(self.ctx.role, "exchange.import"))
        if plan.conflicts:
            self.conflicts.setCurrentRow(0)

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
        self.export_btn, self.import_btn, self.register_btn, self.report_btn = (QPushButton() for _i in range(4))
        for b in (self.export_btn, self.import_btn, self.register_btn, self.report_btn):
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
        for i, w in enumerate((260, 70, 380)):
            self.offices.setColumnWidth(i, w)
        lay.addWidget(self.tableview, 1)
        qconnect(self.export_btn.clicked, self.export)
        qconnect(self.import_btn.clicked, self.import_package)
        qconnect(self.register_btn.clicked, self.register_office)
        qconnect(self.report_btn.clicked, self.consolidation)
        self.retranslate()

    def retranslate(self) -> None:
        self.intro.setText(_("Packages carry this office's enterprises, achievements and award rounds to another "
                             "office (a county to its city) on a USB stick. Each package is signed; the city "
                             "accepts packages only from counties whose key it registered."))
        self.export_btn.setText(_("Export a package..."))
        self.import_btn.setText(_("Import a package..."))
        self.register_btn.setText(_("Register a county's key..."))
        self.report_btn.setText(_("Consolidation report..."))
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

        self.register_btn.setVisible(city)
        self.report_btn.setVisible(city)
        self.register_btn.setEnabled(allowed(self.ctx.role, "exchange.register"))
        self.import_btn.setEnabled(allowed(self.ctx.role, "exchange.import"))
        s = self.ctx.session
        rows = exchange.known_offices(s)
        self.offices_model.set_rows(rows)
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
            if r.warnings:
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
            if result and dlg.result is not None:
                a = dlg.result.applied
                self.message.ok(_("Imported: {inserted} new, {updated} updated, {theirs} conflicts taken from the "
                                  "package, {mine} kept.").format(inserted=a["inserted"], updated=a["updated"],
                                                                  theirs=a["taken_theirs"], mine=a["kept_mine"]))
        qconnect(dlg.finished, finished)
        dlg.check()
        dlg.open()
        return dlg

    def register_office(self) -> None:
        from desktop.operations import exchange
        from desktop.ui.files import remember, start_in
        from desktop.ui.qt import QInputDialog

        path, _f = QFileDialog.getOpenFileName(self, _("Choose the county's office card or a package"), start_in(),
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
            path=out, total=r.total, n=len(r.findings))),
            on_error=lambda exc: self.message.error(error_text(exc)), label=_("Consolidating..."), parent=self)
