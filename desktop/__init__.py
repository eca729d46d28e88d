"""StdAward (标准化奖补管理): standardization awards for county quality bureaus."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("stdaward")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.1.0"
