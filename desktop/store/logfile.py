"""The program's log: ``logs/stdaward.log`` in the data folder, rotated at 1 MB, five old files kept.

The desktop program and the command line both write it (``setup`` from ``desktop.cli.main``), so an
officer can send it with a report (帮助 → 打开日志文件夹). Writing the log never stops the program:
a folder that cannot be created, or a rotation refused because another StdAward process has the file
open (Windows), leaves the log where it is.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

LOG_FILE = "stdaward.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(process)d %(threadName)s %(name)s: %(message)s"


def log_dir(data: Path) -> Path:
    return data / "logs"


class _Handler(logging.FileHandler):
    """A size-rotated log file (what ``logging.handlers.RotatingFileHandler`` does, without importing
    that module: it brings ``socket`` and ``pickle``, tens of milliseconds on the desktop start).
    A rotation or write that fails is skipped instead of printed."""

    def __init__(self, filename: Path, max_bytes: int, backup_count: int) -> None:
        super().__init__(filename, mode="a", encoding="utf-8", delay=True)
        self.maxBytes, self.backupCount = max_bytes, backup_count

    def rotate(self, source: str, dest: str) -> None:
        os.replace(source, dest)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.maxBytes > 0 and self._full(record):
                self.doRollover()
        except Exception:  # noqa: BLE001 - a log that cannot roll over must never stop the program
            pass
        super().emit(record)

    def _full(self, record: logging.LogRecord) -> bool:
        if self.stream is None:
            self.stream = self._open()
        return bool(self.stream.tell() + len(self.format(record).encode("utf-8")) + 1 > self.maxBytes)

    def doRollover(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None  # type: ignore[assignment]
        try:
            for i in range(self.backupCount - 1, 0, -1):
                older = f"{self.baseFilename}.{i}"
                if os.path.exists(older):
                    self.rotate(older, f"{self.baseFilename}.{i + 1}")
            if self.backupCount > 0:
                self.rotate(self.baseFilename, f"{self.baseFilename}.1")
        except OSError:  # another process holds the file (Windows): keep appending to it
            pass
        self.stream = self._open()

    def handleError(self, record: logging.LogRecord) -> None:
        pass  # a full disk or a locked file must not put "--- Logging error ---" on the officer's screen


def setup(data: Path, level: int = logging.INFO) -> Path | None:
    """Send the log to ``data``/logs/stdaward.log (once per folder); returns the file, or None when
    the folder cannot be written."""
    folder = log_dir(data)
    file = folder / LOG_FILE
    root = logging.getLogger()
    for h in list(root.handlers):
        if isinstance(h, _Handler):
            if Path(h.baseFilename) == file.absolute():
                return file
            root.removeHandler(h)
            h.close()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = _Handler(file, MAX_BYTES, BACKUP_COUNT)
    except OSError:
        return None
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return file
