"""Working days (工作日) in the People's Republic of China, for periods such as a 公示 of N working days.

A working day is Monday to Friday, except the public holidays the State Council announces each
year, plus the make-up working days (调休上班) it moves onto weekends. The holidays and make-up days
come from the maintained ``chinese-calendar`` package (one table per year, published each winter).
For a year the package does not know yet, Monday to Friday are counted and the result says so, so
the officer checks the end date against that year's notice. An office adds its own local days off
(a county holiday, a closure), and may mark a local working day.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from desktop.core.i18n import _

MAX_DAYS = 60  # a 公示 lasts 5-15 working days; anything above this is a typing mistake


@dataclass(frozen=True)
class Period:
    """``days`` working days starting on ``start`` (or the first working day after it): the first
    and the last working day, and notes the officer must read (a year counted Monday to Friday)."""

    start: dt.date
    first: dt.date
    end: dt.date
    days: int
    notes: tuple[str, ...] = field(default=())


def _calendar_says(day: dt.date) -> bool | None:
    """True/False for a year the package knows; None for one it does not (or without the package)."""
    try:
        import chinese_calendar
    except ImportError:  # a build without the package: every year is counted Monday to Friday
        return None
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # the year's table is not published (or not in this version) yet
        return None


def is_workday(day: dt.date, days_off: Iterable[dt.date] = (), extra_workdays: Iterable[dt.date] = ()) -> bool:
    """Whether ``day`` is a working day (the office's own days off and working days first)."""
    if day in set(days_off):
        return False
    if day in set(extra_workdays):
        return True
    known = _calendar_says(day)
    return day.weekday() < 5 if known is None else known


def known_year(year: int) -> bool:
    return _calendar_says(dt.date(year, 1, 1)) is not None


def count_period(start: dt.date, days: int, days_off: Iterable[dt.date] = (),
                 extra_workdays: Iterable[dt.date] = ()) -> Period:
    """The period of ``days`` working days beginning on ``start``: a start on a day off begins on the
    next working day. Raises ValueError (a sentence) for a count outside 1..MAX_DAYS."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(_("a period lasts 1 to {max} working days, not {days}").format(max=MAX_DAYS, days=days))
    off, extra = frozenset(days_off), frozenset(extra_workdays)
    day = start
    counted: list[dt.date] = []
    unknown: set[int] = set()
    while len(counted) < days:
        if day not in off and day not in extra and _calendar_says(day) is None:
            unknown.add(day.year)
        if is_workday(day, off, extra):
            counted.append(day)
        day += dt.timedelta(days=1)
    notes = tuple(_("the holidays of {year} are not known to this program yet: Monday to Friday were counted as "
                    "working days in {year}; check the end date against the State Council's holiday notice")
                  .format(year=y) for y in sorted(unknown))
    return Period(start, counted[0], counted[-1], days, notes)
