"""Files every PC of an office sees (schema v6): the evidence and the installed local measures.

A PC's SQLite database keeps its evidence where it always did, in the ``evidence`` folder beside it,
each file named by its SHA-256. A server database is shared by PCs with data folders of their own,
so there the database keeps the contents too (``StoredFile`` and its ``FileChunk`` rows, at most
``CHUNK`` bytes each, the row written after its chunks) and each PC's folder is a cache: a file is
checked against its SHA-256 whenever it is read from the folder, and a copy that is missing or not
what was attached is fetched again from the server. On a PC the folder holds the only copy: a file
that is missing or changed there is refused, naming it.

The local measures are rows on both engines (``InstalledMeasure``: the policy file and its worked
cases as text), and the ``policies`` folder beside the database is made from them whenever the
policies are read (``measures_folder``), so a measure installed on one PC is the one every other
PC computes with; a file in the folder the office never installed is moved aside into its
``not-installed`` folder, where nothing reads it.

Files kept before schema 6 are taken in: a PC's measures by the upgrade; on a server, the evidence
and measures that only this PC's folders held whenever it opens the database (``take_in``), a
measure only when the audit log records its install with that content.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.store.atomic import write_atomic
from desktop.store.paths import folder_for

CHUNK = 1 << 20  # bytes per stored chunk (a 200 MB scan is 200 rows)
ASIDE = "not-installed"  # where a policy file the office never installed is moved (never read from there)
_writing = threading.Lock()  # two tasks of one window filling the same copy (its temporary name is fixed)


def is_server() -> bool:
    from desktop.store.backend import is_postgres

    return is_postgres()


def open_path() -> Path | None:
    """The open database's path (a file, or a server's connection file), if any."""
    from desktop.store import db

    return db._path


def _bound_to(db_path: Path | None) -> bool:
    from desktop.store import db

    return db_path is not None and db._path is not None and Path(db._path) == Path(db_path) and db.models_bound()


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


# ---------------------------------------------------------------------------- evidence
def evidence_folder(db_path: Path | None = None) -> Path:
    """This PC's evidence folder for the database (by default the open one)."""
    path = db_path if db_path is not None else open_path()
    if path is None:
        raise StdAwardError("database not open")
    return folder_for(Path(path), "evidence")


def stored(sha: str) -> bool:
    from desktop.store.models import StoredFile

    return StoredFile.select().where(StoredFile.sha256 == sha).exists()


def put(path: Path, sha: str, size: int | None = None) -> bool:
    """Keep the contents of the local file ``path`` in the server database under ``sha`` (inside
    the caller's transaction, or one of its own). The file is hashed as it is read: one that is not
    what ``sha`` says is refused and nothing is kept. Two PCs keeping the same file at once keep it
    once. Returns whether it was stored now (False on a PC's SQLite database, or when already there)."""
    from desktop.store.models import database

    if not is_server() or stored(sha):
        return False
    with database.atomic():
        h, total, seq = hashlib.sha256(), 0, 0
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(CHUNK), b""):
                h.update(block)
                total += len(block)
                database.execute_sql("INSERT INTO file_chunk (sha256, seq, data) VALUES (?, ?, ?) "
                                     "ON CONFLICT DO NOTHING", (sha, seq, block))
                seq += 1
        if h.hexdigest() != sha or (size is not None and total != size):
            raise StdAwardError(_("{file} changed while it was being stored; nothing was kept: try again").format(
                file=Path(path).name))
        database.execute_sql("INSERT INTO stored_file (sha256, size, chunks, created_at) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT DO NOTHING", (sha, total, seq, _now()))
    return True


def _now() -> Any:
    from desktop.store.models import now

    return now()


PIECES = 4  # stored chunks read from the server at a time while a file is fetched


