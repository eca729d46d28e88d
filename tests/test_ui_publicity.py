"""The 公示 dialog of the round view (offscreen): the reviewer starts the publicity (the last day shown
before starting), the notices view refuses to issue while it runs, a clerk records an objection but
cannot close it, the reviewer closes it, the list and the letters of refusal are saved as PDFs."""
from __future__ import annotations

import datetime
import subprocess

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_rounds import add_data, qtbot_left, window  # noqa: E402,F401 - fixture


def approved_round(ctx) -> str:
    from desktop.operations import rounds
    from desktop.operations.session import Actor, Session
    from desktop.store.edits import save_achievement

    # an enterprise standard: no clause of the district's policy pays it (a letter of refusal)
    save_achievement({"enterprise": "91350100M000100Y43", "kind": "standard", "level": "enterprise",
                      "date": "2024-06-01", "id": "Q1", "action": "formulate", "rank": 1, "ref": "Q/HF 0001-2024"},
                     ctx.username)
    clerk = Session.attach(ctx.db_path)
    clerk.actor = Actor("chen", "陈晓梅", "clerk")
    reviewer = Session.attach(ctx.db_path)
    reviewer.actor = Actor("wang", "王建国", "reviewer")
    info = rounds.compute(clerk, 2024, "putian-chengxiang-2021")
    rounds.submit(clerk, info.uuid)
    rounds.approve(reviewer, info.uuid)
    return info.uuid


