"""Export: the office's selected records into one signed package, written so a pulled stick never
leaves a file that verifies.

    result = export_package(Path("E:/城厢区-2025.stdpkg"), year=2025, passphrase=None,
                            progress=lambda stage, done, total: ..., cancelled=lambda: False)

Selection: a ``year`` (that year's achievements, their enterprises, the year's award rounds with
their awards), ``since_last`` (everything changed since the previous export) or everything.
Each export takes the next sequence number of this office (``PackageLog``).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.core import failures
from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.core.progress import Cancelled  # noqa: F401 - raised here, caught by callers
from desktop.exchange import package as pkgmod
from desktop.exchange.offices import signing_office
from desktop.exchange.tables import (
    ACHIEVEMENTS,
    AWARDS,
    ENTERPRISES,
    EVIDENCE_COLUMNS,
    PAYMENT_COLUMNS,
    PAYMENTS_SQL,
    ROUNDS,
    SUMMARY_COLUMNS,
    SUMMARY_SQL,
    TOMBSTONE_COLUMNS,
)
from desktop.store import audit, backend
from desktop.store.atomic import fault_point, free_name
from desktop.store.backend import export_lock, json_values
from desktop.store.migrations import PACKAGE_SCHEMA
from desktop.store.models import PackageLog, Setting, database, now

Progress = Callable[[str, int, int], None]




@dataclass
class ExportResult:
    path: Path
    sequence: int
    sha256: str
    counts: dict[str, int]
    period: dict[str, Any]
    encrypted: bool
    size: int
    warnings: list[str] = field(default_factory=list)
    evidence_files: int = 0  # evidence files carried (those not sent before)
    evidence_bytes: int = 0
    kept: Path | None = None  # the file already under the name asked for, left as it was (``path`` is beside it)


def last_export() -> PackageLog | None:
    return (PackageLog.select().where(PackageLog.direction == "export")
            .order_by(PackageLog.sequence.desc()).first())


def next_sequence(office_uuid: str) -> int:
    row = (PackageLog.select().where((PackageLog.direction == "export") & (PackageLog.office_uuid == office_uuid))
           .order_by(PackageLog.sequence.desc()).first())
    return (row.sequence if row else 0) + 1


def _rows(sql: str, params: list[Any]) -> list[tuple]:
    return database.execute_sql(sql, params).fetchall()


def round_totals(where: str = "", params: list[Any] | None = None) -> dict[str, dict[str, Any]]:
    """round uuid -> {year, policy_id, status, count, total, by_fund} of its paid-out awards."""
    out: dict[str, dict[str, Any]] = {}
    for ruuid, year, policy, status, fund, amount in _rows(SUMMARY_SQL + where, params or []):
        s = out.setdefault(ruuid, {"round": ruuid, "year": year, "policy_id": policy, "status": status,
                                   "count": 0, "total": Decimal("0.00"), "by_fund": {}})
        if amount is not None:
            a = Decimal(amount)
            s["count"] += 1
            s["total"] += a
            s["by_fund"][fund or "-"] = s["by_fund"].get(fund or "-", Decimal("0.00")) + a
    return out


def _money_strs(s: dict[str, Any]) -> list[Any]:
    row = dict(s, total=format(s["total"], "f"), by_fund={k: format(v, "f") for k, v in sorted(s["by_fund"].items())})
    return [row[c] for c in SUMMARY_COLUMNS]


BATCH = 5000  # rows read from the database and written to the package at a time


def _batches(t: Any, sql: str, params: list[Any], seen: set[str] | None = None) -> Iterator[list[list[Any]]]:
    """``sql``'s rows as package rows, a batch at a time (``seen`` collects their uuids). On a server
    through a server-side cursor (``backend.stream``): the client holds a batch, never the table."""
    for raw in backend.stream(sql, params, BATCH):
        rows = [t.to_package(r) for r in raw]
        if seen is not None:
            seen.update(r[0] for r in rows)
        yield rows


def _selection(year: int | None, since: str | None) -> dict[str, tuple[str, list[Any]]]:
    """table -> (its WHERE clause, parameters) for a year, the changes since a time, or everything."""
    if year is not None:
        lo, hi = f"{year:04d}-01-01", f"{year:04d}-12-31"
        ach_where = (" WHERE a.date BETWEEN ? AND ? OR a.id IN (SELECT w.achievement_id FROM award w "
                     "JOIN award_round r ON r.id = w.round_id WHERE r.year = ?)")
        ap: list[Any] = [lo, hi, year]
        return {"enterprises": (f" WHERE e.id IN (SELECT a.enterprise_id FROM achievement a{ach_where})", list(ap)),
                "achievements": (ach_where, ap), "rounds": (" WHERE r.year = ?", [year]),
                "awards": (" WHERE r.year = ?", [year])}
    if since is not None:
        changed_round = ("(r.created_at >= ? OR r.approved_at >= ? OR r.id IN (SELECT w.round_id FROM award w "
                         "WHERE w.updated_at >= ?) OR r.id IN (SELECT w.round_id FROM award w JOIN award_event v "
                         "ON v.award_id = w.id WHERE v.at >= ?))")
        return {"enterprises": (" WHERE e.updated_at >= ? OR e.id IN (SELECT a.enterprise_id FROM achievement a "
                                "WHERE a.updated_at >= ?)", [since, since]),
                "achievements": (" WHERE a.updated_at >= ?", [since]),
                "rounds": (" WHERE " + changed_round, [since] * 4), "awards": (" WHERE " + changed_round, [since] * 4)}
    return {t.name: ("", []) for t in (ENTERPRISES, ACHIEVEMENTS, ROUNDS, AWARDS)}


def select_streamed(year: int | None = None, since: str | None = None) -> dict[str, Any]:
    """The tables of a selection as ``select`` gives them, except that the large ones (enterprises,
    achievements, awards) are ``package.Rows``, read from the database a batch at a time while the
    package is written: called and consumed inside one transaction (one consistent snapshot)."""
    where = _selection(year, since)
    tables: dict[str, Any] = {}
    from desktop.exchange import tombstones

    gone = tombstones.collect()  # every one, whatever the selection: see tombstones.collect
    # a merge names the record that stays; a year's (or the latest changes') selection may leave
    # it out, and a city that never received it would refuse the merge: send it along
    merged_into = sorted({r[4] for r in gone if r[3] == "merge" and isinstance(r[4], str)})

    def enterprises() -> Iterator[list[list[Any]]]:
        t, sent = ENTERPRISES, set()
        cond, params = where["enterprises"]
        yield from _batches(t, t.select() + cond + f" ORDER BY {t.alias}.id", params, sent)
        wanted = [u for u in merged_into if u not in sent]
        if wanted:
            yield from _batches(t, t.select() + f" WHERE {t.alias}.uuid IN (SELECT value FROM json_each(?))"
                                f" ORDER BY {t.alias}.id", [_json(wanted)])

    tables["enterprises"] = pkgmod.Rows(ENTERPRISES.columns, enterprises)
    for t in (ACHIEVEMENTS, AWARDS):
        cond, params = where[t.name]
        sql = t.select() + cond + f" ORDER BY {t.alias}.id"
        tables[t.name] = pkgmod.Rows(t.columns, lambda t=t, sql=sql, params=params: _batches(t, sql, params))
    cond, params = where["rounds"]
    tables["rounds"] = (ROUNDS.columns, [ROUNDS.to_package(r) for r in _rows(ROUNDS.select() + cond + " ORDER BY r.id",
                                                                              params)])
    uuids = [r[0] for r in tables["rounds"][1]]
    totals = round_totals(f" WHERE r.uuid IN ({json_values()})", [_json(uuids)]) if uuids else {}
    tables["summaries"] = (SUMMARY_COLUMNS, [_money_strs(totals[u]) for u in uuids])
    paid = payments(year=year, since=since)
    if paid:  # a package without payments reads as one from an earlier version: the counts stay as they were
        tables["payments"] = (PAYMENT_COLUMNS, paid)
    if gone:
        tables["tombstones"] = (TOMBSTONE_COLUMNS, gone)
    from desktop.exchange import hearings

    heard = hearings.rows(year)  # the 公示 and objections, read-only at the city (a city's: its counties' too)
    if heard:
        tables["publicity"] = (hearings.COLUMNS, heard)
    cond, params = where["achievements"]
    attached = _evidence_where(cond, params)
    if attached:
        tables["evidence"] = (EVIDENCE_COLUMNS, attached)
    return tables


def select(year: int | None = None, since: str | None = None) -> dict[str, tuple[tuple[str, ...], list[list[Any]]]]:
    """The tables for a year, for changes since a time (text as stored), or everything."""
    return {name: ((t.columns, [r for batch in t.batches() for r in batch]) if isinstance(t, pkgmod.Rows) else t)
            for name, t in select_streamed(year, since).items()}


def origins_of(year: int | None, since: str | None, tables: dict[str, Any]) -> set[str]:
    """The offices whose records a selection carries (the ``origin`` of its enterprises and
    achievements, and of the 公示 passed on), asked of the database rather than of the rows."""
    where = _selection(year, since)
    seen: set[str] = set()
    for t in (ENTERPRISES, ACHIEVEMENTS):
        cond, params = where[t.name]
        sql = f"SELECT DISTINCT {t.alias}.origin{t.from_sql}{cond}"
        seen.update(o for (o,) in _rows(sql, params) if isinstance(o, str))
    from desktop.exchange import tombstones

    merged = sorted({r[4] for r in tombstones.collect() if r[3] == "merge" and isinstance(r[4], str)})
    if merged:  # the records merges keep, sent along (select_streamed)
        seen.update(o for (o,) in _rows(f"SELECT DISTINCT origin FROM enterprise WHERE uuid IN ({json_values()})",
                                        [_json(merged)]) if isinstance(o, str))
    if "publicity" in tables:
        cols, rows = tables["publicity"]
        i = list(cols).index("origin")
        seen.update(r[i] for r in rows if isinstance(r[i], str))
    return seen


def _evidence_where(ach_where: str, params: list[Any]) -> list[list[Any]]:
    """The evidence rows (with content) of the achievements a selection carries, as package rows."""
    sql = ("SELECT a.uuid, v.filename, v.sha256, v.size, v.added_at FROM evidence v JOIN achievement a "
           "ON a.id = v.achievement_id WHERE v.sha256 IS NOT NULL AND v.sha256 != '' "
           f"AND a.id IN (SELECT a.id FROM achievement a JOIN enterprise e ON e.id = a.enterprise_id{ach_where}) "
           "ORDER BY v.id")
    return [[u, name, sha, int(size), str(at)] for u, name, sha, size, at in _rows(sql, params)]


SENT_KEY = "exchange.evidence_sent"  # the SHA-256 of every evidence file a package has carried


def _sent() -> set[str]:
    row = Setting.get_or_none(Setting.key == SENT_KEY)
    return set(row.value) if row is not None and isinstance(row.value, list) else set()


def evidence_to_send(rows: list[list[Any]]) -> tuple[dict[str, Path], list[str]]:
    """The evidence files not sent in an earlier package: "<sha256><suffix>" -> the file in this
    office's evidence folder; and a warning per file missing from the folder."""
    from desktop.store import files

    db_path = files.open_path()
    assert db_path is not None
    sent, out, missing = _sent(), {}, []
    for _u, name, sha, _size, _at in rows:
        key = f"{sha}{Path(name).suffix.lower()}"
        if sha in sent or key in out:
            continue
        try:  # checked against its hash; on a server fetched when this PC lacks it (desktop.store.files)
            out[key] = files.evidence_copy(db_path, sha, Path(name).suffix, name)
        except StdAwardError as exc:
            missing.append(_("evidence file {file} was not sent: {reason}").format(file=name, reason=exc))
    return out, missing


