"""Load benchmark: ``stdaward load FILE.json`` end to end (the real command line, a child process) at
10⁴ and 10⁵ achievements (10⁶ with ``--million``: minutes), against a baseline in the same run: a
child process inserting the same rows with ``sqlite3.executemany`` into the same schema (same
indexes, same pragmas), one transaction. Ours and the baseline alternate run by run; each figure is
the fastest of the runs, with the child's peak memory (``getrusage``) and the growth from one size to
the next (10× the records should cost about 10× the time). Bar: ≤ 4× the baseline.

The baseline is streamed where ours is: ``stdaward load`` reads the file a record at a time (the
standard library's C decoder over a 1 MB window, ``desktop.exchange.jsonstream``), so the baseline
does the same (the same technique, written out in its script) and inserts batches of 1,000 rows: the
comparison is of what the program does per record beyond reading it (validation, the checks against
the database, the duplicate key, the audit digests), not of one document parsed whole (which cost
both 1.4 GB at 10⁶ before the load was streamed).

``--xlsx``: the same records in the import template's workbook (``企业`` and ``成果`` sheets),
``stdaward load FILE.xlsx`` (what the window's Excel import runs: ``records.load_workbook``, in a
worker) against openpyxl's read-only rows ``executemany``-d. A workbook to load is limited to 200,000
rows a sheet and 64 MB (README "Limits"), so 10⁶ is refused by design.

    .venv/bin/python benchmarks/bench.py load
    .venv/bin/python benchmarks/bench_load.py [--million] [--runs N] [--root DIR] [--backups] [--xlsx]

Figures of 2026-12-03 (2-core machine, quiet at the time; the ratio is of the same run):
load JSON 10⁵ 13.9 s 79 MB, streamed baseline 3.9 s 35 MB, 3.53× (before streaming: 12.7 s 189 MB,
3.20× the same baseline); 10⁶ 152.9 s 191 MB, baseline 54.2 s 36 MB, 2.82×, growth ×11.0 (baseline
×13.8) (before: 1,454 MB; timed then on a loaded machine only); load xlsx 10⁵ 52.4 s 105 MB,
baseline 38.4 s 47 MB, 1.36× (before: 233 MB, timed on a loaded machine).
``bench_load.py --sizes 100000 1000000 --runs 1`` and ``--xlsx --sizes 100000 --runs 1``.

``--root DIR`` runs the ``stdaward`` of another checkout (e.g. an older commit unpacked with
``git archive``) on the same files, for before/after figures.
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
from collections.abc import Iterator
from pathlib import Path

from bench import Figure, wait_sampled

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10_000, 100_000)
N_ENT = 2_000
LEVELS = ("national", "industry", "local", "group")

BASELINE = r"""
import json, re, sqlite3, sys, uuid
from itertools import islice
key = json.JSONEncoder(ensure_ascii=False).encode  # the identity as a JSON array, as ours (its index reads it)
def records(path, key):  # the records of one list, a record at a time from a 1 MB window (as ours reads)
    scan, ws = json.JSONDecoder().scan_once, re.compile(r"[ \t\n\r]*").match
    with open(path, encoding="utf-8") as f:
        buf, i = f.read(1 << 20), 0
        i = buf.index(f'"{key}"') + len(key) + 2
        i = buf.index("[", i) + 1
        while True:
            i = ws(buf, i).end()
            try:
                val, end = scan(buf, i)
                j = ws(buf, end).end()
                if j >= len(buf):
                    raise ValueError
            except (StopIteration, ValueError):
                more = f.read(1 << 20)
                if not more:
                    raise
                buf, i = buf[i:] + more, 0
                continue
            yield val
            if buf[j] == "]":
                return
            i = j + 1
con = sqlite3.connect(sys.argv[1])
for pragma in ("journal_mode = wal", "synchronous = full", "foreign_keys = 1"):
    con.execute(f"PRAGMA {pragma}")
stamp = "2026-12-02 00:00:00"
ents = [(str(uuid.uuid4()), e["uscc"], e["name"], e.get("region"), stamp, stamp)
        for e in records(sys.argv[2], "enterprises")]
with con:
    con.executemany("INSERT INTO enterprise (uuid, uscc, name, region_code, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)", ents)
    ids = dict(con.execute("SELECT uscc, id FROM enterprise"))
    achs = records(sys.argv[2], "achievements")
    while batch := list(islice(achs, 1000)):
        con.executemany(
            "INSERT INTO achievement (uuid, source_id, enterprise_id, kind, date, ref, title, level, action, rank, "
            "natural_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(str(uuid.uuid4()), a["id"], ids[a["enterprise"]], a["kind"], a["date"], a["ref"], a.get("title"),
              a["level"], a["action"], a["rank"], key([a["enterprise"], a["kind"], a["ref"], a["action"]]), stamp, stamp)
             for a in batch])
