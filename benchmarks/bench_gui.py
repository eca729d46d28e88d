"""GUI bars with 100,000 achievements in the database:

- main window usable (shown, first view painted) vs. a bare PySide6 QMainWindow, each started in a
  fresh subprocess (wall clock from launch to "painted"), bar ≤ 1.5×;
- the achievements table's first paint (index read + model + paint), bar ≤ 300 ms;
- filtering per keystroke (filter + repaint of the visible rows), bar ≤ 100 ms.

    python3 benchmarks/bench.py gui
"""
from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench import Figure, best_of

N_ACHIEVEMENTS = 100_000
N_ENTERPRISES = 2_000
ROOT = Path(__file__).resolve().parents[1]

BARE = """
import sys, time
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication(sys.argv)
w = QMainWindow(); w.setCentralWidget(QLabel("StdAward")); w.resize(1200, 760); w.show()
w.repaint(); app.processEvents()
print("ready", flush=True)
"""

OURS = """
import sys
from pathlib import Path
from desktop.ui.app import Startup, make_app
from desktop.ui.context import AppContext
app = make_app()
ctx = AppContext()
st = Startup(ctx, lambda code: app.exit(code))
def check():
    if st.window is not None and st.window.isVisible():
        v = st.window.show_view("achievements")
        st.window.repaint(); app.processEvents()
        print("ready", v.model.total(), flush=True)
        app.exit(0)
    else:
        QTimer.singleShot(1, check)
from desktop.ui.qt import QTimer
st.start(Path(sys.argv[1]))
QTimer.singleShot(0, check)
app.exec()
"""


def build_database(path: Path) -> None:
    """An office database with N enterprises and N achievements, bulk-inserted with executemany."""
    from desktop.store import db, office

    db.open_db(path, auto_backup=False)
    office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监")
    db.close_db()
    from stdnum.cn import uscc

    rnd = random.Random(7)
    now = dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")
    ents = []
    for i in range(N_ENTERPRISES):
        body = f"9135030200{i:07d}"
        code = body + uscc.calc_check_digit(body)
        ents.append((str(uuid.uuid4()), code, f"莆田市城厢区第{i}号标准化示范有限公司", "350302", now, now))
    levels = ("international", "national", "industry", "local", "group")
    rows = []
    for i in range(N_ACHIEVEMENTS):
        ent = rnd.randrange(N_ENTERPRISES) + 1
        d = dt.date(2019, 1, 1) + dt.timedelta(days=rnd.randrange(2500))
        ref = f"GB/T {10000 + i}-{d.year}"
        rows.append((str(uuid.uuid4()), f"B{i:06d}", ent, "standard", d.isoformat(), ref, f"示范标准 第{i}项",
                     rnd.choice(levels), rnd.choice(("formulate", "revise")), rnd.randrange(1, 6),
                     f'["{ent}", "standard", "{ref}", "formulate"]', now, now))
    con = sqlite3.connect(path)
    with con:
        con.executemany("INSERT INTO enterprise (uuid, uscc, name, region_code, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", ents)
        con.executemany("INSERT INTO achievement (uuid, source_id, enterprise_id, kind, date, ref, title, level, "
                        "action, rank, natural_key, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    con.close()


def launch(script: str, *args: str, env: dict) -> float:
    """Seconds from starting a fresh interpreter to its "ready" line."""
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    elapsed = time.perf_counter() - t0
    p.wait(timeout=60)
    if not line.startswith("ready"):
        raise RuntimeError(f"the window did not start: {line!r}")
    return elapsed


def run() -> list[Figure]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="stdaward-bench-gui-"))
    os.environ["STDAWARD_DATA"] = str(tmp / "data")
    path = tmp / "office.db"
    build_database(path)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    figures = []

    bare = min(launch(BARE, env=env) for _ in range(3))
    ours = min(launch(OURS, str(path), env=env) for _ in range(3))
    figures.append(Figure("main window usable, achievements view painted (100,000 rows)", ours,
                          "bare PySide6 QMainWindow start", bare, bar_ratio=1.5))

    from desktop.store import db
    from desktop.ui.app import make_app
    from desktop.ui.qt import QAbstractTableModel, QModelIndex, Qt, QTableView
    from desktop.ui.views.achievement_model import AchievementModel, Filter

    app = make_app()
    db.open_db(path, auto_backup=False)

    class Constant(QAbstractTableModel):
        def rowCount(self, parent=QModelIndex()):  # noqa: N802
            return N_ACHIEVEMENTS

        def columnCount(self, parent=QModelIndex()):  # noqa: N802
            return 10

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            return "GB/T 12345-2024" if role == Qt.ItemDataRole.DisplayRole else None

    def first_paint(make_model):
        view = QTableView()
        view.resize(1200, 700)
        view.setModel(make_model())
        view.show()
        view.repaint()
        app.processEvents()
        view.close()

    def ours_model():
        m = AchievementModel()
        m.reload()
        return m

    base_paint = best_of(lambda: first_paint(Constant))
    paint = best_of(lambda: first_paint(ours_model))
    figures.append(Figure("achievements table first paint (100,000 rows)", paint,
                          "QTableView over a constant 100,000-row model", base_paint, bar_seconds=0.3))

    model = ours_model()
    view = QTableView()
    view.resize(1200, 700)
    view.setModel(model)
    view.show()
    app.processEvents()
    typed = "gb/t 1234"
    texts = model.index_.texts

    def keystrokes() -> float:
        worst = 0.0
        for i in range(1, len(typed) + 1):
            t0 = time.perf_counter()
            model.apply_filter(Filter(text=typed[:i]))
            view.repaint()
            worst = max(worst, time.perf_counter() - t0)
        model.apply_filter(Filter())
        return worst

    per_key = min(keystrokes() for _ in range(3))

    def scan() -> None:
        [t for t in texts if "gb/t" in t]

    figures.append(Figure("filter per keystroke, worst of 'gb/t 1234' (100,000 rows)", per_key,
                          "list comprehension 'in' over the 100,000 search texts", best_of(scan), bar_seconds=0.1))
    view.close()
    db.close_db()
    return figures


if __name__ == "__main__":
    for f in run():
        print(f"{f.name}: {f.seconds * 1000:.1f} ms vs {f.baseline} {f.baseline_seconds * 1000:.1f} ms "
              f"({f.ratio:.2f}×) {'OK' if f.ok else 'OVER'}")
