"""Plain-language reasons for failures the officer's machine causes: a full disk, a read-only
disk or folder, a refused permission, a damaged database file. Each message names the file and
says what to do; the CLI and the GUI show it instead of the bare system error.

``classify(exc)`` looks through the exception and its causes (SQLite's "disk is full" often
surfaces as a later "cannot rollback" whose context is the real failure) and returns the kind and
the file the system named, or None for anything else.
"""
from __future__ import annotations

import errno
import re
from collections.abc import Iterator
from pathlib import Path

from desktop.core.i18n import _

DISK_FULL, READ_ONLY, PERMISSION, DAMAGED, MISSING = "disk-full", "read-only", "permission", "damaged", "missing"
IN_USE = "in-use"  # a document open in a PDF reader, Excel or Word (Windows refuses to replace it)

DOCUMENTS = frozenset({".pdf", ".ofd", ".xlsx", ".xls", ".csv", ".docx", ".doc", ".wps", ".et"})
_SHARING_VIOLATION = (32, 33)  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION

_SQLITE_TEXT = (
    ("database or disk is full", DISK_FULL),
    ("disk is full", DISK_FULL),
    ("readonly database", READ_ONLY),
    ("read-only file system", READ_ONLY),
    ("database disk image is malformed", DAMAGED),
    ("file is not a database", DAMAGED),
    ("file is encrypted or is not a database", DAMAGED),
    ("unable to open database file", PERMISSION),
)
_ERRNO = {errno.ENOSPC: DISK_FULL, errno.EROFS: READ_ONLY, errno.EACCES: PERMISSION, errno.EPERM: PERMISSION,
          errno.ENOENT: MISSING}
if hasattr(errno, "EDQUOT"):
    _ERRNO[errno.EDQUOT] = DISK_FULL


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop(0)
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [c for c in (e.__cause__, e.__context__) if c is not None]


def classify(exc: BaseException) -> tuple[str, str | None] | None:
    """(kind, file or None) of the first recognised failure in ``exc``'s chain."""
    for e in _chain(exc):
        if isinstance(e, OSError) and (e.errno in _ERRNO or getattr(e, "winerror", None) in _SHARING_VIOLATION):
            in_use = _document_in_use(e)
            if in_use is not None:
                return IN_USE, in_use
            name = e.filename
            return _ERRNO.get(e.errno or 0, PERMISSION), _final_name(str(name)) if name is not None else None
    for e in _chain(exc):
        if type(e).__module__ in ("sqlite3", "peewee") or isinstance(e, MemoryError):
            text = str(e).lower()
            for needle, kind in _SQLITE_TEXT:
                if needle in text:
                    return kind, None
    return None


_TEMP_NAME = re.compile(r"\.(.+?)(?:\.\d+)*\.part")


def _final_name(name: str) -> str:
    """The file the officer chose for the program's hidden temporary name of it, written first and
    renamed once complete (".X.part": desktop.store.atomic.temp_path; ".X.<pid>.part": a PDF's,
    desktop.notices.notice.write_atomically), else ``name`` itself."""
    p = Path(name)
    found = _TEMP_NAME.fullmatch(p.name)
    return str(p.with_name(found.group(1))) if found else name


def _document_in_use(e: OSError) -> str | None:
    """The document a refused write was aimed at, when it is one a reader may hold open: the target
    of a rename (``filename2``: write_atomically's temporary file replacing it) or the file itself."""
    if getattr(e, "winerror", None) in _SHARING_VIOLATION:
        target = e.filename2 or e.filename
        return str(target) if target is not None else None
    if e.errno not in (errno.EACCES, errno.EPERM):
        return None
    for name in (e.filename2, e.filename):
        if name is not None and Path(name).suffix.lower() in DOCUMENTS and Path(name).is_file():
            return str(name)
    return None


def message(kind: str, file: str | Path | None, backup: str | Path | None = None) -> str:
    """The sentence for a failure of ``kind`` on ``file`` (``backup``: the newest good backup, for
    a damaged database)."""
    f = str(file) if file is not None else _("the file")
    if kind == DISK_FULL:
        return _("the disk holding {file} is full; the operation was stopped and nothing half-written was kept. "
                 "Free some space or choose another disk, then try again").format(file=f)
    if kind == READ_ONLY:
        return _("{file} is on a read-only disk or folder (a write-protected USB stick or a CD?); nothing was "
                 "changed. Remove the write protection or copy it to a writable disk, then try again").format(file=f)
    if kind == PERMISSION:
        return _("permission denied for {file}; nothing was changed. Ask whoever manages this computer for "
                 "access, or choose another folder").format(file=f)
    if kind == IN_USE:
        if Path(f).suffix.lower() in (".pdf", ".ofd"):
            return _("{file} cannot be replaced: it is open in the PDF reader. Close it in the PDF reader and try "
                     "again").format(file=f)
        return _("{file} cannot be replaced: it is open in another program (Excel, WPS or Word?). Close it there "
                 "and try again").format(file=f)
    if kind == MISSING:
        return _("{file} does not exist (was the USB stick removed, or the folder moved?)").format(file=f)
    if backup is not None:
        return _("the database {file} is damaged. Restore the newest good backup with: "
                 "stdaward restore \"{backup}\" (the damaged file is kept aside)").format(file=f, backup=backup)
    return _("the database {file} is damaged and there is no good backup of it; keep a copy of the file "
             "and ask for help before changing anything").format(file=f)


def write_failure(exc: OSError, path: str | Path) -> str:
    """What the officer reads when ``path`` could not be written: a read-only disk, no permission, a
    full disk, a document open elsewhere or a folder gone, in words and naming the file chosen (not
    the temporary one written first), else the system's own reason."""
    found = classify(exc)
    if found is not None and found[0] != DAMAGED:
        kind, file = found
        if kind == MISSING:
            return message(kind, Path(path).parent)
        return message(kind, file if kind == IN_USE else path)
    return _("could not write {path}: {reason}").format(path=path, reason=exc.strerror or exc)
