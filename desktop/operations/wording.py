"""The office's control of its notices: the wording template (administrator), the 发文字号 register's
next number (administrator), the 成文日期 checks, and editable .docx drafts for an OA system."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from desktop.core.errors import Problem, StdAwardError, ValidationFailed
from desktop.core.i18n import _
from desktop.operations.session import Session


def template(session: Session) -> tuple[int, dict[str, Any]]:
    """(version, template) in force; (0, {}) while the defaults apply."""
    from desktop.operations import template_store as wording

    return wording.current()


def template_in_force(session: Session) -> dict[str, Any]:
    """The template a notice is worded with now, defaults filled in."""
    from desktop.operations import template_store as wording

    return wording.for_notices()


def save_template(session: Session, words: Mapping[str, Any], version: int | None = None) -> int:
    """Validate and store the office's wording as its next version (administrator); returns it. With
    ``version`` (the one the editor loaded): StaleRecord, nothing stored, when another was saved since."""
    from desktop.operations import template_store as wording

    session.require("office.settings")
    return wording.save(words, session.username, version)


def set_kind_line(session: Session, kind: str, text: str | None, version: int | None = None) -> int:
    """Word the award line of one kind of achievement on its own (``text``), or go back to the
    general award line (``None``), keeping the rest of the office's template; a new version
    (administrator). An unknown kind or placeholder is refused naming the kind. Saved only at
    ``version`` when given, else at the version read here (StaleRecord when another came between)."""
    read, words = template(session)
    kinds = dict(words.get("kinds") or {})
    if text is None:
        kinds.pop(kind, None)
    else:
        kinds[kind] = text
    words = {**words, "kinds": kinds}
    if not kinds:
        words.pop("kinds")
    return save_template(session, words, read if version is None else version)


def restore_defaults(session: Session, version: int | None = None) -> int:
    """The default wording again, as a new version (administrator); issued notices keep theirs.
    With ``version``: only if that is still the version in force (StaleRecord)."""
    return save_template(session, {}, version)


def problems(words: Mapping[str, Any]) -> list[Problem]:
    """What is wrong with a template (unknown placeholders, line breaks), each naming its part."""
    from desktop.notices import wording as W

    return list(W.validate({k: v for k, v in dict(words).items() if k != "version"}))


def next_number(session: Session, year: int | None = None) -> tuple[str, int, int]:
    """(prefix, year, next serial) of the office's 发文字号 register."""
    from desktop.store import office as officemod
    from desktop.store import serials

    year = year or session.today().year
    prefix = officemod.require().doc_prefix or ""
    return prefix, year, serials.next_serial(prefix, year)


def set_next_number(session: Session, number: int, year: int | None = None) -> tuple[str, int, int]:
    """Continue the register from ``number`` (an office numbering all its documents in its OA
    system): administrator only; never at or below a number already used."""
    from desktop.store import office as officemod
    from desktop.store import serials

    session.require("office.settings")
    year = year or session.today().year
    prefix = officemod.require().doc_prefix or ""
    serials.set_next(prefix, year, number, session.username)
    return prefix, year, serials.next_serial(prefix, year)


def check_issue_date(session: Session, day: dt.date, round_uuid: str | None = None) -> list[str]:
    """A 成文日期 in the future is refused (ValidationFailed naming the date); one before the round's
    approval is allowed (dated as of a meeting) and returned as a warning to show."""
    from desktop.notices.content import issue_date_problems

    approved = None
    if round_uuid:
        from desktop.store.models import AwardRound

        rnd = AwardRound.get_or_none(AwardRound.uuid == round_uuid)
        approved = rnd.approved_at.date() if rnd is not None and rnd.approved_at is not None else None
    errors, warnings = issue_date_problems(day, session.today(), approved)
    if errors:
        raise ValidationFailed([Problem("--date", "date", e) for e in errors])
    return list(warnings)


def docx_drafts(session: Session, folder: Path, day: dt.date, *, round_uuid: str | None = None,
                computed: tuple[Any, Any, Any, Any, int] | None = None) -> list[Path]:
    """One editable Word draft per enterprise (可编辑草稿: blank number, no verification code, nothing
    issued or recorded), from a round or from computed input ``(policy, results, achievements,
    names, year)``, for offices that route wording through their OA system."""
    from desktop.notices import content as C
    from desktop.notices.docx_draft import write_docx
    from desktop.operations import template_store as wording
    from desktop.store import office as officemod

    office = officemod.require()
    if round_uuid:
        from desktop.operations.notices import round_lines
        from desktop.operations.round_work import load_policy
        from desktop.store.models import AwardRound, Enterprise

        rnd = AwardRound.get_or_none(AwardRound.uuid == round_uuid)
        if rnd is None:
            raise StdAwardError(_("no award round {id}").format(id=round_uuid))
        results, achs = round_lines(rnd)
        names = {e.uscc: e.name for e in Enterprise.select().where(
            Enterprise.uscc.in_({r.enterprise for r in results}))}
        pol = load_policy(rnd.policy_id)
        year = rnd.year
    elif computed is not None:
        pol, results, achs, names, year = computed
    else:
        raise StdAwardError(_("give a round or an input file"))
    policy = {"id": pol.id, "title": pol.title, "document_number": pol.document_number}
    drafts = C.build_drafts(results, achs, names, {**officemod.as_dict(office), "settings": office.settings},
                            policy, day, year, {}, round_uuid, template=wording.for_notices())
    if not drafts:
        raise StdAwardError(_("no enterprise has an award to notify (nothing awarded with an amount)"))
    out = []
    for d in drafts:
        name = "".join(ch for ch in d.enterprise_name if ch not in '\\/:*?"<>|')
        out.append(write_docx(d.content, Path(folder) / f"{name}-可编辑草稿.docx"))
    return out


# ---------------------------------------------------------------------------- for the editor
def merged(words: Mapping[str, Any]) -> dict[str, Any]:
    """``words`` with the defaults filled in for every part left out."""
    from desktop.notices import wording as W

    return W.merged(dict(words))


def placeholders() -> dict[str, Any]:
    """Each template part and the placeholders it may use."""
    from desktop.notices import wording as W

    return dict(W.FIELDS)


def sample(words: Mapping[str, Any], office: Mapping[str, Any], kind: str | None = None) -> dict[str, Any]:
    """A sample notice's text worded with ``words`` (for the live preview); with ``kind``, it also
    has an award line for an achievement of that kind."""
    from desktop.notices.content import sample_notice

    return sample_notice(dict(words), dict(office), kind=kind)


def kinds() -> tuple[str, ...]:
    """The achievement kinds whose award line an office may word differently."""
    from desktop.notices import wording as W

    return tuple(W.KINDS)


def default_template() -> dict[str, Any]:
    """The default wording (what "restore the defaults" puts back), every part filled in."""
    from desktop.notices import wording as W

    return W.merged({})


def office_for_preview(session: Session) -> dict[str, Any]:
    from desktop.store import office as officemod

    office = officemod.get()
    return {**officemod.as_dict(office), "settings": office.settings} if office else {}
