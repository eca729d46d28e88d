"""A zip bomb inside a package's evidence part: the evidence member is itself an archive, and a
registered sender (its own signer) can deflate hundreds of megabytes of zeros into a few hundred
kilobytes there, named by their true SHA-256. The outer archive's size checks never see inside it;
the evidence files must be refused before they are unpacked into memory."""
from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from desktop.exchange import package as pk

CHUNK = b"\0" * (1 << 20)


def _inflating_evidence(megabytes: int, files: int = 1) -> bytes:
    """An evidence archive of ``files`` deflated files of ``megabytes`` MB of zeros each (never held
    whole), each named by its SHA-256 as the program names evidence."""
    h = hashlib.sha256()
    for _ in range(megabytes):
        h.update(CHUNK)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for i in range(files):
            with zf.open(f"{h.hexdigest()}.p{i}", "w", force_zip64=True) as fh:
                for _ in range(megabytes):
                    fh.write(CHUNK)
    return buf.getvalue()


def test_an_evidence_file_that_inflates_a_thousandfold_is_refused_before_it_is_read(monkeypatch):
    member = _inflating_evidence(150)
    assert len(member) < 1 << 20  # 150 MB of evidence in well under 1 MB
    read: list[str] = []
    original = zipfile.ZipFile.read
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda self, name, pwd=None: read.append(str(name)) or original(
        self, name, pwd))
    with pytest.raises(pk.PackageError, match="evidence"):
        pk._evidence_files(member)
    assert read == []  # refused from the archive's directory, nothing unpacked


def test_more_evidence_than_a_package_may_carry_is_refused_before_it_is_read(monkeypatch):
    """Each file under the per-file limit, and stored as the program stores them would be, but
    together over the package's cap: the directory says so before anything is read."""
    names = [f"{i:064x}.pdf" for i in range(3)]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for n in names:
            zf.writestr(n, b"x")
    raw = bytearray(buf.getvalue())
    # the central directory declares each file at the per-file limit (3 x 200 MB > the 512 MB cap)
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as zf:
        infos = zf.infolist()
    start = raw.find(b"PK\x01\x02")
    for _ in infos:
        raw[start + 24:start + 28] = pk.EVIDENCE_MAX_FILE.to_bytes(4, "little")
        start = raw.find(b"PK\x01\x02", start + 4)
    read: list[str] = []
    original = zipfile.ZipFile.read
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda self, name, pwd=None: read.append(str(name)) or original(
        self, name, pwd))
    with pytest.raises(pk.PackageError, match="evidence"):
        pk._evidence_files(bytes(raw))
    assert read == []
