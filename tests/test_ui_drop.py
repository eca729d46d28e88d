"""Files dropped on the main window: a USB package opens the exchange import with its dry run, an
Excel workbook goes through the Excel import, anything else is refused at the drag (no drop cursor)
and opens nothing."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from tests.test_exchange import _both_sides_changed, using  # noqa: E402


def mime(*paths: Path):
    from desktop.ui.qt import QMimeData, QUrl

    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return data


def drag_and_drop(window, data) -> bool:
    """Drag ``data`` over the window and drop it, as Qt delivers it; whether the drag was accepted."""
    from desktop.ui.qt import QDragEnterEvent, QDropEvent, QPointF, Qt

    actions, buttons = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    enter = QDragEnterEvent(QPointF(200, 200), actions, data, buttons, Qt.KeyboardModifier.NoModifier)
    enter.setAccepted(False)
    window.dragEnterEvent(enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(200, 200), actions, data, buttons, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    return drop.isAccepted()


@pytest.fixture
def make_window(qtbot):
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow

    made = []

    def make(path: Path):
        make_app()
        ctx = AppContext(path)
        win = MainWindow(ctx)
        qtbot.addWidget(win)
        win.show()
        made.append(win)
        return win
    yield make
    for win in made:
        win.ctx.tasks.wait()
        win.close()


def test_a_dropped_package_opens_the_import_with_its_dry_run(tmp_path, make_window, qtbot):
    from desktop.store.models import Achievement

    dst, pkg = _both_sides_changed(tmp_path)
    with using(dst):
        win = make_window(dst)
        assert drag_and_drop(win, mime(pkg))
        view = win.current_view()
        assert win.current_name() == "exchange" and view.import_dialog is not None
        dlg = view.import_dialog
        assert dlg.path == pkg and dlg.isVisible()
        assert win.ctx.tasks.wait()
        assert dlg.plan is not None and "Conflicts: 1" in dlg.counts.text()
        assert Achievement.get(Achievement.source_id == "s1").rank == 3  # only checked: nothing changed yet
        dlg.reject()
        assert view.import_dialog is None


def test_a_dropped_workbook_goes_through_the_excel_import(db, tmp_path, make_window, qtbot):
    from openpyxl import load_workbook

    from desktop.operations import records
    from desktop.store.models import Achievement, Enterprise
    from tests.conftest import GOOD_USCC

    book = records.write_template(tmp_path / "成果.xlsx")
    wb = load_workbook(book)
    wb["企业"].append([GOOD_USCC, "莆田市城厢区华峰鞋业有限公司", "350302"])
    wb["成果"].append(["A-1", GOOD_USCC, "标准制修订", "2024-05-01", "GB/T 30001-2024", None, "国家", "制定", 1])
    wb.save(book)
    win = make_window(db)
    assert drag_and_drop(win, mime(book))
    assert win.ctx.tasks.wait()
    assert Enterprise.select().count() == 1 and Achievement.select().count() == 1
    assert "成果.xlsx" in win.statusBar().currentMessage()


def test_other_files_are_refused_at_the_drag_and_open_nothing(db, tmp_path, make_window):
    from desktop.store.models import Achievement

    note = tmp_path / "说明.txt"
    note.write_text("not a package", "utf-8")
    win = make_window(db)
    before = win.current_name()
    assert not drag_and_drop(win, mime(note))
    from desktop.ui.qt import QMimeData

    text_only = QMimeData()
    text_only.setText("GB/T 30001-2024")
    assert not drag_and_drop(win, text_only)
    assert win.current_name() == before and Achievement.select().count() == 0


def test_a_damaged_package_is_explained_in_the_import_dialog(db, tmp_path, make_window):
    bad = tmp_path / "县局.stdpkg"
    bad.write_bytes(b"PK\x03\x04 not really a package")
    win = make_window(db)
    assert drag_and_drop(win, mime(bad))
    dlg = win.current_view().import_dialog
    assert win.ctx.tasks.wait()
    assert dlg.plan is None and dlg.message.kind == "error" and dlg.message.text()
    assert not dlg.import_btn.isEnabled()
    dlg.reject()


def workbook(folder: Path, name: str, rows: list[list]) -> Path:
    """The import template filled with ``rows`` of achievements (one enterprise, OTHER_USCC)."""
    from openpyxl import load_workbook

    from desktop.operations import records
    from tests.conftest import OTHER_USCC

    book = records.write_template(folder / name)
    wb = load_workbook(book)
    wb["企业"].append([OTHER_USCC, "莆田市城厢区海川电子有限公司", "350302"])
    for row in rows:
        wb["成果"].append(row)
    wb.save(book)
    return book


def test_several_dropped_files_open_one_after_another_with_one_summary(tmp_path, make_window, qtbot):
    """A package, two workbooks (one with a mistake), a note and a file gone missing, dropped together:
    the package first; each import waits for the previous one; the note and the missing file are
    refused by name; one summary says what became of each."""
    from desktop.store.models import Achievement
    from tests.conftest import OTHER_USCC

    dst, pkg = _both_sides_changed(tmp_path)
    good = workbook(tmp_path, "好的成果.xlsx",
                    [["B-1", OTHER_USCC, "标准制修订", "2024-05-01", "GB/T 30001-2024", None, "国家", "制定", 1]])
    bad = workbook(tmp_path, "有错的成果.xlsx",
                   [["B-2", OTHER_USCC, "标准制修订", "2024-13-45", "GB/T 30002-2024", None, "国家", "制定", 1]])
    note = tmp_path / "说明.txt"
    note.write_text("not a package", "utf-8")
    gone = tmp_path / "已删除.xlsx"
    with using(dst):
        win = make_window(dst)
        assert drag_and_drop(win, mime(bad, note, pkg, good, gone))
        # the package first, although dropped third; nothing else started meanwhile
        assert win.current_name() == "exchange"
        dlg = win.current_view().import_dialog
        assert dlg is not None and dlg.path == pkg
        assert win.ctx.tasks.wait()
        assert Achievement.select().where(Achievement.source_id.in_(["B-1", "B-2"])).count() == 0
        assert getattr(win.file_queue, "summary", None) is None
        dlg.reject()
        # then the workbook with a mistake: refused, its report open; the next waits for it
        assert win.ctx.tasks.wait()
        report = win.import_report
        assert report.isVisible() and report.table.rowCount() == 1
        assert Achievement.select().where(Achievement.source_id == "B-1").count() == 0
        report.reject()
        assert win.ctx.tasks.wait()
        assert Achievement.select().where(Achievement.source_id == "B-1").count() == 1
        assert Achievement.select().where(Achievement.source_id == "B-2").count() == 0
        box = win.file_queue.summary
        assert box is not None and box.isVisible()
        lines = box.informativeText().splitlines()
        assert box.text() == "1 of 5 files opened."
        assert [line.split(":")[0] for line in lines] == [f"✗ {pkg.name}", f"✗ {bad.name}", f"✓ {good.name}",
                                                          f"✗ {gone.name}", f"✗ {note.name}"]
        assert "closed without importing" in lines[0]
        assert "refused, 1 problems" in lines[1]
        assert "1 achievements added" in lines[2]
        assert "does not exist" in lines[3] and ".stdpkg" in lines[4]
        box.accept()


def test_files_dropped_while_others_open_wait_their_turn(db, tmp_path, make_window):
    from desktop.store.models import Achievement
    from tests.conftest import OTHER_USCC

    first = workbook(tmp_path, "一.xlsx", [["C-1", OTHER_USCC, "标准制修订", "2024-05-01", "GB/T 30003-2024",
                                           None, "国家", "制定", 1]])
    second = workbook(tmp_path, "二.xlsx", [["C-2", OTHER_USCC, "标准制修订", "2024-05-02", "GB/T 30004-2024",
                                            None, "国家", "制定", 1]])
    win = make_window(db)
    assert drag_and_drop(win, mime(first))
    assert drag_and_drop(win, mime(second, first))  # the first again, while it is still importing: once
    assert win.ctx.tasks.wait()
    assert win.ctx.tasks.wait()
    assert sorted(a.source_id for a in Achievement.select()) == ["C-1", "C-2"]
    box = win.file_queue.summary
    assert box is not None and box.text() == "2 of 2 files opened."
    box.accept()
