"""The consolidation's sums and keys kept at import time (``desktop.store.award_sums``, schema 7),
brought up to date inside the import's transaction: schema 7's triggers stand aside during the
bulk write (they would fire once per row written) and what they would have noted is noted once
from what the write did (``before_write`` / ``after_write``); at the end, the sums of the rounds the
sender sent, as the import's record of its rows now lists them (a replacing package's new lines, its
tombstones' deletions, the rounds it no longer carries), and the enterprise pairs and claim keys of
every county the import made stale."""
from __future__ import annotations

from typing import Any

from desktop.store import award_sums


def before_write(ops: list[Any]) -> dict[str, Any]:
    """Call inside the import's transaction, just before its bulk write of ``ops`` (the rows it
    updates, each with its ``table`` and ``local_id``; the rows it inserts get ids above the
    largest one now)."""
    updated: dict[str, list[int]] = {}
    for o in ops:
        if o.local_id is not None:
            updated.setdefault(o.table.db, []).append(int(o.local_id))
    return award_sums.write_begins(updated)


def after_write(mark: dict[str, Any]) -> None:
    """Just after the bulk write (before anything else the import writes: tombstones fire the
    triggers as any other write)."""
    award_sums.write_ends(mark)


def after_import(pkg: Any) -> None:
    """Call inside the import's transaction, after the import's record of the sender's rows is
    written: the sums of the sender's rounds, again; the stale counties' pairs and keys."""
    award_sums.refresh(pkg.office_uuid)
    award_sums.refresh_sent()  # the origins its achievements' writes made stale
