"""The money trail against a hostile insider who edits the SQLite file: an amount raised, a round
marked approved, the audit log's tail deleted or rewritten with recomputed hashes, triggers dropped,
a password hash copied onto another account. Each is detected by ``audit.verify_all`` (and the CLI
``audit-verify``), refused by ``rounds.check_round_intact`` or by sign-in."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import run_cli
from test_notice_rounds import prepared_round

from desktop.core.errors import StdAwardError
from desktop.store import audit, rounds, users
from desktop.store.db import close_db, open_db
from desktop.store.models import AuditEntry, Award, AwardRound


@pytest.fixture
def office(db: Path) -> Path:
    """An office with its key, an administrator (clerk1, the first account) and a reviewer (boss)."""
    from desktop.store import office as officemod

    officemod.update(name="泉州市市场监督管理局", region_code="350500", doc_prefix="泉市监", user="tester")
    users.create_user("clerk1", "王办事", "password-1")
    users.create_user("boss", "李科长", "password-2", role="reviewer", by="clerk1")
    return db


def _reopen(path: Path, sql: list[tuple[str, tuple]]) -> None:
    """Close the program's database, change it the way an editor would, open it again."""
    close_db()
    con = sqlite3.connect(path)
    for stmt, params in sql:
        con.execute(stmt, params)
    con.commit()
    con.close()
    open_db(path, auto_backup=False)


def _messages() -> list[str]:
    return [f.message for f in audit.verify_all()]


def test_an_intact_database_verifies_and_its_head_is_signed(office):
    prepared_round()
    assert audit.verify_all() == []
    head = json.loads(audit.head_path(office).read_text())
    assert head["count"] == AuditEntry.select().count() and head["signature"]
    assert head["hash"] == AuditEntry.select().order_by(AuditEntry.id.desc()).first().hash


def test_a_rolled_back_change_leaves_the_head_as_it_was(office):
    before = audit.head_path(office).read_text()
    with pytest.raises(RuntimeError), audit.database.atomic():
        audit.record("clerk1", "update", "office", None, None, {"x": 1})
        raise RuntimeError("the change fails")
    assert audit.head_path(office).read_text() == before and audit.verify_all() == []


def test_an_amount_raised_in_the_file_is_detected_and_refused_for_notices(office):
    rnd = prepared_round()
    rounds.check_round_intact(rnd)  # as approved
    aw = Award.select().join(AwardRound).where(Award.amount == Decimal(150000)).get()
    _reopen(office, [("UPDATE award SET amount = '500000.00' WHERE id = ?", (aw.id,))])
    found = _messages()
    assert any("the award round for 2014 was changed outside the program" in m for m in found), found
    with pytest.raises(StdAwardError, match="no longer matches what boss approved"):
        rounds.check_round_intact(rnd)


def test_a_round_marked_approved_in_the_file_is_detected_and_refused(office):
    rnd = prepared_round(approve=False)
    _reopen(office, [("UPDATE award_round SET status = 'approved', reviewed_by = 'boss' WHERE id = ?", (rnd.id,))])
    assert any("the award round for 2014 was changed outside the program" in m for m in _messages())
    with pytest.raises(StdAwardError, match="no matching approval"):
        rounds.check_round_intact(rnd)


def test_an_approval_digest_forged_with_the_amount_is_still_refused(office):
    """The clerk raises the amount and recomputes the round's approval digest to match: the audit
    log's approval entry still holds the digest the reviewer approved."""
    rnd = prepared_round()
    aw = Award.select().where(Award.round == rnd, Award.amount == Decimal(150000)).get()
    aw.amount = Decimal(500000)
    Award.update(amount="500000.00").where(Award.id == aw.id).execute()
    forged = audit.lines_digest(rnd.id)
    _reopen(office, [("UPDATE award_round SET approved_digest = ? WHERE id = ?", (forged, rnd.id))])
    with pytest.raises(StdAwardError, match="no matching approval"):
        rounds.check_round_intact(rnd)
    assert any("award round for 2014" in m for m in _messages())


