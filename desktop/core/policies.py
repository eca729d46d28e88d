"""Installed policies: find a policy file, validate it strictly, merge local measures, run its cases.

A policy is ``policies/<id>.toml`` (bundled) or ``<dir>/<id>.toml`` in an office's own policy folder
(``extra_dirs``, normally ``desktop.store.paths.folder_for(db, "policies")``). Its worked cases live
beside it in ``cases/<id>.toml`` and/or inline as ``[[case]]``; they are hand-worked from the text and
run at every load: a policy whose cases fail is refused. A local measure is a file whose
``[policy] extends`` names another policy: its tables are merged over the base (rules, targets,
funds, pools and notes by id), validated and case-tested the same way.

Case format (``[[case]]``)::

    name = "国家标准修订 第2位按70%"
    given = [{kind = "standard", level = "national", action = "revise", rank = 2, date = "2022-03-01"}]
    prior = [...]                # optional: achievements already awarded in the database
    pool_spent = {pool-id = "100000"}   # optional
    expect = [{status = "awarded", amount = "35000", rule = "...", clause = "...",
               explanation = "...", reason = "substring", flags = ["note-id"],
               without_flags = ["note-id"], flag_text = "substring of some flag"}]
    as_of = 2025-12-31           # optional, with expect_targets = {target-id = 3}

``id`` defaults to c1, c2 ... and ``enterprise`` to a fixed valid code (``CASE_USCC``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import sys
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from desktop.core.errors import Problem
from desktop.core.i18n import _
from desktop.core.policy_schema import (
    Fund,
    Note,
    PolicyError,
    Pool,
    Rule,
    Target,
    check_funds,
    check_header,
    check_labels,
    check_notes,
    check_pools,
    check_rules,
    check_targets,
    check_top,
)

if TYPE_CHECKING:  # only for annotations: the engine and the vocabulary are loaded when cases run
    from desktop.core.award import AwardResult
    from desktop.core.engine import _Compiled
    from desktop.core.vocabulary import Achievement

__all__ = ["Policy", "PolicyError", "load_policy", "closing", "install", "installed", "known_policy_ids", "bundled_dir",
           "policy_files", "check_file", "CASE_USCC"]

CASE_USCC = "91350100M000100Y43"  # a valid 统一社会信用代码 used by worked cases by default


def bundled_dir() -> Path:
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) / "policies" if base else Path(__file__).resolve().parents[2] / "policies"


@dataclass(eq=False)
class Policy:
    id: str
    title: str
    document_number: str | None
    issuer: str
    region_code: str
    issued: dt.date
    effective: dt.date | None
    funds: dict[str, Fund]
    rules: list[Rule]
    targets: list[Target]
    notes: dict[str, Note]
    path: Path
    content_hash: str
    extends: str | None = None
    expires: dt.date | None = None
    effective_clause: str | None = None
    effective_text: str | None = None
    source: str | None = None
    pools: dict[str, Pool] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    policy_notes: tuple[str, ...] = ()  # notes that travel with results decided by the policy's dates
    cases: list[dict[str, Any]] = field(default_factory=list)
    own_rules: frozenset[str] = frozenset()  # rule ids this file defines (all, unless it extends)
    horizon: dt.date | None = None  # the text's own horizon (到2015年): later awards are flagged
    horizon_text: str | None = None
    decided_by: str | None = None  # a local measure: the office's document number
    decided_on: dt.date | None = None
    closed_by_office: bool = False  # ``expires`` was set by the office (``closing``), not the text
    # The engine's compiled form, made on the first compute (a changed copy made by ``replace`` starts afresh).
    _compiled: _Compiled | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def starts(self) -> dt.date:
        return self.effective or self.issued

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def header(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "document_number": self.document_number,
                "issued": self.issued.isoformat(),
                "effective": self.effective.isoformat() if self.effective else None,
                "extends": self.extends}


# ---------------------------------------------------------------- files

def policy_files(extra_dirs: Sequence[Path] = ()) -> list[Path]:
    files = sorted(bundled_dir().glob("*.toml"))
    for d in extra_dirs:
        files += sorted(Path(d).glob("*.toml"))
    return files


def _read_toml(path: Path) -> tuple[dict[str, Any], bytes]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PolicyError(path, "-", _("cannot read the file: {reason}").format(reason=exc.strerror or exc)) from None
    try:
        return tomllib.loads(data.decode("utf-8-sig")), data
    except UnicodeDecodeError:
        raise PolicyError(path, "-", _("is not UTF-8 text")) from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(path, "-", _("is not valid TOML: {reason}").format(reason=exc)) from None


def installed(extra_dirs: Sequence[Path] = ()) -> list[dict[str, Any]]:
    """The headers of the installed policies (id, title, document_number, issued, effective)."""
    out = []
    for f in policy_files(extra_dirs):
        try:
            head = _read_toml(f)[0].get("policy", {})
        except PolicyError:
            continue
        if not isinstance(head, dict) or not isinstance(head.get("id"), str):
            continue
        row: dict[str, Any] = {k: head.get(k) for k in ("id", "title", "document_number", "issued", "effective",
                                                          "extends")}
        for k in ("issued", "effective"):
            day = row[k]
            if isinstance(day, dt.date):
                row[k] = day.isoformat()
        out.append(row)
    return out


def known_policy_ids(extra_dirs: Sequence[Path] = ()) -> list[str]:
    return [p["id"] for p in installed(extra_dirs)]


def _find(policy_id: str, extra_dirs: Sequence[Path]) -> Path:
    hits = [d / f"{policy_id}.toml" for d in (bundled_dir(), *map(Path, extra_dirs)) if (d / f"{policy_id}.toml").is_file()]
    if not hits:
        raise PolicyError(policy_id, "-", _("no such policy; installed: {ids}").format(
            ids=", ".join(known_policy_ids(extra_dirs)) or "-"))
    if len(hits) > 1:
        raise PolicyError(hits[1], "policy.id", _("the id {id} is already used by {other}").format(id=policy_id, other=hits[0]))
    return hits[0]


# ---------------------------------------------------------------- merging local measures

_BY_ID = ("funds", "pools", "notes")
_OWN_HEADER = ("notes", "issuer", "document_number", "decided_by", "decided_on", "source")


def _figure(v: Any) -> str:
    from desktop.core.money import yuan_short

    try:
        return f"{yuan_short(Decimal(str(v)))}元"
    except Exception:  # noqa: BLE001 - a bad amount is reported by the strict check afterwards
        return str(v)


def _derived(base: dict[str, Any], merged: dict[str, Any], own: dict[str, Any], head: dict[str, Any],
             notes: dict[str, Any]) -> None:
    """A base rule a measure overrides: say what changed (unless the measure says it itself), and
    keep the base's literal text only as the base's, never as if it promised the new amounts. A
    note reading the base's figures no longer travels once the measure sets its own amounts."""
    from desktop.core.labels import ZH

    if ("amount" in own or "amounts" in own) and "notes" not in own and isinstance(merged.get("notes"), list):
        kept = [n for n in merged["notes"]
                if not (isinstance(notes.get(n), dict) and notes[n].get("concerns") == "amount")]
        if kept:
            merged["notes"] = kept
        else:
            del merged["notes"]

    changes = []
    if "amount" in own and str(own["amount"]) != str(base.get("amount")):
        changes.append(f"金额由{_figure(base.get('amount'))}改为{_figure(own['amount'])}")
    if isinstance(own.get("amounts"), dict):
        by = merged.get("by")
        group = "level" if by == "level" and merged.get("kind") == "standard" else "tier" if by == "level" else by
        old: dict[str, Any] = base["amounts"] if isinstance(base.get("amounts"), dict) else {}
        for key, value in own["amounts"].items():
            if str(value) != str(old.get(key)):
                label = ZH.get(str(group), {}).get(str(key), str(key))
                was = _figure(old[key]) if key in old else "不补助"
                changes.append(f"{label}由{was}改为{_figure(value)}")
    for key, word in (("when", "适用条件"), ("percent_by_rank", "按排名比例"), ("pay", "支付方式")):
        if key in own and own[key] != base.get(key):
            changes.append(f"{word}已调整")
    if not changes and "changed" not in own:
        return
    if "changed" not in own:
        merged["changed"] = "；".join(changes)
    if "text" not in own:
        decided = head.get("decided_by") or head.get("document_number") or "本细则"
        merged["text"] = f"按{decided}执行：{merged['changed']}。（上级政策{base.get('clause', '')}原文：{base.get('text', '')}）"


