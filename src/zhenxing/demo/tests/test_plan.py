"""The demo plan holds by construction: every village's data meets exactly the metrics the plan
says, in both star years, at the session's reference date (``scripts/test-calendar`` runs this at
many dates)."""

from __future__ import annotations

import datetime as dt

import pytest

from zhenxing.core.periods import Period
from zhenxing.demo.plan import METRICS, STARS, DemoPlan, Village, current_star_year, deck_for
from zhenxing.regions.models import VILLAGE_LEVELS, Region
from zhenxing.stars.metrics import compute_all
from zhenxing.stars.services.evaluation import COMPARE
from zhenxing.stars.standards import load_shipped

SHIPPED = load_shipped("henan-village-2026.yaml")
THRESHOLDS = {
    i.metric: (i.op, i.threshold) for star in SHIPPED.stars for i in star.indicators if i.metric
}


def test_the_plan_mirrors_the_shipped_standard():
    shipped = {
        star.code: tuple((i.code, i.metric) for i in star.indicators if not i.judged)
        for star in SHIPPED.stars
    }
    assert shipped == STARS
    assert [s.code for s in SHIPPED.stars if s.capstone] == ["strong_branch"]


@pytest.mark.parametrize("size", [1, 5, 7, 23, 24, 40])
def test_every_township_deck_has_a_five_star_village(size):
    deck = deck_for(size)
    assert len(deck) == size and 5 in deck


@pytest.mark.parametrize(
    ("today", "years"),
    [
        ("2026-12-08", (2025, 2026)),
        ("2027-01-04", (2025, 2026)),
        ("2027-03-31", (2025, 2026)),
        ("2027-04-01", (2026, 2027)),
        ("2028-12-31", (2027, 2028)),
    ],
)
def test_star_years_follow_the_reference_date(today, years):
    day = dt.date.fromisoformat(today)
    plan = DemoPlan(day, [Village("1", "t")], "1")
    assert (plan.finished, plan.current) == years
    assert current_star_year(day) == years[1]
    assert plan.data_start == dt.date(years[0], 1, 1)


def _met(metric: str, value) -> bool:
    op, threshold = THRESHOLDS[metric]
    if value is None:
        return False
    if isinstance(threshold, bool):
        return bool(value) is threshold
    return COMPARE[op](value, type(value)(threshold) if not isinstance(value, int) else threshold)


@pytest.mark.django_db
@pytest.mark.parametrize("metric", METRICS)
def test_each_village_meets_exactly_what_the_plan_says(demo_county, metric):
    plan: DemoPlan = demo_county.plan
    villages = Region.objects.filter(level__in=VILLAGE_LEVELS)
    by_pk = {v.pk: v.code for v in villages}
    wrong = []
    for year in plan.years:
        period = Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))
        values = compute_all([metric], villages, period)[metric]
        for pk, code in by_pk.items():
            value = values.get(pk)
            if _met(metric, value) != plan.meets(code, metric, year):
                wrong.append((year, code, value, plan.meets(code, metric, year)))
    assert not wrong, f"{metric}: (year, village, value, planned to meet) {wrong[:10]}"
