"""StdAward (标准化奖补管理): standardization awards for county quality bureaus."""
from __future__ import annotations


def __getattr__(name: str) -> str:
    # The version is read from the installed metadata only when asked: importlib.metadata costs
    # ~45 ms, a third of a bare Qt window's start, and the GUI must start fast.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("stdaward")
        except PackageNotFoundError:  # a source tree that was not installed
            return "0.1.0"
    raise AttributeError(name)
