"""Progress and cancel: one protocol for every long piece of work, and one ``Cancelled``.

An operation receives a ``Progress``: it calls ``update(done, total, text)`` now and then and
``check()`` at safe points; ``check()`` raises ``Cancelled`` once the user asked to stop. Raised
inside a database transaction, ``Cancelled`` rolls it back like any exception, so a cancelled import
leaves nothing behind. The GUI's task runner shows ``Cancelled`` as 已取消, never as an error; the
CLI exits 1 with its message.

    def import_rows(session, rows, progress=NO_PROGRESS):
        for i, row in enumerate(rows):
            if i % 500 == 0:
                progress.update(i, len(rows), _("Importing..."))
                progress.check()
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _


class Cancelled(StdAwardError):
    """The user asked to stop; whatever the work had begun was rolled back or removed."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("cancelled; nothing was changed"))


class Progress(Protocol):
    """What long work reports to and asks of whoever started it."""

    @property
    def cancelled(self) -> bool: ...

    def update(self, done: int, total: int = 0, text: str = "") -> None: ...

    def check(self) -> None: ...


class ProgressState:
    """A plain ``Progress``: a cancel flag any thread may set, and an optional listener for updates
    (the GUI passes one that emits a Qt signal; tests pass a list's ``append``)."""

    def __init__(self, on_update: Callable[[int, int, str], None] | None = None) -> None:
        self._cancel = threading.Event()
        self._on_update = on_update

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def update(self, done: int, total: int = 0, text: str = "") -> None:
        if self._on_update is not None:
            self._on_update(int(done), int(total), text)

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()


class _NoProgress:
    cancelled = False

    def update(self, done: int, total: int = 0, text: str = "") -> None:
        pass

    def check(self) -> None:
        pass


NO_PROGRESS: Progress = _NoProgress()


def as_callbacks(progress: Progress) -> tuple[Callable[[int, int], None], Callable[[], bool]]:
    """The ``progress(done, total)`` and ``cancel() -> bool`` pair the renderers and the exchange
    take, bound to one ``Progress``."""
    return (lambda done, total: progress.update(done, total)), (lambda: progress.cancelled)
