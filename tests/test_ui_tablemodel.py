"""The small tables' model (enterprises, users, rounds...): sorted the way an officer reads, pinyin
order for Chinese names, numbers as numbers with blanks first, and one call per index."""
from __future__ import annotations

import functools
import random

import pytest

pytest.importorskip("pytestqt")


@pytest.fixture
def zh_ui(qapp):
    from desktop.core import i18n
    from desktop.ui.qt import QLocale

    before = QLocale()
    i18n.set_locale("zh_CN")
    QLocale.setDefault(QLocale("zh_CN"))
    yield
    QLocale.setDefault(before)


NAMES = ["莆田市城厢区华峰鞋业有限公司", "福建聚龙电子科技股份有限公司", "阿里巴巴（中国）有限公司", "中国石化莆田分公司",
         "北京标准化研究院", "厦门钨业股份有限公司", "长城汽车股份有限公司", "重庆长安汽车股份有限公司", "Apple 中国",
         "莆田市三清茶业有限公司", "莆田市鲜禾农业发展有限公司", "福建省九华山体育用品有限公司"]


def model_with(rows):
    from desktop.ui.tablemodel import Column, ListTableModel

    m = ListTableModel([Column("name", "Name"), Column("n", "Achievements", align_right=True)])
    m.set_rows(rows)
    return m


def test_chinese_names_sort_in_the_collator_order_both_ways(zh_ui):
    from desktop.ui.qt import QCollator, Qt

    expected = sorted(NAMES, key=functools.cmp_to_key(QCollator().compare))
    assert expected.index("阿里巴巴（中国）有限公司") < expected.index("北京标准化研究院") < expected.index("福建聚龙电子科技股份有限公司")
    rows = [{"name": n, "n": i} for i, n in enumerate(NAMES)]
    for seed in range(5):
        random.Random(seed).shuffle(rows)
        m = model_with(list(rows))
        m.sort(0, Qt.SortOrder.AscendingOrder)
        assert [m.index(r, 0).data() for r in range(m.rowCount())] == expected
        m.sort(0, Qt.SortOrder.DescendingOrder)
        assert [m.index(r, 0).data() for r in range(m.rowCount())] == expected[::-1]


def test_numbers_sort_as_numbers_with_blanks_first_and_new_rows_keep_the_order(zh_ui):
    from desktop.ui.qt import Qt

    m = model_with([{"name": "甲", "n": 10}, {"name": "乙", "n": None}, {"name": "丙", "n": 9}])
    m.sort(1, Qt.SortOrder.AscendingOrder)
    assert [m.index(r, 1).data() for r in range(3)] == ["", "9", "10"]
    m.set_rows([{"name": "丁", "n": 2}, {"name": "戊", "n": 100}, {"name": "己", "n": 30}])
    assert [m.index(r, 1).data() for r in range(3)] == ["2", "30", "100"]


def test_indexes_outside_the_table_are_invalid(zh_ui):
    m = model_with([{"name": "甲", "n": 1}])
    assert m.index(0, 1).isValid() and m.index(0, 1).data() == "1"
    assert not m.index(1, 0).isValid() and not m.index(0, 2).isValid() and not m.index(-1, 0).isValid()
    assert not m.index(0, 0, m.index(0, 0)).isValid()  # a table: no children
    from desktop.ui.qt import QModelIndex

    assert m.data(QModelIndex()) is None  # not the last row's name


def test_a_long_text_is_its_own_tooltip_so_a_cut_column_still_shows_it_whole(qapp):
    from desktop.ui.qt import Qt

    long_name = "莆田市城厢区华峰鞋业有限公司作为第一起草单位主导制定国家标准《运动鞋 缓震性能的测定》"
    m = model_with([{"name": long_name, "n": 12}, {"name": "短名", "n": None}])
    tip = Qt.ItemDataRole.ToolTipRole
    assert m.data(m.index(0, 0), tip) == long_name
    assert m.data(m.index(1, 0), tip) is None and m.data(m.index(0, 1), tip) is None  # short: no tooltip


def test_an_enterprise_name_of_eight_chinese_characters_or_more_is_its_own_tooltip(qapp):
    """A Chinese character is twice a Latin letter's width: 「莆田市城厢区华峰鞋业有限公司」 (14
    characters) was cut in the round's totals per enterprise with no tooltip to read it whole."""
    from desktop.ui.qt import Qt

    name = "莆田市城厢区华峰鞋业有限公司"
    m = model_with([{"name": name, "n": 1}, {"name": "华峰鞋业", "n": 2}, {"name": "Huafeng Shoes", "n": 3}])
    tip = Qt.ItemDataRole.ToolTipRole
    assert m.data(m.index(0, 0), tip) == name
    assert m.data(m.index(1, 0), tip) is None and m.data(m.index(2, 0), tip) is None  # short either way
