"""Several days' packages on one stick: a package, reply or backup saved again under a name a file
already has never replaces it. The new one goes beside it as "name（2）.ext" (then （3）, ...), each
verifies on its own, and the officer is told which file was written and that the earlier one stays.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from conftest import run_cli
from test_exchange import apply, city, county, export, using
from test_exchange_reply import _session, _trust_city

from desktop.store.atomic import free_name, write_atomic


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_free_name_counts_up_past_every_taken_name_and_its_companions(tmp_path):
    out = tmp_path / "城厢区-2025.sapkg"
    assert free_name(out) == out
    out.write_bytes(b"1")
    assert free_name(out) == tmp_path / "城厢区-2025（2）.sapkg"
    (tmp_path / "城厢区-2025（2）.sapkg").write_bytes(b"2")
    (tmp_path / "城厢区-2025（3）.sapkg.evidence.zip").write_bytes(b"z")  # a backup's evidence copy left alone
    assert free_name(out) == tmp_path / "城厢区-2025（3）.sapkg"
    assert free_name(out, (".evidence.zip",)) == tmp_path / "城厢区-2025（4）.sapkg"
    os.symlink(tmp_path / "gone", tmp_path / "link.db")  # a dangling link is a name taken too
    assert free_name(tmp_path / "link.db") == tmp_path / "link（2）.db"


def test_a_file_that_takes_the_name_during_the_write_is_not_replaced(tmp_path):
    out = tmp_path / "p.sapkg"

    def meanwhile(tmp: Path) -> None:  # another program saves under the same name while this one checks
        out.write_bytes(b"theirs")
    with pytest.raises(FileExistsError):
        write_atomic(out, b"ours", check=meanwhile, keep_existing=True)
    assert out.read_bytes() == b"theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.sapkg"]  # no temporary file left
    write_atomic(out, b"replaced", check=meanwhile)  # without keep_existing: the usual rename over it
    assert out.read_bytes() == b"replaced"


def test_an_export_saved_twice_into_one_folder_keeps_both(tmp_path):
    path, _card = county(tmp_path)
    stick = tmp_path / "stick"
    stick.mkdir()
    out = stick / "城厢区-2025.sapkg"
    first = run_cli("export", "--out", str(out), "--db", str(path), env={"STDAWARD_LANG": "en"})
    assert first.returncode == 0, first.stderr
    assert str(out) in first.stdout and "already there" not in first.stderr
    before = _sha(out)
    second = run_cli("export", "--out", str(out), "--db", str(path), "--json", env={"STDAWARD_LANG": "en"})
    assert second.returncode == 0, second.stderr
    beside = stick / "城厢区-2025（2）.sapkg"
    assert json.loads(second.stdout)["path"] == str(beside)
    assert f"{out} was already there and is left as it was" in second.stderr and str(beside) in second.stderr
    assert _sha(out) == before
    third = export(path, out)  # the operation itself: the next free name, and which file it kept
    assert third.path == stick / "城厢区-2025（3）.sapkg" and third.kept == out
    assert sorted(p.name for p in stick.iterdir()) == ["城厢区-2025.sapkg", "城厢区-2025（2）.sapkg",
                                                      "城厢区-2025（3）.sapkg"]
    for p, seq in ((out, 1), (beside, 2), (third.path, 3)):  # each a package of its own, its own number
        r = run_cli("verify-package", str(p), "--json", env={"STDAWARD_LANG": "en"})
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["sequence"] == seq
    with using(path):
        from desktop.store.models import PackageLog

        assert [row.path for row in PackageLog.select().order_by(PackageLog.sequence)] == [
            str(out), str(beside), str(third.path)]  # the log names the file each number went to


def test_a_reply_saved_twice_keeps_both_and_says_which_is_which(tmp_path):
    from desktop.operations import exchange

    path, card = county(tmp_path)
    city_db = city(tmp_path, card)
    apply(city_db, export(path, tmp_path / "p1.stdpkg").path)
    _trust_city(path, city_db)
    out = tmp_path / "reply.sapkg"
    with _session(city_db) as s:
        one = exchange.reply(s, out, card["name"], year=2024, decision="returned", comment="请补充材料")
        two = exchange.reply(s, out, card["name"], year=2024, decision="accepted")
    assert one["path"] == str(out) and one["kept"] is None
    assert two["path"] == str(tmp_path / "reply（2）.sapkg") and two["kept"] == str(out)
    assert apply(path, out) and apply(path, Path(two["path"]))  # both reach the county, in order
    with _session(path) as s:
        assert [r["decision"] for r in exchange.replies(s)] == ["accepted", "returned"]  # newest first


def test_a_backup_saved_twice_keeps_both_and_a_folder_takes_the_usual_name(tmp_path):
    path, _card = county(tmp_path)
    out = tmp_path / "stick" / "备份.db"
    out.parent.mkdir()
    env = {"STDAWARD_LANG": "en"}
    first = run_cli("backup", "--out", str(out), "--db", str(path), env=env)
    assert first.returncode == 0 and "already there" not in first.stderr, first.stderr
    before = _sha(out)
    second = run_cli("backup", "--out", str(out), "--db", str(path), env=env)
    beside = out.with_name("备份（2）.db")
    assert second.returncode == 0, second.stderr
    assert f"Backup written: {beside}" in second.stdout
    assert f"{out} was already there and is left as it was" in second.stderr
    assert _sha(out) == before and beside.is_file()
    into = run_cli("backup", "--out", str(out.parent), "--db", str(path), env=env)
    assert into.returncode == 0 and "already there" not in into.stderr, into.stderr
    made = [p for p in out.parent.iterdir() if p.name.endswith("-manual.db")]
    assert len(made) == 1 and f"Backup written: {made[0]}" in into.stdout


def test_the_window_exports_twice_into_one_folder_and_says_the_first_is_kept(tmp_path, qtbot, monkeypatch):
    pytest.importorskip("pytestqt")
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.views import exchange as view_mod

    make_app()
    ctx = AppContext()
    src, _card = county(tmp_path)
    stick = tmp_path / "stick"
    stick.mkdir()

    def answered(dlg) -> int:  # the officer picks the stick and presses Export, the same file name each time
        dlg.folder.setText(str(stick))
        dlg.filename.setText("城厢区.stdpkg")
        dlg.export()
        assert ctx.tasks.wait()
        return int(dlg.result_info is not None)
    monkeypatch.setattr(view_mod.ExportDialog, "exec", answered)
    with using(src):
        ctx.db_path = src
        view = view_mod.ExchangeView(ctx)
        qtbot.addWidget(view)
        view.export()
        assert view.message.kind == "ok" and "already" not in view.message.text()
        first = _sha(stick / "城厢区.stdpkg")
        view.export()
        text = view.message.text()
        assert "城厢区.stdpkg was already in the folder and is left as it was" in text
        assert "城厢区（2）.stdpkg" in text and view.message.kind == "info"
    assert _sha(stick / "城厢区.stdpkg") == first and (stick / "城厢区（2）.stdpkg").is_file()
    ctx.tasks.wait()
