"""The standards targets' first count on a server, in the one ``COUNT(DISTINCT ...)`` and in the
per-number form (``desktop.store.target_counts.target_sql``), without and with schema 7's index on the
standards' numbers (built here by hand as schema 7 defines it), with the planner's choice.

    .venv/bin/python benchmarks/bench_number_index.py FILLED.db   (a database bench_overview --keep filled)

Figures of 2026-12-03 at 10⁶ (one run, the machine loaded): see ``bench_overview``'s notes.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

INDEX = ("CREATE INDEX achievement_standard_claim_v1 ON achievement (((CAST(natural_key AS jsonb) ->> 2)), "
         "(COALESCE(origin, '')), date) INCLUDE (natural_key, origin) WHERE kind = 'standard' AND ref IS NOT NULL "
         "AND ref != '' AND (left(natural_key, 1) = '[' AND right(natural_key, 1) = ']')")


def main() -> int:
    if {"-h", "--help"} & set(sys.argv[1:]):  # wherever it stands: the use, nothing started
        print(__doc__)
        return 0
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    import conftest_pg

    src = Path(sys.argv[1]).resolve()
    data = Path(tempfile.mkdtemp(prefix="bench-number-"))
    with conftest_pg.benchmark_server() as server:
        url = server.url(server.create_database("number"))
        env = {**os.environ, "PYTHONPATH": str(ROOT), "STDAWARD_DATA": str(data)}
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "desktop.cli", "migrate-db", "--to", url, "--db", str(src)], env=env,
                       check=True, capture_output=True)
        print(f"copied to the server in {time.perf_counter() - t0:.0f} s", flush=True)
        os.environ["STDAWARD_DATA"] = str(data)
        from desktop.core.policies import load_policy
        from desktop.store import target_counts as tc
        from desktop.store.db import close_db, open_db
        from desktop.store.models import database
        from desktop.store.paths import resolve_db_path

        open_db(resolve_db_path(url), auto_backup=False)
        day = dt.date(2025, 12, 31)
        targets = [t for t in load_policy("putian-chengxiang-2021").targets if t.count == "standards"]

        def run(label: str) -> None:
            for t in targets:
                where, params, key = tc.target_where(t, day)
                single = (f"SELECT COUNT(DISTINCT {key}) FROM achievement a WHERE {where}", params)
                tc._number_indexed = lambda: True  # type: ignore[assignment]  # the per-number form, asked for
                split = tc.target_sql(t, day)
                for form, (sql, p) in (("single", single), ("per number", split)) * 2:
                    t0 = time.perf_counter()
                    v = database.execute_sql(sql, p).fetchone()[0]
                    print(f"{label}: {t.id} {form}: {v} in {time.perf_counter() - t0:.3f} s", flush=True)
                plan = database.execute_sql("EXPLAIN " + split[0], split[1]).fetchall()
                print("   plan:", " | ".join(r[0].strip() for r in plan if "Scan" in r[0]), flush=True)

        run("without the index")
        t0 = time.perf_counter()
        database.execute_sql(INDEX)
        database.execute_sql("ANALYZE achievement")
        print(f"schema 7's index built in {time.perf_counter() - t0:.1f} s", flush=True)
        run("with the index")
        close_db()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
