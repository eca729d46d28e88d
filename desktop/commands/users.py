"""CLI verbs for user accounts (administrators; DESIGN.md "Roles"):

    stdaward users [--json]                                   list the accounts
    stdaward user-add NAME --full-name TEXT [--role clerk|reviewer|admin] --new-password-file FILE
    stdaward user-set NAME [--full-name TEXT] [--role R] [--active yes|no] [--new-password-file FILE]

Changes need an administrator signed in with ``--user``/``--password-file`` once the database has
accounts; the first account made on a database without accounts is an administrator. A new
password is read from a file (first line), never from the command line.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from desktop.commands.common import add_db, print_json, session
from desktop.core.errors import BadFile
from desktop.core.i18n import _
from desktop.operations.roles import ROLES, role_label


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help=_("list the user accounts"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("user-add", help=_("add a user account (administrator)"))
    p.add_argument("name", help=_("the user name to sign in with"))
    p.add_argument("--full-name", required=True, help=_("the officer's full name"))
    p.add_argument("--role", choices=ROLES, default="clerk", help=_("clerk, reviewer or admin"))
    p.add_argument("--new-password-file", required=True, metavar=_("FILE"),
                   help=_("the new account's password: the first line of this file"))
    add_db(p)
    p.set_defaults(func=cmd_user_add)

    p = sub.add_parser("user-set", help=_("change a user account: role, full name, password, active (administrator)"))
    p.add_argument("name", help=_("the account's user name"))
    p.add_argument("--full-name", help=_("the officer's full name"))
    p.add_argument("--role", choices=ROLES, help=_("clerk, reviewer or admin"))
    p.add_argument("--active", choices=("yes", "no"), help=_("no: the account can no longer sign in"))
    p.add_argument("--new-password-file", metavar=_("FILE"), help=_("a new password: the first line of this file"))
    add_db(p)
    p.set_defaults(func=cmd_user_set)


def _password(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        text = Path(path).read_text("utf-8-sig")
    except OSError as exc:
        raise BadFile(_("cannot read {file}: {reason}").format(file=path, reason=exc.strerror or exc)) from None
    return text.splitlines()[0] if text else ""


def cmd_users(args: argparse.Namespace) -> int:
    from desktop.operations import users

    with session(args) as s:
        rows = users.listing(s)
    if args.json:
        print_json([{k: v for k, v in r.items() if k != "id"} for r in rows])
        return 0
    for r in rows:
        state = "" if r["active"] else _(" (inactive)")
        print(f"{r['username']}\t{r['display_name']}\t{role_label(r['role'])}{state}")
    if not rows:
        print(_("No user accounts: whoever uses this database acts as administrator."))
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from desktop.operations import users

    password = _password(args.new_password_file) or ""
    with session(args) as s:
        row = users.create(s, args.name, args.full_name, password, args.role)
    print(_("Added {name} ({full}) as {role}.").format(name=row["username"], full=row["display_name"],
                                                      role=role_label(row["role"])))
    return 0


def cmd_user_set(args: argparse.Namespace) -> int:
    from desktop.operations import users

    password = _password(args.new_password_file)
    if password == "":
        raise BadFile(_("{file} is empty: the new password is its first line").format(file=args.new_password_file))
    active = None if args.active is None else args.active == "yes"
    with session(args) as s:
        row = users.update(s, args.name, display_name=args.full_name, role=args.role, active=active,
                           password=password)
    print(_("{name} ({full}): {role}{state}.").format(name=row["username"], full=row["display_name"],
                                                    role=role_label(row["role"]),
                                                    state="" if row["active"] else _(", inactive")))
    return 0
