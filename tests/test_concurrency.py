"""Several officers editing the same records: optimistic concurrency (schema v5) on SQLite and on a
PostgreSQL server, through the operations and the command line, and the upgrade of older databases
(a real v4 SQLite file; a v4 server schema opened by two PCs at once).

A record carries a version; a save names the version its form loaded. When another officer saved the
record in between, the second save is refused with who and when (from the audit log) and nothing is
written: no officer silently undoes another's change.
"""
from __future__ import annotations

import dataclasses
import shutil
import sqlite3
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import GOOD_USCC, OTHER_USCC, ROOT, run_cli
from conftest_pg import pg_server  # noqa: F401 - fixture
from test_daily_path import ACHIEVEMENTS, OFFICE, PASSWORDS, office_with_records

V4_DUMP = ROOT / "tests" / "data" / "office_v4.sql"  # written by StdAward at schema 4 (see its first lines)



def _open(db: str):
    from desktop.operations.session import Session
    from desktop.store.paths import resolve_db_path

    return Session.open(resolve_db_path(db))


def _second_officer(s, username: str):
    """Another officer's session over the same open database (another PC, as far as the records go)."""
    from desktop.operations.session import Session

    other = Session.attach(s.db_path)
    other.sign_in(username, PASSWORDS[username])
    return other


def _form(values: dict) -> dict:
    """What the enterprise form hands in: its fields, not the id and version it keeps aside."""
    return {k: values[k] for k in ("uscc", "name", "region", "address", "contact", "phone")}


def _last_change(uuid: str):
    from desktop.store.models import AuditEntry

    return AuditEntry.select().where(AuditEntry.entity_uuid == uuid).order_by(AuditEntry.id.desc()).first()


def _audit_count() -> int:
    from desktop.store.models import AuditEntry

    return AuditEntry.select().count()


def test_two_officers_save_the_same_enterprise_and_the_second_is_told_who_changed_it_nothing_written(office_db):
    from desktop.core.errors import StaleRecord
    from desktop.operations import integrity, records

    s = _open(office_db)
    try:
        office_with_records(s)  # signed in as the clerk 王科员
        reviewer = _second_officer(s, "lin")  # 林主任, the administrator, at the other PC
        ent_id = records.find_enterprise(s, GOOD_USCC)
        clerk_form = records.enterprise(s, ent_id)
        admin_form = records.enterprise(reviewer, ent_id)
        assert clerk_form["version"] == admin_form["version"] == 1

        saved = records.save_enterprise(s, {**_form(clerk_form), "phone": "0594-2230001"}, ent_id, clerk_form["version"])
        assert saved["version"] == 2
        entries = _audit_count()
        with pytest.raises(StaleRecord) as refused:
            records.save_enterprise(reviewer, {**_form(admin_form), "address": "莆田市城厢区龙桥街道1号"}, ent_id,
                                    admin_form["version"])
        message = str(refused.value)
        change = _last_change(clerk_form["uuid"])
        assert change.user == "wang"
        assert "王科员" in message and clerk_form["name"] in message and change.at.strftime("%H:%M") in message
        assert "reload" in message
        assert refused.value.by == "王科员"
        now = records.enterprise(s, ent_id)  # the clerk's change stands, the administrator's is not half-written
        assert (now["phone"], now["address"], now["version"]) == ("0594-2230001", "", 2)
        assert _audit_count() == entries

        # reloaded, the administrator's change goes through on top of the clerk's
        fresh = records.enterprise(reviewer, ent_id)
        records.save_enterprise(reviewer, {**_form(fresh), "address": "莆田市城厢区龙桥街道1号"}, ent_id, fresh["version"])
        now = records.enterprise(s, ent_id)
        assert (now["phone"], now["address"], now["version"]) == ("0594-2230001", "莆田市城厢区龙桥街道1号", 3)
        verdict = integrity.verify(s)
        assert verdict.ok, [str(f) for f in verdict.findings]
    finally:
        s.close()


