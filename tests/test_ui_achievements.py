"""The achievements table (offscreen): rows on screen before the filter index exists, the index
built in the background and swapped in, filters asked for early still exact, sorting by a column."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.conftest import GOOD_USCC, std  # noqa: E402


@pytest.fixture
def filled(db):
    from desktop.store import records

    records.load({"enterprises": [{"uscc": GOOD_USCC, "name": "莆田市城厢区华峰鞋业有限公司"}],
                  "achievements": [std(id=f"A{i:03d}", date=f"{2020 + i % 5}-0{1 + i % 9}-15",
                                       ref=f"GB/T {30000 + i}-{2020 + i % 5}") for i in range(450)]}, user="tester")
    return db


def test_first_screen_comes_before_the_index_and_filters_stay_exact(filled, qtbot):
    from desktop.ui.app import make_app
    from desktop.ui.tasks import TaskRunner
    from desktop.ui.views.achievement_model import AchievementModel, Filter

    make_app()
    runner = TaskRunner()
    model = AchievementModel(runner=runner)
    model.reload()
    assert model.index_ is None  # nothing read but the count and the first block
    assert model.rowCount() == model.total() == 450
    assert model.index(0, 4).data() == "2024-09-15"  # newest first
    last = model.index(449, 0).data()  # a row far down is read by its position
    assert last.startswith("A") and model.ids[449] is not None
    with qtbot.waitSignal(model.index_ready, timeout=10000):
        pass
    assert model.index_ is not None and list(model.index_.ids) == model.ids

    early = AchievementModel(runner=runner)
    early.reload()
    early.apply_filter(Filter(year=2021, text="gb/t 300"))  # before its index arrived: waits or builds it
    assert early.rowCount() == 20  # GB/T 30000..30099, one in five of them from 2021
    assert all(early.index(r, 4).data().startswith("2021") for r in range(early.rowCount()))
    assert runner.wait()


def test_sorting_by_a_column_rereads_in_that_order(filled, qtbot):
    from desktop.ui.app import make_app
    from desktop.ui.qt import Qt
    from desktop.ui.views.achievement_model import AchievementModel, Filter

    make_app()
    model = AchievementModel()  # no runner: the index is built at once
    model.reload()
    model.sort(5, Qt.SortOrder.AscendingOrder)
    refs = [model.index(r, 5).data() for r in range(model.rowCount())]
    assert refs == sorted(refs) and refs[0] == "GB/T 30000-2020"
    model.apply_filter(Filter(text="30449"))
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["A449"]


def test_with_a_filter_on_new_data_replaces_the_rows_when_the_index_is_rebuilt(filled, qtbot):
    from desktop.store import records
    from desktop.ui.app import make_app
    from desktop.ui.tasks import TaskRunner
    from desktop.ui.views.achievement_model import AchievementModel, Filter

    make_app()
    model = AchievementModel(runner=TaskRunner())
    model.reload()
    model.apply_filter(Filter(text="gb/t 3044"))
    assert model.rowCount() == 10
    records.load({"achievements": [std(id="NEW", ref="GB/T 30440-2025", date="2025-01-02")]}, user="tester")
    with qtbot.waitSignal(model.index_ready, timeout=10000):
        model.reload()  # the filtered rows stay until the new index is in: no freeze on the UI thread
        assert model.rowCount() == 10 and model.total() == 451
        assert model.waiting == "data"  # the count line says 正在筛选…, not 正在排序…
    assert model.rowCount() == 11 and model.index(0, 0).data() == "NEW"


def _watched_model(qtbot, monkeypatch):
    """The table's model with its index in (date order), and the orders pages are read in from now on:
    (the module, the model, its runner, the orders read, the real page reader)."""
    from desktop.ui.app import make_app
    from desktop.ui.tasks import TaskRunner
    from desktop.ui.views import achievement_model as am

    make_app()
    runner = TaskRunner()
    model = am.AchievementModel(runner=runner)
    with qtbot.waitSignal(model.index_ready, timeout=10000):
        model.reload()
    pages: list[str] = []
    real_page = am.fetch_page
    monkeypatch.setattr(am, "fetch_page", lambda order, offset, limit: pages.append(order) or real_page(order, offset, limit))
    return am, model, runner, pages, real_page


@pytest.mark.parametrize("column", [8, 9])  # status, amount: no database index serves their order
def test_sorting_by_status_or_amount_keeps_the_rows_until_the_index_in_that_order_arrives(
        filled, qtbot, monkeypatch, column):
    from desktop.ui.qt import Qt

    am, model, runner, pages, real_page = _watched_model(qtbot, monkeypatch)
    by_date = list(model.ids)
    old = model.index_
    with qtbot.waitSignal(model.index_ready, timeout=10000):
        model.sort(column, Qt.SortOrder.AscendingOrder)
        assert model.ids == by_date  # still the old order: no sort of the whole table on the UI thread
        assert model.index(0, 0).data() is not None and model.rowCount() == 450
    assert pages == []  # never a page read in that order
    # no rounds yet: every row "not in a round", without an amount; ties go by id
    assert model.ids == sorted(by_date) != by_date
    assert runner.wait() and len(old) == 0 and old.texts == []  # the old index freed in the background
    assert model.index(0, 0).data() == "A000"
    model.apply_filter(am.Filter(text="gb/t 3044"))
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [f"A44{i}" for i in range(10)]
    assert runner.wait()


@pytest.mark.parametrize("column", [0, 1, 3, 6, 7])  # record id, enterprise, level, title, rank
def test_sorting_by_a_column_no_index_serves_never_sorts_the_table_on_the_ui_thread(filled, qtbot, monkeypatch, column):
    """At a million records the first screen of the title's, level's or rank's order took 1.5-1.6 s of
    the UI thread (every row read to find it), the record id's or enterprise's 0.11-0.14 s: like the
    status and amount, the rows stay in the old order until the index in the new one arrives."""
    from desktop.ui.qt import Qt

    am, model, runner, pages, real_page = _watched_model(qtbot, monkeypatch)
    by_date = list(model.ids)
    with qtbot.waitSignal(model.index_ready, timeout=10000):
        model.sort(column, Qt.SortOrder.DescendingOrder)
        assert model.ids == by_date and model.waiting == "order"
    assert pages == []
    wanted = [r[0] for r in real_page(am.order_sql(column, Qt.SortOrder.DescendingOrder), 0, 1000)]
    assert model.ids == wanted != by_date
    assert runner.wait()


@pytest.mark.parametrize("column", [2, 4, 5])  # kind, date, reference: an index serves their order
def test_sorting_by_an_indexed_column_shows_its_first_screen_at_once(filled, qtbot, column):
    from desktop.ui.app import make_app
    from desktop.ui.qt import Qt
    from desktop.ui.tasks import TaskRunner
    from desktop.ui.views import achievement_model as am

    make_app()
    model = am.AchievementModel(runner=TaskRunner())
    with qtbot.waitSignal(model.index_ready, timeout=10000):
        model.reload()
    with qtbot.waitSignal(model.index_ready, timeout=10000):
        model.sort(column, Qt.SortOrder.AscendingOrder)
        assert model.waiting == ""
        first = model.index(0, 0).data()
    assert first == model.index(0, 0).data()
    assert model.ids == [r[0] for r in am.fetch_page(am.order_sql(column, Qt.SortOrder.AscendingOrder), 0, 1000)]
    assert model.runner.wait()


@pytest.fixture
def slow_filter(monkeypatch):
    """Passes a few rows a slice and one slice at a time: 450 rows take many turns of the event loop."""
    from desktop.ui.views import achievement_model as am

    for name, value in (("FIRST_SLICE", 16), ("MIN_SLICE", 16), ("MAX_SLICE", 16), ("SLICE_BUDGET", 0.0),
                        ("FIRST_SCREEN", 5), ("SHOW_EVERY", 0.0)):
        monkeypatch.setattr(am, name, value)


def test_the_view_shows_the_first_rows_while_filtering_and_the_count_when_done(filled, qtbot, slow_filter):
    from desktop.core.i18n import _
    from desktop.ui.context import AppContext
    from desktop.ui.views.achievements import AchievementsView

    ctx = AppContext()
    view = AchievementsView(ctx)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.model.index_ready, timeout=10000):
        pass
    view.search.setText("gb/t 300")  # GB/T 30000..30099: the newest first, spread over the 450 rows
    view.apply_filter()
    assert view.model.filtering and 0 < view.model.rowCount() < 100
    assert view.pages.currentWidget() is view.tableview  # not "nothing matches" while rows are still coming
    partial = _("Filtering... {shown} found so far, of {total} achievements")
    assert view.count.text() == partial.format(shown=f"{view.model.found():,}", total="450")
    first = view.model.index(0, 0).data()
    view.tableview.selectRow(0)
    with qtbot.waitSignal(view.model.filter_progress, timeout=10000):
        pass
    assert view.model.index(0, 0).data() == first and view.selected_ids() == [view.model.ids[0]]  # rows only added

    view.search.setText("gb/t 3001")  # a keystroke mid-pass: GB/T 30010..30019 and 3001
    view.apply_filter()
    qtbot.waitUntil(lambda: not view.model.filtering, timeout=10000)
    index = view.model.index_
    assert view.model.ids == [index.ids[i] for i in range(len(index))
                              if "gb/t" in index.texts[i] and "3001" in index.texts[i]]
    refs = sorted(view.model.index(r, 5).data() for r in range(view.model.rowCount()))
    assert refs == sorted(f"GB/T 3001{i}-{2020 + (10 + i) % 5}" for i in range(10))
    assert view.count.text() == _("{shown} of {total} achievements").format(shown="10", total="450")
    ctx.tasks.wait()


def test_an_export_while_filtering_has_every_row_and_a_sort_stops_the_pass(filled, qtbot, slow_filter):
    from desktop.ui.excel import table_rows
    from desktop.ui.qt import Qt
    from desktop.ui.tasks import TaskRunner
    from desktop.ui.views import achievement_model as am

    runner = TaskRunner()
    model = am.AchievementModel(runner=runner)
    with qtbot.waitSignal(model.index_ready, timeout=10000):
        model.reload()
    model.apply_filter(am.Filter(text="gb/t 30"))
    assert model.filtering and model.rowCount() < 450
    model.finish_filter()  # what an export asks for
    assert not model.filtering and len(table_rows(model)[1]) == 450

    model.apply_filter(am.Filter(text="gb/t 302"))  # GB/T 30200..30299 and 30302
    assert model.filtering
    with qtbot.waitSignal(model.index_ready, timeout=10000):
        model.sort(5, Qt.SortOrder.AscendingOrder)  # by reference: the rows stay until the index in it is in
        assert model.waiting == "order" and not model.filtering
    qtbot.waitUntil(lambda: not model.filtering, timeout=10000)
    refs = [model.index(r, 5).data() for r in range(model.rowCount())]
    assert refs == sorted([f"GB/T 302{i:02d}-{2020 + i % 5}" for i in range(100)] + ["GB/T 30302-2022"])
    assert not model.waiting
    assert runner.wait()


def test_an_award_status_reads_the_same_on_the_achievements_and_the_round_screens():
    """One word per award status: the achievements table, its status filter and the round screen name
    a status as core.status does, in Chinese and in English (the achievements table had its own
    words, 'no amount set' where every other screen says 'amount not fixed')."""
    from desktop.core import i18n
    from desktop.core.status import AwardStatus
    from desktop.ui.views import round_data as RD
    from desktop.ui.views.achievement_model import NO_ROUND, status_label

    try:
        for lang in ("en", "zh_CN"):
            i18n.set_locale(lang)
            for s in AwardStatus:
                assert status_label(s.value) == RD.status_label(s.value) == s.label, (lang, s)
            assert status_label(NO_ROUND) == {"en": "not in a round", "zh_CN": "未纳入批次"}[lang]
        assert status_label("unspecified") == "未定额"
    finally:
        i18n.set_locale("en")
