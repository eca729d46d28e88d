"""A 不予奖补告知书 is verifiable the way an award notice is: its QR carries a statement signed with
the office's Ed25519 key (the number of claims it refuses where a notice has its total), read back
here from the rendered page by a QR decoder, and checked at the issuing database, at one that holds
only the office card, by the short code and on the command line. A forged letter, one whose text
was changed and one signed with another office's key are refused; reprints stay identical."""
from __future__ import annotations

import base64
import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from conftest import GOOD_USCC as A
from conftest import OTHER_USCC as B
from conftest import run_cli
from test_notice_statements import _scan
from test_refusals import NAMES, approved_round, office, session  # noqa: F401 - fixture

from desktop.core.errors import StdAwardError
from desktop.notices import verify as V
from desktop.operations import publicity as P
from desktop.store.db import close_db, open_db

pytest.importorskip("zxingcpp")


def _other_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


def _printed(db_file: Path, tmp_path: Path, prefix: str = "泉市监告") -> tuple[dict, list[str], Path]:
    """The round's letters printed (numbered under ``prefix`` when given) and their QR codes scanned."""
    uuid = approved_round(db_file)
    if prefix:
        P.set_refusal_prefix(session(db_file, "clerk1", "password-1"), prefix)
    done = P.write_refusals(session(db_file, "boss", "password-2"), uuid, tmp_path / "letters.pdf",
                            dt.date(2025, 3, 3))
    scans = tmp_path / "scans"
    scans.mkdir(exist_ok=True)
    return done, _scan(done["path"], scans), done["path"]


def _body_sig(text: str) -> tuple[bytearray, bytes]:
    raw = base64.b32decode(text[4:] + "=" * (-len(text[4:]) % 8))
    return bytearray(raw[:-64]), raw[-64:]


def _text(body: bytes, sig: bytes) -> str:
    return "SA2:" + base64.b32encode(bytes(body) + sig).decode().rstrip("=")


def test_each_letter_carries_a_signed_statement_that_verifies_here_and_at_a_card_holder(office, tmp_path):  # noqa: F811
    from desktop.exchange import offices
    from desktop.operations import notices, statements

    done, scanned, pdf = _printed(office, tmp_path)
    assert len(scanned) == 2 and all(t.startswith("SA2:") and t.isascii() for t in scanned)
    boss = session(office, "boss", "password-2")
    found = {}
    for text in scanned:
        info = notices.verify(boss, text)
        assert info["kind"] == "refusal" and info["signed"] and info["issued_on"] == "2025-03-03"
        found[info["enterprise"]] = (info["doc_number"], info["claims"])
    # A has the enterprise standard and the duplicate refused, B its two standards
    assert sorted(found) == sorted([A, B]) and {c for _n, c in found.values()} == {2}
    assert sorted(n for n, _c in found.values()) == sorted(done["numbers"])
    here = statements.verify_text(scanned[0])
    assert here["status"] == "issued" and here["kind"] == "refusal" and "total" not in here

    # the short code printed beside the QR names the same letter
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    codes = re.findall(r"核验码\s*([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", out)
    assert len(codes) == 2
    by_code = notices.verify(boss, codes[0].lower().replace("-", " "))
    assert by_code["kind"] == "refusal" and by_code["name"] in NAMES.values() and by_code["claims"] == 2

    # reprinted on a later day: the same file, the same statements
    again = P.write_refusals(boss, _round_of(), tmp_path / "again.pdf")
    assert again["new"] == 0 and (tmp_path / "again.pdf").read_bytes() == pdf.read_bytes()

    card = offices.card()
    close_db()
    open_db(tmp_path / "city.db")  # the city: no letters, only the office's card once registered
    with pytest.raises(V.StatementError, match="not registered here"):
        statements.verify_text(scanned[0])
    offices.register({k: card[k] for k in ("uuid", "name", "region", "public_key")},
                     expected_fingerprint=card["fingerprint"], user="tester")
    info = statements.verify_text(scanned[0])
    assert info["kind"] == "refusal" and info["office"] == "泉州市市场监督管理局" and "status" not in info
    assert info["enterprise"] in (A, B) and info["claims"] == 2 and info["doc_number"].startswith("泉市监告〔2025〕")


def _round_of() -> str:
    from desktop.store.models import RefusalLetter

    return RefusalLetter.select().first().round.uuid


