"""The audit log as an officer reads it: every change to money and status, newest first, in words
(what was done, to which record, which fields changed from what to what), never as the program's
keys, and the hash chain checked.

``entries(session)`` returns plain rows for the audit view; ``action_label``, ``entity_label`` and
``describe`` label one entry's parts, and are what any other front end uses to show the log.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from desktop.core.batches import batches
from desktop.core.i18n import N_, _, comma
from desktop.core.labels import actor_label
from desktop.operations.session import Session

LIMIT = 20000  # newest entries shown; the search covers those

ACTIONS: dict[str, str] = {
    "create": N_("added"), "update": N_("changed"), "delete": N_("deleted"), "restore": N_("restored"),
    "merge": N_("merged"), "attach": N_("evidence attached"), "detach": N_("evidence removed"),
    "issue": N_("issued"), "void": N_("voided"), "status": N_("status changed"),
    "print": N_("printed (the wording it was printed with kept)"),
    "recompute": N_("computed again"), "set_amount": N_("amount set"),
    "submitted": N_("submitted for review"), "approved": N_("approved"), "returned": N_("returned"),
    "draft": N_("reopened as a draft"), "install": N_("installed"), "export": N_("exported"),
    "import": N_("imported"), "import-update": N_("updated by an import"), "register": N_("key registered"),
    "pay": N_("payment recorded"), "paid": N_("payment recorded"), "reverse": N_("payment reversed"),
    "reprint": N_("reprinted"),
    "decision": N_("decision changed"), "import-payments": N_("payments imported from the finance bureau's sheet"),
    "keys": N_("office key made"), "print_archive": N_("archive copy printed"), "rehash": N_("password re-protected"),
    "load": N_("loaded from a file"),
    "publicity_start": N_("publicity started"), "publicity_superseded": N_("publicity superseded"),
    "publicity_settings": N_("publicity setting changed"), "objection": N_("objection recorded"),
    "objection_close": N_("objection closed"), "reopen": N_("reopened by an upheld objection"),
    "import-delete": N_("deleted by a package (deleted at the county)"),
    "import-merge": N_("merged by a package (merged at the county)"),
    "import-attach": N_("evidence received in a package"),
    "import-detach": N_("evidence removed by a package"), "import-reply": N_("the city's reply imported"),
    "reply": N_("reply written for a county"), "upgrade": N_("upgraded to a new program version"),
    "daily": N_("the day's backup made"),
}
ENTITIES: dict[str, str] = {
    "enterprise": N_("enterprise"), "achievement": N_("achievement"), "evidence": N_("evidence"),
    "notice": N_("notice"), "award_round": N_("award round"), "award": N_("award"),
    "target_value": N_("target progress"), "office": N_("office profile"), "user": N_("user account"),
    "policy": N_("local measure"), "package": N_("exchange package"), "known_office": N_("registered office"),
    "payment": N_("payment"), "notice_serial": N_("document number register"),
    "notice_template": N_("notice wording"), "publicity_template": N_("wording of the 公示 list and the letters"),
    "publicity": N_("publicity"), "objection": N_("objection"), "refusal_letter": N_("letter of refusal"),
    "schema": N_("database structure"),
    "database": N_("the whole database (a backup restored)"),
    "backup": N_("backup of the server database"),
}
FIELDS: dict[str, str] = {
    "version": N_("version"), "name": N_("name"), "uscc": N_("credit code"), "region": N_("region"), "status": N_("status"),
    "amount": N_("amount"), "rule": N_("rule"), "decision": N_("decision"), "note": N_("note"),
    "role": N_("role"), "display_name": N_("full name"), "username": N_("user name"), "active": N_("active"),
    "password": N_("password"), "doc_number": N_("document number"), "enterprise": N_("enterprise"),
    "total": N_("total"), "year": N_("year"), "policy": N_("policy"), "awards": N_("awards"),
    "sequence": N_("package no."), "counts": N_("records"), "period": N_("period"), "path": N_("file"),
    "file": N_("file"), "doc_prefix": N_("document number prefix"), "signatory": N_("signatory"),
    "kind": N_("kind"), "level": N_("level"), "date": N_("date"), "ref": N_("reference"), "title": N_("title"),
    "rank": N_("rank"), "action": N_("formulate or revise"), "extends": N_("extends"),
    "replaced": N_("replaced an installed one"), "target": N_("target"), "value": N_("value"),
    "as_of": N_("as of"), "source": N_("source"), "achievements_moved": N_("achievements moved"),
    "filled": N_("fields filled in"), "fingerprint": N_("key fingerprint"), "reason": N_("reason"),
    "domain": N_("domain"), "accepted": N_("accepted"), "units": N_("units"), "prize": N_("prize"),
    "grade": N_("grade"), "body": N_("committee"), "paid_on": N_("paid on"), "voucher": N_("voucher"),
    "reference": N_("voucher"), "reverses": N_("reversal of the payment with voucher"),
    "starts_on": N_("first day"), "first_day": N_("first working day"), "ends_on": N_("last day"),
    "days": N_("working days"), "calendar": N_("calendar note"), "raised_by": N_("raised by"),
    "raised_on": N_("received on"), "text": N_("objection"), "outcome": N_("outcome"),
    "achievement": N_("achievement"), "letters": N_("letters"), "lines": N_("lines"),
    "required": N_("publicity before notices"), "days_off": N_("local days off"),
    "workdays": N_("local working days"), "publicity": N_("publicity"),
    "refusal_prefix": N_("document number prefix of the letters of refusal"),
    "day": N_("day"), "host": N_("computer"), "folder": N_("folder"), "notice": N_("notice"),
    # a package imported, exported or replied to, and a finance sheet: the county, the counts, the outcome
    "office": N_("Office"), "applied": N_("imported"), "inserted": N_("New"), "updated": N_("Updated"),
    "deleted": N_("Deleted"), "kept_mine": N_("Keep this database's version"),
    "taken_theirs": N_("Take the package's version"), "new": N_("New"), "conflicts": N_("Conflicts"),
    "rejected": N_("Rejected"), "unchanged": N_("Unchanged"), "achievements": N_("Achievements"),
    "enterprises": N_("Enterprises"), "rounds": N_("Award rounds"), "payments": N_("payment"),
    "remarks": N_("Comment to the county"), "rows": N_("records"),
}
# fingerprints and internal ids: kept in the log (the chain covers them), not shown to the officer; and
# the copy a print made ("archive"), which the action already says (archive copy printed)
HIDDEN = frozenset({"uuid", "id", "sha256", "content_hash", "policy_hash", "hash", "digest", "office_uuid",
                    "round", "award", "objection", "copy",
                    "summaries"})  # a package's round summaries: its award rounds, already counted


def action_label(action: str) -> str:
    return _(ACTIONS[action]) if action in ACTIONS else _("other change")


def entity_label(entity: str) -> str:
    return _(ENTITIES[entity]) if entity in ENTITIES else _("other record")


def field_label(key: str) -> str:
    return _(FIELDS[key]) if key in FIELDS else key.replace("_", " ")


def value_text(key: str, value: Any, titles: dict[str, str] | None = None,
               enterprises: dict[str, str] | None = None) -> str:
    """A stored value in words: statuses, kinds, levels and roles labelled, money in yuan, yes/no, a
    policy by its title (``titles``: id -> title), an enterprise by its name and credit code
    (``enterprises``: credit code -> name), a prize's grade as 三等奖."""
    from desktop.core.labels import kind_label, level_label
    from desktop.core.money import format_money
    from desktop.core.status import award_status_label, notice_status_label, round_status_label
    from desktop.operations.roles import role_label

    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "period" and isinstance(value, dict):  # what a package carried: a year, changes since a date, all
        if value.get("kind") == "year" and value.get("year"):
            return _("the year {year}").format(year=value["year"])
        if value.get("kind") == "since" and value.get("since"):
            return _("changes since {date}").format(date=str(value["since"])[:16].replace("T", " "))
        if value.get("kind") == "all":
            return _("all records")
    if isinstance(value, dict):  # an empty one (no deletions): nothing, not an empty label
        return comma().join(f"{field_label(k)} {value_text(k, v)}" for k, v in value.items() if k not in HIDDEN) or "-"
    if isinstance(value, list):
        return "、".join(value_text(key, v) for v in value) or "-"  # an empty list: nothing, not "日历说明：；"
    if key in ("amount", "total"):
        try:
            return format_money(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    if key == "status":  # a round's, a notice's or an award line's: the values do not overlap
        text = round_status_label(str(value))
        if text == value:
            text = notice_status_label(str(value))
        return text if text != value else award_status_label(str(value))
    if key == "decision":
        from desktop.core.status import Decision
        from desktop.operations.exchange import DECISION_LABELS  # the city's reply: accepted or returned

        if value in set(Decision):
            return Decision(value).label
        return _(DECISION_LABELS[value]) if value in DECISION_LABELS else str(value)
    if key == "policy" and titles:
        return titles.get(str(value), str(value))
    if key == "kind":
        return kind_label(str(value))
    if key == "level":
        return level_label(str(value))
    if key == "role":
        from desktop.core.labels import OFFICE_ROLE_LABELS, office_role_label

        return office_role_label(str(value)) if value in OFFICE_ROLE_LABELS else role_label(str(value))
    if key == "region":
        from desktop.core.regions import with_code

        return with_code(value)  # 350302（福建省莆田市城厢区）
    if key == "prize":
        from desktop.core.labels import prize_label

        return prize_label(str(value))
    if key == "grade":
        from desktop.core.labels import grade_label

        return grade_label(str(value))
    if key == "enterprise" and enterprises and str(value) in enterprises:
        return f"{enterprises[str(value)]}（{value}）"
    if key in ("action", "body", "domain"):
        from desktop.core import labels

        words = {"action": labels.ACTIONS, "body": labels.BODIES, "domain": labels.DOMAINS}[key]
        return _(words[value]) if value in words else str(value)
    if key == "password":
        return _("changed")
    return str(value)


def describe(before: Any, after: Any, titles: dict[str, str] | None = None,
             enterprises: dict[str, str] | None = None) -> str:
    """What changed, field by field: "金额 ¥1.00 → ¥2.00；状态 …" (only what differs, for an update)."""
    if not isinstance(before, dict) and not isinstance(after, dict):
        return "-"
    b = before if isinstance(before, dict) else {}
    a = after if isinstance(after, dict) else {}
    parts = []
    for key in dict.fromkeys([*b, *a]):
        if key in HIDDEN:
            continue
        if key in b and key in a:
            if b[key] == a[key]:
                continue
            if isinstance(b[key], dict) and isinstance(a[key], dict) and key != "period":
                # a group of settings (the 公示's): only what changed in it, not the whole group twice
                inner = describe(b[key], a[key], titles, enterprises)
                if inner != "-":
                    parts.append(inner)
                continue
            parts.append(f"{field_label(key)}：{value_text(key, b[key], titles, enterprises)} → "
                         f"{value_text(key, a[key], titles, enterprises)}")
        elif key in a:
            parts.append(f"{field_label(key)}：{value_text(key, a[key], titles, enterprises)}")
        else:
            parts.append(f"{field_label(key)}：{value_text(key, b[key], titles, enterprises)} → -")
    return "；".join(parts) or "-"


def _names(session: Session, entries: list[Any]) -> dict[tuple[str, str], str]:
    """(entity, uuid) -> the record's name an officer knows it by (enterprise name, document number,
    the enterprise and kind of an achievement, the year and policy of a round)."""
    from desktop.core.labels import kind_label
    from desktop.store.models import Achievement, Award, AwardRound, Enterprise, KnownOffice, Notice

    wanted: dict[str, set[str]] = {}
    for e in entries:
        if e.entity_uuid:
            wanted.setdefault(e.entity, set()).add(e.entity_uuid)
    out: dict[tuple[str, str], str] = {}

    for part in batches(wanted.get("enterprise", ())):
        for uuid, name in _t(Enterprise.select(Enterprise.uuid, Enterprise.name).where(Enterprise.uuid.in_(part))):
            out["enterprise", uuid] = name
    for entity in ("achievement", "evidence"):
        for part in batches(wanted.get(entity, ())):
            q = (Achievement.select(Achievement.uuid, Achievement.kind, Enterprise.name).join(Enterprise)
                 .where(Achievement.uuid.in_(part)))
            for uuid, kind, name in _t(q):
                out[entity, uuid] = f"{name} · {kind_label(kind)}"
    for part in batches(wanted.get("award", ())):
        q2 = (Award.select(Award.uuid, Achievement.kind, Enterprise.name).join(Achievement).join(Enterprise)
              .where(Award.uuid.in_(part)))
        for uuid, kind, name in _t(q2):
            out["award", uuid] = f"{name} · {kind_label(kind)}"
    titles = _policy_titles(session)
    for part in batches(wanted.get("award_round", ())):
        for uuid, year, pid in _t(AwardRound.select(AwardRound.uuid, AwardRound.year, AwardRound.policy_id).where(
                AwardRound.uuid.in_(part))):
            out["award_round", uuid] = _("{year} · {policy}").format(year=year, policy=titles.get(pid, pid))
    for part in batches(wanted.get("notice", ())):
        for uuid, number in _t(Notice.select(Notice.uuid, Notice.doc_number).where(Notice.uuid.in_(part))):
            out["notice", uuid] = number
    from desktop.store.models import Objection, Publicity

    for part in batches(wanted.get("publicity", ())):
        q3 = (Publicity.select(Publicity.uuid, AwardRound.year, Publicity.starts_on).join(AwardRound)
              .where(Publicity.uuid.in_(part)))
        for uuid, year, start in _t(q3):
            out["publicity", uuid] = _("{year} · from {start}").format(year=year, start=start)
    for part in batches(wanted.get("objection", ())):
        q4 = (Objection.select(Objection.uuid, Objection.raised_by, Enterprise.name).join(Award)
              .join(Achievement).join(Enterprise).where(Objection.uuid.in_(part)))
        for uuid, who, name in _t(q4):
            out["objection", uuid] = f"{who} → {name}"
    for part in batches(wanted.get("known_office", ())):
        for uuid, name in _t(KnownOffice.select(KnownOffice.uuid, KnownOffice.name).where(
                KnownOffice.uuid.in_(part))):
            out["known_office", uuid] = name
    return out


def _t(query: Any) -> list[tuple[Any, ...]]:
    return list(query.tuples())


def _policy_titles(session: Session) -> dict[str, str]:
    from desktop.operations.measures import installed_policies

    try:
        return {p["id"]: p.get("title") or p["id"] for p in installed_policies(session)}
    except Exception:  # noqa: BLE001 - a broken measure file must not hide the audit log
        return {}


def _record_name(e: Any, names: dict[tuple[str, str], str], titles: dict[str, str],
                 targets: dict[tuple[str, str], str] | None = None) -> str:
    data = e.after if isinstance(e.after, dict) else e.before if isinstance(e.before, dict) else {}
    if e.entity_uuid and (e.entity, e.entity_uuid) in names:
        return names[e.entity, e.entity_uuid]
    if e.entity == "policy":
        return titles.get(e.entity_uuid or "", data.get("id") or e.entity_uuid or "")
    if e.entity == "user":
        return str(e.entity_uuid or data.get("username") or "")
    if e.entity == "package":
        return _("no. {n}").format(n=data.get("sequence")) if data.get("sequence") else ""
    if e.entity == "target_value":
        which = (str(data.get("policy") or ""), str(data.get("target") or ""))
        return (targets or {}).get(which) or which[1]
    for key in ("name", "doc_number", "display_name", "ref", "title", "file"):
        if data.get(key):
            return str(data[key])
    return ""


def entries(session: Session, limit: int = LIMIT) -> list[dict[str, Any]]:
    """The newest ``limit`` entries as plain rows: no., when, who (full name), action, record
    (its kind and name), change — in words."""
    from desktop.store.models import AuditEntry, User

    log: Any = AuditEntry
    rows = list(log.select().order_by(log.id.desc()).limit(limit))
    people = dict(_t(User.select(User.username, User.display_name)))
    names = _names(session, rows)
    titles = _policy_titles(session)
    vouchers = _reversed_vouchers(rows)
    enterprises = _enterprise_names(rows)
    targets = _target_texts(session, rows)
    offices = _office_names(rows)
    out = []
    for e in rows:
        name = _record_name(e, names, titles, targets)
        record = entity_label(e.entity) + (f"：{name}" if name else "")
        after = e.after
        before = e.before
        if isinstance(after, dict) and after.get("office") in offices:  # the county by its name
            after = {**after, "office": offices[after["office"]]}
        if isinstance(before, dict) and before.get("office") in offices:
            before = {**before, "office": offices[before["office"]]}
        if e.entity == "target_value" and isinstance(after, dict) and after.get("target"):
            # the target in the policy's words, as the dashboard shows it, not its internal id
            after = {**after, "target": targets.get((str(after.get("policy")), str(after["target"])), after["target"])}
        if e.entity == "payment" and isinstance(after, dict) and "reverses" in after:
            # a reversal names the payment it takes back by its voucher, not by the payment's internal id;
            # a payment that reverses nothing does not say so
            after = {k: v for k, v in after.items() if k != "reverses"}
            if e.after["reverses"]:
                after["reverses"] = vouchers.get(e.after["reverses"], "")
        out.append({"id": e.id, "at": e.at, "user": people.get(e.user) or actor_label(e.user), "action": action_label(e.action),
                    "entity": record, "change": describe(before, after, titles, enterprises)[:400]})
    return out


def _office_names(entries: list[Any]) -> dict[str, str]:
    """office uuid -> its name, for the offices the entries name by their internal id (a county whose
    package was imported or replied to, this office itself)."""
    from desktop.store.models import KnownOffice, Office

    wanted = sorted({str(d["office"]) for e in entries for d in (e.before, e.after)
                     if isinstance(d, dict) and isinstance(d.get("office"), str)})
    out: dict[str, str] = {}
    for part in batches(wanted):
        out.update(_t(KnownOffice.select(KnownOffice.uuid, KnownOffice.name).where(KnownOffice.uuid.in_(part))))
        out.update(_t(Office.select(Office.uuid, Office.name).where(Office.uuid.in_(part))))
    return out


def _target_texts(session: Session, entries: list[Any]) -> dict[tuple[str, str], str]:
    """(policy id, target id) -> the target's text, for the targets the entries enter values for."""
    from desktop.operations.targets import policy

    out: dict[tuple[str, str], str] = {}
    for pid in sorted({str(e.after.get("policy")) for e in entries
                       if e.entity == "target_value" and isinstance(e.after, dict) and e.after.get("policy")}):
        try:
            found = policy(session, pid).targets
        except Exception:  # noqa: BLE001 - a policy no longer installed must not hide the audit log
            continue
        out.update({(pid, t.id): t.text for t in found if t.text})
    return out


def _enterprise_names(entries: list[Any]) -> dict[str, str]:
    """credit code -> name of the enterprises the entries' changes name by their code (an
    achievement's enterprise), so the log says whose it is."""
    from desktop.store.models import Enterprise

    codes = {str(d["enterprise"]) for e in entries for d in (e.before, e.after)
             if isinstance(d, dict) and d.get("enterprise") and e.entity != "enterprise"}
    wanted = sorted(codes)
    out: dict[str, str] = {}
    for part in batches(wanted):
        out.update(_t(Enterprise.select(Enterprise.uscc, Enterprise.name).where(Enterprise.uscc.in_(part))))
    return out


def _reversed_vouchers(entries: list[Any]) -> dict[str, str]:
    """payment uuid -> its voucher, for the payments the reversals among ``entries`` take back."""
    from desktop.store.models import Payment

    wanted = [e.after["reverses"] for e in entries
              if e.entity == "payment" and isinstance(e.after, dict) and e.after.get("reverses")]
    out: dict[str, str] = {}
    for part in batches(wanted):
        out.update(_t(Payment.select(Payment.uuid, Payment.reference).where(Payment.uuid.in_(part))))
    return out


def verify_chain(session: Session, incremental: bool = False) -> int | None:
    """None when the hash chain is intact, else the number of the first entry that was altered.
    ``incremental``: only the entries added since the last check found the chain in order (the
    overview's check on every refresh; the audit view checks the whole log)."""
    from desktop.store import audit

    return audit.verify_chain(incremental=incremental)


def check_chain(session: Session, incremental: bool = False) -> dict[str, Any]:
    """The hash chain checked, and what was read: ``broken_at`` (None: intact), ``read`` (entries
    read), ``full`` (every entry read), ``full_at`` (when every entry was last read and found in
    order), ``entries`` (in the log). ``incremental``: from the last entry a check found in order
    (kept signed beside the database, so a new start reads only what was added since); the full
    check (the audit view, ``stdaward audit-verify``) reads every entry."""
    from desktop.store import audit

    c = audit.check_chain(incremental=incremental)
    return {"broken_at": c.broken_at, "read": c.read, "full": c.full, "full_at": c.full_at, "entries": c.entries}


def when(value: dt.datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:16].replace("T", " ")
    return value.strftime("%Y-%m-%d %H:%M")
