"""The command line of the engine: compute (JSON contract, bad input, the database), targets,
compare, and checking/installing a local measure."""
from __future__ import annotations

import json

import pytest

from tests.conftest import GOOD_USCC, run_cli, std

OTHER = "91350302MA2Y0KXQ4Q"


def write(tmp_path, name, data):
    p = tmp_path / name
    p.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return str(p)


def test_compute_json_one_award_per_achievement_in_order(tmp_path):
    rows = [std(id="b", action="revise", rank=2, date="2023-03-01", ref="GB/T 30002-2023"),
            std(id="a", rank=6, ref="GB/T 30003-2023"),
            std(id="c", action="revise", rank=2, date="2023-04-01", ref="GB/T 30002-2023")]
    r = run_cli("compute", "--policy", "putian-chengxiang-2021", "--input", write(tmp_path, "in.json", rows),
                "--json", "--db", str(tmp_path / "none.db"))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [o["id"] for o in out] == ["b", "a", "c"]
    assert out[0] == {"id": "b", "status": "awarded", "amount": "35000.00", "rule": "revise-main", "clause": "五(二)2",
                      "explanation": "国家标准修订 第2位 50,000元 × 70% = 35,000元", "flags": out[0]["flags"]}
    assert out[1]["status"] == "not_eligible" and "第6位" in out[1]["explanation"]
    assert out[2]["status"] == "duplicate" and out[2]["amount"] is None
    assert not (tmp_path / "none.db").exists()  # computing a file does not create a database
    from desktop.core.engine import compute
    from desktop.core.policies import load_policy
    from desktop.core.vocabulary import parse_batch

    assert out == [r.to_json() for r in compute(load_policy("putian-chengxiang-2021"), parse_batch(rows)[0])]


def test_compute_bad_input_exit_2_names_every_bad_record_and_computes_nothing(tmp_path):
    rows = [std(id="ok"), std(id="bad-rank", rank=0), std(id="bad-code", enterprise="91350100M000100Y44"),
            {"id": "bad-kind", "kind": "medal", "enterprise": GOOD_USCC, "date": "2024-01-01"}]
    r = run_cli("compute", "--policy", "putian-chengxiang-2021", "--input", write(tmp_path, "in.json", rows),
                "--json", "--db", str(tmp_path / "none.db"))
    assert r.returncode == 2 and r.stdout == ""
    for rid, field in (("bad-rank", "rank"), ("bad-code", "enterprise"), ("bad-kind", "kind")):
        assert f"{rid} · {field}" in r.stderr
    assert "ok ·" not in r.stderr


def test_compute_from_the_database_and_duplicates_against_earlier_rounds(tmp_path):
    db = str(tmp_path / "office.db")
    data = {"enterprises": [{"uscc": GOOD_USCC, "name": "甲公司"}],
            "achievements": [std(id="s1", date="2022-05-01", ref="GB/T 40000-2022")]}
    assert run_cli("load", write(tmp_path, "load.json", data), "--db", db).returncode == 0
    from desktop.operations import round_work
    from desktop.store.db import close_db, open_db

    open_db(db)
    try:
        round_work.create_round(2022, "putian-chengxiang-2021", "clerk1")
    finally:
        close_db()
    r = run_cli("compute", "--policy", "putian-chengxiang-2021", "--year", "2022", "--json", "--db", db)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["status"] == "awarded"  # matched by its own id: not its own duplicate
    again = [std(id="s9", date="2023-01-01", ref="GB/T 40000-2022")]
    r = run_cli("compute", "--policy", "putian-chengxiang-2021", "--input", write(tmp_path, "again.json", again),
                "--json", "--db", db)
    out = json.loads(r.stdout)[0]
    # the earlier claim is named by what the officer recognises (its standard, paid already), not its reference
    assert out["status"] == "duplicate" and "已获奖补" in out["explanation"]
    assert "GB/T 40000-2022" in out["explanation"] and "s1" not in out["explanation"]


def test_targets_and_compare(tmp_path):
    rows = [std(id="1", ref="GB/T 1-2022", date="2022-05-01"),
            std(id="2", enterprise=OTHER, rank=2, ref="GB/T 1-2022", date="2022-05-01")]
    f = write(tmp_path, "in.json", rows)
    r = run_cli("targets", "--policy", "putian-chengxiang-2021", "--input", f, "--as-of", "2024-01-01", "--json",
                "--db", str(tmp_path / "none.db"))
    assert r.returncode == 0, r.stderr
    t = {x["id"]: x for x in json.loads(r.stdout)}
    assert t["standards-60"]["count"] == 1 and t["standards-60"]["goal"] == 60
    assert t["standards-60"]["deadline"] == "2025-12-31" and t["standards-60"]["text"].startswith("由我区企业")
    r = run_cli("compare", "--policy", "putian-chengxiang-2021", "--policy", "quanzhou-2012", "--input", f,
                "--json", "--db", str(tmp_path / "none.db"))
    out = json.loads(r.stdout)
    assert out["totals"] == {"a": "200000.00", "b": "280000.00", "difference": "80000.00", "changed": 2}


