"""The evidence folder in backups: a manual backup writes, beside the database's copy, a zip of the
office's evidence files (``<backup>.evidence.zip``); restoring that backup puts back the files the
folder lacks. The files are stored by SHA-256 and never change, so one zip beside each backup is a
complete copy, and a restore never overwrites a file (each is checked against its hash first)."""
from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from desktop.store.atomic import write_atomic
from desktop.store.paths import folder_for

SUFFIX = ".evidence.zip"
_NAME = re.compile(r"^[0-9a-f]{64}(\.[0-9a-z]{1,10})?$")


def beside(backup_file: Path) -> Path:
    return Path(backup_file).with_name(Path(backup_file).name + SUFFIX)


def write(db_path: Path, backup_file: Path) -> Path | None:
    """Zip the evidence folder beside ``backup_file`` (None: there are no evidence files). On a server
    the attached files this PC lacks are first fetched from the database into its folder."""
    from desktop.store.files import cache_all

    cache_all(Path(db_path))
    folder = folder_for(Path(db_path), "evidence")
    files = sorted(p for p in folder.iterdir() if p.is_file() and _NAME.match(p.name)) if folder.is_dir() else []
    if not files:
        return None

    def produce(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zf:  # scans and PDFs do not compress
            for p in files:
                zf.write(p, p.name)

    return write_atomic(beside(backup_file), produce, step="backup")


@dataclass
class Restored:
    files: int = 0  # put back
    present: int = 0  # already in the folder
    damaged: int = 0  # not what their name says: skipped


def restore(db_path: Path, backup_file: Path) -> Restored | None:
    """Put back the evidence files of the zip beside ``backup_file`` that the folder lacks (None:
    the backup has no evidence copy)."""
    source = beside(backup_file)
    if not source.is_file():
        return None
    folder = folder_for(Path(db_path), "evidence")
    out = Restored()
    with zipfile.ZipFile(source) as zf:
        for info in zf.infolist():
            target = folder / info.filename
            if not _NAME.match(info.filename):
                out.damaged += 1
                continue
            if target.is_file():
                out.present += 1
                continue
            body = zf.read(info)
            if hashlib.sha256(body).hexdigest() != info.filename[:64]:
                out.damaged += 1
                continue
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(target, body, step="evidence")
            out.files += 1
    return out
