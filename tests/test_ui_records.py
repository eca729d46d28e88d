"""Records in the window (offscreen), through the operations layer: evidence attached from the
form's button and opened; the enterprises' 累计奖补金额 counting approved rounds only; an exact
duplicate achievement asked about before it is saved; a 30,000-row Excel import cancelled midway
shown as cancelled (status bar, no error box) with nothing imported; a clerk-only change refused to
a reviewer with a clear message."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from tests.conftest import GOOD_USCC, OTHER_USCC, std
from tests.test_operations_records import BIG, big_workbook


@pytest.fixture
def window(qtbot, db):
    """A main window on an office database without accounts (its one user acts as administrator)."""
    from desktop.store import office
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow

    make_app()
    office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监",
                  policy_id="quanzhou-2012", signatory="莆田市城厢区市场监督管理局", user="tester")
    ctx = AppContext(db)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    yield win
    ctx.tasks.wait()
    win.close()


@pytest.fixture
def errors(monkeypatch):
    """Every error box the window would show (none is expected unless a test says so)."""
    shown: list[str] = []
    from desktop.ui import tasks

    def record(parent, exc, title=None):
        shown.append(tasks.error_text(exc))
    monkeypatch.setattr(tasks, "show_error", record)
    for mod in ("desktop.ui.excel", "desktop.ui.views.enterprises", "desktop.ui.views.achievements"):
        monkeypatch.setattr(f"{mod}.show_error", record, raising=False)
    return shown


def add_records(ctx) -> int:
    from desktop.operations import records

    s = ctx.session
    records.save_enterprise(s, {"uscc": GOOD_USCC, "name": "莆田市城厢区华峰鞋业有限公司"})
    saved = records.save_achievement(s, std(id="A1", title="运动鞋 缓震性能的测定"))
    ctx.changed("achievements")
    return saved.id


def left():
    from desktop.ui.qt import Qt

    return Qt.MouseButton.LeftButton


def test_evidence_is_attached_from_the_button_and_opened(window, qtbot, tmp_path, monkeypatch):
    from desktop.operations import records
    from desktop.ui.qt import QDesktopServices, QFileDialog
    from desktop.ui.views.achievement_form import AchievementForm

    ctx = window.ctx
    ach = add_records(ctx)
    cert = tmp_path / "标准发布证书.pdf"
    cert.write_bytes(b"%PDF-1.4 the certificate")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(cert)], "")))
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toLocalFile()) or True))

    form = AchievementForm(ctx, records.achievement(ctx.session, ach), window)
    qtbot.addWidget(form)
    qtbot.mouseClick(form.ev_add, left())  # clicked(bool) once reached attach() as paths=False
    assert form.error.text() == ""
    assert [form.evidence.item(i).text() for i in range(form.evidence.count())] == ["标准发布证书.pdf"]
    kept = records.achievement(ctx.session, ach).evidence
    assert [e.filename for e in kept] == ["标准发布证书.pdf"]
    form.evidence.setCurrentRow(0)
    qtbot.mouseClick(form.ev_open, left())
    assert len(opened) == 1 and opened[0] != str(cert)  # the office's copy, not the officer's original
    assert Path(opened[0]).read_bytes() == cert.read_bytes()
    assert Path(opened[0]).name == "标准发布证书.pdf"  # the reader's title bar shows its name, not its hash

    # a file chosen on a new achievement is attached when it is saved
    new = AchievementForm(ctx, None, window, GOOD_USCC)
    qtbot.addWidget(new)
    new.w["id"].setText("A2")
    new.w["ref"].setText("GB/T 41002-2024")
    new.w["level"].setCurrentIndex(new.w["level"].findData("national"))
    new.w["action"].setCurrentIndex(new.w["action"].findData("formulate"))
    new.w["rank"].setValue(1)
    qtbot.mouseClick(new.ev_add, left())
    new.evidence.setCurrentRow(0)
    qtbot.mouseClick(new.ev_open, left())  # opens the chosen file itself before it is saved
    assert opened[-1] == str(cert)
    new.accept()
    assert new.error.text() == "" and new.saved is not None
    assert [e.filename for e in records.achievement(ctx.session, new.saved.id).evidence] == ["标准发布证书.pdf"]

    # removed from the evidence folder behind the program's back: a message on the form, not a crash
    form2 = AchievementForm(ctx, records.achievement(ctx.session, ach), window)
    qtbot.addWidget(form2)
    records.evidence_file(ctx.session, kept[0].id).unlink()
    form2.evidence.setCurrentRow(0)
    qtbot.mouseClick(form2.ev_open, left())
    assert "missing from the evidence folder" in form2.error.text()
    assert len(opened) == 2


def test_total_awarded_column_counts_only_approved_rounds(window, qtbot):
    from desktop.operations import records, round_work
    from desktop.store import rounds
    from desktop.ui.qt import Qt

    ctx = window.ctx
    records.load(ctx.session, {
        "enterprises": [{"uscc": GOOD_USCC, "name": "甲公司"}, {"uscc": OTHER_USCC, "name": "乙公司"}],
        "achievements": [std(id="a14", date="2014-05-05", ref="GB/T 20001-2014"),
                         std(id="b15", enterprise=OTHER_USCC, date="2015-05-05", ref="GB/T 20002-2015")]})
    r14 = round_work.create_round(2014, "quanzhou-2012", "clerk1")
    rounds.submit(r14, "clerk1")
    round_work.approve(r14, "rev1")
    r15 = round_work.create_round(2015, "quanzhou-2012", "clerk1")
    rounds.submit(r15, "clerk1")  # submitted, not approved: a proposal only
    ctx.changed("rounds")
    view = window.show_view("enterprises")
    col = next(i for i in range(view.model.columnCount()) if view.model.headerData(i, _horizontal()) == "Total awarded")
    shown = {view.model.index(r, 0).data(): view.model.index(r, col).data() for r in range(view.model.rowCount())}
    # nothing granted yet reads ¥0.00 like any other amount, not a blank the officer must interpret
    assert shown["甲公司"] == "¥200,000.00" and shown["乙公司"] == "¥0.00", shown
    assert {r["name"]: r["total"] for r in view.model.rows} == {"甲公司": Decimal("200000.00"), "乙公司": Decimal(0)}
    for order, first in ((Qt.SortOrder.AscendingOrder, "乙公司"), (Qt.SortOrder.DescendingOrder, "甲公司")):
        view.tableview.sortByColumn(col, order)  # as amounts: ¥0.00 below ¥200,000.00
        assert view.proxy.index(0, 0).data() == first


def _horizontal():
    from desktop.ui.qt import Qt

    return Qt.Orientation.Horizontal


def test_an_exact_duplicate_achievement_is_asked_about_before_it_is_saved(window, qtbot, monkeypatch):
    from desktop.store.models import Achievement
    from desktop.ui.qt import QMessageBox
    from desktop.ui.views.achievement_form import AchievementForm

    ctx = window.ctx
    add_records(ctx)
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda _p, _t, text, *a: asked.append(text) or answer[0]))

    def form(source_id: str):
        f = AchievementForm(ctx, None, window, GOOD_USCC)
        qtbot.addWidget(f)
        f.w["id"].setText(source_id)
        f.w["date"].setDate(f.w["date"].date().fromString("2024-05-01", "yyyy-MM-dd"))
        f.w["ref"].setText("GB/T 12345-2024")
        f.w["level"].setCurrentIndex(f.w["level"].findData("national"))
        f.w["action"].setCurrentIndex(f.w["action"].findData("formulate"))
        f.w["rank"].setValue(1)
        return f
    f = form("A9")
    assert "A1" in f.problem("ref")  # the warning is shown under the field while typing
    f.accept()
    assert len(asked) == 1 and "A1" in asked[0] and f.saved is None
    assert Achievement.select().count() == 1  # "No": nothing saved
    answer[0] = QMessageBox.StandardButton.Yes
    f.accept()
    assert f.saved is not None and Achievement.select().count() == 2
    other = form("A10")
    other.w["ref"].setText("GB/T 12346-2024")  # a different standard: saved without a question
    other.accept()
    assert len(asked) == 2 and other.saved is not None


def test_a_30000_row_excel_import_cancelled_midway_imports_nothing_and_says_so(window, qtbot, tmp_path,
                                                                                 monkeypatch, errors):
    from desktop.store.models import Achievement, AuditEntry, Enterprise
    from desktop.ui import excel, tasks

    path = big_workbook(tmp_path / "三万条.xlsx")
    updates: list[int] = []
    original = tasks.Progress.update

    def update(self, done, total=0, text=""):  # the task's own progress, asked to stop once rows are written
        original(self, done, total, text)
        updates.append(done)
        if done >= 1000:
            self.cancel()
    monkeypatch.setattr(tasks.Progress, "update", update)
    cancelled: list[str] = []
    window.ctx.tasks.cancelled.connect(cancelled.append)
    audit_before = AuditEntry.select().count()

    task = excel.import_workbook(window, str(path))
    assert task is not None
    assert window.ctx.tasks.wait(120_000)
    assert 1000 <= max(updates) < BIG  # it was stopped in the middle, not at the end
    assert cancelled == ["Cancelled: nothing was changed."]
    assert "cancelled" in window.statusBar().currentMessage() and "nothing was imported" in window.statusBar().currentMessage()
    assert errors == [] and getattr(window, "import_report", None) is None
    assert Achievement.select().count() == 0 and Enterprise.select().count() == 0
    assert AuditEntry.select().count() == audit_before


def test_a_reviewer_is_refused_a_record_change_with_a_clear_message(window, qtbot):
    from desktop.operations.session import Actor
    from desktop.store.models import Enterprise
    from desktop.ui.views.enterprise_dialog import EnterpriseDialog

    ctx = window.ctx
    ctx.set_user(Actor("wang", "王建国", "reviewer"))
    dlg = EnterpriseDialog(ctx, None, window)
    qtbot.addWidget(dlg)
    dlg.fields["name"].setText("莆田市城厢区华峰鞋业有限公司")
    dlg.fields["uscc"].setText(GOOD_USCC)
    dlg.accept()
    assert "王建国" in dlg.error.text() and "clerk" in dlg.error.text() and "Traceback" not in dlg.error.text()
    assert Enterprise.select().count() == 0 and dlg.saved is None


def test_the_enterprise_is_found_by_its_name_and_a_missing_field_names_the_kind_in_words(window, qtbot):
    """Typing part of a name (as the box invites) is not told off as a credit code of the wrong
    length; the whole name typed finds its enterprise; a field the kind needs names the kind as the
    form shows it, never its stored key (standard)."""
    from desktop.core.labels import kind_label
    from desktop.ui.views.achievement_form import AchievementForm

    add_records(window.ctx)
    form = AchievementForm(window.ctx, None, window)
    qtbot.addWidget(form)
    box = form.w["enterprise"].lineEdit()
    box.setText("华峰鞋业")
    told = form.problem("enterprise")
    assert told and "18" not in told and "4" not in told  # not "should be 18 characters, has 4"
    box.clear()
    box.setText("莆田市城厢区华峰鞋业有限公司")
    assert form.enterprise_code() == GOOD_USCC and form.problem("enterprise") == ""
    box.clear()
    box.setText("91350100M000100Y4")  # a code being typed: its length is what is wrong
    assert "18" in form.problem("enterprise")

    form.set_enterprise(GOOD_USCC)
    form.w["ref"].setText("GB/T 41002-2024")
    form.accept()  # level, formulate/revise and rank left unchosen
    assert form.saved is None
    missing = form.problem("level")
    assert kind_label("standard") in missing and "kind standard" not in missing


def test_closing_a_filled_in_form_asks_first_and_keeping_it_is_the_default(window, qtbot):
    """Esc (meant for a drop-down that had already closed), Cancel or the window's × on a form with
    fields typed in asks before throwing them away; the safe answer keeps the form and what was typed.
    A form with nothing typed closes at once."""
    from qt_answers import answer

    from desktop.ui.views.achievement_form import AchievementForm

    add_records(window.ctx)
    untouched = AchievementForm(window.ctx, None, window, GOOD_USCC)
    qtbot.addWidget(untouched)
    untouched.show()
    untouched.reject()
    assert not untouched.isVisible() and untouched.confirmation is None

    form = AchievementForm(window.ctx, None, window, GOOD_USCC)
    qtbot.addWidget(form)
    form.show()
    form.w["ref"].setText("GB/T 41002-2024")
    form.w["title"].setText("运动鞋 防滑性能的测定")
    form.reject()
    assert form.isVisible()
    question = answer(form, ok=False)  # 继续填写
    assert "lost" in question or "丢失" in question
    assert form.isVisible() and form.w["title"].text() == "运动鞋 防滑性能的测定"
    form.reject()
    answer(form, ok=True)  # 放弃
    assert not form.isVisible() and form.result() == form.DialogCode.Rejected
