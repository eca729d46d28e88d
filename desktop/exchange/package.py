"""The exchange package: one signed (optionally encrypted) zip file per export, and its checks.

Format (``format_version`` 1). A ZIP archive whose members are exactly:

``manifest.json``
    UTF-8 JSON object: ``format`` ("stdaward-package"), ``format_version``, ``office`` (``uuid``,
    ``name``, ``region``, ``role``), ``public_key`` (the office's Ed25519 public key, PEM),
    ``sequence`` (1, 2, 3 ... per office: a package older than one already imported is stale),
    ``created_at``, ``period`` (``kind`` "year" | "since" | "all", with ``year`` or ``since``),
    ``counts`` (records per table), ``app_version``, ``schema_version``, ``encryption`` (null, or
    the cipher and scrypt parameters with base64 ``salt`` and ``nonce``), ``members`` (name ->
    ``sha256`` and ``size`` of every other member) and, when encrypted, ``inner_members`` (the same
    for the decrypted tables).
``manifest.sig``
    The Ed25519 signature of the exact bytes of ``manifest.json``, base64. The signature covers
    every member through their SHA-256 in the manifest.
``data/<table>.json`` (plain packages) or ``data.enc`` (encrypted ones)
    One JSON object per table, ``{"columns": [...], "rows": [[...], ...]}``, for the tables
    ``enterprises``, ``achievements``, ``rounds``, ``awards``, ``summaries`` (each round's own
    totals as the office computed them), ``payments`` (what the office paid out on its notices;
    absent from packages of earlier versions) and ``tombstones`` (the office's deletions and merges,
    ``tables.TOMBSTONE_COLUMNS``; absent when it has none, and from earlier versions' packages) and
    ``evidence`` (the files attached to its achievements, ``tables.EVIDENCE_COLUMNS``). A city's
    reply to a county holds ``decisions`` and ``remarks`` instead (``desktop.exchange.reply``).
``evidence.zip`` (inside ``data.enc`` when encrypted)
    The evidence files not sent in an earlier package, each named ``<sha256><suffix>``, stored
    uncompressed; checked like every member and each file again against its own SHA-256. The manifest's ``audit_head`` is the office's audit
    log head, signed with the same key. ``data.enc`` is AES-256-GCM over a zip of those members,
    under a key derived from the passphrase with scrypt; the office uuid and sequence are its
    associated data, so a wrong passphrase (or a swapped payload) fails authentication.

The archive comment is a seal, ``stdaward-sha256:`` and the SHA-256 of every byte before it, so
damage anywhere in the file (zip bookkeeping included) is refused before anything is read.

``read_package`` checks everything (seal, archive structure, format and schema versions, signature,
every hash, decryption, table shapes) and raises ``PackageError`` with one clear reason; it never
touches a database. Whether the signing key belongs to an office this database trusts is decided by
the caller (``desktop.exchange.offices.trust``).
"""
from __future__ import annotations

import base64
import contextlib
import contextvars
import hashlib
import io
import json
import marshal
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, overload

from desktop.core.errors import BadFile
from desktop.core.i18n import _

FORMAT = "stdaward-package"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PAYLOAD = "data.enc"
TABLES = ("enterprises", "achievements", "rounds", "awards", "summaries", "payments", "tombstones", "evidence",
          "decisions", "remarks", "publicity")
EVIDENCE = "evidence.zip"  # the evidence files a package carries, each named by its SHA-256
EVIDENCE_CAP = 512 << 20  # bytes of evidence files in one package (MAX_FILE leaves room for the tables)
EVIDENCE_MAX_FILE = 200 << 20  # one evidence file (desktop.store.edits.MAX_EVIDENCE)
_EVIDENCE_NAME = re.compile(r"^[0-9a-f]{64}(\.[0-9a-z]{1,10})?$")
SUFFIX = ".stdpkg"
SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}
SEAL_PREFIX = b"stdaward-sha256:"
_SEAL_LEN = len(SEAL_PREFIX) + 64
MAX_MANIFEST = 1 << 20
# Limits on what a package may cost to read (README "Limits"). A real package of 100,000 achievements
# is ~10 MB on the stick and ~60 MB unpacked; the limits leave room for ten times that.
MAX_FILE = 1 << 30  # the package file
MAX_MEMBERS = 16  # members of the archive (and of the encrypted payload)
MAX_MEMBER = 1 << 30  # one member, unpacked
MAX_UNPACKED = 1 << 30  # all members together, unpacked
MAX_RATIO = 200  # unpacked / packed size of a member larger than 1 MB (JSON tables pack ~10:1)
# scrypt: at most 2**16 x 8 x 128 bytes = 64 MB of memory and well under a second per try.
MAX_SCRYPT_MEMORY = 2 ** 16 * 8 * 128
MAX_SCRYPT_P = 2


class PackageError(BadFile):
    """A package that cannot be used: damaged, forged, stale, encrypted without the passphrase ...
    (exit code 2, one clear reason)."""


