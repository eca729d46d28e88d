"""Payments (拨付) on issued notices: partial payments, reversals, what remains, totals, bulk import.

* ``record_payment(notice, paid_on, amount, reference, user)``: one payment; never more than what
  the notice still has outstanding, only on an issued notice, only on or after its 成文日期, a
  voucher or bank reference once per notice.
* ``record_reversal(payment, on, reference, user, reason)``: a payment taken back (returned by the
  bank, booked in error) is never edited or deleted; a reversal row points at it.
* ``paid(notice)`` / ``outstanding(notice)``; ``totals(year=None)``: issued / paid / outstanding per
  year and fund (a notice's payments fill its lines in order, so a notice over two funds pays the
  first line's fund first).
* ``import_rows(rows, user)`` / ``import_xlsx(path, user)``: the finance bureau's spreadsheet
  (发文字号, 日期, 金额, 凭证号), all or nothing; every bad row named with its row number and field.
* ``can_void(notice)``: raises while a payment stands on the notice without its reversal.

When payments cover a notice's total, its award lines' decision becomes ``paid`` (and back to
``approved`` after a reversal). Every change goes through ``audit.record`` in its transaction.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.core.errors import BadFile, Problem, StdAwardError, ValidationFailed
from desktop.core.i18n import _
from desktop.core.money import ZERO, format_money, money_str, parse_money, to_money
from desktop.core.status import Decision, NoticeStatus, notice_status_label
from desktop.store import audit
from desktop.store.models import Achievement, Award, Notice, Payment, database

PAYABLE = (NoticeStatus.ISSUED.value,)
COLUMNS = {"发文字号": "doc_number", "日期": "date", "金额": "amount", "凭证号": "reference",
           # as the zh_TW screen names them
           "發文字號": "doc_number", "金額": "amount", "憑證號": "reference",
           "doc_number": "doc_number", "date": "date", "amount": "amount", "reference": "reference"}
REQUIRED = ("doc_number", "date", "amount", "reference")


def _as_dict(p: Payment) -> dict[str, Any]:
    return {"notice": p.notice.doc_number, "paid_on": p.paid_on, "amount": money_str(p.amount),
            "reference": p.reference, "reverses": p.reverses.uuid if p.reverses_id else None, "note": p.note}


def reversed_ids(notice: Notice) -> set[int]:
    return {p.reverses_id for p in Payment.select(Payment.reverses).where(Payment.notice == notice.id,
                                                                          Payment.reverses.is_null(False))}


def paid(notice: Notice) -> Decimal:
    """What was paid on the notice, reversals taken off."""
    total = ZERO
    for p in Payment.select(Payment.amount, Payment.reverses).where(Payment.notice == notice.id):
        total += -p.amount if p.reverses_id else p.amount
    return to_money(total)


def outstanding(notice: Notice) -> Decimal:
    return to_money(notice.total - paid(notice))


def payments(notice: Notice) -> list[Payment]:
    return list(Payment.select().where(Payment.notice == notice.id).order_by(Payment.paid_on, Payment.id))


def _parse_amount(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return parse_money(value)
        except ValueError:
            return None
    return None


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip().replace("/", "-").replace(".", "-")
        m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text)
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])) if m else dt.date.fromisoformat(text)
        except ValueError:
            return None
    return None


def _in_the_future(record: str, day: dt.date, today: dt.date) -> Problem:
    """A payment or reversal dated after today: recorded once it is made."""
    return Problem(record, "date", _("{day} is in the future: record a payment once it is made (today is {today})")
                   .format(day=day.isoformat(), today=today.isoformat()))


def _check(notice: Notice, paid_on: Any, amount: Any, reference: Any, record: str,
           already: Decimal = ZERO, references: Iterable[str] = (),
           today: dt.date | None = None) -> tuple[list[Problem], dt.date | None, Decimal | None, str]:
    """The problems with one payment on ``notice`` (``already``: paid by earlier rows of the same batch;
    ``today``: a payment is recorded once made, never with a date after it)."""
    problems = []
    if notice.status not in PAYABLE:
        problems.append(Problem(record, "notice", _("notice {number} is {status}: only an issued notice is paid").format(
            number=notice.doc_number, status=_status_label(notice.status))))
    day = _parse_date(paid_on)
    if day is None:
        problems.append(Problem(record, "date", _("{value!r} is not a date (2026-12-02)").format(value=paid_on)))
    elif day < notice.issued_on:
        problems.append(Problem(record, "date", _("{day} is before the notice's date {issued}").format(
            day=day.isoformat(), issued=notice.issued_on.isoformat())))
    elif today is not None and day > today:
        problems.append(_in_the_future(record, day, today))
    value = _parse_amount(amount)
    if value is None or not value.is_finite():
        problems.append(Problem(record, "amount", _("{value!r} is not an amount in yuan").format(value=amount)))
        value = None
    elif isinstance(amount, str | Decimal) and value != value.quantize(Decimal("0.01")):
        problems.append(Problem(record, "amount", _("{value} has more than two decimal places: amounts are in yuan "
                                                    "and fen").format(value=amount)))
        value = None
    else:
        value = to_money(value)
        left = outstanding(notice) - already
        if value <= 0:
            problems.append(Problem(record, "amount", _("a payment is more than zero (a payment taken back is "
                                                        "recorded as a reversal)")))
        elif value > left:
            problems.append(Problem(record, "amount", _("{amount} is more than the {left} outstanding on notice "
                                                        "{number}").format(amount=format_money(value),
                                                                           left=format_money(to_money(left)),
                                                                           number=notice.doc_number)))
    ref = str(reference or "").strip()
    if not ref:
        problems.append(Problem(record, "reference", _("the voucher number or bank reference is required")))
    elif ref in set(references) or Payment.select().where(Payment.notice == notice.id, Payment.reference == ref,
                                                          Payment.reverses.is_null()).exists():
        problems.append(Problem(record, "reference", _("the voucher {ref} is already recorded on notice {number}").format(
            ref=ref, number=notice.doc_number)))
    return problems, day, value, ref


def _status_label(status: str) -> str:
    return notice_status_label(status)


def _create(notice: Notice, day: dt.date, value: Decimal, ref: str, user: str, note: str | None,
            reverses: Payment | None = None) -> Payment:
    p = Payment.create(notice=notice.id, paid_on=day, amount=value, reference=ref, reverses=reverses,
                       note=note, user=user)
    audit.record(user, "reverse" if reverses else "pay", "payment", p.uuid, None, _as_dict(p))
    _sync_decisions(notice, user)
    return p


def record_payment(notice: Notice, paid_on: dt.date | str, amount: Decimal | str | int, reference: str,
                   user: str, note: str | None = None, today: dt.date | None = None) -> Payment:
    """Record one payment on ``notice`` (ValidationFailed naming the field if it cannot be)."""
    notice = Notice.get_by_id(notice.id)
    with database.atomic():
        problems, day, value, ref = _check(notice, paid_on, amount, reference, notice.doc_number, today=today)
        if problems:
            raise ValidationFailed(problems)
        assert day is not None and value is not None
        return _create(notice, day, value, ref, user, note)


def record_reversal(payment: Payment, on: dt.date | str, reference: str, user: str, reason: str,
                    today: dt.date | None = None) -> Payment:
    """Take a payment back: a reversal row of the same amount pointing at it."""
    p = Payment.get_by_id(payment.id)
    notice = p.notice
    record = f"{notice.doc_number} {p.reference}"
    problems = []
    if p.reverses_id:
        problems.append(Problem(record, "payment", _("a reversal cannot itself be reversed")))
    elif p.id in reversed_ids(notice):
        problems.append(Problem(record, "payment", _("the payment {ref} is already reversed").format(ref=p.reference)))
    day = _parse_date(on)
    if day is None or day < p.paid_on:
        problems.append(Problem(record, "date", _("the reversal's date is on or after the payment's ({day})").format(
            day=p.paid_on.isoformat())))
    elif today is not None and day > today:
        problems.append(_in_the_future(record, day, today))
    if not (reference or "").strip():
        problems.append(Problem(record, "reference", _("the voucher number or bank reference is required")))
    if not (reason or "").strip():
        problems.append(Problem(record, "reason", _("say why the payment is taken back")))
    if problems:
        raise ValidationFailed(problems)
    assert day is not None
    with database.atomic():
        return _create(notice, day, p.amount, reference.strip(), user, reason.strip(), reverses=p)


def _sync_decisions(notice: Notice, user: str) -> None:
    """A notice paid in full marks its award lines ``paid``; a reversal puts them back to ``approved``."""
    if notice.round_id is None:
        return
    ids = [ln["achievement"] for ln in (notice.content or {}).get("lines", [])]
    paid_, approved = Decision.PAID.value, Decision.APPROVED.value
    want, was = (paid_, approved) if paid(notice) >= notice.total else (approved, paid_)
    q = (Award.select(Award).join(Achievement)
         .where(Award.round == notice.round_id, Achievement.enterprise == notice.enterprise_id,
                Achievement.source_id.in_(ids), Award.decision == was))
    for aw in q:
        aw.decision = want
        aw.save()
        audit.record(user, "decision", "award", aw.uuid, {"decision": was},
                     {"decision": want, "notice": notice.doc_number})


def can_void(notice: Notice) -> None:
    """Refuse (StdAwardError) to void a notice while a payment stands on it without a reversal."""
    standing = [p for p in payments(notice) if not p.reverses_id and p.id not in reversed_ids(notice)]
    if standing:
        refs = ", ".join(f"{p.reference} ({format_money(p.amount)})" for p in standing)
        raise StdAwardError(_("notice {number} has payments recorded ({refs}): record their reversal before "
                              "voiding it").format(number=notice.doc_number, refs=refs))


# ------------------------------------------------------------------ totals

def notice_policies() -> set[str]:
    """The ids of the policies the notices name."""
    return set(filter(None, (n.content.get("policy", {}).get("id") for n in Notice.select(Notice.content))))


def totals(year: int | None = None, names: dict[tuple[str, str], str] | None = None) -> list[dict[str, Any]]:
    """Issued / paid / outstanding per year and fund over notices not void (amounts as Decimal);
    ``names``: (policy id, fund id) -> the fund's name, from the policies (``notice_policies``)."""
    names = names or {}
    q = Notice.select().where(Notice.status != NoticeStatus.VOID.value)
    if year is not None:
        q = q.where(Notice.year == year)
    paid_by: dict[int, Decimal] = {}
    for p in Payment.select(Payment.notice, Payment.amount, Payment.reverses):
        paid_by[p.notice_id] = paid_by.get(p.notice_id, ZERO) + (-p.amount if p.reverses_id else p.amount)
    sums: dict[tuple[int, str], list[Decimal]] = {}
    labels: dict[tuple[int, str], str] = {}
    for n in q:
        left = paid_by.get(n.id, ZERO)
        pid = (n.content or {}).get("policy", {}).get("id")
        for ln in (n.content or {}).get("lines", []):
            amount = to_money(ln.get("amount") or ZERO)
            fund = ln.get("fund") or ""
            key = (n.year, fund)
            labels[key] = names.get((pid, fund)) or (_("no fund named") if not fund else fund)
            share = min(amount, max(left, ZERO))
            left -= share
            row = sums.setdefault(key, [ZERO, ZERO])
            row[0] += amount
            row[1] += share
    return [{"year": y, "fund": f, "fund_name": labels[(y, f)], "issued": to_money(v[0]), "paid": to_money(v[1]),
             "outstanding": to_money(v[0] - v[1])} for (y, f), v in sorted(sums.items())]


