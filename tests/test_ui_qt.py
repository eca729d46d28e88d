"""The Qt layer itself: a long session of ordinary widget calls must not abort the interpreter
(PySide6 6.12 on Python 3.11 takes a reference to None away on every void call)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

ROOT = Path(__file__).resolve().parents[1]
SESSION = """
from desktop.ui.qt import QApplication, QLabel
app = QApplication([])
label = QLabel()
from desktop.ui.qt import QCheckBox
box = QCheckBox()
for i in range(60_000):  # far more than the references None starts with
    label.setText(str(i))
    label.update()
    box.setChecked(i % 2 == 0)
    box.isChecked()
    app.processEvents()
print("still running", flush=True)
"""


def test_many_widget_calls_do_not_abort_the_program():
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", SESSION], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-400:]
    assert "still running" in done.stdout
