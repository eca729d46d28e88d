"""USB exchange packages: export (any role), verify and plan an import (reading only), import (clerk
or administrator), this office's card and the offices it accepts, registering another office's key
(administrator), the city's consolidation report.

Long work reports to ``session.progress`` with a stage an officer can read, and stops at the next
safe point once cancelled (``Cancelled``): a cancelled export leaves no package (not even a part
file) and no log entry; a cancelled import rolls back its one transaction.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.core.batches import IN_LIST, batches
from desktop.core.errors import StdAwardError
from desktop.core.i18n import N_, _, colon, comma
from desktop.operations.session import Session

if TYPE_CHECKING:
    from desktop.exchange.consolidate import Report
    from desktop.exchange.export import ExportResult
    from desktop.exchange.importer import ImportPlan, ImportResult
    from desktop.exchange.package import Package

KEEP_MINE, TAKE_THEIRS = "keep_mine", "take_theirs"  # a conflict's resolution (desktop.exchange.importer's)

# the exchange's stages, as the progress dialog names them
STAGES = {"select": N_("selecting the records"), "pack": N_("packing and signing"), "write": N_("writing the file"),
          "verify": N_("checking the package"), "plan": N_("comparing with this database"),
          "done": N_("done")}
DIRECTIONS = {"export": N_("export"), "import": N_("import")}
TABLES = {"enterprises": N_("Enterprises"), "achievements": N_("Achievements"), "rounds": N_("Award rounds"),
          "awards": N_("Awards"), "tombstones": N_("Deletions and merges"), "evidence": N_("Evidence files"),
          "publicity": N_("Publicity periods")}
# what an import found, in the order an officer reads it
CATEGORIES = (("new", N_("New")), ("updated", N_("Updated")), ("deleted", N_("Deleted")),
              ("unchanged", N_("Unchanged")),
              ("conflicts", N_("Conflicts")), ("rejected", N_("Rejected")))
COUNT_LABELS = {**TABLES, **dict(CATEGORIES)}


def stage_label(stage: str) -> str:
    return _(STAGES[stage]) if stage in STAGES else _("working")


def _reporter(session: Session, what: str) -> tuple[Callable[[str, int, int], None], Callable[[], bool]]:
    """The exchange's ``progress(stage, done, total)`` and ``cancelled()`` bound to the session."""
    progress = session.progress

    def report(stage: str, done: int, total: int) -> None:
        progress.update(done, total, f"{what}{colon()}{stage_label(stage)}")

    return report, (lambda: progress.cancelled)


# ---------------------------------------------------------------- export
def export(session: Session, out: Path, *, year: int | None = None, since_last: bool = False,
           passphrase: str | None = None) -> ExportResult:
    """Write this office's package to ``out`` (read back and verified before it takes its name)."""
    from desktop.exchange.export import export_package

    session.require("exchange.export")
    report, cancelled = _reporter(session, _("Export"))
    return export_package(Path(out), year=year, since_last=since_last, passphrase=passphrase,
                          user=session.username, progress=report, cancelled=cancelled)


def evidence_preview(session: Session, *, year: int | None = None, since_last: bool = False) -> tuple[int, int]:
    """Before an export: how many evidence files not sent before it would carry, and their bytes."""
    from desktop.exchange.export import evidence_preview as preview

    return preview(year=year, since_last=since_last)


def export_preview(session: Session, folder: Path | None, *, year: int | None = None,
                   since_last: bool = False) -> dict[str, Any]:
    """Before an export, what an officer needs to know about the stick: the evidence files not sent
    before that the package would carry (how many, bytes), ``attached``: how many its records have at
    all (sent before or not), the free bytes in ``folder`` (None: cannot
    tell), and ``problem``, the sentence the export itself would refuse with when the evidence alone
    does not fit (None: it fits, as far as can be told before packing). Reads every new evidence file's
    size: run it off the UI thread."""
    from desktop.exchange.export import evidence_selection, free_space, room_problem

    session.progress.check()
    files, size, attached = evidence_selection(year=year, since_last=since_last)
    session.progress.check()
    folder = Path(folder) if folder else None
    return {"files": files, "bytes": size, "attached": attached,
            "free": free_space(folder) if folder is not None else None,
            "problem": room_problem(folder, size) if folder is not None else None}


