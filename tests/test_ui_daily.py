"""The officer's daily path in the window (offscreen): set up the office with the wizard, register an
enterprise (a wrong credit code first), enter achievements through the form, find them with the
filters; and the unhappy paths: a second instance, a bad Excel row."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.conftest import GOOD_USCC  # noqa: E402

BAD_USCC = GOOD_USCC[:-1] + "4"  # right shape, wrong check character (it should be 3)


@pytest.fixture
def started(qtbot, tmp_path):
    """A Startup on a fresh database, left at the first-run wizard."""
    from desktop.store import db
    from desktop.ui.app import Startup, make_app
    from desktop.ui.context import AppContext

    make_app()
    ctx = AppContext()
    exits: list[int] = []
    st = Startup(ctx, exits.append)
    st.exits = exits
    st.start(tmp_path / "office.db")
    qtbot.waitUntil(lambda: st.dialog is not None or bool(exits), timeout=10000)
    yield st
    ctx.tasks.cancel_all()
    ctx.tasks.wait(120000)
    if st.window is not None:
        st.window.close()
    db.close_db()


def set_up_office(st, qtbot):
    wiz = st.dialog
    page = wiz.office_page
    page.name.setText("莆田市城厢区市场监督管理局")
    page.region.setText("35030")  # one digit short
    assert "six digits" in page.form.message("region")
    assert not page.isComplete()
    page.region.setText("350302")
    page.prefix.setText("城市监")
    assert page.form.message("region") == "" and page.isComplete()
    wiz.next()
    admin = wiz.admin_page
    admin.username.setText("lin")
    admin.display.setText("林振华")
    admin.password.setText("correct horse")
    admin.repeat.setText("correct hors")
    assert "differ" in admin.form.message("repeat")
    admin.repeat.setText("correct horse")
    assert admin.isComplete()
    wiz.accept()
    qtbot.waitUntil(lambda: st.window is not None)
    return st.window


def test_daily_path_wizard_enterprise_achievements_filters(started, qtbot):
    from desktop.store import office
    from desktop.store.models import Achievement, AuditEntry
    from desktop.ui.views.achievement_form import AchievementForm
    from desktop.ui.views.enterprise_dialog import EnterpriseDialog

    win = set_up_office(started, qtbot)
    ctx = started.ctx
    assert office.get().doc_prefix == "城市监"
    assert ctx.actor.username == "lin" and ctx.role == "admin"
    assert "莆田市城厢区市场监督管理局" in win.status_office.text() and "林振华" in win.status_user.text()

    ents = win.show_view("enterprises")
    assert ents.pages.currentWidget() is ents.empty  # empty state with a hint
    dlg = EnterpriseDialog(ctx, None, ents)
    dlg.fields["name"].setText("莆田市城厢区华峰鞋业有限公司")
    dlg.fields["uscc"].setText(BAD_USCC)
    assert "should be 3" in dlg.form.message("uscc")
    assert not dlg.buttons.button(dlg.buttons.StandardButton.Save).isEnabled()
    dlg.fields["uscc"].setText(GOOD_USCC.lower())  # lower case is accepted and normalised
    assert dlg.form.message("uscc") == ""
    dlg.accept()
    assert [r["uscc"] for r in ents.model.rows] == [GOOD_USCC]

    achs = win.show_view("achievements")
    form = AchievementForm(ctx, None, achs, GOOD_USCC)
    form.w["kind"].setCurrentIndex(form.w["kind"].findData("standard"))
    assert form.form.isRowVisible(form.w["action"]) and not form.form.isRowVisible(form.w["body"])
    form.w["date"].setDate(form.w["date"].date().fromString("2024-05-01", "yyyy-MM-dd"))
    form.w["ref"].setText("GB/T 12345-2024")
    form.accept()  # level, action and rank are still missing: refused, each field says so
    assert form.saved is None
    assert "required" in form.problem("level") and "required" in form.problem("action")
    form.w["level"].setCurrentIndex(form.w["level"].findData("national"))
    form.w["action"].setCurrentIndex(form.w["action"].findData("formulate"))
    form.w["rank"].setValue(2)
    assert form.problem("level") == "" and form.problem("rank") == ""
    form.accept()
    assert form.saved is not None

    form2 = AchievementForm(ctx, None, achs, GOOD_USCC)
    form2.w["kind"].setCurrentIndex(form2.w["kind"].findData("secretariat"))
    assert form2.form.isRowVisible(form2.w["body"]) and not form2.form.isRowVisible(form2.w["rank"])
    form2.w["date"].setDate(form2.w["date"].date().fromString("2025-03-18", "yyyy-MM-dd"))
    form2.w["level"].setCurrentIndex(form2.w["level"].findData("provincial"))
    form2.w["body"].setCurrentIndex(form2.w["body"].findData("tc"))
    form2.accept()
    assert form2.saved is not None

    assert Achievement.select().count() == 2
    assert AuditEntry.select().where(AuditEntry.entity == "achievement", AuditEntry.user == "lin").count() == 2
    assert achs.model.rowCount() == 2
    achs.year.setCurrentIndex(achs.year.findData(2024))
    assert achs.model.rowCount() == 1 and "GB/T 12345-2024" in achs.model.index(0, 5).data()
    achs.year.setCurrentIndex(0)
    achs.kind.setCurrentIndex(achs.kind.findData("secretariat"))
    assert achs.model.rowCount() == 1
    achs.kind.setCurrentIndex(0)
    achs.search.setText("12345")
    qtbot.waitUntil(lambda: achs.model.rowCount() == 1)
    achs.search.setText("nothing like this")
    qtbot.waitUntil(lambda: achs.pages.currentWidget() is achs.empty)
    achs.search.clear()
    qtbot.waitUntil(lambda: achs.model.rowCount() == 2)
    win.show_view("enterprises")  # refreshed when shown again
    assert ents.model.rows[0]["achievements"] == 2
    win.show_view("achievements")

    # delete, then undo brings it back
    achs.tableview.selectRow(0)
    achs.delete()
    assert Achievement.select().count() == 1
    ctx.undo_stack.undo()
    assert Achievement.select().count() == 2 and achs.model.rowCount() == 2


def test_duplicate_credit_code_is_refused_in_the_form(started, qtbot):
    from desktop.ui.views.enterprise_dialog import EnterpriseDialog

    win = set_up_office(started, qtbot)
    d1 = EnterpriseDialog(started.ctx, None, win)
    d1.fields["name"].setText("甲公司")
    d1.fields["uscc"].setText(GOOD_USCC)
    d1.accept()
    d2 = EnterpriseDialog(started.ctx, None, win)
    d2.fields["name"].setText("乙公司")
    d2.fields["uscc"].setText(GOOD_USCC)
    assert "already registered to 甲公司" in d2.form.message("uscc")


def test_second_instance_is_told_the_database_is_open_elsewhere(qtbot, tmp_path):
    from desktop.store.lock import WriterLock
    from desktop.ui.app import Startup, make_app
    from desktop.ui.context import AppContext

    make_app()
    path = tmp_path / "office.db"
    holder = WriterLock(path)
    holder.acquire()  # another StdAward process
    try:
        exits: list[int] = []
        st = Startup(AppContext(), exits.append)
        st.start(path)
        qtbot.waitUntil(lambda: st.dialog is not None, timeout=10000)
        assert st.dialog.objectName() == "openError"
        assert "already open in another StdAward window" in st.dialog.text()
        st.dialog.done(0)
        assert exits == [1] and st.window is None
    finally:
        holder.release()


def test_excel_import_with_a_bad_row_shows_the_report_and_imports_nothing(started, qtbot, tmp_path):
    from openpyxl import load_workbook

    from desktop.exchange.xlsx import write_template
    from desktop.store.models import Achievement, Enterprise
    from desktop.ui import excel

    win = set_up_office(started, qtbot)
    path = write_template(tmp_path / "in.xlsx")
    wb = load_workbook(path)
    ws = wb["成果"]
    ws.append(["A-002", "91350302MA2Y0KXQ4Q", "standard", "2025-07-01", "GB/T 2-2025", "", "national",
               "formulate", 0])  # rank 0 is not a rank
    wb.save(path)
    excel.import_workbook(win, str(path))
    started.ctx.tasks.wait()
    report = win.import_report
    assert report.isVisible()
    cells = [[report.table.item(r, c).text() for c in range(3)] for r in range(report.table.rowCount())]
    assert ["工作表“成果”第3行（A-002）", "I列“排名”"] in [row[:2] for row in cells], cells  # sheet, row, column
    assert Achievement.select().count() == 0 and Enterprise.select().count() == 0


def test_excel_import_of_the_template_adds_its_rows_and_export_writes_the_table(started, qtbot, tmp_path):
    from openpyxl import load_workbook

    from desktop.exchange.xlsx import write_template
    from desktop.store.models import Achievement
    from desktop.ui import excel

    win = set_up_office(started, qtbot)
    path = write_template(tmp_path / "in.xlsx")
    wb = load_workbook(path)
    wb["企业"].append(["91350302MA2Y0KXQ4Q", "莆田市某某鞋业有限公司", "350302"])
    wb["成果"].append(["A-001", "91350302MA2Y0KXQ4Q", "标准制修订", "2025-06-01", "GB/T 12345-2025", "示例标准",
                      "国家", "制定", 1])  # row 3, under the example row (which is never imported)
    wb.save(path)
    excel.import_workbook(win, str(path))
    started.ctx.tasks.wait()
    assert Achievement.select().count() == 1
    win.show_view("achievements")
    out = tmp_path / "out.xlsx"
    excel.export_current(win, str(out))
    started.ctx.tasks.wait()
    rows = list(load_workbook(out).active.values)
    assert rows[0][0] == "Id" and rows[1][0] == "A-001"


def test_sign_in_refuses_a_wrong_password(qtbot, db):
    from desktop.store import users
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.login import LoginDialog

    make_app()
    users.create_user("lin", "林振华", "correct horse")
    dlg = LoginDialog(AppContext(db))
    dlg.username.setText("lin")
    dlg.password.setText("wrong")
    dlg.accept()
    assert dlg.user is None and dlg.error.text()
    dlg.password.setText("correct horse")
    dlg.accept()
    assert dlg.user.username == "lin"


def test_language_switch_retranslates_the_window(started, qtbot):
    from desktop.core.i18n import current_locale
    from desktop.ui.views.settings import switch_language

    win = set_up_office(started, qtbot)
    achs = win.show_view("achievements")
    english = achs.kind.itemText(achs.kind.findData("standard"))
    assert english == "Standard drafting"
    switch_language(started.ctx, "zh_CN")
    try:
        assert current_locale() == "zh_CN"
        assert achs.kind.itemText(achs.kind.findData("standard")) == "标准制修订"  # live, no restart
    finally:
        switch_language(started.ctx, "en")
    assert achs.kind.itemText(achs.kind.findData("standard")) == english


def test_enterprise_delete_is_undone_and_two_records_are_merged(started, qtbot, monkeypatch):
    from desktop.store import records
    from desktop.store.models import Achievement, Enterprise
    from desktop.ui.qt import QMessageBox
    from desktop.ui.views import enterprise_dialog
    from tests.conftest import OTHER_USCC, std

    win = set_up_office(started, qtbot)
    ctx = started.ctx
    records.load({"enterprises": [{"uscc": GOOD_USCC, "name": "莆田市城厢区华峰鞋业有限公司"},
                                  {"uscc": OTHER_USCC, "name": "华峰鞋业（重复登记）"}],
                  "achievements": [std(id="A1"), std(id="B1", enterprise=OTHER_USCC, ref="GB/T 22222-2024")]}, user="tester")
    ctx.changed("enterprises")
    ents = win.show_view("enterprises")
    assert ents.model.rowCount() == 2

    # an enterprise with achievements is not deleted; without, it is, and Ctrl+Z brings it back
    ents.select_uscc(OTHER_USCC)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    ents.delete()
    assert Enterprise.select().count() == 2
    Achievement.delete().where(Achievement.source_id == "B1").execute()
    ctx.changed("achievements")
    ents.select_uscc(OTHER_USCC)
    ents.delete()
    assert Enterprise.select().count() == 1 and ents.model.rowCount() == 1
    ctx.undo_stack.undo()
    assert Enterprise.select().where(Enterprise.uscc == OTHER_USCC).exists() and ents.model.rowCount() == 2

    # merge the duplicate into the kept record: its achievements move, the duplicate goes
    records.load({"achievements": [std(id="B2", enterprise=OTHER_USCC, ref="GB/T 33333-2024")]}, user="tester")
    keep, drop = Enterprise.get(Enterprise.uscc == GOOD_USCC), Enterprise.get(Enterprise.uscc == OTHER_USCC)

    def choose(dlg):
        dlg.keep.setCurrentIndex(dlg.keep.findData(keep.id))
        dlg.drop.setCurrentIndex(dlg.drop.findData(drop.id))
        return 1
    monkeypatch.setattr(enterprise_dialog.MergeDialog, "exec", choose)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    ents.merge()
    assert [e.uscc for e in Enterprise.select()] == [GOOD_USCC]
    assert Achievement.select().where(Achievement.enterprise == keep.id).count() == 2
    assert [r["achievements"] for r in ents.model.rows] == [2]


def test_closing_while_work_runs_offers_to_cancel_it_and_closes_when_it_stopped(started, qtbot):
    import time

    from desktop.core.progress import Cancelled

    win = set_up_office(started, qtbot)
    win.show()
    stopped: list[str] = []

    def endless(progress):
        while not progress.cancelled:
            time.sleep(0.01)
        stopped.append("rolled back")
        raise Cancelled()

    started.ctx.tasks.run(endless, label="Counting...")
    assert not win.close()  # refused, not blocked: the box is window-modal and the work goes on
    box = next(w for w in win.findChildren(object) if w.objectName() == "stopWorkBox")
    assert "Work is still running" in box.text()
    keep = next(b for b in box.buttons() if b.text() == "Keep working")
    keep.click()
    assert win.isVisible() and not started.ctx.tasks.idle
    assert not win.close()
    box = next(w for w in win.findChildren(object) if w.objectName() == "stopWorkBox")
    next(b for b in box.buttons() if b.text() == "Cancel the work and close").click()
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=10000)
    assert stopped == ["rolled back"] and started.ctx.tasks.idle


def test_a_result_arriving_after_its_window_closed_is_dropped_quietly(qtbot):
    """The officer closes a window while its background work runs: the result has nobody to go to."""
    from desktop.ui.app import make_app
    from desktop.ui.qt import QLabel
    from desktop.ui.tasks import TaskRunner

    make_app()
    runner = TaskRunner()
    label = QLabel()
    painted: list[str] = []

    def paint(text: str) -> None:
        label.setText(text)
        painted.append(text)

    label.deleteLater()
    qtbot.wait(10)  # the label is gone
    runner.run(lambda _p: "42", on_done=paint)
    assert runner.wait()
    assert painted == []  # setText on a deleted label: dropped, no error in the event loop
