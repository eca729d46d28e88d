"""A large package table is parsed from the file once: checking it sets its rows aside on disk, the
plan sets aside the rows it will insert, and writing takes those as they are. What is written is
what the package holds (the natural keys ours, as ``load`` computes them), an encrypted package is
set aside the same way, and a file replaced, pulled or cut short after its check still writes
nothing."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import std
from test_exchange import apply, city, county, export, make_uscc, plan, table_dump, using

N = 14


def _data() -> dict:
    ents = [{"uscc": make_uscc(i), "name": f"莆田市第{i}号鞋业有限公司", "region": "350302"} for i in range(3)]
    achs = [std(id=f"s{i}", enterprise=ents[i % 3]["uscc"], ref=f"GB/T {31000 + i}-2024", rank=1 + i % 3,
                title=f"鞋类标准第{i}号", action=("formulate", "revise")[i % 2]) for i in range(N)]
    # numbers the key's JSON must escape, or that the standards parser normalises (full-width, spaces)
    achs.append(std(id="q1", enterprise=ents[0]["uscc"], ref='Q/JX "甲\\乙" 01-2024', title="带引号的企业标准"))
    achs.append(std(id="q2", enterprise=ents[1]["uscc"], ref="ＧＢ／Ｔ　３２０００－２０２４", title="全角编号"))
    achs.append(std(id="q3", enterprise=ents[2]["uscc"], ref="  db35/t   1234 — 2024 ", title="空格与破折号"))
    achs.append({"id": "p1", "enterprise": ents[0]["uscc"], "kind": "pilot", "date": "2024-06-01", "level": "national",
                 "domain": "service", "accepted": True, "units": ["甲", "乙"], "note": "验收\n合格"})
    return {"enterprises": ents, "achievements": achs}


@pytest.fixture
def small(monkeypatch):
    """Every achievements and awards table set aside on disk, in batches of three; plan and write in
    batches of four (boundaries everywhere)."""
    from desktop.exchange import importer, package

    monkeypatch.setattr(package, "STREAM_AT", 0)
    monkeypatch.setattr(package, "SPOOL_BATCH", 3)
    monkeypatch.setattr(importer, "BATCH", 4)
    monkeypatch.setattr(importer, "CHUNK", 4)
    monkeypatch.setattr(importer, "LOOKUP_BATCH", 3)


def _pair(tmp_path: Path, passphrase: str | None = None) -> tuple[Path, Path]:
    src, card = county(tmp_path, data=_data())
    pkg = export(src, tmp_path / "1.stdpkg", passphrase=passphrase).path
    return city(tmp_path, card), pkg


@pytest.mark.parametrize("passphrase", [None, "stick secret"])
def test_the_officers_import_parses_the_achievements_once_and_writes_what_the_kept_rows_wrote(
        tmp_path, monkeypatch, passphrase):
    from desktop.exchange.offices import trust
    from desktop.exchange.package import read_package

    dst, pkg = _pair(tmp_path, passphrase)
    kept = tmp_path / "kept.db"
    shutil.copyfile(dst, kept)
    shutil.copyfile(str(dst) + ".audit-head", str(kept) + ".audit-head")
    whole = apply(kept, pkg, passphrase=passphrase)  # the rows kept in memory, as for a small package
    with monkeypatch.context() as m:
        from desktop.exchange import importer, package

        m.setattr(package, "STREAM_AT", 0)
        m.setattr(package, "SPOOL_BATCH", 3)
        m.setattr(importer, "BATCH", 4)
        m.setattr(importer, "CHUNK", 4)
        seen: dict[str, int] = {}  # how often each table member is parsed from its JSON
        real = package._row_stream

        def counted(member):
            seen[member.name] = seen.get(member.name, 0) + 1
            return real(member)

        m.setattr(package, "_row_stream", counted)
        with using(dst):  # as the CLI and the window run it: read once, plan (shown), apply that plan
            read = read_package(pkg, passphrase=passphrase, signer=trust)
            assert read.streamed("achievements") and read.tables["achievements"]["rows"] is None
        p = plan(dst, read)
        result = apply(dst, read, plan=p)
        assert seen["data/achievements.json"] == 1 and seen["data/awards.json"] == 1
    assert result.applied == whole.applied and result.applied["inserted"] == N + 4 + 3
    assert table_dump(dst) == table_dump(kept)


def test_natural_keys_written_from_the_set_aside_rows_are_those_load_computes(tmp_path, small):
    from desktop.store.models import Achievement
    from desktop.store.records import natural_key, to_vocabulary

    dst, pkg = _pair(tmp_path)
    with using(tmp_path / "county-a.db"):
        at_county = {a.source_id: a.natural_key for a in Achievement.select()}
    apply(dst, pkg)
    with using(dst):
        got = {a.source_id: a.natural_key for a in Achievement.select()}
        for a in Achievement.select():
            assert a.natural_key == natural_key(to_vocabulary(a))
    assert got == at_county and len(got) == N + 4
    assert '\\"' in got["q1"] and "GB/T 32000-2024" in got["q2"]  # escaped as JSON; normalised as a standard


def test_the_plan_applied_again_or_after_a_change_here_writes_the_same(tmp_path, small):
    """A plan whose database changed meanwhile is made again inside the transaction, from the rows
    set aside when the package was checked (not the file)."""
    from desktop.exchange.offices import trust
    from desktop.exchange.package import read_package
    from desktop.store import office

    dst, pkg = _pair(tmp_path)
    ref = tmp_path / "ref.db"
    shutil.copyfile(dst, ref)
    shutil.copyfile(str(dst) + ".audit-head", str(ref) + ".audit-head")
    with using(dst):
        read = read_package(pkg, signer=trust)
    p = plan(dst, read)
    with using(dst):  # the database changes between the dry run and the import
        office.update(doc_prefix="莆市监改", user="tester")
    with using(ref):
        office.update(doc_prefix="莆市监改", user="tester")
    got = apply(dst, read, plan=p)
    assert got.plan is not p  # planned again
    apply(ref, pkg)
    assert table_dump(dst) == table_dump(ref)


@pytest.mark.parametrize("how", ["pulled", "cut short", "another package"])
def test_a_file_gone_or_changed_after_its_check_writes_nothing(tmp_path, small, how):
    from desktop.core.errors import BadFile
    from desktop.store.models import Achievement, Enterprise, PackageLog

    src, card = county(tmp_path, data=_data())
    pkg = export(src, tmp_path / "1.stdpkg").path
    first = pkg.read_bytes()
    with using(src):
        Achievement.update(title="改过").where(Achievement.source_id == "s5").execute()
    other = export(src, tmp_path / "2.stdpkg").path.read_bytes()
    dst = city(tmp_path, card)
    p = plan(dst, pkg)
    if how == "pulled":
        pkg.unlink()
    elif how == "cut short":
        pkg.write_bytes(first[: len(first) // 2])
    else:
        pkg.write_bytes(other)
    with pytest.raises(BadFile, match="changed or could not be read again"):
        apply(dst, p.package, plan=p)
    with using(dst):
        assert Achievement.select().count() == 0 and Enterprise.select().count() == 0
        assert PackageLog.select().count() == 0
    pkg.write_bytes(first)  # the stick back in: the same plan applies
    assert apply(dst, p.package, plan=p).applied["inserted"] == N + 4 + 3


def test_a_cancel_while_writing_set_aside_rows_leaves_nothing(tmp_path, small):
    from desktop.exchange.export import Cancelled
    from desktop.store.models import Achievement, AuditEntry, Enterprise, PackageLog

    dst, pkg = _pair(tmp_path)
    with using(dst):
        audit_before = AuditEntry.select().count()
    seen: list[tuple] = []

    def cancelled() -> bool:  # in the second chunk of achievements written
        return any(s == "write" and done >= 3 + 8 for s, done, _t in seen)

    with pytest.raises(Cancelled):
        apply(dst, pkg, progress=lambda *a: seen.append(a), cancelled=cancelled)
    with using(dst):
        assert Achievement.select().count() == 0 and Enterprise.select().count() == 0
        assert PackageLog.select().count() == 0 and AuditEntry.select().count() == audit_before
    assert apply(dst, pkg).applied["inserted"] == N + 4 + 3


def test_what_was_set_aside_is_removed_once_written(tmp_path, small):
    from desktop.exchange.offices import trust
    from desktop.exchange.package import read_package

    dst, pkg = _pair(tmp_path)
    with using(dst):
        read = read_package(pkg, signer=trust)
    p = plan(dst, read)
    spools = list(p._inserts.values())
    assert spools and all(s.count for s in spools)
    apply(dst, read, plan=p)
    assert all(s.count == 0 and s._fh is None for s in spools)
    read.close()
    assert read.tables["achievements"]["spool"]._fh is None


def test_a_spool_gives_its_rows_back_in_order_at_any_batch_size():
    from desktop.exchange.package import Spool

    s = Spool()
    rows = [[i, f"名{i}", None, [i % 2 == 0], "共享"] for i in range(23)]
    for start in range(0, 23, 5):
        s.add([list(r) for r in rows[start:start + 5]])
    s.add([])
    assert s.count == 23
    for size in (1, 4, 5, 7, 23, 100):
        got = list(s.batches(size))
        assert [r for b in got for r in b] == rows
        assert all(len(b) == size for b in got[:-1]) and 0 < len(got[-1]) <= size
    first = next(iter(s))
    first[0][1] = "改"  # a batch read back is the caller's: the spool is not changed by it
    assert next(iter(s))[0][1] == "名0"
    s.close()
    assert list(s) == [] and s.count == 0


def test_the_cycle_collector_is_paused_only_while_an_import_works(tmp_path, small, monkeypatch):
    """Paused while rows are parsed, planned and written; on again afterwards, after a failure too; left
    off when the caller had turned it off."""
    import gc

    from desktop.exchange import importer
    from desktop.exchange.export import Cancelled

    dst, pkg = _pair(tmp_path)
    during: list[bool] = []
    real = importer._match

    def watched(*a, **kw):
        during.append(gc.isenabled())
        return real(*a, **kw)

    monkeypatch.setattr(importer, "_match", watched)
    assert gc.isenabled()
    with pytest.raises(Cancelled):
        apply(dst, pkg, cancelled=lambda: bool(during))
    assert gc.isenabled() and during == [False]
    plan(dst, pkg)
    assert gc.isenabled() and not any(during)
    gc.disable()
    try:
        apply(dst, pkg)
        assert not gc.isenabled()
    finally:
        gc.enable()
