"""The office's wording of the 公示 list and the 不予奖补告知书, kept in the ``Setting`` table like the
notice template (``template_store``; no schema of its own).

``current()`` is the wording in force (``{}`` until an office saves one: the defaults of
``desktop.notices.public_wording`` apply) and its version; ``save(template, user)`` validates it,
gives it the next version, keeps every earlier version under its own key and audits the change.
A letter carries its wording in its content; a 公示 list keeps the wording of its first print under
``publicity_list.<the 公示's id>`` (``list_wording`` / ``keep_list_wording``), so saving a new
version never changes a reprint.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.notices import public_wording as PW
from desktop.operations import template_store
from desktop.store import audit
from desktop.store.models import AuditEntry, Setting, database, now

KEY = "publicity_template"
LIST_KEY = "publicity_list"


def current() -> tuple[int, dict[str, Any]]:
    """(version, template) in force; (0, {}) when the office has never saved one."""
    return template_store.current_at(KEY)


def in_force(check: bool = True) -> dict[str, Any]:
    """The wording a document is made with now (the defaults filled in, with its version); with
    ``check``, refused when the row in force was changed outside the program."""
    if check:
        template_store.check_against_log(KEY, KEY)
    version, template = current()
    out = PW.merged(template)
    out["version"] = version  # 0: the defaults, never saved
    return out


def save(template: Mapping[str, Any], user: str, expected: int | None = None) -> int:
    """Validate and store ``template`` as the next version; returns the version number. Raises
    ValidationFailed (naming each text) and stores nothing when it is not usable."""
    return template_store.save_at(KEY, template, PW.validate, user, expected)


def history() -> list[dict[str, Any]]:
    """Every saved version, oldest first (version, template, saved_by, saved_at)."""
    return template_store.history_at(KEY)


def list_wording(publicity_uuid: str) -> dict[str, Any] | None:
    """The wording a 公示's list was first printed with, or None before its first print. Raises
    StdAwardError when that wording no longer matches the digest its first print recorded in the
    audit log, or is not a wording this program would save (the Setting row was edited by hand)."""
    row = Setting.get_or_none(Setting.key == f"{LIST_KEY}.{publicity_uuid}")
    if row is None or not row.value:
        return None
    value = row.value
    words = value.get("wording") if isinstance(value, Mapping) else None
    recorded = _recorded_digest(publicity_uuid)
    if (not isinstance(words, Mapping) or (recorded is not None and recorded != _digest(words))
            or PW.validate({k: v for k, v in words.items() if k != "version"})):
        raise StdAwardError(_("the wording the publicity list was first printed with was altered in the database: "
                              "it no longer matches what its first print recorded, so the list is not printed "
                              "again"))
    return dict(words)


def _digest(words: Mapping[str, Any]) -> str:
    return audit.fields_digest(json.loads(json.dumps(dict(words), default=str)))


def _recorded_digest(publicity_uuid: str) -> str | None:
    """The wording digest the list's first print recorded (None for a list printed before prints
    recorded one)."""
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
                     {"wording_version": words.get("version", 0), "wording_digest": _digest(words)})
