"""The officer's daily path, end to end, three ways with the same results: through the operations
alone (no Qt, no argument parsing), through the command line, and through the window.

set up the office → accounts → enterprises and achievements → the year's round computed and
submitted by the clerk → approved by the reviewer → notices issued and printed → the year exported
to a package → the city registers the county's card and imports the package.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import GOOD_USCC, OTHER_USCC, run_cli

OFFICE = {"name": "莆田市城厢区市场监督管理局", "region_code": "350302", "doc_prefix": "城市监",
          "policy_id": "putian-chengxiang-2021"}
CITY = {"name": "莆田市市场监督管理局", "region_code": "350300", "doc_prefix": "莆市监", "role": "city"}
DAY = dt.date(2025, 12, 10)
ENTERPRISES = [{"uscc": GOOD_USCC, "name": "莆田市城厢区华峰鞋业有限公司"},
               {"uscc": OTHER_USCC, "name": "莆田市城厢区南方制衣有限公司"}]
ACHIEVEMENTS = [
    {"id": "A1", "enterprise": GOOD_USCC, "kind": "standard", "date": "2025-03-01", "ref": "GB/T 41001-2025",
     "title": "运动鞋 缓震性能的测定", "level": "national", "action": "formulate", "rank": 1},
    {"id": "A2", "enterprise": GOOD_USCC, "kind": "standard", "date": "2025-06-01", "ref": "QB/T 5001-2025",
     "title": "休闲鞋", "level": "industry", "action": "revise", "rank": 2},
    {"id": "B1", "enterprise": OTHER_USCC, "kind": "standard", "date": "2025-05-01", "ref": "DB35/T 2001-2025",
     "title": "针织服装 加工规范", "level": "local", "action": "formulate", "rank": 3},
    {"id": "B2", "enterprise": OTHER_USCC, "kind": "standard", "date": "2024-05-01", "ref": "GB/T 40001-2024",
     "level": "national", "action": "formulate", "rank": 1},  # another year: not in the 2025 round
]
PASSWORDS = {"lin": "admin-pass-1", "wang": "clerk-pass-1", "li": "review-pass-1"}


def outcome(round_total: Decimal, notices: list[tuple[str, str, str]], exported: dict, imported: dict) -> dict:
    return {"round_total": str(round_total), "notices": sorted(notices), "exported": exported, "imported": imported}


# ---------------------------------------------------------------------------- operations
def office_with_records(s) -> None:
    """Set up the office and its three accounts, then enter the records as the clerk (signed in after)."""
    from desktop.operations import records, settings, users

    settings.update_office(s, **OFFICE)
    users.create(s, "lin", "林主任", PASSWORDS["lin"], "admin")
    s.sign_in("lin", PASSWORDS["lin"])
    from desktop.operations import publicity

    publicity.set_required(s, False, "notices without a publicity step")
    users.create(s, "wang", "王科员", PASSWORDS["wang"], "clerk")
    users.create(s, "li", "李股长", PASSWORDS["li"], "reviewer")
    s.sign_in("wang", PASSWORDS["wang"])
    for e in ENTERPRISES:
        records.save_enterprise(s, e)
    for a in ACHIEVEMENTS:
        records.save_achievement(s, a)


def through_operations(tmp: Path) -> dict:
    from desktop.operations import exchange, notices, rounds, settings
    from desktop.operations.session import PermissionDenied, Session

    tmp.mkdir(parents=True, exist_ok=True)
    county, city, pkg = tmp / "county.db", tmp / "city.db", tmp / "2025.stdpkg"
    s = Session.open(county)
    office_with_records(s)
    rnd = rounds.compute(s, 2025, OFFICE["policy_id"])
    rounds.submit(s, rnd.uuid)
    with pytest.raises(PermissionDenied):
        rounds.approve(s, rnd.uuid)  # a clerk never approves, least of all their own round

    s.sign_in("li", PASSWORDS["li"])
    approved = rounds.approve(s, rnd.uuid)
    issued = notices.issue_round(s, rnd.uuid, DAY)
    notices.print_notices(s, issued, tmp / "notices.pdf")
    done = [(n.doc_number, n.enterprise.uscc, str(n.total)) for n in issued]
    exported = exchange.export(s, pkg, year=2025)
    card = exchange.own_card(s)
    s.close()

    c = Session.open(city)
    settings.update_office(c, **CITY)
    exchange.register_office(c, card, fingerprint=card["fingerprint"])
    result = exchange.apply_import(c, pkg)
    c.close()
    return outcome(approved.total, done, dict(exported.counts), dict(result.applied))


# ---------------------------------------------------------------------------- command line
def through_cli(tmp: Path) -> dict:
    tmp.mkdir(parents=True, exist_ok=True)
    county, city, pkg = str(tmp / "county.db"), str(tmp / "city.db"), str(tmp / "2025.stdpkg")
    pw = {}
    for name, password in PASSWORDS.items():
        pw[name] = tmp / f"{name}.pw"
        pw[name].write_text(password + "\n", "utf-8")

    def ok(*argv: str, who: str | None = None) -> str:
        extra = ["--user", who, "--password-file", str(pw[who])] if who else []
        r = run_cli(*argv, *extra)
        assert r.returncode == 0, (argv, r.stderr)
        return r.stdout

    ok("office", "--db", county, "--name", OFFICE["name"], "--region", OFFICE["region_code"],
       "--doc-prefix", OFFICE["doc_prefix"], "--policy", OFFICE["policy_id"])
    ok("user-add", "lin", "--db", county, "--full-name", "林主任", "--role", "admin", "--new-password-file", str(pw["lin"]))
    ok("user-add", "wang", "--db", county, "--full-name", "王科员", "--role", "clerk",
       "--new-password-file", str(pw["wang"]), who="lin")
    ok("user-add", "li", "--db", county, "--full-name", "李股长", "--role", "reviewer",
       "--new-password-file", str(pw["li"]), who="lin")
    ok("publicity", "setting", "--db", county, "--off", "--reason", "notices without a publicity step", who="lin")
    data = tmp / "records.json"
    data.write_text(json.dumps({"enterprises": ENTERPRISES, "achievements": ACHIEVEMENTS}, ensure_ascii=False), "utf-8")
    refused = run_cli("load", str(data), "--db", county)  # accounts exist: nobody signed in may change anything
    assert refused.returncode != 0
    ok("load", str(data), "--db", county, who="wang")
    rnd = json.loads(ok("round", "compute", "--year", "2025", "--policy", OFFICE["policy_id"], "--db", county,
                        "--json", who="wang"))
    ok("round", "submit", rnd["uuid"], "--db", county, who="wang")
    assert run_cli("round", "approve", rnd["uuid"], "--db", county, "--user", "wang",
                   "--password-file", str(pw["wang"])).returncode != 0
    approved = json.loads(ok("round", "approve", rnd["uuid"], "--db", county, "--json", who="li"))
    issued = json.loads(ok("notices", "--round", rnd["uuid"], "--db", county, "--date", DAY.isoformat(),
                           "--out", str(tmp / "notices.pdf"), "--json", who="li"))
    done = [(n["doc_number"], n["enterprise"], n["total"]) for n in issued]
    exported = json.loads(ok("export", "--out", pkg, "--year", "2025", "--db", county, "--json", who="li"))
    card = tmp / "county.card"
    ok("offices", "--card", str(card), "--db", county)
    fingerprint = json.loads(card.read_text("utf-8"))["fingerprint"]

    ok("office", "--db", city, "--name", CITY["name"], "--region", CITY["region_code"], "--doc-prefix",
       CITY["doc_prefix"], "--role", "city")
    ok("register-office", str(card), "--fingerprint", fingerprint, "--db", city)
    imported = json.loads(ok("import", pkg, "--db", city, "--json"))
    return outcome(Decimal(approved["total"]), done, exported["counts"], imported["applied"])


def test_the_daily_path_gives_the_same_results_through_operations_and_the_command_line(tmp_path):
    ops = through_operations(tmp_path / "ops")
    assert Decimal(ops["round_total"]) > 0
    assert [n[0] for n in ops["notices"]] == ["城市监〔2025〕1号", "城市监〔2025〕2号"]
    assert ops["exported"]["achievements"] == 3 and ops["imported"]["inserted"] > 0
    cli = through_cli(tmp_path / "cli")
    assert cli == ops


def test_the_daily_path_through_the_window_gives_the_same_round_and_notices(tmp_path, qtbot):
    """The window's own controls for the round, the notices, the export and the import at the city
    (the office, its accounts and its records set up as above)."""
    pytest.importorskip("PySide6")
    from desktop.operations.session import Session
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow
    from tests.qt_answers import answer

    ops = through_operations(tmp_path / "ops")
    path = tmp_path / "gui" / "county.db"
    path.parent.mkdir()
    s = Session.open(path)
    office_with_records(s)

    make_app()
    ctx = AppContext(path)
    ctx.set_user(s.actor)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    view = window.show_view("rounds")
    assert ctx.tasks.wait()
    view.compute_round(2025, OFFICE["policy_id"])
    assert ctx.tasks.wait()
    view.submit_current()
    answer(view)
    assert ctx.tasks.wait()
    ctx.set_user(s.sign_in("li", PASSWORDS["li"]))
    view.approve_current()
    answer(view)
    assert ctx.tasks.wait()
    from desktop.operations import rounds

    info = rounds.info(ctx.session, 2025)
    assert info.status == "approved" and str(info.total) == ops["round_total"]
    nv = window.show_view("notices")
    assert ctx.tasks.wait()
    nv.issue_for(info.uuid, DAY)
    answer(nv)
    assert ctx.tasks.wait()
    got = sorted((n["doc_number"], n["uscc"], str(n["total"])) for n in nv.model.rows)
    assert got == ops["notices"]
    # the message names the files by year and 发文字号 (no piece of the round's uuid) and lists the
    # numbers as a Chinese range, not a list with English commas
    import re

    shown = nv.message.text()
    assert nv.message.kind == "ok" and not re.search(r"[0-9a-fA-F]{8,}", shown), shown
    numbers = sorted(n[0] for n in got)
    if len(numbers) > 1:
        assert ", ".join(numbers) not in shown and ("—" in shown or "、" in shown), shown
    assert "2025年度标准化奖补通知书" in shown and info.uuid[:8] not in shown

    # the year exported from the window's export dialog, by the reviewer signed in there
    from desktop.operations import exchange, settings
    from desktop.ui.views.exchange import ExportDialog, ImportDialog

    ex = ExportDialog(ctx, window)
    qtbot.addWidget(ex)
    ex.year_rb.setChecked(True)
    ex.year.setValue(2025)
    ex.folder.setText(str(path.parent))
    ex.filename.setText("2025.stdpkg")
    ex.export()
    assert ctx.tasks.wait() and ex.result_info is not None, ex.message.text()
    assert dict(ex.result_info.counts) == ops["exported"]
    card = exchange.own_card(ctx.session)
    window.close()
    s.close()

    # and imported at the city from the window's import dialog: the same records taken
    city = path.parent / "city.db"
    c = Session.open(city)
    settings.update_office(c, **CITY)
    exchange.register_office(c, card, fingerprint=card["fingerprint"])
    at_city = AppContext(city)
    at_city.set_user(c.actor)
    dlg = ImportDialog(at_city, ex.result_info.path)
    qtbot.addWidget(dlg)
    dlg.check()
    assert at_city.tasks.wait() and dlg.import_btn.isEnabled(), dlg.message.text()
    dlg.apply()
    assert at_city.tasks.wait() and dlg.result is not None, dlg.message.text()
    assert dict(dlg.result.applied) == ops["imported"]
    c.close()