def test_a_forged_letter_an_altered_one_and_one_signed_by_another_office_are_refused(office, tmp_path):  # noqa: F811
    from desktop.operations import integrity, statements

    _done, scanned, _pdf = _printed(office, tmp_path)
    text = scanned[0]
    boss = session(office, "boss", "password-2")
    good = integrity.verify_notice_text(boss, text)
    assert good.is_letter and good.total is None and good.claims == 2

    body, sig = _body_sig(text)
    # a changed field (the claims it refuses), the signature kept
    more = bytearray(body)
    more[13:19] = (1).to_bytes(6, "big")
    # the letter passed off as a notice of award: the version byte of a notice, the signature kept
    as_notice = bytearray(body)
    as_notice[0] = 1
    # another office's key signing the same particulars, claiming this office's fingerprint
    other = _other_key()
    claimed = V._signing_key(other).sign(b"stdaward-refusal-statement/1\0" + bytes(body))
    for bad in (_text(more, sig), _text(as_notice, sig), _text(body, claimed)):
        with pytest.raises(StdAwardError, match="altered or forged"):
            integrity.verify_notice_text(boss, bad)
    # a forger's own key, the office's number and recipient: nobody registered that key
    forged = V.make_letter_statement(other, doc_number="泉市监告〔2025〕1号", recipient=A, claims=2,
                                     issued_on=dt.date(2025, 3, 3), content_hash="ab" * 32)
    with pytest.raises(StdAwardError, match="not registered here"):
        integrity.verify_notice_text(boss, forged)

    # another office, registered here, signs a letter: it verifies as that office's, never as ours
    from desktop.store.models import KnownOffice

    pem_other = _other_key()
    from cryptography.hazmat.primitives import serialization

    pub = serialization.load_pem_private_key(pem_other.encode(), None).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    KnownOffice.create(uuid="00000000-0000-4000-8000-000000000001", name="厦门市市场监督管理局", region_code="350200",
                       public_key=pub)
    theirs = V.make_letter_statement(pem_other, doc_number="泉市监告〔2025〕1号", recipient=A, claims=2,
                                     issued_on=dt.date(2025, 3, 3), content_hash="ab" * 32)
    assert integrity.verify_notice_text(boss, theirs).office == "厦门市市场监督管理局"

    # the letter's text changed in the database: its statement, its short code and its reprint refuse it
    from desktop.store.models import RefusalLetter

    row = next(r for r in RefusalLetter.select() if text in (statements.statement_for_letter(r) or ""))
    code = V.verification_code(row.uuid, row.content_hash)
    content = dict(row.content)
    content["text"] = {**content["text"], "paragraphs": ["经审核，下列事项予以奖补。", *content["text"]["paragraphs"][1:]]}
    RefusalLetter.update(content=content).where(RefusalLetter.id == row.id).execute()
    with pytest.raises(StdAwardError, match="no letter of refusal with that content"):
        integrity.verify_notice_text(boss, text)
    with pytest.raises(StdAwardError, match="altered in the database"):
        integrity.verify_notice_text(boss, code)
    with pytest.raises(StdAwardError, match="altered in the database"):
        P.write_refusals(boss, row.round.uuid, tmp_path / "again.pdf")
    assert not (tmp_path / "again.pdf").exists()


def test_an_unnumbered_letter_verifies_and_the_command_line_says_what_it_is(office, tmp_path):  # noqa: F811
    done, scanned, _pdf = _printed(office, tmp_path, prefix="")
    assert not done["numbers"] and len(scanned) == 2
    close_db()
    pw = tmp_path / "pw"
    pw.write_text("password-2\n")
    r = run_cli("verify-notice", scanned[0], "--db", str(office), "--user", "boss", "--password-file", str(pw))
    assert r.returncode == 0, r.stderr
    assert "valid letter of refusal" in r.stdout and "2 claim(s) not paid" in r.stdout
    assert "dated 2025-03-03" in r.stdout
    bad = scanned[0][:40] + ("A" if scanned[0][40] != "A" else "B") + scanned[0][41:]
    r = run_cli("verify-notice", bad, "--db", str(office), "--user", "boss", "--password-file", str(pw))
    assert r.returncode != 0 and "altered or forged" in r.stderr


def test_a_letter_printed_before_letters_were_signed_reprints_as_it_was(office, tmp_path, monkeypatch):  # noqa: F811
    """A letter recorded without an id of its own (made before letters carried a QR, and before the
    audit log recorded each letter's digest) keeps its pages: no QR, no code, the same bytes on every
    reprint."""
    from desktop.store import audit
    from desktop.store.models import RefusalLetter

    with monkeypatch.context() as m:  # letters were not audited row by row then
        m.delitem(audit.KINDS, "refusal_letter")
        _done, scanned, _pdf = _printed(office, tmp_path, prefix="")
    assert len(scanned) == 2
    for row in RefusalLetter.select():
        old = {k: v for k, v in row.content.items() if k not in ("letter", "wording")}
        RefusalLetter.update(content=old, content_hash=V.content_hash(old)).where(RefusalLetter.id == row.id).execute()
    boss = session(office, "boss", "password-2")
    first = P.write_refusals(boss, _round_of(), tmp_path / "old-1.pdf")
    again = P.write_refusals(boss, _round_of(), tmp_path / "old-2.pdf")
    assert first["new"] == again["new"] == 0
    assert (tmp_path / "old-1.pdf").read_bytes() == (tmp_path / "old-2.pdf").read_bytes()
    scans = tmp_path / "old-scans"
    scans.mkdir()
    assert _scan(tmp_path / "old-1.pdf", scans) == []
    out = subprocess.run(["pdftotext", str(tmp_path / "old-1.pdf"), "-"], capture_output=True, text=True).stdout
    assert "核验码" not in out and out.count("不予奖补告知书") == 2
