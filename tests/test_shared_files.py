"""One office on a server (schema 6): the files every PC of the office sees. Each "PC" here is a
session opened with a data folder of its own (``STDAWARD_DATA``), as two officers' computers have:
evidence attached on one opens on the other, a local measure installed on one is what the other
computes with, a copy on a PC that is missing or was changed is fetched again from the server (on a
PC's own SQLite file, where the folder is the only copy, it is refused, naming the file). Backups,
restores and moving the office between a file and a server carry the files; an office kept at
schema 5 (a real file, and a server upgraded by one PC while another holds the files) keeps them.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import GOOD_USCC, ROOT, run_cli
from conftest_pg import pg_server  # noqa: F401 - fixture
from test_concurrency import undo_v6
from test_daily_path import PASSWORDS, office_with_records
from test_policies import LOCAL

from desktop.core.errors import StdAwardError

V5_DUMP = ROOT / "tests" / "data" / "office_v5.sql"  # written by StdAward at schema 5 (see its first lines)
MEASURE = "wenzhou-lucheng-2018"
# a scan of more than two chunks, so it is stored and fetched in pieces
SCAN = b"%PDF-1.4\n" + hashlib.sha256(b"seed").digest() * ((2 << 20) // 32 + 700) + b"\n%%EOF\n"
CLAIM = [{"id": "X1", "enterprise": GOOD_USCC, "kind": "innovation_base", "level": "provincial",
          "date": "2019-01-01", "ref": "基地C"}]



def _server(db: str) -> bool:
    return db.startswith("postgresql://")


@contextmanager
def pc(monkeypatch, folder: Path, db: str, user: str | None = "lin") -> Iterator:
    """The office's database opened on a PC whose data folder is ``folder``, signed in as ``user``."""
    from desktop.operations.session import Session
    from desktop.store.paths import resolve_db_path

    monkeypatch.setenv("STDAWARD_DATA", str(folder))
    with Session.open(resolve_db_path(db), auto_backup=False, check=False) as s:
        if user is not None:
            s.sign_in(user, PASSWORDS[user])
        yield s


def _set_up(monkeypatch, tmp_path: Path, db: str) -> int:
    """The office on PC A, with its records and SCAN attached to A1; returns the evidence's id."""
    from desktop.operations import records

    src = tmp_path / "标准文本.pdf"
    src.write_bytes(SCAN)
    with pc(monkeypatch, tmp_path / "pc-a", db, user=None) as s:
        office_with_records(s)
        return records.attach_evidence(s, records.find_achievement(s, "A1"), src).id


def _cli(tmp_path: Path, folder: Path, db: str, *argv: str, who: str = "li"):
    pw = tmp_path / f"{who}.pw"
    pw.write_text(PASSWORDS[who] + "\n", "utf-8")
    return run_cli(*argv, "--db", db, "--user", who, "--password-file", str(pw),
                   env={"STDAWARD_LANG": "en", "STDAWARD_DATA": str(folder)})


# ---------------------------------------------------------------------------- evidence
def test_evidence_attached_on_one_pc_opens_on_another_and_an_altered_copy_never_passes(
        office_db, tmp_path, monkeypatch):
    from desktop.operations import records

    ev = _set_up(monkeypatch, tmp_path, office_db)
    server = _server(office_db)
    with pc(monkeypatch, tmp_path / "pc-b", office_db, "li") as s:
        path = records.evidence_file(s, ev)
        assert path.read_bytes() == SCAN
        assert (tmp_path / "pc-b" in path.parents) == server  # a server's file comes into B's own folder
        opened = records.evidence_to_open(s, ev)
        assert opened.name == "标准文本.pdf" and opened.read_bytes() == SCAN

        path.write_bytes(b"%PDF-1.4 forged" + SCAN[15:])  # the same size, other contents
        if server:
            assert records.evidence_file(s, ev).read_bytes() == SCAN  # fetched again from the server
        else:
            with pytest.raises(StdAwardError, match="not the file that was attached") as exc:
                records.evidence_file(s, ev)
            assert "标准文本.pdf" in str(exc.value) and "Traceback" not in str(exc.value)
            path.write_bytes(SCAN)
        path.unlink()
        if server:
            assert records.evidence_file(s, ev).read_bytes() == SCAN
        else:
            with pytest.raises(StdAwardError, match="missing from the evidence folder"):
                records.evidence_file(s, ev)


