"""The round screen at 10⁵ lines (10⁶ with ``--million``): what the UI thread does and what the
window holds, each run in a child process of its own on a copy of one database whose round was
computed beforehand (so its memory is the screen's, not the computation's).

    .venv/bin/python benchmarks/bench_roundsview.py [--million] [--sizes 100000 1000000] [--runs 1]
    .venv/bin/python benchmarks/bench_roundsview.py --root /tmp/old-checkout ...   another checkout

Figures per size (one year of standards of 2,000 enterprises, as ``bench_growth.py`` fills it):
- ``read_s``: reading the round in the worker (not on the UI thread);
- ``show_ms``: the table's reset and first paint on the UI thread;
- ``worst_key_ms``: the slowest keystroke of a search typed on (and cleared);
- ``sort_stall_ms`` / ``sort_s``: sorting by the amount, the enterprise and the achievement
  column, the longest gap between 5 ms ticks of the UI thread while it sorts, and the time until
  the rows are in the new order;
- ``refresh1_ms`` / ``refresh10k_ms``: the UI thread's part of the refresh after another session
  changed 1 and 10,000 lines (read again in the worker: ``reread_s``), the chosen line kept;
- ``held_mb``: the resident size once the round is shown, ``peak_mb``: the child's peak (VmHWM);
- ``ui_cpu_ms``: the UI thread's own CPU time for the show, the slowest keystroke and the refreshes
  (``thread_time``: what the UI thread spent, whatever else the machine runs).
- ``view``: the round screen itself (the main window's rounds view, ``VIEW``, a child of its own on
  a fresh copy), each as [longest gap between 5 ms ticks of the UI thread in ms, seconds until done,
  the UI thread's CPU ms meanwhile (its ticks included)]: ``open`` (the year chosen: the round read
  in the worker and shown), ``keys`` (a search typed on and cleared), ``sorts`` (amount, enterprise,
  achievement), ``refresh1`` / ``refresh10k`` (``view.refresh()`` after another session changed 1 and
  10,000 lines), ``kept`` (the chosen line still chosen), ``peak_mb`` (``--no-view``: not run).
Baseline: one keystroke as a bare substring test over the same lines' title and number.

Figures of 2026-12-03, one run each on the 2-core machine shared with other work (wall times
taken under a load average of 14-24 are several times what the UI thread spends: ``ui_cpu_ms``).

Before (the line dicts, sorted on the UI thread; ``--root`` the previous checkout):
  10⁵: peak 543 MB, held 323 MB; UI-thread CPU: show 165 ms, worst keystroke 151 ms, refresh of 1
       line 72 ms, of 10,000 lines 140 ms, a sort 1,096 ms on the UI thread (wall 0.6-20 s).
  10⁶: peak 4,430 MB, held 2,253 MB, read in the worker 598 s; show 9.9 s, worst keystroke 11.2 s,
       sorts holding the UI thread 36-234 s (loaded machine).
After (lines by column, read a batch at a time, sort built in the background):
  ``--synthetic`` on a quiet moment, 10⁵: show 82 ms, worst keystroke 60 ms, refresh of 1 line 11 ms,
       of 10,000 lines 80 ms, longest UI stall while sorting by amount / enterprise / achievement
       63 / 15 / 62 ms (sorted in 0.08 / 0.05 / 0.63 s), the lines 72 MB, peak 157 MB.
  ``--synthetic``, 10⁶ (the machine busier again): show 770 ms (344 ms CPU), worst keystroke 494 ms
       (276 ms CPU), refresh of 1 line 93 ms, of 10,000 lines 102 ms, sort stalls 267 / 211 / 712 ms
       (sorted in 1.0 / 1.2 / 16 s), the lines 545 MB, held 700 MB, peak 893 MB.
  the database-read run, 10⁵ (load ~20): peak 196 MB, held 170 MB; 10⁶: peak 830 MB, held 648 MB,
       read in the worker 107 s (before: 598 s), show 102 ms, worst keystroke 327 ms, refresh of 1
       line 151 ms, of 10,000 lines 112 ms. Again at 10⁵ on a quieter moment (bare keystroke 15.6 ms,
       the before run's 25.7 ms): read 11.9 s (before 20.3 s), show 220 ms (112 ms CPU), worst
       keystroke 202 ms (85), refresh of 1 line 137 ms (55), of 10,000 lines 244 ms (111), sort
       stalls 117 / 84 / 196 ms (before 573 / 1,525 / 3,027), peak 197 MB. (The UI thread's CPU while
       a sort is built counts this script's own polling loop.)

Round 7 (``--synthetic``, the machine under a load of 4-15: wall times are several times the CPU;
``worker_cpu_s`` is the process's CPU less the UI thread's while a sort is built). Before: the
previous checkout run by this script (``--root``), after: this one (``--no-items`` for the second
10⁶ run):
  sort by the achievement (a text per line), worker CPU: before 0.57 s at 10⁵, 7.88 s at 10⁶
       (13.8× for 10× the lines; wall 8.2 s / 49.8 s, longest UI stall 685 / 2,339 ms); after 0.73 s
       at 10⁵, 5.61 s at 10⁶ (7.7×; wall 3.7 s / 17.0 s, longest stall 354 / 282 ms). The texts are
       dealt into ~1,024 buckets by their GB 18030 code and collated per bucket; no comparison
       object or key per line is held (10⁶ of them cost full garbage collections in the worker,
       which held the UI thread).
  the 公示 dialog's line chooser (built, shown, the last line chosen), same run: a model making the
       rows shown 43 ms (6 ms CPU) at 10⁵, 61 ms (5 ms CPU) at 10⁶; a combo box item per line, as
       before, 23.6 s (4.2 s CPU) at 10⁵, 471 s (43.4 s CPU) at 10⁶.
  memory at 10⁶: the lines 545 → 404 MB (ids and descriptions in chunks), held 700 → 560 MB,
       peak 890 → 622 MB (the sort's keys made in its buckets, its texts read from the chunks).
  worst UI-thread CPU at 10⁶ (show / keystroke / refresh of 10,000 lines): before 352 / 299 / 103 ms,
       after 155 / 278 / 122 ms.

Round 8. The database-read run of the round-7 checkout (``--million``, machine load 8-10 all along):
  10⁵: read in the worker 18.4 s, show 324 ms (65 ms CPU), worst keystroke 345 ms (55 ms CPU; bare
       keystroke 27.2 ms), sort stalls 401 / 277 / 563 ms (sorted in 0.68 / 0.84 / 4.0 s), refresh of
       1 line 159 ms (40), of 10,000 lines 613 ms (183), held 162 MB, peak 182 MB.
  10⁶: read in the worker 357 s, show 867 ms (159 ms CPU), worst keystroke 1,739 ms (352 ms CPU; bare
       keystroke 231 ms), sort stalls 1,382 / 1,265 / 1,704 ms (sorted in 2.9 / 3.9 / 87 s), refresh
       of 1 line 419 ms (131), of 10,000 lines 613 ms (201), held 506 MB, peak 563 MB.
  What the stalls were: while a worker runs Python, each cell a paint asks for (~2,500 a screen)
  waits for the GIL, so a 20 ms paint took 0.5-1 s; and a search ran whole on the UI thread. Now
  a search of more than 20,000 lines runs in a worker once typing pauses (150 ms), in slices of
  4,096 lines, a newer search stopping it at its next slice; the sort's and the search's workers
  step aside while the table paints (``round_model.step_aside``); the UI thread only swaps the new
  order in (a layout change, ~45 ms of CPU at 10⁶ with the repaint).
  ``--synthetic --sizes 1000000 --no-items``, the round-7 checkout then this one, one after the
  other (load 7-8; wall ms, UI-thread CPU ms):
    a keystroke (the search, on the UI thread before; handing it to the worker now), worst:
       before 2,011 ms (289 CPU), after 275 ms (39 CPU); the longest UI stall until a search's lines
       are shown: before 4,649 ms (722 CPU), after 309 ms (worst of seven searches; 45-266 ms the
       others), the search done in 0.03-3.4 s;
    sort stalls by amount / enterprise / achievement: before 703 / 1,062 / 924 ms, after 195 / 204 /
       456 ms (sorted in 2.45 / 3.42 / 46 s before, 1.79 / 1.87 / 32 s after); sorting by amount with
       a search on: before 3,220 ms (595 CPU), after 614 ms (130 CPU, the timer's ticks over 3.9 s
       included); the floor on this machine at that load: a Qt timer beside any Python worker
       misses by ~75 ms (80 ms when the worker only spins);
    refresh of 1 / 10,000 lines: before 1,110 / 1,404 ms (136 / 164 CPU), after 678 / 727 ms (112 /
       117 CPU); the 公示 line chooser 79 → 31 ms; memory unchanged (held 560 MB, peak 622-624 MB).
  The database-read run of this checkout (same command, load 7-9), 10⁵: read 19.2 s, show 244 ms
       (74 CPU), worst search stall 247 ms (81 CPU; bare keystroke 35.6 ms), sort stalls 290 / 168 /
       860 ms (sorted in 0.80 / 0.42 / 3.2 s), refresh of 1 line 223 ms (87), of 10,000 lines 800 ms
       (132); the 公示 dialog from the notices view: its lines read in the worker 24.4 s, the dialog
       opened in 220 ms (87 CPU) on the UI thread, where before the lines were read as dicts on the
       UI thread: 28.8 s (peak 321 MB: those dicts, read for that baseline).
  10⁶ (load ~5, quieter than the round-7 checkout's run: compare its wall figures with care): read
       124 s, show 173 ms (118 CPU), worst search stall 101 ms (bare keystroke 74.5 ms), each search
       done within 0.83 s, sort stalls 125 / 125 / 265 ms (sorted in 0.82 / 0.93 / 22.6 s), refresh
       of 1 line 193 ms (147), of 10,000 lines 332 ms (103), held 506 MB; the 公示 dialog: its lines
       read in the worker 81 s, opened in 126 ms (62 CPU); peak 944 MB (the round's lines and the
       dialog's held at once; the round-7 checkout's run, without the dialog: 563 MB).

Round 20 (2026-12-04). The round screen itself, new here (``view``), found what the model-level
figures never saw: a refresh ran ``rounds.latest`` on the UI thread, which adds the round's money up
over every paying line (75-470 ms at 10⁵, ~1 s at 10⁶), and the pools' committed sums (56 ms at 10⁵);
storing 10,000 changed lines read their texts twice there; a refresh of a few lines in a sorted table
looked for their rows over every row (~100 ms at 10⁶); a full collection in the sort's worker held
the GIL 115 ms at 10⁶. Now the UI thread counts the round's lines on the index (``line_count``), the
worker reads the round, its pools and its 公示 state and works out the changed lines
(``RoundLines.prepare``), the sort's worker also gives each line's rank (rows found by halving), the
workers read, sort and search with the collector paused and step aside while the table paints.
Before: the round-8 checkout (main at 63651ce, ``--root``), after: this one, alternated run by run.
  ``python benchmarks/bench_roundsview.py [--root ...]``, 10⁵, quiet machine (load 1.5-1.8; before,
  after, before; wall ms, UI-thread CPU ms):
    the screen (``view``): opening the round 71-72 → 42 ms, keystrokes ≤ 12 → ≤ 16 ms, sorts ≤ 17 →
       ≤ 14 ms, refresh of 1 line 97-100 ms (137-140 CPU) → 12 ms (20), of 10,000 lines 97-99 ms
       (181-182) → 11 ms (29), the chosen line kept; peak 231 → 234 MB;
    the model: show 45-46 → 33 ms, worst keystroke 18-23 → 17 ms, sort stalls 13-22 / 15-17 / 20-21
       → 13 / 16 / 21 ms, refresh of 1 line 20-21 → 16 ms, of 10,000 lines 52-57 ms (50-52 CPU) →
       16 ms (16 CPU); held 175 → 177 MB; the 公示 dialog opened in 28-29 → 20 ms.
    the final checkout once more (load 4.1): the screen: opening 62 ms, keystrokes ≤ 21 ms, sorts ≤ 21
       ms, refreshes 19 / 27 ms (22 / 36 CPU); the model: worst step 35 ms (the show, 31 CPU),
       refreshes 15 / 16 ms (14 / 16 CPU), sort stalls 15 / 17 / 13 ms.
  10⁶ (``--sizes 1000000``, after; load 1.3-4.6 during the run): the model: read in the worker 37 s,
       show 47 ms (33 CPU), worst keystroke 40 ms, sort stalls 130 / 42 / 83 ms (sorted in 0.47 /
       0.42 / 5.5 s), refresh of 1 line 15 ms, of 10,000 lines 28 ms (19 CPU), held 520 MB, peak
       974 MB (with the 公示 dialog's own reading: ``read_choices``); the screen: opening 161 ms,
       keystrokes ≤ 27 ms, sorts 17 / 18 / 45 ms, refreshes 34 / 22 ms, peak 646 MB.
    the screen alone on one 10⁶ database, before, after, after, before (load 1.8-2.6, then 1.1-2.0):
       opening the round 262 / 274 → 110 / 51 ms, keystrokes ≤ 21 → ≤ 30 / ≤ 14 ms, sorts 15-13 /
       17-22 / 41-43 → 23-11 / 17 / 79-42 ms, refresh of 1 line 1,005 / 1,127 ms (1,398 / 1,540
       CPU) → 78 / 17 ms (242 / 220: the ticks of 11-15 s of reading included), of 10,000 lines
       1,020 / 1,094 ms (1,420 / 1,471) → 43 / 44 ms (225 / 222), the chosen line kept; peak ~630 MB
       both.
  ``--synthetic --no-items`` (load 1.5-1.6), 10⁵ / 10⁶: show 43 / 82 ms (lines made here, not read
       with the collector paused: the first paint's collection scans them), searches ≤ 14 / ≤ 14 ms,
       sort stalls 21 / 14 / 20 and 11 / 16 / 37 ms (sorted in 0.05 / 0.06 / 0.26 and 0.21 / 0.23 /
       2.19 s), refresh of 1 line 9 / 10 ms, of 10,000 lines 12 / 15 ms (made ready beforehand, as
       the worker does), held 135 / 572 MB, peak 150 / 639 MB.
  The 公示 dialog opened from the notices view shares the round screen's lines when it shows that
  round (not measured here: the bench round is not approved); finding a line among more than 20,000
  runs in a worker.

Round 30 (2026-12-04, night). The search texts held in chunks (``HayColumn``) where each line had a
string of its own. ``--sizes 1000000 --runs 1``, before (``--root``: main at a741df4) then after,
one after the other on an idle machine: held 510 → 426 MB, peak 961 → 785 MB (the 公示 dialog's own
reading included), the screen's own run peak 626 → 527 MB; the UI thread unchanged: show 18 / 17 ms,
worst keystroke 17 / 18 ms (45 / 45 CPU), refreshes 19 / 18 and 18 / 17 ms, sort stalls ≤ 48 ms both;
the screen's keystrokes ≤ 15 / ≤ 14 ms. A search's first pass over the chunks cuts each chunk that
holds the text into lines: ~60 ms at 10⁶ for text every line holds (~30 ms with a string per line),
in the worker; a chunk without it is passed over at once.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import bench_growth as G

ROOT = Path(__file__).resolve().parent.parent

# The UI thread's stalls while ``start()`` runs and until ``settled()``: 5 ms ticks of a QTimer, the
# longest gap between two (seconds), the seconds until settled, the UI thread's and the process's CPU
# seconds meanwhile (shared by the child scripts below, each reporting its own units).
TICKED = """
import time
from desktop.ui.qt import QApplication, QElapsedTimer, QEventLoop, QTimer