def test_a_changed_round_after_a_proper_approval_is_refused_in_process(office):
    rnd = prepared_round()
    Award.update(decision="approved").where(Award.round == rnd, Award.decision == "rejected").execute()
    with pytest.raises(StdAwardError, match="no longer matches"):
        rounds.check_round_intact(rnd)


def test_the_audit_tail_deleted_is_detected(office):
    prepared_round()
    last = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    _reopen(office, [("DROP TRIGGER audit_entry_no_delete", ()),
                     ("DELETE FROM audit_entry WHERE id >= ?", (last.id - 1,))])
    found = audit.verify_all()
    assert audit.verify_chain() is None  # the chain alone cannot tell
    assert "2 entries were removed from the end of the audit log" in found[0].message
    assert any("write protection (1 of its triggers)" in f.message for f in found)  # and the trigger is back
    with pytest.raises(Exception, match="append-only"):
        audit.database.execute_sql("DELETE FROM audit_entry")


def _recompute_chain(con: sqlite3.Connection, start: int) -> None:
    """What a knowledgeable attacker does: rewrite the hashes from ``start`` on so the chain holds."""
    import datetime

    prev = con.execute("SELECT hash FROM audit_entry WHERE id < ? ORDER BY id DESC LIMIT 1", (start,)).fetchone()
    prev_hash = prev[0] if prev else audit.GENESIS
    rows = con.execute("SELECT id, at, user, action, entity, entity_uuid, before, after, state FROM audit_entry "
                       "WHERE id >= ? ORDER BY id", (start,)).fetchall()
    for rid, at, user, action, entity, euid, before, after, state in rows:
        h = audit._digest(prev_hash, datetime.datetime.fromisoformat(at), user, action, entity, euid,
                          json.loads(before) if before else None, json.loads(after) if after else None,
                          json.loads(state) if state else None)
        con.execute("UPDATE audit_entry SET prev_hash = ?, hash = ? WHERE id = ?", (prev_hash, h, rid))
        prev_hash = h


def test_an_entry_rewritten_and_the_chain_recomputed_is_detected(office):
    rnd = prepared_round()
    entry = AuditEntry.get(AuditEntry.entity == "award_round", AuditEntry.action == "approved")
    close_db()
    con = sqlite3.connect(office)
    con.execute("DROP TRIGGER audit_entry_no_update")
    con.execute("UPDATE audit_entry SET user = 'mallory' WHERE id = ?", (entry.id,))
    _recompute_chain(con, entry.id)
    con.commit()
    con.close()
    open_db(office, auto_backup=False)
    assert audit.verify_chain() is None  # recomputed: the chain alone holds
    found = audit.verify_all()
    assert "the log was rewritten and its hashes recomputed" in found[0].message
    with pytest.raises(StdAwardError, match="no matching approval"):  # mallory is not the reviewer
        rounds.check_round_intact(rnd)


def test_a_forged_head_is_refused(office):
    prepared_round()
    path = audit.head_path(office)
    head = json.loads(path.read_text())
    head["count"] -= 1
    path.write_text(json.dumps(head))
    assert "not signed by this office's key" in _messages()[0]
    path.unlink()
    assert "is missing" in _messages()[0]


def test_a_password_hash_copied_onto_another_account_does_not_sign_in(office):
    assert users.verify("boss", "password-2") is not None
    clerk = users.User.get(users.User.username == "clerk1")
    boss = users.User.get(users.User.username == "boss")
    _reopen(office, [("UPDATE user SET password_hash = ? WHERE id = ?", (clerk.password_hash, boss.id))])
    assert users.verify("boss", "password-1") is None  # the clerk's password on the reviewer's row
    assert users.verify("clerk1", "password-1") is not None
    assert any("the account boss was changed outside the program" in m for m in _messages())


def test_a_user_added_in_the_file_is_reported(office):
    h = users.hash_password("password-9", "eve")
    insert = ("INSERT INTO user (username, display_name, role, password_hash, active, created_at) "
              "VALUES ('eve', 'Eve', 'admin', ?, 1, '2026-01-01 00:00:00')")
    _reopen(office, [(insert, (h,))])
    assert "the account eve is not in the audit log" in " ".join(_messages())


