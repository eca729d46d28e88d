"""The default view's achievement counts, read while Qt loads (desktop/store/prefetch.py): the same
numbers the view would read itself, and never numbers from before a change."""
from __future__ import annotations

import sqlite3

import pytest
from conftest import GOOD_USCC, OTHER_USCC, std

from desktop.store import prefetch


@pytest.fixture
def office(tmp_path):
    """A closed database: two enterprises, three achievements and one more for the other."""
    from desktop.store import db, records

    path = tmp_path / "office.db"
    db.open_db(path, auto_backup=False)
    records.load({"enterprises": [{"uscc": GOOD_USCC, "name": "莆田市城厢区华峰鞋业有限公司"},
                                  {"uscc": OTHER_USCC, "name": "福建省莆田市第二示范公司"}],
                  "achievements": [std(id=f"A{i}", ref=f"GB/T {12340 + i}-2024") for i in range(3)]
                  + [std(id="B1", enterprise=OTHER_USCC, ref="GB/T 22222-2024")]}, user="tester")
    db.close_db()
    return path


def counts_by_sql(path):
    con = sqlite3.connect(path)
    try:
        return dict(con.execute("SELECT enterprise_id, count(*) FROM achievement GROUP BY enterprise_id"))
    finally:
        con.close()


def test_counts_read_ahead_are_the_counts(office):
    prefetch.start(office)
    assert prefetch.achievement_counts(office) == counts_by_sql(office) and sorted(counts_by_sql(office).values()) == [1, 3]
    assert prefetch.achievement_counts(office) is None  # given once: later refreshes read the database


def test_a_folder_with_chinese_characters_and_spaces(office, tmp_path):
    folder = tmp_path / "城厢区 市场监管局" / "2026 年"
    folder.mkdir(parents=True)
    moved = folder / "办公室 数据.db"
    office.rename(moved)
    prefetch.start(moved)
    assert prefetch.achievement_counts(moved) == counts_by_sql(moved)


def test_a_change_after_the_read_discards_it(office):
    prefetch.start(office)
    prefetch._job["thread"].join()
    con = sqlite3.connect(office)
    con.execute("PRAGMA journal_mode=WAL")
    with con:
        con.execute("DELETE FROM achievement WHERE source_id = 'B1'")
    con.close()
    assert prefetch.achievement_counts(office) is None


def test_nothing_for_another_file_a_missing_one_or_not_a_database(office, tmp_path):
    prefetch.start(office)
    assert prefetch.achievement_counts(tmp_path / "other.db") is None
    prefetch.start(tmp_path / "missing.db")
    assert prefetch.achievement_counts(tmp_path / "missing.db") is None
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    prefetch.start(junk)
    assert prefetch.achievement_counts(junk) is None
