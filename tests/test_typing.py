"""desktop/core (money, policies, the engine, the vocabulary) stays clean under ``mypy --strict``.

The core's types are its contract with every layer above it: a policy, an identity, an amount. This
runs the same check as ``python3 dev.py lint`` restricted to the core, with a configuration of its
own so that a looser project setting cannot hide an error here.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STRICT = """[mypy]
python_version = 3.11
strict = True
ignore_missing_imports = True
follow_imports = silent
"""


def test_the_core_layer_is_clean_under_mypy_strict(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    config = tmp_path / "mypy.ini"
    config.write_text(STRICT, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(config), "--cache-dir",
                           str(tmp_path / "cache"), "--no-error-summary", "desktop/core"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == ""
