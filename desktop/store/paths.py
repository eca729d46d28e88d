"""Where the office's data lives. One place, overridable for tests and portable use.

Order: an explicit ``--db`` path, then ``STDAWARD_DB``, then the user data folder from platformdirs
(``%LOCALAPPDATA%\\StdAward`` on Windows, ``~/.local/share/StdAward`` on Linux).
"""
from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "StdAward"
DB_FILENAME = "office.db"


def data_dir() -> Path:
    override = os.environ.get("STDAWARD_DATA")
    return Path(override) if override else user_data_path(APP_NAME, appauthor=False)


def default_db_path() -> Path:
    env = os.environ.get("STDAWARD_DB")
    if env and _is_url(env):
        return _server(env)
    return Path(env) if env else data_dir() / DB_FILENAME


def resolve_db_path(explicit: str | os.PathLike[str] | None) -> Path:
    """The database to open: a file, or for a ``postgresql://`` address the connection file that
    stands for that server database on this PC (``desktop.store.backend``)."""
    if explicit and _is_url(explicit):
        return _server(str(explicit))
    return Path(explicit).expanduser().resolve() if explicit else default_db_path().expanduser().resolve()


def _is_url(text: object) -> bool:
    return isinstance(text, str) and text.lower().startswith(("postgresql://", "postgres://"))


def _server(url: str) -> Path:
    from desktop.store.backend import connection_file

    return connection_file(url)


def folder_for(db_path: Path, name: str) -> Path:
    """A folder beside the database (``backups``, ``evidence``, ``policies``, ``notices``)."""
    return db_path.parent / f"{db_path.stem}-{name}"
