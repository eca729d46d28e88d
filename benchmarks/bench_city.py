"""The city's last county package against its first, measured so that a busy machine cannot decide it.

    .venv/bin/python benchmarks/bench_city.py --n 20000 --counties 50 --repeat 3 [--keep DIR]
    .venv/bin/python benchmarks/bench_growth.py --paths city --sizes 20000 --counties 50   (the same figure)
    .venv/bin/python benchmarks/bench_city.py --n 20000 --counties 50 --repeat 3 --keep DIR --ideas
                                              [--page-sizes 1024,16384] [--only WORD ...]   (the last import, once per idea)
    .venv/bin/python benchmarks/bench_city.py --n 20000 --counties 50 --repeat 3 --keep DIR --index-costs

1. Setup (``bench_growth.CITY_SETUP``): ``counties`` county offices made by the program, each exporting
   a package of ``n`` achievements, and an empty city that registered them. ``--keep DIR`` keeps it
   in DIR for the next run (minutes at 50 × 20,000). The records' global ids are made as the
   program makes them, in time order (``desktop.core.ids``), the counties entering their records at
   the same weeks: each county's in ten loads, every county's first load before any county's second,
   so a county's package lies in ten runs of the city's global id index, between other counties'.
   ``--ids random``: random ids, as a program older than 2026-12-04 made them (the figures below
   until that evening were all taken so).
2. The city fills as officers fill it: packages 1 … N-1 imported one after another, each as the CLI
   imports it (read and verify once, plan, apply that plan); the baseline city the same with bare
   ``executemany`` of the packages' enterprise and achievement rows into its indexed tables. Each
   city is then closed and kept: the city as it is before its last import.
3. Timed: package 1 into a copy of the empty city and package N into a copy of the city of N-1
   counties, each ``repeat`` times, first and last alternating and ours and the baseline alternating,
   every import in a child process of its own (the program's modules imported before the clock
   starts; the copied city written back to disk first, ``os.sync``: its writing-back in the timed
   window charged the last import, whose city is the larger copy, with the benchmark's own work).
   Each figure is the fastest of its runs: another program's load on a shared machine only ever
   adds time, so the fastest run is the one it disturbed least. The CPU time of the import
   (user + system) is printed beside it: it leaves out the time spent waiting for a processor.

The figure is ``last_over_first`` (wall time, fastest of each), with the baseline's own ratio beside
it; the one-after-another series of step 2 is printed too (``series_last5_over_first5``).

**The bar met (2026-12-04, evening; 2 cores, nothing else running, load average beside each):**

===================================================  =========  =========  ======  =========  ============
run (50 × 20,000, ``--repeat 3``, fastest of each)   first (s)  last (s)   ratio   CPU ratio  load average
===================================================  =========  =========  ======  =========  ============
random ids, schema 7, as at the start of the evening     0.74       1.57    2.12       2.02  0.6-0.8
  its baseline                                           0.60       1.18    1.97       1.80
ids in time order, schema 7                              1.00       1.64    1.64       1.78  3.3-3.4
  its baseline                                           0.89       1.15    1.29       1.33
... and the upkeep after the write reading the rows      0.68       1.19    1.74       1.70  0.3-0.7
    written by their ids (``award_sums``)
  its baseline                                           0.60       0.79    1.31       1.25
... and schema 8 (one index on enterprise and id)        0.72       1.05    1.45       1.46  1.0-1.1
  its baseline                                           0.60       0.68    1.12       1.12
random ids (``--ids random``), schema 8                  0.66       1.37    2.06       1.95  1.0
  its baseline                                           0.55       1.06    1.95       1.81
===================================================  =========  =========  ======  =========  ============

(The first row is the program with the upkeep change, on the cities filled the afternoon before.)
What each change took away from the last import (``--ideas`` on the city of 49 counties filled with
ids in time order, before the last two changes: 8,948 pages written against 20,398 with random ids;
the global id's index 308 pages against 10,735; then 43 % of them the record id's index, 3,866 of
3,866: every county numbers its records ``A0``, ``A1`` ...): the id's index keyed by the enterprise
first, 1.49× (CPU 1.47×) against 1.75× as it was in the same run; without the number and kind
indexes nothing (1.72×). The upkeep's two statements read the whole claim key index and enterprise
index for their DISTINCT (0.05 s and 0.03 s of the last import, ×10 the virtual machine steps for ×10
the records held: ``tests/test_exchange_city_growth.py``).

The ratio rests on the counties' records having ids in time order and arriving in loads: a county
whose 20,000 records were typed one at a time over the same weeks as 49 other counties' would have
them spread over the global id's index as random ids are, and records made by a program older than
2026-12-04 keep their random ids for good (an id is the record's name at the county and the city):
a county's first package of such records still costs 2.06× (the last row; the baseline inserting the
same rows 1.95×). ``setup`` takes ``--ids``; a kept city of each kind lives apart in ``--keep``.
Migrating an office of 1.11 million records to schema 8 took 3.2 s, its backup before included.

Figures of 2026-12-03 (50 × 20,000, ``--repeat 3``; a 2-core machine shared with other work, load
average 9-18, so wall times are 2-6× the CPU times):

=====================================================  =========  =========  ======  ==============
run                                                    first (s)  last (s)   ratio   CPU ratio
=====================================================  =========  =========  ======  ==============
ours, before this round's changes (load ~9-13)              2.35       6.28    2.67    2.13
its baseline (bare executemany)                             1.74       3.31    1.90    1.76
ours, after (load ~15-18)                                  11.25      15.49    1.38    1.43
its baseline                                                5.24      15.36    2.93    2.25
before and after side by side on the same cities,
  alternating run by run (``/tmp`` script, same load):
  before                                                    5.32       8.70    1.64    1.61
  after                                                     5.98       8.78    1.47    1.53
PostgreSQL (``--pg``), 20 × 5,000                          22.71      23.01    1.01    1.00
later the same day (load 10-17; ``--keep DIR``, then
  ``--reuse --root`` the changed checkout on the same cities):
  ours, before a large table was parsed once                10.80      14.08    1.30    1.53
  its baseline                                               5.20      11.74    2.26    1.78
  ours, after                                               29.08      42.77    1.47    1.51
  its baseline                                              27.06      37.67    1.39    1.52
=====================================================  =========  =========  ======  ==============

In CPU time the first import took 1.82 s before and 1.67 s after, the last 2.79 s and 2.52 s; the
baseline 1.06-1.31 s and 1.92-2.09 s. Planning the last import costs what planning the first does
(its lookups go through the indexes of the package's own keys); the growth is in writing. Peak
memory of any import, first or last: 153 MB before, 164 MB after (the rows to insert are written to
disk as planned, a batch at a time); the baseline 53 MB.

What still grows is SQLite's own work, the baseline's too: twenty thousand rows inserted into
indexes on random keys (the global id, the county's own record id, the standard number) that a
city of 49 counties holds a million entries of touch most of their pages (the WAL of the last
import is 76 MB against 11 MB for the first), and the checkpoint writes them back.

The bar of issue 20, "the 50th county package within 1.5× the first" (2026-12-04, 50 × 20,000,
``--repeat 3``, cities filled by the program of that day, which makes the targets' number index at
every open; 2 cores shared with two other engineers' runs, load average beside each figure):

=================================================  =========  =========  ======  =========  =============
run (same cities, ``--reuse``, one after another)  first (s)  last (s)   ratio   CPU ratio  load average
=================================================  =========  =========  ======  =========  =============
without ``os.sync`` before the clock                    0.88       2.55    2.90       2.42  2.4-2.7
  its baseline                                          0.78       1.80    2.31       1.82
without ``os.sync``, again                              0.96       2.59    2.69       2.29  3.3
  its baseline                                          0.81       1.92    2.37       2.00
with ``os.sync``                                        1.42       3.76    2.64       2.39  3.4-3.8
  its baseline                                          1.19       2.53    2.11       1.96
with ``os.sync``, again                                 1.05       2.58    2.45       2.44  3.6
  its baseline                                          0.92       1.88    2.04       1.94
=================================================  =========  =========  ======  =========  =============

Not met. The bare ``executemany`` baseline, which does less, grows 2.0-2.4× (CPU 1.8-2.0×) itself,
and the series of step 2 shows where the step is: the second package already takes 1.54× the first
(0.89 s, then 1.36 s, 1.33 s, 1.29 s ...; the 49th 2.40 s). The first package is more rows than the
city holds, so its tables' indexes are dropped and built again in one sorted pass
(``audit.drop_indexes_for_bulk``); from the second on every row goes into every index one at a time.
``--index-costs`` (the last package's rows with bare ``executemany`` into a copy of the city of 49
counties, each index dropped in turn inside a rolled-back transaction; CPU, load 4.6): 1.54 s with
every index, 0.30 s with none; the global id's index 0.55 s of it, the county's own record id's 0.35 s,
each of the seven others 0.11-0.28 s. (The same measurement by hand at load 2.9: 1.20 s, 0.30 s, 0.40 s,
0.16 s, the others 0.00-0.15 s.)

What the last import writes (``--ideas``: the pages of its WAL, each written once, so no cache spill,
attributed with SQLite's ``dbstat``): 20,398 pages (80 MB) against the first's 4,326 (17 MB); 53 %
of them the index of the global id (10,735 of its 12,360 pages: random uuids reach nearly every leaf),
19 % the index of the county's own record id (3,866 of 3,866: every county numbers its records the
same way, so the new entries fall between every other county's), 8 % the table's new rows, 5 % the
enterprises' global id. The indexes whose keys keep a county's records together touch 2 % each or
less: dates, the county, and in these packages the standard numbers and credit codes, which carry the
county's number (so do the natural keys and claim keys); real counties share standard numbers, so
there the indexes of the number (``achievement_ref``, the targets' number index, ``claim_key``'s)
would add to the random share.

The ideas, fastest of 3 runs each (``--ideas --repeat 3``, load 1.6-2.2; the synchronous setting and
the page sizes from ``--ideas --repeat 2 --page-sizes 1024,16384``, load 2.5-3.7, each over the first
import as it is of the same run, or with the same idea where the first was tried with it too):

============================================  ========  =======  =========  ========  =================
last import (the first as it is: 0.99 s,      wall (s)  /first   CPU/first  WAL (MB)  checkpoint left
CPU 0.94 s)                                                                            for later (s)
============================================  ========  =======  =========  ========  =================
as it is                                          2.31     2.33       2.26      80.1  -
checkpoint after the clock (first too:            2.01     2.16       2.14      80.1  0.22-0.32
0.93 s, CPU 0.91 s, 0.03-0.06 s left)
each chunk's rows sorted by global id             2.56     2.58       2.56      80.0  -
pages read through mmap (2 GB)                    2.32     2.34       2.30      80.1  -
without ``achievement_ref``                       2.33     2.34       2.27      79.6  -
without ``achievement_source_id``                 2.17     2.18       2.15      65.0  -
without ``achievement_uuid`` (no option:          2.51     2.53       2.42      38.0  -
the plan then reads the table to match)
synchronous NORMAL (not allowed)                  3.44     1.78       1.75      80.1  -
pages of 16,384 bytes (VACUUM of the copy)        3.08     2.18       2.13      95.9  -
pages of 1,024 bytes                              4.26     2.80       2.68      80.2  -
============================================  ========  =======  =========  ========  =================

Again, each import of the last against a first made with the same schema (the first without an
index where the last was, the global id's aside), with one index for ``achievement_origin`` and
``achievement_source_id`` tried too (``--ideas --repeat 3``, load 4.7-5.0; first as it is 1.19 s,
CPU 0.86 s):

============================================  ========  =======  =========  ========
last import                                   wall (s)  /first   CPU/first  WAL (MB)
============================================  ========  =======  =========  ========
as it is                                          2.86     2.41       2.57      80.1
checkpoint after the clock                        2.79     2.33       2.38      80.1
each chunk's rows sorted by global id             3.35     2.82       2.86      80.0
pages read through mmap (2 GB)                    2.96     2.50       2.46      80.1
without ``achievement_ref``                       2.92     2.49       2.24      79.6
without ``achievement_source_id``                 2.51     1.95       1.98      65.0
``(origin, source_id)`` in place of both          2.98     2.19       2.23      65.1
synchronous NORMAL (not allowed)                  3.12     2.63       2.42      80.1
============================================  ========  =======  =========  ========

None reaches 1.5×. The nearest, without ``achievement_source_id`` (1.95-2.18×), takes away the index
a record is looked up by its id with; the checkpoint after the clock (2.16× and 2.33×, each against a
first without it) moves 0.22-0.32 s to a moment the officer still waits for: the CLI pays it when it
closes the database, and the exchange view would have to run it on a connection of its own in the
background after showing the result, which it does not do; synchronous NORMAL is weaker than
DESIGN.md's reliability rules allow. No index was dropped: ``achievement_ref`` is the only one no query
looks rows up by (its conditions are ``ref IS NOT NULL AND ref != ''`` beside others), and EXPLAIN on
the city of 49 counties (with and without ``consolidate``'s ``ANALYZE``) of the target counts, the
claim keys and the count of the rows without a reference shows them reading the number, origin or date
index instead (the window's filters were not checked); but without it the last import measured 2.34×
against 2.33× in one run and 2.49× (CPU 2.24×) against 2.41× (2.57×) in the other, within the noise of
this machine: not worth a schema migration for this bar. ``achievement_kind`` is served as well by the
number index (``kind`` first) while that index exists. ``achievement_source_id`` could be keyed by
county first: one index on ``(origin, source_id)`` in place of it and of ``achievement_origin`` (whose
queries it serves by its first column) puts a package's new entries in one run and measured 2.19×
(CPU 2.23×) against 2.41× (2.57×) in the same run; but a record looked up by its id alone
(``operations.records.find_achievement``, ``source_id = ? OR uuid = ?``) would then read the whole
table unless that query named the counties it looks among (or SQLite had ``ANALYZE`` figures for a
skip-scan), and it is a schema change (a migration, both engines): left to decide, as it does not
bring the bar within reach either. The page cache (64 MB during the import) is not it: the WAL holds
no page twice. PostgreSQL met the bar at 20 × 5,000 (1.01×, figures of 2026-12-03 above).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import bench_growth as bg

ROOT = Path(__file__).resolve().parent.parent

_RUSAGE = """
import resource
def _cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
"""

FILL_OURS = bg.OURS_HEAD + """
from pathlib import Path
from desktop.operations import exchange
from desktop.operations.session import Session
from desktop.store.db import close_db
setup, upto = Path(sys.argv[2]), int(sys.argv[3])
session = Session.attach(sys.argv[1])
each = []
for c in range(upto):
    t0 = time.perf_counter()
    pkg = exchange.read(session, setup / f"county-{c}.stdpkg")  # as the CLI import: read once, plan, apply
    plan = exchange.plan_import(session, pkg)
    result = exchange.apply_import(session, pkg, plan=plan)
    each.append(time.perf_counter() - t0)
    assert result.applied["inserted"] > 0, result.applied
