"""The log file on the officer's PC: written by the command line and the desktop program, rotated,
background failures with their traceback, and reachable from 帮助 → 打开日志文件夹."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")


@pytest.fixture
def log_file(tmp_path):
    from desktop.store import logfile

    file = logfile.setup(tmp_path / "data")
    yield file
    root = logging.getLogger()
    for h in list(root.handlers):
        if isinstance(h, logfile._Handler):
            root.removeHandler(h)
            h.close()


def test_an_unexpected_failure_on_the_command_line_is_logged_with_its_traceback(tmp_path, monkeypatch, capsys):
    from desktop import cli
    from desktop.store import logfile

    def broken() -> None:
        raise RuntimeError("the disk controller said no")

    monkeypatch.setattr(cli, "build_parser", broken)
    try:
        assert cli.main(["list", "enterprises"]) == cli.EXIT_FAIL
        assert "the disk controller said no" in capsys.readouterr().err
        text = (tmp_path / "data" / "logs" / logfile.LOG_FILE).read_text("utf-8")
        assert "Traceback" in text and "RuntimeError: the disk controller said no" in text and "in broken" in text
    finally:
        for h in list(logging.getLogger().handlers):
            if isinstance(h, logfile._Handler):
                logging.getLogger().removeHandler(h)
                h.close()


def test_the_log_rotates_and_keeps_five_old_files(log_file, monkeypatch):
    from desktop.store import logfile

    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logfile._Handler))
    handler.maxBytes = 10_000
    log = logging.getLogger("desktop.test")
    for i in range(800):
        log.warning("第%d条 %s", i, "奖补" * 20)
    names = sorted(p.name for p in log_file.parent.iterdir())
    assert names == ["stdaward.log"] + [f"stdaward.log.{i}" for i in range(1, 6)]
    assert all(p.stat().st_size <= 10_000 for p in log_file.parent.iterdir())  # bytes, not characters
    assert "第799条" in log_file.read_text("utf-8")


def test_a_rotation_refused_by_another_process_keeps_logging(log_file, monkeypatch):
    from desktop.store import logfile

    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logfile._Handler))
    handler.maxBytes = 200

    def locked(src, dst):  # Windows: the other StdAward process has stdaward.log open
        raise PermissionError(32, "The process cannot access the file", src)

    monkeypatch.setattr(handler, "rotate", locked)
    for i in range(20):
        logging.getLogger("desktop.test").warning("line %d", i)
    assert "line 19" in log_file.read_text("utf-8")


def test_a_failed_background_task_is_logged_with_its_traceback(qtbot, log_file):
    from desktop.core.errors import StdAwardError
    from desktop.ui.app import make_app
    from desktop.ui.tasks import TaskRunner

    make_app()
    runner = TaskRunner()
    errors: list[BaseException] = []

    def compute_everything(progress):
        return {"a": 1}["missing"]

    def refused(progress):
        raise StdAwardError("企业 91350100M000100Y43 · 名称: 不能为空")

    runner.run(compute_everything, on_error=errors.append)
    runner.run(refused, on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 2)
    text = log_file.read_text("utf-8")
    assert "Traceback" in text and "KeyError: 'missing'" in text and "compute_everything" in text
    assert "WARNING" in text and "名称: 不能为空" in text  # a refusal: its message, no traceback
    assert text.count("Traceback") == 1


def test_a_cancelled_task_says_yiquxiao_in_chinese_and_is_no_error_whoever_raised_it(qtbot, log_file):
    """One Cancelled: stopped through the task's own progress, by the export or by the notices'
    renderer, the window says 已取消 (no error box, no traceback in the log)."""
    from desktop.core import i18n
    from desktop.exchange import export
    from desktop.notices import notice
    from desktop.ui.app import make_app
    from desktop.ui.tasks import TaskRunner

    make_app()
    runner = TaskRunner()
    said: list[str] = []
    errors: list[BaseException] = []
    runner.cancelled.connect(said.append)

    def stopped(progress):
        progress.cancel()
        progress.check()

    def export_stopped(progress):
        raise export.Cancelled("export cancelled; nothing was written")

    def printing_stopped(progress):
        raise notice.Cancelled()

    i18n.set_locale("zh_CN")
    try:
        for fn in (stopped, export_stopped, printing_stopped):
            runner.run(fn, on_error=errors.append)
        assert runner.wait()
        assert said == ["已取消：未作任何更改。"] * 3 and errors == []
    finally:
        i18n.set_locale("en")
    assert "Traceback" not in log_file.read_text("utf-8")

def test_help_menu_opens_the_log_folder(qtbot, db, monkeypatch):
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow
    from desktop.ui.qt import QDesktopServices

    make_app()
    win = MainWindow(AppContext(db))
    qtbot.addWidget(win)
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    help_menu = [a for a in win.menuBar().actions() if "Help" in a.text()][0].menu()
    assert win.qactions["open_log_folder"] in help_menu.actions()
    win.qactions["open_log_folder"].trigger()
    assert len(opened) == 1 and opened[0].endswith("data/logs")
    win.close()


def test_dialogs_start_in_the_last_folder_or_documents_never_the_working_directory(qtbot, tmp_path, monkeypatch):
    from desktop.ui import excel, files
    from desktop.ui.app import make_app
    from desktop.ui.qt import QFileDialog

    make_app()
    program = tmp_path / "Program Files" / "StdAward"
    program.mkdir(parents=True)
    monkeypatch.chdir(program)
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda parent, title, start, flt: asked.append(start) or ("", ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda parent, title, start, flt: asked.append(start) or ("", ""))

    excel.import_workbook(None)  # nothing remembered yet: Documents (or home)
    assert Path(asked[-1]) == files.documents() and Path(asked[-1]) != program

    usb = tmp_path / "U盘 #1" / "2026年"
    usb.mkdir(parents=True)
    files.remember(usb / "奖补成果.xlsx")
    excel.save_template(None)
    assert Path(asked[-1]).parent == usb and asked[-1].endswith(".xlsx")

    usb.rmdir()  # the stick was pulled out
    excel.import_workbook(None)
    assert Path(asked[-1]) == files.documents()


def test_the_import_report_can_be_saved_as_a_workbook(qtbot, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    from desktop.core.errors import Problem
    from desktop.ui.app import make_app
    from desktop.ui.excel import ImportReport
    from desktop.ui.qt import QFileDialog

    make_app()
    problems = [Problem("工作表“成果”第5行（B-3）", "G列“级别”", "'宇宙' is not one of: national, provincial"),
                Problem("工作表“成果”第7行（B-5）", "I列“排名”", "=HYPERLINK(\"x\") the rank must be a whole number")]
    report = ImportReport(tmp_path / "成果.xlsx", problems)
    qtbot.addWidget(report)
    out = tmp_path / "报告 #1.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(out), ""))
    report.save_button.click()
    rows = [list(r) for r in load_workbook(out).active.iter_rows(values_only=True)]
    assert rows[1:] == [[p.record, p.field, p.message] for p in problems]  # a leading = stays text
    assert len(rows[0]) == 3

    (tmp_path / "locked").mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(tmp_path / "locked"), ""))
    assert report.save_report() is None  # a folder where the file should go: a message, no crash


def test_f1_opens_the_built_in_help_in_chinese(qtbot, db):
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow
    from desktop.ui.qt import QKeySequence

    make_app()
    win = MainWindow(AppContext(db))
    qtbot.addWidget(win)
    act = win.qactions["help"]
    assert act.shortcut() == QKeySequence("F1")
    help_menu = [a for a in win.menuBar().actions() if "Help" in a.text()][0].menu()
    assert act in help_menu.actions()
    act.trigger()
    text = win.help_dialog.browser.toPlainText()
    assert win.help_dialog.isVisible() and "标准化奖补管理 使用说明" in text
    assert "打开日志文件夹" in text and "另存为 .xlsx" in text  # what the other Windows conventions tell the officer
    win.help_dialog.close()
    win.close()


def test_redo_answers_ctrl_y_as_on_windows_and_ctrl_shift_z(qtbot, db):
    """Both sequences are the redo action's and no other action's (an ambiguous shortcut fires
    nothing); the action redoes. Offscreen has no keyboard focus, so the key press itself is not sent."""
    from PySide6.QtGui import QAction, QUndoCommand

    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow
    from desktop.ui.qt import QKeySequence

    class Step(QUndoCommand):
        def __init__(self, log: list[str]) -> None:
            super().__init__("step")
            self.log = log

        def redo(self) -> None:
            self.log.append("do")

        def undo(self) -> None:
            self.log.append("undo")

    make_app()
    win = MainWindow(AppContext(db))
    qtbot.addWidget(win)
    redo, undo = win.qactions["redo"], win.qactions["undo"]
    assert act_keys(redo) == ["Ctrl+Y", "Ctrl+Shift+Z"]  # the menu shows the first, Windows' own
    assert act_keys(undo) == ["Ctrl+Z"]
    for keys in ("Ctrl+Y", "Ctrl+Shift+Z", "Ctrl+Z"):
        owners = [a.objectName() for a in win.findChildren(QAction) if QKeySequence(keys) in a.shortcuts()]
        assert len(owners) == 1, (keys, owners)
    log: list[str] = []
    win.undo_stack.push(Step(log))
    undo.trigger()
    assert log == ["do", "undo"] and win.undo_stack.canRedo()
    redo.trigger()
    assert log == ["do", "undo", "do"] and not win.undo_stack.canRedo()
    win.close()


def act_keys(act) -> list[str]:
    from desktop.ui.qt import QKeySequence

    return [k.toString(QKeySequence.SequenceFormat.PortableText) for k in act.shortcuts()]
