"""The audit log: every change to money and status, newest first, searchable, with the hash chain
checked in the background and shown as ✓ (intact) or ✗ (broken at entry N)."""
from __future__ import annotations

from desktop.core.i18n import N_, _
from desktop.ui.qt import QLabel, QPushButton, QVBoxLayout, qconnect
from desktop.ui.tablemodel import Column, ListTableModel, SearchProxy, make_table, restore_header
from desktop.ui.views.base import View, search_bar
from desktop.ui.views.round_data import when
from desktop.ui.views.widgets import TableViewMixin

COLUMNS = [Column("id", N_("No."), align_right=True), Column("at", N_("When"), fmt=when), Column("user", N_("By")),
           Column("action", N_("Action")), Column("entity", N_("Record")), Column("change", N_("Change"))]


class AuditView(TableViewMixin, View):
    name = "audit"
    watches = ("*",)

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        lay = QVBoxLayout(self)
        self.chain = QLabel()
        self.chain.setObjectName("chainStatus")
        self.verify_btn = QPushButton()
        self.search = search_bar(lay, self.chain, self.verify_btn)
        self.model = ListTableModel(COLUMNS, self)
        self.proxy = SearchProxy(self.model, self)
        self.tableview = make_table(self.name, model=self.proxy)
        self.tableview.setSortingEnabled(False)
        lay.addWidget(self.tableview, 1)
        self.count = QLabel()
        lay.addWidget(self.count)
        self.broken_at: int | None = None
        self.checked = False
        qconnect(self.search.textChanged, self._search)
        qconnect(self.verify_btn.clicked, self.verify)
        self.retranslate()
        if not restore_header(self.tableview, self.name):
            for i, w in enumerate((60, 130, 90, 110, 260)):
                self.tableview.setColumnWidth(i, w)

    def retranslate(self) -> None:
        self.search.setPlaceholderText(_("Search user, action, record, amounts... (Ctrl+F)"))
        self.verify_btn.setText(_("Check the chain"))
        self.model.retranslate()
        self.refresh()

    def refresh(self) -> None:
        from desktop.operations import audit

        rows = audit.entries(self.ctx.session)
        self.model.set_rows(rows)
        self._search(self.search.text())
        self.verify()

    def verify(self) -> None:
        """Check the hash chain off the UI thread and show ✓ or ✗."""
        from desktop.operations import audit

        s = self.ctx.session
        self.chain.setText(_("Checking the chain..."))
        self.chain.setStyleSheet("")

        def done(bad: int | None) -> None:
            self.broken_at, self.checked = bad, True
            if bad is None:
                self.chain.setText("✓ " + _("chain intact"))
                self.chain.setStyleSheet("color: #1b5e20; font-weight: bold;")
            else:
                self.chain.setText("✗ " + _("chain broken at entry {n}: the log was altered").format(n=bad))
                self.chain.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.ctx.tasks.run(lambda _p: audit.verify_chain(s), on_done=done)

    def _search(self, text: str) -> None:
        self.proxy.search(text)
        total = self.model.rowCount()
        self.count.setText(_("{shown} of {total} entries (newest first)").format(shown=self.proxy.rowCount(), total=total))

    def export_name(self) -> str:
        return _("Audit log")
