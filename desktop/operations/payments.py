"""Payments (拨付) on issued notices, for the CLI ``payment`` verbs and the payments dialog.

* ``record(session, doc_number, amount, paid_on, reference)``: one (possibly partial) payment, never
  above what the notice still has outstanding.
* ``reverse(session, doc_number, payment_reference, on, reference, reason)``: a payment taken back.
* ``notice_state(session, doc_number)``: total, paid, outstanding and the payments of one notice.
* ``listing(session, year=None)``: every payment (reversals included) as plain rows.
* ``totals(session, year=None)``: issued / paid / outstanding per year and fund.
* ``import_xlsx(session, path)``: the finance bureau's spreadsheet, all or nothing.

Changes need ``payments.record`` (reviewer or administrator); the store writes the audit entries.
Amounts in the rows are Decimal; front ends format them.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.core.errors import Problem, StdAwardError, ValidationFailed
from desktop.core.i18n import _
from desktop.operations.session import Session

ACTION = "payments.record"


def _notice(doc_number: str) -> Any:
    """The notice with this 发文字号 ([] accepted for 〔〕), or ValidationFailed naming it."""
    from desktop.store import payments as store

    n = store._find_notice(doc_number)
    if n is None:
        raise ValidationFailed([Problem(str(doc_number or "—"), "doc_number",
                                        _("no notice {number}").format(number=doc_number or "—"))])
    return n


def _row(p: Any, reversed_ids: set[int]) -> dict[str, Any]:
    return {"uuid": p.uuid, "doc_number": p.notice.doc_number, "paid_on": p.paid_on, "amount": p.amount,
            "reference": p.reference, "is_reversal": bool(p.reverses_id),
            "reverses": p.reverses.reference if p.reverses_id else None,
            "reversed": p.id in reversed_ids, "note": p.note or "", "user": p.user}


def record(session: Session, doc_number: str, amount: Decimal | str, paid_on: dt.date | str, reference: str,
           note: str | None = None) -> dict[str, Any]:
    """Record one payment; returns the notice's state after it (ValidationFailed naming the field)."""
    session.require(ACTION)
    from desktop.store import payments as store

    store.record_payment(_notice(doc_number), paid_on, amount, reference, session.username, note,
                         today=session.today())
    return notice_state(session, doc_number)


def reverse(session: Session, doc_number: str, payment_reference: str, on: dt.date | str, reference: str,
            reason: str) -> dict[str, Any]:
    """Take back the payment with voucher ``payment_reference`` on the notice; returns its state."""
    session.require(ACTION)
    from desktop.store import payments as store
    from desktop.store.models import Payment

    n = _notice(doc_number)
    p = (Payment.select().where(Payment.notice == n.id, Payment.reference == str(payment_reference or "").strip(),
                                Payment.reverses.is_null()).first())
    if p is None:
        raise ValidationFailed([Problem(n.doc_number, "payment", _("notice {number} has no payment with the voucher "
                                                                   "{ref}").format(number=n.doc_number,
                                                                                   ref=payment_reference or "—"))])
    store.record_reversal(p, on, reference, session.username, reason, today=session.today())
    return notice_state(session, doc_number)


def notice_state(session: Session, doc_number: str) -> dict[str, Any]:
    """One notice: 发文字号, recipient's name, status, total, paid, outstanding and its payments."""
    from desktop.store import payments as store

    n = _notice(doc_number)
    done = store.reversed_ids(n)
    return {"doc_number": n.doc_number, "recipient": (n.content or {}).get("recipient", {}).get("name", ""),
            "status": n.status, "issued_on": n.issued_on, "total": n.total, "paid": store.paid(n),
            "outstanding": store.outstanding(n), "payable": n.status in store.PAYABLE,
            "payments": [_row(p, done) for p in store.payments(n)]}


def payable_notices(session: Session) -> list[dict[str, Any]]:
    """Issued notices with what they still have outstanding (for choosing one in the dialog)."""
    from desktop.store import payments as store
    from desktop.store.models import Notice

    q = Notice.select().where(Notice.status.in_(store.PAYABLE)).order_by(Notice.year.desc(), Notice.serial)
    return [{"doc_number": n.doc_number, "recipient": (n.content or {}).get("recipient", {}).get("name", ""),
             "total": n.total, "outstanding": store.outstanding(n)} for n in q]


def listing(session: Session, year: int | None = None) -> list[dict[str, Any]]:
    """Every payment and reversal, optionally only on notices of ``year``, in date order."""
    from desktop.store.models import Notice, Payment

    q = Payment.select(Payment, Notice).join(Notice)
    if year is not None:
        q = q.where(Notice.year == year)
    rows = list(q.order_by(Payment.paid_on, Payment.id))  # type: ignore[attr-defined]  # peewee's implicit id
    done = {p.__data__.get("reverses") for p in rows} - {None}  # the column, without loading each row
    return [_row(p, done) for p in rows]


def totals(session: Session, year: int | None = None) -> list[dict[str, Any]]:
    """Issued / paid / outstanding per year and fund (notices not void), amounts as Decimal."""
    from desktop.store import payments as store

    return store.totals(year, fund_names(store.notice_policies()))


def fund_names(policies: set[str]) -> dict[tuple[str, str], str]:
    """(policy id, fund id) -> fund name, for the policies the notices name (one that can no longer be
    read names none)."""
    from desktop.operations.round_work import load_policy

    out: dict[tuple[str, str], str] = {}
    for pid in sorted(policies):
        try:
            policy = load_policy(pid)
        except StdAwardError:
            continue
        for fid, fund in getattr(policy, "funds", {}).items():
            out[(pid, fid)] = fund.name
    return out


def import_xlsx(session: Session, path: Path | str) -> dict[str, Any]:
    """Record every row of the finance bureau's workbook or none; returns how many and how much."""
    session.require(ACTION)
    from desktop.core.money import ZERO, to_money
    from desktop.store import payments as store

    done = store.import_xlsx(path, session.username, today=session.today())
    if not done:
        raise StdAwardError(_("the spreadsheet has no payment rows"))
    return {"rows": len(done), "amount": to_money(sum((p.amount for p in done), ZERO)),
            "notices": sorted({p.notice.doc_number for p in done})}


def offices(session: Session) -> list[dict[str, Any]]:
    """At the city: per registered office, the audit head from its newest package (its text, whether
    its signature holds, whether the log shrank since an earlier package) and the payments it sent
    (how many, paid net of reversals, how many came back altered in a later package)."""
    from desktop.core.money import ZERO, to_money
    from desktop.exchange import importer
    from desktop.store.models import KnownOffice

    out = []
    for k in KnownOffice.select().order_by(KnownOffice.name):
        rows = importer.office_payments(k.uuid)
        paid = sum(((-Decimal(p["amount"]) if p.get("reverses") else Decimal(p["amount"])) for p in rows), ZERO)
        head = importer.office_head(k.uuid)
        out.append({"office": k.name, "region": k.region_code, "last_package": k.last_sequence,
                    "audit_head": head["text"] if head else None,
                    "audit_head_signed": head["signed"] if head else None,
                    "audit_head_package": head["sequence"] if head else None,
                    "audit_log_shrank_from": head["shrank_from"] if head else None,
                    "payments": len(rows), "paid": to_money(paid),
                    "payments_altered": len(importer.office_payments_altered(k.uuid))})
    return out
