"""The office profile: issuing authority, region, 发文字号 prefix, policy in force, signatory."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from typing import Any

from desktop.core.errors import Problem, StdAwardError, ValidationFailed
from desktop.core.i18n import _
from desktop.store import audit
from desktop.store.models import Office, database, now

FIELDS = ("name", "region_code", "doc_prefix", "policy_id", "signatory", "role")


def get() -> Office | None:
    return Office.select().order_by(Office.id).first()


def city_level() -> bool:
    """Whether enterprises may be registered under a whole city's region code (county part 00): the
    office is a city's (its role, or its own code a city's), or no office is set up yet."""
    office = get()
    if office is None or not office.region_code:
        return True
    return office.role == "city" or str(office.region_code).endswith("00")


def require() -> Office:
    office = get()
    if office is None or not office.name:
        raise StdAwardError(_("the office profile is not set up: run \"stdaward office --name ... --region ... "
                              "--doc-prefix ...\" or the first-run wizard"))
    return office


def as_dict(office: Office | None) -> dict[str, Any]:
    if office is None:
        return {}
    return {"uuid": office.uuid, "name": office.name, "region": office.region_code,
            "doc_prefix": office.doc_prefix, "policy": office.policy_id,
            "signatory": office.signatory, "role": office.role}


def validate(values: dict[str, Any], known_policies: Collection[str] | None = None) -> list[Problem]:
    """The profile's problems; a policy id is checked against ``known_policies`` (the ids the
    operations read from the seeds and the office's measures) when given."""
    problems = []
    if "name" in values and not (values["name"] or "").strip():
        problems.append(Problem("office", "name", _("the issuing authority's name is required")))
    from desktop.core.vocabulary import text_problem

    for fld in ("name", "signatory"):  # printed on every notice
        if isinstance(values.get(fld), str) and (why := text_problem(values[fld], "name")) is not None:
            problems.append(Problem("office", fld, why))
    if "region_code" in values and not re.fullmatch(r"\d{6}", str(values["region_code"] or "")):
        problems.append(Problem("office", "region", _("a region code has six digits (GB/T 2260), not {value!r}").format(value=values["region_code"])))
    if "doc_prefix" in values and values["doc_prefix"] and not re.fullmatch(r"[\u4e00-\u9fffA-Za-z]{1,12}", values["doc_prefix"]):
        problems.append(Problem("office", "doc_prefix", _("the document number prefix is 1-12 Chinese characters or letters, such as 城市监")))
    if "role" in values and values["role"] not in ("county", "city"):
        problems.append(Problem("office", "role", _("the role is county or city")))
    if values.get("policy_id") and known_policies is not None:
        ids = list(known_policies)
        if ids and values["policy_id"] not in ids:
            problems.append(Problem("office", "policy", _("unknown policy {id}; installed: {ids}").format(id=values["policy_id"], ids=", ".join(ids))))
    return problems


def local_policy_dirs() -> list:
    """Where this office's own measures (policy files that extend a seed) live: beside the open
    database, so they travel with it in backups of the data folder (none while no database is open).
    The store's one way to them; above it ``Session.policy_dirs`` and, for a database that need not
    be open, ``operations.measures.policy_dirs_for``; all three are ``files.measures_folder``."""
    from desktop.store.db import _path
    from desktop.store.files import measures_folder

    return [measures_folder(_path)] if _path is not None else []


def update(*, user: str, version: int | None = None, known_policies: Collection[str] | None = None,
           **values: Any) -> Office:
    """Set up the office profile, or change it; with ``version`` (the one the officer's screen
    loaded) only if no one saved the office's settings since (StaleRecord naming who, nothing written).
    ``known_policies``: as ``validate``."""
    from desktop.store import concurrency

    values = {k: v for k, v in values.items() if v is not None}
    problems = validate(values, known_policies)
    office = get()
    if office is None:
        missing = [f for f in ("name", "region_code") if f not in values]
        problems += [Problem("office", "region" if f == "region_code" else f, _("required when setting up the office")) for f in missing]
    if problems:
        raise ValidationFailed(problems)
    with database.atomic():
        if office is None:
            office = Office.create(**values)
            _ensure_keys(office, user)
            audit.record(user, "create", "office", office.uuid, None, as_dict(office))
        else:
            concurrency.check(office, version)
            before = as_dict(office)
            for k, v in values.items():
                setattr(office, k, v)
            office.updated_at = now()
            office.save()
            audit.record(user, "update", "office", office.uuid, before, as_dict(office))
    return office


def policy_closings() -> dict[str, dt.date]:
    """Policy id -> the date after which the office no longer applies it (its settings)."""
    office = get()
    raw = ((office.settings or {}) if office else {}).get("policy_closes") or {}
    return {pid: dt.date.fromisoformat(d) for pid, d in raw.items()}


def close_policy(policy_id: str, closes: dt.date | None, *, user: str, version: int | None = None) -> None:
    """Record a policy's validity closed on ``closes`` (the text set no end; achievements after it
    are refused), or reopened with None; audited. The operations check the date against the policy's
    own first. With ``version``, only if the office's settings are still at it (StaleRecord)."""
    from desktop.store import concurrency

    office = require()
    concurrency.check(office, version)
    settings = dict(office.settings or {})
    before = dict(settings.get("policy_closes") or {})
    after = dict(before)
    if closes is None:
        after.pop(policy_id, None)
    else:
        after[policy_id] = closes.isoformat()
    settings["policy_closes"] = after
    with database.atomic():
        office.settings = settings
        office.updated_at = now()
        office.save()
        audit.record(user, "update", "office", office.uuid, {"policy_closes": before},
                     {"policy_closes": after})


def _ensure_keys(office: Office, user: str = "StdAward") -> None:
    """An Ed25519 key pair proves which office made an exchange package (made once, when first
    needed; the audit entry names ``user``, or the program itself when it is made on the way)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if office.signing_key:
        return
    key = Ed25519PrivateKey.generate()
    office.signing_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()).decode()
    office.public_key = key.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    office.save()
    audit.record(user, "keys", "office", office.uuid, None, {"fingerprint": audit.key_fingerprint(office.public_key)})
