"""The program's log file, for the front ends (帮助 → 打开日志文件夹)."""
from __future__ import annotations

from pathlib import Path


def log_folder() -> Path:
    """The folder holding stdaward.log and its rotated copies (created when missing)."""
    from desktop.store import logfile
    from desktop.store.paths import data_dir

    folder = logfile.log_dir(data_dir())
    folder.mkdir(parents=True, exist_ok=True)
    return folder
