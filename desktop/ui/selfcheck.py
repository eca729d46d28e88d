"""The Qt half of ``stdaward --self-test``: load a PDF with QtPdf, offscreen, and render its first page.

Called lazily by ``desktop.selftest`` (only ``desktop/ui`` may import Qt). It proves that the frozen
folder carries a working Qt platform plugin, the QtPdf library (PDFium) and the image plumbing the
preview and print dialogs use: the page must render with ink on it, so a PDF whose text did not draw
(a font that failed to embed) is caught here too.
"""
from __future__ import annotations

import sys
from pathlib import Path

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _


def _application():
    """The running Qt application, or a new offscreen one (no display needed). A QApplication, not
    a QGuiApplication, so widgets created later in the same process still work."""
    from desktop.ui.qt import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "stdaward", "-platform", "offscreen"])
    return app


def check_pdf(path: Path | str, dpi: int = 72) -> tuple[int, float]:
    """Load ``path`` with QPdfDocument and render page 1. Returns (page count, share of page 1's
    sampled pixels that carry ink). Raises StdAwardError naming what failed."""
    _application()
    from desktop.ui.qt import QSize, pdf_modules

    QtPdf, _widgets = pdf_modules()
    doc = QtPdf.QPdfDocument(None)
    status = doc.load(str(path))
    if status != QtPdf.QPdfDocument.Error.None_:
        raise StdAwardError(_("QtPdf could not load {path}: {status}").format(path=path, status=status.name))
    pages = doc.pageCount()
    if pages < 1:
        raise StdAwardError(_("QtPdf found no pages in {path}").format(path=path))
    points = doc.pagePointSize(0)
    size = QSize(max(1, round(points.width() * dpi / 72)), max(1, round(points.height() * dpi / 72)))
    image = doc.render(0, size)
    doc.close()
    if image.isNull():
        raise StdAwardError(_("QtPdf could not render page 1 of {path}").format(path=path))
    w, h = image.width(), image.height()
    step = max(1, min(w, h) // 200)  # sample a grid: enough to see text, fast at any size
    samples = inked = 0
    for y in range(0, h, step):
        for x in range(0, w, step):
            samples += 1
            argb = image.pixel(x, y)  # PDFium leaves the paper transparent: ink is opaque, not white
            if argb >> 24 and argb & 0xFFFFFF != 0xFFFFFF:
                inked += 1
    return pages, inked / samples
