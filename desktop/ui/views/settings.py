"""Settings: the language (live switch), the office profile (administrators), and the notice fonts
stored in ``Office.settings["fonts"]`` for the notice printer."""
from __future__ import annotations

from desktop.core.errors import StdAwardError
from desktop.core.i18n import N_, _, current_locale, set_locale
from desktop.ui import settings as options
from desktop.ui.forms import ProblemForm
from desktop.ui.qt import (QApplication, QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton,
                           QScrollArea, QVBoxLayout, QWidget, qconnect)
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
        self.o["policy"] = self.form.add("policy", "", QComboBox())
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
        lay.addStretch(1)
        self.retranslate()

    # ------------------------------------------------------------------ View protocol
    def retranslate(self) -> None:
        self.lang_box.setTitle(_("Language"))
        self.lang_label.setText(_("Language of the program"))
        self.office_box.setTitle(_("Office profile"))
        for key, label in (("name", _("Issuing authority")), ("region", _("Region code (GB/T 2260)")),
                           ("doc_prefix", _("Document number prefix")), ("signatory", _("Signatory")),
                           ("policy", _("Policy in force"))):
            self.form.set_label(key, label)
        self.save_office.setText(_("Save the office profile"))
        self.edit_wording.setText(_("Notice wording…"))
        self.font_box.setTitle(_("Notice fonts"))
        for role, label in FONT_ROLES.items():
            self.font_labels[role].setText(_(label))
        self.refresh()

    def refresh(self) -> None:
        self.language.blockSignals(True)
        self.language.setCurrentIndex(max(0, self.language.findData(current_locale())))
        self.language.blockSignals(False)
        office = self.ctx.office
        if office is not None:
            from desktop.ui.wizard import policy_choices

            for key, attr in (("name", "name"), ("region", "region_code"), ("doc_prefix", "doc_prefix"),
                              ("signatory", "signatory")):
                self.o[key].blockSignals(True)
                self.o[key].setText(getattr(office, attr) or "")
                self.o[key].blockSignals(False)
            box: QComboBox = self.o["policy"]
            box.clear()
            box.addItem(_("(none)"), None)
            for pid, label in policy_choices():
                box.addItem(label, pid)
            box.setCurrentIndex(max(0, box.findData(office.policy_id)))
        admin = self.ctx.role == "admin"
        self.office_box.setEnabled(admin and office is not None)
        self.font_box.setEnabled(admin and office is not None)
        self.office_msg.setText("" if admin else _("Only an administrator changes the office profile."))
        self._fill_fonts()

    # ------------------------------------------------------------------ language
    def _language_chosen(self, _i: int) -> None:
        switch_language(self.ctx, self.language.currentData())

    # ------------------------------------------------------------------ office
    def office_values(self) -> dict:
        return {"name": self.o["name"].text().strip(), "region_code": self.o["region"].text().strip(),
                "doc_prefix": self.o["doc_prefix"].text().strip(), "signatory": self.o["signatory"].text().strip() or None,
                "policy_id": self.o["policy"].currentData()}

    def _validate_office(self) -> bool:
        from desktop.store.office import validate

        problems = validate(self.office_values())
        self.form.show_problems(problems, {"region_code": "region", "policy_id": "policy"})
        self.save_office.setEnabled(not problems)
        return not problems

    def _save_office(self) -> None:
        from desktop.store import office

        if not self._validate_office():
            return
        try:
            office.update(user=self.ctx.username, **self.office_values())
        except StdAwardError as exc:
            self.office_msg.setText(error_text(exc))
            return
        self.office_msg.setText(_("Saved."))
        self.ctx.changed("office")

    def _edit_wording(self) -> None:
        """The notice wording template, edited with a live preview (its own dialog module)."""
        from desktop.store import office as officemod
        from desktop.store import wording
        from desktop.ui.views.notice_template import NoticeTemplateDialog

        office = self.ctx.office
        _version, template = wording.current()
        self.wording_dialog = NoticeTemplateDialog(
            template, {**officemod.as_dict(office), "settings": office.settings} if office else {},
            lambda t: wording.save(t, self.ctx.username), self)
        self.wording_dialog.open()

    # ------------------------------------------------------------------ notice fonts
    def _fill_fonts(self) -> None:
        office = self.ctx.office
        current = ((office.settings or {}).get("fonts") or {}) if office else {}
        try:
            from desktop.notices import fonts
        except ImportError:  # the notice printer is not installed in this build
            self.font_box.setVisible(False)
            return
        try:
            auto = fonts.choose({})
        except StdAwardError:
            auto = {}
        for role, box in self.fonts.items():
            box.clear()
            chosen = auto.get(role)
            box.addItem(_("Automatic ({file})").format(file=chosen.file_name if chosen else "-"), None)
            names = [n for n, _i, _b in fonts.PREFERRED.get(role, ()) if fonts.find_file(n)] + [fonts.BUNDLED_FILE]
            for n in dict.fromkeys(names):
                box.addItem(n, n)
            want = current.get(role)
            want = want.get("file") if isinstance(want, dict) else want
            if want and box.findData(want) < 0:
                box.addItem(want, want)
            box.setCurrentIndex(max(0, box.findData(want)))

    def _font_chosen(self, role: str) -> None:
        from desktop.notices import fonts
        from desktop.store import office as office_store

        office = self.ctx.office
        new = dict(office.settings or {})
        chosen = dict(new.get("fonts") or {})
        value = self.fonts[role].currentData()
        if value:
            chosen[role] = value
        else:
            chosen.pop(role, None)
        new["fonts"] = chosen
        try:
            fonts.choose(new)
            office_store.update(user=self.ctx.username, settings=new)
        except StdAwardError as exc:
            self.font_msg.setText(error_text(exc))
            self._fill_fonts()
            return
        self.font_msg.setText(_("Notices will use this font from now on; notices already issued keep theirs."))
        self.ctx.changed("office")