@dataclass
class Package:
    """A verified package: its manifest and its tables (lists of dicts keyed by column)."""

    path: Path | None
    sha256: str
    manifest: dict[str, Any]
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict, repr=False)  # evidence: "<sha256><suffix>" -> bytes
    registered_name: str | None = None  # the name this database registered for the signer, once trusted

    @property
    def office_uuid(self) -> str:
        return self.manifest["office"]["uuid"]

    @property
    def office_name(self) -> str:
        """The registered name of the signer once it is trusted (a package's own label is the
        sender's to choose), else the name the manifest gives."""
        return self.registered_name or self.manifest["office"].get("name") or self.office_uuid

    @property
    def sequence(self) -> int:
        return int(self.manifest["sequence"])

    @property
    def public_key(self) -> str:
        return self.manifest["public_key"]

    def rows(self, table: str) -> list[list[Any]]:
        t = self.tables.get(table, {})
        if t.get("spool") is not None:  # not kept in memory (see STREAM_AT): read back, whole
            return [row for batch in t["spool"] for row in batch]
        return t.get("rows") or []

    def batches(self, table: str, size: int) -> Iterator[list[list[Any]]]:
        """The table's rows, ``size`` at a time: from memory, or for a large table (``STREAM_AT``)
        from the disk where reading the package set them aside as they were checked: a million rows
        are parsed from the package once, however often they are planned and written."""
        t = self.tables.get(table, {})
        if t.get("spool") is not None:
            yield from t["spool"].batches(size)
            return
        rows = t.get("rows") or []
        for start in range(0, len(rows), size):
            yield rows[start:start + size]

    def uuids(self, table: str) -> set[Any]:
        """The global ids (first column) of the table's rows."""
        t = self.tables.get(table, {})
        if "uuids" in t:
            return t["uuids"]
        return {r[0] for r in self.rows(table) if isinstance(r[0], str)}

    def streamed(self, table: str) -> bool:
        """True when the table's rows are not kept in memory but read back from disk each time."""
        return self.tables.get(table, {}).get("spool") is not None

    def check_unchanged(self) -> None:
        """Refuse to go on with a package whose file is no longer the one checked: a large table is
        written from what was set aside when it was checked, and an officer who pulled the stick or
        replaced the file meanwhile is told so rather than given what the file no longer holds (the
        file hashed again: a fraction of a second for a million records). Raises PackageError."""
        if self.path is None or not any(t.get("spool") is not None for t in self.tables.values()):
            return
        again = _("{file} changed or could not be read again since it was checked; check the package and import "
                  "it again").format(file=self.path)
        try:
            with open(self.path, "rb") as fh:
                same = _sealed_digest(fh, self.path) == self.sha256
        except (OSError, PackageError):
            same = False
        if not same:
            raise PackageError(again)

    def close(self) -> None:
        """Remove what was set aside on disk (the package is not read again)."""
        for t in self.tables.values():
            if t.get("spool") is not None:
                t["spool"].close()

    def columns(self, table: str) -> list[str]:
        return self.tables.get(table, {}).get("columns", [])


def fingerprint(public_key_pem: str) -> str:
    """A short, readable fingerprint of an Ed25519 public key, to compare over the telephone."""
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_public_key(public_key_pem.encode())
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()[:20].upper()
    return " ".join(digest[i:i + 4] for i in range(0, 20, 4))


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _aad(office_uuid: str, sequence: int) -> bytes:
    return f"{FORMAT}/{FORMAT_VERSION}/{office_uuid}/{sequence}".encode()


