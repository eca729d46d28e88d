"""Before an export is written, the dialog says how many evidence files (not sent before) the
package will carry and how many MB, and the free space in the chosen folder; a stick too small is
said before anything is written, and the export itself then refuses."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from tests.test_exchange import county, using

SCAN = os.urandom(3 << 20)  # a 3 MB scanned certificate (random: no compression makes it smaller)


@pytest.fixture
def ctx(qtbot):
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext

    make_app()
    c = AppContext()
    yield c
    c.tasks.wait()


def _attach(path: Path, tmp_path: Path) -> None:
    from desktop.operations import records
    from desktop.operations.session import Session
    from desktop.store.models import Achievement

    (tmp_path / "证书.pdf").write_bytes(SCAN)
    (tmp_path / "照片.png").write_bytes(SCAN[: 1 << 20])
    with Session.open(path, auto_backup=False, check=False) as s:
        s1 = Achievement.get(Achievement.source_id == "s1").get_id()
        p1 = Achievement.get(Achievement.source_id == "p1").get_id()
        records.attach_evidence(s, s1, tmp_path / "证书.pdf")
        records.attach_evidence(s, p1, tmp_path / "证书.pdf")  # the same file twice travels once
        records.attach_evidence(s, p1, tmp_path / "照片.png")


def _preview(dlg, ctx) -> str:
    dlg.update_preview()
    assert ctx.tasks.wait()
    return dlg.evidence.text()


def test_the_export_dialog_says_the_evidence_size_and_a_full_stick_before_writing(tmp_path, ctx, qtbot, monkeypatch):
    import shutil
    from collections import namedtuple

    from desktop.store.models import PackageLog
    from desktop.ui.views.exchange import ExportDialog

    path, _card = county(tmp_path)
    _attach(path, tmp_path)
    small, big = tmp_path / "small-stick", tmp_path / "big-stick"
    small.mkdir()
    big.mkdir()
    real = shutil.disk_usage
    usage = namedtuple("usage", "total used free")

    def disk_usage(p):
        return usage(2 << 20, 1 << 20, 1 << 20) if Path(p) == small else real(p)

    monkeypatch.setattr(shutil, "disk_usage", disk_usage)
    with using(path):
        ctx.db_path = path
        dlg = ExportDialog(ctx)
        qtbot.addWidget(dlg)
        text = _preview(dlg, ctx)
        assert "2 evidence files not sent before (4.0 MB)" in text and "Choose the folder" in text
        assert dlg.message.kind != "error"

        dlg.folder.setText(str(small))
        text = _preview(dlg, ctx)
        assert "Free space in the folder: 1.0 MB" in text
        assert dlg.message.kind == "error" and "1.0 MB free, it needs 4.0 MB" in dlg.message.text()
        dlg.export()  # pressed anyway: refused, nothing on the stick, no number used
        assert ctx.tasks.wait()
        assert dlg.result_info is None and "is full for this package" in dlg.message.text()
        assert list(small.iterdir()) == [] and PackageLog.select().count() == 0

        dlg.year_rb.setChecked(True)
        dlg.year.setValue(2019)  # a year with no achievement: no evidence, and it fits
        text = _preview(dlg, ctx)
        assert "No evidence file to carry" in text and dlg.message.kind != "error"
        assert "none is attached" in text and "sent before" not in text  # nothing was ever sent

        dlg.all_rb.setChecked(True)
        dlg.folder.setText(str(big))
        text = _preview(dlg, ctx)
        assert "2 evidence files" in text and dlg.message.kind != "error"  # the other stick has room
        dlg.export()
        assert ctx.tasks.wait()
        assert dlg.result_info is not None and dlg.result_info.evidence_files == 2

        again = ExportDialog(ctx)  # sent once: the next package carries none of them
        qtbot.addWidget(again)
        again.folder.setText(str(small))
        text = _preview(again, ctx)
        assert "No evidence file to carry: every one was sent before" in text and again.message.kind != "error"
