"""The city's reply to a county: acceptance or return of a submission (a year's package), with a
comment and comments on single records, carried back in a signed package the county imports.

    path = write_reply(out, office_uuid, year=2024, decision="returned", comment="...",
                       remarks={achievement_uuid: "证书复印件不清晰"}, user="zhou")

A reply is an exchange package like any other (sealed, signed with the city's key, numbered in the
city's sequence, written so a pulled stick leaves nothing that verifies) holding two tables:
``decisions`` (``DECISION_COLUMNS``: to which office, the year, accepted or returned, the comment,
when and by whom) and ``remarks`` (``REMARK_COLUMNS``: a record's global id and the comment on it).
The county imports it with ``stdaward import`` (the same verification: registered key, stale and
replayed packages refused); a reply addressed to another office is refused whole. The county keeps
the replies in its settings (``replies``) and its audit log.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from desktop.core.errors import Problem, StdAwardError, ValidationFailed
from desktop.core.i18n import _
from desktop.core.vocabulary import safe_label
from desktop.exchange import package as pkgmod
from desktop.exchange.offices import signing_office
from desktop.exchange.origins import answered_by
from desktop.exchange.package import Package, PackageError
from desktop.store import audit
from desktop.store.models import Achievement, KnownOffice, PackageLog, Setting, database, now

DECISION_COLUMNS = ("office", "year", "decision", "comment", "at", "by")
REMARK_COLUMNS = ("office", "year", "table", "uuid", "label", "comment")
DECISIONS = ("accepted", "returned")
REPLIES_KEY = "exchange.replies"  # at the county: the replies received, oldest first
SENT_KEY = "exchange.replies_sent"  # at the city: the replies written
MAX_COMMENT = 2000
MAX_LABEL = 300  # a record's id and standard number, as a remark names it


def _setting(key: str) -> Any:
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row is not None else None


def _comment_problem(record: str, field: str, text: Any) -> Problem | None:
    if not isinstance(text, str) or len(text) > MAX_COMMENT or not all(c.isprintable() or c in "\n\t" for c in text):
        return Problem(record, field, _("a comment is text of at most {n} characters").format(n=MAX_COMMENT))
    return None


def write_reply(out: Path, office_uuid: str, *, year: int, decision: str, comment: str = "",
                remarks: dict[str, str] | None = None, user: str) -> pkgmod.Package:
    """Write the city's reply on ``office_uuid``'s submission for ``year`` to ``out``; the reply
    package read back. ``remarks`` maps an achievement's global id (one the office sent) to a comment."""
    from desktop import __version__
    from desktop.exchange.export import next_sequence
    from desktop.store.migrations import PACKAGE_SCHEMA

    county = KnownOffice.get_or_none(KnownOffice.uuid == office_uuid)
    if county is None:
        raise StdAwardError(_("no registered office with this id: register the county's key first"))
    problems: list[Problem] = []
    if decision not in DECISIONS:
        problems.append(Problem(county.name, "decision", _("accept or return the submission")))
    if decision == "returned" and not (comment or "").strip() and not remarks:
        problems.append(Problem(county.name, "comment", _("say why the submission is returned: a comment, or "
                                                          "comments on records")))
    for p in (_comment_problem(county.name, "comment", comment or ""),):
        if p:
            problems.append(p)
    rows: list[list[Any]] = []
    theirs = answered_by(office_uuid)  # a city's own records and its counties' it passed on
    for uuid, text in (remarks or {}).items():
        ach = Achievement.get_or_none(Achievement.uuid == uuid)
        if ach is None or ach.origin not in theirs:
            problems.append(Problem(uuid, "record", _("not an achievement {name} sent").format(name=county.name)))
            continue
        p = _comment_problem(ach.source_id, "comment", text)
        if p is not None or not text.strip():
            problems.append(p or Problem(ach.source_id, "comment", _("the comment is empty")))
            continue
        label = " ".join(x for x in (ach.source_id, ach.ref or "") if x)
        rows.append([office_uuid, year, "achievements", uuid, label, text.strip()])
    if problems:
        raise ValidationFailed(problems)
    out = Path(out)
    if not out.parent.is_dir():
        raise StdAwardError(_("the folder {path} does not exist (is the USB stick plugged in?)").format(path=out.parent))
    if out.is_dir():
        raise StdAwardError(_("{path} is a folder; give the package's file name").format(path=out))
    from desktop.store.atomic import free_name

    out = free_name(out)  # a reply saved earlier under this name stays: this one goes beside it
    office = signing_office()
    at = dt.datetime.now().isoformat(timespec="seconds")
    decisions = [[office_uuid, year, decision, (comment or "").strip(), at, user]]
    with database.atomic():
        sequence = next_sequence(office.uuid)
    manifest = {"office": {"uuid": office.uuid, "name": office.name, "region": office.region_code,
                           "role": office.role},
                "public_key": office.public_key, "sequence": sequence, "created_at": at,
                "period": {"kind": "reply", "year": year, "to": office_uuid},
                "app_version": __version__, "schema_version": PACKAGE_SCHEMA}
    tables = {"decisions": (DECISION_COLUMNS, decisions), "remarks": (REMARK_COLUMNS, rows)}
    data = pkgmod.build(manifest, tables, office.signing_key)
    checked: list[Package] = []

    def read_back(tmp: Path) -> None:
        checked.append(pkgmod.read_package(tmp))

    def record() -> None:
        got = checked[0]
        with database.atomic():
            PackageLog.create(direction="export", office_uuid=office.uuid, sequence=sequence, sha256=got.sha256,
                              path=str(out), summary={"counts": dict(got.manifest["counts"]),
                                                      "period": manifest["period"]})
            sent = list(_setting(SENT_KEY) or [])
            sent.append({"office": office_uuid, "year": year, "decision": decision, "comment": decisions[0][3],
                         "at": at, "by": user, "sequence": sequence,
                         "remarks": [{"uuid": r[3], "label": r[4], "comment": r[5]} for r in rows]})
            Setting.insert(key=SENT_KEY, value=sent).on_conflict_replace().execute()
            audit.record(user, "reply", "package", got.sha256, None,
                         {"office": office_uuid, "year": year, "decision": decision, "remarks": len(rows),
                          "sequence": sequence})

    try:
        pkgmod.write_verified(out, data, read_back, record)
    except OSError as exc:
        from desktop.core.failures import write_failure

        raise StdAwardError(write_failure(exc, out)) from None
    checked[0].path = out  # where it is now (it was read back under its temporary name)
    return checked[0]


