"""F1: a short built-in guide (resources/help/<language>.html) in a QTextBrowser, offline."""
from __future__ import annotations

from pathlib import Path

from desktop.core.i18n import _
from desktop.ui.qt import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget, qconnect


def help_file(language: str | None = None) -> Path | None:
    """The guide in ``language`` (zh_TW and en readers get the zh_CN text until theirs is written)."""
    from desktop.operations.quick import resources_dir

    folder = resources_dir() / "help"
    for name in (language, "zh_CN"):
        if name and (folder / f"{name}.html").is_file():
            return folder / f"{name}.html"
    return None


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, language: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helpDialog")
        self.setWindowTitle(_("StdAward help"))
        lay = QVBoxLayout(self)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(False)
        file = help_file(language)
        if file is None:
            self.browser.setPlainText(_("The help text is missing from this installation."))
        else:
            self.browser.setHtml(file.read_text("utf-8"))
        lay.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        qconnect(buttons.rejected, self.reject)
        lay.addWidget(buttons)
        self.resize(640, 560)
