"""Growth benchmark: each path officers run at 10⁴ and 10⁵ achievements (10⁶ with ``--million``: takes
minutes), each in a child process of its own, printing its time, the child's peak memory
(``getrusage`` via ``wait4``) and the growth factor from one size to the next, beside a baseline
doing the same reads or writes with bare ``sqlite3`` in the same run (ours and the baseline alternate
run by run; each figure is the fastest run, the memory the largest).

    .venv/bin/python benchmarks/bench.py growth                       10⁴ and 10⁵, every path
    .venv/bin/python benchmarks/bench_growth.py --million [--paths consolidate rounds overview]
    .venv/bin/python benchmarks/bench_growth.py --root /tmp/old-checkout ...   the same on another checkout

Paths:
- ``load`` (only when named): ``stdaward load`` end to end, as ``bench_load.py`` times it (the
  baseline streams the file as ours does); ``loadxlsx``: the same records in the import template's
  workbook (what the window's Excel import runs), as ``bench_load.py --xlsx``.
- ``consolidate``: a city of 20 counties, the consolidation report (``build_report``: totals and the
  checks across counties); baseline: the claims check as one bare ``GROUP BY``.
- ``rounds``: one year's round computed and stored (``round_work.create_round``: engine, award lines,
  their events, the audit entry); baseline: reading the same achievements, the engine, and
  ``executemany`` of the award and event rows.
- ``recompute``: that round recomputed after one achievement in ten changed (``round_work.recompute``);
  baseline: reading, the engine, and ``executemany`` of the changed lines and their events.

  Figures of 2026-12-04 for these two, ``--sizes 100000 1000000 --paths rounds recompute --runs 1``, the
  version before (main at 4798514) and this one run alternately in the same minutes (2-core machine
  shared with two others, load 1.2-2.8; each run makes its own fills), 10⁵ → 10⁶:
  rounds before 3.45 → 38.6 s ×11.2 and 2.69 → 34.0 s ×12.6, peak 686 MB; after 2.80 → 30.0 s ×10.7
  and 2.53 → 29.1 s ×11.5, 515 MB (baseline in the same runs ×11.7-12.1, 1.57 GB);
  recompute before 2.77 → 32.8 s ×11.9, 2.61 → 35.1 s ×13.5, 2.50 → 29.4 s ×11.8, 807 MB; after
  2.39 → 26.7 s ×11.2, 2.27 → 27.7 s ×12.2 (a third, 44.6 s, ran beside another's benchmark), 709 MB
  (baseline ×10.1-14.9).
  What was taken out: full collections of Python's cycle collector over the claims the engine holds
  for its duplicate check (35 at 10⁶: 8-10 s against 0.3-0.4 s at 10⁵; now paused for the round), the
  statement journal SQLite moved to a temporary file once a statement's outgrew 64 KiB (at 10⁶ 7.0
  million writes, 14.8 GB, where the database's own are 0.9 million; now kept in memory), reading
  the new round back for its count and total, a copy per held claim of the values repeated from row
  to row. What is left grows as the baseline does: in CPU time, at load 1.6, the round takes 2.4 s at
  10⁵ and 28.5 s at 10⁶ (×11.7; ``getrusage`` of the child): the year read in date order and the award
  lines' achievement index filled in that order are random accesses over tables ten times larger, and
  the lines' digest sorts them by achievement uuid (that query alone 0.31 → 3.8 s of CPU, ×12). A page
  cache of 64 MB for the round changed nothing (29.4-30.9 s without, 30.9-31.8 s with).
- ``roundsview``: the round screen at that size: reading it (in the worker, not counted) and the UI
  thread's part: the table's reset and first paint, each keystroke of a search, and the refresh after
  another officer recomputed the round with one line in ten changed (read again in the worker, the
  changed lines updated in place); the figure is the longest of them; baseline: one keystroke as a
  bare substring test over the same lines' text.

  2026-12-04 (``--sizes 100000 1000000 --paths roundsview --runs 1``, idle machine): the refresh after
  the recompute held the UI thread 2,962 ms at 10⁵ (10,000 lines whose achievement was reworded, each
  set whole there, each making its texts' chunk again); now 28 ms at 10⁵ and 108 ms at 10⁶ (100,000
  lines changed), the lines made ready in the worker (``RoundLines.prepare``). Worst keystroke 30 /
  124 ms; peak 225 MB / 1,147 MB: the child also computes and recomputes the round, as the window's
  own worker would (the screen alone: ``bench_roundsview.py``).
  Later that night: 899 MB at 10⁶ (201 MB at 10⁵; refresh 88 ms, worst keystroke 169 ms on the UI
  thread, this child having no worker: the 10⁶ search's first pass cuts each chunk of search texts
  into lines, ~30 ms more than a string per line). Taken out: of the ~550,000 claims the engine
  keeps for its duplicate check, everything but their id, number and title (the whole records,
  ~250 MB); the recompute's before and after per changed line as a tuple, not two dicts (~25 MB);
  the screen's search texts as a string per line (~85 MB). ``rounds`` 517 → 376 MB, ``recompute``
  710 → 538 MB (``--paths rounds recompute``: 2.68 → 29.8 s ×11.1, 2.51 → 26.5 s ×10.5).
- ``overview``: the overview's background read (targets of the policy in force, the audit chain
  check, the money) refreshed after a change that does not touch the targets (the figure), with the
  very first reading (nothing kept yet), the first reading after the program started again and the
  refresh after an achievement was edited beside it; baseline: one bare scan of the achievements
  (distinct standards) and of the audit entries.
- ``targets``: the targets dashboard's background read (every target's progress and the achievements
  counting toward the target selected first, as the screen shows them) on a database nothing was
  counted in yet (the figure), and again as the next start reads it; baseline: the first target's
  distinct standards counted and its rows read with bare SQL.

- ``export``: ``stdaward export --out FILE`` of the whole office (the package to a stick: written,
  synced, read back and checked, numbered); baseline: the same enterprise and achievement rows read
  with a bare cursor, JSON-encoded into a deflated zip a batch at a time, hashed, and read back.
- ``import``: ``stdaward import`` of that package into an empty city that registered the county's
  key (read and verify once, plan, apply); baseline: ``json.loads`` of the two tables from the zip and
  ``executemany`` into the city's tables.
- ``computejson``: ``stdaward compute --year 2025 --json`` on the database (output to a file);
  baseline: the year's rows read with a bare cursor, one JSON object written per row.
- ``gui``: ``python -m desktop --startup-probe achievements``: the window shown, then the
  achievements view with its table painted; baseline: a bare PySide6 window with a table of the
  same count and first rows.

Memory of the CLI paths is the child's VmHWM sampled from /proc while it runs.

    .venv/bin/python benchmarks/bench_growth.py --million --paths export import computejson gui --runs 1

Figures of 2026-12-03 (2-core shared machine, one run each; the 10⁶ import ran while the machine
was loaded ~8×, so its time is not comparable with the 10⁵ one):
export 10⁵ 5.0 s 76 MB (baseline 3.1 s), 10⁶ 49.5 s 78 MB (×10.0; baseline 26.4 s, ×8.5; was 3.0 GB);
compute --json 10⁵ 3.0 s 134 MB
(was 343 MB), 10⁶ 21.4 s 812 MB (was 1.9 GB; baseline 14.0 s); GUI start with the achievements table
painted 10⁵ 3.3 s 108 MB, 10⁶ 3.0 s 115 MB; import 10⁵ 330 MB, 10⁶ 1,950 MB (the importer's plan
holds every record: not yet streamed); load 10⁵ 3.0×, 10⁶ 2.2× its baseline, 1,454 MB (baseline
1,397 MB: both parse the officer's one JSON document whole).

The import later that day, in CPU time (load 10-17, where wall times say nothing), the CLI's own
calls in one process (``exchange.read``, ``plan_import``, ``apply_import`` of that plan, as
``bench_import.py`` times them), this path's packages and empty city, before and after a large table
was parsed from the package once (set aside on disk as it is checked, the rows to insert set aside
as planned) and the cycle collector paused while rows pass through:
before 10⁵ 9.4-10.1 s, 10⁶ 134.2 s (read 7.8, plan 66.3, write 60.1; 712 MB): ×13.4-14.2;
after 10⁵ 6.9-7.2 s, 10⁶ 81.0 s (read 13.3, plan 38.9, write 28.9; 705 MB): ×11.3-11.7.

- ``city`` (only when named): the city importing county packages (``--counties`` of them, each of
  ``n`` achievements from a county of its own), each end to end as the CLI runs it (read and verify
  once, plan, apply that plan); the figure is the last import, timed on copies of the city as it is
  before it, with the first beside it and their ratio (``last_over_first``: the city must not slow
  as it fills; see ``bench_city.py``); baseline: the same package's enterprise and achievement rows
  ``executemany``-d into the city's indexed tables, its ratio measured the same way.

    .venv/bin/python benchmarks/bench_growth.py --paths city --sizes 20000 --counties 50

Figures of 2026-12-04, evening, 10⁵ → 10⁶, one run each (the load average beside):

    .venv/bin/python benchmarks/bench_growth.py --sizes 100000 1000000 --paths PATHS --runs 1

    export        2.05 → 18.9 s   ×9.2,  79 MB  (baseline ×9.8)              load 1.0-1.6
    import        3.48 → 33.2 s   ×9.5, 689 MB  (baseline ×15.5, 1,862 MB)   load 1.0-1.6
    computejson   1.24 → 9.27 s   ×7.5, 814 MB  (baseline ×10.3)             load 1.0-1.6
    rounds        2.63 → 29.6 s  ×11.3, 517 MB  (baseline ×12.0, 1,567 MB)   load 0.7-1.2
    recompute     2.41 → 26.2 s  ×10.9, 710 MB  (baseline ×10.7, 1,050 MB)   load 0.7-1.2
    overview      0.005 → 0.017 s ×3.2 (its first reading ever 0.22 → 1.33 s)  load 0.9-1.5
    targets       0.233 → 1.339 s ×5.8 (nothing counted yet; next start 0.43 s) load 0.9-1.5
    consolidate   0.593 → 6.11 s ×10.3, 96 MB (baseline ×10.7)                load 0.9-1.5
    load          27.3 → 272 s   ×10.0, 194 MB  (baseline ×8.4)               load 2.5-4.5 (busy)

The same night, later (idle machine; ``compute --json`` now streamed, the engine's kept claims
slimmed, the round screen's search texts in chunks):

    export        2.07 → 20.7 s   ×10.0,  78 MB  (baseline ×10.1)
    import        3.90 → 38.7 s   ×9.9,  687 MB  (baseline ×15.3, 1,862 MB)
    computejson   1.70 → 10.1 s   ×6.0,  389 MB  (was 853 MB; baseline ×8.7)
    rounds        2.68 → 29.8 s  ×11.1,  376 MB  (baseline ×11.5, 1,565 MB)
    recompute     2.51 → 26.5 s  ×10.5,  538 MB  (baseline ×10.9, 1,087 MB)
    roundsview    0.030 → 0.169 s ×5.7,  899 MB  (refresh 26 → 88 ms; the window's own recompute in it)
    overview      0.006 → 0.017 s ×3.1,   99 MB  (its first reading ever 0.25 → 1.49 s)
    targets       0.234 → 1.481 s ×6.3,   65 MB  (nothing counted yet; next start 0.08 → 0.50 s)
    gui           2.49 → 2.45 s   ×1.0,  116 MB
    consolidate   0.698 → 6.67 s  ×9.6,   94 MB  (baseline ×9.7)
    load          7.19 → 80.1 s  ×11.1,  193 MB  (baseline ×15.1; 1.5× it at 10⁶)

(``load``'s peak had read 869 MB for ours and the baseline alike: ``wait4`` carried the size of this
script's own process, which had just written the 10⁶ input, into its children; every child's peak is
now its own ``VmHWM``, ``bench.wait_sampled``.)

Fills are made once per size with bare ``sqlite3`` in a database whose schema the program under test
made; each run works on a fresh copy of it.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import Figure, wait_sampled

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10_000, 100_000)
N_COUNTIES = 20
LEVELS = ("national", "industry", "local", "group")
STAMP = "2025-06-30 12:00:00"


def _uscc(n: int) -> str:
    from stdnum.cn import uscc

    body = f"91350302MA{n:07d}"[:17]
    return body + uscc.calc_check_digit(body)


# ------------------------------------------------------------------------------------------ fills

def _template(root: Path, tmp: Path) -> Path:
    """An empty office database made by the program under test (its schema, indexes, triggers)."""
    db = tmp / "template.db"
    if not db.exists():
        _child([sys.executable, "-m", "desktop.cli", "office", "--name", "莆田市城厢区市场监督管理局", "--region",
                "350302", "--doc-prefix", "城市监", "--policy", "putian-chengxiang-2021", "--db", str(db)], root, tmp)
        shutil.rmtree(tmp / "data", ignore_errors=True)
        for suffix in ("-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    return db


def _standards(n: int, n_ent: int, year: int, counties: bool, offset: int = 0,
               ids: list[str] | None = None) -> tuple[list[tuple], list[tuple]]:
    """``n`` standards of ``n_ent`` enterprises in ``year``; with ``counties`` each enterprise belongs to
    one of the city's counties, every 100th standard is claimed again by another county's enterprise,
    and one in 20 records is a prize (half of them without a ref, named by title). ``ids``: the
    records' global ids, ``n_ent + n`` of them (the enterprises' first); random ones (as a program
    older than 2026-12-04 made them) if not given."""
    import uuid

    given = iter(ids) if ids is not None else None

    def new_id() -> str:
        return next(given) if given is not None else str(uuid.uuid4())

    origins = [str(uuid.UUID(int=c + 1)) for c in range(N_COUNTIES)] if counties else [None]
    ents = [(new_id(), _uscc(offset + i), f"莆田市第{offset + i}号鞋业有限公司", "350302",
             origins[i % len(origins)], STAMP, STAMP) for i in range(n_ent)]
    achs = []
    for i in range(n):
        e = i % n_ent
        num = i - 1 if counties and i % 100 == 1 else i
        ref = f"GB/T {100000 + 100 * offset + num}-{year}"
        date = f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        if counties and i % 20 == 7:
            e = (i + i // 40) % n_ent  # prizes of one title from enterprises of several counties
            ref_or_none = ref if i % 40 == 7 else None
            key = [ents[e][1], "prize", ref_or_none, f"china-innovation/{1 + i % 3}"] if ref_or_none else \
                [ents[e][1], "prize", None, ["china-innovation", str(1 + i % 3), 1], year]
            achs.append((new_id(), f"A{i}", e + 1, "prize", date, ref_or_none, f"鞋类 标准 第{i // 400}号",
                         None, None, 1 + i % 3, "china-innovation", str(1 + i % 3), json.dumps(key, ensure_ascii=False),
                         ents[e][4], STAMP, STAMP))
            continue
        action = ("formulate", "revise")[i % 2]
        key = [ents[e][1], "standard", ref, action]
        achs.append((new_id(), f"A{i}", e + 1, "standard", date, ref, f"鞋类产品标准第{i}号",
                     LEVELS[i % 4], action, 1 + i % 5, None, None, json.dumps(key, ensure_ascii=False), ents[e][4],
                     STAMP, STAMP))
    return ents, achs


def fill(path: Path, n: int, counties: bool) -> None:
    import sqlite3

    ents, achs = _standards(n, min(2_000, max(1, n // 5)), 2025, counties)
    con = sqlite3.connect(path)
    with con:
        _insert(con, ents, achs)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def _insert(con: Any, ents: list[tuple], achs: list[tuple]) -> None:
    """Enterprises, achievements and one audit entry per tenth achievement, with bare ``sqlite3``."""
    con.executemany("INSERT INTO enterprise (uuid, uscc, name, region_code, origin, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", ents)
    con.executemany("INSERT INTO achievement (uuid, source_id, enterprise_id, kind, date, ref, title, level, "
                    "action, rank, prize, grade, natural_key, origin, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", achs)
    con.executemany("INSERT INTO audit_entry (at, user, action, entity, entity_uuid, before, after, prev_hash, "
                    "hash, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    _audit_entries(achs[:len(achs) // 10], con.execute(
                        "SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()))


def _audit_entries(achs: list[tuple], last: tuple | None) -> list[tuple]:
    """One chained audit entry per achievement given (an office whose records were edited one by one:
    the log the overview checks grows with the data)."""
    import datetime as dt

    sys.path.insert(0, str(ROOT))
    from desktop.store.audit import GENESIS, _digest

    at = dt.datetime(2025, 6, 30, 12, 0, 0)
    prev, out = (last[0] if last else GENESIS), []
    for a in achs:
        before, after = {"title": "旧标题"}, {"title": a[6]}
        h = _digest(prev, at, "bench", "update", "achievement", a[0], before, after)
        out.append((str(at), "bench", "update", "achievement", a[0], json.dumps(before, ensure_ascii=False),
                    json.dumps(after, ensure_ascii=False), prev, h, None))
        prev = h
    return out


# --------------------------------------------------------------------------------- child programs

OURS = {
    "consolidate": """
