"""Someone edits the SQLite file by hand (another tool, a curious clerk): a record whose stored value
the program cannot have written is refused by name (the enterprise, the record, the field), never
"unexpected …Error"; the round and ``compute`` stop before computing on it; the audit check, which
the refusal points to, runs to the end and names the record instead of failing on it."""
from __future__ import annotations

import json
import sqlite3

import pytest

from tests.conftest import GOOD_USCC, edit_audit_entry_by_hand, run_cli, std

EDITS = [  # (the field as the refusal names it in Chinese, the edit, the value shown)
    ("单位", "UPDATE achievement SET units = '[不是JSON' WHERE source_id = 's2'", "[不是JSON"),
    ("单位", "UPDATE achievement SET units = '5' WHERE source_id = 's2'", "5"),
    ("日期", "UPDATE achievement SET date = '2025-02-30' WHERE source_id = 's2'", "2025-02-30"),
    ("日期", "UPDATE achievement SET date = '2025-13-45' WHERE source_id = 's2'", "2025-13-45"),  # after the year's days
    ("日期", "UPDATE achievement SET date = '2025-00-10' WHERE source_id = 's2'", "2025-00-10"),  # before them
    ("排名", "UPDATE achievement SET rank = 'abc' WHERE source_id = 's2'", "abc"),
    ("排名", "UPDATE achievement SET rank = 2.5 WHERE source_id = 's2'", "2.5"),
]


@pytest.fixture
def office(tmp_path):
    db = tmp_path / "office.db"
    data = {"enterprises": [{"uscc": GOOD_USCC, "name": "莆田市城厢区华峰鞋业有限公司"}],
            "achievements": [std(id=f"s{i}", date=f"2025-03-0{1 + i}", ref=f"GB/T {40000 + i}-2025",
                                 units=["莆田市标准化研究院"]) for i in range(4)]}
    (tmp_path / "load.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    r = run_cli("load", str(tmp_path / "load.json"), "--db", str(db))
    assert r.returncode == 0, r.stderr
    return db


def _by_hand(db, sql):
    con = sqlite3.connect(db)
    with con:
        assert con.execute(sql).rowcount == 1
    con.close()


@pytest.mark.parametrize(("field", "sql", "shown"), EDITS)
def test_a_record_edited_by_hand_is_refused_by_name_before_anything_is_computed(office, field, sql, shown):
    _by_hand(office, sql)
    for argv in (("round", "compute", "--year", "2025", "--policy", "putian-chengxiang-2021"),
                 ("compute", "--year", "2025", "--policy", "putian-chengxiang-2021", "--json")):
        r = run_cli(*argv, "--db", str(office), "--lang", "zh_CN")
        assert r.returncode != 0, (argv, r.stdout)
        said = r.stderr
        assert "意外" not in said and "Error" not in said and "Traceback" not in said, said
        assert "莆田市城厢区华峰鞋业有限公司" in said and "s2" in said and f"“{field}”" in said and shown in said, said
        assert "审计日志" in said  # where to see what changed
        assert "[\n{" not in r.stdout  # no awards written for a year that could not be read
    con = sqlite3.connect(office)
    assert con.execute("SELECT count(*) FROM award").fetchone()[0] == 0  # no round half-made
    con.close()


@pytest.mark.parametrize(("field", "sql", "shown"), EDITS)
def test_a_listing_shows_every_other_record_and_names_the_one_edited_by_hand(office, field, sql, shown):
    """An officer looking for what went wrong still sees the office's records: the listing names the
    unreadable one (and fails, so a script notices); a computation refuses them all (above)."""
    _by_hand(office, sql)
    for fmt in ((), ("--json",)):
        r = run_cli("list", "achievements", *fmt, "--db", str(office), "--lang", "zh_CN")
        assert r.returncode == 1, r.stderr
        listed = ([a["id"] for a in json.loads(r.stdout)] if fmt else
                  [line.split()[1] for line in r.stdout.splitlines()])
        assert listed == ["s0", "s1", "s3"], r.stdout
        said = r.stderr
        assert "意外" not in said and "Traceback" not in said, said
        assert said.count("错误") == 1 and "s2" in said and f"“{field}”" in said and shown in said, said
    r = run_cli("list", "achievements", "--db", str(office), "--year", "2026")
    assert r.returncode == 0 and r.stdout == ""  # another year's listing is not concerned


@pytest.mark.parametrize(("field", "sql", "shown"), EDITS[:2])
def test_the_audit_check_names_a_record_whose_stored_json_is_not_json(office, field, sql, shown):
    _by_hand(office, sql)
    r = run_cli("audit-verify", "--db", str(office), "--lang", "zh_CN")
    assert "意外" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert r.returncode != 0 and "成果 s2" in r.stdout + r.stderr and "程序之外" in r.stdout + r.stderr, (r.stdout, r.stderr)


def test_an_audit_entry_whose_stored_json_is_not_json_breaks_the_chain_there(office):
    con = sqlite3.connect(office)
    entry = con.execute("SELECT min(id) FROM audit_entry WHERE after IS NOT NULL").fetchone()[0]
    con.close()
    edit_audit_entry_by_hand(office, entry, after="{不是JSON")
    r = run_cli("audit-verify", "--db", str(office), "--lang", "zh_CN")
    assert "意外" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert r.returncode != 0 and f"第{entry}条" in r.stdout + r.stderr, (r.stdout, r.stderr)


def test_a_round_line_edited_by_hand_is_refused_by_every_reading_and_named_by_the_audit_check(office):
    """A draft round's line is not yet vouched for by the log; its flags made not JSON by hand: the
    round's reading refuses in words (not "unexpected JSONDecodeError"), and the audit check, which
    the refusal points to, names the line."""
    r = run_cli("round", "compute", "--year", "2025", "--policy", "putian-chengxiang-2021", "--db", str(office))
    assert r.returncode == 0, r.stderr
    _by_hand(office, "UPDATE award SET flags = '[不是JSON' WHERE id = (SELECT min(w.id) FROM award w "
                     "JOIN achievement a ON a.id = w.achievement_id WHERE a.source_id = 's1')")
    r = run_cli("round", "show", "2025", "--db", str(office), "--lang", "zh_CN")
    assert r.returncode != 0 and "意外" not in r.stderr and "不是本程序写入" in r.stderr, r.stderr
    assert "审计日志 → 校验哈希链" in r.stderr
    r = run_cli("audit-verify", "--db", str(office), "--lang", "zh_CN")
    assert r.returncode != 0 and "2025年度奖补批次中成果 s1 的奖补明细" in r.stdout + r.stderr, (r.stdout, r.stderr)

