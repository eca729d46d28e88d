"""Schema 8 dropped the index on the achievement's id alone: the city's reply looks up each remark
by the county's id (or the global id) among that county's records."""
from __future__ import annotations

from conftest import copies_of_a_standard, sqlite_steps
from test_exchange import apply, city, county, export, using
from test_exchange_reply import _session, _trust_city


def _remark_steps(where, held: int, remarks: int) -> int:
    """SQLite's virtual machine steps of a reply carrying ``remarks`` comments, at a city holding
    ``held`` further records of that county."""
    from desktop.operations import exchange

    where.mkdir()
    path, card = county(where)
    city_db = city(where, card)
    apply(city_db, export(path, where / "p1.stdpkg", year=2024).path)
    _trust_city(path, city_db)
    with using(city_db):
        copies_of_a_standard("source_id = 's1'", held)  # the county's further standards, each its own number
    with _session(city_db) as s, sqlite_steps() as steps:
        done = exchange.reply(s, where / "r1.stdpkg", "a县市场监督管理局", year=2024, decision="returned",
                              remarks={f"x{i}": "请补正" for i in range(remarks)})
    assert done["remarks"] == remarks
    return steps[0]


def test_a_reply_with_many_remarks_costs_what_it_comments_on_not_remarks_times_the_county(tmp_path):
    """Each remark was found by the county's id through the index on the id alone; since schema 8 each
    one reads every record of the county (by the origin's index): 40 remarks on a county of 20,000
    records read 800,000 rows. Measured as VM steps: 40 remarks against 1, the county 4,000 strong."""
    one, many = _remark_steps(tmp_path / "one", 4000, 1), _remark_steps(tmp_path / "many", 4000, 40)
    assert many < 3 * one, (one, many)
