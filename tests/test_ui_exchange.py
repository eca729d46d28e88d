"""Exchange in the window (offscreen): the import dialog shows the dry run's summary (new, updated,
unchanged, conflicts, rejected) and a conflict side by side, changes nothing until Import, and then
applies the officer's choice; the export dialog refuses differing passphrases and writes a package."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.test_exchange import _both_sides_changed, city, county, export, using


@pytest.fixture
def ctx(qtbot):
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext

    make_app()
    c = AppContext()
    yield c
    c.tasks.wait()


def test_import_dialog_shows_the_dry_run_then_applies_the_choice(tmp_path, ctx, qtbot):
    from desktop.exchange.importer import TAKE_THEIRS
    from desktop.store.models import Achievement
    from desktop.ui.views.exchange import ImportDialog

    dst, pkg = _both_sides_changed(tmp_path)
    with using(dst):
        ctx.db_path = dst
        dlg = ImportDialog(ctx, pkg)
        qtbot.addWidget(dlg)
        dlg.check()
        assert ctx.tasks.wait()
        assert dlg.plan is not None and dlg.import_btn.isEnabled()
        counts = dlg.counts.text()
        for word in ("New: 0", "Unchanged:", "Conflicts: 1", "Rejected: 0"):
            assert word in counts
        assert "Nothing has changed yet" in dlg.message.text()
        assert dlg.conflicts.count() == 1 and dlg.sides.rowCount() >= 1 and dlg.conflict_panel.isVisibleTo(dlg)
        records = [dlg.tree.topLevelItem(i).child(j) for i in range(dlg.tree.topLevelItemCount())
                   for j in range(dlg.tree.topLevelItem(i).childCount())]
        assert records and all(r.toolTip(0) == r.text(0) for r in records)  # a long name cut at the edge: whole on hover
        row = next(r for r in range(dlg.sides.rowCount()) if dlg.sides.item(r, 0).text() == "rank")
        assert (dlg.sides.item(row, 1).text(), dlg.sides.item(row, 2).text()) == ("3", "2")
        assert Achievement.get(Achievement.source_id == "s1").rank == 3  # the dry run changed nothing
        dlg.take_rb.setChecked(True)
        assert list(dlg.resolutions.values()) == [TAKE_THEIRS]
        dlg.apply()
        assert ctx.tasks.wait()
        assert dlg.result.applied["taken_theirs"] == 1
        assert Achievement.get(Achievement.source_id == "s1").rank == 2


def test_import_dialog_names_an_untrusted_package(tmp_path, ctx, qtbot):
    from desktop.ui.views.exchange import ImportDialog

    src, _card = county(tmp_path)
    dst = city(tmp_path)  # the county's key is not registered
    pkg = export(src, tmp_path / "1.stdpkg").path
    with using(dst):
        ctx.db_path = dst
        dlg = ImportDialog(ctx, pkg)
        qtbot.addWidget(dlg)
        dlg.check()
        assert ctx.tasks.wait()
        assert dlg.message.kind == "error" and dlg.message.text()
        assert not dlg.import_btn.isEnabled()


def test_export_dialog(tmp_path, ctx, qtbot):
    from desktop.exchange.package import read_package
    from desktop.ui.views.exchange import ExportDialog

    src, _card = county(tmp_path)
    with using(src):
        ctx.db_path = src
        dlg = ExportDialog(ctx)
        qtbot.addWidget(dlg)
        dlg.folder.setText(str(tmp_path))
        dlg.passphrase.setText("stick secret")
        dlg.repeat.setText("stick secre")
        dlg.export()
        assert "differ" in dlg.message.text() and dlg.result_info is None
        dlg.repeat.setText("stick secret")
        dlg.export()
        assert ctx.tasks.wait()
        out = dlg.result_info.path
        assert out.exists() and out.suffix == ".stdpkg" and dlg.result_info.encrypted
    assert read_package(out, passphrase="stick secret").manifest["counts"]["achievements"] == 2


def test_cancelling_an_export_in_the_window_says_cancelled_and_writes_nothing(tmp_path, qtbot, monkeypatch):
    """Cancel pressed while the package is being packed: the status bar says it was cancelled, no
    error box opens, and the stick holds no package (nor a part file), the log no entry."""
    import threading

    from desktop.exchange import package as pkgmod
    from desktop.store.models import PackageLog
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow
    from desktop.ui.qt import QApplication
    from desktop.ui.views.exchange import ExportDialog

    src, _card = county(tmp_path)
    stick = tmp_path / "stick"
    stick.mkdir()
    packing, go_on = threading.Event(), threading.Event()
    real_build = pkgmod.build

    def build_after_cancel(*args, **kwargs):
        packing.set()
        go_on.wait()  # until the officer has pressed Cancel
        return real_build(*args, **kwargs)

    monkeypatch.setattr(pkgmod, "build", build_after_cancel)
    make_app()
    with using(src):
        ctx = AppContext(src)
        win = MainWindow(ctx)
        qtbot.addWidget(win)
        win.show()
        dlg = ExportDialog(ctx, win)
        qtbot.addWidget(dlg)
        dlg.folder.setText(str(stick))
        dlg.export()
        assert packing.wait(60)
        (task,) = ctx.tasks._active
        task.dialog.canceled.emit()  # what the progress dialog's Cancel button sends
        go_on.set()
        assert ctx.tasks.wait()
        assert "Cancelled" in win.statusBar().currentMessage()
        assert not [w for w in QApplication.topLevelWidgets() if w.objectName() == "errorBox" and w.isVisible()]
        assert dlg.result_info is None and dlg.message.kind != "error" and "no package" in dlg.message.text()
        assert list(stick.iterdir()) == [] and PackageLog.select().count() == 0
        win.close()


def test_a_reviewer_may_check_a_package_but_not_import_it(tmp_path, ctx, qtbot):
    from desktop.operations.session import Actor
    from desktop.store.models import Achievement
    from desktop.ui.views.exchange import ImportDialog

    src, card = county(tmp_path)
    dst = city(tmp_path, card)
    pkg = export(src, tmp_path / "1.stdpkg").path
    with using(dst):
        ctx.db_path = dst
        ctx.set_user(Actor("wang", "王建国", "reviewer"))
        dlg = ImportDialog(ctx, pkg)
        qtbot.addWidget(dlg)
        dlg.check()
        assert ctx.tasks.wait()
        assert dlg.plan is not None and dlg.plan.counts()["new"] > 0  # the dry run shows what would come
        assert not dlg.import_btn.isEnabled() and "clerk or an administrator" in dlg.message.text()
        dlg.apply()  # even if asked directly, the operation refuses
        assert ctx.tasks.wait()
        assert dlg.result is None and "may not import a package" in dlg.message.text()
        assert Achievement.select().count() == 0


def test_the_exchange_view_offers_what_the_role_may_do(tmp_path, ctx, qtbot):
    from desktop.operations.session import Actor
    from desktop.ui.views.exchange import ExchangeView

    dst = city(tmp_path)
    with using(dst):
        ctx.db_path = dst
        view = ExchangeView(ctx)
        qtbot.addWidget(view)
        view.show()
        offered = {}
        for role in ("clerk", "reviewer", "admin"):
            ctx.set_user(Actor("u1", "李一", role))  # the view refreshes for the user who signed in
            offered[role] = (view.export_btn.isEnabled(), view.import_btn.isEnabled(), view.register_btn.isEnabled())
        assert offered == {"clerk": (True, True, False), "reviewer": (True, False, False),
                           "admin": (True, True, True)}


def test_a_registered_county_is_listed_with_its_region_named_in_full(tmp_path, ctx, qtbot):
    """The city's list of registered counties shows the region's name (福建省莆田市城厢区) whole, not
    cut to "福建省莆…" in a column sized for a six-digit code; a county not yet heard from has no
    last package number (not 0)."""
    from desktop.core import regions
    from desktop.ui.views.exchange import ExchangeView

    _src, card = county(tmp_path)
    dst = city(tmp_path, card)
    regions.region_name("350302")  # the table read, as the window reads it when it starts
    with using(dst):
        ctx.db_path = dst
        view = ExchangeView(ctx)
        qtbot.addWidget(view)
        view.resize(1200, 700)
        view.show()
        qtbot.waitUntil(lambda: view.offices_model.rowCount() == 1)
        region = view.offices_model.index(0, 1).data()
        assert region == "福建省莆田市城厢区"
        needed = view.offices.fontMetrics().horizontalAdvance(region)
        width = view.offices.columnWidth(1)
        assert width > needed and width >= view.offices.sizeHintForColumn(1), (width, needed)
        assert view.offices_model.index(0, 3).data() in ("", "-")


def test_the_consolidation_report_names_its_total_in_yuan(tmp_path, ctx, qtbot, monkeypatch):
    """The message after saving the report gives the total as money (¥…, with the thousands marked),
    as every other amount on screen, not a bare 761000.00."""
    from desktop.ui.qt import QFileDialog
    from desktop.ui.views.exchange import ExchangeView

    src, card = county(tmp_path)
    dst = city(tmp_path, card)
    out = tmp_path / "report.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    with using(dst):
        ctx.db_path = dst
        view = ExchangeView(ctx)
        qtbot.addWidget(view)
        view.consolidation()
        assert ctx.tasks.wait()
        text = view.message.text()
        assert out.exists() and str(out) in text, text
        assert "total ¥0.00," in text, text
