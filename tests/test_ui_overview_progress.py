"""The overview's first reading counts every target (seconds each at a million records): while it
runs the targets card says in words which target is being counted (on the UI thread, from the
background task), and once the counts arrive the targets replace those words."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_overview import POLICY, _office_with_round, _window  # noqa: E402


def test_the_first_reading_says_which_target_it_is_counting(qtbot, db, monkeypatch):
    from desktop.core.policies import load_policy
    from desktop.store import target_counts
    from desktop.ui.qt import QApplication, QThread
    from desktop.ui.views import overview

    _office_with_round(None)
    shown: list[tuple[str, bool]] = []
    original = overview.Card.set_status

    def set_status(card, text: str) -> None:
        shown.append((text, QThread.currentThread() is QApplication.instance().thread()))
        original(card, text)

    monkeypatch.setattr(overview.Card, "set_status", set_status)
    _win, view = _window(qtbot, db)
    counted = [t for t in load_policy(POLICY).targets if t.count != "entered"]
    words = [text for text, _ui in shown if text.startswith("Counting target ")]
    assert words == [f"Counting target {i + 1} of {len(counted)}: {t.text}" for i, t in enumerate(counted)]
    assert all(on_ui for _text, on_ui in shown)  # painted by the UI thread, never by the task's
    assert view.late is not None and view.late.counts_how == "full" and view.targets_grid.count() >= 3
    assert not view.targets.status.text().startswith("Counting")  # the targets replaced the words
    assert target_counts.has_number_probe_index()  # made after the audit check, by its task

    # the next reading takes the kept counts: nothing to count, nothing said about counting
    shown.clear()
    view.refresh()
    view.ctx.tasks.wait()
    assert view.late.counts_how == "kept"
    assert not [text for text, _ui in shown if text.startswith("Counting target ")]
