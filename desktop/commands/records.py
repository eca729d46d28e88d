"""Verbs for the record edits the window offers: delete an achievement or an enterprise, merge two
records of one enterprise, attach evidence files to an achievement. They go through the same operations as the window (roles, audit log,
the same refusals), so scripts and tests can do what an officer does."""
from __future__ import annotations

import argparse

from desktop.commands.common import add_db, print_json, session
from desktop.core.i18n import N_, _, colon


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("delete", help=_("delete an achievement or an enterprise (as in the window)"))
    p.add_argument("what", choices=("achievement", "enterprise"))
    p.add_argument("key", metavar="ID", help=_("the achievement's id, or the enterprise's credit code"))
    p.add_argument("--enterprise", metavar="CODE",
                   help=_("the enterprise whose achievement it is (when several have one with this id)"))
    add_db(p)
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser("enterprise", help=_("show an enterprise, or change its details (as the window's form)"))
    p.add_argument("code", metavar="CODE", help=_("the enterprise's credit code"))
    p.add_argument("--name", help=_("the enterprise's name"))
    p.add_argument("--region", help=_("GB/T 2260 region code, six digits"))
    p.add_argument("--address", help=_("the enterprise's address"))
    p.add_argument("--contact", help=_("the contact person"))
    p.add_argument("--phone", help=_("the contact telephone"))
    p.add_argument("--if-version", type=int, metavar="N",
                   help=_("change it only if it is still at version N (as shown when you read it): when another "
                          "officer changed it since, nothing is written"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_enterprise)

    p = sub.add_parser("merge-enterprise",
                       help=_("merge two records of one enterprise: OTHER's achievements and notices move to KEEP"))
    p.add_argument("keep", metavar="KEEP", help=_("the credit code of the record that stays"))
    p.add_argument("other", metavar="OTHER", help=_("the credit code of the record merged into it and deleted"))
    p.add_argument("--yes", action="store_true", help=_("do it; without this only say what would happen"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    add_db(p)
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser("attach", help=_("attach evidence files to an achievement (as Attach file... in its form)"))
    p.add_argument("key", metavar="ID", help=_("the achievement's id"))
    p.add_argument("files", metavar="FILE", nargs="+", help=_("the files (scans, PDFs, photos)"))
    p.add_argument("--enterprise", metavar="CODE",
                   help=_("the enterprise whose achievement it is (when several have one with this id)"))
    add_db(p)
    p.set_defaults(func=cmd_attach)


def cmd_delete(args: argparse.Namespace) -> int:
    from desktop.operations import records

    with session(args) as s:
        if args.what == "achievement":
            ach_id = records.find_achievement(s, args.key, args.enterprise)
            rec = records.achievement(s, ach_id)
            name = records.enterprise_names(s).get(rec.achievement.enterprise, rec.achievement.enterprise)
            records.delete_achievements(s, [ach_id])
            print(_("Deleted achievement {id} of {name}.").format(id=rec.achievement.id, name=name))
        else:
            ent = records.enterprise(s, records.find_enterprise(s, args.key))
            records.delete_enterprise(s, ent["id"])
            print(_("Deleted enterprise {name} ({code}).").format(name=ent["name"], code=ent["uscc"]))
    return 0


def cmd_enterprise(args: argparse.Namespace) -> int:
    from desktop.operations import records

    given = {"name": args.name, "region": args.region, "address": args.address, "contact": args.contact,
             "phone": args.phone}
    changes = {k: v for k, v in given.items() if v is not None}
    with session(args) as s:
        ent = records.enterprise(s, records.find_enterprise(s, args.code))
        if changes:
            values = {k: ent[k] for k in ("uscc", "name", "region", "address", "contact", "phone")}
            ent = records.save_enterprise(s, {**values, **changes}, editing=ent["id"],
                                          version=args.if_version if args.if_version is not None else ent["version"])
    if args.json:
        print_json({k: v for k, v in ent.items() if k != "id"})
        return 0
    if changes:
        print(_("Saved enterprise {name} ({code}), version {version}.").format(
            name=ent["name"], code=ent["uscc"], version=ent["version"]))
    from desktop.core.regions import with_code

    for key, label in (("name", N_("Name")), ("uscc", N_("Credit code")), ("region", N_("Region code")),
                       ("address", N_("Address")), ("contact", N_("Contact person")), ("phone", N_("Phone")),
                       ("version", N_("Version"))):
        value = with_code(ent[key]) if key == "region" else ent[key]  # 350302（福建省莆田市城厢区）
        print(f"{_(label)}{colon()}{value if value not in (None, '') else '-'}")
    return 0


def cmd_attach(args: argparse.Namespace) -> int:
    """Attach the files in order. Each is looked for first: a missing one is named and none is
    attached."""
    from pathlib import Path

    from desktop.core.errors import StdAwardError
    from desktop.operations import records

    with session(args) as s:
        ach_id = records.find_achievement(s, args.key, args.enterprise)
        for f in args.files:
            path = Path(f)
            if not path.is_file():
                raise StdAwardError(_("evidence file {file} does not exist or is not a file").format(file=f))
        for f in args.files:
            ev = records.attach_evidence(s, ach_id, Path(f))
            print(_("Attached {file} ({size} KB) to achievement {id}.").format(
                file=ev.filename, size=max(1, ev.size // 1024), id=args.key))
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from desktop.operations import records

    with session(args) as s:
        keep, other = records.find_enterprise(s, args.keep), records.find_enterprise(s, args.other)
        plan = records.merge_preview(s, keep, other)
        moved = records.merge_enterprises(s, keep, other) if args.yes else None
    if args.json:
        print_json(dict(asdict(plan), merged=moved is not None))
        return 0
    head = (_("Merged {other} ({other_code}) into {keep} ({keep_code}):") if moved is not None else
            _("Would merge {other} ({other_code}) into {keep} ({keep_code}):"))
    print(head.format(other=plan.drop["name"], other_code=plan.drop["uscc"], keep=plan.keep["name"],
                      keep_code=plan.keep["uscc"]))
    print("  " + _("achievements moved: {n}").format(n=plan.achievements))
    for old, new in plan.renamed.items():
        print("  " + _("achievement {old} becomes {new} (the id is taken)").format(old=old, new=new))
    if plan.notices:
        print("  " + _("notices re-addressed: {n}").format(n=plan.notices))
    for column, value in plan.filled.items():
        print("  " + _("blank detail filled in: {field} = {value}").format(field=_(_FIELD_LABELS.get(column, column)),
                                                                            value=value))
    if moved is None:
        print(_("Nothing was changed. Run again with --yes to merge."))
    return 0


_FIELD_LABELS = {"name": N_("Name"), "region_code": N_("Region code"), "address": N_("Address"),
                 "contact": N_("Contact person"), "phone": N_("Phone")}
