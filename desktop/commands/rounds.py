"""CLI verbs of award rounds, so a reviewer can work without the GUI:

    stdaward round compute --year YYYY [--policy ID]     create (with --policy) or recompute the year's round
    stdaward round show ROUND [--json]                    the round and its award lines
    stdaward round amount ROUND --achievement ID --amount YUAN [--note TEXT]   a discretionary amount
    stdaward round submit ROUND                           the preparer hands it in for review
    stdaward round approve ROUND                          a reviewer (never the preparer) approves it
    stdaward round return ROUND --reason TEXT             ... or sends it back

ROUND is the round's id or its year. Roles come from the session (``--user``/``--password-file``
when the database has accounts).
"""
from __future__ import annotations

import argparse
from typing import Any

from desktop.commands.common import add_db, print_json, session
from desktop.core.i18n import _
from desktop.core.money import format_money, money_str


def register(sub: Any) -> None:
    p = sub.add_parser("round", help=_("award rounds: compute, show, submit, approve, return"))
    verbs = p.add_subparsers(dest="round_verb", metavar=_("action"), required=True)
    c = verbs.add_parser("compute", help=_("compute the year's round (create it, or recompute a draft)"))
    c.add_argument("--year", type=int, required=True, help=_("the database's achievements of this year"))
    c.add_argument("--policy", help=_("policy id (needed when the year has no round yet)"))
    c.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(c)
    c.set_defaults(func=cmd_compute)
    a = verbs.add_parser("amount", help=_("set a discretionary award's amount (within its pool)"))
    a.add_argument("round", help=_("the round's id or its year"))
    a.add_argument("--achievement", required=True, help=_("the achievement's id, as loaded"))
    a.add_argument("--enterprise", metavar="CODE",
                   help=_("the enterprise whose achievement it is (when several have one with this id)"))
    a.add_argument("--amount", required=True, help=_("yuan, e.g. 150000 (0 for none)"))
    a.add_argument("--note", help=_("why this amount (kept in the award's history)"))
    a.add_argument("--if-version", type=int, metavar="N",
                   help=_("set it only if the line is still at version N (\"round show --json\" gives it): when "
                          "another officer changed it since, nothing is written"))
    add_db(a)
    a.set_defaults(func=cmd_amount)
    for name, helptext, func in (("show", _("the round and its award lines"), cmd_show),
                                 ("submit", _("hand the round in for review"), cmd_submit),
                                 ("approve", _("approve a submitted round (not your own)"), cmd_approve),
                                 ("return", _("send a submitted round back to its preparer"), cmd_return)):
        q = verbs.add_parser(name, help=helptext)
        q.add_argument("round", help=_("the round's id or its year"))
        if name == "return":
            q.add_argument("--reason", required=True, help=_("why the round goes back (the preparer reads it)"))
        q.add_argument("--json", action="store_true", help=_("print JSON"))
        add_db(q)
        q.set_defaults(func=func)


def _print_info(info: Any, as_json: bool) -> None:
    if as_json:
        print_json(info.as_dict())
        return
    print(_("round {year} ({status}): {awards} awards, total {total}; prepared by {preparer}, "
            "reviewed by {reviewer}").format(year=info.year, status=info.status_label, awards=info.awards,
                                             total=format_money(info.total), preparer=info.prepared_by or "-",
                                             reviewer=info.reviewed_by or "-"))
    if info.note:
        print(_("note: {note}").format(note=info.note))


def cmd_compute(args: argparse.Namespace) -> int:
    from desktop.operations import rounds

    with session(args) as s:
        info = rounds.compute(s, args.year, args.policy)
    _print_info(info, args.json)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from desktop.operations import rounds

    with session(args, create=False) as s:
        info = rounds.info(s, args.round)
        lines = rounds.lines(s, info.uuid)
    if args.json:
        print_json({**info.as_dict(), "lines": [{k: (money_str(v) if k == "amount" else v) for k, v in ln.items()
                                                 if k != "id"} for ln in lines]})
        return 0
    _print_info(info, False)
    for ln in lines:
        amount = format_money(ln["amount"]) if ln["amount"] is not None else "-"
        # the explanation last, as the round screen shows it: why a line is refused, how an amount was reached
        print(f"{ln['enterprise']}\t{ln['what']}\t{ln['status_label']}\t{amount}\t{ln['clause']}\t{ln['explanation']}")
        for flag in ln["flags"]:  # what the round screen marks ⚠ (a reading of the text, a look-alike to check)
            print(f"\t! {flag}")
    return 0


def cmd_amount(args: argparse.Namespace) -> int:
    from desktop.operations import rounds

    with session(args, create=False) as s:
        value = rounds.set_amount_for(s, args.round, args.achievement, args.amount, args.note, args.if_version,
                                       args.enterprise)
    print(_("{id}: {amount}").format(id=args.achievement, amount=format_money(value)))
    return 0


def cmd_submit(args: argparse.Namespace) -> int:
    from desktop.operations import rounds

    with session(args, create=False) as s:
        info = rounds.submit(s, args.round)
    _print_info(info, args.json)
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from desktop.operations import rounds

    with session(args, create=False) as s:
        info = rounds.approve(s, args.round)
    _print_info(info, args.json)
    return 0


def cmd_return(args: argparse.Namespace) -> int:
    from desktop.operations import rounds

    with session(args, create=False) as s:
        info = rounds.return_round(s, args.round, args.reason)
    _print_info(info, args.json)
    return 0
