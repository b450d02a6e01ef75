"""Chinese working days: statutory holidays and make-up working days (调休).

A pure rule over a frozen calendar, no ORM. ``chinese_calendar`` knows the State Council's
arrangement for the years it ships with; for later years (announced each November) an admin enters
the days in the override table (``core.CalendarDay``), and overrides always win. A year neither
knows counts Monday to Friday as working days; ``WorkCalendar.knows`` tells whether it did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)


def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class WorkCalendar:
    """``overrides`` maps a date to True (a working day) or False (a day off)."""

    overrides: Mapping[dt.date, bool] = field(default_factory=lambda: MappingProxyType({}))

    def knows(self, year: int) -> bool:
        """Whether the year's holidays are known (from the package or from overrides)."""
        return _package_knows(year) or any(d.year == year for d in self.overrides)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5

    def add_workdays(self, start: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``start`` (``start`` itself not counted).

        With ``count`` 0 this is ``start`` if it is a working day, else the next one: a request
        made on a holiday starts its clock on the first working day after it.
        """
        day = start
        if count == 0:
            while not self.is_workday(day):
                day += ONE_DAY
            return day
        remaining = count
        while remaining:
            day += ONE_DAY
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if ``end`` <= ``start``)."""
        count = 0
        day = start + ONE_DAY
        while day <= end:
            count += self.is_workday(day)
            day += ONE_DAY
        return count

    def cutoff(self, year: int, month: int, day: int, *, on_day_off: str) -> dt.date:
        """The month's cut-off date: ``day`` (clipped to the month's length) moved to the previous
        working day (``on_day_off="previous"``) or the next (``"next"``) when it is a day off."""
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - ONE_DAY).day
        date = dt.date(year, month, min(day, last))
        step = -ONE_DAY if on_day_off == "previous" else ONE_DAY
        while not self.is_workday(date):
            date += step
        return date
