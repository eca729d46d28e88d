#!/usr/bin/env python3
"""The performance bars of DESIGN.md, each printed with its ratio to a baseline measured in the
same run on the same data (machines are noisy: never put these thresholds into the test suite).

    python3 dev.py bench              all areas
    python3 dev.py bench compute      only benchmarks/bench_compute.py (likewise notices, import, gui, load)
    python3 dev.py bench growth       each path at 10⁴ and 10⁵: time, peak memory, growth, beside a baseline
    .venv/bin/python benchmarks/bench_growth.py --million    the same up to 10⁶ (minutes)

Each area's ``benchmarks/bench_<area>.py`` has ``run() -> list[Figure]``; the other ``bench_*.py``
(the city's packages, the round screen, the server...) are scripts of their own: see their ``--help``.
"""
from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


@dataclass
class Figure:
    name: str  # what was measured, e.g. "compute 100,000 achievements (putian-chengxiang-2021)"
    seconds: float
    baseline: str  # what it is compared with, e.g. "hand-written dict-lookup loop"
    baseline_seconds: float
    bar_seconds: float | None = None  # absolute bar from DESIGN.md, if any
    bar_ratio: float | None = None  # allowed ratio to the baseline, if any

    @property
    def ratio(self) -> float:
        return self.seconds / self.baseline_seconds if self.baseline_seconds else float("inf")

    @property
    def ok(self) -> bool:
        return ((self.bar_seconds is None or self.seconds <= self.bar_seconds)
                and (self.bar_ratio is None or self.ratio <= self.bar_ratio))


def wait_sampled(pid: int, every: float = 0.02) -> tuple[int, float]:
    """Wait for child ``pid`` to end: (its wait status, its own peak resident MB: ``VmHWM`` read from
    /proc while it runs). Not ``wait4``'s ``ru_maxrss``: Linux carries it across fork and exec, so a
    child of a parent holding 900 MB reports 900 MB whatever it used itself. Sampling misses at most
    the last few milliseconds of its life."""
    import os

    peak = 0.0
    while True:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) / 1024)
        except (OSError, ValueError):
            pass
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, peak or usage.ru_maxrss / 1024  # (no /proc: the carried figure, better than none)
        time.sleep(every)


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Fastest of ``repeat`` runs (the least disturbed by the rest of the machine)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def script(doc: str, run: Callable[[], list[Figure]], usage: str = "") -> None:
    """What ``python benchmarks/bench_<area>.py`` does: ``--help`` prints ``doc`` (and ``usage``,
    the script's own options), anything else runs the area and prints each figure beside its
    baseline."""
    if any(a in ("-h", "--help") for a in sys.argv[1:]):
        print(doc.strip() + (f"\n\n{usage.strip()}" if usage else ""))
        sys.exit(0)
    for f in run():
        print(f"{f.name}: {f.seconds * 1000:,.1f} ms | {f.baseline}: {f.baseline_seconds * 1000:,.1f} ms | "
              f"ratio {f.ratio:.2f}× | {'OK' if f.ok else 'OVER'}", flush=True)


def areas_with_bars() -> list[str]:
    """The areas ``main`` runs: the ``bench_<area>.py`` with a ``run()`` (the others are scripts of
    their own, e.g. ``bench_city.py``, run with their own options)."""
    return sorted(p.stem[6:] for p in HERE.glob("bench_*.py") if "\ndef run(" in p.read_text("utf-8"))


def main(argv: list[str]) -> int:
    known = areas_with_bars()
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip() + "\n\nareas: " + ", ".join(known))
        return 0
    unknown = [a for a in argv if a not in known]
    if unknown:
        print(f"unknown area {', '.join(unknown)}; areas: {', '.join(known)} (the other benchmarks/bench_*.py "
              "are scripts of their own: run them with --help)", file=sys.stderr)
        return 2
    areas = argv or known
    figures: list[Figure] = []
    for area in areas:
        mod = importlib.import_module(f"bench_{area}")
        print(f"== {area}", flush=True)
        for f in mod.run():
            figures.append(f)
            bar = []
            if f.bar_seconds is not None:
                bar.append(f"≤ {f.bar_seconds:g} s")
            if f.bar_ratio is not None:
                bar.append(f"≤ {f.bar_ratio:g}×")
            print(f"  {f.name}: {f.seconds * 1000:,.1f} ms | {f.baseline}: {f.baseline_seconds * 1000:,.1f} ms"
                  f" | ratio {f.ratio:.2f}× | bar {' and '.join(bar) or '-'} | {'OK' if f.ok else 'OVER'}",
                  flush=True)
    over = [f.name for f in figures if not f.ok]
    print(f"\n{len(figures) - len(over)} of {len(figures)} figures within their bars" +
          (f"; over: {', '.join(over)}" if over else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
