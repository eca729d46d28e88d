"""CLI verbs of the round's public steps:

    stdaward publicity start ROUND --days N --objections-to WHERE --contact WHO [--from DATE]
    stdaward publicity print ROUND --out F.pdf                 the 公示 list (official layout)
    stdaward publicity object ROUND ACHIEVEMENT --by WHO --text WHAT [--on DATE]
    stdaward publicity close OBJECTION --upheld|--rejected --reason WHY
    stdaward publicity show ROUND [--json]                     the period, the objections, may notices go out
    stdaward publicity setting [--off --reason WHY | --on] [--days-off D,D] [--workdays D,D]
    stdaward publicity wording [--set N=TEXT ...] [--default N ...] [--defaults] [--json]
                                                               the texts of the 公示 list and the letters
    stdaward refusals ROUND --out F.pdf [--date DATE]          不予奖补告知书, one per enterprise

ROUND is the round's id or its year; ACHIEVEMENT the achievement's id as loaded; OBJECTION the id
``publicity show`` prints (its first eight characters are enough).
"""
from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from desktop.commands.common import add_db, print_json, session
from desktop.core.errors import StdAwardError
from desktop.core.i18n import _


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{value!r} is not a date (YYYY-MM-DD)").format(value=text)) from None


def _dates(text: str) -> list[dt.date]:
    return [_date(t.strip()) for t in text.split(",") if t.strip()]


def register(sub: Any) -> None:
    p = sub.add_parser("publicity", help=_("the publicity (公示) of an approved round's list and its objections"))
    verbs = p.add_subparsers(dest="publicity_verb", metavar=_("action"), required=True)
    s = verbs.add_parser("start", help=_("publicise an approved round's list for a number of working days"))
    s.add_argument("round", help=_("the round's id or its year"))
    s.add_argument("--days", type=int, required=True, help=_("working days (weekends and public holidays do not count)"))
    s.add_argument("--objections-to", required=True, help=_("where objections are sent (address, mailbox)"))
    s.add_argument("--contact", required=True, help=_("contact person and telephone"))
    s.add_argument("--from", dest="starts_on", type=_date, help=_("first day (default: today)"))
    s.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(s)
    s.set_defaults(func=cmd_start)
    pr = verbs.add_parser("print", help=_("the publicity list as a PDF"))
    pr.add_argument("round", help=_("the round's id or its year"))
    pr.add_argument("--out", required=True, help=_("the PDF file to write"))
    add_db(pr)
    pr.set_defaults(func=cmd_print)
    o = verbs.add_parser("object", help=_("record an objection against one line of the list"))
    o.add_argument("round", help=_("the round's id or its year"))
    o.add_argument("achievement", help=_("the achievement's id, as loaded"))
    o.add_argument("--enterprise", metavar="CODE",
                   help=_("the enterprise whose achievement it is (when several have one with this id)"))
    o.add_argument("--by", required=True, help=_("who raised it"))
    o.add_argument("--text", required=True, help=_("what the objection says"))
    o.add_argument("--on", type=_date, help=_("the day it was received (default: today)"))
    add_db(o)
    o.set_defaults(func=cmd_object)
    c = verbs.add_parser("close", help=_("close an objection as upheld or not upheld"))
    c.add_argument("objection", help=_("the objection's number in the round's publicity (see \"publicity show\")"))
    c.add_argument("--round", dest="round", help=_("the round's id or its year (with the objection's number)"))
    how = c.add_mutually_exclusive_group(required=True)
    how.add_argument("--upheld", action="store_true", help=_("upheld: the line goes back to the preparer"))
    how.add_argument("--rejected", action="store_true", help=_("not upheld"))
    c.add_argument("--reason", required=True, help=_("the reason for the decision (kept with the objection)"))
    add_db(c)
    c.set_defaults(func=cmd_close)
    sh = verbs.add_parser("show", help=_("the round's publicity period and objections"))
    sh.add_argument("round", help=_("the round's id or its year"))
    sh.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(sh)
    sh.set_defaults(func=cmd_show)
    st = verbs.add_parser("setting", help=_("switch the publicity step on or off; local days off"))
    onoff = st.add_mutually_exclusive_group()
    onoff.add_argument("--on", action="store_true", help=_("notices wait for the publicity (the default)"))
    onoff.add_argument("--off", action="store_true", help=_("the office does not publicise its lists"))
    st.add_argument("--reason", help=_("why the step is switched off (kept in the audit log)"))
    st.add_argument("--days-off", type=_dates, help=_("the office's own days off, comma-separated dates"))
    st.add_argument("--workdays", type=_dates, help=_("the office's own working days, comma-separated dates"))
    st.add_argument("--refusal-prefix", help=_("number the letters of refusal in the office's register under this "
                                               "prefix (\"\" for no number)"))
    st.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(st)
    st.set_defaults(func=cmd_setting)
    w = verbs.add_parser("wording", help=_("show or change the texts of the publicity list and the letters of "
                                           "refusal (administrators)"))
    w.add_argument("--set", action="append", default=[], metavar="N=TEXT",
                   help=_("one text in the office's own words, named by its number in the listing, e.g. "
                          "7=特此函告。 (repeatable)"))
    w.add_argument("--default", action="append", default=[], metavar="N",
                   help=_("one text back to its default wording, named by its number in the listing (repeatable)"))
    w.add_argument("--defaults", action="store_true", help=_("every text back to its default wording"))
    w.add_argument("--if-version", type=int, metavar="N",
                   help=_("change it only if it is still at version N (as shown when you read it): when another "
                          "officer changed it since, nothing is written"))
    w.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(w)
    w.set_defaults(func=cmd_wording)
    r = sub.add_parser("refusals", help=_("不予奖补告知书: a letter to each enterprise with a claim that is not paid"))
    r.add_argument("round", help=_("the round's id or its year"))
    r.add_argument("--out", required=True, help=_("the PDF file to write"))
    r.add_argument("--date", type=_date, help=_("the date on the letters (default: today)"))
    add_db(r)
    r.set_defaults(func=cmd_refusals)