def _table_bytes(columns: tuple[str, ...] | list[str], rows: list[list[Any]]) -> bytes:
    return json.dumps({"columns": list(columns), "rows": rows}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _digests(members: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    return {n: {"sha256": hashlib.sha256(b).hexdigest(), "size": len(b)} for n, b in members.items()}


@overload
def build(manifest: dict[str, Any], tables: dict[str, Any], signing_key_pem: str, passphrase: str | None = None,
          files: dict[str, bytes] | None = None, out: None = None) -> bytes: ...


@overload
def build(manifest: dict[str, Any], tables: dict[str, Any], signing_key_pem: str, passphrase: str | None = None,
          files: dict[str, bytes] | None = None, *, out: IO[bytes]) -> dict[str, Any]: ...


def build(manifest: dict[str, Any], tables: dict[str, Any],
          signing_key_pem: str, passphrase: str | None = None, files: dict[str, bytes] | None = None,
          out: IO[bytes] | None = None) -> bytes | dict[str, Any]:
    """The bytes of a package. ``manifest`` holds the descriptive fields (office, public_key,
    sequence, period, versions); members, counts, encryption and format are filled in here.
    ``files`` are evidence files by "<sha256><suffix>", packed into one member (``EVIDENCE``).
    With ``out`` (a file open for writing and reading) the package is written there streamed
    (``build_into``, tables may be ``Rows``) and its manifest returned."""
    if out is not None:
        return build_into(out, manifest, tables, signing_key_pem, passphrase, files)
    from cryptography.hazmat.primitives import serialization

    data = {f"data/{t}.json": _table_bytes(*tables[t]) for t in TABLES if t in tables}
    if files:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:  # scans and PDFs do not compress
            for name in sorted(files):
                zf.writestr(name, files[name])
        data[EVIDENCE] = buf.getvalue()
    manifest = dict(manifest, format=FORMAT, format_version=FORMAT_VERSION,
                    counts={t: len(tables[t][1]) for t in TABLES if t in tables})
    if passphrase:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        salt, nonce = os.urandom(16), os.urandom(12)
        key = _derive(passphrase, salt, **SCRYPT)
        sealed = AESGCM(key).encrypt(nonce, _zip(data), _aad(manifest["office"]["uuid"], manifest["sequence"]))
        manifest["encryption"] = {"cipher": "AES-256-GCM", "kdf": "scrypt", **SCRYPT,
                                  "salt": base64.b64encode(salt).decode(),
                                  "nonce": base64.b64encode(nonce).decode()}
        manifest["inner_members"] = _digests(data)
        members = {PAYLOAD: sealed}
    else:
        manifest["encryption"] = None
        members = data
    manifest["members"] = _digests(members)
    mbytes = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    key = serialization.load_pem_private_key(signing_key_pem.encode(), password=None)
    sig = base64.b64encode(key.sign(mbytes))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.comment = b"0" * _SEAL_LEN  # the length is fixed now; the seal replaces it below
        zf.writestr(MANIFEST, mbytes)
        zf.writestr(SIGNATURE, sig)
        for name, b in members.items():
            # the sealed payload does not compress: store it
            zf.writestr(name, b, compress_type=zipfile.ZIP_STORED if name == PAYLOAD else zipfile.ZIP_DEFLATED)
    raw = buf.getvalue()[:-_SEAL_LEN]
    return raw + _seal(raw)


class Rows:
    """A table's rows read in batches while the package is written (``build_into``): ``batches`` is
    called once and yields lists of package rows, so the exporter holds one batch, not the table."""

    def __init__(self, columns: tuple[str, ...] | list[str], batches: Callable[[], Iterator[list[list[Any]]]]) -> None:
        self.columns = tuple(columns)
        self.batches = batches


_ROW_ENC = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
CHUNK = 1 << 20  # bytes read or hashed at a time
STREAMED = frozenset({"achievements", "awards"})  # the tables that grow to millions of rows
STREAM_AT = 200_000  # rows of such a table above which a package keeps none of them in memory (``Spool``)
SPOOL_BATCH = 20_000  # rows set aside on disk at a time


class Spool:
    """Rows set aside on disk a batch at a time and read back in the same order: a table of a million
    rows checked once and then read as often as planning and writing need, without parsing its JSON
    again or holding it in memory. A private temporary file (removed when closed, or by the system
    should the program stop), each batch one ``marshal`` record: what this program wrote itself, in
    this same run, and nothing else reads it."""

    def __init__(self) -> None:
        self._fh: IO[bytes] | None = None
        self._spans: list[tuple[int, int]] = []  # (offset, length) of each batch
        self._end = 0
        self.count = 0

    def add(self, rows: list[Any]) -> None:
        if not rows:
            return
        if self._fh is None:
            import tempfile

            self._fh = tempfile.TemporaryFile(prefix="stdaward-")  # noqa: SIM115 - closed by close()
        data = marshal.dumps(rows)  # strings shared between rows (package._sharing) are written once
        self._fh.seek(self._end)
        self._fh.write(data)
        self._spans.append((self._end, len(data)))
        self._end += len(data)
        self.count += len(rows)

    def __iter__(self) -> Iterator[list[Any]]:
        """The batches in the order added (each a new list: the caller may change its rows)."""
        for offset, length in self._spans:
            assert self._fh is not None
            self._fh.seek(offset)
            data = self._fh.read(length)
            if len(data) != length:
                raise OSError(f"the temporary file lost {length - len(data)} bytes")
            yield marshal.loads(data)

    def batches(self, size: int) -> Iterator[list[Any]]:
        """The rows again, ``size`` at a time."""
        out: list[Any] = []
        for batch in self:
            if not out and len(batch) == size:
                yield batch
                continue
            out.extend(batch)
            k = 0
            while len(out) - k >= size:
                yield out[k:k + size]
                k += size
            del out[:k]
        if out:
            yield out

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        self._spans, self._end, self.count = [], 0, 0

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


class _Hashing:
    """A writable member that hashes and counts what goes through it."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh, self.sha, self.size = fh, hashlib.sha256(), 0

    def write(self, b: bytes) -> None:
        self.fh.write(b)
        self.sha.update(b)
        self.size += len(b)

    def digest(self) -> dict[str, Any]:
        return {"sha256": self.sha.hexdigest(), "size": self.size}


def _write_table(out: _Hashing, table: Rows | tuple[tuple[str, ...], list[list[Any]]]) -> int:
    """One table member, byte for byte what ``_table_bytes`` makes of the same rows; the row count."""
    columns, batches = ((table.columns, table.batches()) if isinstance(table, Rows)
                        else (table[0], iter([table[1]])))
    out.write(('{"columns":' + _ROW_ENC(list(columns)) + ',"rows":[').encode("utf-8"))
    n = 0
    for batch in batches:
        if not batch:
            continue
        out.write((b"," if n else b"") + _ROW_ENC(batch)[1:-1].encode("utf-8"))
        n += len(batch)
    out.write(b"]}")
    return n


def _write_members(zf: zipfile.ZipFile, tables: dict[str, Any], files: dict[str, bytes] | None,
                   counts: dict[str, int]) -> dict[str, dict[str, Any]]:
    digests: dict[str, dict[str, Any]] = {}
    for t in TABLES:
        if t in tables:
            name = f"data/{t}.json"
            with zf.open(name, "w") as fh:
                out = _Hashing(fh)
                counts[t] = _write_table(out, tables[t])
            digests[name] = out.digest()
    if files:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as ev:
            for name in sorted(files):
                ev.writestr(name, files[name])
        data = buf.getvalue()
        zf.writestr(EVIDENCE, data)
        digests[EVIDENCE] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    return digests


def build_into(fh: IO[bytes], manifest: dict[str, Any], tables: dict[str, Any], signing_key_pem: str,
               passphrase: str | None = None, files: dict[str, bytes] | None = None) -> dict[str, Any]:
    """Write a package into ``fh`` (a new file open for reading and writing) streamed: each table
    (a ``Rows``, or ``(columns, rows)``) goes into the archive a batch at a time, hashed as it
    goes; the signed manifest follows the members it names, and the seal is written last. What it
    reads back is what ``build`` makes of the same rows (the members come before the manifest in
    the archive, which readers look up by name). An encrypted package's payload is packed in an
    anonymous temporary file first and encrypted from there in chunks. Returns the manifest."""
    import tempfile
    import time

    from cryptography.hazmat.primitives import serialization

    counts: dict[str, int] = {}
    members: dict[str, dict[str, Any]]
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.comment = b"0" * _SEAL_LEN  # the length is fixed now; the seal replaces it below
        if passphrase:
            from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

            with tempfile.TemporaryFile() as plain:
                with zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as inner:
                    inner_members = _write_members(inner, tables, files, counts)
                salt, nonce = os.urandom(16), os.urandom(12)
                enc = Cipher(algorithms.AES(_derive(passphrase, salt, **SCRYPT)), modes.GCM(nonce)).encryptor()
                enc.authenticate_additional_data(_aad(manifest["office"]["uuid"], manifest["sequence"]))
                plain.seek(0)
                info = zipfile.ZipInfo(PAYLOAD, date_time=time.localtime(time.time())[:6])
                info.compress_type, info.external_attr = zipfile.ZIP_STORED, 0o600 << 16  # as writestr: stored
                with zf.open(info, "w") as member:
                    out = _Hashing(member)
                    while chunk := plain.read(CHUNK):
                        out.write(enc.update(chunk))
                    out.write(enc.finalize() + enc.tag)  # what AESGCM.encrypt appends
            manifest = dict(manifest, encryption={"cipher": "AES-256-GCM", "kdf": "scrypt", **SCRYPT,
                                                  "salt": base64.b64encode(salt).decode(),
                                                  "nonce": base64.b64encode(nonce).decode()},
                            inner_members=inner_members)
            members = {PAYLOAD: out.digest()}
        else:
            members = _write_members(zf, tables, files, counts)
            manifest = dict(manifest, encryption=None)
        manifest = dict(manifest, format=FORMAT, format_version=FORMAT_VERSION,
                        counts={t: counts[t] for t in TABLES if t in counts}, members=members)
        mbytes = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
        key = serialization.load_pem_private_key(signing_key_pem.encode(), password=None)
        zf.writestr(MANIFEST, mbytes)
        zf.writestr(SIGNATURE, base64.b64encode(key.sign(mbytes)))
    end = fh.seek(0, os.SEEK_END)
    fh.seek(0)
    sha, left = hashlib.sha256(), end - _SEAL_LEN
    while left > 0:
        chunk = fh.read(min(CHUNK, left))
        sha.update(chunk)
        left -= len(chunk)
    fh.seek(end - _SEAL_LEN)
    fh.write(SEAL_PREFIX + sha.hexdigest().encode())
    fh.flush()
    return manifest


def _seal(body: bytes) -> bytes:
    return SEAL_PREFIX + hashlib.sha256(body).hexdigest().encode()


def refuse_temporary(path: Path | bytes | Package) -> None:
    """A package's temporary name (``.name.stdpkg.part``) is never a package to import, even when
    complete: its number may not have been recorded by the office that wrote it."""
    if isinstance(path, Path) and path.name.endswith(".part"):
        raise PackageError(_("{file} is the temporary file of an export that did not finish; export again "
                             "and use the finished package").format(file=path))


def _check_sizes(zf: zipfile.ZipFile, declared: Any = None) -> None:
    """Refuse an archive whose members would cost too much to unpack, before unpacking any: too
    many members, too large, packed too tightly (a "zip bomb"), or another size than the signed
    manifest declares. zipfile never inflates a member past the size its header gives."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise PackageError(_("the package holds {n} members, more than a StdAward package has: it is refused").format(
            n=len(infos)))
    total = 0
    for info in infos:
        total += info.file_size
        packed_tight = info.file_size > (1 << 20) and info.file_size > MAX_RATIO * max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER or total > MAX_UNPACKED or packed_tight:
            raise PackageError(_("the package member {member} would unpack to {size} MB, more than this program "
                                 "accepts: it is refused").format(member=info.filename, size=info.file_size >> 20))
        if isinstance(declared, dict) and info.filename in declared:
            want = declared[info.filename]
            if not isinstance(want, dict) or want.get("size") != info.file_size:
                raise PackageError(_("the package member {member} does not match its checksum: the file was damaged "
                                     "or edited").format(member=info.filename))


