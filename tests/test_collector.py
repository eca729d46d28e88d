"""One pause of Python's cycle collector for the whole program: a round computed in one worker and
a package imported in another (or the window's sort) never turn the collector on under each other,
and it is on again once the last is done; only the window's pauses freeze what exists."""
from __future__ import annotations

import gc
import threading

from desktop.core import collector


def test_the_collector_stays_off_until_the_last_pause_of_any_thread_ends(monkeypatch):
    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    assert gc.isenabled()
    inside, leave = threading.Event(), threading.Event()

    def round_in_a_worker() -> None:
        with collector.paused(freeze=False):
            inside.set()
            leave.wait(10)

    worker = threading.Thread(target=round_in_a_worker)
    worker.start()
    inside.wait(10)
    with collector.paused(freeze=False):  # a package imported meanwhile, ending first
        assert not gc.isenabled()
    assert not gc.isenabled()  # the round's pause is not cut short
    leave.set()
    worker.join(10)
    assert gc.isenabled() and frozen == []  # on again; nothing frozen for rows that pass through
    with collector.paused():  # the window's: what it built stays, frozen out of the collector's sight
        pass
    assert gc.isenabled() and frozen == [True]


def test_a_collector_turned_off_by_someone_else_stays_off():
    gc.disable()
    try:
        with collector.paused(freeze=False):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