def test_a_save_gives_back_the_form_it_saved_even_when_another_officer_saves_right_after_its_commit(
        office_db, monkeypatch):
    """The moment between one officer's commit and the form coming back, taken by the other officer's
    save: the first still gets its own values at the version its save made, so its next save from that
    form is refused as stale instead of going over a change it never saw."""
    from desktop.core.errors import StaleRecord
    from desktop.operations import records
    from desktop.store import edits

    s = _open(office_db)
    try:
        office_with_records(s)
        admin = _second_officer(s, "lin")
        ent_id = records.find_enterprise(s, GOOD_USCC)
        first = records.enterprise(s, ent_id)
        save = edits.save_enterprise
        between: list[dict] = []

        def then_the_other_officer(*args, **kw):  # noqa: ANN002, ANN003
            row = save(*args, **kw)
            if not between:  # committed: the administrator saves before the clerk's form comes back
                between.append({})
                form = records.enterprise(admin, ent_id)
                between[0] = records.save_enterprise(admin, {**_form(form), "phone": "0594-2239999"}, ent_id,
                                                     form["version"])
            return row

        monkeypatch.setattr(edits, "save_enterprise", then_the_other_officer)
        mine = records.save_enterprise(s, {**_form(first), "phone": "0594-2230001"}, ent_id, first["version"])
        assert (mine["phone"], mine["version"]) == ("0594-2230001", first["version"] + 1)
        assert between[0]["phone"] == "0594-2239999" and between[0]["version"] == first["version"] + 2
        with pytest.raises(StaleRecord):
            records.save_enterprise(s, {**_form(mine), "address": "莆田市城厢区龙桥街道1号"}, ent_id, mine["version"])
        now = records.enterprise(s, ent_id)
        assert (now["phone"], now["address"], now["version"]) == ("0594-2239999", "", first["version"] + 2)
    finally:
        s.close()


def test_a_form_that_would_put_back_what_another_officer_changed_is_refused_too(tmp_path):
    """The second officer's form still shows the old name; saving it unchanged must not undo the rename."""
    from desktop.core.errors import StaleRecord
    from desktop.operations import records

    s = _open(str(tmp_path / "office.db"))
    try:
        office_with_records(s)
        other = _second_officer(s, "lin")
        ent_id = records.find_enterprise(s, OTHER_USCC)
        old = records.enterprise(other, ent_id)
        form = records.enterprise(s, ent_id)
        records.save_enterprise(s, {**_form(form), "name": "莆田市城厢区南方服饰有限公司"}, ent_id, form["version"])
        with pytest.raises(StaleRecord):
            records.save_enterprise(other, _form(old), ent_id, old["version"])
        assert records.enterprise(s, ent_id)["name"] == "莆田市城厢区南方服饰有限公司"
    finally:
        s.close()


def test_an_achievement_and_a_discretionary_amount_edited_meanwhile_are_refused_naming_them(tmp_path):
    from desktop.core.errors import StaleRecord
    from desktop.operations import records, rounds
    from desktop.store.models import Award

    s = _open(str(tmp_path / "office.db"))
    try:
        office_with_records(s)
        other = _second_officer(s, "lin")
        ach_id = records.find_achievement(s, "A1", GOOD_USCC)
        mine, theirs = records.achievement(s, ach_id), records.achievement(other, ach_id)
        raw = mine.achievement.to_dict()
        records.save_achievement(s, {**raw, "title": "运动鞋 缓震性能的测定方法"}, ach_id, version=mine.version)
        with pytest.raises(StaleRecord) as refused:
            records.save_achievement(other, {**theirs.achievement.to_dict(), "rank": 2}, ach_id,
                                     version=theirs.version)
        assert "A1" in str(refused.value) and "王科员" in str(refused.value)
        after = records.achievement(s, ach_id)
        assert (after.achievement.title, after.achievement.rank, after.version) == ("运动鞋 缓震性能的测定方法", 1, 2)

        # an award line: the clerk and the administrator set the same discretionary amount from the same screen
        records.save_achievement(s, {"id": "G1", "enterprise": GOOD_USCC, "kind": "gi", "rank": 1,
                                     "ref": "地理标志1", "date": "2014-03-01"})  # paid from Quanzhou's pool
        rnd = rounds.compute(s, 2014, "quanzhou-2012")
        line = Award.get(Award.round == rnd.id, Award.status == "discretionary")
        seen = line.version
        rounds.set_amount(s, line.uuid, Decimal("20000"), version=seen)
        with pytest.raises(StaleRecord) as refused:
            rounds.set_amount(other, line.uuid, Decimal("30000"), version=seen)
        assert "王科员" in str(refused.value)
        assert Award.get_by_id(line.id).amount == Decimal("20000.00")
    finally:
        s.close()


