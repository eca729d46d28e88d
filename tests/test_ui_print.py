"""Printing notices from the notices view (offscreen, QPrinter writing a PDF file as a printer would
receive the pages): the pages chosen in the print dialog are the pages printed, copies are collated or
not as chosen, the work runs in the task runner, and a cancel stops sending pages and leaves no file
that looks printed."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from tests.conftest import std  # noqa: E402
from tests.test_exchange import make_uscc  # noqa: E402

LAST_YEAR = dt.date.today().year - 1
POLICY = "putian-chengxiang-2021"
NAMES = ["莆田市城厢区华峰鞋业有限公司", "莆田市城厢区海川电子有限公司", "莆田市城厢区兴安建材有限公司"]

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")


def pdf_text(path: Path) -> list[str]:
    """The text of each page of ``path`` (pdftotext separates pages with a form feed)."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def pdf_images(path: Path) -> list[bytes]:
    """Each page of ``path`` drawn small in grey: a printed page is an image of the notice's page (the
    printer receives pictures), so pages are told apart by how they look."""
    from desktop.ui.qt import QImage, QPainter, QSize, Qt, pdf_modules

    QtPdf, _w = pdf_modules()
    doc = QtPdf.QPdfDocument(None)
    assert doc.load(str(path)) == QtPdf.QPdfDocument.Error.None_
    pages = []
    for i in range(doc.pageCount()):
        ink = doc.render(i, QSize(596, 842))  # 596: a grey line of whole words, no padding bytes to compare
        paper = QImage(ink.size(), QImage.Format.Format_Grayscale8)
        paper.fill(Qt.GlobalColor.white)
        painter = QPainter(paper)
        painter.drawImage(0, 0, ink)
        painter.end()
        pages.append(bytes(paper.constBits())[: paper.sizeInBytes()])
    doc.close()
    return pages


def reference(view, folder: Path) -> Path:
    """Every page of the view's notices printed in order, by the same printing, as the pages to
    recognise the printed ones by (the same rendering gives the same pixels)."""
    from desktop.ui.qt import print_support
    from desktop.ui.views.pdf_print import new_printer, print_file

    ps = print_support()
    printer = new_printer()
    printer.setOutputFormat(ps.QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(folder / "reference.pdf"))
    assert print_file(view.preview_path, printer) == view.document.pageCount()
    return folder / "reference.pdf"


def which_pages(printed: Path, view, folder: Path) -> list[int]:
    """For each page of ``printed``, the 0-based page of the view's notices it is (-1: none): the page
    of the reference printing it is pixel for pixel (the same drawing gives the same pixels)."""
    pages = pdf_images(reference(view, folder))
    assert len(set(pages)) == len(pages)  # every page can be told from the others
    return [pages.index(page) if page in pages else -1 for page in pdf_images(printed)]


@pytest.fixture
def notices_view(qtbot, db):
    """The notices view of a window with three issued notices (two pages each), all chosen and previewed:
    a combined PDF of six pages."""
    from desktop.operations import notices as ops
    from desktop.operations import round_work
    from desktop.operations.session import Actor, Session
    from desktop.store import office, publicity, records, rounds, users
    from desktop.store.models import AwardRound
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow

    office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监",
                  policy_id=POLICY, signatory="莆田市城厢区市场监督管理局", user="tester")
    publicity.set_settings(user="tester", required=False, reason="notices without a publicity step")
    users.create_user("chen", "陈晓梅", "correct horse", "clerk")
    users.create_user("wang", "王建国", "correct horse", "reviewer")
    usccs = [make_uscc(i + 1) for i in range(3)]
    records.load({"enterprises": [{"uscc": u, "name": n} for u, n in zip(usccs, NAMES[:3], strict=True)],
                  "achievements": [std(id=f"A{i}", enterprise=u, date=f"{LAST_YEAR}-05-0{i + 1}",
                                       ref=f"GB/T 4100{i}-{LAST_YEAR}", rank=1) for i, u in enumerate(usccs)]},
                 user="tester")
    rnd = round_work.create_round(LAST_YEAR, POLICY, "chen")
    rounds.submit(rnd, "chen")
    round_work.approve(AwardRound.get_by_id(rnd.id), "wang")
    s = Session.attach(db)
    s.actor = Actor("wang", "王建国", "reviewer")
    issued = ops.issue_round(s, rnd.uuid, dt.date.today())
    assert len(issued) == 3

    make_app()
    ctx = AppContext(db)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1600, 1000)
    win.show()
    view = win.show_view("notices")
    assert ctx.tasks.wait()
    view.tableview.selectAll()
    qtbot.waitUntil(lambda: view.preview_path is not None and len(view.selected()) == 3, timeout=20000)
    assert ctx.tasks.wait()
    assert view.document.pageCount() == 6  # the combined PDF of the three
    return view


