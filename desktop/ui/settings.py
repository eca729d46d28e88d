"""Every desktop setting declared once, typed, with its default (Picard ``options.py`` style).

Stored with QSettings in an INI file in the data folder (``STDAWARD_DATA`` moves it, so tests and
portable installs keep their own), ``settings.ini``: ``desktop.ini`` (its name until 2026-12) is
the file Explorer reads for a folder's icon and hides, so an old one of ours is renamed once. Office-wide choices (notice font, ...) live in ``Office.settings``
in the database instead: they travel with the office, these stay with the person's computer.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from desktop.operations.quick import data_dir
from desktop.ui.qt import QByteArray, QSettings

T = TypeVar("T")


@dataclass(frozen=True)
class Option(Generic[T]):
    key: str
    default: T

    def get(self) -> T:
        value = store().value(self.key, self.default)
        if isinstance(self.default, bool):
            return (value in (True, "true", "1", 1)) if value is not None else self.default  # type: ignore[return-value]
        if isinstance(self.default, int) and not isinstance(value, int):
            try:
                return int(value)  # type: ignore[return-value]
            except (TypeError, ValueError):
                return self.default
        if isinstance(self.default, list) and not isinstance(value, list):
            return [value] if value else []  # type: ignore[return-value]
        return value if value is not None else self.default

    def set(self, value: T) -> None:
        s = store()
        s.setValue(self.key, value)
        s.sync()


LANGUAGE = Option[str]("ui/language", "")  # "" = the default (zh_CN) unless --lang/STDAWARD_LANG
GEOMETRY = Option[QByteArray]("window/geometry", QByteArray())
WINDOW_STATE = Option[QByteArray]("window/state", QByteArray())
LAST_VIEW = Option[str]("window/view", "enterprises")
RECENT_DATABASES = Option[list]("files/recent", [])
LAST_FOLDER = Option[str]("files/folder", "")
LAST_USER = Option[str]("login/user", "")
SERVER = Option[str]("files/server", "")  # the connection file of the server database opened last ("": a file)


SETTINGS_FILE = "settings.ini"
_OLD_FILE = "desktop.ini"  # reserved by Windows Explorer
_OUR_SECTIONS = ("[ui]", "[window]", "[files]", "[login]", "[tables]", "[General]")


def settings_file(folder: Path) -> Path:
    """The settings file in ``folder``, renaming our old ``desktop.ini`` to it once (an Explorer
    ``desktop.ini``, with its ``[.ShellClassInfo]``, is left alone)."""
    new, old = folder / SETTINGS_FILE, folder / _OLD_FILE
    if not new.exists() and old.is_file():
        try:
            text = old.read_text("utf-8", errors="replace")
            if ".ShellClassInfo" not in text and any(line.strip() in _OUR_SECTIONS for line in text.splitlines()):
                os.replace(old, new)
        except OSError as exc:  # unreadable or locked: start with defaults, keep the old file
            logging.getLogger(__name__).warning("could not move %s to %s: %s", old, new, exc)
    return new


_store: QSettings | None = None
_store_dir: str | None = None


def store() -> QSettings:
    """The QSettings object for the current data folder."""
    global _store, _store_dir
    folder = str(data_dir())
    if _store is None or _store_dir != folder:
        _store = QSettings(str(settings_file(data_dir())), QSettings.Format.IniFormat)
        _store_dir = folder
    return _store


def header_state(table: str) -> Option[QByteArray]:
    """Remembered column widths and order of one table."""
    return Option[QByteArray](f"tables/{table}", QByteArray())
