"""The office's notice wording template, kept in the ``Setting`` table (no schema of its own).

``current()`` is the template in force (``{}`` until an office saves one: the defaults of
``desktop.notices.wording`` apply) and its version; ``save(template, user)`` validates it, gives it
the next version number, keeps every earlier version under its own key (``history()``) and audits
the change. Issued notices carry the template they were worded with in their content, so saving a
new version never changes a reprint.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desktop.core.errors import ValidationFailed
from desktop.notices import wording as W
from desktop.store import audit
from desktop.store.models import Setting, database, now

KEY = "notice_template"


def _key(version: int) -> str:
    return f"{KEY}.v{version}"


def current() -> tuple[int, dict[str, Any]]:
    """(version, template) in force; (0, {}) when the office has never saved one."""
    row = Setting.get_or_none(Setting.key == KEY)
    if row is None or not row.value:
        return 0, {}
    return int(row.value.get("version", 0)), dict(row.value.get("template") or {})


def for_notices() -> dict[str, Any]:
    """The template a notice is worded with now (the defaults filled in, with its version)."""
    version, template = current()
    out = W.merged(template)
    out["version"] = version  # 0: the defaults, never saved
    return out


def save(template: Mapping[str, Any], user: str) -> int:
    """Validate and store ``template`` as the next version; returns the version number.
    Raises ValidationFailed (naming each field) and stores nothing when it is not usable."""
    clean = {k: v for k, v in dict(template).items() if k != "version"}
    problems = W.validate(clean)
    if problems:
        raise ValidationFailed(problems)
    with database.atomic():
        version, before = current()
        version += 1
        value = {"version": version, "template": clean, "saved_by": user, "saved_at": now().isoformat()}
        Setting.insert(key=KEY, value=value).on_conflict_replace().execute()
        Setting.insert(key=_key(version), value=value).on_conflict_replace().execute()
        audit.record(user, "update", "notice_template", None, {"version": version - 1, "template": before},
                     {"version": version, "template": clean})
    return version


def history() -> list[dict[str, Any]]:
    """Every saved version, oldest first (version, template, saved_by, saved_at)."""
    rows = Setting.select().where(Setting.key.startswith(f"{KEY}.v"))
    return sorted((dict(r.value) for r in rows), key=lambda v: int(v["version"]))
