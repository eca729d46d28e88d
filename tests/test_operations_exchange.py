"""USB exchange through the operations layer: who may export, import and register a key; a cancelled
export leaves no package, no part file and no log entry (and the next export takes the same number);
a cancelled import leaves nothing imported; the progress an officer reads names stages in words."""
from __future__ import annotations

import pytest
from test_exchange import city, county, export, using

from desktop.core.errors import BadFile
from desktop.core.progress import Cancelled, ProgressState
from desktop.operations import exchange, roles
from desktop.operations.session import Actor, PermissionDenied, Session


def _session(path, role: str | None = roles.ADMIN) -> Session:
    return Session(path, Actor("u1", "李一", role))


def _counts() -> dict[str, int]:
    from desktop.store.models import Achievement, AuditEntry, Enterprise, PackageLog

    return {"enterprises": Enterprise.select().count(), "achievements": Achievement.select().count(),
            "packages": PackageLog.select().count(),
            "audit": AuditEntry.select().where(AuditEntry.entity.in_(("package", "known_office"))).count()}


def _cancel_at(n: int, seen: list[str]) -> ProgressState:
    """A progress whose user presses Cancel while the ``n``-th update is shown."""
    state = ProgressState()

    def update(done: int, total: int, text: str) -> None:
        seen.append(text)
        if len(seen) == n + 1:
            state.cancel()
    state._on_update = update
    return state


@pytest.mark.parametrize("at", [0, 1, 2])  # while selecting, packing and signing, writing the file
def test_a_cancelled_export_leaves_no_package_and_no_log(tmp_path, at):
    src, _card = county(tmp_path)
    out = tmp_path / "stick" / "county.stdpkg"
    out.parent.mkdir()
    seen: list[str] = []
    with using(src):
        s = _session(src, roles.CLERK)
        before = _counts()
        with pytest.raises(Cancelled):
            exchange.export(s.with_progress(_cancel_at(at, seen)), out)
        assert list(out.parent.iterdir()) == [] and _counts() == before
        r = exchange.export(s, out)  # and nothing was used up: the package is still no. 1
    assert r.sequence == 1 and out.exists()
    assert seen[:at + 1] == ["Export: selecting the records", "Export: packing and signing",
                             "Export: writing the file"][:at + 1]  # words, not the stage ids


def test_roles_export_import_register(tmp_path):
    src, card = county(tmp_path)
    dst = city(tmp_path)
    pkg = tmp_path / "1.stdpkg"
    with using(src):
        assert exchange.export(_session(src, roles.REVIEWER), pkg).sequence == 1  # any role exports
        with pytest.raises(PermissionDenied):
            exchange.export(_session(src, None), tmp_path / "2.stdpkg")  # accounts, nobody signed in
    with using(dst):
        before = _counts()
        for role in (roles.CLERK, roles.REVIEWER):
            with pytest.raises(PermissionDenied):
                exchange.register_office(_session(dst, role), card)
        with pytest.raises(PermissionDenied):
            exchange.apply_import(_session(dst, roles.REVIEWER), pkg)
        assert _counts() == before and exchange.known_offices(_session(dst)) == []
        row = exchange.register_office(_session(dst), card, fingerprint=card["fingerprint"])
        assert row["name"] == card["name"] and [o["name"] for o in exchange.known_offices(_session(dst))] == [card["name"]]
        plan = exchange.plan_import(_session(dst, roles.REVIEWER), pkg)  # looking changes nothing
        assert plan.counts()["new"] > 0 and _counts()["achievements"] == 0
        result = exchange.apply_import(_session(dst, roles.CLERK), pkg)
        assert result.applied["inserted"] == plan.counts()["new"] and _counts()["achievements"] == 2
        log = exchange.package_log(_session(dst))
        assert log[0]["direction"] == "import" and log[0]["office"] == card["name"]
        assert log[0]["counts"] == "New 3, Updated 0, Deleted 0, Unchanged 0, Conflicts 0, Rejected 0"  # labels, not keys
        with using(src):
            assert exchange.package_log(_session(src))[0]["counts"] == "Enterprises 1, Achievements 2, Award rounds 0, Awards 0"


