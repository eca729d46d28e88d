"""Backups read back with SQLite's quick check, the full integrity check on demand
(``stdaward backup --full-check``), and the day's automatic backup of a command run beside it."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.core.errors import StdAwardError
from desktop.store import backup


def index_pointing_elsewhere(path: Path) -> Path:
    """A database with the StdAward tables whose index of ``t`` holds another table's entries:
    every page is sound (the quick check passes) but the index no longer matches its table."""
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE enterprise (id INTEGER PRIMARY KEY); CREATE TABLE achievement (id INTEGER PRIMARY KEY);
        CREATE TABLE t (a TEXT); CREATE INDEX t_a ON t (a);
        CREATE TABLE u (a TEXT); CREATE INDEX u_a ON u (a);
    """)
    with con:
        con.executemany("INSERT INTO t VALUES (?)", [(f"甲{i}",) for i in range(200)])
    roots = dict(con.execute("SELECT name, rootpage FROM sqlite_master WHERE type = 'index'").fetchall())
    con.execute("PRAGMA writable_schema = ON")
    with con:
        con.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = 't_a'", (roots["u_a"],))
        con.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = 'u_a'", (roots["t_a"],))
    con.close()
    return path


def test_the_quick_check_reads_pages_and_the_full_check_also_matches_indexes(tmp_path):
    bad = index_pointing_elsewhere(tmp_path / "bad.db")
    assert backup.check_file(bad, full=False) == 0
    with pytest.raises(StdAwardError, match="damaged"):
        backup.check_file(bad)  # a restore still checks in full


def test_a_backup_is_read_back_quickly_and_in_full_on_demand(tmp_path, monkeypatch, capsys):
    db = tmp_path / "office.db"
    assert main(["load", str(_file(tmp_path)), "--db", str(db)]) == 0
    checks: list[bool] = []
    real = backup.check_file

    def spy(path: Path, full: bool = True) -> int:
        checks.append(full)
        return real(path, full)

    monkeypatch.setattr(backup, "check_file", spy)
    assert main(["backup", "--out", str(tmp_path / "quick.db"), "--db", str(db)]) == 0
    assert main(["backup", "--full-check", "--out", str(tmp_path / "full.db"), "--db", str(db)]) == 0
    assert checks == [False, True]
    for copy in ("quick.db", "full.db"):  # both are whole copies
        con = sqlite3.connect(tmp_path / copy)
        assert con.execute("SELECT count(*) FROM achievement").fetchone()[0] == 1
        con.close()


def test_the_first_command_of_the_day_says_its_result_then_what_the_backup_found(tmp_path, capsys):
    db = tmp_path / "office.db"
    assert main(["load", str(_file(tmp_path)), "--db", str(db)]) == 0  # created today: no daily backup
    folder = tmp_path / "office-backups"
    assert not folder.exists()
    folder.write_text("a file where the backups folder should be")
    capsys.readouterr()
    assert main(["list", "enterprises", "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert "甲鞋业" in out and "automatic backup could not be written" in err
    folder.unlink()
    assert main(["list", "enterprises", "--db", str(db)]) == 0
    assert "could not be written" not in capsys.readouterr().err
    assert [p.name.endswith("-daily.db") for p in folder.iterdir()] == [True]


def _file(tmp_path: Path) -> Path:
    import json

    from tests.conftest import GOOD_USCC, std

    path = tmp_path / "in.json"
    path.write_text(json.dumps({"enterprises": [{"uscc": GOOD_USCC, "name": "莆田市甲鞋业有限公司"}],
                                "achievements": [std()]}, ensure_ascii=False), "utf-8")
    return path
