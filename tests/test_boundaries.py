"""Architecture rules that keep the core testable without a screen."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_desktop_ui_imports_qt():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "desktop").rglob("*.py")
                 if "ui" not in p.relative_to(ROOT / "desktop").parts[:1]
                 and _imports(p) & {"PySide6", "shiboken6", "PyQt5", "PyQt6"}]
    assert offenders == []


def test_core_does_no_database_or_qt_work():
    for p in (ROOT / "desktop" / "core").rglob("*.py"):
        assert not _imports(p) & {"peewee", "sqlite3", "PySide6", "reportlab"}, p


def test_money_never_goes_through_float():
    for p in (ROOT / "desktop").rglob("*.py"):
        src = p.read_text("utf-8")
        for word in ("float(amount", "float(money", "float(total", "float(award"):
            assert word not in src, (p, word)