def evidence_preview(year: int | None = None, since_last: bool = False) -> tuple[int, int]:
    """How many evidence files, and how many bytes, an export with this selection would carry."""
    files, size, _attached = evidence_selection(year, since_last)
    return files, size


def evidence_selection(year: int | None = None, since_last: bool = False) -> tuple[int, int, int]:
    """The evidence files an export with this selection would carry (how many, bytes), and how many
    are attached to its records at all (sent before or not)."""
    since = None
    if since_last:
        last = last_export()
        since = str(last.summary.get("snapshot_at") or last.at) if last else None
    tables = select(year=year, since=since)
    rows = tables.get("evidence", ((), []))[1]
    files, _missing = evidence_to_send(rows)
    return len(files), sum(p.stat().st_size for p in files.values()), len(rows)


def _mb(n: int) -> str:
    return f"{n / (1 << 20):.1f}"


ROOM_SLACK = 64 << 10  # the file system's own bookkeeping beside a package


def free_space(folder: Path) -> int | None:
    """Bytes free where ``folder`` lives (None: cannot tell, e.g. no such folder yet)."""
    import shutil

    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def room_problem(folder: Path, size: int) -> str | None:
    """Why ``folder`` cannot take a package of ``size`` bytes (None: it can, or cannot tell)."""
    free = free_space(folder)
    if free is None or free >= size + ROOM_SLACK:
        return None
    return _("{folder} is full for this package: {free} MB free, it needs {size} MB. Use a larger "
             "USB stick or free some space; nothing was written").format(folder=folder, free=_mb(free), size=_mb(size))


