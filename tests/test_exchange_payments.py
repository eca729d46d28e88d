"""Export packages carry the county's audit head and its payments: the city keeps each county's head
(signature checked with the county's registered key, a log that shrank between packages flagged) and
its payments by global id, so importing again adds nothing."""
from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

from test_exchange import apply, city, export, using
from test_notice_rounds import DAY, prepared_round

from desktop.operations.session import Actor, Session

NUMBER = "泉市监〔2015〕1号"


def _county_with_a_payment(tmp_path: Path) -> tuple[Path, dict]:
    from desktop.exchange import offices
    from desktop.operations import notices as nops
    from desktop.operations import payments as pops
    from desktop.store import office as officemod
    from desktop.store import users

    path = tmp_path / "county.db"
    with using(path):
        officemod.update(name="泉州市鲤城区市场监督管理局", region_code="350502", doc_prefix="泉市监", user="tester")
        from desktop.store import publicity

        publicity.set_settings(user="tester", required=False, reason="notices without a publicity step")
        users.create_user("clerk1", "王办事", "password-1")
        users.create_user("boss", "李科长", "password-2", role="reviewer", by="clerk1")
        rnd = prepared_round()
        boss = Session(path, Actor("boss", "李科长", "reviewer"))
        issued = nops.issue_round(boss, rnd.uuid, DAY)
        nops.print_notices(boss, issued, tmp_path / "n.pdf")
        pops.record(boss, NUMBER, "200000", "2015-12-28", "PZ-1")
        return path, offices.card()


def _city_view(dst: Path) -> dict:
    from desktop.operations import payments as pops

    with using(dst):
        rows = pops.offices(Session(dst, Actor("city", "市局", "admin")))
    assert len(rows) == 1
    return rows[0]


def test_the_city_keeps_each_countys_head_and_payments_and_a_second_import_adds_nothing(tmp_path):
    from desktop.exchange import importer
    from desktop.store import audit

    src, card = _county_with_a_payment(tmp_path)
    r1 = export(src, tmp_path / "1.stdpkg", year=2015)
    assert r1.counts["payments"] == 1
    dst = city(tmp_path, card)
    apply(dst, r1.path)
    row = _city_view(dst)
    assert row["payments"] == 1 and row["paid"] == Decimal("200000.00")
    assert row["audit_head_signed"] is True and row["audit_log_shrank_from"] is None
    with using(src):  # the head the city keeps is one the county's log still extends (the export's entry follows)
        assert audit.verify_against(row["audit_head"]) == []
        count_then = int(row["audit_head"].split(":")[1])
        assert count_then == audit.current_head()["count"] - 1
    with using(dst):
        kept = importer.office_payments(card["uuid"])
    assert [(p["doc_number"], p["amount"], p["reference"], p["paid_on"]) for p in kept] == [
        (NUMBER, "200000.00", "PZ-1", "2015-12-28")]

    apply(dst, r1.path)  # the same package again
    assert _city_view(dst)["payments"] == 1

    # the county takes the payment back and pays again; the next package (everything) overlaps the first
    from desktop.operations import payments as pops

    with using(src):
        boss = Session(src, Actor("boss", "李科长", "reviewer"))
        pops.reverse(boss, NUMBER, "PZ-1", "2016-01-05", "退-PZ-1", "账户有误")
        pops.record(boss, NUMBER, "350000", "2016-01-06", "PZ-2")
    r2 = export(src, tmp_path / "2.stdpkg")
    apply(dst, r2.path)
    row = _city_view(dst)
    assert row["payments"] == 3 and row["paid"] == Decimal("350000.00") and row["audit_head_package"] == 2
    assert int(row["audit_head"].split(":")[1]) > count_then


def test_a_county_log_that_shrank_between_packages_is_flagged_at_the_city(tmp_path):
    src, card = _county_with_a_payment(tmp_path)
    r1 = export(src, tmp_path / "1.stdpkg")
    dst = city(tmp_path, card)
    apply(dst, r1.path)
    con = sqlite3.connect(src)  # someone deletes the county's audit tail by hand
    con.execute("DROP TRIGGER audit_entry_no_delete")
    last = con.execute("SELECT max(id) FROM audit_entry").fetchone()[0]
    con.execute("DELETE FROM audit_entry WHERE id > ?", (last - 5,))
    con.commit()
    con.close()
    r2 = export(src, tmp_path / "2.stdpkg")
    apply(dst, r2.path)
    row = _city_view(dst)
    assert row["audit_log_shrank_from"] is not None and row["audit_log_shrank_from"] > int(row["audit_head"].split(":")[1])


def test_cli_lists_the_offices_heads_and_payments(tmp_path):
    import json

    from conftest import run_cli

    src, card = _county_with_a_payment(tmp_path)
    r1 = export(src, tmp_path / "1.stdpkg")
    dst = city(tmp_path, card)
    apply(dst, r1.path)
    out = run_cli("payment", "offices", "--json", "--db", str(dst))
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [(r["office"], r["payments"], r["paid"], r["audit_head_signed"]) for r in rows] == [
        ("泉州市鲤城区市场监督管理局", 1, "200000.00", True)]
    assert rows[0]["audit_head"].startswith("AH1:")


def test_bad_or_altered_payment_rows_in_a_signed_package_are_not_taken(tmp_path):
    """A package signed with the county's key (the key was taken, or the county's file edited):
    malformed rows are rejected, a payment sent again with a raised amount keeps its first version."""
    from desktop.exchange import export as exp
    from desktop.exchange import package as pkgmod
    from desktop.exchange.offices import signing_office
    from desktop.exchange.tables import PAYMENT_COLUMNS

    src, card = _county_with_a_payment(tmp_path)
    r1 = export(src, tmp_path / "1.stdpkg")
    dst = city(tmp_path, card)
    apply(dst, r1.path)
    with using(src):
        tables = exp.select()
        good = tables["payments"][1][0]
        amount = PAYMENT_COLUMNS.index("amount")
        raised = list(good)
        raised[amount] = "900000.00"
        nan, neg, bad_id = list(good), list(good), list(good)
        nan[0], nan[amount] = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "NaN"
        neg[0], neg[amount] = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", "-5.00"
        bad_id[0] = "1; DROP TABLE payment"
        tables["payments"] = (PAYMENT_COLUMNS, [raised, nan, neg, bad_id])
        office = signing_office()
        manifest = {"office": {"uuid": office.uuid, "name": office.name, "region": office.region_code,
                               "role": office.role}, "public_key": office.public_key, "sequence": 2,
                    "created_at": "2016-01-10T10:00:00", "period": {"kind": "all"}, "app_version": "x",
                    "schema_version": r1_schema(r1.path)}
        data = pkgmod.build(manifest, tables, office.signing_key, None)
    forged = tmp_path / "2.stdpkg"
    forged.write_bytes(data)
    apply(dst, forged)
    row = _city_view(dst)
    assert row["payments"] == 1 and row["paid"] == Decimal("200000.00") and row["payments_altered"] == 1
    from desktop.store.models import AuditEntry

    with using(dst):
        last = AuditEntry.select().where(AuditEntry.action == "import").order_by(AuditEntry.id.desc()).first()
        assert last.after["payments"] == {"new": 0, "rejected": 3}


def r1_schema(path: Path) -> int:
    from desktop.exchange.package import read_package

    return int(read_package(path).manifest["schema_version"])
