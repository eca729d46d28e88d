#!/usr/bin/env bash
# The Linux check of the Windows build: build the one-folder program from build_spec/stdaward.spec,
# run the frozen `stdaward-cli --self-test` offscreen, print the folder size and build time.
#
#   build_spec/build_linux_check.sh            (from anywhere; uses the repository's .venv)
#   build_spec/build_linux_check.sh --json
#
# Needs PyInstaller in the venv (`.venv/bin/pip install -e .[build]`) and Qt's system libraries
# (.ci/run installs them). Exit 0 when the build, the frozen self-test and the 200 MB budget pass.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${STDAWARD_PYTHON:-.venv/bin/python}"
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "PyInstaller is not installed: $PY -m pip install -e '.[build]'" >&2
  exit 1
fi
export QT_QPA_PLATFORM=offscreen
exec "$PY" build_spec/build.py "$@"
