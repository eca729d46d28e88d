"""The office profile and the office's settings (admin only to change)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.operations.session import Session


def office(session: Session) -> Any:
    """The office profile row, or None before set-up."""
    from desktop.store import office as store

    return store.get()


def office_dict(session: Session) -> dict[str, Any]:
    """The office profile as the CLI shows it, with the settings' ``version`` (for ``--if-version``)."""
    from desktop.store import office as store

    row = store.get()
    return {**store.as_dict(row), "version": int(row.version)} if row is not None else {}


def office_version(session: Session) -> int | None:
    """The version of the office's settings (one more at every save, by any officer); None before set-up.
    A screen keeps the one it loaded and hands it back when it saves."""
    from desktop.store import office as store

    row = store.get()
    return None if row is None else int(row.version)


def update_office(session: Session, version: int | None = None, **values: Any) -> Any:
    """Change the office profile (issuing authority, region, 发文字号 prefix, policy, signatory,
    settings); the first set-up of an office without accounts is allowed to its implicit admin.
    With ``version`` (the one the officer's screen loaded): StaleRecord naming who saved the office's
    settings since, and nothing written."""
    from desktop.store import office as store

    session.require("office.settings")
    return store.update(user=session.username, version=version, known_policies=known_policies(), **values)


def known_policies() -> list[str]:
    """The ids of the policies an office may apply: the seeds and its own measures."""
    from desktop.core.policies import known_policy_ids
    from desktop.store.office import local_policy_dirs

    return list(known_policy_ids(local_policy_dirs()))


def validate_office(session: Session, values: dict[str, Any]) -> list[Any]:
    from desktop.store import office as store

    return store.validate(values, known_policies())


# ---------------------------------------------------------------- the notice fonts
@dataclass(frozen=True)
class FontOptions:
    """The font files a role (``body``, ``heading``) can use on this computer: ``automatic`` is the
    file used when none is chosen, ``files`` those installed, ``chosen`` the office's choice."""

    role: str
    automatic: str | None
    files: list[str]
    chosen: str | None


def font_options(session: Session) -> list[FontOptions] | None:
    """Per role, the fonts the notices may use; None when the notice printer is not installed."""
    from desktop.core.errors import StdAwardError
    from desktop.store import office as store

    try:
        from desktop.notices import fonts
    except ImportError:  # a build without the notice printer
        return None
    row = store.get()
    current = ((row.settings or {}).get("fonts") or {}) if row is not None else {}
    try:
        auto = fonts.choose({})
    except StdAwardError:
        auto = {}
    out = []
    for role in fonts.ROLES:
        names = [n for n, _i, _b in fonts.PREFERRED.get(role, ()) if fonts.find_file(n)] + [fonts.BUNDLED_FILE]
        want = current.get(role)
        want = want.get("file") if isinstance(want, dict) else want
        if want and want not in names:
            names.append(want)
        chosen = auto.get(role)
        out.append(FontOptions(role, chosen.file_name if chosen else None, list(dict.fromkeys(names)), want or None))
    return out


def choose_font(session: Session, role: str, file: str | None) -> Any:
    """Make ``file`` the notices' font for ``role`` (None: automatic). Refused (FontError, nothing
    saved) when the file is not installed on this computer; administrator only."""
    from desktop.notices import fonts
    from desktop.store import office as store

    session.require("office.settings")
    row = store.get()
    if row is None:
        raise StdAwardError(_("set up the office first"))
    new = dict(row.settings or {})
    chosen = dict(new.get("fonts") or {})
    if file:
        chosen[role] = file
    else:
        chosen.pop(role, None)
    new["fonts"] = chosen
    fonts.choose(new)
    return store.update(user=session.username, settings=new)


def policy_closings(session: Session) -> dict[str, Any]:
    """Policy id -> the date after which the office no longer applies it."""
    from desktop.store import office as store

    return store.policy_closings()


def close_policy(session: Session, policy_id: str, closes: Any, version: int | None = None) -> None:
    """Close a policy's validity on ``closes`` (a date; None reopens it): achievements after it are
    refused. Administrator only; audited. A bad id or a date before the policy took effect is a
    ValidationFailed naming the policy."""
    from desktop.core.errors import Problem, ValidationFailed
    from desktop.core.policies import PolicyError, closing, load_policy
    from desktop.store import office as store

    session.require("office.settings")
    try:
        policy = load_policy(policy_id, session.policy_dirs())  # PolicyError: no such policy
        if closes is not None:
            closing(policy, closes)  # PolicyError: before the policy takes effect
        store.close_policy(policy_id, closes, user=session.username, version=version)
    except PolicyError as exc:
        raise ValidationFailed([Problem(policy_id, "close-policy", exc.message)]) from None
