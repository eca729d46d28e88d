"""``stdaward list achievements`` on a database edited by hand: every record is either listed or
named, whatever was changed (an enterprise row deleted by hand leaves its records nowhere to be
read), and however many records cannot be read the officer gets a few lines, with their count."""
from __future__ import annotations

import json
import sqlite3

import pytest

from tests.conftest import GOOD_USCC, OTHER_USCC, run_cli, std
from tests.conftest_pg import pg_server  # noqa: F401  (the office_db fixture's server)


@pytest.fixture
def office(tmp_path):
    db = tmp_path / "office.db"
    data = {"enterprises": [{"uscc": GOOD_USCC, "name": "莆田市城厢区华峰鞋业有限公司"},
                            {"uscc": OTHER_USCC, "name": "莆田市荔城区乙公司"}],
            "achievements": [std(id=f"s{i}", enterprise=OTHER_USCC if i == 2 else GOOD_USCC,
                                 date=f"2025-03-0{1 + i}", ref=f"GB/T {40000 + i}-2025") for i in range(4)]}
    (tmp_path / "load.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    r = run_cli("load", str(tmp_path / "load.json"), "--db", str(db))
    assert r.returncode == 0, r.stderr
    return db


def _by_hand(db, sql):
    con = sqlite3.connect(db)  # (a hand tool: foreign keys not enforced)
    with con:
        con.execute(sql)
    con.close()


def _listed(r, fmt):
    return [a["id"] for a in json.loads(r.stdout)] if fmt else [line.split()[1] for line in r.stdout.splitlines()]


def test_a_record_whose_enterprise_row_was_deleted_by_hand_is_named_not_silently_left_out(office):
    """Before: the listing showed s0, s1, s3 and ended well (exit 0): s2, whose enterprise row a
    clerk deleted with a hand tool, was in neither the listing nor an error."""
    _by_hand(office, f"DELETE FROM enterprise WHERE uscc = '{OTHER_USCC}'")
    for fmt in ((), ("--json",)):
        r = run_cli("list", "achievements", *fmt, "--db", str(office), "--lang", "zh_CN")
        assert r.returncode == 1, (r.stdout, r.stderr)
        assert _listed(r, fmt) == ["s0", "s1", "s3"]
        said = r.stderr
        assert "Traceback" not in said and "意外" not in said, said
        assert said.count("错误") == 1 and "s2" in said and "审计日志" in said, said
    r = run_cli("list", "achievements", "--db", str(office), "--year", "2026")
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""  # another year's listing is not concerned


def test_many_records_edited_by_hand_are_named_in_a_few_lines_with_how_many_there_are(tmp_path):
    """Before: one 150-character error line per record: 300 records edited by hand gave 300 lines
    (a year of them, tens of thousands), the listing itself scrolled out of the console."""
    db = tmp_path / "office.db"
    data = {"enterprises": [{"uscc": GOOD_USCC, "name": "莆田市城厢区华峰鞋业有限公司"}],
            "achievements": [std(id=f"s{i}", date=f"2025-03-{1 + i % 28:02d}", ref=f"GB/T {40000 + i}-2025")
                             for i in range(305)]}
    (tmp_path / "load.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert run_cli("load", str(tmp_path / "load.json"), "--db", str(db)).returncode == 0
    _by_hand(db, "UPDATE achievement SET units = '[x' WHERE source_id != 's0' AND source_id != 's1' "
                 "AND source_id != 's2' AND source_id != 's3' AND source_id != 's4'")
    r = run_cli("list", "achievements", "--db", str(db), "--lang", "zh_CN")
    assert r.returncode == 1
    assert sorted(_listed(r, ())) == ["s0", "s1", "s2", "s3", "s4"]
    lines = r.stderr.splitlines()
    assert len(lines) <= 25, len(lines)
    assert "300" in r.stderr and "280" in r.stderr, r.stderr  # how many, and how many not shown
    assert "“单位”" in lines[0] and "审计日志" in r.stderr


def test_compute_refuses_a_year_with_a_record_whose_enterprise_was_deleted_by_hand(office):
    """An auditor's case: before, s2 was simply missing from the awards and the commands ended well.
    Now the preview and the round refuse the year by the record's name, and write nothing."""
    _by_hand(office, f"DELETE FROM enterprise WHERE uscc = '{OTHER_USCC}'")
    for argv in (("compute", "--year", "2025", "--policy", "putian-chengxiang-2021", "--json"),
                 ("round", "compute", "--year", "2025", "--policy", "putian-chengxiang-2021")):
        r = run_cli(*argv, "--db", str(office), "--lang", "zh_CN")
        assert r.returncode != 0 and "s2" in r.stderr and "企业已不在数据库中" in r.stderr, (argv, r.stdout, r.stderr)
        assert "意外" not in r.stderr and "[\n{" not in r.stdout
    con = sqlite3.connect(office)
    assert con.execute("SELECT count(*) FROM award").fetchone()[0] == 0
    con.close()


def test_an_enterprise_whose_name_was_emptied_by_hand_is_still_shown_by_its_code(office):
    """Before: the records of an enterprise whose name a hand tool emptied were listed with nothing
    where the enterprise goes: the officer could not tell whose they were."""
    _by_hand(office, f"UPDATE enterprise SET name = '' WHERE uscc = '{OTHER_USCC}'")
    r = run_cli("list", "achievements", "--db", str(office), "--lang", "zh_CN")
    assert r.returncode == 0, r.stderr
    line = next(x for x in r.stdout.splitlines() if " s2 " in x)
    assert line.rstrip().endswith(OTHER_USCC), line


def test_an_office_whose_records_all_read_lists_them_on_either_engine_and_ends_well(office_db, tmp_path):
    """The search for records without an enterprise must not cost a correct office its listing (on
    a server, too): every record, the year's alone with ``--year``, and exit 0 with nothing said."""
    data = {"enterprises": [{"uscc": GOOD_USCC, "name": "甲公司"}],
            "achievements": [std(id=f"s{i}", date=f"{2024 + i % 2}-03-01", ref=f"GB/T {40000 + i}-2024")
                             for i in range(6)]}
    (tmp_path / "load.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert run_cli("load", str(tmp_path / "load.json"), "--db", office_db).returncode == 0
    r = run_cli("list", "achievements", "--json", "--db", office_db)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert sorted(_listed(r, ("--json",))) == [f"s{i}" for i in range(6)]
    r = run_cli("list", "achievements", "--year", "2025", "--db", office_db)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert _listed(r, ()) == ["s1", "s3", "s5"]


def test_the_audit_check_names_records_whose_enterprise_was_deleted_by_hand(office):
    """Before, audit-verify called the log intact after an enterprise row was deleted by hand: the
    achievements carry no digest in the log, and the check only read rows that exist."""
    r = run_cli("audit-verify", "--db", str(office), "--lang", "zh_CN")
    assert r.returncode == 0, r.stdout + r.stderr
    _by_hand(office, f"DELETE FROM enterprise WHERE uscc = '{OTHER_USCC}'")
    r = run_cli("audit-verify", "--db", str(office), "--lang", "zh_CN")
    said = r.stdout + r.stderr
    assert r.returncode != 0 and "s2" in said and "企业已不在数据库中" in said, said