def _member(zf: zipfile.ZipFile, name: str, limit: int | None = None) -> bytes:
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise PackageError(_("the package has no {member}: it is incomplete or not a StdAward package").format(member=name)) from None
    if info.file_size > (limit if limit is not None else MAX_MEMBER):
        raise PackageError(_("the package member {member} is implausibly large").format(member=name))
    try:
        return zf.read(info)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error, RuntimeError, NotImplementedError) as exc:
        raise PackageError(_("the package is damaged ({member}: {reason})").format(member=name, reason=exc)) from None


_CHECK_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("stdaward_package_check_only", default=False)


def bulk() -> contextlib.AbstractContextManager[None]:
    """Python's cycle collector paused while a package's rows are parsed, planned or written: each row
    is a list of plain values that never forms a cycle, and a million of them passing through would
    otherwise set off full collections over everything the program holds (``core.collector``: on
    again after the last pause of any thread)."""
    from desktop.core.collector import paused

    return paused(freeze=False)


@contextlib.contextmanager
def check_only() -> Iterator[None]:
    """``read_package`` inside this block checks every row but keeps none (``keep_rows=False``):
    an export reading back what it wrote, at any size, in little memory."""
    token = _CHECK_ONLY.set(True)
    try:
        yield
    finally:
        _CHECK_ONLY.reset(token)