def fetch(sha: str, target: Path, name: str) -> bool:
    """Write the file the database keeps under ``sha`` to ``target`` (a temporary name, checked
    against its SHA-256 and size, then renamed); False when the database does not keep it. The
    pieces come through one server-side cursor, ``PIECES`` at a time in the binary format, and are
    hashed as they are written: a piece missing, out of order or changed is refused, and nothing
    appears under ``target``."""
    from desktop.store.backend import stream
    from desktop.store.models import StoredFile, database

    row = StoredFile.get_or_none(StoredFile.sha256 == sha)
    if row is None:
        return False

    def damaged() -> StdAwardError:
        return StdAwardError(_("the database's copy of {file} is damaged (it is not the file that was attached); "
                               "attach the file again").format(file=name))

    def produce(tmp: Path) -> None:
        h, total, expected = hashlib.sha256(), 0, 0
        with open(tmp, "wb") as out, database.atomic():
            for batch in stream("SELECT seq, data FROM file_chunk WHERE sha256 = ? AND seq < ? ORDER BY seq",
                                (sha, int(row.chunks)), PIECES, binary=True):
                for seq, data in batch:
                    if int(seq) != expected:
                        raise damaged()
                    block = bytes(data)
                    h.update(block)
                    total += len(block)
                    out.write(block)
                    expected += 1
        if expected != int(row.chunks) or total != int(row.size) or h.hexdigest() != sha:
            raise damaged()

    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, produce, step="evidence")
    return True


def evidence_copy(db_path: Path, sha: str, suffix: str, name: str) -> Path:
    """The attached file ``name`` on this PC, checked against its SHA-256. On a server a copy missing
    from this PC's folder, or not the file that was attached, is fetched (again) from the database;
    on a PC the folder holds the only copy, so a missing or changed file is refused, naming it."""
    folder = folder_for(Path(db_path), "evidence")
    path = folder / f"{sha}{suffix.lower()}"
    if path.is_file():
        if digest(path) == sha:
            return path
        if not is_server():
            raise StdAwardError(_("{file} in the evidence folder {folder} is not the file that was attached (it was "
                                  "changed since); restore it from a backup or attach it again").format(
                file=name, folder=folder))
    elif not is_server():
        raise StdAwardError(_("{file} is missing from the evidence folder {folder}; attach it again").format(
            file=name, folder=folder))
    with _writing:
        if path.is_file() and digest(path) == sha:  # another task fetched it meanwhile
            return path
        found = fetch(sha, path, name)
    if not found:
        raise StdAwardError(_("{file} is kept neither on the database server nor on this PC; attach it again").format(
            file=name))
    return path


def referenced() -> list[tuple[str, str, str]]:
    """(sha256, suffix, a file name) of every distinct attached file."""
    from desktop.store.models import database

    out: dict[tuple[str, str], str] = {}
    for sha, name in database.execute_sql("SELECT sha256, filename FROM evidence WHERE sha256 IS NOT NULL "
                                          "AND sha256 <> '' ORDER BY id").fetchall():
        out.setdefault((str(sha), Path(str(name)).suffix.lower()), str(name))
    return [(sha, suffix, name) for (sha, suffix), name in out.items()]


def cache_all(db_path: Path) -> list[str]:
    """On a server: every attached file into this PC's folder (a backup zips that folder); returns
    a sentence per file that could not be had. Nothing to do on a PC."""
    if not is_server():
        return []
    missing = []
    for sha, suffix, name in referenced():
        try:
            evidence_copy(db_path, sha, suffix, name)
        except StdAwardError as exc:
            missing.append(str(exc))
    return missing


def take_in_evidence(folder: Path) -> int:
    """On a server: keep the attached files the database lacks and ``folder`` holds intact (a PC's
    files from before schema 6, a migrated office's, a restored backup's); returns how many."""
    from desktop.store.models import database

    if not is_server() or not folder.is_dir():
        return 0
    rows = database.execute_sql(
        "SELECT DISTINCT v.sha256, v.filename FROM evidence v LEFT JOIN stored_file f ON f.sha256 = v.sha256 "
        "WHERE f.sha256 IS NULL AND v.sha256 IS NOT NULL AND v.sha256 <> ''").fetchall()
    kept: set[str] = set()
    for sha, name in rows:
        path = folder / f"{sha}{Path(str(name)).suffix.lower()}"
        if sha in kept or not path.is_file() or digest(path) != sha:
            continue
        if put(path, str(sha)):
            kept.add(str(sha))
    return len(kept)


