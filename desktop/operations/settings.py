"""The office profile and the office's settings (admin only to change)."""
from __future__ import annotations

from typing import Any

from desktop.operations.session import Session


def office(session: Session) -> Any:
    """The office profile row, or None before set-up."""
    from desktop.store import office as store

    return store.get()


def office_dict(session: Session) -> dict[str, Any]:
    from desktop.store import office as store

    return store.as_dict(store.get())


def update_office(session: Session, **values: Any) -> Any:
    """Change the office profile (issuing authority, region, 发文字号 prefix, policy, signatory,
    settings); the first set-up of an office without accounts is allowed to its implicit admin."""
    from desktop.store import office as store

    session.require("office.settings")
    return store.update(user=session.username, **values)


def validate_office(session: Session, values: dict[str, Any]) -> list[Any]:
    from desktop.store import office as store

    return store.validate(values)
