"""The one module that imports PySide6 for the whole UI (Anki ``aqt.qt`` / qutebrowser style).

Everything in ``desktop/ui`` imports Qt names from here. Rarely used, heavy modules (QtPdf,
QtPrintSupport, QtCharts) are imported through the functions at the bottom so they cost nothing at
start-up.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import *  # noqa: F401,F403
from PySide6.QtGui import *  # noqa: F401,F403
from PySide6.QtWidgets import *  # noqa: F401,F403
from PySide6.QtCore import QObject, Signal, Slot  # noqa: F401 - named for type checkers


def qconnect(signal: Any, slot: Callable[..., Any]) -> None:
    """Connect a signal to a slot (one place to add checks or logging)."""
    signal.connect(slot)


def pdf_modules() -> tuple[Any, Any]:
    """(QtPdf, QtPdfWidgets), imported on first use."""
    from PySide6 import QtPdf, QtPdfWidgets

    return QtPdf, QtPdfWidgets


def print_support() -> Any:
    """QtPrintSupport, imported on first use."""
    from PySide6 import QtPrintSupport

    return QtPrintSupport


def charts() -> Any:
    """QtCharts, imported on first use."""
    from PySide6 import QtCharts

    return QtCharts
