"""The overview after a county's package was imported, on SQLite and on a server: the right target
counts (the imported rows added to the kept counts, not everything counted again) and the audit
check carried on from its mark (the import's own index rebuild does not make the next start read
the whole log), while an old entry edited by hand after the import is still found, and kept counts
or a mark made to look right are not taken."""
from __future__ import annotations

import datetime as dt
import functools
import json

import pytest
from conftest import (
    edit_audit_entry_by_hand,
    full_target_counts,
    kept_target_counts,
    overview_reading,
    put_kept_target_counts,
    reopen_office,
)

from tests.conftest_pg import pg_server  # noqa: F401  (the office_db fixture's server)

POLICY = "putian-chengxiang-2021"
DAY = dt.date(2025, 12, 31)
COUNTY_USCC = ["91350302MA2XN8XL0G", "91350302MA31UAYA5E"]
CITY_USCC = ["91350302MA2YA35U6K", "91350302MA33RTW18C"]
LEVELS = ("national", "industry", "local", "group")


def _standards(prefix: str, ents: list[str], n: int, shared: int = 0) -> list[dict]:
    """``n`` standards of ``ents``; the first ``shared`` numbers are also the other office's (written
    in lower case with a long dash there: the same standard, counted once)."""
    out = []
    for i in range(n):
        ref = f"GB/T {70000 + i}-2024" if i < shared else f"{prefix} {i}-2024"
        if i < shared and prefix == "county":
            ref = ref.lower().replace("-", "—")
        out.append({"id": f"{prefix}{i}", "enterprise": ents[i % len(ents)], "kind": "standard",
                    "level": LEVELS[i % len(LEVELS)], "action": ("formulate", "revise")[i % 2], "rank": 1 + i % 3,
                    "ref": ref, "date": f"2024-{1 + i % 12:02d}-15"})
    return out


def _enterprises(codes: list[str], name: str) -> list[dict]:
    return [{"uscc": c, "name": f"{name}第{i}号鞋业有限公司", "region": "350302"} for i, c in enumerate(codes)]


@pytest.fixture
def county_package(tmp_path_factory):
    """A county's package of 60 standards (12 of them numbers the city holds too) and its card."""
    from desktop.exchange import offices
    from desktop.exchange.export import export_package
    from desktop.store import office, records
    from desktop.store.db import close_db, open_db

    folder = tmp_path_factory.mktemp("county")
    open_db(folder / "county.db", auto_backup=False)
    try:
        office.update(name="莆田市荔城区市场监督管理局", region_code="350304", doc_prefix="荔市监", role="county",
                      user="county")
        records.load({"enterprises": _enterprises(COUNTY_USCC, "荔城"),
                      "achievements": _standards("county", COUNTY_USCC, 60, shared=12)}, user="county")
        export_package(folder / "county.stdpkg", user="county")
        card = offices.card()
    finally:
        close_db()
    return folder / "county.stdpkg", card


@pytest.fixture
def city(office_db, county_package):
    """The office (SQLite or a server) with 40 standards of its own and the county's key registered,
    the overview read once (counts and mark kept); yields the database's address and the package."""
    from desktop.exchange import offices
    from desktop.exchange.package import fingerprint
    from desktop.store import office, records
    from desktop.store.db import close_db, open_db
    from desktop.store.paths import resolve_db_path

    path = resolve_db_path(office_db)
    open_db(path, auto_backup=False)
    try:
        office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监", role="city",
                      policy_id=POLICY, user="tester")
        records.load({"enterprises": _enterprises(CITY_USCC, "城厢"),
                      "achievements": _standards("city", CITY_USCC, 40, shared=12)}, user="tester")
        pkg, card = county_package
        offices.register(card, expected_fingerprint=fingerprint(card["public_key"]), user="tester")
        first = _read(path)
        assert first.counts_how == "full" and first.chain["full"] and first.chain["broken_at"] is None
        yield path, pkg
    finally:
        close_db()


_read = functools.partial(overview_reading, policy=POLICY, day=DAY)
_restart = reopen_office
_full_counts = functools.partial(full_target_counts, POLICY, DAY)


def _shown(late):
    return {p.id: p.count for p in late.targets if p.id in _full_counts()}


def _engine_counts():
    """What the policy engine counts over the achievements read into Python (not the database's SQL)."""
    from desktop.operations import targets

    full = _full_counts()
    return {p.id: p.count for p in targets.progress(None, POLICY, DAY)[3] if p.id in full}


def _import(pkg):
    from desktop.exchange.importer import apply_import

    return apply_import(pkg, user="tester")


