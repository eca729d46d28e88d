"""Policies and the office's own local measures: list, read, derive, check, install (administrator),
compare.

One implementation for the CLI and the GUI: installing a measure whose id is already installed is
refused unless ``replace=True`` is asked for explicitly (CLI ``--replace``, GUI a confirm question),
and then the audit log keeps the replaced file's hash beside the new one. A bundled policy's id is
never taken by a measure.

A measure derived in the GUI's form is a ``Measure`` (new amounts for some categories, a later
start, the officer's hand-worked cases), written out by ``measure_text`` as a policy file that
``extends`` the base; ``check_text`` validates it and runs its cases in a scratch folder (nothing
installed); ``install_text`` installs it like a file.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.operations.session import Session

if TYPE_CHECKING:
    from desktop.core.policies import Policy

_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


# ---------------------------------------------------------------- reading
def policy_dirs_for(db_path: Path) -> list[Path]:
    """The office's measures folder for ``db_path``. A PC's file need not exist or be opened: its
    folder holds what the office installed. On a server the folder is only this PC's cache of the
    database's ``installed_measure`` rows (empty until the PC opens the office, stale after another
    PC installs or replaces one), so the database is opened briefly and the folder made from it."""
    from desktop.store.backend import is_connection_file
    from desktop.store.files import measures_folder

    if is_connection_file(db_path) and not _open_here(db_path):
        with Session.open(db_path, create=False, auto_backup=False, check=False) as s:
            return s.policy_dirs()
    return [measures_folder(db_path)]


def _open_here(db_path: Path) -> bool:
    from desktop.store import db

    return db._path is not None and Path(db._path) == Path(db_path) and db.models_bound()


def installed_for(db_path: Path) -> list[dict[str, Any]]:
    """The seed policies and the office's measures of ``db_path`` (a PC's database need not be
    open; a server's is asked what it has installed)."""
    from desktop.core.policies import installed

    return installed(policy_dirs_for(db_path))


def installed_policies(session: Session) -> list[dict[str, Any]]:
    from desktop.core.policies import installed

    return installed(session.policy_dirs())


def known_ids(session: Session) -> list[str]:
    from desktop.core.policies import known_policy_ids

    return list(known_policy_ids(session.policy_dirs()))


def bundled_ids() -> set[str]:
    from desktop.core.policies import bundled_dir

    return {p.stem for p in bundled_dir().glob("*.toml")}


def load_policy(session: Session, policy_id: str) -> Policy:
    from desktop.core.policies import load_policy as load

    return load(policy_id, session.policy_dirs())


def choices(session: Session) -> list[tuple[str, str]]:
    """(id, label) of each installed policy and of the office's local measures, for a list or combo box."""
    return labelled(installed_policies(session))


