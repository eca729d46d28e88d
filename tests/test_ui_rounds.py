"""The award round in the window (offscreen): office → enterprise → achievements → compute → submit
as a clerk → the clerk's own approval refused → approval by a reviewer → notices PDF produced and
loaded by QtPdf; a discretionary amount above the pool refused with a clear message; the audit log
viewer with its chain check."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

pytest.importorskip("pytestqt")

from tests.conftest import GOOD_USCC, OTHER_USCC  # noqa: E402
from tests.qt_answers import answer  # noqa: E402


@pytest.fixture
def window(qtbot, db):
    """A main window on an office database with three accounts (admin, clerk, reviewer)."""
    from desktop.store import office, users
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow

    make_app()
    office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监",
                  policy_id="putian-chengxiang-2021", signatory="莆田市城厢区市场监督管理局", user="tester")
    users.create_user("lin", "林振华", "correct horse", "admin")
    clerk = users.create_user("chen", "陈晓梅", "correct horse", "clerk")
    reviewer = users.create_user("wang", "王建国", "correct horse", "reviewer")
    ctx = AppContext(db)
    ctx.set_user(clerk)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    win.accounts = {"clerk": clerk, "reviewer": reviewer}
    yield win
    ctx.tasks.wait()
    win.close()


def add_data(ctx, year: int = 2024) -> None:
    """An enterprise and its achievements, through the same operations the forms use."""
    from desktop.store.edits import save_achievement, save_enterprise

    save_enterprise({"name": "莆田市城厢区华峰鞋业有限公司", "uscc": GOOD_USCC}, ctx.username)
    base = {"enterprise": GOOD_USCC, "kind": "standard", "level": "national", "date": f"{year}-05-01"}
    save_achievement({**base, "id": "A1", "action": "formulate", "rank": 1, "ref": f"GB/T 41001-{year}",
                      "title": "运动鞋 缓震性能的测定"}, ctx.username)
    save_achievement({**base, "id": "A2", "action": "revise", "rank": 2, "ref": f"GB/T 41002-{year}",
                      "title": "鞋类 耐折性能试验方法"}, ctx.username)
    ctx.changed("achievements")


def test_daily_path_compute_submit_approve_issue(window, qtbot, tmp_path):
    from desktop.store import publicity
    from desktop.store.models import AuditEntry, AwardEvent, AwardRound, Notice
    from desktop.ui.qt import pdf_modules
    from desktop.ui.views.round_dialogs import ReviewDialog

    publicity.set_settings(user="tester", required=False, reason="notices without a publicity step")
    ctx = window.ctx
    add_data(ctx)
    view = window.show_view("rounds")
    view.year.setValue(2024)
    assert view.pages.currentWidget() is view.empty
    assert "press Compute" in view.empty.title.text()
    assert view.policy.currentData() == "putian-chengxiang-2021"  # the office's policy by default

    qtbot.mouseClick(view.compute_btn, qtbot_left())
    assert ctx.tasks.wait()
    rnd = AwardRound.get(AwardRound.year == 2024)
    assert rnd.status == "draft" and rnd.prepared_by == "chen"
    assert view.pages.currentWidget() is view.split
    lines = {ln["achievement"]: ln for ln in view.model.rows}
    assert lines["A1"]["amount"] == Decimal("100000.00") and lines["A1"]["clause"] == "五(二)2"
    assert lines["A2"]["amount"] == Decimal("35000.00")  # 50,000 × 70%
    assert "70%" in lines["A2"]["explanation"]
    assert "¥135,000.00" in view.footer.text()
    # a flagged line is highlighted: background, icon and the flag text as tooltip
    row = next(r for r in range(view.model.rowCount()) if view.model.rows[r]["flags"])
    from desktop.ui.qt import Qt

    idx = view.model.index(row, 2)
    assert view.model.data(idx, Qt.ItemDataRole.BackgroundRole) is not None
    assert not view.model.data(idx, Qt.ItemDataRole.DecorationRole).isNull()
    assert view.model.rows[row]["flags"][0] in view.model.data(idx, Qt.ItemDataRole.ToolTipRole)
    assert view.ent_model.rows[0]["total"] == Decimal("135000.00")
    # the award's history is shown for the chosen line
    view.select_achievement("A1")
    assert view.history_model.rowCount() == 1 and "林振华" not in view.history_model.rows[0]["user"]

    qtbot.mouseClick(view.submit_btn, qtbot_left())
    assert AwardRound.get_by_id(rnd.id).status == "draft"  # not before the officer confirms
    answer(view)
    assert AwardRound.get_by_id(rnd.id).status == "submitted"
    assert view.review_btn.isEnabled()

    # the clerk who prepared the round cannot approve it
    dlg = ReviewDialog(ctx, AwardRound.get_by_id(rnd.id), view.lines, view)
    assert not dlg.approve_btn.isEnabled() and "reviewer" in dlg.hint.text()
    from desktop.ui.qt import QLabel

    shown = "\n".join(w.text() for w in dlg.findChildren(QLabel))
    assert "莆城政〔2021〕88号" in shown and "区级实施标准化战略专项资金" in shown  # names, never internal ids
    assert "putian-chengxiang-2021" not in shown and "district" not in shown
    dlg.approve()
    assert "another person" in dlg.message.text() or "reviewer" in dlg.message.text()
    assert AwardRound.get_by_id(rnd.id).status == "submitted"
    dlg.close()

    # the reviewer approves
    ctx.set_user(window.accounts["reviewer"])
    dlg = ReviewDialog(ctx, AwardRound.get_by_id(rnd.id), view.lines, view)
    assert dlg.approve_btn.isEnabled() and not dlg.hint.isVisible()
    dlg.approve()
    answer(dlg)
    rnd = AwardRound.get_by_id(rnd.id)
    assert rnd.status == "approved" and rnd.reviewed_by == "wang"
    assert AwardEvent.select().where(AwardEvent.user == "wang").count() == 2
    assert "approved" in view.state.text()
    assert not view.compute_btn.isEnabled()

    # notices: issue in the background, preview loads with QtPdf
    notices = window.show_view("notices")
    assert notices.current_round().uuid == rnd.uuid
    notices.date.setDate(notices.date.date().fromString("2025-03-01", "yyyy-MM-dd"))
    qtbot.mouseClick(notices.issue_btn, qtbot_left())
    answer(notices)
    assert ctx.tasks.wait()
    issued = list(Notice.select())
    assert len(issued) == 1 and issued[0].status == "issued"
    assert issued[0].doc_number == "城市监〔2025〕1号" and issued[0].total == Decimal("135000.00")
    path = notices.last_issue["path"]
    assert path.exists() and notices.last_issue["archive"].exists()
    QtPdf, _w = pdf_modules()
    doc = QtPdf.QPdfDocument(None)
    assert doc.load(str(path)) == QtPdf.QPdfDocument.Error.None_ and doc.pageCount() > 0
    assert not notices.issue_btn.isEnabled()  # issued once per round
    qtbot.waitUntil(lambda: notices.preview_path is not None and notices.document.pageCount() > 0)

    # reprint from history is identical; printing goes through QPrinter (to a PDF file here)
    notices.save_to(tmp_path / "again.pdf")
    assert ctx.tasks.wait()
    notices.save_to(tmp_path / "again2.pdf")
    assert ctx.tasks.wait()
    assert (tmp_path / "again.pdf").read_bytes() == (tmp_path / "again2.pdf").read_bytes()
    notices.duplex.setChecked(True)  # two-sided: the notice is padded to an even number of pages
    notices.save_to(tmp_path / "duplex.pdf")
    assert ctx.tasks.wait()
    pages = {}
    for name in ("again", "duplex"):
        d = QtPdf.QPdfDocument(None)
        assert d.load(str(tmp_path / f"{name}.pdf")) == QtPdf.QPdfDocument.Error.None_
        pages[name] = d.pageCount()
    assert pages["duplex"] == pages["again"] + pages["again"] % 2
    notices.duplex.setChecked(False)
    from desktop.ui.views.pdf_print import new_printer, print_document

    printer = new_printer()
    printer.setOutputFormat(printer.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert print_document(notices.document, printer) == notices.document.pageCount()
    assert (tmp_path / "printed.pdf").stat().st_size > 1000

    notices.summary_to(tmp_path / "summary.xlsx")
    assert ctx.tasks.wait()
    assert (tmp_path / "summary.xlsx").exists()

    audit = window.show_view("audit")
    assert ctx.tasks.wait()
    assert audit.chain.text().startswith("✓")
    assert any(r["action"] == "approved" for r in audit.model.rows)
    assert AuditEntry.select().where(AuditEntry.action == "submitted").count() == 1


def qtbot_left():
    from desktop.ui.qt import Qt

    return Qt.MouseButton.LeftButton


def test_discretionary_amount_above_the_pool_is_refused(window, qtbot):
    """Quanzhou 2012: some categories are paid from a yearly pool at the office's discretion."""
    from desktop.core.policies import load_policy
    from desktop.store import office
    from desktop.store.edits import save_achievement, save_enterprise
    from desktop.store.models import Award
    from desktop.ui.views.round_dialogs import AmountDialog

    ctx = window.ctx
    policy = load_policy("quanzhou-2012")
    pool = next(iter(policy.pools.values()))
    year = pool.years[0]
    office.update(policy_id="quanzhou-2012", user="tester")
    save_enterprise({"name": "泉州市丰泽区测试企业有限公司", "uscc": OTHER_USCC}, ctx.username)
    rule = next(r for r in policy.rules if r.pool == pool.id)
    case = next(c for c in policy.cases if any(e.get("status") == "discretionary" for e in c.get("expect", [])))
    given = dict(case["given"][0])
    given.update({"id": "D1", "enterprise": OTHER_USCC, "date": f"{year}-06-01"})
    given = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in given.items()}
    save_achievement(given, ctx.username)
    ctx.changed("achievements")
    view = window.show_view("rounds")
    view.year.setValue(year)
    view.compute()
    assert ctx.tasks.wait()
    line = next(ln for ln in view.model.rows if ln["status"] == "discretionary")
    assert line["amount"] is None and view.footer.text().count("1 to decide") == 1
    assert pool.name in view.pools.text()
    assert view.select_achievement("D1") and view.amount_btn.isEnabled()
    # submitting with an open amount is refused, with the reason in the message bar
    view.submit()
    answer(view)
    assert view.message.kind == "error" and "no amount" in view.message.text()

    dlg = AmountDialog(ctx, view.round, line, view)
    too_much = pool.budget + 1
    dlg.amount.setText(str(too_much))
    assert "more than" in dlg.form.message("amount")
    assert not dlg.buttons.button(dlg.buttons.StandardButton.Save).isEnabled()
    dlg.save()  # even if forced, the store refuses and says why under the field
    assert "more than" in dlg.form.message("amount") and not dlg.saved
    assert Award.get_by_id(line["id"]).amount is None
    dlg.amount.setText("abc")
    assert "type an amount" in dlg.form.message("amount")
    dlg.amount.setText("8,000")
    assert dlg.form.message("amount") == "" and "Left in the pool" in dlg.after.text()
    dlg.save()
    assert dlg.saved and Award.get_by_id(line["id"]).amount == Decimal("8000.00")
    view.refresh()
    assert "remaining" in view.pools.text() and "8,000" in view.pools.text()
    assert rule.id == Award.get_by_id(line["id"]).rule