from desktop.exchange.consolidate import build_report
t0 = time.perf_counter()
report = build_report()
seconds = time.perf_counter() - t0
extra = {"findings": len(report.findings)}
""",
    "rounds": """
from desktop.operations import round_work as rounds
t0 = time.perf_counter()
rnd = rounds.create_round(2025, "putian-chengxiang-2021", "bench")
seconds = time.perf_counter() - t0
extra = {"lines": rnd.awards.count()}
""",
    "recompute": """
from desktop.operations import round_work as rounds
rnd = rounds.create_round(2025, "putian-chengxiang-2021", "bench")
with database.atomic():  # the county corrected one record in ten: a lower drafting rank
    database.execute_sql("UPDATE achievement SET rank = rank + 1 WHERE id % 10 = 3")
t0 = time.perf_counter()
rounds.recompute(rnd, "bench")
seconds = time.perf_counter() - t0
extra = {"lines": rnd.awards.count(), "changed": database.execute_sql(
    "SELECT count(*) FROM award_event WHERE before IS NOT NULL").fetchone()[0]}
""",
    "roundsview": """
from desktop.operations import round_work as rounds
from desktop.operations.session import Session
rounds.create_round(2025, "putian-chengxiang-2021", "bench")
from desktop.ui.qt import QApplication
from desktop.ui.tablemodel import make_table
from desktop.ui.views.round_model import LinesProxy, RoundLinesModel, read_round
app = QApplication.instance() or QApplication([])
session = Session.attach(sys.argv[1])
t0 = time.perf_counter()
snap = read_round(session, 2025)  # in the worker
read = time.perf_counter() - t0
model = RoundLinesModel()
proxy = LinesProxy(model)
view = make_table("bench-round-lines", model=proxy)  # as the round screen makes its table
view.resize(1000, 700)
view.show()
app.processEvents()
t0 = time.perf_counter()
model.set_rows(snap.lines)  # on the UI thread: the reset and the first paint
app.processEvents()
show = time.perf_counter() - t0
keys = []
for text in ("鞋", "鞋类", "鞋类产品标准第1", "鞋类产品标准第12345", "gb/t 1", "不存在的文字", ""):
    t0 = time.perf_counter()
    proxy.search(text)
    app.processEvents()
    keys.append(time.perf_counter() - t0)