def ticked(start, settled):
    app = QApplication.instance()
    ticks, clock = [], QElapsedTimer()
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(clock.nsecsElapsed() / 1e9))
    clock.start()
    timer.start()
    ticks.append(0.0)
    c0, p0 = time.thread_time(), time.process_time()
    start()
    ticks.append(clock.nsecsElapsed() / 1e9)
    while not settled():
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    app.processEvents()
    ticks.append(clock.nsecsElapsed() / 1e9)
    timer.stop()
    ui = time.thread_time() - c0
    return max(b - a for a, b in zip(ticks, ticks[1:])), ticks[-1], ui, time.process_time() - p0 - ui
"""

PREPARE = G.OURS_HEAD + """
from desktop.operations import round_work as rounds
rounds.create_round(2025, "putian-chengxiang-2021", "bench")
database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
"""

SCREEN = G.OURS_HEAD + TICKED + """
import inspect
from desktop.operations.session import Session
from desktop.ui.qt import QApplication, QElapsedTimer, QTimer, Qt
from desktop.ui.tablemodel import make_table
from desktop.ui.tasks import TaskRunner
from desktop.ui.views.round_model import LinesProxy, RoundLinesModel, read_round, show_snapshot

def rss_mb():
    return next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmRSS:")) / 1024

app = QApplication.instance() or QApplication([])
runner = TaskRunner()
session = Session.attach(sys.argv[1])
t0 = time.perf_counter()
snap = read_round(session, 2025)  # in the worker
read = time.perf_counter() - t0
n = len(snap.lines)
model = (RoundLinesModel(runner=runner) if "runner" in inspect.signature(RoundLinesModel).parameters
         else RoundLinesModel())
