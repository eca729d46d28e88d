"""Signed notice statements (the QR's offline-verifiable text) from the office database.

* ``statement_for(notice)`` signs a stored notice's particulars with this office's Ed25519 key (the
  one exchange packages use): key fingerprint, 发文字号, recipient credit code, total, 成文日期 and
  content hash. The notice-issuing code passes it to ``render_notices`` as each item's ``qr``.
* ``statement_for_letter(letter)``: the same for a 不予奖补告知书 (the number of claims it refuses
  where a notice has its total).
* ``office_cards()``: the keys this database can check statements against — the offices registered
  here (``stdaward register-office``) and this office's own.
* ``verify_text(text)``: a scanned statement checked against those keys. Only signed values come
  back; where this database is the issuing one it adds the notice's status here (a void notice
  says so), which no statement can carry; a letter must match one stored here, content unaltered.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.notices import verify as V
from desktop.store.models import KnownOffice, Notice, Office, RefusalLetter


def _office_with_key() -> Office:
    from desktop.store.models import database
    from desktop.store.office import _ensure_keys, require

    office = require()
    if not office.signing_key:
        with database.atomic():
            _ensure_keys(office)
    return office


def statement_for(notice: Notice) -> str:
    """The QR text for ``notice``, signed with this office's key."""
    office = _office_with_key()
    if notice.content.get("office", {}).get("uuid") not in (None, office.uuid):
        raise StdAwardError(_("notice {number} was not issued by this office").format(number=notice.doc_number))
    assert office.signing_key is not None  # made by _office_with_key
    return V.make_statement(office.signing_key, doc_number=notice.doc_number, recipient=notice.enterprise.uscc,
                            total=notice.total, issued_on=notice.issued_on, content_hash=notice.content_hash)


def statement_for_letter(letter: RefusalLetter) -> str | None:
    """The QR text of a 不予奖补告知书, signed with this office's key; None for a letter printed before
    letters carried one (its reprint stays as it was)."""
    content = letter.content or {}
    if not content.get("letter"):
        return None
    office = _office_with_key()
    if content.get("office", {}).get("uuid") not in (None, office.uuid):
        raise StdAwardError(_("this letter of refusal was not issued by this office"))
    assert office.signing_key is not None  # made by _office_with_key
    return V.make_letter_statement(office.signing_key, doc_number=letter.doc_number or "",
                                   recipient=content["recipient"]["uscc"], claims=len(content.get("lines") or ()),
                                   issued_on=letter.issued_on, content_hash=letter.content_hash)


def office_cards() -> list[dict[str, Any]]:
    cards = [{"uuid": k.uuid, "name": k.name, "region": k.region_code, "public_key": k.public_key}
             for k in KnownOffice.select()]
    own = Office.select().order_by(Office.id).first()  # type: ignore[attr-defined]  # peewee's implicit id
    if own is not None and own.public_key:
        cards.append({"uuid": own.uuid, "name": own.name, "region": own.region_code, "public_key": own.public_key})
    return cards


def verify_text(text: str) -> dict[str, Any]:
    """Check a scanned statement (raises ``verify.StatementError`` saying why it does not verify)."""
    info = V.verify_statement(text, office_cards())
    own = Office.select().order_by(Office.id).first()  # type: ignore[attr-defined]  # peewee's implicit id
    if own is not None and info["office_uuid"] == own.uuid and info.get("kind") == V.LETTER:
        letter = _own_letter(info)
        if letter is None:
            raise V.StatementError(_("the statement is signed with this office's key, but this database has no "
                                     "letter of refusal with that content"))
        info["status"] = "issued"
        info["letter"] = letter.uuid
    elif own is not None and info["office_uuid"] == own.uuid:
        n = Notice.get_or_none(Notice.doc_number == info["doc_number"])
        if n is None or not n.content_hash.startswith(info["content_digest"]):
            raise V.StatementError(_("the statement is signed with this office's key, but this database has no "
                                     "notice {number} with that content").format(number=info["doc_number"]))
        info["status"] = n.status
    return info


def _own_letter(info: dict[str, Any]) -> RefusalLetter | None:
    """This database's letter the statement describes: same recipient, 发文字号, date and content
    digest, and its stored content still what was hashed."""
    q = RefusalLetter.select().where(RefusalLetter.content_hash.startswith(info["content_digest"]),
                                     RefusalLetter.issued_on == dt.date.fromisoformat(info["issued_on"]))
    for row in q:
        if ((row.doc_number or "") == info["doc_number"] and row.content["recipient"]["uscc"] == info["enterprise"]
                and V.content_hash(row.content) == row.content_hash):
            return row
    return None
