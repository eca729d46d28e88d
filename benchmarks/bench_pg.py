"""PostgreSQL against SQLite on the same data, in the same run: ``stdaward load`` of 10⁴ and 10⁵
achievements, then ``stdaward round compute`` of the year, each the real command line in a child
process. The server is a throwaway one on a unix socket of this machine (tests/conftest_pg.py),
fsync on like SQLite's ``synchronous=FULL``. Each figure: seconds (best of ``--runs``), and the ratio
PostgreSQL / SQLite. No bar yet: these are the first figures of the shared store.

    .venv/bin/python benchmarks/bench_pg.py [--runs N] [--sizes 10000,100000]
"""
from __future__ import annotations

import argparse
import os
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


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--sizes", default="10000,100000")
    args = ap.parse_args(argv)
    bin_dir = _bin_dir()
    if bin_dir is None:
        raise SystemExit("no PostgreSQL server binaries (apt-get install postgresql)")
    server = start_server(bin_dir, durable=True)
    try:
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            for n in (int(x) for x in args.sizes.split(",")):
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
                          f"ratio {p / s:4.2f}")
    finally:
        stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
