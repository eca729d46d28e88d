"""CLI verbs of the award engine: compute, targets, compare, policy-check, policy-add, policy-print.

    stdaward compute --policy ID --input FILE.json [--json]     (or --year YYYY: the database's)
    stdaward targets --policy ID [--input FILE.json] [--as-of DATE] [--json]
    stdaward compare --policy A --policy B --input FILE.json [--json]
    stdaward policy-check FILE.toml          validate a local measure and run its worked cases
    stdaward policy-add FILE.toml [--replace]  ... and install it into the office's policy folder
    stdaward policy-print ID --out FILE.pdf  the encoded policy as a document for sign-off

Bad input: exit 2 with every bad record named, nothing computed. Duplicates are judged within the
input and against awards already made in the database (when there is one).
"""
from __future__ import annotations

import argparse
import datetime as dt
import errno
import gc
import json
import sys
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from desktop.commands.common import add_db, db_arg, read_input
from desktop.core.errors import Problem, StdAwardError, ValidationFailed
from desktop.core.i18n import _, colon


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compute", help=_("compute the award for each achievement under a policy"))
    _policy_arg(p)
    _source_args(p, required=True)
    p.add_argument("--json", action="store_true", help=_("print a JSON array of award objects"))
    add_db(p)
    p.set_defaults(func=cmd_compute)

    p = sub.add_parser("targets", help=_("progress towards the policy's targets"))
    _policy_arg(p)
    _source_args(p, required=False)
    p.add_argument("--as-of", type=_date, help=_("count up to this date (default: today)"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_targets)

    p = sub.add_parser("compare", help=_("what changes between two policies (or versions) for the same achievements"))
    p.add_argument("--policy", action="append", required=True, help=_("give twice: the policy before and after"))
    _source_args(p, required=True)
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("policy-check", help=_("validate a policy file (a local measure) and run its worked cases"))
    p.add_argument("file", help=_("a policy .toml file"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_policy_check)

    p = sub.add_parser("policy-add", help=_("check a local measure and install it into the office's policy folder"))
    p.add_argument("file", help=_("a policy .toml file"))
    p.add_argument("--replace", action="store_true",
                   help=_("replace a local measure of the same id that is already installed"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_policy_add)

    p = sub.add_parser("policy-print", help=_("print a policy as a document for sign-off (PDF)"))
    p.add_argument("policy", metavar="ID", help=_("the policy id (see \"stdaward policies\")"))
    p.add_argument("--out", required=True, help=_("the PDF file to write"))
    add_db(p)
    p.set_defaults(func=cmd_policy_print)


def _policy_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--policy", help=_("policy id (default: the office's policy in force)"))


def _source_args(p: argparse.ArgumentParser, required: bool) -> None:
    g = p.add_mutually_exclusive_group(required=required)
    g.add_argument("--input", help=_("a .json or .xlsx file of achievements"))
    g.add_argument("--year", type=int, help=_("the database's achievements of this year"))


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("a date is written as YYYY-MM-DD, not {value!r}").format(value=text)) from None


class _Context:
    """The policy folders, and a session over the database when there is one (opened only if it
    exists, or when the verb needs it)."""

    def __init__(self, args: argparse.Namespace, need_db: bool = False) -> None:
        from desktop.operations.session import Session

        self.path = db_arg(args)
        self.session: Session | None = None
        if need_db or self.path.exists():
            self.session = Session.open(self.path, create=need_db)

    @property
    def open(self) -> bool:
        return self.session is not None

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def policy(self, policy_id: str | None) -> Any:
        from desktop.operations import rounds

        return rounds.load_policy(self.session, policy_id, self.path)

    def prior(self) -> dict[tuple[Any, ...], str]:
        from desktop.operations import rounds

        return rounds.prior_awards(self.session)

    def achievements(self, args: argparse.Namespace) -> list[Any]:
        if getattr(args, "input", None):
            return parse_input(args.input)
        if self.session is None:
            raise StdAwardError(_("there is no database at {path}").format(path=self.path))
        from desktop.operations import rounds

        return rounds.achievements(self.session, getattr(args, "year", None))

    def reading(self, args: argparse.Namespace) -> AbstractContextManager[tuple[dict[tuple[Any, ...], str], Iterable[Any]]]:
        """(``prior``, ``achievements``): from the database, read as of one moment and the year a batch
        at a time as it is taken (``rounds.year_reading``)."""
        year = getattr(args, "year", None)
        if getattr(args, "input", None) or self.session is None or year is None:
            return nullcontext((self.prior(), self.achievements(args)))
        from desktop.operations import rounds

        return rounds.year_reading(self.session, year)


def parse_input(file: str) -> list[Any]:
    """Every record checked; any error -> ValidationFailed naming each bad record (exit 2)."""
    from desktop.operations import rounds

    achs, problems = rounds.parse_achievements(read_input(file))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationFailed(errors)
    for w in problems:
        print(_("warning: {record} · {field}: {message}").format(record=w.record, field=w.field, message=w.message),
              file=sys.stderr)
    return achs


def write_awards_json(results: Iterable[Any], chunk: int = 5000) -> None:
    """The JSON array of award objects (``AwardResult.to_json``), one per line, written as it goes
    (``chunk`` lines at a time: a million awards never sit in memory as text). Awards sharing an
    outcome share the encoded tail after the id, so 100,000 awards are written in one pass."""
    enc = json.JSONEncoder(ensure_ascii=False).encode
    tails: dict[tuple, str] = {}
    out = sys.stdout
    if out is None:  # started with its output closed: nowhere to write
        raise StdAwardError(_("the awards could not be written: this command's output is closed"))

    def write(text: str | None) -> None:
        # A full disk or a failing device where the output goes is not the database's: said so, and
        # that what was written is not the whole array (a pipe closed by its reader: ``main``)
        try:
            if text is None:
                out.flush()
            else:
                out.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            reason = _("the disk the output goes to is full") if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
            raise StdAwardError(_("the awards could not all be written to the output: {reason}. What was written "
                                  "is incomplete; run the command again").format(reason=reason)) from exc

    write("[\n")
    lines: list[str] = []
    any_line = False
    for r in results:
        key = (r.status, r.amount, r.rule, r.clause, r.explanation, r.flags)
        tail = tails.get(key)
        if tail is None:
            full = enc(r.to_json())
            tail = tails[key] = full[full.index(", \"status\": "):]
        lines.append('{"id": ' + enc(r.id) + tail)
        if len(lines) >= chunk:
            write((",\n" if any_line else "") + ",\n".join(lines))
            any_line, lines = True, []
    if lines:
        write((",\n" if any_line else "") + ",\n".join(lines))
        any_line = True
    write("\n]\n" if any_line else "]\n")
    write(None)  # flushed


def cmd_compute(args: argparse.Namespace) -> int:
    from desktop.commands.basic import _pad
    from desktop.core.engine import compute, compute_iter, explain_totals
    from desktop.core.money import format_money
    from desktop.core.status import award_status_label

    ctx = _Context(args, need_db=bool(args.year))
    gc.disable()  # a one-shot batch of long-lived objects: collection passes would only rescan them
    try:
        policy = ctx.policy(args.policy)
        if args.json:  # each award written as it is made: neither the records nor the awards held whole
            with ctx.reading(args) as (prior, stream):  # (its reading ended before the close, output failing or not)
                write_awards_json(compute_iter(policy, stream, prior=prior))
            return 0
        results = compute(policy, ctx.achievements(args), prior=ctx.prior())
    finally:
        gc.enable()
        ctx.close()
    print(_("{policy} ({doc}): {n} achievements").format(policy=policy.title, doc=policy.document_number or "-",
                                                        n=len(results)))
    for r in results:
        amount = format_money(r.amount) if r.amount is not None else "-"
        print(f"{r.id:<14} {_pad(award_status_label(r.status), 13)} {amount:>16}  {r.clause or '-':<10} {r.explanation}")
        for f in r.flags:
            print(f"{'':<14} ! {f}")
    t = explain_totals(results)
    print(_("Total: {total}").format(total=format_money(t.total)))
    for fund, amount in t.by_fund.items():
        name = policy.funds[fund].name if fund in policy.funds else fund
        print(f"  {name}{colon()}{format_money(amount)}")
    for ent, amount in sorted(t.by_enterprise.items()):
        print(f"  {ent}{colon()}{format_money(amount)}")
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    from desktop.core.targets import progress

    ctx = _Context(args)
    try:
        policy = ctx.policy(args.policy)
        achs = ctx.achievements(args) if (args.input or ctx.open) else []
        entered: dict[str, Any] = {}
        if ctx.session is not None:
            from desktop.operations import targets

            entered = targets.entered(ctx.session, policy.id)
    finally:
        ctx.close()
    rows = progress(policy, achs, args.as_of or dt.date.today(), entered)
    if args.json:
        from desktop.commands.common import print_json

        print_json([r.to_json() for r in rows])
        return 0
    # a sequence number, never the target's internal id (its place in the policy, as the GUI lists it)
    for n, r in enumerate(rows, 1):
        count = "-" if r.count is None else r.to_json()["count"]
        state = _("met") if r.met else _("met after the deadline") if r.met_late else \
            (_("no value entered") if r.met is None else _("not yet"))
        deadline = r.deadline.isoformat() if r.deadline else "-"
        print(f"{n:>3}. {count!s:>6} / {r.to_json()['goal']!s:<6} {r.unit or '':<3} {deadline:<11} {state:<10} {r.text}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from desktop.commands.basic import _pad
    from desktop.core.engine import compare
    from desktop.core.money import format_money
    from desktop.core.status import award_status_label

    if len(args.policy) != 2:
        raise ValidationFailed([Problem("-", "policy", _("give --policy exactly twice (before and after)"))])
    ctx = _Context(args, need_db=bool(args.year))
    try:
        a, b = ctx.policy(args.policy[0]), ctx.policy(args.policy[1])
        achs = ctx.achievements(args)
        result = compare(a, b, achs, ctx.prior())
    finally:
        ctx.close()
    if args.json:
        from desktop.commands.common import print_json

        print_json(result)
        return 0
    for row in result["rows"]:
        if not row["changed"]:
            continue
        x, y = row["a"], row["b"]
        sa, sb = _pad(award_status_label(x["status"]), 13), _pad(award_status_label(y["status"]), 13)
        print(f"{row['id']:<14} {sa} {x['amount'] or '-':>12} → {sb} {y['amount'] or '-':>12}  "
              f"({row['difference']})  {y['explanation']}")
    t = result["totals"]
    print(_("{n} of {total} achievements change. Total {a}: {ta} → {b}: {tb} (difference {d})").format(
        n=t["changed"], total=len(result["rows"]), a=a.document_number or a.title, ta=format_money(t["a"]),
        b=b.document_number or b.title,
        tb=format_money(t["b"]), d=t["difference"]))
    return 0


def cmd_policy_check(args: argparse.Namespace) -> int:
    from desktop.operations import measures

    policy = measures.check_file_at(db_arg(args), Path(args.file))
    if args.json:
        print(json.dumps({"id": policy.id, "title": policy.title, "document_number": policy.document_number,
                          "rules": len(policy.rules), "targets": len(policy.targets), "cases": len(policy.cases)},
                         ensure_ascii=False))
        return 0
    print(_("{name}: valid; {rules} rules, {targets} targets, {cases} worked cases pass").format(
        name=measures.policy_name(policy), rules=len(policy.rules), targets=len(policy.targets),
        cases=len(policy.cases)))
    return 0


def cmd_policy_add(args: argparse.Namespace) -> int:
    from desktop.commands.common import session
    from desktop.operations import measures

    with session(args) as s:
        done = measures.install(s, Path(args.file), replace=args.replace)
    if args.json:
        print(json.dumps({"id": done.id, "title": done.title, "document_number": done.document_number,
                          "file": str(done.path), "replaced": done.replaced}, ensure_ascii=False))
        return 0
    text = _("Replaced {name} in {folder}.") if done.replaced else _("Installed {name} into {folder}.")
    print(text.format(name=done.name, folder=done.path.parent))
    return 0


def cmd_policy_print(args: argparse.Namespace) -> int:
    from desktop.commands.common import session
    from desktop.operations import measures

    with session(args) as s:
        out, title = measures.print_policy(s, args.policy, Path(args.out))
    print(_("Wrote the print-out of {title} to {file}.").format(title=title, file=out))
    return 0
