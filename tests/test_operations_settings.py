"""The office profile and the notice fonts through the operations layer: administrators only; a font
that is not installed on this computer is refused with nothing saved."""
from __future__ import annotations

import pytest

from desktop.core.errors import StdAwardError
from desktop.operations import roles, settings
from desktop.operations.session import Actor, PermissionDenied, Session

ADMIN = Actor("lin", "林振华", roles.ADMIN)


def _office(db) -> Session:
    s = Session(db, ADMIN)
    settings.update_office(s, name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监",
                           policy_id="putian-chengxiang-2021")
    return s


@pytest.mark.parametrize("role", [roles.CLERK, roles.REVIEWER, None])
def test_only_an_administrator_changes_the_office_or_its_fonts(db, role):
    _office(db)
    s = Session(db, Actor("chen", "陈晓梅", role))
    with pytest.raises(PermissionDenied):
        settings.update_office(s, doc_prefix="假")
    with pytest.raises(PermissionDenied):
        settings.choose_font(s, "body", "uming.ttc")
    row = settings.office(s)
    assert row.doc_prefix == "城市监" and not (row.settings or {}).get("fonts")


def test_fonts_offered_and_a_missing_one_refused(db):
    s = _office(db)
    options = settings.font_options(s)
    assert options is not None and {o.role for o in options} == {"body", "heading"}
    assert all("uming.ttc" in o.files and o.chosen is None for o in options)
    settings.choose_font(s, "body", "uming.ttc")
    assert settings.office(s).settings["fonts"] == {"body": "uming.ttc"}
    assert next(o for o in settings.font_options(s) if o.role == "body").chosen == "uming.ttc"
    with pytest.raises(StdAwardError, match="not installed"):
        settings.choose_font(s, "heading", "no-such-font.ttf")
    assert settings.office(s).settings["fonts"] == {"body": "uming.ttc"}
    settings.choose_font(s, "body", None)
    assert settings.office(s).settings["fonts"] == {}


def test_an_unknown_policy_or_a_closing_before_it_takes_effect_is_refused_with_nothing_saved(db):
    """The operations read the policies (the store only keeps the profile): an office cannot be set to
    apply a policy that is neither a seed nor one of its measures, nor close one before it starts."""
    import datetime as dt

    from desktop.core.errors import ValidationFailed
    from desktop.operations import setup

    s = _office(db)
    version = settings.office_version(s)
    with pytest.raises(ValidationFailed, match="unknown policy"):
        settings.update_office(s, policy_id="no-such-policy")
    assert [p.field for p in settings.validate_office(s, {"policy_id": "no-such-policy"})] == ["policy"]
    assert [p.field for p in setup.office_problems({"policy_id": "no-such-policy"})] == ["policy"]
    assert settings.validate_office(s, {"policy_id": "quanzhou-2012"}) == []
    with pytest.raises(ValidationFailed):
        settings.close_policy(s, "putian-chengxiang-2021", dt.date(2000, 1, 1))
    with pytest.raises(ValidationFailed):
        settings.close_policy(s, "no-such-policy", dt.date(2030, 1, 1))
    row = settings.office(s)
    assert row.policy_id == "putian-chengxiang-2021" and not (row.settings or {}).get("policy_closes")
    assert settings.office_version(s) == version
