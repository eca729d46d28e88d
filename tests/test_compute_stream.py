"""``compute --json`` reads the year a batch at a time: on SQLite and on a server, it is still read as
it was when the reading began, whatever another officer writes between two batches."""
from __future__ import annotations

import sqlite3

from tests.conftest import GOOD_USCC, opened_office, std
from tests.conftest_pg import pg_server  # noqa: F401  (the office_db fixture's server)


def _other_officer(office_db: str, path) -> object:
    """A connection of another officer's program to the same database."""
    if str(office_db).startswith("postgresql:"):
        import psycopg

        return psycopg.connect(office_db, autocommit=False)
    return sqlite3.connect(path, timeout=5)


def test_the_streamed_year_is_one_snapshot_whatever_another_officer_writes_meanwhile(office_db, monkeypatch):
    """A record moved to a later date between two batches is computed once, as it was read; one
    deleted meanwhile is still there; one added meanwhile is not."""
    from desktop.operations import rounds
    from desktop.operations.session import Session
    from desktop.store import records
    from desktop.store import rounds as store_rounds

    monkeypatch.setattr(store_rounds, "READ_BATCH", 3)
    with opened_office(office_db) as path:
        achievements = [std(id=f"s{i}", date=f"2022-0{1 + i // 5}-01", ref=f"GB/T {40000 + i}-2022") for i in range(20)]
        records.load({"enterprises": [{"uscc": GOOD_USCC, "name": "甲公司"}], "achievements": achievements},
                     user="tester")
        with rounds.year_reading(Session.attach(path), 2022) as (_prior, stream):
            first = [next(iter(stream)) for _ in range(4)]
            other = _other_officer(office_db, path)
            try:
                other.execute("UPDATE achievement SET date = '2022-12-31' WHERE source_id = 's0'")
                other.execute("DELETE FROM achievement WHERE source_id = 's19'")
                other.execute("UPDATE achievement SET source_id = 's99' WHERE source_id = 's18'")
                other.commit()
            finally:
                other.close()
            ids = [a.id for a in first + list(stream)]
        assert ids == [f"s{i}" for i in range(20)]  # s0 once, where it was; s19 still there; s18 as it was
        with rounds.year_reading(Session.attach(path), 2022) as (_prior, stream):
            again = [a.id for a in stream]  # a new reading sees them
        assert again == [f"s{i}" for i in range(1, 18)] + ["s99", "s0"]


def test_the_awards_already_made_and_the_year_are_read_as_of_one_moment(office_db):
    """``compute --json`` judges duplicates against the awards already made: read in the same
    snapshot as the year's records, a change committed after the awards were read (here, before the
    first batch) is in neither. Before, the year's snapshot began only at its first batch."""
    from desktop.operations import rounds
    from desktop.operations.session import Session
    from desktop.store import records

    with opened_office(office_db) as path:
        achievements = [std(id=f"s{i}", date="2022-03-01", ref=f"GB/T {40000 + i}-2022") for i in range(5)]
        records.load({"enterprises": [{"uscc": GOOD_USCC, "name": "甲公司"}], "achievements": achievements},
                     user="tester")
        with rounds.year_reading(Session.attach(path), 2022) as (prior, stream):
            other = _other_officer(office_db, path)
            try:
                other.execute("UPDATE achievement SET date = '2023-01-05' WHERE source_id = 's1'")
                other.execute("DELETE FROM achievement WHERE source_id = 's2'")
                other.commit()
            finally:
                other.close()
            ids = [a.id for a in stream]
        assert prior == {} and ids == [f"s{i}" for i in range(5)]
        with rounds.year_reading(Session.attach(path), 2022) as (_prior, stream):
            assert [a.id for a in stream] == ["s0", "s3", "s4"]  # a new reading sees them
