"""The 发文字号 register: the next serial per prefix and year, allocated inside the issuing
transaction and settable by an administrator.

An office that numbers all its documents in one register (its OA system) continues from its own
next number: ``set_next(prefix, year, number, user)`` makes ``number`` the next serial this program
allocates. It is never set at or below a number already used (issued, failed or voided notices,
or a number an earlier setting skipped past), so no 发文字号 is ever given twice. The role check
(administrators only) belongs to the operations layer.
"""
from __future__ import annotations

from peewee import fn

from desktop.core.errors import Problem, ValidationFailed
from desktop.core.i18n import _
from desktop.store import audit
from desktop.store.backend import is_postgres
from desktop.store.models import Notice, NoticeSerial, database

MAX_SERIAL = 999_999


def allocate(prefix: str, year: int, count: int = 1) -> list[int]:
    """The next ``count`` serials for ``prefix`` and ``year`` (call inside a transaction)."""
    row = _register_row(prefix, year)
    start = last_used(prefix, year) + 1
    NoticeSerial.update(last=start + count - 1).where(NoticeSerial.id == row.id).execute()
    return list(range(start, start + count))


def _register_row(prefix: str, year: int) -> NoticeSerial:
    """The register's row for ``prefix`` and ``year``, created when missing. On PostgreSQL it is locked
    (``SELECT … FOR UPDATE``) until the transaction ends, so officers issuing at the same moment take
    their numbers one after the other: none is given twice or skipped. SQLite has one writer at a time."""
    if not is_postgres():
        row, _created = NoticeSerial.get_or_create(prefix=prefix, year=year, defaults={"last": 0})
        return row
    NoticeSerial.insert(prefix=prefix, year=year, last=0).on_conflict_ignore().execute()
    return (NoticeSerial.select().where(NoticeSerial.prefix == prefix, NoticeSerial.year == year)
            .for_update().get())


def hold(prefix: str, year: int) -> None:
    """Take the register of ``prefix`` and ``year`` for this transaction before deciding what to
    issue (PostgreSQL: a second officer issuing the same round waits, then finds it issued)."""
    if is_postgres():
        _register_row(prefix, year)


def last_used(prefix: str, year: int) -> int:
    """The highest serial used or passed over for ``prefix`` and ``year`` (0 if none)."""
    row = NoticeSerial.get_or_none(NoticeSerial.prefix == prefix, NoticeSerial.year == year)
    used = (Notice.select(fn.MAX(Notice.serial)).where(Notice.year == year,
                                                       Notice.doc_number.startswith(f"{prefix}〔")).scalar() or 0)
    return max(row.last if row else 0, used)


def next_serial(prefix: str, year: int) -> int:
    return last_used(prefix, year) + 1


def set_next(prefix: str, year: int, number: int, user: str) -> int:
    """Make ``number`` the next serial for ``prefix`` and ``year``; returns it. ValidationFailed
    (naming the field) when it is not above every number already used."""
    record = f"{prefix}〔{year}〕"
    if not prefix:
        raise ValidationFailed([Problem(record, "prefix", _("the office has no document number prefix"))])
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= MAX_SERIAL:
        raise ValidationFailed([Problem(record, "next", _("the next number is a whole number from 1 to {max}").format(
            max=MAX_SERIAL))])
    with database.atomic():
        row = _register_row(prefix, year)  # locked first (PostgreSQL): nobody issues while it is set
        used = last_used(prefix, year)
        if number <= used:
            raise ValidationFailed([Problem(record, "next", _(
                "{number} is already used: numbers up to {used} have been given, so the next can be {next} "
                "or higher").format(number=number, used=used, next=used + 1))])
        before = row.last
        NoticeSerial.update(last=number - 1).where(NoticeSerial.id == row.id).execute()
        audit.record(user, "update", "notice_serial", f"{prefix}/{year}", {"next": before + 1}, {"next": number})
    return number
