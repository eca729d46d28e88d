"""The names of China's administrative regions (GB/T 2260 codes) for an officer's screen: 350302 →
福建省莆田市城厢区. The names come from the region table python-stdnum ships (``stdnum/cn/loc.dat``,
the one ``stdnum.cn.ric`` reads), each code under the name it has now (a code since abolished: its
last name). A code the table does not know, or that is not six digits, stays as it is.

Reading the table imports stdnum and parses it (a fraction of a second): ``region_name`` does it on
first use; ``shown_region`` never does (the code until ``load`` has run), for a window's first paint.
"""
from __future__ import annotations

import threading
import unicodedata
from typing import Any

_table: Any = None
_lock = threading.Lock()
_names: dict[str, str] = {}
# prefecture-level entries that are a grouping, not a place's name (重庆市's 市辖区 and 县, 省直辖县级行政单位)
_GROUPINGS = ("市辖区", "县", "市区", "郊区")


class _NoTable:
    """Stands for a region table that cannot be read (a build without it): every code stays a code."""

    def info(self, code: str) -> list[tuple[str, dict[str, str]]]:
        return []


def load() -> None:
    """Read the region table (once; safe from a worker thread). A table that cannot be read leaves
    every code as it is, and says why in the log."""
    global _table
    with _lock:
        if _table is None:
            try:
                from stdnum import numdb

                _table = numdb.get("cn/loc")
            except (ImportError, OSError, ValueError) as exc:
                import logging

                logging.getLogger("desktop.regions").warning("region names unavailable: %s", exc)
                _table = _NoTable()


def loaded() -> bool:
    return _table is not None


def _current(name: str) -> str:
    """The name in use now of a table entry such as "[1983-1994]郊区,[1995-]晋安区" (else the last)."""
    spans = [part.strip() for part in name.split(",") if part.strip()]
    for part in spans:
        if not part.startswith("["):
            return part
        span, _sep, rest = part[1:].partition("]")
        if span.endswith("-"):
            return rest
    return spans[-1].partition("]")[2] if spans and spans[-1].startswith("[") else (spans[-1] if spans else "")


def _entry(code: str, key: str) -> str:
    props = {k: v for _part, found in _table.info(code) for k, v in found.items()}
    return _current(props[key]) if props.get(key) else ""


def region_name(value: Any) -> str:
    """The region's full name, province first (福建省莆田市城厢区); the code itself when unknown."""
    code = unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()  # full-width digits typed
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return code
    if code in _names:
        return _names[code]
    load()
    province = _entry(code[:2] + "0000", "province")
    own = _entry(code, "county")
    if not province or not own:
        name = code
    elif code[2:] == "0000":
        name = province
    else:
        parts = [province]
        if code[4:] != "00":
            prefecture = _entry(code[:4] + "00", "county")
            if prefecture and prefecture not in _GROUPINGS and "直辖县级行政" not in prefecture:
                parts.append(prefecture)
        parts.append(own)
        name = "".join(parts)
    _names[code] = name
    return name


def shown_region(code: Any) -> str:
    """The region's name if the table is read already, else the code (never reads it)."""
    return region_name(code) if _table is not None else ("" if code is None else str(code))


def with_code(code: Any) -> str:
    """350302（福建省莆田市城厢区）: the code an officer types, with its name where known."""
    code = ("" if code is None else str(code)).strip()
    name = region_name(code)
    return f"{code}（{name}）" if name != code else code