def test_the_publicity_dialog_runs_the_step_and_saves_both_documents(window, qtbot, tmp_path, monkeypatch):  # noqa: F811
    from desktop.core import workdays
    from desktop.store.models import Notice, Objection
    from desktop.ui.qt import QFileDialog

    ctx = window.ctx
    add_data(ctx)
    approved_round(ctx)
    ctx.set_user(window.accounts["reviewer"])
    view = window.show_view("rounds")
    view.year.setValue(2024)
    view.refresh()
    assert view.publicity_btn.isEnabled()
    qtbot.mouseClick(view.publicity_btn, qtbot_left())
    dlg = view.publicity_window
    assert dlg.isVisible() and "not been publicised" in dlg.state.text()
    # the dialog is where the publicity starts: it does not send the officer to its own button
    assert dlg.gate.text() == "Not publicised yet: start its publicity below; notices wait for its end."
    today = ctx.session.today()
    end = workdays.count_period(today, 7).end
    dlg.days.setValue(7)
    assert end.isoformat() in dlg.ends.text()  # the last day, before anything is recorded
    assert not dlg.object_box.isEnabled() and not dlg.print_btn.isEnabled()
    qtbot.mouseClick(dlg.start_btn, qtbot_left())
    assert "objections are to be sent" in dlg.message.text()  # nothing filled in: refused, nothing stored
    dlg.where.setText("莆田市城厢区市场监督管理局标准化股")
    dlg.contact.setText("陈晓梅，0594-2600000")
    qtbot.mouseClick(dlg.start_btn, qtbot_left())
    assert f"to {end}" in dlg.state.text() and not dlg.start_box.isVisible()
    running = (f"Publicised from {today} until {end} (7 working days): notices may be issued from "
               f"{end + datetime.timedelta(days=1)}.")
    assert dlg.gate.text() == running  # one sentence: the end date once, the first day of the notices once
    view.refresh()
    assert view.state.text().splitlines()[-1] == running  # the rounds view says the same

    # the notices view refuses while the period runs, naming its end
    notices = window.show_view("notices")
    qtbot.mouseClick(notices.issue_btn, qtbot_left())
    assert ctx.tasks.wait()
    assert f"runs until {end}" in notices.message.text() and Notice.select().count() == 0

    # a clerk records an objection; closing it is for a reviewer
    ctx.set_user(window.accounts["clerk"])
    dlg.line.setCurrentIndex(0)
    dlg.raised_by.setText("莆田市某鞋业公司")
    dlg.text.setText("起草单位排序有误")
    qtbot.mouseClick(dlg.object_btn, qtbot_left())
    assert dlg.table.rowCount() == 1 and dlg.table.item(0, 1).text() == "莆田市某鞋业公司"
    assert dlg.gate.text() == (f"Publicised from {today} until {end} (7 working days), 1 objection(s) open: "
                               f"notices may be issued from {end + datetime.timedelta(days=1)} once they are closed.")
    dlg.table.selectRow(0)
    dlg.reason.setText("经核查排序无误")
    qtbot.mouseClick(dlg.rejected_btn, qtbot_left())
    assert "close an objection" in dlg.message.text() and Objection.get().outcome == "open"
    ctx.set_user(window.accounts["reviewer"])
    dlg.table.selectRow(0)
    qtbot.mouseClick(dlg.rejected_btn, qtbot_left())
    assert Objection.get().outcome == "rejected" and dlg.table.item(0, 5).text() == "not upheld"

    saved = iter([str(tmp_path / "list"), str(tmp_path / "letters.pdf")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (next(saved), ""))
    qtbot.mouseClick(dlg.print_btn, qtbot_left())
    assert ctx.tasks.wait()
    text = subprocess.run(["pdftotext", str(tmp_path / "list.pdf"), "-"], capture_output=True, text=True).stdout
    assert "拟奖补名单的公示" in text and "0594-2600000" in text
    assert dlg.refusals_btn.isEnabled()
    qtbot.mouseClick(dlg.refusals_btn, qtbot_left())
    assert ctx.tasks.wait()
    assert "1 letter(s) for 1 claim(s)" in dlg.message.text()
    text = subprocess.run(["pdftotext", str(tmp_path / "letters.pdf"), "-"], capture_output=True, text=True).stdout
    assert "不予奖补告知书" in text and "Q/HF 0001-2024" in text
    dlg.close()


def test_an_administrator_switches_the_step_off_in_the_settings_with_a_reason(window, qtbot):  # noqa: F811
    from desktop.operations import publicity
    from desktop.store.models import AuditEntry

    ctx = window.ctx
    ctx.set_user(window.accounts["reviewer"])
    view = window.show_view("settings")
    assert not view.publicity_box.isEnabled()  # only an administrator changes the office settings
    from desktop.store import users

    ctx.set_user(users.verify("lin", "correct horse"))
    view.refresh()
    assert view.publicity_box.isEnabled() and view.publicity_on.isChecked()
    view.publicity_on.setChecked(False)
    qtbot.mouseClick(view.save_publicity, qtbot_left())
    assert "say why" in view.publicity_msg.text() and publicity.settings(ctx.session)["required"]
    view.publicity_reason.setText("名单已经区政府常务会议审定")
    view.days_off.setText("2026-06-01, 2026-13-01")
    qtbot.mouseClick(view.save_publicity, qtbot_left())
    assert "YYYY-MM-DD" in view.publicity_msg.text() and publicity.settings(ctx.session)["required"]
    view.days_off.setText("2026-06-01，2026-09-15")
    qtbot.mouseClick(view.save_publicity, qtbot_left())
    values = publicity.settings(ctx.session)
    assert (values["required"], values["days_off"], values["workdays"]) == (False, ["2026-06-01", "2026-09-15"], [])
    entries = list(AuditEntry.select().where(AuditEntry.action == "publicity_settings").order_by(AuditEntry.id))
    assert [e.user for e in entries] == ["lin"] and entries[0].after["reason"] == "名单已经区政府常务会议审定"

    # the letters' 发文字号 prefix: a bad one is refused and nothing of the change is saved
    view.publicity_on.setChecked(True)
    view.refusal_prefix.setText("城市 监告")
    qtbot.mouseClick(view.save_publicity, qtbot_left())
    assert "1-12 Chinese characters" in view.publicity_msg.text()
    assert publicity.settings(ctx.session)["required"] is False and AuditEntry.select().where(
        AuditEntry.action == "publicity_settings").count() == 1
    view.refusal_prefix.setText("城市监告")
    qtbot.mouseClick(view.save_publicity, qtbot_left())
    values = publicity.settings(ctx.session)
    assert (values["required"], values["refusal_prefix"], values["days_off"]) == (True, "城市监告",
                                                                                ["2026-06-01", "2026-09-15"])
    last = AuditEntry.select().where(AuditEntry.action == "publicity_settings").order_by(AuditEntry.id.desc()).get()
    assert last.user == "lin" and last.after["publicity"]["refusal_prefix"] == "城市监告"
    view.refresh()
    assert view.refusal_prefix.text() == "城市监告"  # what is stored is what the screen shows
    ctx.set_user(window.accounts["reviewer"])
    view.refresh()
    assert not view.publicity_box.isEnabled() and not view.edit_public_wording.isEnabled()


def test_the_publicity_wording_is_edited_with_a_preview_and_saved_as_a_new_version(window, qtbot):  # noqa: F811
    from desktop.operations import publicity
    from desktop.store import users
    from desktop.store.models import AuditEntry
    from desktop.ui.qt import QDialogButtonBox

    ctx = window.ctx
    ctx.set_user(users.verify("lin", "correct horse"))
    view = window.show_view("settings")
    view.refresh()
    qtbot.mouseClick(view.edit_public_wording, qtbot_left())
    dlg = view.public_wording_dialog
    assert dlg.isVisible()
    save = dlg.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert "逾期或匿名的异议不予受理" in dlg.preview.toPlainText() and save.isEnabled()
    dlg.fields["letter_review"].setPlainText("如有异议，请于{days}个工作日内向{bureau}申请复核。")
    assert not save.isEnabled() and "{bureau}" in dlg.problems.text()
    assert "Letter of refusal: how to ask for a review" in dlg.problems.text()  # named by its label, not its key
    dlg.fields["letter_review"].setPlainText("如有异议，请于{days}个工作日内向{office}申请复核。")
    dlg.days.setValue(10)
    assert save.isEnabled() and "请于10个工作日内向莆田市城厢区市场监督管理局申请复核" in dlg.preview.toPlainText()
    qtbot.mouseClick(save, qtbot_left())
    assert not dlg.isVisible() and "version 1" in view.publicity_msg.text()
    version, words = publicity.wording(ctx.session)
    assert version == 1 and words["letter_days"] == 10 and "{office}申请复核" in words["letter_review"]
    assert AuditEntry.select().where(AuditEntry.entity == "publicity_template").count() == 1
    # the defaults back, as one more version
    qtbot.mouseClick(view.edit_public_wording, qtbot_left())
    dlg = view.public_wording_dialog
    assert dlg.days.value() == 10
    qtbot.mouseClick(dlg.defaults_btn, qtbot_left())
    qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Save), qtbot_left())
    version, words = publicity.wording(ctx.session)
    assert version == 2 and words["letter_days"] == 15 and words == publicity.default_wording()