def test_officers_saving_the_same_enterprise_at_the_same_moment_on_the_server_one_wins_one_is_told(pg_server):  # noqa: F811
    """Four officers (threads with their own server connections) load the same enterprise, then all
    save at once: exactly one change is written, the other three are refused and wrote nothing."""
    from desktop.core.errors import StaleRecord
    from desktop.operations import integrity, records
    from desktop.store.models import database

    url = pg_server.url(pg_server.create_database())
    s = _open(url)
    try:
        office_with_records(s)
        ent_id = records.find_enterprise(s, GOOD_USCC)
        officers = [dataclasses.replace(s) for _ in range(4)]
        forms = [records.enterprise(o, ent_id) for o in officers]
        start = threading.Barrier(len(officers))
        outcome: list[object] = [None] * len(officers)

        def save(i: int) -> None:
            try:
                start.wait()
                outcome[i] = records.save_enterprise(officers[i], {**_form(forms[i]), "contact": f"联系人{i}"}, ent_id,
                                                     forms[i]["version"])
            except StaleRecord as exc:
                outcome[i] = exc
            except BaseException as exc:  # noqa: BLE001 - shown by the assertion below
                outcome[i] = RuntimeError(repr(exc))
            finally:
                database.close()

        threads = [threading.Thread(target=save, args=(i,)) for i in range(len(officers))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        won = [o for o in outcome if isinstance(o, dict)]
        refused = [o for o in outcome if isinstance(o, StaleRecord)]
        assert len(won) == 1 and len(refused) == 3, outcome
        now = records.enterprise(s, ent_id)
        assert now["contact"] == won[0]["contact"] and now["version"] == 2
        assert integrity.verify(s).ok
    finally:
        s.close()
        pg_server.drop_database(url.rsplit("/", 1)[1].split("?")[0])


def test_the_command_line_refuses_a_change_to_an_enterprise_another_officer_saved_since_it_was_read(
        office_db, tmp_path):
    import json

    s = _open(office_db)
    try:
        office_with_records(s)
    finally:
        s.close()
    pw = {}
    for name in ("wang", "lin"):
        pw[name] = tmp_path / f"{name}.pw"
        pw[name].write_text(PASSWORDS[name] + "\n", "utf-8")

    def cli(who: str, *argv: str):
        return run_cli("enterprise", GOOD_USCC, *argv, "--db", office_db, "--user", who, "--password-file",
                       str(pw[who]), env={"STDAWARD_LANG": "en"})

    read = cli("lin", "--json")
    assert read.returncode == 0, read.stderr
    seen = json.loads(read.stdout)["version"]
    first = cli("wang", "--phone", "0594-2230002", "--if-version", str(seen))
    assert first.returncode == 0, first.stderr
    second = cli("lin", "--contact", "林主任", "--if-version", str(seen))
    assert second.returncode == 1
    assert "王科员" in second.stderr and "Traceback" not in second.stderr
    after = json.loads(cli("lin", "--json").stdout)
    assert (after["phone"], after["contact"], after["version"]) == ("0594-2230002", "", seen + 1)
    bad = cli("lin", "--contact", "林主任", "--if-version", "x")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


# ---------------------------------------------------------------------------- upgrading to schema 5
def _v4_file(folder: Path) -> Path:
    """The real v4 database (and its signed audit head, which the upgrade must keep matching)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "office.db"
    con = sqlite3.connect(path)
    con.executescript(V4_DUMP.read_text("utf-8"))
    con.commit()
    assert con.execute("PRAGMA user_version").fetchone()[0] == 4
    con.close()
    shutil.copyfile(str(V4_DUMP) + ".audit-head", str(path) + ".audit-head")
    return path


def _rows(con: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every row of every table, without the columns v5 adds."""
    out = {}
    for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
        cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")') if r[1] != "version"]
        out[table] = con.execute(f'SELECT {", ".join(cols)} FROM "{table}" ORDER BY 1').fetchall()
    return out


def test_a_real_schema_4_office_is_upgraded_keeping_every_row_and_its_audit_chain(tmp_path):
    from desktop.core.errors import StaleRecord
    from desktop.operations import integrity, records
    from desktop.store import audit
    from desktop.store.migrations import SCHEMA_VERSION
    from desktop.store.models import AuditEntry

    path = _v4_file(tmp_path / "v4")
    con = sqlite3.connect(path)
    before = _rows(con)
    con.close()
    assert before["notice"] and before["payment"] and before["audit_entry"]

    s = _open(str(path))
    try:
        verdict = integrity.verify(s)
        assert verdict.ok, [str(f) for f in verdict.findings]
        upgrade = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
        assert (upgrade.action, upgrade.entity, upgrade.before, upgrade.after["version"]) == (
            "upgrade", "schema", {"version": 4}, SCHEMA_VERSION)
        assert audit.verify_chain() is None
        s.sign_in("wang", PASSWORDS["wang"])
        ent_id = records.find_enterprise(s, GOOD_USCC)
        form = records.enterprise(s, ent_id)
        assert form["version"] == 1  # every row there before starts at 1
        records.save_enterprise(s, {**_form(form), "phone": "0594-2230003"}, ent_id, form["version"])
        with pytest.raises(StaleRecord):
            records.save_enterprise(s, {**_form(form), "phone": "0594-2230004"}, ent_id, form["version"])
    finally:
        s.close()
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        after = _rows(con)
        assert after["audit_entry"][:len(before["audit_entry"])] == before["audit_entry"]
        for table, rows in before.items():
            if table in ("audit_entry", "enterprise"):
                continue
            if table == "user":  # signing in re-hashes a password kept at an older cost: that is all
                rows, after[table] = [r[:3] for r in rows], [r[:3] for r in after[table]]
            assert after[table] == rows, table
        assert len(after["enterprise"]) == len(before["enterprise"])
        versions = dict(con.execute("SELECT uscc, version FROM enterprise").fetchall())
        assert versions == {GOOD_USCC: 2, OTHER_USCC: 1}
        assert {r[0] for r in con.execute("SELECT version FROM award")} == {1}
    finally:
        con.close()


def test_a_failed_upgrade_to_schema_5_leaves_the_v4_file_as_it_was(tmp_path, monkeypatch):
    from desktop.store import migrations

    path = _v4_file(tmp_path / "v4")
    con = sqlite3.connect(path)
    before = _rows(con)
    con.close()

    def broken(db):
        migrations._v4_to_v5(db)
        raise OSError("the disk went away")

    monkeypatch.setitem(migrations.STEPS, 4, ("broken", broken))
    with pytest.raises(OSError):
        _open(str(path))
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 4
        assert "version" not in [r[1] for r in con.execute("PRAGMA table_info(enterprise)")]
        assert _rows(con) == before
    finally:
        con.close()


def undo_v7(database) -> None:
    """What schema 7 added, taken away from a server database (to make an older one)."""
    for table in ("award_sum", "summed_round", "sent_enterprise", "stale_origin", "claim_key", "shared_claim",
                  "deferred_upkeep"):
        database.execute_sql(f'DROP TABLE "{table}"')
    for trigger, table in (("award_sum_stale_insert", "award"), ("award_sum_stale_update", "award"),
                           ("award_sum_stale_delete", "award"), ("award_sum_stale_round", "award_round"),
                           ("award_sum_stale_origin", "achievement"), ("sent_stale_insert", "achievement"),
                           ("sent_stale_update", "achievement"), ("sent_stale_delete", "achievement"),
                           ("sent_stale_enterprise", "enterprise")):
        database.execute_sql(f'DROP TRIGGER {trigger} ON "{table}"')
    for index in ("achievement_standard_claim_v1", "achievement_prize_claim_v1"):
        database.execute_sql(f"DROP INDEX {index}")


def undo_v6(database) -> None:
    """What schema 6 (and 7) added, taken away from a server database (to make an older one)."""
    undo_v7(database)
    database.execute_sql('ALTER TABLE "office" DROP COLUMN "version"')
    for table in ("file_chunk", "stored_file", "installed_measure"):
        database.execute_sql(f'DROP TABLE "{table}"')


def _make_server_v4(url: str) -> dict[str, int]:
    """An office on the server at schema 4: the v5 schema without what v5 adds (the three version
    columns), with its records, a computed round and audit log; returns its row counts."""
    from desktop.operations import rounds
    from desktop.store import pg
    from desktop.store.migrations import VERSIONED_TABLES
    from desktop.store.models import database

    s = _open(url)
    try:
        office_with_records(s)
        rounds.compute(s, 2025, OFFICE["policy_id"])
        with database.atomic():
            undo_v6(database)
            for table in VERSIONED_TABLES:
                database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "version"')
            database.execute_sql(f"UPDATE {pg.SCHEMA_TABLE} SET version = 4")
        return {t: database.execute_sql(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for t in ("enterprise", "achievement", "award", "audit_entry", "user")}
    finally:
        s.close()


def test_a_schema_4_server_database_opened_by_two_pcs_at_once_is_upgraded_once(pg_server, tmp_path):  # noqa: F811
    url = pg_server.url(pg_server.create_database())
    counts = _make_server_v4(url)
    results: list = [None, None]
    start = threading.Barrier(2)

    def pc(i: int) -> None:
        start.wait()
        results[i] = run_cli("list", "enterprises", "--json", "--db", url, env={"STDAWARD_LANG": "en"})

    threads = [threading.Thread(target=pc, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        assert r.returncode == 0, r.stderr
        assert "Traceback" not in r.stderr
    assert results[0].stdout == results[1].stdout and GOOD_USCC in results[0].stdout

    from desktop.operations import integrity
    from desktop.store import pg
    from desktop.store.migrations import SCHEMA_VERSION
    from desktop.store.models import AuditEntry, database

    s = _open(url)
    try:
        assert database.execute_sql(f"SELECT version FROM {pg.SCHEMA_TABLE}").fetchone()[0] == SCHEMA_VERSION
        upgrades = list(AuditEntry.select().where(AuditEntry.action == "upgrade"))
        assert len(upgrades) == 1 and upgrades[0].before == {"version": 4}
        for table, n in counts.items():
            extra = 1 if table == "audit_entry" else 0
            assert database.execute_sql(f'SELECT count(*) FROM "{table}"').fetchone()[0] == n + extra, table
        assert {r[0] for r in database.execute_sql("SELECT DISTINCT version FROM enterprise").fetchall()} == {1}
        verdict = integrity.verify(s)
        assert verdict.ok, [str(f) for f in verdict.findings]
    finally:
        s.close()
    # a server the newer program upgraded is refused by an older one, as before
    s = _open(url)
    try:
        database.execute_sql(f"UPDATE {pg.SCHEMA_TABLE} SET version = ?", (SCHEMA_VERSION + 1,))
    finally:
        s.close()
    newer = run_cli("list", "enterprises", "--db", url, env={"STDAWARD_LANG": "en"})
    assert newer.returncode == 1 and "update the program" in newer.stderr


def test_a_window_asking_what_changed_hears_who_changed_how_many_records_and_not_its_own(office_db):
    """What the window's poll reads (``operations.changes``), on both engines: the other officer's
    changes since the mark, by full name, with the screens to refresh; one's own changes are not news."""
    from desktop.operations import changes, records

    s = _open(office_db)
    try:
        office_with_records(s)
        reviewer = _second_officer(s, "li")
        mark = changes.since(reviewer, None).head
        assert changes.since(reviewer, mark).by == {}
        for code in (GOOD_USCC, OTHER_USCC):
            ent_id = records.find_enterprise(s, code)
            form = records.enterprise(s, ent_id)
            records.save_enterprise(s, {**_form(form), "contact": "王科员"}, ent_id, form["version"])
        news = changes.since(reviewer, mark)
        assert (news.by, news.areas, news.count) == ({"王科员": 2}, ["enterprises"], 2)
        assert news.head > mark
        assert changes.since(s, mark).by == {}  # the clerk's own window has nothing to hear
        assert changes.since(reviewer, news.head).by == {}
    finally:
        s.close()


def test_two_officers_on_the_server_prepare_edit_approve_and_issue_at_once_nothing_lost_or_numbered_twice(
        pg_server):  # noqa: F811
    """The issue's two-officer day on PostgreSQL, each officer in a thread with a server connection of
    its own. The clerk computes and submits the 2025 round while the administrator keeps editing the
    enterprises; the reviewer approves while the editing goes on; then the reviewer and the
    administrator issue the notices at the same moment. Every save either lands (one version up) or
    is refused as stale, never half-written or lost; each award line is on one notice; the 发文字号
    run 1, 2, … once each; the audit chain holds."""
    from test_daily_path import DAY

    from desktop.core.errors import StaleRecord, StdAwardError
    from desktop.operations import integrity, notices, records, rounds
    from desktop.operations.session import Actor
    from desktop.store.models import Notice, database

    url = pg_server.url(pg_server.create_database())
    s = _open(url)
    try:
        office_with_records(s)  # the clerk 王科员 is signed in
        clerk = dataclasses.replace(s)
        admin = dataclasses.replace(s, actor=Actor("lin", "林主任", "admin"))
        reviewer = dataclasses.replace(s, actor=Actor("li", "李股长", "reviewer"))
        ids = [records.find_enterprise(s, code) for code in (GOOD_USCC, OTHER_USCC)]
        failures: list[BaseException] = []
        saved: dict[int, list[tuple[int, str]]] = {i: [] for i in ids}  # what landed: (version, phone)
        stale, attempts = [0], [0]
        prepared = threading.Event()
        approved = threading.Event()
        round_uuid: list[str] = []

        def officer(job) -> None:  # noqa: ANN001
            try:
                job()
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                failures.append(exc)
            finally:
                database.close()  # this thread's connection

        # The editing goes on until the reviewer is done, whether the approval worked or not (its
        # failure is reported below): no count of saves or waiting time is assumed of a loaded machine.
        def prepare() -> None:
            try:
                rnd = rounds.compute(clerk, 2025, OFFICE["policy_id"])
                round_uuid.append(rnd.uuid)
                rounds.submit(clerk, rnd.uuid)
            finally:
                prepared.set()

        def edit(who, tag: str, until: threading.Event) -> None:  # noqa: ANN001
            n = 0
            while not until.is_set() or n < 6:
                ent_id = ids[n % len(ids)]
                form = records.enterprise(who, ent_id)
                phone = f"0594-{tag}{n:05d}"
                attempts[0] += 1
                try:
                    after = records.save_enterprise(who, {**_form(form), "phone": phone}, ent_id, form["version"])
                except StaleRecord:
                    stale[0] += 1
                else:  # the form as this save left it, even when another officer saved right after
                    assert after["phone"] == phone, (after, phone)
                    saved[ent_id].append((after["version"], phone))
                n += 1

        def approve() -> None:
            try:
                prepared.wait()
                if round_uuid:  # else the clerk's failure is reported
                    rounds.approve(reviewer, round_uuid[0])
            finally:
                approved.set()

        first = [threading.Thread(target=officer, args=(job,)) for job in (
            prepare, approve, lambda: edit(admin, "1", approved), lambda: edit(dataclasses.replace(admin), "2", approved))]
        for t in first:
            t.start()
        for t in first:
            t.join()
        assert not failures, failures

        issued: list[list] = [[], []]
        refused: list[str] = []
        start = threading.Barrier(2)

        def issue(i: int, who) -> None:  # noqa: ANN001
            start.wait()
            try:
                issued[i] = notices.issue_round(who, round_uuid[0], DAY)
            except StdAwardError as exc:  # the other officer issued them first
                refused.append(str(exc))

        second = [threading.Thread(target=officer, args=(lambda i=i, who=who: issue(i, who),))
                  for i, who in enumerate((reviewer, admin))]
        for t in second:
            t.start()
        for t in second:
            t.join()
        assert not failures, failures
        assert sum(bool(x) for x in issued) >= 1

        everything = list(Notice.select().order_by(Notice.serial))
        assert [n.serial for n in everything] == list(range(1, len(everything) + 1))  # none twice, none skipped
        assert len({n.doc_number for n in everything}) == len(everything) == 2
        lines = [(n.enterprise.uscc, line["achievement"]) for n in everything for line in n.content["lines"]]
        assert len(lines) == len(set(lines))  # no award line on two notices
        for ent_id, landed in saved.items():  # no lost update: each save one version up, the last one stands
            versions = sorted(v for v, _phone in landed)
            assert versions == list(range(2, len(landed) + 2)), versions
            now = records.enterprise(s, ent_id)
            assert now["version"] == len(landed) + 1
            assert now["phone"] == max(landed)[1]
        assert all(saved.values()) and sum(len(x) for x in saved.values()) + stale[0] == attempts[0] >= 12
        verdict = integrity.verify(s)
        assert verdict.ok, [str(f) for f in verdict.findings]
    finally:
        s.close()
        pg_server.drop_database(url.rsplit("/", 1)[1].split("?")[0])


def _at_once(jobs: dict) -> dict:
    """Run ``jobs`` (name → callable) in threads released together, each with its own server
    connection; what each returned, or the StdAwardError it raised (anything else as RuntimeError)."""
    from desktop.core.errors import StdAwardError
    from desktop.store.models import database

    start = threading.Barrier(len(jobs))
    outcome: dict[str, object] = {}

    def run(name: str, job) -> None:  # noqa: ANN001
        try:
            start.wait()
            outcome[name] = job()
        except StdAwardError as exc:
            outcome[name] = exc
        except BaseException as exc:  # noqa: BLE001 - shown by the caller's assertion
            outcome[name] = RuntimeError(repr(exc))
        finally:
            database.close()

    threads = [threading.Thread(target=run, args=item) for item in jobs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcome


def test_an_achievement_changed_while_its_year_is_computed_is_either_computed_or_refused_never_in_between(
        pg_server):  # noqa: F811
    """PostgreSQL: two officers compute the 2025 round while the administrator changes an achievement
    of 2025 (its rank, which changes its award), all at once, several times over. Either the change
    lands first and the round is computed from it, or the round is stored first and the change is
    refused; never a round computed from what the achievement no longer says; one round a year."""
    from desktop.core.errors import StdAwardError
    from desktop.operations import records, rounds
    from desktop.operations.session import Actor
    from desktop.store.models import AuditEntry, AwardRound

    url = pg_server.url(pg_server.create_database())
    s = _open(url)
    try:
        office_with_records(s)
        admin = dataclasses.replace(s, actor=Actor("lin", "林主任", "admin"))
        ach_id = records.find_achievement(s, "A1", GOOD_USCC)
        for attempt in range(3):
            rec = records.achievement(admin, ach_id)
            raw = {**rec.achievement.to_dict(), "rank": rec.achievement.rank % 3 + 1}
            outcome = _at_once({
                "compute": lambda: rounds.compute(s, 2025, OFFICE["policy_id"]),
                "compute again": lambda: rounds.compute(dataclasses.replace(s), 2025, OFFICE["policy_id"]),
                "edit": lambda rec=rec, raw=raw: records.save_achievement(admin, raw, ach_id, version=rec.version)})
            assert not any(isinstance(v, RuntimeError) for v in outcome.values()), outcome
            assert AwardRound.select().where(AwardRound.year == 2025).count() == 1, outcome
            assert any(not isinstance(outcome[k], StdAwardError) for k in ("compute", "compute again")), outcome
            if isinstance(outcome["edit"], StdAwardError):
                assert "award round" in str(outcome["edit"])
            else:
                assert records.achievement(s, ach_id).achievement.rank == raw["rank"]
            # the stored lines are what the achievements say now: recomputing changes no line
            rnd = AwardRound.get(AwardRound.year == 2025)
            before = AuditEntry.select().count()
            rounds.compute(s, 2025)
            changed = AuditEntry.select().where((AuditEntry.id > before) & (AuditEntry.entity == "award")).count()
            assert changed == 0, (attempt, outcome)
            rnd.delete_instance(recursive=True)  # the next attempt starts without a round again
    finally:
        s.close()
        pg_server.drop_database(url.rsplit("/", 1)[1].split("?")[0])


def test_the_command_line_refuses_an_amount_on_a_line_another_officer_set_since_it_was_read(tmp_path):
    import json

    from desktop.operations import records, rounds

    db = str(tmp_path / "office.db")
    s = _open(db)
    try:
        office_with_records(s)
        records.save_achievement(s, {"id": "G1", "enterprise": GOOD_USCC, "kind": "gi", "rank": 1,
                                     "ref": "地理标志1", "date": "2014-03-01"})  # paid from Quanzhou's pool
        rounds.compute(s, 2014, "quanzhou-2012")
    finally:
        s.close()
    pw = {}
    for name in ("wang", "lin"):
        pw[name] = tmp_path / f"{name}.pw"
        pw[name].write_text(PASSWORDS[name] + "\n", "utf-8")

    def cli(who: str, *argv: str):
        return run_cli("round", *argv, "--db", db, "--user", who, "--password-file", str(pw[who]))

    shown = cli("lin", "show", "2014", "--json")
    assert shown.returncode == 0, shown.stderr
    line = next(x for x in json.loads(shown.stdout)["lines"] if x["achievement"] == "G1")
    first = cli("wang", "amount", "2014", "--achievement", "G1", "--amount", "20000", "--if-version",
                str(line["version"]))
    assert first.returncode == 0, first.stderr
    second = cli("lin", "amount", "2014", "--achievement", "G1", "--amount", "30000", "--if-version",
                 str(line["version"]))
    assert second.returncode == 1 and "王科员" in second.stderr and "G1" in second.stderr
    assert "Traceback" not in second.stderr
    after = next(x for x in json.loads(cli("lin", "show", "2014", "--json").stdout)["lines"] if x["achievement"] == "G1")
    assert (after["amount"], after["version"]) == ("20000.00", line["version"] + 1)


def test_a_failed_upgrade_of_a_server_schema_leaves_it_at_4_and_the_next_open_upgrades_it(pg_server, monkeypatch):  # noqa: F811
    from desktop.store import migrations, pg
    from desktop.store.migrations import SCHEMA_VERSION
    from desktop.store.models import database

    url = pg_server.url(pg_server.create_database())
    counts = _make_server_v4(url)

    def broken(db):
        migrations._v4_to_v5(db)
        raise OSError("the network went away")

    monkeypatch.setitem(migrations.STEPS, 4, ("broken", broken))
    with pytest.raises(OSError):
        _open(url)
    monkeypatch.undo()
    s = _open(url)  # the DDL was rolled back with the rest: the next open upgrades it whole
    try:
        assert database.execute_sql(f"SELECT version FROM {pg.SCHEMA_TABLE}").fetchone()[0] == SCHEMA_VERSION
        assert database.execute_sql("SELECT count(*) FROM audit_entry WHERE action = 'upgrade'").fetchone()[0] == 1
        assert database.execute_sql("SELECT count(*) FROM enterprise").fetchone()[0] == counts["enterprise"]
    finally:
        s.close()
        pg_server.drop_database(url.rsplit("/", 1)[1].split("?")[0])


def test_a_line_a_recompute_changed_moves_its_version_on_so_a_screen_loaded_before_is_refused(tmp_path):
    """Recompute writes its lines in batches, not through a form's save: it must move the version on all
    the same, or an amount screen loaded before the recompute would overwrite the recomputed line."""
    from desktop.core.errors import StaleRecord
    from desktop.operations import records, rounds
    from desktop.store.models import Award

    s = _open(str(tmp_path / "office.db"))
    try:
        office_with_records(s)
        rnd = rounds.compute(s, 2025, OFFICE["policy_id"])
        before = {ln["achievement"]: ln for ln in rounds.lines(s, rnd.uuid)}
        # the same standard entered again, earlier in the year: A1 becomes its duplicate when recomputed
        records.save_achievement(s, {**{k: v for k, v in ACHIEVEMENTS[0].items()}, "id": "A0", "date": "2025-01-15"})
        again = rounds.compute(s, 2025, OFFICE["policy_id"])
        assert again.uuid == rnd.uuid  # the same draft, recomputed
        after = {ln["achievement"]: ln for ln in rounds.lines(s, rnd.uuid)}
        assert (after["A1"]["status"], after["A1"]["amount"]) != (before["A1"]["status"], before["A1"]["amount"])
        assert after["A1"]["version"] == before["A1"]["version"] + 1
        assert all(after[k]["version"] == before[k]["version"] for k in before if k != "A1")  # untouched lines
        line = Award.get(Award.uuid == after["A1"]["uuid"])
        with pytest.raises(StaleRecord):
            rounds.set_amount(s, line.uuid, Decimal("1000"), version=before["A1"]["version"])
    finally:
        s.close()
