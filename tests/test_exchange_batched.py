"""Import in batches: a package larger than one batch is checked, matched and written a batch at a
time, with the same outcome as in one batch (duplicates and matches across the batches' boundaries,
conflicts, a re-import), a plan that lists a sample of each kind but counts every record, and a cancel
in the second batch that leaves nothing behind."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import std
from test_exchange import apply, city, county, export, make_uscc, plan, table_dump, using

N = 22  # achievements: more than five batches of four


def _data(n: int = N) -> dict:
    ents = [{"uscc": make_uscc(i), "name": f"莆田市第{i}号鞋业有限公司", "region": "350302"} for i in range(3)]
    achs = [std(id=f"s{i}", enterprise=ents[i % 3]["uscc"], ref=f"GB/T {30000 + i}-2024", rank=1 + i % 3,
                title=f"鞋类标准第{i}号", action=("formulate", "revise")[i % 2]) for i in range(n)]
    return {"enterprises": ents, "achievements": achs}


@pytest.fixture(params=["kept", "streamed"], autouse=True)
def reading(request, monkeypatch):
    """Each test twice: the package's rows kept in memory, and its achievements and awards read again
    from the file each time they are needed (as a package of more than STREAM_AT records is)."""
    if request.param == "streamed":
        from desktop.exchange import package

        monkeypatch.setattr(package, "STREAM_AT", 0)
    return request.param


def _small_batches(monkeypatch, size: int = 4, sample: int | None = None) -> None:
    from desktop.exchange import importer

    monkeypatch.setattr(importer, "BATCH", size)
    monkeypatch.setattr(importer, "CHUNK", size)
    monkeypatch.setattr(importer, "LOOKUP_BATCH", size - 1)
    if sample is not None:
        monkeypatch.setattr(importer, "SAMPLE", sample)


def _outcome(p) -> dict:
    """What a plan says, record by record (kind, table, uuid, reason), whatever order it was made in."""
    return {k: sorted((i.table, i.uuid, i.reason) for i in getattr(p, k))
            for k in ("new", "updated", "deleted", "unchanged", "conflicts", "rejected")}


def _forge(src: Path, pkg: Path, out: Path, edit) -> Path:
    """The county's package with its tables edited by ``edit(tables)``, signed again by the county."""
    from desktop.exchange import package
    from desktop.exchange.offices import signing_office
    from desktop.exchange.package import read_package

    good = read_package(pkg)
    tables = {t: (good.columns(t), [list(x) for x in good.rows(t)]) for t in good.tables}
    edit(tables)
    with using(src):
        key = signing_office().signing_key
    out.write_bytes(package.build(dict(good.manifest), tables, key))
    return out


def _both_ways(monkeypatch, tmp_path: Path, dst: Path, pkg: Path, **kw) -> tuple[dict, dict]:
    """The package planned and applied on two copies of ``dst``: in one batch and in batches of four.
    Returns the outcome and the tables of the batched import after asserting the two are the same."""
    whole, batched = tmp_path / "whole.db", tmp_path / "batched.db"
    shutil.copyfile(dst, whole)
    shutil.copyfile(dst, batched)
    one = _outcome(plan(whole, pkg))
    r1 = apply(whole, pkg, **kw)
    with monkeypatch.context() as m:
        _small_batches(m)
        many = _outcome(plan(batched, pkg))
        r2 = apply(batched, pkg, **kw)
    assert many == one
    assert r2.applied == r1.applied
    assert table_dump(batched) == table_dump(whole)
    return many, table_dump(batched)


def test_a_package_of_several_batches_imports_as_in_one(tmp_path, monkeypatch, reading):
    from desktop.exchange.package import read_package

    src, card = county(tmp_path, data=_data())
    pkg = export(src, tmp_path / "1.stdpkg").path
    read = read_package(pkg)
    assert read.streamed("achievements") == (reading == "streamed") and not read.streamed("enterprises")
    assert sorted(read.uuids("achievements")) == sorted(r[0] for r in read.rows("achievements"))
    dst = city(tmp_path, card)
    outcome, tables = _both_ways(monkeypatch, tmp_path, dst, pkg)
    assert len(outcome["new"]) == N + 3 and not outcome["rejected"] and not outcome["conflicts"]
    assert sorted(r[2] for r in tables["achievements"]) == sorted(f"s{i}" for i in range(N))
    # every achievement points at its own enterprise, resolved across batches
    county_tables = table_dump(src)
    assert tables["achievements"] == county_tables["achievements"]
    assert tables["enterprises"] == county_tables["enterprises"]


