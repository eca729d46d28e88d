"""Files handed to the window from outside (dropped on it, given on the command line, double-clicked
in Explorer while it runs): a USB package (.stdpkg) opens the exchange import with its check, an
Excel workbook (.xlsx, or an .xls, which the import explains) the Excel import.

Several files at once are opened one after another, packages first (what the city or a county sent
comes before local workbooks), each once the previous import is finished or closed; then one summary
says what each file gave and which were refused and why. Files arriving while others are being opened
join the queue."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from desktop.core.i18n import _
from desktop.ui.qt import qconnect

PACKAGE = (".stdpkg",)
WORKBOOK = (".xlsx", ".xls")


def kind_of(path: str | Path) -> str | None:
    """"package", "workbook", or None for a file the program does not open."""
    suffix = Path(path).suffix.lower()
    return "package" if suffix in PACKAGE else "workbook" if suffix in WORKBOOK else None


def openable(paths: Iterable[str | Path]) -> list[Path]:
    return [Path(p) for p in paths if kind_of(p) is not None]


def in_order(paths: Iterable[str | Path]) -> list[Path]:
    """``paths`` without repeats, packages first, then workbooks, then the rest (to be refused), each
    group in the order given."""
    seen: set[Path] = set()
    unique = []
    for p in map(Path, paths):
        if p not in seen:
            seen.add(p)
            unique.append(p)
    rank = {"package": 0, "workbook": 1, None: 2}
    return sorted(unique, key=lambda p: rank[kind_of(p)])  # sorted() is stable: the given order stays


def refusal(path: Path) -> str | None:
    """Why ``path`` cannot be opened, or None."""
    if kind_of(path) is None:
        return _("not a USB package (.stdpkg) or an Excel workbook (.xlsx)")
    if not path.is_file():
        return _("the file does not exist")
    return None


class FileQueue:
    """The files of one drop (or start) being opened in turn on ``window``; ``results`` holds, per file
    done, (name, opened, what happened)."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.pending: list[Path] = []
        self.results: list[tuple[str, bool, str]] = []
        self.current: Path | None = None
        self.summary: Any = None  # the summary box once shown

    @property
    def busy(self) -> bool:
        return self.current is not None

    def add(self, paths: Iterable[str | Path]) -> None:
        known = set(self.pending) | ({self.current} if self.current else set())
        self.pending = in_order([*self.pending, *(p for p in map(Path, paths) if p not in known)])
        if not self.busy:
            self._next()

    def _next(self) -> None:
        while self.pending:
            path = self.pending.pop(0)
            why = refusal(path)
            if why is not None:
                self.results.append((path.name, False, why))
                continue
            self.current = path
            try:
                self._open(path)
            except Exception as exc:  # noqa: BLE001 - one file failing to open must not stop the others
                from desktop.ui.tasks import error_text

                self.done(path, False, error_text(exc))
            return
        self._finish()

    def _open(self, path: Path) -> None:
        window = self.window
        window.ctx.require_store()
        if kind_of(path) == "package":
            dlg = window.show_view("exchange").open_package(path)

            def closed(result: int) -> None:
                if result and dlg.result is not None:
                    a = dlg.result.applied
                    self.done(path, True, _("imported: {inserted} new, {updated} updated").format(
                        inserted=a["inserted"], updated=a["updated"]))
                else:
                    self.done(path, False, _("closed without importing"))
            qconnect(dlg.finished, closed)
        else:
            from desktop.ui import excel

            window.show_view("achievements")
            excel.import_workbook(window, str(path), on_finished=lambda ok, text: self.done(path, ok, text))

    def done(self, path: Path, ok: bool, text: str) -> None:
        """The import of ``path`` is over (imported, refused, cancelled or closed): the next file."""
        if self.current != path:
            return
        self.current = None
        self.results.append((path.name, ok, text))
        self._next()

    def _finish(self) -> None:
        results, self.results = self.results, []
        if not results:
            return
        window = self.window
        if len(results) == 1:  # one file: its import said what happened; a refusal is said here
            name, ok, text = results[0]
            if kind_of(name) is None:
                window.statusBar().showMessage(_("{file} cannot be opened here: StdAward opens USB packages (.stdpkg) "
                                                 "and Excel workbooks (.xlsx).").format(file=name), 15000)
            elif not ok and text == _("the file does not exist"):
                window.statusBar().showMessage(_("{file} does not exist.").format(file=name), 15000)
            return
        from desktop.ui.qt import QMessageBox, Qt

        opened = sum(1 for _n, ok, _t in results if ok)
        lines = [("✓ " if ok else "✗ ") + _("{file}: {what}").format(file=name, what=text) for name, ok, text in results]
        head = _("{opened} of {total} files opened.").format(opened=opened, total=len(results))
        box = QMessageBox(QMessageBox.Icon.Information if opened == len(results) else QMessageBox.Icon.Warning,
                          _("Files opened"), head, QMessageBox.StandardButton.Ok, window)
        box.setInformativeText("\n".join(lines))
        box.setObjectName("openSummary")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.summary = box
        window.statusBar().showMessage(head, 15000)
        box.open()


def open_files(window: Any, files: Iterable[str | Path]) -> FileQueue:
    """Open ``files`` in turn on ``window`` (its queue, made on first use, takes later files too)."""
    queue = getattr(window, "file_queue", None)
    if queue is None:
        queue = window.file_queue = FileQueue(window)
    queue.add(files)
    return queue
