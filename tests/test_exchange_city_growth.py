"""A city's import does the same work whatever the city already holds: the checks it makes read the
package's records, never every row of the city. Each test shows the decision such a check makes is
still the right one (the results stay what they were)."""
from __future__ import annotations

from test_exchange import add_round, apply, city, county, export, make_uscc, plan, sample, using
from test_exchange_plan_once import planned  # noqa: F401  (the fixture counting the plans made)
from test_exchange_tombstones import _edit, _ids, _two_records


def test_a_record_deleted_at_the_city_between_the_dry_run_and_the_import_is_planned_again(tmp_path, planned):  # noqa: F811
    """No table count says so any more: the deletion's own audit entry does. A middle row's removal
    leaves every table's largest id as it was."""
    from desktop.exchange.importer import apply_import, plan_import
    from desktop.operations import records
    from desktop.store.models import Achievement

    src, card = county(tmp_path)
    dst = city(tmp_path, card)
    apply(dst, export(src, tmp_path / "1.stdpkg").path)
    with using(src):  # the county corrects its first record (s1, the city's oldest row)
        Achievement.update(title="新标题", updated_at="2030-01-01 00:00:00").where(Achievement.source_id == "s1").execute()
    p2 = export(src, tmp_path / "2.stdpkg", since_last=True).path
    with using(dst):
        dry = plan_import(p2)
        assert [i.label.split()[0] for i in dry.updated] == ["s1"]
        assert Achievement.get(Achievement.source_id == "s1").id < Achievement.get(Achievement.source_id == "p1").id
    before = len(planned)
    with _edit(dst) as s:  # meanwhile an officer at the city deletes that record
        records.delete_achievements(s, [_ids(s, "achievement", "source_id", "s1")])
    with using(dst):
        result = apply_import(dry.package, user="tester", plan=dry)
        assert len(planned) == before + 1  # planned again inside the transaction
        # the record comes back as the county now has it: the dry run's update would have missed it
        assert [i.label.split()[0] for i in result.plan.new] == ["s1"] and result.applied["inserted"] == 1
        assert Achievement.get(Achievement.source_id == "s1").title == "新标题"
        assert Achievement.select().count() == 2


def test_the_bulk_path_is_taken_only_for_more_rows_than_the_city_holds(tmp_path, monkeypatch):
    """The indexes are rebuilt when the package brings more rows than the table holds: the table is
    counted no further than the package's own size, and the decision at the boundary is unchanged."""
    from desktop.exchange import importer

    taken: dict[str, list[bool]] = {}
    real = importer._drop_indexes

    def spy(t, inserts):
        sql = real(t, inserts)
        if t.db in ("enterprise", "achievement"):  # a package without rounds inserts none
            taken.setdefault(t.db, []).append(bool(sql))
        return sql
    monkeypatch.setattr(importer, "_drop_indexes", spy)
    monkeypatch.setattr(importer, "REBUILD_INDEXES_AT", 1)
    a, card_a = county(tmp_path, "a")  # 1 enterprise, 2 achievements
    b, card_b = county(tmp_path, "b", data=sample(uscc=make_uscc(8), name="乙"))  # the same sizes
    c, card_c = county(tmp_path, "c", data={"enterprises": [{"uscc": make_uscc(9), "name": "丙", "region": "350302"}],
                                            "achievements": sample(uscc=make_uscc(9))["achievements"]
                                            + [dict(sample(uscc=make_uscc(9))["achievements"][0], id="s2",
                                                    ref="GB/T 22222-2024")]})  # 3 achievements
    dst = city(tmp_path, card_a, card_b, card_c)
    apply(dst, export(a, tmp_path / "a.stdpkg").path)  # into empty tables: rebuilt
    assert taken == {"enterprise": [True], "achievement": [True]}
    apply(dst, export(b, tmp_path / "b.stdpkg").path)  # as many rows as the city holds: not
    assert taken == {"enterprise": [True, False], "achievement": [True, False]}
    apply(dst, export(c, tmp_path / "c.stdpkg").path)  # 3 achievements into 4, 1 enterprise into 2
    assert taken == {"enterprise": [True, False, False], "achievement": [True, False, False]}
    with using(dst):
        from desktop.store.models import Achievement, database

        assert Achievement.select().count() == 7
        assert database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_deletion_is_refused_only_for_the_record_in_an_award_round(tmp_path):
    """The city looks up the award lines of the records the package deletes (not every line it
    holds): the one in a round here is kept and named, the other one goes."""
    from desktop.operations import records
    from desktop.store.models import Achievement

    path, city_db = _two_records(tmp_path)
    add_round(city_db, 2024, [("a1", "50000.00", "r1", "fund")])
    with _edit(path) as s:
        records.delete_achievements(s, [_ids(s, "achievement", "source_id", "a1"),
                                        _ids(s, "achievement", "source_id", "a2")])
    pkg = export(path, tmp_path / "p2.stdpkg").path
    dry = plan(city_db, pkg)
    assert [i.label.split()[0] for i in dry.deleted] == ["a2"]
    refused = [i for i in dry.rejected if i.label.split()[0] == "a1"]
    assert len(refused) == 1 and "award round" in refused[0].reason
    result = apply(city_db, pkg)
    assert result.applied["deleted"] == 1
    with using(city_db):
        assert sorted(a.source_id for a in Achievement.select()) == ["a1", "b1", "b2", "c1"]


def _upkeep_steps(where, held: int) -> int:
    """SQLite's virtual machine steps of the upkeep after a small county package is written into a
    city holding ``held`` standards of another county (their claim keys kept): the claim keys, the
    keys another county shares, the enterprises sent (``award_sums.write_ends``)."""
    from conftest import copies_of_a_standard, sqlite_steps

    from desktop.store import award_sums

    where.mkdir()
    src, card = county(where, "a")
    other, card_o = county(where, "o", data=sample(uscc=make_uscc(8), name="乙"))
    dst = city(where, card, card_o)
    apply(dst, export(other, where / "o.stdpkg").path)
    with using(dst):
        copies_of_a_standard("kind = 'standard'", held)  # the other county's standards, each its own number
        award_sums.refresh_all()
    steps = [0]
    real = award_sums.write_ends

    def counted(*a, **kw):
        with sqlite_steps() as counting:
            try:
                return real(*a, **kw)
            finally:
                steps[0] += counting[0]
    award_sums.write_ends = counted
    try:
        result = apply(dst, export(src, where / "a.stdpkg").path)
    finally:
        award_sums.write_ends = real
    assert result.applied["inserted"] == 3  # the county's enterprise and its two records
    return steps[0]


def test_the_upkeep_after_a_county_package_costs_what_it_wrote_not_what_the_city_holds(tmp_path):
    """The claim keys a package wrote, and the enterprises it sent, are read back by their row ids:
    for the DISTINCT SQLite's planner read instead the whole key index and enterprise index, every
    other county's entries (0.08 s of the 50th package into a city of 49 × 20,000). Measured as
    SQLite's virtual machine steps, no clock, with ten times the other county's records held."""
    small, large = _upkeep_steps(tmp_path / "small", 2_000), _upkeep_steps(tmp_path / "large", 20_000)
    assert large < 1.5 * small + 200, (small, large)
