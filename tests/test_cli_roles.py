"""The command line cannot skip a role: each verb that changes the office's settings, its notices'
numbering and wording, its measures or its notices is refused for an officer whose role may not do
it (the operations check it, DESIGN.md "Roles"), names what was refused, and changes nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
OFFICE = ["--name", "莆田市城厢区市场监督管理局", "--region", "350302", "--doc-prefix", "城市监",
          "--policy", "putian-chengxiang-2021"]


@pytest.fixture
def county(tmp_path):
    """An office with an administrator (lin), a clerk (wang) and a reviewer (li); returns the database
    and each officer's sign-in arguments."""
    db = str(tmp_path / "county.db")
    pw = {}
    for name in ("lin", "wang", "li"):
        pw[name] = tmp_path / f"{name}.pw"
        pw[name].write_text(f"{name}-pass-1\n", "utf-8")
    assert run_cli("office", "--db", db, *OFFICE).returncode == 0
    assert run_cli("user-add", "lin", "--db", db, "--full-name", "林主任", "--role", "admin",
                   "--new-password-file", str(pw["lin"])).returncode == 0
    admin = ["--user", "lin", "--password-file", str(pw["lin"])]
    for name, full, role in (("wang", "王科员", "clerk"), ("li", "李股长", "reviewer")):
        r = run_cli("user-add", name, "--db", db, "--full-name", full, "--role", role,
                    "--new-password-file", str(pw[name]), *admin)
        assert r.returncode == 0, r.stderr
    return db, {name: ["--user", name, "--password-file", str(p)] for name, p in pw.items()}


def _office(db: str) -> dict:
    r = run_cli("office", "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_a_clerk_or_reviewer_is_refused_each_administrators_verb_and_nothing_changes(county, tmp_path):
    db, who = county
    before = _office(db)
    refused = [
        (("office", "--name", "改名的单位"), "change the office settings"),
        (("notice-serial", "--year", "2025", "--next", "7"), "change the office settings"),
        (("notice-wording", "--kind", "standard", "--line", "奖励{amount}元"), "change the office settings"),
        (("policy-add", str(ROOT / "policies" / "quanzhou-2012.toml")), "install a local measure"),
        (("publicity", "setting", "--off", "--reason", "不公示"), "change the office settings"),
    ]
    for argv, action in refused:
        for name in ("wang", "li"):
            r = run_cli(*argv, "--db", db, *who[name])
            assert r.returncode != 0 and action in r.stderr, (argv, name, r.stdout, r.stderr)
    assert _office(db) == before
    r = run_cli("notice-serial", "--year", "2025", "--db", db)
    assert r.returncode == 0 and "城市监〔2025〕1号" in r.stdout, r.stdout
    r = run_cli("notice-serial", "--year", "2025", "--next", "7", "--db", db, *who["lin"])  # the administrator may
    assert r.returncode == 0 and "城市监〔2025〕7号" in r.stdout, r.stderr


def test_a_clerk_may_not_void_a_notice_and_is_told_before_it_is_looked_up(county):
    db, who = county
    r = run_cli("notice-void", "城市监〔2025〕1号", "--reason", "金额有误", "--db", db, *who["wang"])
    assert r.returncode != 0 and "void a notice" in r.stderr and "no notice" not in r.stderr, r.stderr
    r = run_cli("notice-void", "城市监〔2025〕1号", "--reason", "金额有误", "--db", db, *who["li"])
    assert r.returncode != 0 and "void a notice" not in r.stderr, r.stderr  # allowed: there is no such notice


def _backups(db: str) -> list[str]:
    from desktop.store.backup import list_backups

    return sorted(p.name for p in list_backups(Path(db)))


def test_only_an_administrator_restores_over_a_healthy_database(county, tmp_path):
    """A clerk, or someone not signed in, cannot put an old backup over the office's work, from the
    command line or through the operations: refused before anything is replaced or copied."""
    from desktop.operations import backups, settings
    from desktop.operations.session import PermissionDenied, Session

    db, who = county
    out = tmp_path / "old.db"
    assert run_cli("backup", "--out", str(out), "--db", db, *who["wang"]).returncode == 0  # a clerk may back up
    r = run_cli("office", "--name", "改名后的单位", "--db", db, *who["lin"])
    assert r.returncode == 0, r.stderr
    before, copies, raw = _office(db), _backups(db), Path(db).read_bytes()

    for extra in (who["wang"], who["li"], []):
        r = run_cli("restore", str(out), "--db", db, *extra)
        assert r.returncode != 0 and "restore a backup" in r.stderr, (extra, r.stdout, r.stderr)
        assert ("sign in" in r.stderr) == (extra == []), r.stderr
    s = Session.open(db, auto_backup=False)
    try:
        with pytest.raises(PermissionDenied, match="restore a backup"):
            backups.restore(Path(db), out)  # not signed in
        s.sign_in("wang", "wang-pass-1")
        with pytest.raises(PermissionDenied, match="restore a backup"):
            backups.restore(Path(db), out, session=s)
        assert settings.office(s).name == "改名后的单位"  # the clerk's session is still open and reads
    finally:
        s.close()
    assert _office(db) == before and _backups(db) == copies and Path(db).read_bytes() == raw

    r = run_cli("restore", str(out), "--db", db, *who["lin"])  # the administrator may
    assert r.returncode == 0, r.stderr
    assert _office(db)["name"] == "莆田市城厢区市场监督管理局"


def test_a_damaged_database_with_accounts_is_restored_without_signing_in(county, tmp_path):
    """Nobody can sign in to a database that cannot be read: its newest good backup goes back without
    it, from the command line and through the operations (the damaged file is set aside unread)."""
    import sqlite3

    from desktop.operations import backups

    db, who = county
    out = tmp_path / "good.db"
    assert run_cli("backup", "--out", str(out), "--db", db, *who["lin"]).returncode == 0
    for how in ("cli", "operations"):
        con = sqlite3.connect(db)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        raw = bytearray(Path(db).read_bytes())
        for off in range(4096, len(raw), 4096 * 2):  # a failing disk: the start of every other page
            raw[off:off + 8] = b"\xff" * 8
        Path(db).write_bytes(bytes(raw))
        assert run_cli("office", "--db", db, "--json").returncode != 0  # it cannot be opened
        if how == "cli":
            r = run_cli("restore", str(out), "--db", db)
            assert r.returncode == 0 and "damaged" in r.stdout, r.stderr
        else:
            assert backups.restore(Path(db), out).damaged
        assert _office(db)["name"] == "莆田市城厢区市场监督管理局", how
        kept = [p for p in Path(db).parent.iterdir() if ".damaged-" in p.name and not p.name.endswith(("-wal", "-shm"))]
        assert kept and all(p.read_bytes()[4096:4104] == b"\xff" * 8 for p in kept), how
        for p in Path(db).parent.iterdir():  # the next round sets its own aside
            if ".damaged-" in p.name:
                p.unlink()
