"""The one costly read of the window's default view, asked of SQLite while Qt loads.

``desktop.cli.open_gui`` calls ``start(path)`` before importing PySide6 (~100 ms in which a second
processor core has nothing to do). The read is the achievement count of every enterprise, an
aggregate over all the achievements (100,000 in an office after some years): done from a thread
as one statement returning one text value, SQLite does it without Python's GIL, so the import goes
on at full speed and the counts are there when the enterprises view is built.

The counts are used only if the database did not change in between (the file and its write-ahead
log have the same size and time once the writer lock is held); otherwise, or on any error, the
view reads them itself. Nothing here writes.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

COUNTS_SQL = ("SELECT group_concat(enterprise_id || ' ' || n, ' ') FROM "
              "(SELECT enterprise_id, count(*) AS n FROM achievement GROUP BY enterprise_id)")

_job: dict[str, Any] | None = None


def _stamp(path: Path) -> tuple:
    """Size and time of the database file and of its write-ahead log (absent and empty alike: a
    reader may create the empty log)."""
    out = []
    for p in (path, path.with_name(path.name + "-wal")):
        try:
            st = os.stat(p)
        except OSError:
            out.append(None)
            continue
        out.append((st.st_size, st.st_mtime_ns) if st.st_size else None)
    return tuple(out)


def start(path: Path) -> None:
    """Start reading the counts of ``path`` (an existing database) in a thread."""
    global _job
    if not path.is_file():
        return
    job: dict[str, Any] = {"path": path, "stamp": _stamp(path), "text": None}

    def work() -> None:
        try:
            con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=1)
            try:
                job["text"] = con.execute(COUNTS_SQL).fetchone()[0] or ""
            finally:
                con.close()
        except Exception:  # noqa: BLE001 - not a database yet, locked, another schema: the view reads
            job["text"] = None

    job["thread"] = threading.Thread(target=work, name="prefetch-counts", daemon=True)
    job["thread"].start()
    _job = job


def achievement_counts(path: Path) -> dict[int, int] | None:
    """{enterprise id: achievements} read ahead for ``path`` (given once), or None when there is
    nothing usable: not started, another database, failed, or the database changed meanwhile."""
    global _job
    job, _job = _job, None
    if job is None or job["path"] != path:
        return None
    job["thread"].join()
    text = job["text"]
    if text is None or _stamp(path) != job["stamp"]:
        return None
    parts = text.split()
    return dict(zip(map(int, parts[0::2]), map(int, parts[1::2])))

