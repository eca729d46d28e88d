"""The overview: what a county officer sees first every morning.

The office profile; this year's and last year's award round (status, who prepared it, lines, total
awarded, discretionary amounts still to set, flagged lines); notices (issued this year, the last
发文字号, failed prints waiting for a reprint); the nearest targets of the policy in force; data
safety (last automatic and manual backup, last export package, the audit chain); and a short list
of what to do next, each with a link to the view where it is done.

Cheap to show, and shown before the models are bound: everything but the targets and the audit
chain is read with plain SQL (``desktop.operations.overview``) and the backup folder's listing. The targets
(loading the policy, the achievements) and the audit chain check need the models: they are read in
the background (quiet) once the models are bound, and fill their panels when ready. Amounts are
written plainly until then, in the locale's form (babel) afterwards.
"""
from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from desktop.core.i18n import _
from desktop.operations.overview import Overview, read_overview
from desktop.ui.linebreaks import keep_whole, unbroken, whole_clauses
from desktop.ui.qt import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
    is_alive,
    qconnect,
)
from desktop.ui.views import round_data as RD
from desktop.ui.views.base import View
from desktop.ui.views.widgets import bold

STATUS_COLOURS = {"none": "#5f6368", "draft": "#5f6368", "submitted": "#8a5a00", "approved": "#1b5e20",
                  "returned": "#b3261e"}
WARN, OK, MUTED = "#b3261e", "#1b5e20", "#6b6b6b"
TARGETS_SHOWN = 5  # the nearest deadlines on the overview; the rest on the targets view
DUE_SOON_DAYS = 90


# ---------------------------------------------------------------------------- background reading
@dataclass
class Late:
    """What needs the models, read in a worker: the policy's title, its targets, the audit chain."""
    policy_title: str | None = None
    targets: list[Any] = field(default_factory=list)  # desktop.core.targets.TargetProgress
    targets_error: str | None = None
    counts_how: str | None = None  # kept | incremental | full (desktop.store.target_counts.Counted)
    chain: dict[str, Any] = field(default_factory=dict)  # desktop.operations.audit.check_chain
    chain_checked: dt.datetime | None = None
    money: list[dict[str, Any]] = field(default_factory=list)  # issued / paid / outstanding per year and fund
    counted: bool = False  # the targets and the money are read (the chain's check arrives on its own)

    @property
    def chain_broken_at(self) -> int | None:
        return self.chain.get("broken_at")