proxy = LinesProxy(model)
view = make_table("bench-round-lines", model=proxy)  # as the round screen makes its table
view.resize(1000, 700)
view.show()
app.processEvents()
t0, c0 = time.perf_counter(), time.thread_time()
model.set_rows(snap.lines)  # on the UI thread: the reset and the first paint
app.processEvents()
show, show_cpu = time.perf_counter() - t0, time.thread_time() - c0
held = rss_mb()
from desktop.ui.qt import QEventLoop

def busy():
    return getattr(model, "sorting", False) or getattr(model, "searching", False)

def stalls(start, cpus):
    # (longest gap between 5 ms ticks of the UI thread, seconds until the model is done); the UI
    # thread's CPU meanwhile into ``cpus`` (it sleeps between events: what it spent, not a polling loop)
    gap, done, ui, _worker = ticked(start, lambda: not busy())
    cpus.append(ui)
    return gap, done

keys, keys_cpu, keys_done = [], [], []
for text in ("鞋", "鞋类", "鞋类产品标准第1", "鞋类产品标准第12345", "gb/t 1", "不存在的文字", ""):
    stall, done = stalls(lambda: proxy.search(text), keys_cpu)  # (searched in the background now)
    keys.append(stall)
    keys_done.append(done)

sorts, sort_cpu = {}, []
for column in (3, 0, 1):  # amount, enterprise, achievement (a text on every line)
    sorts[column] = stalls(lambda: view.sortByColumn(column, Qt.SortOrder.DescendingOrder), sort_cpu)
