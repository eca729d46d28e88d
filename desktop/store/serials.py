"""发文字号 serials: the next numbers per office prefix and year, never below one already used."""
from __future__ import annotations

from peewee import fn

from desktop.store.models import Notice, NoticeSerial


def allocate(prefix: str, year: int, count: int = 1) -> list[int]:
    """The next ``count`` serials for ``prefix`` and ``year`` (call inside a transaction)."""
    row, _created = NoticeSerial.get_or_create(prefix=prefix, year=year, defaults={"last": 0})
    used = (Notice.select(fn.MAX(Notice.serial)).where(Notice.year == year,
                                                       Notice.doc_number.startswith(f"{prefix}〔")).scalar() or 0)
    start = max(row.last, used) + 1
    NoticeSerial.update(last=start + count - 1).where(NoticeSerial.id == row.id).execute()
    return list(range(start, start + count))
