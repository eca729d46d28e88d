"""Buttons whose words say what they do on a Chinese screen: the notice verification dialog's button
verifies (核验); it read 「核查项」, a report column's heading ("Check" as a noun), where an officer
expects the verb."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

ROOT = Path(__file__).resolve().parents[1]


def zh_cn(text: str) -> str:
    """The words a zh_CN screen shows for ``text``: the catalogue's."""
    from desktop.core.i18n import load

    return load("zh_CN").gettext(text)


@pytest.fixture
def chinese(db):
    from desktop.core import i18n

    i18n.set_locale("zh_CN")
    yield
    i18n.set_locale("en")


def test_the_verify_dialogs_button_says_verify(chinese, qtbot, db):
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.views.verify_dialog import VerifyNoticeDialog

    make_app()
    dlg = VerifyNoticeDialog(AppContext(db))
    qtbot.addWidget(dlg)
    words = zh_cn(dlg.check_btn.text())
    assert words == "核验"
    assert "项" not in words  # not the noun of the consolidation report's column


def test_the_merge_dialog_says_what_the_number_after_the_credit_code_counts(chinese, qtbot):
    """Each record offered for a merge read 「福建聚龙电子科技股份有限公司 · 913503020793379167 · 4」: a
    bare 4 after the credit code, which the officer must guess is the record's achievements."""
    from desktop.ui.views.enterprise_dialog import MergeDialog

    rows = [{"id": 1, "name": "福建聚龙电子科技股份有限公司", "uscc": "913503020793379167", "achievements": 4},
            {"id": 2, "name": "福建聚龙电子科技股份公司", "uscc": "91350302MA2Y0KXQ4Q", "achievements": 0}]
    dlg = MergeDialog(rows, rows)
    qtbot.addWidget(dlg)
    kept = dlg.keep.currentText()
    assert not kept.endswith("· 4"), kept
    assert zh_cn("{name} · {code} · {n} achievements").format(
        name="福建聚龙电子科技股份有限公司", code="913503020793379167", n=4) == "福建聚龙电子科技股份有限公司 · 913503020793379167 · 4 项成果"
    assert kept == "福建聚龙电子科技股份有限公司 · 913503020793379167 · 4 项成果"


def button_msgids_of_every_view(qtbot, tmp_path) -> dict[str, str]:
    """{text: view} of the buttons on every view of the demo office, in the catalogue's own words
    (English: the msgids)."""
    from desktop.operations import records
    from desktop.operations.session import Session
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow
    from desktop.ui.qt import QAbstractButton
    from desktop.ui.views import VIEWS

    s = Session.open(tmp_path / "demo.db")
    records.install_demo(s)
    make_app()
    ctx = AppContext(tmp_path / "demo.db")
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    found: dict[str, str] = {}
    for spec in VIEWS:
        view = win.show_view(spec.name)
        assert ctx.tasks.wait()
        for b in view.findChildren(QAbstractButton):
            if b.text():
                found[b.text()] = spec.name
    win.close()
    s.close()
    return found


def test_a_button_that_opens_a_window_ends_in_three_dots_everywhere(qtbot, tmp_path):
    """「打印政策…」 stood beside 「制定本地实施细则...」 and 「对比两项政策...」, 「通知书措辞…」 under 「保存单位
    信息」: two ellipses for the same promise (a window opens), side by side."""
    found = button_msgids_of_every_view(qtbot, tmp_path)
    assert "Print the policy..." in found and "Notice wording..." in found
    assert [t for t in found if t.endswith("…")] == []
    for msgid in ("Print the policy...", "Notice wording...", "Wording of the publicity list and the letters...",
                  "Choose a folder..."):
        assert zh_cn(msgid).endswith("...") and not zh_cn(msgid).endswith("…"), msgid