LOCAL = '''
[policy]
id = "guangzhou-local-2021"
extends = "guangzhou-2013"
title = "某区标准化资助办法"
issuer = "某区人民政府"
region_code = "440106"
issued = 2021-01-01
effective = 2021-01-01
effective_clause = "第九条"
expires = 2025-12-31

[[rules]]
id = "pilot"
clause = "第四条"
text = "建立国家级标准化示范(试点)并通过验收的，资助30万元"
pay = "amount"
fund = "city"
amount = "300000"
when = { level = ["national"], accepted = true }

[[case]]
name = "国家级示范验收后30万"
given = [{ kind = "pilot", level = "national", domain = "service", accepted = true, date = "2022-01-01" }]
expect = [{ status = "awarded", amount = "300000", rule = "pilot" }]
'''


def test_policy_check_and_add_a_local_measure(tmp_path):
    db = str(tmp_path / "office.db")
    good = tmp_path / "guangzhou-local-2021.toml"
    good.write_text(LOCAL, "utf-8")
    r = run_cli("policy-check", str(good), "--db", db)
    assert r.returncode == 0, r.stderr
    assert "某区标准化资助办法: valid" in r.stdout and "guangzhou-local-2021" not in r.stdout  # its title, not its id
    bad = tmp_path / "bad" / "guangzhou-local-2021.toml"
    bad.parent.mkdir()
    bad.write_text(LOCAL.replace('amount = "300000", rule', 'amount = "200000", rule'), "utf-8")
    r = run_cli("policy-check", str(bad), "--db", db)
    assert r.returncode == 1 and "case[0]" in r.stderr and str(bad) in r.stderr
    assert run_cli("policy-add", str(good), "--db", db).returncode == 0
    rows = [{"id": "p", "enterprise": GOOD_USCC, "kind": "pilot", "level": "national", "domain": "park",
             "accepted": True, "date": "2023-06-01"}]
    r = run_cli("compute", "--policy", "guangzhou-local-2021", "--input", write(tmp_path, "p.json", rows), "--json", "--db", db)
    assert json.loads(r.stdout)[0]["amount"] == "300000.00", r.stderr



def test_local_measure_is_listed_and_can_be_the_policy_in_force(tmp_path):
    """An office's own measure (installed with policy-add) shows in `policies` and can be chosen."""
    import json as _json

    from conftest import run_cli as _run
    from test_policies import LOCAL

    db = tmp_path / "o.db"
    measure = tmp_path / "wenzhou-lucheng-2018.toml"
    measure.write_text(LOCAL, "utf-8")
    r = _run("policy-check", str(measure), "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert "鹿城区标准成果奖励实施细则（温鹿政办〔2018〕1号）: valid" in r.stdout and "wenzhou-lucheng-2018" not in r.stdout
    r = _run("policy-check", str(measure), "--json", "--db", str(db))  # scripts still get the id
    assert _json.loads(r.stdout)["id"] == "wenzhou-lucheng-2018"
    r = _run("policy-add", str(measure), "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert "鹿城区标准成果奖励实施细则（温鹿政办〔2018〕1号）" in r.stdout and "wenzhou-lucheng-2018" not in r.stdout
    r = _run("policy-add", str(measure), "--replace", "--json", "--db", str(db))
    got = _json.loads(r.stdout)
    assert got["id"] == "wenzhou-lucheng-2018" and got["replaced"] is True and got["document_number"] == "温鹿政办〔2018〕1号"
    listed = {row["id"] for row in _json.loads(_run("policies", "--json", "--db", str(db)).stdout)}
    assert {"wenzhou-2017", "wenzhou-lucheng-2018"} <= listed
    r = _run("office", "--name", "温州市鹿城区市场监督管理局", "--region", "330302", "--policy",
             "wenzhou-lucheng-2018", "--json", "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert _json.loads(r.stdout)["policy"] == "wenzhou-lucheng-2018"


def test_compute_json_from_the_database_is_read_and_written_as_it_goes_with_the_same_awards(tmp_path, monkeypatch):
    """``compute --json`` on the database reads the records a batch at a time and writes each award
    as it is made (10⁶ records were held whole, with their awards: 850 MB). The awards are those of
    the whole list computed at once, in the same order: records of one date across two batches, and
    duplicates whose earlier claim is in an earlier batch."""
    from desktop.core.engine import compute
    from desktop.core.policies import load_policy
    from desktop.store import records
    from desktop.store import rounds as store_rounds
    from desktop.store.db import close_db, open_db

    db = str(tmp_path / "office.db")
    achievements = [std(id=f"s{i}", date=f"{2021 + i % 3}-0{1 + i % 4}-1{i % 2}", ref=f"GB/T {40000 + i % 9}-2022",
                        rank=1 + i % 5) for i in range(40)]
    data = {"enterprises": [{"uscc": GOOD_USCC, "name": "甲公司"}], "achievements": achievements}
    assert run_cli("load", write(tmp_path, "load.json", data), "--db", db).returncode == 0
    monkeypatch.setattr(store_rounds, "READ_BATCH", 3)
    policy = load_policy("putian-chengxiang-2021")
    whole_list = records.achievements
    for year in ("2022", "2023"):
        with monkeypatch.context() as m:  # the year is never read whole
            m.setattr(records, "achievements", lambda *a, **k: pytest.fail("read whole"))
            r = run_cli("compute", "--policy", "putian-chengxiang-2021", "--year", year, "--json", "--db", db)
        assert r.returncode == 0, r.stderr
        open_db(db)
        try:
            whole = compute(policy, whole_list(year=int(year)))
        finally:
            close_db()
        out = json.loads(r.stdout)
        assert out == [a.to_json() for a in whole] and len(out) == 13
        assert {"duplicate", "awarded"} <= {a["status"] for a in out}
