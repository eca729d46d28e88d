"""Copy an office database to another engine: an office's SQLite file onto a PostgreSQL server when
several officers start sharing it, and back (a server database into a file for one PC); and the
backups of a server database, which are such a file (``write_file``), restored onto a server
(``restore_to_server``).

Every row of every table is copied with its id, so nothing is renumbered: 发文字号, the audit chain
(whose hashes cover ids only through the entries' order), notices' content hashes and payments'
references stay exactly as they were. The target must be empty (a new database); the copy is one
transaction there, checked before it commits: the row counts, the audit chain, and every record
the audit log vouches for (``audit.verify_rows``). Either the whole office arrives intact or the
target stays empty.

The rows stream: the source is read in one consistent snapshot through a connection of its own
(a server-side cursor on PostgreSQL), ``CHUNK`` rows at a time, and written with the cursor's
``executemany`` in batches of as many, so memory stays flat whatever the office's size. Progress is
told per batch, and a cancel rolls the target's transaction back (a new file is removed).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.core.progress import NO_PROGRESS, Progress
from desktop.store import backend

CHUNK = 5000  # rows per fetch from the source and per executemany into the target


def _fields(model: Any) -> list[Any]:
    return list(model._meta.sorted_fields)


def _select(model: Any) -> str:
    cols = ", ".join(f'"{f.column_name}"' for f in _fields(model))
    order = ", ".join(f'"{f.column_name}"' for f in _key(model))
    return f'SELECT {cols} FROM "{model._meta.table_name}" ORDER BY {order}'


def _key(model: Any) -> list[Any]:
    pk = model._meta.primary_key
    if pk is not None and hasattr(pk, "field_names"):  # a composite key
        return [model._meta.fields[n] for n in pk.field_names]
    return [pk] if pk is not None else _fields(model)


def _insert(model: Any) -> str:
    fields = _fields(model)
    cols = ", ".join(f'"{f.column_name}"' for f in fields)
    return f'INSERT INTO "{model._meta.table_name}" ({cols}) VALUES ({", ".join("?" for _f in fields)})'


def _converter(model: Any, to_server: bool) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """A source row as the values to write. Both engines' rows come as SQLite stores them (dates and
    times as ISO text, booleans as 1/0, money and JSON as text: ``pg._as_sqlite_gives``), which a
    SQLite file takes as they are, byte for byte; PostgreSQL reads the dates from the text and
    wants true booleans."""
    from peewee import BooleanField

    flags = [isinstance(f, BooleanField) for f in _fields(model)] if to_server else []
    if not any(flags):
        return tuple

    def convert(row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(bool(v) if flag and v is not None else v for flag, v in zip(flags, row))

    return convert


class Snapshot:
    """The rows of one database as they were when it was taken: ``batches(model)`` yields lists of at
    most ``CHUNK`` rows in key order, ``counts(models)`` the rows per table."""

    def __init__(self, batches: Callable[[Any], Iterator[list[tuple[Any, ...]]]],
                 scalar: Callable[[str], Any]) -> None:
        self.batches, self._scalar = batches, scalar

    def counts(self, models: list[Any]) -> dict[str, int]:
        return {m._meta.table_name: int(self._scalar(f'SELECT count(*) FROM "{m._meta.table_name}"'))
                for m in models}


@contextmanager
def snapshot(source: Path) -> Iterator[Snapshot]:
    """The database at ``source`` as it is now, read through a connection of its own in one
    read-only transaction (PostgreSQL: repeatable read and a server-side cursor per table, so the
    server holds what is not read yet; SQLite: a read transaction on a read-only connection)."""
    if backend.is_connection_file(source):
        import psycopg

        params = backend.read_connection(source)
        try:
            con = psycopg.connect(**params)
        except psycopg.Error as exc:
            from desktop.store import servers

            raise servers.refusal(servers.classify(exc), params, exc) from None
        con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        con.read_only = True
        from desktop.store.pg import _as_sqlite_gives

        _as_sqlite_gives(con)  # rows as SQLite gives them: see _converter

        def pg_batches(model: Any) -> Iterator[list[tuple[Any, ...]]]:
            with con.cursor(name=f"stdaward_copy_{model._meta.table_name}") as cur:
                cur.itersize = CHUNK
                cur.execute(_select(model))
                while rows := cur.fetchmany(CHUNK):
                    yield rows

        try:
            yield Snapshot(pg_batches, lambda sql: con.execute(sql).fetchone()[0])
        finally:
            con.rollback()
            con.close()
        return
    import sqlite3

    from desktop.store.volumes import sqlite_uri

    lite = sqlite3.connect(sqlite_uri(Path(source), mode="ro"), uri=True, isolation_level=None,
                           check_same_thread=False)
    try:
        lite.execute("BEGIN")
        lite.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts here

        def lite_batches(model: Any) -> Iterator[list[tuple[Any, ...]]]:
            cur = lite.execute(_select(model))
            while rows := cur.fetchmany(CHUNK):
                yield rows

        yield Snapshot(lite_batches, lambda sql: lite.execute(sql).fetchone()[0])
    finally:
        lite.close()


def _stream_into(batches: Callable[[Any], Iterator[list[tuple[Any, ...]]]], models: list[Any], cursor: Any,
                 step: Callable[[str, int, int], None], totals: dict[str, int], to_server: bool) -> dict[str, int]:
    """Write every row of ``models`` from ``batches`` through ``cursor`` (inside the target's
    transaction); returns the rows per table. ``totals`` (the source's counts) sizes the progress."""
    counts: dict[str, int] = {}
    done, whole = 0, max(sum(totals.values()), 1)
    for m in models:
        name = m._meta.table_name
        sql, convert, n = _insert(m), _converter(m, to_server), 0
        step(name, done, whole)
        if name == "stale_origin":  # what the triggers noted while the achievements went in: the source's instead
            cursor.execute("DELETE FROM stale_origin")
        for rows in batches(m):
            cursor.executemany(sql, [convert(r) for r in rows])
            n += len(rows)
            done += len(rows)
            step(name, done, whole)
        counts[name] = n
    return counts


def _stepper(progress: Progress | None) -> Callable[[str, int, int], None]:
    def step(stage: str, done: int, total: int) -> None:
        (progress or NO_PROGRESS).update(done, total, stage)
        (progress or NO_PROGRESS).check()  # Cancelled: the copy's transaction rolls back

    return step


def copy(source: Path, target: Path, *, progress: Progress | None = None,
         notes: list[str] | None = None, then: Callable[[], Any] | None = None) -> dict[str, int]:
    """Copy the database at ``source`` (open in this process) into the empty one at ``target``;
    returns the rows per table. The source is open again afterwards. ``progress`` hears of each
    batch and may cancel (the target then stays empty; a new file is removed). StdAwardError when
    the target is not empty or the copy does not check out (then nothing was written to it). The
    evidence goes along (into a new file's folder, or into a server database); ``notes`` hears of each
    attached file that could be had neither from the server nor from this PC (nothing stops for it:
    such a file was already missing where the office kept it). ``then`` runs on the target once the
    copy has committed, before the source is open again (caches the target keeps: a failure there
    is its own to report; the copy stands)."""
    from desktop.store import audit, db, files
    from desktop.store.models import ALL_MODELS, FILE_MODELS, database

    step = _stepper(progress)
    if Path(source) == Path(target) or backend.describe(source) == backend.describe(target):
        raise StdAwardError(_("the source and the target are the same database"))
    new_file = not backend.is_connection_file(target)
    if new_file and Path(target).exists():
        raise StdAwardError(_("{path} already exists: the copy goes into a new database").format(path=target))
    step("read", 0, 1)
    # a file keeps its evidence in the folder beside it, a server in the database (desktop.store.files)
    models = [m for m in ALL_MODELS if m not in FILE_MODELS] if new_file else ALL_MODELS
    attached = files.referenced()
    missing = files.cache_all(Path(source)) if new_file else []  # a server's files, onto this PC first
    if notes is not None:
        notes.extend(missing)
    with snapshot(Path(source)) as snap:  # taken while the source is still open: nothing changes it after
        totals = snap.counts(models)
        db.close_db()
        ok = False
        try:
            db.open_db(target, auto_backup=False)
            try:
                held = _table_counts(models)
                if any(held.values()):
                    raise StdAwardError(_("{target} already holds an office's data ({n} rows): the copy goes into "
                                          "an empty database").format(target=backend.describe(target),
                                                                       n=sum(held.values())))
                with database.atomic():
                    counts = _stream_into(snap.batches, models, database.cursor(), step, totals,
                                          backend.is_postgres())
                    if backend.is_postgres():
                        _reset_sequences(models)
                    _check_copy(target, counts, totals, models)
                    files.take_in_evidence(files.evidence_folder(Path(source)))  # a file's evidence onto the server
                if new_file:
                    _copy_evidence(Path(source), Path(target), attached)
                audit.write_head(target)
                ok = True
                if then is not None:
                    then()
            finally:
                db.close_db()
        finally:
            if not ok and new_file:
                _remove_file(Path(target))
            db.open_db(source, auto_backup=False)
    step("done", 1, 1)
    return counts


def _table_counts(models: list[Any]) -> dict[str, int]:
    return {m._meta.table_name: m.select().count() for m in models}


def _copy_evidence(source: Path, target: Path, attached: list[tuple[str, str, str]]) -> None:
    """The attached files from ``source``'s evidence folder (filled from the server first, each
    checked) into the new file ``target``'s, whose folder is then their only copy."""
    import shutil

    from desktop.store import files
    from desktop.store.atomic import write_atomic

    have, into = files.evidence_folder(source), files.evidence_folder(target)
    for sha, suffix, name in attached:
        kept, path = have / f"{sha}{suffix}", into / f"{sha}{suffix}"
        if not kept.is_file() or path.is_file():
            continue
        into.mkdir(parents=True, exist_ok=True)
        write_atomic(path, lambda tmp, kept=kept: shutil.copyfile(kept, tmp), check=lambda tmp, sha=sha, name=name: (
            None if files.digest(tmp) == sha else _refuse_copy(name)), step="evidence")


def _refuse_copy(name: str) -> None:
    raise StdAwardError(_("{file} changed while it was being copied; copy the database again").format(file=name))


def _check_copy(target: Path, counts: dict[str, int], expected: dict[str, int], models: list[Any] | None = None) -> None:
    """Inside the target's transaction: the rows, the audit chain, the records the log vouches for."""
    from desktop.store import audit
    from desktop.store.models import ALL_MODELS

    got = _table_counts(models or ALL_MODELS)
    if got != counts or counts != expected:
        raise StdAwardError(_("the copy in {target} does not hold the rows of the source").format(
            target=backend.describe(target)))
    broken = audit.verify_chain()
    if broken is not None:
        raise StdAwardError(_("the audit log does not verify in the copy from entry {id}").format(id=broken))
    findings = audit.verify_rows()
    if findings:
        raise StdAwardError(_("the copy does not match its audit log: {finding}").format(finding=findings[0]))


def _remove_file(path: Path) -> None:
    """A new database file the copy did not finish: removed with its journal, so nothing looks valid."""
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
              path.with_name(path.name + "-journal"), path.with_name(path.name + ".lock")):
        p.unlink(missing_ok=True)


