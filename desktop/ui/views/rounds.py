"""Award rounds: choose the year and the policy, compute (in the background, with progress and
cancel), read every line with its status, amount, explanation and clause, flagged lines
highlighted; totals per enterprise and per fund; discretionary amounts set within the pool; submit
for review, and approval by another person; each award's history and the audit log."""
from __future__ import annotations

from typing import Any

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _, colon
from desktop.ui.linebreaks import keep_whole
from desktop.ui.qt import (
    QCheckBox,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QPushButton,
    QShortcut,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    Qt,
    QTabWidget,
    QTextBrowser,
    QTimer,
    QVBoxLayout,
    QWidget,
    qconnect,
)
from desktop.ui.tablemodel import (
    ROW_ROLE,
    ListTableModel,
    fill_column,
    make_table,
    money_text,
    restore_header,
    share_width,
)
from desktop.ui.tasks import error_text
from desktop.ui.views import round_data as RD
from desktop.ui.views.base import EmptyState, View, search_bar, stacked_pages
from desktop.ui.views.round_model import (
    ENTERPRISE_TOTAL_COLUMNS,
    FUND_TOTAL_COLUMNS,
    HISTORY_COLUMNS,
    READ_AT_ONCE,
    LinesProxy,
    RoundLinesModel,
    history_rows,
    needs_amount,
    read_round,
    show_snapshot,
)
from desktop.ui.views.widgets import MessageBar, TableViewMixin, TitleComboBox, bold, confirm

SEARCH_PAUSE_MS = 150  # a large round is searched once typing pauses this long
STATUS_COLOURS = {"draft": "#5f6368", "submitted": "#8a5a00", "approved": "#1b5e20", "returned": "#b3261e"}