def labelled(policies: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(id, label) for policy headers: the title, its 文号, and whether it is a local measure."""
    out = []
    for p in policies:
        label = p.get("title") or p["id"]
        if p.get("document_number"):
            label += f"（{p['document_number']}）"
        if p.get("extends"):
            label = _("{label} · local measure").format(label=label)
        out.append((p["id"], label))
    return out


def years_with_achievements(session: Session) -> list[int]:
    from peewee import fn

    from desktop.store.backend import year_of
    from desktop.store.models import Achievement

    q: Any = Achievement.select(fn.DISTINCT(year_of(Achievement.date))).tuples()
    return sorted(int(row[0]) for row in q if row[0])


def compare_on_year(session: Session, a_id: str, b_id: str, year: int) -> dict[str, Any]:
    """Both policies computed on the year's achievements: per achievement and in total."""
    from desktop.core.engine import compare
    from desktop.operations.round_work import prior_awards
    from desktop.store import records

    achs = records.achievements(year=year)
    out: dict[str, Any] = compare(load_policy(session, a_id), load_policy(session, b_id), achs,
                                  prior_awards())
    names = records.enterprise_names()
    for row in out["rows"]:
        row["name"] = names.get(row["enterprise"], row["enterprise"])
    return out


# ---------------------------------------------------------------- checking and installing
def check_file(session: Session, path: Path) -> Policy:
    """Validate a policy file strictly and run its worked cases (PolicyError names file and key)."""
    from desktop.core.policies import check_file as check

    return check(Path(path), session.policy_dirs())


def check_file_at(db_path: Path, path: Path) -> Policy:
    """``check_file`` against the measures beside ``db_path`` (the database need not exist)."""
    from desktop.core.policies import check_file as check

    return check(Path(path), policy_dirs_for(db_path))


def check_text(session: Session, text: str, measure_id: str) -> Policy:
    """``check_file`` for a measure's text, in a scratch folder: nothing is installed."""
    _valid_id(measure_id)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{measure_id}.toml"
        path.write_text(text, "utf-8")
        return check_file(session, path)


def policy_name(policy: Policy) -> str:
    """What the officer calls a policy: its title and 文号 (never its id)."""
    return f"{policy.title}（{policy.document_number}）" if policy.document_number else policy.title


@dataclass(frozen=True)
class Installed:
    id: str
    path: Path
    replaced: bool  # an earlier version of the measure was replaced (replace=True)
    title: str = ""
    document_number: str | None = None
    name: str = ""  # its title and 文号, as the officer calls it (policy_name)


def install(session: Session, source: Path, *, replace: bool = False) -> Installed:
    """Check a measure file (and its ``cases/<id>.toml`` beside it, if any) and install it into the
    office's policy folder (temporary name, fsync, rename). Refused: a user who is not an
    administrator, an id of a bundled policy, and an installed id unless ``replace``."""
    session.require("measures.install")
    source = Path(source)
    policy = check_file(session, source)
    _valid_id(policy.id)
    if policy.id in bundled_ids():
        raise StdAwardError(_("{id} is a bundled policy; a local measure needs its own id").format(id=policy.id))
    from desktop.store.files import measure_installed

    folder = session.policy_dirs()[0]
    target = folder / f"{policy.id}.toml"
    existed = measure_installed(policy.id) or target.exists()
    if existed and not replace:
        raise StdAwardError(_("a local measure {id} is already installed; to replace it, ask for that explicitly "
                              "(--replace)").format(id=policy.id))
    if existed and target.resolve() == source.resolve():
        raise StdAwardError(_("{file} is the installed measure itself").format(file=source))
    files = [(source, target)]
    cases = source.parent / "cases" / f"{policy.id}.toml"
    old_cases = folder / "cases" / f"{policy.id}.toml"
    if cases.exists():
        files.append((cases, old_cases))
    stale = [old_cases] if existed and old_cases.exists() and not cases.exists() else []
    before = {"sha256": _sha256(target.read_bytes())} if existed else None
    after = {"file": target.name, "extends": policy.extends, "sha256": _sha256(source.read_bytes()),
             "replaced": existed}
    _write_all(session, files, stale, policy.id, before, after)
    return Installed(policy.id, target, existed, policy.title, policy.document_number, policy_name(policy))


def install_text(session: Session, text: str, measure_id: str, *, replace: bool = False) -> Installed:
    """Install a measure written by ``measure_text`` (checked again first)."""
    session.require("measures.install")
    _valid_id(measure_id)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{measure_id}.toml"
        path.write_text(text, "utf-8")
        return install(session, path, replace=replace)


def is_installed(session: Session, measure_id: str) -> bool:
    """The office has installed a local measure of this id (on any of its PCs)."""
    from desktop.store.files import measure_installed

    return measure_installed(measure_id)


def _valid_id(measure_id: str) -> None:
    if not _ID.fullmatch(measure_id or ""):
        raise StdAwardError(_("the id is lower-case letters, digits and -, e.g. chengxiang-2026"))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_all(session: Session, files: list[tuple[Path, Path]], stale: list[Path], measure_id: str,
               before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    """Copy each (source, target) to a temporary name beside its target, then, inside the audit
    entry's transaction, rename them into place (and remove the replaced measure's ``stale`` case
    file): a failure before that leaves neither a file nor an entry. A folder that cannot be
    written is named in a StdAwardError."""
    from desktop.store import audit
    from desktop.store.files import keep_measure
    from desktop.store.models import database

    parts: list[tuple[Path, Path]] = []
    try:
        for source, target in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".installing-", suffix=".toml")
            parts.append((Path(tmp), target))
            with os.fdopen(fd, "wb") as out:
                out.write(source.read_bytes())
                out.flush()
                os.fsync(out.fileno())
        with database.atomic():
            audit.record(session.username, "install", "policy", measure_id, before, after)
            # every PC of the office computes with what the database holds (desktop.store.files)
            keep_measure(measure_id, files[0][0].read_text("utf-8"),
                         files[1][0].read_text("utf-8") if len(files) > 1 else None, session.username)
            for tmp_path, target in parts:
                os.replace(tmp_path, target)
            for path in stale:
                path.unlink(missing_ok=True)
    except OSError as exc:
        raise StdAwardError(_("cannot install the measure into {folder}: {reason}").format(
            folder=files[0][1].parent, reason=exc.strerror or exc)) from None
    finally:
        for tmp_path, _target in parts:
            tmp_path.unlink(missing_ok=True)


# ---------------------------------------------------------------- a measure derived in a form
@dataclass
class AmountRow:
    """One amount of a rule the form can change (``key`` None: the rule's single amount)."""

    rule: str
    key: str | None
    label: str
    clause: str
    base: Decimal


@dataclass
class Case:
    name: str
    given: dict[str, Any]
    amount: Decimal  # what the officer worked out by hand
    rule: str


@dataclass
class Measure:
    base: str
    id: str
    title: str
    document_number: str
    effective: dt.date
    amounts: dict[tuple[str, str | None], Decimal] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)
    issuer: str = ""  # the office that decides the measure (never the base policy's government)


