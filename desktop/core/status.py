"""The states a computed award, an officer's decision, a round and a notice can be in, with the
words an officer reads for each. Stored as their string values; compare against the enums."""
from __future__ import annotations

from enum import StrEnum

from desktop.core.i18n import N_, _


class AwardStatus(StrEnum):
    AWARDED = "awarded"  # the policy fixes the amount
    NOT_ELIGIBLE = "not_eligible"
    DISCRETIONARY = "discretionary"  # paid from a pool, the office sets the amount
    UNSPECIFIED = "unspecified"  # the category is recognised, no amount set
    DUPLICATE = "duplicate"

    @property
    def label(self) -> str:
        return _(_AWARD_LABELS[self])


class Decision(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"

    @property
    def label(self) -> str:
        return _(_DECISION_LABELS[self])


class RoundStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return _(_ROUND_LABELS[self])


class NoticeStatus(StrEnum):
    PENDING = "pending"  # number allocated, not yet printed
    ISSUED = "issued"
    FAILED = "failed"  # printing failed: reprint from the stored content
    VOID = "void"

    @property
    def label(self) -> str:
        return _(_NOTICE_LABELS[self])


# Statuses whose amount is paid (or will be, once an officer sets it): the only awards that make a
# later claim a duplicate, count toward totals and go on notices.
PAYING: tuple[str, ...] = (AwardStatus.AWARDED.value, AwardStatus.DISCRETIONARY.value)

_AWARD_LABELS = {
    AwardStatus.AWARDED: N_("awarded"), AwardStatus.NOT_ELIGIBLE: N_("not eligible"),
    AwardStatus.DISCRETIONARY: N_("discretionary"), AwardStatus.UNSPECIFIED: N_("amount not fixed"),
    AwardStatus.DUPLICATE: N_("duplicate"),
}
_DECISION_LABELS = {
    Decision.PROPOSED: N_("proposed"), Decision.APPROVED: N_("approved"), Decision.REJECTED: N_("rejected"),
    Decision.PAID: N_("paid"),
}
_ROUND_LABELS = {
    RoundStatus.DRAFT: N_("draft"), RoundStatus.SUBMITTED: N_("submitted for review"),
    RoundStatus.APPROVED: N_("approved"), RoundStatus.RETURNED: N_("returned to the preparer"),
}
_NOTICE_LABELS = {
    NoticeStatus.PENDING: N_("not yet printed"), NoticeStatus.ISSUED: N_("issued"),
    NoticeStatus.FAILED: N_("printing failed"), NoticeStatus.VOID: N_("void"),
}


def award_status_label(status: str) -> str:
    try:
        return AwardStatus(status).label
    except ValueError:
        return status


def round_status_label(status: str) -> str:
    try:
        return RoundStatus(status).label
    except ValueError:
        return status


def notice_status_label(status: str) -> str:
    try:
        return NoticeStatus(status).label
    except ValueError:
        return status


# The fields of a round's award line, in the order operations.rounds' LineReader gives a line's values
# and the round screen keeps them (one source both read, cheap to import at the window's start).
LINE_FIELDS = ("id", "uuid", "achievement", "date", "enterprise", "uscc", "kind", "what", "status", "status_label",
               "amount", "rule", "clause", "fund", "explanation", "flags", "decision", "version")