def _merge(base: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    doc = {k: v for k, v in base.items() if k != "case"}
    # A measure is the office's own document: its issuer, number and decision are never the base's.
    doc["policy"] = {**{k: v for k, v in base.get("policy", {}).items() if k not in _OWN_HEADER},
                     **own.get("policy", {})}
    for k in _BY_ID:
        doc[k] = {**base.get(k, {}), **own.get(k, {})}
    labels = {g: dict(v) for g, v in base.get("labels", {}).items()}
    for g, v in own.get("labels", {}).items():
        labels.setdefault(g, {}).update(v if isinstance(v, dict) else {})
    doc["labels"] = labels
    for k in ("rules", "targets"):
        merged = [dict(x) for x in base.get(k, [])]
        index = {x.get("id"): i for i, x in enumerate(merged)}
        for x in own.get(k, []) if isinstance(own.get(k, []), list) else []:
            if isinstance(x, dict) and x.get("id") in index:
                before = dict(merged[index[x["id"]]])
                merged[index[x["id"]]].update(x)
                if k == "rules":
                    _derived(before, merged[index[x["id"]]], x, own.get("policy", {}), doc["notes"])
            else:
                merged.append(x)
        doc[k] = merged
    if "case" in own:
        doc["case"] = own["case"]
    return doc


def _resolve(path: Path, extra_dirs: Sequence[Path], chain: tuple[str, ...] = ()) -> tuple[dict[str, Any], str, set[str]]:
    """The merged document, its content hash and the rule ids this file itself defines."""
    doc, data = _read_toml(path)
    check_top(path, doc)
    head = doc.get("policy")
    if not isinstance(head, dict):
        raise PolicyError(path, "policy", _("the [policy] table is required"))
    digest = hashlib.sha256(data).hexdigest()
    # (an id that is not text never gets this far: the strict check refuses it)
    own_rules = {r["id"] for r in doc.get("rules", []) if isinstance(r, dict) and isinstance(r.get("id"), str)}
    ext = head.get("extends")
    if ext is None:
        return doc, digest, own_rules
    if not isinstance(ext, str) or ext in chain or ext == head.get("id"):
        raise PolicyError(path, "policy.extends", _("{value!r} cannot be extended here (a loop or not an id)").format(value=ext))
    base_doc, base_hash, _unused = _resolve(_find(ext, extra_dirs), extra_dirs, chain + (str(head.get("id")),))
    merged = _merge(base_doc, doc)
    return merged, hashlib.sha256((digest + base_hash).encode()).hexdigest(), own_rules


_LABELS: dict[str, dict[str, str]] | None = None


def common_labels() -> dict[str, dict[str, str]]:
    """The Chinese words explanations are composed from: the vocabulary's labels (one source,
    desktop.core.labels.ZH) and the phrases of policies/common/labels.toml."""
    global _LABELS
    if _LABELS is None:
        from desktop.core.labels import ZH

        path = bundled_dir() / "common" / "labels.toml"
        doc, _data = _read_toml(path)
        _LABELS = {g: dict(v) for g, v in ZH.items()}
        for g, v in check_labels(path, {"labels": doc}).items():
            _LABELS.setdefault(g, {}).update(v)
    return _LABELS


def build(path: Path, doc: dict[str, Any], digest: str, own_rules: set[str]) -> Policy:
    """Validate a (merged) document into a Policy, without running its cases."""
    check_top(path, doc)
    head = check_header(path, doc)
    if head["id"] != path.stem:
        raise PolicyError(path, "policy.id", _("the id {id} must match the file name {name}").format(id=head["id"], name=path.name))
    fund_rows = check_funds(path, doc)
    pools = check_pools(path, doc, fund_rows)
    notes = check_notes(path, doc)
    for n in head["notes"]:
        if n not in notes:
            raise PolicyError(path, "policy.notes", _("no note {id} in [notes]").format(id=n))
    funds = {fid: Fund(fid, f["name"], f["clause"], f["text"],
                       {p.id: p for p in pools.values() if p.fund == fid}) for fid, f in fund_rows.items()}
    rules = check_rules(path, doc, fund_rows, pools, notes)
    targets = check_targets(path, doc, notes)
    labels = {g: dict(v) for g, v in common_labels().items()}
    for g, v in check_labels(path, doc).items():
        labels.setdefault(g, {}).update(v)
    cases = doc.get("case", [])
    if not isinstance(cases, list):
        raise PolicyError(path, "case", _("must be an array of tables ([[case]])"))
    return Policy(id=head["id"], title=head["title"], document_number=head["document_number"],
                  issuer=head["issuer"], region_code=head["region_code"], issued=head["issued"],
                  effective=head["effective"], funds=funds, rules=rules, targets=targets, notes=notes,
                  path=path, content_hash=digest, extends=head["extends"], expires=head["expires"],
                  effective_clause=head["effective_clause"], effective_text=head["effective_text"],
                  source=head["source"], pools=pools, labels=labels, policy_notes=tuple(head["notes"]),
                  cases=[{**c, "__file__": path} if isinstance(c, dict) else c for c in cases],
                  own_rules=frozenset(own_rules), horizon=head["horizon"], horizon_text=head["horizon_text"],
                  decided_by=head["decided_by"], decided_on=head["decided_on"])


# (resolved path, (file, mtime, size) of every watched file or None, extra folders) -> the policy
_CacheKey = tuple[str, tuple[tuple[str, int, int] | None, ...], tuple[Path, ...]]
_cache: dict[_CacheKey, Policy] = {}


def load_policy(policy_id_or_path: str | Path, extra_dirs: Sequence[Path] = ()) -> Policy:
    """Load, validate and case-test a policy by id or file path (raises PolicyError)."""
    extra_dirs = tuple(Path(d) for d in extra_dirs)
    p = Path(policy_id_or_path)
    path = p if (p.suffix == ".toml" or p.exists()) else _find(str(policy_id_or_path), extra_dirs)
    if not path.is_file():
        raise PolicyError(path, "-", _("no such file"))
    case_file = path.parent / "cases" / f"{path.stem}.toml"
    # Any change to a policy or case file (a base of a local measure included) invalidates the cache.
    watched = [path, case_file, *policy_files(extra_dirs)]
    stamp = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) if f.exists() else None for f in watched)
    key: _CacheKey = (str(path.resolve()), stamp, extra_dirs)
    if key in _cache:
        return _cache[key]
    doc, digest, own = _resolve(path, extra_dirs)
    policy = build(path, doc, digest, own)
    if case_file.exists():
        cdoc, _data = _read_toml(case_file)
        for k in cdoc:
            if k != "case":
                raise PolicyError(case_file, k, _("a case file holds only [[case]] tables"))
        if not isinstance(cdoc.get("case", []), list):
            raise PolicyError(case_file, "case", _("must be an array of tables ([[case]])"))
        policy.cases += [{**c, "__file__": case_file} for c in cdoc.get("case", [])]
    run_cases(policy)
    _cache[key] = policy
    return policy