con.close()
"""

BASELINE_XLSX = r"""
import json, sqlite3, sys, uuid
from itertools import islice
from openpyxl import load_workbook
key = json.JSONEncoder(ensure_ascii=False).encode  # the identity as a JSON array, as ours (its index reads it)
wb = load_workbook(sys.argv[2], read_only=True, data_only=True)
con = sqlite3.connect(sys.argv[1])
for pragma in ("journal_mode = wal", "synchronous = full", "foreign_keys = 1"):
    con.execute(f"PRAGMA {pragma}")
stamp = "2026-12-02 00:00:00"
ents = [(str(uuid.uuid4()), r[0], r[1], r[2], stamp, stamp) for r in wb["企业"].iter_rows(min_row=3, values_only=True)]
with con:
    con.executemany("INSERT INTO enterprise (uuid, uscc, name, region_code, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)", ents)
    ids = dict(con.execute("SELECT uscc, id FROM enterprise"))
    rows = wb["成果"].iter_rows(min_row=3, values_only=True)
    while batch := list(islice(rows, 1000)):
        con.executemany(
            "INSERT INTO achievement (uuid, source_id, enterprise_id, kind, date, ref, title, level, action, rank, "
            "natural_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(str(uuid.uuid4()), r[0], ids[r[1]], r[2], str(r[3])[:10], r[4], r[5], r[6], r[7], r[8],
              key([r[1], r[2], r[4], r[7]]), stamp, stamp) for r in batch])