def _check_room(out: Path, size: int) -> None:
    """Refuse before writing when the stick cannot hold the package (with a little room for the
    file system's own bookkeeping)."""
    problem = room_problem(out.parent, size)
    if problem is not None:
        raise StdAwardError(problem)


def payments(year: int | None = None, since: str | None = None) -> list[list[Any]]:
    """The payments on notices of ``year``, recorded since ``since``, or all (package rows)."""
    where, params = ((" WHERE n.year = ?", [year]) if year is not None else
                     (" WHERE p.created_at >= ?", [since]) if since is not None else ("", []))
    return [list(r) for r in _rows(PAYMENTS_SQL + where + " ORDER BY p.id", params)]


def _json(v: Any) -> str:
    import json

    return json.dumps(v)


def export_package(out: Path, *, year: int | None = None, since_last: bool = False,
                   passphrase: str | None = None, user: str,
                   progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> ExportResult:
    """Write this office's package to ``out`` (see the module docstring), or beside it as
    "name（2）.sapkg" when a file has that name already (``ExportResult.kept``). Returns what was written."""
    from desktop import __version__

    if year is not None and since_last:
        raise StdAwardError(_("choose a year or \"since the last export\", not both"))
    out = Path(out)
    if out.is_dir():
        raise StdAwardError(_("{path} is a folder; give the package's file name").format(path=out))
    if not out.parent.is_dir():
        raise StdAwardError(_("the folder {path} does not exist (is the USB stick plugged in?)").format(path=out.parent))
    office = signing_office()
    asked, out = out, free_name(out)  # a package saved earlier under this name stays: this one goes beside it
    # An export interrupted earlier (a stick pulled, a crash) may have left its temporary file here:
    # hidden, named ".<name>.stdpkg.part", never a package to hand on. Tidy it away.
    from desktop.store.atomic import remove_quietly

    remove_quietly(*(p for p in out.parent.glob(f".*{pkgmod.SUFFIX}.part") if p.is_file() and not p.is_symlink()))

    def step(stage: str, done: int, total: int) -> None:
        if cancelled is not None and cancelled():
            raise Cancelled(_("export cancelled; nothing was written"))
        if progress is not None:
            progress(stage, done, total)

    step("select", 0, 4)
    snapshot = now()
    since = None
    if since_last:
        last = last_export()
        since = str(last.summary.get("snapshot_at") or last.at) if last else None
    period: dict[str, Any] = ({"kind": "year", "year": year} if year is not None else
                              {"kind": "since", "since": since} if since else {"kind": "all"})
    evidence = _evidence_where(*_selection(year, since)["achievements"])
    to_send, warnings = evidence_to_send(evidence)
    total = sum(p.stat().st_size for p in to_send.values())
    if total > pkgmod.EVIDENCE_CAP:
        raise StdAwardError(_("the evidence files not yet sent come to {size} MB, more than the {cap} MB one package "
                              "carries; export one year at a time").format(size=_mb(total),
                                                                           cap=pkgmod.EVIDENCE_CAP >> 20))
    _check_room(out, total)  # the evidence alone does not fit: said before reading or writing a byte
    try:
        files = {k: p.read_bytes() for k, p in to_send.items()}
    except OSError as exc:
        raise StdAwardError(_("could not read the evidence file {file}: {reason}").format(
            file=exc.filename, reason=exc.strerror or exc)) from None
    step("pack", 1, 4)
    from desktop.exchange import origins

    written: dict[str, Any] = {}

    def write(tmp: Path) -> None:
        # The tables are read a batch at a time and written as they are read, all inside one
        # transaction: one consistent snapshot of every table, the number and the audit head,
        # without holding the tables in memory (a million achievements).
        with database.atomic():
            tables = select_streamed(year=year, since=since)
            sequence = next_sequence(office.uuid)
            head = audit.current_head()  # the audit log as of this snapshot, signed with the office key
            manifest = {"office": {"uuid": office.uuid, "name": office.name, "region": office.region_code,
                                   "role": office.role},
                        "public_key": office.public_key, "sequence": sequence,
                        "created_at": dt.datetime.now().isoformat(timespec="seconds"), "period": period,
                        "app_version": __version__, "schema_version": PACKAGE_SCHEMA,
                        "audit_head": {k: head[k] for k in ("count", "last_id", "hash", "signature")}}
            carried = origins.named(origins_of(year, since, tables))  # a city names its counties for the province
            if carried:
                manifest["origins"] = carried
            with open(tmp, "w+b") as fh:
                written["manifest"] = pkgmod.build(manifest, tables, office.signing_key, passphrase, files=files,
                                                   out=fh)
                written["size"] = fh.seek(0, 2)
            step("write", 2, 4)

    checked: list[pkgmod.Package] = []

    def read_back(tmp: Path) -> None:
        step("verify", 3, 4)
        with pkgmod.check_only():  # every row checked, none kept: a million rows read back in little memory
            got = pkgmod.read_package(tmp, passphrase=passphrase)
        if got.manifest["counts"] != written["manifest"]["counts"]:
            raise StdAwardError(_("the package read back from {path} differs from what was written").format(path=out))
        checked.append(got)

    def record() -> None:
        # The number is committed before the package appears under its final name: a crash between
        # the two leaves a number used without a package (the next export takes the next number; the
        # city accepts a gap), never a package whose number the next export would use again.
        got = checked[0]
        sequence = got.sequence
        with database.atomic(), export_lock():
            if next_sequence(office.uuid) != sequence:  # PostgreSQL: another officer's export took it meanwhile
                raise StdAwardError(_("another export took number {sequence} meanwhile; nothing was written: "
                                      "export again").format(sequence=sequence))
            PackageLog.create(direction="export", office_uuid=office.uuid, sequence=sequence, sha256=got.sha256,
                              path=str(out), summary={"counts": dict(got.manifest["counts"]), "period": period,
                                                      "snapshot_at": str(snapshot), "encrypted": bool(passphrase)})
            audit.record(user, "export", "package", got.sha256, None,
                         {"sequence": sequence, "counts": dict(got.manifest["counts"]), "period": period,
                          "path": str(out)})
            if files:  # the city keeps what it has: each file travels once
                sent = _sent() | {k[:64] for k in files}
                Setting.insert(key=SENT_KEY, value=sorted(sent)).on_conflict_replace().execute()
            fault_point("export", "in-transaction")

    try:
        pkgmod.write_verified(out, write, read_back, record)
    except OSError as exc:
        found = failures.classify(exc)
        reason = failures.message(found[0], found[1] or out) if found else _("could not write {path}: {reason}").format(
            path=out, reason=exc.strerror or exc)
        raise StdAwardError(reason) from None
    got = checked[0]
    counts = dict(got.manifest["counts"])
    if progress is not None:  # written and logged: too late to cancel, so no check here
        progress("done", 4, 4)
    return ExportResult(path=out, sequence=got.sequence, sha256=got.sha256, counts=counts, period=period,
                        encrypted=bool(passphrase), size=written["size"], warnings=warnings, evidence_files=len(files),
                        evidence_bytes=sum(len(b) for b in files.values()), kept=asked if out != asked else None)
