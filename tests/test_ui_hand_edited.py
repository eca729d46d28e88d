"""In the window: editing an achievement whose stored values were edited by hand in the database
file (a date that is no date, a rank that is no number, units that are not a list or not JSON).
An error box names the record and the field; no form is opened on it. A form opened on such a
record failed with "unexpected AttributeError" or TypeError."""
from __future__ import annotations

import sqlite3

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_records import add_records, errors, window  # noqa: E402, F401  (fixtures)


@pytest.mark.parametrize(("sql", "said"), [
    ("UPDATE achievement SET date = '2025-02-30'", "its date in the database cannot be read (2025-02-30)"),
    ("UPDATE achievement SET rank = 'abc'", "its rank in the database cannot be read (abc)"),
    ("UPDATE achievement SET units = '5'", "its units in the database cannot be read (5)"),
    ("UPDATE achievement SET units = '[bad'", "the database holds a value the program did not write"),
])
def test_the_form_of_a_record_edited_by_hand_is_not_opened_and_the_officer_is_told_why(
        window, errors, monkeypatch, sql, said):  # noqa: F811
    from desktop.store.db import db_path
    from desktop.ui.views import achievement_form

    ach = add_records(window.ctx)
    con = sqlite3.connect(db_path())
    with con:
        con.execute(sql)
    con.close()
    opened: list = []
    monkeypatch.setattr(achievement_form.AchievementForm, "exec", lambda self: opened.append(self) or 0)
    view = window.view("achievements")
    monkeypatch.setattr(view, "selected_ids", lambda: [ach])
    view.edit()
    assert opened == [] and len(errors) == 1 and said in errors[0], errors
    assert "unexpected" not in errors[0] and "Error" not in errors[0]
    if "its " in said:  # named by its id and enterprise
        assert "achievement A1 of 莆田市城厢区华峰鞋业有限公司" in errors[0]
