"""Values a batch at a time: a query's ``IN (...)`` list kept within what both engines take (SQLite
builds older than 3.32 allow 999 bound parameters), a bulk write a batch at a time."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

IN_LIST = 500  # values per IN (...) list


def batches(values: Iterable[T], size: int = IN_LIST) -> Iterator[list[T]]:
    """``values`` in lists of ``size`` (the last shorter), in their order."""
    items = values if isinstance(values, list) else list(values)
    for start in range(0, len(items), size):
        yield items[start:start + size]
