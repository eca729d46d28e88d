"""What kind of disk a database lives on, and SQLite URIs that survive any folder name.

SQLite's locking is unreliable over network file systems (SMB/CIFS, NFS): two PCs writing one file on
a share can damage it, and WAL does not work there at all. A database on a UNC path
(``\\\\server\\share\\…``), a mapped network drive (``GetDriveTypeW`` says ``DRIVE_REMOTE``) or, on
Linux, an nfs/cifs/smb mount is therefore not opened; the officer is told to copy it to the local disk.
"""
from __future__ import annotations

import os
from pathlib import Path, PureWindowsPath
from urllib.parse import quote

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _

DRIVE_REMOTE = 4
NETWORK_FS = frozenset({"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "afs", "9p",
                        "fuse.sshfs", "sshfs", "davfs", "fuse.davfs2", "glusterfs", "ceph", "fuse.rclone"})


def is_unc(path: str) -> bool:
    """``\\\\server\\share\\…`` or ``//server/share/…`` (but not ``\\\\?\\C:\\…``, a long local path)."""
    p = path.replace("/", "\\")
    if p.startswith("\\\\?\\UNC\\"):
        return True
    return p.startswith("\\\\") and not p.startswith(("\\\\?\\", "\\\\.\\"))


def windows_drive_type(root: str) -> int:  # pragma: no cover - Windows only
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(root))  # type: ignore[attr-defined]


def mount_types(mounts: str = "/proc/mounts") -> list[tuple[str, str]]:
    """(mount point, file system type) of every mount, longest mount point first."""
    try:
        text = Path(mounts).read_text("utf-8", errors="replace")
    except OSError:
        return []
    found = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3:  # /proc/mounts writes a space in a mount point as \040
            found.append((parts[1].replace("\\040", " ").replace("\\011", "\t"), parts[2]))
    return sorted(found, key=lambda m: len(m[0]), reverse=True)


def is_network(path: Path | str, *, windows: bool | None = None, mounts: str = "/proc/mounts") -> bool:
    """Best effort: is ``path`` on a network share? ``windows`` and ``mounts`` are for tests."""
    windows = os.name == "nt" if windows is None else windows
    text = str(path)
    if windows:
        if is_unc(text):
            return True
        drive = PureWindowsPath(os.path.abspath(text) if os.name == "nt" else text).drive
        if not drive:
            return False
        if is_unc(drive):
            return True
        try:
            return windows_drive_type(drive + "\\") == DRIVE_REMOTE
        except (OSError, AttributeError):
            return False
    if is_unc(text):  # a Windows share spelt on Linux (a copied setting): certainly not local
        return True
    real = os.path.realpath(text)
    for point, fstype in mount_types(mounts):
        if real == point or real.startswith(point.rstrip("/") + "/"):
            return fstype.lower() in NETWORK_FS or fstype.lower().startswith("fuse.sshfs")
    return False


def refuse_network(path: Path) -> None:
    """StdAwardError naming ``path`` when it is on a network share (see the module's note).
    ``STDAWARD_ALLOW_NETWORK_DB=1`` lets an administrator who knows the share is safe (one PC only, a
    VM's shared folder on 9p) open it anyway."""
    if os.environ.get("STDAWARD_ALLOW_NETWORK_DB") == "1":
        return
    if is_network(path):
        raise StdAwardError(_(
            "{path} is on a network drive. A database used over the network can be damaged, so StdAward "
            "does not open it there: copy the file to this computer's disk (for example into Documents) "
            "and open the copy; several PCs sharing one database will need a database server later"
        ).format(path=path))


def sqlite_uri(path: Path, **params: str | int) -> str:
    """A ``file:`` URI for ``path`` that keeps ``#``, ``?``, ``%``, spaces and Chinese in folder names
    (``f"file:{path}"`` cuts the path at a ``#``)."""
    p = Path(path).absolute()
    if os.name == "nt":  # pragma: no cover - file:///C:/…; a UNC path keeps its leading //
        posix = p.as_posix()
        uri = "file:" + ("//" + quote(posix) if posix.startswith("//") else "///" + quote(posix))
    else:
        uri = "file:" + quote(p.as_posix())
    query = "&".join(f"{k}={quote(str(v))}" for k, v in params.items())
    return uri + ("?" + query if query else "")