def closing(policy: Policy, closes: dt.date | None) -> Policy:
    """The policy as the office applies it when its settings close the policy's validity on
    ``closes`` (the text itself set no end): achievements after that date are refused."""
    if closes is None or (policy.expires is not None and policy.expires <= closes):
        return policy
    if closes < policy.starts:
        raise PolicyError(policy.id, "closes", _("the closing date {date} is before the policy takes effect").format(
            date=closes.isoformat()))
    from dataclasses import replace

    return replace(policy, expires=closes, closed_by_office=True)


def install(policy: Policy, files: dict[str, bytes], folder: Path, replace: bool) -> Path:
    """Put a checked local measure into the office's policy folder: ``files`` maps the paths
    relative to the folder (``<id>.toml``, ``cases/<id>.toml``) to their bytes. Refuses a bundled id,
    and an installed measure of the same id unless ``replace`` (never overwrites silently). Each
    file is written to a temporary name, synced, then renamed. Returns the policy file's path."""
    import os
    import tempfile

    if (bundled_dir() / f"{policy.id}.toml").exists():
        raise PolicyError(policy.id, "policy.id", _("{id} is a bundled policy; a local measure needs its own id").format(
            id=policy.id))
    target = Path(folder) / f"{policy.id}.toml"
    if target.exists() and not replace:
        raise PolicyError(policy.id, "policy.id", _(
            "a measure {id} is already installed; replace it explicitly or choose another id").format(id=policy.id))
    for rel, data in files.items():
        to = Path(folder) / rel
        to.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=to.parent, prefix=".installing-", suffix=".toml")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, to)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return target