def _print_state(st: Any, as_json: bool) -> None:
    if as_json:
        print_json(st.as_dict())
        return
    if not st.required:
        print(_("the office does not publicise its lists (switched off in the settings)"))
    if st.started:
        print(_("publicity of the round for {year}: {start} to {end} ({days} working days); objections to {to}; "
                "contact {contact}").format(year=st.year, start=st.starts_on, end=st.ends_on, days=st.days,
                                            to=st.objections_to, contact=st.contact))
        for note in st.calendar_notes:
            print(_("note: {message}").format(message=note))
    else:
        print(_("the round for {year} has not been publicised").format(year=st.year))
    for o in st.objections:
        print("\t".join((str(o.number), o.raised_on.isoformat(), o.raised_by, o.enterprise, o.achievement,
                         o.outcome_label, o.text, o.reason)))
    from desktop.operations.publicity import gate_sentence

    print(gate_sentence(st, command_line=True))  # the notices and rounds views' sentence, naming the verb


def cmd_start(args: argparse.Namespace) -> int:
    from desktop.operations import publicity

    with session(args, create=False) as s:
        st = publicity.start(s, args.round, args.days, args.objections_to, args.contact, args.starts_on)
    _print_state(st, args.json)
    return 0


def cmd_print(args: argparse.Namespace) -> int:
    from desktop.operations import publicity

    with session(args, create=False) as s:
        path = publicity.print_list(s, args.round, args.out)
    print(_("written: {path}").format(path=path))
    return 0


def cmd_object(args: argparse.Namespace) -> int:
    from desktop.operations import publicity

    with session(args, create=False) as s:
        o = publicity.record_objection(s, args.round, args.achievement, args.by, args.text, args.on,
                                       args.enterprise)
    print(_("objection {n} recorded against {enterprise} ({achievement}); to close it: stdaward publicity close {n} "
            "--round {round} --upheld|--rejected --reason TEXT").format(
        n=o.number, enterprise=o.enterprise, achievement=o.achievement, round=o.year))
    return 0


def cmd_close(args: argparse.Namespace) -> int:
    from desktop.operations import publicity

    with session(args, create=False) as s:
        o = publicity.close_objection(s, args.objection, bool(args.upheld), args.reason, args.round)
    print(_("objection {n} ({enterprise}): {outcome}").format(n=o.number, enterprise=o.enterprise,
                                                            outcome=o.outcome_label))
    if o.outcome == "upheld":
        print(_("the line goes back to the preparer; the round is returned for review"))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from desktop.operations import publicity

    with session(args, create=False) as s:
        st = publicity.state(s, args.round)
    _print_state(st, args.json)
    return 0


