"""The command line as a user (or a script) meets it: exit codes, messages, nothing half-written."""
from __future__ import annotations

import json
import re

from conftest import GOOD_USCC, OTHER_USCC, run_cli, std


def test_help_lists_the_verbs():
    r = run_cli("--help", process=True)  # the real entry point (python -m desktop) and its exit status
    assert r.returncode == 0
    for verb in ("policies", "office", "load", "list", "backup", "restore"):
        assert verb in r.stdout


def test_load_with_bad_records_exits_2_names_each_and_writes_nothing(tmp_path):
    db = tmp_path / "o.db"
    f = tmp_path / "in.json"
    f.write_text(json.dumps({"enterprises": [{"uscc": GOOD_USCC, "name": "甲"}],
                             "achievements": [std(id="ok"), std(id="bad1", enterprise="91350100M000100Y44"),
                                              std(id="bad2", kind="medal")]}), "utf-8")
    r = run_cli("load", str(f), "--db", str(db), process=True)
    assert r.returncode == 2
    assert "bad1 · enterprise" in r.stderr and "bad2 · kind" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("list", "enterprises", "--json", "--db", str(db))
    assert r.returncode == 0 and json.loads(r.stdout) == []


def test_load_then_list(tmp_path):
    db = tmp_path / "o.db"
    f = tmp_path / "in.json"
    f.write_text(json.dumps({"enterprises": [{"uscc": GOOD_USCC, "name": "甲"}, {"uscc": OTHER_USCC, "name": "乙"}],
                             "achievements": [std(id="a1"), std(id="a2", enterprise=OTHER_USCC)]}), "utf-8")
    assert run_cli("load", str(f), "--db", str(db)).returncode == 0
    rows = json.loads(run_cli("list", "achievements", "--json", "--db", str(db)).stdout)
    assert {r["id"] for r in rows} == {"a1", "a2"}


def test_missing_and_garbage_files_give_one_line(tmp_path):
    db = tmp_path / "o.db"
    r = run_cli("load", str(tmp_path / "nope.json"), "--db", str(db))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "no such file" in r.stderr
    g = tmp_path / "g.json"
    g.write_bytes(b"\x00\xffgarbage{")
    r = run_cli("load", str(g), "--db", str(db))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    x = tmp_path / "g.xlsx"
    x.write_bytes(b"PK not really a zip")
    r = run_cli("load", str(x), "--db", str(db))
    assert r.returncode == 2 and "Excel" in r.stderr