def last_export(session: Session) -> dt.datetime | None:
    """When this office last exported (None: never; "changes since the last export" needs one)."""
    from desktop.exchange.export import last_export as last

    row = last()
    return None if row is None else row.at


def default_name(session: Session, year: int | None) -> str:
    """A package's file name as an officer files it: the office's name and the year (or today's
    date), 「莆田市城厢区市场监督管理局2025年度标准化奖补数据.stdpkg」, safe on Windows."""
    from desktop.core.docnames import safe_filename
    from desktop.exchange.package import SUFFIX
    from desktop.store import office

    o = office.get()
    name = o.name if o is not None and o.name else ""
    if year:
        return safe_filename(f"{name}{year}年度标准化奖补数据", SUFFIX)
    day = session.today()
    return safe_filename(f"{name}标准化奖补数据（{day.year}年{day.month}月{day.day}日）", SUFFIX)


def package_log(session: Session, limit: int = 500) -> list[dict[str, Any]]:
    """The packages exported and imported, newest first, labelled for an officer."""
    from desktop.exchange.offices import names
    from desktop.store.models import PackageLog

    who = names()
    out = []
    log: Any = PackageLog
    for p in log.select().order_by(log.id.desc()).limit(limit):
        counts = (p.summary or {}).get("counts", {})
        period = (p.summary or {}).get("period") or {}
        if period.get("kind") == "reply":  # the city's reply to a county: to whom, and what it commented on
            out.append({"at": p.at, "direction": _("reply written for a county"),
                        "office": who.get(str(period.get("to")), _("an unregistered office")), "sequence": p.sequence,
                        "counts": _("{n} records commented on").format(n=counts.get("remarks", 0)),
                        "path": p.path or "", "office_uuid": period.get("to"), "imported": False,
                        "year": period.get("year")})
            continue
        out.append({"at": p.at, "direction": _(DIRECTIONS.get(p.direction, p.direction)),
                    "office": who.get(p.office_uuid, _("an unregistered office")), "sequence": p.sequence,
                    "counts": comma().join(f"{_(label)} {counts[k]}" for k, label in COUNT_LABELS.items() if k in counts),
                    "path": p.path or "", "office_uuid": p.office_uuid, "imported": p.direction == "import",
                    "year": ((p.summary or {}).get("period") or {}).get("year")})
    return out


# ---------------------------------------------------------------- import
def inspect(path: Path, passphrase: str | None = None, progress: Callable[[str, int, int], None] | None = None,
            ) -> tuple[Package, dict[str, Any]]:
    """Check a package completely (seal, signature, every member) without a database: what it holds
    and who signed it; ``ok`` None, since whether the signer is accepted is a database's to say."""
    from desktop.exchange.importer import verify as check
    from desktop.exchange.package import fingerprint

    pkg = check(Path(path), passphrase, progress=progress)
    m = pkg.manifest
    return pkg, {"ok": None, "office": m["office"], "fingerprint": fingerprint(pkg.public_key),
                 "sequence": pkg.sequence, "period": m.get("period"), "counts": m.get("counts"),
                 "created_at": m.get("created_at"), "app_version": m.get("app_version"),
                 "schema_version": m.get("schema_version"), "encrypted": bool(m.get("encryption")),
                 "sha256": pkg.sha256, "signer": _("no database here to check the signer against")}


def verify(session: Session, path: Path, passphrase: str | None = None) -> dict[str, Any]:
    """``inspect``, and whether this database accepts the signer (``ok``, with ``signer`` saying why)."""
    from desktop.exchange.offices import signer_status

    report, _cancelled = _reporter(session, _("Checking"))
    pkg, info = inspect(path, passphrase, report)
    info["ok"], info["signer"] = signer_status(pkg)
    return info


def read(session: Session, path: Path, passphrase: str | None = None) -> Package:
    """Read and check a package once (to plan and then apply it without reading it twice). The
    sender is checked against the registered offices as soon as the signed manifest is, before any
    table is unpacked or any key derived: a package from a stranger costs nothing to refuse."""
    from desktop.exchange.offices import trust
    from desktop.exchange.package import read_package, refuse_temporary

    refuse_temporary(Path(path))
    report, _cancelled = _reporter(session, _("Checking"))
    return read_package(Path(path), passphrase=passphrase, progress=report, signer=trust)