def check_file(path: Path, extra_dirs: Sequence[Path] = ()) -> Policy:
    """Validate and case-test a policy file (a local measure before it is installed)."""
    return load_policy(Path(path), extra_dirs)


# ---------------------------------------------------------------- worked cases

CASE_KEYS = ("name", "clause", "given", "prior", "pool_spent", "expect", "as_of", "expect_targets", "__file__")
EXPECT_KEYS = ("id", "status", "amount", "rule", "clause", "explanation", "reason", "flags", "without_flags",
               "flag_text")


def _failing(file: str | Path, key: str) -> Callable[[str], NoReturn]:
    """What ``parse_amount`` calls on a bad amount in a case: refuse the policy, naming the key."""
    def fail(message: str) -> NoReturn:
        raise PolicyError(file, key, message)
    return fail


def _case_achievements(policy: Policy, file: Path, where: str, rows: Any, prefix: str) -> list[Achievement]:
    from desktop.core.vocabulary import parse_achievement

    if not isinstance(rows, list):
        raise PolicyError(file, where, _("must be a list of achievements"))
    out: list[Achievement] = []
    for i, raw in enumerate(rows):
        if not isinstance(raw, dict):
            raise PolicyError(file, f"{where}[{i}]", _("must be an inline table"))
        rec = {"id": f"{prefix}{i + 1}", "enterprise": CASE_USCC, **raw}
        if isinstance(rec.get("date"), dt.date):
            rec["date"] = rec["date"].isoformat()
        problems: list[Problem] = []
        a = parse_achievement(rec, i, problems)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise PolicyError(file, f"{where}[{i}].{errors[0].field}", errors[0].message)
        assert a is not None, "a record is refused only with an error"
        out.append(a)
    return out


