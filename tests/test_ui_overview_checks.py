"""The overview says which audit check it did (every entry, or only those added since the last full
check, naming where the full one is), and the targets screen lists a target's achievements when it
is chosen: their number exact, the newest of them listed when there are more than it shows."""
from __future__ import annotations

import re

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_overview import _office_with_round, _window  # noqa: E402
from tests.test_ui_rounds import add_data, window  # noqa: E402,F401 - fixture


def _chain(view) -> str:
    view.refresh()
    assert view.ctx.tasks.wait()
    return view.safety.rows["chain"][1].text()


def test_the_overview_names_the_audit_check_it_did(qtbot, db):
    from desktop.store import audit
    from desktop.store.models import AuditEntry, database

    _office_with_round()
    _win, view = _window(qtbot, db)
    assert view.ctx.tasks.wait()
    n = AuditEntry.select().count()
    first = view.safety.rows["chain"][1].text()  # the first check of this database: every entry read
    assert re.fullmatch(rf"✓ intact, all {n} entries checked \(\d\d:\d\d\)", first), first
    audit.forget_verified()  # as after a restart: only the signed mark beside the database is known
    with database.atomic():
        audit.record("tester", "update", "user", "chen", {"role": "clerk"}, {"role": "reviewer"})
    text = _chain(view)
    m = re.fullmatch(r"✓ intact: the (\d+) entries added since the full check of (\S+ \S+) checked \(\S+\), "
                     r"(\d+) entries in all; the full check of every entry is under Audit log", text)
    assert m, text
    assert int(m[1]) >= 1 and int(m[3]) == AuditEntry.select().count()
    # an entry changed while the log's protection was off: the whole log is read, the entry named
    database.execute_sql("DROP TRIGGER audit_entry_no_update")
    first = database.execute_sql("SELECT min(id) FROM audit_entry").fetchone()[0]
    database.execute_sql("UPDATE audit_entry SET user = 'mallory' WHERE id = ?", (first,))
    assert _chain(view) == f"✗ broken at entry {first}"


def test_a_targets_achievements_are_read_when_it_is_chosen(window, qtbot, monkeypatch):  # noqa: F811
    from desktop.operations import targets

    add_data(window.ctx, year=2024)
    monkeypatch.setattr(targets, "COUNTING_SHOWN", 1)
    monkeypatch.setattr(targets.counting, "__defaults__", (1,))
    view = window.show_view("targets")
    view.as_of.setDate(view.as_of.date().fromString("2024-12-31", "yyyy-MM-dd"))
    assert window.ctx.tasks.wait(), view.message.text()
    assert not view.data.counting.get("standards-60")  # not read with the board
    row = [p.id for p in view.data.progress].index("standards-60")
    view.targets.selectRow(row)
    qtbot.waitUntil(lambda: "standards-60" in view.counted)
    assert view.ach_model.rowCount() == 1
    label = view.counting_label.text()
    assert label.startswith("2 achievements count toward") and "the newest 1 are listed" in label
