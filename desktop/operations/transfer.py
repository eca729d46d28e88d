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
    counts = transfer.copy(session.db_path, Path(target), progress=session.progress, notes=missing,
                           then=lambda: keep_overview(session))
    return {"to": describe(Path(target)), "rows": counts, "evidence_missing": missing}


def keep_overview(session: Session) -> None:
    """On a database just written whole (a copy, a backup restored onto a server), open in this
    process: what the overview's first reading there would otherwise do, the audit log's check (its
    mark kept), then the index the targets' counts are brought up to date by, and the counts (the
    order the overview's reading takes: see ``targets.keep_number_index``). The write has committed
    and been checked: nothing here fails it (the first reading there does the work instead)."""
    import logging

    from desktop.operations import audit, targets

    try:
        if audit.check_chain(session, incremental=True)["broken_at"] is None:
            targets.keep_number_index(session)
    except Exception:  # noqa: BLE001 - a cache of the database's own: the office's first reading checks again
        logging.getLogger(__name__).warning("could not keep the audit check's mark", exc_info=True)
    targets.keep_counts(session)
