"""Schema versions and forward migrations (``PRAGMA user_version``).

A new database is created at ``SCHEMA_VERSION``. An older one is first copied with ``VACUUM INTO``
(an automatic backup), then every step from its version up runs inside one transaction: either the
database reaches the current version with every row kept, or it stays exactly as it was.
To change the schema: edit the model, bump ``SCHEMA_VERSION``, add a step below (import
``playhouse.migrate`` inside the step: opening a current database should not load it).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # peewee is imported by the steps: the GUI checks SCHEMA_VERSION before loading it
    from peewee import SqliteDatabase

SCHEMA_VERSION = 4


def _v1_to_v2(db: SqliteDatabase) -> None:
    """v2: enterprises get a telephone; award rounds get a note for the reviewer."""
    from peewee import CharField, TextField
    from playhouse.migrate import SqliteMigrator, migrate  # only when migrating (it pulls in the Postgres helpers)

    m = SqliteMigrator(db)
    migrate(
        m.add_column("enterprise", "phone", CharField(null=True)),
        m.add_column("award_round", "note", TextField(null=True)),
    )


def _v2_to_v3(db: SqliteDatabase) -> None:
    """v3: the money trail. Audit entries record a digest of the rows they leave behind; a round keeps
    the digest of the lines its reviewer approved; payments (拨付) per notice. Stored prizes get the
    identity that includes their scheme (so the city matches them like the engine does). The rows already there
    are recorded as they stand (a baseline entry), so later edits outside the program show."""
    from peewee import CharField
    from playhouse.migrate import SqliteMigrator, migrate

    from desktop.store.models import JSONField, Payment

    m = SqliteMigrator(db)
    migrate(
        m.add_column("award_round", "approved_digest", CharField(max_length=64, null=True)),
        m.add_column("audit_entry", "state", JSONField(null=True)),
    )
    db.create_tables([Payment])
    from desktop.store import audit
    from desktop.store.users import bind_legacy

    for uid, name, stored in db.execute_sql("SELECT id, username, password_hash FROM user").fetchall():
        db.execute_sql("UPDATE user SET password_hash = ? WHERE id = ?", (bind_legacy(name, stored), uid))

    from desktop.store.records import refresh_natural_keys
    from desktop.store.rounds import seal_legacy_approvals

    refresh_natural_keys(("prize",))  # a prize's identity now includes its scheme and grade
    seal_legacy_approvals("migration")
    audit.baseline("migration")


def _v3_to_v4(db: SqliteDatabase) -> None:
    """v4: the 公示 of a round's list (period in working days, where objections go), the objections
    raised against its lines, and the 不予奖补告知书 as printed. Whether an office publicises at all
    is an office setting (on unless switched off), so nothing in the existing rows changes."""
    from desktop.store.models import Objection, Publicity, RefusalLetter

    db.create_tables([Publicity, Objection, RefusalLetter])


STEPS: dict[int, tuple[str, Callable[[SqliteDatabase], None]]] = {
    1: ("enterprise phone, round note", _v1_to_v2),
    2: ("money trail: audited row digests, approval digest, payments", _v2_to_v3),
    3: ("publicity (公示) periods, objections, letters of refusal", _v3_to_v4),
}


def pending(version: int) -> list[int]:
    return [v for v in range(version, SCHEMA_VERSION) if v in STEPS]
