"""The fault-injection hook (tests only), shared by every layer that writes files.

``STDAWARD_FAULT=<step>:<point>`` makes the process ``os._exit(FAULT_EXIT)`` when it reaches that
point, the way a power cut or a SIGKILL would stop it; ``<step>:*`` stops at the first point of that
step. ``<step>:<point>=ENOSPC`` (any ``errno`` name) raises that system error there instead, with no
file name, as a disk that fills up in the middle of a write does. Without the variable a fault point
costs one dictionary lookup.
"""
from __future__ import annotations

import errno
import os

FAULT_ENV = "STDAWARD_FAULT"
FAULT_EXIT = 86  # the exit status of a simulated crash, so a test can tell it from a real failure


def fault_point(step: str, point: str) -> None:
    """Stop the process here (or fail with a system error) when the test hook names this point."""
    want = os.environ.get(FAULT_ENV)
    if not want:
        return
    where, _sep, error = want.partition("=")
    if where in (f"{step}:{point}", f"{step}:*"):
        if error:
            code = getattr(errno, error, errno.EIO)
            raise OSError(code, os.strerror(code))
        os._exit(FAULT_EXIT)
