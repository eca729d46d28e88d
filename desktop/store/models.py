"""peewee models: one deferred database object, bound at start by ``desktop.store.db.open_db``.

Money columns are ``DecimalField(decimal_places=2)`` stored as text-exact decimals; JSON columns hold
lists/dicts serialised with sorted keys so hashes of rows are stable.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from peewee import SQL as _SQL
from peewee import (
    BigIntegerField,
    BlobField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    Field,
    ForeignKeyField,
    IntegerField,
    Model,
    SqliteDatabase,
    TextField,
)

from desktop.core.ids import ordered_uuid, random_uuid

database = SqliteDatabase(None)


def new_uuid() -> str:
    """A new record's global id, in time order (``desktop.core.ids``)."""
    return ordered_uuid()


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


class StoredText(str):
    """A JSON column's text that is not JSON (the file edited outside the program), as it is stored:
    what a check reading in ``as_stored()`` gets, so its digest differs from the one logged."""


_AS_STORED = threading.local()


@contextmanager
def as_stored() -> Iterator[None]:
    """Within: a JSON column whose text is not JSON is read as ``StoredText``, not refused (the audit
    check must go on and name the record; nothing else should compute on such a value)."""
    was = getattr(_AS_STORED, "on", False)
    _AS_STORED.on = True
    try:
        yield
    finally:
        _AS_STORED.on = was


class JSONField(TextField):
    def db_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value: str | None) -> Any:
        if value is None:
            return None
        try:
            return json.loads(value)
        except (ValueError, TypeError):
            if getattr(_AS_STORED, "on", False):
                return StoredText(value)
            from desktop.core.errors import UnreadableValue
            from desktop.core.i18n import _

            raise UnreadableValue(_("the database holds a value the program did not write (it was changed outside "
                                    "the program); {view} → {button} in the window, or \"stdaward audit-verify\", "
                                    "names the record; then restore a backup").format(
                view=_("Audit log"), button=_("Check the chain"))) from None


class MoneyField(Field):
    """Exact yuan, stored as TEXT ("35000.00") so SQLite never turns it into a float."""

    field_type = "TEXT"

    def db_value(self, value: Decimal | str | None) -> str | None:
        if value is None:
            return None
        from desktop.core.money import to_money

        return format(to_money(value), "f")

    def python_value(self, value: str | None) -> Decimal | None:
        return None if value is None else Decimal(value)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


def version_field() -> IntegerField:
    """The row's edit count (v5): 1 when created, one more at every change made through the program.
    A database default too, so the bulk paths that insert with the cursor need not name it."""
    return IntegerField(default=1, constraints=[_SQL("DEFAULT 1")])


class Versioned(BaseModel):
    """A record officers edit on several PCs at once: optimistic concurrency (v5).

    ``save()`` of a loaded row writes only if the row still has the version it was loaded with
    (``WHERE id = ? AND version = ?``) and bumps it; when another officer changed it meanwhile nothing
    is written and ``desktop.core.errors.StaleRecord`` says who changed it and when. A form that
    keeps a record open carries the version it loaded (``desktop.store.concurrency.check``)."""

    version: Any

    def save(self, force_insert: bool = False, only: Any = None) -> Any:
        if force_insert or self._pk is None:
            return super().save(force_insert=force_insert, only=only)
        loaded = int(self.version or 1)
        self.version = loaded + 1
        if only is not None:
            only = [*only, type(self).version]
        self._expected = loaded
        try:
            rows = super().save(only=only)
        finally:
            del self._expected
        if not rows:
            self.version = loaded
            from desktop.store.concurrency import stale

            raise stale(self)
        return rows

    def _pk_expr(self) -> Any:
        expr = super()._pk_expr()
        expected = getattr(self, "_expected", None)
        return expr if expected is None else expr & (type(self).version == expected)


class Office(Versioned):
    """The office running this database (a single row): who issues notices and exports."""

    uuid = CharField(unique=True, default=new_uuid)
    name = CharField()  # issuing authority, e.g. 莆田市城厢区市场监督管理局
    region_code = CharField(max_length=6)  # GB/T 2260
    doc_prefix = CharField(default="")  # 发文字号 prefix, e.g. 城市监
    policy_id = CharField(null=True)  # the policy in force
    signatory = CharField(null=True)
    role = CharField(default="county")  # county | city
    signing_key = TextField(null=True)  # Ed25519 private key (PEM), created at set-up
    public_key = TextField(null=True)
    settings = JSONField(default=dict)
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)
    version = version_field()  # v6: two administrators saving the settings at once (class Versioned)


