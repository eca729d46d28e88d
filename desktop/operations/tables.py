"""Any table on screen, exported as the officer sees it (the view hands over its display text)."""
from __future__ import annotations

from pathlib import Path

from desktop.core.progress import NO_PROGRESS, Progress


def export_table(path: Path, title: str, header: list[str], rows: list[list[str]],
                 progress: Progress = NO_PROGRESS) -> Path:
    """An .xlsx with one sheet: figures as numbers, every other cell as text; cancel checked."""
    from desktop.exchange.xlsx import write_table

    return write_table(Path(path), title, header, rows, progress)
