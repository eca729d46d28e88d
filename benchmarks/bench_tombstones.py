"""Deletions carried to the city: the county deletes half of 10,000 achievements, exports, and the
city imports the package (5,000 tombstones applied in the import's transaction). The baseline is the
next import of an equally large package in which nothing changed (verify + plan of every record), so
the ratio is what applying the deletions adds.

    .venv/bin/python benchmarks/bench_tombstones.py [N]
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path


def _open(path: Path) -> None:
    from desktop.store.db import open_db

    open_db(path, auto_backup=False)


def _close() -> None:
    from desktop.store.db import close_db

    close_db()


def main(n: int = 10000) -> None:
    from stdnum.cn import uscc as uscc_mod

    from desktop.exchange import offices
    from desktop.exchange.export import export_package
    from desktop.exchange.importer import apply_import
    from desktop.exchange.package import fingerprint
    from desktop.store import edits, office, records
    from desktop.store.models import Achievement

    tmp = Path(tempfile.mkdtemp())
    county, city = tmp / "county.db", tmp / "city.db"

    def code(i: int) -> str:
        body = f"91350302MA{i:07d}"[:17]
        return body + uscc_mod.calc_check_digit(body)

    ents = [{"uscc": code(i), "name": f"企业{i}"} for i in range(200)]
    achs = [{"id": f"r{i}", "enterprise": ents[i % 200]["uscc"], "kind": "standard", "date": "2024-05-01",
             "level": "national", "action": "formulate", "rank": 1, "ref": f"GB/T {10000 + i}-2024"} for i in range(n)]
    _open(county)
    office.update(name="城厢区市场监督管理局", region_code="350302", doc_prefix="城市监", role="county", user="bench")
    records.load({"enterprises": ents, "achievements": achs}, user="bench")
    card = offices.card()
    first = export_package(tmp / "p1.stdpkg", user="bench")
    _close()
    _open(city)
    office.update(name="莆田市市场监督管理局", region_code="350300", doc_prefix="莆市监", role="city", user="bench")
    offices.register(card, expected_fingerprint=fingerprint(card["public_key"]), user="bench")
    apply_import(first.path, user="bench")
    _close()
    _open(county)
    edits.delete_achievements([a.get_id() for a in Achievement.select().limit(n // 2)], "bench")
    second = export_package(tmp / "p2.stdpkg", user="bench")
    third = export_package(tmp / "p3.stdpkg", user="bench")
    _close()
    _open(city)
    t = time.perf_counter()
    got = apply_import(second.path, user="bench")
    with_deletions = time.perf_counter() - t
    t = time.perf_counter()
    apply_import(third.path, user="bench")
    baseline = time.perf_counter() - t
    left = Achievement.select().count()
    _close()
    print(f"import applying {got.applied['deleted']:,} deletions ({left:,} achievements left at the city): "
          f"{with_deletions:.2f} s; the same import with nothing to change: {baseline:.2f} s; "
          f"ratio {with_deletions / baseline:.2f}")


if __name__ == "__main__":
    if {"-h", "--help"} & set(sys.argv[1:]):  # wherever it stands: the use, nothing started
        print(__doc__)
        sys.exit(0)
    if sys.argv[2:] or (sys.argv[1:] and not sys.argv[1].isdigit()):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)
