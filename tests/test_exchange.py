"""USB exchange: export, verify, dry run, import with matching, conflicts, stale packages, trust.

Helpers at the top are shared by test_exchange_faults.py and test_consolidate.py.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import GOOD_USCC, run_cli, std
from stdnum.cn import uscc as uscc_mod


def make_uscc(n: int) -> str:
    body = f"91350302MA{n:07d}"[:17]
    return body + uscc_mod.calc_check_digit(body)


@contextmanager
def using(path: Path):
    from desktop.store.db import close_db, open_db

    open_db(path, auto_backup=False)
    try:
        yield path
    finally:
        close_db()


def new_office(path: Path, name: str, region: str, role: str = "county") -> dict:
    from desktop.exchange import offices
    from desktop.store import office

    with using(path):
        office.update(name=name, region_code=region, doc_prefix="城市监", role=role, user="tester")
        return offices.card()


def load(path: Path, data: dict) -> None:
    from desktop.store import records

    with using(path):
        records.load(data, user="tester")


def sample(uscc: str = GOOD_USCC, name: str = "福建某某鞋业有限公司", region: str = "350302", **kw) -> dict:
    return {"enterprises": [{"uscc": uscc, "name": name, "region": region}],
            "achievements": [std(enterprise=uscc, **kw),
                             {"id": "p1", "enterprise": uscc, "kind": "pilot", "date": "2024-06-01", "level": "national",
                              "domain": "service", "accepted": True, "units": ["甲", "乙"], "note": "验收"}]}


def export(path: Path, out: Path, **kw):
    from desktop.exchange.export import export_package

    with using(path):
        return export_package(out, user="tester", **kw)


def county(tmp_path: Path, tag: str = "a", region: str = "350302", data: dict | None = None) -> tuple[Path, dict]:
    path = tmp_path / f"county-{tag}.db"
    card = new_office(path, f"{tag}县市场监督管理局", region)
    if data is not False:
        load(path, data or sample())
    return path, card


def city(tmp_path: Path, *cards: dict) -> Path:
    from desktop.exchange import offices
    from desktop.exchange.package import fingerprint

    path = tmp_path / "city.db"
    new_office(path, "莆田市市场监督管理局", "350300", role="city")
    with using(path):
        for c in cards:
            # the officer confirms each key by the fingerprint read from that county's screen
            offices.register(c, expected_fingerprint=fingerprint(c["public_key"]), user="tester")
    return path


def plan(path: Path, pkg: Path, **kw):
    from desktop.exchange.importer import plan_import

    with using(path):
        return plan_import(pkg, **kw)


def apply(path: Path, pkg: Path, **kw):
    from desktop.exchange.importer import apply_import

    with using(path):
        return apply_import(pkg, user="tester", **kw)


def add_round(path: Path, year: int, amounts: list[tuple[str, str | None, str, str]], status: str = "approved"):
    """A round with awards (achievement source id, amount, rule, fund) straight into the tables."""
    from desktop.store.models import Achievement, Award, AwardRound

    with using(path):
        rnd = AwardRound.create(year=year, policy_id="putian-chengxiang-2021", policy_hash="h" * 64, status=status,
                                prepared_by="clerk", reviewed_by="boss")
        for sid, amount, rule, fund in amounts:
            ach = Achievement.get(Achievement.source_id == sid)
            Award.create(round=rnd, achievement=ach, status="awarded" if amount else "not_eligible",
                         amount=Decimal(amount) if amount else None, rule=rule, clause="五(二)2", fund=fund,
                         explanation="国家标准制定 第1位", flags=["note"])
        return rnd.uuid


def table_dump(path: Path) -> dict[str, list[tuple]]:
    """Every exchanged record by global id, without local row ids and origins."""
    from desktop.exchange.tables import TABLES
    from desktop.store.models import database

    with using(path):
        out = {}
        for t in TABLES:
            keep = [i for i, c in enumerate(t.columns) if c != "origin"]
            out[t.name] = sorted(tuple(r[i] for i in keep) for r in database.execute_sql(t.select()).fetchall())
        return out


# ------------------------------------------------------------------------------------- tests

def test_export_then_import_at_the_city_keeps_origin_and_logs(tmp_path):
    from desktop.store.models import Achievement, AuditEntry, Enterprise, KnownOffice, PackageLog

    src, card = county(tmp_path)
    add_round(src, 2024, [("s1", "100000.00", "formulate-national", "standardization")])
    r = export(src, tmp_path / "a.stdpkg")
    assert r.sequence == 1 and r.counts == {"enterprises": 1, "achievements": 2, "rounds": 1, "awards": 1, "summaries": 1}
    dst = city(tmp_path, card)
    p = plan(dst, r.path)
    assert p.counts() == {"new": 5, "updated": 0, "deleted": 0, "unchanged": 0, "conflicts": 0, "rejected": 0}
    with using(dst):
        assert Achievement.select().count() == 0  # the dry run wrote nothing
    res = apply(dst, r.path)
    assert res.applied["inserted"] == 5
    with using(dst):
        assert {a.origin for a in Achievement.select()} == {card["uuid"]}
        assert Enterprise.get().origin == card["uuid"]
        assert KnownOffice.get().last_sequence == 1
        log = PackageLog.get(PackageLog.direction == "import")
        assert log.sha256 == r.sha256 and log.sequence == 1
        assert AuditEntry.select().where(AuditEntry.action == "import").count() == 1
    assert table_dump(src) == table_dump(dst)


def test_reimporting_the_same_package_changes_nothing(tmp_path):
    src, card = county(tmp_path)
    r = export(src, tmp_path / "a.stdpkg")
    dst = city(tmp_path, card)
    apply(dst, r.path)
    before = table_dump(dst)
    again = apply(dst, r.path)
    assert again.plan.already_imported
    assert again.plan.counts() == {"new": 0, "updated": 0, "deleted": 0, "unchanged": 3, "conflicts": 0, "rejected": 0}
    assert again.applied == {"inserted": 0, "updated": 0, "taken_theirs": 0, "kept_mine": 0, "deleted": 0}
    assert table_dump(dst) == before


def test_older_package_after_newer_is_refused_as_stale(tmp_path):
    from desktop.exchange.package import PackageError

    src, card = county(tmp_path)
    old = export(src, tmp_path / "1.stdpkg")
    new = export(src, tmp_path / "2.stdpkg")
    assert (old.sequence, new.sequence) == (1, 2)
    dst = city(tmp_path, card)
    apply(dst, new.path)
    with pytest.raises(PackageError, match="stale"):
        plan(dst, old.path)


def test_a_different_package_with_a_used_sequence_is_refused(tmp_path):
    from desktop.exchange.package import PackageError
    from desktop.store.models import PackageLog

    src, card = county(tmp_path)
    first = export(src, tmp_path / "1.stdpkg")
    with using(src):  # as if the county restored an old backup and numbered again
        PackageLog.delete().execute()
    second = export(src, tmp_path / "1b.stdpkg", year=2024)
    assert second.sequence == 1 and second.sha256 != first.sha256
    dst = city(tmp_path, card)
    apply(dst, first.path)
    with pytest.raises(PackageError, match="same number"):
        plan(dst, second.path)


def test_change_at_the_county_updates_the_city(tmp_path):
    from desktop.store.models import Achievement, AuditEntry

    src, card = county(tmp_path)
    with using(src):  # entered well before the first export (times have one-second resolution)
        Achievement.update(updated_at="2020-01-01 00:00:00").execute()
    dst = city(tmp_path, card)
    apply(dst, export(src, tmp_path / "1.stdpkg").path)
    with using(src):
        Achievement.update(title="新标题", rank=2, updated_at="2030-01-01 00:00:00").where(Achievement.source_id == "s1").execute()
    p2 = export(src, tmp_path / "2.stdpkg", since_last=True)
    assert p2.counts["achievements"] == 1  # only what changed since the last export
    res = apply(dst, p2.path)
    assert [i.label for i in res.plan.updated] == ["s1 标准制修订 GB/T 12345-2024"]
    assert "rank" in res.plan.updated[0].reason and "title" in res.plan.updated[0].reason
    with using(dst):
        a = Achievement.get(Achievement.source_id == "s1")
        assert (a.title, a.rank) == ("新标题", 2)
        e = AuditEntry.get(AuditEntry.action == "import-update")
        assert e.entity_uuid == a.uuid and e.before["rank"] == 1 and e.after["rank"] == 2


def test_local_edit_is_kept_when_the_county_did_not_change_the_record(tmp_path):
    from desktop.store.models import Achievement

    src, card = county(tmp_path)
    dst = city(tmp_path, card)
    apply(dst, export(src, tmp_path / "1.stdpkg").path)
    with using(dst):
        Achievement.update(note="市局核实").where(Achievement.source_id == "p1").execute()
    res = apply(dst, export(src, tmp_path / "2.stdpkg").path)
    assert res.plan.conflicts == [] and res.plan.updated == []
    assert any("yours is kept" in i.reason for i in res.plan.unchanged)
    with using(dst):
        assert Achievement.get(Achievement.source_id == "p1").note == "市局核实"


def _both_sides_changed(tmp_path):
    from desktop.store.models import Achievement

    src, card = county(tmp_path)
    dst = city(tmp_path, card)
    apply(dst, export(src, tmp_path / "1.stdpkg").path)
    with using(dst):
        Achievement.update(rank=3).where(Achievement.source_id == "s1").execute()
    with using(src):
        Achievement.update(rank=2).where(Achievement.source_id == "s1").execute()
    return dst, export(src, tmp_path / "2.stdpkg").path


def test_record_changed_on_both_sides_is_a_conflict_never_overwritten(tmp_path):
    from desktop.store.models import Achievement

    dst, pkg = _both_sides_changed(tmp_path)
    p = plan(dst, pkg)
    assert len(p.conflicts) == 1
    c = p.conflicts[0]
    assert c.fields == ["rank"] and c.mine == {"rank": 3} and c.theirs == {"rank": 2}
    assert "changed here and at the office" in c.reason
    assert c.as_dict()["key"] == c.key == f"achievements:{c.uuid}"
    res = apply(dst, pkg)  # unresolved: kept as here, and still a conflict next time
    with using(dst):
        assert Achievement.get(Achievement.source_id == "s1").rank == 3
    assert len(plan(dst, pkg).conflicts) == 1
    assert res.applied["kept_mine"] == 0


def test_conflict_resolved_by_taking_theirs(tmp_path):
    from desktop.exchange.importer import TAKE_THEIRS
    from desktop.store.models import Achievement

    dst, pkg = _both_sides_changed(tmp_path)
    key = plan(dst, pkg).conflicts[0].key
    res = apply(dst, pkg, resolutions={key: TAKE_THEIRS})
    assert res.applied["taken_theirs"] == 1
    with using(dst):
        assert Achievement.get(Achievement.source_id == "s1").rank == 2
    assert plan(dst, pkg).conflicts == []


def test_conflict_resolved_by_keeping_mine_is_remembered(tmp_path):
    from desktop.exchange.importer import KEEP_MINE
    from desktop.store.models import Achievement

    dst, pkg = _both_sides_changed(tmp_path)
    key = plan(dst, pkg).conflicts[0].key
    res = apply(dst, pkg, resolutions={key: KEEP_MINE})
    assert res.applied["kept_mine"] == 1
    with using(dst):
        assert Achievement.get(Achievement.source_id == "s1").rank == 3
    assert plan(dst, pkg).conflicts == []  # the officer's choice stands until the county changes it again


def test_records_entered_at_the_city_match_by_natural_key(tmp_path):
    from desktop.store.models import Achievement, Enterprise

    src, card = county(tmp_path)
    dst = city(tmp_path, card)
    # the city typed in the same enterprise and standard from paper, under other ids
    load(dst, {"enterprises": [{"uscc": GOOD_USCC, "name": "福建某某鞋业有限公司", "region": "350302"}],
               "achievements": [std(id="paper-1", ref="GB/T  12345-2024")]})
    p = plan(dst, export(src, tmp_path / "1.stdpkg").path)
    by_table = {(i.table, i.label.split()[0]) for i in p.unchanged}
    assert ("enterprises", GOOD_USCC) in by_table
    conflict = p.conflicts[0]  # the same standard, but the source ids differ
    assert conflict.table == "achievements" and conflict.fields == ["source_id"]
    assert "recorded here separately" in conflict.reason and conflict.local_uuid != conflict.uuid
    apply(dst, p.package)
    with using(dst):
        assert Enterprise.select().count() == 1
        assert Achievement.select().count() == 2  # the pilot is new; the standard was not entered twice


def test_package_from_an_unregistered_office_is_refused(tmp_path):
    from desktop.exchange.offices import UntrustedPackage

    src, _card = county(tmp_path)
    dst = city(tmp_path)
    with pytest.raises(UntrustedPackage, match="not registered"):
        plan(dst, export(src, tmp_path / "1.stdpkg").path)
    from desktop.core import i18n

    i18n.set_locale("zh_CN")
    try:  # the officer is told where to register it, in the window as on the command line
        with pytest.raises(UntrustedPackage) as refused:
            plan(dst, export(src, tmp_path / "2.stdpkg").path)
    finally:
        i18n.set_locale("en")
    assert "尚未在本数据库登记" in str(refused.value) and "数据交换 → 登记县（区）公钥" in str(refused.value)
    assert "stdaward register-office" in str(refused.value) and "公钥...；" not in str(refused.value)
    other, _card = county(tmp_path, tag="b", region="350303")  # at a county the view's button is the city's
    i18n.set_locale("zh_CN")
    try:
        with pytest.raises(UntrustedPackage) as refused:
            plan(other, export(src, tmp_path / "3.stdpkg").path)
    finally:
        i18n.set_locale("en")
    assert "数据交换 → 登记市局公钥" in str(refused.value), str(refused.value)


def test_package_signed_with_another_key_than_registered_is_refused(tmp_path):
    from desktop.exchange import offices
    from desktop.exchange.offices import UntrustedPackage

    src, card = county(tmp_path)
    impostor = tmp_path / "impostor.db"
    other = new_office(impostor, "冒名", "350302")
    dst = city(tmp_path, dict(card, public_key=other["public_key"]))
    with pytest.raises(UntrustedPackage, match="another key"):
        plan(dst, export(src, tmp_path / "1.stdpkg").path)
    with using(dst), pytest.raises(Exception, match="already registered with another key"):
        offices.register(card, user="tester")


def test_a_package_from_this_office_itself_is_refused(tmp_path):
    from desktop.exchange.offices import UntrustedPackage

    src, _card = county(tmp_path)
    with pytest.raises(UntrustedPackage, match="this office itself"):
        plan(src, export(src, tmp_path / "1.stdpkg").path)


def test_year_selection_carries_that_year_only(tmp_path):
    data = sample()
    data["achievements"].append(std(id="s2", date="2023-03-01", ref="GB/T 999-2023"))
    src, _card = county(tmp_path, data=data)
    r = export(src, tmp_path / "y.stdpkg", year=2023)
    from desktop.exchange.package import read_package

    pkg = read_package(r.path)
    assert [row[2] for row in pkg.rows("achievements")] == ["s2"]
    assert r.period == {"kind": "year", "year": 2023} and pkg.manifest["period"] == r.period


def test_bad_records_are_rejected_with_reasons_and_the_rest_imported(tmp_path):
    from desktop.exchange import package
    from desktop.exchange.package import read_package
    from desktop.store.models import Achievement

    src, card = county(tmp_path)
    r = export(src, tmp_path / "1.stdpkg")
    good = read_package(r.path)
    tables = {t: (good.columns(t), [list(x) for x in good.rows(t)]) for t in good.tables}
    cols = tables["achievements"][0]
    bad = tables["achievements"][1][0]
    bad[cols.index("level")] = "galactic"
    with using(src):
        from desktop.exchange.offices import signing_office

        key = signing_office().signing_key
    forged = tmp_path / "2.stdpkg"
    forged.write_bytes(package.build(dict(good.manifest, sequence=2), tables, key))
    dst = city(tmp_path, card)
    p = plan(dst, forged)
    assert [(i.table, i.label) for i in p.rejected] == [("achievements", "s1 标准制修订 GB/T 12345-2024")]
    assert "level" in p.rejected[0].reason and "galactic" in p.rejected[0].reason
    apply(dst, forged)
    with using(dst):
        assert [a.source_id for a in Achievement.select()] == ["p1"]


def test_cancel_rolls_the_import_back(tmp_path):
    from desktop.exchange.export import Cancelled
    from desktop.store.models import Achievement, PackageLog

    src, card = county(tmp_path)
    pkg = export(src, tmp_path / "1.stdpkg").path
    dst = city(tmp_path, card)
    stages = []

    def progress(stage, done, total):
        stages.append(stage)

    with pytest.raises(Cancelled):
        apply(dst, pkg, progress=progress, cancelled=lambda: "write" in stages)
    with using(dst):
        assert Achievement.select().count() == 0 and PackageLog.select().count() == 0
    assert {"verify", "plan", "write"} <= set(stages)


def test_export_refuses_a_missing_folder_and_leaves_nothing(tmp_path):
    from desktop.core.errors import StdAwardError

    src, _card = county(tmp_path)
    with pytest.raises(StdAwardError, match="does not exist"):
        export(src, tmp_path / "no-stick" / "a.stdpkg")


def test_export_that_fails_its_read_back_leaves_no_file(tmp_path, monkeypatch):
    from desktop.exchange import package
    from desktop.store.models import PackageLog

    src, _card = county(tmp_path)

    def broken_read(path, passphrase=None, progress=None, manifest_only=False):
        raise package.PackageError("read back failed")

    monkeypatch.setattr(package, "read_package", broken_read)
    with pytest.raises(package.PackageError):
        export(src, tmp_path / "a.stdpkg")
    assert list(tmp_path.glob("*a.stdpkg*")) == []
    with using(src):
        assert PackageLog.select().count() == 0


# ------------------------------------------------------------------------------------- CLI

def test_cli_export_verify_register_import_json(tmp_path):
    src, _card = county(tmp_path)
    pkg, cardfile = tmp_path / "a.stdpkg", tmp_path / "card.json"
    dst = tmp_path / "cli-city.db"
    r = run_cli("export", "--db", str(src), "--out", str(pkg), "--year", "2024", "--json", env={"STDAWARD_LANG": "en"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["sequence"] == 1
    assert run_cli("offices", "--db", str(src), "--card", str(cardfile)).returncode == 0
    r = run_cli("verify-package", str(pkg), "--db", str(src), env={"STDAWARD_LANG": "en"})
    assert r.returncode == 0 and "signed by this office" in r.stdout
    run_cli("office", "--db", str(dst), "--name", "莆田市市场监督管理局", "--region", "350300", "--role", "city")
    r = run_cli("import", str(pkg), "--db", str(dst), "--json", env={"STDAWARD_LANG": "en"})
    assert r.returncode == 2 and "not registered" in r.stderr
    r = run_cli("register-office", str(cardfile), "--db", str(dst), env={"STDAWARD_LANG": "en"})
    assert r.returncode == 1 and "--fingerprint" in r.stderr  # a card alone is not proof of the key
    card = json.loads(cardfile.read_text("utf-8"))
    assert run_cli("register-office", str(cardfile), "--db", str(dst), "--fingerprint", card["fingerprint"]).returncode == 0
    r = run_cli("import", str(pkg), "--db", str(dst), "--dry-run", "--json")
    out = json.loads(r.stdout)
    assert {k: out[k] for k in ("new", "updated", "unchanged", "conflicts", "rejected")} == \
        {"new": 3, "updated": 0, "unchanged": 0, "conflicts": 0, "rejected": 0}
    assert [d["reason"] for d in out["details"]["new"]]
    r = run_cli("import", str(pkg), "--db", str(dst), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["applied"]["inserted"] == 3
    r = run_cli("import", str(pkg), "--db", str(dst), "--json")
    assert json.loads(r.stdout)["unchanged"] == 3
    r = run_cli("list", "achievements", "--db", str(dst), "--json")
    assert sorted(a["id"] for a in json.loads(r.stdout)) == ["p1", "s1"]


def test_cli_register_office_from_a_package_needs_the_fingerprint(tmp_path):
    src, card = county(tmp_path)
    pkg = export(src, tmp_path / "a.stdpkg").path
    dst = city(tmp_path)
    r = run_cli("register-office", str(pkg), "--db", str(dst), env={"STDAWARD_LANG": "en"})
    assert r.returncode == 1 and "--fingerprint" in r.stderr
    r = run_cli("register-office", str(pkg), "--db", str(dst), "--fingerprint", "0000 0000", env={"STDAWARD_LANG": "en"})
    assert r.returncode == 1 and "do not register" in r.stderr
    r = run_cli("register-office", str(pkg), "--db", str(dst), "--fingerprint", card["fingerprint"])
    assert r.returncode == 0
    r = run_cli("offices", "--db", str(dst), "--json")
    assert [o["uuid"] for o in json.loads(r.stdout)["registered"]] == [card["uuid"]]


def test_an_enterprise_listed_twice_in_a_package_is_rejected_not_a_crash(tmp_path):
    import uuid

    from desktop.exchange import package
    from desktop.exchange.offices import signing_office
    from desktop.exchange.package import read_package
    from desktop.store.models import Enterprise

    src, card = county(tmp_path)
    good = read_package(export(src, tmp_path / "1.stdpkg").path)
    tables = {t: (good.columns(t), [list(x) for x in good.rows(t)]) for t in good.tables}
    twin = list(tables["enterprises"][1][0])
    twin[0] = str(uuid.uuid4())
    tables["enterprises"][1].append(twin)
    with using(src):
        key = signing_office().signing_key
    pkg = tmp_path / "2.stdpkg"
    pkg.write_bytes(package.build(dict(good.manifest, sequence=2), tables, key))
    dst = city(tmp_path, card)
    res = apply(dst, pkg)
    assert [(i.uuid, i.reason) for i in res.plan.rejected] == [(twin[0], "another enterprise here already has this code")]
    with using(dst):
        assert Enterprise.select().count() == 1


def test_bulk_import_rebuilds_the_same_indexes(tmp_path, monkeypatch):
    import sqlite3

    from desktop.exchange import importer

    src, card = county(tmp_path)
    pkg = export(src, tmp_path / "1.stdpkg").path
    dst = city(tmp_path, card)

    def indexes():
        con = sqlite3.connect(dst)
        try:
            return (sorted(con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall(), key=str),
                    con.execute("PRAGMA integrity_check").fetchone()[0])
        finally:
            con.close()

    before = indexes()
    monkeypatch.setattr(importer, "REBUILD_INDEXES_AT", 1)  # take the bulk path with a small package
    assert apply(dst, pkg).applied["inserted"] == 3
    assert indexes() == before and before[1] == "ok"
    assert table_dump(dst) == table_dump(src)


def test_import_recomputes_the_natural_key_rather_than_trusting_the_package(tmp_path):
    from desktop.exchange import package
    from desktop.exchange.package import read_package
    from desktop.store.models import Achievement
    from desktop.store.records import natural_key, to_vocabulary

    src, card = county(tmp_path)
    good = read_package(export(src, tmp_path / "1.stdpkg").path)
    tables = {t: (good.columns(t), [list(x) for x in good.rows(t)]) for t in good.tables}
    cols, rows = tables["achievements"]
    for row in rows:  # a package claiming every record is the same achievement
        row[cols.index("natural_key")] = "[\"forged\"]"
    with using(src):
        from desktop.exchange.offices import signing_office

        key = signing_office().signing_key
    forged = tmp_path / "2.stdpkg"
    forged.write_bytes(package.build(dict(good.manifest, sequence=2), tables, key))
    dst = city(tmp_path, card)
    apply(dst, forged)
    with using(dst):
        got = {a.source_id: a.natural_key for a in Achievement.select()}
        assert sorted(got) == ["p1", "s1"] and "forged" not in "".join(got.values())
        for a in Achievement.select():
            assert a.natural_key == natural_key(to_vocabulary(a))
