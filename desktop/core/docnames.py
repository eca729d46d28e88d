"""File names and document-number lists as an officer would write them.

A file the program saves is named the way an officer would file it (「2025年度标准化奖补通知书（城市监〔2025〕1—9号）.pdf」),
never from an internal id, and is a safe Windows file name. Several 发文字号 are listed with the Chinese
enumeration comma and ranges: 「城市监〔2025〕1—3、5、7—9号」.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

MAX_NAME = 120  # characters, suffix included: well inside Windows' 255 and a deep folder's MAX_PATH
_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_NUMBER = re.compile(r"^(?P<prefix>.*?)〔(?P<year>\d{4})〕(?P<serial>\d+)号$")


def safe_filename(name: str, suffix: str = "", limit: int = MAX_NAME) -> str:
    """``name`` + ``suffix`` as a file name Windows accepts: the characters it forbids (\\/:*?"<>| and
    control characters) become 「_」, trailing dots and spaces go, a reserved device name (CON, NUL...)
    gets a 「_」, and an over-long name is cut to ``limit`` characters keeping the suffix."""
    stem = _FORBIDDEN.sub("_", unicodedata.normalize("NFC", name)).strip().rstrip(". ")
    if not stem:
        stem = "_"
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    room = max(1, limit - len(suffix))
    if len(stem) > room:
        stem = stem[:room - 1].rstrip(". ") + "…"
    return stem + suffix


def unique_path(folder: Path, name: str, suffix: str) -> Path:
    """``folder``/``name``+``suffix`` (made safe), or, if that file exists, the first free
    「name（2）.pdf」, 「name（3）.pdf」... so a second save never overwrites the first."""
    path = folder / safe_filename(name, suffix)
    n = 2
    while path.exists():
        tail = f"（{n}）{suffix}"
        path = folder / (safe_filename(name, tail))
        n += 1
    return path


def _spans(serials: list[int]) -> list[str]:
    out: list[str] = []
    start = prev = serials[0]
    tail: list[int | None] = [*serials[1:], None]  # the sentinel closes the last run
    for s in tail:
        if s is not None and s == prev + 1:
            prev = s
            continue
        out.append(str(start) if start == prev else f"{start}—{prev}" if prev > start + 1 else f"{start}、{prev}")
        if s is not None:
            start = prev = s
    return out


def number_list(numbers: Iterable[str]) -> str:
    """发文字号 as one Chinese list: those of one prefix and year share it, consecutive serials
    become a range (「城市监〔2025〕1—9号」, 「城市监〔2025〕1—3、5号」); others are joined by 「、」."""
    groups: dict[tuple[str, str], list[int]] = {}
    order: list[tuple[str, str] | str] = []
    for number in numbers:
        m = _NUMBER.match(number.strip())
        if m is None:
            order.append(number)
            continue
        key = (m["prefix"], m["year"])
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(int(m["serial"]))
    parts = []
    for item in order:
        if isinstance(item, str):
            parts.append(item)
        else:
            serials = sorted(set(groups[item]))
            parts.append(f"{item[0]}〔{item[1]}〕{'、'.join(_spans(serials))}号")
    return "、".join(parts)
