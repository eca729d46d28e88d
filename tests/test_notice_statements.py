"""Offline verification of a printed notice: the QR carries a statement signed with the office's
Ed25519 key; it is read back from the rendered page image by a QR decoder (zxing-cpp) and verified
at a second database that holds only the office's card. Altered or forged statements are refused."""
from __future__ import annotations

import base64
import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import GOOD_USCC
from test_notices import S, issue

from desktop.notices import verify as V
from desktop.store.db import close_db, open_db

zxingcpp = pytest.importorskip("zxingcpp")
Image = pytest.importorskip("PIL.Image")


@pytest.fixture
def office(db: Path) -> Path:
    from desktop.store import office as officemod

    officemod.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监", user="tester")
    return db


def _scan(pdf: Path, tmp_path: Path) -> list[str]:
    """Rasterise every page of the PDF at 300 dpi and decode every QR code on them."""
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed"
    prefix = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(pdf), str(prefix)], check=True, capture_output=True)
    found = []
    for png in sorted(tmp_path.glob("page-*.png")):
        with Image.open(png) as img:
            found += [r.text for r in zxingcpp.read_barcodes(img) if r.format == zxingcpp.BarcodeFormat.QRCode]
        png.unlink()
    return found


def _issued_and_printed(tmp_path: Path) -> tuple[str, dict, str, Path]:
    from desktop.exchange import offices
    from desktop.operations import notices as store
    from desktop.operations import statements

    n = issue()[0]
    text = statements.statement_for(n)
    pdf = tmp_path / "notice.pdf"
    from desktop.notices import render_notices

    render_notices([{**store.notice_data(n), "qr": text}], pdf)
    return text, offices.card(), n.doc_number, pdf


def test_a_printed_qr_verifies_at_a_database_holding_only_the_office_card(office, tmp_path):
    from desktop.exchange import offices
    from desktop.operations import statements

    text, card, number, pdf = _issued_and_printed(tmp_path)
    assert len(text) < 260 and text.startswith("SA2:") and text.isascii()  # a USB scanner types it
    scanned = _scan(pdf, tmp_path)
    assert scanned == [text]
    close_db()

    open_db(tmp_path / "auditor.db")  # the auditor's database: no office profile, no notices
    with pytest.raises(V.StatementError, match="not registered here"):
        statements.verify_text(scanned[0])
    offices.register({k: card[k] for k in ("uuid", "name", "region", "public_key")},
                     expected_fingerprint=card["fingerprint"], user="tester")
    info = statements.verify_text(scanned[0])
    assert info == {"valid": True, "office": "莆田市城厢区市场监督管理局", "office_uuid": card["uuid"],
                    "fingerprint": card["fingerprint"], "doc_number": number, "enterprise": GOOD_USCC,
                    "total": "115000.00", "issued_on": "2026-11-22", "content_digest": info["content_digest"]}
    assert "status" not in info  # only what was signed: this database cannot know more

    # altered: one character of the scanned text changed (a total, a date, a number...)
    i = len("SA2:") + 30
    altered = scanned[0][:i] + ("A" if scanned[0][i] != "A" else "B") + scanned[0][i + 1:]
    with pytest.raises(V.StatementError, match="altered or forged|damaged"):
        statements.verify_text(altered)


def test_a_statement_with_a_changed_total_or_a_stranger_key_is_refused(office, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from desktop.exchange import offices
    from desktop.operations import statements

    text, card, number, _pdf = _issued_and_printed(tmp_path)
    raw = base64.b32decode(text[4:] + "=" * (-len(text[4:]) % 8))
    body, sig = bytearray(raw[:-64]), raw[-64:]
    body[13:19] = (50000000).to_bytes(6, "big")  # 500,000.00 yuan in fen, signature kept
    raised = "SA2:" + base64.b32encode(bytes(body) + sig).decode().rstrip("=")
    # a forger's own key, claiming the office's number, recipient and a larger total
    mallory = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    forged = V.make_statement(mallory, doc_number=number, recipient=GOOD_USCC, total=Decimal(500000),
                              issued_on=dt.date(2026, 11, 22), content_hash="ab" * 32)
    close_db()
    open_db(tmp_path / "city.db")
    offices.register({k: card[k] for k in ("uuid", "name", "region", "public_key")},
                     expected_fingerprint=card["fingerprint"], user="tester")
    assert statements.verify_text(text)["total"] == "115000.00"
    with pytest.raises(V.StatementError, match="altered or forged"):
        statements.verify_text(raised)
    with pytest.raises(V.StatementError, match="not registered here"):
        statements.verify_text(forged)
    for junk in ("SA2:!!!", "SA2:AAAA", "hello"):
        with pytest.raises(V.StatementError):
            statements.verify_text(junk)


def test_the_issuing_database_adds_the_notice_status(office, tmp_path):
    from desktop.operations import notices as store
    from desktop.operations import statements

    text, _card, number, _pdf = _issued_and_printed(tmp_path)
    assert statements.verify_text(text)["status"] == "pending"
    store.void(S(), store.find(S(), number), "金额有误")
    assert statements.verify_text(text)["status"] == "void"


def test_the_short_code_and_the_old_qr_payload_keep_working(office, tmp_path):
    from desktop.operations import notices as store

    n = issue()[0]
    assert store.verify(S(), V.verification_code(n.uuid, n.content_hash))["uuid"] == n.uuid
    pdf = store.print_notices(S(), [n], tmp_path / "plain.pdf")
    from desktop.operations import statements

    scanned = _scan(pdf, tmp_path)  # a printed notice carries the signed statement, and verify-notice takes it
    assert scanned == [statements.statement_for(n)]
    assert store.verify(S(), scanned[0])["doc_number"] == n.doc_number


def test_the_fast_statement_encoder_gives_reportlabs_symbol(tmp_path):
    """A batch of notices encodes statements from precomputed tables: the same symbols as
    reportlab's encoder (random statements of every length a 发文字号 gives), the same PDF."""
    import random

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    rng = random.Random(12)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    texts = [V.make_statement(pem, doc_number=f"城市监〔{rng.randint(2000, 2099)}〕{rng.randint(1, 10 ** rng.randint(1, 6))}号",
                              recipient=GOOD_USCC, total=Decimal(rng.randint(0, 10 ** 10)) / 100,
                              issued_on=dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 9000)),
                              content_hash=f"{rng.getrandbits(256):064x}") for _ in range(25)]
    V._statement_tables.clear()
    assert V.statement_bits(texts[0]) is None  # not prepared: reportlab draws it
    V.prepare_statements(1000)
    try:
        for text in texts:
            side, bits = V.statement_bits(text)
            modules = V.qr_matrix(text)
            assert side == len(modules) and bits == V._as_int(modules), text
    finally:
        V._statement_tables.clear()


def test_a_batch_drawn_by_the_fast_encoder_scans(office, tmp_path):
    from desktop.notices import render_notices
    from desktop.operations import notices as store
    from desktop.operations import statements

    n = issue()[0]
    item = {**store.notice_data(n), "qr": statements.statement_for(n)}
    pdf = render_notices([item] * 20, tmp_path / "batch.pdf")
    try:
        assert 9 in V._statement_tables  # 20 statements: the tables were built and used
        pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                                  text=True, check=True).stdout)[1])
        subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", "-f", str(pages), "-l", str(pages),
                        str(pdf), str(tmp_path / "last")], check=True, capture_output=True)
        with Image.open(tmp_path / "last.png") as img:
            assert [r.text for r in zxingcpp.read_barcodes(img)] == [item["qr"]]
    finally:
        V._statement_tables.clear()
