"""The ledger demo's pure parts, on many reference dates and without a database: organisational
life meets the plan's compliance target by construction, never dated after the build day."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from zhenxing.core.periods import Period
from zhenxing.demo.ledgers_village import _Builder, years_before
from zhenxing.demo.plan import DemoPlan, Village, stream
from zhenxing.ledgers.selectors.meetings import units_in
from zhenxing.ledgers.services.meetings import DEFAULT_KINDS

VILLAGES = [
    Village(code=f"419921{t}2{n:02d}", township=f"419921{t}") for t in "12" for n in range(8)
]
REQUIREMENTS = [
    SimpleNamespace(kind=SimpleNamespace(code=code), per=per, count=count)
    for code, _name, per, count, _all in DEFAULT_KINDS
]
DATES = ["2026-12-08", "2027-01-04", "2027-03-31", "2027-04-01", "2027-06-30", "2028-02-29"]


def test_years_before_a_29_february_falls_on_28_february():
    assert years_before(dt.date(2028, 2, 29), 60) == dt.date(1968, 2, 29)
    assert years_before(dt.date(2028, 2, 29), 22) == dt.date(2006, 2, 28)


@pytest.mark.parametrize("today", DATES)
def test_meetings_meet_the_planned_compliance_with_a_margin(today):
    day = dt.date.fromisoformat(today)
    plan = DemoPlan(day, VILLAGES, VILLAGES[0].code)
    builder = _Builder.__new__(_Builder)
    builder.plan, builder.today = plan, day
    for village in VILLAGES:
        for year in plan.years:
            period = Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))
            held = builder._held(
                stream("meetings", village.code, year), REQUIREMENTS, village.code, year
            )
            assert all(d <= day for _r, d in held)
            met = required = 0
            for r in REQUIREMENTS:
                n = r.count * units_in(r.per, period, day)
                met += min(n, sum(1 for q, d in held if q is r and d.year == year))
                required += n
            compliance = 100 * met / required
            if plan.meets(village.code, "meetings_compliance", year):
                assert compliance >= 95, (village, year)
            else:
                assert compliance <= 80, (village, year)