def test_old_hashes_are_rehashed_at_sign_in_at_the_current_cost(office, monkeypatch):
    u = users.User.get(users.User.username == "boss")
    cheap = users.hash_password("password-2", "boss", cost=(2**4, 8, 1))
    users.User.update(password_hash=cheap).where(users.User.id == u.id).execute()
    assert users.verify("boss", "password-2") is not None
    stored = users.User.get_by_id(u.id).password_hash
    assert stored.startswith(f"scrypt2${users.COST[0]}$") and stored != cheap
    assert AuditEntry.select().where(AuditEntry.action == "rehash").count() == 1
    assert not any("boss" in m for m in _messages())  # the rehash went through the audit log


def test_a_schema_2_hash_is_bound_by_the_migration_and_rehashed_at_sign_in(tmp_path):
    """A pre-3 (unbound) hash copied onto another row would sign in there; the migration binds it."""
    from conftest import ROOT

    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.executescript((ROOT / "tests" / "data" / "schema_v1.sql").read_text())
    con.close()
    salt = bytes(range(16))
    old = hashlib.scrypt(b"password-7", salt=salt, n=2**4, r=8, p=1, dklen=32)
    unbound = f"scrypt${2**4}$8$1${salt.hex()}${old.hex()}"
    con = sqlite3.connect(path)
    for name in ("ann", "bob"):
        con.execute("INSERT INTO user (username, display_name, role, password_hash, active, created_at) "
                    "VALUES (?, ?, 'clerk', ?, 1, '2026-01-01 00:00:00')", (name, name, unbound))
    con.commit()
    con.close()
    open_db(path, auto_backup=False)
    try:
        assert users.verify("ann", "password-7") is not None  # still signs in, and is rehashed
        assert users.User.get(users.User.username == "ann").password_hash.startswith("scrypt2$")
        bob = users.User.get(users.User.username == "bob").password_hash
        assert bob.startswith("scrypt1b$")
        assert not users.check_password("password-7", bob, "ann")  # bound to bob
        assert audit.verify_all() == []
    finally:
        close_db()


def test_the_real_cost_is_owasp_guidance_and_fits_in_maxmem(monkeypatch):
    monkeypatch.setattr(users, "COST", (2**17, 8, 1))
    h = users.hash_password("correct horse", "lin")
    assert h.startswith("scrypt2$131072$8$1$")
    assert users.check_password("correct horse", h, "lin") and not users.check_password("correct horse", h, "lim")


def test_cli_audit_verify_names_the_first_bad_entry(office):
    prepared_round()
    assert audit.verify_all() == []
    close_db()
    ok = run_cli("audit-verify", "--db", str(office))
    assert ok.returncode == 0, ok.stderr
    con = sqlite3.connect(office)
    con.execute("DROP TRIGGER audit_entry_no_update")
    con.execute("UPDATE audit_entry SET after = '{}' WHERE id = 3")
    con.commit()
    con.close()
    bad = run_cli("audit-verify", "--db", str(office))
    assert bad.returncode == 1
    assert "audit entry 3" in bad.stderr.splitlines()[0]
    open_db(office, auto_backup=False)  # for the fixture's close


def test_round_approval_records_the_digest(office):
    rnd = prepared_round()
    rnd = AwardRound.get_by_id(rnd.id)
    entry = AuditEntry.get(AuditEntry.entity == "award_round", AuditEntry.action == "approved")
    assert rnd.approved_digest == audit.lines_digest(rnd.id) == entry.after["digest"]
    assert entry.user == rnd.reviewed_by == "boss"


def test_a_user_deleted_in_the_file_is_reported(office):
    boss = users.User.get(users.User.username == "boss")
    _reopen(office, [("DELETE FROM user WHERE id = ?", (boss.id,))])
    found = [f for f in audit.verify_all() if "deleted outside the program" in f.message]
    assert len(found) == 1 and found[0].message.startswith("an account that audit entry")
    assert AuditEntry.get_by_id(found[0].entry).entity_uuid == "boss"


def test_a_restored_backup_is_anchored_afresh(office):
    """Restoring an older copy is an administrator's act, not tampering: its head is re-signed."""
    from desktop.store import backup
    from desktop.store.db import restore

    copy = backup.make_backup(audit.database, office, "manual")
    prepared_round()  # more entries after the copy
    close_db()
    restore(copy, office)
    open_db(office, auto_backup=False)
    assert AuditEntry.select().count() < 10 and audit.verify_all() == []


