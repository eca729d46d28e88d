"""CLI verbs for official documents: ``notices``, ``summary``, ``verify-notice``, ``reprint``,
``notice-void``, ``notice-list``, ``notice-fonts`` and ``notice-wording``.

    stdaward notices --round UUID --out FILE.pdf [--separate DIR] [--date YYYY-MM-DD]   (an approved round)
    stdaward notices --policy ID --input FILE.json --out FILE.pdf   (a draft: 样稿, no 发文字号, nothing recorded)
    stdaward summary --policy ID --input FILE.json --out FILE.pdf|FILE.xlsx   (or --round UUID)
    stdaward verify-notice CODE
    stdaward reprint 城市监〔2026〕12号 --out FILE.pdf [--archive]
    stdaward reprint --pending --out FILE.pdf [--archive FILE]   (every notice left pending or failed)
    stdaward notice-void 城市监〔2026〕12号 --reason TEXT
    stdaward notice-fonts [--body FILE] [--heading FILE] [--reset]
    stdaward notice-wording [--kind KIND [--line TEXT | --general]] [--defaults] [--json]

``notices --round`` also writes the approval/archive copies (存档联, with the computation and every
flag an officer must see) to ``--archive FILE`` (default: beside --out, ``<name>-存档联.pdf``).
Issuing needs a reviewer or administrator; running it again allocates nothing and names the numbers
that already cover the round.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from desktop.commands.common import add_db, db_arg, print_json, read_input, session
from desktop.core.docnames import number_list
from desktop.core.errors import StdAwardError, ValidationFailed
from desktop.core.i18n import _, colon
from desktop.core.status import NoticeStatus


def register(sub: Any) -> None:
    p = sub.add_parser("notices", help=_("print official award notices, one per enterprise with an award"))
    _source_args(p)
    p.add_argument("--out", help=_("one PDF holding every notice"))
    p.add_argument("--separate", metavar="DIR", help=_("also one PDF per enterprise in this folder"))
    p.add_argument("--archive", metavar="FILE", help=_("the approval/archive copies (default: beside --out)"))
    p.add_argument("--date", help=_("date of the notices, YYYY-MM-DD (default: today)"))
    p.add_argument("--duplex", action="store_true",
                   help=_("pad a notice with an odd number of pages with a blank page, for printing on both sides"))
    p.add_argument("--json", action="store_true", help=_("list the notices issued as JSON"))
    add_db(p)
    p.set_defaults(func=cmd_notices)

    p = sub.add_parser("summary", help=_("the summary table of awards (PDF or xlsx)"))
    _source_args(p)
    p.add_argument("--out", required=True, help=_("FILE.pdf or FILE.xlsx"))
    add_db(p)
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("notice-docx", help=_("the notices as editable Word drafts (.docx) for the office's OA system: "
                                             "no number, no verification code, nothing issued"))
    _source_args(p)
    p.add_argument("--out", required=True, metavar="DIR", help=_("folder for one .docx per enterprise"))
    p.add_argument("--date", help=_("date of the notices, YYYY-MM-DD (default: today)"))
    add_db(p)
    p.set_defaults(func=cmd_docx)

    p = sub.add_parser("notice-wording", help=_("show the award line wording per kind of achievement, or set "
                                                "one kind's own line (administrators)"))
    p.add_argument("--kind", metavar="KIND", help=_("the kind of achievement (standard, prize, gi ...)"))
    p.add_argument("--line", metavar="TEXT", help=_("its own award line; placeholders {n} {achievement} {clause} "
                                                    "{amount}"))
    p.add_argument("--general", action="store_true", help=_("the kind uses the general award line again"))
    p.add_argument("--defaults", action="store_true", help=_("restore the default wording of every text"))
    p.add_argument("--if-version", type=int, metavar="N",
                   help=_("change it only if it is still at version N (as shown when you read it): when another "
                          "officer changed it since, nothing is written"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_wording)

    p = sub.add_parser("notice-serial", help=_("show or set the next 发文字号 serial (to continue the office's own register)"))
    p.add_argument("--year", type=int, help=_("the year of the 发文字号 (default: this year)"))
    p.add_argument("--next", type=int, metavar="N", help=_("the next serial to use; never one already used"))
    add_db(p)
    p.set_defaults(func=cmd_serial)

    p = sub.add_parser("verify-notice", help=_("check a notice's or a letter of refusal's verification code or QR "
                                               "text"))
    p.add_argument("code", help=_("the code printed on the notice (or the QR code's text)"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("reprint", help=_("print an issued notice again, identical to the original"))
    p.add_argument("ref", nargs="?", help=_("the document number (城市监〔2026〕12号) or the notice's id"))
    p.add_argument("--pending", action="store_true",
                   help=_("every notice left pending or failed (e.g. after a crash while printing), in one file"))
    p.add_argument("--out", required=True, help=_("the PDF file to write"))
    p.add_argument("--archive", nargs="?", const=True, default=None, metavar="FILE",
                   help=_("the approval/archive copy (with --pending: also write to FILE the archive copies of those "
                          "and of every issued notice whose archive copy was never printed)"))
    add_db(p)
    p.set_defaults(func=cmd_reprint)

    p = sub.add_parser("notice-void", help=_("withdraw a notice: its number stays used and it no longer verifies"))
    p.add_argument("ref", help=_("the document number (城市监〔2026〕12号) or the notice's id"))
    p.add_argument("--reason", required=True, help=_("why the notice is withdrawn (kept in the audit log)"))
    add_db(p)
    p.set_defaults(func=cmd_void)

    p = sub.add_parser("notice-list", help=_("the notices issued (number, enterprise, total, status, code)"))
    p.add_argument("--year", type=int, help=_("only notices of this year"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("notice-fonts", help=_("show or choose the fonts notices are printed with"))
    p.add_argument("--body", metavar="FILE", help=_("body font (仿宋), a file name or path"))
    p.add_argument("--heading", metavar="FILE", help=_("heading font (小标宋/黑体), a file name or path"))
    p.add_argument("--reset", action="store_true", help=_("go back to the automatic choice"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_fonts)


def _source_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--policy", help=_("policy id (with --input)"))
    p.add_argument("--input", help=_("achievements file (.json or .xlsx)"))
    p.add_argument("--round", help=_("an award round in the database: its year (instead of --policy/--input)"))


def _date(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise StdAwardError(_("not a date (YYYY-MM-DD): {value}").format(value=text)) from None


def _resolve_round(s: Any, args: argparse.Namespace) -> None:
    """``--round`` as the officer gives it (the year, or the round's global id) made the round's id."""
    if args.round:
        from desktop.operations import rounds

        args.round = rounds.info(s, args.round).uuid


def computed_input(args: argparse.Namespace, s: Any) -> tuple[Any, list[Any], dict[str, Any], dict[str, str], int]:
    """(policy, results, achievements by id, enterprise names, year) for --policy/--input."""
    from desktop.operations import notices as ops

    if not (args.policy and args.input):
        raise StdAwardError(_("give --policy and --input, or --round"))
    return ops.compute_file(s, args.policy, read_input(args.input))


def cmd_notices(args: argparse.Namespace) -> int:
    from desktop.core import failures
    from desktop.operations import notices as ops
    from desktop.operations import wording

    if not args.out and not args.separate:
        raise StdAwardError(_("give --out FILE.pdf and/or --separate DIR"))
    day = _date(args.date)
    with session(args) as s:
        _resolve_round(s, args)
        for w in wording.check_issue_date(s, day, args.round):
            print(_("warning: {message}").format(message=w), file=sys.stderr)
        if not args.round:
            if not args.out:
                raise StdAwardError(_("a draft from a file is one PDF: give --out FILE.pdf"))
            policy, results, achs, names, year = computed_input(args, s)
            path = ops.draft(s, results, achs, names, policy, day, year, Path(args.out))
            print(_("draft (样稿, no document number, nothing recorded): {file}").format(file=path))
            return 0
        issued = ops.issue_round(s, args.round, day)
        numbers = number_list(n.doc_number for n in issued)
        try:
            written = []
            if args.out:
                out = Path(args.out)
                written.append(ops.print_notices(s, issued, out, duplex=args.duplex))
                archive = Path(args.archive) if args.archive else out.with_name(f"{out.stem}-存档联{out.suffix}")
                written.append(ops.print_notices(s, issued, archive, copy="archive"))
            if args.separate:
                folder = Path(args.separate)
                for n in issued:
                    written.append(ops.print_notices(s, [n], folder / separate_name(n)))
        except ValidationFailed:
            raise
        except StdAwardError as exc:
            raise StdAwardError(_("{reason}; notices {numbers} are recorded as failed: print them with "
                                  "\"stdaward reprint --pending\"").format(reason=exc, numbers=numbers)) from exc
        except OSError as exc:
            found = failures.classify(exc)
            reason = (failures.message(found[0], found[1] or exc.filename) if found
                      else _("cannot write {file}: {reason}").format(file=exc.filename or args.out or args.separate,
                                                                      reason=exc.strerror or exc))
            raise StdAwardError(_("{reason}; notices {numbers} are recorded as failed: print them with "
                                  "\"stdaward reprint --pending\"").format(reason=reason, numbers=numbers)) from exc
        if args.json:
            print_json([ops.listing_row(n) for n in issued])
        else:
            print(_("{count} notices issued: {numbers}").format(count=len(issued), numbers=numbers))
            for w in written:
                print(w)
    return 0


def cmd_docx(args: argparse.Namespace) -> int:
    from desktop.operations import wording

    day = _date(args.date)
    with session(args) as s:
        _resolve_round(s, args)
        wording.check_issue_date(s, day)
        computed = None if args.round else computed_input(args, s)
        written = wording.docx_drafts(s, Path(args.out), day, round_uuid=args.round, computed=computed)
    for path in written:
        print(path)
    return 0


def cmd_wording(args: argparse.Namespace) -> int:
    from desktop.core.labels import kind_label
    from desktop.operations import wording

    if (args.line is not None or args.general) and not args.kind:
        raise StdAwardError(_("give --kind with --line or --general"))
    if args.line is not None and args.general:
        raise StdAwardError(_("give --line or --general, not both"))
    expected = args.if_version  # the second change goes on from the first's version
    with session(args) as s:
        if args.defaults:
            version = wording.restore_defaults(s, expected)
            expected = version if expected is not None else None
            print(_("the default wording is in force again (version {version})").format(version=version))
        if args.kind and (args.line is not None or args.general):
            version = wording.set_kind_line(s, args.kind, None if args.general else args.line, expected)
            print(_("wording saved as version {version}").format(version=version))
        words = wording.template_in_force(s)
    lines = {kind: words["kinds"].get(kind) for kind in wording.kinds()}
    if args.json:
        print_json({"version": words["version"], "line": words["line"], "kinds": lines})
        return 0
    print(_("general award line: {text}").format(text=words["line"]))
    general = _("(the general award line)")
    for kind, text in lines.items():
        if not args.kind or kind == args.kind:
            print(f"{kind_label(kind)}\t{text or general}")
    return 0


def cmd_serial(args: argparse.Namespace) -> int:
    from desktop.operations import wording

    with session(args) as s:
        if args.next is not None:
            prefix, year, number = wording.set_next_number(s, args.next, args.year)
        else:
            prefix, year, number = wording.next_number(s, args.year)
    print(_("next document number: {number}").format(number=f"{prefix}〔{year}〕{number}号"))
    return 0


def separate_name(n: Any) -> str:
    """File name for one enterprise's notice: 城市监〔2026〕12号-企业名称.pdf (no path separators)."""
    name = "".join(ch for ch in n.content["recipient"]["name"] if ch not in '\\/:*?"<>|')
    return f"{n.doc_number}-{name}.pdf"


def cmd_summary(args: argparse.Namespace) -> int:
    from desktop.operations import notices as store

    with session(args) as s:
        _resolve_round(s, args)
        if args.round:
            path = store.write_round_summary(s, args.round, Path(args.out))
        else:
            policy, results, achs, names, year = computed_input(args, s)
            path = store.write_summary(s, policy, results, achs, names, year, Path(args.out))
    print(path)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from desktop.operations import notices as store

    with session(args, create=False) as s:
        info = store.verify(s, args.code)  # a void notice: NoticeVoid says 已作废 with date and reason
    if args.json:
        print_json(info)
    elif info.get("kind") == "refusal":
        print(_("valid letter of refusal: {number} to {code}, {claims} claim(s) not paid, dated {date} ({status})").format(
            number=info["doc_number"] or _("not numbered"), code=info["enterprise"], claims=info["claims"],
            date=info["issued_on"], status=info["status"]))
    else:
        print(_("valid: {number} to {name} ({code}), total {total}, dated {date}, status {status}").format(
            number=info["doc_number"], name=info["name"], code=info["enterprise"], total=info["total"],
            date=info["issued_on"], status=info["status"]))
    return 0


def cmd_reprint(args: argparse.Namespace) -> int:
    from desktop.operations import notices as store

    if args.pending:
        if args.ref:
            raise StdAwardError(_("give a document number or --pending, not both"))
        with session(args, create=False) as s:
            archive = Path(args.archive) if isinstance(args.archive, str) else None
            done = store.reprint_pending(s, Path(args.out), archive)
        print(_("{count} notices printed: {numbers}").format(count=len(done),
                                                           numbers=number_list(n.doc_number for n in done)))
        for path in (Path(args.out), archive):  # only the archive copies may have been missing
            if path is not None and path.exists():
                print(path)
        return 0
    if not args.ref:
        raise StdAwardError(_("give the document number of the notice to reprint, or --pending"))
    with session(args, create=False) as s:
        path = store.reprint(s, args.ref, Path(args.out), "archive" if args.archive else "enterprise")
    print(path)
    return 0


def cmd_void(args: argparse.Namespace) -> int:
    from desktop.operations import notices as store

    with session(args, create=False) as s:
        n = store.void(s, args.ref, args.reason)
    print(_("notice {number} is void; its number stays used").format(number=n.doc_number))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from desktop.operations import notices as store

    with session(args) as s:
        rows = store.listing(s, args.year)
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            status = _("needs printing") if r["needs_print"] else store.status_label(r["status"])
            if r["status"] == NoticeStatus.ISSUED and r["archive_printed"] is False:
                status += " " + _("(archive copy not printed)")
            print(f"{r['doc_number']}\t{r['issued_on']}\t{status}\t{r['total']}\t{r['code']}\t{r['name']}")
    return 0


def cmd_fonts(args: argparse.Namespace) -> int:
    from desktop.operations import notices as ops

    with session(args) as s:
        result = ops.fonts(s, args.body, args.heading, args.reset)
    if args.json:
        print_json(result)
    else:
        labels = {"body": _("body (仿宋)"), "heading": _("header and title (小标宋)")}
        for role, c in result.items():
            extra = _(" (bundled)") if c["bundled"] else ""
            verdict = _("the standard's face") if c["standard"] else _("a substitute, not the standard's face")
            print(f"{labels.get(role, role)}{colon()}{c['face'] or c['file']} — {verdict}; {c['path']}#{c['index']}{extra}")
    sys.stdout.flush()
    return 0


__all__ = ["db_arg", "register"]
