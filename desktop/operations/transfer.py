"""Move an office database to another engine (``stdaward migrate-db``): an office's SQLite file onto
the office's PostgreSQL server, or a server database back into a file. Administrators only."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.operations.session import Session


def migrate_db(session: Session, target: Path) -> dict[str, Any]:
    """Copy the session's database, every row with its id, into the new, empty database ``target``
    (a file path, or the connection file of a server database); checked before it commits. Returns
    where it went (``to``: the file or the server address without a password), the rows copied
    per table (``rows``) and a sentence per evidence file that could not be had to go along
    (``evidence_missing``: missing where the office kept it already). The session's database stays open and unchanged: a copy changes nothing
    in the office's records, so its audit log gains no entry."""
    session.require("backups.restore")
    from desktop.store import transfer
    from desktop.store.backend import describe

    missing: list[str] = []

    def keep_counts() -> None:
        """On the copy: the index the targets' counts are brought up to date by (a server's first
        reading would make it) and the overview's counts, so that its first reading counts nothing."""
        from desktop.operations import targets

        targets.keep_number_index(session)
        targets.keep_counts(session)

    counts = transfer.copy(session.db_path, Path(target), progress=session.progress, notes=missing, then=keep_counts)
    return {"to": describe(Path(target)), "rows": counts, "evidence_missing": missing}
