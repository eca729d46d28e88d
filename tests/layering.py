"""The import structure of ``desktop``, by layer: who imports whom, and what breaks the order.

    python3 dev.py layers          # the table of imports between layers, then each violation

Layers, lowest first (DESIGN.md): core → notices → store → exchange → operations → {ui, commands} →
cli. A module may import its own layer and those below it, with two limits: ui and commands import
only core and operations (and ui its own package), never the store, notices or exchange; and
only desktop/ui imports PySide6; and store, which keeps rows, never loads a policy or runs the award
engine (``NOT_IN_STORE``: they are the operations'). Imports inside functions count the same as at
the top.
"""
from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["core", "notices", "store", "exchange", "operations", "ui", "commands", "cli"]
RANK = {"core": 0, "notices": 1, "store": 2, "exchange": 3, "operations": 4, "ui": 5, "commands": 5, "cli": 6}
FRONT_ENDS = ("ui", "commands")
# core modules that are use-case work, not vocabulary: the store (persistence only) never imports them
NOT_IN_STORE = ("desktop.core.engine", "desktop.core.policies")


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "desktop":
        return None
    if len(parts) == 1:
        return None  # the package itself: only its version
    if parts[1] in ("cli", "__main__", "selftest"):
        return "cli"
    return parts[1] if parts[1] in RANK else None


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports(path: Path) -> list[tuple[str, int]]:
    """Every module ``path`` imports (absolute names), with its line."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    here = _module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.append((mod, node.lineno))
            # "from desktop import operations" style: the names may be subpackages
            if mod in ("desktop",):
                found += [(f"desktop.{a.name}", node.lineno) for a in node.names]
    return found


def edges() -> list[tuple[str, str, str, int]]:
    """(importing file, its layer, imported module, line) for every import of a desktop module."""
    out = []
    for path in sorted((ROOT / "desktop").rglob("*.py")):
        src_layer = layer_of(_module_name(path))
        for mod, line in imports(path):
            if mod.startswith("desktop") or mod.startswith("PySide6"):
                out.append((str(path.relative_to(ROOT)), src_layer or "?", mod, line))
    return out


def violations() -> list[str]:
    bad = []
    for file, src, mod, line in edges():
        where = f"{file}:{line} imports {mod}"
        if mod.startswith("PySide6"):
            if src != "ui":
                bad.append(f"{where}: only desktop/ui imports PySide6")
            continue
        if src == "store" and any(mod == m or mod.startswith(m + ".") for m in NOT_IN_STORE):
            bad.append(f"{where}: store keeps rows; policies and the award engine are the operations'")
            continue
        dst = layer_of(mod)
        if dst is None or dst == src:
            continue
        if src in FRONT_ENDS:
            if dst not in ("core", "operations"):
                bad.append(f"{where}: {src} calls operations (and core), never {dst}")
        elif RANK[dst] > RANK[src] or (src == dst):
            bad.append(f"{where}: {src} must not import the higher layer {dst}")
    return bad


def table() -> str:
    counts = Counter()
    for _file, src, mod, _line in edges():
        dst = "PySide6" if mod.startswith("PySide6") else layer_of(mod)
        if dst and dst != src:
            counts[(src, dst)] += 1
    cols = ORDER + ["PySide6"]
    lines = ["imports from (row) into (column)".ljust(12),
             "".ljust(12) + "".join(c[:10].rjust(11) for c in cols)]
    for r in ORDER:
        lines.append(r.ljust(12) + "".join((str(counts[(r, c)]) if counts[(r, c)] else "·").rjust(11) for c in cols))
    return "\n".join(lines)


def main() -> int:
    print(table())
    bad = violations()
    print(f"\n{len(bad)} imports against the layer order")
    for b in bad:
        print("  " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
