"""The base class of every view in the main window's side navigation.

A view is a QWidget built by its factory with the AppContext. It shows data from the database and
reloads in ``refresh()`` whenever ``ctx.data_changed`` names something in ``watches`` (or "*"), and
whenever the signed-in user changes (``ctx.user_changed``: what the new role may do differs).
``retranslate()`` re-applies every text after a language switch. ``table()`` returns the view's main
table, so "Export table" (Ctrl+E) works on every view that has one. ``search_box()`` is focused by
Ctrl+F.
"""
from __future__ import annotations

from desktop.ui.context import AppContext
from desktop.ui.qt import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedLayout,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    qconnect,
)


class View(QWidget):
    name = ""
    watches: tuple[str, ...] = ("*",)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._stale = False
        qconnect(ctx.data_changed, self._on_data_changed)
        qconnect(ctx.language_changed, self.retranslate)
        qconnect(ctx.user_changed, self._on_user_changed)

    def _on_user_changed(self) -> None:
        self._on_data_changed("*")

    def _on_data_changed(self, what: str) -> None:
        if "*" in self.watches or what in self.watches or what == "*":
            if self.isVisible():
                self.refresh()
            else:
                self._stale = True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        if self._stale:
            self._stale = False
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        """Reload what the view shows from the database."""

    def retranslate(self) -> None:
        """Re-apply every user-visible text (after a language switch)."""

    def table(self) -> QTableView | None:
        return None

    def search_box(self) -> QLineEdit | None:
        return None

    def export_name(self) -> str:
        return self.name


def search_bar(into: QBoxLayout, *beside: QWidget) -> QLineEdit:
    """A view's search box (with its clear button), stretched along a row added to ``into``, with
    ``beside`` (filters, buttons) after it."""
    row = QHBoxLayout()
    search = QLineEdit()
    search.setClearButtonEnabled(True)
    row.addWidget(search, 1)
    for w in beside:
        row.addWidget(w)
    into.addLayout(row)
    return search


def stacked_pages(into: QBoxLayout, *pages: QWidget, stretch: int = 1) -> QStackedLayout:
    """Pages shown one at a time (a table and its empty state), in a QStackedLayout added to
    ``into`` before the pages are: QStackedLayout shows the first page it is given, and a page
    without a parent yet would open as a window of its own for a moment (a flash on screen, and
    some 20 ms of creating and destroying a native window at start-up)."""
    stack = QStackedLayout()
    into.addLayout(stack, stretch)
    for page in pages:
        stack.addWidget(page)
    return stack


class EmptyState(QWidget):
    """A clear hint shown instead of an empty table ("No enterprises yet: press Ctrl+Shift+N...")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        self.title = QLabel(self)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.4)
        self.title.setFont(f)
        self.hint = QLabel(self)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        lay.addWidget(self.title)
        lay.addWidget(self.hint)
        lay.addStretch(2)

    def set_text(self, title: str, hint: str) -> None:
        self.title.setText(title)
        self.hint.setText(hint)
