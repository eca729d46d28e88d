"""Files handed to the window from outside (dropped on it, given on the command line, double-clicked
in Explorer while it runs): a USB package (.stdpkg) opens the exchange import with its check, an
Excel workbook (.xlsx, or an .xls, which the import explains) the Excel import."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from desktop.core.i18n import _

PACKAGE = (".stdpkg",)
WORKBOOK = (".xlsx", ".xls")


def kind_of(path: str | Path) -> str | None:
    """"package", "workbook", or None for a file the program does not open."""
    suffix = Path(path).suffix.lower()
    return "package" if suffix in PACKAGE else "workbook" if suffix in WORKBOOK else None


def openable(paths: Iterable[str | Path]) -> list[Path]:
    return [Path(p) for p in paths if kind_of(p) is not None]


def open_file(window: Any, path: str | Path) -> str | None:
    """Open ``path`` in the import it belongs to; its kind, or None (then the status bar says why)."""
    path = Path(path)
    kind = kind_of(path)
    if kind is None or not path.is_file():
        window.statusBar().showMessage(_("{file} cannot be opened here: StdAward opens USB packages (.stdpkg) and "
                                         "Excel workbooks (.xlsx).").format(file=path.name) if kind is None else
                                       _("{file} does not exist.").format(file=path), 15000)
        return None
    window.ctx.require_store()
    if kind == "package":
        window.show_view("exchange").open_package(path)
    else:
        from desktop.ui import excel

        window.show_view("achievements")
        excel.import_workbook(window, str(path))
    return kind
