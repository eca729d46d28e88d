"""The city's reply written by a process killed before, while or after the reply takes its name:
no reply lies under the final name without being recorded as sent, the database is whole, and the
reply written again reaches the county once."""
from __future__ import annotations

import pytest
from test_exchange import apply, city, county, export
from test_exchange_reply import _session, _trust_city

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("point", ["export:written", "export:synced", "export:recorded", "export:renamed"])
def test_a_crash_while_a_reply_is_written_leaves_it_recorded_or_absent(tmp_path, point):
    from test_faults import CRASH, cli, leftovers

    from desktop.store.db import close_db
    from desktop.store.models import PackageLog

    path, card = county(tmp_path)
    city_db = city(tmp_path, card)
    apply(city_db, export(path, tmp_path / "p1.stdpkg", year=2024).path)
    _trust_city(path, city_db)
    close_db()
    out = tmp_path / "stick" / "reply.stdpkg"
    out.parent.mkdir()
    args = ("reply", card["name"], "--year", "2024", "--return", "--comment", "请补正后重新报送", "--out", str(out),
            "--db", str(city_db))
    r = cli(*args, fault=point)
    assert r.returncode == CRASH, r.stderr
    from desktop.exchange import reply

    with _session(city_db):  # the next start: opens and tidies the database
        sent = len(reply.sent_replies())
        logged = PackageLog.select().where(PackageLog.path == str(out)).count()
    assert sent == logged  # a reply is listed as sent exactly when its number is recorded
    if out.exists():  # under its final name only once its number is recorded
        assert logged == 1
    if point in ("export:written", "export:synced"):
        assert logged == 0 and not out.exists()
    close_db()
    r = cli(*args)
    assert r.returncode == 0, r.stderr
    assert leftovers(out.parent) == []
    assert apply(path, out).applied["replies"] == 1
    with _session(path) as s:
        from desktop.operations import exchange

        assert [x["decision"] for x in exchange.replies(s)] == ["returned"]
