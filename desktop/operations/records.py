"""Enterprises, achievements and their evidence: loading files and workbooks, editing, deleting.

Every change needs ``records.edit`` (clerk or administrator), runs in one transaction and is in the
audit log under the session's user. Rows are named by their database id (``int``) between the front
ends and these functions; what comes back is plain data (dicts, dataclasses, vocabulary objects).

The reads of the enterprises and achievements tables (``enterprise_rows``, ``achievement_page`` and
the like) take no session: the window paints them on the quick start, from the plain sqlite3
connection, before the models (and a session) exist. They only read.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.core.errors import Problem, StdAwardError, ValidationFailed
from desktop.core.i18n import _
from desktop.core.status import PAYING, Decision, RoundStatus
from desktop.operations.session import Session

# Decisions whose amount an enterprise has been granted: the round was approved (and the award not
# rejected), or the money was paid. Draft, submitted and returned rounds are proposals only.
GRANTED = (Decision.APPROVED.value, Decision.PAID.value)
NO_ROUND = "none"  # the status filter's value for an achievement no round has computed


# ---------------------------------------------------------------------------- the tables' reads
def _sql(sql: str, params: Any = ()) -> Any:
    from desktop.store import db

    return db.execute_sql(sql, params)


def granted_totals() -> dict[int, Decimal]:
    """Per enterprise id, the amounts granted in approved rounds (approved or paid, not rejected)."""
    marks, granted = ", ".join("?" * len(PAYING)), ", ".join("?" * len(GRANTED))
    totals: dict[int, Decimal] = {}
    for ent_id, amount in _sql(
            "SELECT a.enterprise_id, aw.amount FROM award aw JOIN achievement a ON a.id = aw.achievement_id "
            "JOIN award_round r ON r.id = aw.round_id "
            f"WHERE aw.status IN ({marks}) AND aw.decision IN ({granted}) AND r.status = ? "
            "AND aw.amount IS NOT NULL", (*PAYING, *GRANTED, RoundStatus.APPROVED.value)).fetchall():
        totals[ent_id] = totals.get(ent_id, Decimal(0)) + Decimal(amount)  # amounts are exact TEXT
    return totals


NOTHING_GRANTED = Decimal("0.00")  # 累计奖补金额 of an enterprise granted nothing yet: ¥0.00, not a blank


def enterprise_rows(db_path: Path | None = None) -> list[dict[str, Any]]:
    """Every enterprise with its achievement count and the total granted to it (累计奖补金额: only
    approved rounds' approved or paid amounts; 0.00 when nothing was). ``db_path`` lets the counts read ahead while Qt
    loaded be used (``store.prefetch``)."""
    counts = None
    if db_path is not None:
        from desktop.store import prefetch

        counts = prefetch.achievement_counts(db_path)  # read while Qt loaded, on the first refresh
    if counts is None:
        counts = dict(_sql("SELECT enterprise_id, count(*) FROM achievement GROUP BY enterprise_id").fetchall())
    totals = granted_totals()
    q = _sql("SELECT id, uuid, name, uscc, region_code, address, contact, phone FROM enterprise")
    return [{"id": i, "uuid": uuid, "name": name, "uscc": uscc, "region": region or "", "address": address or "",
             "contact": contact or "", "phone": phone or "", "achievements": counts.get(i, 0),
             "total": totals.get(i, NOTHING_GRANTED)}
            for i, uuid, name, uscc, region, address, contact, phone in q.fetchall()]  # 2,000 rows in ms


# The achievements table: (key, SQL sort expression) of its columns, in order.
_LATEST_AWARD = ("(SELECT aw.{col} FROM award aw WHERE aw.achievement_id = a.id "
                 "ORDER BY aw.round_id DESC LIMIT 1)")
_STATUS_SQL = f"COALESCE({_LATEST_AWARD.format(col='status')}, '{NO_ROUND}')"
_AMOUNT_SQL = _LATEST_AWARD.format(col="amount")
ACHIEVEMENT_SORT = {
    "source_id": "a.source_id", "enterprise": "e.name", "kind": "a.kind", "level": "a.level", "date": "a.date",
    "ref": "a.ref", "title": "a.title", "rank": "a.rank", "status": _STATUS_SQL,
    "amount": f"CAST({_AMOUNT_SQL} AS REAL)",  # ordering only; amounts are shown from the text
}
_DISPLAY_SQL = (f"SELECT a.id, a.source_id, e.name, a.kind, a.level, a.date, a.ref, a.title, a.rank, {_STATUS_SQL}, "
                f"{_AMOUNT_SQL} FROM achievement a JOIN enterprise e ON e.id = a.enterprise_id")


def achievement_order(key: str, descending: bool) -> str:
    """The ORDER BY clause of a column of the achievements table (ties broken by id the same way)."""
    direction = "DESC" if descending else "ASC"
    from desktop.store.backend import is_postgres

    if is_postgres():  # empty values where SQLite puts them: first going up, last going down
        return f"{ACHIEVEMENT_SORT[key]} {direction} NULLS {'LAST' if descending else 'FIRST'}, a.id {direction}"
    return f"{ACHIEVEMENT_SORT[key]} {direction}, a.id {direction}"


def achievement_count() -> int:
    return int(_sql("SELECT count(*) FROM achievement").fetchone()[0])


def achievement_page(order: str, offset: int, limit: int) -> list[tuple[Any, ...]]:
    """(id, display values...) of the rows at these positions in this order (``achievement_order``)."""
    return list(_sql(f"{_DISPLAY_SQL} ORDER BY {order} LIMIT ? OFFSET ?", (limit, offset)).fetchall())


def achievement_rows(ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """Display values of these achievements, by id (one query)."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {r[0]: tuple(r[1:]) for r in _sql(f"{_DISPLAY_SQL} WHERE a.id IN ({marks})", ids).fetchall()}


def achievement_index(order: str, chunk: int = 2000) -> Iterator[list[tuple[int, int, str, str | None, str, str]]]:
    """The filter index of the achievements table in ``order``, a chunk at a time: (id, year, kind,
    level, status, lower-cased search text of enterprise name, code, id, reference and title)."""
    any_award = _sql("SELECT EXISTS(SELECT 1 FROM award)").fetchone()[0]
    status_sql = _STATUS_SQL if any_award else f"'{NO_ROUND}'"  # no per-row lookup before the first round
    ents = {i: f"{name} {code}".lower() for i, name, code in _sql("SELECT id, name, uscc FROM enterprise").fetchall()}
    join = " JOIN enterprise e ON e.id = a.enterprise_id" if "e." in order else ""  # only to sort by name
    cur = _sql("SELECT a.id, CAST(substr(CAST(a.date AS TEXT), 1, 4) AS INTEGER), a.kind, a.level, "
               f"{status_sql} AS status, a.enterprise_id, "
               "lower(a.source_id || ' ' || COALESCE(a.ref, '') || ' ' || COALESCE(a.title, '')) "
               f"FROM achievement a{join} ORDER BY {order}")
    while rows := cur.fetchmany(chunk):  # in chunks: no single C call holds the GIL for long
        yield [(i, y, k, lv, st, f"{ents.get(o, '')} {t}") for i, y, k, lv, st, o, t in rows]


def achievement_years() -> list[int]:
    """Years that have achievements, newest first: one index seek per year, not a table scan."""
    years: list[int] = []
    row = _sql("SELECT max(date) FROM achievement").fetchone()
    while row and row[0]:
        years.append(int(str(row[0])[:4]))
        row = _sql("SELECT max(date) FROM achievement WHERE date < ?", (f"{years[-1]:04d}-01-01",)).fetchone()
    return years


def award_statuses() -> list[str]:
    """Award statuses that may occur (any in the award table) and "not in a round"."""
    found = {r[0] for r in _sql("SELECT DISTINCT status FROM award").fetchall()}
    return sorted(found | {NO_ROUND})


# ---------------------------------------------------------------------------- loading
def load(session: Session, data: Any) -> Any:
    """Validate and add the enterprises and achievements of a JSON document (or a workbook read
    with ``read_workbook``); all or nothing. Cancel (``session.progress``) rolls everything back."""
    from desktop.operations.targets import keep_counts
    from desktop.store import records as store

    session.require("records.edit")
    result = store.load(data, user=session.username, progress=session.progress)
    if result.achievements_added:
        keep_counts(session)  # the overview's next reading finds the targets counted
    return result


def load_file(session: Session, path: Path) -> Any:
    """Load an officer's file: JSON read a record at a time (a million achievements in the memory of
    a batch), or an .xlsx made from the template (``load_workbook``); all or nothing, as ``load``."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return load_workbook(session, path)
    from desktop.exchange.jsonstream import JsonLoadFile

    session.require("records.edit")
    return load(session, JsonLoadFile(path))


def check_load_file(path: Path) -> None:
    """Refuse at once a file ``load_file`` could not read at all (missing, not UTF-8, not JSON, an
    .xls): looked at its start only, before any database is opened."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        from desktop.exchange.xlsx import check_archive, refuse_xls

        refuse_xls(path)
        check_archive(path)
        return
    from desktop.exchange.jsonstream import JsonLoadFile

    JsonLoadFile(path).check_start()


def load_workbook(session: Session, path: Path) -> Any:
    """Load an .xlsx made from the template, all or nothing; problems name the sheet, row and column
    in Chinese (``工作表“成果”第4行（A-002）`` · ``H列“排名”``)."""
    from desktop.exchange.xlsx import WorkbookSource, locate

    session.require("records.edit")
    session.progress.update(0, 0, _("Reading {file}...").format(file=path.name))
    source = WorkbookSource(path)  # the 成果 sheet is read a row at a time, as the records are written
    try:
        return load(session, source)
    except ValidationFailed as exc:
        raise ValidationFailed(locate(exc.problems, source.where, source.columns)) from None
    finally:
        source.close()


def write_template(path: Path) -> Path:
    """The empty Excel template officers fill in (``load_workbook`` reads it back)."""
    from desktop.exchange.xlsx import write_template as write

    return write(Path(path))


def install_demo(session: Session, force: bool = False) -> int:
    """Fill an empty database with the demo office and its records; the achievement count."""
    from desktop.operations.settings import known_policies
    from desktop.store import demo

    session.require("records.edit")
    return demo.install(force=force, user=session.username, known_policies=known_policies())


# ---------------------------------------------------------------------------- listing (CLI)
def enterprises(session: Session) -> list[dict[str, Any]]:
    """Every enterprise with its achievement count, by name."""
    from desktop.store import records as store

    return store.list_enterprises()


def achievements(session: Session, year: int | None = None, enterprise: str | None = None) -> list[Any]:
    """The achievements (vocabulary objects) of a year and/or an enterprise, by date."""
    from desktop.store import records as store

    return store.achievements(year=year, enterprise=enterprise)


def achievement_listing(session: Session, year: int | None = None) -> tuple[list[Any], list[str]]:
    """(the achievements that can be read, by date; the refusal of each one that cannot: a record
    edited outside the program, named with its enterprise and field)."""
    from desktop.store import records as store

    return store.achievement_listing(year)


def enterprise_names(session: Session, codes: Any = None) -> dict[str, str]:
    from desktop.store import records as store

    return store.enterprise_names(codes)


# ---------------------------------------------------------------------------- enterprises
def _pk(row: Any) -> int:
    """A model row's database id."""
    return int(row.get_id())


def _enterprise_row(ent_id: int) -> Any:
    from desktop.store.models import Enterprise

    row = Enterprise.get_or_none(id=ent_id)
    if row is None:
        raise StdAwardError(_("this enterprise no longer exists (deleted or merged meanwhile)"))
    return row


def enterprise(session: Session, ent_id: int) -> dict[str, Any]:
    """One enterprise's form values (the keys of the enterprise form)."""
    return _enterprise_form(_enterprise_row(ent_id))


def _enterprise_form(e: Any) -> dict[str, Any]:
    return {"id": e.id, "uuid": e.uuid, "name": e.name, "uscc": e.uscc, "region": e.region_code or "",
            "address": e.address or "", "contact": e.contact or "", "phone": e.phone or "", "version": e.version}


def enterprise_choices(session: Session) -> list[tuple[str, str]]:
    """(name, credit code) of every enterprise, by name: the achievement form's list."""
    from desktop.store.models import Enterprise

    return [(e.name, e.uscc) for e in Enterprise.select(Enterprise.name, Enterprise.uscc).order_by(Enterprise.name)]


def has_enterprises(session: Session) -> bool:
    from desktop.store.models import Enterprise

    return bool(Enterprise.select().exists())


def enterprise_problems(session: Session, values: dict[str, Any], editing: int | None = None) -> list[Problem]:
    """The form's problems: the vocabulary's checks plus "this code is registered to ..."."""
    from desktop.store import edits

    return edits.enterprise_problems(values, _enterprise_row(editing) if editing is not None else None)


def save_enterprise(session: Session, values: dict[str, Any], editing: int | None = None,
                    version: int | None = None) -> dict[str, Any]:
    """Register an enterprise, or change the one with id ``editing``; its form values after.
    ``version``: the version the form loaded (``enterprise(...)["version"]``); when another officer
    saved it since, StaleRecord says who and when, and nothing is written."""
    from desktop.store import edits

    session.require("records.edit")
    row = edits.save_enterprise(values, session.username, _enterprise_row(editing) if editing is not None else None,
                                version)
    # the row as this save left it (read inside its transaction): read again after the commit, another
    # officer's save landing in between would come back as this one's, at the version it made
    return _enterprise_form(row)


def merge_enterprises(session: Session, keep: int, drop: int) -> int:
    """Move everything of ``drop`` to ``keep`` and delete ``drop``; the achievements moved."""
    from desktop.store import edits

    session.require("records.edit")
    return edits.merge_enterprises(_enterprise_row(keep), _enterprise_row(drop), session.username)


def find_enterprise(session: Session, code: str) -> int:
    """The database id of the enterprise with this credit code (typed in any usual form); an unknown
    code is bad input naming it."""
    from desktop.core.vocabulary import check_uscc
    from desktop.store.models import Enterprise

    normal, _why = check_uscc(code)
    row = Enterprise.get_or_none(Enterprise.uscc == (normal or str(code).strip()))
    if row is None:
        raise ValidationFailed([Problem(str(code), "enterprise", _("no enterprise with this credit code is "
                                                                    "registered here"))])
    return _pk(row)


def find_achievement(session: Session, key: str, enterprise: str | None = None) -> int:
    """The database id of the achievement with this id (or global id), within one enterprise's
    records when ``enterprise`` (a credit code) is given. Unknown or ambiguous ids are bad input."""
    from desktop.store.models import Achievement, Enterprise

    if enterprise is not None:  # by the (enterprise, id) index
        q = Achievement.select().where((Achievement.enterprise == find_enterprise(session, enterprise))
                                       & ((Achievement.source_id == key) | (Achievement.uuid == key)))
    else:  # the id among each enterprise's (an id alone is indexed with its enterprise), or the global id
        q = Achievement.select().where(((Achievement.source_id == key)
                                        & Achievement.enterprise.in_(Enterprise.select(Enterprise._meta.primary_key)))
                                       | (Achievement.uuid == key))
    rows = list(q.limit(20))
    if not rows:
        raise ValidationFailed([Problem(key, "id", _("no achievement with this id is recorded here"))])
    if len(rows) > 1:
        names = enterprise_names(session)
        codes = sorted({r.enterprise.uscc for r in rows})
        raise ValidationFailed([Problem(key, "id", _("{n} enterprises have an achievement with this id ({names}); "
                                                     "name the enterprise with --enterprise CODE").format(
            n=len(codes), names=", ".join(f"{names.get(c, c)} {c}" for c in codes)))])
    return _pk(rows[0])


@dataclass
class MergePreview:
    """What merging ``drop`` into ``keep`` would do, before anything is changed."""

    keep: dict[str, str]  # name, uscc
    drop: dict[str, str]
    achievements: int  # moved to keep
    renamed: dict[str, str]  # achievement id of drop -> the id it takes under keep (already used there)
    notices: int  # notices re-addressed to keep
    filled: dict[str, str]  # keep's blank details taken from drop


def merge_preview(session: Session, keep: int, drop: int) -> MergePreview:
    """The summary ``merge_enterprises`` would carry out (the same renaming rule), changing nothing."""
    from desktop.store.edits import ENTERPRISE_COLUMNS
    from desktop.store.models import Achievement, Notice

    k, d = _enterprise_row(keep), _enterprise_row(drop)
    if k.id == d.id:
        raise StdAwardError(_("choose two different enterprises to merge"))
    used = {r.source_id for r in Achievement.select(Achievement.source_id).where(Achievement.enterprise == k.id)}
    renamed: dict[str, str] = {}
    moved = 0
    q = Achievement.select(Achievement.source_id).where(Achievement.enterprise == d.id)
    for a in q.order_by(Achievement._meta.primary_key):
        sid, n = a.source_id, 2
        while sid in used:
            sid, n = f"{a.source_id}-{n}", n + 1
        used.add(sid)
        moved += 1
        if sid != a.source_id:
            renamed[a.source_id] = sid
    filled = {c: str(getattr(d, c)) for c in ENTERPRISE_COLUMNS if not getattr(k, c) and getattr(d, c)}
    return MergePreview({"name": k.name, "uscc": k.uscc}, {"name": d.name, "uscc": d.uscc}, moved, renamed,
                        Notice.select().where(Notice.enterprise == d.id).count(), filled)


@dataclass
class DeletedEnterprise:
    """What puts a deleted enterprise back (undo), with the same global id."""

    data: dict[str, Any]
    name: str


def delete_enterprise(session: Session, ent_id: int) -> DeletedEnterprise:
    """Delete an enterprise that has no achievements and no notices (audit logged)."""
    from desktop.store import audit
    from desktop.store.models import Achievement, Notice, database

    session.require("records.edit")
    with database.atomic():
        row = _enterprise_row(ent_id)
        n = Achievement.select().where(Achievement.enterprise == row).count()
        if n:
            raise StdAwardError(_("{name} has {n} achievements. Delete them first, or merge this record into "
                                  "another one.").format(name=row.name, n=n))
        if Notice.select().where(Notice.enterprise == row).exists():
            raise StdAwardError(_("{name} has notices issued to it and cannot be deleted; merge it into another "
                                  "record instead.").format(name=row.name))
        data = dict(row.__data__)
        audit.record(session.username, "delete", "enterprise", row.uuid, {"uscc": row.uscc, "name": row.name}, None)
        row.delete_instance()
    return DeletedEnterprise(data, data["name"])


def restore_enterprise(session: Session, deleted: DeletedEnterprise) -> None:
    """Undo ``delete_enterprise``: the same row back, unless its credit code was registered again."""
    from desktop.store import audit
    from desktop.store.edits import recreate
    from desktop.store.models import Enterprise, database

    session.require("records.edit")
    with database.atomic():
        other = Enterprise.get_or_none(Enterprise.uscc == deleted.data["uscc"])
        if other is not None:
            raise StdAwardError(_("{code} is registered again (to {name}); the deleted record cannot be put "
                                  "back").format(code=deleted.data["uscc"], name=other.name))
        row = recreate(Enterprise, deleted.data)  # under a new row id if another enterprise took its own since
        audit.record(session.username, "restore", "enterprise", row.uuid, None, {"uscc": row.uscc, "name": row.name})


# ---------------------------------------------------------------------------- achievements
def _achievement_row(ach_id: int) -> Any:
    from desktop.store.models import Achievement

    row = Achievement.get_or_none(id=ach_id)
    if row is None:
        raise StdAwardError(_("this achievement no longer exists (deleted meanwhile)"))
    return row


def suggest_id(session: Session) -> str:
    """A free achievement id for the entry form (the officer may change it)."""
    from desktop.store import edits

    return edits.suggest_id(None)


def duplicate_problems(raw: dict[str, Any], editing: int | None = None) -> list[Problem]:
    """A warning when the database already holds this very achievement: the same enterprise, kind,
    reference (or the kind's own fields) and date, under another id."""
    from desktop.core.vocabulary import parse_achievement
    from desktop.store.models import Achievement
    from desktop.store.records import natural_key

    a = parse_achievement(raw, None, [])
    if a is None:
        return []
    q = Achievement.select(Achievement.source_id).where(
        (Achievement.natural_key == natural_key(a)) & (Achievement.date == a.date))
    if editing is not None:
        q = q.where(Achievement._meta.primary_key != editing)
    same = [r.source_id for r in q.limit(5)]
    if not same:
        return []
    return [Problem(a.id, "ref", _("the same achievement (enterprise, kind, reference and date) is already recorded "
                                   "as {ids}").format(ids=", ".join(same)), "warning")]


def achievement_problems(session: Session, raw: dict[str, Any], editing: int | None = None) -> list[Problem]:
    """Everything wrong with the entry form's values: errors, and warnings such as an exact duplicate."""
    from desktop.store import edits

    problems = edits.achievement_problems(raw, _achievement_row(editing) if editing is not None else None)
    if not any(p.severity == "error" for p in problems):
        problems += duplicate_problems(raw, editing)
    return problems


@dataclass
class EvidenceFile:
    id: int
    filename: str
    size: int
    attached: bool = True  # False: only named in a loaded file, no copy in the evidence folder yet


@dataclass
class AchievementRecord:
    """One achievement for the entry form: the vocabulary object and its evidence files."""

    id: int
    achievement: Any  # desktop.core.vocabulary.Achievement
    evidence: list[EvidenceFile] = field(default_factory=list)
    version: int = 1  # what the form hands back to save_achievement (optimistic concurrency)


def achievement(session: Session, ach_id: int) -> AchievementRecord:
    from desktop.store.models import Evidence
    from desktop.store.records import to_vocabulary

    row = _achievement_row(ach_id)
    return AchievementRecord(_pk(row), to_vocabulary(row),
                             [EvidenceFile(_pk(e), e.filename, e.size, bool(e.sha256))
                              for e in row.evidence.order_by(Evidence.added_at)], row.version)


@dataclass
class SavedAchievement:
    id: int
    source_id: str
    warnings: list[Problem] = field(default_factory=list)
    evidence: list[EvidenceFile] = field(default_factory=list)


def save_achievement(session: Session, raw: dict[str, Any], editing: int | None = None,
                     evidence: list[Path] | tuple[Path, ...] = (), version: int | None = None) -> SavedAchievement:
    """Add an achievement (or change the one with id ``editing``, if it is still at ``version``, the
    one the form loaded: else StaleRecord) and attach the evidence files chosen on the form. Errors
    refuse it (ValidationFailed); warnings (an exact duplicate) come back with the result."""
    from desktop.store import edits

    session.require("records.edit")
    warnings = [p for p in achievement_problems(session, raw, editing) if p.severity != "error"]
    for p in evidence:  # checked before anything is written
        if not Path(p).is_file():
            raise StdAwardError(_("evidence file {file} cannot be read: no such file").format(file=p))
    row = edits.save_achievement(raw, session.username, _achievement_row(editing) if editing is not None else None,
                                 version)
    attached = [attach_evidence(session, _pk(row), Path(p)) for p in evidence]
    return SavedAchievement(_pk(row), row.source_id, warnings, attached)


def delete_achievements(session: Session, ids: list[int]) -> Any:
    """Delete achievements not in any award round; the snapshot ``restore_achievements`` takes."""
    from desktop.store import edits

    session.require("records.edit")
    return edits.delete_achievements(list(ids), session.username)


def restore_achievements(session: Session, snapshot: Any) -> None:
    from desktop.store import edits

    session.require("records.edit")
    edits.restore_achievements(snapshot, session.username)


# ---------------------------------------------------------------------------- evidence
def attach_evidence(session: Session, ach_id: int, source: Path) -> EvidenceFile:
    """Copy a file into the office's evidence folder (stored once per content) and attach it."""
    from desktop.store import edits

    session.require("records.edit")
    source = Path(source)
    try:
        ev = edits.attach_evidence(session.db_path, _achievement_row(ach_id), source, session.username)
    except OSError as exc:
        raise StdAwardError(_("evidence file {file} cannot be read: {reason}").format(
            file=source, reason=exc.strerror or exc)) from None
    return EvidenceFile(_pk(ev), ev.filename, ev.size)


def evidence_file(session: Session, ev_id: int) -> Path:
    """Where an attached file is kept on this PC (to open it), checked against its SHA-256; on a
    server fetched from the database when this PC lacks it or holds an altered copy. StdAwardError
    when it cannot be had (``desktop.store.files.evidence_copy``)."""
    from desktop.store import files
    from desktop.store.models import Evidence

    ev = Evidence.get_or_none(id=ev_id)
    if ev is None:
        raise StdAwardError(_("this evidence file was removed meanwhile"))
    if not ev.sha256:
        raise StdAwardError(_("{file} was only named when the records were loaded; attach the file itself first").format(
            file=ev.filename))
    return files.evidence_copy(session.db_path, ev.sha256, Path(ev.filename).suffix, ev.filename)


def evidence_to_open(session: Session, ev_id: int) -> Path:
    """A copy of an attached file under its own name (「营业执照.pdf」), to open in another program:
    the stored file is named by its SHA-256, which a reader would show in its title bar. The copy is
    kept in the officer's data folder, read-only (an edit in the reader cannot pass for the evidence),
    and reused while its content is the same; another file of the same name gets 「（2）」."""
    import shutil
    import stat

    from desktop.core.docnames import safe_filename
    from desktop.operations.quick import data_dir
    from desktop.store.models import Evidence

    kept = evidence_file(session, ev_id)
    ev = Evidence.get_by_id(ev_id)
    folder = data_dir() / "opened"
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(safe_filename(Path(ev.filename).name))
    stem, suffix = name.stem, name.suffix
    out, n = folder / f"{stem}{suffix}", 2
    while out.exists():
        if out.is_file() and out.stat().st_size == kept.stat().st_size and out.read_bytes() == kept.read_bytes():
            return out
        out, n = folder / safe_filename(stem, f"（{n}）{suffix}"), n + 1
    shutil.copyfile(kept, out)
    out.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    return out


def remove_evidence(session: Session, ev_id: int) -> None:
    from desktop.store import edits
    from desktop.store.models import Evidence

    session.require("records.edit")
    ev = Evidence.get_or_none(id=ev_id)
    if ev is not None:
        edits.remove_evidence(ev, session.username)


def read_workbook(path: Path) -> Any:
    """An .xlsx made from the template, read into the load format (rows named by sheet and row)."""
    from desktop.exchange.xlsx import read_workbook as read

    return read(Path(path))
