"""Every file the program writes goes through here: a temporary name beside the target, fsync,
an optional check of the written file, an optional record (a database commit) made *before* the file
appears under its final name, the rename, and an fsync of the folder.

    write_atomic(path, data_or_writer, check=read_back, record=commit_number, step="export")

A failure at any point removes the temporary file and leaves the final name as it was. A process
killed between two steps leaves at most a temporary file, which ``sweep_leftovers`` removes at the
next open of the database (its names are recognisable: ``TEMP_SUFFIXES``).

Fault injection (tests only): ``STDAWARD_FAULT=<step>:<point>`` makes the process ``os._exit``
at that point, the way a power cut or a SIGKILL would stop it; ``<step>:*`` stops at the first point
of that step. The points are ``written`` (data written, not yet synced), ``synced``,
``recorded`` (after ``record``), ``renamed`` (after the rename, before the folder's fsync), and
those named by ``fault_point`` calls at the few transaction points of the database code;
``<step>:<point>=ENOSPC`` raises that system error there instead (``desktop.core.faultpoints``).
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from desktop.core.faultpoints import FAULT_ENV, FAULT_EXIT, fault_point

__all__ = ["FAULT_ENV", "FAULT_EXIT", "TEMP_SUFFIXES", "fault_point", "free_name", "fsync_dir", "fsync_file",
           "is_leftover", "remove_quietly", "sweep_leftovers", "temp_path", "write_atomic"]

TEMP_SUFFIXES = (".part", ".part-journal", ".part-wal", ".part-shm", ".restoring")

Producer = bytes | Callable[[Path], None]


def temp_path(path: Path) -> Path:
    """The temporary name of ``path``: hidden, beside it, recognisably temporary."""
    return path.with_name(f".{path.name}.part")


def free_name(path: Path, companions: tuple[str, ...] = ()) -> Path:
    """``path`` when nothing has that name, else the first free "stem（2）.suffix", "stem（3）…" beside
    it: a package or backup saved again into the same folder (several days' packages on one stick)
    never takes the place of the earlier one. ``companions``: suffixes of files written beside it
    under its name (a backup's ``.evidence.zip``), which must be free too."""
    path = Path(path)

    def taken(p: Path) -> bool:
        return any(os.path.lexists(p.with_name(p.name + c)) for c in ("", *companions))

    if not taken(path):
        return path
    n = 2
    while True:
        candidate = path.with_name(f"{path.stem}（{n}）{path.suffix}")
        if not taken(candidate):
            return candidate
        n += 1


def _rename_keeping(tmp: Path, path: Path) -> None:
    """Rename ``tmp`` to ``path`` unless a file took that name meanwhile (FileExistsError)."""
    if os.name == "nt":
        os.rename(tmp, path)  # Windows never renames over an existing file
        return
    try:
        os.link(tmp, path)  # fails when the name is taken, atomically
    except OSError as exc:
        if isinstance(exc, FileExistsError):
            raise
        if os.path.lexists(path):  # no hard links here (a FAT stick): checked, then renamed
            raise FileExistsError(17, os.strerror(17), str(path)) from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY if os.name != "nt" else os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make a rename durable (POSIX; Windows has no directory handles to sync)."""
    if os.name != "nt":
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_quietly(*paths: Path) -> None:
    for p in paths:
        try:
            p.unlink(missing_ok=True)
        except OSError:
            pass


def write_atomic(path: Path, data: Producer, *, check: Callable[[Path], object] | None = None,
                 record: Callable[[], object] | None = None, step: str = "write",
                 tmp: Path | None = None, keep_existing: bool = False) -> Path:
    """Write ``data`` (bytes, or a function writing the file it is given) to ``path`` atomically.

    ``check(tmp)`` reads the written file back before anything else happens; ``record()`` (a
    database commit, such as the package number used) runs after the file is synced and before the
    rename, so the file never exists under its final name without its record. An exception from
    any step removes the temporary file and propagates; the final name keeps its old content.
    ``keep_existing``: never rename over a file (one that took the name meanwhile: FileExistsError)."""
    path = Path(path)
    tmp = tmp or temp_path(path)
    try:
        remove_quietly(tmp)
        if isinstance(data, (bytes, bytearray, memoryview)):
            with open(tmp, "wb") as fh:
                fh.write(data)
                fault_point(step, "written")
                fh.flush()
                os.fsync(fh.fileno())
        else:
            data(tmp)
            fault_point(step, "written")
            fsync_file(tmp)
        fault_point(step, "synced")
        if check is not None:
            check(tmp)
        if record is not None:
            record()
            fault_point(step, "recorded")
        if keep_existing:
            _rename_keeping(tmp, path)
        else:
            os.replace(tmp, path)
    except BaseException:
        remove_quietly(tmp, tmp.with_name(tmp.name + "-journal"))
        raise
    fault_point(step, "renamed")
    fsync_dir(path.parent)
    return path


def is_leftover(name: str) -> bool:
    return name.endswith(TEMP_SUFFIXES)


def sweep_leftovers(folders: list[tuple[Path, tuple[str, ...]]]) -> list[Path]:
    """Remove the temporary files an interrupted write left in each (folder, name prefixes) (not
    recursive; an empty prefix tuple takes every temporary name). The caller holds the database's
    writer lock, so no write of this program is under way there. Returns what was removed; a file
    that cannot be removed is left (and not returned)."""
    removed: list[Path] = []
    for folder, prefixes in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if (is_leftover(entry.name) and (not prefixes or entry.name.startswith(prefixes))
                    and entry.is_file(follow_symlinks=False)):
                try:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
                except OSError:
                    pass
    return removed
