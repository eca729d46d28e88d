"""``stdaward --self-test``: check that this installation can do an officer's work, end to end.

Each check prints one line, ``✓ name: what was seen`` or ``✗ name: why not``; the exit status is 0
only when every check passed. It touches nothing of the officer's: the database is a temporary one.

1. files — the bundled policies, fonts, icons and demo data are where the program looks (in the frozen
   folder: under ``sys._MEIPASS``).
2. catalogues — the compiled zh_CN/zh_TW/en message catalogues load; babel formats money in each.
3. database — a temporary office database is created and migrated, the demo office loaded into it,
   the audit chain verified.
4. policies — every installed policy loads and passes its own worked cases.
5. engine — the demo office's policy computes the demo achievements.
6. notice — a notice is issued from those results and printed to PDF with the bundled font embedded.
7. QtPdf — that PDF loads offscreen and its first page renders with ink on it.

The installer runs it after installing; the Linux build check runs it on the frozen folder.
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.core.i18n import N_, _, colon


@dataclass
class Context:
    """What one check hands to the next."""

    tmp: Path
    db_open: bool = False
    policy: Any = None
    achievements: list = field(default_factory=list)
    results: list = field(default_factory=list)
    pdf: Path | None = None


class Skipped(Exception):
    """A check that cannot run because an earlier one failed."""


def check_files(ctx: Context) -> str:
    from desktop.core.i18n import catalog_dir
    from desktop.core.policies import bundled_dir, policy_files
    from desktop.notices.fonts import bundled_path
    from desktop.store.demo import resources_dir

    policies = policy_files()
    if not policies:
        raise FileNotFoundError(_("no policy files in {dir}").format(dir=bundled_dir()))
    needed = [bundled_path(), resources_dir() / "demo" / "demo.json", resources_dir() / "icons" / "stdaward.png"]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise FileNotFoundError(_("missing: {files}").format(files=", ".join(missing)))
    return _("{n} policy files, bundled font, demo data and icon found (catalogues in {dir})").format(
        n=len(policies), dir=catalog_dir())


def check_catalogues(ctx: Context) -> str:
    import gettext

    from desktop.core import i18n
    from desktop.core.money import format_money

    found = []
    for loc in i18n.LOCALES:
        t = i18n.load(loc)
        if type(t) is gettext.NullTranslations:
            raise FileNotFoundError(_("no message catalogue for {locale} in {dir}").format(
                locale=loc, dir=i18n.catalog_dir()))
        found.append(f"{loc} {format_money(Decimal('150000'), loc)}")
    return "; ".join(found)


def check_database(ctx: Context) -> str:
    from desktop.store import audit, demo
    from desktop.store.db import open_db
    from desktop.store.migrations import SCHEMA_VERSION
    from desktop.store.models import database

    path = ctx.tmp / "office.db"
    open_db(path, auto_backup=False)
    ctx.db_open = True
    version = database.execute_sql("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        raise RuntimeError(_("schema {found}, expected {known}").format(found=version, known=SCHEMA_VERSION))
    from desktop.operations.settings import known_policies

    n = demo.install(known_policies=known_policies())
    broken = audit.verify_chain()
    if broken is not None:
        raise RuntimeError(_("the audit chain breaks at entry {id}").format(id=broken))
    return _("schema {v}, demo office with {n} achievements loaded, audit chain intact").format(v=version, n=n)


def check_policies(ctx: Context) -> str:
    from desktop.core.policies import known_policy_ids, load_policy

    ids = known_policy_ids()
    if not ids:
        raise FileNotFoundError(_("no installed policies"))
    parts = []
    for pid in ids:
        policy = load_policy(pid)  # validates and runs the policy's worked cases; raises if one fails
        parts.append(_("{id} ({n} worked cases)").format(id=pid, n=len(policy.cases)))
    return ", ".join(parts)


def check_engine(ctx: Context) -> str:
    from desktop.core.engine import compute, explain_totals
    from desktop.core.money import format_money
    from desktop.core.policies import load_policy
    from desktop.store import office, records

    if not ctx.db_open:
        raise Skipped(_("needs the database"))
    profile = office.require()
    if not profile.policy_id:
        raise RuntimeError(_("the demo office's policy is not installed"))
    ctx.policy = load_policy(profile.policy_id)
    ctx.achievements = records.achievements()
    ctx.results = compute(ctx.policy, ctx.achievements)
    if len(ctx.results) != len(ctx.achievements):
        raise RuntimeError(_("{n} results for {m} achievements").format(n=len(ctx.results), m=len(ctx.achievements)))
    totals = explain_totals(ctx.results)
    if totals.total <= 0:
        raise RuntimeError(_("the demo achievements earned nothing under {id}").format(id=ctx.policy.id))
    return _("{id}: {n} achievements, {total} in total").format(
        id=ctx.policy.id, n=len(ctx.results), total=format_money(totals.total))


BUNDLED_FONTS = {"body": {"file": "uming.ttc", "index": 0},
                 "heading": {"file": "uming.ttc", "index": 0, "bold": True}}


def check_notice(ctx: Context) -> str:
    from desktop.notices import fonts as fontmod
    from desktop.operations import notices
    from desktop.operations.session import Session
    from desktop.store import office, records
    from desktop.store.db import db_path

    if not ctx.results:
        raise Skipped(_("needs the engine's results"))
    profile = office.require()  # print with the bundled font, whatever this PC has installed
    profile.settings = {**(profile.settings or {}), "fonts": BUNDLED_FONTS}
    profile.save()
    paying = [r for r in ctx.results if r.amount and r.amount > 0 and r.enterprise]
    first = paying[0].enterprise
    mine = [r for r in paying if r.enterprise == first]
    year = max(a.date.year for a in ctx.achievements if a.id in {r.id for r in mine})
    session = Session.attach(db_path())  # a draft (样稿): the layout and fonts, no number used
    ctx.pdf = notices.draft(session, mine, {a.id: a for a in ctx.achievements}, records.enterprise_names(),
                            ctx.policy, dt.date.today(), year, ctx.tmp / "notice.pdf")
    data = ctx.pdf.read_bytes()
    if not data.startswith(b"%PDF") or b"/FontFile2" not in data:
        raise RuntimeError(_("{file} has no embedded TrueType font").format(file=ctx.pdf))
    font = fontmod.bundled_path()
    return _("{doc} for {name}, {size} KB, {font} embedded").format(
        doc=_("draft"), name=records.enterprise_names([first])[first], size=len(data) // 1024,
        font=font.name)


def check_qtpdf(ctx: Context) -> str:
    if ctx.pdf is None:
        raise Skipped(_("needs the notice PDF"))
    from desktop.ui.selfcheck import check_pdf  # the only Qt in the self-test, imported late

    pages, ink = check_pdf(ctx.pdf)
    if ink <= 0:
        raise RuntimeError(_("page 1 rendered blank"))
    return _("{pages} page(s), page 1 rendered ({ink:.1%} ink)").format(pages=pages, ink=ink)


CHECKS: list[tuple[str, Callable[[Context], str]]] = [
    (N_("files"), check_files),
    (N_("catalogues"), check_catalogues),
    (N_("database"), check_database),
    (N_("policies"), check_policies),
    (N_("engine"), check_engine),
    (N_("notice"), check_notice),
    (N_("QtPdf"), check_qtpdf),
]


def _marks(stream: Any) -> tuple[str, str]:
    """✓/✗ where the console can show them (a redirected Windows console may be GBK), else OK/FAIL."""
    encoding = getattr(stream, "encoding", None)
    if encoding is None:  # a text buffer (StringIO) holds any character
        return "✓", "✗"
    try:
        "✓✗".encode(encoding)
        return "✓", "✗"
    except (UnicodeEncodeError, LookupError):
        return "OK", "FAIL"


def _reason(exc: BaseException) -> str:
    problems = getattr(exc, "problems", None)
    if problems:
        return "; ".join(f"{p.record} · {p.field}{colon()}{p.message}" for p in problems[:3])
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def run_self_test(out: Any = None) -> int:
    """Run every check, print one line each to ``out`` (stdout); 0 when all passed, else 1."""
    from desktop import __version__
    from desktop.store.db import close_db

    out = out or sys.stdout
    if hasattr(out, "reconfigure"):  # a console that cannot show a character gets "?", not a crash
        out.reconfigure(errors="replace")
    ok_mark, bad_mark = _marks(out)
    frozen = _("frozen") if getattr(sys, "frozen", False) else _("source")
    print(_("StdAward {version} self-test ({how}, Python {py})").format(
        version=__version__, how=frozen, py=sys.version.split()[0]), file=out)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="stdaward-selftest-") as tmp:
        ctx = Context(Path(tmp))
        try:
            for name, check in CHECKS:
                try:
                    detail = check(ctx)
                except Exception as exc:  # noqa: BLE001 - every failure is reported, by name
                    failed += 1
                    print(f"{bad_mark} {_(name)}{colon()}{_reason(exc)}", file=out, flush=True)
                else:
                    print(f"{ok_mark} {_(name)}{colon()}{detail}", file=out, flush=True)
        finally:
            close_db()
    if failed:
        print(_("{n} of {m} checks failed").format(n=failed, m=len(CHECKS)), file=out)
    else:
        print(_("all {m} checks passed").format(m=len(CHECKS)), file=out)
    return 1 if failed else 0
