"""What an officer's Windows PC does differently, simulated on Linux: a cp936 console and redirected
output, a database folder whose name holds ``#``, spaces and Chinese, and a database on a network share."""
from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys

import pytest
from conftest import GOOD_USCC, OTHER_USCC, ROOT, std

from desktop.core.errors import StdAwardError

RARE = "𠮷"  # outside GBK/cp936 (a surrogate pair on Windows)


def achievements_file(tmp_path):
    p = tmp_path / "in.json"
    p.write_text(json.dumps([std(id=f"{RARE}1", title=f"{RARE}野家 团体标准")], ensure_ascii=False), "utf-8")
    return str(p)


@pytest.mark.parametrize("json_flag", [False, True])
def test_compute_redirected_from_a_cp936_console_never_fails(tmp_path, json_flag):
    """Redirected output stays in the console's code page (Excel and Notepad on a Chinese Windows read
    it as it is): ¥ becomes ￥, a character GBK lacks becomes ?; --json is UTF-8 and keeps everything."""
    argv = ["compute", "--policy", "putian-chengxiang-2021", "--input", achievements_file(tmp_path)]
    env = {**os.environ, "PYTHONIOENCODING": "cp936", "STDAWARD_LANG": "zh_CN"}
    r = subprocess.run([sys.executable, "-m", "desktop", *argv, *(["--json"] if json_flag else [])],
                       capture_output=True, env=env, timeout=120, cwd=str(ROOT))
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")
    if json_flag:
        assert json.loads(r.stdout.decode("utf-8"))[0]["id"] == f"{RARE}1"
    else:
        out = r.stdout.decode("cp936")
        assert "?1 " in out and "￥100,000.00" in out and "莆田市城厢区人民政府" in out


def test_errors_on_a_cp936_stderr_name_the_record_without_failing(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([std(id=f"{RARE}坏", rank=0)], ensure_ascii=False), "utf-8")
    r = subprocess.run([sys.executable, "-m", "desktop", "compute", "--policy", "putian-chengxiang-2021",
                        "--input", str(bad)], capture_output=True, timeout=120, cwd=str(ROOT),
                       env={**os.environ, "PYTHONIOENCODING": "cp936"})
    err = r.stderr.decode("cp936")
    assert r.returncode == 2 and "UnicodeEncodeError" not in err
    assert "?坏" in err and "rank" in err  # the record is still recognisable


def test_a_legacy_console_shows_a_question_mark_instead_of_failing():
    from desktop.cli import fit_stream

    raw = io.BytesIO()
    console = io.TextIOWrapper(raw, encoding="cp936")
    fit_stream(console)
    console.write(f"¥12.00 {RARE}家\n")
    console.flush()
    assert raw.getvalue().decode("cp936") == "￥12.00 ?家\n"
    raw2 = io.BytesIO()
    json_console = io.TextIOWrapper(raw2, encoding="cp936")
    fit_stream(json_console, utf8=True)  # --json is UTF-8 even on a console
    json_console.write(RARE)
    json_console.flush()
    assert raw2.getvalue().decode("utf-8") == RARE


# ------------------------------------------------------------------ a folder named like an officer names it
@pytest.fixture
def odd_folder(tmp_path):
    folder = tmp_path / "标准化 #2 奖补?%20"
    folder.mkdir()
    return folder / "office.db"


