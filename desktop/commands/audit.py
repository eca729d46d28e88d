"""CLI verb ``audit-verify``: check the audit log's chain, its signed head beside the database and
its agreement with the rounds, awards, notices, payments and users it covers.

    stdaward audit-verify [--db PATH] [--json] [--against AH1:…|FILE]

Exit 0 when everything agrees; 1 otherwise, the first line on stderr naming the first bad entry.
``--against`` also checks that the log still extends a head kept elsewhere (the ``AH1:`` line the
verb prints, an archive copy, a head file taken from an export): that catches a log rewritten and
re-signed by someone holding the office key. Bad ``--against`` text exits 2.
"""
from __future__ import annotations

import argparse
import sys

from desktop.commands.common import add_db, print_json, session
from desktop.core.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit-verify", help=_("check the audit log and the records it covers"))
    add_db(p)
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.add_argument("--against", metavar="HEAD", help=_("a head kept elsewhere (AH1:… or a head file) the log must extend"))
    p.set_defaults(func=cmd_audit_verify)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from desktop.operations import integrity

    against = integrity.parse_against(args.against) if args.against else None
    with session(args, create=False) as s:
        verdict = integrity.verify(s, against)
    if args.json:
        print_json({"ok": verdict.ok, "entries": verdict.entries, "head": verdict.head,
                    "findings": [{"entry": f.entry, "message": f.message} for f in verdict.findings]})
    for f in verdict.findings:
        sys.stderr.write(f.message + "\n")
    if not verdict.ok:
        return 1
    if not args.json:
        print(_("the audit log is intact: {n} entries, signed head and records agree").format(n=verdict.entries))
        print(verdict.head)
    return 0