def test_office_profile_set_validate_and_show(tmp_path):
    db = tmp_path / "o.db"
    r = run_cli("office", "--name", "莆田市城厢区市场监督管理局", "--region", "3503", "--db", str(db))
    assert r.returncode == 2 and "region" in r.stderr
    r = run_cli("office", "--name", "莆田市城厢区市场监督管理局", "--region", "350302", "--doc-prefix", "城市监",
                "--json", "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["doc_prefix"] == "城市监"


def test_the_office_takes_its_policy_by_the_number_title_or_document_number_policies_lists(tmp_path):
    """"stdaward policies" says --policy takes its number, the title or the 文号: so does the office verb."""
    db = tmp_path / "o.db"
    listed = run_cli("policies", "--db", str(db))
    number = next(line.split(".")[0].strip() for line in listed.stdout.splitlines() if "莆城政〔2021〕88号" in line)
    for ref in (number, "莆城政〔2021〕88号"):
        r = run_cli("office", "--name", "莆田市城厢区市场监督管理局", "--region", "350302", "--policy", ref,
                    "--json", "--db", str(db))
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["policy"] == "putian-chengxiang-2021"
    r = run_cli("office", "--policy", "99", "--db", str(db))
    assert r.returncode == 2 and "policy" in r.stderr


def test_the_office_verb_in_chinese_puts_full_width_colons_after_its_labels(tmp_path):
    db = tmp_path / "o.db"
    r = run_cli("office", "--name", "莆田市城厢区市场监督管理局", "--region", "350302", "--doc-prefix", "城市监",
                "--db", str(db), env={"STDAWARD_LANG": "zh_CN"})
    assert r.returncode == 0, r.stderr
    r = run_cli("office", "--db", str(db), env={"STDAWARD_LANG": "zh_CN"})
    assert r.returncode == 0, r.stderr
    assert "角色：县（区）局" in r.stdout and "发文机关：莆田市城厢区市场监督管理局" in r.stdout, r.stdout
    assert not re.search(r"[\u4e00-\u9fff）]: ", r.stdout), r.stdout


def test_backup_and_restore_verbs(tmp_path):
    db = tmp_path / "o.db"
    f = tmp_path / "in.json"
    f.write_text(json.dumps({"enterprises": [{"uscc": GOOD_USCC, "name": "甲"}], "achievements": [std(id="a1")]}))
    run_cli("load", str(f), "--db", str(db))
    out = tmp_path / "copy.db"
    assert run_cli("backup", "--out", str(out), "--db", str(db)).returncode == 0
    f.write_text(json.dumps([std(id="a2")]))
    run_cli("load", str(f), "--db", str(db))
    r = run_cli("restore", str(out), "--db", str(db))
    assert r.returncode == 0, r.stderr
    rows = json.loads(run_cli("list", "achievements", "--json", "--db", str(db)).stdout)
    assert [r["id"] for r in rows] == ["a1"]


def test_xlsx_load_names_the_row(tmp_path):
    from openpyxl import load_workbook

    from desktop.exchange.xlsx import write_template

    t = write_template(tmp_path / "t.xlsx")
    wb = load_workbook(t)
    wb["成果"].append(["A-002", "91350302MA2Y0KXQ4Q", "standard", "2025-06-01", None, None, "national",
                      "formulate", 0])
    wb.save(t)
    r = run_cli("load", str(t), "--db", str(tmp_path / "o.db"))
    assert r.returncode == 2 and "工作表“成果”第3行（A-002） · I列“排名”" in r.stderr


def test_demo_data_loads_in_chinese(tmp_path):
    db = tmp_path / "d.db"
    r = run_cli("demo", "--db", str(db))
    assert r.returncode == 0, r.stderr
    names = [e["name"] for e in json.loads(run_cli("list", "enterprises", "--json", "--db", str(db)).stdout)]
    assert len(names) >= 10 and all("公司" in n for n in names)


def test_messages_are_chinese_by_default(tmp_path):
    db = tmp_path / "o.db"
    f = tmp_path / "in.json"
    f.write_text(json.dumps({"enterprises": [{"uscc": GOOD_USCC, "name": "甲"}],
                             "achievements": [std(id="A-1", rank=0)]}), "utf-8")
    r = run_cli("load", str(f), "--db", str(db), env={"STDAWARD_LANG": ""})
    assert r.returncode == 2
    assert "错误：A-1 · rank：排名从 1 开始" in r.stderr
    r = run_cli("load", str(f), "--db", str(db), "--lang", "zh_TW")
    assert "錯誤" in r.stderr and "排名從 1 開始" in r.stderr


def test_only_global_options_open_the_gui_without_building_the_verbs():
    from desktop.cli import gui_args

    args = gui_args(["--db", "office.db", "--lang", "en"])
    assert args is not None and args.db == "office.db" and args.lang == "en" and not args.demo
    assert gui_args([]) is not None and gui_args(["--demo"]).demo
    for argv in (["list", "enterprises"], ["--db", "x.db", "compute", "--year", "2025"], ["--help"], ["-h"],
                 ["--version"], ["--self-test"], ["--no-such-option"], ["--db"]):
        assert gui_args(argv) is None, argv  # the full parser handles (or refuses) these


def test_version_is_read_when_asked():
    r = run_cli("--version", process=True)
    assert r.returncode == 0 and r.stdout.startswith("StdAward ")