def test_open_backup_prefetch_and_restore_in_a_folder_with_hash_spaces_and_chinese(odd_folder):
    from desktop.store import backup, db, prefetch, records

    db.open_db(odd_folder, auto_backup=False)
    records.load({"enterprises": [{"uscc": GOOD_USCC, "name": "莆田市城厢区华峰鞋业有限公司"}],
                  "achievements": [std(id="A1")]}, user="tester")
    db.close_db()
    db.open_db(odd_folder)  # the first open of the day writes the daily backup beside it
    db.wait_for_backup()
    daily = backup.newest_good(odd_folder)
    assert daily is not None and daily.parent.parent == odd_folder.parent
    assert backup.check_file(daily) >= 1
    records.load({"enterprises": [{"uscc": OTHER_USCC, "name": "福建省莆田市第二示范公司"}], "achievements": []},
                 user="tester")
    db.close_db()
    prefetch.start(odd_folder)
    assert prefetch.achievement_counts(odd_folder) is not None
    done = db.restore(daily, odd_folder)  # the database with two enterprises is kept aside first
    assert done.kept is not None and backup.check_file(done.kept) >= 1
    con = sqlite3.connect(odd_folder)
    try:
        assert con.execute("SELECT count(*) FROM enterprise").fetchone()[0] == 1
    finally:
        con.close()


# ------------------------------------------------------------------ network shares
@pytest.mark.parametrize("path, windows, expected", [
    ("\\\\fileserver\\质监\\office.db", True, True),
    ("//fileserver/share/office.db", True, True),
    ("\\\\?\\UNC\\fileserver\\share\\office.db", True, True),
    ("\\\\?\\C:\\Users\\林\\office.db", True, False),
    ("\\\\fileserver\\share\\office.db", False, True),
])
def test_unc_paths_are_network_paths(path, windows, expected, monkeypatch):
    from desktop.store import volumes

    monkeypatch.setattr(volumes, "windows_drive_type", lambda root: 3)  # DRIVE_FIXED
    assert volumes.is_network(path, windows=windows) is expected


def test_a_mapped_network_drive_is_a_network_path(monkeypatch):
    from desktop.store import volumes

    asked = []
    monkeypatch.setattr(volumes, "windows_drive_type", lambda root: asked.append(root) or (4 if root == "Z:\\" else 3))
    assert volumes.is_network("Z:\\奖补\\office.db", windows=True)
    assert not volumes.is_network("C:\\Users\\林\\Documents\\office.db", windows=True)
    assert asked == ["Z:\\", "C:\\"]


def test_linux_nfs_and_cifs_mounts_are_network_paths(tmp_path):
    from desktop.store import volumes

    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/sda1 / ext4 rw 0 0\n//srv/share /mnt/share cifs rw 0 0\n"
                      "srv:/export /mnt/nfs\\040data nfs4 rw 0 0\n", "utf-8")
    assert volumes.is_network("/mnt/share/office.db", windows=False, mounts=str(mounts))
    assert volumes.is_network("/mnt/nfs data/office.db", windows=False, mounts=str(mounts))
    assert not volumes.is_network("/mnt/sharedisk/office.db", windows=False, mounts=str(mounts))
    assert not volumes.is_network("/home/lin/office.db", windows=False, mounts=str(mounts))


def test_a_database_on_a_network_share_is_refused_with_advice_and_nothing_written(tmp_path, monkeypatch):
    from desktop.store import db, volumes

    share = tmp_path / "share"
    share.mkdir()
    monkeypatch.setattr(volumes, "is_network", lambda path, **kw: str(path).startswith(str(share)))
    with pytest.raises(StdAwardError) as err:  # creating one there
        db.open_db(share / "office.db")
    assert str(share / "office.db") in str(err.value) and "network drive" in str(err.value)
    assert "copy the file to this computer's disk" in str(err.value)
    assert list(share.iterdir()) == []  # no database, lock or journal left behind
    local = tmp_path / "local.db"
    db.open_db(local, auto_backup=False)
    db.close_db()
    (share / "office.db").write_bytes(local.read_bytes())
    for opener in (db.open_db, db.open_quick):  # opening an existing one, the full way and the GUI's quick start
        with pytest.raises(StdAwardError, match="network drive"):
            opener(share / "office.db")
    with pytest.raises(StdAwardError, match="network drive"):
        db.restore(local, share / "office.db")
    assert sorted(p.name for p in share.iterdir()) == ["office.db"]
    assert (share / "office.db").read_bytes() == local.read_bytes()
    monkeypatch.setenv("STDAWARD_ALLOW_NETWORK_DB", "1")  # an administrator's explicit choice
    db.open_db(share / "office.db", auto_backup=False)
    db.close_db()


