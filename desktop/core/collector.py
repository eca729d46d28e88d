"""The cyclic garbage collector paused while large structures are built or pass through: the window's
workers, a round computed, a package parsed, planned or written.

Each automatic full collection scans every entry of every container the program holds while holding
the GIL: measured at 10⁶ rows, collections in the worker building the achievements table's index
stalled the UI thread 0.1-1 s each, seven times per build, and the first collection after it took
185 ms of CPU; one during a sort of a round of 10⁶ lines, 115 ms. ``paused`` turns it off while any such work runs (in a
worker, or the UI thread) and, once the last is done, freezes what exists out of its sight
(``gc.freeze``, as after the first paint; refcounting still frees what is dropped, and these
structures make no reference cycles). Cyclic garbage left meanwhile is frozen with them: a
collection first would scan the structures it is there to spare."""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses: list[int | bool] = [0, False, False]  # works under way, the collector on before the first, a freeze asked


@contextmanager
def paused(freeze: bool = True) -> Iterator[None]:
    """The collector off while the body runs (and any other ``paused`` body, in any thread); on again
    after the last one, if it was on before the first, having frozen what exists if any of them asked
    (``freeze``: the window's structures that stay; a round or a package written in a worker leaves
    nothing of its rows behind to freeze)."""
    with _lock:
        if _pauses[0] == 0:
            _pauses[1], _pauses[2] = gc.isenabled(), False
            gc.disable()
        _pauses[0] = int(_pauses[0]) + 1
        _pauses[2] = bool(_pauses[2]) or freeze
    try:
        yield
    finally:
        with _lock:
            _pauses[0] = int(_pauses[0]) - 1
            if _pauses[0] == 0 and _pauses[1]:
                if _pauses[2]:
                    gc.freeze()
                gc.enable()
