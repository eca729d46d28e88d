"""The layer order of DESIGN.md holds: core → notices → store → exchange → operations → {ui, commands} →
cli; the front ends call operations only; only desktop/ui imports Qt (``tests/layering.py``)."""
from __future__ import annotations

import layering


def test_no_import_breaks_the_layer_order():
    assert layering.violations() == []


def test_the_checker_sees_imports_inside_functions_and_relative_ones(tmp_path, monkeypatch):
    pkg = tmp_path / "desktop"
    (pkg / "ui").mkdir(parents=True)
    (pkg / "store").mkdir()
    for f in ("__init__.py", "ui/__init__.py", "store/__init__.py"):
        (pkg / f).write_text("")
    (pkg / "ui" / "view.py").write_text("def f():\n    from desktop.store import models\n")
    (pkg / "store" / "bad.py").write_text("from ..ui import view\nimport PySide6.QtCore\n")
    monkeypatch.setattr(layering, "ROOT", tmp_path)
    found = layering.violations()
    assert any("desktop/ui/view.py:2 imports desktop.store" in v for v in found)
    assert any("desktop/store/bad.py:1 imports desktop.ui" in v for v in found)
    assert any("desktop/store/bad.py:2 imports PySide6.QtCore" in v for v in found)
    assert len(found) == 3


def test_the_store_running_the_award_engine_is_caught(tmp_path, monkeypatch):
    """The store keeps rows: a store module that computes awards or loads a policy (as store/rounds
    once did) breaks the order, at the top or inside a function; the award vocabulary (core.award)
    is fine, and so is operations doing it."""
    pkg = tmp_path / "desktop"
    for sub in ("store", "operations"):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "store" / "rounds.py").write_text(
        "from desktop.core.award import AwardResult\n"
        "def create():\n    from desktop.core.engine import compute_iter\n"
        "import desktop.core.engine\n"
        "from desktop.core.policies import load_policy\n")
    (pkg / "operations" / "rounds.py").write_text("from desktop.core.engine import compute_iter\n")
    monkeypatch.setattr(layering, "ROOT", tmp_path)
    found = layering.violations()
    assert sorted(v.split(" ")[0] for v in found) == ["desktop/store/rounds.py:3", "desktop/store/rounds.py:4",
                                                       "desktop/store/rounds.py:5"], found
    assert all(v.startswith("desktop/store/rounds.py") and "award engine" in v for v in found)
