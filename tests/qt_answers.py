"""Answering the program's non-blocking confirmations in tests, as an officer would click them."""
from __future__ import annotations

from typing import Any


def answer(widget: Any, ok: bool = True) -> str:
    """Press the confirmation open on ``widget`` (its own button, or Cancel); returns its question.
    Fails when no confirmation is open: the step must have asked first."""
    box = getattr(widget, "confirmation", None)
    assert box is not None and box.isVisible(), "no confirmation was asked"
    text = box.text() + "\n" + box.informativeText()
    if ok:
        button = next(b for b in box.buttons() if box.buttonRole(b) == box.ButtonRole.AcceptRole)
    else:
        button = box.defaultButton()  # the safe answer is the default one
        assert box.buttonRole(button) == box.ButtonRole.RejectRole
    button.click()
    assert getattr(widget, "confirmation", None) is None
    return text


def submitted_for_review(window: Any, view: Any) -> None:
    """The rounds ``view``'s round submitted (its question answered), then the reviewer signed in and
    the view read again: where every review test starts."""
    view.submit()
    answer(view)
    window.ctx.set_user(window.accounts["reviewer"])
    view.refresh()
