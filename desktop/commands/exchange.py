"""CLI verbs of the USB exchange: export, verify-package, import, offices, register-office, consolidate.

Refused packages (damaged, forged, stale, unknown office, wrong passphrase) exit with 2 and one
line saying why; ``import --json`` prints the summary with the keys new, updated, unchanged,
conflicts and rejected (counts), plus ``details`` (the records with reasons) and ``package``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from desktop.commands.common import add_db, db_arg, kept_note, print_json, session
from desktop.core.errors import BadFile
from desktop.core.i18n import _, colon
from desktop.core.regions import region_name


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help=_("write this office's data to an exchange package (for a USB stick)"))
    p.add_argument("--out", required=True, help=_("the package file to write"))
    g = p.add_mutually_exclusive_group()
    g.add_argument("--year", type=int, help=_("only this year's achievements and award rounds"))
    g.add_argument("--since-last", action="store_true", help=_("everything changed since the last export"))
    p.add_argument("--passphrase-file", help=_("encrypt with the passphrase in this file"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("verify-package", help=_("check an exchange package without changing the database"))
    p.add_argument("file")
    p.add_argument("--passphrase-file", help=_("the passphrase of an encrypted package"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("import", help=_("import an exchange package (shows what changes; one transaction)"))
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help=_("only show what would change"))
    p.add_argument("--passphrase-file", help=_("the passphrase of an encrypted package"))
    p.add_argument("--take-theirs", action="append", default=[], metavar="N",
                   help=_("resolve this conflict (its number in the dry run's list) with the package's version"))
    p.add_argument("--keep-mine", action="append", default=[], metavar="N",
                   help=_("resolve this conflict by keeping this database's version"))
    p.add_argument("--take-all-theirs", action="store_true", help=_("resolve every conflict with the package's version"))
    p.add_argument("--json", action="store_true", help=_("print the summary as JSON"))
    add_db(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("reply", help=_("the city's reply to a county: accept or return its submission for a year"))
    p.add_argument("office", metavar=_("OFFICE"), help=_("the county office (its registered name or id)"))
    p.add_argument("--year", type=int, required=True, help=_("the year of the submission"))
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--accept", action="store_const", const="accepted", dest="decision", help=_("accept it"))
    g.add_argument("--return", action="store_const", const="returned", dest="decision",
                   help=_("return it for correction"))
    p.add_argument("--comment", default="", help=_("the city's comment on the submission"))
    p.add_argument("--remark", action="append", default=[], metavar="ID=COMMENT",
                   help=_("a comment on one achievement (the id the county gave it)"))
    p.add_argument("--pass-on", action="store_true",
                   help=_("at a city: also give each of the county's records the province returned the "
                          "province's remark on it (from its reply on the same year)"))
    p.add_argument("--out", required=True, help=_("the reply package to write"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_reply)

    p = sub.add_parser("replies", help=_("the city's replies to this office: what was accepted, returned and why"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_replies)

    p = sub.add_parser("offices", help=_("the offices whose packages this database accepts, and this office's key"))
    p.add_argument("--card", metavar="FILE", help=_("write this office's card (name, region, public key) for the city"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_offices)

    p = sub.add_parser("register-office", help=_("accept packages signed by a county office (its card or a package)"))
    p.add_argument("file", help=_("the office card, or a package from the office"))
    p.add_argument("--fingerprint", help=_("the key fingerprint the office read to you (required with a package)"))
    p.add_argument("--replace", action="store_true", help=_("the office made a new key: replace the registered one"))
    add_db(p)
    p.set_defaults(func=cmd_register_office)

    p = sub.add_parser("consolidate", help=_("city: totals by county, year, rule and fund, and cross-county checks"))
    p.add_argument("--year", type=int, help=_("only this year"))
    p.add_argument("--xlsx", metavar="FILE", help=_("write the report as an Excel workbook"))
    p.add_argument("--pdf", metavar="FILE", help=_("write the report as a PDF"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.add_argument("--recount", action="store_true",
                   help=_("sum every award line again instead of the sums kept at import, and report any that differ"))
    add_db(p)
    p.set_defaults(func=cmd_consolidate)


def read_passphrase(path: str | None) -> str | None:
    if not path:
        return None
    try:
        text = Path(path).read_text("utf-8-sig")
    except OSError as exc:
        raise BadFile(_("cannot read the passphrase file {file}: {reason}").format(file=path, reason=exc.strerror or exc)) from None
    text = text.rstrip("\r\n")
    if not text:
        raise BadFile(_("the passphrase file {file} is empty").format(file=path))
    return text


class _StderrProgress:
    """The operations' progress on a terminal: one line rewritten in place (nothing when piped)."""

    cancelled = False

    def update(self, done: int, total: int = 0, text: str = "") -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{text} {done}/{total}   ")
            if total and done >= total:
                sys.stderr.write("\n")

    def check(self) -> None:
        pass