def test_a_key_made_later_for_an_older_office_is_recorded(office):
    """An office set up before it had a key gets one at its first export or signed notice: that is
    the program's own change, recorded, not an alarm."""
    from desktop.exchange import offices
    from desktop.store.models import Office

    Office.update(signing_key=None, public_key=None).execute()
    audit.baseline("migration")  # as a schema-2 database arrives
    offices.signing_office()
    assert Office.get().public_key and audit.verify_all() == []


def test_a_notice_total_edited_in_the_file_is_detected(office):
    """The stored total is outside the content hash; the audit log's digest of the notice covers it."""
    from test_notices import issue

    n = issue()[0]
    assert audit.verify_all() == []
    _reopen(office, [("UPDATE notice SET total = '915000.00' WHERE id = ?", (n.id,))])
    found = _messages()
    assert any(f"notice {n.doc_number} was changed outside the program" in m for m in found), found


def test_a_head_that_cannot_be_written_does_not_undo_the_change(office, monkeypatch):
    """The change is committed; the head is left behind and verify_all says which entries it misses."""
    def refuse(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(audit, "_write_json", refuse)
        users.create_user("third", "张三", "password-3", role="clerk", by="clerk1")
    assert users.User.get_or_none(users.User.username == "third") is not None
    assert "not covered by the signed head" in _messages()[0]


def test_a_round_approved_before_the_upgrade_keeps_its_notices(office):
    """Schema 2 recorded no approval digest; the migration seals approved rounds as they stand."""
    rnd = prepared_round()
    AwardRound.update(approved_digest=None).where(AwardRound.id == rnd.id).execute()  # as a schema-2 round
    with pytest.raises(StdAwardError, match="no matching approval"):
        rounds.check_round_intact(rnd)
    assert rounds.seal_legacy_approvals("migration") == 1
    rounds.check_round_intact(rnd)
    assert rounds.seal_legacy_approvals("migration") == 0
    Award.update(amount="500000.00").where(Award.round == rnd, Award.amount == Decimal(150000)).execute()
    with pytest.raises(StdAwardError, match="no longer matches"):
        rounds.check_round_intact(rnd)


def test_a_log_rewritten_and_re_signed_with_the_key_fails_against_a_head_kept_elsewhere(office, tmp_path):
    """The key sits in the same file, so an insider can re-sign the head; a head kept outside (the
    AH1 line on an archive copy or in an export) still catches the rewrite."""
    rnd = prepared_round()
    kept = audit.head_text()
    assert kept.startswith("AH1:") and audit.verify_against(kept) == []
    users.create_user("third", "张三", "password-3", role="clerk", by="clerk1")
    assert audit.verify_against(kept) == []  # later entries extend it
    entry = AuditEntry.get(AuditEntry.entity == "award_round", AuditEntry.action == "approved")
    close_db()
    con = sqlite3.connect(office)
    con.execute("DROP TRIGGER audit_entry_no_update")
    con.execute("UPDATE audit_entry SET after = '{}' WHERE id = ?", (entry.id,))
    _recompute_chain(con, entry.id)
    con.commit()
    con.close()
    audit.anchor_file(office)  # re-signed with the office key taken from the file
    open_db(office, auto_backup=False)
    assert audit.verify_chain() is None and audit.verify_head(office) == []
    found = audit.verify_against(kept)
    assert found and "the log was rewritten" in found[0].message
    with pytest.raises(StdAwardError, match="no matching approval"):
        rounds.check_round_intact(rnd)
    close_db()
    res = run_cli("audit-verify", "--db", str(office), "--against", kept)
    assert res.returncode == 1 and "rewritten" in res.stderr
    res = run_cli("audit-verify", "--db", str(office), "--against", "AH1:x")
    assert res.returncode == 2
    open_db(office, auto_backup=False)


def test_the_office_key_removed_from_the_file_is_reported(office):
    prepared_round()
    _reopen(office, [("UPDATE office SET signing_key = NULL, public_key = NULL", ())])
    assert "which this database no longer holds" in _messages()[0]
