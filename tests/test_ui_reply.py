"""The city's reply in the window, and what the county sees of it: the city picks a county's
submission, comments on two of its records and returns it; the county's import dialog recognises
the reply and keeps it; the achievements view tints the two records with the city's comments (the
entry form says it too); the county fixes one and exports again; the city accepts, and the marks go."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from tests.test_exchange import apply, city, county, export, using
from tests.test_exchange_reply import _trust_city


@pytest.fixture
def ctx(qtbot):
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext

    make_app()
    c = AppContext()
    yield c
    c.tasks.wait()


def _reply_at_city(ctx, qtbot, city_db, tmp_path, *, comments: dict[str, str], note: str, returned: bool):
    from desktop.ui.views.exchange import ExchangeView

    with using(city_db):
        ctx.db_path = city_db
        view = ExchangeView(ctx)
        qtbot.addWidget(view)
        view.show()
        assert view.reply_btn.isVisible() and view.reply_btn.isEnabled()
        # the county's imported package, double-clicked in the log, opens the reply on that submission
        imported = [i for i, r in enumerate(view.model.rows) if r["imported"]]
        view.tableview.doubleClicked.emit(view.model.index(imported[0], 0))
        dlg = view.reply_dialog
        assert dlg is not None and dlg.isVisible()
        assert dlg.submission.count() == 1 and "a县市场监督管理局, 2024: 2 achievements" in dlg.submission.itemText(0)
        assert sorted(r["source_id"] for r in dlg.records) == ["p1", "s1"]
        for sid, text in comments.items():
            dlg.set_comment(sid, text)
        (dlg.return_rb if returned else dlg.accept_rb).setChecked(True)
        dlg.note.setPlainText(note)
        dlg.folder.setText(str(tmp_path))
        dlg.write()
        assert ctx.tasks.wait()
        assert dlg.result_info is not None, dlg.message.text()
        assert "written to" in view.message.text()
        out = Path(dlg.result_info["path"])  # the dialog itself may already be gone: it closes when done
        assert out.name.startswith("a县市场监督管理局2024年度报送回执") and out.suffix == ".stdpkg"  # filed by name
        view.close()
    return out


def _import_at_county(ctx, qtbot, county_db, pkg):
    from desktop.ui.views.exchange import ExchangeView

    view = ExchangeView(ctx)
    qtbot.addWidget(view)
    dlg = view.open_package(pkg)
    assert ctx.tasks.wait()
    assert dlg.reply is not None and dlg.import_btn.isEnabled(), dlg.message.text()
    shown = (dlg.office.text(), [dlg.tree.topLevelItem(0).child(i).text(1)
                                 for i in range(dlg.tree.topLevelItem(0).childCount())])
    dlg.apply()
    assert ctx.tasks.wait()
    assert "reply of" in view.message.text()
    return shown


def test_return_fix_and_accept_through_the_windows(tmp_path, ctx, qtbot):
    from desktop.operations import records
    from desktop.store.models import Achievement
    from desktop.ui.views.achievement_form import AchievementForm
    from desktop.ui.views.achievements import AchievementsView
    from desktop.ui.views.enterprise_dialog import EnterpriseDialog

    county_db, card = county(tmp_path)
    city_db = city(tmp_path, card)
    apply(city_db, export(county_db, tmp_path / "p1.stdpkg", year=2024).path)
    _trust_city(county_db, city_db)

    # the city: an acceptance with comments on records is refused (they are the reasons of a return)
    from desktop.ui.views.exchange import ReplyDialog

    with using(city_db):
        ctx.db_path = city_db
        dlg = ReplyDialog(ctx)
        qtbot.addWidget(dlg)
        assert dlg.pass_on_btn.isHidden() and dlg.table.isColumnHidden(4)  # no province's word on it
        dlg.set_comment("s1", "封面不清")
        dlg.accept_rb.setChecked(True)
        dlg.folder.setText(str(tmp_path))
        dlg.write()
        assert "go with a return" in dlg.message.text() and dlg.result_info is None
        dlg.set_comment("s1", "")
        dlg.return_rb.setChecked(True)
        dlg.write()  # a return says why
        assert ctx.tasks.wait()
        assert dlg.result_info is None and "comment" in dlg.message.text()
    assert not list(tmp_path.glob("*回执*.stdpkg"))

    r1 = _reply_at_city(ctx, qtbot, city_db, tmp_path, returned=True, note="请补正后重新报送",
                        comments={"s1": "标准文本封面不清晰", "p1": "缺少验收报告"})

    with using(county_db):
        ctx.db_path = county_db
        ctx.forget_session()
        heading, comments = _import_at_county(ctx, qtbot, county_db, r1)
        assert "2024" in heading and "submission returned" in heading
        assert sorted(comments) == ["标准文本封面不清晰", "缺少验收报告"]
        view = AchievementsView(ctx)
        qtbot.addWidget(view)
        view.refresh()
        assert view.returned.isVisibleTo(view) and view.returned.kind == "error"
        assert "s1：标准文本封面不清晰" in view.returned.text() and "p1：缺少验收报告" in view.returned.text()
        ids = {a.source_id: a.get_id() for a in Achievement.select()}
        assert set(view.model.marks) == {ids["s1"], ids["p1"]}
        from desktop.ui.qt import Qt
        tips = {}
        for row in range(view.model.rowCount()):
            idx = view.model.index(row, 0)
            tips[view.model.data(idx)] = (view.model.data(idx, Qt.ItemDataRole.ToolTipRole),
                                          view.model.data(idx, Qt.ItemDataRole.BackgroundRole) is not None)
        assert tips["s1"][0].endswith("2024: 标准文本封面不清晰") and tips["s1"][1]
        form = AchievementForm(ctx, records.achievement(ctx.session, ids["p1"]))
        qtbot.addWidget(form)
        assert form.returned.isVisibleTo(form) and "缺少验收报告" in form.returned.text()
        ent = EnterpriseDialog(ctx, records.enterprise(ctx.session, Achievement.get_by_id(ids["p1"]).enterprise_id))
        qtbot.addWidget(ent)  # the enterprise's record names both returned achievements and why
        assert ent.returned.isVisibleTo(ent)
        assert ent.returned.text().splitlines() == ["p1：[Returned by the city] 2024: 缺少验收报告",
                                                    "s1：[Returned by the city] 2024: 标准文本封面不清晰"]

        # the county fixes s1: its mark says so, p1 still waits
        raw = records.achievement(ctx.session, ids["s1"]).achievement.to_dict()
        records.save_achievement(ctx.session, dict(raw, title="重新扫描的标准文本"), editing=ids["s1"])
        view.refresh()
        assert "1 not changed since" in view.returned.text()
        assert "changed since" in view.model.marks[ids["s1"]] and "changed since" not in view.model.marks[ids["p1"]]
        view.close()
    apply(city_db, export(county_db, tmp_path / "p2.stdpkg", year=2024).path)

    stick = tmp_path / "stick2"
    stick.mkdir()
    r2 = _reply_at_city(ctx, qtbot, city_db, stick, returned=False, note="", comments={})
    with using(county_db):
        ctx.db_path = county_db
        ctx.forget_session()
        heading, comments = _import_at_county(ctx, qtbot, county_db, r2)
        assert "submission accepted" in heading and comments == []
        view = AchievementsView(ctx)
        qtbot.addWidget(view)
        view.refresh()
        assert not view.returned.isVisibleTo(view) and view.model.marks == {}
        form = AchievementForm(ctx, records.achievement(ctx.session, ids["p1"]))
        qtbot.addWidget(form)
        assert not form.returned.isVisibleTo(form)
        ent = EnterpriseDialog(ctx, records.enterprise(ctx.session, Achievement.get_by_id(ids["p1"]).enterprise_id))
        qtbot.addWidget(ent)
        assert not ent.returned.isVisibleTo(ent)


def test_a_reply_dropped_on_the_countys_window_is_recognised(tmp_path, qtbot):
    from desktop.operations import exchange
    from desktop.operations.session import Session
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow
    from tests.test_ui_drop import drag_and_drop, mime

    county_db, card = county(tmp_path)
    city_db = city(tmp_path, card)
    apply(city_db, export(county_db, tmp_path / "p1.stdpkg", year=2024).path)
    _trust_city(county_db, city_db)
    with Session.open(city_db, auto_backup=False, check=False) as s:
        exchange.reply(s, tmp_path / "r1.stdpkg", card["uuid"], year=2024, decision="returned",
                       remarks={"p1": "缺少验收报告"})
    make_app()
    with using(county_db):
        win = MainWindow(AppContext(county_db))
        qtbot.addWidget(win)
        win.show()
        assert drag_and_drop(win, mime(tmp_path / "r1.stdpkg"))
        dlg = win.current_view().import_dialog
        assert win.ctx.tasks.wait()
        assert dlg.reply is not None and "submission returned" in dlg.office.text()
        assert dlg.import_btn.isEnabled() and "city's reply" in dlg.message.text()
        # the decision, the city's note and its comment on each record: no empty conflicts panel beside them
        assert not dlg.conflict_panel.isVisibleTo(dlg) and dlg.conflicts.count() == 0
        assert dlg.counts.text() == "Note: -" and dlg.tree.headerItem().text(1) == "The city's comment"
        top = dlg.tree.topLevelItem(0)
        assert dlg.tree.topLevelItemCount() == 1 and top.text(0) == "Records commented on (1)"
        assert top.childCount() == 1 and top.child(0).text(1) == "缺少验收报告"
        dlg.apply()
        assert win.ctx.tasks.wait()
        assert [r["decision"] for r in exchange.replies(win.ctx.session)] == ["returned"]
        win.close()


def test_a_county_registers_its_citys_key_in_the_window_then_reads_the_reply(tmp_path, ctx, qtbot, monkeypatch):
    """The county has no other way in the window to trust its city: 数据交换 offers it, from the
    city's reply itself, confirmed by the fingerprint read on the telephone; a wrong one is refused."""
    from desktop.exchange import offices
    from desktop.exchange.package import fingerprint
    from desktop.operations import exchange
    from desktop.ui.qt import QFileDialog, QInputDialog
    from desktop.ui.views.exchange import ExchangeView

    county_db, card = county(tmp_path)
    city_db = city(tmp_path, card)
    apply(city_db, export(county_db, tmp_path / "p1.stdpkg", year=2024).path)
    with using(city_db):
        city_card = offices.card()
    from desktop.operations.session import Session

    with Session.open(city_db, auto_backup=False, check=False) as s:
        exchange.reply(s, tmp_path / "r1.stdpkg", card["uuid"], year=2024, decision="returned",
                       remarks={"p1": "缺少验收报告"})
    typed = iter(["0000 0000 0000 0000 0000", fingerprint(city_card["public_key"])])
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "r1.stdpkg"), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (next(typed), True))
    with using(county_db):
        ctx.db_path = county_db
        view = ExchangeView(ctx)
        qtbot.addWidget(view)
        view.show()
        assert view.register_btn.isVisible() and view.register_btn.text() == "Register the city's key..."
        assert not view.reply_btn.isVisible() and not view.publicity_btn.isVisible()
        view.register_office()
        assert "fingerprint" in view.message.text() and exchange.known_offices(ctx.session) == []
        view.register_office()
        assert [r["name"] for r in exchange.known_offices(ctx.session)] == ["莆田市市场监督管理局"]
        plan = exchange.plan_import(ctx.session, tmp_path / "r1.stdpkg")
        assert exchange.reply_preview(ctx.session, plan)["decision"] == "returned"