def money_rows(totals: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """The money lines the overview shows: this year's and last year's funds, and any older year
    with an amount still unpaid (newest first)."""
    keep = [t for t in totals if t["year"] >= today.year - 1 or t["outstanding"] > 0]
    return sorted(keep, key=lambda t: (-t["year"], t["fund_name"]))


def nearest_targets(progress: list[Any]) -> list[Any]:
    """Targets not yet met first, by deadline (overdue ones lead), then met ones."""
    far = dt.date.max
    return sorted(progress, key=lambda p: (bool(p.met), p.deadline or far, p.text))


def read_late(session: Any, policy_id: str | None, today: dt.date) -> Late:
    """Everything the overview reads in the background, in one go (the view reads the two parts in
    two tasks, painting each as it arrives)."""
    late = read_counts(session, policy_id, today)
    late.chain, late.chain_checked = read_chain(session)
    return late


def read_chain(session: Any) -> tuple[dict[str, Any], dt.datetime]:
    """The audit chain's check from its mark (the whole log the very first time: the longest part
    of a first reading, so it has a task of its own), and when it was done; then the targets'
    number index made if it is missing (what the counts after an import are brought up to date by)."""
    from desktop.operations import audit, targets

    chain = audit.check_chain(session, incremental=True)
    if chain.get("broken_at") is None:  # after the check, in its thread: the mark it kept carried over the index
        targets.keep_number_index(session)
    return chain, dt.datetime.now()


def _region(code: Any) -> str:
    """350302（福建省莆田市城厢区） once the region table is read (``read_counts`` reads it in the
    background), the bare code before: the first paint never reads it."""
    from desktop.core.regions import shown_region

    name = shown_region(code)
    return f"{code}（{name}）" if code and name != str(code) else str(code or "")


def read_counts(session: Any, policy_id: str | None, today: dt.date) -> Late:
    """The policy's title, its targets' progress and the money, without the chain's check (and the
    region table read, for the office's region's name)."""
    from desktop.core import regions
    from desktop.core.errors import StdAwardError

    regions.load()
    from desktop.core.money import format_money
    from desktop.ui.tasks import error_text

    format_money(Decimal(0))  # babel loaded here, not on the UI thread when the totals are written again
    late = Late()
    if policy_id:
        from desktop.operations import targets

        try:
            policy, progress, late.counts_how = targets.counted_progress_how(session, policy_id, today)
        except StdAwardError as exc:
            late.targets_error = error_text(exc)
        else:
            late.policy_title = policy.title + (f"（{policy.document_number}）" if policy.document_number else "")
            late.targets = nearest_targets(progress)
    from desktop.operations import payments

    late.money = money_rows(payments.totals(session), today)
    late.counted = True
    return late


# ---------------------------------------------------------------------------- what to do next
def next_steps(data: Overview, late: Late | None, username: str, role: str) -> list[tuple[str, str | None]]:
    """(text, link) of what the officer should do next, most pressing first. Links: a view name,
    ``round:YEAR`` or ``round:YEAR:attention``; None for a hint without a place to go."""
    steps: list[tuple[str, str | None]] = []
    if late is not None and late.chain_broken_at is not None:
        steps.append((_("The audit log's chain is broken at entry {id}: the database was changed outside "
                        "StdAward. Keep this file and compare it with a backup.").format(id=late.chain_broken_at),
                      "audit"))
    if data.office is None:
        return steps + [(_("The office profile is not set up"), "settings")]
    if data.enterprises == 0:
        return steps + [(_("No enterprises yet. Add one under Enterprises (Ctrl+Shift+N), or import the Excel "
                           "template (Ctrl+I)."), "enterprises")]
    if data.achievements == 0:
        return steps + [(_("No achievements yet. Add them under Achievements (Ctrl+N) or import them from Excel "
                           "(Ctrl+I)."), "achievements")]
    for r in data.rounds:
        year, status = r["year"], r["status"]
        link = f"round:{year}"
        if status == "none":
            if r["has_achievements"]:
                steps.append((_("No award round for {year} yet: compute it under Award rounds").format(year=year), link))
        elif status in ("draft", "returned"):
            if status == "returned":
                steps.append((_("The {year} round was returned: {note}").format(year=year, note=r["note"] or "-"), link))
            if r["to_set"]:
                steps.append((_("Discretionary amounts to set in the {year} round: {n}").format(year=year, n=r["to_set"]),
                              link + ":attention"))
            if r["flagged"]:
                steps.append((_("Flagged lines to review in the {year} round: {n}").format(year=year, n=r["flagged"]),
                              link + ":attention"))
            if not r["to_set"] and r["lines"]:
                steps.append((_("Every amount of the {year} round is set: submit it for review").format(year=year), link))
        elif status == "submitted":
            if role in ("reviewer", "admin") and username != r["prepared_by"]:
                steps.append((_("The {year} round waits for your review").format(year=year), link))
            else:
                steps.append((_("The {year} round is submitted: waiting for a reviewer").format(year=year), link))
        elif status == "approved" and r["paid"] and not r["notices"]:
            steps.append((_("The {year} round is approved: issue its notices").format(year=year), "notices"))
    if data.notices["failed"]:
        steps.append((_("Notices not printed (failed or interrupted), waiting for a reprint: {n}").format(n=data.notices["failed"]),
                      "notices"))
    for reply in data.replies:
        if reply["decision"] == "returned":
            steps.append((_("{office} returned the {year} submission: {comment} Records commented on: {records}").format(
                office=reply["office"], year=reply["year"], comment=reply["comment"] or "-",
                records="、".join(reply["remarks"]) or "-"), "exchange"))
    if late is not None:
        due = [p for p in late.targets if not p.met and not p.met_late and p.deadline and p.count is not None
               and (p.deadline - data.today).days <= DUE_SOON_DAYS]
        if due:
            steps.append((_("Targets not yet met with a deadline passed or within {days} days: {n}").format(
                days=DUE_SOON_DAYS, n=len(due)), "targets"))
    if not any(data.backups.values()):
        steps.append((_("No backup of this database yet: one is made each day the program opens it, and "
                        "File → Back up the database (Ctrl+B) makes one now, also onto a USB stick."), None))
    return steps


def money(value: Decimal, formatted: bool) -> str:
    """An amount in the locale's form once babel is loaded (in the background), plainly before."""
    if formatted or "babel.numbers" in sys.modules:
        from desktop.ui.tablemodel import money_text

        return money_text(value)
    return "¥" + format(value, ",.2f")


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else _("never")


# ---------------------------------------------------------------------------- widgets
class Card(QFrame):
    """A titled panel with rows of label: value and buttons at the bottom."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 10)
        self.title = bold(QLabel(), 1.1)
        self.title.setWordWrap(True)
        lay.addWidget(self.title)
        self.status = bold(QLabel())
        self.status.setObjectName(f"{name}-status")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(12)
        self.grid.setColumnStretch(1, 1)
        lay.addLayout(self.grid)
        self.rows: dict[str, tuple[QLabel, QLabel]] = {}
        self.body = QVBoxLayout()
        lay.addLayout(self.body)
        lay.addStretch(1)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        lay.addLayout(self.buttons)

    def row(self, key: str) -> QLabel:
        if key not in self.rows:
            label, value = QLabel(), QLabel()
            label.setStyleSheet(f"color: {MUTED};")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            n = len(self.rows)
            self.grid.addWidget(label, n, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(value, n, 1)
            self.rows[key] = (label, value)
        return self.rows[key][1]

    def set_row(self, key: str, label: str, value: str, colour: str | None = None, visible: bool = True) -> None:
        v = self.row(key)
        lab = self.rows[key][0]
        lab.setText(label)
        v.setText(value)
        v.setStyleSheet(f"color: {colour};" if colour else "")
        lab.setVisible(visible and bool(label))
        v.setVisible(visible)

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def button(self, name: str, slot) -> QPushButton:
        b = QPushButton()
        b.setObjectName(name)
        qconnect(b.clicked, lambda _c=False: slot())
        self.buttons.addWidget(b)
        return b


class OverviewView(View):
    name = "overview"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.data: Overview | None = None
        self.late: Late | None = None
        self._generation = 0
        self._wants_late = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        page = QWidget()
        scroll.setWidget(page)
        lay = QVBoxLayout(page)
        lay.setContentsMargins(24, 18, 24, 18)
        lay.setSpacing(10)
        self.title = bold(QLabel(), 1.6)
        self.title.setWordWrap(True)
        lay.addWidget(self.title)
        self.profile = QLabel()
        self.profile.setObjectName("profile")
        self.profile.setWordWrap(True)
        self.profile.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.profile.setStyleSheet(f"color: {MUTED};")
        lay.addWidget(self.profile)

        self.next_box = QFrame()
        self.next_box.setObjectName("nextSteps")
        self.next_box.setStyleSheet("#nextSteps {background:#eef3fb; border:1px solid #b9cbe8; border-radius:4px;}"
                                    " QLabel {background:transparent;}")
        nl = QVBoxLayout(self.next_box)
        nl.setContentsMargins(14, 8, 14, 8)
        self.next_title = bold(QLabel())
        nl.addWidget(self.next_title)
        self.hint = QLabel()
        self.hint.setObjectName("nextHint")
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.RichText)
        qconnect(self.hint.linkActivated, self.open_link)
        nl.addWidget(self.hint)
        lay.addWidget(self.next_box)

        grid = QGridLayout()
        grid.setSpacing(12)
        self.round_cards = [Card("roundThisYear"), Card("roundLastYear")]
        for i, card in enumerate(self.round_cards):
            card.open_btn = card.button(f"openRound{i}", lambda i=i: self.open_round(self._round_year(i)))
            card.attention_btn = card.button(f"attentionRound{i}",
                                             lambda i=i: self.open_round(self._round_year(i), attention=True))
            grid.addWidget(card, 0, i)
        self.notices = Card("noticesCard")
        self.notices_btn = self.notices.button("openNotices", lambda: self.go("notices"))
        grid.addWidget(self.notices, 0, 2)
        self.targets = Card("targetsCard")
        self.targets_grid = QGridLayout()
        self.targets_grid.setHorizontalSpacing(10)
        self.targets_grid.setColumnStretch(0, 1)
        self.targets.body.addLayout(self.targets_grid)
        self.targets_btn = self.targets.button("openTargets", lambda: self.go("targets"))
        grid.addWidget(self.targets, 1, 0, 1, 2)
        self.safety = Card("safetyCard")
        self.audit_btn = self.safety.button("openAudit", lambda: self.go("audit"))
        self.exchange_btn = self.safety.button("openExchange", lambda: self.go("exchange"))
        grid.addWidget(self.safety, 1, 2)
        for c in range(3):
            grid.setColumnStretch(c, 1)
        lay.addLayout(grid)
        lay.addStretch(1)
        qconnect(ctx.store_ready, self._store_ready)
        self.retranslate()

    # ------------------------------------------------------------------ navigation
    def go(self, view: str):
        win = self.window()
        return win.show_view(view) if hasattr(win, "show_view") else None

    def _round_year(self, i: int) -> int:
        return self.data.rounds[i]["year"] if self.data else dt.date.today().year - i

    def open_round(self, year: int, attention: bool = False):
        """The rounds view on ``year`` (optionally showing only the lines needing attention)."""
        v = self.go("rounds")
        if v is not None:
            v.year.setValue(year)
            v.attention.setChecked(attention)
        return v

    def open_link(self, link: str) -> None:
        kind, _sep, rest = link.partition(":")
        if kind == "round":
            year, _sep, extra = rest.partition(":")
            self.open_round(int(year), attention=extra == "attention")
        elif kind == "target":
            v = self.go("targets")
            if v is not None:
                v.select_target(rest)
        else:
            self.go(kind)

    # ------------------------------------------------------------------ View protocol
    def retranslate(self) -> None:
        self.next_title.setText(_("What to do next"))
        self.notices.title.setText(_("Notices and payments"))
        self.notices_btn.setText(_("Open notices"))
        self.targets.title.setText(_("Targets of the policy in force"))
        self.targets_btn.setText(_("All targets"))
        self.safety.title.setText(_("Data safety"))
        self.audit_btn.setText(_("Audit log"))
        self.exchange_btn.setText(_("Exchange"))
        for card in self.round_cards:
            card.attention_btn.setText(_("Lines needing attention"))
        self.refresh()

    def refresh(self) -> None:
        self.data = read_overview(self.ctx.db_path, dt.date.today())
        self._paint()
        if self.ctx.quick_office is not None:  # a quick start: the models come after the first paint
            self._wants_late = True
        else:
            self._load_late()

    def _store_ready(self) -> None:
        if self._wants_late and is_alive(self):
            self._wants_late = False
            self._load_late()

    def _load_late(self) -> None:
        self._generation += 1
        generation = self._generation
        office, today = self.data.office, self.data.today
        policy_id = office["policy_id"] if office else None
        s = self.ctx.session  # the models are bound by now (after the quick start's store_ready)

        # two tasks, each painted as it arrives: the targets and money, and the audit chain's check
        # (a first reading checks the whole log: the targets do not wait for it); until a part
        # arrives its cells keep what the last reading showed, or say they are being read
        def counted(late: Late) -> None:
            if not is_alive(self) or generation != self._generation:
                return  # the window was closed, or a newer reading is on its way
            if self.late is not None:
                late.chain, late.chain_checked = self.late.chain, self.late.chain_checked
            self.late = late
            self._paint()

        def checked(result: tuple[dict[str, Any], dt.datetime]) -> None:
            if not is_alive(self) or generation != self._generation:
                return
            if self.late is None:
                self.late = Late()
            self.late.chain, self.late.chain_checked = result
            self._paint()
        def counting(_done: int, _total: int, text: str) -> None:  # a first counting: which target, in words
            if is_alive(self) and generation == self._generation and text and (self.late is None or not self.late.counted):
                self.targets.set_status(text)
        self.ctx.tasks.run(lambda p: read_counts(s.with_progress(p), policy_id, today), on_done=counted,
                           on_error=lambda _exc: None, quiet=True, on_progress=counting)
        self.ctx.tasks.run(lambda _p: read_chain(s), on_done=checked, on_error=lambda _exc: None, quiet=True)

    # ------------------------------------------------------------------ painting
    def _paint(self) -> None:
        data, late = self.data, self.late
        office = data.office
        self.title.setText(office["name"] if office else _("The office profile is not set up"))
        policy = "-"  # the policy's title once it is read; never its id, not even for a moment
        if office and office["policy_id"]:
            policy = late.policy_title if late and late.policy_title else ("-" if late and late.counted else "…")
        parts = [_("Region code {code}").format(code=_region(office["region_code"])) if office else None,
                 _("Document number prefix {prefix}").format(prefix=office["doc_prefix"]) if office and office["doc_prefix"] else None,
                 _("Policy in force: {policy}").format(policy=policy),
                 _("Signatory: {name}").format(name=office["signatory"]) if office and office["signatory"] else None,
                 _("Enterprises: {n}").format(n=f"{data.enterprises:,}"),
                 _("Achievements: {n}").format(n=f"{data.achievements:,}")]
        # wrapped between its parts only: never inside the 发文字号 or the 落款's name (the policy's
        # title alone is too long to keep on one line)
        self.profile.setText(keep_whole(" · ".join(p for p in parts if p), free=(policy,)))
        steps = next_steps(data, late, self.ctx.username, self.ctx.role)
        if steps:
            open_ = _escape(_("Open"))
            self.hint.setText("<br>".join("• " + _escape(text) + (f" <a href=\"{link}\">{open_}</a>" if link else "")
                                          for text, link in steps))
        else:
            self.hint.setText(_escape(_("Nothing is waiting for you.")))
        for card, r in zip(self.round_cards, data.rounds):
            self._paint_round(card, r)
        self._paint_notices()
        self._paint_targets()
        self._paint_safety()

    def _paint_round(self, card: Card, r: dict[str, Any]) -> None:
        year, status = r["year"], r["status"]
        card.title.setText(_("Award round {year}").format(year=year))
        card.status.setStyleSheet(f"color: {STATUS_COLOURS.get(status, '#000')};")
        card.open_btn.setText(_("Open the {year} round").format(year=year))
        if status == "none":
            card.status.setText(_("No round yet"))
            for key in list(card.rows):
                card.set_row(key, "", "", visible=False)
            if r["has_achievements"]:
                waiting = _("Achievements dated {year} are waiting to be computed.").format(year=year)
            elif r.get("received"):  # the city: the counties compute their own rounds
                waiting = _("This office has no achievement of its own dated {year}; the counties' are read in "
                            "{view} → {button}").format(year=year, view=_("Exchange"),
                                                        button=_("Consolidation report...").rstrip("."))
            else:
                waiting = _("No achievement is dated {year}.").format(year=year)
            card.set_row("waiting", "", waiting)
            card.attention_btn.setVisible(False)
            return
        card.status.setText(RD.round_status_label(status))
        if "waiting" in card.rows:
            card.set_row("waiting", "", "", visible=False)
        formatted = self.late is not None
        rows = [("preparer", _("Prepared by"), r["preparer"], None),
                ("reviewer", _("Reviewed by"), r["reviewer"], None),
                ("lines", _("Lines"), f"{r['lines']:,}", None),
                ("total", _("Total awarded"), money(r["total"], formatted), None),
                ("to_set", _("Discretionary amounts to set"), str(r["to_set"]), WARN if r["to_set"] else None),
                ("flagged", _("Flagged lines to review"), str(r["flagged"]), WARN if r["flagged"] else None)]
        for key, label, value, colour in rows:
            card.set_row(key, label, value, colour, visible=key != "reviewer" or r["reviewer"] != "-")
        if status == "returned" and r["note"]:
            card.set_row("note", _("Returned because"), r["note"], WARN)
        elif "note" in card.rows:
            card.set_row("note", "", "", visible=False)
        card.attention_btn.setVisible(bool(r["to_set"] or r["flagged"]))

    def _paint_notices(self) -> None:
        n = self.data.notices
        c = self.notices
        c.set_status("")
        c.set_row("issued", _("Issued in {year}").format(year=n["year"]), str(n["issued"]))
        c.set_row("last", _("Last document number"), unbroken(n["last"]) + f"（{n['last_on']}）" if n["last"] else "-")
        c.set_row("failed", _("Notices to reprint"), str(n["failed"]), WARN if n["failed"] else None)
        shown = set()
        for t in self.late.money if self.late else []:
            key = f"money-{t['year']}-{t['fund']}"
            shown.add(key)
            c.set_row(key, _("{year} · {fund}").format(year=t["year"], fund=t["fund_name"]),
                      whole_clauses(_("issued {issued}, paid {paid}, outstanding {left}").format(
                          issued=money(t["issued"], True), paid=money(t["paid"], True),
                          left=money(t["outstanding"], True))),
                      WARN if t["outstanding"] > 0 else OK)
        for key in [k for k in c.rows if k.startswith("money-") and k not in shown]:
            c.set_row(key, "", "", visible=False)

    def _paint_targets(self) -> None:
        c = self.targets
        while self.targets_grid.count():
            w = self.targets_grid.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        office = self.data.office
        if not office or not office["policy_id"]:
            c.set_status(_("No policy in force: choose one under Settings."))
            return
        if self.late is None or not self.late.counted:
            c.set_status(_("Counting..."))
            return
        if self.late.targets_error:
            c.set_status(self.late.targets_error)
            return
        if not self.late.targets:
            c.set_status(_("This policy sets no targets"))
            return
        from desktop.ui.views.targets import (  # after the models: not at the first paint
            progress_bar,
            state_text,
        )

        c.set_status("")
        for row, p in enumerate(self.late.targets[:TARGETS_SHOWN]):
            text = QLabel(f'<a href="target:{_escape(p.id)}">{_escape(p.text)}</a>')  # opens it on the targets view
            text.setObjectName(f"target-{p.id}")
            text.setToolTip(f"{p.text}（{p.clause}）")
            text.setWordWrap(True)
            qconnect(text.linkActivated, self.open_link)
            self.targets_grid.addWidget(text, row, 0)
            bar = progress_bar(p)
            bar.setFixedWidth(160)
            self.targets_grid.addWidget(bar, row, 1)
            state, colour = state_text(p)
            deadline = QLabel((p.deadline.isoformat() + " · " if p.deadline else "") + state)
            deadline.setStyleSheet(f"color: {colour};")
            self.targets_grid.addWidget(deadline, row, 2)
        more = len(self.late.targets) - TARGETS_SHOWN
        if more > 0:
            c.set_status(_("The {n} nearest deadlines of {total}").format(n=TARGETS_SHOWN, total=len(self.late.targets)))

    def _paint_safety(self) -> None:
        c, data, late = self.safety, self.data, self.late
        c.set_status("")
        auto, manual = data.backups["automatic"], data.backups["manual"]
        stale = auto is None or (dt.datetime.now() - auto).days >= 2
        c.set_row("auto", _("Last automatic backup"), _when(auto), WARN if stale else None)
        c.set_row("manual", _("Last manual backup"), _when(manual))
        exp = data.export
        c.set_row("export", _("Last export package"),
                  _("{when} (no. {seq})").format(when=exp["at"], seq=exp["sequence"]) if exp else _("never"))
        reply = data.replies[0] if data.replies else None
        c.set_row("reply", _("The city's reply"),
                  _("{year}: accepted").format(year=reply["year"]) if reply and reply["decision"] == "accepted" else
                  _("{year}: returned ({n} records commented)").format(year=reply["year"], n=len(reply["remarks"]))
                  if reply else "-", WARN if reply and reply["decision"] == "returned" else None,
                  visible=reply is not None)
        c.set_row("chain", _("Audit log"), *chain_text(data, late))


def chain_text(data: Overview, late: Late | None) -> tuple[str, str | None]:
    """(text, colour) of the audit chain's row, saying which check was done: every entry read, or
    only the entries added since the last full check (the full check is under Audit log)."""
    if late is None or not late.chain:
        return _("checking {n} entries...").format(n=f"{data.audit_entries:,}"), None
    c = late.chain
    if c["broken_at"] is not None:
        return "✗ " + _("broken at entry {id}").format(id=c["broken_at"]), WARN
    checked = late.chain_checked.strftime("%H:%M") if late.chain_checked else "-"
    if c["full"]:
        return "✓ " + _("intact, all {n} entries checked ({time})").format(n=f"{c['entries']:,}", time=checked), OK
    full_at = c["full_at"].strftime("%Y-%m-%d %H:%M") if c["full_at"] else "-"
    return "✓ " + _("intact: the {k} entries added since the full check of {date} checked ({time}), {n} entries in "
                    "all; the full check of every entry is under Audit log").format(
        k=f"{c['read']:,}", date=full_at, time=checked, n=f"{c['entries']:,}"), OK


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)
