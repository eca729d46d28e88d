"""Policies: read an installed policy with its clauses, literal text, amounts, targets and the notes on
judgment calls; derive a local measure with a form (new amounts, a later start) that is validated and
case-tested before it can be installed; compare two policies on a year's data (per achievement and
in total)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from desktop.core.i18n import N_, _, comma, semicolon
from desktop.core.status import award_status_label
from desktop.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    qconnect,
)
from desktop.ui.tablemodel import Column, ListTableModel, make_table, money_text
from desktop.ui.tasks import error_text
from desktop.ui.views.base import View
from desktop.ui.views.round_dialogs import parse_amount
from desktop.ui.views.widgets import MessageBar, bold

COMPARE_COLUMNS = [Column("name", N_("Enterprise")), Column("id", N_("Achievement id")),
                   Column("a_text", N_("Policy A")), Column("b_text", N_("Policy B")),
                   Column("difference", N_("Difference"), fmt=lambda d: money_text(Decimal(d)) if d else "", align_right=True)]


def policy_html(policy) -> str:  # noqa: ANN001
    """The policy as the officer reads it: header, funds and pools, rules by clause, targets, notes."""
    def p(text: str, style: str = "") -> str:
        return f"<p style='{style}'>{escape(text)}</p>"
    out = [f"<h2>{escape(policy.title)}</h2>",
           p(" · ".join(x for x in (policy.document_number or "", policy.issuer,
                                    _("issued {date}").format(date=policy.issued),
                                    _("in force from {date}").format(date=policy.starts)) if x), "color:#555")]
    if policy.extends:
        out.append(p(_("A local measure extending {base}").format(base=policy.extends), "color:#1f3b63"))
    if policy.effective_text:
        out.append(p(f"{policy.effective_clause or ''} {policy.effective_text}"))
    funds_title = _("Funds")  # outside the f-string, where the catalogue's extraction sees it
    out.append(f"<h3>{escape(funds_title)}</h3>")
    for f in policy.funds.values():
        out.append(p(f"{f.name}（{f.clause or '-'}）" + (f"：{f.text}" if f.text else "")))
        for pool in f.pools.values():
            out.append(p(_("Pool {name} ({clause}): {budget} a year in {years}").format(
                name=pool.name, clause=pool.clause, budget=money_text(pool.budget),
                years=", ".join(map(str, pool.years))), "margin-left:16px"))
    rules_title = _("Rules")
    out.append(f"<h3>{escape(rules_title)}</h3>")
    for r in sorted(policy.rules, key=lambda r: r.clause):
        amount = ""
        if r.amount is not None:
            amount = money_text(r.amount)
        elif r.amounts:
            names = policy.labels.get(r.by or "level", {})
            amount = comma().join(f"{names.get(k, k)} {money_text(v)}" for k, v in r.amounts.items())
        if r.percent_by_rank:
            amount += semicolon() + comma().join(_("rank {rank}: {pct}%").format(rank=k, pct=v) for k, v in r.percent_by_rank.items())
        pay = {"discretionary": _("amount at the office's discretion"),
               "unspecified": _("the text sets no amount")}.get(r.pay, amount)
        out.append(f"<p><b>{escape(r.clause)}</b> {escape(plain_label(r.label))}"
                   f" — {escape(pay)}<br/><span style='color:#555'>“{escape(r.text)}”</span></p>")
    if policy.targets:
        targets_title = _("Targets")
        out.append(f"<h3>{escape(targets_title)}</h3>")
        deadline = _("deadline")
        for t in policy.targets:
            out.append(p(f"{t.clause}：{t.text}" + (f"（{deadline} {t.deadline}）" if t.deadline else "")))
    if policy.notes:
        calls, says, read_as, why = (_("Judgment calls in reading the text"), _("The text says"), _("Read as"),
                                     _("Why"))
        out.append(f"<h3>{escape(calls)}</h3>")
        for n in policy.notes.values():
            out.append(f"<p style='background:#fff4d6'><b>{escape(n.clause)}</b> {escape(says)}："
                       f"“{escape(n.literal)}”<br/>{escape(read_as)}：{escape(n.reading)}<br/>"
                       f"{escape(why)}：{escape(n.why)}</p>")
    return "".join(out)


def plain_label(label: str) -> str:
    """A rule's label without its placeholders ({level}, {prize}, ...)."""
    import re

    return re.sub(r"\{[a-z_]+\}", "", label).strip()


def _side(j: dict[str, Any]) -> str:
    from desktop.core.money import format_money

    amount = format_money(Decimal(j["amount"])) if j.get("amount") else ""
    return f"{award_status_label(j['status'])} {amount}".strip()


