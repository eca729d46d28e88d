"""Schema 8 dropped the index on the achievement's id alone: the city's reply looks up each remark
by the county's id (or the global id) among that county's records."""
from __future__ import annotations

import json

from test_exchange import apply, city, county, export, using
from test_exchange_reply import _session, _trust_city


def _remark_steps(where, held: int, remarks: int) -> int:
    """SQLite's virtual machine steps of a reply carrying ``remarks`` comments, at a city holding
    ``held`` further records of that county."""
    from desktop.operations import exchange
    from desktop.store.models import database

    where.mkdir()
    path, card = county(where)
    city_db = city(where, card)
    apply(city_db, export(path, where / "p1.stdpkg", year=2024).path)
    _trust_city(path, city_db)
    with using(city_db):
        cols = [c for (_i, c, *_r) in database.execute_sql("PRAGMA table_info(achievement)").fetchall() if c != "id"]
        row = dict(zip(cols, database.execute_sql(f"SELECT {', '.join(cols)} FROM achievement WHERE source_id = 's1'"
                                                  ).fetchone()))
        key = json.loads(row["natural_key"])
        rows = []
        for i in range(held):  # the county's further standards, each its own number
            key[2] = f"GB/T {30000 + i}-2024"
            rows.append(list(dict(row, uuid=f"00000000-0000-4000-8000-{i:012d}", source_id=f"x{i}", ref=key[2],
                                  natural_key=json.dumps(key, ensure_ascii=False)).values()))
        with database.atomic():
            database.cursor().executemany(f"INSERT INTO achievement ({', '.join(cols)}) VALUES "
                                          f"({', '.join('?' * len(cols))})", rows)
    steps = [0]
    with _session(city_db) as s:
        con = database.connection()
        con.set_progress_handler(lambda: steps.__setitem__(0, steps[0] + 1), 1)
        try:
            done = exchange.reply(s, where / "r1.stdpkg", "a县市场监督管理局", year=2024, decision="returned",
                                  remarks={f"x{i}": "请补正" for i in range(remarks)})
        finally:
            con.set_progress_handler(None, 0)
    assert done["remarks"] == remarks
    return steps[0]


def test_a_reply_with_many_remarks_costs_what_it_comments_on_not_remarks_times_the_county(tmp_path):
    """Each remark was found by the county's id through the index on the id alone; since schema 8 each
    one reads every record of the county (by the origin's index): 40 remarks on a county of 20,000
    records read 800,000 rows. Measured as VM steps: 40 remarks against 1, the county 4,000 strong."""
    one, many = _remark_steps(tmp_path / "one", 4000, 1), _remark_steps(tmp_path / "many", 4000, 40)
    assert many < 3 * one, (one, many)
