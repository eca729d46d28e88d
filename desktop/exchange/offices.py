"""Which offices this database trusts: each county's public key, registered by the city.

A county gives the city its *office card* (``stdaward offices --card FILE``: uuid, name, region,
public key) or reads its key fingerprint over the telephone; the city registers it
(``stdaward register-office FILE``). A package is accepted only when its signing key is the one
registered for the office it names.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from desktop.core.errors import BadFile, StdAwardError
from desktop.core.i18n import _
from desktop.exchange.package import Package, PackageError, fingerprint, read_package
from desktop.store import audit
from desktop.store.models import KnownOffice, Office, database

CARD_FORMAT = "stdaward-office-card"


class UntrustedPackage(PackageError):
    """The package is intact but this database does not trust (or cannot use) its signer."""


def own_office() -> Office | None:
    return Office.select().order_by(Office.id).first()


def signing_office() -> Office:
    """The office profile with its key pair (created now if an older set-up lacks one)."""
    from desktop.store.office import _ensure_keys, require

    office = require()
    if not office.signing_key:
        with database.atomic():
            _ensure_keys(office)
    return office


def card() -> dict[str, Any]:
    office = signing_office()
    return {"format": CARD_FORMAT, "uuid": office.uuid, "name": office.name, "region": office.region_code,
            "public_key": office.public_key, "fingerprint": fingerprint(office.public_key)}


def write_card(path: Path) -> dict[str, Any]:
    from desktop.store.atomic import write_atomic

    data = card()
    write_atomic(Path(path), json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"), step="card")
    return data


def read_card(path: Path, passphrase: str | None = None) -> dict[str, Any]:
    """An office card, or the signer named in a package (whose fingerprint must then be checked)."""
    path = Path(path)
    try:
        head = path.read_bytes()[:2]
    except OSError as exc:
        raise BadFile(_("cannot read {file}: {reason}").format(file=path, reason=exc.strerror or exc)) from None
    if head == b"PK":
        m = read_package(path, passphrase=passphrase, manifest_only=True).manifest
        return {"uuid": m["office"]["uuid"], "name": m["office"].get("name", ""),
                "region": m["office"].get("region", ""), "public_key": m["public_key"], "from_package": True}
    try:
        data = json.loads(path.read_text("utf-8-sig"))
        assert data.get("format") == CARD_FORMAT
        fingerprint(data["public_key"])
        return {k: data[k] for k in ("uuid", "name", "region", "public_key")}
    except (ValueError, AssertionError, KeyError, TypeError, AttributeError):
        raise BadFile(_("{file} is neither an office card nor an exchange package").format(file=path)) from None


def register(info: dict[str, Any], expected_fingerprint: str | None = None, replace: bool = False,
             *, user: str) -> KnownOffice:
    """Trust ``info``'s key for its office. A key taken from a package must be confirmed by its
    fingerprint (read from the county's screen), since the package could come from anyone."""
    fp = fingerprint(info["public_key"])
    if expected_fingerprint is not None and _norm(expected_fingerprint) != _norm(fp):
        # (the key's own fingerprint is not shown: typed back from this message, it would confirm nothing)
        raise StdAwardError(_("the fingerprint {given} is not this key's: do not register it; check the fingerprint "
                              "with the office by telephone, or ask it for its card again").format(
            given=expected_fingerprint))
    if info.get("from_package") and expected_fingerprint is None:
        raise StdAwardError(_("a key taken from a package must be confirmed: pass --fingerprint as shown by "
                              "\"stdaward offices\" at {name}, read to you by telephone").format(name=info.get("name")))
    current = KnownOffice.get_or_none(KnownOffice.uuid == info["uuid"])
    new_key = current is None or (replace and current.public_key.strip() != info["public_key"].strip())
    if expected_fingerprint is None and new_key:
        # A card is a file anyone could have written: a key new to this database is trusted only once
        # its fingerprint, read from the county's own screen, matches.
        raise StdAwardError(_("a new office key must be confirmed: pass --fingerprint as read from the screen of "
                              "{name} (\"stdaward offices\" there)").format(name=info.get("name")))
    own = own_office()
    if own is not None and own.uuid == info["uuid"]:
        raise StdAwardError(_("that is this office's own key"))
    with database.atomic():
        row = KnownOffice.get_or_none(KnownOffice.uuid == info["uuid"])
        if row is not None and row.public_key.strip() != info["public_key"].strip() and not replace:
            raise StdAwardError(_("{name} is already registered with another key ({fp}); pass --replace only if "
                                  "the office really made a new key").format(name=row.name, fp=fingerprint(row.public_key)))
        before = None if row is None else {"name": row.name, "region": row.region_code, "fingerprint": fingerprint(row.public_key)}
        if row is None:
            row = KnownOffice(uuid=info["uuid"])
        row.name, row.region_code, row.public_key = info["name"], info["region"], info["public_key"]
        row.save()
        audit.record(user, "register" if before is None else "update", "known_office", row.uuid,
                     before, {"name": row.name, "region": row.region_code, "fingerprint": fp})
    return row


def _norm(fp: str) -> str:
    return "".join(fp.split()).upper()


def known() -> list[dict[str, Any]]:
    return [{"uuid": k.uuid, "name": k.name, "region": k.region_code, "fingerprint": fingerprint(k.public_key),
             "last_sequence": k.last_sequence, "registered_at": k.registered_at}
            for k in KnownOffice.select().order_by(KnownOffice.region_code, KnownOffice.name)]


def names() -> dict[str, str]:
    """office uuid -> name, for reports (this office included)."""
    out = {k.uuid: k.name for k in KnownOffice.select(KnownOffice.uuid, KnownOffice.name)}
    own = own_office()
    if own is not None:
        out[own.uuid] = own.name
    return out


def signer_status(pkg: Package) -> tuple[bool, str]:
    """Whether this database accepts the package's signer, and a sentence saying why (for
    verify-package and the import dialog). The database is only read."""
    own = own_office()
    if own is not None and own.uuid == pkg.office_uuid:
        if (own.public_key or "").strip() == pkg.public_key.strip():
            return True, _("signed by this office")
        return False, _("names this office but is signed with another key")
    try:
        trust(pkg)
    except UntrustedPackage as exc:
        return False, str(exc)
    return True, _("signed by a registered office")


def trust(pkg: Package) -> KnownOffice:
    """The registered office that signed ``pkg``, or UntrustedPackage saying why not."""
    own = own_office()
    if own is not None and own.uuid == pkg.office_uuid:
        raise UntrustedPackage(_("this package was exported by this office itself; import it at the city office"))
    row = KnownOffice.get_or_none(KnownOffice.uuid == pkg.office_uuid)
    if row is None:
        raise UntrustedPackage(_("the package comes from {name}, an office not registered here; register its "
                                 "key first ({view} → {button} in the window, or stdaward register-office)").format(
            name=pkg.office_name, view=_("Exchange"),
            button=(_("Register a county's key...") if own is not None and own.role == "city"  # as the view names it
                    else _("Register the city's key...")).rstrip(".").rstrip("…")))
    if row.public_key.strip() != pkg.public_key.strip():
        # (the package's own key's fingerprint is not shown: typed back when registering it, it would confirm nothing)
        raise UntrustedPackage(_("the package names {name} but is signed with another key than the one registered "
                                 "for it ({reg}); it is refused").format(name=row.name, reg=fingerprint(row.public_key)))
    pkg.registered_name = row.name  # the package's own label is the sender's to choose: show the registered one
    return row