def test_after_an_import_the_overview_adds_the_new_rows_and_checks_the_log_from_its_mark(city, monkeypatch):
    from desktop.exchange import importer
    from desktop.store.models import AuditEntry

    path, pkg = city
    before = _shown(_read(path))
    monkeypatch.setattr(importer, "REBUILD_INDEXES_AT", 10)  # the bulk path: indexes dropped and rebuilt
    entries = AuditEntry.select().count()
    assert _import(pkg).applied["inserted"] > 60
    late = _read(path)
    assert late.counts_how == "incremental"  # the imported rows added, not every achievement counted again
    assert _shown(late) == _full_counts() == _engine_counts() != before
    standards = next(p for p in late.targets if p.id == "standards-60")
    # the county's 60 standards (group standards are not this target's), 12 numbers held by both
    # offices (written differently) counted once
    counted = sum(1 for i in range(60) if LEVELS[i % 4] != "group") - sum(1 for i in range(12) if LEVELS[i % 4] != "group")
    assert standards.count == before["standards-60"] + counted
    assert late.chain["broken_at"] is None and not late.chain["full"]
    assert late.chain["read"] == AuditEntry.select().count() - entries  # only the import's own entries

    _restart(path)  # the next start: the mark and the counts kept with the database are taken
    again = _read(path)
    assert again.counts_how == "kept" and _shown(again) == _full_counts()
    assert again.chain["broken_at"] is None and not again.chain["full"] and again.chain["read"] == 0


def test_a_mark_carried_over_the_import_still_sees_an_old_entry_edited_by_hand(city, monkeypatch):
    """The import's index rebuild leaves the mark valid; an edit of an old entry by hand after it
    (the append-only protection lifted and put back) makes the next check read the whole log."""
    from desktop.exchange import importer
    from desktop.store import audit
    from desktop.store.backend import is_postgres
    from desktop.store.models import database

    path, pkg = city
    monkeypatch.setattr(importer, "REBUILD_INDEXES_AT", 10)
    _import(pkg)
    _restart(path)
    carried = audit.check_chain(incremental=True)
    assert carried.broken_at is None and not carried.full  # the rebuild did not cost a full read
    target = database.execute_sql("SELECT min(id) + 3 FROM audit_entry").fetchone()[0]
    if is_postgres():
        with database.atomic():  # the triggers lifted without a schema change, as a superuser can
            database.execute_sql("SET LOCAL session_replication_role = replica")
            database.execute_sql("UPDATE audit_entry SET after = ? WHERE id = ?", ('"mallory"', target))
        _restart(path)
    else:
        edit_audit_entry_by_hand(path, target)
    late = _read(path)
    assert late.chain["broken_at"] == target and late.chain["full"]


def test_a_mark_not_holding_when_the_import_begins_is_not_carried(city, monkeypatch, office_db):
    """SQLite: an old entry edited by hand before the import (the cookie already moved past the mark):
    the import carries nothing over, and the next check reads the whole log and finds it."""
    from desktop.exchange import importer
    from desktop.store.backend import is_postgres
    from desktop.store.models import database

    if is_postgres():
        pytest.skip("a server's mark is guarded by the entries' row versions, not the schema")
    path, pkg = city
    target = database.execute_sql("SELECT min(id) + 2 FROM audit_entry").fetchone()[0]
    edit_audit_entry_by_hand(path, target)
    monkeypatch.setattr(importer, "REBUILD_INDEXES_AT", 10)
    _import(pkg)
    _restart(path)
    late = _read(path)
    assert late.chain["broken_at"] == target and late.chain["full"]


def test_forged_counts_or_mark_are_not_taken_after_an_import(city):
    from desktop.store import audit
    from desktop.store.backend import is_postgres
    from desktop.store.models import Setting, database

    path, pkg = city
    _import(pkg)
    _read(path)
    kept = kept_target_counts(path)
    assert kept["signature"]  # the office has a key: the counts are signed
    forged = json.loads(json.dumps(kept))
    for k in forged["kept"]:
        k["counts"] = {t: v + 50 for t, v in k["counts"].items()}  # targets made to look met
    put_kept_target_counts(path, forged)
    _restart(path)
    late = _read(path)
    assert late.counts_how == "full" and _shown(late) == _full_counts()

    if is_postgres():
        mark = Setting.get_by_id(audit.VERIFIED_SETTING).value
    else:
        mark = json.loads(audit.verified_path(path).read_text("utf-8"))
    assert mark["signature"]
    entries = database.execute_sql("SELECT count(*) FROM audit_entry").fetchone()[0]
    for bad in ({**mark, "full_at": "2030-01-01T00:00:00"}, {**mark, "schema": "xid:1" if is_postgres() else 0},
                {**mark, "signature": None}):
        if is_postgres():
            with database.atomic():
                Setting.insert(key=audit.VERIFIED_SETTING, value=bad).on_conflict_replace().execute()
        else:
            audit.verified_path(path).write_text(json.dumps(bad), "utf-8")
        _restart(path)
        late = _read(path)
        assert late.chain["full"] and late.chain["read"] == entries, bad
