"""The one module that imports PySide6 for the whole UI (Anki ``aqt.qt`` / qutebrowser style).

Everything in ``desktop/ui`` imports Qt names from here: ``from desktop.ui.qt import QLabel, Qt``.
Names are looked up on first use in QtWidgets, then QtGui, then QtCore (the order in which later
modules' names win), and kept. A ``from PySide6.QtCore import *`` would instead build the Python
enum classes of every Qt type at start-up, which cost about a quarter of a second.

Rarely used, heavy modules (QtPdf, QtPrintSupport, QtNetwork) are imported through the functions at
the bottom so they cost nothing at start-up.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names a type checker sees; at run time they are looked up lazily below
    from PySide6.QtCore import *  # noqa: F403
    from PySide6.QtGui import *  # noqa: F403
    from PySide6.QtWidgets import *  # noqa: F403

if sys.version_info < (3, 12):  # pragma: no branch
    # PySide6 6.12 (abi3 wheels) returns None from every void method without a new reference.
    # Python 3.12+ does not count references to None (PEP 683); on 3.11 each call (setText,
    # update, processEvents...) takes one away, and after some thousand calls the interpreter
    # aborts with "deallocating None". Give None a count no session can use up, as 3.12 does.
    # True and False get the same (a "deallocating bool" abort was seen at the end of a long test
    # session). The 6.11 wheels do not have the fault, but QtPdf comes as its own small wheel only
    # from 6.12 on (before, it sat in the 650 MB Addons wheel with WebEngine): pyproject pins 6.12.x.
    import ctypes

    for _singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(_singleton)).value += 1 << 40

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QObject, Signal, Slot  # noqa: F401 - named for type checkers

_MODULES = (QtWidgets, QtGui, QtCore)


def __getattr__(name: str) -> Any:
    """A Qt class, enum namespace or function, from the first module that has it (PEP 562)."""
    if not name.startswith("__"):
        for module in _MODULES:
            value = getattr(module, name, _MODULES)
            if value is not _MODULES:
                globals()[name] = value
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def qconnect(signal: Any, slot: Callable[..., Any]) -> None:
    """Connect a signal to a slot (one place to add checks or logging)."""
    signal.connect(slot)


def is_alive(obj: Any) -> bool:
    """False once the C++ side of a Qt object was deleted (a closed window's late callback)."""
    from shiboken6 import isValid

    return isValid(obj)


def pdf_modules() -> tuple[Any, Any]:
    """(QtPdf, QtPdfWidgets), imported on first use."""
    from PySide6 import QtPdf, QtPdfWidgets

    return QtPdf, QtPdfWidgets


def print_support() -> Any:
    """QtPrintSupport, imported on first use."""
    from PySide6 import QtPrintSupport

    return QtPrintSupport


def network() -> Any:
    """QtNetwork (the local socket that brings a running window forward), imported on first use."""
    from PySide6 import QtNetwork

    return QtNetwork
