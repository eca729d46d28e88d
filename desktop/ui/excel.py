"""Excel in the window: import the template (a row-by-row error report, nothing imported when
anything is wrong), save the empty template, export whatever table is on screen."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop.core.errors import Problem, StdAwardError, ValidationFailed
from desktop.core.i18n import _
from desktop.ui.files import remember, start_in
from desktop.ui.qt import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    qconnect,
)
from desktop.ui.tasks import Progress, error_text, show_error

XLSX_FILTER = "Excel (*.xlsx)"


def _folder() -> str:
    return start_in()


def _remember(path: str) -> None:
    remember(path)


# ---------------------------------------------------------------------------- import
class ImportReport(QDialog):
    """Every problem of a refused import, one row each: where (sheet and row), field, what is wrong."""

    def __init__(self, path: Path, problems: list[Problem], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importReport")
        self.setWindowTitle(_("Nothing was imported"))
        lay = QVBoxLayout(self)
        errors = [p for p in problems if p.severity == "error"]
        head = QLabel(_("{file} has {n} problems. Nothing was imported: correct them in the workbook and import it "
                        "again.").format(file=path.name, n=len(errors)))
        head.setWordWrap(True)
        lay.addWidget(head)
        self.table = QTableWidget(len(problems), 3)
        self.table.setHorizontalHeaderLabels([_("Where"), _("Field"), _("Problem")])
        for r, p in enumerate(problems):
            for c, text in enumerate((p.record, p.field, p.message)):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.resizeColumnsToContents()
        lay.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.save_button = buttons.addButton(_("Save report..."), QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button.setObjectName("saveReport")
        qconnect(self.save_button.clicked, lambda: self.save_report())
        qconnect(buttons.rejected, self.reject)
        qconnect(buttons.accepted, self.accept)
        lay.addWidget(buttons)
        self.path, self.problems = path, problems
        self.resize(760, 420)

    def save_report(self, out: str | None = None) -> Path | None:
        """The problems as a workbook (where, field, problem), to fix the sheet with it beside."""
        if out is None:
            out, _f = QFileDialog.getSaveFileName(self, _("Save report"),
                                                  start_in(_("{name} problems.xlsx").format(name=self.path.stem)),
                                                  XLSX_FILTER)
            if not out:
                return None
            remember(out)
        header = [_("Where"), _("Field"), _("Problem")]
        rows = [[p.record, p.field, p.message] for p in self.problems]
        try:
            written = write_rows(Path(out), _("Import problems"), header, rows)
        except (OSError, StdAwardError) as exc:
            show_error(self, exc)
            return None
        self.setWindowTitle(_("Nothing was imported") + " — " + _("report saved to {file}").format(file=written))
        return written


def import_workbook(window, path: str | None = None,
                    on_finished: Callable[[bool, str], None] | None = None):
    """Import the workbook in the background (all or nothing; cancel rolls it back); the task.
    ``on_finished(imported, what happened)`` runs once it is over (for a refused workbook, once its
    report is closed), so that several dropped files are opened one after another."""
    if path is None:
        path, _f = QFileDialog.getOpenFileName(window, _("Import from Excel"), _folder(),
                                               "Excel (*.xlsx *.xls)")  # an .xls is explained, not hidden
        if not path:
            return None
        _remember(path)
    ctx = window.ctx
    file = Path(path)

    def finished(ok: bool, text: str) -> None:
        if on_finished is not None:
            on_finished(ok, text)

    def done(result) -> None:
        ctx.changed("enterprises")
        ctx.changed("achievements")
        window.statusBar().showMessage(_(
            "{file}: {ents} enterprises added, {upd} updated, {achs} achievements added.").format(
            file=file.name, ents=result.enterprises_added, upd=result.enterprises_updated,
            achs=result.achievements_added), 15000)
        finished(True, _("{ents} enterprises added, {upd} updated, {achs} achievements added").format(
            ents=result.enterprises_added, upd=result.enterprises_updated, achs=result.achievements_added))

    def failed(exc: BaseException) -> None:
        if isinstance(exc, ValidationFailed):
            report = window.import_report = ImportReport(file, exc.problems, window)
            count = sum(1 for p in exc.problems if p.severity == "error")
            qconnect(report.finished, lambda _r: finished(False, _(
                "refused, {n} problems (see its report); nothing was imported").format(n=count)))
            report.open()
        else:
            show_error(window, exc, _("Import from Excel"))
            finished(False, error_text(exc))

    def cancelled() -> None:
        window.statusBar().showMessage(_("Import of {file} cancelled: nothing was imported.").format(file=file.name), 15000)
        finished(False, _("cancelled: nothing was imported"))

    from desktop.operations import records

    session = ctx.session
    return ctx.tasks.run(lambda p: records.load_workbook(session.with_progress(p), file), on_done=done, on_error=failed,
                  on_cancelled=cancelled, label=_("Importing {file}...").format(file=file.name))


def save_template(window, path: str | None = None) -> None:
    from desktop.operations.records import write_template

    if path is None:
        path, _f = QFileDialog.getSaveFileName(window, _("Save the Excel template"),
                                               str(Path(_folder()) / _("StdAward import template.xlsx")), XLSX_FILTER)
        if not path:
            return
        _remember(path)
    try:
        write_template(Path(path))
    except (OSError, StdAwardError) as exc:
        show_error(window, exc)
        return
    window.statusBar().showMessage(_("Template saved to {file}").format(file=path), 8000)


# ---------------------------------------------------------------------------- export
def table_rows(model) -> tuple[list[str], list[list[str]]]:
    """Header and every row of a Qt model as shown (display text), for any view's table."""
    cols = model.columnCount()
    header = [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in range(cols)]
    rows = [[str(model.index(r, c).data() or "") for c in range(cols)] for r in range(model.rowCount())]
    return header, rows


def write_rows(path: Path, title: str, header: list[str], rows: list[list[str]], progress: Progress | None = None) -> Path:
    """An .xlsx with one sheet of the table as shown (numbers as numbers, text always text)."""
    from desktop.core.progress import NO_PROGRESS
    from desktop.operations import tables

    return tables.export_table(path, title, header, rows, progress or NO_PROGRESS)


def export_current(window, path: str | None = None) -> None:
    view = window.current_view()
    table = view.table() if view is not None else None
    if table is None or table.model() is None:
        QMessageBox.information(window, _("Export table"), _("This view has no table to export."))
        return
    if path is None:
        path, _f = QFileDialog.getSaveFileName(window, _("Export table to Excel"),
                                               str(Path(_folder()) / f"{view.export_name()}.xlsx"), XLSX_FILTER)
        if not path:
            return
        _remember(path)
    finish = getattr(table.model(), "finish_filter", None)  # a filter still finding rows: all of them first
    if finish is not None:
        finish()
    header, rows = table_rows(table.model())  # on the UI thread: models belong to it
    out = Path(path)
    window.ctx.tasks.run(lambda p: write_rows(out, view.export_name(), header, rows, p),
                         on_done=lambda _r: window.statusBar().showMessage(
                             _("{n} rows exported to {file}").format(n=len(rows), file=out), 8000),
                         label=_("Exporting..."))
