"""At the city, a county's award round arrives in its package: it is the county's to publicise and
issue. The city is not offered it as its own work (the overview's round and next step), and asked to
issue its notices it is told whose round it is, not that the round "was changed outside the program"."""
from __future__ import annotations

import datetime as dt

import pytest
from test_exchange import add_round, apply, city, county, export, using


def _session(path):
    from desktop.operations.session import Session

    return Session.open(path, auto_backup=False, check=False)


@pytest.fixture
def city_with_a_countys_round(tmp_path):
    path, card = county(tmp_path)
    add_round(path, 2024, [("s1", "50000.00", "r1", "省级")])
    city_db = city(tmp_path, card)
    apply(city_db, export(path, tmp_path / "p1.stdpkg", year=2024).path)
    return city_db


def test_issuing_a_countys_round_at_the_city_names_the_county(city_with_a_countys_round):
    from desktop.core.errors import StdAwardError
    from desktop.operations import notices
    from desktop.store.models import AwardRound, Notice

    with _session(city_with_a_countys_round) as s:
        rnd = AwardRound.get(AwardRound.year == 2024)
        with pytest.raises(StdAwardError) as exc:
            notices.issue_round(s, rnd.uuid, dt.date(2025, 3, 20))
        assert "a县市场监督管理局" in str(exc.value) and "outside the program" not in str(exc.value)
        assert Notice.select().count() == 0


def test_the_city_does_not_publicise_a_countys_round(city_with_a_countys_round):
    from desktop.core.errors import StdAwardError
    from desktop.operations import publicity
    from desktop.store.models import AwardRound, Publicity

    with _session(city_with_a_countys_round) as s:
        rnd = AwardRound.get(AwardRound.year == 2024)
        with pytest.raises(StdAwardError, match="a县市场监督管理局"):
            publicity.start(s, rnd.uuid, 7, "市局标准化科", "张明，0594-1234567", starts_on=dt.date(2025, 3, 3))
        assert Publicity.select().count() == 0


def test_the_city_writes_no_letter_of_refusal_for_a_countys_round(tmp_path):
    """A county's round with a refused claim: the city writes no 不予奖补告知书 to the county's enterprise."""
    from desktop.core.errors import StdAwardError
    from desktop.operations import publicity
    from desktop.store.models import AwardRound

    path, card = county(tmp_path)
    add_round(path, 2024, [("s1", "50000.00", "r1", "省级"), ("p1", None, "r2", "省级")])  # p1 not eligible
    city_db = city(tmp_path, card)
    apply(city_db, export(path, tmp_path / "p1.stdpkg", year=2024).path)
    out = tmp_path / "letters.pdf"
    with _session(city_db) as s:
        rnd = AwardRound.get(AwardRound.year == 2024)
        with pytest.raises(StdAwardError, match="a县市场监督管理局"):
            publicity.write_refusals(s, rnd.uuid, out, dt.date(2025, 3, 20))
    assert not out.exists()


def test_the_citys_overview_does_not_take_a_countys_round_for_its_own(city_with_a_countys_round):
    from desktop.operations import overview

    with using(city_with_a_countys_round):
        got = overview.round_summary(2024)
    assert got["status"] == "none", got
    assert not got["has_achievements"]  # nor is the city told to compute a round of the county's records
    assert got["received"]  # but it is not told it has no achievements of 2024: the county's are here


def test_the_citys_overview_card_says_where_the_countys_records_are_read(city_with_a_countys_round, qtbot):
    """The round card of a year whose records are all the counties': not 「没有2024年度的成果」 (the
    header counts them) but where the city reads them."""
    from desktop.core import i18n
    from desktop.operations import overview
    from desktop.ui.linebreaks import plain
    from desktop.ui.views.overview import Card, OverviewView

    with using(city_with_a_countys_round):
        got = overview.round_summary(2024)
    i18n.set_locale("zh_CN")
    try:
        card = Card("round")
        qtbot.addWidget(card)
        card.open_btn = card.button("openRound0", lambda: None)
        card.attention_btn = card.button("attentionRound0", lambda: None)
        OverviewView._paint_round(None, card, got)  # type: ignore[arg-type]  # a year without a round paints from the card alone
        text = plain(card.rows["waiting"][1].text())
    finally:
        i18n.set_locale("en")
    assert "本单位没有2024年度的成果" in text and "数据交换 → 汇总报告" in text, text
