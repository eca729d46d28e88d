"""The database: creation, migration that keeps every row, one writer, backups, restore, audit."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import peewee
import pytest
from conftest import GOOD_USCC, OTHER_USCC, ROOT, edit_audit_entry_by_hand, std

from desktop.core.errors import DatabaseBusy, SchemaTooNew, StdAwardError, ValidationFailed
from desktop.store import audit, backup, records
from desktop.store.db import close_db, open_db, restore
from desktop.store.migrations import SCHEMA_VERSION
from desktop.store.models import Achievement, AuditEntry, Enterprise, database

ENTS = [{"uscc": GOOD_USCC, "name": "甲公司", "region": "350302"},
        {"uscc": OTHER_USCC, "name": "乙公司"}]


def test_new_database_has_pragmas_and_version(db):
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert database.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_load_is_all_or_nothing(db):
    data = {"enterprises": ENTS, "achievements": [std(id="a"), std(id="b", rank=0), std(id="c", enterprise=OTHER_USCC)]}
    with pytest.raises(ValidationFailed) as ei:
        records.load(data, user="tester")
    assert [(p.record, p.field) for p in ei.value.problems] == [("b", "rank")]
    assert Enterprise.select().count() == 0 and Achievement.select().count() == 0
    data["achievements"][1]["rank"] = 2
    res = records.load(data, user="tester")
    assert (res.enterprises_added, res.achievements_added) == (2, 3)


def test_achievement_for_unknown_enterprise_is_refused(db):
    with pytest.raises(ValidationFailed) as ei:
        records.load([std(id="x")], user="tester")
    assert ei.value.problems[0].field == "enterprise"


def test_same_id_loaded_twice_for_one_enterprise_is_refused(db):
    records.load({"enterprises": ENTS, "achievements": [std(id="a")]}, user="tester")
    with pytest.raises(ValidationFailed):
        records.load([std(id="a")], user="tester")
    assert Achievement.select().count() == 1


def test_migration_from_schema_v1_keeps_every_row(tmp_path):
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.executescript((ROOT / "tests" / "data" / "schema_v1.sql").read_text())
    con.execute("INSERT INTO enterprise (uuid, uscc, name, created_at, updated_at) VALUES "
                "('u1', ?, '老企业', '2020-01-01', '2020-01-01')", (GOOD_USCC,))
    for i in range(50):
        con.execute("INSERT INTO achievement (uuid, source_id, enterprise_id, kind, date, natural_key, "
                    "created_at, updated_at, level, action, rank) VALUES (?, ?, 1, 'standard', '2019-05-01', ?, "
                    "'2020-01-01', '2020-01-01', 'national', 'formulate', 1)", (f"a{i}", f"s{i}", f"k{i}"))
    con.commit()
    con.close()
    open_db(path)
    try:
        assert database.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert Achievement.select().count() == 50
        e = Enterprise.get()
        assert e.name == "老企业" and e.phone is None
        e.phone = "0594-1"
        e.save()
    finally:
        close_db()
    assert any("before-v" in p.name for p in backup.list_backups(path))


def test_failed_migration_leaves_database_as_it_was(tmp_path, monkeypatch):
    from desktop.store import migrations

    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.executescript((ROOT / "tests" / "data" / "schema_v1.sql").read_text())
    con.commit()
    con.close()

    def broken(db):
        db.execute_sql("ALTER TABLE enterprise ADD COLUMN phone VARCHAR(255)")
        raise RuntimeError("power cut")

    monkeypatch.setitem(migrations.STEPS, 1, ("broken", broken))
    with pytest.raises(RuntimeError):
        open_db(path)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "phone" not in [r[1] for r in con.execute("PRAGMA table_info(enterprise)")]
    con.close()


def test_database_from_a_newer_program_is_refused(tmp_path):
    path = tmp_path / "new.db"
    open_db(path)
    database.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    close_db()
    with pytest.raises(SchemaTooNew):
        open_db(path)


def test_garbage_file_is_not_a_database(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StdAwardError):
        open_db(path)


def test_second_writer_is_told_plainly_and_does_not_hang(db):
    code = textwrap.dedent(f"""
        import sys
        from desktop.core.errors import DatabaseBusy
        from desktop.store.db import open_db
        try:
            open_db(r"{db}")
        except DatabaseBusy as e:
            print("BUSY", e); sys.exit(3)
    """)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 3 and "another StdAward" in r.stdout and "process" in r.stdout


def test_lock_is_released_when_the_holder_is_killed(tmp_path):
    path = tmp_path / "k.db"
    holder = subprocess.Popen([sys.executable, "-c", f"from desktop.store.db import open_db; open_db(r'{path}'); "
                               "print('ready', flush=True); import time; time.sleep(60)"],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "ready"
    with pytest.raises(DatabaseBusy):
        open_db(path)
    holder.kill()
    holder.wait()
    open_db(path)  # the OS dropped the dead process's lock
    close_db()


def test_backup_and_restore_roundtrip(db):
    records.load({"enterprises": ENTS, "achievements": [std(id="a")]}, user="tester")
    b = backup.make_backup(database, db, "manual")
    records.load([std(id="b", enterprise=OTHER_USCC)], user="tester")
    assert Achievement.select().count() == 2
    close_db()
    done = restore(b, db)
    open_db(db)
    assert Achievement.select().count() == 1
    assert not done.damaged and done.kept is not None
    assert done.kept.exists() and backup.check_file(done.kept) == SCHEMA_VERSION


def test_restore_refuses_a_damaged_backup(db, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)
    close_db()
    with pytest.raises(StdAwardError):
        restore(bad, db)


def test_audit_log_is_chained_and_append_only(db):
    records.load({"enterprises": ENTS, "achievements": [std(id="a")]}, user="tester")
    assert AuditEntry.select().count() == 3 and audit.verify_chain() is None
    with pytest.raises(peewee.IntegrityError):
        database.execute_sql("UPDATE audit_entry SET user = 'mallory'")
    with pytest.raises(peewee.IntegrityError):
        database.execute_sql("DELETE FROM audit_entry")
    # Someone bypasses the triggers with a raw tool: the chain shows where.
    database.execute_sql("DROP TRIGGER audit_entry_no_update")
    database.execute_sql("UPDATE audit_entry SET after = '{}' WHERE id = 2")
    assert audit.verify_chain() == 2


def test_daily_backup_can_run_in_the_background(tmp_path):
    from desktop.store.db import wait_for_backup

    path = tmp_path / "b.db"
    open_db(path)
    records.load({"enterprises": ENTS, "achievements": [std(id="a")]}, user="tester")
    close_db()
    open_db(path, auto_backup="background")  # first open "today" after creation: a daily backup
    try:
        records.load([std(id="b", enterprise=OTHER_USCC)], user="tester")  # the program goes on writing meanwhile
        wait_for_backup(30)
    finally:
        close_db()
    daily = [p for p in backup.list_backups(path) if p.name.endswith("-daily.db")]
    assert len(daily) == 1 and backup.check_file(daily[0]) == SCHEMA_VERSION
    assert not list(backup.backup_dir(path).glob("*.part"))


def test_load_keeps_the_evidence_names_it_validates(db):
    from desktop.store.models import Evidence

    bad = {"enterprises": ENTS, "achievements": [std(id="a", evidence=["验收证书.pdf"]), std(id="b", evidence="x.pdf")]}
    with pytest.raises(ValidationFailed) as ei:
        records.load(bad, user="tester")
    assert [(p.record, p.field) for p in ei.value.problems] == [("b", "evidence")]
    assert Achievement.select().count() == 0 and Evidence.select().count() == 0  # nothing half-written
    ok = {"enterprises": ENTS, "achievements": [std(id="a", evidence=["验收证书.pdf", "公告 2024.jpg"]),
                                                std(id="c", ref="GB/T 2-2024")]}
    records.load(ok, user="tester")
    a = Achievement.get(Achievement.source_id == "a")
    assert [e.filename for e in a.evidence] == ["验收证书.pdf", "公告 2024.jpg"]
    assert all(e.sha256 == records.DECLARED for e in a.evidence)  # named, no file attached yet
    assert records.evidence_names([a.id]) == {a.id: ["验收证书.pdf", "公告 2024.jpg"]}
    assert Achievement.get(Achievement.source_id == "c").evidence.count() == 0


def test_refresh_natural_keys_gives_stored_prizes_their_scheme(db):
    ents = [{"uscc": GOOD_USCC, "name": "甲公司"}]
    prize = {"id": "p", "enterprise": GOOD_USCC, "kind": "prize", "prize": "fujian-contribution", "grade": 2,
             "rank": 1, "date": "2023-01-01", "ref": "GB/T 3-2022"}
    records.load({"enterprises": ents, "achievements": [prize, std(id="s", ref="GB/T 4-2024")]}, user="tester")
    row = Achievement.get(Achievement.source_id == "p")
    right = row.natural_key
    old = '["' + GOOD_USCC + '", "prize", "GB/T 3-2022", null]'  # as stored before the scheme counted
    Achievement.update(natural_key=old).where(Achievement.id == row.id).execute()
    standard = Achievement.get(Achievement.source_id == "s").natural_key
    assert records.refresh_natural_keys() == 1
    assert Achievement.get(Achievement.source_id == "p").natural_key == right and "fujian-contribution" in right
    assert Achievement.get(Achievement.source_id == "s").natural_key == standard
    assert records.refresh_natural_keys() == 0


def test_the_overviews_chain_check_reads_only_the_entries_added_since_the_last_one(tmp_path, monkeypatch):
    """Within one run the incremental check starts after the last entry it found in order: entries
    added since are checked, one altered after the mark is found, a mark whose entry no longer holds
    its hash makes it check from the start. Across runs a mark signed with the office key is kept
    beside the database with the schema cookie: an old entry altered while the program was closed,
    its write protection dropped and put back exactly, moved the cookie, so the next open reads the
    whole log and finds it."""

    from desktop.store import audit
    from desktop.store.db import close_db, open_db
    from desktop.store.models import AuditEntry

    path = tmp_path / "office.db"
    read: list[int] = []
    real_digest = audit._digest_as_stored  # every entry read is digested this way first

    def counting(*args):
        read.append(1)
        return real_digest(*args)

    monkeypatch.setattr(audit, "_digest_as_stored", counting)
    open_db(path, auto_backup=False)
    try:
        for i in range(3):
            audit.record("clerk1", "update", "office", None, {"name": f"a{i}"}, {"name": f"b{i}"})
        read.clear()
        assert audit.verify_chain(incremental=True) is None
        total = AuditEntry.select().count()
        assert len(read) == total  # the first check of a run reads the whole log
        for i in range(2):
            audit.record("clerk1", "update", "office", None, {"name": f"c{i}"}, {"name": f"d{i}"})
        read.clear()
        assert audit.verify_chain(incremental=True) is None
        assert len(read) == 2  # then only what was added since
        ids = [e.id for e in AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id)]
        audit._verified[str(path)] = (ids[2], "bad")  # this run's mark does not hold: the signed one beside
        read.clear()  # the database does (nothing added since)
        assert audit.verify_chain(incremental=True) is None and len(read) == 0
        audit._verified[str(path)] = (ids[2], "bad")
        audit.verified_path(path).unlink()  # neither: checked from the start
        read.clear()
        assert audit.verify_chain(incremental=True) is None and len(read) == len(ids)
    finally:
        close_db()

    edit_audit_entry_by_hand(path, ids[1])  # the trigger put back exactly: nothing at open says so
    try:
        assert audit.verify_chain(incremental=True) == ids[1]
    finally:
        close_db()



def test_audit_chain_read_in_chunks_finds_an_entry_altered_in_a_later_one(db, monkeypatch):
    import functools

    records.load({"enterprises": ENTS, "achievements": [std(id=f"a{i}") for i in range(6)]}, user="tester")
    monkeypatch.setattr(audit, "_entries_after", functools.partial(audit._entries_after, chunk=2))
    assert audit.verify_chain() is None
    database.execute_sql("DROP TRIGGER audit_entry_no_update")
    last = AuditEntry.select().count()
    database.execute_sql("UPDATE audit_entry SET at = '2020-01-01 00:00:00' WHERE id = ?", (last - 1,))
    assert audit.verify_chain() == last - 1  # the time, as well as the fields, is part of the hash
    database.execute_sql("UPDATE audit_entry SET state = '{\"x\": 1}' WHERE id = ?", (last - 3,))
    assert audit.verify_chain() == last - 3


def test_the_chain_check_judges_an_entry_by_its_value_whatever_form_its_json_is_stored_in(tmp_path):
    """The whole log's check hashes the stored JSON text as it is when it is in the program's own
    form; an entry stored another way (an older program's spacing or key order, a time written with
    a T) is judged by its value as before, intact; a value changed is still found, in either form."""
    import json
    import sqlite3

    from conftest import edit_audit_entry_by_hand

    from desktop.store import audit
    from desktop.store.db import close_db, open_db
    from desktop.store.models import AuditEntry

    path = tmp_path / "office.db"
    open_db(path, auto_backup=False)
    try:
        for i in range(4):
            audit.record("clerk1", "update", "office", None, {"name": f"a{i}", "zone": "城厢"}, {"name": f"b{i}", "x": 1})
        ids = [e.id for e in AuditEntry.select().order_by(AuditEntry.id)]
        assert audit.verify_chain() is None
        # the same values in another form: keys unsorted, compact separators, non-ASCII escaped
        other = json.dumps({"x": 1, "name": "b1"}, separators=(",", ":"), ensure_ascii=True)
        edit_audit_entry_by_hand(path, ids[1], after=other)
        close_db()
        con = sqlite3.connect(path)
        protection = con.execute("SELECT sql FROM sqlite_master WHERE name = 'audit_entry_no_update'").fetchone()[0]
        con.execute("DROP TRIGGER audit_entry_no_update")
        con.execute("UPDATE audit_entry SET at = replace(at, ' ', 'T'), before = ? WHERE id = ?",
                    (json.dumps({"zone": "城厢", "name": "a2"}, ensure_ascii=True), ids[2]))
        con.execute(protection)
        con.commit()
        con.close()
        open_db(path, auto_backup=False)
        assert audit.verify_chain() is None  # the same values: the chain holds
        edit_audit_entry_by_hand(path, ids[2], after=json.dumps({"x": 2, "name": "b2"}))  # a value changed
        assert audit.verify_chain() == ids[2]
        # the same bytes split another way: an entry's state moved into its after, the state emptied
        from conftest import GOOD_USCC, std

        from desktop.store import records

        records.load({"enterprises": [{"uscc": GOOD_USCC, "name": "莆田市第一鞋业有限公司", "region": "350302"}],
                      "achievements": [std()]}, user="clerk1")
        last = AuditEntry.select().where(AuditEntry.state.is_null(False)).order_by(AuditEntry.id.desc()).first()
        assert audit.verify_chain() == ids[2] and last is not None
        ids.append(last.id)
        close_db()
        con = sqlite3.connect(path)
        con.execute("DROP TRIGGER audit_entry_no_update")
        con.execute("UPDATE audit_entry SET after = after || ', ' || state, state = NULL WHERE id = ?", (ids[4],))
        con.execute(protection)
        con.commit()
        con.close()
        open_db(path, auto_backup=False)
        assert audit.verify_chain() == ids[2]  # still the first broken one
        edit_audit_entry_by_hand(path, ids[2], after=json.dumps({"name": "b2", "x": 1}, ensure_ascii=False,
                                                                 sort_keys=True))  # put back
        assert audit.verify_chain() == ids[4]
    finally:
        close_db()


def _achievement_indexes(con) -> set[str]:
    return {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'achievement' "
                                      "AND sql IS NOT NULL")}


def test_a_schema_7_file_gets_one_index_on_enterprise_and_id_and_ids_still_clash_per_enterprise(tmp_path):
    """v8 keys the achievements' id by its enterprise (one index in place of two): an id is one
    enterprise's, so the same id of another enterprise is no clash, the same id of the same one is,
    and an id alone still finds its record."""
    from desktop.operations import records as ops
    from desktop.operations.session import Session

    path = tmp_path / "office.db"
    open_db(path, auto_backup=False)
    records.load({"enterprises": ENTS, "achievements": [std(id="a"), std(id="b", enterprise=OTHER_USCC)]},
                 user="tester")
    close_db()
    con = sqlite3.connect(path)  # as a schema-7 program left it
    with con:
        con.execute("DROP INDEX achievement_enterprise_id_source_id")
        con.execute('CREATE INDEX "achievement_source_id" ON "achievement" ("source_id")')
        con.execute('CREATE INDEX "achievement_enterprise_id" ON "achievement" ("enterprise_id")')
        con.execute("PRAGMA user_version = 7")
    con.close()
    open_db(path, auto_backup=False)  # upgraded
    try:
        assert database.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 8
        assert database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert Achievement.select().count() == 2
        records.load([std(id="a", enterprise=OTHER_USCC, ref="GB/T 30001-2024")], user="tester")  # the other's "a"
        with pytest.raises(ValidationFailed) as ei:
            records.load([std(id="b", enterprise=OTHER_USCC, ref="GB/T 30002-2024")], user="tester")
        assert [(p.record, p.field) for p in ei.value.problems] == [("b", "id")]
        assert Achievement.select().count() == 3
        s = Session.attach(path)
        b = Achievement.get(Achievement.source_id == "b")
        assert ops.find_achievement(s, "b") == b.id and ops.find_achievement(s, b.uuid) == b.id
        assert ops.find_achievement(s, "a", OTHER_USCC) != ops.find_achievement(s, "a", GOOD_USCC)
        with pytest.raises(ValidationFailed, match="name the enterprise"):
            ops.find_achievement(s, "a")
        plan = " ".join(str(r) for r in database.execute_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM achievement WHERE enterprise_id = 1 AND source_id = 'a'").fetchall())
        assert "achievement_enterprise_id_source_id" in plan
    finally:
        close_db()
    con = sqlite3.connect(path)
    try:
        indexes = _achievement_indexes(con)
        assert "achievement_enterprise_id_source_id" in indexes
        assert not indexes & {"achievement_source_id", "achievement_enterprise_id"}
    finally:
        con.close()
