"""Policies in the window (offscreen): the reading pane shows clauses, literal text and the notes on
judgment calls; a local measure is installed only after it validates and its hand-worked cases pass;
two policies compared on a year's data."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_rounds import add_data, window  # noqa: F401 - fixture


def test_read_derive_and_compare(window, qtbot):  # noqa: F811
    from desktop.core.policies import known_policy_ids
    from desktop.operations import round_work
    from desktop.store.office import local_policy_dirs
    from desktop.ui.views.policies import CompareDialog, DeriveDialog

    ctx = window.ctx
    add_data(ctx, year=2026)
    view = window.show_view("policies")
    assert view.current_id() == "putian-chengxiang-2021"
    text = view.reader.toPlainText()
    assert "五(二)2" in text and "主要起草单位(指排名前2位)" in text  # clause and literal text
    assert "5元" in text and "显系漏写" in text  # a judgment call: what the text says, how it is read, why

    dlg = DeriveDialog(ctx, "putian-chengxiang-2021", view)
    qtbot.addWidget(dlg)
    dlg.measure_id.setText("chengxiang-2026")
    dlg.title.setText("城厢区标准化奖补2026年实施细则")
    dlg.doc_number.setText("城市监〔2026〕3号")
    dlg.effective.setDate(dlg.effective.date().fromString("2026-01-01", "yyyy-MM-dd"))
    row = dlg.row_of("formulate-main", "national")
    dlg.set_amount(row, "120,000")
    assert not dlg.check() and "worked case" in dlg.message.text()  # untested: refused
    dlg.table.setCurrentCell(row, 1)
    dlg.case_amount.setText("100000")  # a wrong hand calculation
    dlg.add_case()
    assert not dlg.check() and "the case fails" in dlg.message.text() and not dlg.install_btn.isEnabled()
    dlg.cases.clear()
    dlg.case_amount.setText("120000")
    dlg.add_case()
    assert dlg.check() and dlg.install_btn.isEnabled()
    dlg.install()  # the window's user is a clerk: only an administrator installs a measure
    assert dlg.installed is None and "administrator" in dlg.message.text()
    from desktop.store.models import User

    assert not view.derive_btn.isEnabled() and "administrator" in view.derive_btn.toolTip()
    ctx.set_user(User.get(User.username == "lin"))
    assert view.derive_btn.isEnabled()  # the view follows the user who signed in
    dlg.install()
    assert dlg.installed is not None and dlg.installed.exists()
    assert "chengxiang-2026" in known_policy_ids(local_policy_dirs())
    assert round_work.load_policy("chengxiang-2026").rule("formulate-main").amounts["national"] == Decimal(120000)

    cmp = CompareDialog(ctx, "putian-chengxiang-2021", view)
    qtbot.addWidget(cmp)
    cmp.b.setCurrentIndex(cmp.b.findData("chengxiang-2026"))
    cmp.year.setValue(2026)
    cmp.run()
    assert ctx.tasks.wait()
    t = cmp.result["totals"]
    assert Decimal(t["difference"]) == Decimal(20000) and t["changed"] == 1
    assert "¥20,000.00" in cmp.totals.text()


def test_deriving_over_an_installed_measure_asks_before_replacing(window, qtbot, monkeypatch):  # noqa: F811
    from desktop.operations import measures
    from desktop.store.models import AuditEntry, User
    from desktop.ui.qt import QMessageBox
    from desktop.ui.views.policies import DeriveDialog

    ctx = window.ctx
    ctx.set_user(User.get(User.username == "lin"))
    view = window.show_view("policies")

    def derive(amount: str) -> DeriveDialog:
        dlg = DeriveDialog(ctx, "putian-chengxiang-2021", view)
        qtbot.addWidget(dlg)
        dlg.measure_id.setText("chengxiang-2026")
        dlg.doc_number.setText("城市监〔2026〕3号")
        dlg.effective.setDate(dlg.effective.date().fromString("2026-01-01", "yyyy-MM-dd"))
        row = dlg.row_of("formulate-main", "national")
        dlg.set_amount(row, amount)
        dlg.table.setCurrentCell(row, 1)
        dlg.case_amount.setText(amount)
        dlg.add_case()
        assert dlg.check(), dlg.message.text()
        return dlg

    first = derive("120000")
    first.install()
    assert first.installed is not None
    asked: list[str] = []

    def answer(reply):
        def question(_parent, _title, text, *_a):
            asked.append(text)
            return reply
        return question

    second = derive("150000")
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    second.install()
    assert second.installed is None and len(asked) == 1 and "chengxiang-2026" in asked[0]
    rule = measures.load_policy(ctx.session, "chengxiang-2026").rule("formulate-main")
    assert rule.amounts["national"] == Decimal(120000)  # kept: the officer said no

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    second.install()
    assert second.installed is not None and len(asked) == 2
    rule = measures.load_policy(ctx.session, "chengxiang-2026").rule("formulate-main")
    assert rule.amounts["national"] == Decimal(150000)
    entries = list(AuditEntry.select().where(AuditEntry.action == "install").order_by(AuditEntry.id))
    assert [e.after["replaced"] for e in entries] == [False, True] and {e.user for e in entries} == {"lin"}


def test_print_the_policy_writes_the_pdf_off_the_ui_thread(window, qtbot, tmp_path, monkeypatch):  # noqa: F811
    import threading

    from desktop.notices import policy_print
    from desktop.ui.qt import QFileDialog

    view = window.show_view("policies")
    assert view.print_btn.isVisibleTo(view) and view.print_btn.text()
    threads = []
    real = policy_print.render_policy

    def spy(*args, **kw):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kw)

    monkeypatch.setattr(policy_print, "render_policy", spy)
    out = tmp_path / "城厢 政策"  # no suffix typed: .pdf is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    view.print_btn.click()
    assert window.ctx.tasks.wait()
    pdf = out.with_suffix(".pdf")
    assert threads == [False] and pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    assert str(pdf) in view.message.text()
    # the file dialog cancelled: nothing is rendered
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    view.print_btn.click()
    assert window.ctx.tasks.wait() and threads == [False]


def test_settings_close_the_policy_in_force_on_a_date(window, qtbot):  # noqa: F811
    from desktop.operations import round_work
    from desktop.store import office, users

    window.ctx.set_user(users.verify("lin", "correct horse"))  # the office profile is the admin's
    view = window.show_view("settings")
    view.refresh()
    closes = view.o["closes"]
    assert closes.text() == ""
    closes.setText("2021-01-31")  # before 莆城政〔2021〕88号 takes effect: refused, nothing stored
    view._save_office()
    assert "2021-01-31" in view.office_msg.text() and office.policy_closings() == {}
    closes.setText("31/12/2030")
    view._save_office()
    assert "YYYY-MM-DD" in view.office_msg.text() and office.policy_closings() == {}
    closes.setText("2030-12-31")
    view._save_office()
    assert office.policy_closings() == {"putian-chengxiang-2021": dt.date(2030, 12, 31)}
    assert round_work.load_policy("putian-chengxiang-2021").expires == dt.date(2030, 12, 31)
    view.refresh()
    assert closes.text() == "2030-12-31"
    closes.setText("")
    view._save_office()
    assert office.policy_closings() == {} and round_work.load_policy("putian-chengxiang-2021").expires is None
