"""The 公示 list's and the 不予奖补告知书's paragraphs in the office's own words: an administrator saves
them (a new version, audited; a clerk may not; a bad placeholder is refused naming the text, nothing
stored); documents made afterwards use them; a letter or list printed before keeps its wording on a
reprint, byte for byte. The command line shows and changes the same texts."""
from __future__ import annotations

import json
import re
import subprocess

import pytest
from conftest import run_cli
from test_refusals import DAY, approved_round, office, session  # noqa: F401 - fixture

from desktop.core.errors import StdAwardError, ValidationFailed
from desktop.operations import publicity as P
from desktop.store.models import AuditEntry

REVIEW = "如有异议，可自收到本告知书之日起{days}个工作日内向{office}申请复核。"


def _text(pdf) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"—\d+—", "", re.sub(r"\s", "", out))  # a paragraph may run across a page number


def _publicised(db) -> str:
    uuid = approved_round(db)
    P.start(session(db, "boss", "password-2"), uuid, 5, "泉州市市场监督管理局标准化科", "张明，0595-22500000",
            DAY)  # from the day of the approval
    return uuid


def test_the_office_words_its_letters_and_lists_and_what_was_printed_stays_as_printed(office, tmp_path):  # noqa: F811
    uuid = _publicised(office)
    admin = session(office, "clerk1", "password-1")  # the first account is the administrator
    boss = session(office, "boss", "password-2")
    assert P.wording(admin) == (0, {})
    P.print_list(boss, uuid, tmp_path / "list-1.pdf")
    P.write_refusals(boss, uuid, tmp_path / "letters-1.pdf")
    before_list, before_letters = _text(tmp_path / "list-1.pdf"), _text(tmp_path / "letters-1.pdf")
    assert "逾期或匿名的异议不予受理" in before_list and "15个工作日内" in before_letters

    with pytest.raises(StdAwardError, match="not allowed|administrator"):
        P.save_wording(boss, {"letter_closing": "特此函告。"})
    with pytest.raises(ValidationFailed) as bad:
        P.save_wording(admin, {"letter_review": "请于{days}日内向{bureau}申请复核。", "list_contact": "联系人：{contact"})
    fields = {p.field for p in bad.value.problems}
    assert fields == {"letter_review", "list_contact"}
    assert P.wording(admin) == (0, {})  # nothing stored

    version = P.save_wording(admin, {"letter_review": REVIEW, "letter_days": 20, "letter_closing": "特此函告。",
                                     "list_objections": "对名单有异议的，请于公示期内向{objections_to}书面反映。"})
    assert version == 1 and P.wording_in_force(admin)["letter_days"] == 20
    entry = AuditEntry.select().where(AuditEntry.entity == "publicity_template").get()
    assert entry.user == "clerk1" and entry.after["version"] == 1

    # reprints keep the wording they were first printed with, byte for byte
    P.print_list(boss, uuid, tmp_path / "list-2.pdf")
    P.write_refusals(boss, uuid, tmp_path / "letters-2.pdf")
    assert (tmp_path / "list-2.pdf").read_bytes() == (tmp_path / "list-1.pdf").read_bytes()
    assert (tmp_path / "letters-2.pdf").read_bytes() == (tmp_path / "letters-1.pdf").read_bytes()

    # the next documents use the office's words: a letter made anew (its round reviewed again) and a new 公示
    from desktop.store.models import Publicity, RefusalLetter

    RefusalLetter.delete().execute()  # as if the round had been reviewed again before any letter went out
    Publicity.update(status="superseded").execute()
    P.start(boss, uuid, 5, "泉州市市场监督管理局标准化科", "张明，0595-22500000", DAY)  # from the day of the approval
    P.print_list(boss, uuid, tmp_path / "list-3.pdf")
    done = P.write_refusals(boss, uuid, tmp_path / "letters-3.pdf")
    after_list, after_letters = _text(tmp_path / "list-3.pdf"), _text(tmp_path / "letters-3.pdf")
    assert "请于公示期内向泉州市市场监督管理局标准化科书面反映" in after_list
    assert "逾期或匿名的异议不予受理" not in after_list
    assert after_letters.count("20个工作日内向泉州市市场监督管理局申请复核") == done["letters"] == 2
    assert after_letters.count("特此函告。") == 2 and "特此告知" not in after_letters
    stored = RefusalLetter.select().first().content["wording"]
    assert stored["version"] == 1 and stored["letter_review"] == REVIEW and stored["letter_days"] == 20


def test_the_command_line_shows_and_changes_the_wording(office, tmp_path):  # noqa: F811
    from desktop.store.db import close_db

    close_db()
    pw = tmp_path / "pw"
    pw.write_text("password-1\n")
    auth = ("--db", str(office), "--user", "clerk1", "--password-file", str(pw))
    r = run_cli("publicity", "wording", "--json", *auth)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["letter_closing"] == "特此告知。" and json.loads(r.stdout)["version"] == 0
    r = run_cli("publicity", "wording", "--set", "7=特此函告。", "--set", "letter_days=10", *auth)
    assert r.returncode == 0, r.stderr
    assert "version 1" in r.stdout and "7. Letter of refusal: closing line\t特此函告。" in r.stdout
    assert "8. Letter of refusal: working days to ask for a review\t10" in r.stdout
    r = run_cli("publicity", "wording", "--set", "letter_review=请向{bureau}申请", *auth)
    assert r.returncode == 2 and "Letter of refusal: how to ask for a review" in r.stderr and "{bureau}" in r.stderr
    for wrong in ("signature=某局", "9=某局", "0=某局"):
        r = run_cli("publicity", "wording", "--set", wrong, *auth)
        assert r.returncode != 0 and "not a text of the publicity wording" in r.stderr, r.stderr
        assert wrong.split("=")[0] in r.stderr and "7. Letter of refusal: closing line" in r.stderr
    r = run_cli("publicity", "wording", "--default", "Letter of refusal: closing line", "--json", *auth)
    values = json.loads(r.stdout)
    assert (values["letter_closing"], values["letter_days"], values["version"]) == ("特此告知。", 10, 2)
    r = run_cli("publicity", "wording", "--defaults", "--json", *auth)
    assert json.loads(r.stdout)["letter_days"] == 15
