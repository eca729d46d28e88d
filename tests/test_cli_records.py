"""The record edits of the window from the command line: deleting an achievement or an enterprise and
merging two records of one enterprise go through the same operations (roles, refusals, audit log);
an unknown id is named; a merge without --yes only says what it would do."""
from __future__ import annotations

import json

import pytest
from conftest import GOOD_USCC, OTHER_USCC, run_cli, std


@pytest.fixture
def office(tmp_path):
    """An office database with two records of one enterprise (甲 and 甲公司), an administrator (the
    first account) and a reviewer."""
    db = str(tmp_path / "office.db")
    data = {"enterprises": [{"uscc": GOOD_USCC, "name": "甲", "address": None},
                            {"uscc": OTHER_USCC, "name": "甲公司", "address": "莆田市城厢区龙桥街道1号"}],
            "achievements": [std(id="a1"), std(id="a2", ref="GB/T 20000-2024")]}
    later = [std(id="a1", enterprise=OTHER_USCC, ref="GB/T 30000-2024"),  # the same id, another record
             std(id="b7", enterprise=OTHER_USCC, ref="GB/T 40000-2024")]
    for name, content in (("in.json", data), ("later.json", later)):
        (tmp_path / name).write_text(json.dumps(content, ensure_ascii=False), "utf-8")
        r = run_cli("load", str(tmp_path / name), "--db", db)
        assert r.returncode == 0, r.stderr
    for name, role in (("lin", "clerk"), ("zhou", "reviewer")):
        (tmp_path / f"{name}.txt").write_text(f"{name} secret words\n", "utf-8")
        args = ["--role", role] if role != "clerk" else []
        signed = ["--user", "lin", "--password-file", str(tmp_path / "lin.txt")] if name != "lin" else []
        r = run_cli("user-add", name, "--full-name", name, "--new-password-file", str(tmp_path / f"{name}.txt"), *args, "--db", db, *signed)
        assert r.returncode == 0, r.stderr
    return db, {n: ["--user", n, "--password-file", str(tmp_path / f"{n}.txt")] for n in ("lin", "zhou")}


def _state(db):
    ents = {e["uscc"]: e for e in json.loads(run_cli("list", "enterprises", "--json", "--db", db).stdout)}
    achs = sorted((a["enterprise"], a["id"], a["ref"]) for a in
                  json.loads(run_cli("list", "achievements", "--json", "--db", db).stdout))
    return ents, achs


def _audit_actions(db):
    import sqlite3

    with sqlite3.connect(db) as con:
        return [r[0] for r in con.execute("SELECT action || ' ' || entity FROM audit_entry ORDER BY id")]


def test_roles_and_unknown_ids_change_nothing(office):
    db, pw = office
    before = _state(db)
    r = run_cli("delete", "achievement", "a2", "--db", db)  # accounts exist: nobody signed in
    assert r.returncode == 1 and "sign in" in r.stderr
    r = run_cli("delete", "achievement", "a2", "--db", db, *pw["zhou"])  # a reviewer does not edit records
    assert r.returncode == 1 and "may not" in r.stderr
    r = run_cli("merge-enterprise", GOOD_USCC, OTHER_USCC, "--yes", "--db", db, *pw["zhou"])
    assert r.returncode == 1 and "may not" in r.stderr
    r = run_cli("delete", "achievement", "zz9", "--db", db, *pw["lin"])
    assert r.returncode == 2 and "zz9 · id" in r.stderr and "no achievement" in r.stderr
    r = run_cli("delete", "enterprise", "91350100M000100Y44", "--db", db, *pw["lin"])
    assert r.returncode == 2 and "91350100M000100Y44 · enterprise" in r.stderr
    # "a1" is an id of both records: which one is meant must be said
    r = run_cli("delete", "achievement", "a1", "--db", db, *pw["lin"])
    assert r.returncode == 2 and "a1 · id" in r.stderr and "--enterprise" in r.stderr and OTHER_USCC in r.stderr
    # an enterprise that still has achievements is not deleted
    r = run_cli("delete", "enterprise", GOOD_USCC, "--db", db, *pw["lin"])
    assert r.returncode == 1 and "甲" in r.stderr and "merge" in r.stderr
    assert _state(db) == before
    assert not any(a.startswith(("delete", "merge")) for a in _audit_actions(db))


