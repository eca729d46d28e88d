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
