"""Schema versions and forward migrations (``PRAGMA user_version``).

A new database is created at ``SCHEMA_VERSION``. An older one is first copied with ``VACUUM INTO``
(an automatic backup), then every step from its version up runs inside one transaction: either the
database reaches the current version with every row kept, or it stays exactly as it was.
To change the schema: edit the model, bump ``SCHEMA_VERSION``, add a step below (import
``playhouse.migrate`` inside the step: opening a current database should not load it).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # peewee is imported by the steps: the GUI checks SCHEMA_VERSION before loading it
    from peewee import SqliteDatabase

SCHEMA_VERSION = 2


def _v1_to_v2(db: SqliteDatabase) -> None:
    """v2: enterprises get a telephone; award rounds get a note for the reviewer."""
    from peewee import CharField, TextField
    from playhouse.migrate import SqliteMigrator, migrate  # only when migrating (it pulls in the Postgres helpers)

    m = SqliteMigrator(db)
    migrate(
        m.add_column("enterprise", "phone", CharField(null=True)),
        m.add_column("award_round", "note", TextField(null=True)),
    )


STEPS: dict[int, tuple[str, Callable[[SqliteDatabase], None]]] = {
    1: ("enterprise phone, round note", _v1_to_v2),
}


def pending(version: int) -> list[int]:
    return [v for v in range(version, SCHEMA_VERSION) if v in STEPS]
