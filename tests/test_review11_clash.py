"""The load's clash check by (enterprise, id) pairs (schema 8) and find_achievement: ids that look
like numbers, carry quotes or Chinese, and more pairs than one query takes, on both engines."""
from __future__ import annotations

import sqlite3

import pytest
from conftest import GOOD_USCC, OTHER_USCC, std
from conftest_pg import pg_server  # noqa: F401 - fixture (office_db asks for it)

from desktop.core.errors import ValidationFailed

ENTS = [{"uscc": GOOD_USCC, "name": "甲公司", "region": "350302"},
        {"uscc": OTHER_USCC, "name": "乙公司", "region": "350302"}]
ODD = ["1", "01", "1.0", "it's", "编号一", 'a"b', "NULL", "1e3"]


def test_odd_ids_clash_with_themselves_only_and_each_enterprise_keeps_its_own(office_db):
    from desktop.store.paths import resolve_db_path

    office_db = resolve_db_path(office_db)
    from desktop.operations import records as ops
    from desktop.operations.session import Session
    from desktop.store import records
    from desktop.store.db import close_db, open_db

    open_db(office_db, auto_backup=False)
    try:
        records.load({"enterprises": ENTS, "achievements": [std(id=v, ref=f"GB/T {30000 + i}-2024")
                                                            for i, v in enumerate(ODD)]}, user="tester")
        records.load([std(id=f"m{i}", ref=f"GB/T {40000 + i}-2024") for i in range(900)], user="tester")
        again = [std(id=v, ref=f"GB/T {50000 + i}-2024") for i, v in enumerate(ODD)]
        again += [std(id=f"m{i}", ref=f"GB/T {60000 + i}-2024") for i in range(900)]
        with pytest.raises(ValidationFailed) as ei:  # every one, across the chunks of the check (250 pairs a query)
            records.load(again, user="tester")
        clashed = {p.record for p in ei.value.problems if p.field == "id"}
        assert clashed == set(ODD) | {f"m{i}" for i in range(900)}
        # ids that only look alike, and the same ids of the other enterprise: no clash
        records.load([std(id=v, ref=f"GB/T {70000 + i}-2024") for i, v in enumerate(["10", "1000", "it''s", "编号"])]
                     + [std(id=v, enterprise=OTHER_USCC, ref=f"GB/T {80000 + i}-2024") for i, v in enumerate(ODD)],
                     user="tester")
    finally:
        close_db()
    s = Session.open(office_db, auto_backup=False, check=False)
    try:
        for v in ODD:
            mine, theirs = ops.find_achievement(s, v, GOOD_USCC), ops.find_achievement(s, v, OTHER_USCC)
            assert mine != theirs
            with pytest.raises(ValidationFailed):  # two enterprises' records have it: ambiguous
                ops.find_achievement(s, v)
        assert ops.find_achievement(s, "m7") == ops.find_achievement(s, "m7", GOOD_USCC)
        with pytest.raises(ValidationFailed, match="no achievement"):
            ops.find_achievement(s, "m900")
    finally:
        s.close()


def _as_schema_7(office_db) -> bool:
    """Two records loaded (enterprise a's "a", b's "b"), then the indexes as a schema-7 program left
    them (one on the id, one on the enterprise), the version 7; is it a server?"""
    from desktop.store import records
    from desktop.store.backend import is_postgres
    from desktop.store.db import close_db, open_db
    from desktop.store.models import database

    open_db(office_db, auto_backup=False)
    try:
        records.load({"enterprises": ENTS, "achievements": [std(id="a"), std(id="b", enterprise=OTHER_USCC)]},
                     user="tester")
        pg = is_postgres()
        with database.atomic():
            database.execute_sql("DROP INDEX achievement_enterprise_id_source_id")
            database.execute_sql('CREATE INDEX "achievement_source_id" ON "achievement" ("source_id")')
            database.execute_sql('CREATE INDEX "achievement_enterprise_id" ON "achievement" ("enterprise_id")')
            database.execute_sql("UPDATE stdaward_schema SET version = 7" if pg else "PRAGMA user_version = 7")
    finally:
        close_db()
    return pg


def test_a_schema_7_server_or_file_is_upgraded_to_the_one_index_and_its_records_still_clash(office_db):
    """The v7 to v8 step on a server as on a file: the two indexes go, the one on (enterprise, id)
    comes, the records stay, and the same id of the same enterprise is still refused."""
    from desktop.store.paths import resolve_db_path

    office_db = resolve_db_path(office_db)
    from desktop.store import records
    from desktop.store.backend import is_postgres
    from desktop.store.db import close_db, open_db
    from desktop.store.models import Achievement, database

    _as_schema_7(office_db)
    open_db(office_db, auto_backup=False)  # upgraded
    try:
        names = ("SELECT indexname FROM pg_indexes WHERE tablename = 'achievement'" if is_postgres() else
                 "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'achievement'")
        indexes = {n for (n,) in database.execute_sql(names).fetchall()}
        assert "achievement_enterprise_id_source_id" in indexes
        assert not indexes & {"achievement_source_id", "achievement_enterprise_id"}
        assert Achievement.select().count() == 2
        with pytest.raises(ValidationFailed):
            records.load([std(id="b", enterprise=OTHER_USCC, ref="GB/T 30002-2024")], user="tester")
        records.load([std(id="b", ref="GB/T 30003-2024")], user="tester")
    finally:
        close_db()


def test_a_v8_step_failing_after_dropping_the_old_indexes_leaves_the_schema_7_database_as_it_was(office_db,
                                                                                                   monkeypatch):
    """The step drops the two indexes, then builds the new one: a failure at the build (a full disk)
    rolls the drops back too, on a file as on a server, and the next open upgrades it."""
    from desktop.store import migrations
    from desktop.store.db import close_db, open_db
    from desktop.store.models import Achievement, database
    from desktop.store.paths import resolve_db_path

    url, office_db = office_db, resolve_db_path(office_db)
    pg = _as_schema_7(office_db)
    names = ("SELECT indexname FROM pg_indexes WHERE tablename = 'achievement'" if pg else
             "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'achievement'")
    version = "SELECT version FROM stdaward_schema" if pg else "PRAGMA user_version"
    real = migrations.STEPS[7]

    def broken(db) -> None:
        db.execute_sql("DROP INDEX IF EXISTS achievement_source_id")
        db.execute_sql("DROP INDEX IF EXISTS achievement_enterprise_id")
        raise OSError("disk full")

    monkeypatch.setitem(migrations.STEPS, 7, (real[0], broken))
    with pytest.raises(OSError):
        open_db(office_db, auto_backup=False)
    close_db()
    if pg:  # read as it is left, outside the program
        import psycopg

        with psycopg.connect(url) as con:
            left = con.execute(version).fetchone()[0], {n for (n,) in con.execute(names).fetchall()}
    else:
        con = sqlite3.connect(office_db)
        try:
            left = con.execute(version).fetchone()[0], {n for (n,) in con.execute(names).fetchall()}
        finally:
            con.close()
    assert left[0] == 7 and {"achievement_source_id", "achievement_enterprise_id"} <= left[1], left
    monkeypatch.setitem(migrations.STEPS, 7, real)
    open_db(office_db, auto_backup=False)  # the next open upgrades it
    try:
        assert Achievement.select().count() == 2
        assert "achievement_enterprise_id_source_id" in {n for (n,) in database.execute_sql(names).fetchall()}
    finally:
        close_db()