def _reset_sequences(models: list[Any]) -> None:
    """PostgreSQL's id sequences continue after the ids copied in (the next row gets the next id)."""
    from desktop.store.models import database

    for m in models:
        pk = m._meta.primary_key
        if pk is None or pk.field_type != "AUTO":
            continue
        table, column = m._meta.table_name, pk.column_name
        database.execute_sql(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
                             f"COALESCE(MAX(\"{column}\"), 1), MAX(\"{column}\") IS NOT NULL) FROM \"{table}\"")


# ------------------------------------------------------------------ backups of a server database

def write_file(source: Path, dest: Path, *, progress: Progress | None = None) -> dict[str, int]:
    """Write the database at ``source`` (a server's connection file, or a file) into the new SQLite
    file ``dest``: the same tables, triggers and schema version as a database made on this PC, every
    row with its id, so it restores like any backup. The open database is not touched (the models
    stay bound to it): the source is read through a connection of its own, the file written through
    another. Returns the rows per table; StdAwardError when the file does not hold them all."""
    from peewee import SchemaManager, SqliteDatabase, sort_models

    from desktop.store.audit import TRIGGERS_SQL
    from desktop.store.migrations import SCHEMA_VERSION
    from desktop.store.models import ALL_MODELS, FILE_MODELS

    step = _stepper(progress)
    models = sort_models(ALL_MODELS)
    kept = [m for m in models if m not in FILE_MODELS]  # the evidence goes beside it (store.evidence_copy)
    lite = SqliteDatabase(str(dest), pragmas={"foreign_keys": 1, "journal_mode": "delete", "synchronous": "full"})
    lite.connect()
    try:
        with snapshot(Path(source)) as snap, lite.atomic():
            totals = snap.counts(kept)
            for m in models:
                SchemaManager(m, lite).create_all(safe=False)
            for sql in TRIGGERS_SQL:
                lite.execute_sql(sql)
            counts = _stream_into(snap.batches, kept, lite.cursor(), step, totals, False)
            from desktop.store.award_sums import SQLITE_TRIGGERS

            for sql in SQLITE_TRIGGERS:  # schema 7's, after the rows: the sums copied stay those of their lines
                lite.execute_sql(sql)
            written = {m._meta.table_name: int(lite.execute_sql(f'SELECT count(*) FROM "{m._meta.table_name}"')
                                               .fetchone()[0]) for m in kept}
            if written != totals or counts != totals:
                raise StdAwardError(_("the copy in {target} does not hold the rows of the source").format(target=dest))
            lite.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
    finally:
        lite.close()
    return counts


