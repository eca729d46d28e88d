"""The round screen's search and sort over a large round, run in a worker (a round of 10⁶ lines
must never freeze the window as the officer types or sorts): the lines shown are those a plain
substring test and a plain sort of the shown texts give (Chinese, ties, blanks, the "needing
attention" switch, a sort and a search on together, in any order); a keystroke while a search runs
supersedes it (its lines are never shown); the search box searches once typing pauses."""
from __future__ import annotations

import threading

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_round_compact import _lines, _plain_order  # noqa: E402
from tests.test_ui_round_lines import _seed, _shown_columns  # noqa: E402
from tests.test_ui_rounds import window  # noqa: E402, F401, F811 - fixture


def _background_model(monkeypatch, lines):
    """A model that searches and sorts these lines in the background, as a large round's, with many
    slices (each a look at whether a newer search came)."""
    from desktop.ui.app import make_app
    from desktop.ui.tasks import TaskRunner
    from desktop.ui.views import round_model as RM

    make_app()
    monkeypatch.setattr(RM.RoundLinesModel, "SORT_AT_ONCE", 0)
    monkeypatch.setattr(RM.RoundLinesModel, "FILTER_AT_ONCE", 0)
    monkeypatch.setattr(RM, "SEARCH_SLICE", 29)
    runner = TaskRunner()
    model = RM.RoundLinesModel(runner=runner)
    model.set_rows(lines)
    assert runner.wait()
    return model, runner


def _shown(model) -> list[str]:
    return [r["achievement"] for r in model.rows]


def _plain_hits(lines, needle: str, attention: bool = False) -> list[str]:
    from desktop.ui.views import round_model as RM

    needle = needle.strip().casefold()
    return [ln["achievement"] for ln in lines if any(needle in t for t in _shown_columns(ln))
            and (not attention or bool(ln["flags"]) or RM.needs_amount(ln))]


def test_a_search_in_the_background_gives_the_lines_a_plain_substring_test_gives(qtbot, monkeypatch):
    from desktop.ui.qt import Qt

    lines = _lines(600, 23)
    model, runner = _background_model(monkeypatch, lines)
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    # typing on (each text narrower), a text that matches nothing, then back to a wider one
    for text in ("鞋", "鞋类", "鞋类产品标准", "《鞋类产品标准》gb/t 1-2025", "不存在的文字", "GB/T", "35,000", "", "第1"):
        before = _shown(model)
        model.set_filter(text=text)
        if model.searching:
            assert _shown(model) == before  # the rows stay as they are until the search's lines arrive
        assert runner.wait() and not model.searching
        assert _shown(model) == _plain_hits(lines, text), text
    model.set_filter(only_attention=True)
    assert runner.wait()
    assert _shown(model) == _plain_hits(lines, "第1", True) and _shown(model)
    model.set_filter(text="")
    assert runner.wait()
    assert _shown(model) == _plain_hits(lines, "", True)
    model.set_filter(only_attention=False)
    assert _shown(model) == [ln["achievement"] for ln in lines]
    assert resets == []  # laid out anew each time, never reset (the chosen line stays chosen)

    # sorted, then searched; searched, then sorted; both ways, by each column
    for column in range(len(model.columns)):
        for descending in (False, True):
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            model.set_filter(text="")
            model.sort(column, order)
            assert runner.wait() and not model.sorting
            model.set_filter(text="鞋类产品标准第1")
            assert runner.wait()
            assert _shown(model) == _plain_order(lines, column, descending, "鞋类产品标准第1"), (column, descending)
    model.sort(3, Qt.SortOrder.AscendingOrder)  # with the search on: the rows as they were until both are done
    before = _shown(model)
    assert model.sorting and _shown(model) == before
    assert runner.wait() and not model.sorting and not model.searching
    assert _shown(model) == _plain_order(lines, 3, False, "鞋类产品标准第1")


def test_a_keystroke_while_a_search_runs_supersedes_it(qtbot, monkeypatch):
    """The first search is held in the worker while the officer types on: the second search's lines
    are shown, the first stops at its next slice and its lines never reach the table, even when it
    finishes last; the line the officer chose stays chosen."""
    from desktop.ui.views import round_model as RM

    lines = _lines(500, 5)
    model, runner = _background_model(monkeypatch, lines)
    real, gate, outcomes = RM.passing, threading.Event(), {}

    def held(lines_, positions, needle, attention, alive=None):
        if needle == "鞋":
            assert gate.wait(30)
        found = real(lines_, positions, needle, attention, alive)
        outcomes[needle] = found
        return found

    monkeypatch.setattr(RM, "passing", held)
    chosen = lines[300]["achievement"]  # a line both searches let through
    assert "鞋" in lines[300]["what"]
    row = _shown(model).index(chosen)
    from desktop.ui.qt import QPersistentModelIndex

    kept = QPersistentModelIndex(model.index(row, 0))
    layouts: list[int] = []
    model.layoutChanged.connect(lambda *_a: layouts.append(1))
    model.set_filter(text="鞋")
    assert model.searching
    second = lines[300]["what"][:8].lower()
    model.set_filter(text=second)  # typed on while the first search is held
    qtbot.waitUntil(lambda: second in outcomes)
    qtbot.waitUntil(lambda: not model.searching)
    assert _shown(model) == _plain_hits(lines, second) and layouts == [1]
    assert model.rows[kept.row()]["achievement"] == chosen
    gate.set()  # the first search goes on, sees it is superseded and stops
    assert runner.wait()
    assert outcomes["鞋"] is None  # stopped at its next slice, nothing found returned
    assert _shown(model) == _plain_hits(lines, second) and layouts == [1]  # never shown


