"""Deletions and merges travel in the package: the county deletes and merges, exports, the city
imports and its copy matches the county's; a deletion of something the city changed is a conflict;
a replayed package deletes nothing twice; a forged or foreign deletion is refused."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from conftest import GOOD_USCC, OTHER_USCC, std
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from test_exchange import apply, city, county, export, load, make_uscc, plan, table_dump, using

from desktop.exchange.package import PackageError


def _edit(path: Path):
    from desktop.operations.session import Session

    return Session.open(path, auto_backup=False, check=False)


def _ids(s, table: str, key: str, value: str) -> int:
    from desktop.store.models import Achievement, Enterprise

    model = Achievement if table == "achievement" else Enterprise
    return int(model.get(getattr(model, key) == value).get_id())


def _two_records(tmp_path):
    """A county with 甲 (two achievements), its second record 甲公司 (two) and 丙 (one); a city
    that has imported the county's first package."""
    data = {"enterprises": [{"uscc": GOOD_USCC, "name": "甲", "region": "350302"},
                            {"uscc": OTHER_USCC, "name": "甲公司", "region": "350302", "address": "龙桥街道1号"},
                            {"uscc": make_uscc(7), "name": "丙", "region": "350302"}],
            "achievements": [std(id="a1"), std(id="a2", ref="GB/T 20000-2024"),
                             std(id="b1", enterprise=OTHER_USCC, ref="GB/T 30000-2024"),
                             std(id="b2", enterprise=OTHER_USCC, ref="GB/T 40000-2024", date="2023-03-01"),
                             std(id="c1", enterprise=make_uscc(7), ref="GB/T 50000-2024")]}
    path, card = county(tmp_path, data=data)
    city_db = city(tmp_path, card)
    assert apply(city_db, export(path, tmp_path / "p1.stdpkg").path).plan.counts()["new"] == 8
    return path, city_db


def _records(path: Path) -> dict:
    dump = table_dump(path)
    return {"enterprises": dump["enterprises"], "achievements": [r[:-2] for r in dump["achievements"]]}


def _sent_records(path: Path, sent: dict[str, set[str]]) -> dict:
    """The county's records (as ``_records``) that some package has carried to the city."""
    return {t: [r for r in rows if r[0] in sent[t]] for t, rows in _records(path).items()}


def test_delete_and_merge_at_the_county_reach_the_city(tmp_path):
    from desktop.operations import records
    from desktop.store.models import AuditEntry

    path, city_db = _two_records(tmp_path)
    with _edit(path) as s:
        records.delete_achievements(s, [_ids(s, "achievement", "source_id", "a2")])
        records.merge_enterprises(s, _ids(s, "enterprise", "uscc", GOOD_USCC), _ids(s, "enterprise", "uscc", OTHER_USCC))
        records.delete_achievements(s, [_ids(s, "achievement", "source_id", "c1")])
        records.delete_enterprise(s, _ids(s, "enterprise", "uscc", make_uscc(7)))
    pkg = export(path, tmp_path / "p2.stdpkg", year=2024)  # a year's package: b2 (2023) is not in it
    assert pkg.counts["tombstones"] == 4

    dry = plan(city_db, pkg.path)
    assert dry.counts()["deleted"] == 4 and dry.counts()["conflicts"] == 0
    assert {i.label.split()[0] for i in dry.deleted} == {"a2", "c1", OTHER_USCC, make_uscc(7)}
    assert len(table_dump(city_db)["achievements"]) == 5  # the dry run changed nothing
    result = apply(city_db, pkg.path)
    assert result.applied["deleted"] == 4
    assert _records(city_db) == _records(path)  # the merged-away b2 moved at the city too
    with using(city_db):
        logged = sorted((e.action, e.entity) for e in AuditEntry.select().where(AuditEntry.action.startswith("import-")))
    assert logged.count(("import-delete", "achievement")) == 2
    assert ("import-merge", "enterprise") in logged and ("import-delete", "enterprise") in logged
    from desktop.store import audit

    for db in (path, city_db):  # both audit logs hold together after the deletions
        with using(db):
            assert audit.verify_all(db) == []

    again = apply(city_db, pkg.path)  # the same package again deletes nothing twice
    assert again.plan.already_imported and again.applied["deleted"] == 0 and again.plan.counts()["deleted"] == 0
    later = export(path, tmp_path / "p3.stdpkg")  # every package carries the deletions; nothing is left to do:
    # 甲, a1, b1, b2 and the four deletions are unchanged
    assert plan(city_db, later.path).counts() == {"new": 0, "updated": 0, "deleted": 0, "unchanged": 8,
                                                  "conflicts": 0, "rejected": 0}


