"""The working-day calendar: statutory holidays and make-up days (调休), overrides, cut-offs.

Pure rules over a frozen calendar: no database, except where the override table is read.
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

import pytest

from zhenxing.core.models import CalendarDay
from zhenxing.core.selectors import work_calendar
from zhenxing.core.workdays import WorkCalendar

D = dt.date
CAL = WorkCalendar()


def overrides(**days: bool) -> WorkCalendar:
    """A calendar with overrides spelled ``d20301001=False``."""
    return WorkCalendar(
        MappingProxyType({dt.datetime.strptime(k[1:], "%Y%m%d").date(): v for k, v in days.items()})
    )


@pytest.mark.parametrize("day", [D(2026, 10, d) for d in range(1, 8)])
def test_the_2026_national_day_holiday_runs_from_the_first_to_the_seventh(day):
    assert not CAL.is_workday(day)


def test_the_2026_national_day_make_up_days_are_a_sunday_and_a_saturday():
    assert D(2026, 9, 20).weekday() == 6 and CAL.is_workday(D(2026, 9, 20))
    assert D(2026, 10, 10).weekday() == 5 and CAL.is_workday(D(2026, 10, 10))
    # The weekend days around them stay days off.
    assert not CAL.is_workday(D(2026, 9, 19))
    assert not CAL.is_workday(D(2026, 10, 11))


def test_an_ordinary_weekend_is_off_and_a_weekday_is_on():
    assert CAL.is_workday(D(2026, 3, 10))  # Tuesday
    assert not CAL.is_workday(D(2026, 3, 14))  # Saturday


def test_adding_working_days_skips_the_national_day_holiday():
    # Wednesday 30 September + 1 working day: the holiday and its weekend are skipped.
    assert CAL.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    # Thu 8 and Fri 9 October, then the make-up Saturday the 10th counts.
    assert CAL.add_workdays(D(2026, 9, 30), 3) == D(2026, 10, 10)
    # The make-up Sunday before the holiday counts too: Sat 19 Sep + 1 is Sun 20 Sep.
    assert CAL.add_workdays(D(2026, 9, 19), 1) == D(2026, 9, 20)


def test_a_request_made_during_the_holiday_starts_on_the_first_working_day_after_it():
    assert CAL.add_workdays(D(2026, 10, 3), 0) == D(2026, 10, 8)
    assert CAL.add_workdays(D(2026, 10, 8), 0) == D(2026, 10, 8)
    # Five working days from a holiday day: 8, 9, 10 (make-up), 12, 13 October.
    assert CAL.add_workdays(D(2026, 10, 3), 5) == D(2026, 10, 13)


def test_working_days_between_count_after_the_start_up_to_the_end():
    assert CAL.workdays_between(D(2026, 9, 30), D(2026, 10, 8)) == 1
    assert CAL.workdays_between(D(2026, 9, 30), D(2026, 10, 12)) == 4  # 8, 9, 10, 12
    assert CAL.workdays_between(D(2026, 3, 9), D(2026, 3, 16)) == 5  # Mon → next Mon
    assert CAL.workdays_between(D(2026, 3, 9), D(2026, 3, 9)) == 0
    assert CAL.workdays_between(D(2026, 3, 16), D(2026, 3, 9)) == 0


def test_workdays_between_undoes_add_workdays():
    start = D(2026, 9, 24)  # a Thursday; the round trip crosses Mid-Autumn and National Day
    for n in range(12):
        assert CAL.workdays_between(start, CAL.add_workdays(start, n)) == n


def test_a_cutoff_on_a_saturday_moves_to_the_friday_before_or_the_monday_after():
    assert D(2025, 12, 20).weekday() == 5
    assert CAL.cutoff(2025, 12, 20, on_day_off="previous") == D(2025, 12, 19)
    assert CAL.cutoff(2025, 12, 20, on_day_off="next") == D(2025, 12, 22)


def test_a_cutoff_on_a_working_day_stays_and_one_past_the_month_end_is_clipped():
    assert CAL.cutoff(2026, 3, 20, on_day_off="previous") == D(2026, 3, 20)  # a Friday
    # November has no 31st: the 30th (a Sunday in 2025), then the Friday before or Monday after.
    assert CAL.cutoff(2025, 11, 31, on_day_off="previous") == D(2025, 11, 28)
    assert CAL.cutoff(2025, 11, 31, on_day_off="next") == D(2025, 12, 1)
    # A make-up Saturday is a working day, so a cut-off on it stays (2026-02-28, 春节调休).
    assert CAL.cutoff(2026, 2, 30, on_day_off="previous") == D(2026, 2, 28)


def test_a_cutoff_inside_a_holiday_jumps_the_whole_holiday():
    # 2026-10-05 is inside the National Day holiday: back to Wed 30 Sep, or on to Thu 8 Oct.
    assert CAL.cutoff(2026, 10, 5, on_day_off="previous") == D(2026, 9, 30)
    assert CAL.cutoff(2026, 10, 5, on_day_off="next") == D(2026, 10, 8)


def test_an_override_wins_over_the_statutory_calendar():
    cal = overrides(d20261008=False, d20261011=True)
    assert not cal.is_workday(D(2026, 10, 8))
    assert cal.is_workday(D(2026, 10, 11))  # a Sunday made a working day
    assert cal.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 9)


def test_an_unknown_year_counts_monday_to_friday():
    assert not CAL.knows(2030)
    assert CAL.is_workday(D(2030, 10, 1))  # a Tuesday, a holiday nobody entered yet
    assert not CAL.is_workday(D(2030, 10, 5))  # Saturday
    assert CAL.add_workdays(D(2030, 10, 4), 1) == D(2030, 10, 7)  # Fri + 1 = Mon
    assert CAL.workdays_between(D(2030, 9, 29), D(2030, 10, 6)) == 5


def test_an_override_teaches_the_calendar_an_unknown_year():
    cal = overrides(d20301001=False)
    assert cal.knows(2030)
    assert not cal.knows(2031)
    assert not cal.is_workday(D(2030, 10, 1))
    assert cal.add_workdays(D(2030, 9, 30), 1) == D(2030, 10, 2)


def test_the_years_the_package_ships_are_known():
    assert CAL.knows(2025) and CAL.knows(2026)


@pytest.mark.django_db
def test_the_override_table_reaches_the_calendar():
    CalendarDay.objects.create(date=D(2030, 10, 1), is_workday=False, note="国庆节")
    CalendarDay.objects.create(date=D(2030, 9, 29), is_workday=True, note="国庆节调休")
    cal = work_calendar()
    assert cal.knows(2030)
    assert not cal.is_workday(D(2030, 10, 1))
    assert cal.is_workday(D(2030, 9, 29))  # a Sunday


@pytest.mark.django_db
def test_a_changed_override_reaches_the_cached_calendar_at_once():
    day = CalendarDay.objects.create(date=D(2030, 10, 1), is_workday=False, note="国庆节")
    assert not work_calendar().is_workday(D(2030, 10, 1))  # now cached
    day.is_workday = True
    day.save()
    assert work_calendar().is_workday(D(2030, 10, 1))
    day.delete()
    assert not work_calendar().knows(2030)
