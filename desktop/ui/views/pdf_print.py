"""Printing a PDF through Qt: each page rendered by QtPdf (PDFium) at the printer's resolution and
drawn onto the QPrinter page, scaled to fit and centred; the system print dialog chooses the printer
(Qt's own dialog, translated by the catalogue the application loads).

The pages chosen in the dialog are honoured (all, from–to or a list such as "1-2,4", the page shown
in the preview), and copies are made here when the printer cannot make them itself (a PDF file, some
drivers): collated as whole sets (1 2 3, 1 2 3) or page by page (1 1, 2 2, 3 3) as chosen.

Rendering 300 dpi pages takes a while, so ``print_file`` runs in the task runner: it loads its own
QPdfDocument from the file in the worker thread (QPainter on a QPrinter is allowed off the UI thread),
reports each page and stops at the next page when cancelled. A cancelled job is aborted, and a PDF
file it was writing is removed: nothing half-printed is reported as done.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.core.errors import BadFile, StdAwardError
from desktop.core.i18n import _
from desktop.core.progress import NO_PROGRESS, Progress
from desktop.ui.qt import QDialog, QPainter, QRect, QSize, Qt, QWidget, pdf_modules, print_support

MAX_DPI = 300  # enough for 仿宋 body text and the QR code; keeps each page image modest


def chosen_pages(printer: Any, page_count: int, current: int = 0) -> list[int]:
    """The 0-based pages the print dialog chose on ``printer`` for a document of ``page_count`` pages
    (``current``: the page the preview shows). Pages beyond the document are dropped."""
    if page_count < 1:
        return []
    ps = print_support()
    mode = printer.printRange()
    if mode == ps.QPrinter.PrintRange.CurrentPage:
        return [min(max(current, 0), page_count - 1)]
    if mode == ps.QPrinter.PrintRange.PageRange:
        ranges = printer.pageRanges()
        if not ranges.isEmpty():
            return [i for i in range(page_count) if ranges.contains(i + 1)]
        first, last = printer.fromPage(), printer.toPage()
        if first > 0:
            return list(range(first - 1, min(max(last, first), page_count)))
    return list(range(page_count))


def sheet_order(pages: list[int], copies: int, collate: bool) -> list[int]:
    """The order pages go to the printer when it makes no copies itself."""
    copies = max(1, copies)
    if collate:
        return pages * copies
    return [p for p in pages for _copy in range(copies)]


def _draw(painter: QPainter, doc: Any, page: int, dpi: int) -> None:
    points = doc.pagePointSize(page)
    size = QSize(max(1, round(points.width() * dpi / 72)), max(1, round(points.height() * dpi / 72)))
    image = doc.render(page, size)
    area = painter.viewport()
    scaled = size.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
    target = QRect(area.x() + (area.width() - scaled.width()) // 2,
                   area.y() + (area.height() - scaled.height()) // 2, scaled.width(), scaled.height())
    painter.drawImage(target, image)


def print_document(doc: Any, printer: Any, pages: list[int] | None = None,
                   progress: Progress = NO_PROGRESS) -> int:
    """Draw ``pages`` (0-based; default every page, copies as the printer asks) of the loaded
    QPdfDocument ``doc`` on ``printer``. Returns the sheets sent; raises ``Cancelled`` (the job
    aborted, a PDF being written removed) when ``progress`` is cancelled before the last one."""
    count = doc.pageCount()
    wanted = [p for p in (range(count) if pages is None else pages) if 0 <= p < count]
    if not wanted:
        return 0
    copies = 1 if printer.supportsMultipleCopies() else printer.copyCount()
    sheets = sheet_order(wanted, copies, printer.collateCopies())
    painter = QPainter()
    if not painter.begin(printer):
        raise StdAwardError(_("The printer {name} could not be started: check that it is switched on and "
                              "connected, or choose another printer.").format(
            name=printer.outputFileName() or printer.printerName()))
    done = 0
    try:
        dpi = min(printer.resolution(), MAX_DPI)
        for done, page in enumerate(sheets):
            progress.check()
            if done:
                printer.newPage()
            _draw(painter, doc, page, dpi)
            progress.update(done + 1, len(sheets), _("Page {page} sent to the printer ({done} of {total})").format(
                page=page + 1, done=done + 1, total=len(sheets)))
        progress.check()  # a cancel during the last page: the job is not reported as done either
    except BaseException:
        printer.abort()
        painter.end()
        out = printer.outputFileName()
        if out:  # printing to a file: a half-written file must not stay behind as if it were printed
            with contextlib.suppress(OSError):
                Path(out).unlink()
        raise
    painter.end()
    return len(sheets)


def print_file(path: Path, printer: Any, pages: list[int] | None = None, progress: Progress = NO_PROGRESS) -> int:
    """``print_document`` for the PDF at ``path``, loaded into a document of this thread's own (the
    task runner's worker: the preview's document belongs to the UI thread)."""
    QtPdf, _widgets = pdf_modules()
    doc = QtPdf.QPdfDocument(None)
    try:
        if doc.load(str(path)) != QtPdf.QPdfDocument.Error.None_:
            raise BadFile(_("{file} could not be read for printing.").format(file=Path(path).name))
        return print_document(doc, printer, pages, progress)
    finally:
        doc.close()  # the document itself, owned by Python (no parent), goes with this frame, in this thread


def new_printer() -> Any:
    """A high-resolution printer set to A4 portrait (the notices' paper)."""
    from desktop.ui.qt import QPageLayout, QPageSize

    ps = print_support()
    printer = ps.QPrinter(ps.QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)  # the PDF carries its own GB/T 9704 margins
    return printer


def ask_printer(parent: QWidget | None, title: str, page_count: int) -> Any | None:
    """Show the system print dialog (page range, the preview's current page, copies and collation);
    the printer set up as chosen, or None when cancelled. The dialog is modal through ``exec``: on
    Windows it is the native print dialog, which Qt shows only that way."""
    ps = print_support()
    printer = new_printer()
    printer.setDocName(title)
    dlg = ps.QPrintDialog(printer, parent)
    dlg.setWindowTitle(title)
    dlg.setMinMax(1, max(1, page_count))
    dlg.setFromTo(1, max(1, page_count))
    options = ps.QAbstractPrintDialog.PrintDialogOption
    dlg.setOptions(options.PrintPageRange | options.PrintCurrentPage | options.PrintCollateCopies
                   | options.PrintToFile | options.PrintShowPageSize)
    accepted = dlg.exec() == QDialog.DialogCode.Accepted
    dlg.deleteLater()
    return printer if accepted else None


def print_with_dialog(view: Any, path: Path, page_count: int, current: int, title: str,
                      on_done: Callable[[int], None], on_error: Callable[[BaseException], None],
                      on_cancelled: Callable[[], None] | None = None) -> bool:
    """Ask for the printer, then print the chosen pages of ``path`` in the task runner of ``view``
    (its ``ctx.tasks``), with a progress dialog whose Cancel stops sending pages. False when the
    officer cancelled the print dialog. ``on_done(sheets)`` or ``on_error(exc)`` runs afterwards;
    a cancel is reported by the runner (已取消), then ``on_cancelled()``."""
    printer = ask_printer(view, title, page_count)
    if printer is None:
        return False
    pages = chosen_pages(printer, page_count, current)

    def work(progress: Progress) -> int:
        return print_file(path, printer, pages, progress)
    view.ctx.tasks.run(work, on_done=on_done, on_error=on_error, on_cancelled=on_cancelled, label=_("Printing..."),
                       parent=view)
    return True
