"""The city's reply: it returns a county's submission with comments on two records, the county
imports the reply (verified like any package) and sees them, fixes one, exports again, and the city
accepts. A reply addressed to another county, or replayed, changes nothing."""
from __future__ import annotations

import json

import pytest
from conftest import run_cli
from test_exchange import apply, city, county, export, using

from desktop.exchange.package import PackageError


def _session(path):
    from desktop.operations.session import Session

    return Session.open(path, auto_backup=False, check=False)


def _trust_city(county_db, city_db):
    from desktop.exchange import offices
    from desktop.exchange.package import fingerprint

    with using(city_db):
        card = offices.card()
    with using(county_db):
        offices.register(card, expected_fingerprint=fingerprint(card["public_key"]), user="tester")


def test_returned_then_fixed_then_accepted(tmp_path):
    from desktop.operations import exchange, records
    from desktop.store.models import Achievement

    path, card = county(tmp_path)
    city_db = city(tmp_path, card)
    apply(city_db, export(path, tmp_path / "p1.stdpkg", year=2024).path)
    _trust_city(path, city_db)

    with _session(city_db) as s:
        done = exchange.reply(s, tmp_path / "r1.stdpkg", "a县市场监督管理局", year=2024, decision="returned",
                              comment="请补正后重新报送", remarks={"s1": "标准文本封面不清晰", "p1": "缺少验收报告"})
    assert done["remarks"] == 2 and done["decision"] == "submission returned"
    with _session(city_db) as s:  # the city's exchange log names the reply, the county it went to, the records
        reply = exchange.package_log(s)[0]
        assert (reply["direction"], reply["office"], reply["counts"], reply["year"]) == (
            "reply written for a county", "a县市场监督管理局", "2 records commented on", 2024)
    dry = apply(path, tmp_path / "r1.stdpkg")
    assert dry.applied["replies"] == 1
    with _session(path) as s:
        (got,) = exchange.replies(s)
        assert (got["year"], got["decision"], got["comment"]) == (2024, "returned", "请补正后重新报送")
        assert {m["source_id"]: (m["comment"], m["changed"]) for m in got["remarks"]} == {
            "s1": ("标准文本封面不清晰", False), "p1": ("缺少验收报告", False)}
        # the county fixes s1
        s1 = Achievement.get(Achievement.source_id == "s1")
        raw = records.achievement(s, s1.get_id()).achievement.to_dict()
        records.save_achievement(s, dict(raw, title="重新扫描的标准文本"), editing=s1.get_id())
        (got,) = exchange.replies(s)
        assert {m["source_id"]: m["changed"] for m in got["remarks"]} == {"s1": True, "p1": False}

    again = apply(city_db, export(path, tmp_path / "p2.stdpkg", year=2024).path)
    assert [i.label.split()[0] for i in again.plan.updated] == ["s1"]
    with _session(city_db) as s:
        exchange.reply(s, tmp_path / "r2.stdpkg", card["uuid"], year=2024, decision="accepted")
    assert apply(path, tmp_path / "r2.stdpkg").applied["replies"] == 1
    with _session(path) as s:
        newest, older = exchange.replies(s)
    assert newest["decision"] == "accepted" and newest["decision_label"] == "submission accepted" and older["decision"] == "returned"

    replay = apply(path, tmp_path / "r2.stdpkg")  # the same reply again adds nothing
    assert replay.plan.already_imported and replay.applied["replies"] == 0
    with pytest.raises(PackageError, match="stale"):
        apply(path, tmp_path / "r1.stdpkg")  # an older reply after a newer one


def test_a_reply_for_another_county_or_about_its_records_is_refused(tmp_path):
    from desktop.core.errors import ValidationFailed
    from desktop.operations import exchange

    path_a, card_a = county(tmp_path, "a")
    path_b, card_b = county(tmp_path, "b", data={"enterprises": [{"uscc": "91350302MA2Y0KXQ4Q", "name": "乙"}],
                                                   "achievements": []})
    city_db = city(tmp_path, card_a, card_b)
    apply(city_db, export(path_a, tmp_path / "a1.stdpkg").path)
    _trust_city(path_b, city_db)
    with _session(city_db) as s:
        with pytest.raises(ValidationFailed) as bad:  # s1 is county a's record
            exchange.reply(s, tmp_path / "x.stdpkg", card_b["name"], year=2024, decision="returned",
                           remarks={"s1": "不对"})
        assert bad.value.problems[0].record == "s1"
        with pytest.raises(ValidationFailed) as bad:  # a return says why
            exchange.reply(s, tmp_path / "x.stdpkg", card_b["name"], year=2024, decision="returned")
        assert bad.value.problems[0].field == "comment"
        exchange.reply(s, tmp_path / "to-a.stdpkg", card_a["name"], year=2024, decision="accepted")
    assert not (tmp_path / "x.stdpkg").exists()
    before = run_cli("replies", "--json", "--db", str(path_b)).stdout
    with pytest.raises(PackageError, match="addressed to another office"):
        apply(path_b, tmp_path / "to-a.stdpkg")
    assert run_cli("replies", "--json", "--db", str(path_b)).stdout == before == "[]\n"


def test_replies_from_the_command_line(tmp_path):
    path, card = county(tmp_path)
    city_db = city(tmp_path, card)
    apply(city_db, export(path, tmp_path / "p1.stdpkg").path)
    _trust_city(path, city_db)
    for name, role in (("zhou", "admin"), ("lin", "clerk")):
        (tmp_path / f"{name}.pw").write_text(f"{name} secret words\n", "utf-8")
        signed = ["--user", "zhou", "--password-file", str(tmp_path / "zhou.pw")] if name != "zhou" else []
        r = run_cli("user-add", name, "--full-name", name, "--role", role, "--new-password-file",
                    str(tmp_path / f"{name}.pw"), "--db", str(city_db), *signed)
        assert r.returncode == 0, r.stderr
    args = ["a县市场监督管理局", "--year", "2024", "--return", "--remark", "s1=封面不清晰",
            "--out", str(tmp_path / "r1.stdpkg"), "--db", str(city_db)]
    r = run_cli("reply", *args, "--user", "lin", "--password-file", str(tmp_path / "lin.pw"))
    assert r.returncode == 1 and "may not" in r.stderr  # a clerk does not decide on submissions
    r = run_cli("reply", *args[:-2], "--remark", "zz=?", "--out", str(tmp_path / "r1.stdpkg"), "--db", str(city_db),
                "--user", "zhou", "--password-file", str(tmp_path / "zhou.pw"))
    assert r.returncode == 2 and "zz · record" in r.stderr
    r = run_cli("reply", *args, "--user", "zhou", "--password-file", str(tmp_path / "zhou.pw"))
    assert r.returncode == 0 and "1 records commented" in r.stdout, r.stderr
    r = run_cli("import", str(tmp_path / "r1.stdpkg"), "--dry-run", "--db", str(path))
    assert r.returncode == 0 and "A reply from 莆田市市场监督管理局" in r.stdout, r.stderr
    assert run_cli("replies", "--db", str(path)).stdout == "No reply from the city yet.\n"
    assert run_cli("import", str(tmp_path / "r1.stdpkg"), "--db", str(path)).returncode == 0
    out = run_cli("replies", "--db", str(path)).stdout
    assert "2024: submission returned by" in out and "s1: 封面不清晰 (not changed yet)" in out
    assert json.loads(run_cli("replies", "--json", "--db", str(path)).stdout)[0]["remarks"][0]["source_id"] == "s1"
