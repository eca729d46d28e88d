"""Schema versions and forward migrations (``PRAGMA user_version``).

A new database is created at ``SCHEMA_VERSION``. An older one is first copied with ``VACUUM INTO``
(an automatic backup), then every step from its version up runs inside one transaction: either the
database reaches the current version with every row kept, or it stays exactly as it was.
To change the schema: edit the model, bump ``SCHEMA_VERSION``, add a step below (import
``playhouse.migrate`` inside the step: opening a current database should not load it). A step runs
with the current models: a query of a model in an older step names only the columns it had then.

From v5 on the steps also run on PostgreSQL (``desktop.store.pg.upgrade``: under an advisory lock,
in one transaction, recorded in the audit chain), so a step writes SQL both engines take; a server
database was first created at v4, so the earlier steps are SQLite-only (``SERVER_FROM``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # peewee is imported by the steps: the GUI checks SCHEMA_VERSION before loading it
    from peewee import Database, SqliteDatabase

SCHEMA_VERSION = 8
# The last schema that changed what an exchange package carries: its manifest says this one, so a
# program that knows it reads the package (v8 changed an index, nothing a package holds).
PACKAGE_SCHEMA = 7
SERVER_FROM = 4  # the oldest server schema the steps upgrade (PostgreSQL came with v4)
VERSIONED_TABLES = ("enterprise", "achievement", "award")


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


def _v4_to_v5(db: Database) -> None:
    """v5: optimistic concurrency. Enterprises, achievements and award lines carry an edit count
    (``version``, 1 for every row already there); a change is written only at the version the
    officer's form loaded (``desktop.store.concurrency``). Same SQL on SQLite and PostgreSQL."""
    for table in VERSIONED_TABLES:
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1')


def _v5_to_v6(db: Database) -> None:
    """v6: one office on a server. File contents kept in the database (evidence on a server, by
    SHA-256, in chunks), the installed local measures as rows (every PC computes with the same ones),
    and a version on the office profile (two administrators saving the settings at once). The
    measures already installed beside the database (on a server: beside this PC's connection) are
    taken in; a server's evidence is taken in from each PC's folder as it opens
    (``desktop.store.files.take_in``)."""
    from desktop.store import files
    from desktop.store.models import FileChunk, InstalledMeasure, StoredFile

    db.execute_sql('ALTER TABLE "office" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1')
    models = [StoredFile, FileChunk, InstalledMeasure]
    db.create_tables(models)
    if files.is_server():
        from desktop.store.pg import text_columns

        text_columns(models)
    files.take_in_measures(files.open_path())


def _v6_to_v7(db: Database) -> None:
    """v7: the consolidation report's sums and keys kept at import time. The paying award lines of
    the rounds other offices sent (a city's counties) summed per round, county, year, rule and fund
    (``award_sum``, ``summed_round``, see ``desktop.store.award_sums``), the enterprises each county
    sent of another's (``sent_enterprise``, ``stale_origin``), what each county's records claim
    (``claim_key``, ``shared_claim``), all worked out here from the rows already held; the table an
    import's transaction stands the triggers aside with (SQLite, ``deferred_upkeep``); on PostgreSQL the claim
    check's key indexes, which the first report of a city used to build. Same SQL on both engines,
    in the upgrade's one transaction."""
    from desktop.store import award_sums
    from desktop.store.models import (
        AwardSum,
        ClaimKey,
        DeferredUpkeep,
        SentEnterprise,
        SharedClaim,
        StaleOrigin,
        SummedRound,
    )

    models = [AwardSum, SentEnterprise, StaleOrigin, SummedRound, ClaimKey, SharedClaim, DeferredUpkeep]
    db.create_tables(models)
    if award_sums.is_postgres():
        from desktop.store.pg import text_columns

        text_columns(models)
    award_sums.install()
    award_sums.refresh_all()


def _v7_to_v8(db: Database) -> None:
    """v8: one index of the achievements on (enterprise, id) in place of one on the enterprise and one
    on the id. The id is the officer's, unique within one enterprise's records, and every county
    numbers its records alike: at a city of 49 counties the id's own index took each new county's
    entries in between every other county's (3,866 pages of its 3,866 written for a package of
    20,000); keyed by the enterprise first they sit together, and the lookups by id all name the
    enterprise or go through it. Same SQL on both engines."""
    db.execute_sql("DROP INDEX IF EXISTS achievement_source_id")
    db.execute_sql("DROP INDEX IF EXISTS achievement_enterprise_id")
    db.execute_sql("CREATE INDEX IF NOT EXISTS achievement_enterprise_id_source_id ON achievement "
                   "(enterprise_id, source_id)")


STEPS: dict[int, tuple[str, Callable[[Any], None]]] = {
    1: ("enterprise phone, round note", _v1_to_v2),
    2: ("money trail: audited row digests, approval digest, payments", _v2_to_v3),
    3: ("publicity (公示) periods, objections, letters of refusal", _v3_to_v4),
    4: ("record versions for optimistic concurrency", _v4_to_v5),
    5: ("file contents and local measures in the database, office profile version", _v5_to_v6),
    6: ("consolidation sums and claim keys kept at import, claim key indexes", _v6_to_v7),
    7: ("one index of the achievements on enterprise and id", _v7_to_v8),
}


def pending(version: int) -> list[int]:
    return [v for v in range(version, SCHEMA_VERSION) if v in STEPS]
