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

``--consolidate 100000,1000000,10000000`` (empty: skip): the city's consolidation report
(``build_report``: totals by county, year, rule and fund, and the checks across counties) of a city
of ``--counties`` (100) counties holding that many achievements, on PostgreSQL and, up to
``--sqlite-upto`` (1,000,000), on SQLite filled with the same rows (the baseline), each report in a
child process of its own: seconds, the child's own peak memory (``VmHWM``, see ``peak_mb``; the
server's is not counted), the growth from one size to the next, and the report's slowest
statements. The city (``City``) holds what the counties' packages leave there: n // 50 enterprises,
every 100th standard claimed again by another county, one record in 20 a prize (half named by
title, one title from several counties), each county's approved round with a line per achievement,
its registration, its import records (the hash of every row received: 20 MB per county at 10⁷) and
the totals it reported (one county's off by ¥1,000.00). SQLite is filled from Python; PostgreSQL by
the server itself (``generate_series``, row for row the same; a Python loop takes too long for 10⁷)
with the big tables' indexes built after the load, then ``VACUUM ANALYZE``.
Schema 7: after the fill, the city's kept sums (``award_sum``, ``summed_round``, ``sent_enterprise``)
are worked out as the upgrade does (``award_sums.refresh_all``, timed: "their sums kept"); each size
is measured twice, the report from the kept sums and ``--recount`` (every sum and enterprise pair
from the detail rows again, and compared with the kept ones: the old path and then some), the
baseline in the same run.
``--keep DIR`` keeps the server's cluster and the SQLite files in DIR between runs (each city is
filled once; ``--fill-only`` fills with fsync off and stops); ``--import-into N``: a county's
package of 100,000 achievements and their award lines imported into the kept city of N (read, plan,
apply; seconds and the child's peak memory), on each of ``--import-engines``, alternately in the
``--import-modes``: without schema 7's upkeep (its triggers dropped and the import's own upkeep
skipped: "v6"), schema 7 as first built (the triggers firing for each row the import writes:
"v7-triggers") and as the program imports ("v7": the triggers aside during the bulk write, their
work done set-based after it; the seconds of that upkeep shown), each in one transaction rolled back
at the end, so the city stays as filled. A server a running fill started is used as it is.

    .venv/bin/python benchmarks/bench_pg.py [--runs N] [--sizes 10000,100000] [--migrate 200000]
                                            [--consolidate 100000,1000000] [--counties 100]
                                            [--keep DIR [--fill-only]] [--import-into 10000000]
                                            [--import-engines postgresql,sqlite] [--import-modes v6,v7]

Figures of 2026-12-03 (2 cores shared with eight engineers' work: load average 12-16 during the
10⁶ and 10⁷ runs, 3-4 during the first 10⁵ one, so the seconds carry a wide noise; PostgreSQL 15
with fsync on; one run each, unless said), 100 counties:
    consolidate, before (one GROUP BY per claim kind over every record's JSON, every award line to
    Python, one pass over the awards per county for the check of the totals):
        100,000:   PostgreSQL  22.10 s 125.1 MB, SQLite   9.18 s 100.4 MB (1,251 findings)
      1,000,000:   PostgreSQL 396.08 s 781.1 MB, SQLite 295.28 s 569.6 MB (12,501 findings);
                   growth x17.9 (PostgreSQL) / x32.2 (SQLite) for x10, so 10,000,000 projects to
                   more than an hour on PostgreSQL (not run: 100 passes over 10⁷ award lines)
    consolidate, after (sums per round, county, rule and fund by the database in one pass; claim
    keys read from the claim indexes; enterprise lists cut out of the import records):
        100,000:   PostgreSQL   7.72 s  64.7 MB, SQLite  15.58 s  56.7 MB (1,251 findings); SQLite
                   before and after back to back on one file: 20.91 s 100.5 MB -> 15.58 s 56.7 MB
      1,000,000:   PostgreSQL  29.98 s 113.9 MB (33.94 s in the last run), SQLite 111.39 s 109.2 MB;
                   growth x3.9-4.4 (PostgreSQL) for x10
     10,000,000:   PostgreSQL  91.22 s 668.6 MB (125,001 findings: the client's memory is the
                   findings'); growth x3.0 for x10; the first report of the city 276.09 s, with the
                   claim indexes' build (standards 57.1 s) and the import records read whole (78.6 s:
                   the fill had written them in another JSON layout, fixed since)
                   slowest statements of the 91 s: the sums' join of the award lines to their
                   achievements 37.9 s, the standards' keys from the index 19.1 s, enterprises sent
                   by another county 11.6 s, the claimed standards' rows 5.3 s
    the claim indexes' first build (once per city, on its first report): standards 1.6 s at 10⁵,
    12.4 s at 10⁶, 57.1 s at 10⁷
    what remains at 10⁶ (PostgreSQL, slowest statements): the sums' join of the award lines to their
    achievements 7-10 s, the standards' keys from the index 4-5 s, enterprises sent by another
    county 4 s, the counties' enterprise lists out of their 2 MB import records 2.5-2.9 s
    import of a county's package of 100,000 (+ 100,000 award lines), PostgreSQL:
        into a city of 100,000:   213.97 s (read 7.61, plan 62.96, apply 143.40) 612.6 MB
        into a city of 1,000,000: 281.46 s (read 19.23, plan 100.03, apply 162.21) 615.3 MB
        into a city of 10,000,000 (its claim indexes built): 63.17 s (read 1.92, plan 17.95,
        apply 43.30) 611.9 MB; the machine's load, not the city's size, sets these three
    this morning's, unchanged: load 100,000:   SQLite 19.79 s, PostgreSQL 24.33 s, ratio 1.23 (before COPY: 1.39)
                             compute 100,000: SQLite 14.04 s, PostgreSQL 18.25 s, ratio 1.30 (before COPY: 1.44)
