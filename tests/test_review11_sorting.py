"""The achievements table sorted by a column no index serves (81b575b): the rows stay in the old
order until the index in the new one arrives; what if the data change, or the officer sorts again,
meanwhile, or the table is empty."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.conftest import GOOD_USCC, std  # noqa: E402


def _model():
    from desktop.ui.app import make_app
    from desktop.ui.tasks import TaskRunner
    from desktop.ui.views.achievement_model import AchievementModel

    make_app()
    return AchievementModel(runner=TaskRunner())


def _wanted(column, order) -> list[int]:
    from desktop.ui.views import achievement_model as am

    return [r[0] for r in am.fetch_page(am.order_sql(column, order), 0, 10_000)]


def test_records_added_while_the_new_order_is_read_are_in_it_when_it_arrives(db, qtbot):
    from desktop.store import records
    from desktop.ui.qt import Qt

    records.load({"enterprises": [{"uscc": GOOD_USCC, "name": "华峰鞋业"}],
                  "achievements": [std(id=f"A{i:03d}", ref=f"GB/T {30000 + i}-2024") for i in range(120)]},
                 user="tester")
    model = _model()
    with qtbot.waitSignal(model.index_ready, timeout=10000):
        model.reload()
    with qtbot.waitSignal(model.index_ready, timeout=10000):
        model.sort(6, Qt.SortOrder.AscendingOrder)  # by title: no index serves it
        assert model.waiting == "order"
        records.load([std(id="Z999", ref="GB/T 39999-2024", title="啊")], user="tester")  # another PC's record
        model.sort(7, Qt.SortOrder.DescendingOrder)  # sorted again (rank) before the title's order arrived
        model.reload()  # the change noticed
        assert model.waiting == "order"
    qtbot.waitUntil(lambda: model.waiting == "" and model.index_ is not None, timeout=10000)
    assert model.total() == model.rowCount() == 121
    assert model.ids == _wanted(7, Qt.SortOrder.DescendingOrder)
    assert model.runner.wait()


def test_sorting_an_empty_table_by_any_column_says_nothing_is_being_sorted(db, qtbot):
    from desktop.ui.qt import Qt

    model = _model()
    with qtbot.waitSignal(model.index_ready, timeout=10000):
        model.reload()
    for column in (6, 2, 0):
        model.sort(column, Qt.SortOrder.AscendingOrder)
        qtbot.waitUntil(lambda: model.waiting == "", timeout=10000)
        assert model.rowCount() == model.total() == 0
    assert model.runner.wait()


def test_records_deleted_while_the_new_order_is_read_leave_no_blank_rows_and_the_count_says_so(db, qtbot):
    """Sorted by title (the index in that order read in the background: 1.6 s at 10⁶ records), and
    meanwhile three records deleted (here, or at another PC: the change is noticed and the table
    reloaded). The rows stayed in the old order with the old count: the last three rows were blank,
    three others were never shown (read by position after the deletions), and the count line said
    "Sorting... 1,200 of 1,200" of 1,197 records, until the index arrived. Now the records are counted
    at once and the rows read again by position in the date order (an index serves it)."""
    from desktop.store import records
    from desktop.store.models import Achievement
    from desktop.ui.qt import Qt

    records.load({"enterprises": [{"uscc": GOOD_USCC, "name": "华峰鞋业"}],
                  "achievements": [std(id=f"A{i:04d}", ref=f"GB/T {30000 + i}-2024") for i in range(1200)]},
                 user="tester")
    model = _model()
    model.reload()  # the first screen read, the rest read by position as painted
    model.sort(6, Qt.SortOrder.AscendingOrder)
    assert model.waiting == "order"
    Achievement.delete().where(Achievement.source_id.in_(["A0000", "A0600", "A1199"])).execute()
    model.reload()  # the change noticed
    assert model.waiting == "order" and model.total() == model.rowCount() == 1197
    shown = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert sorted(shown) == sorted(a.source_id for a in Achievement.select(Achievement.source_id))
    qtbot.waitUntil(lambda: model.waiting == "" and model.index_ is not None, timeout=10000)
    assert model.ids == _wanted(6, Qt.SortOrder.AscendingOrder)
    assert model.runner.wait()