def read_package(source: Path | bytes, passphrase: str | None = None,
                 progress: Callable[[str, int, int], None] | None = None,
                 manifest_only: bool = False, signer: Callable[[Package], object] | None = None,
                 keep_rows: bool | None = None) -> Package:
    """Read and check a package completely (see the module docstring). Raises PackageError.
    ``manifest_only`` stops once the signed manifest is checked (no passphrase needed).
    ``signer(pkg)`` decides whether the signer is trusted (raising PackageError if not) as soon as
    the manifest's signature is checked: before any table is unpacked or any key derived, so a
    package from a stranger costs nothing to refuse. The file is read streamed (the seal hashed a
    chunk at a time, each table parsed a row at a time as it is unpacked and hashed), so what it
    holds is the rows, not the file as well; ``keep_rows=False`` (or inside ``check_only()``)
    checks every row (shape, count) without keeping any (an export reading its own package back)."""
    path = None
    fh: IO[bytes]
    if isinstance(source, (bytes, bytearray)):
        fh = io.BytesIO(bytes(source))
    else:
        path = Path(source)
        try:
            if path.stat().st_size > MAX_FILE:
                raise PackageError(_("{file} is larger than any StdAward package ({size} MB): it is refused").format(
                    file=path, size=path.stat().st_size >> 20))
            fh = open(path, "rb")  # noqa: SIM115 - closed below, whatever happens
        except FileNotFoundError:
            raise PackageError(_("cannot read {file}: no such file").format(file=path)) from None
        except OSError as exc:
            raise PackageError(_("cannot read {file}: {reason}").format(file=path, reason=exc.strerror or exc)) from None
    with fh, bulk():
        keep = not _CHECK_ONLY.get() if keep_rows is None else keep_rows
        return _read(fh, path, passphrase, progress, manifest_only, signer, keep)


def _sealed_digest(fh: IO[bytes], path: Path | None) -> str:
    """Check the seal over every byte before it, reading a chunk at a time; the file's SHA-256."""
    try:
        end = fh.seek(0, os.SEEK_END)
        fh.seek(0)
        body, left = hashlib.sha256(), end - _SEAL_LEN
        while left > 0:
            chunk = fh.read(min(CHUNK, left))
            if not chunk:
                break
            body.update(chunk)
            left -= len(chunk)
        tail = fh.read()
    except OSError as exc:
        raise PackageError(_("cannot read {file}: {reason}").format(file=path, reason=exc.strerror or exc)) from None
    whole = body.copy()
    whole.update(tail)
    if end < _SEAL_LEN or tail != SEAL_PREFIX + body.hexdigest().encode():
        if tail.startswith(SEAL_PREFIX):
            raise PackageError(_("the package file is damaged: its checksum does not match (was it copied "
                                 "incompletely or edited?)"))
        raise PackageError(_("this is not a complete StdAward package (it may have been cut short when the USB "
                             "stick was removed)"))
    return whole.hexdigest()


