"""PostgreSQL against SQLite on the same data, in the same run: ``stdaward load`` of 10⁴ and 10⁵
achievements, then ``stdaward round compute`` of the year, each the real command line in a child
process. The server is a throwaway one on a unix socket of this machine (tests/conftest_pg.py),
fsync on like SQLite's ``synchronous=FULL``. Each figure: seconds (best of ``--runs``), and the ratio
PostgreSQL / SQLite. No bar yet: these are the first figures of the shared store.

``--migrate N`` (default 200,000; 0 skips it): ``migrate-db`` of an office of N achievements, each
copy in a child process of its own that reports its seconds and its own peak memory (VmHWM): the
streaming copy (batches of ``transfer.CHUNK`` rows through a server-side cursor) against the copy
of the first slice that read whole tables into memory (kept here as the baseline), into PostgreSQL
and, as the SQLite baseline, into a new database file.

``--consolidate 100000,1000000`` (empty: skip): the city's consolidation report (``build_report``:
totals and the checks across counties) of a city of 20 counties holding that many achievements, on
PostgreSQL and on SQLite (the baseline) filled with the same rows, each report in a child process of
its own: seconds, the child's own peak memory (``VmHWM``, see ``peak_mb``), and the growth from one size to the
next. The rows are bench_growth's (every 100th standard claimed again by another county, prizes of
one title across counties), written with COPY (PostgreSQL, then ``VACUUM ANALYZE`` as autovacuum
would after such a load) and ``executemany`` (SQLite) into databases whose schema the program made.

    .venv/bin/python benchmarks/bench_pg.py [--runs N] [--sizes 10000,100000] [--migrate 200000]
                                            [--consolidate 100000,1000000]

Figures of 2026-12-03 (2 shared cores, PostgreSQL 15 with fsync on, one run each, other work running):
    consolidate   100,000: SQLite  2.89 s  49.0 MB, PostgreSQL  2.31 s  58.5 MB (1,250 findings)
    consolidate 1,000,000: SQLite 29.96 s  84.5 MB, PostgreSQL 24.19 s  97.7 MB (12,500 findings);
                           growth x10.4 / x10.5 for x10 achievements (client process only: the
                           server's own memory is not counted)
    load        100,000:   SQLite 19.79 s, PostgreSQL 24.33 s, ratio 1.23 (before COPY: 1.39)
    compute     100,000:   SQLite 14.04 s, PostgreSQL 18.25 s, ratio 1.30 (before COPY: 1.44)
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_load import write_file  # noqa: E402
from conftest_pg import _bin_dir, start_server, stop_server  # noqa: E402

POLICY = "putian-chengxiang-2021"


def _cli(tmp: Path, *argv: str) -> float:
    env = {**os.environ, "STDAWARD_DATA": str(tmp / "data"), "STDAWARD_LANG": "en", "PYTHONPATH": str(ROOT)}
    env.pop("STDAWARD_DB", None)
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "desktop", *argv], cwd=ROOT, env=env, capture_output=True, text=True)
    took = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{argv[0]} failed: {r.stderr}")
    return took


def peak_mb() -> float:
    """This process's own peak resident memory (MB). Not ``getrusage``: Linux carries ``ru_maxrss``
    across ``exec``, so a child started by a parent holding a million rows would report the
    parent's size; ``VmHWM`` belongs to the program the child runs (getrusage where there is no /proc)."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _whole_tables_copy(source: Path, target: Path) -> dict[str, int]:
    """The first slice's copy (the baseline): every table read into memory, then insert_many in
    chunks of 500 (no checks: only its memory and time are compared)."""
    from desktop.store import db
    from desktop.store.models import ALL_MODELS, database
    from desktop.store.transfer import _reset_sequences

    db.open_db(source, auto_backup=False)
    with database.atomic():
        rows = {m._meta.table_name: list(m.select().order_by(m._meta.primary_key).dicts()) for m in ALL_MODELS}
    db.close_db()
    db.open_db(target, auto_backup=False)
    try:
        with database.atomic():
            for m in ALL_MODELS:
                table = rows[m._meta.table_name]
                for start in range(0, len(table), 500):
                    m.insert_many(table[start:start + 500]).execute()
            if target.suffix != ".db":
                _reset_sequences(ALL_MODELS)
    finally:
        db.close_db()
    return {name: len(r) for name, r in rows.items()}