con.close()
"""


def _uscc(n: int) -> str:
    from stdnum.cn import uscc

    body = f"91350302MA{n:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def _records(n: int) -> tuple[list[dict], Iterator[dict]]:
    """``n`` valid standards of ``N_ENT`` enterprises (fewer for small n): the enterprises, and the
    achievements one at a time (the benchmark itself stays small, so a child's figures are its own)."""
    n_ent = min(N_ENT, max(1, n // 5))
    ents = [{"uscc": _uscc(i), "name": f"莆田市第{i}号鞋业有限公司", "region": "350302"} for i in range(n_ent)]
    achs = ({"id": f"A{i}", "enterprise": ents[i % n_ent]["uscc"], "kind": "standard",
             "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", "ref": f"GB/T {100000 + i}-2024",
             "title": f"鞋类产品标准第{i}号", "level": LEVELS[i % 4], "action": ("formulate", "revise")[i % 2],
             "rank": 1 + i % 5} for i in range(n))
    return ents, achs


def write_file(path: Path, n: int) -> Path:
    """The records of ``_records`` in the load format, written a record at a time."""
    ents, achs = _records(n)
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"enterprises": ' + json.dumps(ents, ensure_ascii=False) + ', "achievements": [')
        for i, a in enumerate(achs):
            f.write((", " if i else "") + json.dumps(a, ensure_ascii=False))
        f.write("]}")
    return path


def write_workbook(path: Path, n: int) -> Path:
    """The same records in the import template's two sheets (labels on row 1, the example row 2)."""
    from openpyxl import Workbook

    ents, achs = _records(n)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("企业")
    ws.append(["统一社会信用代码", "企业名称", "行政区划代码"])
    ws.append(["示例：91350302MA2Y0KXQ4Q", "示例", "350302"])
    for e in ents:
        ws.append([e["uscc"], e["name"], e["region"]])
    ws = wb.create_sheet("成果")
    ws.append(["id", "enterprise", "kind", "date", "ref", "title", "level", "action", "rank"])
    ws.append(["示例：A-001", None, None, None, None, None, None, None, None])
    for a in achs:
        ws.append([a["id"], a["enterprise"], a["kind"], a["date"], a["ref"], a["title"], a["level"], a["action"],
                   a["rank"]])
    wb.save(path)
    return path


def _template(root: Path, tmp: Path) -> Path:
    """An empty office database made by the program under test (its schema, indexes, triggers)."""
    db = tmp / "template.db"
    _child([sys.executable, "-m", "desktop.cli", "list", "enterprises", "--db", str(db)], root, tmp)
    shutil.rmtree(tmp / "data" / "backups", ignore_errors=True)
    return db


def _fresh(template: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".audit-head"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(template, target)


def _child(cmd: list[str], root: Path, tmp: Path) -> tuple[float, float]:
    """Run ``cmd`` to the end: (seconds, peak resident MB of that child: ``bench.wait_sampled``)."""
    env = {**os.environ, "PYTHONPATH": str(root), "STDAWARD_DATA": str(tmp / "data"), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("STDAWARD_USER", None)
    with open(tmp / "child.out", "wb") as out, open(tmp / "child.err", "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=err)
        status, peak = wait_sampled(proc.pid)
        seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd[:4])} failed ({proc.returncode}): "
                           f"{(tmp / 'child.err').read_text('utf-8', 'replace')[-2000:]}")
    return seconds, peak


def measure(sizes: tuple[int, ...], runs: int, root: Path = ROOT, backups: bool = False,
            xlsx: bool = False, show: bool = False) -> list[dict[str, float]]:
    """Each size's figures (printed as each is done when ``show``: a 10⁶ run takes a while)."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        template = _template(root, tmp)
        db = tmp / "office.db"
        rows = []
        for n in sizes:
            file = (write_workbook(tmp / f"load-{n}.xlsx", n) if xlsx else write_file(tmp / f"load-{n}.json", n))
            ours, base = [], []
            for _ in range(runs):  # alternating, so a busy moment of the machine hits both alike
                _fresh(template, db)
                ours.append(_child([sys.executable, "-m", "desktop.cli", "load", str(file), "--db", str(db)],
                                   root, tmp))
                _fresh(template, db)
                base.append(_child([sys.executable, "-c", BASELINE_XLSX if xlsx else BASELINE, str(db), str(file)],
                                   root, tmp))
            if not backups:
                file.unlink()
            rows.append({"n": n, "xlsx": xlsx, "ours": min(t for t, _m in ours), "ours_mb": max(m for _t, m in ours),
                         "base": min(t for t, _m in base), "base_mb": max(m for _t, m in base)})
            if show:
                report(rows[-1:], rows[-2] if len(rows) > 1 else None)
        if backups:  # on the largest database loaded by the program: the copy read back quickly, or in full
            _fresh(template, db)
            _child([sys.executable, "-m", "desktop.cli", "load", str(file), "--db", str(db)], root, tmp)
            quick: list[float] = []
            full: list[float] = []
            for i in range(runs):
                for flags, times in (((), quick), (("--full-check",), full)):
                    out = tmp / f"copy-{i}-{len(flags)}.db"
                    times.append(_child([sys.executable, "-m", "desktop.cli", "backup", *flags, "--out", str(out),
                                         "--db", str(db)], root, tmp)[0])
                    out.unlink()
            print(f"backup of {sizes[-1]:,} achievements ({db.stat().st_size / 1e6:.0f} MB): quick check "
                  f"{min(quick):.2f} s | full integrity check {min(full):.2f} s", flush=True)
        return rows
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(rows: list[dict[str, float]], prev: dict[str, float] | None = None) -> None:
    for r in rows:
        growth = "" if prev is None else (f" | growth ×{r['ours'] / prev['ours']:.1f} "
                                          f"(baseline ×{r['base'] / prev['base']:.1f}) for ×{r['n'] / prev['n']:.0f} records")
        print(f"load{' xlsx' if r.get('xlsx') else ''} {r['n']:>9,}: {r['ours']:7.2f} s {r['ours_mb']:6.0f} MB | baseline {r['base']:6.2f} s "
              f"{r['base_mb']:5.0f} MB | ratio {r['ours'] / r['base']:.2f}×{growth}", flush=True)
        prev = r


def run() -> list[Figure]:
    rows = measure(SIZES, runs=3)
    report(rows)
    return [Figure(f"stdaward load of {r['n']:,} achievements (end to end, {r['ours_mb']:.0f} MB peak)", r["ours"],
                   "the same rows streamed + sqlite3.executemany", r["base"], bar_ratio=4.0) for r in rows]


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--million", action="store_true", help="also 10⁶ achievements (slow)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose stdaward is measured")
    ap.add_argument("--sizes", type=int, nargs="*", help="sizes instead of 10⁴ and 10⁵")
    ap.add_argument("--backups", action="store_true", help="also time 'stdaward backup' with and without --full-check")
    ap.add_argument("--xlsx", action="store_true", help="the records in the import template's workbook instead")
    a = ap.parse_args()
    sizes = tuple(a.sizes) if a.sizes else SIZES + ((1_000_000,) if a.million else ())
    measure(sizes, a.runs, a.root.resolve(), a.backups, a.xlsx, show=True)