def answer_print_dialog(monkeypatch, out: Path, setup) -> list[str]:
    """Answer the print dialog as an officer would: print to ``out`` with ``setup(printer)``'s choices."""
    from desktop.ui.qt import print_support

    ps = print_support()
    asked: list[str] = []

    def fake_exec(dlg) -> int:
        asked.append(dlg.windowTitle())
        printer = dlg.printer()
        assert dlg.minPage() == 1 and dlg.maxPage() == 6
        assert dlg.testOption(ps.QAbstractPrintDialog.PrintDialogOption.PrintCurrentPage)
        printer.setOutputFormat(ps.QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        setup(printer)
        return 1
    monkeypatch.setattr(ps.QPrintDialog, "exec", fake_exec)
    return asked


@needs_pdftotext
def test_pages_two_to_three_print_only_those_pages(notices_view, monkeypatch, tmp_path, qtbot):
    from desktop.ui.qt import print_support
    from desktop.ui.views import pdf_print

    ps = print_support()
    view, out = notices_view, tmp_path / "printed.pdf"
    source = pdf_text(view.preview_path)
    assert len(source) == 6 and len(set(source)) == 6  # six different pages to tell apart
    assert len(set(pdf_images(view.preview_path))) == 6

    def pages_2_3(printer) -> None:
        printer.setPrintRange(ps.QPrinter.PrintRange.PageRange)
        printer.setFromTo(2, 3)
    asked = answer_print_dialog(monkeypatch, out, pages_2_3)
    threads: list[bool] = []
    real_draw = pdf_print._draw

    def draw(*args) -> None:  # where each page is drawn: off the UI thread, which keeps the window alive
        threads.append(threading.current_thread() is threading.main_thread())
        real_draw(*args)
    monkeypatch.setattr(pdf_print, "_draw", draw)
    view.print_btn.click()
    assert len(asked) == 1 and "城市监" in asked[0]  # titled with the document numbers
    assert view.ctx.tasks.wait()
    assert threads == [False, False]
    monkeypatch.setattr(pdf_print, "_draw", real_draw)
    assert which_pages(out, view, tmp_path) == [1, 2]  # the 2nd and 3rd pages, in order, nothing else
    assert view.message.kind == "ok" and "2" in view.message.label.text()


@needs_pdftotext
def test_copies_are_collated_or_page_by_page_as_chosen(notices_view, monkeypatch, tmp_path):
    from desktop.ui.qt import print_support

    ps = print_support()
    view = notices_view
    for collate, order in ((True, [3, 4, 3, 4]), (False, [3, 3, 4, 4])):
        out = tmp_path / f"copies-{collate}.pdf"

        def two_copies(printer, collate=collate) -> None:
            printer.setPrintRange(ps.QPrinter.PrintRange.PageRange)
            printer.setFromTo(4, 5)
            printer.setCopyCount(2)
            printer.setCollateCopies(collate)
        answer_print_dialog(monkeypatch, out, two_copies)
        view.print_btn.click()
        assert view.ctx.tasks.wait()
        assert which_pages(out, view, tmp_path) == order, collate


@needs_pdftotext
def test_current_page_prints_the_page_the_preview_shows(notices_view, monkeypatch, tmp_path, qtbot):
    from desktop.ui.qt import QPointF, print_support

    ps = print_support()
    view, out = notices_view, tmp_path / "current.pdf"
    view.pdf_view.pageNavigator().jump(3, QPointF(0, 0))
    qtbot.waitUntil(lambda: view.pdf_view.pageNavigator().currentPage() == 3)
    answer_print_dialog(monkeypatch, out, lambda printer: printer.setPrintRange(ps.QPrinter.PrintRange.CurrentPage))
    view.print_btn.click()
    assert view.ctx.tasks.wait()
    assert which_pages(out, view, tmp_path) == [3]


def test_cancel_after_the_first_page_stops_and_leaves_no_file(notices_view, monkeypatch, tmp_path):
    from desktop.ui.views import pdf_print

    view, out = notices_view, tmp_path / "cancelled.pdf"
    drawn: list[int] = []
    real_draw = pdf_print._draw

    def draw_then_cancel(painter, doc, page, dpi) -> None:
        real_draw(painter, doc, page, dpi)
        drawn.append(page)
        view.ctx.tasks._active[0].progress.cancel()  # the officer presses Cancel while page 1 prints
    monkeypatch.setattr(pdf_print, "_draw", draw_then_cancel)
    answer_print_dialog(monkeypatch, out, lambda printer: None)  # all six pages
    said: list[str] = []
    view.ctx.tasks.cancelled.connect(said.append)
    view.print_btn.click()
    assert view.ctx.tasks.wait()
    assert drawn == [0]  # no page after the cancel
    assert not out.exists()  # no half file left to be taken for the printout
    assert len(said) == 1 and (said[0].startswith("已取消") or said[0].lower().startswith("cancelled"))
    assert view.message.kind == "error" and "pages sent" not in view.message.label.text()


def test_a_cancelled_print_dialog_prints_nothing(notices_view, monkeypatch, tmp_path):
    from desktop.ui.qt import print_support

    ps = print_support()
    runs: list[object] = []
    monkeypatch.setattr(ps.QPrintDialog, "exec", lambda dlg: 0)
    real_run = notices_view.ctx.tasks.run
    monkeypatch.setattr(notices_view.ctx.tasks, "run", lambda *a, **k: runs.append(a) or real_run(*a, **k))
    notices_view.print_btn.click()
    assert runs == [] and not notices_view.message.isVisible()


def test_a_printer_that_cannot_start_is_an_error_in_the_view_not_a_crash(notices_view, monkeypatch, tmp_path):
    blocked = tmp_path / "no-such-folder" / "x.pdf"  # the PDF "printer" cannot open its output
    answer_print_dialog(monkeypatch, blocked, lambda printer: None)
    notices_view.print_btn.click()
    assert notices_view.ctx.tasks.wait()
    assert notices_view.message.kind == "error"
    assert "Unexpected" not in notices_view.message.label.text() and "意外" not in notices_view.message.label.text()
    assert not blocked.exists()


def test_the_page_choice_reads_ranges_lists_and_the_current_page():
    from desktop.ui.app import make_app
    from desktop.ui.qt import QPageRanges, print_support
    from desktop.ui.views.pdf_print import chosen_pages, new_printer, sheet_order

    make_app()
    ps = print_support()
    printer = new_printer()
    assert chosen_pages(printer, 5) == [0, 1, 2, 3, 4]
    printer.setPrintRange(ps.QPrinter.PrintRange.PageRange)
    ranges = QPageRanges()
    ranges.addRange(1, 2)
    ranges.addPage(4)
    ranges.addRange(7, 9)  # beyond the document: dropped
    printer.setPageRanges(ranges)
    assert chosen_pages(printer, 5) == [0, 1, 3]
    printer.setPrintRange(ps.QPrinter.PrintRange.CurrentPage)
    assert chosen_pages(printer, 5, current=2) == [2]
    assert chosen_pages(printer, 5, current=9) == [4]
    assert chosen_pages(printer, 0) == []
    assert sheet_order([1, 2], 3, collate=True) == [1, 2, 1, 2, 1, 2]
    assert sheet_order([1, 2], 2, collate=False) == [1, 1, 2, 2]
    assert sheet_order([1, 2], 0, collate=False) == [1, 2]
