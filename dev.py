#!/usr/bin/env python3
"""One entry point for a newcomer: set up a local virtual environment and run StdAward.

    python3 dev.py run [stdaward arguments]   start the program (GUI by default)
    python3 dev.py test [pytest arguments]    run the test suite
    python3 dev.py lint                        ruff and mypy (CI runs them before the tests)
    python3 dev.py layers                      the imports between layers, and any against their order
    python3 dev.py bench                       run the performance benchmarks
    python3 dev.py i18n                        extract, update and compile the message catalogues

The first call creates ``.venv`` beside this file and installs the project with its test extra;
later calls reuse it (reinstalling only when ``pyproject.toml`` changed). Works the same on
Windows (``py dev.py run``) and Linux.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("STDAWARD_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".stdaward-installed"


def _fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_env() -> None:
    if not PY.exists():
        print(f"Creating virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not STAMP.exists() or STAMP.read_text() != _fingerprint():
        print("Installing StdAward and its dependencies ...", flush=True)
        subprocess.check_call([str(PY), "-m", "pip", "install", "-q", "--upgrade", "pip"])
        subprocess.check_call([str(PY), "-m", "pip", "install", "-q", "-e", f"{ROOT}[test,build]"])
        STAMP.write_text(_fingerprint())
    # Compiled catalogues are build products: make them whenever a .po is newer.
    subprocess.check_call([str(PY), str(ROOT / "i18n" / "catalogs.py"), "compile"])


def _workers(rest: list[str]) -> list[str]:
    """pytest-xdist options: one worker per core (at most 4; ``STDAWARD_TEST_WORKERS`` overrides, 1 runs
    in this process), each test module whole on one worker so its module fixtures (a demo office, a
    PostgreSQL server) are built once. None when the caller chose (``-n``, ``-p no:xdist``)."""
    if any(a == "-n" or a.startswith(("-n", "--numprocesses", "--dist")) or a == "no:xdist" for a in rest):
        return []
    n = int(os.environ.get("STDAWARD_TEST_WORKERS") or min(os.cpu_count() or 1, 4))
    return ["-n", str(n), "--dist", "loadfile"] if n > 1 else []


def main(argv: list[str]) -> int:
    verb, rest = (argv[0], argv[1:]) if argv else ("run", [])
    ensure_env()
    if verb == "run":
        return subprocess.call([str(PY), "-m", "desktop", *rest], cwd=ROOT)
    if verb == "test":
        return subprocess.call([str(PY), "-m", "pytest", *_workers(rest), *rest], cwd=ROOT)
    if verb == "lint":
        rc = subprocess.call([str(BIN / "ruff"), "check", "desktop", "tests", "benchmarks", "i18n", "build_spec", "dev.py"],
                             cwd=ROOT)
        return subprocess.call([str(BIN / "mypy")], cwd=ROOT) or rc
    if verb == "layers":
        return subprocess.call([str(PY), str(ROOT / "tests" / "layering.py")], cwd=ROOT)
    if verb == "bench":
        return subprocess.call([str(PY), str(ROOT / "benchmarks" / "bench.py"), *rest], cwd=ROOT)
    if verb == "i18n":
        return subprocess.call([str(PY), str(ROOT / "i18n" / "catalogs.py"), *(rest or ["all"])])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
