"""The program's log: ``logs/stdaward.log`` in the data folder, rotated at 1 MB, five old files kept.

The desktop program and the command line both write it (``setup`` from ``desktop.cli.main``), so an
officer can send it with a report (帮助 → 打开日志文件夹). Writing the log never stops the program:
a folder that cannot be created, or a rotation refused because another StdAward process has the file
open (Windows), leaves the log where it is.
"""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_FILE = "stdaward.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(process)d %(threadName)s %(name)s: %(message)s"


def log_dir(data: Path) -> Path:
    return data / "logs"


class _Handler(logging.handlers.RotatingFileHandler):
    """Rotates like its base; a rotation or write that fails is skipped instead of printed."""

    def doRollover(self) -> None:
        try:
            super().doRollover()
        except OSError:  # another process holds the file (Windows): keep appending to it
            if self.stream is None:
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
        handler = _Handler(file, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True)
    except OSError:
        return None
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return file
