"""User accounts from the command line go through the same operations as the window: the first
account is an administrator; after that only a signed-in administrator adds or changes accounts; a
refusal changes nothing; passwords come from files and never reach the output or the audit log."""
from __future__ import annotations

import json

from conftest import run_cli


def _file(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text + "\n", "utf-8")
    return str(path)


def test_users_from_the_command_line(tmp_path):
    db = str(tmp_path / "office.db")
    lin, chen = _file(tmp_path, "lin.txt", "correct horse"), _file(tmp_path, "chen.txt", "battery staple")
    r = run_cli("user-add", "lin", "--full-name", "林振华", "--role", "clerk", "--new-password-file", lin, "--db", db)
    assert r.returncode == 0 and "administrator" in r.stdout, r.stderr  # the first account administers

    # accounts exist now: nobody signed in may not add one, and a wrong password is refused
    r = run_cli("user-add", "chen", "--full-name", "陈晓梅", "--new-password-file", chen, "--db", db)
    assert r.returncode == 1 and "sign in" in r.stderr
    r = run_cli("user-add", "chen", "--full-name", "陈晓梅", "--new-password-file", chen, "--db", db,
                "--user", "lin", "--password-file", chen)
    assert r.returncode == 1 and "wrong user name or password" in r.stderr
    r = run_cli("user-add", "chen", "--full-name", "陈晓梅", "--new-password-file", chen, "--db", db,
                "--user", "lin", "--password-file", lin)
    assert r.returncode == 0 and "clerk" in r.stdout, r.stderr

    # a clerk may not make herself an administrator
    r = run_cli("user-set", "chen", "--role", "admin", "--db", db, "--user", "chen", "--password-file", chen)
    assert r.returncode == 1 and "may not manage user accounts" in r.stderr
    # the last administrator stays one; bad input names the record and the field (exit 2)
    r = run_cli("user-set", "lin", "--role", "reviewer", "--db", db, "--user", "lin", "--password-file", lin)
    assert r.returncode == 2 and "lin · role" in r.stderr
    r = run_cli("user-set", "chen", "--role", "reviewer", "--db", db, "--user", "lin", "--password-file", lin)
    assert r.returncode == 0, r.stderr

    r = run_cli("users", "--json", "--db", db)
    assert json.loads(r.stdout) == [
        {"username": "lin", "display_name": "林振华", "role": "admin", "active": True},
        {"username": "chen", "display_name": "陈晓梅", "role": "reviewer", "active": True}]
    r = run_cli("list", "enterprises", "--db", db)  # reading needs no sign-in
    assert r.returncode == 0
    log = (tmp_path / "office.db").read_bytes()
    assert b"correct horse" not in log and b"battery staple" not in log
