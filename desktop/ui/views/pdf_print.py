"""Printing a PDF through Qt: each page rendered by QtPdf (PDFium) at the printer's resolution and
drawn onto the QPrinter page, scaled to fit and centred; the system print dialog chooses the printer
(Qt's own dialog, translated by the catalogue the application loads)."""
from __future__ import annotations

from desktop.ui.qt import QPainter, QRect, QSize, Qt, print_support

MAX_DPI = 300  # enough for 仿宋 body text and the QR code; keeps each page image modest


def print_document(doc, printer) -> int:
    """Draw every page of the loaded QPdfDocument ``doc`` on ``printer``. Returns pages printed."""
    pages = doc.pageCount()
    if pages < 1:
        return 0
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    try:
        dpi = min(printer.resolution(), MAX_DPI)
        for i in range(pages):
            if i:
                printer.newPage()
            points = doc.pagePointSize(i)
            size = QSize(max(1, round(points.width() * dpi / 72)), max(1, round(points.height() * dpi / 72)))
            image = doc.render(i, size)
            area = painter.viewport()
            scaled = size.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(area.x() + (area.width() - scaled.width()) // 2,
                           area.y() + (area.height() - scaled.height()) // 2, scaled.width(), scaled.height())
            painter.drawImage(target, image)
    finally:
        painter.end()
    return pages


def new_printer():
    """A high-resolution printer set to A4 portrait (the notices' paper)."""
    from desktop.ui.qt import QPageLayout, QPageSize

    ps = print_support()
    printer = ps.QPrinter(ps.QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)  # the PDF carries its own GB/T 9704 margins
    return printer


def print_with_dialog(doc, parent, title: str) -> int:
    """Show the system print dialog; print when accepted. Returns pages printed (0 if cancelled)."""
    ps = print_support()
    printer = new_printer()
    printer.setDocName(title)
    dlg = ps.QPrintDialog(printer, parent)
    dlg.setWindowTitle(title)
    dlg.setMinMax(1, max(1, doc.pageCount()))
    if dlg.exec() != dlg.DialogCode.Accepted:
        return 0
    return print_document(doc, printer)