def test_a_large_round_is_read_in_the_background_and_searched_by_the_model(window, qtbot, monkeypatch):
    """A round above the read-at-once size is read in a worker (the window says so meanwhile; a
    reading overtaken by a newer one is dropped); the search box filters on the text shown in each
    column, any case, never across two columns, and together with "only lines needing attention"."""
    from desktop.ui.views import rounds as rounds_view

    monkeypatch.setattr(rounds_view, "READ_AT_ONCE", 1)
    ctx = window.ctx
    add_data(ctx)
    view = window.show_view("rounds")
    view.year.setValue(2024)
    qtbot.mouseClick(view.compute_btn, qtbot_left())
    assert ctx.tasks.wait()
    assert sorted(ln["achievement"] for ln in view.model.rows) == ["A1", "A2"]
    assert "¥135,000.00" in view.footer.text() and view.ent_model.rows[0]["total"] == Decimal("135000.00")

    view.year.setValue(2023)  # no round that year
    view.year.setValue(2024)
    assert "Reading the round for 2024 (2 lines)" in view.state.text()
    assert ctx.tasks.wait()
    view.refresh()  # the same round read again: the window keeps saying which round it shows meanwhile
    from desktop.ui.linebreaks import plain  # the line as read (its parts are kept from breaking)

    assert "Reading" not in view.state.text() and "Round 2024" in plain(view.state.text())
    view.refresh()  # a second reading overtakes the first: only the newest is shown
    shown = []
    monkeypatch.setattr(view, "_show_state", lambda: shown.append(len(view.model.all_rows)))
    assert ctx.tasks.wait()
    assert shown == [2]

    def visible() -> list[str]:
        return sorted(view.proxy.index(r, 0).data(rounds_view.ROW_ROLE)["achievement"]
                      for r in range(view.proxy.rowCount()))

    view.search.setText("gb/t 41002")  # any case
    assert visible() == ["A2"]
    view.search.setText("35,000.00")  # the amount as shown
    assert visible() == ["A2"]
    view.search.setText("华峰鞋业")
    assert visible() == ["A1", "A2"]
    view.search.setText("有限公司 运动鞋")  # the enterprise and the achievement are two columns
    assert visible() == []
    view.search.setText("")
    view.attention.setChecked(True)  # a participation rank is flagged: its note travels with the line
    flagged = sorted(ln["achievement"] for ln in view.model.all_rows if ln["flags"])
    assert visible() == flagged and flagged
    view.search.setText("GB/T 41001")
    assert visible() == [a for a in flagged if a == "A1"]
    view.attention.setChecked(False)
    assert visible() == ["A1"]
    assert view.select_achievement("A1") and not view.select_achievement("A2")  # A2 is not shown
    from desktop.ui.qt import Qt

    view.search.setText("")
    view.tableview.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # by amount, through the proxy
    assert [view.proxy.index(r, 0).data(rounds_view.ROW_ROLE)["achievement"]
            for r in range(view.proxy.rowCount())] == ["A2", "A1"]  # 35,000 before 100,000
    view.search.setText("华峰")
    assert view.proxy.rowCount() == 2 and view.model.rows[0]["achievement"] == "A2"  # the order is kept