# ------------------------------------------------------------------ the finance bureau's spreadsheet

def _find_notice(number: Any) -> Notice | None:
    text = str(number or "").strip().replace("[", "〔").replace("]", "〕")
    return Notice.get_or_none(Notice.doc_number == text) if text else None


def import_rows(rows: Sequence[Mapping[str, Any]], user: str, numbers: Sequence[int] | None = None,
                today: dt.date | None = None) -> list[Payment]:
    """Record every row (keys doc_number, date, amount, reference) or none: ValidationFailed lists
    every bad row as ``row N`` (``numbers``: each row's number in the sheet; by default 2, 3, ...)
    with its field."""
    problems: list[Problem] = []
    planned: list[tuple[Notice, dt.date, Decimal, str]] = []
    batch_paid: dict[int, Decimal] = {}
    batch_refs: dict[int, list[str]] = {}
    with database.atomic():
        for i, row in zip(numbers or range(2, len(rows) + 2), rows):
            record = _("row {n}").format(n=i)
            notice = _find_notice(row.get("doc_number"))
            if notice is None:
                problems.append(Problem(record, "doc_number", _("no notice {number}").format(
                    number=row.get("doc_number") or "—")))
                continue
            found, day, value, ref = _check(notice, row.get("date"), row.get("amount"), row.get("reference"), record,
                                            batch_paid.get(notice.id, ZERO), batch_refs.get(notice.id, []), today)
            problems += found
            if not found and day is not None and value is not None:
                planned.append((notice, day, value, ref))
                batch_paid[notice.id] = batch_paid.get(notice.id, ZERO) + value
                batch_refs.setdefault(notice.id, []).append(ref)
        if problems:
            raise ValidationFailed(problems)
        if not planned:
            raise StdAwardError(_("the spreadsheet has no payment rows"))
        done = [_create(n, day, value, ref, user, None) for n, day, value, ref in planned]
        audit.record(user, "import-payments", "payment", None, None, {"rows": len(done)})
    return done


