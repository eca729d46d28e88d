"""The office's wordings kept in versions, in the ``Setting`` table (no schema of their own): the
notice template (``notice_template``) and the 公示 wording (``publicity_template``), and the wording
each 公示 list was first printed with (``publicity_list.<the 公示's id>``).

Under ``key`` the row in force holds the version, the texts, who saved it and when; every version is
also kept under ``key.vN``; each save is audited with ``key`` as its record kind. What a usable
wording is, and its defaults, are the operations' (``desktop.operations.template_store`` and
``public_template_store``): this module stores what they have checked.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from desktop.core.errors import StaleRecord, StdAwardError
from desktop.core.i18n import N_, _
from desktop.store import audit
from desktop.store.models import AuditEntry, Setting, database, now

LIST_KEY = "publicity_list"


def current_at(key: str) -> tuple[int, dict[str, Any]]:
    """(version, template) in force under ``key``; (0, {}) when the office has never saved one."""
    row = Setting.get_or_none(Setting.key == key)
    if row is None or not row.value:
        return 0, {}
    return int(row.value.get("version", 0)), dict(row.value.get("template") or {})


def save_at(key: str, clean: dict[str, Any], user: str, expected: int | None = None) -> int:
    """Store ``clean`` (checked by the caller) as the next version under ``key`` (the earlier ones
    kept under ``key.vN``), audited with ``key`` as its record kind; returns the version number.
    With ``expected`` (the version the officer's editor loaded), StaleRecord naming who saved
    another version since, and nothing stored: an administrator never silently undoes another's
    wording."""
    from desktop.store.backend import settings_lock

    with database.atomic(), settings_lock():
        version, before = current_at(key)
        if expected is not None and int(expected) != version:
            raise stale(key)
        version += 1
        value = {"version": version, "template": clean, "saved_by": user, "saved_at": now().isoformat()}
        Setting.insert(key=key, value=value).on_conflict_replace().execute()
        Setting.insert(key=f"{key}.v{version}", value=value).on_conflict_replace().execute()
        audit.record(user, "update", key, None, {"version": version - 1, "template": before},
                     {"version": version, "template": clean})
    return version


def history_at(key: str) -> list[dict[str, Any]]:
    """Every version saved under ``key``, oldest first (version, template, saved_by, saved_at)."""
    rows = Setting.select().where(Setting.key.startswith(f"{key}.v"))
    return sorted((dict(r.value) for r in rows), key=lambda v: int(v["version"]))


def check_against_log(key: str, entity: str) -> None:
    """Raise StdAwardError unless the wording in force under ``key`` is what the audit log last
    recorded for ``entity`` (its version and texts): a row changed in the database, or put there
    without being saved, would word a new document as nobody decided."""
    row = Setting.get_or_none(Setting.key == key)
    if row is None or not row.value:
        return
    last = (AuditEntry.select(AuditEntry.after)
            .where(AuditEntry.entity == entity, AuditEntry.action == "update")
            .order_by(AuditEntry.id.desc()).first())  # type: ignore[attr-defined]  # peewee's implicit id
    value = row.value if isinstance(row.value, Mapping) else {}
    got = json.loads(json.dumps({"version": value.get("version"), "template": value.get("template")}, default=str))
    if last is None or last.after != got:
        raise StdAwardError(_("the office's wording ({what}) was changed outside the program: it no longer "
                              "matches what was last saved; an administrator should check it and save it again "
                              "in the settings").format(what=_(_WHAT.get(entity, entity))))


_WHAT = {"notice_template": N_("notice template"), "publicity_template": N_("publicity wording")}
_WHAT_SAVED = {"notice_template": N_("The notice wording"), "publicity_template": N_("The publicity wording")}


def stale(key: str) -> StaleRecord:
    """The error for a save of the wording under ``key`` when another version was saved since the
    editor loaded it: who saved it and when."""
    from desktop.store.concurrency import when_text
    from desktop.store.models import User

    row = Setting.get_or_none(Setting.key == key)
    value = row.value if row is not None and isinstance(row.value, Mapping) else {}
    what = _(_WHAT_SAVED.get(key, key))
    user = str(value.get("saved_by") or "")
    who = User.select(User.display_name).where(User.username == user).scalar() or user
    try:
        at = dt.datetime.fromisoformat(str(value.get("saved_at")))
    except ValueError:
        return StaleRecord(_("{what} was changed by someone else after you opened it; nothing was saved: reload it "
                             "and make your change again").format(what=what), key, key, None)
    return StaleRecord(_("{what} was changed by {who} at {when} after you opened it; nothing was saved: reload it and "
                         "make your change again").format(what=what, who=who, when=when_text(at)), key, key, who)


# ---------------------------------------------------------------- a 公示 list's wording, kept at its first print
def list_wording(publicity_uuid: str) -> tuple[Any, str | None] | None:
    """(the wording kept at the 公示 list's first print, as stored; the digest that print recorded in
    the audit log, None for a list printed before prints recorded one), or None before its first
    print."""
    row = Setting.get_or_none(Setting.key == f"{LIST_KEY}.{publicity_uuid}")
    if row is None or not row.value:
        return None
    value = row.value
    words = value.get("wording") if isinstance(value, Mapping) else None
    return words, _recorded_digest(publicity_uuid)


def digest(words: Mapping[str, Any]) -> str:
    return audit.fields_digest(json.loads(json.dumps(dict(words), default=str)))


def _recorded_digest(publicity_uuid: str) -> str | None:
    entries = (AuditEntry.select(AuditEntry.after)
               .where(AuditEntry.entity == "publicity", AuditEntry.entity_uuid == publicity_uuid,
                      AuditEntry.action == "print")
               .order_by(AuditEntry.id.desc()))  # type: ignore[attr-defined]  # peewee's implicit id
    for e in entries:
        if isinstance(e.after, Mapping) and e.after.get("wording_digest"):
            return str(e.after["wording_digest"])
    return None


def keep_list_wording(publicity_uuid: str, words: Mapping[str, Any], user: str) -> None:
    """Record the wording of a 公示 list's first print (audited), so its reprints say the same."""
    with database.atomic():
        value = {"wording": dict(words), "printed_by": user, "printed_at": now().isoformat()}
        Setting.insert(key=f"{LIST_KEY}.{publicity_uuid}", value=value).on_conflict_replace().execute()
        audit.record(user, "print", "publicity", publicity_uuid, None,
                     {"wording_version": words.get("version", 0), "wording_digest": digest(words)})
