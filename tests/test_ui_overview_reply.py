"""The county's overview shows the city's reply: a returned submission is a next step naming the
records commented on and opening the exchange view; an acceptance replaces it."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_overview import _office_with_round, _window  # noqa: E402


def _received(decision: str, comment: str, labels: list[str]) -> dict:
    """A reply as the import keeps it (desktop.exchange.reply.keep)."""
    return {"package": decision, "from": "c" * 8, "from_name": "莆田市市场监督管理局", "sequence": 1, "year": 2025,
            "decision": decision, "comment": comment, "at": "2026-03-01T09:00:00", "by": "zhou",
            "received_at": "2026-03-02 10:00:00",
            "remarks": [{"table": "achievements", "uuid": f"u{i}", "label": x, "comment": "请补正", "content": None}
                        for i, x in enumerate(labels)]}


def test_a_returned_submission_is_a_next_step_until_accepted(qtbot, db):
    from desktop.store.models import Setting

    _office_with_round(None)
    returned = _received("returned", "请补正后重新报送。", ["A1 GB/T 41001", "A2 GB/T 41002"])
    Setting.insert(key="exchange.replies", value=[returned]).on_conflict_replace().execute()
    win, view = _window(qtbot, db)
    hint = view.hint.text()
    assert "returned the 2025 submission: 请补正后重新报送。" in hint and "A1 GB/T 41001、A2 GB/T 41002" in hint
    assert 'href="exchange"' in hint
    assert view.safety.rows["reply"][1].text() == "2025: returned (2 records commented)"
    view.open_link("exchange")
    assert win.current_view().name == "exchange"

    Setting.insert(key="exchange.replies", value=[returned, _received("accepted", "", [])]).on_conflict_replace().execute()
    view.refresh()
    view.ctx.tasks.wait()
    assert "returned the 2025" not in view.hint.text()
    assert view.safety.rows["reply"][1].text() == "2025: accepted"