def test_the_city_passes_the_provinces_remarks_on_with_one_button(tmp_path, ctx, qtbot):
    from desktop.operations import exchange
    from desktop.ui.views.exchange import COMMENT_COL, UPPER_COL, ReplyDialog
    from tests.test_exchange_reply_province import _chain, _session

    _county, city_db, _other, province = _chain(tmp_path)
    with _session(province) as s:
        exchange.reply(s, tmp_path / "province-reply.stdpkg", "莆田市市场监督管理局", year=2024, decision="returned",
                       remarks={"s1": "标准编号与公告不符"})
    assert apply(city_db, tmp_path / "province-reply.stdpkg").applied["replies"] == 1
    with using(city_db):
        ctx.db_path = city_db
        dlg = ReplyDialog(ctx)
        qtbot.addWidget(dlg)
        dlg.show()
        rows = {r["source_id"]: i for i, r in enumerate(dlg.records)}
        assert not dlg.table.isColumnHidden(UPPER_COL) and dlg.pass_on_btn.isVisible()
        assert dlg.table.item(rows["s1"], UPPER_COL).text() == "标准编号与公告不符"
        assert dlg.table.item(rows["p1"], UPPER_COL).text() == ""
        dlg.set_comment("s1", "请附发布公告")
        dlg.accept_rb.setChecked(True)
        dlg.pass_on_btn.click()
        dlg.pass_on_btn.click()  # twice: the remark is not repeated
        assert dlg.return_rb.isChecked()
        assert dlg.table.item(rows["s1"], COMMENT_COL).text() == "请附发布公告；福建省市场监督管理局: 标准编号与公告不符"
        assert list(dlg.comments().values()) == ["请附发布公告；福建省市场监督管理局: 标准编号与公告不符"]
