"""CLI verbs for payments (拨付) on issued notices.

    stdaward payment record 城市监〔2026〕3号 --amount 20000 --date 2026-12-01 --voucher PZ-1 [--note TEXT]
    stdaward payment reverse 城市监〔2026〕3号 --voucher PZ-1 --date 2026-12-05 --ref 退-PZ-1 --reason TEXT
    stdaward payment show 城市监〔2026〕3号 [--json]
    stdaward payment list [--year Y] [--json]
    stdaward payment import FILE.xlsx
    stdaward payment totals [--year Y] [--json]
    stdaward payment offices [--json]   (at the city: each county's audit head and payments received)
"""
from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

from desktop.commands.common import add_db, print_json, session
from desktop.core.i18n import _


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    top = sub.add_parser("payment", help=_("record, reverse and list payments on issued notices"))
    verbs = top.add_subparsers(dest="payment_verb", metavar=_("command"), required=True)

    p = verbs.add_parser("record", help=_("record a payment (partial payments allowed, never above what remains)"))
    p.add_argument("notice", help=_("the document number (城市监〔2026〕12号)"))
    p.add_argument("--amount", required=True, help=_("amount in yuan, e.g. 20000 or 20000.50"))
    p.add_argument("--date", required=True, help=_("the payment date, YYYY-MM-DD"))
    p.add_argument("--voucher", required=True, help=_("the voucher number or bank reference"))
    p.add_argument("--note", help=_("a remark kept with the payment"))
    add_db(p)
    p.set_defaults(func=cmd_record)

    p = verbs.add_parser("reverse", help=_("take a payment back (returned by the bank, booked in error)"))
    p.add_argument("notice", help=_("the document number (城市监〔2026〕12号)"))
    p.add_argument("--voucher", required=True, help=_("the voucher of the payment taken back"))
    p.add_argument("--date", required=True, help=_("the reversal's date, YYYY-MM-DD"))
    p.add_argument("--ref", required=True, help=_("the reversal's own voucher number or bank reference"))
    p.add_argument("--reason", required=True, help=_("why the payment is taken back"))
    add_db(p)
    p.set_defaults(func=cmd_reverse)

    p = verbs.add_parser("show", help=_("one notice's total, payments and what remains"))
    p.add_argument("notice", help=_("the document number (城市监〔2026〕12号)"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_show)

    p = verbs.add_parser("list", help=_("every payment and reversal"))
    p.add_argument("--year", type=int, help=_("only notices of this year"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_list)

    p = verbs.add_parser("import", help=_("record the payments of the finance bureau's spreadsheet (all or nothing)"))
    p.add_argument("file", help=_("an .xlsx with the columns 发文字号, 日期, 金额, 凭证号"))
    add_db(p)
    p.set_defaults(func=cmd_import)

    p = verbs.add_parser("offices", help=_("at the city: each office's audit head and the payments it sent"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_offices)

    p = verbs.add_parser("totals", help=_("issued, paid and outstanding per year and fund"))
    p.add_argument("--year", type=int, help=_("only this year"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_totals)


def _money(value: Decimal) -> str:
    from desktop.core.money import format_money

    return format_money(value)


def _plain(obj: Any) -> Any:
    """JSON-ready: Decimal as "20000.00", dates ISO."""
    import datetime as dt

    from desktop.core.money import money_str

    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    if isinstance(obj, Decimal):
        return money_str(obj)
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj


def _print_state(state: dict[str, Any]) -> None:
    print(_("{number} {recipient}: total {total}, paid {paid}, outstanding {left}").format(
        number=state["doc_number"], recipient=state["recipient"], total=_money(state["total"]),
        paid=_money(state["paid"]), left=_money(state["outstanding"])))


def cmd_record(args: argparse.Namespace) -> int:
    from desktop.operations import payments

    with session(args, create=False) as s:
        state = payments.record(s, args.notice, args.amount, args.date, args.voucher, args.note)
    _print_state(state)
    return 0


def cmd_reverse(args: argparse.Namespace) -> int:
    from desktop.operations import payments

    with session(args, create=False) as s:
        state = payments.reverse(s, args.notice, args.voucher, args.date, args.ref, args.reason)
    _print_state(state)
    return 0


def _line(r: dict[str, Any]) -> str:
    if r["is_reversal"]:
        what = _("reversal of {ref}").format(ref=r["reverses"])
        amount = "-" + _money(r["amount"])
    else:
        what = _("payment (reversed)") if r["reversed"] else _("payment")
        amount = _money(r["amount"])
    return f"{r['paid_on'].isoformat()}  {r['doc_number']}  {r['reference']}  {amount}  {what}"


def cmd_show(args: argparse.Namespace) -> int:
    from desktop.operations import payments

    with session(args, create=False) as s:
        state = payments.notice_state(s, args.notice)
    if args.json:
        print_json(_plain(state))
        return 0
    _print_state(state)
    for r in state["payments"]:
        print("  " + _line(r))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from desktop.operations import payments

    with session(args, create=False) as s:
        rows = payments.listing(s, args.year)
    if args.json:
        print_json(_plain(rows))
        return 0
    for r in rows:
        print(_line(r))
    if not rows:
        print(_("no payments recorded"))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from desktop.operations import payments

    with session(args, create=False) as s:
        done = payments.import_xlsx(s, args.file)
    print(_("{rows} payments recorded, {amount} in all, on {n} notices").format(
        rows=done["rows"], amount=_money(done["amount"]), n=len(done["notices"])))
    return 0


def cmd_totals(args: argparse.Namespace) -> int:
    from desktop.operations import payments

    with session(args, create=False) as s:
        rows = payments.totals(s, args.year)
    if args.json:
        print_json(_plain(rows))
        return 0
    for r in rows:
        print(_("{year} {fund}: issued {issued}, paid {paid}, outstanding {left}").format(
            year=r["year"], fund=r["fund_name"], issued=_money(r["issued"]), paid=_money(r["paid"]),
            left=_money(r["outstanding"])))
    if not rows:
        print(_("no notices issued"))
    return 0


def cmd_offices(args: argparse.Namespace) -> int:
    from desktop.operations import payments

    with session(args, create=False) as s:
        rows = payments.offices(s)
    if args.json:
        print_json(_plain(rows))
        return 0
    for r in rows:
        head = r["audit_head"] or _("no audit head received")
        if r["audit_head"] and not r["audit_head_signed"]:
            head += " " + _("(signature does not verify)")
        if r["audit_log_shrank_from"] is not None:
            head += " " + _("(the log held {n} entries in an earlier package)").format(n=r["audit_log_shrank_from"])
        print(_("{office}: {head}; {n} payments, {paid} paid").format(office=r["office"], head=head, n=r["payments"],
                                                                     paid=_money(r["paid"])))
        if r["payments_altered"]:
            print("  " + _("{n} payments came back changed in a later package: the first version is kept").format(
                n=r["payments_altered"]))
    if not rows:
        print(_("no offices registered"))
    return 0