def plan_import(session: Session, package: Path | Package, passphrase: str | None = None) -> ImportPlan:
    """The dry run: verify the package and classify every record (new, updated, unchanged,
    conflicts, rejected). Changes nothing, so any role may look."""
    from desktop.exchange.importer import plan_import as plan

    report, cancelled = _reporter(session, _("Checking"))
    return plan(package, passphrase, progress=report, cancelled=cancelled)


def apply_import(session: Session, package: Path | Package, passphrase: str | None = None,
                 resolutions: Mapping[str, str] | None = None, plan: ImportPlan | None = None) -> ImportResult:
    """Apply a package in one transaction (clerk or administrator). ``resolutions`` maps a
    conflict's key to ``KEEP_MINE`` or ``TAKE_THEIRS``; a key that is not one of the package's
    conflicts (those of ``plan``, the dry run already made, else planned here) is refused before
    anything is written."""
    from desktop.core.errors import BadFile
    from desktop.exchange.importer import KEEP_MINE, TAKE_THEIRS
    from desktop.exchange.importer import apply_import as apply

    session.require("exchange.import")
    resolutions = dict(resolutions or {})
    bad = sorted(k for k, v in resolutions.items() if v not in (KEEP_MINE, TAKE_THEIRS))
    if bad:
        raise BadFile(_("{key}: a conflict is resolved by keeping this database's version or taking the "
                        "package's").format(key=bad[0]))
    report, cancelled = _reporter(session, _("Importing"))
    if resolutions:
        pkg = package if not isinstance(package, (str, Path)) else read(session, Path(package), passphrase)
        known = {c.key for c in (plan if plan is not None else plan_import(session, pkg)).conflicts}
        unknown = sorted(set(resolutions) - known)
        if unknown:
            raise BadFile(_("{key} is not one of this package's conflicts").format(key=unknown[0]))
        package = pkg
    result = apply(package, passphrase, resolutions, user=session.username, progress=report, cancelled=cancelled,
                   plan=plan)
    if any(result.applied.values()):
        from desktop.operations.targets import keep_counts

        keep_counts(session)  # the overview's next reading finds the targets counted
    return result


# ---------------------------------------------------------------- offices and keys
def own_card(session: Session) -> dict[str, Any] | None:
    """This office's card (name, region, public key, fingerprint), None before the office is set up."""
    from desktop.exchange import offices

    own = offices.own_office()
    return offices.card() if own is not None and own.name else None


def write_card(session: Session, path: Path) -> dict[str, Any]:
    from desktop.exchange import offices

    try:
        return offices.write_card(Path(path))
    except OSError as exc:
        from desktop.core.failures import write_failure

        raise StdAwardError(write_failure(exc, path)) from None


def known_offices(session: Session) -> list[dict[str, Any]]:
    """The offices whose packages this database accepts."""
    from desktop.exchange import offices

    return offices.known()


def read_card(session: Session, path: Path) -> dict[str, Any]:
    """An office card, or the signer named in a package (``from_package``: its fingerprint must be
    confirmed when registering)."""
    from desktop.exchange import offices

    return offices.read_card(Path(path))


def register_office(session: Session, info: dict[str, Any], fingerprint: str | None = None,
                    replace: bool = False) -> dict[str, Any]:
    """Accept packages signed by ``info``'s key (administrator only). A key taken from a package
    must be confirmed by the fingerprint read at that office; a registered office's key is replaced
    only with ``replace``."""
    from desktop.exchange import offices
    from desktop.exchange.package import fingerprint as fp_of

    session.require("exchange.register")
    row = offices.register(info, expected_fingerprint=fingerprint, replace=replace, user=session.username)
    return {"uuid": row.uuid, "name": row.name, "region": row.region_code, "fingerprint": fp_of(row.public_key)}


# ---------------------------------------------------------------- the city's report
def consolidation(session: Session, year: int | None = None, *, xlsx: Path | None = None,
                  pdf: Path | None = None, recount: bool = False) -> Report:
    """Totals by county, year, rule and fund, and the cross-county checks; written to ``xlsx`` and/or
    ``pdf`` when given. ``recount``: the sums from every award line, not those kept at import, and a
    finding for any county whose kept sums differ (an auditor's check)."""
    from desktop.exchange import consolidate

    report = consolidate.build_report(year=year, recount=recount)
    session.progress.check()
    for out, write in ((xlsx, consolidate.write_xlsx), (pdf, consolidate.write_pdf)):
        if out is None:
            continue
        try:
            write(report, Path(out))
        except OSError as exc:
            from desktop.core.failures import write_failure

            raise StdAwardError(write_failure(exc, out)) from None
    return report


