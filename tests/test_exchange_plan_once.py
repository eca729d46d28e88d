"""A package is planned once: the dry run the officer looked at is applied as it is, unless the
database changed in between, when the import plans again and applies what the database now holds."""
from __future__ import annotations

import pytest
from conftest import GOOD_USCC, std
from test_exchange import city, county, export, load, using


@pytest.fixture
def planned(monkeypatch):
    """Counts the plans made (each one reads the package against the database)."""
    from desktop.exchange import importer

    made = []
    real = importer._plan

    def counting(pkg, step):
        made.append(pkg.sha256)
        return real(pkg, step)
    monkeypatch.setattr(importer, "_plan", counting)
    return made


def test_the_dry_run_shown_is_applied_without_planning_again(tmp_path, planned):
    from desktop.exchange.importer import apply_import, plan_import
    from desktop.store.models import Achievement, Enterprise

    src, card = county(tmp_path)
    dst = city(tmp_path, card)
    pkg = export(src, tmp_path / "1.stdpkg").path
    with using(dst):
        dry = plan_import(pkg)
        assert dry.counts()["new"] == 3 and Achievement.select().count() == 0
        result = apply_import(dry.package, user="tester", plan=dry)
        assert len(planned) == 1  # the dry run's plan, not a second one
        assert result.applied["inserted"] == 3
        assert (Enterprise.select().count(), Achievement.select().count()) == (1, 2)
        # the same plan again is spent: planned afresh, it finds the package already imported
        again = apply_import(dry.package, user="tester", plan=dry)
        assert len(planned) == 2 and again.plan.already_imported and again.applied["inserted"] == 0
        assert Achievement.select().count() == 2


def test_a_change_between_the_dry_run_and_the_import_is_planned_again(tmp_path, planned):
    from desktop.exchange.importer import apply_import, plan_import
    from desktop.store.models import Achievement

    src, card = county(tmp_path)
    dst = city(tmp_path, card)
    pkg = export(src, tmp_path / "1.stdpkg").path
    with using(dst):
        dry = plan_import(pkg)
    assert dry.counts()["new"] == 3 and not dry.conflicts
    # meanwhile another officer types the same standard in from paper
    load(dst, {"enterprises": [{"uscc": GOOD_USCC, "name": "福建某某鞋业有限公司", "region": "350302"}],
               "achievements": [std(id="paper-1")]})
    with using(dst):
        result = apply_import(dry.package, user="tester", plan=dry)
        assert len(planned) == 2  # the database changed: planned again inside the transaction
        assert [c.table for c in result.plan.conflicts] == ["achievements"]
        assert result.applied["inserted"] == 1  # only the pilot: the standard was not entered twice
        assert Achievement.select().count() == 2


def test_the_officers_import_through_the_operation_plans_once(tmp_path, planned):
    from desktop.operations import exchange
    from desktop.operations.session import Session
    from desktop.store.models import Achievement

    src, card = county(tmp_path)
    dst = city(tmp_path, card)
    pkg_path = export(src, tmp_path / "1.stdpkg").path
    with using(dst):
        s = Session.attach(dst)
        pkg = exchange.read(s, pkg_path)
        dry = exchange.plan_import(s, pkg)
        result = exchange.apply_import(s, pkg, plan=dry)
        assert len(planned) == 1 and result.applied["inserted"] == 3
        assert Achievement.select().count() == 2
