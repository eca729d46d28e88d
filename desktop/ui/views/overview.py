"""The overview: the office profile, what the database holds, and what to do next.

Cheap to show, and shown before the models are bound (plain SQL through ``db.execute_sql``): the
office row and two counts; the title of the policy in force (reading the policies runs their
worked cases, a fifth of a second) is looked up in the background once per policy and kept."""
from __future__ import annotations

from desktop.core.i18n import _
from desktop.ui.qt import QFormLayout, QFrame, QGridLayout, QLabel, QPushButton, Qt, QVBoxLayout, is_alive, qconnect
from desktop.ui.views.base import View


def office_row() -> dict | None:
    """What the overview shows of the office profile (None before set-up)."""
    from desktop.store.db import execute_sql

    row = execute_sql("SELECT name, region_code, doc_prefix, policy_id, signatory FROM office ORDER BY id LIMIT 1").fetchone()
    return dict(zip(("name", "region_code", "doc_prefix", "policy_id", "signatory"), row)) if row else None


class OverviewView(View):
    name = "overview"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        self.title = QLabel()
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.6)
        f.setBold(True)
        self.title.setFont(f)
        self.title.setWordWrap(True)
        lay.addWidget(self.title)
        self.profile = QFormLayout()
        self.profile.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.rows: dict[str, QLabel] = {}
        for key in ("region", "prefix", "policy", "signatory", "enterprises", "achievements"):
            self.rows[key] = QLabel()
            self.rows[key].setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.profile.addRow(QLabel(), self.rows[key])
        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        box.setLayout(self.profile)
        lay.addWidget(box)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        lay.addWidget(self.hint)
        buttons = QGridLayout()
        self.go_ent, self.go_ach = QPushButton(), QPushButton()
        qconnect(self.go_ent.clicked, lambda: self.window().show_view("enterprises"))
        qconnect(self.go_ach.clicked, lambda: self.window().show_view("achievements"))
        buttons.addWidget(self.go_ent, 0, 0)
        buttons.addWidget(self.go_ach, 0, 1)
        buttons.setColumnStretch(2, 1)
        lay.addLayout(buttons)
        lay.addStretch(1)
        self.policy_titles: dict[str, str] = {}
        self.retranslate()

    def retranslate(self) -> None:
        labels = {"region": _("Region code"), "prefix": _("Document number prefix"), "policy": _("Policy in force"),
                  "signatory": _("Signatory"), "enterprises": _("Enterprises"), "achievements": _("Achievements")}
        for key, lab in labels.items():
            self.profile.labelForField(self.rows[key]).setText(lab)
        self.go_ent.setText(_("Enterprises"))
        self.go_ach.setText(_("Achievements"))
        self.refresh()

    def refresh(self) -> None:
        from desktop.store.db import execute_sql

        office = office_row()
        self.title.setText(office["name"] if office else _("The office profile is not set up"))
        policy = "-"
        policy_id = office["policy_id"] if office else None
        if policy_id:
            policy = self.policy_titles.get(policy_id, policy_id)
            if policy_id not in self.policy_titles:
                self._look_up_policy(policy_id)
        n_ent, n_ach = (execute_sql(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("enterprise", "achievement"))
        values = {"region": office["region_code"] if office else "-",
                  "prefix": (office["doc_prefix"] or "-") if office else "-",
                  "policy": policy, "signatory": (office["signatory"] or "-") if office else "-",
                  "enterprises": f"{n_ent:,}", "achievements": f"{n_ach:,}"}
        for key, v in values.items():
            self.rows[key].setText(v)
        if n_ent == 0:
            self.hint.setText(_("No enterprises yet. Add one under Enterprises (Ctrl+Shift+N), or import the Excel "
                                "template (Ctrl+I)."))
        elif n_ach == 0:
            self.hint.setText(_("No achievements yet. Add them under Achievements (Ctrl+N) or import them from Excel (Ctrl+I)."))
        else:
            self.hint.setText("")

    def _look_up_policy(self, policy_id: str) -> None:
        def work(_progress) -> str:
            from desktop.ui.wizard import policy_choices

            return dict(policy_choices()).get(policy_id, policy_id)

        def done(title: str) -> None:
            if not is_alive(self):
                return  # the window was closed meanwhile
            self.policy_titles[policy_id] = title
            office = office_row()
            if office is not None and office["policy_id"] == policy_id:
                self.rows["policy"].setText(title)
        self.ctx.tasks.run(work, on_done=done, on_error=lambda _exc: None, quiet=True)
