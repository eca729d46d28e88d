"""The office's notice wording template, kept in the ``Setting`` table (no schema of its own).

``current()`` is the template in force (``{}`` until an office saves one: the defaults of
``desktop.notices.wording`` apply) and its version; ``save(template, user)`` validates it, gives it
the next version number, keeps every earlier version under its own key (``history()``) and audits
the change. Issued notices carry the template they were worded with in their content, so saving a
new version never changes a reprint.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from desktop.core.errors import StaleRecord, StdAwardError, ValidationFailed
from desktop.core.i18n import N_, _
from desktop.notices import wording as W
from desktop.store import audit
from desktop.store.models import Setting, database, now

KEY = "notice_template"


def current_at(key: str) -> tuple[int, dict[str, Any]]:
    """(version, template) in force under ``key``; (0, {}) when the office has never saved one.
    The notice template and the 公示 wording (``public_template_store``) are kept alike."""
    row = Setting.get_or_none(Setting.key == key)
    if row is None or not row.value:
        return 0, {}
    return int(row.value.get("version", 0)), dict(row.value.get("template") or {})


def save_at(key: str, template: Mapping[str, Any], validate: Callable[[dict[str, Any]], list[Any]],
            user: str, expected: int | None = None) -> int:
    """Validate and store ``template`` as the next version under ``key`` (the earlier ones kept under
    ``key.vN``), audited with ``key`` as its record kind; returns the version number. Raises
    ValidationFailed (naming each field) and stores nothing when it is not usable. With
    ``expected`` (the version the officer's editor loaded), StaleRecord naming who saved another
    version since, and nothing stored: an administrator never silently undoes another's wording."""
    from desktop.store.backend import settings_lock

    clean = {k: v for k, v in dict(template).items() if k != "version"}
    problems = validate(clean)
    if problems:
        raise ValidationFailed(problems)
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


def current() -> tuple[int, dict[str, Any]]:
    """(version, template) in force; (0, {}) when the office has never saved one."""
    return current_at(KEY)


def check_against_log(key: str, entity: str) -> None:
    """Raise StdAwardError unless the wording in force under ``key`` is what the audit log last
    recorded for ``entity`` (its version and texts): a row changed in the database, or put there
    without being saved, would word a new document as nobody decided."""
    import json

    from desktop.store.models import AuditEntry

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


def for_notices() -> dict[str, Any]:
    """The template a notice is worded with now (the defaults filled in, with its version); refused
    when the row in force was changed outside the program (``check_against_log``)."""
    check_against_log(KEY, "notice_template")
    version, template = current()
    out = W.merged(template)
    out["version"] = version  # 0: the defaults, never saved
    return out


def save(template: Mapping[str, Any], user: str, expected: int | None = None) -> int:
    """Validate and store ``template`` as the next version; returns the version number.
    Raises ValidationFailed (naming each field) and stores nothing when it is not usable;
    StaleRecord when ``expected`` is not the version in force (``save_at``)."""
    return save_at(KEY, template, W.validate, user, expected)


def history() -> list[dict[str, Any]]:
    """Every saved version, oldest first (version, template, saved_by, saved_at)."""
    return history_at(KEY)