def case_results(policy: Policy) -> list[tuple[dict[str, Any], list[Achievement], list[AwardResult]]]:
    """Every worked case with its achievements and what the engine gives for them (for the
    print-out; ``run_cases`` has already checked them against the expectations at load)."""
    from desktop.core.engine import compute
    from desktop.core.policy_schema import parse_amount

    out: list[tuple[dict[str, Any], list[Achievement], list[AwardResult]]] = []
    for n, case in enumerate(policy.cases):
        file = case.get("__file__", policy.path)
        given = _case_achievements(policy, file, f"case[{n}].given", case.get("given", []), "c")
        prior_achs = _case_achievements(policy, file, f"case[{n}].prior", case.get("prior", []), "p")
        spent = {pid: parse_amount(v, _failing(file, f"case[{n}].pool_spent.{pid}"))
                 for pid, v in (case.get("pool_spent") or {}).items()}
        results = compute(policy, given, prior={a.identity(): a.id for a in prior_achs}, pool_spent=spent)
        out.append((case, given, results))
    return out


def run_cases(policy: Policy) -> None:
    """Run every worked case; the first failure refuses the policy with the case named."""
    from desktop.core.engine import compute
    from desktop.core.targets import progress

    if not policy.cases:
        raise PolicyError(policy.path, "case", _("a policy needs worked cases (cases/{id}.toml or [[case]])").format(id=policy.id))
    covered: set[str] = set()
    for n, case in enumerate(policy.cases):
        file = case.get("__file__", policy.path)
        where = f"case[{n}]"
        if not isinstance(case, dict):
            raise PolicyError(file, where, _("must be a table"))
        name = case.get("name")
        if not isinstance(name, str) or not name:
            raise PolicyError(file, f"{where}.name", _("every case has a name"))
        where = f"case[{n}] ({name})"
        for k in case:
            if k not in CASE_KEYS:
                raise PolicyError(file, f"{where}.{k}", _("unknown key here (allowed: {keys})").format(keys=", ".join(CASE_KEYS[:-1])))
        given = _case_achievements(policy, file, f"{where}.given", case.get("given", []), "c")
        prior_achs = _case_achievements(policy, file, f"{where}.prior", case.get("prior", []), "p")
        prior = {a.identity(): a.id for a in prior_achs}
        spent: dict[str, Decimal] = {}
        for pid, v in (case.get("pool_spent") or {}).items():
            from desktop.core.policy_schema import parse_amount

            spent[pid] = parse_amount(v, _failing(file, f"{where}.pool_spent.{pid}"))
        results = compute(policy, given, prior=prior, pool_spent=spent)
        expect = case.get("expect", [])
        if not isinstance(expect, list) or len(expect) != len(given):
            raise PolicyError(file, f"{where}.expect", _("give one expectation per achievement ({n})").format(n=len(given)))
        for i, (exp, got) in enumerate(zip(expect, results)):
            if not isinstance(exp, dict):
                raise PolicyError(file, f"{where}.expect[{i}]", _("must be an inline table"))
            for k in exp:
                if k not in EXPECT_KEYS:
                    raise PolicyError(file, f"{where}.expect[{i}].{k}", _("unknown key here (allowed: {keys})").format(keys=", ".join(EXPECT_KEYS)))
            _check_expectation(policy, file, f"{where}.expect[{i}]", exp, got)
            if got.rule and got.status != "duplicate":
                covered.add(got.rule)
        if "expect_targets" in case:
            as_of = case.get("as_of")
            if not isinstance(as_of, dt.date):
                raise PolicyError(file, f"{where}.as_of", _("a target case needs as_of (a date)"))
            counts = {t.id: t for t in progress(policy, given, as_of)}
            for tid, want in case["expect_targets"].items():
                if tid not in counts:
                    raise PolicyError(file, f"{where}.expect_targets.{tid}", _("no target {id}").format(id=tid))
                if counts[tid].count != Decimal(str(want)):
                    raise PolicyError(file, f"{where}.expect_targets.{tid}", _(
                        "the case fails: expected count {want}, the engine counts {got}").format(want=want, got=counts[tid].count))
    missing = [r.id for r in policy.rules if r.id in policy.own_rules and r.id not in covered]
    if missing:
        raise PolicyError(policy.path, "case", _("no worked case exercises rule(s): {ids}").format(ids=", ".join(missing)))


