"""The office database on a PostgreSQL server: opening, creating the schema, the audit triggers.

The models' one database object (``desktop.store.models.database``, imported by every store module)
becomes a PostgreSQL database for as long as a server database is open (``bind``) and an unbound
SQLite one again when it closes (``unbind``), so every model, query and transaction in the program
works unchanged on either engine. The schema is built from the same models (so a model another
change adds comes along), with every text column as ``text`` (SQLite enforces no lengths: the
program's own limits are checked before writing), and the schema version in a one-row table.
Raw SQL written with SQLite's ``?`` placeholders is translated on the way to the server.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from peewee import PostgresqlDatabase, SqliteDatabase

from desktop.core.errors import SchemaTooNew, StdAwardError
from desktop.core.i18n import _
from desktop.store import backend

SCHEMA_TABLE = "stdaward_schema"
HEAD_TABLE = "stdaward_audit_head"  # the audit log's signed head (a file beside a SQLite database)
TRIGGERS = {
    "audit_entry_no_update": "BEFORE UPDATE ON audit_entry FOR EACH ROW",
    "audit_entry_no_delete": "BEFORE DELETE ON audit_entry FOR EACH ROW",
    "audit_entry_no_truncate": "BEFORE TRUNCATE ON audit_entry FOR EACH STATEMENT",
}
REFUSE_FUNCTION = """CREATE OR REPLACE FUNCTION stdaward_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only';
END $$"""

_idle: dict[str, Any] = {}  # the SQLite database object's state while a server database is bound
_TOKENS = re.compile(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|%)")


def translate(sql: str) -> str:
    """SQLite's ``?`` placeholders as psycopg's ``%s`` (outside quotes), and every literal ``%`` doubled."""
    if "?" not in sql:
        return sql

    def one(m: re.Match[str]) -> str:
        tok = m.group(0)  # psycopg reads % everywhere, quotes included: a literal '%x%' needs its % doubled too
        return "%s" if tok == "?" else "%%" if tok == "%" else tok.replace("%", "%%")

    return _TOKENS.sub(one, sql)


COPY_FROM = 50  # rows from which a plain bulk insert is sent as COPY
# INSERT INTO t (a, b, ...) VALUES (?, ?, ...): every value a placeholder, nothing after (no ON CONFLICT,
# no RETURNING, no SELECT), so COPY of the same columns does the same
_PLAIN_INSERT = re.compile(r'\s*INSERT\s+INTO\s+("?\w+"?)\s*\(([\w\s",]+)\)\s*VALUES\s*\((?:\s*\?\s*,)*\s*\?\s*\)\s*;?\s*\Z',
                           re.IGNORECASE)


class _Cursor:
    """A psycopg cursor that takes SQLite's ``?`` placeholders (the bulk paths use the cursor)."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Any = None) -> Any:
        self._cursor.execute(translate(sql), params)
        return self

    def executemany(self, sql: str, seq: Any) -> Any:
        rows = list(seq)
        plain = _PLAIN_INSERT.match(sql) if len(rows) >= COPY_FROM else None
        if plain is None:
            self._cursor.executemany(translate(sql), rows)
            return self
        # A bulk insert of plain values (a load, a round's award lines): one COPY instead of a statement
        # per row (executemany costs a server round of parse, plan and insert for every row: twice
        # SQLite's time for a round of 100,000 lines). Defaults, constraints and triggers apply as they do
        # to an INSERT; the values go as text and the server reads each by its column's type.
        with self._cursor.copy(f"COPY {plain.group(1)} ({plain.group(2)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def __iter__(self) -> Any:
        return iter(self._cursor)


def _as_sqlite_gives(conn: Any) -> None:
    """Raw SQL reads the values SQLite gives: dates and times as ISO text ('2025-03-01',
    '2025-12-10 09:30:00'), booleans as 1/0. The model fields turn them into dates and booleans as
    they do on SQLite; the code that reads rows directly (exports, the screens' lists) sees one form."""
    from psycopg.adapt import Loader
    from psycopg.types.string import TextLoader

    class IntBoolLoader(Loader):
        def load(self, data: Any) -> int:
            return 1 if bytes(data) == b"t" else 0

    for name in ("date", "timestamp"):
        conn.adapters.register_loader(name, TextLoader)
    conn.adapters.register_loader("bool", IntBoolLoader)


class ServerDatabase(PostgresqlDatabase):
    """peewee's PostgreSQL database over psycopg 3, taking raw SQL written for SQLite."""

    # raw SQL reaches the server through ``cursor`` below, which translates it: translating here as well
    # turned a translated ``%s`` into ``%%s`` whenever a literal held a ``?`` ('%0?%')

    def _connect(self) -> Any:
        conn = super()._connect()
        _as_sqlite_gives(conn)
        return conn

    def conflict_update(self, oc: Any, query: Any) -> Any:
        """SQLite's ``INSERT OR REPLACE`` (``on_conflict_replace``: the settings table) as
        ``ON CONFLICT (primary key) DO UPDATE`` of every other column inserted."""
        if (oc._action or "").lower() == "replace":
            from peewee import OnConflict

            pk = query.model._meta.primary_key
            columns = [f for f in query.model._meta.sorted_fields if f is not pk]
            oc = OnConflict("update", preserve=columns, conflict_target=(pk,))
        return super().conflict_update(oc, query)

    def cursor(self, *args: Any, **kw: Any) -> Any:
        cur = super().cursor(*args, **kw)
        return cur if isinstance(cur, _Cursor) else _Cursor(cur)


def is_bound() -> bool:
    from desktop.store.models import database

    return isinstance(database, ServerDatabase)


def bind(params: dict[str, Any]) -> None:
    """Make the models' database object a PostgreSQL one connecting with ``params``."""
    from desktop.store.models import database

    if not database.is_closed():
        database.close()
    params = dict(params)
    dbname = params.pop("dbname")
    if not isinstance(database, ServerDatabase):
        _idle.clear()
        _idle.update(database.__dict__)  # the idle SQLite object, as it was: put back by unbind
    database.__dict__.clear()
    database.__class__ = ServerDatabase
    database.__init__(dbname, prefer_psycopg3=True, **params)  # type: ignore[misc]  # re-initialised as its new class


def unbind() -> None:
    """Back to the unbound SQLite database object of an idle program."""
    from desktop.store.models import database

    if not isinstance(database, ServerDatabase):
        return
    if not database.is_closed():
        database.close()
    database.__dict__.clear()
    database.__class__ = SqliteDatabase
    if _idle:
        database.__dict__.update(_idle)
    else:
        database.__init__(None)  # type: ignore[misc]


def _connect_error(exc: Exception, path: Path) -> StdAwardError:
    from desktop.store import servers

    kind = servers.classify(exc.__cause__ or exc)
    if kind != "unreachable":  # ServerRefused: the window asks the password again, or says what to fix
        return servers.refusal(kind, backend.read_connection(path), exc)
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return StdAwardError(_("cannot reach the database server {url}: {reason}").format(
        url=backend.describe(path), reason=reason))


def open_server(path: Path, *, create: bool = True) -> Any:
    """Connect to the server database named by the connection file ``path``; create the schema in an
    empty database (``create``), refuse one a newer program wrote. Returns the connection."""
    import peewee

    from desktop.store.migrations import SCHEMA_VERSION
    from desktop.store.models import ALL_MODELS, database

    bind(backend.read_connection(path))
    try:
        database.connect(reuse_if_open=True)
    except (peewee.OperationalError, peewee.DatabaseError, OSError) as exc:
        unbind()
        raise _connect_error(exc, path) from None
    try:
        version, has_tables = schema_state()
        if version is None and has_tables:
            raise StdAwardError(_("{url} holds tables but is not a StdAward database").format(url=backend.describe(path)))
        if version is None:
            if not create:
                raise StdAwardError(_("there is no StdAward database at {url}").format(url=backend.describe(path)))
            with database.atomic():
                database.execute_sql("SELECT pg_advisory_xact_lock(?)", (backend.CHAIN_LOCK,))  # two first opens at once
                if schema_state()[0] is None:
                    create_schema(ALL_MODELS, SCHEMA_VERSION)
        elif version > SCHEMA_VERSION:
            raise SchemaTooNew(_("{path} was written by a newer StdAward (schema {found}, this program knows {known}); "
                                 "update the program").format(path=backend.describe(path), found=version,
                                                              known=SCHEMA_VERSION))
        elif version < SCHEMA_VERSION:
            upgrade(path, version)
        from desktop.store.audit import ensure_triggers as put_back  # noted for audit.verify_all

        put_back()  # dropped at the server: put back, and reported
    except BaseException:
        unbind()
        raise
    return database.connection()


def upgrade(path: Path, found: int) -> int | None:
    """Bring an older server schema up to this program's: the same steps as on SQLite, in one
    transaction (PostgreSQL's DDL is transactional: the schema ends at the new version with every
    row kept, or stays as it was), under an advisory lock, so when several PCs open the database with
    the new program at once one upgrades and the others wait, then find it done. Recorded in the
    audit chain. Returns the version upgraded from, or None when another PC had already done it."""
    from desktop.store import audit
    from desktop.store.migrations import SCHEMA_VERSION, SERVER_FROM, STEPS, pending
    from desktop.store.models import database

    if found < SERVER_FROM:
        raise StdAwardError(_("{url} has schema {found}, older than any server database this program can "
                              "update ({oldest}): ask the administrator").format(
            url=backend.describe(path), found=found, oldest=SERVER_FROM))
    with database.atomic():
        database.execute_sql("SELECT pg_advisory_xact_lock(?)", (backend.SCHEMA_LOCK,))
        version = schema_state()[0]  # read again: another PC may have upgraded while this one waited
        if version is None or version >= SCHEMA_VERSION:
            if version is not None and version > SCHEMA_VERSION:  # a newer program was quicker still
                raise SchemaTooNew(_("{path} was written by a newer StdAward (schema {found}, this program knows "
                                     "{known}); update the program").format(
                    path=backend.describe(path), found=version, known=SCHEMA_VERSION))
            return None
        for step in pending(version):
            STEPS[step][1](database)
        database.execute_sql(f"UPDATE {SCHEMA_TABLE} SET version = ?", (SCHEMA_VERSION,))
        audit.record("migration", "upgrade", "schema", None, {"version": version},
                     {"version": SCHEMA_VERSION})
    audit.write_head(path)  # the database is not yet the open one, so the after-commit signing skipped it
    return version


def schema_state() -> tuple[int | None, bool]:
    """(schema version or None when the version table is missing, whether any table exists)."""
    from desktop.store.models import database

    tables = {r[0] for r in database.execute_sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()").fetchall()}
    if SCHEMA_TABLE not in tables:
        return None, bool(tables)
    row = database.execute_sql(f"SELECT version FROM {SCHEMA_TABLE}").fetchone()
    return (int(row[0]) if row else None), True


def create_schema(models: list[Any], version: int) -> None:
    """The tables of ``models``, text columns without length limits, the version table, the triggers
    (call inside a transaction)."""
    from desktop.store.models import database

    database.create_tables(models)
    text_columns(models)
    from desktop.store import award_sums

    award_sums.install()  # schema 7: the consolidation's triggers and claim keys
    database.execute_sql(f"CREATE TABLE {SCHEMA_TABLE} (version integer NOT NULL, "
                         "one boolean PRIMARY KEY DEFAULT true CHECK (one))")
    database.execute_sql(f"INSERT INTO {SCHEMA_TABLE} (version) VALUES (?)", (version,))
    _head_table()
    ensure_triggers()


def text_columns(models: list[Any]) -> None:
    """The character columns of ``models``' tables as ``text`` (no length limit: see the module)."""
    from desktop.store.models import database

    names = [m._meta.table_name for m in models]
    for table, column in database.execute_sql(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND data_type = 'character varying' AND table_name = ANY(?)", (names,)).fetchall():
        database.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE text')


def ensure_triggers() -> list[str]:
    """Put back any append-only trigger on the audit log that is missing; returns the names put back."""
    from desktop.store.models import database

    have = {r[0] for r in database.execute_sql(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = CAST('audit_entry' AS regclass) AND NOT tgisinternal").fetchall()}
    missing = [name for name in TRIGGERS if name not in have]
    if missing:
        database.execute_sql(REFUSE_FUNCTION)
    for name in missing:
        database.execute_sql(f"CREATE TRIGGER {name} {TRIGGERS[name]} EXECUTE FUNCTION stdaward_append_only()")
    return missing


def _head_table() -> None:
    from desktop.store.models import database

    database.execute_sql(f"CREATE TABLE IF NOT EXISTS {HEAD_TABLE} (one boolean PRIMARY KEY DEFAULT true CHECK (one), "
                         "head text NOT NULL)")


def store_head(head: dict[str, Any]) -> None:
    """Keep the audit log's signed head on the server (call under ``backend.chain_lock``). On SQLite
    it is a file beside the database; with officers on several PCs appending, a file on each PC
    would cover only that PC's entries, so the head lives with the log and every PC checks the same."""
    import json

    from desktop.store.models import database

    database.execute_sql(f"INSERT INTO {HEAD_TABLE} (head) VALUES (?) ON CONFLICT (one) DO UPDATE SET head = "
                         "EXCLUDED.head", (json.dumps(head),))


def stored_head() -> str | None:
    from desktop.store.models import database

    if database.execute_sql("SELECT to_regclass(?)", (HEAD_TABLE,)).fetchone()[0] is None:
        return None
    row = database.execute_sql(f"SELECT head FROM {HEAD_TABLE}").fetchone()
    return None if row is None else str(row[0])


_cursors = iter(range(1, 1 << 62))  # names of this process's server-side cursors (unique per connection)


def stream(sql: str, params: Any, size: int, binary: bool = False) -> Iterator[list[tuple[Any, ...]]]:
    """``sql``'s rows ``size`` at a time through a server-side (named) cursor, inside a transaction
    (the caller's, or one of its own): the server keeps what is not read yet, so
    this process holds one batch, not the whole result (an ordinary psycopg cursor fetches it all at
    ``execute``). No savepoint in the caller's transaction: two of these open at once may end in any
    order. ``binary``: values in the binary format (bytea as bytes, without the text form's
    hex doubling); otherwise as the ordinary cursor gives them (``_as_sqlite_gives``)."""
    from desktop.store.models import database

    with nullcontext() if database.in_transaction() else database.atomic():  # DECLARE needs a transaction
        conn = database.connection()
        with conn.cursor(name=f"stdaward_stream_{next(_cursors)}", binary=binary) as cur:
            cur.itersize = size
            cur.execute(translate(sql), params or None)
            while rows := cur.fetchmany(size):
                yield rows