def test_the_plan_lists_a_sample_and_counts_every_record(tmp_path, monkeypatch):
    from desktop.store.models import Achievement

    src, card = county(tmp_path, data=_data())
    pkg = export(src, tmp_path / "1.stdpkg").path
    dst = city(tmp_path, card)
    _small_batches(monkeypatch, sample=5)
    p = plan(dst, pkg)
    assert p.counts()["new"] == N + 3 and len(p.new) == 5
    summary = p.summary()
    assert summary["new"] == N + 3 and len(summary["details"]["new"]) == 5
    result = apply(dst, pkg, plan=p)
    assert result.applied["inserted"] == N + 3
    with using(dst):
        assert Achievement.select().count() == N
    # the audit entry of the import counts every record by table, not the sample
    from desktop.store.models import AuditEntry

    with using(dst):
        entry = AuditEntry.select().where(AuditEntry.action == "import").get()
        assert entry.after["new"] == {"enterprises": 3, "achievements": N}


def test_duplicates_across_batch_boundaries(tmp_path, monkeypatch):
    """The same record listed twice (first in the first batch, again in the last), and a second record
    of an achievement already entered at the city (matched by its identity in a later batch than the
    package's own copy of it): the same outcome as in one batch, and the first listing wins."""
    from desktop.store import records

    src, card = county(tmp_path, data=_data())
    pkg = export(src, tmp_path / "1.stdpkg").path

    def edit(tables):
        cols, rows = tables["achievements"]
        uuid_i, sid_i, title_i = cols.index("uuid"), cols.index("source_id"), cols.index("title")
        again = list(rows[1])
        again[title_i] = "改过的题名"
        rows.append(again)  # the same uuid again, other content
        twin = list(rows[3])
        twin[uuid_i] = "0c9a4f0e-8d43-4b7e-9f2a-5d1e2c3b4a59"
        twin[sid_i] = "twin"
        rows.append(twin)  # the same achievement under another id

    forged = _forge(src, pkg, tmp_path / "2.stdpkg", edit)
    dst = city(tmp_path, card)
    with using(dst):  # the city entered one of the county's achievements itself, the same
        county_data = _data()
        records.load({"enterprises": county_data["enterprises"][:1],
                      "achievements": [county_data["achievements"][3]]}, user="tester")
    outcome, tables = _both_ways(monkeypatch, tmp_path, dst, forged)
    assert [(t, reason) for t, _u, reason in outcome["rejected"]] == [
        ("achievements", "the package lists this record twice")]
    sids = [r[2] for r in tables["achievements"]]
    assert sorted(sids) == sorted([f"s{i}" for i in range(N)] + ["twin"])
    title_i = 6
    s1 = next(r for r in tables["achievements"] if r[2] == "s1")
    assert s1[title_i] == "鞋类标准第1号"  # the first listing, not the edited second one
    # s3 was matched to the city's own record by its identity: one record, not two
    assert sids.count("s3") == 1
    assert any("matched by natural_key" in reason for t, _u, reason in outcome["unchanged"] if t == "achievements")