class CompareDialog(QDialog):
    """Two policies computed on the same year's achievements, per achievement and in total."""

    def __init__(self, ctx, first: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result: dict[str, Any] | None = None
        self.setObjectName("compareDialog")
        self.setWindowTitle(_("Compare two policies on a year's data"))
        self.resize(980, 600)
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.a, self.b = QComboBox(), QComboBox()
        from desktop.operations import measures

        choices = measures.choices(ctx.session)
        for box in (self.a, self.b):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumWidth(240)
            for pid, label in choices:
                box.addItem(label, pid)
        if first:
            self.a.setCurrentIndex(max(self.a.findData(first), 0))
        self.b.setCurrentIndex(1 if self.a.currentIndex() == 0 and self.b.count() > 1 else 0)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        years = measures.years_with_achievements(ctx.session)
        self.year.setValue(max(years) if years else dt.date.today().year)
        self.run_btn = QPushButton(_("Compare"))
        for w in (QLabel(_("A")), self.a, QLabel(_("B")), self.b, QLabel(_("Year")), self.year, self.run_btn):
            bar.addWidget(w)
        lay.addLayout(bar)
        self.totals = bold(QLabel())
        self.totals.setWordWrap(True)
        lay.addWidget(self.totals)
        self.message = MessageBar(self)
        lay.addWidget(self.message)
        self.model = ListTableModel(COMPARE_COLUMNS, self)
        self.table = make_table("policy-compare")
        self.table.setModel(self.model)
        for i, w in enumerate((220, 90, 200, 200)):
            self.table.setColumnWidth(i, w)
        lay.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        qconnect(buttons.rejected, self.reject)
        lay.addWidget(buttons)
        qconnect(self.run_btn.clicked, self.run)

    def run(self) -> None:
        from desktop.operations import measures

        s = self.ctx.session
        a, b, year = self.a.currentData(), self.b.currentData(), self.year.value()

        def done(out: dict[str, Any]) -> None:
            self.result = out
            rows = [{**r, "a_text": _side(r["a"]), "b_text": _side(r["b"])} for r in out["rows"]]
            rows.sort(key=lambda r: (not r["changed"], r["name"]))
            self.model.set_rows(rows)
            t = out["totals"]
            self.totals.setText(_("{year}: A {a} · B {b} · difference {d} · {n} of {total} achievements change").format(
                year=year, a=money_text(Decimal(t["a"])), b=money_text(Decimal(t["b"])), d=money_text(Decimal(t["difference"])),
                n=t["changed"], total=len(rows)))
        self.message.clear()
        self.ctx.tasks.run(lambda _p: measures.compare_on_year(s, a, b, year), on_done=done,
                           on_error=lambda exc: self.message.error(error_text(exc)),
                           label=_("Computing under both policies..."), parent=self)


class DeriveDialog(QDialog):
    """A local measure: new amounts for categories and a later start, with worked cases; checked
    (strict validation + the cases run) before Install is possible."""

    def __init__(self, ctx, base_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from desktop.operations import measures as M

        self.ctx = ctx
        self.base = M.load_policy(ctx.session, base_id)
        self.rows = M.amount_rows(self.base)
        self.cases: list[M.Case] = []
        self.checked_text: str | None = None
        self.installed = None
        self.setObjectName("deriveDialog")
        self.setWindowTitle(_("Derive a local measure from {title}").format(title=self.base.title))
        self.resize(900, 680)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        year = max(dt.date.today().year, self.base.starts.year + 1)
        self.measure_id = QLineEdit(f"{self.base.id.split('-')[0]}-{year}")
        self.title = QLineEdit(_("{title}: local measure {year}").format(title=self.base.title, year=year))
        self.doc_number = QLineEdit()
        self.effective = QDateEdit(QDate(year, 1, 1))
        self.effective.setDisplayFormat("yyyy-MM-dd")
        self.effective.setCalendarPopup(True)
        form.addRow(_("Id"), self.measure_id)
        form.addRow(_("Title"), self.title)
        form.addRow(_("Document number"), self.doc_number)
        form.addRow(_("In force from"), self.effective)
        lay.addLayout(form)
        lay.addWidget(QLabel(_("New amounts (leave empty to keep the base policy's amount):")))
        self.table = QTableWidget(len(self.rows), 4)
        self.table.setObjectName("amountsTable")
        self.table.setHorizontalHeaderLabels([_("Clause"), _("Category"), _("Base amount"), _("New amount")])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for i, r in enumerate(self.rows):
            names = self.base.labels.get(self.base.rule(r.rule).by or "level", {})
            cat = r.label + (f"（{names.get(r.key, r.key)}）" if r.key else "")
            for j, text in enumerate((r.clause, cat, money_text(r.base))):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(i, j, item)
            self.table.setItem(i, 3, QTableWidgetItem(""))
        self.table.setColumnWidth(0, 80)
        self.table.setColumnWidth(1, 360)
        self.table.setColumnWidth(2, 120)
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table, 2)
        case_bar = QHBoxLayout()
        self.case_amount = QLineEdit()
        self.case_amount.setPlaceholderText(_("amount you worked out by hand"))
        self.add_case_btn = QPushButton(_("Add a worked case for the chosen category"))
        case_bar.addWidget(self.case_amount)
        case_bar.addWidget(self.add_case_btn)
        lay.addLayout(case_bar)
        self.case_list = QListWidget()
        self.case_list.setMaximumHeight(90)
        lay.addWidget(self.case_list)
        self.message = MessageBar(self)
        lay.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.check_btn = QPushButton(_("Validate and test"))
        self.install_btn = QPushButton(_("Install"))
        self.install_btn.setEnabled(False)
        self.buttons.addButton(self.check_btn, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.install_btn, QDialogButtonBox.ButtonRole.AcceptRole)
        qconnect(self.buttons.rejected, self.reject)
        qconnect(self.check_btn.clicked, self.check)
        qconnect(self.install_btn.clicked, self.install)
        qconnect(self.add_case_btn.clicked, self.add_case)
        lay.addWidget(self.buttons)
        for w in (self.measure_id, self.title, self.doc_number):
            qconnect(w.textChanged, lambda _t: self._dirty())
        qconnect(self.table.itemChanged, lambda _i: self._dirty())

    def _dirty(self) -> None:
        self.checked_text = None
        self.install_btn.setEnabled(False)

    def set_amount(self, row: int, text: str) -> None:
        self.table.item(row, 3).setText(text)

    def row_of(self, rule: str, key: str | None) -> int:
        return next(i for i, r in enumerate(self.rows) if r.rule == rule and r.key == key)

    def measure(self) -> tuple[Any, list[str]]:
        from desktop.operations import measures as M

        amounts = {}
        bad = []
        for i, r in enumerate(self.rows):
            text = self.table.item(i, 3).text().strip()
            if text:
                value = parse_amount(text)
                if value is None or value < 0:
                    bad.append(_("row {n}: {text!r} is not an amount").format(n=i + 1, text=text))
                else:
                    amounts[(r.rule, r.key)] = value
        office = self.ctx.office
        m = M.Measure(self.base.id, self.measure_id.text().strip(), self.title.text().strip(),
                      self.doc_number.text().strip(), self.effective.date().toPython(), amounts, list(self.cases),
                      issuer=(office.name or "") if office else "")
        return m, bad

    def add_case(self) -> None:
        from desktop.operations import measures as M

        row = self.table.currentRow()
        value = parse_amount(self.case_amount.text())
        if row < 0 or value is None:
            self.message.error(_("Choose a category in the table and type the amount you worked out for it."))
            return
        r = self.rows[row]
        given = M.example_for(self.base, r.rule, r.key)
        if given is None:
            self.message.error(_("The base policy has no worked example for this category to start from."))
            return
        given = dict(given, date=self.effective.date().toPython().isoformat())
        name = f"{self.table.item(row, 1).text()} {money_text(value)}"
        self.cases.append(M.Case(name, given, value, r.rule))
        self.case_list.addItem(QListWidgetItem(name))
        self.case_amount.clear()
        self._dirty()

    def check(self) -> bool:
        """Strict validation and the worked cases, in a scratch folder (nothing installed)."""
        from desktop.operations import measures as M

        m, bad = self.measure()
        issues = bad + M.problems(m, M.bundled_ids())
        if issues:
            self.message.error("\n".join(issues))
            return False
        text = M.measure_text(m, self.base)
        try:
            M.check_text(self.ctx.session, text, m.id)
        except Exception as exc:  # noqa: BLE001 - PolicyError names the key; shown as is
            self.message.error(error_text(exc))
            return False
        self.checked_text = text
        self.install_btn.setEnabled(True)
        self.message.ok(_("Valid, and its {n} worked cases pass. Press Install to make it available.").format(n=len(m.cases)))
        return True

    def install(self) -> None:
        """Install the checked measure; one already installed under its id is replaced only when the
        officer confirms."""
        from desktop.operations import measures as M
        from desktop.ui.qt import QMessageBox

        if self.checked_text is None:
            return
        s, measure_id = self.ctx.session, self.measure_id.text().strip()
        replace = M.is_installed(s, measure_id)
        if replace and QMessageBox.question(
                self, _("Replace the local measure?"),
                _("A local measure {id} is already installed. Replace it with this one? Rounds computed "
                  "under the old one keep their amounts; new computations use the new one.").format(id=measure_id),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            self.message.error(_("Not installed: {id} is already installed.").format(id=measure_id))
            return
        try:
            self.installed = M.install_text(s, self.checked_text, measure_id, replace=replace).path
        except Exception as exc:  # noqa: BLE001 - PermissionDenied, PolicyError: shown as is
            self.message.error(error_text(exc))
            return
        self.ctx.changed("policies")
        self.accept()


class PoliciesView(View):
    name = "policies"
    watches = ("policies",)

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.derive_btn, self.compare_btn, self.print_btn = QPushButton(), QPushButton(), QPushButton()
        bar.addStretch(1)
        bar.addWidget(self.print_btn)
        bar.addWidget(self.derive_btn)
        bar.addWidget(self.compare_btn)
        lay.addLayout(bar)
        self.message = MessageBar(self)
        lay.addWidget(self.message)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.reader = QTextBrowser()
        self.reader.setObjectName("policyText")
        split.addWidget(self.list)
        split.addWidget(self.reader)
        split.setSizes([300, 780])
        lay.addWidget(split, 1)
        qconnect(self.list.currentRowChanged, lambda _r: self.show_policy())
        qconnect(self.derive_btn.clicked, self.derive)
        qconnect(self.compare_btn.clicked, self.compare)
        qconnect(self.print_btn.clicked, self.print_policy)
        self.retranslate()

    def retranslate(self) -> None:
        self.derive_btn.setText(_("Derive a local measure..."))
        self.compare_btn.setText(_("Compare two policies..."))
        self.print_btn.setText(_("Print the policy..."))
        self.refresh()

    def refresh(self) -> None:
        from desktop.operations.roles import action_label, allowed

        admin = allowed(self.ctx.role, "measures.install")
        self.derive_btn.setEnabled(admin)
        self.derive_btn.setToolTip("" if admin else _("Only an administrator may {action}.").format(
            action=action_label("measures.install")))
        current = self.current_id() or (self.ctx.office.policy_id if self.ctx.office else None)
        self.list.blockSignals(True)
        self.list.clear()
        from desktop.operations import measures

        for pid, label in measures.choices(self.ctx.session):
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, pid)
            self.list.addItem(item)
        self.list.blockSignals(False)
        ids = [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]
        self.list.setCurrentRow(ids.index(current) if current in ids else 0)
        self.show_policy()

    def current_id(self) -> str | None:
        item = self.list.currentItem() if hasattr(self, "list") else None
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def show_policy(self) -> None:
        from desktop.operations import measures

        pid = self.current_id()
        if pid is None:
            none = _("No policy is installed.")
            self.reader.setHtml(f"<p>{escape(none)}</p>")
            return
        try:
            self.reader.setHtml(policy_html(measures.load_policy(self.ctx.session, pid)))
        except Exception as exc:  # noqa: BLE001 - a broken file is named, not hidden
            self.reader.setHtml(f"<p style='color:#b3261e'>{escape(error_text(exc))}</p>")

    def derive(self) -> None:
        pid = self.current_id()
        if pid is None:
            return
        dlg = DeriveDialog(self.ctx, pid, self)
        if dlg.exec() and dlg.installed:
            self.message.ok(_("Local measure installed: {file}. Choose it for a round, or as the policy in force "
                              "in Settings.").format(file=dlg.installed))
            self.refresh()

    def compare(self) -> None:
        CompareDialog(self.ctx, self.current_id(), self).exec()

    def print_policy(self) -> None:
        """The encoded policy as a PDF for sign-off, written off the UI thread."""
        from desktop.ui.files import remember, start_in
        from desktop.ui.qt import QFileDialog

        pid = self.current_id()
        if pid is None:
            return
        from desktop.core.docnames import safe_filename

        item = self.list.currentItem()
        name = safe_filename(item.text() if item is not None else _("policy"), ".pdf")  # its title, not its id
        path, _filter = QFileDialog.getSaveFileName(self, _("Save the policy print-out"), start_in(name),
                                                    _("PDF files (*.pdf)"))
        if path:
            remember(path)
            self.print_to(Path(path), pid)

    def print_to(self, out: Path, pid: str) -> None:
        from desktop.operations import measures

        if out.suffix.lower() != ".pdf":
            out = out.with_suffix(".pdf")
        session = self.ctx.session
        self.ctx.tasks.run(lambda p: measures.print_policy(session.with_progress(p), pid, out)[0],
                           on_done=lambda path: self.message.ok(_("Saved {path}.").format(path=path)),
                           on_error=lambda exc: self.message.error(error_text(exc)),
                           label=_("Writing the PDF..."), parent=self)
