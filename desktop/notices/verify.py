"""What makes a printed notice checkable: its content hash, short verification code and QR code.

* ``content_hash(content)``: SHA-256 of the notice content as canonical JSON (sorted keys, UTF-8).
* ``verification_code(notice_id, content_hash)``: 12 characters of Crockford base32 from
  SHA-256(id:hash), shown as ``ABCD-EFGH-JKMN``; ``stdaward verify-notice CODE`` finds the notice in
  the database and re-checks the stored content against its hash.
* ``qr_payload``: ``SA1:<first 13 hex of the notice id>:<first 16 hex of the content hash>`` in
  upper case (QR alphanumeric mode: a version-2 symbol, 25 × 25 modules, sharp at 18 mm).
* ``draw_qr``: draws the symbol as one small 1-bit image. reportlab's encoder is used with a fixed mask
  pattern (every mask is valid; choosing the "best" one costs eight encodings) and the
  Reed-Solomon generator polynomials memoised, which makes a QR code cost well under a millisecond.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from typing import Any

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TO_CROCKFORD = str.maketrans(_B32, CROCKFORD)
QR_PREFIX = "SA1"
_PAYLOAD = re.compile(r"^SA1:([0-9A-F]{13}):([0-9A-F]{16})$")


def canonical(content: Any) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def content_hash(content: Any) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def verification_code(notice_id: str, chash: str) -> str:
    digest = hashlib.sha256(f"{notice_id}:{chash}".encode()).digest()
    code = base64.b32encode(digest).decode().translate(_TO_CROCKFORD)[:12]
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def normalise_code(text: str) -> str:
    """What the officer typed → ``ABCD-EFGH-JKMN`` (case, spaces and O/I/L look-alikes forgiven)."""
    raw = re.sub(r"[\s\-]", "", text.upper()).translate(str.maketrans("OIL", "011"))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 12 else text.strip().upper()


def qr_payload(notice_id: str, chash: str) -> str:
    return f"{QR_PREFIX}:{notice_id.replace('-', '')[:13].upper()}:{chash[:16].upper()}"


def parse_payload(text: str) -> tuple[str, str] | None:
    """(notice uuid prefix as stored, e.g. ``1234abcd-12ab-1``, hash prefix) from a scanned QR
    payload, or None."""
    m = _PAYLOAD.match(text.strip().upper())
    if not m:
        return None
    h = m.group(1).lower()
    return f"{h[:8]}-{h[8:12]}-{h[12:]}", m.group(2).lower()


def _memoise_generator() -> None:
    from reportlab.graphics.barcode import qrencoder

    util = qrencoder.QRUtil
    if not getattr(util, "_stdaward_memo", False):
        util.getErrorCorrectPolynomial = staticmethod(functools.lru_cache(maxsize=64)(
            util.getErrorCorrectPolynomial))
        util._stdaward_memo = True


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR modules (rows of booleans), error correction level M, mask pattern 0."""
    from reportlab.graphics.barcode import qrencoder

    _memoise_generator()
    q = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    q.addData(payload)
    q.version = q.calculate_version()
    q.makeImpl(False, 0)
    return q.modules


def qr_image(payload: str) -> Any:
    """The QR symbol as a 1-bit image, one pixel per module, with a quiet zone of 2 modules."""
    from PIL import Image

    modules = qr_matrix(payload)
    n = len(modules)
    img = Image.new("1", (n + 4, n + 4), 1)
    img.putdata([0 if 2 <= r < n + 2 and 2 <= c < n + 2 and modules[r - 2][c - 2] else 1
                 for r in range(n + 4) for c in range(n + 4)])
    return img


def draw_qr(canvas: Any, payload: str, x: float, y: float, size: float) -> None:
    """Draw the QR symbol with its lower-left corner at (x, y), ``size`` points square: one small
    image (drawn without interpolation, so the modules stay sharp) instead of hundreds of rectangles."""
    from reportlab.lib.utils import ImageReader

    canvas.drawImage(ImageReader(qr_image(payload)), x, y, size, size)
