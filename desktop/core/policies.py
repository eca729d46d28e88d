"""Installed policies: where policy files are found and their headers.

(The policy engine issue replaces the header reader with the full strict loader.)
"""
from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any


def bundled_dir() -> Path:
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) / "policies" if base else Path(__file__).resolve().parents[2] / "policies"


def policy_files() -> list[Path]:
    return sorted(bundled_dir().glob("*.toml"))


def installed() -> list[dict[str, Any]]:
    out = []
    for f in policy_files():
        with open(f, "rb") as fh:
            head = tomllib.load(fh).get("policy", {})
        out.append({k: head.get(k) for k in ("id", "title", "document_number", "issued", "effective")})
    return out


def known_policy_ids() -> list[str]:
    return [p["id"] for p in installed()]