def _read(fh: IO[bytes], path: Path | None, passphrase: str | None, progress: Callable[[str, int, int], None] | None,
          manifest_only: bool, signer: Callable[[Package], object] | None, keep_rows: bool) -> Package:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from desktop.store.migrations import SCHEMA_VERSION

    if progress:
        progress("verify", 0, 4)
    sha256 = _sealed_digest(fh, path)
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise PackageError(_("this is not a complete StdAward package (it may have been cut short when the "
                             "USB stick was removed): {reason}").format(reason=exc)) from None
    with zf:
        names = zf.namelist()
        if len(names) != len(set(names)):
            raise PackageError(_("the package lists a member twice: it was edited"))
        _check_sizes(zf)
        mbytes = _member(zf, MANIFEST, MAX_MANIFEST)
        sig = _member(zf, SIGNATURE, 1024)
        try:
            manifest = json.loads(mbytes.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise PackageError(_("the package manifest is not readable JSON: the file was damaged")) from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise PackageError(_("this file is not a StdAward exchange package"))
        fv = manifest.get("format_version")
        if not isinstance(fv, int) or fv > FORMAT_VERSION:
            raise PackageError(_("this package was made by a newer StdAward (package format {found}, this program "
                                 "reads {known}); update the program").format(found=fv, known=FORMAT_VERSION))
        sv = manifest.get("schema_version")
        if not isinstance(sv, int) or sv > SCHEMA_VERSION:
            raise PackageError(_("this package was made by a newer StdAward (database schema {found}, this program "
                                 "knows {known}); update the program").format(found=sv, known=SCHEMA_VERSION))
        try:
            office = manifest["office"]
            assert isinstance(office["uuid"], str) and isinstance(manifest["sequence"], int)
            public = serialization.load_pem_public_key(manifest["public_key"].encode())
            assert isinstance(public, Ed25519PublicKey)
        except (KeyError, TypeError, ValueError, AssertionError, AttributeError):
            raise PackageError(_("the package manifest lacks the office, its sequence number or its key")) from None
        try:
            public.verify(base64.b64decode(sig, validate=True), mbytes)
        except (InvalidSignature, ValueError):
            raise PackageError(_("the package signature is not valid: it was altered after export, or not "
                                 "signed by the office it names")) from None
        if progress:
            progress("verify", 1, 4)
        pkg = Package(path=path, sha256=sha256, manifest=manifest)
        if signer is not None:
            signer(pkg)
        if manifest_only:
            return pkg
        _check_sizes(zf, manifest.get("members"))
        found = [n for n in names if n not in (MANIFEST, SIGNATURE)]
        declared = manifest.get("members")
        if not isinstance(declared, dict) or set(declared) != set(found):
            raise PackageError(_("the package's {where} does not list exactly its members").format(where="manifest"))
        if progress:
            progress("verify", 2, 4)
        enc = manifest.get("encryption")
        if enc:
            if set(found) != {PAYLOAD}:
                raise PackageError(_("the encrypted package lacks its payload"))
            import tempfile

            with tempfile.TemporaryFile() as sealed, tempfile.TemporaryFile() as plain:
                _copy_checked(zf, PAYLOAD, declared[PAYLOAD], sealed)
                _decrypt_file(sealed, plain, enc, manifest, passphrase)
                if progress:
                    progress("verify", 3, 4)
                try:
                    inner = zipfile.ZipFile(plain)
                    _check_sizes(inner, manifest.get("inner_members"))
                    inner_names = inner.namelist()
                except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                    raise PackageError(_("the decrypted payload is damaged: {reason}").format(reason=exc)) from None
                with inner:
                    want = manifest.get("inner_members")
                    if not isinstance(want, dict) or set(want) != set(inner_names):
                        raise PackageError(_("the package's {where} does not list exactly its members").format(
                            where="inner manifest"))
                    for name in inner_names:
                        _read_member(pkg, inner, name, want[name], keep_rows)
        else:
            if progress:
                progress("verify", 3, 4)
            for name in found:
                _read_member(pkg, zf, name, declared[name], keep_rows)
    if progress:
        progress("verify", 4, 4)
    return pkg


class _NotCanonical(Exception):
    """A table member not laid out as this program writes it: read whole instead."""


class _Member:
    """A member being unpacked: read in chunks, hashed and counted as it goes."""

    def __init__(self, zf: zipfile.ZipFile, name: str) -> None:
        self.name, self.sha, self.size = name, hashlib.sha256(), 0
        try:
            self.fh = zf.open(name)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error, RuntimeError, NotImplementedError) as exc:
            raise PackageError(_("the package is damaged ({member}: {reason})").format(member=name, reason=exc)) from None

    def read(self, n: int = CHUNK) -> bytes:
        try:
            b = self.fh.read(n)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error, RuntimeError) as exc:
            raise PackageError(_("the package is damaged ({member}: {reason})").format(
                member=self.name, reason=exc)) from None
        self.sha.update(b)
        self.size += len(b)
        if self.size > MAX_MEMBER:
            raise PackageError(_("the package member {member} is implausibly large").format(member=self.name))
        return b

    def drain(self) -> None:
        while self.read():
            pass

    def check(self, want: Any) -> None:
        self.drain()
        self.fh.close()
        if not isinstance(want, dict) or self.sha.hexdigest() != want.get("sha256") or self.size != want.get("size"):
            raise PackageError(_("the package member {member} does not match its checksum: the file was damaged or "
                                 "edited").format(member=self.name))


def _copy_checked(zf: zipfile.ZipFile, name: str, want: Any, out: IO[bytes]) -> None:
    m = _Member(zf, name)
    while chunk := m.read():
        out.write(chunk)
    m.check(want)