class User(BaseModel):
    username = CharField(unique=True)
    display_name = CharField()
    role = CharField(default="clerk")  # clerk | reviewer | admin
    password_hash = CharField()  # scrypt$N$r$p$salt$hash
    active = BooleanField(default=True)
    created_at = DateTimeField(default=now)


class Enterprise(Versioned):
    uuid = CharField(unique=True, default=new_uuid)
    uscc = CharField(max_length=18, unique=True)
    name = CharField(index=True)
    region_code = CharField(max_length=6, null=True)
    address = CharField(null=True)
    contact = CharField(null=True)
    phone = CharField(null=True)
    origin = CharField(null=True, index=True)  # office uuid it came from (city role); null = local
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)
    version = version_field()  # v5: optimistic concurrency (class Versioned)


class Achievement(Versioned):
    uuid = CharField(unique=True, default=new_uuid)
    source_id = CharField()  # the "id" of the vocabulary (unique per enterprise batch); indexed with the enterprise
    # v8: one index on (enterprise, id) in place of one on each: an id is one enterprise's, and every
    # county numbers its records alike, so the id's own index took each county's new entries in
    # between every other county's at the city (see Meta)
    enterprise = ForeignKeyField(Enterprise, backref="achievements", on_delete="RESTRICT", index=False)
    kind = CharField(index=True)
    date = DateField(index=True)
    ref = CharField(null=True, index=True)
    title = CharField(null=True)
    level = CharField(null=True)
    action = CharField(null=True)
    rank = IntegerField(null=True)
    body = CharField(null=True)
    prize = CharField(null=True)
    grade = CharField(null=True)
    domain = CharField(null=True)
    accepted = BooleanField(null=True)
    note = TextField(null=True)
    units = JSONField(null=True)
    natural_key = CharField(index=True)  # the duplicate identity, as text
    origin = CharField(null=True, index=True)
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)
    version = version_field()  # v5: optimistic concurrency (class Versioned)

    class Meta:
        indexes = ((("enterprise", "source_id"), False),)  # achievement_enterprise_id_source_id (v8)


class Evidence(BaseModel):
    """A file attached to an achievement, copied into the data folder and stored by SHA-256."""

    achievement = ForeignKeyField(Achievement, backref="evidence", on_delete="CASCADE")
    filename = CharField()
    sha256 = CharField(max_length=64, index=True)
    size = IntegerField()
    added_at = DateTimeField(default=now)


class AwardRound(BaseModel):
    """One award round: a year's achievements computed under a policy, reviewed and approved."""

    uuid = CharField(unique=True, default=new_uuid)
    year = IntegerField(index=True)
    policy_id = CharField()
    policy_hash = CharField()  # content hash of the policy file used
    status = CharField(default="draft")  # draft | submitted | approved | returned
    prepared_by = CharField(null=True)
    reviewed_by = CharField(null=True)
    created_at = DateTimeField(default=now)
    approved_at = DateTimeField(null=True)
    note = TextField(null=True)
    approved_digest = CharField(max_length=64, null=True)  # digest of the lines as approved (v3)


class Award(Versioned):
    uuid = CharField(unique=True, default=new_uuid)
    round = ForeignKeyField(AwardRound, backref="awards", on_delete="CASCADE")
    achievement = ForeignKeyField(Achievement, backref="awards", on_delete="RESTRICT")
    status = CharField()  # awarded | not_eligible | discretionary | unspecified | duplicate
    amount = MoneyField(null=True)  # computed (or, for discretionary, set by an officer)
    rule = CharField(null=True)
    clause = CharField(null=True)
    fund = CharField(null=True)
    explanation = TextField()
    flags = JSONField(default=list)
    decision = CharField(default="proposed")  # proposed | approved | rejected | paid
    updated_at = DateTimeField(default=now)
    version = version_field()  # v5: optimistic concurrency (class Versioned)


class AwardEvent(BaseModel):
    """Status history of an award decision (who moved it from what to what, and why)."""

    award = ForeignKeyField(Award, backref="events", on_delete="CASCADE")
    at = DateTimeField(default=now)
    user = CharField()
    before = CharField(null=True)
    after = CharField()
    amount_before = MoneyField(null=True)
    amount_after = MoneyField(null=True)
    note = TextField(null=True)


class NoticeSerial(BaseModel):
    """The last 发文字号 serial used per office prefix and year: allocated, never reused."""

    prefix = CharField()
    year = IntegerField()
    last = IntegerField(default=0)

    class Meta:
        indexes = ((("prefix", "year"), True),)


