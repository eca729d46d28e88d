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
    assert model.rowCount() == 11 and model.index(0, 0).data() == "NEW"


@pytest.mark.parametrize("column", [8, 9])  # status, amount: no database index serves their order
def test_sorting_by_status_or_amount_keeps_the_rows_until_the_index_in_that_order_arrives(
        filled, qtbot, monkeypatch, column):
    from desktop.ui.app import make_app
    from desktop.ui.qt import Qt
    from desktop.ui.tasks import TaskRunner
    from desktop.ui.views import achievement_model as am

    make_app()
    runner = TaskRunner()
    model = am.AchievementModel(runner=runner)
    with qtbot.waitSignal(model.index_ready, timeout=10000):
        model.reload()
    by_date = list(model.ids)
    pages: list[str] = []
    real_page = am.fetch_page
    monkeypatch.setattr(am, "fetch_page", lambda order, offset, limit: pages.append(order) or real_page(order, offset, limit))
    with qtbot.waitSignal(model.index_ready, timeout=10000):
        model.sort(column, Qt.SortOrder.AscendingOrder)
        assert model.ids == by_date  # still the old order: no sort of the whole table on the UI thread
        assert model.index(0, 0).data() is not None and model.rowCount() == 450
    assert pages == []  # never a page read in that order
    # no rounds yet: every row "not in a round", without an amount; ties go by id
    assert model.ids == sorted(by_date) != by_date
    assert model.index(0, 0).data() == "A000"
    model.apply_filter(am.Filter(text="gb/t 3044"))
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [f"A44{i}" for i in range(10)]
    assert runner.wait()
