"""``python3 dev.py bench``, as a newcomer runs it: every area it names has its bars; the other
benchmark scripts answer ``--help`` with their use, never a traceback."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_the_bench_command_runs_only_areas_with_bars_and_says_which_they_are():
    sys.path.insert(0, str(BENCH))
    try:
        import bench
    finally:
        sys.path.remove(str(BENCH))
    areas = bench.areas_with_bars()
    assert {"compute", "notices", "import", "gui", "load", "growth"} <= set(areas)
    assert "city" not in areas and "roundsview" not in areas  # scripts of their own (no run())
    for area in areas:
        assert "\ndef run(" in (BENCH / f"bench_{area}.py").read_text("utf-8")
    out = _run(str(BENCH / "bench.py"), "--help")
    assert out.returncode == 0 and "areas: " + ", ".join(areas) in out.stdout
    out = _run(str(BENCH / "bench.py"), "city")
    assert out.returncode == 2 and "unknown area city" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("script", sorted(p.name for p in BENCH.glob("bench_*.py")))
def test_every_benchmark_script_answers_help_with_its_use(script):
    out = _run(str(BENCH / script), "--help")
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr and out.stdout.strip()
