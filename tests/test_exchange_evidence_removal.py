"""An evidence file the county removes from an achievement is removed from the city's copy on the
next import (carried like deletions, from the county's audit log); the file itself, kept at the city
by its hash, still opens for the other records that hold it. Random attach/remove sequences round
trip: after each import the city's attachments are the county's."""
from __future__ import annotations

from pathlib import Path

from conftest import std
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_exchange import apply, city, county, export, plan, using

FILES = {"证书.pdf": b"%PDF-1.4 certificate\n" * 300, "验收报告.pdf": b"%PDF-1.4 report\n" * 200,
         "photo.png": b"\x89PNG\r\n\x1a\n" + b"\x00photo" * 400}


def _session(path: Path):
    from desktop.operations.session import Session

    return Session.open(path, auto_backup=False, check=False)


def _files(tmp: Path) -> dict[str, Path]:
    out = {}
    for name, body in FILES.items():
        (tmp / name).write_bytes(body)
        out[name] = tmp / name
    return out


def _attachments(path: Path) -> set[tuple[str, str, str]]:
    """(achievement's global id, file name, SHA-256) of every attachment; and each file opens."""
    from desktop.operations import records
    from desktop.store.models import Evidence

    with _session(path) as s:
        out = set()
        for e in Evidence.select():
            assert records.evidence_file(s, e.get_id()).read_bytes() == FILES[e.filename]
            out.add((e.achievement.uuid, e.filename, e.sha256))
        return out


def _evidence_id(source_id: str, filename: str) -> int:
    from desktop.store.models import Achievement, Evidence

    return (Evidence.select().join(Achievement)
            .where((Achievement.source_id == source_id) & (Evidence.filename == filename)).get().get_id())


def test_a_removed_attachment_leaves_the_city_and_the_shared_file_stays(tmp_path):
    from desktop.operations import records
    from desktop.store.models import Achievement, AuditEntry

    path, card = county(tmp_path)
    files = _files(tmp_path)
    with _session(path) as s:
        s1, p1 = (Achievement.get(Achievement.source_id == x).get_id() for x in ("s1", "p1"))
        records.attach_evidence(s, s1, files["证书.pdf"])
        records.attach_evidence(s, p1, files["证书.pdf"])  # the same file on two records
        records.attach_evidence(s, p1, files["photo.png"])
    city_db = city(tmp_path, card)
    apply(city_db, export(path, tmp_path / "p1.stdpkg").path)
    assert len(_attachments(city_db)) == 3

    with _session(path) as s:
        records.remove_evidence(s, _evidence_id("s1", "证书.pdf"))
        records.remove_evidence(s, _evidence_id("p1", "photo.png"))
    pkg = export(path, tmp_path / "p2.stdpkg").path
    dry = plan(city_db, pkg)
    assert sorted(i.label for i in dry.deleted if i.table == "evidence") == ["p1 photo.png", "s1 证书.pdf"]
    assert dry.counts()["conflicts"] == dry.counts()["rejected"] == 0
    res = apply(city_db, pkg)
    assert res.applied["evidence_removed"] == 2
    assert _attachments(city_db) == _attachments(path)  # p1 still opens 证书.pdf, stored once by hash
    with using(city_db):
        assert AuditEntry.select().where(AuditEntry.action == "import-detach").count() == 2

    again = apply(city_db, export(path, tmp_path / "p3.stdpkg").path)  # carried again: nothing twice
    assert again.applied.get("evidence_removed", 0) == 0 and not [i for i in again.plan.deleted]

    with _session(path) as s:  # put back: the removal is not sent any more, the file comes again
        records.attach_evidence(s, Achievement.get(Achievement.source_id == "s1").get_id(), files["证书.pdf"])
    res = apply(city_db, export(path, tmp_path / "p4.stdpkg").path)
    assert res.applied["evidence_attached"] == 1 and _attachments(city_db) == _attachments(path)