def _read_member(pkg: Package, zf: zipfile.ZipFile, name: str, want: Any, keep_rows: bool) -> None:
    """One member: the evidence files, or a table parsed row by row as it is unpacked; checked
    against the signed digest before anything of it is kept. A large table (more than ``STREAM_AT``
    rows) keeps only its rows' global ids in memory: its rows are set aside on disk as they are
    parsed (``Spool``) and read back from there when asked for."""
    if name == EVIDENCE:
        m = _Member(zf, name)
        body = b"".join(iter(m.read, b""))
        m.check(want)
        pkg.files = _evidence_files(body)
        return
    table = name[len("data/"):-len(".json")] if name.startswith("data/") and name.endswith(".json") else None
    if table not in TABLES:
        raise PackageError(_("the package holds an unknown member {member}").format(member=name))
    m = _Member(zf, name)
    uuids: set[Any] | None = None
    spool: Spool | None = None
    if keep_rows and table in STREAMED and int(pkg.manifest.get("counts", {}).get(table) or 0) > STREAM_AT:
        uuids, spool, keep_rows = set(), Spool(), False
    try:
        try:
            columns, rows, count = _parse_rows(m, keep_rows, uuids, spool)
        except _NotCanonical:
            m.check(want)  # the digest first; then the member read whole, as JSON of any layout
            m = _Member(zf, name)
            t = json.loads(b"".join(iter(m.read, b"")).decode("utf-8"))
            assert isinstance(t, dict) and isinstance(t["columns"], list) and isinstance(t["rows"], list)
            assert all(isinstance(r, list) and len(r) == len(t["columns"]) for r in t["rows"])
            columns, rows, count, uuids = t["columns"], (t["rows"] if keep_rows or spool is not None else []), \
                len(t["rows"]), None  # (another layout is read whole: its rows kept in memory)
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, AssertionError, RecursionError, TypeError):
        m.check(want)  # damage is said as damage, not as a malformed table
        raise PackageError(_("the package table {table} is malformed").format(table=table)) from None
    m.check(want)
    manifest = pkg.manifest
    if table == "publicity":
        from desktop.exchange.hearings import LEGACY_COLUMNS

        if columns == list(LEGACY_COLUMNS):  # written before 公示 were passed upward: the sender's own
            columns, rows = [*LEGACY_COLUMNS, "origin"], [[*r, None] for r in rows]
    if columns != list(_expected_columns(table)):
        raise PackageError(_("the package table {table} has other columns than this program reads (format {v})").format(
            table=table, v=manifest.get("format_version")))
    if manifest.get("counts", {}).get(table) != count:
        raise PackageError(_("the package table {table} does not hold the number of records its manifest "
                             "says").format(table=table))
    pkg.tables[table] = ({"columns": columns, "rows": rows} if uuids is None else
                         {"columns": columns, "rows": None, "spool": spool, "count": count, "uuids": uuids})


_DECODE = json.JSONDecoder().raw_decode
_HEAD = '{"columns":'
_ROWS = ',"rows":['


# Columns whose values repeat from row to row (an achievement's enterprise, kind, level, dates; an
# award's round, status, rule and explanation): parsed rows share one string per distinct value
# instead of a copy per row (about half the memory of a million achievements' rows).
SHARED = frozenset({"enterprise", "kind", "date", "level", "action", "body", "prize", "grade", "domain", "origin",
                    "created_at", "updated_at", "region_code", "round", "status", "rule", "clause", "fund",
                    "explanation", "decision", "policy_id", "policy_hash"})
SHARED_MAX = 1 << 16  # distinct values remembered per column; past that a column is left as parsed


def _sharing(columns: list[Any]) -> Callable[[list[Any]], None]:
    memos = [(i, {}) for i, c in enumerate(columns) if c in SHARED]

    def share(row: list[Any]) -> None:
        for i, memo in memos:
            v = row[i]
            if v.__class__ is str and len(memo) < SHARED_MAX:
                row[i] = memo.setdefault(v, v)
    return share


def _parse_rows(m: _Member, keep: bool, uuids: set[Any] | None = None,
                spool: Spool | None = None) -> tuple[list[Any], list[list[Any]], int]:
    """A table member as this program writes it (``_table_bytes``), parsed a row at a time from
    the unpacked stream: (columns, rows (empty unless ``keep``), row count); with ``uuids`` and
    ``spool``, each row's first value into ``uuids`` and the rows onto ``spool`` a batch at a time
    instead of into memory. Raises _NotCanonical for another layout, json.JSONDecodeError /
    AssertionError for a malformed one."""
    it = _row_stream(m)
    columns = next(it)
    rows: list[list[Any]] = []
    n = 0
    share = _sharing(columns)
    for row in it:
        n += 1
        if keep:
            share(row)
            rows.append(row)
        elif uuids is not None:
            if row[0].__class__ is str:
                uuids.add(row[0])
            if spool is not None:
                share(row)
                rows.append(row)
                if len(rows) >= SPOOL_BATCH:
                    spool.add(rows)
                    rows = []
    if spool is not None:
        spool.add(rows)
        rows = []
    return columns, rows, n