def amount_rows(policy: Policy) -> list[AmountRow]:
    out = []
    for r in policy.rules:
        if r.pay != "amount":
            continue
        label = re.sub(r"\{[a-z_]+\}", "", r.label).strip()
        if r.amount is not None:
            out.append(AmountRow(r.id, None, label, r.clause, r.amount))
        for key, value in (r.amounts or {}).items():
            out.append(AmountRow(r.id, key, label, r.clause, value))
    return out


def example_for(policy: Policy, rule_id: str, key: str | None) -> dict[str, Any] | None:
    """An achievement from the base policy's worked cases that its rule pays (a start for a case)."""
    rule = policy.rule(rule_id)
    for c in policy.cases:
        for i, exp in enumerate(c.get("expect", [])):
            given = c.get("given", [])
            if exp.get("rule") == rule_id and i < len(given):
                g = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in given[i].items()}
                if key is None or rule is None or rule.by is None or g.get(rule.by) == key:
                    return g
    return None


def _s(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _inline(d: dict[str, Any]) -> str:
    parts = []
    for k, v in d.items():
        if isinstance(v, bool):
            parts.append(f"{k} = {'true' if v else 'false'}")
        elif isinstance(v, int):
            parts.append(f"{k} = {v}")
        elif isinstance(v, list):
            parts.append(f"{k} = [{', '.join(_s(x) for x in v)}]")
        else:
            parts.append(f"{k} = {_s(str(v))}")
    return "{" + ", ".join(parts) + "}"


def measure_text(m: Measure, policy: Policy) -> str:
    """The measure as a policy file extending ``m.base``."""
    lines = ["# 本地实施细则：由 StdAward 根据基础政策派生", "[policy]", f"id = {_s(m.id)}", f"extends = {_s(m.base)}",
             f"title = {_s(m.title)}", f"document_number = {_s(m.document_number)}", f"issuer = {_s(m.issuer)}",
             f"decided_by = {_s(m.document_number)}", f"decided_on = {m.effective.isoformat()}",
             f"issued = {m.effective.isoformat()}", f"effective = {m.effective.isoformat()}", ""]
    by_rule: dict[str, dict[str | None, Decimal]] = {}
    for (rule_id, key), value in m.amounts.items():
        by_rule.setdefault(rule_id, {})[key] = value
    for rule_id, values in by_rule.items():
        rule = policy.rule(rule_id)
        lines += ["[[rules]]", f"id = {_s(rule_id)}"]
        if None in values:
            lines.append(f"amount = {_s(format(values[None], 'f'))}")
        else:
            full = {k: format(values.get(k, v), "f") for k, v in ((rule.amounts if rule else None) or {}).items()}
            lines.append("amounts = " + _inline(full))
        lines.append("")
    for c in m.cases:
        given = {k: v for k, v in c.given.items() if k not in ("id", "enterprise")}
        lines += ["[[case]]", f"name = {_s(c.name)}", f"given = [{_inline(given)}]",
                  f"expect = [{{status = \"awarded\", amount = {_s(format(c.amount, 'f'))}, rule = {_s(c.rule)}}}]", ""]
    return "\n".join(lines)


def problems(m: Measure, taken_ids: list[str] | set[str]) -> list[str]:
    """What the form still lacks; ``taken_ids`` are ids a measure may not use (the bundled policies')."""
    out = []
    if not _ID.fullmatch(m.id or ""):
        out.append(_("the id is lower-case letters, digits and -, e.g. chengxiang-2026"))
    elif m.id in taken_ids:
        out.append(_("the id {id} is already used").format(id=m.id))
    if not m.title.strip():
        out.append(_("the title is required"))
    if not m.issuer.strip():
        out.append(_("the office that decides the measure is required (set the office name in Settings)"))
    if not m.document_number.strip():
        out.append(_("the document number (文号) of the measure is required"))
    if not m.amounts:
        out.append(_("change at least one amount"))
    if not m.cases:
        out.append(_("add at least one worked case: an example achievement and the amount you worked out by hand"))
    return out


def print_policy(session: Session, policy_id: str, out: Path) -> tuple[Path, str]:
    """The whole encoded policy as a PDF an office leader can sign off (clauses, literal text,
    readings, amounts, notes, worked cases), in the notices' official layout and fonts. Returns the
    file written and the policy's title."""
    from desktop.core.progress import as_callbacks
    from desktop.notices.policy_print import render_policy
    from desktop.store import office as store

    policy = load_policy(session, policy_id)
    row = store.get()
    settings = dict(row.settings or {}) if row else None
    progress, cancel = as_callbacks(session.progress)
    return render_policy(policy, Path(out), settings=settings, progress=progress, cancel=cancel), policy.title
