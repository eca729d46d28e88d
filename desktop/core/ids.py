"""Global ids (UUIDs) for the records an office makes.

A record's global id names it wherever it travels (a county's package, the city's copy, a notice's
lines). Records get ids in time order, version 7 of RFC 9562: 48 bits of the Unix time in
milliseconds, then a 42-bit counter that carries on within a millisecond and across calls, then 32
random bits. Random (version 4) ids land anywhere in a table's unique index: a round of 10⁶ lines
took 20 s of inserts against 6 s for ids in order, and a city holding a million records of other
counties wrote most of the global id index's pages for each new county package. Ids in time order
put the records one load or one round makes side by side in every index that holds them, here and
at the city. The random tail keeps two offices' ids apart; the counter keeps one process's apart.

What is printed on paper (a notice's or a refusal letter's id) stays random (``random_uuid``): an
id in time order says to the millisecond when it was made, which paper has no need to carry.
"""
from __future__ import annotations

import os
import threading
import time
import uuid as uuidlib
from array import array

_LOCK = threading.Lock()
_STATE = [0, 0]  # the millisecond of the last ids made, and how many were made in it


def ordered_uuids(n: int) -> list[str]:
    """``n`` new ids in increasing order (version 7), each greater than any this process made before."""
    if n <= 0:
        return []
    with _LOCK:
        ms = time.time_ns() // 1_000_000
        if ms > _STATE[0]:
            _STATE[0], _STATE[1] = ms, 0
        ms, first = _STATE[0], _STATE[1]
        if first + n >= 1 << 42:  # a counter run out within one millisecond: the next one (never reached)
            ms, first = ms + 1, 0
        _STATE[0], _STATE[1] = ms, first + n
    tails = array("I", os.urandom(4 * n))  # 32 random bits each (the machine's byte order: random either way)
    t = f"{ms:012x}"
    stamp = f"{t[:8]}-{t[8:]}-7"
    out = []
    for c, tail in zip(range(first, first + n), tails):
        b = f"{(1 << 63) | ((c & 0x3FFFFFFF) << 32) | tail:016x}"  # variant 10, the counter's low 30 bits, the tail
        out.append(f"{stamp}{c >> 30:03x}-{b[:4]}-{b[4:]}")
    return out


def ordered_uuid() -> str:
    """One new id in time order (``ordered_uuids``)."""
    return ordered_uuids(1)[0]


def random_uuid() -> str:
    """A random id (version 4), for what is printed on paper."""
    return str(uuidlib.uuid4())
