"""Attacks on what a printed 公示 list or 不予奖补告知书 keeps in the database, edited by hand:

* the wording a 公示 list was first printed with (its Setting row) is refused on the next print
  instead of silently printing other words under the same 公示, a format spec slipped into it
  included; put back as printed, the reprint is the first print byte for byte;
* a letter whose content and content hash were both rewritten passes its own hash check, so the
  audit check (the overview's integrity check) must say it no longer matches what the log recorded.
"""
from __future__ import annotations

import datetime as dt

import pytest
from test_refusals import DAY, approved_round, office, session  # noqa: F401 - fixture

from desktop.core.errors import StdAwardError
from desktop.operations import publicity as P


def _publicised(db) -> str:
    uuid = approved_round(db)
    P.start(session(db, "boss", "password-2"), uuid, 5, "泉州市市场监督管理局标准化科", "张明，0595-22500000",
            DAY)  # from the day of the approval
    return uuid


def test_a_list_wording_edited_by_hand_in_the_database_is_refused_on_reprint(office, tmp_path):  # noqa: F811
    from desktop.operations import public_template_store as store
    from desktop.store.models import Setting

    uuid = _publicised(office)
    boss = session(office, "boss", "password-2")
    P.print_list(boss, uuid, tmp_path / "list-1.pdf")
    row = Setting.select().where(Setting.key.startswith(f"{store.LIST_KEY}.")).get()
    value = dict(row.value)
    value["wording"] = {**value["wording"], "list_objections": "对名单有异议的，请联系{objections_to}，匿名亦可。"}
    Setting.update(value=value).where(Setting.key == row.key).execute()
    with pytest.raises(StdAwardError, match="altered in the database"):
        P.print_list(boss, uuid, tmp_path / "list-2.pdf")
    assert not (tmp_path / "list-2.pdf").exists()
    # a format spec slipped into the snapshot is refused the same way, before anything is formatted
    value["wording"] = {**value["wording"], "list_opening": "{year:>999999999}"}
    Setting.update(value=value).where(Setting.key == row.key).execute()
    with pytest.raises(StdAwardError, match="altered in the database"):
        P.print_list(boss, uuid, tmp_path / "list-3.pdf")
    # put back as printed: the reprint is the first print, byte for byte
    Setting.update(value=dict(row.value)).where(Setting.key == row.key).execute()
    P.print_list(boss, uuid, tmp_path / "list-4.pdf")
    assert (tmp_path / "list-4.pdf").read_bytes() == (tmp_path / "list-1.pdf").read_bytes()


def test_a_letter_rewritten_with_a_matching_hash_is_found_by_the_audit_check(office, tmp_path):  # noqa: F811
    from desktop.notices import verify as V
    from desktop.store import audit
    from desktop.store.models import RefusalLetter

    uuid = approved_round(office)
    boss = session(office, "boss", "password-2")
    P.write_refusals(boss, uuid, tmp_path / "letters.pdf")
    assert audit.verify_rows() == []
    row = RefusalLetter.select().first()
    content = dict(row.content)
    content["text"] = {**content["text"], "paragraphs": ["经审核，下列事项予以奖补。", *content["text"]["paragraphs"][1:]]}
    RefusalLetter.update(content=content, content_hash=V.content_hash(content)).where(
        RefusalLetter.id == row.id).execute()
    findings = [f.message for f in audit.verify_rows()]
    assert len(findings) == 1 and "changed outside the program" in findings[0]
    assert row.content["recipient"]["name"] in findings[0]
    # its reprint and its short code refuse it too, though its content matches its (rewritten) hash
    from desktop.operations import integrity

    with pytest.raises(StdAwardError, match="altered in the database"):
        P.write_refusals(boss, uuid, tmp_path / "again.pdf")
    with pytest.raises(StdAwardError, match="altered in the database"):
        integrity.verify_notice_text(boss, V.verification_code(row.uuid, V.content_hash(content)))


@pytest.mark.faults
@pytest.mark.parametrize("point", ["notices:written", "notices:synced", "notices:renamed"])
def test_a_crash_while_letters_are_printed_records_no_letter_and_uses_no_number(office, tmp_path, point):  # noqa: F811
    """Killed while the letters' PDF is written (before, while or after it takes its name): the
    letters are not recorded and no number of the office's register is used, the audit check is
    clean, no temporary file is left behind, and the next print numbers the letters from 1."""
    from test_faults import CRASH, cli, leftovers

    from desktop.store.db import close_db

    uuid = approved_round(office)
    P.set_refusal_prefix(session(office, "clerk1", "password-1"), "泉市监告")
    close_db()
    pw = tmp_path / "pw"
    pw.write_text("password-2\n")
    out = tmp_path / "printed" / "letters.pdf"
    args = ("refusals", uuid, "--out", str(out), "--date", "2025-03-10", "--db", str(office), "--user", "boss",
            "--password-file", str(pw))
    r = cli(*args, fault=point)
    assert r.returncode == CRASH, r.stderr

    from desktop.store import audit
    from desktop.store.models import RefusalLetter

    session(office, "boss", "password-2")  # the next start opens and tidies the database
    assert RefusalLetter.select().count() == 0
    assert audit.verify_rows() == []
    close_db()
    r = cli(*args)
    assert r.returncode == 0, r.stderr
    assert leftovers(tmp_path / "printed") == []
    session(office, "boss", "password-2")  # reopened after the CLI closed it
    numbers = sorted(row.doc_number for row in RefusalLetter.select())
    assert numbers == ["泉市监告〔2025〕1号", "泉市监告〔2025〕2号"]
    assert audit.verify_rows() == []
    # the file the killed print left under the name (after its rename) held letters never recorded:
    # the recorded print replaced it, so the letters on disk are the recorded ones
    import subprocess

    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert all(n in text for n in numbers)
    assert len(list(out.parent.iterdir())) == 1


