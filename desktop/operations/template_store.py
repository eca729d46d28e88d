"""The office's notice wording template: the one in force, saving a new version, the versions kept.

``current()`` is the template in force (``{}`` until an office saves one: the defaults of
``desktop.notices.wording`` apply) and its version; ``save(template, user)`` validates it and has
``desktop.store.wording_versions`` keep it as the next version (every earlier one kept, the change
audited). Issued notices carry the template they were worded with in their content, so saving a
new version never changes a reprint. The role (an administrator) is checked by the callers in
``desktop.operations.wording``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from desktop.core.errors import ValidationFailed
from desktop.notices import wording as W

KEY = "notice_template"


def save_at(key: str, template: Mapping[str, Any], validate: Callable[[dict[str, Any]], list[Any]],
            user: str, expected: int | None = None) -> int:
    """Validate ``template`` and store it as the next version under ``key``; returns the version
    number. Raises ValidationFailed (naming each field) and stores nothing when it is not usable;
    StaleRecord when ``expected`` (the version the officer's editor loaded) is not the one in force."""
    from desktop.store import wording_versions

    clean = {k: v for k, v in dict(template).items() if k != "version"}
    problems = validate(clean)
    if problems:
        raise ValidationFailed(problems)
    return wording_versions.save_at(key, clean, user, expected)


def check_against_log(key: str, entity: str) -> None:
    """Raise StdAwardError unless the wording in force under ``key`` is what the audit log last
    recorded for ``entity`` (changed outside the program otherwise)."""
    from desktop.store import wording_versions

    wording_versions.check_against_log(key, entity)


def current() -> tuple[int, dict[str, Any]]:
    """(version, template) in force; (0, {}) when the office has never saved one."""
    from desktop.store import wording_versions

    return wording_versions.current_at(KEY)


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
    from desktop.store import wording_versions

    return wording_versions.history_at(KEY)
