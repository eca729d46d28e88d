"""One writer per database: an OS lock on ``<db>.lock`` held while a process may write.

The operating system drops the lock when the process dies (even on SIGKILL), so a crash never leaves
the database locked. A second process is told which process holds it, instead of hanging on SQLite's
busy timeout.
"""
from __future__ import annotations

import errno
import json
import os
import time
from pathlib import Path

from desktop.core.errors import DatabaseBusy
from desktop.core.i18n import _

if os.name == "nt":  # pragma: no cover - exercised on Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def _host() -> str:
    """This computer's name (without importing socket, ~6 ms of the GUI's start)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    return os.environ.get("COMPUTERNAME", "?")  # pragma: no cover - Windows


class WriterLock:
    def __init__(self, db_path: Path) -> None:
        self.path = Path(str(db_path) + ".lock")
        self.fd: int | None = None
        self.disk_full = False  # the lock is held, but its holder could not be written: the disk is full

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            holder = self._read_holder(fd)
            os.close(fd)
            raise DatabaseBusy(_("the database {path} is open in another StdAward window or process "
                                 "({holder}); close it there first").format(path=self.path.with_suffix(""),
                                                                            holder=holder))
        info = json.dumps({"pid": os.getpid(), "host": _host(), "since": time.time()})
        self.fd = fd
        try:  # write after the first byte so Windows' byte-range lock on byte 0 does not hide it
            os.ftruncate(fd, 0)
            os.pwrite(fd, (" " + info).encode(), 0) if hasattr(os, "pwrite") else os.write(fd, (" " + info).encode())
        except OSError as exc:
            if exc.errno not in _FULL:
                self.release()
                raise
            self.disk_full = True  # the lock is held all the same; a second process names no holder

    @staticmethod
    def _read_holder(fd: int) -> str:
        try:
            os.lseek(fd, 1, os.SEEK_SET)
            info = json.loads(os.read(fd, 4096).decode() or "{}")
            return _("process {pid} on {host}").format(pid=info.get("pid", "?"), host=info.get("host", "?"))
        except (OSError, ValueError):
            return _("another process")

    def release(self) -> None:
        if self.fd is not None:
            try:
                _unlock(self.fd)
            finally:
                os.close(self.fd)
                self.fd = None