def test_a_refresh_of_a_large_round_adds_nothing_up_on_the_ui_thread(window, qtbot, monkeypatch):
    """The round's money (over every line: ~0.4 s at 10⁶) and its pools' committed sums are read in
    the worker with its lines; the UI thread only counts the lines on the index to choose, and shows
    the same state, pools and totals as before."""
    import threading

    from desktop.operations import rounds
    from desktop.ui.views import rounds as rounds_view

    monkeypatch.setattr(rounds_view, "READ_AT_ONCE", 1)
    ctx = window.ctx
    add_data(ctx)
    assert rounds.line_count(ctx.session, 2024) is None and rounds.line_count(ctx.session, "no-such-round") is None
    view = window.show_view("rounds")
    view.year.setValue(2024)
    view.compute()
    assert ctx.tasks.wait()
    uid = view.round.uuid
    assert rounds.line_count(ctx.session, 2024) == rounds.line_count(ctx.session, uid) == 2
    on_ui: list[str] = []
    for name in ("info", "pool_budgets"):  # (info adds the money up; latest calls it when there is a round)
        real = getattr(rounds, name)

        def watched(*a, _real=real, _name=name, **k):
            if threading.current_thread() is threading.main_thread():
                on_ui.append(_name)
            return _real(*a, **k)
        monkeypatch.setattr(rounds, name, watched)
    before = (view.state.text(), view.pools.text(), view.footer.text())
    view.refresh()
    assert ctx.tasks.wait()
    view.year.setValue(2023)
    view.year.setValue(2024)  # read anew, the first reading of that round
    assert ctx.tasks.wait()
    assert on_ui == [] and view.round.uuid == uid
    assert (view.state.text(), view.pools.text(), view.footer.text()) == before
    assert "¥135,000.00" in view.footer.text()