def _row_stream(m: _Member) -> Iterator[Any]:
    """The columns, then each row, of a table member parsed as it is unpacked (see ``_parse_rows``)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    buf, pos, eof = "", 0, False

    def more() -> None:
        nonlocal buf, pos, eof
        b = m.read()
        eof = not b
        buf = buf[pos:] + decoder.decode(b, final=eof)
        pos = 0

    def value() -> Any:
        nonlocal pos
        while True:
            try:
                obj, end = _DECODE(buf, pos)
            except json.JSONDecodeError:
                if eof:
                    raise
                more()
                continue
            if end == len(buf) and not eof and not isinstance(obj, list):
                more()  # a scalar may go on in the next chunk
                continue
            pos = end
            return obj

    def expect(text: str) -> None:
        nonlocal pos
        while len(buf) - pos < len(text) and not eof:
            more()
        if not buf.startswith(text, pos):
            raise _NotCanonical
        pos += len(text)

    more()
    expect(_HEAD)
    columns = value()
    assert isinstance(columns, list)
    expect(_ROWS)
    yield columns
    width = len(columns)
    while len(buf) - pos < 1 and not eof:
        more()
    if buf.startswith("]", pos):
        pos += 1
    else:
        while True:
            row = value()
            assert isinstance(row, list) and len(row) == width
            yield row
            while len(buf) - pos < 1 and not eof:
                more()
            if buf.startswith(",", pos):
                pos += 1
            elif buf.startswith("]", pos):
                pos += 1
                break
            else:
                raise _NotCanonical
    expect("}")
    while not eof:
        more()
    if buf[pos:].strip():
        raise _NotCanonical


def _evidence_files(member: bytes) -> dict[str, bytes]:
    """The evidence files of a package (its member is already checked against the signed manifest);
    each file is checked again against the SHA-256 it is named by."""
    try:
        with zipfile.ZipFile(io.BytesIO(member)) as zf:
            infos = zf.infolist()
            total = 0
            for info in infos:
                total += info.file_size
                # the program stores evidence uncompressed: a file that inflates far beyond its packed
                # size is a bomb, and the files together may not pass what one package may carry
                inflates = info.file_size > (1 << 20) and info.file_size > MAX_RATIO * max(info.compress_size, 1)
                if (not _EVIDENCE_NAME.match(info.filename) or info.file_size > EVIDENCE_MAX_FILE
                        or total > EVIDENCE_CAP or inflates):
                    raise PackageError(_("the package's evidence file {member} is not one this program accepts").format(
                        member=info.filename))
            files = {i.filename: zf.read(i) for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as exc:
        raise PackageError(_("the package's evidence files are damaged: {reason}").format(reason=exc)) from None
    for name, body in files.items():
        if hashlib.sha256(body).hexdigest() != name[:64]:
            raise PackageError(_("the package's evidence file {member} does not match its checksum").format(member=name))
    return files


def _expected_columns(table: str) -> tuple[str, ...]:
    from desktop.exchange.tables import (
        BY_NAME,
        EVIDENCE_COLUMNS,
        PAYMENT_COLUMNS,
        SUMMARY_COLUMNS,
        TOMBSTONE_COLUMNS,
    )

    if table == "payments":
        return PAYMENT_COLUMNS
    if table == "tombstones":
        return TOMBSTONE_COLUMNS
    if table == "evidence":
        return EVIDENCE_COLUMNS
    if table == "publicity":
        from desktop.exchange.hearings import COLUMNS

        return COLUMNS
    if table in ("decisions", "remarks"):
        from desktop.exchange.reply import DECISION_COLUMNS, REMARK_COLUMNS

        return DECISION_COLUMNS if table == "decisions" else REMARK_COLUMNS
    return SUMMARY_COLUMNS if table == "summaries" else BY_NAME[table].columns


def _decrypt_file(sealed: IO[bytes], plain: IO[bytes], enc: dict[str, Any], manifest: dict[str, Any],
                  passphrase: str | None) -> None:
    """Decrypt the payload (AES-256-GCM, ciphertext then its 16-byte tag, as ``AESGCM.encrypt``
    makes it) from one temporary file into another a chunk at a time; nothing of it is used unless
    the tag checks at the end."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if not passphrase:
        raise PackageError(_("this package is encrypted: give its passphrase (--passphrase-file)"))
    try:
        salt, nonce = base64.b64decode(enc["salt"]), base64.b64decode(enc["nonce"])
        n, r, p = int(enc["n"]), int(enc["r"]), int(enc["p"])
        if (enc.get("cipher") != "AES-256-GCM" or enc.get("kdf") != "scrypt" or n < 2 or n & (n - 1)
                or not 1 <= r <= 32 or not 1 <= p <= MAX_SCRYPT_P or 128 * n * r > MAX_SCRYPT_MEMORY
                or not 8 <= len(nonce) <= 128):
            raise ValueError
        key = _derive(passphrase, salt, n, r, p)
        size = sealed.seek(0, os.SEEK_END)
        if size < 16:
            raise InvalidTag
        sealed.seek(size - 16)
        tag = sealed.read(16)
        sealed.seek(0)
        dec = Cipher(algorithms.AES(key), modes.GCM(nonce, tag)).decryptor()
        dec.authenticate_additional_data(_aad(manifest["office"]["uuid"], manifest["sequence"]))
        left = size - 16
        while left > 0:
            chunk = sealed.read(min(CHUNK, left))
            left -= len(chunk)
            plain.write(dec.update(chunk))
        plain.write(dec.finalize())
        plain.flush()
        plain.seek(0)
    except InvalidTag:
        raise PackageError(_("wrong passphrase: the package could not be decrypted with it")) from None
    except (KeyError, TypeError, ValueError):
        raise PackageError(_("the package's encryption parameters are not ones this program uses")) from None


def write_verified(path: Path, data: bytes, check: Callable[[Path], object],
                   record: Callable[[], object] | None = None) -> Path:
    """Write to a temporary name beside ``path``, flush and fsync, read it back through ``check``,
    run ``record`` (the database commit of the package's number), then rename it to ``path``. A
    failure (or a stick pulled) leaves no file under the final name, and a package under its final
    name always has its number recorded. A file under that name is never replaced (the caller took
    a free name, ``atomic.free_name``; one that appeared meanwhile: FileExistsError)."""
    from desktop.store.atomic import write_atomic

    return write_atomic(Path(path), data, check=check, record=record, step="export", keep_existing=True)
