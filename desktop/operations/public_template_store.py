"""The office's wording of the 公示 list and the 不予奖补告知书, kept in versions like the notice
template (``template_store``; stored by ``desktop.store.wording_versions``).

``current()`` is the wording in force (``{}`` until an office saves one: the defaults of
``desktop.notices.public_wording`` apply) and its version; ``save(template, user)`` validates it and
stores it as the next version. A letter carries its wording in its content; a 公示 list keeps the
wording of its first print (``list_wording`` / ``keep_list_wording``), so saving a new version never
changes a reprint.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.notices import public_wording as PW
from desktop.operations import template_store
from desktop.store.wording_versions import LIST_KEY

KEY = "publicity_template"
__all__ = ["KEY", "LIST_KEY", "current", "history", "in_force", "keep_list_wording", "list_wording", "save"]


def current() -> tuple[int, dict[str, Any]]:
    """(version, template) in force; (0, {}) when the office has never saved one."""
    from desktop.store import wording_versions

    return wording_versions.current_at(KEY)


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
    from desktop.store import wording_versions

    return wording_versions.history_at(KEY)


def list_wording(publicity_uuid: str) -> dict[str, Any] | None:
    """The wording a 公示's list was first printed with, or None before its first print. Raises
    StdAwardError when that wording no longer matches the digest its first print recorded in the
    audit log, or is not a wording this program would save (the Setting row was edited by hand)."""
    from desktop.store import wording_versions

    kept = wording_versions.list_wording(publicity_uuid)
    if kept is None:
        return None
    words, recorded = kept
    if (not isinstance(words, Mapping) or (recorded is not None and recorded != wording_versions.digest(words))
            or PW.validate({k: v for k, v in words.items() if k != "version"})):
        raise StdAwardError(_("the wording the publicity list was first printed with was altered in the database: "
                              "it no longer matches what its first print recorded, so the list is not printed "
                              "again"))
    return dict(words)


def keep_list_wording(publicity_uuid: str, words: Mapping[str, Any], user: str) -> None:
    """Record the wording of a 公示 list's first print (audited), so its reprints say the same."""
    from desktop.store import wording_versions

    wording_versions.keep_list_wording(publicity_uuid, words, user)