def test_restored_record_is_not_sent_as_deleted(tmp_path):
    from desktop.operations import records

    path, city_db = _two_records(tmp_path)
    with _edit(path) as s:
        snap = records.delete_achievements(s, [_ids(s, "achievement", "source_id", "a2")])
        records.restore_achievements(s, snap)  # undo
    pkg = export(path, tmp_path / "p2.stdpkg")
    assert "tombstones" not in pkg.counts
    assert plan(city_db, pkg.path).counts()["deleted"] == 0


def test_a_deletion_of_what_the_city_changed_is_a_conflict(tmp_path):
    from desktop.exchange.importer import KEEP_MINE, TAKE_THEIRS
    from desktop.operations import records
    from desktop.store.models import Achievement

    path, city_db = _two_records(tmp_path)
    with using(city_db):
        Achievement.update(title="市局补录的标题").where(Achievement.source_id == "a2").execute()
    with _edit(path) as s:
        records.delete_achievements(s, [_ids(s, "achievement", "source_id", "a2")])
    pkg = export(path, tmp_path / "p2.stdpkg").path
    res = apply(city_db, pkg)
    assert res.plan.counts()["conflicts"] == 1 and res.applied["deleted"] == 0
    c = res.plan.conflicts[0]
    assert c.label.startswith("a2") and "changed here" in c.reason and c.key.startswith("achievements:")
    with using(city_db):
        assert Achievement.get_or_none(Achievement.source_id == "a2") is not None  # never silent

    # keeping it is remembered; taking the office's deletion deletes it
    assert apply(city_db, pkg, resolutions={c.key: KEEP_MINE}).applied["kept_mine"] == 1
    pkg3 = export(path, tmp_path / "p3.stdpkg").path
    assert plan(city_db, pkg3).counts()["conflicts"] == 0
    with using(city_db):
        assert Achievement.get_or_none(Achievement.source_id == "a2") is not None

    path2, city2 = _two_records(tmp_path / "again")
    with using(city2):
        Achievement.update(title="市局补录的标题").where(Achievement.source_id == "a2").execute()
    with _edit(path2) as s:
        records.delete_achievements(s, [_ids(s, "achievement", "source_id", "a2")])
    pkg = export(path2, tmp_path / "again" / "p2.stdpkg").path
    key = plan(city2, pkg).conflicts[0].key
    assert apply(city2, pkg, resolutions={key: TAKE_THEIRS}).applied["deleted"] == 1
    assert _records(city2) == _records(path2)