def child(mode: str, source: str, target: str) -> int:
    """One copy in this process; prints its seconds and peak memory as JSON."""
    sys.path.insert(0, str(ROOT))
    from desktop.store.paths import resolve_db_path

    src, dst = resolve_db_path(source), resolve_db_path(target)
    t0 = time.perf_counter()
    if mode == "whole":
        counts = _whole_tables_copy(src, dst)
    else:
        from desktop.operations.session import Session
        from desktop.operations.transfer import migrate_db

        with Session.open(src, auto_backup=False) as s:
            counts = migrate_db(s, dst)["rows"]
    took = time.perf_counter() - t0
    print(json.dumps({"seconds": took, "max_rss_mb": peak_mb(),
                      "rows": sum(counts.values())}))
    return 0


def _child(tmp: Path, mode: str, source: str, target: str) -> dict:
    env = {**os.environ, "STDAWARD_DATA": str(tmp / "data"), "STDAWARD_LANG": "en", "PYTHONPATH": str(ROOT)}
    env.pop("STDAWARD_DB", None)
    r = subprocess.run([sys.executable, __file__, "--child", mode, source, target], cwd=ROOT, env=env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{mode} copy failed: {r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def bench_migrate(server, tmp: Path, n: int) -> None:
    """migrate-db of ``n`` achievements: streaming against whole tables, into PostgreSQL and SQLite."""
    source = tmp / f"office-{n}.db"
    _cli(tmp, "office", "--db", str(source), "--name", "莆田市城厢区市场监督管理局", "--region", "350302",
         "--doc-prefix", "城市监", "--policy", POLICY)
    _cli(tmp, "load", str(write_file(tmp / f"m{n}.json", n)), "--db", str(source))
    got: dict[tuple[str, str], dict] = {}
    for mode in ("whole", "stream"):
        got[(mode, "postgresql")] = _child(tmp, mode, str(source), server.url(server.create_database(f"m{mode}")))
        got[(mode, "sqlite")] = _child(tmp, mode, str(source), str(tmp / f"copy-{mode}.db"))
    for engine in ("sqlite", "postgresql"):
        w, s = got[("whole", engine)], got[("stream", engine)]
        print(f"migrate-db {n:>7,d} achievements ({s['rows']:,d} rows) into {engine:10s}: "
              f"whole tables {w['seconds']:6.2f} s {w['max_rss_mb']:7.1f} MB max RSS; "
              f"streaming {s['seconds']:6.2f} s {s['max_rss_mb']:7.1f} MB; "
              f"memory ratio {s['max_rss_mb'] / w['max_rss_mb']:4.2f}, time ratio {s['seconds'] / w['seconds']:4.2f}")
    p, q = got[("stream", "postgresql")], got[("stream", "sqlite")]
    print(f"migrate-db streaming, PostgreSQL / SQLite: time {p['seconds'] / q['seconds']:4.2f}, "
          f"memory {p['max_rss_mb'] / q['max_rss_mb']:4.2f}")


ENT_COLS = ("uuid", "uscc", "name", "region_code", "origin", "created_at", "updated_at")
ACH_COLS = ("uuid", "source_id", "enterprise_id", "kind", "date", "ref", "title", "level", "action", "rank", "prize",
            "grade", "natural_key", "origin", "created_at", "updated_at")
CONSOLIDATE = """
import json, sys, time
from desktop.store.db import open_db
from desktop.store.paths import resolve_db_path
open_db(resolve_db_path(sys.argv[1]), auto_backup=False)
from desktop.exchange.consolidate import build_report
t0 = time.perf_counter()
report = build_report()
seconds = time.perf_counter() - t0
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "findings": len(report.findings), "self_mb": int(hwm.split()[1]) / 1024}))
"""


def _fill(server, tmp: Path, engine: str, db: str, ents: list[tuple], achs: list[tuple]) -> None:
    """The city's enterprises and achievements, written in bulk into a database the program made."""
    _cli(tmp, "office", "--db", db, "--name", "莆田市市场监督管理局", "--region", "350300", "--doc-prefix", "莆市监",
         "--policy", POLICY)
    if engine == "sqlite":
        import sqlite3

        con = sqlite3.connect(db)
        with con:
            for table, cols, rows in (("enterprise", ENT_COLS, ents), ("achievement", ACH_COLS, achs)):
                con.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        return
    import psycopg

    with psycopg.connect(host=str(server.folder), port=5432, user=server.superuser, dbname=db.split("@/")[1].split("?")[0],
                         autocommit=True) as con:
        with con.transaction(), con.cursor() as cur:
            for table, cols, rows in (("enterprise", ENT_COLS, ents), ("achievement", ACH_COLS, achs)):
                with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        con.execute("VACUUM ANALYZE")


def bench_consolidate(server, tmp: Path, sizes: list[int], runs: int) -> None:
    """The consolidation report at each size, PostgreSQL against SQLite, each run in a child process."""
    from bench_growth import _child as child_process
    from bench_growth import _standards

    prev: dict[str, tuple[int, float]] = {}
    for n in sizes:
        ents, achs = _standards(n, min(2_000, max(1, n // 5)), 2025, True)
        dbs = {"sqlite": str(tmp / f"city-{n}.db"), "postgresql": server.url(server.create_database(f"city{n}"))}
        for engine, db in dbs.items():
            _fill(server, tmp, engine, db, ents, achs)
        del ents, achs
        got: dict[str, list[tuple[float, float, dict]]] = {"sqlite": [], "postgresql": []}
        for _ in range(runs):
            for engine, db in dbs.items():
                got[engine].append(child_process([sys.executable, "-c", CONSOLIDATE, db], ROOT, tmp))
        best = {e: (min(r[2]["seconds"] for r in rs), max(r[2]["self_mb"] for r in rs), rs[-1][2]["findings"])
                for e, rs in got.items()}
        for engine in ("sqlite", "postgresql"):
            sec, mb, findings = best[engine]
            growth = ""
            if engine in prev:
                pn, ps = prev[engine]
                growth = f", growth x{sec / ps:4.1f} for x{n / pn:.0f} achievements"
            print(f"consolidate {n:>9,d} achievements on {engine:10s}: {sec:7.2f} s {mb:7.1f} MB max RSS "
                  f"({findings:,d} findings){growth}", flush=True)
            prev[engine] = (n, sec)
        s, p = best["sqlite"], best["postgresql"]
        print(f"consolidate {n:>9,d} PostgreSQL / SQLite: time {p[0] / s[0]:4.2f}, memory {p[1] / s[1]:4.2f}", flush=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        return child(*argv[1:4])
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--migrate", type=int, default=200_000, help="achievements for the migrate-db figures (0: skip)")
    ap.add_argument("--consolidate", default="100000,1000000",
                    help="achievements of the city for the consolidation figures (empty: skip)")
    args = ap.parse_args(argv)
    bin_dir = _bin_dir()
    if bin_dir is None:
        raise SystemExit("no PostgreSQL server binaries (apt-get install postgresql)")
    server = start_server(bin_dir, durable=True)
    try:
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            if args.consolidate:
                bench_consolidate(server, tmp, [int(x) for x in args.consolidate.split(",") if x], args.runs)
            if args.migrate:
                bench_migrate(server, tmp, args.migrate)
            for n in (int(x) for x in args.sizes.split(",") if x):
                data = write_file(tmp / f"a{n}.json", n)
                best: dict[tuple[str, str], float] = {}
                for run in range(args.runs):
                    for engine in ("sqlite", "postgresql"):
                        db = (str(tmp / f"{engine}-{n}-{run}.db") if engine == "sqlite"
                              else server.url(server.create_database(f"bench{n}_{run}")))
                        _cli(tmp, "office", "--db", db, "--name", "莆田市城厢区市场监督管理局", "--region", "350302",
                             "--doc-prefix", "城市监", "--policy", POLICY)
                        for step, cmd in (("load", ("load", str(data))),
                                          ("compute", ("round", "compute", "--year", "2024", "--policy", POLICY))):
                            took = _cli(tmp, *cmd, "--db", db)
                            best[(step, engine)] = min(best.get((step, engine), took), took)
                for step in ("load", "compute"):
                    s, p = best[(step, "sqlite")], best[(step, "postgresql")]
                    print(f"{step:8s} {n:>7,d} achievements: SQLite {s:6.2f} s, PostgreSQL {p:6.2f} s, "
                          f"ratio {p / s:4.2f}", flush=True)
    finally:
        stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