def check_addressed(pkg: Package) -> None:
    """Refuse a reply addressed to another office than this one (before anything is planned)."""
    from desktop.exchange.offices import own_office

    rows = pkg.rows("decisions") + pkg.rows("remarks")
    if not rows:
        return
    own = own_office()
    if own is None or any(r[0] != own.uuid for r in rows):
        raise PackageError(_("this reply from {name} is addressed to another office; it is refused").format(
            name=pkg.office_name))


def _check_texts(decisions: list[dict[str, Any]], remarks: list[dict[str, Any]]) -> None:
    """The city's program could be old or altered: the texts of its reply pass the rules its own form
    applies (length, no control or text-direction character), or the whole reply is refused."""
    texts = [(_("the comment on the submission"), d["comment"] or "", MAX_COMMENT) for d in decisions]
    for r in remarks:
        label = safe_label(r["label"], "?")
        texts += [(_("the name of record {label}").format(label=label), r["label"] or "", MAX_LABEL),
                  (_("the comment on record {label}").format(label=label), r["comment"] or "", MAX_COMMENT)]
    for what, text, limit in texts:
        if not isinstance(text, str) or len(text) > limit or not all(c.isprintable() or c in "\n\t" for c in text):
            raise PackageError(_("the reply is refused: {what} is not text of at most {n} characters without "
                                 "invisible control or text-direction characters").format(what=what, n=limit))


def keep(pkg: Package, user: str, applied: dict[str, int]) -> None:
    """At the county: keep the reply's decisions and remarks (a replayed reply adds nothing)."""
    decisions = [dict(zip(DECISION_COLUMNS, r)) for r in pkg.rows("decisions")]
    if not decisions:
        return
    remarks = [dict(zip(REMARK_COLUMNS, r)) for r in pkg.rows("remarks")]
    kept = list(_setting(REPLIES_KEY) or [])
    if any(k.get("package") == pkg.sha256 for k in kept):
        applied["replies"] = 0
        return
    _check_texts(decisions, remarks)
    for d in decisions:
        if d["decision"] not in DECISIONS or not isinstance(d["year"], int):
            raise PackageError(_("the reply's decision is not one this program knows"))
        entry = {"package": pkg.sha256, "from": pkg.office_uuid, "from_name": pkg.office_name,
                 "sequence": pkg.sequence, "year": d["year"], "decision": d["decision"],
                 "comment": str(d["comment"] or ""), "at": str(d["at"]), "by": str(d["by"]),
                 "received_at": str(now()),
                 "remarks": [{"table": r["table"], "uuid": r["uuid"], "label": str(r["label"] or ""),
                              "comment": str(r["comment"] or "")[:MAX_COMMENT], "content": _content(r["uuid"])}
                             for r in remarks if r["year"] == d["year"] and isinstance(r["uuid"], str)]}
        kept.append(entry)
        audit.record(user, "import-reply", "package", pkg.sha256, None,
                     {k: entry[k] for k in ("from", "year", "decision", "comment")} | {"remarks": len(entry["remarks"])})
    Setting.insert(key=REPLIES_KEY, value=kept).on_conflict_replace().execute()
    applied["replies"] = len(decisions)


def _content(uuid: str) -> str | None:
    """A digest of an achievement's fields as they are here (None: no such record)."""
    ach = Achievement.get_or_none(Achievement.uuid == uuid)
    return None if ach is None else audit.fields_digest(audit.achievement_fields(ach.__data__))


def replies() -> list[dict[str, Any]]:
    """The replies received, newest first, each remark with the record as it is here now (its id,
    and whether it changed since the reply arrived)."""
    out = []
    for entry in reversed(list(_setting(REPLIES_KEY) or [])):
        remarks = []
        for r in entry.get("remarks", []):
            ach = Achievement.get_or_none(Achievement.uuid == r["uuid"])
            changed = ach is not None and _content(r["uuid"]) != r.get("content")
            remarks.append(dict(r, source_id=ach.source_id if ach is not None else None,
                                exists=ach is not None, changed=changed))
        out.append(dict(entry, remarks=remarks))
    return out


def sent_replies() -> list[dict[str, Any]]:
    """At the city: the replies written, newest first."""
    return list(reversed(list(_setting(SENT_KEY) or [])))
