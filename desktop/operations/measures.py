"""Policies and the office's own local measures: list, check, install (administrator), compare.

One implementation for the CLI and the GUI: installing a measure whose id is already installed is
refused unless ``replace=True`` is asked for explicitly (and then it is in the audit log).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.operations.session import Session


def policy_dirs_for(db_path: Path) -> list[Path]:
    from desktop.store.paths import folder_for

    return [folder_for(db_path, "policies")]


def installed_for(db_path: Path) -> list[dict[str, Any]]:
    """The seed policies and the office's measures beside ``db_path`` (the database need not be open)."""
    from desktop.core.policies import installed

    return installed(policy_dirs_for(db_path))


def installed_policies(session: Session) -> list[dict[str, Any]]:
    from desktop.core.policies import installed

    return installed(session.policy_dirs())


def load_policy(session: Session, policy_id: str) -> Any:
    from desktop.core.policies import load_policy as load

    return load(policy_id, session.policy_dirs())
