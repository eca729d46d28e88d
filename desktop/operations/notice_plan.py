"""What issuing a round's notices will use, before anything is allocated: how many notices (one per
enterprise with a paying award line that no issued notice carries yet) and which 发文字号, so the
officer confirms the numbers an issue consumes. A read: nothing is allocated or recorded."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from desktop.core.money import ZERO, to_money
from desktop.core.status import NoticeStatus
from desktop.operations import notices as N
from desktop.operations.session import Session
from desktop.store import office as officemod
from desktop.store import serials


@dataclass(frozen=True)
class IssuePlan:
    count: int  # notices (and 发文字号) the issue will use
    prefix: str
    year: int
    first: int  # the first serial it will take (0 when count is 0)
    total: Decimal

    @property
    def last(self) -> int:
        return self.first + self.count - 1 if self.count else 0

    @property
    def first_number(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.first}号"

    @property
    def last_number(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.last}号"


def issue_plan(session: Session, round_uuid: str, issued_on: dt.date) -> IssuePlan:
    """The notices and numbers that issuing ``round_uuid`` dated ``issued_on`` would take now."""
    rnd = N._round(round_uuid)
    from desktop.operations.publicity import check_may_issue

    check_may_issue(session, rnd)  # asked before the question: a 公示 still running is said at once
    results, _achs = N.round_lines(rnd)
    paying = [r for r in results if N._paying(r)]
    covered = N._lines_on_notices(exclude=[NoticeStatus.VOID.value],
                                  enterprises=sorted({r.enterprise or "" for r in paying}))
    todo = [r for r in paying if (r.enterprise, r.id) not in covered]
    office = officemod.get()
    prefix = (office.doc_prefix if office is not None else "") or ""
    count = len({r.enterprise for r in todo})
    first = serials.next_serial(prefix, issued_on.year) if count and prefix else 0
    total = sum((to_money(r.amount or ZERO) for r in todo), ZERO)
    return IssuePlan(count=count, prefix=prefix, year=issued_on.year, first=first, total=total)
