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
import hashlib
import io
import json
import os
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
        return self.tables.get(table, {}).get("rows", [])

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


def build(manifest: dict[str, Any], tables: dict[str, tuple[tuple[str, ...], list[list[Any]]]],
          signing_key_pem: str, passphrase: str | None = None, files: dict[str, bytes] | None = None) -> bytes:
    """The bytes of a package. ``manifest`` holds the descriptive fields (office, public_key,
    sequence, period, versions); members, counts, encryption and format are filled in here.
    ``files`` are evidence files by "<sha256><suffix>", packed into one member (``EVIDENCE``)."""
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


def _seal(body: bytes) -> bytes:
    return SEAL_PREFIX + hashlib.sha256(body).hexdigest().encode()


def _check_seal(raw: bytes) -> None:
    """Every byte of the file, zip bookkeeping included, is covered by the seal in the archive
    comment: one flipped bit anywhere is refused, not only in the members."""
    if len(raw) < _SEAL_LEN or raw[-_SEAL_LEN:] != _seal(raw[:-_SEAL_LEN]):
        if raw[-_SEAL_LEN:].startswith(SEAL_PREFIX):
            raise PackageError(_("the package file is damaged: its checksum does not match (was it copied "
                                 "incompletely or edited?)"))
        raise PackageError(_("this is not a complete StdAward package (it may have been cut short when the USB "
                             "stick was removed)"))


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


def _check_members(found: dict[str, bytes], declared: Any, where: str) -> None:
    if not isinstance(declared, dict) or set(declared) != set(found):
        raise PackageError(_("the package's {where} does not list exactly its members").format(where=where))
    for name, data in found.items():
        want = declared[name]
        if not isinstance(want, dict) or hashlib.sha256(data).hexdigest() != want.get("sha256") or len(data) != want.get("size"):
            raise PackageError(_("the package member {member} does not match its checksum: the file was damaged or edited").format(member=name))


def read_package(source: Path | bytes, passphrase: str | None = None,
                 progress: Callable[[str, int, int], None] | None = None,
                 manifest_only: bool = False, signer: Callable[[Package], object] | None = None) -> Package:
    """Read and check a package completely (see the module docstring). Raises PackageError.
    ``manifest_only`` stops once the signed manifest is checked (no passphrase needed).
    ``signer(pkg)`` decides whether the signer is trusted (raising PackageError if not) as soon as
    the manifest's signature is checked: before any table is unpacked or any key derived, so a
    package from a stranger costs nothing to refuse."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from desktop.store.migrations import SCHEMA_VERSION

    path = None
    if isinstance(source, (bytes, bytearray)):
        raw = bytes(source)
    else:
        path = Path(source)
        try:
            if path.stat().st_size > MAX_FILE:
                raise PackageError(_("{file} is larger than any StdAward package ({size} MB): it is refused").format(
                    file=path, size=path.stat().st_size >> 20))
            raw = path.read_bytes()
        except FileNotFoundError:
            raise PackageError(_("cannot read {file}: no such file").format(file=path)) from None
        except OSError as exc:
            raise PackageError(_("cannot read {file}: {reason}").format(file=path, reason=exc.strerror or exc)) from None
    if progress:
        progress("verify", 0, 4)
    _check_seal(raw)
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
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
        pkg = Package(path=path, sha256=hashlib.sha256(raw).hexdigest(), manifest=manifest)
        if signer is not None:
            signer(pkg)
        if manifest_only:
            return pkg
        _check_sizes(zf, manifest.get("members"))
        found = {n: _member(zf, n) for n in names if n not in (MANIFEST, SIGNATURE)}
    _check_members(found, manifest.get("members"), "manifest")
    if progress:
        progress("verify", 2, 4)
    enc = manifest.get("encryption")
    if enc:
        data = _decrypt(found, enc, manifest, passphrase)
    else:
        data = found
    if progress:
        progress("verify", 3, 4)
    for name, b in data.items():
        if name == EVIDENCE:
            pkg.files = _evidence_files(b)
            continue
        table = name[len("data/"):-len(".json")] if name.startswith("data/") and name.endswith(".json") else None
        if table not in TABLES:
            raise PackageError(_("the package holds an unknown member {member}").format(member=name))
        try:
            t = json.loads(b.decode("utf-8"))
            assert isinstance(t, dict) and isinstance(t["columns"], list) and isinstance(t["rows"], list)
            assert all(isinstance(r, list) and len(r) == len(t["columns"]) for r in t["rows"])
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, AssertionError):
            raise PackageError(_("the package table {table} is malformed").format(table=table)) from None
        if table == "publicity":
            from desktop.exchange.hearings import LEGACY_COLUMNS

            if t["columns"] == list(LEGACY_COLUMNS):  # written before 公示 were passed upward: the sender's own
                t = {"columns": [*LEGACY_COLUMNS, "origin"], "rows": [[*r, None] for r in t["rows"]]}
        if t["columns"] != list(_expected_columns(table)):
            raise PackageError(_("the package table {table} has other columns than this program reads (format {v})").format(
                table=table, v=manifest.get("format_version")))
        if manifest.get("counts", {}).get(table) != len(t["rows"]):
            raise PackageError(_("the package table {table} does not hold the number of records its manifest "
                                 "says").format(table=table))
        pkg.tables[table] = t
    if progress:
        progress("verify", 4, 4)
    return pkg


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


def _decrypt(found: dict[str, bytes], enc: dict[str, Any], manifest: dict[str, Any],
             passphrase: str | None) -> dict[str, bytes]:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not passphrase:
        raise PackageError(_("this package is encrypted: give its passphrase (--passphrase-file)"))
    if set(found) != {PAYLOAD}:
        raise PackageError(_("the encrypted package lacks its payload"))
    try:
        salt, nonce = base64.b64decode(enc["salt"]), base64.b64decode(enc["nonce"])
        n, r, p = int(enc["n"]), int(enc["r"]), int(enc["p"])
        if (enc.get("cipher") != "AES-256-GCM" or enc.get("kdf") != "scrypt" or n < 2 or n & (n - 1)
                or not 1 <= r <= 32 or not 1 <= p <= MAX_SCRYPT_P or 128 * n * r > MAX_SCRYPT_MEMORY):
            raise ValueError
        key = _derive(passphrase, salt, n, r, p)
        plain = AESGCM(key).decrypt(nonce, found[PAYLOAD], _aad(manifest["office"]["uuid"], manifest["sequence"]))
    except InvalidTag:
        raise PackageError(_("wrong passphrase: the package could not be decrypted with it")) from None
    except (KeyError, TypeError, ValueError):
        raise PackageError(_("the package's encryption parameters are not ones this program uses")) from None
    try:
        with zipfile.ZipFile(io.BytesIO(plain)) as inner:
            _check_sizes(inner, manifest.get("inner_members"))
            data = {n: inner.read(n) for n in inner.namelist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise PackageError(_("the decrypted payload is damaged: {reason}").format(reason=exc)) from None
    _check_members(data, manifest.get("inner_members"), "inner manifest")
    return data


def write_verified(path: Path, data: bytes, check: Callable[[Path], object],
                   record: Callable[[], object] | None = None) -> Path:
    """Write to a temporary name beside ``path``, flush and fsync, read it back through ``check``,
    run ``record`` (the database commit of the package's number), then rename over ``path``. A
    failure (or a stick pulled) leaves no file under the final name, and a package under its final
    name always has its number recorded."""
    from desktop.store.atomic import write_atomic

    return write_atomic(Path(path), data, check=check, record=record, step="export")