def test_a_damaged_server_copy_is_refused_plainly_and_a_good_pc_copy_is_still_used(pg_server, tmp_path, monkeypatch):  # noqa: F811
    from desktop.operations import records
    from desktop.store.models import StoredFile, database

    db = pg_server.url(pg_server.create_database())
    ev = _set_up(monkeypatch, tmp_path, db)
    sha = hashlib.sha256(SCAN).hexdigest()
    with pc(monkeypatch, tmp_path / "pc-b", db, "li") as s:
        assert StoredFile.get_by_id(sha).chunks == 3
        database.execute_sql("UPDATE file_chunk SET data = ? WHERE sha256 = ? AND seq = 1", (b"x" * 100, sha))
        with pytest.raises(StdAwardError, match="damaged") as exc:
            records.evidence_file(s, ev)
        assert "标准文本.pdf" in str(exc.value)
        assert not list((tmp_path / "pc-b").rglob(f"*{sha}*"))  # nothing half-written left on B
    with pc(monkeypatch, tmp_path / "pc-a", db, "li") as s:  # A still holds the file it attached, intact
        assert records.evidence_file(s, ev).read_bytes() == SCAN


def test_a_file_too_large_is_refused_and_nothing_is_stored(office_db, tmp_path, monkeypatch):
    from desktop.core.errors import ValidationFailed
    from desktop.operations import records
    from desktop.store import edits
    from desktop.store.models import Evidence, StoredFile

    _set_up(monkeypatch, tmp_path, office_db)
    monkeypatch.setattr(edits, "MAX_EVIDENCE", 1 << 20)
    big = tmp_path / "big.pdf"
    big.write_bytes(SCAN)
    with pc(monkeypatch, tmp_path / "pc-a", office_db, "wang") as s:
        with pytest.raises(ValidationFailed, match="at most 1 MB"):
            records.attach_evidence(s, records.find_achievement(s, "A2"), big)
        assert Evidence.select().count() == 1 and StoredFile.select().count() == (1 if _server(office_db) else 0)


# ---------------------------------------------------------------------------- local measures
def test_a_measure_installed_on_one_pc_is_what_another_computes_with(office_db, tmp_path, monkeypatch):
    from desktop.operations import measures

    _set_up(monkeypatch, tmp_path, office_db)
    claim = tmp_path / "claim.json"
    claim.write_text(json.dumps(CLAIM, ensure_ascii=False), "utf-8")
    pc_b = tmp_path / "pc-b"

    before = _cli(tmp_path, pc_b, office_db, "compute", "--policy", MEASURE, "--input", str(claim), "--json")
    assert before.returncode != 0 and MEASURE in before.stderr and "Traceback" not in before.stderr

    with pc(monkeypatch, tmp_path / "pc-a", office_db) as s:
        src = tmp_path / "src" / f"{MEASURE}.toml"
        src.parent.mkdir()
        src.write_text(LOCAL, "utf-8")
        measures.install(s, src)
    got = _cli(tmp_path, pc_b, office_db, "compute", "--policy", MEASURE, "--input", str(claim), "--json")
    assert got.returncode == 0, got.stderr
    assert [(r["status"], r["amount"]) for r in json.loads(got.stdout)] == [("awarded", "200000.00")]

    with pc(monkeypatch, tmp_path / "pc-a", office_db) as s:  # replaced on A: B follows
        src.write_text(LOCAL.replace('"200000"', '"250000"'), "utf-8")
        measures.install(s, src, replace=True)
    with pc(monkeypatch, pc_b, office_db, "li") as s:
        cached = s.policy_dirs()[0] / f"{MEASURE}.toml"
        assert measures.load_policy(s, MEASURE).rule("innovation-base").amount == Decimal(250000)
        # B's copy altered by hand, and a measure nobody installed put beside it: neither is used
        cached.write_text(LOCAL.replace('"200000"', '"999999"'), "utf-8")
        (cached.parent / "made-up-2020.toml").write_text(LOCAL.replace(MEASURE, "made-up-2020"), "utf-8")
        assert measures.load_policy(s, MEASURE).rule("innovation-base").amount == Decimal(250000)
        assert "made-up-2020" not in measures.known_ids(s) and MEASURE in measures.known_ids(s)
        assert measures.is_installed(s, MEASURE) and not measures.is_installed(s, "made-up-2020")
        assert (cached.parent / "not-installed" / "made-up-2020.toml").is_file()  # moved aside, not lost
    got = _cli(tmp_path, pc_b, office_db, "compute", "--policy", MEASURE, "--input", str(claim), "--json")
    assert got.returncode == 0 and json.loads(got.stdout)[0]["amount"] == "250000.00", got.stderr


