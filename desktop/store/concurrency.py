"""Optimistic concurrency for the records officers edit (schema v5): who changed a record meanwhile.

Enterprises, achievements and award lines (and from v6 the office profile) carry a ``version`` (``desktop.store.models.Versioned``).
A change is written ``WHERE id = ? AND version = ?`` with the version the officer's form loaded, and
bumps it. When no row matches, another officer changed (or removed) the record since: nothing is
written, and ``stale`` builds the message that says who and when, from the audit log, so the officer
reloads and makes the change again instead of silently undoing the other's.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from desktop.core.errors import StaleRecord
from desktop.core.i18n import _


def _what(row: Any) -> tuple[str, str, list[str]]:
    """(entity name in the audit log, label an officer reads, audit keys to look for) of a row."""
    from desktop.store.models import Achievement, Award, Enterprise, Office

    if isinstance(row, Office):  # v6: the office profile and settings
        return "office", _("The office settings"), [row.uuid]
    if isinstance(row, Enterprise):
        return "enterprise", _("Enterprise “{name}”").format(name=row.name), [row.uuid]
    if isinstance(row, Achievement):
        return "achievement", _("Achievement {id}").format(id=row.source_id), [row.uuid]
    if isinstance(row, Award):
        keys = [row.uuid]
        source = Achievement.select(Achievement.source_id).where(Achievement.id == row.achievement_id).scalar()
        from desktop.store.models import AwardRound

        round_uuid = AwardRound.select(AwardRound.uuid).where(AwardRound.id == row.round_id).scalar()
        if round_uuid:  # a recompute records the round, not each line
            keys.append(round_uuid)
        return "award", _("The award line of achievement {id}").format(id=source or "?"), keys
    name = type(row).__name__
    return name.lower(), name, [str(getattr(row, "uuid", ""))]


def when_text(at: dt.datetime, today: dt.date | None = None) -> str:
    """10:42 today, 2026-12-02 10:42 another day."""
    today = today or dt.date.today()
    return at.strftime("%H:%M") if at.date() == today else at.strftime("%Y-%m-%d %H:%M")


def last_change(keys: list[str]) -> tuple[str, dt.datetime, str] | None:
    """(who, when, action) of the newest audit entry about any of ``keys``; who is the account's full
    name where there is an account."""
    from desktop.store.models import AuditEntry, User

    entry = (AuditEntry.select(AuditEntry.user, AuditEntry.at, AuditEntry.action)
             .where(AuditEntry.entity_uuid.in_([k for k in keys if k]))
             .order_by(AuditEntry.id.desc()).first())
    if entry is None:
        return None
    shown = User.select(User.display_name).where(User.username == entry.user).scalar() or entry.user
    return shown, entry.at, entry.action


def stale(row: Any) -> StaleRecord:
    """The error for a save that found ``row`` changed or removed by someone else since it was loaded."""
    entity, label, keys = _what(row)
    gone = not type(row).select().where(type(row)._meta.primary_key == row.get_id()).exists()
    found = last_change(keys)
    if found is None:
        text = (_("{what} was removed by someone else meanwhile; nothing was saved") if gone else
                _("{what} was changed by someone else after you opened it; nothing was saved: reload it and make "
                  "your change again")).format(what=label)
        return StaleRecord(text, entity, keys[0], None)
    who, at, _action = found
    if gone:
        text = _("{what} was removed by {who} at {when}; nothing was saved").format(
            what=label, who=who, when=when_text(at))
    else:
        text = _("{what} was changed by {who} at {when} after you opened it; nothing was saved: reload it and "
                 "make your change again").format(what=label, who=who, when=when_text(at))
    return StaleRecord(text, entity, keys[0], who)


def check(row: Any, expected: int | None) -> None:
    """Refuse (StaleRecord) when the form loaded ``row`` at another version than it has now."""
    if expected is not None and int(expected) != int(row.version):
        row.version = int(expected)
        raise stale(row)


def bump(row: Any, expected: int | None = None, **values: Any) -> None:
    """``UPDATE … SET values, version = version + 1 WHERE id = ? AND version = ?`` for the loaded ``row``
    (at ``expected``, the version a form loaded, or the one ``row`` was read at); StaleRecord (nothing
    written) when another officer got there first."""
    model = type(row)
    at = int(row.version if expected is None else expected)
    n = (model.update(**values, version=model.version + 1)
         .where((model._meta.primary_key == row.get_id()) & (model.version == at)).execute())
    if not n:
        raise stale(row)
    row.version = at + 1
