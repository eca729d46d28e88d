"""Dialogs of the award-round view: setting a discretionary amount within its pool (remaining budget
shown live, refusals under the field), and the review step (approve, or return with a reason) where
the approver must be another person than the preparer, with the role reviewer or administrator."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from desktop.core.errors import Problem, StaleRecord, StdAwardError
from desktop.core.i18n import _
from desktop.core.money import ZERO, to_money
from desktop.operations.roles import allowed, role_label
from desktop.ui.forms import ProblemForm
from desktop.ui.qt import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    qconnect,
)
from desktop.ui.tablemodel import money_text
from desktop.ui.tasks import error_text
from desktop.ui.views import round_data as RD
from desktop.ui.views.widgets import MessageBar, bold, confirm


def parse_amount(text: str) -> Decimal | None:
    """Yuan typed by an officer ("12,000", "12000.5", "￥8000"), as every other amount is read
    (``core.money``); None when it is not a number."""
    try:
        return to_money(text)
    except ValueError:
        return None


class AmountDialog(QDialog):
    """Set the amount of one discretionary award; the pool's remaining budget is shown as you type."""

    def __init__(self, ctx, rnd, line: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.rnd, self.line = ctx, rnd, line
        self.saved = False
        self.setObjectName("amountDialog")
        self.setWindowTitle(_("Set a discretionary amount"))
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        what = bold(QLabel(f"{line['enterprise']} · {line['what']}"))
        what.setWordWrap(True)
        lay.addWidget(what)
        expl = QLabel(line["explanation"])
        expl.setWordWrap(True)
        lay.addWidget(expl)
        from desktop.operations import rounds

        pool_id = rounds.pool_of(ctx.session, rnd.uuid, line["rule"])
        pools = rounds.pool_budgets(ctx.session, rnd.uuid)
        self.pool = pools.get(pool_id) if pool_id else None
        current = line["amount"] or ZERO
        # what this award may take: the pool's remaining budget plus what it already holds
        self.left = (self.pool.remaining + current) if self.pool else None
        self.budget = QLabel()
        self.budget.setObjectName("poolBudget")
        self.budget.setWordWrap(True)
        if self.pool:
            self.budget.setText(_("{pool} ({clause}) for {year}: budget {budget}, committed by other awards "
                                  "{used}, available for this award {left}").format(
                pool=self.pool.name, clause=self.pool.clause, year=rnd.year, budget=money_text(self.pool.budget),
                used=money_text(self.pool.used - current), left=money_text(self.left)))
        else:
            self.budget.setText(_("This award's rule draws on no pool open in {year}.").format(year=rnd.year))
        lay.addWidget(self.budget)
        self.form = ProblemForm()
        self.amount = self.form.add("amount", _("Amount (yuan)"), QLineEdit(
            format(line["amount"], "f") if line["amount"] is not None else ""))
        self.amount.setPlaceholderText(_("e.g. 50000; 0 for no award"))
        self.note = self.form.add("note", _("Reason"), QLineEdit())
        self.note.setPlaceholderText(_("why this amount (kept in the award's history)"))
        lay.addLayout(self.form)
        self.after = QLabel()
        self.after.setObjectName("remainingAfter")
        lay.addWidget(self.after)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        qconnect(self.buttons.accepted, self.save)
        qconnect(self.buttons.rejected, self.reject)
        lay.addWidget(self.buttons)
        qconnect(self.amount.textChanged, lambda _t: self.check())
        self.check()

    def check(self) -> bool:
        """Live validation: a number, not negative, within what the pool has left."""
        value = parse_amount(self.amount.text())
        problems: list[Problem] = []
        if self.amount.text().strip() and value is None:
            problems.append(Problem(self.line["achievement"], "amount", _("type an amount in yuan, e.g. 50000")))
        elif value is not None and value < 0:
            problems.append(Problem(self.line["achievement"], "amount", _("an amount cannot be negative")))
        elif value is not None and self.left is not None and value > self.left:
            problems.append(Problem(self.line["achievement"], "amount", _(
                "{amount} is more than the {left} left in the pool for {year}").format(
                amount=money_text(value), left=money_text(self.left), year=self.rnd.year)))
        self.form.show_problems(problems)
        if value is not None and self.left is not None and not problems:
            self.after.setText(_("Left in the pool after this: {left}").format(left=money_text(self.left - value)))
        else:
            self.after.setText("")
        ok = value is not None and not problems
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(ok)
        return ok

    def save(self) -> None:
        """Store the amount; a refusal by the store (the pool's budget, the round's status) is
        shown under the field and nothing changes."""
        from desktop.operations import rounds

        value = parse_amount(self.amount.text())
        if value is None:
            self.check()
            return
        try:
            rounds.set_amount(self.ctx.session, self.line["uuid"], value, self.note.text().strip() or None,
                              self.line.get("version"))
        except StaleRecord as exc:  # another officer set it since the round's screen was read
            from desktop.ui.stale import offer_reload

            self.form.show_problems([Problem(self.line["achievement"], "amount", error_text(exc))])
            self.stale_box = offer_reload(self, exc, self.reload)
            return
        except StdAwardError as exc:
            self.form.show_problems([Problem(self.line["achievement"], "amount", error_text(exc))])
            return
        self.saved = True
        self.ctx.changed("awards")
        self.accept()


    def reload(self) -> None:
        """Take the line as it is now (its amount and version); the round's screen reads it again."""
        from desktop.operations import rounds

        fresh = next(iter(rounds.lines(self.ctx.session, self.rnd.uuid, self.line["uuid"])), None)  # that line only
        self.ctx.changed("awards")
        if fresh is None:
            self.reject()
            return
        self.line = fresh
        self.amount.setText("" if fresh["amount"] is None else format(fresh["amount"], "f"))
        self.check()


class ReviewDialog(QDialog):
    """Approve a submitted round, or return it to the preparer with a reason."""

    def __init__(self, ctx, rnd, lines: Sequence[Mapping[str, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.rnd, self.lines = ctx, rnd, lines
        self.done_as: str | None = None  # "approved" | "returned"
        self.setObjectName("reviewDialog")
        self.setWindowTitle(_("Review the award round for {year}").format(year=rnd.year))
        self.setMinimumWidth(560)
        lay = QVBoxLayout(self)
        figures = getattr(lines, "figures", None)  # a round as read: counted then (it may hold 10⁶ lines)
        flagged = figures.flagged if figures is not None else sum(1 for ln in lines if ln["flags"])
        paid = figures.paid if figures is not None else sum(
            1 for ln in lines if ln["status"] in RD.PAYING and ln["amount"] is not None)
        summary = QLabel(_("Policy: {policy}\nPrepared by: {preparer}\nLines: {n}, paid: {paid}, flagged for a "
                           "judgment call: {flagged}\nTotal: {total}").format(
            policy=dict(RD.policy_choices()).get(rnd.policy_id, "—"), preparer=RD.user_name(rnd.prepared_by), n=len(lines), paid=paid,
            flagged=flagged, total=money_text(RD.grand_total(lines))))
        summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        summary.setObjectName("reviewSummary")
        summary.setWordWrap(True)  # a policy's whole title with its 文号, not cut at the dialog's edge
        lay.addWidget(summary)
        # the funds that pay or wait for an amount (the lines not eligible, under no fund, are no fund's)
        by_fund = [r for r in RD.totals_by(lines, "fund") if r["count"] or r.get("open")]
        if by_fund:
            from desktop.operations import rounds

            fund_names = rounds.fund_names(ctx.session, rnd.uuid)  # the fund's name, never its internal id
            funds = QLabel("\n".join(_("Fund {fund}: {total} ({n} items)").format(
                fund=fund_names.get(r["fund"], _("(no fund named)")), total=money_text(r["total"]), n=r["count"])
                for r in by_fund))
            funds.setObjectName("reviewFunds")
            funds.setWordWrap(True)
            lay.addWidget(funds)
        self.who = QLabel(_("You review as {user}, {role}.").format(user=RD.user_name(ctx.username),
                                                                     role=role_label(ctx.role) if ctx.role
                                                                     else _("not signed in")))
        lay.addWidget(self.who)
        self.hint = QLabel()
        self.hint.setObjectName("reviewHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #8a5a00;")
        lay.addWidget(self.hint)
        lay.addWidget(QLabel(_("Note (required to return the round):")))
        self.note = QPlainTextEdit()
        self.note.setMaximumHeight(80)
        lay.addWidget(self.note)
        self.message = MessageBar(self)
        lay.addWidget(self.message)
        self.buttons = QDialogButtonBox()
        self.approve_btn = QPushButton(_("Approve"))
        self.return_btn = QPushButton(_("Return to the preparer"))
        self.buttons.addButton(self.approve_btn, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.return_btn, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        qconnect(self.approve_btn.clicked, self.approve)
        qconnect(self.return_btn.clicked, self.return_round)
        qconnect(self.buttons.rejected, self.reject)
        lay.addWidget(self.buttons)
        reason = self.refusal()
        self.hint.setText(reason)
        self.hint.setVisible(bool(reason))
        self.approve_btn.setEnabled(not reason)
        self.return_btn.setEnabled(not reason)
        self.approve_btn.setDefault(False)
        self.approve_btn.setAutoDefault(False)

    def refusal(self) -> str:
        """Why the signed-in user may not decide this round ("" when they may)."""
        if self.rnd.status != "submitted":
            return _("The round is {status}; only a submitted round is reviewed.").format(
                status=RD.round_status_label(self.rnd.status))
        if not allowed(self.ctx.role, "rounds.review"):
            return _("Only a reviewer or an administrator approves a round. Sign in as one (Ctrl+L).")
        if self.ctx.username == self.rnd.prepared_by:
            return _("You prepared this round: another person (a reviewer or an administrator) must review it. "
                     "Sign in as that person (Ctrl+L).")
        return ""

    def approve(self) -> None:
        """Approve once the reviewer confirms the total and the number of lines (a refusal is said at once)."""
        reason = self.refusal()
        if reason:
            self.message.error(reason)
            return
        confirm(self, _("Approve the award round"),
                RD.approve_question(self.rnd.year, len(self.lines), money_text(RD.grand_total(self.lines)),
                                    RD.publicity_required(self.ctx.session)),
                _("Approve"), self._approve_now)

    def _approve_now(self) -> None:
        from desktop.operations import rounds

        try:
            rounds.approve(self.ctx.session, self.rnd.uuid)
        except StdAwardError as exc:
            self.message.error(error_text(exc))
            return
        self.done_as = "approved"
        self.ctx.changed("rounds")
        self.accept()

    def return_round(self) -> None:
        from desktop.operations import rounds

        try:
            rounds.return_round(self.ctx.session, self.rnd.uuid, self.note.toPlainText().strip())
        except StdAwardError as exc:
            self.message.error(error_text(exc))
            return
        self.done_as = "returned"
        self.ctx.changed("rounds")
        self.accept()