def read_xlsx(path: Path | str) -> list[dict[str, Any]]:
    """The rows of the first sheet: a header row naming 发文字号, 日期, 金额, 凭证号 (in any order,
    other columns ignored), then one payment per row; empty rows skipped."""
    from openpyxl import load_workbook

    p = Path(path)
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except FileNotFoundError:
        raise BadFile(_("cannot read {file}: no such file").format(file=p)) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
        raise BadFile(_("{file} is not an Excel workbook (.xlsx): {reason}").format(file=p, reason=exc)) from None
    try:
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()
    if not rows:
        raise BadFile(_("{file} is empty").format(file=p))
    header = [COLUMNS.get(str(h).strip()) if h is not None else None for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        labels = {"doc_number": "发文字号", "date": "日期", "amount": "金额", "reference": "凭证号"}
        raise BadFile(_("{file}: the first row must name the columns 发文字号, 日期, 金额, 凭证号 (missing: {cols})").format(
            file=p, cols="、".join(labels[c] for c in missing)))  # Chinese names, listed as Chinese lists them
    out: list[dict[str, Any]] = []
    for values in rows[1:]:
        row = {key: (v.strip() if isinstance(v, str) else v) for key, v in zip(header, values) if key}
        if all(v in (None, "") for v in row.values()):
            out.append({})
            continue
        out.append(row)
    return out


def import_xlsx(path: Path | str, user: str, today: dt.date | None = None) -> list[Payment]:
    """``read_xlsx`` then ``import_rows``, rows named by their number in the sheet."""
    numbered = [(i, r) for i, r in enumerate(read_xlsx(path), start=2) if r]
    return import_rows([r for _i, r in numbered], user, [i for i, _r in numbered], today)
