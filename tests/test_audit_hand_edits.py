"""The audit log's check attacked by an insider editing the SQLite file (the append-only trigger
dropped and put back): an entry whose values changed is reported broken where it is, whatever form
the edit takes, and an entry whose stored text changed only in form (what any reader of the program
sees is the same) is still intact. Each entry is first hashed as stored and read back only when that
does not confirm it (``audit._digest_as_stored`` / ``_digest_read_back``); the answers must be those
of reading every entry back."""
from __future__ import annotations

import sqlite3

import pytest


@pytest.fixture
def log(tmp_path):
    """A SQLite office whose log holds three entries: one with Chinese, a line separator (U+2028), a
    character outside the BMP, a float, nested and null values; one without an entity id or a
    ``before``; one with a ``state`` but no ``before`` or ``after``."""
    from desktop.store import audit
    from desktop.store.db import close_db, open_db
    from desktop.store.models import database

    path = tmp_path / "office.db"
    open_db(path, auto_backup=False)
    with database.atomic():
        audit.record("张三", "update", "achievement", "u-1",
                     {"title": "鞋类\u2028标准 😀", "n": 1, "x": 1.0, "d": {"b": 2, "a": None}},
                     {"title": "b", "n": 100})
        audit.record("李四", "update", "enterprise", None, None, {"k": [1, 2, "三"]})
        audit.record("王五", "create", "achievement", "u-3", None, None)
    first = database.execute_sql("SELECT min(id) FROM audit_entry").fetchone()[0]
    assert audit.check_chain().broken_at is None
    yield path, first
    close_db()


def _edit(path, sql: str, *params) -> None:
    """An insider's edit of the log in the file, the append-only trigger dropped and put back exactly."""
    from desktop.store.db import close_db, open_db

    close_db()
    con = sqlite3.connect(path)
    protection = con.execute("SELECT sql FROM sqlite_master WHERE name = 'audit_entry_no_update'").fetchone()[0]
    con.execute("DROP TRIGGER audit_entry_no_update")
    assert con.execute(sql, params).rowcount == 1
    con.execute(protection)
    con.commit()
    con.close()
    open_db(path, auto_backup=False)


def _broken_at():
    from desktop.store import audit

    return audit.check_chain().broken_at


# (what the insider did, the SQL over entry ``?`` (0: the first entry, 1: the second, 2: the third), params)
VALUES_CHANGED = [
    ("a float made an integer", "UPDATE audit_entry SET before = replace(before, '\"x\": 1.0', '\"x\": 1') WHERE id = ?", 0),
    ("an integer written 1e2", "UPDATE audit_entry SET after = replace(after, '100', '1e2') WHERE id = ?", 0),
    ("a number made NaN", "UPDATE audit_entry SET after = replace(after, '100', 'NaN') WHERE id = ?", 0),
    ("a number given more digits", "UPDATE audit_entry SET after = replace(after, '100', '100.00000000000000000001') "
     "WHERE id = ?", 0),
    ("a character escaped as half of a surrogate pair",
     "UPDATE audit_entry SET before = replace(before, '😀', '\\ud83d') WHERE id = ?", 0),
    ("the time given a timezone", "UPDATE audit_entry SET at = at || '+08:00' WHERE id = ?", 0),
    ("the time cut to its date", "UPDATE audit_entry SET at = substr(at, 1, 10) WHERE id = ?", 0),
    ("the time in full-width digits", "UPDATE audit_entry SET at = replace(replace(at, '2', '２'), '0', '０') "
     "WHERE id = ?", 0),
    ("the user made a number", "UPDATE audit_entry SET user = 123 WHERE id = ?", 0),
    ("after made a bare number", "UPDATE audit_entry SET after = 5 WHERE id = ?", 1),
    ("an empty entity id for none", "UPDATE audit_entry SET entity_uuid = '' WHERE id = ?", 1),
    ("the state made JSON null", "UPDATE audit_entry SET state = 'null' WHERE id = ?", 2),
    ("the state moved into after (the same bytes hashed)",
     "UPDATE audit_entry SET after = after || ', ' || state, state = NULL WHERE id = ?", 0),
    ("a user's name in another Unicode form", "UPDATE audit_entry SET user = '張三' WHERE id = ?", 0),
]