def test_a_cancelled_import_leaves_nothing_imported(tmp_path):
    src, card = county(tmp_path)
    dst = city(tmp_path, card)
    pkg = export(src, tmp_path / "1.stdpkg").path
    seen: list[str] = []
    with using(dst):
        before = _counts()
        state = ProgressState()

        def update(done: int, total: int, text: str) -> None:
            seen.append(text)
            if text == "Importing: writing the file":  # the first table is written: now cancel
                state.cancel()
        state._on_update = update
        with pytest.raises(Cancelled):
            exchange.apply_import(_session(dst, roles.CLERK).with_progress(state), pkg)
        assert "Importing: writing the file" in seen and _counts() == before
        with pytest.raises(BadFile, match="not one of this package's conflicts"):
            exchange.apply_import(_session(dst, roles.CLERK), pkg, resolutions={"achievements:x": exchange.TAKE_THEIRS})
        assert _counts() == before


def test_verify_names_the_signer_and_changes_nothing(tmp_path):
    src, card = county(tmp_path)
    dst = city(tmp_path)
    pkg = export(src, tmp_path / "1.stdpkg").path
    with using(dst):
        before = _counts()
        info = exchange.verify(_session(dst, roles.REVIEWER), pkg)
        assert info["ok"] is False and info["fingerprint"] == card["fingerprint"] and _counts() == before
    _pkg, info = exchange.inspect(pkg)
    assert info["ok"] is None and info["counts"]["achievements"] == 2


def test_the_resolutions_are_the_importers():
    from desktop.exchange import importer

    assert (exchange.KEEP_MINE, exchange.TAKE_THEIRS) == (importer.KEEP_MINE, importer.TAKE_THEIRS)


def test_resolving_a_conflict_on_the_command_line(tmp_path):
    """A conflict named by its key is taken from the package; a key that is not a conflict is
    refused (exit 2) with nothing imported."""
    import json

    from conftest import run_cli
    from test_exchange import _both_sides_changed

    dst, pkg = _both_sides_changed(tmp_path)
    r = run_cli("import", str(pkg), "--db", str(dst), "--take-theirs", "achievements:nope", "--json")
    assert r.returncode == 2 and "achievements:nope" in r.stderr
    dry = json.loads(run_cli("import", str(pkg), "--db", str(dst), "--dry-run", "--json").stdout)
    (conflict,) = dry["details"]["conflicts"]
    r = run_cli("import", str(pkg), "--db", str(dst), "--take-theirs", conflict["key"], "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["applied"]["taken_theirs"] == 1, r.stderr


def test_writing_to_a_missing_folder_is_named_not_unexpected(tmp_path):
    from conftest import run_cli

    src, _card = county(tmp_path)
    missing = tmp_path / "no-such-stick"
    for argv in (("offices", "--card", str(missing / "card.json")),
                 ("consolidate", "--xlsx", str(missing / "r.xlsx")),
                 ("export", "--out", str(missing / "p.stdpkg"))):
        r = run_cli(*argv, "--db", str(src))
        assert r.returncode == 1 and str(missing) in r.stderr and "unexpected" not in r.stderr, (argv, r.stderr)


@pytest.mark.parametrize("code, words", [(30, "read-only disk or folder"), (13, "permission denied"),
                                         (28, "is full")])
def test_a_report_or_card_refused_by_the_disk_says_why_in_words(tmp_path, monkeypatch, code, words):
    """A write-protected stick, a folder without permission or a full disk: the city's report and the
    office's card say so in the officer's words (naming the file chosen), not the system's English
    ("Read-only file system")."""
    import errno
    import os

    from desktop.core.errors import StdAwardError
    from desktop.exchange import consolidate, offices

    assert code in (errno.EROFS, errno.EACCES, errno.ENOSPC)
    src, _card = county(tmp_path)
    out = tmp_path / "stick" / "汇总报告.xlsx"

    def refused(*_args, **_kw):
        raise OSError(code, os.strerror(code), str(out.parent / ".汇总报告.xlsx.tmp"))
    monkeypatch.setattr(consolidate, "write_xlsx", refused)
    monkeypatch.setattr(offices, "write_card", refused)
    with using(src):
        s = Session.attach(src)
        for call in (lambda: exchange.consolidation(s, xlsx=out), lambda: exchange.write_card(s, out)):
            with pytest.raises(StdAwardError) as exc:
                call()
            text = str(exc.value)
            assert words in text and str(out) in text and os.strerror(code) not in text, text
