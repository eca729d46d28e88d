"""Streamed export, streamed package reading and the streamed ``compute --json``: what they write
and read is exactly what the in-memory versions made of the same data, and a damaged or cut-short
package is still refused cleanly."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from conftest import std
from test_exchange import county, export, make_uscc, using


def seeded(tmp_path: Path, n: int = 23) -> Path:
    """A county with several enterprises, ``n`` achievements of different kinds (lists, booleans,
    Chinese text) and a computed round with its awards."""
    ents = [{"uscc": make_uscc(i), "name": f"莆田市第{i}号鞋业有限公司", "region": "350302"} for i in range(4)]
    achs = [std(id=f"s{i}", enterprise=ents[i % 4]["uscc"], ref=f"GB/T {30000 + i}-2024", rank=1 + i % 3,
                title=f"鞋类产品标准第{i}号", action=("formulate", "revise")[i % 2]) for i in range(n)]
    achs.append({"id": "p1", "enterprise": ents[0]["uscc"], "kind": "pilot", "date": "2024-06-01",
                 "level": "national", "domain": "service", "accepted": True, "units": ["甲", "乙"], "note": "验收\n合格"})
    path, _card = county(tmp_path, data={"enterprises": ents, "achievements": achs})
    from desktop.operations import round_work

    with using(path):
        round_work.create_round(2024, "putian-chengxiang-2021", "tester")
    return path


def in_memory(path: Path, passphrase: str | None = None) -> tuple[dict, bytes]:
    """What the in-memory build (the previous export) makes of the same database: its tables and
    the package bytes."""
    from desktop.exchange import export as exp
    from desktop.exchange import package as pkgmod
    from desktop.exchange.offices import signing_office

    with using(path):
        tables = exp.select()
        office = signing_office()
        manifest = {"office": {"uuid": office.uuid, "name": office.name, "region": office.region_code,
                               "role": office.role}, "public_key": office.public_key, "sequence": 1,
                    "schema_version": 1}
        return tables, pkgmod.build(manifest, tables, office.signing_key, passphrase)


@pytest.mark.parametrize("passphrase", [None, "stick secret"])
def test_streamed_export_writes_the_tables_the_in_memory_build_wrote(tmp_path, monkeypatch, passphrase):
    from desktop.exchange import export as exp
    from desktop.exchange.package import read_package

    path = seeded(tmp_path)
    monkeypatch.setattr(exp, "BATCH", 4)  # many batches: the joins between them are where bytes could differ
    tables, old_bytes = in_memory(path, passphrase)
    assert len(tables["achievements"][1]) == 24 and len(tables["awards"][1]) == 24
    got = export(path, tmp_path / "out.stdpkg", passphrase=passphrase)
    new = read_package(got.path, passphrase=passphrase)
    old = read_package(old_bytes, passphrase=passphrase)
    assert new.tables == old.tables
    assert new.manifest["counts"] == old.manifest["counts"] == {t: len(rows) for t, (_c, rows) in tables.items()}
    # the table members are byte for byte the previous ones: the same SHA-256 in the signed manifest
    members = "inner_members" if passphrase else "members"
    assert {k: v for k, v in new.manifest[members].items() if k.startswith("data/")} == \
        {k: v for k, v in old.manifest[members].items() if k.startswith("data/")}
    assert got.size == got.path.stat().st_size and got.sha256 == hashlib.sha256(got.path.read_bytes()).hexdigest()


def test_a_streamed_package_imports_as_the_in_memory_one_did(tmp_path):
    from test_exchange import city

    from desktop.exchange import offices
    from desktop.exchange.importer import apply_import

    path = seeded(tmp_path, n=9)
    with using(path):
        card = offices.card()
    dst = city(tmp_path, card)
    got = export(path, tmp_path / "streamed.stdpkg")
    with using(dst):
        result = apply_import(got.path, user="tester")
        assert result.applied["inserted"] > 0
        from desktop.store.models import Achievement, Award

        assert Achievement.select().count() == 10 and Award.select().count() == 10
        again = apply_import(got.path, user="tester")  # the same package again changes nothing
        assert not again.applied.get("inserted") and Achievement.select().count() == 10


def _resealed(members: dict[str, bytes], manifest: dict, key_pem: str) -> bytes:
    """A package of exactly these members (as an older version laid them out: manifest first),
    properly signed and sealed."""
    import base64

    from cryptography.hazmat.primitives import serialization

    from desktop.exchange import package as pkgmod

    manifest = dict(manifest, members={n: {"sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
                                       for n, b in members.items()})
    mbytes = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode()
    key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.comment = b"0" * pkgmod._SEAL_LEN
        zf.writestr(pkgmod.MANIFEST, mbytes)
        zf.writestr(pkgmod.SIGNATURE, base64.b64encode(key.sign(mbytes)))
        for n, b in members.items():
            zf.writestr(n, b)
    raw = buf.getvalue()[:-pkgmod._SEAL_LEN]
    return raw + pkgmod._seal(raw)


def _parts(path: Path) -> tuple[dict[str, bytes], dict, str]:
    from desktop.exchange.offices import signing_office
    from desktop.exchange.package import MANIFEST, SIGNATURE

    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if n not in (MANIFEST, SIGNATURE)}
        manifest = json.loads(zf.read(MANIFEST))
    with using(path.parent / "county-a.db"):
        key = signing_office().signing_key
    return members, manifest, key


def test_a_table_laid_out_otherwise_is_still_read_and_a_bad_row_refused(tmp_path):
    from desktop.exchange.package import PackageError, read_package

    path = seeded(tmp_path, n=5)
    got = export(path, tmp_path / "a.stdpkg")
    members, manifest, key = _parts(got.path)
    good = read_package(got.path)
    spaced = dict(members)  # valid JSON with spaces and line breaks: what the program never writes, still JSON
    table = json.loads(members["data/achievements.json"])
    spaced["data/achievements.json"] = json.dumps(table, ensure_ascii=False, indent=2).encode()
    assert read_package(_resealed(spaced, manifest, key)).tables == good.tables
    short = dict(members)  # a row one column short, in the program's own layout, signed: refused by name
    table["rows"][2] = table["rows"][2][:-1]
    short["data/achievements.json"] = json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode()
    with pytest.raises(PackageError, match="achievements is malformed"):
        read_package(_resealed(short, manifest, key))
    cut = dict(members)  # the table's text ends in the middle of a row
    cut["data/achievements.json"] = members["data/achievements.json"][:-40]
    with pytest.raises(PackageError, match="achievements is malformed"):
        read_package(_resealed(cut, manifest, key))
    extra = dict(members)  # more rows than the manifest counts
    table = json.loads(members["data/enterprises.json"])
    table["rows"].append(table["rows"][0])
    extra["data/enterprises.json"] = json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode()
    with pytest.raises(PackageError, match="number of records"):
        read_package(_resealed(extra, manifest, key))


@pytest.mark.parametrize("passphrase", [None, "stick secret"])
def test_a_pulled_stick_or_a_flipped_byte_is_refused(tmp_path, passphrase):
    from desktop.exchange.package import PackageError, read_package

    path = seeded(tmp_path, n=40)
    got = export(path, tmp_path / "a.stdpkg", passphrase=passphrase)
    raw = got.path.read_bytes()
    for keep in (0, 10, len(raw) // 3, len(raw) // 2, len(raw) - 100, len(raw) - 1):
        (tmp_path / "cut.stdpkg").write_bytes(raw[:keep])
        with pytest.raises(PackageError, match="not a complete StdAward package|damaged"):
            read_package(tmp_path / "cut.stdpkg", passphrase=passphrase)
    for at in (len(raw) // 4, len(raw) // 2, len(raw) - 200):
        flipped = bytearray(raw)
        flipped[at] ^= 0x01
        with pytest.raises(PackageError):
            read_package(bytes(flipped), passphrase=passphrase)
    if passphrase:
        with pytest.raises(PackageError, match="wrong passphrase"):
            read_package(got.path, passphrase="not it")
    assert read_package(got.path, passphrase=passphrase).manifest["counts"]["achievements"] == 41


def test_the_read_back_keeps_no_rows_but_checks_them(tmp_path):
    from desktop.exchange import package as pkgmod

    path = seeded(tmp_path, n=5)
    got = export(path, tmp_path / "a.stdpkg")
    with pkgmod.check_only():
        checked = pkgmod.read_package(got.path)
    assert checked.rows("achievements") == [] and checked.manifest["counts"]["achievements"] == 6
    assert len(pkgmod.read_package(got.path).rows("achievements")) == 6  # outside the block: kept again
    members, manifest, key = _parts(got.path)
    table = json.loads(members["data/awards.json"])
    table["rows"][0].append("one too many")
    members["data/awards.json"] = json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode()
    with pkgmod.check_only(), pytest.raises(pkgmod.PackageError, match="awards is malformed"):
        pkgmod.read_package(_resealed(members, manifest, key))


class _Result:
    def __init__(self, i: int) -> None:
        from decimal import Decimal

        self.id, self.status, self.rule, self.clause = f"S-{i}", ("awarded", "not_eligible")[i % 2], "r1", "五(二)1"
        self.amount = Decimal("35000.00") if i % 2 == 0 else None
        self.explanation, self.flags = f"国家标准制定 第{i % 3 + 1}位", ("注意",) if i % 5 == 0 else ()

    def to_json(self) -> dict:
        return {"id": self.id, "status": self.status, "amount": None if self.amount is None else f"{self.amount:.2f}",
                "rule": self.rule, "clause": self.clause, "explanation": self.explanation, "flags": list(self.flags)}


@pytest.mark.parametrize("n", [0, 1, 7, 10])
def test_compute_json_written_as_it_goes_is_the_array_written_at_once(capsys, n):
    from desktop.commands.engine import write_awards_json

    results = [_Result(i) for i in range(n)]
    write_awards_json(iter(results), chunk=3)  # chunk boundaries inside, at and past the end
    text = capsys.readouterr().out
    enc = json.JSONEncoder(ensure_ascii=False).encode
    assert text == "[\n" + ",\n".join(enc(r.to_json()) for r in results) + ("\n]\n" if results else "]\n")
    assert json.loads(text) == [r.to_json() for r in results]
