"""PostgreSQL as the shared store: the same office, the same steps, the same results as on SQLite.

The server is a throwaway one (tests/conftest_pg.py); each test module gets its own database and
each test here its own schema-free database on it, so the tests do not see each other's rows.
"""
from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import GOOD_USCC, OTHER_USCC, run_cli
from conftest_pg import pg_server  # noqa: F401 - fixture
from test_daily_path import ACHIEVEMENTS, DAY, ENTERPRISES, OFFICE, PASSWORDS, office_with_records


@pytest.fixture
def fresh_url(pg_server):  # noqa: F811 - the fixture imported above
    """An empty database of its own for one test, dropped afterwards."""
    name = pg_server.create_database()
    yield pg_server.url(name)
    pg_server.drop_database(name)


def _content_digest(content: dict) -> str:
    """A notice's content without what differs between two databases by design: the ids the database
    gave the notice, its round and the office (everything else, every word and amount, must agree)."""
    same = dict(content, notice="<uuid>", round="<uuid>", office=dict(content["office"], uuid="<uuid>"))
    assert same != content  # the ids are where they are expected: nothing else is left out
    return hashlib.sha256(json.dumps(same, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def daily_path(db: Path | str, tmp: Path) -> dict:
    """Office → accounts → records → round computed and submitted by the clerk → approved by the
    reviewer → notices issued and printed → a payment → the audit chain verified."""
    from desktop.operations import integrity, notices, payments, rounds
    from desktop.operations.session import PermissionDenied, Session
    from desktop.store.paths import resolve_db_path

    tmp.mkdir(parents=True, exist_ok=True)
    s = Session.open(resolve_db_path(str(db)))
    try:
        office_with_records(s)
        rnd = rounds.compute(s, 2025, OFFICE["policy_id"])
        rounds.submit(s, rnd.uuid)
        with pytest.raises(PermissionDenied):
            rounds.approve(s, rnd.uuid)
        s.sign_in("li", PASSWORDS["li"])
        approved = rounds.approve(s, rnd.uuid)
        issued = notices.issue_round(s, rnd.uuid, DAY)
        notices.print_notices(s, issued, tmp / "notices.pdf")
        first = issued[0]
        state = payments.record(s, first.doc_number, Decimal("1000.50"), DAY, "PZ-1")
        verdict = integrity.verify(s)
        return {"total": str(approved.total),
                "notices": sorted((n.doc_number, n.enterprise.uscc, str(n.total), _content_digest(n.content))
                                  for n in issued),
                "paid": str(state["paid"]), "audit_ok": verdict.ok, "findings": [str(f) for f in verdict.findings],
                "pdf_pages": len(re.findall(rb"/Type\s*/Page\b(?!s)", (tmp / "notices.pdf").read_bytes()))}
    finally:
        s.close()


def test_the_daily_path_on_postgresql_gives_what_it_gives_on_sqlite(tmp_path, fresh_url):
    on_sqlite = daily_path(tmp_path / "office.db", tmp_path / "sqlite")
    on_server = daily_path(fresh_url, tmp_path / "server")
    assert on_sqlite["audit_ok"], on_sqlite["findings"]
    assert on_server == on_sqlite
    assert [n[0] for n in on_server["notices"]] == ["城市监〔2025〕1号", "城市监〔2025〕2号"]
    assert on_server["pdf_pages"] >= 2 and on_server["paid"] == "1000.50"



def daily_path_cli(db: str, tmp: Path) -> dict:
    """The same steps through the command line, ``--db`` a file or a server address."""
    tmp.mkdir(parents=True, exist_ok=True)
    pw = {}
    for name, password in PASSWORDS.items():
        pw[name] = tmp / f"{name}.pw"
        pw[name].write_text(password + "\n", "utf-8")

    def ok(*argv: str, who: str | None = None) -> str:
        extra = ["--user", who, "--password-file", str(pw[who])] if who else []
        r = run_cli(*argv, "--db", db, *extra)
        assert r.returncode == 0, (argv, r.stderr)
        return r.stdout

    ok("office", "--name", OFFICE["name"], "--region", OFFICE["region_code"], "--doc-prefix", OFFICE["doc_prefix"],
       "--policy", OFFICE["policy_id"])
    ok("user-add", "lin", "--full-name", "林主任", "--role", "admin", "--new-password-file", str(pw["lin"]))
    ok("user-add", "wang", "--full-name", "王科员", "--role", "clerk", "--new-password-file", str(pw["wang"]), who="lin")
    ok("user-add", "li", "--full-name", "李股长", "--role", "reviewer", "--new-password-file", str(pw["li"]), who="lin")
    ok("publicity", "setting", "--off", "--reason", "notices without a publicity step", who="lin")
    data = tmp / "records.json"
    data.write_text(json.dumps({"enterprises": ENTERPRISES, "achievements": ACHIEVEMENTS}, ensure_ascii=False), "utf-8")
    ok("load", str(data), who="wang")
    rnd = json.loads(ok("round", "compute", "--year", "2025", "--policy", OFFICE["policy_id"], "--json", who="wang"))
    ok("round", "submit", rnd["uuid"], who="wang")
    refused = run_cli("round", "approve", rnd["uuid"], "--db", db, "--user", "wang", "--password-file", str(pw["wang"]))
    assert refused.returncode != 0  # never approved by its preparer
    approved = json.loads(ok("round", "approve", rnd["uuid"], "--json", who="li"))
    issued = json.loads(ok("notices", "--round", rnd["uuid"], "--date", DAY.isoformat(), "--out", str(tmp / "n.pdf"),
                           "--json", who="li"))
    ok("payment", "record", issued[0]["doc_number"], "--amount", "1000.50", "--date", DAY.isoformat(),
       "--voucher", "PZ-1", who="li")
    paid = json.loads(ok("payment", "list", "--json"))
    exported = [json.loads(ok("export", "--out", str(tmp / f"{i}.stdpkg"), "--year", "2025", "--json", who="li"))
                for i in (1, 2)]
    assert run_cli("verify-package", str(tmp / "2.stdpkg")).returncode == 0
    verdict = run_cli("audit-verify", "--json", "--db", db)
    return {"total": approved["total"], "notices": sorted((n["doc_number"], n["enterprise"], n["total"]) for n in issued),
            "paid": sorted(str(p.get("amount")) for p in paid), "audit": verdict.returncode,
            "exported": [(e["sequence"], e["counts"]) for e in exported]}


def test_the_daily_path_through_the_command_line_on_postgresql_matches_sqlite(tmp_path, fresh_url):
    on_sqlite = daily_path_cli(str(tmp_path / "office.db"), tmp_path / "sqlite")
    on_server = daily_path_cli(fresh_url, tmp_path / "server")
    assert on_sqlite["audit"] == 0
    assert [seq for seq, _counts in on_sqlite["exported"]] == [1, 2]
    assert on_server == on_sqlite
    assert [n[0] for n in on_server["notices"]] == ["城市监〔2025〕1号", "城市监〔2025〕2号"]


def test_officers_taking_numbers_and_writing_the_audit_log_at_once_never_share_a_number_or_fork_the_chain(
        tmp_path, fresh_url):
    """Six officers (threads, each with its own server connection) at the same time, many times over:
    three take numbers from the same 发文字号 register and record it in the audit log, three record
    other changes in the audit log (editing records) without taking a number."""
    import threading

    from desktop.store import audit, db, serials
    from desktop.store.models import AuditEntry, NoticeSerial, database
    from desktop.store.paths import resolve_db_path

    db.open_db(resolve_db_path(fresh_url))
    try:
        workers, rounds_each = 6, 15
        taken: list[list[int]] = [[] for _ in range(workers)]
        start = threading.Barrier(workers)
        failed: list[BaseException] = []

        def officer(i: int) -> None:
            try:
                start.wait()
                for _ in range(rounds_each):
                    with database.atomic():
                        got = serials.allocate("城市监", 2026, 2 if i % 2 else 1) if i < 3 else []
                        audit.record(f"officer{i}", "issue" if got else "update", "notice", None, None,
                                     {"serials": got})
                    taken[i].extend(got)
            except BaseException as exc:  # noqa: BLE001 - reported by the test below
                failed.append(exc)
            finally:
                database.close()  # this thread's connection

        threads = [threading.Thread(target=officer, args=(i,)) for i in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failed, failed
        numbers = sorted(n for got in taken for n in got)
        assert numbers == list(range(1, len(numbers) + 1))  # each number once, none skipped
        assert NoticeSerial.get(NoticeSerial.prefix == "城市监", NoticeSerial.year == 2026).last == numbers[-1]
        entries = list(AuditEntry.select().order_by(AuditEntry.id))
        assert len(entries) == workers * rounds_each
        assert len({e.prev_hash for e in entries}) == len(entries)  # no two entries follow the same one: no fork
        assert audit.verify_chain() is None
    finally:
        db.close_db()


def test_the_audit_log_on_the_server_refuses_changes_and_removal(fresh_url):
    import peewee

    from desktop.store import audit, db
    from desktop.store.models import AuditEntry, database
    from desktop.store.paths import resolve_db_path

    db.open_db(resolve_db_path(fresh_url))
    try:
        with database.atomic():
            audit.record("tester", "update", "office", None, None, {"name": "x"})
        for attempt in ("UPDATE audit_entry SET \"user\" = 'someone else'", "DELETE FROM audit_entry",
                        "TRUNCATE audit_entry"):
            with pytest.raises(peewee.DatabaseError, match="append-only"):
                with database.atomic():
                    database.execute_sql(attempt)
        assert AuditEntry.select().count() == 1 and audit.verify_chain() is None
        database.execute_sql("DROP TRIGGER audit_entry_no_delete ON audit_entry")  # someone at the server console
    finally:
        db.close_db()
    db.open_db(resolve_db_path(fresh_url))  # the next open puts it back
    try:
        assert audit.recreated_on_open == ["audit_entry_no_delete"]
        with pytest.raises(peewee.DatabaseError, match="append-only"):
            with database.atomic():
                database.execute_sql("DELETE FROM audit_entry")
    finally:
        db.close_db()


def test_a_server_database_backs_up_into_a_file_that_restores_onto_a_new_server_database_and_onto_a_pc(
        tmp_path, fresh_url, pg_server):  # noqa: F811
    from desktop.operations import backups
    from desktop.operations.session import PermissionDenied, Session
    from desktop.store.paths import resolve_db_path

    server = resolve_db_path(fresh_url)
    daily_path(fresh_url, tmp_path / "work")
    before = _everything(server)
    pw = tmp_path / "lin.pw"
    pw.write_text(PASSWORDS["lin"] + "\n", "utf-8")
    out = tmp_path / "U盘" / "城厢 备份.db"
    out.parent.mkdir()
    s = Session.open(server, auto_backup=False)
    s.sign_in("wang", PASSWORDS["wang"])  # a clerk may back up (File → Back up)
    assert backups.make(s, out) == out and out.is_file()
    s.close()
    assert _everything(server)["rows"] == before["rows"]  # a backup changes nothing at the server

    # onto a new, empty server database: every row, notice hash and the audit chain as they were,
    # and the restore itself appended to the chain
    from desktop.operations.session import os_user

    other = resolve_db_path(pg_server.url(pg_server.create_database()))
    done = backups.restore(other, out)  # an empty server database: no accounts, nobody to sign in as
    assert done.kept is None
    after = _everything(other)
    assert after["findings"] == []
    restored_log = after["rows"].pop("audit_entry")
    original_log = dict(before["rows"])["audit_entry"]
    assert {k: v for k, v in after["rows"].items()} == {k: v for k, v in before["rows"].items() if k != "audit_entry"}
    assert restored_log[:-1] == original_log
    assert (restored_log[-1]["action"], restored_log[-1]["entity"], restored_log[-1]["user"]) == \
        ("restore", "database", os_user())  # the computer's account, acting as administrator
    assert [n["content_hash"] for n in after["rows"]["notice"]] == \
        [n["content_hash"] for n in before["rows"]["notice"]]

    # onto a PC: the same file restores as any backup of a database file
    pc = tmp_path / "pc" / "office.db"
    backups.restore(pc, out)
    on_pc = _everything(pc)
    assert on_pc["findings"] == [] and on_pc["rows"] == before["rows"]

    # onto the server it came from, which holds an office: only when told to replace it, after a copy
    s = Session.open(server, auto_backup=False)
    s.sign_in("wang", PASSWORDS["wang"])
    with pytest.raises(PermissionDenied):
        backups.restore(server, out, session=s, replace=True)
    s.close()
    with pytest.raises(PermissionDenied, match="sign in"):  # nor without signing in: the server has accounts
        backups.restore(server, out, replace=True)
    r = run_cli("restore", str(out), "--db", fresh_url, "--user", "lin", "--password-file", str(pw))
    assert r.returncode == 1 and "already holds an office" in r.stderr and "--replace" in r.stderr, r.stderr
    current = _everything(server)  # signing in from the command line re-protected lin's password: nothing else
    assert current["rows"]["notice"] == before["rows"]["notice"] and current["rows"]["award"] == before["rows"]["award"]
    r = run_cli("restore", str(out), "--db", fresh_url, "--replace", "--user", "lin", "--password-file", str(pw))
    assert r.returncode == 0, r.stderr
    kept = [p for p in backups.listing(Session.attach(server)) if "before-restore" in p.name]
    assert len(kept) == 1 and _everything(kept[0])["rows"] == current["rows"]
    replaced = _everything(server)
    assert replaced["findings"] == [] and replaced["rows"]["audit_entry"][:-1] == original_log
    assert replaced["rows"]["notice"] == before["rows"]["notice"]


def test_a_cancelled_move_leaves_the_target_empty_and_a_new_file_removed(tmp_path, fresh_url):
    from desktop.core.progress import Cancelled, ProgressState
    from desktop.operations.session import Session
    from desktop.operations.transfer import migrate_db
    from desktop.store.paths import resolve_db_path

    daily_path(tmp_path / "office.db", tmp_path / "work")
    before = _everything(tmp_path / "office.db")
    for target in (resolve_db_path(fresh_url), tmp_path / "copy.db"):
        heard: list[tuple[int, int, str]] = []
        progress = ProgressState()

        def update(done: int, total: int, text: str, progress=progress, heard=heard) -> None:
            heard.append((done, total, text))
            if text == "notice":  # part-way: enterprises, rounds and awards already written
                progress.cancel()

        progress._on_update = update
        s = Session.open(tmp_path / "office.db", auto_backup=False)
        try:
            s.sign_in("lin", PASSWORDS["lin"])
            with pytest.raises(Cancelled):
                migrate_db(s.with_progress(progress), target)
            assert s.db_path == tmp_path / "office.db"
        finally:
            s.close()
        assert any(text == "award" and done > 0 for done, _t, text in heard)  # it had written rows
        if target.suffix == ".db":
            assert not target.exists() and not list(tmp_path.glob("copy.db*"))
        else:
            assert all(rows == [] for rows in _everything(target)["rows"].values())
    assert _everything(tmp_path / "office.db")["rows"] == before["rows"]


def test_a_damaged_backup_is_refused_and_the_server_keeps_its_office(tmp_path, fresh_url, pg_server):  # noqa: F811
    from desktop.core.errors import StdAwardError
    from desktop.operations import backups
    from desktop.operations.session import Session
    from desktop.store.paths import resolve_db_path

    server = resolve_db_path(fresh_url)
    daily_path(fresh_url, tmp_path / "work")
    before = _everything(server)
    s = Session.open(server, auto_backup=False)
    s.sign_in("lin", PASSWORDS["lin"])
    out = backups.make(s, tmp_path / "copy.db")
    s.close()
    data = bytearray(out.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    for n in range(2, 6):  # sectors gone bad on the stick, page headers included
        data[n * page:n * page + 512] = b"\xff" * 512
    bad = tmp_path / "damaged.db"
    bad.write_bytes(bytes(data))
    def admin() -> Session:
        s = Session.open(server, auto_backup=False)
        s.sign_in("lin", PASSWORDS["lin"])
        return s

    with pytest.raises(StdAwardError, match="damaged|not a StdAward database"):
        backups.restore(server, bad, session=admin(), replace=True)
    empty = resolve_db_path(pg_server.url(pg_server.create_database()))
    with pytest.raises(StdAwardError, match="damaged|not a StdAward database"):
        backups.restore(empty, bad, replace=True)  # an empty server: no accounts to sign in to
    assert _everything(server)["rows"] == before["rows"]
    (tmp_path / "notes.db").write_text("这不是备份", "utf-8")
    with pytest.raises(StdAwardError, match="not a StdAward database"):
        backups.restore(server, tmp_path / "notes.db", session=admin(), replace=True)
    assert _everything(server)["rows"] == before["rows"]


def test_a_bad_or_unreachable_server_address_is_one_plain_sentence(tmp_path, pg_server):  # noqa: F811
    for url, words in ((f"postgresql://nobody@/{'missing_db'}?host={pg_server.folder}&port=5432",
                        "refused the user name nobody"),
                       (f"postgresql://{pg_server.superuser}@/missing_db?host={pg_server.folder}&port=5432",
                        "has no database named missing_db"),
                       (f"postgresql://u@/db?host={pg_server.folder}/nowhere&port=5432", "cannot reach"),
                       ("postgresql://user@localhost", "names no database"),
                       ("postgresql://user@localhost/db?colour=red", "unknown setting colour"),
                       ("postgresql://user:secret@localhost:notaport/db", "not a database address")):
        r = run_cli("list", "enterprises", "--db", url)
        assert r.returncode == 1, (url, r.stderr)
        assert words in r.stderr and "Traceback" not in r.stderr and "secret" not in r.stderr, (url, r.stderr)


def test_reviewers_issuing_at_the_same_time_from_two_pcs_share_one_register_and_never_issue_a_line_twice(
        tmp_path, fresh_url):
    """Three processes at once: one reviewer issues the 2025 round, the administrator issues the 2024
    round, and a second try at the 2025 round races the first. The register gives 1, 2, 3 once each;
    each award line is on one notice; the audit chain holds."""
    import threading

    from desktop.operations import integrity, rounds
    from desktop.operations.session import Session
    from desktop.store.models import Notice
    from desktop.store.paths import resolve_db_path

    s = Session.open(resolve_db_path(fresh_url))
    try:
        office_with_records(s)
        made = [rounds.compute(s, year, OFFICE["policy_id"]) for year in (2025, 2024)]
        for rnd in made:
            rounds.submit(s, rnd.uuid)
        s.sign_in("li", PASSWORDS["li"])
        for rnd in made:
            rounds.approve(s, rnd.uuid)
    finally:
        s.close()
    pw = {}
    for name in ("li", "lin"):
        pw[name] = tmp_path / f"{name}.pw"
        pw[name].write_text(PASSWORDS[name] + "\n", "utf-8")
    jobs = [("li", made[0].uuid), ("lin", made[1].uuid), ("lin", made[0].uuid)]
    results: list = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def issue(i: int) -> None:
        who, rnd = jobs[i]
        start.wait()
        results[i] = run_cli("notices", "--round", rnd, "--date", DAY.isoformat(), "--out", str(tmp_path / f"{i}.pdf"),
                             "--db", fresh_url, "--user", who, "--password-file", str(pw[who]))

    threads = [threading.Thread(target=issue, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results[1].returncode == 0, results[1].stderr
    assert sum(r.returncode == 0 for r in (results[0], results[2])) >= 1
    for r in results:
        assert "Traceback" not in r.stderr, r.stderr
    s = Session.open(resolve_db_path(fresh_url))
    try:
        issued = list(Notice.select().order_by(Notice.serial))
        assert [n.serial for n in issued] == [1, 2, 3]
        assert len({n.doc_number for n in issued}) == 3
        lines = [(n.enterprise.uscc, line["achievement"]) for n in issued for line in n.content["lines"]]
        assert len(lines) == len(set(lines))  # no award line on two notices
        assert sorted(n.round.year for n in issued) == [2024, 2025, 2025]
        verdict = integrity.verify(s)
        assert verdict.ok, [str(f) for f in verdict.findings]
    finally:
        s.close()


KEPT_BY_CHECKS = ("audit.verified", "targets.counts")


def _everything(path: Path) -> dict:
    """Every row of every table, as the program reads it (ids included), and the audit verdict."""
    from desktop.operations import integrity
    from desktop.operations.session import Session
    from desktop.store.models import ALL_MODELS
    from desktop.store.transfer import _key

    s = Session.open(path, auto_backup=False)
    try:
        rows = {m._meta.table_name: [dict(r) for r in m.select().order_by(*_key(m)).dicts()]
                for m in ALL_MODELS}
        # what a server keeps of its own checks (the audit check's mark, the targets' counts) is not
        # the office's data: a copy checks itself again and keeps its own
        rows["setting"] = [r for r in rows.get("setting", []) if r["key"] not in KEPT_BY_CHECKS]
        verdict = integrity.verify(s)
        return {"rows": rows, "findings": [str(f) for f in verdict.findings]}
    finally:
        s.close()


def test_an_office_moves_to_the_server_and_back_with_nothing_lost_or_renumbered(tmp_path, fresh_url):
    from desktop.store.paths import resolve_db_path

    daily_path(tmp_path / "office.db", tmp_path / "work")
    pw = tmp_path / "lin.pw"
    pw.write_text(PASSWORDS["lin"] + "\n", "utf-8")
    admin = ("--user", "lin", "--password-file", str(pw))
    clerk = ("--user", "wang", "--password-file", str(tmp_path / "wang.pw"))
    (tmp_path / "wang.pw").write_text(PASSWORDS["wang"] + "\n", "utf-8")
    refused = run_cli("migrate-db", "--from", str(tmp_path / "office.db"), "--to", fresh_url, *clerk)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr  # administrators only
    there = run_cli("migrate-db", "--from", str(tmp_path / "office.db"), "--to", fresh_url, "--json", *admin)
    assert there.returncode == 0, there.stderr
    assert json.loads(there.stdout)["rows"]["notice"] == 2
    again = run_cli("migrate-db", "--from", str(tmp_path / "office.db"), "--to", fresh_url, *admin)
    assert again.returncode == 2 or again.returncode == 1
    assert "already holds" in again.stderr  # never copied over an office's data
    back = run_cli("migrate-db", "--db", fresh_url, "--to", str(tmp_path / "back.db"), *admin)
    assert back.returncode == 0, back.stderr
    original = _everything(tmp_path / "office.db")
    on_server = _everything(resolve_db_path(fresh_url))
    returned = _everything(tmp_path / "back.db")
    assert original["findings"] == [] and on_server["findings"] == [] and returned["findings"] == []
    assert on_server["rows"] == original["rows"]
    assert returned["rows"] == original["rows"]
    assert [n["doc_number"] for n in on_server["rows"]["notice"]] == ["城市监〔2025〕1号", "城市监〔2025〕2号"]
    # the server continues the numbering and the chain after the copied rows
    from desktop.operations import notices, rounds
    from desktop.operations.session import Session

    s = Session.open(resolve_db_path(fresh_url))
    try:
        s.sign_in("wang", PASSWORDS["wang"])
        rnd = rounds.compute(s, 2024, OFFICE["policy_id"])
        rounds.submit(s, rnd.uuid)
        s.sign_in("li", PASSWORDS["li"])
        rounds.approve(s, rnd.uuid)
        assert [n.doc_number for n in notices.issue_round(s, rnd.uuid, DAY)] == ["城市监〔2025〕3号"]
    finally:
        s.close()
    assert _everything(resolve_db_path(fresh_url))["findings"] == []


def test_the_demo_office_on_a_server_named_by_the_environment_lists_and_computes_as_on_sqlite(tmp_path, fresh_url):
    """STDAWARD_DB names the server; the demo's achievements (pilots and research with their 验收
    flags, prizes, secretariats) read back and compute exactly as from a file."""
    def both(*argv: str) -> list:
        out = []
        for db in (str(tmp_path / "office.db"), fresh_url):
            r = run_cli(*argv, env={"STDAWARD_DB": db})
            assert r.returncode == 0, (argv, db, r.stderr)
            out.append(r.stdout)
        return out

    both("demo")
    on_file, on_server = (json.loads(x) for x in both("list", "achievements", "--json"))
    assert any(a.get("accepted") is True for a in on_file) and any(a.get("accepted") is False for a in on_file)
    strip = [{k: v for k, v in a.items() if k != "uuid"} for a in on_file]
    assert [{k: v for k, v in a.items() if k != "uuid"} for a in on_server] == strip
    file_awards, server_awards = both("compute", "--year", "2025", "--policy", OFFICE["policy_id"], "--json")
    assert json.loads(server_awards) == json.loads(file_awards) and json.loads(file_awards)


def _screens_and_rarer_changes(db: Path | str) -> dict:
    """What the screens read (years, the achievements list in each order, enterprise rows) and the
    rarer changes: the wording template saved twice, a notice voided and issued again, a payment
    taken back, two enterprises merged."""
    from desktop.operations import measures, notices, payments, records, rounds, wording
    from desktop.operations.session import Session
    from desktop.store.paths import resolve_db_path

    s = Session.open(resolve_db_path(str(db)))
    try:
        office_with_records(s)
        rnd = rounds.compute(s, 2025, OFFICE["policy_id"])
        rounds.submit(s, rnd.uuid)
        s.sign_in("li", PASSWORDS["li"])
        rounds.approve(s, rnd.uuid)
        issued = notices.issue_round(s, rnd.uuid, DAY)
        notices.print_notices(s, issued, Path(str(db)).parent / "printed.pdf" if "://" not in str(db) else
                              Path(s.db_path).parent / "printed.pdf")
        payments.record(s, issued[0].doc_number, Decimal("500.00"), DAY, "PZ-1")
        payments.reverse(s, issued[0].doc_number, "PZ-1", DAY, "退-PZ-1", "录错金额")
        voided = notices.void(s, issued[1].doc_number, "金额有误")
        again = notices.issue_round(s, rnd.uuid, DAY)
        s.sign_in("lin", PASSWORDS["lin"])
        words = dict(wording.template(s)[1])
        versions = [wording.save_template(s, words), wording.save_template(s, words)]
        ents = {e["uscc"]: e["id"] for e in records.enterprise_rows()}
        order = [[row[0] for chunk in records.achievement_index(records.achievement_order(key, desc)) for row in chunk]
                 for key in ("date", "status", "amount", "enterprise") for desc in (False, True)]
        index = [list(chunk) for chunk in records.achievement_index(records.achievement_order("source_id", False))]
        out = {"years": (rounds.years(s), measures.years_with_achievements(s), records.achievement_years()),
               "order": order, "index": index, "voided": voided.status,
               "again": [(n.doc_number, n.content.get("replaces")) for n in again], "versions": versions,
               "paid": str(payments.notice_state(s, issued[0].doc_number)["paid"]),
               "enterprises": sorted((e["uscc"], e["achievements"], str(e.get("granted"))) for e in records.enterprise_rows())}
        s.sign_in("wang", PASSWORDS["wang"])
        out["merged"] = records.merge_enterprises(s, ents[GOOD_USCC], ents[OTHER_USCC])
        out["after_merge"] = sorted(e["uscc"] for e in records.enterprise_rows())
        return out
    finally:
        s.close()


def test_the_screens_reads_and_the_rarer_changes_work_on_the_server_as_on_sqlite(tmp_path, fresh_url):
    on_file = _screens_and_rarer_changes(tmp_path / "office.db")
    on_server = _screens_and_rarer_changes(fresh_url)
    assert on_file["years"] == ([2024, 2025], [2024, 2025], [2025, 2024])
    assert on_file["again"] and on_file["again"][0][0] == "城市监〔2025〕3号"
    assert on_server == on_file


def test_officers_on_two_pcs_each_verify_the_whole_audit_log_and_see_its_tail_cut_off(tmp_path, fresh_url):
    """Each PC has its own data folder; the signed head lives with the log on the server, so the
    clerk's PC verifies the reviewer's entries too, and removing entries at the server shows on both."""
    pcs = {name: {"STDAWARD_DATA": str(tmp_path / name)} for name in ("clerk_pc", "reviewer_pc")}
    pw = tmp_path / "lin.pw"
    pw.write_text(PASSWORDS["lin"] + "\n", "utf-8")
    me = ("--user", "lin", "--password-file", str(pw))
    steps = [("clerk_pc", ("office", "--name", OFFICE["name"], "--region", "350302", "--doc-prefix", "城市监")),
             ("clerk_pc", ("user-add", "lin", "--full-name", "林主任", "--role", "admin", "--new-password-file", str(pw))),
             ("reviewer_pc", ("office", "--signatory", "林主任", *me)),
             ("clerk_pc", ("notice-serial", "--next", "5", *me))]
    for pc, argv in steps:
        r = run_cli(*argv, "--db", fresh_url, env=pcs[pc])
        assert r.returncode == 0, (pc, argv, r.stderr)
        assert "not covered" not in r.stderr, r.stderr
    for pc in pcs:
        r = run_cli("audit-verify", "--db", fresh_url, env=pcs[pc])
        assert r.returncode == 0, (pc, r.stdout, r.stderr)
    import psycopg

    from desktop.store.backend import parse

    params = parse(fresh_url)
    with psycopg.connect(**{("dbname" if k == "dbname" else k): v for k, v in params.items()}, autocommit=True) as con:
        con.execute("ALTER TABLE audit_entry DISABLE TRIGGER USER")  # someone with the server's keys
        con.execute("DELETE FROM audit_entry WHERE id = (SELECT max(id) FROM audit_entry)")
        con.execute("ALTER TABLE audit_entry ENABLE TRIGGER USER")
    for pc in pcs:
        r = run_cli("audit-verify", "--db", fresh_url, env=pcs[pc])
        assert r.returncode != 0 and "removed" in (r.stdout + r.stderr), (pc, r.stdout, r.stderr)


def test_officers_exporting_at_the_same_moment_never_share_a_package_number(tmp_path, fresh_url):
    """Four exports start together (threads, each with its own server connection). Every package
    that takes its name has a number of its own in the log; one that lost the race to its number
    is refused in a sentence, and no file of it is left."""
    import threading

    from desktop.core.errors import StdAwardError
    from desktop.operations import exchange
    from desktop.operations.session import Session
    from desktop.store.models import PackageLog, database
    from desktop.store.paths import resolve_db_path

    s = Session.open(resolve_db_path(fresh_url))
    try:
        office_with_records(s)
        workers = 4
        start = threading.Barrier(workers)
        done: dict[int, int] = {}
        refused: list[str] = []
        failed: list[BaseException] = []

        def export(i: int) -> None:
            try:
                start.wait()
                stick = tmp_path / f"pc{i}"  # each officer writes to a stick of their own
                stick.mkdir(exist_ok=True)
                done[i] = exchange.export(s, stick / f"{i}.stdpkg", year=2025).sequence
            except StdAwardError as exc:
                refused.append(str(exc))
            except BaseException as exc:  # noqa: BLE001 - reported below
                failed.append(exc)
            finally:
                database.close()

        threads = [threading.Thread(target=export, args=(i,)) for i in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failed, failed
        assert len(done) + len(refused) == workers and done
        logged = [r.sequence for r in PackageLog.select().where(PackageLog.direction == "export")]
        assert sorted(logged) == sorted(done.values()) and len(set(logged)) == len(logged)
        assert all("meanwhile" in m for m in refused), refused
        assert sorted(p.name for p in tmp_path.glob("pc*/*.stdpkg")) == sorted(f"{i}.stdpkg" for i in done)
    finally:
        s.close()


def test_a_query_with_a_placeholder_and_a_percent_sign_in_a_literal_runs_on_the_server(fresh_url):
    """The store writes SQLite's ``?``; on the server a ``%`` in a quoted pattern must reach PostgreSQL
    as itself, not as a broken placeholder (a pattern such as ``LIKE '%?b%'`` beside a parameter)."""
    from desktop.store import db
    from desktop.store.models import database
    from desktop.store.paths import resolve_db_path

    db.open_db(resolve_db_path(fresh_url))
    try:
        rows = database.execute_sql("SELECT ? || 'x', 'a?b%' LIKE '%?b%', 7 % 4", ("a",)).fetchall()
        assert rows == [("ax", 1, 3)]  # booleans read as SQLite gives them
    finally:
        db.close_db()