def _reseal(src: Path, dst: Path, change) -> None:
    """Rewrite a package as a forger would: change a member, fix its checksum and the count in the
    manifest and the file's seal; the signature cannot be made again without the office's key."""
    from desktop.exchange import package as pkgmod

    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(members[pkgmod.MANIFEST])
    table = json.loads(members["data/tombstones.json"])
    change(table["rows"])
    body = json.dumps(table, ensure_ascii=False).encode()
    members["data/tombstones.json"] = body
    manifest["members"]["data/tombstones.json"] = {"sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}
    manifest["counts"]["tombstones"] = len(table["rows"])
    members[pkgmod.MANIFEST] = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.comment = b"0" * pkgmod._SEAL_LEN
        for n, b in members.items():
            zf.writestr(n, b)
    raw = buf.getvalue()[:-pkgmod._SEAL_LEN]
    dst.write_bytes(raw + pkgmod._seal(raw))


def test_a_forged_deletion_is_refused(tmp_path):
    from desktop.operations import records

    path, city_db = _two_records(tmp_path)
    with _edit(path) as s:
        records.delete_achievements(s, [_ids(s, "achievement", "source_id", "a2")])
        b1 = _uuid(path, "b1")
    pkg = export(path, tmp_path / "p2.stdpkg").path
    forged = tmp_path / "forged.stdpkg"
    _reseal(pkg, forged, lambda rows: rows.append(["achievements", b1, None, "delete", None, rows[0][5], "tester"]))
    with pytest.raises(PackageError, match="signature"):
        plan(city_db, forged)
    before = table_dump(city_db)
    with pytest.raises(PackageError):
        apply(city_db, forged)
    assert table_dump(city_db) == before


def _uuid(path: Path, source_id: str) -> str:
    from desktop.store.models import Achievement

    return Achievement.get(Achievement.source_id == source_id).uuid


def test_an_office_cannot_delete_another_countys_records(tmp_path, monkeypatch):
    from desktop.exchange import tombstones

    path_a, card_a = county(tmp_path, "a")
    path_b, card_b = county(tmp_path, "b", data={"enterprises": [{"uscc": make_uscc(3), "name": "丁"}],
                                                   "achievements": [std(id="d1", enterprise=make_uscc(3))]})
    city_db = city(tmp_path, card_a, card_b)
    apply(city_db, export(path_a, tmp_path / "a1.stdpkg").path)
    with using(path_a):
        victim = _uuid(path_a, "s1")
    monkeypatch.setattr(tombstones, "collect", lambda: [["achievements", victim, None, "delete", None,
                                                         "2026-01-01 00:00:00", "someone"]])
    pkg = export(path_b, tmp_path / "b1.stdpkg").path
    res = apply(city_db, pkg)
    assert res.applied["deleted"] == 0 and res.plan.counts()["new"] == 2
    (why,) = [i.reason for i in res.plan.rejected]
    assert "only records it sent itself" in why
    with using(city_db):
        assert _uuid(city_db, "s1") == victim


def test_the_cross_county_checks_forget_what_the_county_deleted(tmp_path):
    from desktop.exchange.consolidate import build_report
    from desktop.operations import records

    path_a, card_a = county(tmp_path, "a", data={"enterprises": [{"uscc": GOOD_USCC, "name": "甲"}],
                                                  "achievements": [std(id="x1")]})
    # county b registered 甲 too, by mistake, and claims the same standard for 乙
    path_b, card_b = county(tmp_path, "b", region="350303", data={
        "enterprises": [{"uscc": GOOD_USCC, "name": "甲"}, {"uscc": OTHER_USCC, "name": "乙"}],
        "achievements": [std(id="y1", enterprise=OTHER_USCC)]})
    city_db = city(tmp_path, card_a, card_b)
    for p, tag in ((path_a, "a"), (path_b, "b")):
        apply(city_db, export(p, tmp_path / f"{tag}1.stdpkg").path)
    with using(city_db):
        found = sorted((f.kind, f.severity) for f in build_report().findings)
    assert len(found) == 2  # the same standard claimed in two counties; the same enterprise in two
    with _edit(path_b) as s:
        records.delete_achievements(s, [_ids(s, "achievement", "source_id", "y1")])
        records.delete_enterprise(s, _ids(s, "enterprise", "uscc", GOOD_USCC))
    res = apply(city_db, export(path_b, tmp_path / "b2.stdpkg").path)
    # y1 is deleted; the city holds 甲 as county a sent it (matched by its code), so it stays, and
    # leaves county b's claims
    assert res.applied["deleted"] == 1 and res.plan.counts()["rejected"] == 0
    with using(city_db):
        assert build_report().findings == []


def test_a_years_package_carries_the_record_a_merge_keeps(tmp_path):
    """The county merges an enterprise into one the city never received and that holds nothing of
    the year exported: the package carries that record, so the city can follow the merge."""
    from desktop.operations import records
    from desktop.store.models import Achievement, Enterprise

    path, card = county(tmp_path, data={"enterprises": [{"uscc": GOOD_USCC, "name": "甲"}],
                                        "achievements": [std(id="a1")]})  # 2024
    city_db = city(tmp_path, card)
    apply(city_db, export(path, tmp_path / "p1.stdpkg").path)
    load(path, {"enterprises": [{"uscc": OTHER_USCC, "name": "乙"}],
                "achievements": [std(id="b1", enterprise=OTHER_USCC, ref="GB/T 20000-2024")]})
    with _edit(path) as s:
        records.merge_enterprises(s, _ids(s, "enterprise", "uscc", OTHER_USCC), _ids(s, "enterprise", "uscc", GOOD_USCC))
    res = apply(city_db, export(path, tmp_path / "p2.stdpkg", year=2023).path)
    assert res.plan.counts()["rejected"] == 0 and res.plan.counts()["conflicts"] == 0
    with using(city_db):
        assert [e.uscc for e in Enterprise.select()] == [OTHER_USCC]
        assert [(a.source_id, a.enterprise.uscc) for a in Achievement.select()] == [("a1", OTHER_USCC)]


_EDIT = st.tuples(st.sampled_from(("delete", "merge", "empty")), st.integers(0, 1000), st.integers(0, 1000))


# no shrinking: each example builds two databases and several packages, and shrinking a failure
# took more than five minutes; the failing steps are printed as they are, and kept as @example
@settings(max_examples=8, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
# found by this test: a merge carried in a year's package moves the other year's records at the city;
# the next package (and a deletion of one of them) must not read that as the city's own change
@example(steps=[([("delete", 298, 0), ("delete", 0, 0)], None, True),
                ([("delete", 0, 0), ("merge", 213, 858), ("merge", 0, 0), ("empty", 0, 0)], 2024, False),
                ([("delete", 74, 0)], None, False)])
# found by this test: a deletion, then another package of the same year, drifted the city's copy
@example(steps=[([("delete", 0, 0)], 2023, True), ([("delete", 0, 0)], 2023, False)])
# found by this test: merges sent in a year's package, then another package of the same year, was rejected
@example(steps=[([("merge", 25, 99), ("merge", 331, 331), ("empty", 340, 116), ("merge", 268, 999)], 2023, True),
                ([("merge", 25, 99), ("merge", 331, 331), ("empty", 340, 116), ("merge", 268, 999)], 2023, False)])
@given(steps=st.lists(st.tuples(st.lists(_EDIT, min_size=1, max_size=4), st.sampled_from((None, 2023, 2024)),
                                st.booleans()), min_size=1, max_size=3))
def test_random_deletions_and_merges_round_trip(tmp_path_factory, steps):
    """Random edits at the county (deletions, merges, deleting an enterprise with all it holds),
    each batch followed by an export (everything or one year, new records loaded meanwhile or not):
    after each import the city holds exactly the county's records, with no conflict or rejection."""
    from desktop.operations import records
    from desktop.store.models import Achievement, Enterprise

    tmp = tmp_path_factory.mktemp("edits")
    ents = [{"uscc": make_uscc(100 + i), "name": f"企业{i}"} for i in range(5)]
    achs = [std(id=f"r{i}", enterprise=ents[i % 5]["uscc"], ref=f"GB/T {30000 + i}-2024",
                date=f"{2023 + i % 2}-0{1 + i % 9}-01") for i in range(15)]
    path, card = county(tmp, data={"enterprises": ents, "achievements": achs})
    city_db = city(tmp, card)
    res = apply(city_db, export(path, tmp / "p0.stdpkg").path)
    sent = {t: {r[0] for r in res.plan.package.rows(t)} for t in ("enterprises", "achievements")}
    for n, (edits, year, add) in enumerate(steps, 1):
        with _edit(path) as s:
            for move, i, j in edits:
                left_a = [a.get_id() for a in Achievement.select()]
                left_e = [e.get_id() for e in Enterprise.select()]
                if move == "delete" and left_a:
                    records.delete_achievements(s, [left_a[i % len(left_a)]])
                elif move == "merge" and len(left_e) >= 2:
                    keep = left_e[i % len(left_e)]
                    others = [e for e in left_e if e != keep]
                    records.merge_enterprises(s, keep, others[j % len(others)])
                elif left_e:
                    e = left_e[i % len(left_e)]
                    records.delete_achievements(s, [a.get_id() for a in Achievement.select().where(
                        Achievement.enterprise == e)])
                    records.delete_enterprise(s, e)
        if add:
            load(path, {"enterprises": [{"uscc": make_uscc(200 + n), "name": f"新企业{n}"}],
                        "achievements": [std(id=f"n{n}", enterprise=make_uscc(200 + n), ref=f"GB/T 3999{n}-2024")]})
        kw = {"year": year} if year else {}
        res = apply(city_db, export(path, tmp / f"p{n}.stdpkg", **kw).path)
        assert res.plan.counts()["conflicts"] == 0 and res.plan.counts()["rejected"] == 0
        for t in sent:
            sent[t] |= {r[0] for r in res.plan.package.rows(t)}
        # a year's package leaves out the other year's new records, by design (in this package and in
        # the next ones of that year): the city holds exactly the county's records that were ever sent
        assert _records(city_db) == _sent_records(path, sent), n


def test_from_the_command_line(tmp_path):
    from conftest import run_cli

    path, city_db = _two_records(tmp_path)
    r = run_cli("delete", "achievement", "b1", "--db", str(path))
    assert r.returncode == 0, r.stderr
    pkg = tmp_path / "p2.stdpkg"
    assert run_cli("export", "--out", str(pkg), "--db", str(path)).returncode == 0
    r = run_cli("import", str(pkg), "--dry-run", "--db", str(city_db))
    assert r.returncode == 0 and "Deleted or merged at the office: 1" in r.stdout and "b1" in r.stdout, r.stderr
    r = run_cli("import", str(pkg), "--json", "--db", str(city_db))
    out = json.loads(r.stdout)
    assert out["deleted"] == 1 and out["applied"]["deleted"] == 1
    assert _records(city_db) == _records(path)


@pytest.mark.parametrize("one_entry", [False, True], ids=["entry-per-record", "one-entry-for-many"])
def test_a_city_passes_its_counties_deletions_on_to_the_province(tmp_path, monkeypatch, one_entry):
    from test_exchange import new_office

    from desktop.exchange import offices, tombstones

    if one_entry:  # a large import audits its deletions in one entry; the city still passes each on
        monkeypatch.setattr(tombstones, "BATCH_AUDIT_AT", 0)
    from desktop.exchange.package import fingerprint
    from desktop.operations import records
    from desktop.store.models import Achievement

    path, city_db = _two_records(tmp_path)
    with using(city_db):
        city_card = offices.card()
    province = tmp_path / "province.db"
    new_office(province, "福建省市场监督管理局", "350000", role="city")
    with using(province):
        offices.register(city_card, expected_fingerprint=fingerprint(city_card["public_key"]), user="tester")
    assert apply(province, export(city_db, tmp_path / "c1.stdpkg").path).plan.counts()["new"] == 8
    with using(path):
        county_uuid = offices.own_office().uuid
    with using(province):  # each record keeps the county it came from
        assert {a.origin for a in Achievement.select()} == {county_uuid}

    with _edit(path) as s:
        records.delete_achievements(s, [_ids(s, "achievement", "source_id", "c1")])
        records.delete_enterprise(s, _ids(s, "enterprise", "uscc", make_uscc(7)))
        records.merge_enterprises(s, _ids(s, "enterprise", "uscc", GOOD_USCC), _ids(s, "enterprise", "uscc", OTHER_USCC))
    assert apply(city_db, export(path, tmp_path / "p2.stdpkg").path).applied["deleted"] == 3
    with using(city_db):
        from desktop.store.models import AuditEntry

        batch = AuditEntry.select().where((AuditEntry.action == "import-delete") & AuditEntry.entity_uuid.is_null())
        assert batch.count() == (1 if one_entry else 0)
    res = apply(province, export(city_db, tmp_path / "c2.stdpkg").path)
    assert res.applied["deleted"] == 3 and res.plan.counts()["rejected"] == 0
    assert _records(province) == _records(city_db) == _records(path)