close_db()
print(json.dumps({"each": each}))
"""

ONE_OURS = bg.OURS_HEAD + _RUSAGE + """
from pathlib import Path
from desktop.operations import exchange
from desktop.operations.session import Session
import desktop.exchange.hearings, desktop.exchange.origins, desktop.exchange.reply, desktop.exchange.tombstones  # noqa
session = Session.attach(sys.argv[1])
package = Path(sys.argv[2])
c0, t0 = _cpu(), time.perf_counter()
pkg = exchange.read(session, package)
plan = exchange.plan_import(session, pkg)
result = exchange.apply_import(session, pkg, plan=plan)
seconds, cpu = time.perf_counter() - t0, _cpu() - c0
assert result.applied["inserted"] > 0, result.applied
print(json.dumps({"seconds": seconds, "cpu": cpu, "inserted": result.applied["inserted"]}))
"""

BASE_INSERT = """
def insert(c):
    rows = json.loads((setup / f"county-{c}.json").read_text("utf-8"))
    with con:
        con.executemany("INSERT INTO enterprise (uuid, uscc, name, region_code, address, contact, phone, origin, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [r[:7] + [str(c)] + r[8:] for r in rows["enterprises"]])
        con.executemany("INSERT INTO achievement (uuid, enterprise_id, source_id, kind, date, ref, title, level, action, "
                        "rank, body, prize, grade, domain, accepted, note, units, natural_key, origin, created_at, "
                        "updated_at) SELECT ?, e.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
                        "FROM enterprise e WHERE e.uuid = ?",
                        [[r[0]] + r[2:16] + [None if r[16] is None else json.dumps(r[16])] + r[17:18] + [str(c)]
                         + r[19:] + [r[1]] for r in rows["achievements"]])
    return len(rows["achievements"])
"""

FILL_BASE = bg.BASE_HEAD + """
from pathlib import Path
setup, upto = Path(sys.argv[2]), int(sys.argv[3])
""" + BASE_INSERT + """
each = []
for c in range(upto):
    t0 = time.perf_counter()
    insert(c)
    each.append(time.perf_counter() - t0)
con.close()
print(json.dumps({"each": each}))
"""

ONE_BASE = bg.BASE_HEAD + _RUSAGE + """
from pathlib import Path
package = Path(sys.argv[2])
setup, c = package.parent, int(package.stem.split("-")[1])
""" + BASE_INSERT + """
c0, t0 = _cpu(), time.perf_counter()
n = insert(c)  # reading the package's rows is part of it, as reading the package is part of ours
seconds, cpu = time.perf_counter() - t0, _cpu() - c0
print(json.dumps({"seconds": seconds, "cpu": cpu, "inserted": n}))
"""

_SIDE_FILES = ("-wal", "-shm", ".audit-head", ".audit-verified")


def _checkpoint(db: Path) -> None:
    """Fold the WAL into the file so that a copy of the file alone is the whole database."""
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def _copy(src: Path, target: Path) -> None:
    """``src`` (checkpointed) and the signed audit head beside it, in place of whatever ``target`` was."""
    for suffix in ("", *_SIDE_FILES):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, target)
    head = Path(str(src) + ".audit-head")
    if head.exists():
        shutil.copyfile(head, Path(str(target) + ".audit-head"))


IDS = "ordered"  # the global ids of the counties' records (--ids): as this program makes them, or random


def _setup_dir(where: Path, n: int, counties: int, ids: str = "") -> Path:
    ids = ids or IDS
    return where / f"city-{n}-{counties}" if ids == "random" else where / f"city-{n}-{counties}-{ids}"


def _full(where: Path, side: str) -> Path:
    """The city of N-1 counties ``side`` (ours or base) filled, kept for the next run."""
    return where / (f"{side}-before-last.db" if IDS == "random" else f"{side}-before-last-{IDS}.db")


def setup_city(n: int, counties: int, root: Path, where: Path, ids: str = "") -> Path:
    """The county packages and the empty city (made once per ``n``, ``counties`` and ``ids``)."""
    setup = _setup_dir(where, n, counties, ids)
    if not (setup / "city-empty.db").exists() or not (setup / f"county-{counties - 1}.json").exists():
        shutil.rmtree(setup, ignore_errors=True)
        setup.mkdir(parents=True)
        bg._child([sys.executable, "-c", bg.CITY_SETUP, str(setup), str(n), str(counties), ids or IDS,
                   str(Path(__file__).resolve().parent)], root, where)
        for c in range(counties):  # only the packages are needed from here on
            for suffix in ("", *_SIDE_FILES, ".lock"):
                Path(str(setup / f"county-{c}.db") + suffix).unlink(missing_ok=True)
        _checkpoint(setup / "city-empty.db")
    return setup


def measure(n: int, counties: int, repeat: int, root: Path = ROOT, keep: Path | None = None,
            reuse: bool = False) -> dict[str, Any]:
    """The figures of the module docstring, as one row for ``bench_growth.report``; ``reuse``: the
    cities an earlier run filled in ``keep`` are timed again (the program must write the same rows)."""
    if counties < 2:
        raise SystemExit("--counties must be at least 2: the last import is compared with the first")
    where = keep if keep is not None else Path(tempfile.mkdtemp(prefix="bench-city-"))
    where.mkdir(parents=True, exist_ok=True)
    try:
        setup = setup_city(n, counties, root, where)
        work = where / "work.db"
        full = {"ours": _full(where, "ours"), "base": _full(where, "base")}
        fill = {"ours": FILL_OURS, "base": FILL_BASE}
        series: dict[str, list[float]] = {}
        for side in ("ours", "base"):  # the city of N-1 counties, filled one package after another
            kept = where / f"series-{side}-{n}-{counties}{'' if IDS == 'random' else '-' + IDS}.json"
            if reuse and full[side].exists() and kept.exists():  # a city filled by an earlier run
                series[side] = json.loads(kept.read_text())
                continue
            _copy(setup / "city-empty.db", work)
            series[side] = bg._child([sys.executable, "-c", fill[side], str(work), str(setup), str(counties - 1)],
                                     root, where)[2]["each"]
            _checkpoint(work)
            _copy(work, full[side])
            kept.write_text(json.dumps(series[side]))
        one = {"ours": ONE_OURS, "base": ONE_BASE}
        start = {"ours": setup / "city-empty.db", "base": setup / "city-empty.db"}
        runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for _ in range(repeat):
            for which in ("first", "last"):
                for side in ("ours", "base"):
                    city = start[side] if which == "first" else full[side]
                    package = setup / f"county-{0 if which == 'first' else counties - 1}.stdpkg"
                    _copy(city, work)
                    os.sync()  # the copy's writing-back done before the clock, not during the import it times
                    wall, peak, got = bg._child([sys.executable, "-c", one[side], str(work), str(package)], root, where)
                    got["peak_mb"] = peak
                    runs.setdefault((side, which), []).append(got)
                    print(f"  {side:<4} {which:<5} import: {got['seconds']:6.2f} s (cpu {got['cpu']:5.2f} s)  "
                          f"load {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        if keep is None:
            shutil.rmtree(where, ignore_errors=True)

    def best(side: str, which: str, what: str = "seconds") -> float:
        return min(r[what] for r in runs[(side, which)])

    def head_tail(each: list[float]) -> float:
        k = min(5, len(each))
        return statistics.median(each[-k:]) / statistics.median(each[:k])

    detail = {
        "first_s": round(best("ours", "first"), 2), "last_over_first": round(best("ours", "last") / best("ours", "first"), 2),
        "cpu_first_s": round(best("ours", "first", "cpu"), 2),
        "cpu_last_over_first": round(best("ours", "last", "cpu") / best("ours", "first", "cpu"), 2),
        "baseline_first_s": round(best("base", "first"), 2),
        "baseline_last_over_first": round(best("base", "last") / best("base", "first"), 2),
        "baseline_cpu_last_over_first": round(best("base", "last", "cpu") / best("base", "first", "cpu"), 2),
        "series_last5_over_first5": round(head_tail(series["ours"]), 2),
        "baseline_series_last5_over_first5": round(head_tail(series["base"]), 2),
        "counties": counties, "repeat": repeat}
    return {"path": "city", "n": n, "ours": best("ours", "last"), "base": best("base", "last"),
            "ours_mb": max(r["peak_mb"] for (side, _w), rs in runs.items() if side == "ours" for r in rs),
            "base_mb": max(r["peak_mb"] for (side, _w), rs in runs.items() if side == "base" for r in rs),
            "detail": detail}


IDEA_OURS = bg.OURS_HEAD + _RUSAGE + """
import os
from pathlib import Path
from desktop.operations import exchange
from desktop.operations.session import Session
import desktop.exchange.hearings, desktop.exchange.origins, desktop.exchange.reply, desktop.exchange.tombstones  # noqa
idea = json.loads(sys.argv[3])
if idea.get("later_checkpoint"):
    database.execute_sql("PRAGMA wal_autocheckpoint = 0")
if idea.get("synchronous"):  # measured only: weaker than the officer's data may have (DESIGN.md)
    database.execute_sql(f"PRAGMA synchronous = {idea['synchronous']}")
if idea.get("mmap"):  # the city's pages read through memory mapping instead of read calls
    database.execute_sql(f"PRAGMA mmap_size = {int(idea['mmap'])}")
if idea.get("sorted"):  # each chunk written in the order of the global id (the rows then take ids in that order)
    from desktop.exchange import importer
    _rows = importer._insert_rows
    def _by_uuid(t, chunk, ids, hashes):
        return sorted(_rows(t, chunk, ids, hashes), key=lambda r: r[0])
    importer._insert_rows = _by_uuid
session = Session.attach(sys.argv[1])
c0, t0 = _cpu(), time.perf_counter()
pkg = exchange.read(session, Path(sys.argv[2]))
plan = exchange.plan_import(session, pkg)
result = exchange.apply_import(session, pkg, plan=plan)
seconds, cpu = time.perf_counter() - t0, _cpu() - c0
assert result.applied["inserted"] > 0, result.applied
wal = Path(sys.argv[1] + "-wal")
wal_mb = wal.stat().st_size / 2 ** 20 if wal.exists() else 0.0
pages = set()
if idea.get("later_checkpoint") and wal.exists():  # the pages the import wrote, each once (no cache spill)
    import struct
    with open(wal, "rb") as fh:
        size = struct.unpack(">I", fh.read(32)[8:12])[0]
        while len(frame := fh.read(24 + size)) == 24 + size and (page := struct.unpack(">I", frame[:4])[0]):
            pages.add(page)
t1 = time.perf_counter()
database.execute_sql("PRAGMA wal_checkpoint(PASSIVE)")  # after the clock: what the import's commit did at once
later = time.perf_counter() - t1
by_tree = {}
if pages:  # which table or index each written page belongs to (SQLite's dbstat)
    for name, page in database.execute_sql("SELECT name, pageno FROM dbstat"):
        if page in pages:
            by_tree[name] = by_tree.get(name, 0) + 1
print(json.dumps({"seconds": seconds, "cpu": cpu, "later_s": later, "wal_mb": wal_mb, "pages": len(pages),
                  "by_tree": by_tree}))
"""

IDEAS: dict[str, dict[str, Any]] = {
    "as it is": {},
    "checkpoint after the clock": {"later_checkpoint": True},
    "rows sorted by global id": {"sorted": True},
    "pages read through mmap (2 GB)": {"mmap": 2 ** 31},
    "without achievement_ref": {"drop": ["achievement_ref"]},
    "without achievement_source_id": {"drop": ["achievement_source_id"]},
    "without achievement_uuid": {"drop": ["achievement_uuid"]},
    "(origin, source_id) for origin's and source_id's": {
        "drop": ["achievement_origin", "achievement_source_id"],
        "create": ["CREATE INDEX achievement_origin_source_id ON achievement (origin, source_id)"]},
    "synchronous NORMAL (not allowed)": {"synchronous": "normal"},
    "(enterprise_id, source_id) for enterprise_id's and source_id's": {
        "drop": ["achievement_enterprise_id", "achievement_source_id"],
        "create": ["CREATE INDEX achievement_enterprise_id_source_id ON achievement (enterprise_id, source_id)"]},
    "without achievement_ref and achievement_kind": {"drop": ["achievement_ref", "achievement_kind"]},
}


INDEX_COSTS = bg.BASE_HEAD + _RUSAGE + """
from pathlib import Path
package = Path(sys.argv[2])
setup, c = package.parent, int(package.stem.split("-")[1])
rows = json.loads((setup / f"county-{c}.json").read_text("utf-8"))
ents = [r[:7] + [str(c)] + r[8:] for r in rows["enterprises"]]
achs = [[r[0]] + r[2:16] + [None if r[16] is None else json.dumps(r[16])] + r[17:18] + [str(c)] + r[19:] + [r[1]]
        for r in rows["achievements"]]
con.isolation_level = None
con.execute("PRAGMA cache_size = -65536")  # as the import sets it
names = [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'achievement' "
                                   "AND sql IS NOT NULL")]
