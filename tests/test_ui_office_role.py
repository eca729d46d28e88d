"""An office set up in the window can say it is a city (or province) office that consolidates the
packages of the offices below it, in words: the Exchange screen then offers to register a county's
key rather than the city's. Until now only the command line could set it."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_rounds import qtbot_left, window  # noqa: E402, F401 - fixture


def test_the_office_role_is_chosen_in_words_and_saved(window, qtbot):  # noqa: F811
    from desktop.operations import settings
    from desktop.store import users

    window.ctx.set_user(users.verify("lin", "correct horse"))
    view = window.show_view("settings")
    view.refresh()
    box = view.o["role"]
    labels = [box.itemText(i) for i in range(box.count())]
    assert box.currentData() == "county" and len(labels) == 2
    assert all(label not in ("county", "city") for label in labels)  # words, not the codes
    box.setCurrentIndex(box.findData("city"))
    qtbot.mouseClick(view.save_office, qtbot_left())
    assert view.office_msg.text() == "Saved."
    assert settings.office(window.ctx.session).role == "city"
    exchange = window.show_view("exchange")
    exchange.refresh()
    assert "county" in exchange.register_btn.text()


def test_a_greyed_out_hint_is_fainter_than_a_greyed_out_value(window, qtbot):  # noqa: F811
    """A reviewer sees the office's settings greyed out: the example in an empty field (本地休息日
    "2026-06-01, 2026-09-15") must not read as a value the office set, so it is drawn fainter than the
    greyed values beside it, not darker as the style drew it."""
    from desktop.ui.qt import QColor, QPalette

    window.ctx.set_user(window.accounts["reviewer"])
    view = window.show_view("settings")
    view.refresh()
    hint_field, value_field = view.days_off, view.o["doc_prefix"]
    assert not hint_field.isEnabled() and hint_field.text() == "" and hint_field.placeholderText()
    assert not value_field.isEnabled() and value_field.text()
    pal = hint_field.palette()
    base = pal.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Base)

    def ink(role) -> float:  # how far from the field's background the text is drawn (0: invisible)
        c = QColor(pal.color(QPalette.ColorGroup.Disabled, role))
        a = c.alphaF()
        return abs((c.lightnessF() * a + base.lightnessF() * (1 - a)) - base.lightnessF())
    assert ink(QPalette.ColorRole.PlaceholderText) < ink(QPalette.ColorRole.Text)