# ------------------------------------------------------------------ the settings file is not desktop.ini
def test_settings_move_out_of_desktop_ini_once_and_an_explorer_one_is_left_alone(tmp_path, monkeypatch):
    from desktop.ui import settings

    data = tmp_path / "data"
    data.mkdir()
    (data / "desktop.ini").write_text("[files]\nfolder=D:/奖补/2026\n\n[window]\nview=awards\n", "utf-8")
    monkeypatch.setattr(settings, "_store", None)
    assert settings.LAST_FOLDER.get() == "D:/奖补/2026" and settings.LAST_VIEW.get() == "awards"
    assert not (data / "desktop.ini").exists() and (data / "settings.ini").is_file()
    settings.LAST_VIEW.set("rounds")
    assert "view=rounds" in (data / "settings.ini").read_text("utf-8")
    assert not (data / "desktop.ini").exists()  # QSettings writes the new name only

    other = tmp_path / "other"
    other.mkdir()
    explorer = "[.ShellClassInfo]\nIconResource=C:\\Windows\\System32\\imageres.dll,-3\n"
    (other / "desktop.ini").write_text(explorer, "utf-8")
    assert settings.settings_file(other) == other / "settings.ini"
    assert (other / "desktop.ini").read_text("utf-8") == explorer and not (other / "settings.ini").exists()


# ------------------------------------------------------------------ saving over a PDF open in a reader
def _reader_holds(target):
    """os.replace as Windows does it when a PDF reader has ``target`` open: access denied."""
    import errno

    real = os.replace

    def replace(src, dst):
        if os.path.abspath(dst) == os.path.abspath(target):
            raise PermissionError(errno.EACCES, "Access is denied", str(src), 5, str(dst))
        return real(src, dst)
    return replace


def test_saving_over_a_pdf_open_in_the_reader_says_close_it_and_keeps_the_old_file(tmp_path, monkeypatch, capsys):
    from desktop import cli
    from desktop.notices import notice

    out = tmp_path / "政策 #1.pdf"
    out.write_bytes(b"%PDF-1.4 the copy the officer is reading")
    monkeypatch.setattr(notice.os, "replace", _reader_holds(out))
    assert cli.main(["policy-print", "putian-chengxiang-2021", "--out", str(out)]) == cli.EXIT_FAIL
    err = capsys.readouterr().err
    assert str(out) in err and "Close it in the PDF reader and try again" in err and "Unexpected" not in err
    assert out.read_bytes() == b"%PDF-1.4 the copy the officer is reading"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_the_window_names_the_open_file_too_and_other_permission_errors_keep_their_advice(tmp_path):
    import errno

    from desktop.core import failures

    pdf, xlsx = tmp_path / "通知书.pdf", tmp_path / "汇总表.xlsx"
    pdf.write_bytes(b"%PDF")
    xlsx.write_bytes(b"PK")
    held = PermissionError(errno.EACCES, "Access is denied", str(tmp_path / ".通知书.pdf.1.part"), 5, str(pdf))
    assert failures.classify(held) == (failures.IN_USE, str(pdf))
    assert "Close it in the PDF reader" in failures.message(*failures.classify(held))  # type: ignore[misc]
    sharing = OSError(errno.EACCES, "The process cannot access the file", str(xlsx))
    sharing.winerror = 32  # type: ignore[attr-defined]
    kind, file = failures.classify(sharing)  # type: ignore[misc]
    assert kind == failures.IN_USE and "Excel" in failures.message(kind, file)
    folder = PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "new.pdf"))  # no such file yet
    assert failures.classify(folder) == (failures.PERMISSION, str(tmp_path / "new.pdf"))
    pytest.importorskip("pytestqt")
    from desktop.ui.tasks import error_text

    assert error_text(held) == failures.message(failures.IN_USE, str(pdf)) and "Unexpected" not in error_text(held)