# ---------------------------------------------------------------------------- backups, restores, moves
def test_a_server_backup_carries_files_attached_on_other_pcs_and_restores_onto_a_server_and_a_pc(
        pg_server, tmp_path, monkeypatch):  # noqa: F811
    from desktop.operations import backups, measures, records
    from desktop.store.paths import resolve_db_path

    db = pg_server.url(pg_server.create_database())
    ev = _set_up(monkeypatch, tmp_path, db)
    with pc(monkeypatch, tmp_path / "pc-a", db) as s:
        measures.install_text(s, LOCAL, MEASURE)
    with pc(monkeypatch, tmp_path / "pc-b", db) as s:  # B never had the file: the backup fetches it
        made = backups.make(s, tmp_path / "office-backup.db")
    zipped = backups.evidence_beside(made)
    assert zipped is not None
    import zipfile

    with zipfile.ZipFile(zipped) as zf:
        assert [zf.read(n) for n in zf.namelist()] == [SCAN]

    fresh = pg_server.url(pg_server.create_database())
    monkeypatch.setenv("STDAWARD_DATA", str(tmp_path / "pc-c"))
    backups.restore(resolve_db_path(fresh), made)
    with pc(monkeypatch, tmp_path / "pc-d", fresh, "li") as s:  # a fourth PC: all from the server
        assert records.evidence_file(s, ev).read_bytes() == SCAN
        assert measures.is_installed(s, MEASURE) and MEASURE in measures.known_ids(s)

    one_pc = tmp_path / "one-pc" / "office.db"
    one_pc.parent.mkdir()
    backups.restore(one_pc, made)
    with pc(monkeypatch, tmp_path / "one-pc", str(one_pc), "li") as s:
        assert records.evidence_file(s, ev).read_bytes() == SCAN
        assert measures.load_policy(s, MEASURE).rule("innovation-base").amount == Decimal(200000)


def test_an_office_moved_onto_a_server_and_back_keeps_its_evidence_and_measures(pg_server, tmp_path, monkeypatch):  # noqa: F811
    from desktop.operations import measures, records, transfer
    from desktop.store.models import StoredFile
    from desktop.store.paths import resolve_db_path

    path = str(tmp_path / "pc-a" / "office.db")
    ev = _set_up(monkeypatch, tmp_path, path)
    with pc(monkeypatch, tmp_path / "pc-a", path) as s:
        measures.install_text(s, LOCAL, MEASURE)
        url = pg_server.url(pg_server.create_database())
        moved = transfer.migrate_db(s, resolve_db_path(url))
        assert moved["rows"]["installed_measure"] == 1 and moved["rows"]["evidence"] == 1
    with pc(monkeypatch, tmp_path / "pc-b", url) as s:  # another PC, nothing of A's folders
        assert StoredFile.select().count() == 1
        assert records.evidence_file(s, ev).read_bytes() == SCAN
        assert measures.load_policy(s, MEASURE).rule("innovation-base").amount == Decimal(200000)
        back = tmp_path / "pc-c" / "office.db"
        back.parent.mkdir()
        transfer.migrate_db(s, back)
    shutil.rmtree(tmp_path / "pc-b")  # the file gets its evidence from the server, not from B's copies
    with pc(monkeypatch, tmp_path / "pc-c", str(back), "li") as s:
        from desktop.store.models import StoredFile as Stored

        assert Stored.select().count() == 0  # a file keeps its evidence in its folder, not twice
        assert records.evidence_file(s, ev).read_bytes() == SCAN
        assert measures.is_installed(s, MEASURE)