def report_lines(session: Session, report: Report) -> list[str]:
    from desktop.exchange import consolidate

    return consolidate.text_lines(report)


# ---------------------------------------------------------------- the city's reply
# not "Accepted": in Chinese that word is already 验收合格 (an achievement's acceptance test)
DECISION_LABELS = {"accepted": N_("submission accepted"), "returned": N_("submission returned")}


def _county(office: str) -> Any:
    from desktop.store.models import KnownOffice

    row = (KnownOffice.get_or_none(KnownOffice.uuid == office)
           or KnownOffice.get_or_none(KnownOffice.name == office))
    if row is None:
        from desktop.core.errors import Problem, ValidationFailed

        raise ValidationFailed([Problem(office, "office", _("no registered office of this name"))])
    return row


def reply(session: Session, out: Path, office: str, *, year: int, decision: str, comment: str = "",
          remarks: Mapping[str, str] | None = None, pass_on: bool = False) -> dict[str, Any]:
    """Write the city's reply to a county (its registered name or id) on its submission for
    ``year``: ``decision`` "accepted" or "returned", a comment, and comments on single achievements
    (by the id the county gave them, or their global id). ``pass_on``: each of the county's records
    the province returned for that year also carries the province's remark (after the city's own
    comment on it, if any; ``upper_remarks``). Reviewer or administrator."""
    from desktop.core.errors import Problem, ValidationFailed
    from desktop.exchange.origins import answered_by
    from desktop.exchange.reply import write_reply
    from desktop.store.models import Achievement

    session.require("exchange.reply")
    county = _county(office)
    by_uuid: dict[str, str] = {}
    problems = []
    theirs = list(answered_by(county.uuid))  # at a province: the city's records and its counties'
    # all the remarks' records at once: an id alone has no index of its own (v8, only with its enterprise),
    # so each lookup reads the county's records by their origin; one read for all, not one per remark
    named: dict[str, list[str]] = {}
    for part in batches(list(remarks or {}), IN_LIST // 2):  # each key twice in the query
        q = Achievement.select(Achievement.uuid, Achievement.source_id).where(
            (Achievement.source_id.in_(part) | Achievement.uuid.in_(part)) & (Achievement.origin.in_(theirs)))
        for a in q:
            for k in {a.source_id, a.uuid} & set(part):
                named.setdefault(k, []).append(a.uuid)
    for key, text in (remarks or {}).items():
        found = named.get(key, [])
        if len(found) != 1:
            problems.append(Problem(key, "record", _("no achievement of this id from {name}").format(name=county.name)
                                    if not found else _("several achievements of {name} have this id; give the "
                                                        "global id").format(name=county.name)))
            continue
        by_uuid[found[0]] = text
    if problems:
        raise ValidationFailed(problems)
    passed = upper_remarks(session, county.uuid, year) if pass_on else {}
    if pass_on and not passed:
        raise StdAwardError(_("no remark of the province on {name}'s records for {year} to pass on: it returned "
                              "none of them (or its reply is not imported yet)").format(name=county.name, year=year))
    for uuid, upper in passed.items():
        said = _("{office}: {comment}").format(office=upper["office"], comment=upper["comment"])
        by_uuid[uuid] = f"{by_uuid[uuid]}；{said}" if by_uuid.get(uuid) else said
    pkg = write_reply(Path(out), county.uuid, year=year, decision=decision, comment=comment, remarks=by_uuid,
                      user=session.username)
    written = Path(pkg.path or out)
    return {"path": str(written), "office": county.name, "year": year, "decision": _(DECISION_LABELS[decision]),
            "remarks": len(by_uuid), "passed_on": len(passed), "sequence": pkg.sequence, "sha256": pkg.sha256,
            "kept": str(out) if written != Path(out) else None}  # a file already under that name, left as it was


def upper_remarks(session: Session, office: str, year: int) -> dict[str, dict[str, str]]:
    """At a city: the province's remarks on the records of the county ``office`` (its id or name) for
    ``year``, from the province's latest reply on that year when it returned them, by the record's
    global id: the province's name and its comment. What the city passes on in its own reply."""
    from desktop.exchange.origins import answered_by
    from desktop.exchange.reply import replies as received
    from desktop.store.models import Achievement

    latest = next((r for r in received() if r["year"] == year), None)  # newest first: the latest word
    if latest is None or latest["decision"] != "returned":
        return {}
    said = {m["uuid"]: m["comment"] for m in latest["remarks"] if m.get("exists") and m.get("comment")}
    if not said:
        return {}
    theirs = list(answered_by(_county(office).uuid))
    q = Achievement.select(Achievement.uuid).where(Achievement.uuid.in_(list(said)) & Achievement.origin.in_(theirs))
    found: list[str] = [a.uuid for a in q]
    return {u: {"office": latest.get("from_name") or "", "comment": said[u]} for u in found}


def replies(session: Session) -> list[dict[str, Any]]:
    """At the county: the city's replies, newest first, labelled (what was returned and why)."""
    from desktop.exchange.reply import replies as received

    return [dict(r, decision_label=_(DECISION_LABELS.get(r["decision"], r["decision"]))) for r in received()]


def returned_records(session: Session) -> dict[int, dict[str, Any]]:
    """At the county: the achievements the city's latest word on a year returned with a comment, by
    their id here: the year, the city's name, its comment on the record and on the submission,
    whether the record was changed since (a year the city accepted afterwards marks nothing), and the
    id of the enterprise it belongs to."""
    from desktop.exchange.reply import replies as received
    from desktop.store.models import Achievement

    latest: dict[int, dict[str, Any]] = {}
    for r in received():  # newest first: the first of a year is the city's latest word on it
        latest.setdefault(r["year"], r)
    by_uuid: dict[str, dict[str, Any]] = {}
    from desktop.exchange.offices import own_office

    own = own_office()
    upper = "province" if own is not None and own.role == "city" else "city"  # who replies to this office
    for year, r in sorted(latest.items()):
        if r["decision"] != "returned":
            continue
        for m in r["remarks"]:
            if m.get("exists"):
                by_uuid[m["uuid"]] = {"year": year, "office": r.get("from_name") or "", "upper": upper,
                                      "comment": m["comment"],
                                      "submission": r.get("comment") or "", "changed": bool(m.get("changed")),
                                      "label": m.get("source_id") or m.get("label") or ""}
    if not by_uuid:
        return {}
    model: Any = Achievement
    rows: list[tuple[int, str, int]] = list(model.select(model._meta.primary_key, model.uuid, model.enterprise)
                                            .where(model.uuid.in_(list(by_uuid))).tuples())
    return {int(pk): dict(by_uuid[uuid], enterprise=int(ent)) for pk, uuid, ent in rows}


def returned_mark(mark: dict[str, Any]) -> str:
    """One line for an officer: 「市局退回」 with the city's comment (and whether it was changed since)."""
    text = (_("[Returned by the province] {year}: {comment}") if mark.get("upper") == "province"
            else _("[Returned by the city] {year}: {comment}")).format(year=mark["year"], comment=mark["comment"])
    return text + (" " + _("(changed since: export again)") if mark["changed"] else "")


def submissions(session: Session) -> list[dict[str, Any]]:
    """At the city: each county's submission here, by year (the records its packages brought), with
    the city's last reply on it: office (id and name), year, how many achievements, the last decision
    (label, or "" before any)."""
    from desktop.exchange.reply import sent_replies
    from desktop.store.models import Achievement, KnownOffice

    last: dict[tuple[str, int], str] = {}
    for r in sent_replies():  # newest first
        last.setdefault((r["office"], r["year"]), r["decision"])
    from desktop.exchange.origins import senders

    offices = {k.uuid: k.name for k in KnownOffice.select(KnownOffice.uuid, KnownOffice.name)}
    # at a province, a city's submission is its own records and the counties' it passed on
    sender_of = {o: s for o, s in senders().items() if s in offices and o not in offices} | {o: o for o in offices}
    counts: dict[tuple[str, int], int] = {}
    q = Achievement.select(Achievement.origin, Achievement.date).where(Achievement.origin.in_(list(sender_of)))
    for a in q.tuples().iterator() if offices else ():
        key = (sender_of[a[0]], _year_of(a[1]))
        counts[key] = counts.get(key, 0) + 1
    return [{"office": o, "name": offices[o], "year": y, "achievements": n,
             "decision": last.get((o, y), ""),
             "decision_label": _(DECISION_LABELS[last[(o, y)]]) if (o, y) in last else ""}
            for (o, y), n in sorted(counts.items(), key=lambda kv: (offices[kv[0][0]], -kv[0][1]))]


def _year_of(value: Any) -> int:
    return value.year if hasattr(value, "year") else int(str(value)[:4])


def submission_records(session: Session, office: str, year: int) -> list[dict[str, Any]]:
    """The achievements a county's submission for ``year`` brought here, for the city to comment on:
    global id, the county's id, enterprise, kind (label), reference, title."""
    from desktop.core.labels import kind_label
    from desktop.exchange.origins import answered_by
    from desktop.store.models import Achievement, Enterprise

    county = _county(office)
    q = (Achievement.select(Achievement.uuid, Achievement.source_id, Enterprise.name, Achievement.kind,
                            Achievement.ref, Achievement.title, Achievement.date)
         .join(Enterprise).where(Achievement.origin.in_(list(answered_by(county.uuid))))
         .order_by(Enterprise.name, Achievement.source_id))
    upper = upper_remarks(session, county.uuid, year)
    return [{"uuid": u, "source_id": sid, "enterprise": ent, "kind": kind_label(kind), "ref": ref or "",
             "title": title or "", "upper": upper[u]["comment"] if u in upper else "",
             "upper_office": upper[u]["office"] if u in upper else ""}
            for u, sid, ent, kind, ref, title, date in q.tuples().iterator() if _year_of(date) == year]


def reply_name(session: Session, office: str, year: int) -> str:
    """A reply package's file name: the county's name, the year, and 回执
    (「莆田市城厢区市场监督管理局2025年度报送回执.stdpkg」), safe on Windows."""
    from desktop.core.docnames import safe_filename
    from desktop.exchange.package import SUFFIX

    county = _county(office)
    return safe_filename(f"{county.name or county.region_code}{year}年度报送回执", SUFFIX)


def reply_preview(session: Session, plan: ImportPlan) -> dict[str, Any] | None:
    """What a checked package says when it is the city's reply (None: it is not one): the year, the
    decision (label), the city's comment and its comments on records (as the county knows them)."""
    pkg = plan.package
    if (pkg.manifest.get("period") or {}).get("kind") != "reply":
        return None
    from desktop.exchange.reply import DECISION_COLUMNS, REMARK_COLUMNS
    from desktop.store.models import Achievement

    decisions = [dict(zip(DECISION_COLUMNS, r)) for r in pkg.rows("decisions")]
    remarks = [dict(zip(REMARK_COLUMNS, r)) for r in pkg.rows("remarks")]
    d = decisions[0] if decisions else {"year": None, "decision": "", "comment": ""}
    label = DECISION_LABELS.get(str(d["decision"]))
    out = []
    for r in remarks:
        ach = Achievement.get_or_none(Achievement.uuid == r["uuid"]) if isinstance(r["uuid"], str) else None
        out.append({"label": ach.source_id if ach is not None else str(r["label"] or ""),
                    "comment": str(r["comment"] or ""), "exists": ach is not None})
    return {"year": d["year"], "decision": d["decision"], "office": pkg.office_name,
            "decision_label": _(label) if label else _("a decision this program does not know"),
            "comment": str(d["comment"] or ""), "remarks": out}


PUBLICITY_STATUS = {"open": N_("current"), "superseded": N_("superseded by a new publicity period")}


def county_publicity(session: Session) -> list[dict[str, Any]]:
    """At the city, read-only: each county's 公示 as its packages carried them, by county and year
    (at a province: the counties' 公示 their cities passed on, ``via`` naming the city; else None):
    the period (start, end, working days), whether it is current, and the objections with their
    outcomes (labels for an officer)."""
    from desktop.exchange.hearings import for_city
    from desktop.operations.publicity import outcome_label

    out = []
    for p in for_city():
        out.append({"office": p["office_name"], "via": p["via_name"], "year": p["year"], "starts_on": p["starts_on"],
                    "ends_on": p["ends_on"], "days": p["days"],
                    "status": _(PUBLICITY_STATUS.get(p["status"], p["status"])),
                    "objections": [{"record": o["label"], "raised_by": o["raised_by"], "raised_on": o["raised_on"],
                                    "text": o["text"], "outcome": outcome_label(o["outcome"]), "reason": o["reason"],
                                    "open": o["outcome"] == "open"} for o in p["objections"]]})
    return out
