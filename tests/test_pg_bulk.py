"""Bulk inserts on PostgreSQL: a load's or a round's rows go to the server as one COPY (not a
statement per row), and must arrive exactly as written, or not at all."""
from __future__ import annotations

import pytest
from conftest_pg import pg_server  # noqa: F401 - fixture

TRICKY = ["tab\there", "line\nbreak", "back\\slash", "\\N", "it's \"quoted\"", "莆田市鞋业有限公司", "", "  spaces  ",
          "carriage\rreturn", "%s and ? and %"]


@pytest.fixture
def server_db(pg_server):  # noqa: F811 - the fixture imported above
    from desktop.store import db
    from desktop.store.paths import resolve_db_path

    name = pg_server.create_database("bulk")
    db.open_db(resolve_db_path(pg_server.url(name)), auto_backup=False)
    try:
        yield
    finally:
        db.close_db()
        pg_server.drop_database(name)


def _rows(n: int) -> list[tuple]:
    stamp = "2025-06-30 12:00:00"
    return [(f"u-{i}", f"91350302MA{i:08d}", TRICKY[i % len(TRICKY)] + str(i), "350302",
             None if i % 3 else TRICKY[(i + 1) % len(TRICKY)], None, None if i % 2 else "0594-1234567", stamp, stamp)
            for i in range(n)]


def test_a_bulk_insert_stores_every_value_as_written(server_db: None) -> None:
    from desktop.store.models import Enterprise, database
    from desktop.store.pg import COPY_FROM
    from desktop.store.records import _ENT_INSERT

    rows = _rows(120)
    assert len(rows) >= COPY_FROM  # the bulk path, not the statement per row
    with database.atomic():
        database.cursor().executemany(_ENT_INSERT, rows)
    got = {e.uuid: (e.uuid, e.uscc, e.name, e.region_code, e.address, e.contact, e.phone)
           for e in Enterprise.select()}
    assert got == {r[0]: r[:7] for r in rows}
    assert {e.version for e in Enterprise.select()} == {1}  # the column's default applies as to an INSERT


@pytest.mark.parametrize("path", ["copy", "statement per row"])
def test_a_bulk_insert_that_breaks_a_constraint_leaves_nothing(server_db: None, path: str, monkeypatch) -> None:
    """The same error as the statement-per-row path raised, and the transaction rolled back."""
    import psycopg

    from desktop.store import pg
    from desktop.store.models import Enterprise, database
    from desktop.store.records import _ENT_INSERT

    if path != "copy":
        monkeypatch.setattr(pg, "COPY_FROM", 10**9)

    rows = _rows(80)
    assert (len(rows) >= pg.COPY_FROM) == (path == "copy")
    rows[60] = (rows[60][0], rows[10][1], *rows[60][2:])  # a credit code twice
    with pytest.raises(psycopg.errors.UniqueViolation), database.atomic():
        database.cursor().executemany(_ENT_INSERT, rows)
    assert Enterprise.select().count() == 0
    with database.atomic():  # the connection is usable afterwards
        database.cursor().executemany(_ENT_INSERT, _rows(60))
    assert Enterprise.select().count() == 60
