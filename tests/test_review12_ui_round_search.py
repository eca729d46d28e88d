"""The round screen as an officer uses it, its search texts held in small chunks: a search typed, then
another officer's change to a record's title (its line's description) and a recompute, then a
refresh: the lines shown and the footer's count are those a plain test of each line's own text
gives (any column the table shows), before and after, searched again after the refresh."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_round_lines import _computed, _plain  # noqa: E402
from tests.test_ui_round_search import _plain_hits  # noqa: E402
from tests.test_ui_rounds import window  # noqa: E402, F401 - fixture


def _expected(view, needle: str) -> list[str]:
    """The lines whose own texts, as the table shows them, hold ``needle``."""
    return _plain_hits(_plain(view), needle)


def test_a_search_then_another_officers_change_and_a_refresh_show_what_each_lines_text_holds(
        window, qtbot, monkeypatch):  # noqa: F811 - the fixture
    from desktop.operations import rounds
    from desktop.store.models import Achievement
    from desktop.ui.views import round_data as RD
    from desktop.ui.views import rounds as rounds_view

    monkeypatch.setattr(RD.HayColumn, "CHUNK", 4)
    monkeypatch.setattr(RD.TextColumn, "CHUNK", 4)
    monkeypatch.setattr(rounds_view, "READ_AT_ONCE", 1)  # read, and a refresh's changes made ready, in the worker
    ctx = window.ctx
    view = _computed(window, 30)
    n = len(view.lines)
    for needle in ("第2", "鞋类试验方法 第1", "41017"):
        view.search.setText(needle)
        qtbot.waitUntil(lambda: not view.model.searching)
        shown = [r["achievement"] for r in view.model.rows]
        assert sorted(shown) == sorted(_expected(view, needle)), needle
        assert view.footer.text().startswith(f"{len(shown)} of {n} lines shown"), view.footer.text()
    view.search.setText("第2")
    qtbot.waitUntil(lambda: not view.model.searching)
    # another officer: one line's title no longer holds the search, two (in other chunks, one in the
    # last) now do; the round recomputed
    Achievement.update(title="鞋类试验方法 附录").where(Achievement.source_id == "A02").execute()
    Achievement.update(title="鞋类试验方法 第22部分（修订）").where(Achievement.source_id.in_(["A09", "A29"])).execute()
    rounds.compute(ctx.session, 2024)
    view.refresh()
    assert ctx.tasks.wait()
    qtbot.waitUntil(lambda: not view.model.searching)
    shown = [r["achievement"] for r in view.model.rows]
    assert "A02" not in shown and {"A09", "A29"} <= set(shown)
    assert sorted(shown) == sorted(_expected(view, "第2"))
    assert view.footer.text().startswith(f"{len(shown)} of {n} lines shown"), view.footer.text()
    for needle in ("附录", "（修订）", "第2"):  # searched again over the chunks the refresh made
        view.search.setText(needle)
        qtbot.waitUntil(lambda: not view.model.searching)
        assert sorted(r["achievement"] for r in view.model.rows) == sorted(_expected(view, needle)), needle