proxy.search("")
view.selectRow(len(snap.lines) // 2)
with database.atomic():  # the county corrected one record in ten, and another officer recomputed the round
    database.execute_sql("UPDATE achievement SET rank = rank + 1 WHERE id % 10 = 3")
from desktop.store.models import AwardRound
rounds.recompute(AwardRound.get(), "bench2")
from desktop.ui.views.round_model import show_snapshot
t0 = time.perf_counter()
again = read_round(session, 2025, None, snap)  # in the worker: the lines that changed are found there
reread = time.perf_counter() - t0
t0 = time.perf_counter()
show_snapshot(model, snap, again)  # on the UI thread: only the changed lines updated, the chosen one kept
app.processEvents()
refresh = time.perf_counter() - t0
seconds = max(show, refresh, *keys)
extra = {"read_in_worker_s": round(read, 2), "show_ms": round(show * 1000), "worst_keystroke_ms": round(max(keys) * 1000),
         "reread_in_worker_s": round(reread, 2), "refresh_ms": round(refresh * 1000),
         "changed": len(again.changed or ()), "kept_row": view.currentIndex().row(), "lines": len(snap.lines)}
""",
    "overview": """
import datetime as dt
from desktop.operations.session import Session
session = Session.attach(sys.argv[1])
from desktop.ui.views.overview import read_late
from desktop.store import audit, edits, target_counts
from desktop.store.db import close_db
from desktop.store.models import Achievement
from desktop.store.records import to_vocabulary
day = dt.date(2025, 12, 31)
t0 = time.perf_counter()
read_late(session, "putian-chengxiang-2021", day)  # the very first reading: nothing kept yet
first_ever = time.perf_counter() - t0
close_db()  # the program closed and started again (what it kept beside the database stays)
target_counts._KEPT.clear()
open_db(sys.argv[1], auto_backup=False)
session = Session.attach(sys.argv[1])
t0 = time.perf_counter()
late = read_late(session, "putian-chengxiang-2021", day)  # the first reading after that start
first = time.perf_counter() - t0
first_chain = late.chain
with database.atomic():  # a change that does not touch what the targets count (a user's role)
    audit.record("bench", "update", "user", None, {"role": "clerk"}, {"role": "reviewer"})
t0 = time.perf_counter()
late = read_late(session, "putian-chengxiang-2021", day)
seconds = time.perf_counter() - t0
row = Achievement.get_by_id(3)  # an achievement edited as the form does: it leaves one target for another
raw = to_vocabulary(row).to_dict()
raw["level"] = "group" if raw.get("level") != "group" else "national"
edits.save_achievement(raw, "bench", editing=row)
t0 = time.perf_counter()
after = read_late(session, "putian-chengxiang-2021", day)
touched = time.perf_counter() - t0
extra = {"broken": late.chain["broken_at"], "targets": len(late.targets), "first_read_ever_s": round(first_ever, 2),
         "first_read_s": round(first, 2), "first_read_chain_entries_read": first_chain["read"],
         "after_an_achievement_change_s": round(touched, 2), "counts_after_change": after.counts_how}
""",
    "targets": """
import datetime as dt
from desktop.operations import targets
from desktop.operations.session import Session
session = Session.attach(sys.argv[1])
t0 = time.perf_counter()
board = targets.dashboard(session, "putian-chengxiang-2021", dt.date(2025, 12, 31))
first = board.progress[0].id
rows = board.counting.get(first)  # an earlier version read every target's achievements with the board
if rows is None:  # the one the screen selects first, read when it is selected
    rows = targets.counting(session, "putian-chengxiang-2021", first, dt.date(2025, 12, 31)).rows
seconds = time.perf_counter() - t0
extra = {"targets": len(board.progress), "first_target_rows": len(rows)}
try:  # this version keeps the counts beside the database: the next start's board
    from desktop.store import target_counts
except ImportError:
    target_counts = None
if target_counts is not None and hasattr(target_counts, "_KEPT"):
    target_counts._KEPT.clear()
    t0 = time.perf_counter()
    board = targets.dashboard(session, "putian-chengxiang-2021", dt.date(2025, 12, 31))
    targets.counting(session, "putian-chengxiang-2021", first, dt.date(2025, 12, 31))
    extra["next_start_s"] = round(time.perf_counter() - t0, 2)
""",
}
OURS_HEAD = """
import json, sys, time
from desktop.store.db import open_db
from desktop.store.models import database
open_db(sys.argv[1], auto_backup=False)
"""
OURS_TAIL = """
try:  # the program's own peak: Linux carries getrusage's ru_maxrss across exec (the parent's size)
    peak_mb = next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM:")) / 1024
except (OSError, StopIteration):
    peak_mb = None
print(json.dumps({"seconds": seconds, **extra, "peak_mb": peak_mb}))
"""

BASE = {
    "consolidate": """
t0 = time.perf_counter()
rows = con.execute(
    "SELECT kind, json_extract(natural_key, '$[2]') AS k, count(*) FROM achievement WHERE kind IN ('standard', 'prize') "
    "GROUP BY kind, k HAVING count(DISTINCT origin) > 1").fetchall()
seconds = time.perf_counter() - t0
extra = {"groups": len(rows)}
""",
    "rounds": """
from desktop.core.engine import compute
from desktop.core.policies import load_policy
from desktop.store import records
from desktop.store.db import open_db
open_db(sys.argv[1], auto_backup=False)
t0 = time.perf_counter()
achs = records.achievements(year=2025)
ids = dict(con.execute("SELECT uuid, id FROM achievement WHERE date BETWEEN '2025-01-01' AND '2025-12-31'"))
results = compute(load_policy("putian-chengxiang-2021"), achs)
with con:
    rid = con.execute("INSERT INTO award_round (uuid, year, policy_id, policy_hash, status, created_at) "
                      "VALUES ('r', 2025, 'p', 'h', 'draft', ?)", (stamp,)).lastrowid
    con.executemany(
        "INSERT INTO award (uuid, round_id, achievement_id, status, amount, rule, clause, fund, explanation, flags, "
        "decision, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'proposed', ?)",
        [(str(uuid.uuid4()), rid, ids[a.uuid], r.status, None if r.amount is None else format(r.amount, "f"), r.rule,
          r.clause, r.fund, r.explanation, json.dumps(list(r.flags), ensure_ascii=False), stamp)
         for a, r in zip(achs, results)])
    con.execute("INSERT INTO award_event (award_id, user, before, after, amount_before, amount_after, note, at) "
                "SELECT id, 'bench', NULL, status, NULL, amount, 'computed', ? FROM award WHERE round_id = ?",
                (stamp, rid))
seconds = time.perf_counter() - t0
extra = {"lines": len(results)}
""",
    "overview": """
t0 = time.perf_counter()
n = sum(con.execute("SELECT count(DISTINCT ref) FROM achievement").fetchone()
        + con.execute("SELECT count(*), sum(length(hash)) FROM audit_entry").fetchone())
seconds = time.perf_counter() - t0
extra = {"rows": n}
""",
    "targets": """
t0 = time.perf_counter()
n = con.execute("SELECT count(DISTINCT ref) FROM achievement WHERE kind = 'standard' "
                "AND level IN ('international', 'national', 'industry', 'local')").fetchone()[0]
rows = con.execute("SELECT e.name, a.kind, a.ref, a.title, a.date FROM achievement a JOIN enterprise e "
                   "ON e.id = a.enterprise_id WHERE a.kind = 'standard' "
                   "AND a.level IN ('international', 'national', 'industry', 'local') ORDER BY a.date").fetchall()
seconds = time.perf_counter() - t0
extra = {"rows": len(rows), "count": n}
""",
}
BASE["recompute"] = """
from desktop.core.engine import compute
from desktop.core.policies import load_policy
from desktop.store import records
from desktop.operations import round_work as rounds
from desktop.store.db import close_db, open_db
open_db(sys.argv[1], auto_backup=False)
rounds.create_round(2025, "putian-chengxiang-2021", "bench")  # the round as ours has it (not timed)
close_db()
open_db(sys.argv[1], auto_backup=False)
con.execute("UPDATE achievement SET rank = rank + 1 WHERE id % 10 = 3")
con.commit()
t0 = time.perf_counter()
achs = records.achievements(year=2025)
ids = dict(con.execute("SELECT uuid, id FROM achievement WHERE date BETWEEN '2025-01-01' AND '2025-12-31'"))
results = compute(load_policy("putian-chengxiang-2021"), achs)
changed = [(r.status, None if r.amount is None else format(r.amount, "f"), r.rule, r.explanation, ids[a.uuid])
           for a, r in zip(achs, results) if ids[a.uuid] % 10 == 3]
with con:
    con.executemany("UPDATE award SET status = ?, amount = ?, rule = ?, explanation = ? WHERE achievement_id = ?", changed)
    con.executemany("INSERT INTO award_event (award_id, user, before, after, amount_before, amount_after, note, at) "
                    "SELECT id, 'bench', 'awarded', ?, NULL, ?, 'recomputed', ? FROM award WHERE achievement_id = ?",
                    [(c[0], c[1], stamp, c[4]) for c in changed])
seconds = time.perf_counter() - t0
extra = {"changed": len(changed)}
"""
BASE["roundsview"] = """
rows = [r[0].casefold() + "\\n" + (r[1] or "").casefold() for r in con.execute(
    "SELECT a.title, a.ref FROM achievement a WHERE a.date BETWEEN '2025-01-01' AND '2025-12-31'")]
t0 = time.perf_counter()
for text in ("鞋", "鞋类", "鞋类产品标准第1", "鞋类产品标准第12345", "gb/t 1", "不存在的文字"):
    hits = [r for r in rows if text in r]
seconds = (time.perf_counter() - t0) / 6
extra = {"rows": len(rows)}
"""
BASE_HEAD = """
import json, sqlite3, sys, time, uuid
stamp = "2025-12-31 00:00:00"
con = sqlite3.connect(sys.argv[1])
for pragma in ("journal_mode = wal", "synchronous = full", "foreign_keys = 1"):
    con.execute(f"PRAGMA {pragma}")
"""


def _child(cmd: list[str], root: Path, tmp: Path) -> tuple[float, float, dict]:
    """Run ``cmd`` to the end: (wall seconds, peak resident MB of that child, its JSON line or {})."""
    env = {**os.environ, "PYTHONPATH": str(root), "STDAWARD_DATA": str(tmp / "data"), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("STDAWARD_USER", None)
    env.pop("STDAWARD_DB", None)
    with open(tmp / "child.out", "wb") as out, open(tmp / "child.err", "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{' '.join(cmd[:4])} failed: {(tmp / 'child.err').read_text('utf-8', 'replace')[-3000:]}")
    lines = (tmp / "child.out").read_text("utf-8").strip().splitlines()
    last = lines[-1] if lines and lines[-1].startswith("{") else "{}"
    got = json.loads(last)
    peak = got.pop("peak_mb", None)  # the child's VmHWM: wait4's figure includes the parent's (fills) size
    return seconds, peak if peak is not None else usage.ru_maxrss / 1024, got


def _fresh(src: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".audit-head", ".audit-verified", ".target-counts"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, target)


def measure(paths: list[str], sizes: tuple[int, ...], runs: int, root: Path = ROOT, counties_n: int = 10) -> list[dict]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-growth-"))
    try:
        template = _template(root, tmp)
        rows = []
        for n in sizes:
            filled: dict[bool, Path] = {}
            for path in paths:
                if path in ("load", "loadxlsx"):  # bench_load's own children: stdaward load vs streamed executemany
                    import bench_load

                    r = bench_load.measure((n,), runs, root, xlsx=path == "loadxlsx")[0]
                    rows.append({"path": path, "n": n, "ours": r["ours"], "ours_mb": r["ours_mb"], "base": r["base"],
                                 "base_mb": r["base_mb"], "detail": {}})
                    report(rows[-1:], rows)
                    continue
                if path == "city":
                    rows.append(measure_city(n, counties_n, runs, root, tmp))
                    report(rows[-1:], rows)
                    continue
                if path in CLI_PATHS:
                    if False not in filled:
                        filled[False] = tmp / f"fill-{n}-0.db"
                        shutil.copyfile(template, filled[False])
                        fill(filled[False], n, False)
                    rows.append(measure_cli(path, n, runs, root, tmp, filled[False]))
                    report(rows[-1:], rows)
                    continue
                counties = path == "consolidate"
                if counties not in filled:
                    filled[counties] = tmp / f"fill-{n}-{int(counties)}.db"
                    shutil.copyfile(template, filled[counties])
                    fill(filled[counties], n, counties)
                db = tmp / "work.db"
                ours, base = [], []
                for _ in range(runs):
                    _fresh(filled[counties], db)
                    ours.append(_child([sys.executable, "-c", OURS_HEAD + OURS[path] + OURS_TAIL, str(db)], root, tmp))
                    _fresh(filled[counties], db)
                    base.append(_child([sys.executable, "-c", BASE_HEAD + BASE[path] + OURS_TAIL, str(db)], root, tmp))
                row = {"path": path, "n": n, "ours": min(r[2]["seconds"] for r in ours), "ours_mb": max(r[1] for r in ours),
                       "base": min(r[2]["seconds"] for r in base), "base_mb": max(r[1] for r in base),
                       "detail": {k: v for k, v in ours[-1][2].items() if k != "seconds"}}
                rows.append(row)
                report([row], rows)
        return rows
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------- what officers run from the command line
# Each timed in a child process of its own; its peak memory is the child's VmHWM, read from /proc
# while it runs (``_polled``): the CLI's own output stays what the officer sees.

CLI_PATHS = ("export", "import", "computejson", "gui")

COUNTY_CARD = """
import json, sys
from desktop.store.db import close_db, open_db
from desktop.exchange import offices
open_db(sys.argv[1], auto_backup=False)
print(json.dumps(offices.card(), ensure_ascii=False))
close_db()
"""
CITY_TEMPLATE = """
import json, sys
from desktop.store.db import close_db, open_db
from desktop.exchange import offices
from desktop.exchange.package import fingerprint
from desktop.store import office
open_db(sys.argv[1], auto_backup=False)
office.update(name="莆田市市场监督管理局", region_code="350300", doc_prefix="莆市监", role="city", user="bench")
card = json.loads(open(sys.argv[2], encoding="utf-8").read())
offices.register(card, expected_fingerprint=fingerprint(card["public_key"]), user="bench")
close_db()
"""
BASE_EXPORT = BASE_HEAD + """
import hashlib, zipfile
from desktop.exchange.tables import ACHIEVEMENTS, ENTERPRISES
out = sys.argv[2]
enc = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
t0 = time.perf_counter()
digests = {}
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
    for t in (ENTERPRISES, ACHIEVEMENTS):
        h, cur = hashlib.sha256(), con.execute(t.select() + f" ORDER BY {t.alias}.id")
        with zf.open(f"data/{t.name}.json", "w", force_zip64=True) as fh:
            head = ('{"columns":' + enc(list(t.columns)) + ',"rows":[').encode()
            fh.write(head); h.update(head)
            sep = ""
            while rows := cur.fetchmany(5000):
                b = (sep + ",".join(enc(list(r)) for r in rows)).encode()
                fh.write(b); h.update(b); sep = ","
            fh.write(b"]}"); h.update(b"]}")
        digests[t.name] = h.hexdigest()
with zipfile.ZipFile(out) as zf:  # read back and checked, as the program does
    for name, want in digests.items():
        h = hashlib.sha256()
        with zf.open(f"data/{name}.json") as fh:
            while b := fh.read(1 << 20):
                h.update(b)
        assert h.hexdigest() == want
seconds = time.perf_counter() - t0
extra = {}
"""
BASE_IMPORT = BASE_HEAD + """
import zipfile
t0 = time.perf_counter()
with zipfile.ZipFile(sys.argv[2]) as zf:
    ents = json.loads(zf.read("data/enterprises.json"))["rows"]
    with con:
        con.executemany("INSERT INTO enterprise (uuid, uscc, name, region_code, address, contact, phone, origin, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [r[:7] + ["c"] + r[8:] for r in ents])
        del ents
        achs = json.loads(zf.read("data/achievements.json"))["rows"]
        con.executemany("INSERT INTO achievement (uuid, enterprise_id, source_id, kind, date, ref, title, level, action, "
                        "rank, body, prize, grade, domain, accepted, note, units, natural_key, origin, created_at, "
                        "updated_at) SELECT ?, e.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
                        "FROM enterprise e WHERE e.uuid = ?",
                        [[r[0]] + r[2:16] + [None if r[16] is None else json.dumps(r[16])] + r[17:18] + ["c"]
                         + r[19:] + [r[1]] for r in achs])
seconds = time.perf_counter() - t0
extra = {"achievements": len(achs)}
"""
BASE_COMPUTE = BASE_HEAD + """
amounts = {("national", 1): "300000.00", ("industry", 1): "100000.00", ("local", 1): "50000.00"}
enc = json.JSONEncoder(ensure_ascii=False).encode
t0 = time.perf_counter()
out = sys.stdout
out.write("[\\n")
first = True
for sid, level, action, rank in con.execute("SELECT source_id, level, action, rank FROM achievement "
                                            "WHERE date BETWEEN '2025-01-01' AND '2025-12-31' ORDER BY date, id"):
    amount = amounts.get((level, rank))
    out.write(("" if first else ",\\n") + enc({"id": sid, "status": "awarded" if amount else "not_eligible",
                                               "amount": amount, "rule": level, "clause": action,
                                               "explanation": f"{level} {action} {rank}", "flags": []}))
    first = False
out.write("\\n]\\n")
out.flush()
seconds = time.perf_counter() - t0
extra = {}
"""
BASE_GUI = """
import sqlite3, sys, time
from PySide6.QtCore import QAbstractTableModel, QModelIndex
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView
app = QApplication(sys.argv)
con = sqlite3.connect(sys.argv[1])
n = con.execute("SELECT count(*) FROM achievement").fetchone()[0]
first = con.execute("SELECT source_id, title, ref, date FROM achievement ORDER BY date DESC, id DESC LIMIT 200").fetchall()
class Model(QAbstractTableModel):  # the count and the first rows: what the lazy table reads to paint
    def rowCount(self, parent=QModelIndex()): return n
    def columnCount(self, parent=QModelIndex()): return 4
    def data(self, index, role=0):
        return str(first[index.row()][index.column()]) if role == 0 and index.row() < len(first) else None
w = QMainWindow(); view = QTableView(); model = Model(); view.setModel(model); w.setCentralWidget(view)
w.resize(1200, 760); w.show(); w.repaint(); app.processEvents()
print("ready", n, flush=True)
"""


def _polled(cmd: list[str], root: Path, tmp: Path) -> tuple[float, float, str]:
    """Run ``cmd`` to the end: (wall seconds, peak resident MB (VmHWM sampled while it runs), the
    last line of its output). Sampling misses at most the last few milliseconds of its life."""
    env = {**os.environ, "PYTHONPATH": str(root), "STDAWARD_DATA": str(tmp / "data"), "QT_QPA_PLATFORM": "offscreen"}
    for k in ("STDAWARD_USER", "STDAWARD_DB"):
        env.pop(k, None)
    with open(tmp / "child.out", "wb") as out, open(tmp / "child.err", "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=err)
        status, peak = wait_sampled(proc.pid)
        seconds = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{' '.join(cmd[:6])} failed: {(tmp / 'child.err').read_text('utf-8', 'replace')[-3000:]}")
    with open(tmp / "child.out", "rb") as fh:  # the last line only: compute --json writes hundreds of MB
        fh.seek(max(0, fh.seek(0, 2) - 4096))
        tail = fh.read().decode("utf-8", "replace").strip().splitlines()
    return seconds, peak, tail[-1] if tail else ""


def measure_cli(path: str, n: int, runs: int, root: Path, tmp: Path, filled: Path) -> dict:
    """One of ``CLI_PATHS`` at ``n``: ours end to end as an officer runs it, against its bare baseline."""
    py = sys.executable
    db, out = tmp / "work.db", tmp / "out.stdpkg"
    if path == "import":
        _fresh(filled, db)  # the package the import reads, made by the program under test
        for p in tmp.glob("*.stdpkg"):
            p.unlink()
        pkg = tmp / f"county-{n}.stdpkg"
        _polled([py, "-m", "desktop.cli", "export", "--out", str(pkg), "--db", str(db)], root, tmp)
        (tmp / "card.json").write_text(_polled([py, "-c", COUNTY_CARD, str(db)], root, tmp)[2], "utf-8")
        city = tmp / f"city-{n}.db"  # an office of its own (its own key), made by the program under test
        for suffix in ("", "-wal", "-shm", ".audit-head", ".audit-verified"):
            Path(str(city) + suffix).unlink(missing_ok=True)
        _polled([py, "-c", CITY_TEMPLATE, str(city), str(tmp / "card.json")], root, tmp)
    ours, base = [], []
    for _ in range(runs):
        if path == "export":
            _fresh(filled, db)
            out.unlink(missing_ok=True)
            ours.append(_polled([py, "-m", "desktop.cli", "export", "--out", str(out), "--db", str(db)], root, tmp))
            out.unlink(missing_ok=True)
            base.append(_polled([py, "-c", BASE_EXPORT + OURS_TAIL, str(db), str(out)], root, tmp))
        elif path == "import":
            _fresh(city, db)
            ours.append(_polled([py, "-m", "desktop.cli", "import", str(pkg), "--db", str(db)], root, tmp))
            _fresh(city, db)
            base.append(_polled([py, "-c", BASE_IMPORT + OURS_TAIL, str(db), str(pkg)], root, tmp))
        elif path == "computejson":
            _fresh(filled, db)
            ours.append(_polled([py, "-m", "desktop.cli", "compute", "--policy", "putian-chengxiang-2021", "--year",
                                 "2025", "--json", "--db", str(db)], root, tmp))
            base.append(_polled([py, "-c", BASE_COMPUTE, str(db)], root, tmp))
        else:  # gui: the window shown with the achievements table painted, then it quits
            _fresh(filled, db)
            ours.append(_polled([py, "-m", "desktop", "--startup-probe", "achievements", "--db", str(db)], root, tmp))
            if not ours[-1][2].startswith("ready") or f"achievements={n}:" not in ours[-1][2]:
                raise RuntimeError(f"the window did not show the {n} rows: {ours[-1][2]!r}")
            base.append(_polled([py, "-c", BASE_GUI, str(db)], root, tmp))
    best = min(ours, key=lambda r: r[0])
    return {"path": path, "n": n, "ours": best[0], "ours_mb": max(r[1] for r in ours),
            "base": min(r[0] for r in base),
            "base_mb": max(r[1] for r in base), "detail": {"out": best[2][:80]} if path == "gui" else {}}


BURSTS = 10  # the loads a county's records of the city's benchmark arrived in (``CITY_SETUP``, ordered ids)
CITY_SETUP = """
import json, sqlite3, sys
from pathlib import Path
sys.path.insert(0, sys.argv[5])
import bench_growth as bg  # noqa
from desktop.exchange import offices
from desktop.exchange.export import export_package
from desktop.exchange.package import fingerprint
from desktop.store import office
from desktop.store.db import close_db, open_db
tmp, n, counties = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
cards = []
n_ent = min(2_000, max(1, n // 5))
ids = [None] * counties
if sys.argv[4] == "ordered":  # global ids as the program makes them (in time order), the counties
    # entering their records at the same weeks: each county's in BURSTS loads, every county's first
    # load before any county's second, so a county's records lie in BURSTS runs of the city's id index
    from desktop.core.ids import ordered_uuids
    each = [[] for _ in range(counties)]
    for b in range(bg.BURSTS):
        for c in range(counties):
            size = (n_ent + n) * (b + 1) // bg.BURSTS - (n_ent + n) * b // bg.BURSTS
            each[c] += ordered_uuids(size)
    ids = each
for c in range(counties):
    db = tmp / f"county-{c}.db"  # made by the program: an office of its own, with its own key
    open_db(db, auto_backup=False)
    office.update(name=f"第{c}县市场监督管理局", region_code=f"3503{c:02d}", doc_prefix="县监", role="county",
                  user="bench")
    cards.append(offices.card())
    close_db()
    ents, achs = bg._standards(n, n_ent, 2025, False, offset=c * 10_000, ids=ids[c])
    con = sqlite3.connect(db)
    with con:
        bg._insert(con, ents, achs)
    con.close()
    open_db(db, auto_backup=False)
    export_package(tmp / f"county-{c}.stdpkg", user="bench")
    close_db()
city = tmp / "city-empty.db"
open_db(city, auto_backup=False)
office.update(name="莆田市市场监督管理局", region_code="350300", doc_prefix="莆市监", role="city", user="bench")
for card in cards:
    offices.register(card, expected_fingerprint=fingerprint(card["public_key"]), user="bench")
from desktop.exchange.package import read_package
for c in range(counties):  # the rows the baseline inserts, as plain JSON
    pkg = read_package(tmp / f"county-{c}.stdpkg", signer=offices.trust)
    (tmp / f"county-{c}.json").write_text(json.dumps({"enterprises": pkg.rows("enterprises"),
                                                      "achievements": pkg.rows("achievements")}, ensure_ascii=False))
close_db()
"""
def measure_city(n: int, counties: int, runs: int, root: Path, tmp: Path) -> dict:
    """The city's last county package against its first (``bench_city``: each timed ``runs`` times,
    at least 3, on copies of the city as it is before that import; the fastest of each)."""
    import bench_city

    return bench_city.measure(n, counties, max(3, runs), root, keep=tmp / "city")


def report(new: list[dict], rows: list[dict]) -> None:
    for r in new:
        prev = next((p for p in reversed(rows) if p["path"] == r["path"] and p["n"] < r["n"]), None)
        growth = "" if prev is None else (f" | growth ×{r['ours'] / prev['ours']:.1f} (baseline "
                                          f"×{r['base'] / prev['base']:.1f}) for ×{r['n'] / prev['n']:.0f} records")
        print(f"{r['path']:<11} {r['n']:>9,}: {r['ours']:8.3f} s {r['ours_mb']:6.0f} MB | baseline {r['base']:7.3f} s "
              f"{r['base_mb']:5.0f} MB | ratio {r['ours'] / r['base']:.1f}×{growth} | {r['detail']}", flush=True)


def run() -> list[Figure]:
    rows = measure(list(OURS), SIZES, runs=2)
    return [Figure(f"{r['path']} at {r['n']:,} achievements ({r['ours_mb']:.0f} MB peak)", r["ours"],
                   "the same reads/writes in bare sqlite3", r["base"]) for r in rows]


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--million", action="store_true", help="also 10⁶ achievements (minutes)")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--counties", type=int, default=10, help="city: how many county packages it imports")
    ap.add_argument("--paths", nargs="*", choices=sorted([*OURS, *CLI_PATHS, "load", "loadxlsx", "city"]),
                    default=list(OURS), help="paths to time (load: stdaward load end to end, as bench_load.py; "
                                             "loadxlsx: the same of the template's workbook, as bench_load.py --xlsx)")
    ap.add_argument("--sizes", type=int, nargs="*", help="sizes instead of 10⁴ and 10⁵")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose program is measured")
    a = ap.parse_args()
    measure(a.paths, tuple(a.sizes) if a.sizes else SIZES + ((1_000_000,) if a.million else ()), a.runs,
            a.root.resolve(), a.counties)
