"""``--help`` wherever it stands: a developer who types it after the script's argument (to check
what the argument means) gets the use and exit 0, never a benchmark started nor a usage error."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"


@pytest.mark.parametrize(("script", "argv", "use"), [
    ("bench_tombstones.py", ["1", "--help"], "bench_tombstones.py [N]"),  # before: ran the benchmark on 1 record
    ("bench_number_index.py", ["FILLED.db", "-h"], "bench_number_index.py FILLED.db"),  # before: exit 2
])
def test_help_after_the_scripts_argument_answers_with_its_use_and_starts_nothing(script, argv, use):
    out = subprocess.run([sys.executable, str(BENCH / script), *argv], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, (out.stdout, out.stderr)
    assert use in out.stdout and "Traceback" not in out.stderr, (out.stdout, out.stderr)