class Notice(BaseModel):
    uuid = CharField(unique=True, default=random_uuid)  # printed (its QR code carries the first part)
    round = ForeignKeyField(AwardRound, null=True, backref="notices", on_delete="RESTRICT")
    enterprise = ForeignKeyField(Enterprise, backref="notices", on_delete="RESTRICT")
    year = IntegerField()
    serial = IntegerField()
    doc_number = CharField(unique=True)  # 城市监〔2026〕12号
    issued_on = DateField()
    status = CharField(default="issued")  # issued | failed | void
    content = JSONField()  # everything the notice was made from (reprints are identical)
    content_hash = CharField(max_length=64)
    total = MoneyField()
    created_at = DateTimeField(default=now)


class TargetValue(BaseModel):
    """A value an office enters for a target that records cannot count (with date and source)."""

    policy_id = CharField()
    target_id = CharField()
    value = CharField()
    as_of = DateField()
    source = CharField()
    entered_by = CharField(null=True)
    created_at = DateTimeField(default=now)


class KnownOffice(BaseModel):
    """An office whose packages this database accepts (the city registers each county's key)."""

    uuid = CharField(unique=True)
    name = CharField()
    region_code = CharField(max_length=6)
    public_key = TextField()
    last_sequence = IntegerField(default=0)
    registered_at = DateTimeField(default=now)


class PackageLog(BaseModel):
    """Every package exported from or imported into this database."""

    direction = CharField()  # export | import
    office_uuid = CharField(index=True)
    sequence = IntegerField()
    sha256 = CharField(max_length=64, index=True)
    path = CharField(null=True)
    summary = JSONField(default=dict)
    at = DateTimeField(default=now)


class AuditEntry(BaseModel):
    """Append-only, hash-chained log of every change to money and status."""

    at = DateTimeField(default=now)
    user = CharField()
    action = CharField()
    entity = CharField()  # table name
    entity_uuid = CharField(null=True, index=True)
    before = JSONField(null=True)
    after = JSONField(null=True)
    prev_hash = CharField(max_length=64)
    hash = CharField(max_length=64, unique=True)
    state = JSONField(null=True)  # "entity:key" -> digest of the audited fields after the change (v3)


class Payment(BaseModel):
    """Money paid out (拨付) on a notice; a reversal is a row of its own pointing at what it reverses."""

    uuid = CharField(unique=True, default=new_uuid)
    notice = ForeignKeyField(Notice, backref="payments", on_delete="RESTRICT")
    paid_on = DateField()
    amount = MoneyField()  # positive; a reversal carries the reversed amount
    reference = CharField()  # voucher number or bank reference
    reverses = ForeignKeyField("self", null=True, backref="reversals", on_delete="RESTRICT")
    note = TextField(null=True)
    user = CharField()
    created_at = DateTimeField(default=now)


class Publicity(BaseModel):
    """The 公示 of an approved round's list (v4): its period in working days, where objections go.
    A round has at most one current 公示; an upheld objection supersedes it (the round is reviewed
    again and publicised anew)."""

    uuid = CharField(unique=True, default=new_uuid)
    round = ForeignKeyField(AwardRound, backref="publicities", on_delete="RESTRICT")
    starts_on = DateField()
    days = IntegerField()  # working days
    ends_on = DateField()  # the last working day of the period
    objections_to = TextField()  # where objections are sent (address, mailbox)
    contact = TextField()  # contact person and telephone
    started_by = CharField()
    started_at = DateTimeField(default=now)
    status = CharField(default="open")  # open | superseded
    calendar_note = TextField(null=True)  # years counted Monday to Friday (holidays not known yet)


class Objection(BaseModel):
    """An objection (异议) raised during a 公示 against one line of the round, and how it was closed."""

    uuid = CharField(unique=True, default=random_uuid)  # officers name one by its first 8 characters
    publicity = ForeignKeyField(Publicity, backref="objections", on_delete="RESTRICT")
    award = ForeignKeyField(Award, backref="objections", on_delete="RESTRICT")
    raised_by = CharField()  # who raised it (a person, an enterprise)
    raised_on = DateField()
    text = TextField()
    recorded_by = CharField()
    recorded_at = DateTimeField(default=now)
    outcome = CharField(default="open")  # open | upheld | rejected
    reason = TextField(null=True)
    closed_by = CharField(null=True)
    closed_at = DateTimeField(null=True)


class RefusalLetter(BaseModel):
    """A 不予奖补告知书 as printed (v4): what it was made from, so a reprint is identical and its
    发文字号 (when the office numbers these letters) is never given twice."""

    uuid = CharField(unique=True, default=random_uuid)  # printed (its QR code carries the first part)
    round = ForeignKeyField(AwardRound, backref="refusal_letters", on_delete="RESTRICT")
    enterprise = ForeignKeyField(Enterprise, backref="refusal_letters", on_delete="RESTRICT")
    lines = JSONField()  # the refused award lines it covers (their uuids, sorted)
    issued_on = DateField()
    doc_number = CharField(null=True, unique=True)
    content = JSONField()
    content_hash = CharField(max_length=64)
    created_by = CharField()
    created_at = DateTimeField(default=now)


