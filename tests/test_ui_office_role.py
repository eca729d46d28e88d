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