class RoundsView(TableViewMixin, View):
    name = "rounds"
    watches = ("rounds", "awards", "achievements", "users", "office")

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.round = None
        self.lines: Any = []  # the shown round's lines (round_data.RoundLines)
        self.fund_names: dict[str, str] = {}
        lay = QVBoxLayout(self)

        bar = QHBoxLayout()
        self.year_label, self.policy_label = QLabel(), QLabel()
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(self._default_year())
        # A policy's title is a 公文 title of some forty characters: the combo shares the first row only
        # with the year and Compute (the round's actions sit on the second row, beside its state); on
        # a narrow screen the title is shortened in the middle, whole in its tooltip.
        self.policy = TitleComboBox()
        self.policy.setObjectName("policyChoice")
        self.compute_btn, self.amount_btn, self.submit_btn, self.review_btn, self.audit_btn = (
            QPushButton() for _i in range(5))
        self.publicity_btn = QPushButton()
        self.publicity_btn.setObjectName("publicityButton")
        self.compute_btn.setObjectName("computeButton")
        bar.addWidget(self.year_label)
        bar.addWidget(self.year)
        bar.addWidget(self.policy_label)
        bar.addWidget(self.policy, 1)
        bar.addWidget(self.compute_btn)
        lay.addLayout(bar)

        actions = QHBoxLayout()
        self.state = bold(QLabel())
        self.state.setObjectName("roundState")
        self.state.setWordWrap(True)
        self.state.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        actions.addWidget(self.state, 1)
        for b in (self.amount_btn, self.submit_btn, self.review_btn, self.publicity_btn, self.audit_btn):
            actions.addWidget(b, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(actions)
        self.pools = QLabel()
        self.pools.setObjectName("poolBudgets")
        self.pools.setWordWrap(True)
        lay.addWidget(self.pools)
        self.message = MessageBar(self)
        lay.addWidget(self.message)

        # lines (left) and details / totals (right)
        self.model = RoundLinesModel(self, runner=ctx.tasks)  # a large round is sorted in the background
        self.proxy = LinesProxy(self.model, self)
        self.tableview = make_table(self.name, model=self.proxy)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        self.attention = QCheckBox()
        self.search = search_bar(ll, self.attention)
        ll.addWidget(self.tableview, 1)

        self.tabs = QTabWidget()
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.history_model = ListTableModel(HISTORY_COLUMNS, self)
        self.history = make_table("round-history")
        self.history.setSortingEnabled(False)
        self.history.setModel(self.history_model)
        dwidget = QWidget()
        dl = QVBoxLayout(dwidget)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.detail, 3)
        self.history_label = QLabel()
        dl.addWidget(self.history_label)
        dl.addWidget(self.history, 2)
        self.ent_model = ListTableModel(ENTERPRISE_TOTAL_COLUMNS, self)
        self.ent_table = make_table("round-enterprises")
        self.ent_table.setModel(self.ent_model)
        self.fund_model = ListTableModel(FUND_TOTAL_COLUMNS, self)
        self.fund_table = make_table("round-funds")
        self.fund_table.setModel(self.fund_model)
        self.tabs.addTab(dwidget, "")
        self.tabs.addTab(self.ent_table, "")
        self.tabs.addTab(self.fund_table, "")

        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(left)
        self.split.addWidget(self.tabs)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setSizes([640, 400])
        self.empty = EmptyState()
        self.pages = stacked_pages(lay, self.split, self.empty)
        self.footer = QLabel()
        self.footer.setObjectName("roundTotals")
        lay.addWidget(self.footer)

        qconnect(self.year.valueChanged, lambda _v: self.refresh())
        qconnect(self.compute_btn.clicked, self.compute)
        qconnect(self.amount_btn.clicked, self.set_amount)
        qconnect(self.submit_btn.clicked, self.submit)
        qconnect(self.review_btn.clicked, self.review)
        qconnect(self.publicity_btn.clicked, self.publicity)
        qconnect(self.audit_btn.clicked, lambda: self.window().show_view("audit") if hasattr(self.window(), "show_view") else None)
        self._typing = QTimer(self)  # a large round's search runs once typing pauses (in the background)
        self._typing.setSingleShot(True)
        self._typing.setInterval(SEARCH_PAUSE_MS)
        qconnect(self._typing.timeout, lambda: (self.proxy.search(self.search.text()), self._show_footer()))
        for shown_again in (self.model.layoutChanged, self.model.modelReset):  # a search's lines arrived
            qconnect(shown_again, lambda *_a: self._show_footer())
        qconnect(self.search.textChanged, self._search)
        qconnect(self.attention.toggled, self._attention)
        qconnect(self.tableview.selectionModel().currentRowChanged, lambda *_a: self._show_line())
        qconnect(self.tableview.doubleClicked, lambda _i: self.set_amount())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # Enter on a line sets its amount, as a double-click
            enter = QShortcut(QKeySequence(key), self.tableview)
            enter.setContext(Qt.ShortcutContext.WidgetShortcut)
            qconnect(enter.activated, self.set_amount)
        self._policy_picked = False  # the officer chose a policy in the list (kept across years)
        qconnect(self.policy.activated, lambda _i: setattr(self, "_policy_picked", True))
        self._fill_policies()
        self.retranslate()
        if not restore_header(self.tableview, self.header_key):
            self._default_columns()
        from desktop.ui.views.round_model import LINE_COLUMNS

        # the achievement's wording takes the width the narrow columns before it leave; a wide window
        # shows the enterprise's whole name first, as long as the wording keeps WHAT_LEAST
        keys = [c.key for c in LINE_COLUMNS]
        ent = keys.index("enterprise")
        self.filled = fill_column(self.tableview, keys.index("what"), 120, least=self.WHAT_LEAST,
                                  grow=lambda: {ent: self.tableview.sizeHintForColumn(ent)})
        for rows_changed in (self.proxy.layoutChanged, self.proxy.modelReset):
            qconnect(rows_changed, self.filled.refit)
        # the totals per enterprise and per fund: the figures as wide as their words, the total whole
        # (it was cut to 「¥250,0」 at 1280 px), the name taking what is left
        for t in (self.ent_table, self.fund_table):
            self._fit_totals(t)
        # the history shares the details' width: every column seen, its cells wrapped at their spaces
        fm = self.history.fontMetrics()
        share_width(self.history, (0.2, 0.18, 0.18, 0.24),
                    (fm.horizontalAdvance("2026-12-04") + 14, fm.horizontalAdvance("张小明") + 14,
                     fm.horizontalAdvance("拟定 →") + 14, fm.horizontalAdvance("¥100,000.00") + 14))

    # the columns an officer reads a line by, shown first so they fit a 1024 px screen beside the
    # details (the table gets ~500 px there); the long achievement title comes after them, elided
    # (a new settings key: column layouts saved before, with status and amount off a 1024 px screen,
    # are not restored once)
    # (rounds-lines-3: the clause moved before the achievement, whose column fills the table's width)
    header_key = "rounds-lines-3"
    WHAT_LEAST = 360  # the achievement's wording keeps this much before the enterprise's name grows
    FIRST_COLUMNS = ("enterprise", "status", "amount", "clause", "what")
    COLUMN_WIDTHS = {"enterprise": 170, "status": 105, "amount": 100, "what": 260, "clause": 70,
                     "explanation": 320, "decision": 70}

    def _fit_totals(self, table) -> None:
        fm = table.fontMetrics()
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        model = table.model()
        for column, sample in ((1, "9999"), (2, "9999"), (3, "¥10,000,000.00")):
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            table.setColumnWidth(column, max(fm.horizontalAdvance(title), fm.horizontalAdvance(sample)) + 24)
        fill_column(table, 0, 100, keep=(1, 2, 3))

    def save_state(self) -> None:
        self.filled.shrink()  # a wide window's enterprise width is not saved for a narrower one
        super().save_state()

    def _default_columns(self) -> None:
        from desktop.ui.views.round_model import LINE_COLUMNS

        header = self.tableview.horizontalHeader()
        keys = [c.key for c in LINE_COLUMNS]
        for to, key in enumerate(self.FIRST_COLUMNS):
            header.moveSection(header.visualIndex(keys.index(key)), to)
        for key, width in self.COLUMN_WIDTHS.items():
            self.tableview.setColumnWidth(keys.index(key), width)

    # ------------------------------------------------------------------ View protocol
    def retranslate(self) -> None:
        self.year_label.setText(_("Year"))
        self.policy_label.setText(_("Policy"))
        self.policy.setPlaceholderText(_("(choose the policy to compute under)"))
        self.amount_btn.setText(_("Set amount..."))
        self.amount_btn.setToolTip(_("Set the amount of the chosen discretionary line (Enter or double-click)"))
        self.submit_btn.setText(_("Submit for review"))
        self.submit_btn.setToolTip(_("Hand the round to a reviewer; it cannot be changed until it is returned"))
        self.review_btn.setText(_("Review..."))
        self.review_btn.setToolTip(_("Approve the round or return it to the preparer with a comment"))
        self.compute_btn.setToolTip(_("Compute every achievement of the year under the chosen policy"))
        self.audit_btn.setToolTip(_("Every change to this round and its awards, in the audit log"))
        self.publicity_btn.setText(_("Publicity..."))
        self.publicity_btn.setToolTip(_("公示 of the approved list, objections, and the letters of refusal"))
        self.audit_btn.setText(_("Audit log"))
        self.search.setPlaceholderText(_("Search enterprise, achievement, clause... (Ctrl+F)"))
        self.attention.setText(_("Only lines needing attention"))
        self.attention.setToolTip(_("Flagged lines (a judgment call in reading the policy) and discretionary "
                                    "lines without an amount"))
        self.tabs.setTabText(0, _("Line"))
        self.tabs.setTabText(1, _("By enterprise"))
        self.tabs.setTabText(2, _("By fund"))
        self.history_label.setText(_("History of this award"))
        for m in (self.model, self.ent_model, self.fund_model, self.history_model):
            m.retranslate()
        self.refresh()

    def refresh(self) -> None:
        """Read the year's round: a small one at once, a large one in a worker (the window stays
        responsive; the newest reading wins)."""
        from desktop.operations import rounds

        year, s = self.year.value(), self.ctx.session
        self._reading = getattr(self, "_reading", 0) + 1
        shown = getattr(self, "snapshot", None)  # what the lines that changed are found against
        # the round itself (its money added up over every line) is read in the worker; here only its
        # number of lines, unless the round shown is already a large one of this year
        large = (shown is not None and shown.round is not None and shown.year == year
                 and len(shown.lines) > READ_AT_ONCE)
        n = None if large else rounds.line_count(s, year)
        if not large and (n is None or n <= READ_AT_ONCE):
            self._show_snapshot(read_round(s, year, None, shown))
            return
        reading = self._reading
        if n is not None and (shown is None or shown.round is None or shown.year != year):
            self.state.setText(_("Reading the round for {year} ({n} lines)...").format(year=year, n=n))
        self.ctx.tasks.run(lambda _p: read_round(s, year, None, shown), quiet=True,
                           on_done=lambda snap: self._show_snapshot(snap) if reading == self._reading else None)

    def _show_snapshot(self, snap: Any) -> None:
        """Show a reading of the round: after a change (an amount set, a recompute, another officer's
        edit) only the lines that changed are updated, the chosen line and the scroll position kept;
        another round or other lines are shown anew."""
        shown, self.snapshot = getattr(self, "snapshot", None), snap
        self.round = snap.round
        if self.round is not None:
            i = self.policy.findData(self.round.policy_id)
            if i >= 0:
                self.policy.setCurrentIndex(i)
            self.fund_names = snap.fund_names
        else:
            office = self.ctx.office
            if office is not None and office.policy_id:
                i = self.policy.findData(office.policy_id)
                if i >= 0:
                    self.policy.setCurrentIndex(i)
            elif not self._policy_picked:
                # no policy in force: none chosen for the officer (the first in the list is another city's)
                self.policy.setCurrentIndex(-1)
        self.policy.setEnabled(self.round is None)
        self.policy.setToolTip(self.policy.currentText())
        keep = self.selected_line() if hasattr(self, "tableview") else None
        keep_id = keep["achievement"] if keep else None  # (the line object itself may take new values)
        in_place = show_snapshot(self.model, shown, snap)
        if in_place is None:  # changes found against a reading no longer shown: read the round in full
            self.snapshot = None
            self.refresh()
            return
        self.lines = snap.lines
        self.ent_model.set_rows(snap.by_enterprise)
        self.fund_model.set_rows(snap.by_fund)
        self._show_state()
        if not in_place and not (keep_id and self.select_achievement(keep_id)) and self.proxy.rowCount():
            self.tableview.setCurrentIndex(self.proxy.index(0, 0))
        self._show_line()

    def export_name(self) -> str:
        return _("Award round {year}").format(year=self.year.value())

    # ------------------------------------------------------------------ showing
    def _default_year(self) -> int:
        """The year of the latest round, else the latest year with achievements (not in the future)."""
        from desktop.operations import rounds

        return rounds.default_year(self.ctx.session)

    def _policy_title(self, policy_id: str) -> str:
        """The title of the policy a round was computed under (not the one chosen in the drop-down)."""
        i = self.policy.findData(policy_id)
        return self.policy.itemText(i) if i >= 0 else _("a policy no longer installed")

    def _fill_policies(self) -> None:
        from desktop.operations import rounds

        self.policy.clear()
        for pid, label in rounds.policy_choices(self.ctx.session):
            self.policy.addItem(label, pid)

    def _show_state(self) -> None:
        rnd = self.round
        year = self.year.value()
        if rnd is None:
            self.state.setText(_("No award round for {year} yet").format(year=year))
            self.state.setStyleSheet("")
            self.empty.set_text(_("No round yet — choose a year and press Compute"), _(
                "The program computes every achievement of the year under the chosen policy; you then read the "
                "lines, set discretionary amounts and submit the round for review."))
            self.pages.setCurrentWidget(self.empty)
            self.compute_btn.setText(_("Compute"))
            self.pools.setText("")
            self.footer.setText("")
        else:
            title = self._policy_title(rnd.policy_id)
            text = _("Round {year} · {policy} · {status} · prepared by {preparer}").format(
                year=rnd.year, policy=title,
                status=RD.round_status_label(rnd.status), preparer=RD.user_name(rnd.prepared_by))
            if rnd.reviewed_by:
                text += " · " + _("reviewed by {user}").format(user=RD.user_name(rnd.reviewed_by))
            # the line wraps between its parts, never inside a name or the 发文字号 (the title alone is
            # too long to keep whole)
            text = keep_whole(text, free=(title,))
            if rnd.status == "returned" and rnd.note:
                text += "\n" + _("Returned because: {note}").format(note=rnd.note)
            gate = self._gate_sentence(rnd)
            if gate:
                text += "\n" + gate
            self.state.setText(text)
            self.state.setStyleSheet(f"color: {STATUS_COLOURS.get(rnd.status, '#000')};")
            self.pages.setCurrentWidget(self.split if self.lines else self.empty)
            if not self.lines:
                self.empty.set_text(_("This round has no lines"), _("No achievement is dated in {year}. Add "
                                                                    "achievements, then press Recompute.").format(year=rnd.year))
            self.compute_btn.setText(_("Recompute"))
            self._show_pools()
            self._show_footer()
        editable = rnd is None or rnd.status in ("draft", "returned")
        self.compute_btn.setEnabled(editable and self.policy.count() > 0)
        self.submit_btn.setEnabled(rnd is not None and rnd.status in ("draft", "returned") and bool(self.lines))
        self.review_btn.setEnabled(rnd is not None and rnd.status == "submitted")
        self.publicity_btn.setEnabled(rnd is not None and bool(self.lines))
        self._update_amount_button()

    def _read_with_round(self, key: str, read: Any) -> Any:
        """What the round's reading holds under ``key`` (read with its lines, in the worker for a large
        round), or ``read()`` here; raises the StdAwardError either met."""
        snap = getattr(self, "snapshot", None)
        value = getattr(snap, key, None) if snap is not None and snap.round is self.round else None
        if value is None:
            value = read()
        if isinstance(value, StdAwardError):
            raise value
        return value

    def _gate_sentence(self, rnd: Any) -> str:
        """The 公示 line the notices view shows, once the round is approved or publicised."""
        from desktop.operations import publicity

        try:
            st = self._read_with_round("publicity", lambda: publicity.state(self.ctx.session, rnd.uuid))
        except StdAwardError as exc:
            return error_text(exc)
        if rnd.status != "approved" and not st.started:
            return ""
        return publicity.gate_sentence(st)

    def _show_pools(self) -> None:
        try:
            from desktop.operations import rounds

            pools = self._read_with_round("pools", lambda: rounds.pool_budgets(self.ctx.session, self.round.uuid))
        except StdAwardError as exc:
            self.pools.setText(error_text(exc))
            return
        self.pools.setText("\n".join(_("{pool} ({clause}), {year}: budget {budget} · committed {used} · "
                                       "remaining {left}").format(
            pool=p.name, clause=p.clause, year=self.round.year, budget=money_text(p.budget), used=money_text(p.used),
            left=money_text(p.remaining)) for p in pools.values()))

    def _show_footer(self) -> None:
        """The round's counts, after what a search shows of it (or that a search is still running)."""
        snap = getattr(self, "snapshot", None)  # counted when the round was read
        if self.round is None or not self.lines or snap is None:
            return
        text = _("{n} lines · {paid} paid · {flagged} flagged · {open} to decide · total {total}").format(
            n=len(self.lines), paid=snap.paid, flagged=snap.flagged, open=snap.open, total=money_text(snap.total))
        shown = self.model.rowCount()
        if self.model.searching:
            text = _("Searching...") + " · " + text
        elif shown != len(self.lines):
            text = _("{shown} of {n} lines shown").format(shown=f"{shown:,}", n=f"{len(self.lines):,}") + " · " + text
        self.footer.setText(text)

    def selected_line(self) -> dict[str, Any] | None:
        idx = self.tableview.currentIndex()
        if not idx.isValid():
            rows = self.tableview.selectionModel().selectedRows()
            idx = rows[0] if rows else idx
        return idx.data(ROW_ROLE) if idx.isValid() else None

    def _show_line(self) -> None:
        line = self.selected_line()
        self._update_amount_button()
        if line is None:
            hint = _("Choose a line to read its explanation, clause and history.")  # (extracted: not in an f-string)
            self.detail.setHtml(f"<p style='color:#6b6b6b'>{hint}</p>")
            self.history_model.set_rows([])
            return
        from html import escape

        parts = [f"<h3>{escape(line['enterprise'])}</h3>",
                 f"<p>{escape(line['what'])} · {escape(line['date'])} · {escape(line['achievement'])}</p>",
                 f"<p><b>{escape(RD.status_label(line['status']))}</b>"
                 + (f" · <b>{escape(money_text(line['amount']))}</b>" if line["amount"] is not None else "")
                 + f" · {escape(RD.decision_label(line['decision']))}</p>",
                 f"<p>{escape(line['explanation'])}</p>"]
        if line["clause"]:
            # the clause and the fund's name: never the internal rule or fund id
            clause, fund = _("Clause"), _("Fund")
            parts.append(f"<p>{escape(clause)}{colon()}{escape(line['clause'])}"
                         + (f" · {escape(fund)}{colon()}{escape(self.fund_names[line['fund']])}"
                            if line["fund"] in self.fund_names else "") + "</p>")
        for f in line["flags"]:
            parts.append(f"<p style='background:#fff4d6; padding:4px'>⚠ {escape(f)}</p>")
        if needs_amount(line):
            todo = _("An officer sets this amount within the pool: press Set amount...")
            parts.append(f"<p style='color:#1f3b63'>{escape(todo)}</p>")
        self.detail.setHtml("".join(parts))
        from desktop.operations import rounds

        self.history_model.set_rows(history_rows(rounds.history(self.ctx.session, line["id"])))

    def _update_amount_button(self) -> None:
        line = self.selected_line() if hasattr(self, "tableview") else None
        ok = (self.round is not None and self.round.status in ("draft", "returned") and line is not None
              and line["status"] == "discretionary")
        self.amount_btn.setEnabled(ok)

    def _search(self, text: str) -> None:
        """Search as the officer types: a small round at once, a large one once typing pauses (each
        search then runs in the background, a newer one stopping it: a keystroke never waits)."""
        if len(self.model.lines) > self.model.FILTER_AT_ONCE:
            self._typing.start()
            return
        self._typing.stop()
        self.proxy.search(text)

    def _attention(self, on: bool) -> None:
        self.proxy.set_only_attention(on)

    def select_achievement(self, source_id: str) -> bool:
        row = self.model.row_of(source_id)
        if row < 0:
            return False
        idx = self.proxy.mapFromSource(self.model.index(row, 0))
        self.tableview.setCurrentIndex(idx)
        self.tableview.selectRow(idx.row())
        self.tableview.scrollTo(idx)
        return True

    # ------------------------------------------------------------------ actions
    def compute(self) -> None:
        """Create the year's round, or recompute a draft/returned one, in the background."""
        from desktop.operations import rounds

        year, policy_id, s = self.year.value(), self.policy.currentData(), self.ctx.session
        if policy_id is None:
            self.message.error(_("Choose the policy to compute the round under (or set the policy in force in "
                                 "Settings).") if self.policy.count() else
                               _("No policy is installed: choose one in Settings first."))
            return
        title = self.policy.currentText()  # the officer reads the policy's title, never its internal id

        def work(progress: Any) -> Any:
            progress.update(0, 0, _("Computing {year} under {policy}...").format(year=year, policy=title))
            return rounds.compute(s.with_progress(progress), year, policy_id)

        def done(result) -> None:
            self.ctx.changed("rounds")
            self.refresh()  # (a large round is read in a worker: the figures are the computed round's)
            self.message.ok(_("Round {year} computed: {n} lines, total {total}.").format(
                year=year, n=result.awards, total=money_text(result.total)))

        self.message.clear()
        self.ctx.tasks.run(work, on_done=done, on_error=lambda exc: self.message.error(error_text(exc)),
                           label=_("Computing the award round..."), parent=self)

    def compute_round(self, year: int, policy_id: str) -> None:
        """Compute the round of ``year`` under ``policy_id`` (what choosing them and pressing Compute does)."""
        self.year.setValue(year)
        i = self.policy.findData(policy_id)
        if i >= 0:
            self.policy.setCurrentIndex(i)
        self.compute()

    def submit_current(self) -> None:
        self.submit()

    def approve_current(self) -> None:
        """Approve the shown round as the signed-in user (the review dialog's Approve, without it),
        once the officer confirms the total and the number of lines."""
        if self.round is None:
            return
        year, n, total = self.round.year, len(self.lines), money_text(RD.grand_total(self.lines))
        confirm(self, _("Approve the award round"),
                RD.approve_question(year, n, total, RD.publicity_required(self.ctx.session)), _("Approve"),
                self._approve_now)

    def _approve_now(self) -> None:
        from desktop.operations import rounds

        if self.round is None:
            return
        uid, s = self.round.uuid, self.ctx.session

        def done(_info: Any) -> None:
            self.ctx.changed("rounds")
            self.refresh()
        self.ctx.tasks.run(lambda p: rounds.approve(s.with_progress(p), uid), on_done=done,
                           on_error=lambda exc: self.message.error(error_text(exc)),
                           label=_("Approving the round..."), parent=self)

    def set_amount(self) -> None:
        from desktop.ui.views.round_dialogs import AmountDialog

        line = self.selected_line()
        if line is None or self.round is None or line["status"] != "discretionary":
            return
        if self.round.status not in ("draft", "returned"):
            self.message.error(_("The round is {status}: amounts change only in a draft or returned round.").format(
                status=RD.round_status_label(self.round.status)))
            return
        dlg = AmountDialog(self.ctx, self.round, line, self)
        if dlg.exec() and dlg.saved:
            self.refresh()
            self.select_achievement(line["achievement"])
            self.message.ok(_("Amount set for {what}.").format(what=line["what"]))

    def submit(self) -> None:
        """Submit the shown round for review once the officer confirms its total and lines."""
        if self.round is None:
            return
        text = _("Submit the award round for {year} for review: {n} lines, total {total}?").format(
            year=self.round.year, n=len(self.lines), total=money_text(RD.grand_total(self.lines)))
        confirm(self, _("Submit for review"), text, _("Submit"), self._submit_now,
                _("After submitting, the round cannot be changed until a reviewer returns it."))

    def _submit_now(self) -> None:
        from desktop.operations import rounds

        if self.round is None:
            return
        try:
            self.round = rounds.submit(self.ctx.session, self.round.uuid)
        except StdAwardError as exc:
            self.message.error(error_text(exc))
            return
        self.ctx.changed("rounds")
        self.refresh()
        self.message.ok(_("Round {year} submitted for review. A reviewer or an administrator other than you "
                          "approves it.").format(year=self.round.year))

    def review_dialog(self):
        from desktop.ui.views.round_dialogs import ReviewDialog

        return ReviewDialog(self.ctx, self.round, self.lines, self)

    def review(self) -> None:
        if self.round is None:
            return
        dlg = self.review_dialog()
        if dlg.exec() and dlg.done_as:
            self.refresh()
            if dlg.done_as == "approved":
                self.message.ok(_("Round {year} approved. Issue its notices under Notices.").format(year=self.round.year))
            else:
                self.message.info(_("Round {year} returned to the preparer.").format(year=self.round.year))

    def publicity_dialog(self):
        from desktop.ui.views.publicity import PublicityDialog

        return PublicityDialog(self.ctx, self.round, self.lines, self)

    def publicity(self) -> None:
        """The 公示 of the shown round, its objections and the letters of refusal."""
        if self.round is None:
            return
        dlg = self.publicity_dialog()
        self.publicity_window = dlg  # kept while open (not modal: the officer may read the round beside it)

        def finished(_result: int) -> None:
            if dlg.changed:
                self.refresh()
            dlg.deleteLater()
        qconnect(dlg.finished, finished)
        dlg.open()
