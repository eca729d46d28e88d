"""Every view (and the payments dialog) on the demo office in zh_CN shows no English in its own
words: labels, buttons, tab titles, column headers, placeholders, group titles and drop-down items.
The office's data may hold English (a standard's title); the program's chrome may not. A text whose
translation waits in i18n/pending (merged into the catalogues by the lead) is named separately."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

ROOT = Path(__file__).resolve().parents[1]
# Latin words an officer reads on a Chinese screen as they are: standard prefixes, key names, formats.
ALLOWED = {"GB", "Ctrl", "Shift", "Excel", "YYYY", "MM", "DD", "ext", "AAAA", "TC", "SC", "WG", "PDF", "QR",
           "USB", "xlsx", "stdpkg", "stdaward", "backup", "StdAward", "ttc", "ttf", "uming", "ukai", "root", "demo",
           "Ed25519", "SHA", "UUID"}
WORD = re.compile(r"[A-Za-z][A-Za-z]{2,}")


def english_words(text: str) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", text)  # rich text: the tags are no words
    text = re.sub(r"\S*[/\\]\S*", " ", text)  # paths and standard numbers (GB/T 12345)
    return [w for w in WORD.findall(text) if w not in ALLOWED]


def chrome_texts(widget) -> list[str]:
    """The program's own words on ``widget`` and its children (not the rows of its tables)."""
    from desktop.ui.qt import (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QGroupBox,
        QLabel,
        QLineEdit,
        QModelIndex,
        Qt,
        QTabWidget,
        QTextBrowser,
    )

    texts: list[str] = []
    for w in [widget, *widget.findChildren(QLabel), *widget.findChildren(QAbstractButton),
              *widget.findChildren(QLineEdit), *widget.findChildren(QGroupBox), *widget.findChildren(QTabWidget),
              *widget.findChildren(QAbstractItemView), *widget.findChildren(QComboBox),
              *widget.findChildren(QTextBrowser)]:
        if not w.isVisibleTo(widget):
            continue
        if isinstance(w, QLabel):
            texts.append(w.text())
        elif isinstance(w, QAbstractButton):
            texts += [w.text(), w.toolTip()]
        elif isinstance(w, QLineEdit):
            texts.append(w.placeholderText())
        elif isinstance(w, QGroupBox):
            texts.append(w.title())
        elif isinstance(w, QTabWidget):
            texts += [w.tabText(i) for i in range(w.count())]
        elif isinstance(w, QAbstractItemView) and w.model() is not None and hasattr(w, "horizontalHeader"):
            m = w.model()
            texts += [str(m.headerData(c, Qt.Orientation.Horizontal) or "") for c in range(m.columnCount(QModelIndex()))]
        elif isinstance(w, QTextBrowser):  # the headings are the program's; the paragraphs are the data's
            texts += [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h3[^>]*>(.*?)</h3>", w.toHtml(), re.S)]
        elif isinstance(w, QComboBox) and not w.isEditable():
            texts += [w.itemText(i) for i in range(w.count()) if w.itemData(i) is None]  # "全部…" choices
    return [t for t in texts if t]


@pytest.fixture
def demo_window(tmp_path, qtbot):
    from desktop.core import i18n
    from desktop.operations import records
    from desktop.operations.session import Session
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow

    s = Session.open(tmp_path / "demo.db")
    records.install_demo(s)
    i18n.set_locale("zh_CN")
    make_app()
    ctx = AppContext(tmp_path / "demo.db")
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    yield win
    ctx.tasks.wait()
    win.close()
    i18n.set_locale("en")
    s.close()


def pending_msgids() -> set[str]:
    out: set[str] = set()
    for f in (ROOT / "i18n" / "pending").glob("*.json"):
        out |= set(json.loads(f.read_text("utf-8")))
    return out


def test_no_english_in_the_programs_own_words_on_a_chinese_screen(demo_window, qtbot):
    from desktop.ui.views import VIEWS
    from desktop.ui.views.payments import PaymentsDialog

    found: dict[str, list[str]] = {}
    waiting = pending_msgids()
    for spec in VIEWS:
        view = demo_window.show_view(spec.name)
        if view is None:
            continue
        assert demo_window.ctx.tasks.wait()
        qtbot.wait(1)
        for text in chrome_texts(demo_window):
            if text not in waiting and english_words(text):
                found.setdefault(spec.name, []).append(text)
    dlg = PaymentsDialog(demo_window.ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    assert demo_window.ctx.tasks.wait()
    for text in chrome_texts(dlg):
        if text not in waiting and english_words(text):
            found.setdefault("payments", []).append(text)
    assert found == {}


def test_the_check_reads_labels_buttons_headers_and_headings(qtbot):
    from desktop.ui.app import make_app
    from desktop.ui.qt import QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

    make_app()
    w = QWidget()
    qtbot.addWidget(w)
    lay = QVBoxLayout(w)
    browser = QTextBrowser()
    browser.setHtml("<h3>Funds</h3><p>Audio/video, information and communication technology</p>")
    for child in (QLabel("企业"), QPushButton("Save"), browser):
        lay.addWidget(child)
    w.show()
    flagged = [t for t in chrome_texts(w) if english_words(t)]
    assert flagged == ["Save", "Funds"]  # the paragraph is data, not the program's words


def test_the_check_sees_english_and_lets_codes_pass():
    assert english_words("Funds") == ["Funds"]
    assert english_words("按名称搜索…（Ctrl+F）") == []
    assert english_words("GB/T 12345-2024 · 自动（uming.ttc）") == []
    assert english_words("<h3>资金</h3>") == []