def cmd_export(args: argparse.Namespace) -> int:
    from desktop.operations import exchange

    passphrase = read_passphrase(args.passphrase_file)
    with session(args) as s:
        r = exchange.export(s.with_progress(_StderrProgress()), Path(args.out), year=args.year,
                            since_last=args.since_last, passphrase=passphrase)
    if args.json:
        print_json({"path": str(r.path), "sequence": r.sequence, "sha256": r.sha256, "counts": r.counts,
                    "period": r.period, "encrypted": r.encrypted, "size": r.size,
                    "evidence_files": r.evidence_files, "evidence_bytes": r.evidence_bytes, "warnings": r.warnings})
    else:
        print(_("Exported package no. {seq} to {path}: {e} enterprises, {a} achievements, {r} award rounds, "
                "{w} awards{enc}. Checked by reading it back.").format(
            seq=r.sequence, path=r.path, e=r.counts["enterprises"], a=r.counts["achievements"],
            r=r.counts["rounds"], w=r.counts["awards"], enc=_(", encrypted") if r.encrypted else ""))
        print(_("SHA-256: {sha}").format(sha=r.sha256))
        print(_("Package size {size} MB, of which {n} evidence files not sent before: {ev} MB.").format(
            size=f"{r.size / (1 << 20):.1f}", n=r.evidence_files, ev=f"{r.evidence_bytes / (1 << 20):.1f}"))
    if r.kept is not None:
        print(kept_note(r.kept, r.path), file=sys.stderr)
    for w in r.warnings:
        print(_("warning: {message}").format(message=w), file=sys.stderr)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from desktop.operations import exchange

    path, passphrase = db_arg(args), read_passphrase(args.passphrase_file)
    if path.exists():
        with session(args, create=False, auto_backup=False) as s:
            info = exchange.verify(s, Path(args.file), passphrase)
    else:  # no database here: the package is checked, its signer cannot be
        _pkg, info = exchange.inspect(Path(args.file), passphrase)
    trusted = info["ok"]
    info["ok"] = trusted is not False
    if trusted is False:  # a key not registered here: its fingerprint, typed back into register-office, confirms nothing
        info.pop("fingerprint", None)
    if args.json:
        print_json(info)
    else:
        c = info.get("counts") or {}
        print(_("Package no. {seq} from {name} ({region}), made {at}: intact, signature valid; {signer}.").format(
            seq=info["sequence"], name=info["office"].get("name"), region=region_name(info["office"].get("region")),
            at=info["created_at"], signer=info["signer"]))
        counts = dict(e=c.get("enterprises", 0), a=c.get("achievements", 0), r=c.get("rounds", 0), w=c.get("awards", 0))
        if "fingerprint" in info:
            print(_("Holds {e} enterprises, {a} achievements, {r} award rounds, {w} awards; key {fp}.").format(
                fp=info["fingerprint"], **counts))
        else:
            print(_("Holds {e} enterprises, {a} achievements, {r} award rounds, {w} awards.").format(**counts))
    if trusted is False:
        print(_("error: {reason}").format(reason=info["signer"]), file=sys.stderr)
        return 2
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from desktop.operations import exchange
    from desktop.operations.exchange import KEEP_MINE, TAKE_THEIRS

    with session(args) as s:
        s = s.with_progress(_StderrProgress())
        pkg = exchange.read(s, Path(args.file), read_passphrase(args.passphrase_file))
        plan = exchange.plan_import(s, pkg)
        if args.dry_run:
            summary = plan.summary()
        else:
            res = {_conflict_key(plan, k): KEEP_MINE for k in args.keep_mine}
            keys = [c.key for c in plan.conflicts] if args.take_all_theirs else args.take_theirs
            res.update({_conflict_key(plan, k): TAKE_THEIRS for k in keys})
            result = exchange.apply_import(s, pkg, resolutions=res, plan=plan)
            plan, summary = result.plan, result.summary()
    if args.json:
        print_json(summary)
        return 0
    _print_summary(plan, summary, args.dry_run)
    return 0


def _conflict_key(plan: Any, given: str) -> str:
    """A conflict as the officer names it: its number in the dry run's list (1, 2, ...), or its key."""
    text = given.strip()
    if text.isdigit() and 1 <= int(text) <= len(plan.conflicts):
        return str(plan.conflicts[int(text) - 1].key)
    return text


