"""The demo office opened the way ``stdaward --demo`` (and ``python3 dev.py run --demo``) opens it has
its policy in force, as the demo data names it: the overview said 「现行政策：-」 and the rounds screen
offered another city's policy when the window's path filled the demo without the policies known."""
from __future__ import annotations

from pathlib import Path


def test_the_demo_opened_by_the_window_has_its_policy_in_force(tmp_path: Path) -> None:
    from desktop.operations import setup
    from desktop.store import db, office
    from desktop.store.demo import demo_data

    state = setup.open_office(tmp_path / "demo.db", demo=True)
    try:
        assert state == {"office": True, "users": False}
        assert office.get().policy_id == demo_data()["office"]["policy_id"] == "putian-chengxiang-2021"
    finally:
        db.close_db()


def test_the_demo_cannot_be_installed_without_saying_which_policies_are_known(tmp_path: Path) -> None:
    import inspect

    from desktop.store import demo

    assert inspect.signature(demo.install).parameters["known_policies"].default is inspect.Parameter.empty
