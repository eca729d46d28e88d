"""Settings: the language (live switch), the office profile (administrators), and the notice fonts
stored in ``Office.settings["fonts"]`` for the notice printer."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from desktop.core.errors import StaleRecord, StdAwardError
from desktop.core.i18n import N_, _, current_locale, set_locale
from desktop.ui import settings as options
from desktop.ui.forms import ProblemForm
from desktop.ui.qt import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    qconnect,
)
from desktop.ui.stale import offer_reload
from desktop.ui.tasks import error_text
from desktop.ui.views.base import View

LANGUAGES = (("zh_CN", "简体中文"), ("zh_TW", "繁體中文"), ("en", "English"))  # each in its own language
FONT_ROLES = {"body": N_("Body text (仿宋)"), "heading": N_("Title and header (小标宋 / 黑体)")}


def switch_language(ctx, locale: str) -> str:
    """Change the language now (every view retranslates) and remember it for the next start."""
    from desktop.ui.app import apply_language

    locale = set_locale(locale)
    options.LANGUAGE.set(locale)
    app = QApplication.instance()
    if app is not None:
        apply_language(app)
    ctx.language_changed.emit()
    return locale


class SettingsView(View):
    name = "settings"
    watches = ("office",)

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        outer = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        scroll.setWidget(body)
        outer.addWidget(scroll)
        lay = QVBoxLayout(body)

        self.lang_box = QGroupBox()
        lf = QFormLayout(self.lang_box)
        self.language = QComboBox()
        for code, label in LANGUAGES:
            self.language.addItem(label, code)
        self.lang_label = QLabel()
        lf.addRow(self.lang_label, self.language)
        lay.addWidget(self.lang_box)
        qconnect(self.language.currentIndexChanged, self._language_chosen)

        self.office_box = QGroupBox()
        ol = QVBoxLayout(self.office_box)
        self.form = ProblemForm()
        ol.addLayout(self.form)
        self.o: dict[str, QWidget] = {}
        for key in ("name", "region", "doc_prefix", "signatory"):
            self.o[key] = self.form.add(key, "", QLineEdit())
            qconnect(self.o[key].textChanged, lambda _t: self._validate_office())
        self.form.add_region_name("region")  # (filled in by refresh, once the office is read)
        self.o["policy"] = self.form.add("policy", "", QComboBox())
        self.o["role"] = self.form.add("role", "", QComboBox())  # county, or a city/province consolidating
        self.o["closes"] = self.form.add("closes", "", QLineEdit())  # the office closes the policy's validity
        self.o["closes"].setPlaceholderText("YYYY-MM-DD")
        self.save_office = QPushButton()
        qconnect(self.save_office.clicked, self._save_office)
        self.office_msg = QLabel()
        self.office_msg.setWordWrap(True)
        ol.addWidget(self.save_office)
        self.edit_wording = QPushButton()
        self.edit_wording.setObjectName("editNoticeWording")
        qconnect(self.edit_wording.clicked, self._edit_wording)
        ol.addWidget(self.edit_wording)
        ol.addWidget(self.office_msg)
        lay.addWidget(self.office_box)

        self.font_box = QGroupBox()
        fl = QFormLayout(self.font_box)
        self.fonts: dict[str, QComboBox] = {}
        self.font_labels: dict[str, QLabel] = {}
        for role in FONT_ROLES:
            self.fonts[role] = QComboBox()
            self.font_labels[role] = QLabel()
            fl.addRow(self.font_labels[role], self.fonts[role])
            qconnect(self.fonts[role].activated, lambda _i, r=role: self._font_chosen(r))
        self.font_msg = QLabel()
        self.font_msg.setWordWrap(True)
        fl.addRow(self.font_msg)
        lay.addWidget(self.font_box)

        # the 公示 step before notices (on unless switched off) and the office's own days off
        self.publicity_box = QGroupBox()
        self.publicity_box.setObjectName("publicitySettings")
        pf = QFormLayout(self.publicity_box)
        self.publicity_on = QCheckBox()
        self.publicity_reason = QLineEdit()
        self.days_off = QLineEdit()
        self.days_off.setPlaceholderText("2026-06-01, 2026-09-15")
        self.workdays = QLineEdit()
        self.workdays.setPlaceholderText("2026-06-06")
        self.refusal_prefix = QLineEdit()
        self.refusal_prefix.setObjectName("refusalPrefix")
        self.refusal_prefix.setPlaceholderText("城市监告")
        self.publicity_labels = [QLabel() for _i in range(4)]
        pf.addRow(self.publicity_on)
        pf.addRow(self.publicity_labels[0], self.publicity_reason)
        pf.addRow(self.publicity_labels[1], self.days_off)
        pf.addRow(self.publicity_labels[2], self.workdays)
        pf.addRow(self.publicity_labels[3], self.refusal_prefix)
        self.save_publicity = QPushButton()
        self.save_publicity.setObjectName("savePublicity")
        qconnect(self.save_publicity.clicked, self._save_publicity)
        self.publicity_msg = QLabel()
        self.publicity_msg.setWordWrap(True)
        pf.addRow(self.save_publicity)
        self.edit_public_wording = QPushButton()
        self.edit_public_wording.setObjectName("editPublicityWording")
        qconnect(self.edit_public_wording.clicked, self._edit_public_wording)
        pf.addRow(self.edit_public_wording)
        pf.addRow(self.publicity_msg)
        lay.addWidget(self.publicity_box)

        # a server database: the folder this PC writes the day's backup into (kept on this PC)
        self.backup_box = QGroupBox()
        self.backup_box.setObjectName("dailyBackup")
        bf = QFormLayout(self.backup_box)
        self.backup_about = QLabel()
        self.backup_about.setWordWrap(True)
        self.backup_folder = QLineEdit()
        self.backup_folder.setObjectName("dailyBackupFolder")
        self.choose_backup_folder = QPushButton()
        qconnect(self.choose_backup_folder.clicked, self._choose_backup_folder)
        self.save_backup_folder = QPushButton()
        self.save_backup_folder.setObjectName("saveDailyBackupFolder")
        qconnect(self.save_backup_folder.clicked, self._save_backup_folder)
        self.backup_msg = QLabel()
        self.backup_msg.setWordWrap(True)
        self.backup_label = QLabel()
        bf.addRow(self.backup_about)
        bf.addRow(self.backup_label, self.backup_folder)
        bf.addRow(self.choose_backup_folder)
        bf.addRow(self.save_backup_folder)
        bf.addRow(self.backup_msg)
        lay.addWidget(self.backup_box)
        lay.addStretch(1)
        self.retranslate()

    # ------------------------------------------------------------------ View protocol
    def retranslate(self) -> None:
        self.lang_box.setTitle(_("Language"))
        self.lang_label.setText(_("Language of the program"))
        self.office_box.setTitle(_("Office profile"))
        for key, label in (("name", _("Issuing authority")), ("region", _("Region code (GB/T 2260)")),
                           ("doc_prefix", _("Document number prefix")), ("signatory", _("Signatory")),
                           ("policy", _("Policy in force")), ("role", _("Role")),
                           ("closes", _("Apply the policy in force until (empty: as its text says)"))):
            self.form.set_label(key, label)
        self.save_office.setText(_("Save the office profile"))
        self.edit_wording.setText(_("Notice wording..."))
        self.font_box.setTitle(_("Notice fonts"))
        for role, label in FONT_ROLES.items():
            self.font_labels[role].setText(_(label))
        self.publicity_box.setTitle(_("Publicity (公示) before notices"))
        self.publicity_on.setText(_("Publicise each approved list before its notices are issued"))
        for lbl, text in zip(self.publicity_labels, (_("Why the step is switched off"), _("Local days off"),
                                                      _("Local working days"),
                                                      _("Document number prefix of the letters of refusal"))):
            lbl.setText(text)
        self.refusal_prefix.setToolTip(_("The letters of refusal are numbered in the office's register under this "
                                         "prefix, such as 城市监告〔2026〕1号; empty: they carry no document number"))
        self.edit_public_wording.setText(_("Wording of the publicity list and the letters..."))
        self.days_off.setToolTip(_("Dates the office is closed besides weekends and public holidays, comma-separated"))
        self.save_publicity.setText(_("Save the publicity settings"))
        self.backup_box.setTitle(_("Daily backup of the server database"))
        from desktop.operations.backups import kept

        self.backup_about.setText(_("The first PC of the day with a backup folder (or where an administrator signs "
                                    "in) makes the day's copy of the server database in the background; the other "
                                    "PCs find it made. The newest {n} are kept in the folder.").format(n=kept()))
        self.backup_label.setText(_("Backup folder on this PC"))
        self.backup_folder.setPlaceholderText(_("empty: only an administrator's PC makes it, in its backups folder"))
        self.choose_backup_folder.setText(_("Choose a folder..."))
        self.save_backup_folder.setText(_("Save the backup folder"))
        self.refresh()

    def refresh(self) -> None:
        self.language.blockSignals(True)
        self.language.setCurrentIndex(max(0, self.language.findData(current_locale())))
        self.language.blockSignals(False)
        office = self.ctx.office
        # the settings' version as shown: a save made by another officer since is refused (who, when)
        self._office_version = int(office.version) if office is not None else None
        if office is not None:
            from desktop.operations.measures import choices

            for key, attr in (("name", "name"), ("region", "region_code"), ("doc_prefix", "doc_prefix"),
                              ("signatory", "signatory")):
                self.o[key].blockSignals(True)
                self.o[key].setText(getattr(office, attr) or "")
                self.o[key].blockSignals(False)
            self.form.update_region_name("region")
            box: QComboBox = self.o["policy"]
            box.clear()
            box.addItem(_("(none)"), None)
            for pid, label in choices(self.ctx.session):
                box.addItem(label, pid)
            box.setCurrentIndex(max(0, box.findData(office.policy_id)))
            from desktop.core.labels import OFFICE_ROLE_LABELS, office_role_label

            role_box: QComboBox = self.o["role"]
            role_box.clear()
            for code in OFFICE_ROLE_LABELS:
                role_box.addItem(office_role_label(code), code)
            role_box.setCurrentIndex(max(0, role_box.findData(office.role or "county")))
            from desktop.operations.settings import policy_closings

            closes = policy_closings(self.ctx.session).get(office.policy_id or "")
            self.o["closes"].setText(closes.isoformat() if closes else "")
        from desktop.operations.roles import allowed

        admin = allowed(self.ctx.role, "office.settings")
        self.office_box.setEnabled(admin and office is not None)
        self.font_box.setEnabled(admin and office is not None)
        self.publicity_box.setEnabled(admin and office is not None)
        if office is not None:
            from desktop.operations import publicity

            current = publicity.settings(self.ctx.session)
            self.publicity_on.setChecked(current["required"])
            self.days_off.setText(", ".join(current["days_off"]))
            self.workdays.setText(", ".join(current["workdays"]))
            self.refusal_prefix.setText(current["refusal_prefix"])
        self._fill_backup_folder(admin)
        refused = _("Only an administrator changes the office profile.")
        if not admin:
            self.office_msg.setText(refused)
        elif self.office_msg.text() == refused:
            self.office_msg.setText("")
        self._fill_fonts()

    # ------------------------------------------------------------------ the daily backup (server)
    def _fill_backup_folder(self, admin: bool) -> None:
        from desktop.operations import backups

        session = self.ctx.session if self.ctx.db_path is not None else None
        shown = session is not None and backups.on_server(session)
        self.backup_box.setVisible(shown)
        if not shown:
            return
        folder = backups.daily_folder(session)
        self.backup_folder.setText(str(folder) if folder else "")
        self.backup_box.setEnabled(admin)

    def _choose_backup_folder(self) -> None:
        from desktop.ui.qt import QFileDialog

        dlg = QFileDialog(self, _("Backup folder on this PC"), self.backup_folder.text())
        dlg.setFileMode(QFileDialog.FileMode.Directory)
        dlg.setOption(QFileDialog.Option.ShowDirsOnly, True)
        self.folder_dialog = dlg
        qconnect(dlg.fileSelected, lambda chosen: chosen and self.backup_folder.setText(chosen))
        dlg.open()

    def _save_backup_folder(self) -> None:
        from pathlib import Path

        from desktop.operations import backups

        text = self.backup_folder.text().strip()
        try:
            folder = backups.set_daily_folder(self.ctx.session, Path(text) if text else None)
        except StdAwardError as exc:
            self.backup_msg.setText(error_text(exc))
            return
        self.backup_folder.setText(str(folder) if folder else "")
        self.backup_msg.setText(_("This PC writes the daily backup of the server database into {folder}.").format(
            folder=folder) if folder else _("This PC no longer writes the daily backup of the server database."))
        window = self.window()
        if hasattr(window, "start_daily_backup"):
            window.start_daily_backup()  # set on the first start of the day: made now, not at the next

    def _saved_own(self) -> None:
        """This officer saved a part of the settings: the next save goes on from the version it made."""
        from desktop.operations.settings import office_version

        self._office_version = office_version(self.ctx.session)
        self.ctx.changed("office")

    # ------------------------------------------------------------------ language
    def _language_chosen(self, _i: int) -> None:
        switch_language(self.ctx, self.language.currentData())

    # ------------------------------------------------------------------ office
    def office_values(self) -> dict:
        return {"name": self.o["name"].text().strip(), "region_code": self.o["region"].text().strip(),
                "doc_prefix": self.o["doc_prefix"].text().strip(), "signatory": self.o["signatory"].text().strip() or None,
                "policy_id": self.o["policy"].currentData(), "role": self.o["role"].currentData() or "county"}

    def _validate_office(self) -> bool:
        from desktop.operations.settings import validate_office

        problems = validate_office(self.ctx.session, self.office_values())
        self.form.show_problems(problems, {"region_code": "region", "policy_id": "policy"})
        self.save_office.setEnabled(not problems)
        return not problems

    def _save_office(self) -> None:
        from desktop.operations.settings import update_office

        if not self._validate_office():
            return
        text = self.o["closes"].text().strip()
        try:
            closes = dt.date.fromisoformat(text) if text else None
        except ValueError:
            self.office_msg.setText(_("The closing date is written YYYY-MM-DD, not {value!r}.").format(value=text))
            return
        try:
            from desktop.operations.settings import close_policy, policy_closings

            values = self.office_values()
            saved = update_office(self.ctx.session, version=self._office_version, **values)
            self._office_version = int(saved.version)  # this screen's own change: what follows goes on from it
            if values["policy_id"] and closes != policy_closings(self.ctx.session).get(values["policy_id"]):
                close_policy(self.ctx.session, values["policy_id"], closes)
        except StaleRecord as exc:  # another administrator saved the settings since this screen read them
            self.office_msg.setText(error_text(exc))
            self.stale_box = offer_reload(self, exc, self.refresh)
            return
        except StdAwardError as exc:
            self.office_msg.setText(error_text(exc))
            return
        self.office_msg.setText(_("Saved."))
        self._saved_own()

    def _edit_wording(self) -> None:
        """The notice wording template, edited with a live preview (its own dialog module)."""
        from desktop.operations import wording
        from desktop.ui.views.notice_template import NoticeTemplateDialog

        s = self.ctx.session
        version, template = wording.template(s)
        self.wording_dialog = NoticeTemplateDialog(template, wording.office_for_preview(s),
                                                   self._stale_offered(lambda t: wording.save_template(s, t, version),
                                                                       self._edit_wording), self)
        self.wording_dialog.open()

    def _stale_offered(self, save: Callable[[dict], int], reopen: Callable[[], None]) -> Callable[[dict], int]:
        """``save`` of a wording editor: when another administrator saved a version since the editor
        opened (StaleRecord, shown in the editor), a box also offers to open it again on that version."""
        def saving(template: dict) -> int:
            try:
                return save(template)
            except StaleRecord as exc:
                editor = self.sender_dialog()

                def again() -> None:
                    if editor is not None:
                        editor.reject()
                    reopen()

                self.stale_box = offer_reload(editor or self, exc, again)
                raise

        return saving

    def sender_dialog(self) -> QDialog | None:
        """The wording editor open from this screen, if any."""
        for dlg in (getattr(self, "public_wording_dialog", None), getattr(self, "wording_dialog", None)):
            if dlg is not None and dlg.isVisible():
                return dlg
        return None

    # ------------------------------------------------------------------ the publicity step
    def _save_publicity(self) -> None:
        from desktop.operations import publicity

        def dates(text: str) -> list[dt.date]:
            return [dt.date.fromisoformat(t.strip()) for t in text.replace("，", ",").split(",") if t.strip()]

        try:
            off, extra = dates(self.days_off.text()), dates(self.workdays.text())
        except ValueError:
            self.publicity_msg.setText(_("Dates are written YYYY-MM-DD and separated by commas."))
            return
        try:  # one change, audited once: nothing is saved when any of it is refused
            publicity.save_settings(self.ctx.session, required=self.publicity_on.isChecked(),
                                    reason=self.publicity_reason.text(), days_off=off, workdays=extra,
                                    refusal_prefix=self.refusal_prefix.text(), version=self._office_version)
        except StaleRecord as exc:  # another administrator saved the settings since this screen read them
            self.publicity_msg.setText(error_text(exc))
            self.stale_box = offer_reload(self, exc, self.refresh)
            return
        except StdAwardError as exc:
            self.publicity_msg.setText(error_text(exc))
            return
        self.publicity_reason.clear()
        self.publicity_msg.setText(_("Saved."))
        self._saved_own()

    def _edit_public_wording(self) -> None:
        """The wording of the 公示 list and the letters of refusal, edited with a preview."""
        from desktop.operations import publicity
        from desktop.ui.views.publicity_wording import PublicityWordingDialog

        s = self.ctx.session
        version, template = publicity.wording(s)
        office = self.ctx.office
        dlg = PublicityWordingDialog(template, office.name if office is not None else "",
                                     self._stale_offered(lambda t: publicity.save_wording(s, t, version),
                                                         self._edit_public_wording), self)
        self.public_wording_dialog = dlg

        def finished(result: int) -> None:
            if result and dlg.version:
                self.publicity_msg.setText(_("Wording saved as version {version}; letters and lists already printed "
                                             "keep theirs.").format(version=dlg.version))
        qconnect(dlg.finished, finished)
        dlg.open()

    # ------------------------------------------------------------------ notice fonts
    def _fill_fonts(self) -> None:
        from desktop.operations.settings import font_options

        options = font_options(self.ctx.session)
        if options is None:  # the notice printer is not installed in this build
            self.font_box.setVisible(False)
            return
        for opt in options:
            box = self.fonts.get(opt.role)
            if box is None:
                continue
            box.clear()
            box.addItem(_("Automatic ({file})").format(file=opt.automatic or "-"), None)
            for n in opt.files:
                box.addItem(n, n)
            box.setCurrentIndex(max(0, box.findData(opt.chosen)))

    def _font_chosen(self, role: str) -> None:
        from desktop.operations.settings import choose_font

        try:
            choose_font(self.ctx.session, role, self.fonts[role].currentData())
        except StdAwardError as exc:
            self.font_msg.setText(error_text(exc))
            self._fill_fonts()
            return
        self.font_msg.setText(_("Notices will use this font from now on; notices already issued keep theirs."))
        self._saved_own()