view.selectRow(n // 2)
kept = view.currentIndex().data()
refresh = {}
for label, where in (("1", f"id = {n // 2 + 1}"), ("10k", f"id % {max(1, n // 10000)} = 3")):
    with database.atomic():  # another session's change (as a recompute or an amount set writes it)
        database.execute_sql("UPDATE award SET explanation = explanation || '（复核）', amount = '12345.00', "
                             f"version = version + 1 WHERE {where}")
    t0 = time.perf_counter()
    again = read_round(session, 2025, None, snap)  # in the worker: the lines that changed are found there
    reread = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.thread_time()
    show_snapshot(model, snap, again)  # on the UI thread: only the changed lines updated, the chosen one kept
    app.processEvents()
    refresh[label] = (time.perf_counter() - t0, len(again.changed or ()), reread, time.thread_time() - c0)
    while busy():
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    snap = again  # what the screen shows now
seconds = max(show, *keys, *(s for s, _d in sorts.values()), *(r[0] for r in refresh.values()))
# the 公示 dialog from the notices view: its line chooser's lines read (in the worker), the dialog built
# and shown (on the UI thread); baseline (10⁵ at most: gigabytes at 10⁶): the lines read as dicts, as before
from types import SimpleNamespace
from desktop.ui.views import publicity as P
publicity = {}
if hasattr(P, "read_choices"):
    t0 = time.perf_counter()
    choice_lines = P.read_choices(session, snap.round.uuid)
    publicity["read_s"] = round(time.perf_counter() - t0, 2)
    ctx = SimpleNamespace(session=session, office=None, tasks=runner, changed=lambda *_a: None)
    t0, c0 = time.perf_counter(), time.thread_time()
    dlg = P.PublicityDialog(ctx, snap.round, choice_lines)
    dlg.show()
    app.processEvents()
    publicity["open_ms"] = [round((time.perf_counter() - t0) * 1000), round((time.thread_time() - c0) * 1000)]
    dlg.close()
    del choice_lines, dlg
if n <= 100_000:
    from desktop.operations import rounds as rops
    t0 = time.perf_counter()
    rops.lines(session, snap.round.uuid)
    publicity["dicts_s"] = round(time.perf_counter() - t0, 2)
extra = {"lines": n, "read_s": round(read, 2), "show_ms": round(show * 1000), "worst_key_ms": round(max(keys) * 1000),
         "key_done_s": round(max(keys_done), 2), "publicity": publicity,
         "sort_stall_ms": {c: round(s * 1000) for c, (s, _d) in sorts.items()},
         "sort_s": {c: round(d, 2) for c, (_s, d) in sorts.items()},
         "refresh1_ms": round(refresh["1"][0] * 1000), "refresh10k_ms": round(refresh["10k"][0] * 1000),
         "changed": [refresh["1"][1], refresh["10k"][1]], "reread_s": round(refresh["10k"][2], 2),
         "kept": view.currentIndex().data() == kept, "held_mb": round(held),
         "ui_cpu_ms": {"show": round(show_cpu * 1000), "worst_key": round(max(keys_cpu) * 1000),
                       "refresh1": round(refresh["1"][3] * 1000), "refresh10k": round(refresh["10k"][3] * 1000),
                       "worst_sort": round(max(sort_cpu) * 1000)}}
"""


# The round screen itself (the main window's rounds view, as an officer opens it): the longest gap
# between 5 ms ticks of the UI thread while the round is read (in the worker) and shown, while a
# search is typed, while it sorts by three columns, and while it refreshes after another session
# changed 1 and 10,000 lines (what the screen runs on the UI thread besides the table: the round's
# figures, pools, 公示 state, totals per enterprise); then the 公示 dialog opened from the notices view.
VIEW = G.OURS_HEAD + TICKED + """
from desktop.store import users
from desktop.ui.app import make_app
from desktop.ui.context import AppContext
from desktop.ui.qt import QApplication, QElapsedTimer, QEventLoop, QTimer, Qt
make_app()
app = QApplication.instance()
ctx = AppContext(sys.argv[1])
ctx.set_user(users.create_user("lin", "林振华", "correct horse", "admin"))
from desktop.ui.mainwindow import MainWindow
win = MainWindow(ctx)
win.resize(1280, 800)
win.show()
app.processEvents()
view = win.show_view("rounds")

def quiet():
    return ctx.tasks.idle and not view.model.sorting and not view.model.searching

def stall(start, settled):
    # (longest gap between 5 ms ticks of the UI thread in ms, seconds until settled, UI-thread CPU ms)
    gap, done, ui, _worker = ticked(start, settled)
    return round(gap * 1000), round(done, 2), round(ui * 1000)

out = {}
out["open"] = stall(lambda: view.year.setValue(2025), lambda: quiet() and view.model.rowCount() > 0)
n = len(view.model.lines)
out["keys"] = [stall(lambda: view.search.setText(t), lambda: quiet() and not view._typing.isActive())
               for t in ("鞋", "鞋类", "鞋类产品标准第1", "不存在的文字", "")]
out["sorts"] = [stall(lambda: view.tableview.sortByColumn(c, Qt.SortOrder.DescendingOrder), quiet) for c in (3, 0, 1)]
view.tableview.selectRow(n // 2)
app.processEvents()
kept = view.selected_line()["achievement"]
for label, where in (("refresh1", f"id = {n // 2 + 1}"), ("refresh10k", f"id % {max(1, n // 10000)} = 3")):
    with database.atomic():  # another session's change (as a recompute or an amount set writes it)
        database.execute_sql("UPDATE award SET explanation = explanation || '（复核）', amount = '12345.00', "
                             f"version = version + 1 WHERE {where}")
    shown = view.snapshot
    out[label] = stall(view.refresh, lambda: quiet() and view.snapshot is not shown)
out["kept"] = view.selected_line()["achievement"] == kept
notices = win.show_view("notices")
notices.refresh()
app.processEvents()
rnd = view.round
i = notices.round_box.findData(rnd.uuid)
if i >= 0:
    notices.round_box.setCurrentIndex(i)
    out["publicity"] = stall(notices.open_publicity, lambda: quiet() and getattr(notices, "publicity_window", None))
    out["publicity_shared"] = notices.publicity_window.lines is view.lines
seconds = max(v[0] for v in (out["open"], *out["keys"], *out["sorts"], out["refresh1"], out["refresh10k"])) / 1000
extra = {"view": out}
"""


# The same UI-thread figures on lines made in memory (no database, no reading: minutes less at 10⁶),
# with the resident size once they are shown. Needs the compact lines (round_data.RoundLines).
SYNTHETIC = TICKED + """
import json, sys, time, uuid
from decimal import Decimal
from desktop.ui.qt import QApplication, QElapsedTimer, QEventLoop, QTimer, Qt
from desktop.ui.tablemodel import make_table
from desktop.ui.tasks import TaskRunner
from desktop.ui.views import round_data as RD
from desktop.ui.views.round_model import LinesProxy, RoundLinesModel

def rss_mb():
    return next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmRSS:")) / 1024

n = int(sys.argv[1])
app = QApplication.instance() or QApplication([])
runner = TaskRunner()
uuids = [str(uuid.uuid4()) for _ in range(n)]

def values(i, note=""):
    rank = 1 + i % 5
    return (i + 1, uuids[i], f"A{i}", f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", f"莆田市第{i % 2000}号鞋业有限公司",
            "91350302MA0000001X", "standard", f"作为第{rank}起草单位制定国家标准《鞋类产品标准第{i}号》（GB/T {100000 + i}-2025）",
            "awarded" if rank < 4 else "not_eligible", "予以奖补" if rank < 4 else "不符合条件",
            Decimal(("300000.00", "210000.00", "150000.00")[rank - 1]) if rank < 4 else None, "r1", "五(二)1", "f1",
            f"国家标准制定 第{rank}位" + note, (), "proposed", 1)

base = rss_mb()
lines = RD.RoundLines()
for i in range(n):
    lines.append(values(i), i)
model = RoundLinesModel(runner=runner)
proxy = LinesProxy(model)
view = make_table("bench-round-lines", model=proxy)
view.resize(1000, 700)
view.show()
app.processEvents()

def timed(fn):
    t0, c0 = time.perf_counter(), time.thread_time()
    fn()
    app.processEvents()
    return round((time.perf_counter() - t0) * 1000), round((time.thread_time() - c0) * 1000)

out = {"n": n, "show_ms": timed(lambda: model.set_rows(lines))}
out["held_mb"] = round(rss_mb())
out["lines_mb"] = round(rss_mb() - base)
out["keys_ms"] = [timed(lambda: proxy.search(t)) for t in ("鞋", "鞋类", "鞋类产品标准第1", "鞋类产品标准第12345",
                                                           "gb/t 1", "不存在的文字", "")]  # (the call: in the background now)
while getattr(model, "searching", False):
    app.processEvents()

def stalls(start):
    gap, done, ui, worker = ticked(start, lambda: not (model.sorting or getattr(model, "searching", False)))
    return {"stall_ms": round(gap * 1000), "done_s": round(done, 2), "ui_cpu_ms": round(ui * 1000),
            "worker_cpu_s": round(worker, 2)}

out["sort"] = {c: stalls(lambda: view.sortByColumn(c, Qt.SortOrder.DescendingOrder)) for c in (3, 0, 1)}
# a search typed a key at a time, each key searched (as a pause in typing does); then sorted with it on
out["search"] = {t: stalls(lambda: proxy.search(t)) for t in ("鞋", "鞋类", "鞋类产品标准第1", "鞋类产品标准第12345",
                                                               "gb/t 1", "不存在的文字", "")}
proxy.search("鞋类产品标准第1")
while getattr(model, "searching", False):
    app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
out["sort_searched"] = stalls(lambda: view.sortByColumn(3, Qt.SortOrder.AscendingOrder))
proxy.search("")
while getattr(model, "searching", False):
    app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
view.selectRow(n // 2)
app.processEvents()
for label, every in (("refresh1_ms", n + 1), ("refresh10k_ms", max(1, n // 10000))):
    changes = [(i, values(i, "（复核）" + label), -i - 1) for i in range(n // 2 % every, n, every)][:10000]
    if hasattr(lines, "prepare"):  # made ready in the worker that read them, as a refresh does
        changes = lines.prepare(changes)
    out[label] = timed(lambda: model.update_lines(changes))
    while model.sorting:
        app.processEvents()
out["peak_mb"] = round(next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM:")) / 1024)

# the 公示 dialog's line chooser (after the peak: the baseline's items take hundreds of MB), as it is
# built now, and as it was: a combo box item per line (the baseline, same run)
from desktop.ui.qt import QComboBox
from desktop.ui.views import publicity as P

def chooser(make):
    t0, c0 = time.perf_counter(), time.thread_time()
    combo = make()
    combo.show()
    app.processEvents()
    combo.setCurrentIndex(combo.count() - 1)  # the officer reaches the last line
    assert combo.currentData() == lines.get(n - 1, "uuid")
    figures = [round((time.perf_counter() - t0) * 1000), round((time.thread_time() - c0) * 1000)]
    combo.close()
    model = combo.model()
    combo.deleteLater()
    if model.parent() is None:
        model.deleteLater()
    app.processEvents()
    return figures

if hasattr(P, "LineChoices"):
    out["chooser_ms"] = chooser(lambda: P.line_combo(P.LineChoices(lines)))

def items():  # (--no-items: not built, ~45 s of CPU and ~8 minutes at 10⁶ on a loaded machine)
    combo = QComboBox()
    for ln in lines:
        combo.addItem(f"{ln['enterprise']} · {ln['what']}", ln["uuid"])
    return combo
if "--no-items" not in sys.argv:
    out["chooser_items_ms"] = chooser(items)
print(json.dumps(out))
"""


def synthetic(sizes: tuple[int, ...], root: Path, items: bool = True) -> None:
    """``SYNTHETIC`` at each size; times as [wall ms, UI-thread CPU ms]."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-roundsview-"))
    try:
        for n in sizes:
            extra = [] if items else ["--no-items"]
            print(G._polled([sys.executable, "-c", SYNTHETIC, str(n), *extra], root, tmp)[2], flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def measure(sizes: tuple[int, ...], runs: int, root: Path, with_view: bool = True) -> list[dict]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-roundsview-"))
    try:
        template = G._template(root, tmp)
        rows = []
        for n in sizes:
            filled = tmp / f"round-{n}.db"
            shutil.copyfile(template, filled)
            G.fill(filled, n, False)
            G._child([sys.executable, "-c", PREPARE + "\nseconds, extra = 0, {}\n" + G.OURS_TAIL, str(filled)],
                     root, tmp)
            db = tmp / "work.db"
            ours, base, views = [], [], []
            for _ in range(runs):
                G._fresh(filled, db)
                ours.append(G._child([sys.executable, "-c", SCREEN + G.OURS_TAIL, str(db)], root, tmp))
                if with_view:
                    G._fresh(filled, db)
                    views.append(G._child([sys.executable, "-c", VIEW + G.OURS_TAIL, str(db)], root, tmp))
                base.append(G._child([sys.executable, "-c", G.BASE_HEAD + G.BASE["roundsview"] + G.OURS_TAIL,
                                      str(db)], root, tmp))
            best = min(ours, key=lambda r: r[2]["seconds"])
            row = {"n": n, "worst_ui_ms": round(best[2]["seconds"] * 1000), "peak_mb": round(max(r[1] for r in ours)),
                   "baseline_key_ms": round(min(r[2]["seconds"] for r in base) * 1000, 1),
                   **{k: v for k, v in best[2].items() if k != "seconds"}}
            if views:
                seen = min(views, key=lambda r: r[2]["seconds"])
                row["view"] = {**seen[2]["view"], "peak_mb": round(seen[1])}
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
        if len(rows) > 1:
            a, b = rows[-2], rows[-1]
            print(json.dumps({"growth": f"{a['n']} -> {b['n']}", **{
                k: round(b[k] / a[k], 1) for k in ("worst_ui_ms", "show_ms", "worst_key_ms", "refresh1_ms",
                                                   "refresh10k_ms", "read_s", "held_mb", "peak_mb") if a[k]}}))
        return rows
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--million", action="store_true", help="also 10⁶ lines (minutes)")
    ap.add_argument("--sizes", type=int, nargs="*", help="sizes instead of 10⁵ (and 10⁶)")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose program is measured")
    ap.add_argument("--no-view", action="store_true", help="without the round screen's own run (VIEW)")
    ap.add_argument("--synthetic", action="store_true", help="the UI thread's figures on lines made in memory")
    ap.add_argument("--no-items", action="store_true", help="--synthetic without the baseline 公示 line chooser "
                    "(a combo box item per line: minutes at 10⁶)")
    a = ap.parse_args()
    if a.synthetic:
        synthetic(tuple(a.sizes) if a.sizes else (100_000, 1_000_000), a.root.resolve(), not a.no_items)
        sys.exit(0)
    measure(tuple(a.sizes) if a.sizes else (100_000,) + ((1_000_000,) if a.million else ()), a.runs, a.root.resolve(),
            not a.no_view)
