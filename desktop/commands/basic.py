"""Verbs for the office's own records: office, load, list, backup, restore, policies."""
from __future__ import annotations

import argparse
import sys
from typing import Any

from desktop.commands.common import add_db, db_arg, session
from desktop.core.i18n import _, colon


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("policies", help=_("list the installed policies"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_policies)

    p = sub.add_parser("office", help=_("show or set the office profile"))
    p.add_argument("--name", help=_("issuing authority, e.g. 莆田市城厢区市场监督管理局"))
    p.add_argument("--region", help=_("GB/T 2260 region code, six digits"))
    p.add_argument("--doc-prefix", help=_("document number prefix, e.g. 城市监"))
    p.add_argument("--policy", help=_("the policy in force (an id from \"stdaward policies\")"))
    p.add_argument("--signatory", help=_("who signs the notices"))
    p.add_argument("--role", choices=("county", "city"), help=_("county office or city (consolidation) office"))
    p.add_argument("--close-policy", metavar="ID=DATE",
                   help=_("stop applying a policy after DATE (its text sets no end); ID= reopens it"))
    p.add_argument("--if-version", type=int, metavar="N",
                   help=_("change it only if it is still at version N (as shown when you read it): when another "
                          "officer changed it since, nothing is written"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_office)

    p = sub.add_parser("load", help=_("validate and add enterprises and achievements (all or nothing)"))
    p.add_argument("file", help=_("a .json or .xlsx file"))
    add_db(p)
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("list", help=_("list what the database holds"))
    p.add_argument("what", choices=("enterprises", "achievements"))
    p.add_argument("--year", type=int, help=_("only achievements of this year"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("backup", help=_("write a consistent copy of the database"))
    p.add_argument("--out", help=_("where to write it (default: the backups folder)"))
    p.add_argument("--full-check", action="store_true",
                   help=_("check the copy with SQLite's full integrity check (slower) instead of its quick check"))
    p.add_argument("--if-due", action="store_true",
                   help=_("the day's automatic backup, unless it is made already (by this PC or another one): "
                          "for a scheduled task; --out names the folder"))
    p.add_argument("--daily-folder", metavar=_("FOLDER"),
                   help=_("on a database server: make this PC write the daily backup into FOLDER (\"\" stops it)"))
    add_db(p)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help=_("replace the database with a backup (the current one is kept)"))
    p.add_argument("file", help=_("a backup file"))
    p.add_argument("--replace", action="store_true",
                   help=_("on a database server: replace the office there (kept first as a safety copy)"))
    add_db(p)
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("demo", help=_("fill a database with the demo data set"))
    p.add_argument("--force", action="store_true", help=_("even if it already holds data"))
    add_db(p)
    p.set_defaults(func=cmd_demo)


def cmd_policies(args: argparse.Namespace) -> int:
    from desktop.commands.common import print_json
    from desktop.operations import measures

    rows = measures.installed_for(db_arg(args))
    if args.json:
        print_json(rows)
    else:
        # a number, never the policy's internal id: --policy takes the number, the title or the document number
        for n, r in enumerate(rows, 1):
            print(f"{n:>3}. {_pad(r.get('document_number') or '-', 20)} {r.get('issued') or '-'}  {r['title']}")
        if rows:
            print(_("Give --policy as the number, the title or the document number shown here."))
    return 0


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal column: CJK characters take two cells."""
    from desktop.core.i18n import columns

    return text + " " * max(0, width - columns(text))


def cmd_office(args: argparse.Namespace) -> int:
    from desktop.commands.common import print_json
    from desktop.core.labels import office_role_label as role_label
    from desktop.operations import measures, settings

    values = dict(name=args.name, region_code=args.region, doc_prefix=args.doc_prefix,
                  policy_id=args.policy, signatory=args.signatory, role=args.role)
    version = args.if_version  # the second change goes on from the first's version
    with session(args) as s:
        if args.policy:  # its number in "stdaward policies", its title or 文号, as that list says
            from desktop.operations.rounds import resolve_policy

            values["policy_id"] = resolve_policy(args.policy, s.policy_dirs())
        if any(v is not None for v in values.values()):
            row = settings.update_office(s, version=version, **values)
            version = int(row.version) if version is not None else None
        if args.close_policy:
            _close_policy(s, args.close_policy, version)
        data = settings.office_dict(s)
        closes = settings.policy_closings(s)
        titles = {r["id"]: r["title"] for r in measures.installed_policies(s)}
    policy_title = titles.get(data.get("policy") or "")
    if closes and not args.json:
        for pid, d in closes.items():
            print(_("Policy {id} applied until {date}").format(id=titles.get(pid, pid), date=d.isoformat()))
    if args.json:
        print_json(data)
    elif not data:
        print(_("No office profile yet. Set one with: stdaward office --name NAME --region CODE --doc-prefix PREFIX"))
    else:
        labels = {"name": _("Issuing authority"), "region": _("Region code"), "doc_prefix": _("Document prefix"),
                  "policy": _("Policy in force"), "signatory": _("Signatory"), "role": _("Role"),
                  "version": _("Version of the settings")}
        from desktop.core.regions import with_code

        shown = dict(data, policy=policy_title or data.get("policy"), role=role_label(data.get("role")),
                     region=with_code(data.get("region")) or None)  # 350302（福建省莆田市城厢区）
        for k, v in shown.items():
            if k in labels:  # the office's global id is the program's, not the officer's: --json has it
                print(f"{labels[k]}{colon()}{v if v is not None else '-'}")
    return 0


def _close_policy(s: Any, text: str, version: int | None = None) -> None:
    import datetime as dt

    from desktop.core.errors import Problem, ValidationFailed
    from desktop.operations import settings

    pid, sep, day = text.partition("=")
    try:
        closes = dt.date.fromisoformat(day.strip()) if day.strip() else None
    except ValueError:
        closes = None
        sep = ""
    if not sep or not pid.strip():
        raise ValidationFailed([Problem("office", "close-policy", _(
            "write ID=YYYY-MM-DD (or ID= to reopen), not {value!r}").format(value=text))])
    settings.close_policy(s, pid.strip(), closes, version)


def cmd_load(args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop.operations import records

    path = Path(args.file)
    if path.suffix.lower() == ".csv":
        from desktop.core.errors import BadFile

        raise BadFile(_("{file}: only .json and .xlsx files can be loaded").format(file=path))
    records.check_load_file(path)  # unreadable input is refused before the database is opened
    with session(args) as s:
        result = records.load_file(s, path)  # read a record at a time, never the whole file at once
    for w in result.warnings:
        print(_("warning: {record} · {field}: {message}").format(record=w.record, field=w.field, message=w.message),
              file=sys.stderr)
    print(_("Loaded: {ea} enterprises added, {eu} updated, {aa} achievements added.").format(
        ea=result.enterprises_added, eu=result.enterprises_updated, aa=result.achievements_added))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from desktop.commands.common import print_json
    from desktop.core.labels import kind_label, level_label, prize_label
    from desktop.operations import records

    with session(args) as s:
        if args.what == "enterprises":
            rows = records.enterprises(s)
            if args.json:
                print_json(rows)
            else:
                for r in rows:
                    print(f"{r['uscc']}  {r['name']}  ({r['achievements']})")
            return 0
        achs, unreadable = records.achievement_listing(s, year=args.year)
        names = records.enterprise_names(s)
    if args.json:
        print_json([a.to_dict() for a in achs])
    else:
        for a in achs:
            kind, level = kind_label(a.kind), level_label(a.level) if a.level else ""
            what = a.ref or (prize_label(a.prize) if a.prize else "")
            print(f"{a.date}  {a.id:<12} {_pad(kind, 24)} {_pad(level, 10)} {_pad(what, 22)} "
                  f"{names.get(a.enterprise) or a.enterprise}")
    for refusal in unreadable[:UNREADABLE_NAMED]:  # every other record listed; these named, and the command fails
        print(_("error: {reason}").format(reason=refusal), file=sys.stderr)
    if len(unreadable) > UNREADABLE_NAMED:  # a few lines, not one per record: the listing stays in sight
        print(_("error: {more} more of the {total} records that cannot be read, not named here (each changed "
                "outside the program: see the audit log)").format(more=len(unreadable) - UNREADABLE_NAMED,
                                                                    total=len(unreadable)), file=sys.stderr)
    return 1 if unreadable else 0


UNREADABLE_NAMED = 20  # records named by ``list achievements`` among those it cannot read


def cmd_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop.operations import backups

    if args.daily_folder is not None:
        with session(args, create=False, auto_backup=False) as s:
            folder = backups.set_daily_folder(s, Path(args.daily_folder) if args.daily_folder else None)
        print(_("This PC writes the daily backup of the server database into {folder}.").format(folder=folder)
              if folder else _("This PC no longer writes the daily backup of the server database."))
        return 0
    if args.if_due:
        with session(args, create=False, auto_backup=False) as s:
            done = backups.daily(s, Path(args.out).resolve() if args.out else None)
        if done.status == "made":
            print(_("The backup of {day} is written: {path}").format(day=done.day, path=done.file))
        elif done.status == "busy":
            print(_("The backup of {day} is being made by another PC now.").format(day=done.day))
        elif done.user:
            from desktop.core.labels import actor_label

            print(_("The backup of {day} was already made by {user} on {host} ({file}).").format(
                day=done.day, user=actor_label(done.user), host=done.host or "?", file=done.file or "?"))
        else:
            print(_("The backup of {day} was already made.").format(day=done.day))
        return 0
    asked = Path(args.out).resolve() if args.out else None
    with session(args, create=False, auto_backup=False) as s:
        out = backups.make(s, asked, full_check=args.full_check)
    print(_("Backup written: {path}").format(path=out))
    if asked is not None and not asked.is_dir() and out != asked:
        from desktop.commands.common import kept_note

        print(kept_note(asked, out), file=sys.stderr)
    evidence = backups.evidence_beside(out)
    if evidence is not None:
        print(_("Evidence files copied beside it: {path}").format(path=evidence))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop.commands.common import sign_in
    from desktop.core.errors import DatabaseBusy, SchemaTooNew, StdAwardError
    from desktop.operations import backups
    from desktop.operations.session import Session

    path = db_arg(args)
    try:
        s = Session.open(path, create=False, auto_backup=False)
    except (DatabaseBusy, SchemaTooNew):
        raise
    except StdAwardError:  # damaged or missing: nothing to sign in to (the operation checks it cannot be read)
        safety = backups.restore(path, Path(args.file), replace=args.replace)
    else:
        try:
            sign_in(s, args)
            safety = backups.restore(path, Path(args.file), session=s, replace=args.replace)
        except BaseException:
            s.close()  # refused: the database is left as it was
            raise
    if safety.damaged:
        print(_("Restored {file} into {db}. The damaged database was set aside, unread, as {kept}.").format(
            file=args.file, db=path, kept=safety.kept))
    elif safety.kept is not None:
        print(_("Restored {file} into {db}. The previous database was kept as {safety}.").format(
            file=args.file, db=path, safety=safety.kept))
    else:
        print(_("Restored {file} into {db} (there was no database there before).").format(file=args.file, db=path))
    ev = safety.evidence
    if ev is not None:
        print(_("Evidence files put back: {n} ({present} were in place; {bad} damaged ones skipped).").format(
            n=ev.files, present=ev.present, bad=ev.damaged))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop.operations import records

    with session(args) as s:
        n = records.install_demo(s, force=args.force)
    print(_("Demo data loaded: {n} achievements.").format(n=n))
    return 0