def test_the_notices_view_shows_the_gate_and_prints_the_list_and_the_letters(
        window, qtbot, tmp_path, monkeypatch):  # noqa: F811
    """From the notices view: the chosen round's gate (not publicised, then running until its last day),
    the 公示 dialog, the 公示 list and the letters saved and shown in the preview, then printed."""
    from desktop.core import workdays
    from desktop.store.models import Notice, RefusalLetter
    from desktop.ui.qt import QFileDialog
    from desktop.ui.views import pdf_print

    ctx = window.ctx
    add_data(ctx)
    uuid = approved_round(ctx)
    ctx.set_user(window.accounts["reviewer"])
    view = window.show_view("notices")
    view.refresh()
    view.round_box.setCurrentIndex(view.round_box.findData(uuid))
    assert view.gate_row.isVisible()
    assert view.gate.text() == "Not publicised yet: start its publicity (Publicity...); notices wait for its end."
    assert not view.list_btn.isEnabled() and view.letters_btn.isEnabled()
    assert "1 claim(s)" in view.letters_btn.toolTip()

    # the 公示 dialog from here, as from the round view
    qtbot.mouseClick(view.publicity_btn, qtbot_left())
    dlg = view.publicity_window
    assert dlg.isVisible()
    dlg.days.setValue(5)
    dlg.where.setText("莆田市城厢区市场监督管理局标准化股")
    dlg.contact.setText("陈晓梅，0594-2600000")
    qtbot.mouseClick(dlg.start_btn, qtbot_left())
    dlg.close()
    end = workdays.count_period(ctx.session.today(), 5).end
    today = ctx.session.today()
    assert view.gate.text() == (f"Publicised from {today} until {end} (5 working days): notices may be issued "
                                f"from {end + datetime.timedelta(days=1)}.")
    assert view.gate.text().count(str(end)) == 1
    assert view.list_btn.isEnabled()
    qtbot.mouseClick(view.issue_btn, qtbot_left())
    assert ctx.tasks.wait()
    assert f"runs until {end}" in view.message.text() and Notice.select().count() == 0

    printed: list[tuple[int, str]] = []
    monkeypatch.setattr(pdf_print, "print_with_dialog",
                        lambda view, path, pages, current, title, **_kw: printed.append((pages, title)))
    saved = iter([str(tmp_path / "公示"), str(tmp_path / "letters.pdf")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (next(saved), ""))
    qtbot.mouseClick(view.list_btn, qtbot_left())
    assert ctx.tasks.wait()
    qtbot.waitUntil(lambda: view.document.pageCount() > 0)
    text = subprocess.run(["pdftotext", str(tmp_path / "公示.pdf"), "-"], capture_output=True, text=True).stdout
    assert "拟奖补名单的公示" in text and "0594-2600000" in text
    assert view.preview_path == tmp_path / "公示.pdf" and view.print_btn.isEnabled()
    qtbot.mouseClick(view.print_btn, qtbot_left())
    assert printed == [(view.document.pageCount(), "Publicity list of the award round for 2024")]

    qtbot.mouseClick(view.letters_btn, qtbot_left())
    assert ctx.tasks.wait()
    assert "1 letter(s) for 1 claim(s)" in view.message.text() and RefusalLetter.select().count() == 1
    text = subprocess.run(["pdftotext", str(tmp_path / "letters.pdf"), "-"], capture_output=True, text=True).stdout
    assert "不予奖补告知书" in text and "Q/HF 0001-2024" in text and "核验码" in text
    qtbot.waitUntil(lambda: view.preview_path == tmp_path / "letters.pdf")
    qtbot.mouseClick(view.print_btn, qtbot_left())
    assert printed[-1][1] == "Letters of refusal of the award round for 2024"

    # the letter's QR text, typed by a scanner into the Verify dialog, is shown as a letter of refusal
    from desktop.operations import statements
    from desktop.ui.views.verify_dialog import VerifyNoticeDialog

    letter = RefusalLetter.get()
    check = VerifyNoticeDialog(ctx, window)
    qtbot.addWidget(check)
    check.input.setText(statements.statement_for_letter(letter))
    check.check()
    assert ctx.tasks.wait()
    assert check.ok and check.fields["document"].text() == "Letter of refusal"
    assert check.labels["total"].text() == "Claims not paid" and check.fields["total"].text() == "1"
    assert check.fields["recipient"].text() == letter.content["recipient"]["uscc"]
    assert check.fields["doc_number"].text() == "not numbered"  # the office does not number its letters
    check.input.setText(check.input.text()[:-3] + ("AAA" if not check.input.text().endswith("AAA") else "BBB"))
    check.check()
    assert ctx.tasks.wait()
    assert check.ok is False and "Refused" in check.verdict.text() and check.fields["document"].text() == ""

    # the choice of another round (all notices) hides the round's steps
    view.round_box.setCurrentIndex(view.round_box.findData(None))
    assert not view.gate_row.isVisible()


def test_the_publicity_dialog_refuses_a_first_day_before_the_approval(window, qtbot):  # noqa: F811
    from desktop.store.models import Publicity

    ctx = window.ctx
    add_data(ctx)
    approved_round(ctx)  # approved today
    ctx.set_user(window.accounts["reviewer"])
    view = window.show_view("rounds")
    view.year.setValue(2024)
    view.refresh()
    qtbot.mouseClick(view.publicity_btn, qtbot_left())
    dlg = view.publicity_window
    today = ctx.session.today()
    before = today - datetime.timedelta(days=14)
    dlg.first_day.setDate(dlg.first_day.date().addDays(-14))
    dlg.where.setText("莆田市城厢区市场监督管理局标准化股")
    dlg.contact.setText("陈晓梅，0594-2600000")
    qtbot.mouseClick(dlg.start_btn, qtbot_left())
    assert (f"the award round for 2024 was approved on {today}: its publicity cannot start on {before}, before "
            "the approval") in dlg.message.text()
    assert Publicity.select().count() == 0 and dlg.start_box.isVisible()


def test_the_step_switched_off_is_said_once_in_the_publicity_dialog(window, qtbot):  # noqa: F811
    """The dialog's state line and the gate's sentence under it both said 「本单位已关闭公示环节：下达
    通知书无需等待公示。」, one above the other."""
    from desktop.operations import publicity

    ctx = window.ctx
    add_data(ctx)
    approved_round(ctx)
    from desktop.store.users import verify

    ctx.set_user(verify("lin", "correct horse"))  # the administrator switches the step off
    publicity.set_required(ctx.session, False, "本县不设公示")
    ctx.set_user(window.accounts["reviewer"])
    view = window.show_view("rounds")
    view.year.setValue(2024)
    view.refresh()
    qtbot.mouseClick(view.publicity_btn, qtbot_left())
    dlg = view.publicity_window
    sentence = "The office has switched the publicity step off: notices do not wait for it."
    shown = dlg.state.text() + "\n" + dlg.gate.text()
    assert shown.count(sentence) == 1, shown
    assert dlg.gate.text() == sentence
    assert "not been publicised" in dlg.state.text()  # the state line still tells where the list stands