cpu = {}
for _ in range(int(sys.argv[3])):
    for name in ["(none dropped)", *names, "(all dropped)"]:
        con.execute("BEGIN")
        for d in names if name == "(all dropped)" else [name] if name in names else []:
            con.execute(f'DROP INDEX "{d}"')
        con.executemany("INSERT INTO enterprise (uuid, uscc, name, region_code, address, contact, phone, origin, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ents)
        c0 = _cpu()
        con.executemany("INSERT INTO achievement (uuid, enterprise_id, source_id, kind, date, ref, title, level, action, "
                        "rank, body, prize, grade, domain, accepted, note, units, natural_key, origin, created_at, "
                        "updated_at) SELECT ?, e.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
                        "FROM enterprise e WHERE e.uuid = ?", achs)
        cpu[name] = min(cpu.get(name, 1e9), _cpu() - c0)
        con.execute("ROLLBACK")
print(json.dumps({"cpu": cpu}))
"""


def measure_index_costs(n: int, counties: int, repeat: int, root: Path, keep: Path) -> None:
    """What each index of the achievement table costs the last package's rows: their bare
    ``executemany`` into a copy of the city of N-1 counties, with each index dropped in turn inside a
    transaction rolled back after (fastest CPU time of ``repeat`` rounds)."""
    setup, work, city = _setup_dir(keep, n, counties), keep / "work.db", _full(keep, "ours")
    if not city.exists():
        raise SystemExit(f"no city of {counties - 1} counties in {keep}: run with --keep {keep} first")
    _copy(city, work)
    os.sync()
    cpu = bg._child([sys.executable, "-c", INDEX_COSTS, str(work), str(setup / f"county-{counties - 1}.stdpkg"),
                     str(repeat)], root, keep)[2]["cpu"]
    every = cpu["(none dropped)"]
    print(f"the last package's {n:,} achievement rows into the city of {counties - 1} counties "
          f"(load {os.getloadavg()[0]:.1f}): {every:.2f} s CPU with every index")
    for name, seconds in sorted(cpu.items(), key=lambda x: x[1]):
        what = "all of them cost" if name == "(all dropped)" else "the index costs"
        print(f"  {name:<32} {seconds:6.2f} s  ({what} {every - seconds:5.2f} s)")


def _page_size(db: Path, size: int) -> None:
    """Rewrite ``db`` (a copy) with pages of ``size`` bytes (VACUUM, out of WAL mode and back)."""
    con = sqlite3.connect(db, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = delete")
        con.execute(f"PRAGMA page_size = {int(size)}")
        con.execute("VACUUM")
        con.execute("PRAGMA journal_mode = wal")
    finally:
        con.close()


def measure_ideas(n: int, counties: int, repeat: int, root: Path, keep: Path,
                  page_sizes: tuple[int, ...] = (), only: tuple[str, ...] = ()) -> None:
    """The last import into the city an earlier ``--keep`` run filled, once per idea of ``IDEAS`` in
    turn, ``repeat`` times (the first import too, as it is, with the checkpoint after the clock and
    with each other schema):
    fastest wall and CPU time of each, the WAL the import wrote and the checkpoint it leaves for
    later. An idea that drops or makes an index does so on the copy before the clock; dropping the global
    id's index is no option (the import matches by it), it shows what that one index costs.
    ``page_sizes``: the first and the last import also into copies rewritten with pages of each size
    (a VACUUM of the copy before the clock; the cities were filled with 4,096-byte pages)."""
    setup, work, city = _setup_dir(keep, n, counties), keep / "work.db", _full(keep, "ours")
    if not city.exists():
        raise SystemExit(f"no city of {counties - 1} counties in {keep}: run with --keep {keep} first")
    ideas = {k: v for k, v in IDEAS.items()
             if not only or k in ("as it is", "checkpoint after the clock") or any(w in k for w in only)}
    cases = [("last", name, idea) for name, idea in ideas.items()]
    cases += [("first", "as it is", {}), ("first", "checkpoint after the clock", {"later_checkpoint": True})]
    # a schema without an index (the global id's aside, no option) would be the first import's too
    cases += [("first", name, idea) for name, idea in ideas.items()
              if (idea.get("drop") or idea.get("create")) and "achievement_uuid" not in idea.get("drop", [])]
    for size in page_sizes:
        cases += [("last", f"pages of {size} bytes", {"page_size": size}),
                  ("first", f"pages of {size} bytes", {"page_size": size})]
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for _ in range(repeat):
        for which, name, idea in cases:
            _copy(setup / "city-empty.db" if which == "first" else city, work)
            if idea.get("drop") or idea.get("create"):
                con = sqlite3.connect(work)
                for index in idea.get("drop", []):
                    con.execute(f'DROP INDEX "{index}"')
                for sql in idea.get("create", []):
                    con.execute(sql)
                con.commit()
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                con.close()
            if idea.get("page_size"):
                _page_size(work, idea["page_size"])
            os.sync()
            package = setup / f"county-{0 if which == 'first' else counties - 1}.stdpkg"
            got = bg._child([sys.executable, "-c", IDEA_OURS, str(work), str(package), json.dumps(idea)], root, keep)[2]
            got["load"] = os.getloadavg()[0]
            runs.setdefault((which, name), []).append(got)
            print(f"  {which:<5} {name:<48} {got['seconds']:6.2f} s (cpu {got['cpu']:5.2f} s, WAL {got['wal_mb']:5.1f} MB, "
                  f"checkpoint left {got['later_s']:5.2f} s) load {got['load']:.1f}", flush=True)
    print(f"{'import':<6} {'idea':<48} {'wall':>6} {'cpu':>6} {'/first':>7} {'cpu/first':>9} {'WAL MB':>7} {'later':>6}")
    for (which, name), rs in runs.items():
        wall, cpu = min(r["seconds"] for r in rs), min(r["cpu"] for r in rs)
        firsts = runs.get(("first", name)) or runs[("first", "as it is")]  # the first import with the same idea, if tried
        first, first_cpu = min(r["seconds"] for r in firsts), min(r["cpu"] for r in firsts)
        print(f"{which:<6} {name:<48} {wall:6.2f} {cpu:6.2f} {wall / first:7.2f} {cpu / first_cpu:9.2f} "
              f"{max(r['wal_mb'] for r in rs):7.1f} {min(r['later_s'] for r in rs):6.2f}")
    for which in ("first", "last"):
        trees = runs[(which, "checkpoint after the clock")][-1]["by_tree"]
        total = sum(trees.values()) or 1
        print(f"pages the {which} import wrote ({total}), by table or index: " + ", ".join(
            f"{name} {k} ({100 * k / total:.0f}%)" for name, k in sorted(trees.items(), key=lambda x: -x[1])[:8]))


PG_ARG = """
import sys
from desktop.operations.quick import resolve_db_path
sys.argv[1] = str(resolve_db_path(sys.argv[1]))  # the server database's connection file on this PC
"""
PG_COPY = """
import sys
from pathlib import Path
from desktop.operations.quick import resolve_db_path
from desktop.store import transfer
from desktop.store.db import open_db
open_db(Path(sys.argv[1]), auto_backup=False)  # the copy reads the database open in this process
transfer.copy(Path(sys.argv[1]), resolve_db_path(sys.argv[2]))
"""


def measure_pg(n: int, counties: int, repeat: int, root: Path = ROOT, keep: Path | None = None) -> dict[str, Any]:
    """The same first and last import on a PostgreSQL city (a throwaway server on a unix socket,
    ``tests/conftest_pg.py``, with fsync on): the empty city copied onto it (``migrate-db``), filled
    with packages 1 … N-1, each timed city a copy made by ``CREATE DATABASE … TEMPLATE``."""
    sys.path.insert(0, str(ROOT / "tests"))
    import psycopg
    from conftest_pg import _bin_dir, start_server, stop_server

    bin_dir = _bin_dir()
    if bin_dir is None:
        raise SystemExit("no PostgreSQL server binaries (apt-get install postgresql)")
    where = keep if keep is not None else Path(tempfile.mkdtemp(prefix="bench-city-pg-"))
    where.mkdir(parents=True, exist_ok=True)
    server = start_server(bin_dir, durable=True)

    def sql(statement: str) -> None:
        with psycopg.connect(host=str(server.folder), port=5432, user=server.superuser, dbname="postgres",
                             autocommit=True) as con:
            con.execute(statement)

    try:
        setup = setup_city(n, counties, root, where)
        sql("CREATE DATABASE city_empty")
        bg._child([sys.executable, "-c", PG_COPY, str(setup / "city-empty.db"), server.url("city_empty")], root, where)
        sql("CREATE DATABASE city_fill TEMPLATE city_empty")
        series = bg._child([sys.executable, "-c", PG_ARG + FILL_OURS, server.url("city_fill"), str(setup), str(counties - 1)],
                           root, where)[2]["each"]
        runs: dict[str, list[dict[str, Any]]] = {}
        for _ in range(repeat):
            for which, source in (("first", "city_empty"), ("last", "city_fill")):
                sql("DROP DATABASE IF EXISTS city_work")
                sql(f"CREATE DATABASE city_work TEMPLATE {source}")
                package = setup / f"county-{0 if which == 'first' else counties - 1}.stdpkg"
                got = bg._child([sys.executable, "-c", PG_ARG + ONE_OURS, server.url("city_work"), str(package)], root, where)[2]
                runs.setdefault(which, []).append(got)
                print(f"  pg   {which:<5} import: {got['seconds']:6.2f} s (cpu {got['cpu']:5.2f} s)", flush=True)
    finally:
        stop_server(server)
        if keep is None:
            shutil.rmtree(where, ignore_errors=True)
    first, last = (min(r["seconds"] for r in runs[w]) for w in ("first", "last"))
    k = min(5, len(series))
    return {"first_s": round(first, 2), "last_s": round(last, 2), "last_over_first": round(last / first, 2),
            "cpu_last_over_first": round(min(r["cpu"] for r in runs["last"]) / min(r["cpu"] for r in runs["first"]), 2),
            "series_last5_over_first5": round(statistics.median(series[-k:]) / statistics.median(series[:k]), 2),
            "counties": counties, "n": n, "repeat": repeat}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000, help="achievements per county package")
    ap.add_argument("--counties", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3, help="runs of the first and of the last import")
    ap.add_argument("--keep", type=Path, help="keep the packages and cities here (made once, reused)")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose program is measured")
    ap.add_argument("--reuse", action="store_true", help="time again the cities an earlier run filled in --keep")
    ap.add_argument("--pg", action="store_true", help="the city on a throwaway PostgreSQL server instead")
    ap.add_argument("--ideas", action="store_true", help="the last import of the city kept in --keep, once per idea")
    ap.add_argument("--only", nargs="*", default=[], help="with --ideas: only the ideas whose names hold one of these")
    ap.add_argument("--page-sizes", default="", help="with --ideas: page sizes to try too, e.g. 1024,16384")
    ap.add_argument("--index-costs", action="store_true",
                    help="what each index of the achievement table costs the last package (city kept in --keep)")
    ap.add_argument("--ids", choices=("ordered", "random"), default="ordered",
                    help="the counties' records' global ids: in time order, as this program makes them "
                         "(default), or random, as a program older than 2026-12-04 made them")
    a = ap.parse_args()
    IDS = a.ids
    if a.index_costs:
        if a.keep is None:
            raise SystemExit("--index-costs times the city an earlier run kept: give its --keep DIR")
        measure_index_costs(a.n, a.counties, a.repeat, a.root.resolve(), a.keep.resolve())
        raise SystemExit(0)
    if a.ideas:
        if a.keep is None:
            raise SystemExit("--ideas times the city an earlier run kept: give its --keep DIR")
        measure_ideas(a.n, a.counties, a.repeat, a.root.resolve(), a.keep.resolve(),
                      tuple(int(x) for x in a.page_sizes.split(",") if x), tuple(a.only))
        raise SystemExit(0)
    if a.pg:
        print("city on PostgreSQL", measure_pg(a.n, a.counties, a.repeat, a.root.resolve(),
                                               a.keep.resolve() if a.keep else None))
        raise SystemExit(0)
    row = measure(a.n, a.counties, a.repeat, a.root.resolve(), a.keep.resolve() if a.keep else None, a.reuse)
    bg.report([row], [row])