def _drop_all() -> None:
    """Every StdAward table on the server (inside the restore's transaction: put back on rollback)."""
    from desktop.store.models import database

    names = [r[0] for r in database.execute_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()]
    for name in names:
        database.execute_sql(f'DROP TABLE IF EXISTS "{name}" CASCADE')
    database.execute_sql("DROP FUNCTION IF EXISTS stdaward_append_only() CASCADE")  # made again with the schema


def restore_to_server(backup_file: Path, target: Path, *, user: str, replace: bool = False,
                      progress: Progress | None = None, then: Callable[[], Any] | None = None) -> dict[str, Any]:
    """Put the backup file ``backup_file`` onto the server database of the connection file
    ``target`` (which must not be open): an empty database, or with ``replace`` one holding an
    office, whose contents are first written to a safety copy in its backups folder. A backup of an
    older schema is brought up to date on a temporary copy first. One transaction on the server:
    the tables made again, every row copied with its id, the rows, audit chain and vouched records
    checked, and the restore itself appended to the audit log; anything wrong leaves the server as
    it was. Returns ``rows`` (per table), ``kept`` (the safety copy or None), ``replaced`` (rows).
    ``then`` runs on the server once the restore has committed (caches kept with the data, as
    ``copy``'s)."""
    import shutil
    import tempfile

    from desktop.store import audit, backup, db, pg
    from desktop.store.migrations import SCHEMA_VERSION
    from desktop.store.models import ALL_MODELS, database

    step = _stepper(progress)
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise StdAwardError(_("no backup file at {path}").format(path=backup_file))
    version = backup.check_file(backup_file)  # full integrity check: a damaged backup is refused here
    if version > SCHEMA_VERSION:
        from desktop.core.errors import SchemaTooNew

        raise SchemaTooNew(_("{path} was written by a newer StdAward (schema {found})").format(
            path=backup_file, found=version))
    with tempfile.TemporaryDirectory(prefix="stdaward-restore-") as scratch:
        source = Path(scratch) / "backup.db"
        shutil.copyfile(backup_file, source)
        if version < SCHEMA_VERSION:  # brought forward on the copy, as opening it on this PC would
            db.open_db(source, auto_backup=False)
            db.close_db()
        db.close_db()
        db.open_db(target, auto_backup=False)
        try:
            held = sum(_table_counts(ALL_MODELS).values())
        finally:
            db.close_db()
        kept = None
        if held and not replace:
            raise ServerNotEmpty(_("{target} already holds an office's data ({n} rows): restoring the backup "
                                   "replaces it all, after a safety copy of it; confirm to go on (stdaward restore "
                                   "--replace)").format(target=backend.describe(target), n=held),
                                 held)
        if held:  # what is replaced is kept, as on a PC
            kept = backup.make_backup(None, target, "before-restore")
        with snapshot(source) as snap:
            totals = snap.counts(ALL_MODELS)
            db.open_db(target, auto_backup=False)
            try:
                with database.atomic():
                    database.execute_sql("SELECT pg_advisory_xact_lock(?)", (backend.CHAIN_LOCK,))
                    _drop_all()
                    pg.create_schema(ALL_MODELS, SCHEMA_VERSION)
                    counts = _stream_into(snap.batches, ALL_MODELS, database.cursor(), step, totals, True)
                    _reset_sequences(ALL_MODELS)
                    _check_copy(target, counts, totals)
                    audit.record(user, "restore", "database", None, {"counts": held} if held else None,
                                 {"file": backup_file.name, "counts": sum(counts.values())})
                audit.write_head(target)
                if then is not None:
                    then()
            finally:
                db.close_db()
    return {"rows": counts, "kept": kept, "replaced": held}


class ServerNotEmpty(StdAwardError):
    """The server database to restore onto holds an office (``rows``): only after confirmation."""

    def __init__(self, message: str, rows: int) -> None:
        super().__init__(message)
        self.rows = rows