def _large_round_view(window, monkeypatch):  # noqa: ANN001, ANN202, F811
    """The rounds view on a computed round of 30 lines, searched in the background as a large round's."""
    from desktop.ui.views import round_model as RM

    monkeypatch.setattr(RM.RoundLinesModel, "FILTER_AT_ONCE", 0)
    _seed(window.ctx, 30)
    view = window.show_view("rounds")
    view.year.setValue(2024)
    view.compute()
    assert window.ctx.tasks.wait()
    return view


def test_the_search_box_of_a_large_round_searches_once_typing_pauses(window, qtbot, monkeypatch):  # noqa: F811
    from desktop.ui.views import round_model as RM
    from desktop.ui.views import rounds as rounds_view

    view = _large_round_view(window, monkeypatch)
    every = [r["achievement"] for r in view.model.rows]
    started: list[str] = []
    real = RM.RoundLinesModel._start_filter
    monkeypatch.setattr(RM.RoundLinesModel, "_start_filter",
                        lambda self, base=None: (started.append(self.needle), real(self, base))[1])
    for text in ("g", "gb", "gb/", "gb/t", "gb/t 41001"):  # typed a key at a time
        view.search.setText(text)
        assert [r["achievement"] for r in view.model.rows] == every  # nothing searched yet: typing goes on
    assert started == [] and view._typing.isActive()
    qtbot.waitUntil(lambda: bool(started) and not view.model.searching)
    assert started == ["gb/t 41001"]  # one search, of the text typed, once typing paused
    assert rounds_view.SEARCH_PAUSE_MS >= 100
    plain = [r["achievement"] for r in view.model.all_rows if "gb/t 41001" in " ".join(
        _shown_columns(dict(r))).casefold()]
    assert [r["achievement"] for r in view.model.rows] == plain and plain


def test_lines_changed_while_a_search_runs_are_searched_as_they_are_now(qtbot, monkeypatch):
    """Another officer's change arrives (a refresh) while a search runs in the worker: the lines
    shown are those the search finds among the lines as they are after the change, not before."""
    from desktop.ui.views import round_data as RD
    from desktop.ui.views import round_model as RM

    lines = _lines(300, 9)
    model, runner = _background_model(monkeypatch, lines)
    real, gate = RM.passing, threading.Event()

    def held(*args, **kw):
        assert gate.wait(30)
        return real(*args, **kw)

    monkeypatch.setattr(RM, "passing", held)
    needle = "复核后的标准"
    model.set_filter(text=needle)
    assert model.searching
    changed = {12: {**lines[12], "what": f"《{needle}》"}, 250: {**lines[250], "what": f"{needle}第二版"}}
    model.update_lines([(i, tuple(tuple(ln.get(k) or ()) if k == "flags" else ln.get(k) for k in RD.LINE_FIELDS), 7)
                        for i, ln in changed.items()])
    gate.set()
    qtbot.waitUntil(lambda: not model.searching)
    assert runner.wait()
    now = [changed.get(i, ln) for i, ln in enumerate(lines)]
    assert _shown(model) == _plain_hits(now, needle) == ["A12", "A250"]


def test_clearing_the_search_while_a_sorted_order_waits_for_it_shows_every_line_in_that_order(qtbot, monkeypatch):
    """Sorted with the search on, the new order waits for the search of it; the officer clears the
    search meanwhile: every line shows in the new order and the sort is done (never left waiting)."""
    from desktop.ui.qt import Qt
    from desktop.ui.views import round_model as RM

    lines = _lines(400, 3)
    model, runner = _background_model(monkeypatch, lines)
    model.set_filter(text="鞋类产品标准第1")
    assert runner.wait()
    real, gate = RM.passing, threading.Event()

    def held(*args, **kw):
        assert gate.wait(30)
        return real(*args, **kw)

    monkeypatch.setattr(RM, "passing", held)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: model.searching)  # the order is in; its search is held in the worker
    assert model.sorting
    model.set_filter(text="")
    gate.set()
    assert runner.wait()
    assert not model.sorting and not model.searching
    assert _shown(model) == _plain_order(lines, 0, False)


