"""The consolidation's sums kept at import time (``desktop.store.award_sums``), brought up to date
at the end of an import's transaction: the rounds the sender sent, as the import's record of its
rows now lists them (a replacing package's new lines, its tombstones' deletions, the rounds it no
longer carries)."""
from __future__ import annotations

from typing import Any

from desktop.store import award_sums


def after_import(pkg: Any) -> None:
    """Call inside the import's transaction, after the import's record of the sender's rows is
    written: the sums of the sender's rounds, again."""
    award_sums.refresh(pkg.office_uuid)
    award_sums.refresh_sent()  # the origins its achievements' writes made stale