def _check_expectation(policy: Policy, file: Path, where: str, exp: dict[str, Any], got: AwardResult) -> None:
    def fail(key: str, want: Any, have: Any) -> NoReturn:
        raise PolicyError(file, f"{where}.{key}", _(
            "the case fails: expected {want!r}, the engine gives {got!r} ({explanation})").format(
            want=want, got=have, explanation=got.explanation))

    if "status" not in exp:
        raise PolicyError(file, f"{where}.status", _("is required"))
    if exp["status"] != got.status:
        fail("status", exp["status"], got.status)
    if "amount" in exp:
        from desktop.core.policy_schema import parse_amount

        want = parse_amount(exp["amount"], _failing(file, f"{where}.amount"))
        if got.amount is None or got.amount != want:
            fail("amount", str(want), None if got.amount is None else str(got.amount))
    elif got.amount is not None:
        fail("amount", None, str(got.amount))
    for k in ("rule", "clause", "explanation"):
        if k in exp and exp[k] != getattr(got, k):
            fail(k, exp[k], getattr(got, k))
    if "reason" in exp and exp["reason"] not in got.explanation:
        fail("reason", exp["reason"], got.explanation)
    for nid in exp.get("flags", []):
        note = policy.notes.get(nid)
        if note is None:
            raise PolicyError(file, f"{where}.flags", _("no note {id} in [notes]").format(id=nid))
        from desktop.core.engine import note_flag

        if note_flag(policy, note) not in got.flags:
            fail("flags", nid, list(got.flags))
    for nid in exp.get("without_flags", []):  # a note travels only with the awards its reading affects
        note = policy.notes.get(nid)
        if note is None:
            raise PolicyError(file, f"{where}.without_flags", _("no note {id} in [notes]").format(id=nid))
        from desktop.core.engine import note_flag

        if note_flag(policy, note) in got.flags:
            fail("without_flags", nid, list(got.flags))
    if "flag_text" in exp and not any(exp["flag_text"] in f for f in got.flags):  # a flag of the engine's own
        fail("flag_text", exp["flag_text"], list(got.flags))
