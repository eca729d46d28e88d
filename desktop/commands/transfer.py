"""``stdaward migrate-db --to postgresql://…`` (or ``--to FILE.db``): copy the office database named by
``--db``/``--from`` to a new database on another engine, every row with its id, checked."""
from __future__ import annotations

import argparse
import json
import sys

from desktop.commands.common import add_db, session
from desktop.core.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("migrate-db", help=_("copy the office database to a new database on a server or in a file"))
    p.add_argument("--from", dest="db", default=argparse.SUPPRESS, metavar=_("DB"),
                   help=_("the database to copy (the same as --db)"))
    p.add_argument("--to", required=True, metavar=_("DB"),
                   help=_("the new, empty database: postgresql://user@host/dbname or a new .db file"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_migrate_db)


def cmd_migrate_db(args: argparse.Namespace) -> int:
    from desktop.operations.quick import resolve_db_path
    from desktop.operations.transfer import migrate_db

    target = resolve_db_path(args.to)
    with session(args, auto_backup=False) as s:
        done = migrate_db(s, target)
    if args.json:
        print(json.dumps(done, ensure_ascii=False))
    else:
        print(_("Copied {rows} rows in {tables} tables into {target}; the audit log verifies there.").format(
            rows=sum(done["rows"].values()), tables=len(done["rows"]), target=done["to"]))
    for note in done["evidence_missing"]:
        print(note, file=sys.stderr)
    return 0