# ---------------------------------------------------------------------------- upgrading from schema 5
def _v5_file(folder: Path) -> Path:
    """The real v5 database with the folders that stood beside it (evidence, measures) and its head."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "office.db"
    con = sqlite3.connect(path)
    con.executescript(V5_DUMP.read_text("utf-8"))
    con.commit()
    assert con.execute("PRAGMA user_version").fetchone()[0] == 5
    con.close()
    shutil.copyfile(str(V5_DUMP) + ".audit-head", str(path) + ".audit-head")
    for name in ("evidence", "policies"):
        shutil.copytree(V5_DUMP.with_name(f"office_v5.{name}"), folder / f"office-{name}")
    return path


def _rows(con: sqlite3.Connection) -> dict[str, list[tuple]]:
    out = {}
    for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
        cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")') if not (table == "office" and r[1] == "version")]
        out[table] = con.execute(f'SELECT {", ".join(cols)} FROM "{table}" ORDER BY 1').fetchall()
    return out


def test_a_real_schema_5_office_is_upgraded_keeping_every_row_its_evidence_and_its_measure(tmp_path, monkeypatch):
    from desktop.operations import integrity, measures, records
    from desktop.store import audit
    from desktop.store.migrations import SCHEMA_VERSION
    from desktop.store.models import AuditEntry, Evidence, InstalledMeasure

    path = _v5_file(tmp_path / "v5")
    con = sqlite3.connect(path)
    before = _rows(con)
    con.close()
    assert before["evidence"] and before["notice"] and before["audit_entry"]
    with pc(monkeypatch, tmp_path / "v5", str(path), "li") as s:
        verdict = integrity.verify(s)
        assert verdict.ok, [str(f) for f in verdict.findings]
        assert audit.verify_chain() is None
        upgrade = AuditEntry.get(AuditEntry.action == "upgrade", AuditEntry.entity == "schema")
        assert (upgrade.before, upgrade.after) == ({"version": 5}, {"version": SCHEMA_VERSION})
        row = InstalledMeasure.get_by_id(MEASURE)
        assert row.policy == (tmp_path / "v5" / "office-policies" / f"{MEASURE}.toml").read_text("utf-8")
        assert row.installed_by == "lin"  # from the audit entry of its install
        assert measures.load_policy(s, MEASURE).rule("innovation-base").amount == Decimal(200000)
        ev = Evidence.get()
        assert records.evidence_file(s, ev.get_id()).read_bytes()[:8] == b"%PDF-1.4"
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 8
        after = _rows(con)
        assert after["audit_entry"][:len(before["audit_entry"])] == before["audit_entry"]
        for table, rows in before.items():
            if table == "audit_entry":
                continue
            if table == "user":  # signing in re-hashes a password kept at an older cost: that is all
                rows, after[table] = [r[:3] for r in rows], [r[:3] for r in after[table]]
            assert after[table] == rows, table
        assert con.execute("SELECT version FROM office").fetchall() == [(1,)]
        assert con.execute("SELECT count(*) FROM stored_file").fetchone()[0] == 0  # a PC's files stay in its folder
    finally:
        con.close()


def test_a_failed_upgrade_to_schema_6_leaves_the_v5_file_as_it_was(tmp_path, monkeypatch):
    from desktop.store import migrations

    path = _v5_file(tmp_path / "v5")
    con = sqlite3.connect(path)
    before = _rows(con)
    con.close()

    def broken(db):
        migrations._v5_to_v6(db)
        raise OSError("the disk went away")

    monkeypatch.setitem(migrations.STEPS, 5, ("broken", broken))
    with pytest.raises(OSError):
        with pc(monkeypatch, tmp_path / "v5", str(path), None):
            pass
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 5
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "installed_measure" not in tables and "stored_file" not in tables
        assert _rows(con) == before
    finally:
        con.close()


def test_a_schema_5_server_takes_in_each_pcs_files_as_the_pcs_open_it(pg_server, tmp_path, monkeypatch):  # noqa: F811
    """The office used a server at schema 5: PC A had attached a file and installed a measure, kept in
    A's folders only. PC B opens it first with the new program (and upgrades it): the file is not
    there yet, and B says so plainly. Once A opens it, B has both."""
    from desktop.operations import integrity, measures, records
    from desktop.store import pg
    from desktop.store.migrations import SCHEMA_VERSION
    from desktop.store.models import AuditEntry, database

    db = pg_server.url(pg_server.create_database())
    ev = _set_up(monkeypatch, tmp_path, db)
    with pc(monkeypatch, tmp_path / "pc-a", db) as s:
        measures.install_text(s, LOCAL, MEASURE)
        with database.atomic():
            undo_v6(database)
            database.execute_sql(f"UPDATE {pg.SCHEMA_TABLE} SET version = 5")
    with pc(monkeypatch, tmp_path / "pc-b", db, "li") as s:
        assert database.execute_sql(f"SELECT version FROM {pg.SCHEMA_TABLE}").fetchone()[0] == SCHEMA_VERSION
        indexes = {n for (n,) in database.execute_sql(  # v8: one index on enterprise and id
            "SELECT indexname FROM pg_indexes WHERE tablename = 'achievement' AND schemaname = current_schema()")}
        assert "achievement_enterprise_id_source_id" in indexes
        assert not indexes & {"achievement_source_id", "achievement_enterprise_id"}
        with pytest.raises(StdAwardError, match="neither on the database server nor on this PC") as exc:
            records.evidence_file(s, ev)
        assert "标准文本.pdf" in str(exc.value)
        assert not measures.is_installed(s, MEASURE)
        assert AuditEntry.select().where(AuditEntry.action == "upgrade").count() == 1
    with pc(monkeypatch, tmp_path / "pc-a", db, "li"):
        pass  # opening is enough
    with pc(monkeypatch, tmp_path / "pc-b", db, "li") as s:
        assert records.evidence_file(s, ev).read_bytes() == SCAN
        assert measures.load_policy(s, MEASURE).rule("innovation-base").amount == Decimal(200000)
        verdict = integrity.verify(s)
        assert verdict.ok, [str(f) for f in verdict.findings]


def test_moving_a_server_office_whose_file_no_pc_has_goes_ahead_and_names_it(pg_server, tmp_path, monkeypatch):  # noqa: F811
    from desktop.operations import records, transfer
    from desktop.store.models import database

    db = pg_server.url(pg_server.create_database())
    ev = _set_up(monkeypatch, tmp_path, db)
    with pc(monkeypatch, tmp_path / "pc-b", db) as s:
        database.execute_sql("DELETE FROM file_chunk")  # lost at the server (a restore of an older dump, say)
        database.execute_sql("DELETE FROM stored_file")
        back = tmp_path / "pc-c" / "office.db"
        back.parent.mkdir()
        done = transfer.migrate_db(s, back)
    assert done["rows"]["evidence"] == 1 and len(done["evidence_missing"]) == 1
    assert "标准文本.pdf" in done["evidence_missing"][0]
    with pc(monkeypatch, tmp_path / "pc-c", str(back), "li") as s:
        with pytest.raises(StdAwardError, match="missing from the evidence folder"):
            records.evidence_file(s, ev)