FORM_ONLY = [
    ("Chinese written as \\u escapes", "UPDATE audit_entry SET before = replace(before, '鞋', '\\u978b') WHERE id = ?", 0),
    ("U+2028 written as an escape", "UPDATE audit_entry SET before = replace(before, char(8232), '\\u2028') "
     "WHERE id = ?", 0),
    ("a character outside the BMP as a surrogate pair",
     "UPDATE audit_entry SET before = replace(before, '😀', '\\ud83d\\ude00') WHERE id = ?", 0),
    ("the keys reordered and the spaces dropped", "UPDATE audit_entry SET after = '{\"title\":\"b\",\"n\":100}' "
     "WHERE id = ?", 0),
    ("NULL written as JSON null", "UPDATE audit_entry SET before = 'null' WHERE id = ?", 1),
    ("the time written with a T", "UPDATE audit_entry SET at = replace(at, ' ', 'T') WHERE id = ?", 0),
    ("the time given zero microseconds", "UPDATE audit_entry SET at = at || '.000000' WHERE id = ?", 0),
    ("the JSON stored as a blob of the same text", "UPDATE audit_entry SET before = CAST(before AS BLOB) WHERE id = ?", 0),
]


@pytest.mark.parametrize(("what", "sql", "entry"), VALUES_CHANGED, ids=[c[0] for c in VALUES_CHANGED])
def test_an_entry_whose_values_were_changed_by_hand_is_reported_broken_where_it_is(log, what, sql, entry):
    path, first = log
    _edit(path, sql, first + entry)
    assert _broken_at() == first + entry


@pytest.mark.parametrize(("what", "sql", "entry"), FORM_ONLY, ids=[c[0] for c in FORM_ONLY])
def test_an_entry_whose_text_changed_only_in_form_is_still_intact(log, what, sql, entry):
    path, first = log
    _edit(path, sql, first + entry)
    assert _broken_at() is None


def test_an_entry_nested_deeper_than_the_program_reads_is_reported_broken_not_a_failed_check(log):
    """JSON no program wrote: an array nested 1,001 deep, which SQLite's json_valid takes (the shortcut
    is tried, and does not confirm it) and Python's reader refuses with RecursionError. The check must
    say where the log was edited, as it does for any other JSON no program wrote, not stop."""
    path, first = log
    _edit(path, "UPDATE audit_entry SET before = ? WHERE id = ?", "[" * 1001 + "]" * 1001, first)
    assert _broken_at() == first


@pytest.mark.parametrize("column", ["user", "before"])
def test_an_entry_holding_bytes_that_are_no_utf8_is_reported_broken_not_a_failed_check(log, column):
    """Text that is not UTF-8 written into an entry (a byte 0xFF cast to TEXT): reading the log stops
    with sqlite3's "Could not decode to UTF-8"; the check must report the entry, not fail."""
    path, first = log
    _edit(path, f"UPDATE audit_entry SET {column} = CAST(x'22ff22' AS TEXT) WHERE id = ?", first + 1)
    assert _broken_at() == first + 1


def test_an_entity_id_stored_as_a_blob_is_reported_broken_as_before_not_a_failed_check(log):
    """The entry's entity id rewritten as a BLOB of the same bytes (SQLite keeps a blob as it is in a
    text column). Before the check hashed entries as stored it reported the entry broken (its id is
    no text); now the shortcut hands the bytes to the JSON string encoder, whose TypeError stops the
    check."""
    path, first = log
    _edit(path, "UPDATE audit_entry SET entity_uuid = CAST(entity_uuid AS BLOB) WHERE id = ?", first)
    assert _broken_at() == first
