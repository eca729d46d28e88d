"""The demo data set: a Putian Chengxiang office with a dozen enterprises and their achievements.

Shipped as ``resources/demo/demo.json`` (valid credit codes, real-looking standard numbers, a
deliberate duplicate claim, an unaccepted pilot and one achievement from before the policy).
"""
from __future__ import annotations

import json
import sys
from collections.abc import Collection
from pathlib import Path
from typing import Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _


def resources_dir() -> Path:
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) / "resources" if base else Path(__file__).resolve().parents[2] / "resources"


def demo_data() -> dict[str, Any]:
    return json.loads((resources_dir() / "demo" / "demo.json").read_text("utf-8"))


def install(known_policies: Collection[str], force: bool = False, user: str = "demo") -> int:
    """Load the demo office profile, enterprises and achievements. Returns the achievement count. The
    demo office applies its policy when it is one of ``known_policies`` (the operations read them)."""
    from desktop.store import office, records  # here, not at the top: the GUI's start-up only needs the paths
    from desktop.store.models import Achievement, database

    if Achievement.select().exists() and not force:
        raise StdAwardError(_("the database already holds achievements; the demo data is only loaded into an empty one"))
    data = demo_data()
    with database.atomic():
        if office.get() is None:
            office.update(**{k: v for k, v in data["office"].items() if k != "policy_id"}, user=user)
            policy_id = data["office"].get("policy_id")
            if policy_id and policy_id in known_policies:
                office.update(policy_id=policy_id, user=user)
        records.load({"enterprises": data["enterprises"], "achievements": data["achievements"]}, user=user)
    return len(data["achievements"])


def demo_db_path() -> Path:
    from desktop.store.paths import data_dir

    return data_dir() / "demo.db"