# ---------------------------------------------------------------------------- local measures
def _measure_files(folder: Path) -> dict[str, Path]:
    """measure id -> its policy file in ``folder``."""
    return {p.stem: p for p in sorted(folder.glob("*.toml")) if p.is_file()} if folder.is_dir() else {}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def take_in_measures(db_path: Path | None, *, vouched: bool = False) -> int:
    """Keep as installed the measures in the ``policies`` folder beside ``db_path`` that the
    database does not hold yet (the upgrade to schema 6 takes them all; with ``vouched``, a measure
    only when the audit log records its install with this content). Returns how many."""
    from desktop.store.models import AuditEntry, InstalledMeasure

    if db_path is None:
        return 0
    folder = folder_for(Path(db_path), "policies")
    have = {r.measure_id for r in InstalledMeasure.select(InstalledMeasure.measure_id)}
    n = 0
    for measure_id, path in _measure_files(folder).items():
        if measure_id in have:
            continue
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        cases_file = folder / "cases" / path.name
        cases = cases_file.read_text("utf-8") if cases_file.is_file() else None
        entry = (AuditEntry.select().where((AuditEntry.action == "install") & (AuditEntry.entity == "policy")
                                           & (AuditEntry.entity_uuid == measure_id))
                 .order_by(AuditEntry.id.desc()).first())
        after = entry.after if entry is not None and isinstance(entry.after, dict) else {}
        if vouched and after.get("sha256") != hashlib.sha256(raw).hexdigest():  # as the install recorded it
            continue
        InstalledMeasure.create(measure_id=measure_id, policy=text, cases=cases, sha256=_sha(text),
                                installed_by=entry.user if entry is not None else "migration",
                                installed_at=entry.at if entry is not None else _now())
        n += 1
    return n


def keep_measure(measure_id: str, policy: str, cases: str | None, user: str) -> None:
    """Record ``measure_id`` as installed with these texts (inside the install's transaction)."""
    from desktop.store.models import InstalledMeasure

    InstalledMeasure.insert(measure_id=measure_id, policy=policy, cases=cases, sha256=_sha(policy), installed_by=user,
                            installed_at=_now()).on_conflict_replace().execute()  # two PCs at once: one row


def measure_installed(measure_id: str) -> bool:
    from desktop.store.models import InstalledMeasure

    return InstalledMeasure.select().where(InstalledMeasure.measure_id == measure_id).exists()


def measures_folder(db_path: Path) -> Path:
    """The ``policies`` folder beside ``db_path``, made to hold exactly the measures the database
    has installed when it is the open one (a file differing from its row is written again, a file
    the office never installed moved aside into ``not-installed``); otherwise the folder as it is."""
    from desktop.store.models import InstalledMeasure

    folder = folder_for(Path(db_path), "policies")
    if not _bound_to(db_path):
        return folder
    want: dict[Path, bytes] = {}
    for row in InstalledMeasure.select(InstalledMeasure.measure_id, InstalledMeasure.policy, InstalledMeasure.cases):
        want[folder / f"{row.measure_id}.toml"] = str(row.policy).encode("utf-8")
        if row.cases is not None:
            want[folder / "cases" / f"{row.measure_id}.toml"] = str(row.cases).encode("utf-8")
    if not want and not folder.is_dir():
        return folder
    with _writing:
        for path, body in want.items():
            if path.is_file() and path.read_bytes() == body:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, body, step="measure")
        for sub in (folder, folder / "cases"):
            for path in sorted(sub.glob("*.toml")) if sub.is_dir() else []:
                if path not in want:
                    aside = folder / ASIDE / path.relative_to(folder)
                    aside.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(path, aside)
    return folder


def take_in(db_path: Path) -> None:
    """On a server: what this PC's folders hold that the database lacks (files kept before schema
    6), each checked first; in one transaction. Cheap when there is nothing to take in."""
    from desktop.store.models import database

    if not is_server():
        return
    with database.atomic():
        take_in_evidence(folder_for(Path(db_path), "evidence"))
        take_in_measures(db_path, vouched=True)