def _print_summary(plan, summary: dict, dry_run: bool) -> None:
    from desktop.operations.exchange import TABLES

    o = plan.office
    print(_("Package no. {seq} from {name}{again}.").format(
        seq=o["sequence"], name=o["name"], again=_(" (imported before)") if plan.already_imported else ""))
    print(_("New: {new}  Updated: {updated}  Unchanged: {unchanged}  Conflicts: {conflicts}  Rejected: {rejected}").format(**summary))
    if summary.get("deleted"):
        print(_("Deleted or merged at the office: {deleted}").format(deleted=summary["deleted"]))
    decisions = plan.package.rows("decisions")
    if decisions:
        print(_("A reply from {office}: {n} decisions, {m} records commented (see: stdaward replies).").format(
            office=o["name"], n=len(decisions), m=len(plan.package.rows("remarks"))))
    for key, title in (("updated", _("Updated")), ("deleted", _("Deleted")), ("rejected", _("Rejected"))):
        for item in getattr(plan, key)[:50]:
            print(f"  {title}{colon()}{_(TABLES.get(item.table, item.table))} {item.label}{colon()}{item.reason}")
    for n, c in enumerate(plan.conflicts, 1):  # numbered: the record's global id is the program's, not the officer's
        print(_("  Conflict {n}: {table} {label}: {reason}").format(
            n=n, table=_(TABLES.get(c.table, c.table)), label=c.label, reason=c.reason))
        for f in c.fields:
            print(_("      {field}: here {mine!r} | package {theirs!r}").format(field=f, mine=c.mine.get(f), theirs=c.theirs.get(f)))
    if dry_run:
        print(_("Dry run: nothing was changed."))
    elif "applied" in summary:
        a = summary["applied"]
        print(_("Applied in one transaction: {i} added, {u} updated, {t} conflicts resolved with the package's "
                "version, {k} kept as here.").format(i=a["inserted"], u=a["updated"], t=a["taken_theirs"], k=a["kept_mine"]))
        if a.get("deleted"):
            print(_("Deleted as the office did: {n}").format(n=a["deleted"]))
        if len(plan.conflicts) > a["taken_theirs"] + a["kept_mine"]:
            print(_("Unresolved conflicts keep this database's version; resolve them with --take-theirs N or "
                    "--keep-mine N (N: the conflict's number above)."))


def cmd_reply(args: argparse.Namespace) -> int:
    from desktop.core.errors import Problem, ValidationFailed
    from desktop.operations import exchange

    remarks: dict[str, str] = {}
    for text in args.remark:
        key, sep, comment = text.partition("=")
        if not sep or not key.strip() or not comment.strip():
            raise ValidationFailed([Problem(text, "remark", _("write ID=COMMENT"))])
        remarks[key.strip()] = comment.strip()
    with session(args) as s:
        done = exchange.reply(s, Path(args.out), args.office, year=args.year, decision=args.decision,
                              comment=args.comment, remarks=remarks, pass_on=args.pass_on)
    if args.json:
        print_json(done)
    else:
        print(_("Reply no. {seq} to {office} written to {path}: {year} {decision}, {n} records commented.").format(
            seq=done["sequence"], office=done["office"], path=done["path"], year=done["year"],
            decision=done["decision"], n=done["remarks"]))
        if done["passed_on"]:
            print(_("The province's remarks on {n} of them are passed on.").format(n=done["passed_on"]))
    if done.get("kept"):
        print(kept_note(done["kept"], done["path"]), file=sys.stderr)
    return 0


def cmd_replies(args: argparse.Namespace) -> int:
    from desktop.operations import exchange

    with session(args) as s:
        rows = exchange.replies(s)
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print(_("No reply from the city yet."))
    for r in rows:
        print(_("{year}: {decision} by {office} on {at}").format(year=r["year"], decision=r["decision_label"],
                                                                 office=r["from_name"], at=r["at"][:16]))
        if r["comment"]:
            print("  " + r["comment"])
        for m in r["remarks"]:
            state = (_("deleted since") if not m["exists"] else _("changed since") if m["changed"] else
                     _("not changed yet"))
            print(f"  {m['source_id'] or m['label']}{colon()}{m['comment']} ({state})")
    return 0


def cmd_offices(args: argparse.Namespace) -> int:
    from desktop.operations import exchange

    with session(args) as s:
        card = exchange.write_card(s, Path(args.card)) if args.card else exchange.own_card(s)
        rows = exchange.known_offices(s)
    if args.json:
        print_json({"this_office": card and {k: v for k, v in card.items() if k != "format"}, "registered": rows})
        return 0
    if card:
        print(_("This office: {name} ({region}), key fingerprint {fp}").format(name=card["name"], region=region_name(card["region"]), fp=card["fingerprint"]))
        if args.card:
            print(_("Office card written to {path}; give it to the city office.").format(path=args.card))
    for r in rows:
        print(_("Registered: {name} ({region}) key {fp}, last package no. {seq}").format(
            name=r["name"], region=region_name(r["region"]), fp=r["fingerprint"], seq=r["last_sequence"]))
    if not rows:
        print(_("No other office is registered here."))
    return 0


def cmd_register_office(args: argparse.Namespace) -> int:
    from desktop.operations import exchange

    with session(args) as s:
        info = exchange.read_card(s, Path(args.file))
        row = exchange.register_office(s, info, fingerprint=args.fingerprint, replace=args.replace)
    print(_("Registered {name} ({region}), key fingerprint {fp}.").format(name=row["name"], region=region_name(row["region"]),
                                                                       fp=row["fingerprint"]))
    return 0


def cmd_consolidate(args: argparse.Namespace) -> int:
    from desktop.operations import exchange

    with session(args) as s:
        report = exchange.consolidation(s, args.year, xlsx=Path(args.xlsx) if args.xlsx else None,
                                        pdf=Path(args.pdf) if args.pdf else None, recount=args.recount)
        lines = exchange.report_lines(s, report)
    if args.json:
        print_json(report.as_dict())
        return 0
    for line in lines:
        print(line)
    return 0