def test_conflicts_and_a_reimport_across_batches(tmp_path, monkeypatch):
    from desktop.exchange.importer import KEEP_MINE, TAKE_THEIRS
    from desktop.store.models import Achievement

    src, card = county(tmp_path, data=_data())
    pkg1 = export(src, tmp_path / "1.stdpkg").path
    dst = city(tmp_path, card)
    _small_batches(monkeypatch)
    apply(dst, pkg1)
    before = table_dump(dst)
    again = plan(dst, pkg1)  # the same package again: nothing to do
    assert again.already_imported and again.counts()["new"] == 0 and again.counts()["unchanged"] == N + 3
    apply(dst, pkg1)
    assert table_dump(dst) == before
    # both sides edit s1 (first batch) and s17 (fifth); the county alone edits s9 (third)
    for path, who in ((src, "county"), (dst, "city")):
        with using(path):
            for sid in ("s1", "s17") + (("s9",) if who == "county" else ()):
                Achievement.update(title=f"{who}改{sid}").where(Achievement.source_id == sid).execute()
    pkg2 = export(src, tmp_path / "2.stdpkg").path
    p = plan(dst, pkg2)
    assert p.counts() == {"new": 0, "updated": 1, "deleted": 0, "unchanged": N + 3 - 3, "conflicts": 2, "rejected": 0}
    by_sid = {c.label.split()[0]: c.key for c in p.conflicts}
    assert sorted(by_sid) == ["s1", "s17"]
    apply(dst, pkg2, resolutions={by_sid["s1"]: TAKE_THEIRS, by_sid["s17"]: KEEP_MINE}, plan=p)
    with using(dst):
        titles = {a.source_id: a.title for a in Achievement.select()}
    assert titles["s1"] == "county改s1" and titles["s17"] == "city改s17" and titles["s9"] == "county改s9"
    assert titles["s5"] == "鞋类标准第5号"
    # and once resolved, the same package again changes nothing
    assert plan(dst, pkg2).counts()["conflicts"] == 0


@pytest.mark.parametrize("stage", ["plan", "write"])
def test_cancel_in_the_second_batch_leaves_nothing(tmp_path, monkeypatch, stage):
    from desktop.exchange.export import Cancelled
    from desktop.store.models import Achievement, AuditEntry, Enterprise, PackageLog, Setting

    src, card = county(tmp_path, data=_data())
    pkg = export(src, tmp_path / "1.stdpkg").path
    dst = city(tmp_path, card)
    with using(dst):
        audit_before = AuditEntry.select().count()
        settings_before = sorted(s.key for s in Setting.select())
    _small_batches(monkeypatch)
    from desktop.exchange import importer

    seen: list[tuple[str, int, int]] = []
    batches = {"n": 0}
    real_match = importer._match

    def counting_match(*a, **kw):
        if a[1].name == "achievements":
            batches["n"] += 1
        return real_match(*a, **kw)

    monkeypatch.setattr(importer, "_match", counting_match)

    def cancelled() -> bool:
        if stage == "plan":  # the achievements' second batch matched, the third not yet
            return batches["n"] == 2
        return any(s == "write" and done >= 3 + 4 for s, done, _t in seen)  # enterprises, then a second chunk

    with pytest.raises(Cancelled):
        apply(dst, pkg, progress=lambda *a: seen.append(a), cancelled=cancelled)
    assert batches["n"] == (2 if stage == "plan" else -(-N // 4))
    with using(dst):
        assert Achievement.select().count() == 0 and Enterprise.select().count() == 0
        assert PackageLog.select().count() == 0 and AuditEntry.select().count() == audit_before
        assert sorted(s.key for s in Setting.select()) == settings_before
    # and the same package then imports whole
    result = apply(dst, pkg)
    assert result.applied["inserted"] == N + 3


def test_a_package_file_changed_between_the_dry_run_and_the_import_writes_nothing(tmp_path, monkeypatch, reading):
    """The officer checked the package, then the file on the stick was replaced by another package of
    the same office: what is applied is never a mix of the two."""
    from desktop.core.errors import BadFile
    from desktop.store.models import Achievement, Enterprise, PackageLog

    src, card = county(tmp_path, data=_data())
    pkg = export(src, tmp_path / "1.stdpkg").path
    first = pkg.read_bytes()
    with using(src):
        Achievement.update(title="改过").where(Achievement.source_id == "s5").execute()
    other = export(src, tmp_path / "2.stdpkg").path
    dst = city(tmp_path, card)
    _small_batches(monkeypatch)
    p = plan(dst, pkg)
    pkg.write_bytes(other.read_bytes())
    if reading == "kept":  # the rows were kept when checked: the import applies exactly what was checked
        apply(dst, p.package, plan=p)
        with using(dst):
            assert Achievement.get(Achievement.source_id == "s5").title == "鞋类标准第5号"
        return
    with pytest.raises(BadFile, match="changed or could not be read again"):
        apply(dst, p.package, plan=p)
    with using(dst):
        assert Achievement.select().count() == 0 and Enterprise.select().count() == 0
        assert PackageLog.select().count() == 0
    pkg.write_bytes(first)  # the right file back: it imports
    assert apply(dst, p.package).applied["inserted"] == N + 3
