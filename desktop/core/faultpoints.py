"""The fault-injection hook (tests only), shared by every layer that writes files.

``STDAWARD_FAULT=<step>:<point>`` makes the process ``os._exit(FAULT_EXIT)`` when it reaches that
point, the way a power cut or a SIGKILL would stop it; ``<step>:*`` stops at the first point of that
step. Without the variable a fault point costs one dictionary lookup.
"""
from __future__ import annotations

import os

FAULT_ENV = "STDAWARD_FAULT"
FAULT_EXIT = 86  # the exit status of a simulated crash, so a test can tell it from a real failure


def fault_point(step: str, point: str) -> None:
    """Stop the process here when the test hook names this point (no effect otherwise)."""
    want = os.environ.get(FAULT_ENV)
    if want and want in (f"{step}:{point}", f"{step}:*"):
        os._exit(FAULT_EXIT)
