"""What makes a printed notice checkable: its content hash, short verification code and QR code.

* ``content_hash(content)``: SHA-256 of the notice content as canonical JSON (sorted keys, UTF-8).
* ``verification_code(notice_id, content_hash)``: 12 characters of Crockford base32 from
  SHA-256(id:hash), shown as ``ABCD-EFGH-JKMN``; ``stdaward verify-notice CODE`` finds the notice in
  the database and re-checks the stored content against its hash.
* ``qr_payload``: ``SA1:<first 13 hex of the notice id>:<first 16 hex of the content hash>`` in
  upper case (QR alphanumeric mode: a version-2 symbol, 25 × 25 modules, sharp at 18 mm).
* ``qr_matrix``: reportlab's encoder, with a fixed mask pattern (every mask is valid; choosing the
  "best" one costs eight encodings) and the Reed-Solomon generator polynomials memoised.
* ``qr_bits``: the same symbol as one integer (bit ``r * 25 + c`` from the top = module at row r,
  column c). For a batch of notices (``prepare(count)``) it is computed without encoding: every
  payload has the same shape (34 alphanumeric characters, so the same version, mode, length, pad
  bytes, format bits and mask), and every step after the data bits is linear over GF(2) (the
  Reed-Solomon remainder is linear and the mask is an XOR), so the symbol is the reference
  payload's symbol XOR one precomputed difference per data bit that differs from the reference.
  The 165 differences come from reportlab's encoder once per process (about 0.1 s) and are combined
  into XOR tables (per character pair: its low 6 and high 5 bits); after that a symbol costs about
  10 µs instead of 0.4 ms. A test checks it against reportlab on random payloads.
* ``draw_qr``: paints the dark modules through a 25 × 25 one-bit image mask written inline in the
  page (hexadecimal, ~250 bytes): sharp at any resolution, and far cheaper to write than an image
  XObject or a path of rectangles per notice.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
from typing import Any

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
QR_PREFIX = "SA1"
_PAYLOAD = re.compile(r"^SA1:([0-9A-F]{13}):([0-9A-F]{16})$")


def canonical(content: Any) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def content_hash(content: Any) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def verification_code(notice_id: str, chash: str) -> str:
    """The first 60 bits of SHA-256(id:hash) as 12 Crockford base32 digits (what
    ``base64.b32encode(digest)[:12]`` spells, translated), grouped ABCD-EFGH-JKMN."""
    top = int.from_bytes(hashlib.sha256(f"{notice_id}:{chash}".encode()).digest()[:8], "big") >> 4
    code = "".join([CROCKFORD[(top >> shift) & 31] for shift in range(55, -1, -5)])
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


QR_SIDE = 25  # modules per side of the version-2 symbol every payload makes
QR_QUIET = 2  # quiet-zone modules drawn (as white space) around the symbol
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_ALNUM_VALUE = {ch: i for i, ch in enumerate(_ALNUM)}
_REFERENCE = f"{QR_PREFIX}:{'0' * 13}:{'0' * 16}"
_linear: tuple[int, list[int], list[tuple[list[int], list[int]]]] | None = None  # reference, its pairs, XOR tables


def _as_int(modules: list[list[bool]]) -> int:
    return int("".join("1" if m else "0" for row in modules for m in row), 2)


def _pairs(payload: str) -> list[int]:
    """The payload's 11-bit values in QR alphanumeric mode (two characters each)."""
    v = _ALNUM_VALUE
    return [45 * v[payload[i]] + v[payload[i + 1]] for i in range(0, len(payload), 2)]


def _subsets(diffs: list[int]) -> list[int]:
    """XOR of every subset of ``diffs``, indexed by the subset's bits."""
    table = [0]
    for d in diffs:
        table += [t ^ d for t in table]
    return table


def prepare(count: int) -> None:
    """Build the linear encoder if ``count`` symbols are about to be drawn and it pays (≥ 200)."""
    global _linear
    if _linear is not None or count < 200:
        return
    ref_pairs = _pairs(_REFERENCE)
    ref = _as_int(qr_matrix(_REFERENCE))
    tables = []
    for j, value in enumerate(ref_pairs):
        diffs = []
        for k in range(11):
            if j < 2:  # "SA1:" is the same in every payload
                diffs.append(0)
                continue
            flipped = value ^ (1 << k)  # the reference's pairs are "00" and "0:": every flip is a valid pair
            chars = list(_REFERENCE)
            chars[2 * j:2 * j + 2] = _ALNUM[flipped // 45], _ALNUM[flipped % 45]
            diffs.append(_as_int(qr_matrix("".join(chars))) ^ ref)
        tables.append((_subsets(diffs[:6]), _subsets(diffs[6:])))  # low 6 and high 5 bits of a pair
    _linear = (ref, ref_pairs, tables)


def qr_bits(payload: str) -> int:
    """The QR modules as one integer, row-major from the top-left module (the highest bit)."""
    if _linear is None or not _PAYLOAD.match(payload):
        return _as_int(qr_matrix(payload))
    bits, ref_pairs, tables = _linear
    for value, ref_value, (low, high) in zip(_pairs(payload), ref_pairs, tables):
        delta = value ^ ref_value
        bits ^= low[delta & 63] ^ high[delta >> 6]
    return bits


_ROW_MASK = (1 << QR_SIDE) - 1
_ROW_PAD = 32 - QR_SIDE  # each image row is padded to 4 bytes


def draw_qr(canvas: Any, payload: str, x: float, y: float, size: float) -> None:
    """Draw the QR symbol (with its quiet zone) ``size`` points square, lower-left corner at (x, y),
    as a 25 × 25 image mask inline in the page: the dark modules painted black, nothing else
    painted, no interpolation (sharp at any resolution), about 250 bytes per notice."""
    from reportlab.lib.rl_accel import fp_str

    bits = qr_bits(payload)
    unit = size / (QR_SIDE + 2 * QR_QUIET)
    rows = "".join([f"{((bits >> shift) & _ROW_MASK) << _ROW_PAD:08X}" for shift in _ROW_SHIFTS])
    # q … Q keeps the black fill and the scaling to this image; the canvas's own state is untouched
    canvas.addLiteral(f"q 0 g {fp_str(QR_SIDE * unit, 0, 0, QR_SIDE * unit, x + QR_QUIET * unit, y + QR_QUIET * unit)}"
                      f" cm BI /IM true /W {QR_SIDE} /H {QR_SIDE} /BPC 1 /D [1 0] /F /AHx ID {rows}> EI Q")


_ROW_SHIFTS = [(QR_SIDE - 1 - r) * QR_SIDE for r in range(QR_SIDE)]  # top row first