def cmd_setting(args: argparse.Namespace) -> int:
    from desktop.operations import publicity

    with session(args, create=False) as s:
        if args.on or args.off:
            publicity.set_required(s, bool(args.on), args.reason)
        elif args.reason:
            raise StdAwardError(_("--reason goes with --off"))
        if args.days_off is not None or args.workdays is not None:
            now = publicity.settings(s)
            publicity.set_local_days(
                s, args.days_off if args.days_off is not None else [dt.date.fromisoformat(d) for d in now["days_off"]],
                args.workdays if args.workdays is not None else [dt.date.fromisoformat(d) for d in now["workdays"]])
        if args.refusal_prefix is not None:
            publicity.set_refusal_prefix(s, args.refusal_prefix)
        values = publicity.settings(s)
    if args.json:
        print_json(values)
        return 0
    print(_("publicity before notices: {state}").format(state=_("on") if values["required"] else _("off")))
    if values["days_off"]:
        print(_("local days off: {days}").format(days=", ".join(values["days_off"])))
    if values["workdays"]:
        print(_("local working days: {days}").format(days=", ".join(values["workdays"])))
    if values["refusal_prefix"]:
        print(_("letters of refusal numbered under {prefix}").format(prefix=values["refusal_prefix"]))
    return 0


def cmd_refusals(args: argparse.Namespace) -> int:
    from desktop.operations import publicity

    with session(args, create=False) as s:
        done = publicity.write_refusals(s, args.round, args.out, args.date)
    print(_("{n} letter(s) for {lines} claim(s) written ({new} new): {path}").format(
        n=done["letters"], lines=done["lines"], new=done["new"], path=done["path"]))
    if done["numbers"]:
        print(_("document numbers: {numbers}").format(numbers="、".join(done["numbers"])))
    return 0


def _wording_name(ref: str) -> str:
    """The text of the publicity wording an officer names by its number in the listing, its label or
    its name in the --json output."""
    from desktop.core.labels import PUBLICITY_WORDING_LABELS, publicity_wording_label

    names = list(PUBLICITY_WORDING_LABELS)
    ref = ref.strip()
    if ref.isdigit() and 1 <= int(ref) <= len(names):
        return names[int(ref) - 1]
    for name in names:
        if ref in (name, publicity_wording_label(name)):
            return name
    raise StdAwardError(_("{name} is not a text of the publicity wording; the texts are: {names}").format(
        name=ref, names="；".join(f"{n}. {publicity_wording_label(name)}" for n, name in enumerate(names, 1))))


def cmd_wording(args: argparse.Namespace) -> int:
    from desktop.core.errors import Problem, ValidationFailed
    from desktop.core.labels import PUBLICITY_WORDING_LABELS, publicity_wording_label
    from desktop.operations import publicity

    changes: dict[str, str | None] = {}
    for item in args.set:
        name, sep, text = item.partition("=")
        if not sep:
            raise StdAwardError(_("--set takes N=TEXT, the text's number in the listing, e.g. 7=特此函告。 (got "
                                  "{value!r})").format(value=item))
        changes[_wording_name(name)] = text
    for name in args.default:
        changes[_wording_name(name)] = None
    expected = args.if_version  # the second change goes on from the first's version
    try:
        with session(args, create=False) as s:
            if args.defaults:
                saved = publicity.save_wording(s, {}, expected)
                expected = saved if expected is not None else None
            if changes:
                _version, words = publicity.wording(s)
                words = dict(words)
                for name, text in changes.items():
                    if text is None:
                        words.pop(name, None)
                    else:  # the working days as a number; anything else is refused by the check, naming the text
                        words[name] = int(text) if name == "letter_days" and text.strip().isdigit() else text
                publicity.save_wording(s, words, expected)
            version, _own = publicity.wording(s)
            full = publicity.wording_in_force(s)
    except ValidationFailed as exc:  # each refused text by its label, as the settings dialog names it
        raise ValidationFailed([Problem(_("publicity wording"), publicity_wording_label(p.field), p.message,
                                        p.severity) for p in exc.problems]) from exc
    if args.json:
        print_json(full)
        return 0
    print(_("publicity wording, version {version}").format(version=version) if version else
          _("publicity wording: the defaults"))
    for n, name in enumerate(PUBLICITY_WORDING_LABELS, 1):
        print(f"{n}. {publicity_wording_label(name)}\t{full[name]}")
    return 0
