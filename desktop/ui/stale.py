"""When another officer saved a record while this one had it open (``StaleRecord``): say who and
when in a box that does not block the window, and offer to reload the record as it is now."""
from __future__ import annotations

from collections.abc import Callable

from desktop.core.errors import StaleRecord
from desktop.core.i18n import _
from desktop.ui.qt import QMessageBox, QWidget, qconnect


def offer_reload(parent: QWidget, exc: StaleRecord, reload: Callable[[], None]) -> QMessageBox:
    """The non-blocking box (``open``): Reload calls ``reload``, Cancel leaves the form as it is (the
    officer may copy what they typed before reloading)."""
    box = QMessageBox(QMessageBox.Icon.Warning, _("Changed by someone else"), str(exc),
                      QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("staleRecordBox")
    again = box.addButton(_("Reload"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(again)

    def done(_result: int) -> None:
        if box.clickedButton() is again:
            reload()

    qconnect(box.finished, done)
    box.open()
    return box