def test_the_wording_in_force_edited_by_hand_is_refused_for_new_letters_and_notices(office, tmp_path):  # noqa: F811
    """The office's saved wording (the Setting row in force) changed in the database, or put there
    without ever being saved: new letters and notices are refused, naming what to do, nothing is
    recorded; saving the wording again in the program makes it usable."""
    from desktop.operations import template_store
    from desktop.operations import wording as notice_wording
    from desktop.store.models import RefusalLetter, Setting

    uuid = approved_round(office)
    admin = session(office, "clerk1", "password-1")
    boss = session(office, "boss", "password-2")
    P.save_wording(admin, {"letter_closing": "特此函告。"})
    notice_wording.save_template(admin, {"closing": "特此通知。"})
    for key, field, text in (("publicity_template", "letter_review", "如有异议，请勿申请复核。"),
                             ("notice_template", "closing", "本通知作废。")):
        row = Setting.get(Setting.key == key)
        value = dict(row.value)
        value["template"] = {**value["template"], field: text}
        Setting.update(value=value).where(Setting.key == key).execute()
    with pytest.raises(StdAwardError, match="changed outside the program"):
        P.write_refusals(boss, uuid, tmp_path / "l.pdf")
    assert RefusalLetter.select().count() == 0 and not (tmp_path / "l.pdf").exists()
    with pytest.raises(StdAwardError, match="changed outside the program"):
        template_store.for_notices()
    # saved again in the program: usable
    P.save_wording(admin, {"letter_closing": "特此函告。"})
    assert P.write_refusals(boss, uuid, tmp_path / "l.pdf")["letters"] == 2
    notice_wording.save_template(admin, {"closing": "特此通知。"})
    assert template_store.for_notices()["closing"] == "特此通知。"
    # a wording row put in by hand where the office never saved one
    Setting.delete().where(Setting.key.startswith("notice_template")).execute()
    Setting.insert(key="notice_template", value={"version": 9, "template": {"closing": "作废。"}}).execute()
    with pytest.raises(StdAwardError, match="changed outside the program"):
        template_store.for_notices()


def test_the_integrity_check_names_every_wording_changed_by_hand(office, tmp_path):  # noqa: F811
    """What the window's check on opening and the full audit check say when the wording in force and
    a printed list's wording were changed in the database: one sentence each, none before."""
    from desktop.operations import integrity
    from desktop.operations import public_template_store as store
    from desktop.store.models import Setting

    uuid = _publicised(office)
    admin = session(office, "clerk1", "password-1")
    boss = session(office, "boss", "password-2")
    P.save_wording(admin, {"letter_closing": "特此函告。"})
    P.print_list(boss, uuid, tmp_path / "list.pdf")
    assert integrity.wording_findings() == [] and integrity.verify(boss).ok
    row = Setting.get(Setting.key == store.KEY)
    Setting.update(value={**row.value, "template": {"letter_closing": "特此作废。"}}).where(
        Setting.key == store.KEY).execute()
    listed = Setting.select().where(Setting.key.startswith(f"{store.LIST_KEY}.")).get()
    Setting.update(value={**listed.value, "wording": {**listed.value["wording"], "list_contact": "无。"}}).where(
        Setting.key == listed.key).execute()
    found = integrity.quick_findings(office)
    assert len([f for f in found if "changed outside the program" in f]) == 1
    assert len([f for f in found if "publicity list was first printed with was altered" in f]) == 1
    messages = [f.message for f in integrity.verify(boss).findings]
    assert sum("outside the program" in m or "was altered in the database" in m for m in messages) == 2


def test_a_notice_statement_passed_off_as_a_letter_does_not_verify(tmp_path):
    """The other way round from the letter passed off as a notice: a notice's signed statement whose
    version byte says "letter" (its amount would read as a count of refused claims) is refused, as
    is one of a version no program wrote; the statement as signed verifies as a notice."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from desktop.notices import verify as V

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    pub = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    cards = [{"name": "泉州市市场监督管理局", "public_key": pub}]
    text = V.make_statement(pem, doc_number="泉市监〔2025〕3号", recipient="91350302MA2Y0KXQ4Q", total="2.00",
                            issued_on=dt.date(2025, 3, 3), content_hash="ab" * 32)
    assert V.verify_statement(text, cards)["total"] == "2.00"
    b32 = text[len(V.STATEMENT_PREFIX):]
    raw = bytearray(base64.b32decode(b32 + "=" * (-len(b32) % 8)))
    for version in (2, 3):
        raw[0] = version
        forged = V.STATEMENT_PREFIX + base64.b32encode(bytes(raw)).decode().rstrip("=")
        with pytest.raises(V.StatementError, match="altered or forged|damaged or from a newer"):
            V.verify_statement(forged, cards)