def test_a_removal_may_not_touch_another_countys_record(tmp_path):
    """A county's package that names another county's achievement removes nothing there."""
    import dataclasses

    from desktop.exchange import tombstones
    from desktop.exchange.importer import ImportPlan
    from desktop.store.models import Achievement, Evidence

    path_a, card_a = county(tmp_path, "a")
    path_b, card_b = county(tmp_path, "b", region="350303",
                            data={"enterprises": [{"uscc": "91350302MA2Y0KXQ4Q", "name": "乙"}],
                                  "achievements": [std(id="b1", enterprise="91350302MA2Y0KXQ4Q", ref="GB/T 1-2024")]})
    files = _files(tmp_path)
    with _session(path_b) as s:
        from desktop.operations import records

        records.attach_evidence(s, Achievement.get(Achievement.source_id == "b1").get_id(), files["证书.pdf"])
    city_db = city(tmp_path, card_a, card_b)
    apply(city_db, export(path_b, tmp_path / "b.stdpkg").path)
    pkg_a = apply(city_db, export(path_a, tmp_path / "a.stdpkg").path).plan.package
    with using(city_db):
        b1 = Achievement.get(Achievement.source_id == "b1")
        sha = Evidence.get(Evidence.achievement == b1).sha256
        forged = dataclasses.replace(pkg_a, tables=dict(pkg_a.tables, tombstones={
            "columns": list(tombstones.TOMBSTONE_COLUMNS),
            "rows": [["evidence", b1.uuid, sha, "detach", "证书.pdf", "2024-01-01 00:00:00", "x"],
                     ["evidence", "not-a-uuid", sha, "detach", "x.pdf", "2024-01-01 00:00:00", "x"]]}))
        p = ImportPlan(forged)
        p._bases = {"achievements": {}, "enterprises": {}}
        tombstones.plan(p, {})
        assert sorted(i.reason for i in p.rejected) == [
            "the office may remove evidence only from records it sent itself",
            "the removal of an evidence file is malformed"]
        applied: dict[str, int] = {}
        tombstones.apply(p, {}, "tester", applied)
        assert applied.get("evidence_removed", 0) == 0 and Evidence.select().where(Evidence.achievement == b1).count() == 1


_STEP = st.tuples(st.sampled_from(("attach", "remove")), st.integers(0, 2), st.sampled_from(sorted(FILES)))


# attached, sent; removed and carried by a package of another year; a file shared by two records
@example(batches=[([("attach", 0, "证书.pdf"), ("attach", 1, "证书.pdf")], None), ([("remove", 0, "证书.pdf")], 2024)])
@example(batches=[([("attach", 2, "photo.png")], 2024), ([("remove", 2, "photo.png"), ("attach", 2, "photo.png")], None),
                  ([("remove", 2, "photo.png")], None)])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.tuples(st.lists(_STEP, min_size=1, max_size=5), st.sampled_from((None, 2024))),
                        min_size=1, max_size=3))
def test_random_attachments_and_removals_round_trip(tmp_path_factory, batches):
    from desktop.operations import records
    from desktop.store.models import Achievement, Evidence

    tmp = tmp_path_factory.mktemp("evidence")
    ents = [{"uscc": "91350302MA2Y0KXQ4Q", "name": "甲"}]
    achs = [std(id=f"r{i}", enterprise=ents[0]["uscc"], ref=f"GB/T {40000 + i}-2024", date=f"{2023 + i % 2}-03-01")
            for i in range(3)]
    path, card = county(tmp, data={"enterprises": ents, "achievements": achs})
    files = _files(tmp)
    city_db = city(tmp, card)
    apply(city_db, export(path, tmp / "p0.stdpkg").path)
    for n, (steps, year) in enumerate(batches, 1):
        with _session(path) as s:
            for move, i, name in steps:
                ach = Achievement.get(Achievement.source_id == f"r{i}")
                held = [e for e in Evidence.select().where(Evidence.achievement == ach) if e.filename == name]
                if move == "attach" and not held:
                    records.attach_evidence(s, ach.get_id(), files[name])
                elif move == "remove" and held:
                    records.remove_evidence(s, held[0].get_id())
        kw = {"year": year} if year else {}
        res = apply(city_db, export(path, tmp / f"p{n}.stdpkg", **kw).path)
        assert res.plan.counts()["conflicts"] == 0 and res.plan.counts()["rejected"] == 0
        county_has, city_has = _attachments(path), _attachments(city_db)
        if year is None:
            assert city_has == county_has, n
        else:  # a year's package sends that year's attachments; removals travel whatever the year
            with using(path):
                of_year = {a.uuid for a in Achievement.select() if a.date.year == year}
            assert {x for x in city_has if x[0] in of_year} == {x for x in county_has if x[0] in of_year}, n
            # the other year's records: what the county removed is gone at the city too (new ones wait)
            assert {x for x in city_has if x[0] not in of_year} <= {x for x in county_has if x[0] not in of_year}, n
