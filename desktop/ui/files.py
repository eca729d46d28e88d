"""Where open and save dialogs start: the folder the officer last used, else Documents, never the
program's working directory (``C:\\Program Files\\StdAward`` on an installed PC)."""
from __future__ import annotations

from pathlib import Path

from desktop.core.i18n import _
from desktop.ui import settings


def documents() -> Path:
    """The user's Documents folder (QStandardPaths knows its localised name), else the home folder."""
    from desktop.ui.qt import QStandardPaths

    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found and Path(found).is_dir() else Path.home()


def start_folder() -> Path:
    """The last folder used in a dialog if it is still there (a USB stick may be gone), else Documents."""
    last = settings.LAST_FOLDER.get()
    if last and Path(last).is_dir():
        return Path(last)
    return documents()


def start_in(name: str = "") -> str:
    """The dialog's starting path: ``name`` (a suggested file name) in ``start_folder()``."""
    return str(start_folder() / name) if name else str(start_folder())


def remember(path: str | Path) -> None:
    """Start the next dialog where this file (or folder) was chosen."""
    p = Path(path)
    settings.LAST_FOLDER.set(str(p if p.is_dir() else p.parent))


def kept_text(kept: object, path: object) -> str:
    """A file was already under the name chosen: it is left as it was, the new one is beside it."""
    return _("{kept} was already in the folder and is left as it was; this one was saved beside it as "
             "{name}.").format(kept=Path(str(kept)).name, name=Path(str(path)).name)