def test_delete_achievement_then_enterprise(office):
    db, pw = office
    r = run_cli("delete", "achievement", "a1", "--enterprise", OTHER_USCC, "--db", db, *pw["lin"])
    assert r.returncode == 0 and "a1" in r.stdout and "甲公司" in r.stdout, r.stderr
    r = run_cli("delete", "achievement", "b7", "--db", db, *pw["lin"])
    assert r.returncode == 0, r.stderr
    ents, achs = _state(db)
    assert achs == [(GOOD_USCC, "a1", "GB/T 12345-2024"), (GOOD_USCC, "a2", "GB/T 20000-2024")]
    assert ents[OTHER_USCC]["achievements"] == 0
    r = run_cli("delete", "enterprise", OTHER_USCC.lower(), "--db", db, *pw["lin"])  # typed in lower case
    assert r.returncode == 0 and "甲公司" in r.stdout, r.stderr
    ents, _ = _state(db)
    assert set(ents) == {GOOD_USCC}
    assert _audit_actions(db)[-3:] == ["delete achievement", "delete achievement", "delete enterprise"]
    r = run_cli("delete", "achievement", "b7", "--db", db, *pw["lin"])  # deleted once is gone: named
    assert r.returncode == 2 and "b7 · id" in r.stderr


def test_merge_says_what_it_would_do_and_does_it_with_yes(office):
    db, pw = office
    before = _state(db)
    r = run_cli("merge-enterprise", GOOD_USCC, OTHER_USCC, "--db", db, *pw["lin"])
    assert r.returncode == 0, r.stderr
    assert "甲公司" in r.stdout and "achievements moved: 2" in r.stdout
    assert "a1 becomes a1-2" in r.stdout and "龙桥街道" in r.stdout and "--yes" in r.stdout
    assert _state(db) == before  # nothing changed
    r = run_cli("merge-enterprise", GOOD_USCC, OTHER_USCC, "--json", "--db", db, *pw["lin"])
    assert json.loads(r.stdout)["merged"] is False and _state(db) == before

    r = run_cli("merge-enterprise", GOOD_USCC, OTHER_USCC, "--yes", "--json", "--db", db, *pw["lin"])
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["merged"] is True and out["achievements"] == 2 and out["renamed"] == {"a1": "a1-2"}
    ents, achs = _state(db)
    assert set(ents) == {GOOD_USCC} and ents[GOOD_USCC]["achievements"] == 4
    assert ents[GOOD_USCC]["address"] == "莆田市城厢区龙桥街道1号"  # the blank detail was filled in
    assert achs == [(GOOD_USCC, "a1", "GB/T 12345-2024"), (GOOD_USCC, "a1-2", "GB/T 30000-2024"),
                    (GOOD_USCC, "a2", "GB/T 20000-2024"), (GOOD_USCC, "b7", "GB/T 40000-2024")]
    assert _audit_actions(db)[-1] == "merge enterprise"
    r = run_cli("merge-enterprise", GOOD_USCC, OTHER_USCC, "--yes", "--db", db, *pw["lin"])  # gone now: named
    assert r.returncode == 2 and f"{OTHER_USCC} · enterprise" in r.stderr
    r = run_cli("merge-enterprise", GOOD_USCC, GOOD_USCC, "--db", db, *pw["lin"])
    assert r.returncode == 1 and "two different" in r.stderr


def test_an_achievement_in_a_round_is_not_deleted(office):
    db, pw = office
    r = run_cli("round", "compute", "--year", "2024", "--policy", "putian-chengxiang-2021", "--db", db, *pw["lin"])
    assert r.returncode == 0, r.stderr
    r = run_cli("delete", "achievement", "a2", "--db", db, *pw["lin"])
    assert r.returncode == 1 and "2024" in r.stderr
    assert (GOOD_USCC, "a2", "GB/T 20000-2024") in _state(db)[1]


def test_evidence_is_attached_from_the_command_line_and_a_missing_file_attaches_none(office, tmp_path):
    import sqlite3

    db, pw = office
    scan, photo = tmp_path / "任务书.pdf", tmp_path / "证书.jpg"
    scan.write_bytes(b"%PDF-1.4 scan of the task letter")
    photo.write_bytes(b"\xff\xd8\xff photo")
    r = run_cli("attach", "a2", str(scan), str(tmp_path / "missing.pdf"), "--db", db, *pw["lin"])
    assert r.returncode != 0 and "missing.pdf" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("attach", "a2", str(scan), "--db", db, *pw["zhou"])  # a reviewer does not edit records
    assert r.returncode == 1 and "may not" in r.stderr
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM evidence").fetchone()[0] == 0
    r = run_cli("attach", "a2", str(scan), str(photo), "--db", db, *pw["lin"])
    assert r.returncode == 0, r.stderr
    assert "Attached 任务书.pdf" in r.stdout and "Attached 证书.jpg" in r.stdout
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT a.source_id, e.filename, e.size FROM evidence e "
                           "JOIN achievement a ON a.id = e.achievement_id ORDER BY e.filename").fetchall()
    assert rows == [("a2", "任务书.pdf", scan.stat().st_size), ("a2", "证书.jpg", photo.stat().st_size)]
    r = run_cli("attach", "a1", str(scan), "--db", db, *pw["lin"])  # a1 is the id of two enterprises' records
    assert r.returncode == 2 and "--enterprise" in r.stderr
