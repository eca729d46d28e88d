"""On the office server a window hears another PC's change when it is committed, not at its next
look: the change's transaction sends a NOTIFY that the server delivers at the commit (never for a
change rolled back), and the window's listener, on a connection of its own, wakes. When that
connection drops the regular look still finds the changes, and the listener connects again and
catches up. No timing is asserted: every wait is for an event, with a generous timeout."""
from __future__ import annotations

import dataclasses
import threading

import pytest

from tests.conftest import GOOD_USCC, OTHER_USCC
from tests.conftest_pg import pg_server  # noqa: F401 - fixture

WAIT = 60.0  # seconds: only a broken listener waits this long


@pytest.fixture
def office_db(pg_server):  # noqa: F811
    """An office on a fresh server database, open in this process (officer "li" at this PC)."""
    from desktop.operations.session import Actor, Session
    from desktop.store import office
    from desktop.store.paths import resolve_db_path

    name = pg_server.create_database()
    s = Session.open(resolve_db_path(pg_server.url(name)), auto_backup=False, check=False)
    office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监",
                  policy_id="quanzhou-2012", signatory="莆田市城厢区市场监督管理局", user="li")
    s.actor = Actor("li", "李股长", "admin")
    try:
        yield s
    finally:
        s.close()
        pg_server.drop_database(name)


def _as(s, username: str):
    from desktop.operations.session import Actor

    return dataclasses.replace(s, actor=Actor(username, username, "admin"))


def _rename(s, uscc: str, name: str) -> None:
    from desktop.operations import records
    from desktop.store.models import Enterprise

    found = Enterprise.get_or_none(Enterprise.uscc == uscc)
    if found is None:
        records.save_enterprise(s, {"uscc": uscc, "name": name, "region": "350302"})
        return
    current = records.enterprise(s, found.id)
    records.save_enterprise(s, {**{k: current[k] for k in ("uscc", "name", "region", "address", "contact", "phone")},
                                "name": name}, found.id, current["version"])


def _listener(s, **kw):
    from desktop.operations import changes

    woke: list[int] = []
    listener = changes.listen(s, lambda: woke.append(1), **kw)
    assert listener is not None
    assert listener.listening.wait(WAIT), "the listener never connected"
    return listener, woke


def test_a_committed_change_wakes_the_other_pc_and_a_rolled_back_one_never_does(office_db):
    from desktop.operations import changes
    from desktop.store.models import database

    me = office_db
    listener, woke = _listener(me)
    try:
        mark = changes.head(me)
        listener.wake.clear()
        # "ghost" changes something and the transaction is rolled back: nobody may hear of it
        with pytest.raises(RuntimeError), database.atomic():
            _rename(_as(me, "ghost"), GOOD_USCC, "莆田市城厢区幽灵公司")
            raise RuntimeError("the officer's work failed half-way")
        _rename(_as(me, "zhang"), OTHER_USCC, "莆田市城厢区南方制衣有限公司")
        assert listener.wake.wait(WAIT), "the committed change was not heard"
        # notifications come in commit order: a rolled-back one would have come first
        assert list(listener.heard_from) == ["zhang"] and woke == [1]
        news = changes.since(me, mark)
        assert news.by == {"zhang": 1} and "enterprises" in news.areas
    finally:
        listener.stop()
    assert not listener.running and listener.pid is None


def test_a_dropped_listening_connection_falls_back_to_the_look_and_comes_back(office_db, pg_server):  # noqa: F811
    import psycopg

    from desktop.operations import changes

    me = office_db
    listener, _woke = _listener(me, retry_after=3600)  # it comes back only when told the server answers
    try:
        mark = changes.head(me)
        with psycopg.connect(host=str(pg_server.folder), port=5432, user=pg_server.superuser, dbname="postgres",
                             autocommit=True) as admin:  # the server drops the connection (a restart, say)
            assert admin.execute("SELECT pg_terminate_backend(%s)", (listener.pid,)).fetchone()[0] is True
        assert listener.dropped.wait(WAIT), "the listener did not notice its connection had gone"
        assert not listener.listening.is_set()

        heard = listener.heard
        _rename(_as(me, "zhang"), GOOD_USCC, "莆田市城厢区华峰鞋业有限公司")  # while nobody listens
        news = changes.since(me, mark)  # the regular look still finds it
        assert news.by == {"zhang": 1}
        assert listener.heard == heard

        listener.wake.clear()
        listener.nudge()  # the look got an answer: the window tells the listener to connect again now
        assert listener.wake.wait(WAIT), "the listener did not come back"
        assert listener.connections == 2 and listener.listening.is_set()  # and it woke once to catch up

        listener.wake.clear()
        _rename(_as(me, "wang"), GOOD_USCC, "莆田市城厢区华峰体育用品有限公司")
        assert listener.wake.wait(WAIT), "after coming back the listener did not hear the next change"
        assert list(listener.heard_from)[-1] == "wang"
    finally:
        listener.stop()


def test_a_server_that_does_not_answer_is_retried_quietly(tmp_path, pg_server):  # noqa: F811
    """A listener for a server database that cannot be reached raises nothing, keeps trying, and
    listens once it can (here: the database is created after the listener started)."""
    from desktop.operations import changes
    from desktop.store.backend import connection_file

    name = f"later_{threading.get_ident()}"
    path = connection_file(pg_server.url(name), tmp_path / "conn")
    listener = changes.Listener(path, lambda: None, retry_after=3600).start()
    try:
        assert listener.dropped.wait(WAIT) and not listener.listening.is_set()  # refused: waits to try again
        import psycopg

        with psycopg.connect(host=str(pg_server.folder), port=5432, user=pg_server.superuser, dbname="postgres",
                             autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        listener.nudge()
        assert listener.listening.wait(WAIT), "the listener did not connect once the database was there"
        assert listener.connections == 1
    finally:
        listener.stop()
        pg_server.drop_database(name)


def test_on_sqlite_there_is_nothing_to_listen_to(tmp_path):
    from desktop.operations import changes
    from desktop.operations.session import Session

    s = Session.open(tmp_path / "office.db", auto_backup=False, check=False)
    try:
        assert changes.listen(s, lambda: None) is None
    finally:
        s.close()
