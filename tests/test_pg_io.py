"""The big reads of an office on a server: the export's tables and a stored file's pieces come
through a server-side cursor a batch at a time (the client never holds a whole table or file),
and what they give is exactly what the SQLite office gives.

Needs the PostgreSQL server binaries (``tests/conftest_pg.py``); skipped, saying why, without them.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest_pg import pg_server  # noqa: F401 - fixture
from test_exchange import add_round, county, export, using

from desktop.core.errors import StdAwardError


@pytest.fixture
def server_db(pg_server, tmp_path, monkeypatch):  # noqa: F811 - the fixture imported above
    """A fresh database on the test server, named on this PC by its connection file."""
    from desktop.store.paths import resolve_db_path

    monkeypatch.setenv("STDAWARD_DATA", str(tmp_path / "data"))
    name = pg_server.create_database()
    yield resolve_db_path(pg_server.url(name))
    pg_server.drop_database(name)


def _open_cursors() -> int:
    from desktop.store.models import database

    return database.execute_sql("SELECT count(*) FROM pg_cursors WHERE name LIKE ?",
                                ("stdaward_stream_%",)).fetchone()[0]


def test_rows_come_from_a_server_side_cursor_a_batch_at_a_time(server_db):
    from desktop.store import backend
    from desktop.store.models import database

    with using(server_db):
        got: list[int] = []
        batches = backend.stream("SELECT g FROM generate_series(1, ?) AS g ORDER BY g", (25,), 10)
        first = next(batches)
        assert _open_cursors() == 1  # the server holds the rest, not this process
        assert len(first) == 10
        got += [r[0] for r in first]
        for batch in batches:
            got += [r[0] for r in batch]
        assert got == list(range(1, 26))
        assert _open_cursors() == 0 and not database.in_transaction()  # closed, its transaction ended
        with database.atomic():  # inside the caller's transaction: read there, left open for the caller
            assert [r for b in backend.stream("SELECT 1 WHERE ? = 2", (1,), 10) for r in b] == []
            assert database.in_transaction()


def test_a_server_export_is_the_sqlite_export_of_the_same_office_member_for_member(tmp_path, server_db, monkeypatch):
    """The office exported from its SQLite file, then moved to the server and exported from there in
    batches of one row: every data member of the package is the same bytes."""
    from desktop.exchange import export as export_mod
    from desktop.exchange.package import read_package
    from desktop.operations.session import Session
    from desktop.operations.transfer import migrate_db

    path, _card = county(tmp_path, "城厢", "350302")
    add_round(path, 2024, [("s1", "100000.00", "formulate-national", "std-fund"), ("p1", "50000.00", "pilot", "fund")])
    monkeypatch.setattr(export_mod, "BATCH", 1)
    on_file = export(path, tmp_path / "file.sapkg")
    with Session.open(path, auto_backup=False, check=False) as s:
        migrate_db(s, server_db)
    seen: list[int] = []
    real = export_mod.backend.stream

    def watched(*a, **kw):  # how many server-side cursors are open while the tables are read
        for batch in real(*a, **kw):
            seen.append(_open_cursors())
            yield batch
    monkeypatch.setattr(export_mod.backend, "stream", watched)
    on_server = export(server_db, tmp_path / "server.sapkg")
    assert len(seen) >= 5 and min(seen) >= 1  # enterprises, achievements (2), awards (2)

    def members(p: Path) -> dict:
        m = read_package(p, manifest_only=True).manifest
        return {k: v for k, v in m["members"].items() if k != "manifest.json"}, m["counts"]
    assert members(on_server.path) == members(on_file.path)
    assert on_server.counts["achievements"] == on_file.counts["achievements"] == 2
    assert on_server.sequence == on_file.sequence + 1  # the move kept the office's export log


# ---------------------------------------------------------------------------- stored files
def _stored(tmp_path: Path, monkeypatch, chunk: int) -> tuple[bytes, str]:
    from desktop.store import files

    monkeypatch.setattr(files, "CHUNK", chunk)
    body = hashlib.sha256(b"scan").digest() * 1000 + b"tail"  # 32,004 bytes
    src = tmp_path / "scan.pdf"
    src.write_bytes(body)
    sha = hashlib.sha256(body).hexdigest()
    assert files.put(src, sha, len(body))
    return body, sha


def test_a_file_of_many_pieces_is_fetched_whole_through_one_cursor(tmp_path, server_db, monkeypatch):
    from desktop.store import files
    from desktop.store.models import StoredFile, database

    with using(server_db):
        body, sha = _stored(tmp_path, monkeypatch, 1000)
        assert StoredFile.get_by_id(sha).chunks == 33
        monkeypatch.setattr(files, "PIECES", 4)
        target = tmp_path / "pc" / f"{sha}.pdf"
        assert files.fetch(sha, target, "scan.pdf")
        assert target.read_bytes() == body
        database.execute_sql("INSERT INTO file_chunk (sha256, seq, data) VALUES (?, 33, ?)", (sha, b"stray"))
        target.unlink()
        assert files.fetch(sha, target, "scan.pdf") and target.read_bytes() == body  # a stray piece is not read
        assert not files.fetch("0" * 64, tmp_path / "pc" / "none.pdf", "none.pdf")  # not kept: said, not raised


@pytest.mark.parametrize("harm", ["missing", "changed", "short"])
def test_a_damaged_piece_is_refused_and_nothing_is_written(tmp_path, server_db, monkeypatch, harm):
    from desktop.store import files
    from desktop.store.models import database

    with using(server_db):
        body, sha = _stored(tmp_path, monkeypatch, 1000)
        sql = {"missing": "DELETE FROM file_chunk WHERE sha256 = ? AND seq = 17",
               "changed": "UPDATE file_chunk SET data = 'x' WHERE sha256 = ? AND seq = 32",
               "short": "UPDATE file_chunk SET data = substr(data, 1, 500) WHERE sha256 = ? AND seq = 3"}[harm]
        database.execute_sql(sql, (sha,))
        target = tmp_path / "pc" / f"{sha}.pdf"
        target.parent.mkdir()
        target.write_bytes(b"the copy this PC had")  # a bad fetch never replaces it with half a file
        with pytest.raises(StdAwardError, match="damaged") as exc:
            files.fetch(sha, target, "标准文本.pdf")
        assert "标准文本.pdf" in str(exc.value)
        assert target.read_bytes() == b"the copy this PC had"
        assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left


# ---------------------------------------------------------------------------- installed measures
def test_policies_on_a_fresh_pc_lists_what_the_server_has_installed(pg_server, tmp_path, monkeypatch):  # noqa: F811
    """A measure installed from PC A: ``stdaward policies`` on PC B, which never opened the office,
    lists it (asked of the database, not of B's empty cache); so does ``policy check`` of a file
    extending it; a second PC's hand-made file in its cache is not listed."""
    import json

    from test_shared_files import LOCAL, MEASURE, _cli, _set_up, pc

    from desktop.operations import measures

    db = pg_server.url(pg_server.create_database())
    _set_up(monkeypatch, tmp_path, db)
    pc_b = tmp_path / "pc-b"
    with pc(monkeypatch, tmp_path / "pc-a", db) as s:
        src = tmp_path / "src" / f"{MEASURE}.toml"
        src.parent.mkdir()
        src.write_text(LOCAL, "utf-8")
        measures.install(s, src)
    got = _cli(tmp_path, pc_b, db, "policies", "--json")
    assert got.returncode == 0, got.stderr
    listed = {p["id"]: p for p in json.loads(got.stdout)}
    assert MEASURE in listed and "putian-chengxiang-2021" in listed
    cached = next(pc_b.rglob(f"*-policies/{MEASURE}.toml"))  # the cache refreshed from the database
    assert cached.read_text("utf-8") == LOCAL

    (cached.parent / "made-up-2020.toml").write_text(LOCAL.replace(MEASURE, "made-up-2020"), "utf-8")
    got = _cli(tmp_path, pc_b, db, "policies", "--json")  # the plain listing names no ids: ask for them
    assert got.returncode == 0, got.stderr
    ids = {p["id"] for p in json.loads(got.stdout)}
    assert MEASURE in ids and "made-up-2020" not in ids

    derived = tmp_path / "src" / "lucheng-2019.toml"
    derived.write_text(LOCAL.replace(MEASURE, "lucheng-2019").replace('extends = "wenzhou-2017"',
                                                                          f'extends = "{MEASURE}"'), "utf-8")
    got = _cli(tmp_path, tmp_path / "pc-c", db, "policy-check", str(derived))  # extends the office's measure
    assert got.returncode == 0, got.stderr


def test_policies_on_a_pc_file_reads_its_folder_and_creates_no_database(tmp_path):
    from conftest import run_cli

    db = tmp_path / "nowhere" / "office.db"
    got = run_cli("policies", "--json", "--db", str(db), env={"STDAWARD_LANG": "en",
                                                              "STDAWARD_DATA": str(tmp_path / "data")})
    assert got.returncode == 0, got.stderr
    import json

    assert "putian-chengxiang-2021" in {p["id"] for p in json.loads(got.stdout)}
    assert not db.exists()