def test_the_footer_says_how_many_lines_a_search_shows_and_while_it_runs(window, qtbot, monkeypatch):  # noqa: F811
    """Of a large round the footer says a search is running until its lines arrive, then how many
    of the round's lines it shows; cleared, the round's counts alone."""
    from desktop.ui.views import round_model as RM

    view = _large_round_view(window, monkeypatch)
    whole = view.footer.text()
    n = len(view.lines)
    assert whole.startswith(f"{n} lines") and "Searching" not in whole and " of " not in whole
    hold = threading.Event()  # the search waits until the footer was read
    real = RM.passing
    monkeypatch.setattr(RM, "passing", lambda *a, **k: (hold.wait(60), real(*a, **k))[1])
    view.search.setText("gb/t 41001")
    qtbot.waitUntil(lambda: view.model.searching)
    assert view.footer.text() == "Searching... · " + whole
    hold.set()
    qtbot.waitUntil(lambda: not view.model.searching)
    shown = view.model.rowCount()
    assert 0 < shown < n and view.footer.text() == f"{shown} of {n} lines shown · " + whole
    view.search.setText("")
    qtbot.waitUntil(lambda: view.model.rowCount() == n)
    assert view.footer.text() == whole


def test_a_lines_row_is_found_in_any_order_and_search(qtbot, monkeypatch):
    """After a sort built in the background (with each line's rank), a line's row is found by halving
    (a changed line's row to repaint, the chosen line's new row): the same row a look over every
    row gives, -1 for a line the search hides, by every column, both ways, searched or not."""
    from desktop.ui.qt import Qt

    lines = _lines(300, 31)
    model, runner = _background_model(monkeypatch, lines)

    def plain(pos: int) -> int:
        return next((r for r, p in enumerate(model.shown) if p == pos), -1)

    for column in (0, 1, 3, 5):
        for descending in (False, True):
            model.sort(column, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)
            assert runner.wait() and not model.sorting
            for needle in ("", "鞋类", "不存在的文字"):
                model.set_filter(text=needle)
                assert runner.wait() and not model.searching
                assert model._place_key()[0]  # found by halving
                assert [model.row_of_position(p) for p in range(len(lines))] == [plain(p) for p in range(len(lines))]
    assert model.row_of_position(len(lines)) == model.row_of_position(-1) == -1


def test_the_collector_is_off_while_a_worker_sorts_or_searches_and_on_again_after(qtbot, monkeypatch):
    """A full collection in a worker holds the GIL (115 ms at 10⁶ lines, the window frozen): the
    round's sort and search run with the collector paused, and leave it on."""
    import gc

    from desktop.ui.qt import Qt
    from desktop.ui.views import round_model as RM

    lines = _lines(200, 3)
    model, runner = _background_model(monkeypatch, lines)
    seen: list[bool] = []
    sort, search = RM.sort_positions, RM.passing
    monkeypatch.setattr(RM, "sort_positions", lambda *a: seen.append(gc.isenabled()) or sort(*a))
    monkeypatch.setattr(RM, "passing", lambda *a: seen.append(gc.isenabled()) or search(*a))
    assert gc.isenabled()
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert runner.wait() and not model.sorting
    model.set_filter(text="鞋类")
    assert runner.wait() and not model.searching
    assert seen == [False, False] and gc.isenabled()
    assert [r["achievement"] for r in model.rows] == [a for a in _plain_order(lines, 1, False, "鞋类")]


def test_a_lines_row_is_found_while_a_new_orders_search_is_still_running(qtbot, monkeypatch):
    """A sort done while a search is on shows its rows once the search of the new order is done;
    meanwhile the rows are still the old order's, and a line's row (a refresh's repaint, the chosen
    line) is found among those, not by the new order's ranks."""
    from desktop.ui.qt import QApplication, Qt
    from desktop.ui.views import round_model as RM

    lines = _lines(300, 41)
    model, runner = _background_model(monkeypatch, lines)
    model.sort(3, Qt.SortOrder.AscendingOrder)
    model.set_filter(text="鞋类")
    assert runner.wait() and not model.searching and not model.sorting
    gate, search = threading.Event(), RM.passing
    monkeypatch.setattr(RM, "passing", lambda *a: gate.wait(60) and search(*a))
    shown_before = list(model.shown)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: model.searching and model.order is not model._shown_for[0])  # sorted; its search runs
    assert list(model.shown) == shown_before
    for p in range(len(lines)):
        assert model.row_of_position(p) == (shown_before.index(p) if p in shown_before else -1)
    gate.set()
    assert runner.wait()
    QApplication.processEvents()
    assert not model.searching and not model.sorting
    assert [r["achievement"] for r in model.rows] == _plain_order(lines, 1, True, "鞋类")
    assert all(model.row_of_position(p) == r for r, p in enumerate(model.shown))
