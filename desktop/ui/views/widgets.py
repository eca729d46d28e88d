"""Small widgets shared by the round, notice, target, policy and exchange views.

``MessageBar``: a line at the top of a view that says what just happened or why something was
refused (red for errors, green for done, neutral for hints), without a modal box in the way.
``flag_icon()`` / ``info_icon()``: the icons used next to flagged lines and notes.
``confirm()``: a non-blocking question before a step that cannot be taken back.
``TitleComboBox``: a drop-down of long titles (policies) shortened in the middle rather than cut off.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from desktop.core.i18n import _
from desktop.ui import qt
from desktop.ui.qt import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QIcon,
    QLabel,
    Qt,
    QToolButton,
    QWidget,
    is_alive,
    qconnect,
)

if TYPE_CHECKING:
    from desktop.ui.qt import QMessageBox, QStyle, QStyleOptionComboBox

# QStyle, QMessageBox and the combo box's painting classes are looked up when first used (``qt.X``):
# the first screen uses none of them, and making their Python classes (QStyle's many enums) cost
# ~7 ms of every start.

STYLES = {"error": "background:#fdecea; color:#8c1d18; border:1px solid #f1b0aa;",
          "ok": "background:#e8f5e9; color:#1b5e20; border:1px solid #a5d6a7;",
          "info": "background:#eef3fb; color:#1f3b63; border:1px solid #b9cbe8;"}
FLAG_BACKGROUND = "#fff4d6"
OPEN_BACKGROUND = "#e8f0fe"
MUTED_TEXT = "#6b6b6b"


class MessageBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.label, 1)
        close = QToolButton(self)
        close.setAutoRaise(True)
        close.setText("×")
        qconnect(close.clicked, self.clear)
        lay.addWidget(close)
        self.kind = ""
        self.setVisible(False)

    def show_message(self, text: str, kind: str = "info") -> None:
        self.kind = kind
        self.setStyleSheet(f"#messageBar {{{STYLES[kind]} border-radius:4px;}} QLabel {{border:none; background:transparent;}}")
        self.label.setText(text)
        self.setVisible(bool(text))

    def error(self, text: str) -> None:
        self.show_message(text, "error")

    def ok(self, text: str) -> None:
        self.show_message(text, "ok")

    def info(self, text: str) -> None:
        self.show_message(text, "info")

    def text(self) -> str:
        return self.label.text()

    def clear(self) -> None:
        self.kind = ""
        self.label.setText("")
        self.setVisible(False)


def _std_icon(which: QStyle.StandardPixmap) -> QIcon:
    return QApplication.style().standardIcon(which)


def flag_icon() -> QIcon:
    return _std_icon(qt.QStyle.StandardPixmap.SP_MessageBoxWarning)


def info_icon() -> QIcon:
    return _std_icon(qt.QStyle.StandardPixmap.SP_MessageBoxInformation)


# what a window's title bar and frame take beyond its own size (a little more than Windows' own)
FRAME_ROOM = 48


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Give ``widget`` its default size, no larger than the room on its screen (a 1366×768 laptop has
    about 720 px of height under the taskbar): a taller window would hide its buttons below the screen's
    edge, where the officer cannot reach them."""
    screen = widget.screen()
    if screen is not None:
        room = screen.availableGeometry()
        width, height = min(width, room.width() - FRAME_ROOM // 3), min(height, room.height() - FRAME_ROOM)
    widget.resize(width, height)


def bold(label: QLabel, scale: float = 1.0) -> QLabel:
    f = label.font()
    f.setBold(True)
    if scale != 1.0:
        f.setPointSizeF(f.pointSizeF() * scale)
    label.setFont(f)
    return label


class TableViewMixin:
    """The View protocol for a view whose main table is ``self.tableview`` and whose search box is
    ``self.search``: Export table (Ctrl+E), Find (Ctrl+F) and remembered column widths."""

    tableview = None
    search = None

    def table(self):
        return self.tableview

    def search_box(self):
        return self.search

    def save_state(self) -> None:
        from desktop.ui.tablemodel import save_header

        save_header(self.tableview, getattr(self, "header_key", self.name))  # type: ignore[attr-defined]


def close_form(form: Any, unchanged: bool) -> None:
    """Cancel, Esc or the window's × on a record's form (``form.reject``): a form with something typed
    in it asks before it is thrown away (an Esc meant for a drop-down must not lose ten filled fields),
    keeping it being the default; a saved or untouched form closes at once. The form keeps the box
    it shows in ``confirmation`` and what it saved in ``saved``."""
    from desktop.ui.qt import QDialog

    if form.confirmation is not None:
        return
    if form.saved is not None or unchanged:
        QDialog.reject(form)
        return
    confirm(form, _("Close the form"), _("Close without saving? What was typed in this form will be lost."),
            _("Discard what was typed"), lambda: QDialog.reject(form))


def confirm(parent: QWidget, title: str, text: str, ok_text: str, on_ok: Callable[[], None],
            detail: str = "") -> QMessageBox:
    """Ask before a step that cannot be taken back (issuing numbers, submitting, approving), without
    blocking: the box opens window-modal and ``on_ok`` runs only when ``ok_text`` is pressed. The safe
    answer (Cancel) is the default button and what Esc gives. The open box is kept on
    ``parent.confirmation`` until answered.

    An answered box is hidden, not deleted on close: ``on_ok`` may close ``parent`` itself (the review
    dialog's 批准 ends its ``exec()``), and deleting the box then, while that dialog's own loop
    unwinds, crashed the program after an approval. It is deleted when ``parent`` asks again, or
    with ``parent``."""
    earlier = getattr(parent, "_answered_confirmation", None)
    if earlier is not None and is_alive(earlier):
        earlier.deleteLater()
    QMessageBox = qt.QMessageBox  # noqa: N806 - the Qt class
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("confirmation")
    if detail:
        box.setInformativeText(detail)
    ok = box.addButton(ok_text, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)

    def answered(button: object) -> None:
        parent.confirmation = None  # type: ignore[attr-defined]
        parent._answered_confirmation = box  # type: ignore[attr-defined]
        if button is ok:
            on_ok()
    qconnect(box.buttonClicked, answered)
    parent.confirmation = box  # type: ignore[attr-defined]
    box.open()
    return box


class TitleComboBox(QComboBox):
    """A drop-down of long titles (a policy's 公文 title and 文号): it asks for the whole title's width
    and takes what the row leaves; when that is less, the title shown is shortened in the middle
    (the start and the 文号 stay readable) instead of being cut off at the right, its tooltip holds the
    whole title, and the open list shows every title whole."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from desktop.ui.qt import QSizePolicy

        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setMinimumContentsLength(12)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        qconnect(self.currentIndexChanged, lambda _i: self.setToolTip(self.currentText()))

    def minimumSizeHint(self):  # noqa: N802 - Qt name
        """Small enough to give way on a narrow screen (the title is then shortened, not clipped)."""
        hint = super().minimumSizeHint()
        hint.setWidth(min(hint.width(), self.fontMetrics().averageCharWidth() * 12 + 40))
        return hint

    def _option(self) -> tuple[QStyleOptionComboBox, int]:
        opt = qt.QStyleOptionComboBox()
        self.initStyleOption(opt)
        field = self.style().subControlRect(qt.QStyle.ComplexControl.CC_ComboBox, opt,
                                            qt.QStyle.SubControl.SC_ComboBoxEditField, self)
        return opt, field.width()

    def shown_text(self) -> str:
        """The current title as painted: whole, or shortened in the middle with "…"."""
        _opt, width = self._option()
        text = self.currentText() if self.currentIndex() >= 0 else self.placeholderText()  # none chosen yet
        return self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideMiddle, width)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt name
        painter = qt.QStylePainter(self)
        opt, _width = self._option()
        painter.drawComplexControl(qt.QStyle.ComplexControl.CC_ComboBox, opt)
        opt.currentText = self.shown_text()
        painter.drawControl(qt.QStyle.ControlElement.CE_ComboBoxLabel, opt)

    def showPopup(self) -> None:  # noqa: N802 - Qt name
        view = self.view()
        view.setTextElideMode(Qt.TextElideMode.ElideNone)
        screen = self.screen().availableGeometry().width() if self.screen() is not None else 1024
        view.setMinimumWidth(min(view.sizeHintForColumn(0) + 32, screen - 40))
        super().showPopup()