Figures of 2026-12-03 afternoon, schema 7 (the report reads the counties' sums and enterprise pairs
kept at import; load average 12-24 on the 2 shared cores throughout, so the seconds are noisy; one
run each; the 10⁶ report was measured while the server filled the 10⁷ city beside it):
    fill (the kept sums worked out as the upgrade does, once per city): 10⁵ PostgreSQL 9.0 s (one
    pass per county), SQLite 6.0 s; 10⁶ PostgreSQL 84.9 s, SQLite 75.5 s (one pass per county;
    the upgrade now sums every county's rounds in one pass)
    consolidate, kept sums vs recount (the recount sums the awards and pairs twice: for the report
    and for the comparison with the kept ones):
        100,000:   PostgreSQL  8.59 s 65.0 MB (recount  8.54 s),  SQLite  7.19 s 55.5 MB (recount 32.47 s)
      1,000,000:   PostgreSQL 23.15 s 114.5 MB (recount 54.84 s: of it the sums' join 10.5 + 9.6 s, the
                   enterprise pairs 5.9 + 5.6 s); the old path's figure is the recount less one of each,
                   about 33 s; growth x2.7 for x10 (kept sums); SQLite 80.92 s 112.5 MB (recount
                   296.24 s: sums 48.1 + 46.4 s, pairs 42.3 + 34.8 s; kept: the standards' claims
                   36.0 s, worked out of every record's JSON as SQLite has no claim index)
                   slowest statements left (kept): the standards' claim keys from the index 6.9 s,
                   the prizes' 2.1 s, the claimed standards' rows 1.9 s, the counties' enterprise
                   lists cut out of their import records 1.6 s
    import of a county's package of 100,000 (+ 100,000 award lines) into the city of 10⁶ on
    PostgreSQL (fsync off: the server was filling the 10⁷ city at the time; each rolled back):
        without schema 7's upkeep: 273.87 s (read 30.84, plan 98.26, apply 144.77) 498.9 MB
        with it:                   407.26 s (read 17.48, plan 112.69, apply 277.09) 495.9 MB
        one run each under a load average of 20+: the apply took 132 s more, more than the noise;
        not yet broken down (the statement triggers fire once per row of the importer's
        executemany, and the end-of-import sums and pairs are one query each)
    10⁷: not measured this round (the fill of the city, 25+ minutes under this load, did not end
    in time); the import into it neither
    what the kept sums took out: the sums' join of the award lines to their achievements (38 s of
    the 91 s at 10⁷ before) and the enterprises sent by another county (12 s); what remains is the
    claim check (keys from the claim indexes, then the claimed rows), not yet kept at import
Figures of 2026-12-03 late afternoon, schema 7 finished (claim keys kept at import in ``claim_key`` /
``shared_claim``; the import's bulk write with the triggers aside and their work done set-based after
it); 100 counties, one run each, PostgreSQL 15; load average 11-16 until 16:00, 3-6 after:
    fill (once per city; the kept sums, pairs and claim keys worked out as the upgrade does, timed
    after the colon; the cluster filled with fsync off): 10⁵ PostgreSQL 21.8 s : 9.9 s, SQLite
    24.8 s : 8.5 s; 10⁶ PostgreSQL 92.3 s : 65.7 s, SQLite 289.8 s : 87.3 s; 10⁷ PostgreSQL
    1,723.6 s : 909.4 s (the schema-7 upgrade of a city of 10⁷: about 15 minutes, in one transaction)
    consolidate, kept sums and keys vs recount, the same run (load 11-16, fsync off):
        100,000:   PostgreSQL   4.15 s  65.6 MB (recount  13.26 s), SQLite  2.83 s  56.3 MB (recount  14.58 s)
                   (schema 7 before the claim keys: PostgreSQL 8.59 s, SQLite 7.19 s)
      1,000,000:   PostgreSQL  13.40 s 114.8 MB (recount 103.12 s, 1,149.7 MB: the comparison of the kept
                   keys in Python sets, since done by the database with EXCEPT), SQLite 28.97 s 117.0 MB
                   (recount 267.35 s); schema 7 before the claim keys: PostgreSQL 23.15 s, SQLite 80.92 s;
                   before schema 7: PostgreSQL 29.98-33.94 s, SQLite 111.39 s
                   after the claim check read the office's own and the stale counties' keys by the
                   origin's index (one OR had read every standard: 2.90 s), fsync on, load 3-6:
                   PostgreSQL 3.70 s 114.8 MB (3.90 s in a second run)
     10,000,000:   PostgreSQL 70.96 s 660.3 MB (first report after the server started, cold cache);
                   48.36 s 653.6 MB warm (125,001 findings: the client's memory is the findings');
                   before schema 7 91.22 s; growth x13 for x10 from 10⁶ (3.70 s), most of it in Python
                   over the 125,001 findings; slowest statements left: the counties' enterprise lists
                   cut out of their import records 4.6 s, the shared keys' rows from claim_key 5.9 s
                   as a join (then looked up by key in chunks: under 0.4 s each); recount not run at 10⁷
    import of a county's package of 100,000 (+ 100,000 award lines) into the city of 10⁶, each
    rolled back (seconds: whole, of it apply, of that the import's own schema-7 upkeep):
      under load 11-16, fsync off (the 10⁷ fill beside it):
        PostgreSQL: without schema 7's upkeep 181.01 s (apply 115.73); the triggers firing per row
                    268.30 s (apply 199.80); the triggers aside, upkeep at the end 247.34 s (apply 149.93)
        SQLite:     without 234.26 s (apply 146.19); triggers per row 266.09 s (apply 177.06); aside
                    243.56 s (apply 198.39): the load moved more than the difference
      load 3-6, fsync on:
        PostgreSQL: without schema 7's upkeep 88.39 s (apply 58.97); aside, upkeep at the end
                    81.69 s (apply 48.25, upkeep 9.27)
        SQLite:     without 32.96 s (apply 21.00); aside, upkeep at the end 32.54 s (apply 23.13,
                    upkeep 2.35)
      load 2.8-4, fsync on, the three modes back to back (the figure to go by):
        PostgreSQL: without schema 7's upkeep 37.88 s (apply 27.24); the triggers firing per row
                    48.71 s (apply 36.48, upkeep 9.65); aside, upkeep at the end 50.21 s (apply 36.10,
                    upkeep 7.52)
        SQLite:     without 26.79 s (apply 16.91); triggers per row 32.03 s (apply 19.91, upkeep 1.70);
                    aside 28.83 s (apply 19.70, upkeep 1.79)
      so on a quiet machine the triggers firing per row cost little (the 407 s against 274 s of the
      first measure was mostly the load); what schema 7 adds to an import is its own upkeep at the
      end: on PostgreSQL 7.5-9.7 s for a county of 100,000 (its rounds' sums, its enterprise pairs
      and claim keys worked out again from its rows), about +30 % of the apply, +24 % of the whole
      import; on SQLite about 2 s (+8 %). Not yet broken down statement by statement.
Figures of 2026-12-03 evening (2 cores shared with four engineers' tests: load average 5-9; the
before and after runs alternate, so compare within a line; one run each unless said):
    the claim check reads the records of the shared claims in one statement (``award_sums.
    claimed_rows``: the kept keys looked up lateral by their index, groups of one county left out by
    a window in the database, the records looked up in the order of their ids, their enterprises
    named from the one read of the enterprises both checks share) instead of the keys to Python,
    the rows by key in chunks of 5,000 and then by id; each county's list of enterprises kept in a
    setting of its own (``importer.claims_key``), no longer cut out of its 20 MB import record; the
    report's transaction without just-in-time compilation (2.9 s of the claims' statement at 10⁷)
     10,000,000, PostgreSQL, warm (125,001 findings, the same report as before but the prize
                   schemes, now named by their labels): before 67.21 s and 78.62 s 654 MB (its lists
                   cut out of the import records 7.0-7.5 s); after 22.04 s and 25.83 s 701 MB,
                   alternating with the before code (114.3 s and 80.6 s: on the lists moved out it
                   reads every import record whole); slowest statement left: the claimed records,
                   13.1-14.1 s (450,000 records looked up in a table of 10⁷, one page each), then the
                   enterprises 0.16-0.27 s; Python 5.5 s CPU of it (the 450,000 items of the findings)
      1,000,000:   PostgreSQL before 12.55 s, after 6.91 s (load 9); SQLite 4.06 s and 4.36 s (the
                   same findings)
     10,000,000 recount (every sum, pair and claim key from the detail rows, and compared with the
                   kept ones; not run before): 344.1 s 752 MB, of it the comparison of the kept claim
                   keys with the records' (EXCEPT both ways) 185.7 s, the sums 34.3 + 30.7 s, the pairs'
                   comparison 30.5 s
    the statement triggers of schema 7 and a computation at the office (``round compute`` of 100,000
    on PostgreSQL writes its lines with COPY: each trigger fires once), the ratio PostgreSQL / SQLite
    in the same run, before schema 7 (ae61a26) and now, alternating: before 1.88 and 1.88, now 1.75
    and 1.95 (compute on PostgreSQL 43.1-70.1 s under this load): no cost seen beyond the noise
    moving each county's list out of the import records of a filled city of 10⁷ (``_claims_apart``,
    as the next import of each county does): 235 s
    on a quiet machine (load 1-2), the same code (the figure to go by): 10⁷ PostgreSQL 14.83 s and
    14.30 s 701 MB (the claimed records' statement 8.2-8.5 s); 10⁶ PostgreSQL 1.72 s and 1.48 s
    118 MB, SQLite 1.51 s and 1.29 s 100 MB: growth x9.2 for x10
    the recount's comparisons (kept claim keys and enterprise pairs against the records': one full
    join on PostgreSQL, the records' rows worked out once on SQLite; the kept sums against the
    groups the recount's report summed already), before -> after, alternating, quiet: 10⁶
    PostgreSQL 15.78 s, 17.59 s -> 10.21 s, 11.21 s; SQLite 41.32 s -> 27.19 s
    and at 10⁷ PostgreSQL (not alternating: the before figure was loaded, load 5-9): 344.1 s ->
    129.4 s 752 MB, quiet (the claim keys' comparison 185.7 -> 67.6 s, the sums once: 17.6 s)
    import of a county's package of 100,000 (+ 100,000 award lines), each rolled back, the import's
    schema-7 upkeep now only for the rows it wrote (``award_sums.write_ends``; before: the county
    worked out whole, 7.5 s on PostgreSQL into 10⁶), one run each, load 2-8:
      into 10⁶: PostgreSQL without the upkeep 19.32 s, with it 27.90 s (upkeep 2.58 s), 283 MB;
                SQLite 12.63 s and 19.00 s (upkeep 1.85 s), 349 MB
      into 10⁷ (first measured): PostgreSQL without the upkeep 23.97 s, with it 30.96 s (upkeep
                3.28 s), 279 MB: the city's size adds 3-4 s from 10⁶ to 10⁷
"""
from __future__ import annotations

import argparse
import json
import os
import pwd
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from array import array
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

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
ROUND_COLS = ("uuid", "year", "policy_id", "policy_hash", "status", "prepared_by", "reviewed_by", "created_at",
              "approved_at")
AWARD_COLS = ("uuid", "round_id", "achievement_id", "status", "amount", "rule", "clause", "fund", "explanation",
              "flags", "decision", "updated_at")
KNOWN_COLS = ("uuid", "name", "region_code", "public_key", "last_sequence", "registered_at")
SETTING_COLS = ("key", "value")
STAMP = "2025-06-30 12:00:00"
LEVELS = ("national", "industry", "local", "group")
BASE = {"national": 100_000, "industry": 50_000, "local": 30_000, "group": 10_000}
CONSOLIDATE = """
import json, sys, time
from desktop.store.db import open_db
from desktop.store.paths import resolve_db_path
open_db(resolve_db_path(sys.argv[1]), auto_backup=False)
from desktop.store.models import database
from desktop.exchange.consolidate import build_report
spent = []
plain = database.execute_sql
def timed(sql, params=None, *a, **k):
    t = time.perf_counter()
    try:
        return plain(sql, params, *a, **k)
    finally:
        spent.append((time.perf_counter() - t, " ".join(sql.split())[:90]))
database.execute_sql = timed
t0 = time.perf_counter()
report = build_report(recount=sys.argv[2:3] == ["recount"])
seconds = time.perf_counter() - t0
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
spent.sort(reverse=True)
print(json.dumps({"seconds": seconds, "findings": len(report.findings), "rows": len(report.rows),
                  "total": str(report.total), "self_mb": int(hwm.split()[1]) / 1024,
                  "statements": len(spent), "slowest": [[round(s, 2), q] for s, q in spent[:4]]}))
"""


def _uuid(kind: int, i: int) -> str:
    """A row's global id, made cheaply (10,000,000 of them): the kind of record, then its number."""
    return f"{kind:08x}-0000-4000-8000-{i:012x}"


def _hash(i: int) -> str:
    return f"{i:064x}"


class City:
    """A city of ``counties`` counties holding ``n`` achievements as their packages leave them (with
    ``n // 50`` enterprises, one county each): every 100th standard claimed again by another county's
    enterprise, one record in 20 a prize (half without a ref, named by title, one title from several
    counties), each county's approved round of the year with a line per achievement, the county's
    registration, what its imports keep (the hashes of every row received and the enterprises it
    sent) and the totals it reported (one county's off by ¥1,000.00: one finding). Rows are made
    as they are written, so 10,000,000 never sit in memory."""

    def __init__(self, n: int, counties: int, year: int = 2025) -> None:
        self.n, self.counties, self.year = n, counties, year
        self.n_ent = max(counties, n // 50)
        self.origins = [str(uuid.UUID(int=c + 1)) for c in range(counties)]
        self.totals = [[0, Decimal("0.00")] for _ in range(counties)]
        self.by_county: list[array] = [array("q") for _ in range(counties)]
        from bench_growth import _uscc

        self.uscc = [_uscc(e) for e in range(self.n_ent)]

    def enterprises(self) -> Iterator[tuple]:
        for e in range(self.n_ent):
            yield (_uuid(1, e), self.uscc[e], f"莆田市第{e}号鞋业有限公司", "350302", self.origins[e % self.counties], STAMP, STAMP)

    def _county(self, e: int) -> int:
        return e % self.counties

    def achievements(self) -> Iterator[tuple]:
        """The achievements; fills ``awards_of`` as a side effect (the award line made with each)."""
        year, n_ent, _uscc = self.year, self.n_ent, self.uscc.__getitem__
        for i in range(self.n):
            e = i % n_ent
            num = i - 1 if i % 100 == 1 else i
            ref = f"GB/T {100000 + num}-{year}"
            date = f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            if i % 20 == 7:
                e = (i + i // 40) % n_ent
                ref_or_none = ref if i % 40 == 7 else None
                # the natural keys as json.dumps writes them, without its cost
                key = (f'["{_uscc(e)}", "prize", "{ref}", "china-innovation/{1 + i % 3}"]' if ref_or_none else
                       f'["{_uscc(e)}", "prize", null, ["china-innovation", "{1 + i % 3}", 1], {year}]')
                self.by_county[self._county(e)].append(i)
                yield (_uuid(2, i), f"A{i}", e + 1, "prize", date, ref_or_none, f"鞋类 标准 第{i // 400}号", None, None,
                       1 + i % 3, "china-innovation", str(1 + i % 3), key,
                       self.origins[self._county(e)], STAMP, STAMP)
                continue
            action = ("formulate", "revise")[i % 2]
            self.by_county[self._county(e)].append(i)
            yield (_uuid(2, i), f"A{i}", e + 1, "standard", date, ref, f"鞋类产品标准第{i}号", LEVELS[i % 4], action,
                   1 + i % 5, None, None, f'["{_uscc(e)}", "standard", "{ref}", "{action}"]',
                   self.origins[self._county(e)], STAMP, STAMP)

    def rounds(self) -> Iterator[tuple]:
        for c in range(self.counties):
            yield (_uuid(3, c), self.year, POLICY, "0" * 64, "approved", "clerk", "reviewer", STAMP, STAMP)

    def awards(self) -> Iterator[tuple]:
        """One line per achievement in its county's round (ids as COPY numbers them: from 1)."""
        for c, ids in enumerate(self.by_county):
            for i in ids:
                if i % 10 == 3:
                    yield (_uuid(4, i), c + 1, i + 1, "not_eligible", None, None, None, None, "未达到条件", "[]",
                           "approved", STAMP)
                    continue
                prize = i % 20 == 7
                rank = 1 + i % (3 if prize else 5)
                if prize:
                    rule, clause, amount = "prize-china", "五(二)5", Decimal((300_000, 200_000, 100_000)[rank - 1])
                else:
                    level = LEVELS[i % 4]
                    rule = ("formulate-main" if rank == 1 else "formulate-participant") if i % 2 == 0 else "revise-main"
                    clause = "五(二)2"
                    amount = Decimal(BASE[level]) * (Decimal(1) if rank == 1 else Decimal("0.5"))
                amount = amount.quantize(Decimal("0.01"))
                self.totals[c][0] += 1
                self.totals[c][1] += amount
                yield (_uuid(4, i), c + 1, i + 1, "awarded", format(amount, "f"), rule, clause, "district",
                       f"{amount}", "[]", "approved", STAMP)

    def known(self) -> Iterator[tuple]:
        for c, o in enumerate(self.origins):
            yield (o, f"莆田市第{c + 1}县市场监督管理局", f"3503{c % 100:02d}", "-----BEGIN PUBLIC KEY-----", 1, STAMP)

    def settings(self) -> Iterator[tuple]:
        """What each county's imports left (after ``awards``: it needs the totals)."""
        _uscc = self.uscc.__getitem__
        for c, ids in enumerate(self.by_county):
            ents = range(c, self.n_ent, self.counties)
            base = {"achievements": " ".join(f"{_uuid(2, i)}:{_hash(i)}" for i in ids),
                    "awards": " ".join(f"{_uuid(4, i)}:{_hash(i + 1)}" for i in ids),
                    "enterprises": " ".join(f"{_uuid(1, e)}:{_hash(e)}" for e in ents),
                    "rounds": f"{_uuid(3, c)}:{_hash(c)}", "claims": sorted(_uscc(e) for e in ents)}
            yield (f"exchange.base.{self.origins[c]}", json.dumps(base, ensure_ascii=False, sort_keys=True))
            del base
            count, total = self.totals[c]
            total += Decimal("1000.00") if c == 0 else Decimal(0)
            s = {"round": _uuid(3, c), "year": self.year, "policy_id": POLICY, "status": "approved", "count": count,
                 "total": format(total, "f"), "by_fund": {"district": format(total, "f")}}
            yield (f"exchange.summaries.{self.origins[c]}", json.dumps({s["round"]: s}, ensure_ascii=False, sort_keys=True))

    def tables(self) -> Iterator[tuple[str, tuple[str, ...], Iterator[tuple]]]:
        yield "enterprise", ENT_COLS, self.enterprises()
        yield "achievement", ACH_COLS, self.achievements()
        yield "award_round", ROUND_COLS, self.rounds()
        yield "award", AWARD_COLS, self.awards()
        yield "known_office", KNOWN_COLS, self.known()
        yield "setting", SETTING_COLS, self.settings()


def _uuid_sql(kind: int, column: str) -> str:
    """``_uuid`` in SQL."""
    return f"'{kind:08x}-0000-4000-8000-' || lpad(to_hex({column}), 12, '0')"


def _pg_fill(cur: Any, city: City) -> None:
    """``city`` written by the server itself (``generate_series``: a Python loop makes 10,000,000
    rows far too slowly on a shared machine), row for row what ``City`` makes for SQLite."""
    n, counties, year, n_ent = city.n, city.counties, city.year, city.n_ent
    for table, cols, rows in (("enterprise", ENT_COLS, city.enterprises()), ("award_round", ROUND_COLS, city.rounds()),
                              ("known_office", KNOWN_COLS, city.known())):
        with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN (FREEZE)") as copy:
            for row in rows:
                copy.write_row(row)
    cur.execute(f"""
INSERT INTO achievement (id, {', '.join(ACH_COLS)})
SELECT i + 1, {_uuid_sql(2, 'i')}, 'A' || i, ee + 1, CASE WHEN p THEN 'prize' ELSE 'standard' END,
       make_date({year}, 1 + i % 12, 1 + i % 28),
       CASE WHEN p AND i % 40 <> 7 THEN NULL ELSE 'GB/T ' || (100000 + num) || '-{year}' END,
       CASE WHEN p THEN '鞋类 标准 第' || (i / 400) || '号' ELSE '鞋类产品标准第' || i || '号' END,
       CASE WHEN p THEN NULL ELSE (ARRAY['national', 'industry', 'local', 'group'])[1 + i % 4] END,
       CASE WHEN p THEN NULL ELSE (ARRAY['formulate', 'revise'])[1 + i % 2] END,
       CASE WHEN p THEN 1 + i % 3 ELSE 1 + i % 5 END, CASE WHEN p THEN 'china-innovation' END,
       CASE WHEN p THEN CAST(1 + i % 3 AS TEXT) END,
       CASE WHEN NOT p THEN '["' || e.uscc || '", "standard", "GB/T ' || (100000 + num) || '-{year}", "'
                            || (ARRAY['formulate', 'revise'])[1 + i % 2] || '"]'
            WHEN i % 40 = 7 THEN '["' || e.uscc || '", "prize", "GB/T ' || (100000 + num) || '-{year}", "china-innovation/'
                                 || (1 + i % 3) || '"]'
            ELSE '["' || e.uscc || '", "prize", null, ["china-innovation", "' || (1 + i % 3) || '", 1], {year}]' END,
       e.origin, '{STAMP}', '{STAMP}'
FROM (SELECT i, i % 20 = 7 AS p, CASE WHEN i % 100 = 1 THEN i - 1 ELSE i END AS num,
             CASE WHEN i % 20 = 7 THEN (i + i / 40) % {n_ent} ELSE i % {n_ent} END AS ee
      FROM generate_series(0, {n - 1}) i) g JOIN enterprise e ON e.id = g.ee + 1""")
    cur.execute(f"""
INSERT INTO award (id, {', '.join(AWARD_COLS)})
SELECT i + 1, {_uuid_sql(4, 'i')}, (a.enterprise_id - 1) % {counties} + 1, i + 1,
       CASE WHEN i % 10 = 3 THEN 'not_eligible' ELSE 'awarded' END, CAST(amount AS TEXT), rule,
       CASE WHEN rule IS NULL THEN NULL WHEN p THEN '五(二)5' ELSE '五(二)2' END,
       CASE WHEN rule IS NULL THEN NULL ELSE 'district' END, COALESCE(CAST(amount AS TEXT), '未达到条件'), '[]',
       'approved', '{STAMP}'
FROM (SELECT a.id - 1 AS i, a.enterprise_id, a.kind = 'prize' AS p,
             CASE WHEN (a.id - 1) % 10 = 3 THEN NULL
                  WHEN a.kind = 'prize' THEN CAST((ARRAY[300000, 200000, 100000])[1 + (a.id - 1) % 3] AS numeric(14, 2))
                  ELSE CAST((ARRAY[100000, 50000, 30000, 10000])[1 + (a.id - 1) % 4]
                            * CASE WHEN (a.id - 1) % 5 = 0 THEN 1 ELSE 0.5 END AS numeric(14, 2)) END AS amount,
             CASE WHEN (a.id - 1) % 10 = 3 THEN NULL WHEN a.kind = 'prize' THEN 'prize-china'
                  WHEN (a.id - 1) % 2 = 1 THEN 'revise-main'
                  WHEN (a.id - 1) % 5 = 0 THEN 'formulate-main' ELSE 'formulate-participant' END AS rule
      FROM achievement a) a""")
    for table in ("enterprise", "achievement", "award_round", "award"):
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    # what the imports kept per county, and the totals each reported (county 1: ¥1,000.00 more);
    # written as jsonb writes it ("key": value, as Python's json.dumps does, not json's "key" : value)
    cur.execute(f"""
INSERT INTO setting (key, value)
SELECT 'exchange.base.' || k.uuid, CAST(CAST(json_build_object('achievements', a.s, 'awards', w.s, 'claims', e.c,
    'enterprises', e.s, 'rounds', {_uuid_sql(3, "k.id - 1")} || ':' || lpad(to_hex(k.id - 1), 64, '0')) AS jsonb) AS TEXT)
FROM known_office k
LEFT JOIN (SELECT origin, string_agg({_uuid_sql(2, 'id - 1')} || ':' || lpad(to_hex(id - 1), 64, '0'), ' ') AS s
           FROM achievement GROUP BY origin) a ON a.origin = k.uuid
LEFT JOIN (SELECT round_id, string_agg({_uuid_sql(4, 'id - 1')} || ':' || lpad(to_hex(id), 64, '0'), ' ') AS s
           FROM award GROUP BY round_id) w ON w.round_id = k.id
LEFT JOIN (SELECT origin, json_agg(uscc ORDER BY uscc) AS c,
                  string_agg({_uuid_sql(1, 'id - 1')} || ':' || lpad(to_hex(id - 1), 64, '0'), ' ') AS s
           FROM enterprise GROUP BY origin) e ON e.origin = k.uuid""")
    cur.execute("""
INSERT INTO setting (key, value)
SELECT 'exchange.summaries.' || k.uuid, json_build_object(r.uuid, json_build_object(
    'round', r.uuid, 'year', r.year, 'policy_id', r.policy_id, 'status', r.status, 'count', s.n,
    'total', CAST(s.total + CASE WHEN r.id = 1 THEN 1000 ELSE 0 END AS TEXT),
    'by_fund', json_build_object('district', CAST(s.total + CASE WHEN r.id = 1 THEN 1000 ELSE 0 END AS TEXT))))
FROM known_office k JOIN award_round r ON r.id = k.id
JOIN (SELECT round_id, count(amount) AS n, COALESCE(sum(CAST(amount AS numeric)), 0) AS total FROM award
      GROUP BY round_id) s ON s.round_id = r.id""")


def _filled(server, name: str) -> bool:
    """Has ``name`` been filled (a kept server's database from an earlier run)?"""
    import psycopg

    with psycopg.connect(host=str(server.folder), port=5432, user=server.superuser, dbname="postgres",
                         autocommit=True) as con:
        if con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            return False
    with psycopg.connect(host=str(server.folder), port=5432, user=server.superuser, dbname=name) as con:
        return con.execute("SELECT 1 FROM setting WHERE key = 'bench.filled'").fetchone() is not None


def _fill(server, tmp: Path, engine: str, db: str, city: City) -> float:
    """The city's records written in bulk into a database the program made (its schema, indexes and
    triggers): the big tables' indexes dropped during the load and built again after it, then
    ``VACUUM ANALYZE`` as autovacuum would. Returns the seconds."""
    t0 = time.perf_counter()
    _cli(tmp, "office", "--db", db, "--name", "莆田市市场监督管理局", "--region", "350300", "--doc-prefix", "莆市监",
         "--policy", POLICY)
    big = ("enterprise", "achievement", "award_round", "award")
    if engine == "sqlite":
        import sqlite3

        con = sqlite3.connect(db)
        with con:
            indexes = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                                  f"AND tbl_name IN {big}").fetchall()
            for name, _sql in indexes:
                con.execute(f'DROP INDEX "{name}"')
            for table, cols, rows in city.tables():
                con.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
            for _name, sql in indexes:
                con.execute(sql)
            con.execute("INSERT INTO setting (key, value) VALUES ('bench.filled', 'true')")
        con.execute("ANALYZE")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        return time.perf_counter() - t0
    import psycopg

    name = db.split("@/")[1].split("?")[0]
    with psycopg.connect(host=str(server.folder), port=5432, user=server.superuser, dbname=name,
                         autocommit=True) as con:
        with con.transaction(), con.cursor() as cur:
            indexes = cur.execute("SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) "
                                  "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                                  (list(big),)).fetchall()
            for iname, _sql in indexes:
                cur.execute(f'DROP INDEX "{iname}"')
            # emptied in this transaction: the rows go in frozen, without going through the WAL; the
            # rows are made consistent, so their foreign keys are not checked one by one (replica mode)
            cur.execute(f"TRUNCATE {', '.join(big)}, known_office RESTART IDENTITY CASCADE")
            cur.execute("SET LOCAL session_replication_role = replica")
            _pg_fill(cur, city)
            cur.execute("SET maintenance_work_mem = '1GB'")
            for _iname, sql in indexes:
                cur.execute(sql)
            cur.execute("INSERT INTO setting (key, value) VALUES ('bench.filled', 'true')")
        con.execute("VACUUM ANALYZE")
    return time.perf_counter() - t0


FAST_FILL = ("-c fsync=off -c full_page_writes=off -c wal_level=minimal -c max_wal_senders=0 -c synchronous_commit=off "
             "-c max_wal_size=20GB -c checkpoint_timeout=1h")


KEEP_SUMS = """
import sys, time
from desktop.store.db import open_db
from desktop.store.paths import resolve_db_path
open_db(resolve_db_path(sys.argv[1]), auto_backup=False)
from desktop.store import award_sums
from desktop.store.models import database
t0 = time.perf_counter()
with database.atomic():
    award_sums.refresh_all()
print(time.perf_counter() - t0)
"""


def _claims_apart(server: Any, name: str, engine: str, db: str) -> None:
    """A city filled with each county's list of enterprises inside its import record (as imports
    kept it before the lists were kept apart, ``importer.claims_key``) brought to today's layout, as
    each county's next import would: the lists moved out to settings of their own (once; skipped
    when the city has them)."""
    moved = ("INSERT INTO setting (key, value) SELECT 'exchange.claims.' || substr(key, 15), {claims} FROM setting "
             "WHERE key LIKE 'exchange.base.%' AND {has}")
    dropped = "UPDATE setting SET value = {without} WHERE key LIKE 'exchange.base.%' AND {has}"
    if engine == "postgresql":
        import psycopg

        parts = {"claims": "CAST(CAST(value AS jsonb) -> 'claims' AS TEXT)", "has": "CAST(value AS jsonb) ? 'claims'",
                 "without": "CAST(CAST(value AS jsonb) - 'claims' AS TEXT)"}
        with psycopg.connect(host=str(server.folder), port=5432, user=server.superuser, dbname=name) as con:
            if con.execute("SELECT 1 FROM setting WHERE key LIKE 'exchange.claims.%' LIMIT 1").fetchone() is None:
                con.execute(moved.format(**parts))
                con.execute(dropped.format(**parts))
        return
    import sqlite3

    parts = {"claims": "json_extract(value, '$.claims')", "has": "json_type(value, '$.claims') IS NOT NULL",
             "without": "json_remove(value, '$.claims')"}
    con = sqlite3.connect(db)
    try:
        with con:
            if con.execute("SELECT 1 FROM setting WHERE key LIKE 'exchange.claims.%' LIMIT 1").fetchone() is None:
                con.execute(moved.format(**parts))
                con.execute(dropped.format(**parts))
    finally:
        con.close()


def _keep_sums(tmp: Path, db: str) -> float:
    """The sums the counties' imports would have kept (schema 7), worked out as the upgrade does for
    a city filled straight into its tables; returns the seconds."""
    out = subprocess.run([sys.executable, "-c", KEEP_SUMS, db], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT), "STDAWARD_DATA": str(tmp / "data")})
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return float(out.stdout.split()[-1])


def _kept_server(bin_dir: Path, folder: Path, fast: bool = False):
    """A server whose cluster stays in ``folder`` between runs (made there the first time): a
    10,000,000-achievement city is filled once."""
    from conftest_pg import PORT, Server, _run_as

    account = _run_as()
    folder.mkdir(parents=True, exist_ok=True)
    if account is not None:
        os.chown(folder, account.pw_uid, account.pw_gid)
    superuser = account.pw_name if account is not None else pwd.getpwuid(os.geteuid()).pw_name
    server = Server(bin_dir, folder.resolve(), superuser, account)
    if not (folder / "data").exists():
        server.run("initdb", "-D", str(server.folder / "data"), "-U", superuser, "--auth=trust", "-E", "UTF8",
                   "--locale=C.UTF-8")
    if server.run("pg_ctl", "-D", str(server.folder / "data"), "status", check=False).returncode == 0:
        server.shared = True  # another run of this benchmark (a fill) started it: used as it is, left running
        return server
    opts = f"-k {server.folder} -p {PORT} -c listen_addresses='' -c max_connections=40"
    opts += f" {FAST_FILL}" if fast else ""  # only while filling: the figures are measured with fsync on
    started = server.run("pg_ctl", "-D", str(server.folder / "data"), "-l", str(server.folder / "server.log"),
                         "-o", opts, "-w", "start", check=False)
    if started.returncode != 0:
        raise SystemExit(f"the kept PostgreSQL server did not start: {started.stderr}")
    return server


def bench_consolidate(server, tmp: Path, sizes: list[int], runs: int, counties: int, sqlite_upto: int,
                      keep: Path | None, fill_only: bool = False) -> None:
    """The consolidation report at each size, PostgreSQL against SQLite (up to ``sqlite_upto``),
    each run in a child process."""
    from bench_growth import _child as child_process

    prev: dict[str, tuple[int, float]] = {}
    for n in sizes:
        name = f"city_{n}_{counties}"
        folder = keep or tmp
        dbs = {"postgresql": server.url(name)}
        if n <= sqlite_upto:
            dbs["sqlite"] = str(folder / f"{name}.db")
        for engine, db in dbs.items():
            if engine == "postgresql" and _filled(server, name) or engine == "sqlite" and Path(db).exists():
                continue
            if engine == "postgresql":
                server.drop_database(name)
                import psycopg

                with psycopg.connect(host=str(server.folder), port=5432, user=server.superuser, dbname="postgres",
                                     autocommit=True) as con:
                    con.execute(f'CREATE DATABASE "{name}"')
            took = _fill(server, tmp, engine, db, City(n, counties))
            sums = _keep_sums(tmp, db)
            print(f"fill {n:>10,d} achievements of {counties} counties into {engine}: {took:7.1f} s, their sums "
                  f"kept (as the schema-7 upgrade works them out) {sums:6.1f} s", flush=True)
        for engine, db in dbs.items():
            _claims_apart(server, name, engine, db)
        if fill_only:
            continue
        got: dict[str, list[tuple[float, float, dict]]] = {e: [] for e in list(dbs) + [f"{e} recount" for e in dbs]}
        for _ in range(runs):
            for engine, db in dbs.items():  # the report from the kept sums, then the recount from every line
                got[engine].append(child_process([sys.executable, "-c", CONSOLIDATE, db], ROOT, tmp))
                got[f"{engine} recount"].append(child_process([sys.executable, "-c", CONSOLIDATE, db, "recount"],
                                                              ROOT, tmp))
        best = {e: (min(r[2]["seconds"] for r in rs), max(r[2]["self_mb"] for r in rs), rs[-1][2]) for e, rs in got.items()}
        for engine in best:
            sec, mb, last = best[engine]
            growth = ""
            if engine in prev:
                pn, ps = prev[engine]
                growth = f", growth x{sec / ps:4.1f} for x{n / pn:.0f} achievements"
            print(f"consolidate {n:>10,d} achievements on {engine:18s}: {sec:7.2f} s {mb:7.1f} MB max RSS "
                  f"({last['rows']:,d} rows, {last['findings']:,d} findings, total {last['total']}){growth}", flush=True)
            print(f"    slowest statements ({last['statements']}): " +
                  "; ".join(f"{s:.2f} s {q}" for s, q in last["slowest"]), flush=True)
            prev[engine] = (n, sec)
        if "sqlite" in best:
            s, p = best["sqlite"], best["postgresql"]
            print(f"consolidate {n:>10,d} PostgreSQL / SQLite: time {p[0] / s[0]:4.2f}, memory {p[1] / s[1]:4.2f}",
                  flush=True)


COUNTY_SETUP = """
import sqlite3, sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
import bench_growth as bg
from desktop.exchange import offices
from desktop.exchange.export import export_package
from desktop.store import office
from desktop.store.db import close_db, open_db
db, n = Path(sys.argv[1]), int(sys.argv[2])
open_db(db, auto_backup=False)
office.update(name="莆田市第101县市场监督管理局", region_code="350399", doc_prefix="县监", role="county", user="bench")
card = offices.card()
close_db()
ents, achs = bg._standards(n, min(2_000, max(1, n // 5)), 2025, False, offset=1_000_000)
con = sqlite3.connect(db)
with con:
    bg._insert(con, ents, achs)
    con.execute("INSERT INTO award_round (uuid, year, policy_id, policy_hash, status, prepared_by, reviewed_by, created_at) "
                "VALUES ('00000005-0000-4000-8000-000000000001', 2025, 'putian-chengxiang-2021', ?, 'approved', 'a', 'b', "
                "'2025-06-30 12:00:00')", ["0" * 64])
    con.execute("INSERT INTO award (uuid, round_id, achievement_id, status, amount, rule, clause, fund, explanation, flags, "
                "decision, updated_at) SELECT printf('00000006-0000-4000-8000-%012x', id), 1, id, 'awarded', '10000.00', "
                "'formulate-participant', '五(二)2', 'district', '10000.00', '[]', 'approved', '2025-06-30 12:00:00' "
                "FROM achievement")
con.close()
open_db(db, auto_backup=False)
export_package(db.with_suffix(".stdpkg"), user="bench")
close_db()
import json
db.with_suffix(".card").write_text(json.dumps(card, ensure_ascii=False))
"""
CITY_IMPORT = """
import json, sys, time
from pathlib import Path
from desktop.store.db import open_db
from desktop.store.paths import resolve_db_path
from desktop.exchange import offices
from desktop.exchange.package import fingerprint
from desktop.operations import exchange
from desktop.operations.session import Session
pkg_path, card = Path(sys.argv[2]), json.loads(Path(sys.argv[3]).read_text())
path = resolve_db_path(sys.argv[1])
open_db(path, auto_backup=False)
session = Session.attach(path)
from desktop.store import award_sums
from desktop.store.models import database
from desktop.store.backend import is_postgres
# "v7": as the program imports (the triggers aside during the bulk write, their work done at its end);
# "v7-triggers": schema 7 as first built (the triggers fire for every row the import writes);
# "v6": without schema 7's upkeep (its triggers dropped, no sums or keys kept)
mode = sys.argv[4]
with database.atomic() as outer:  # rolled back: the city stays as filled, so all are measured on it
    if mode == "v6":
        from desktop.exchange import kept_sums
        kept_sums.after_import = lambda pkg: None
        kept_sums.before_write = lambda ops: {}
        kept_sums.after_write = lambda mark: None
        if is_postgres():
            for name, when, _function in award_sums._PG_TRIGGERS:
                database.execute_sql(f'DROP TRIGGER {name} ON "{when.split(" ON ", 1)[1].split()[0]}"')
        else:
            for sql in award_sums.SQLITE_TRIGGERS:
                database.execute_sql(f"DROP TRIGGER {sql.split()[5]}")
    elif mode == "v7-triggers":
        award_sums._defer = lambda on: None
    upkeep = [0.0]  # the seconds of schema 7's upkeep the import does itself (before/after its write, at its end)
    if mode != "v6":
        from desktop.exchange import kept_sums

        def timed_hook(f):
            def run(*a):
                t = time.perf_counter()
                try:
                    return f(*a)
                finally:
                    upkeep[0] += time.perf_counter() - t
            return run
        for hook in ("before_write", "after_write", "after_import"):
            setattr(kept_sums, hook, timed_hook(getattr(kept_sums, hook)))
    offices.register(card, expected_fingerprint=fingerprint(card["public_key"]), user="bench")
    t0 = time.perf_counter()
    pkg = exchange.read(session, pkg_path)
    t1 = time.perf_counter()
    plan = exchange.plan_import(session, pkg)
    t2 = time.perf_counter()
    result = exchange.apply_import(session, pkg)
    t3 = time.perf_counter()
    outer.rollback()
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": t3 - t0, "read": t1 - t0, "plan": t2 - t1, "apply": t3 - t2, "upkeep": upkeep[0],
                  "inserted": result.applied.get("inserted"), "self_mb": int(hwm.split()[1]) / 1024}))
"""


IMPORT_MODES = {"v6": "without schema 7's upkeep", "v7-triggers": "schema 7, the triggers firing per row",
                "v7": "schema 7, the triggers aside, upkeep at the end"}


def bench_import(server, tmp: Path, n: int, into: int, counties: int, keep: Path | None,
                 engines: tuple[str, ...] = ("postgresql", "sqlite"), modes: tuple[str, ...] = tuple(IMPORT_MODES),
                 runs: int = 1) -> None:
    """A county's package of ``n`` achievements (and its round's award lines) imported into the city
    of ``into`` achievements (filled by ``bench_consolidate``), in a child process: read + plan +
    apply, and the child's own peak memory; each import rolled back, so the city stays as filled.
    ``modes`` (``IMPORT_MODES``) alternate, ``runs`` times, on each engine."""
    from bench_growth import _child as child_process

    county = (keep or tmp) / f"county-{n}.db"
    if not county.with_suffix(".card").exists():
        child_process([sys.executable, "-c", COUNTY_SETUP, str(county), str(n), str(ROOT / "benchmarks")], ROOT, tmp)
    name = f"city_{into}_{counties}"
    dbs = {"postgresql": server.url(name), "sqlite": str((keep or tmp) / f"{name}.db")}
    for _run in range(runs):
        for engine in engines:
            for mode in modes:  # alternately: the machine's load moves
                got = child_process([sys.executable, "-c", CITY_IMPORT, dbs[engine], str(county.with_suffix(".stdpkg")),
                                     str(county.with_suffix(".card")), mode], ROOT, tmp)[2]
                print(f"import {n:,d} achievements (+ their award lines) into a city of {into:,d} on {engine}, "
                      f"{IMPORT_MODES[mode]}: {got['seconds']:7.2f} s (read {got['read']:.2f}, plan {got['plan']:.2f}, "
                      f"apply {got['apply']:.2f}, of it the import's own upkeep {got['upkeep']:.2f}) "
                      f"{got['self_mb']:7.1f} MB max RSS, {got['inserted']:,d} rows inserted "
                      "(rolled back)", flush=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        return child(*argv[1:4])
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--migrate", type=int, default=200_000, help="achievements for the migrate-db figures (0: skip)")
    ap.add_argument("--consolidate", default="100000,1000000",
                    help="achievements of the city for the consolidation figures (empty: skip)")
    ap.add_argument("--counties", type=int, default=100, help="counties of the consolidating city")
    ap.add_argument("--sqlite-upto", type=int, default=1_000_000, help="largest city also measured on SQLite")
    ap.add_argument("--keep", type=Path, help="a folder keeping the server's cluster (and the SQLite cities) between "
                                              "runs: each city is filled once")
    ap.add_argument("--fill-only", action="store_true", help="with --keep: fill the cities (the server without fsync "
                                                                "while it does) and stop")
    ap.add_argument("--import-into", type=int, default=0, help="a city filled by --consolidate: import a county's "
                                                              "package of 100,000 into it (it keeps the county)")
    ap.add_argument("--import-engines", default="postgresql,sqlite", help="engines of --import-into")
    ap.add_argument("--import-modes", default=",".join(IMPORT_MODES), help="--import-into's modes, in this order")
    args = ap.parse_args(argv)
    bin_dir = _bin_dir()
    if bin_dir is None:
        raise SystemExit("no PostgreSQL server binaries (apt-get install postgresql)")
    server = _kept_server(bin_dir, args.keep, args.fill_only) if args.keep else start_server(bin_dir, durable=True)
    try:
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            if args.consolidate:
                bench_consolidate(server, tmp, [int(x) for x in args.consolidate.split(",") if x], args.runs,
                                  args.counties, args.sqlite_upto, args.keep, args.fill_only)
            if args.import_into:
                bench_import(server, tmp, 100_000, args.import_into, args.counties, args.keep,
                             tuple(args.import_engines.split(",")), tuple(args.import_modes.split(",")), args.runs)
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
        if args.keep and getattr(server, "shared", False):
            pass
        elif args.keep:
            server.run("pg_ctl", "-D", str(server.folder / "data"), "-m", "fast", "-w", "stop", check=False)
        else:
            stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
