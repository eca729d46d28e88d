"""CLI verb ``audit-verify``: check the audit log's chain, its signed head beside the database and
its agreement with the rounds, awards, notices, payments and users it covers.

    stdaward audit-verify [--db PATH] [--json]

Exit 0 when everything agrees; 1 otherwise, the first line on stderr naming the first bad entry.
"""
from __future__ import annotations

import argparse
import sys

from desktop.commands.common import add_db, database, print_json
from desktop.core.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit-verify", help=_("check the audit log and the records it covers"))
    add_db(p)
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(func=cmd_audit_verify)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from desktop.store import audit
    from desktop.store.models import AuditEntry

    with database(args, create=False) as path:
        findings = audit.verify_all(path)
        count = AuditEntry.select().count()
    if args.json:
        print_json({"ok": not findings, "entries": count,
                    "findings": [{"entry": f.entry, "message": f.message} for f in findings]})
    for f in findings:
        sys.stderr.write(f.message + "\n")
    if findings:
        return 1
    if not args.json:
        print(_("the audit log is intact: {n} entries, signed head and records agree").format(n=count))
    return 0