class Setting(BaseModel):
    key = CharField(primary_key=True)
    value = JSONField(null=True)


class StoredFile(BaseModel):
    """A file's contents kept in the database (v6), by SHA-256: on a server, the evidence every PC of
    the office opens (``desktop.store.files``). The row is written after all its chunks, so a row
    means the whole file is there. Empty on a PC's SQLite file, whose evidence folder holds them."""

    sha256 = CharField(max_length=64, primary_key=True)
    size = BigIntegerField()
    chunks = IntegerField()
    created_at = DateTimeField(default=now)


class FileChunk(BaseModel):
    """One piece (at most ``desktop.store.files.CHUNK`` bytes) of a stored file, in order (v6)."""

    sha256 = CharField(max_length=64)
    seq = IntegerField()
    data = BlobField()

    class Meta:
        primary_key = CompositeKey("sha256", "seq")


class InstalledMeasure(BaseModel):
    """A local measure the office installed (v6): its policy file and worked cases as text, so every
    PC sharing the database computes with the same measure; each PC's ``policies`` folder is a copy
    made from these rows (``desktop.store.files.sync_measures``)."""

    measure_id = CharField(primary_key=True)
    policy = TextField()  # the policy file (TOML)
    cases = TextField(null=True)  # its worked cases (cases/<id>.toml), if it has its own file
    sha256 = CharField(max_length=64)  # of ``policy``, as the audit entry of the install records it
    installed_by = CharField()
    installed_at = DateTimeField(default=now)


class AwardSum(BaseModel):
    """The paying award lines of another office (a county at a city), summed per round, county, year,
    rule and fund (v7): what the consolidation report reads (``desktop.store.award_sums``), kept in
    the same transaction as every import that changes the lines."""

    round_uuid = CharField(index=True)
    origin = CharField(null=True)  # the achievements' (the county's, behind a city's package)
    year = IntegerField(index=True)
    rule = CharField()
    fund = CharField()
    clause = CharField(null=True)
    policy_id = CharField(null=True)
    count = IntegerField()
    total = TextField()  # exact yuan as text, like the amounts


class SentEnterprise(BaseModel):
    """An origin (a county) that sent achievements of an enterprise of another origin, or of the
    office's own (v7): the consolidation's check of enterprises in two counties reads these pairs."""

    origin = CharField(index=True)
    enterprise_id = IntegerField()


class StaleOrigin(BaseModel):
    """An origin whose ``SentEnterprise`` pairs a write has made out of date (v7), until worked out again."""

    origin = CharField(primary_key=True)


class SummedRound(BaseModel):
    """A round another office sent whose paying lines ``award_sum`` keeps (v7), and that sender."""

    round_uuid = CharField(primary_key=True)
    sender = CharField(index=True)


class ClaimKey(BaseModel):
    """What an achievement of another office's county claims (v7): its standard's number, or a
    prize's scheme, number or title and year (``claim``, see ``desktop.store.award_sums``), with its
    county (``origin``) and year; kept at import time, so the consolidation's check of claims in two
    counties reads keys instead of working them out of every record."""

    kind = CharField()
    claim = TextField()
    origin = CharField(index=True)
    year = CharField()
    achievement_id = IntegerField()

    class Meta:
        indexes = ((("kind", "claim", "origin"), False),)


class SharedClaim(BaseModel):
    """A claim key that ``claim_key`` holds from two counties or more (v7, noted at import time; a
    key that stops being shared may stay: the report checks the counties again)."""

    kind = CharField()
    claim = TextField()

    class Meta:
        primary_key = CompositeKey("kind", "claim")


class DeferredUpkeep(BaseModel):
    """A row only inside an import's own transaction (SQLite, v7): schema 7's triggers stand aside
    while it is there, as the import keeps the sums and keys itself at its end; never committed."""

    holder = IntegerField(primary_key=True)


ALL_MODELS: list[type[BaseModel]] = [
    Office, User, Enterprise, Achievement, Evidence, AwardRound, Award, AwardEvent, NoticeSerial,
    Notice, TargetValue, KnownOffice, PackageLog, AuditEntry, Setting, Payment, Publicity, Objection, RefusalLetter,
    StoredFile, FileChunk, InstalledMeasure, AwardSum, SentEnterprise, StaleOrigin, SummedRound, ClaimKey, SharedClaim,
    DeferredUpkeep,
]
# the file contents a server database keeps (a SQLite file keeps them in its evidence folder)
FILE_MODELS: list[type[BaseModel]] = [StoredFile, FileChunk]
