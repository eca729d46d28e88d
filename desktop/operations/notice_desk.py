"""What the notices screen and the notices verbs need besides issuing (``desktop.operations.notices``):
the approved rounds to choose from, the listing rows, whether a round still has something to issue,
issuing and printing into the office's folder in one task, previews, saving chosen notices, a file
computed for a draft, and the fonts notices are printed with. Every function takes the session first.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.award import AwardResult
from desktop.core.errors import ValidationFailed
from desktop.core.i18n import _
from desktop.core.progress import as_callbacks
from desktop.core.status import NoticeStatus, RoundStatus
from desktop.notices import content as C
from desktop.notices import fonts as fontmod
from desktop.operations.notices import (
    _lines_on_notices,
    _paying,
    _round,
    archive_printed,
    issue_round,
    listing_row,
    notice_data,
    print_notices,
    round_lines,
)
from desktop.operations.session import Session
from desktop.store import office as officemod
from desktop.store.models import Enterprise, Notice


# ---------------------------------------------------------------- what the notices screen reads and does
@dataclass(frozen=True)
class RoundChoice:
    """An approved round notices can be issued for."""

    uuid: str
    year: int
    policy_id: str


def approved_rounds(session: Session) -> list[RoundChoice]:
    from desktop.store.models import AwardRound

    return [RoundChoice(r.uuid, r.year, r.policy_id)
            for r in AwardRound.select().where(AwardRound.status == RoundStatus.APPROVED.value)
            .order_by(AwardRound.year.desc())]


def rows(session: Session, round_uuid: str | None = None) -> list[dict[str, Any]]:
    """The notices (of one round, or all), newest first, as listing rows with their id and year."""
    q = Notice.select(Notice, Enterprise).join(Enterprise)
    if round_uuid is not None:
        q = q.where(Notice.round == _round(round_uuid).id)
    notices = list(q.order_by(Notice.year.desc(), Notice.serial.desc()))
    archived = archive_printed([n.uuid for n in notices])
    return [{**listing_row(n, archived), "id": n.id, "year": n.year} for n in notices]


def issuable(session: Session, round_uuid: str) -> bool:
    """Whether the round has a paying award line that no issued (not void) notice carries."""
    results, _achs = round_lines(_round(round_uuid))
    paying = [r for r in results if _paying(r)]
    covered = _lines_on_notices(exclude=[NoticeStatus.VOID.value],
                                enterprises=sorted({r.enterprise or "" for r in paying}))
    return any((r.enterprise, r.id) not in covered for r in paying)


def issue_and_print(session: Session, round_uuid: str, issued_on: dt.date) -> dict[str, Any]:
    """Issue an approved round's notices and print them into the office's notices folder (the
    enterprise copies, then the 存档联). A cancel or failure while printing leaves the notices
    ``failed`` with their numbers kept, to be reprinted."""
    progress = session.progress
    rnd = _round(round_uuid)
    progress.update(0, 0, _("Allocating document numbers..."))
    issued = issue_round(session, round_uuid, issued_on)
    folder = session.folder("notices") / str(rnd.year)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{rnd.year}-{round_uuid[:8]}"
    out, archive = folder / f"{stem}-notices.pdf", folder / f"{stem}-archive.pdf"
    if out.exists():  # a later issue of the same round (after a void) keeps the earlier files
        stem = f"{stem}-{issued[0].serial}"
        out, archive = folder / f"{stem}-notices.pdf", folder / f"{stem}-archive.pdf"
    for path, copy, label in ((out, "enterprise", _("Printing notice {done} of {total}...")),
                              (archive, "archive", _("Printing archive copy {done} of {total}..."))):
        print_notices(session.with_progress(_Labelled(progress, label)), issued, path, copy=copy)
    return {"path": out, "archive": archive, "count": len(issued), "numbers": [n.doc_number for n in issued]}


class _Labelled:
    """A progress that words each update with ``label`` (done, total)."""

    def __init__(self, inner: Any, label: str) -> None:
        self.inner, self.label = inner, label

    @property
    def cancelled(self) -> bool:
        return bool(self.inner.cancelled)

    def update(self, done: int, total: int = 0, text: str = "") -> None:
        self.inner.update(done, total, text or self.label.format(done=done, total=total))

    def check(self) -> None:
        self.inner.check()


def _by_ids(notice_ids: Sequence[int]) -> list[Notice]:
    return list(Notice.select().where(Notice.id.in_(list(notice_ids))).order_by(Notice.year, Notice.serial))


def preview(session: Session, notice_ids: Sequence[int], copy: str) -> Path:
    """The chosen notices drawn from their stored content into a cached PDF (a preview changes no
    status; identical content gives an identical file, so the cache is keyed by the content hashes
    and the marks)."""
    from desktop.notices.notice import render_notices

    notices = _by_ids(notice_ids)
    items = [notice_data(n) for n in notices]
    key = hashlib.sha256(("|".join(f"{i['content_hash']}{i['mark'] or ''}" for i in items) + copy).encode())
    folder = Path(tempfile.gettempdir()) / "stdaward-preview"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key.hexdigest()[:24]}.pdf"
    if not path.exists():
        on_progress, cancel = as_callbacks(session.progress)
        render_notices(items, path, copy=copy, progress=on_progress, cancel=cancel)
    return path


def save(session: Session, notice_ids: Sequence[int], out: Path, copy: str) -> Path:
    """Reprint the chosen notices to ``out`` (a pending or failed notice becomes issued once printed;
    a void one stays void and prints as 作废)."""
    return print_notices(session, _by_ids(notice_ids), out, copy=copy)


# ---------------------------------------------------------------- drafts from a file, fonts
def compute_file(session: Session, policy_id: str, data: Any,
                 ) -> tuple[Any, list[AwardResult], dict[str, Any], dict[str, str], int]:
    """(policy, results, achievements by id, enterprise names, year) for a file of enterprises and
    achievements computed under ``policy_id`` (awards already in the database make repeats
    duplicates). Errors in the file raise ValidationFailed naming each record."""
    from desktop.core.engine import compute
    from desktop.core.policies import load_policy
    from desktop.store import records
    from desktop.store import rounds as store_rounds

    ents, achs, problems = records.parse_load_input(data)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationFailed(errors)
    own = session.folder("policies")
    policy = load_policy(policy_id, [own] if own.is_dir() else [])
    results = compute(policy, achs, prior=store_rounds.prior_awards())
    names = records.enterprise_names({a.enterprise for a in achs})
    names.update({a.enterprise: a.enterprise_name for a in achs if a.enterprise_name and a.enterprise not in names})
    names.update({e.uscc: e.name for e in ents})
    paying = [a.date.year for a, r in zip(achs, results) if r.status in C.PAYING]
    year = max(paying) if paying else session.today().year
    return policy, results, {a.id: a for a in achs}, names, year


def fonts(session: Session, body: str | None = None, heading: str | None = None,
          reset: bool = False) -> dict[str, dict[str, Any]]:
    """The fonts notices are printed with (role → file, index, bundled...). Choosing one (a file name
    or a path) or going back to the automatic choice changes the office settings: every chosen font
    must be usable (TrueType, not CFF) before it is saved."""
    office = officemod.require()
    settings = dict(office.settings or {})
    chosen = dict(settings.get("fonts") or {})
    if reset or body or heading:
        session.require("office.settings")
        if reset:
            chosen = {}
        for role, val in (("body", body), ("heading", heading)):
            if val:
                path = Path(val)
                if path.exists():
                    fontmod.make_choice(role, path)  # refuses CFF and non-fonts now, not at printing
                    val = str(path.resolve())
                chosen[role] = val
        settings["fonts"] = chosen
        fontmod.choose(settings)
        officemod.update(settings=settings, user=session.username)
    return {role: c.as_dict() | {"path": c.path} for role, c in fontmod.choose(settings).items()}
