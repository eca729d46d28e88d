"""Copy an office database to another engine: an office's SQLite file onto a PostgreSQL server when
several officers start sharing it, and back (a server database into a file for one PC).

Every row of every table is copied with its id, so nothing is renumbered: 发文字号, the audit chain
(whose hashes cover ids only through the entries' order), notices' content hashes and payments'
references stay exactly as they were. The target must be empty (a new database); the copy is one
transaction there, checked before it commits: the row counts, the audit chain, and every record
the audit log vouches for (``audit.verify_rows``). Either the whole office arrives intact or the
target stays empty.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.core.progress import NO_PROGRESS, Progress
from desktop.store import backend

CHUNK = 500


def _dump(models: list[Any]) -> dict[str, list[dict[str, Any]]]:
    """Every row of ``models`` from the open database, as Python values, in id order."""
    out = {}
    for m in models:
        pk = m._meta.primary_key
        out[m._meta.table_name] = list(m.select().order_by(pk).dicts())
    return out


def copy(source: Path, target: Path, *, progress: Progress | None = None) -> dict[str, int]:
    """Copy the database at ``source`` (open in this process) into the empty one at ``target``;
    returns the rows per table. The source is open again afterwards. ``progress`` hears of each
    table and may cancel (the target then stays empty). StdAwardError when the target
    is not empty or the copy does not check out (then nothing was written to the target)."""
    from desktop.store import audit, db
    from desktop.store.models import ALL_MODELS, database

    def step(stage: str, done: int, total: int) -> None:
        (progress or NO_PROGRESS).update(done, total, stage)
        (progress or NO_PROGRESS).check()  # Cancelled: the copy's transaction rolls back

    if Path(source) == Path(target) or backend.describe(source) == backend.describe(target):
        raise StdAwardError(_("the source and the target are the same database"))
    if not backend.is_connection_file(target) and Path(target).exists():
        raise StdAwardError(_("{path} already exists: the copy goes into a new database").format(path=target))
    step("read", 0, len(ALL_MODELS))
    with database.atomic():  # one consistent snapshot of the source
        rows = _dump(ALL_MODELS)
    counts = {name: len(r) for name, r in rows.items()}
    db.close_db()
    try:
        db.open_db(target, auto_backup=False)
        try:
            held = {m._meta.table_name: m.select().count() for m in ALL_MODELS}
            if any(held.values()):
                raise StdAwardError(_("{target} already holds an office's data ({n} rows): the copy goes into an "
                                      "empty database").format(target=backend.describe(target), n=sum(held.values())))
            with database.atomic():
                for i, m in enumerate(ALL_MODELS):
                    step("write", i, len(ALL_MODELS))
                    table = rows[m._meta.table_name]
                    for start in range(0, len(table), CHUNK):
                        m.insert_many(table[start:start + CHUNK]).execute()
                if backend.is_postgres():
                    _reset_sequences(ALL_MODELS)
                got = {m._meta.table_name: m.select().count() for m in ALL_MODELS}
                if got != counts:
                    raise StdAwardError(_("the copy in {target} does not hold the rows of the source").format(
                        target=backend.describe(target)))
                broken = audit.verify_chain()
                if broken is not None:
                    raise StdAwardError(_("the audit log does not verify in the copy from entry {id}").format(id=broken))
                findings = audit.verify_rows()
                if findings:
                    raise StdAwardError(_("the copy does not match its audit log: {finding}").format(finding=findings[0]))
            audit.write_head(target)
        finally:
            db.close_db()
    finally:
        db.open_db(source, auto_backup=False)
    step("done", len(ALL_MODELS), len(ALL_MODELS))
    return counts


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
