"""The office's notice wording template, kept in the ``Setting`` table (no schema of its own).

``current()`` is the template in force (``{}`` until an office saves one: the defaults of
``desktop.notices.wording`` apply) and its version; ``save(template, user)`` validates it, gives it
the next version number, keeps every earlier version under its own key (``history()``) and audits
the change. Issued notices carry the template they were worded with in their content, so saving a
new version never changes a reprint.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from desktop.core.errors import StdAwardError, ValidationFailed
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
            user: str) -> int:
    """Validate and store ``template`` as the next version under ``key`` (the earlier ones kept under
    ``key.vN``), audited with ``key`` as its record kind; returns the version number. Raises
    ValidationFailed (naming each field) and stores nothing when it is not usable."""
    clean = {k: v for k, v in dict(template).items() if k != "version"}
    problems = validate(clean)
    if problems:
        raise ValidationFailed(problems)
    with database.atomic():
        version, before = current_at(key)
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


def for_notices() -> dict[str, Any]:
    """The template a notice is worded with now (the defaults filled in, with its version); refused
    when the row in force was changed outside the program (``check_against_log``)."""
    check_against_log(KEY, "notice_template")
    version, template = current()
    out = W.merged(template)
    out["version"] = version  # 0: the defaults, never saved
    return out


def save(template: Mapping[str, Any], user: str) -> int:
    """Validate and store ``template`` as the next version; returns the version number.
    Raises ValidationFailed (naming each field) and stores nothing when it is not usable."""
    return save_at(KEY, template, W.validate, user)


def history() -> list[dict[str, Any]]:
    """Every saved version, oldest first (version, template, saved_by, saved_at)."""
    return history_at(KEY)
