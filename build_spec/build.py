#!/usr/bin/env python3
"""Build the one-folder program with ``stdaward.spec``, run its ``--self-test``, print the figures.

    python build_spec/build.py                  build + frozen self-test + size/time (Linux or Windows)
    python build_spec/build.py --installer      … then the Inno Setup installer (Windows)
    python build_spec/build.py --json           the figures as JSON (for the benchmark notes)

Run it with the project's virtual environment (PyInstaller is the ``build`` extra:
``pip install -e .[build]``). The folder lands in ``build_spec/dist/StdAward``, PyInstaller's work
files in ``build_spec/build``. Exit status: 0 when the build, the frozen self-test and the size
budget all pass; 1 otherwise, with the reason on stderr.
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
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = HERE / "stdaward.spec"
DIST = HERE / "dist"
WORK = HERE / "build"
APP_DIR = DIST / "StdAward"
BUDGET_BYTES = 200 * 1000 * 1000  # 200 MB, decimal: the stricter reading
# Inno Setup's unofficial Simplified Chinese messages (not installed with Inno Setup 6)
CHINESE_ISL_URL = ("https://raw.githubusercontent.com/jrsoftware/issrc/main/"
                   "Files/Languages/Unofficial/ChineseSimplified.isl")
CHINESE_ISL = HERE / "ChineseSimplified.isl"


def cli_path(app_dir: Path = APP_DIR) -> Path:
    return app_dir / ("stdaward-cli.exe" if os.name == "nt" else "stdaward-cli")


def folder_size(path: Path) -> tuple[int, int]:
    """(bytes, files) under ``path``; symbolic links count as links, not as their targets."""
    total = count = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            total += os.lstat(os.path.join(root, f)).st_size
            count += 1
    return total, count


def largest(path: Path, n: int = 12) -> list[tuple[int, str]]:
    """The ``n`` biggest files, for seeing what the budget goes on."""
    sizes = []
    for root, _dirs, files in os.walk(path):
        for f in files:
            p = Path(root, f)
            if not p.is_symlink():
                sizes.append((p.stat().st_size, str(p.relative_to(path))))
    return sorted(sizes, reverse=True)[:n]


def pyinstaller(debug: bool = False) -> float:
    """Run PyInstaller on the spec; returns the wall time in seconds."""
    env = dict(os.environ)
    if debug:
        env["STDAWARD_BUILD_DEBUG"] = "1"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(DIST), "--workpath", str(WORK), str(SPEC)],
                   check=True, cwd=ROOT, env=env)
    return time.perf_counter() - start


def self_test(app_dir: Path = APP_DIR) -> tuple[int, str, float]:
    """Run the frozen ``stdaward-cli --self-test`` offscreen, in a throwaway data folder, from a
    directory outside the source tree (so nothing can be picked up from it)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", STDAWARD_DATA=str(Path(tmp) / "data"),
                   PYTHONIOENCODING="utf-8")
        env.pop("STDAWARD_DB", None)
        env.pop("PYTHONPATH", None)
        start = time.perf_counter()
        proc = subprocess.run([str(cli_path(app_dir)), "--self-test"], cwd=tmp, env=env,
                              capture_output=True, text=True, encoding="utf-8", errors="replace",
                              timeout=300)
        return proc.returncode, proc.stdout + proc.stderr, time.perf_counter() - start


def find_iscc() -> Path | None:
    """ISCC.exe from ``ISCC``, PATH or the usual install folders."""
    candidates = [os.environ.get("ISCC"), shutil.which("ISCC"), shutil.which("iscc")]
    for var in ("ProgramFiles(x86)", "ProgramFiles", "LOCALAPPDATA"):
        base = os.environ.get(var)
        if base:
            candidates += [str(Path(base, "Inno Setup 6", "ISCC.exe")),
                           str(Path(base, "Programs", "Inno Setup 6", "ISCC.exe"))]
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    return None


def installer() -> Path:
    """Compile ``stdaward.iss`` (after the folder is built); returns the setup file."""
    iscc = find_iscc()
    if iscc is None:
        raise SystemExit("ISCC.exe not found: install Inno Setup 6 or set ISCC to its path")
    if not CHINESE_ISL.exists():
        print(f"fetching {CHINESE_ISL_URL}")
        tmp = CHINESE_ISL.with_suffix(".part")
        with urllib.request.urlopen(CHINESE_ISL_URL, timeout=60) as resp:  # noqa: S310 - fixed https URL
            tmp.write_bytes(resp.read())
        tmp.replace(CHINESE_ISL)
    subprocess.run([str(iscc), "/Q", str(HERE / "stdaward.iss")], check=True, cwd=HERE)
    sys.path.insert(0, str(HERE))
    from version_info import project_version

    return DIST / f"StdAward-{project_version()}-setup.exe"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--installer", action="store_true", help="also build the Inno Setup installer")
    ap.add_argument("--debug", action="store_true", help="STDAWARD_BUILD_DEBUG=1 build")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--no-build", action="store_true", help="measure and self-test an existing folder")
    args = ap.parse_args(argv)

    build_s = None if args.no_build else pyinstaller(args.debug)
    size, files = folder_size(APP_DIR)
    code, output, test_s = self_test()
    figures = {"build_seconds": None if build_s is None else round(build_s, 1),
               "folder": str(APP_DIR), "bytes": size, "MB": round(size / 1e6, 1),
               "MiB": round(size / 2**20, 1), "files": files, "budget_MB": BUDGET_BYTES // 10**6,
               "self_test_exit": code, "self_test_seconds": round(test_s, 1),
               "self_test_output": output.strip().splitlines(),
               "largest": [{"MB": round(b / 1e6, 1), "file": f} for b, f in largest(APP_DIR)]}
    if args.installer:
        setup = installer()
        figures["installer"] = str(setup)
        figures["installer_MB"] = round(setup.stat().st_size / 1e6, 1)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        print(output.rstrip())
        if build_s is not None:
            print(f"build time: {build_s:.0f} s")
        print(f"folder: {APP_DIR}  {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB), {files} files; "
              f"budget {BUDGET_BYTES / 1e6:.0f} MB")
        for item in figures["largest"]:
            print(f"  {item['MB']:7.1f} MB  {item['file']}")
        if "installer" in figures:
            print(f"installer: {figures['installer']}  {figures['installer_MB']} MB")
    failed = []
    if code != 0:
        failed.append(f"the frozen self-test failed (exit {code})")
    if size > BUDGET_BYTES:
        failed.append(f"the folder is {size / 1e6:.1f} MB, over the {BUDGET_BYTES / 1e6:.0f} MB budget")
    for reason in failed:
        print(f"build check: {reason}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
