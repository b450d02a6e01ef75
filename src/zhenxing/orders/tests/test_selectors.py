from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zhenxing.accounts.scoping import scope_for
from zhenxing.core.periods import Period
from zhenxing.orders.models import Rating
from zhenxing.orders.selectors import (
    figures_by_child,
    figures_by_month,
    figures_by_village,
    figures_for,
    todo_counts,
)
from zhenxing.orders.services import (
    REQUESTER_ACTOR,
    order_accept,
    order_dispatch,
    order_rate,
    order_resolve,
)
from zhenxing.orders.states import Actor, Level
from zhenxing.orders.tests.conftest import actor, submit
from zhenxing.regions.models import Level as RegionLevel
from zhenxing.regions.models import Region

TZ = ZoneInfo("Asia/Shanghai")
NOV = dt.datetime(2026, 11, 2, 9, tzinfo=TZ)


def loop(order, secretary, member, *, rating=None, days=1):
    order_dispatch(order=order, actor=actor(secretary), member=member[0], now=NOV)
    order_accept(order=order, actor=actor(member[1]), now=NOV)
    order_resolve(
        order=order, actor=actor(member[1]), resolution="已办结", now=NOV + dt.timedelta(days=days)
    )
    if rating:
        order_rate(order=order, actor=REQUESTER_ACTOR, rating=rating, reason="还行", now=NOV)


@pytest.mark.django_db
def test_figures_count_what_was_received_answered_resolved_and_rated(
    tree, village_a1_user, member_a1, category
):
    phones = iter(f"1381111{n:04d}" for n in range(100))
    a = [submit(tree.village_a1, category, phone=next(phones), now=NOV) for _ in range(4)]
    b = submit(tree.village_a2, category, phone=next(phones), now=NOV)
    submit(tree.village_b1, category, phone=next(phones), now=NOV)
    loop(a[0], village_a1_user, member_a1, rating=Rating.SATISFIED)
    loop(a[1], village_a1_user, member_a1, rating=Rating.BASIC, days=10)  # late: due 11/5
    loop(a[2], village_a1_user, member_a1)  # resolved, not rated yet
    period = Period.parse("2026-11")

    township = figures_for(tree.township_a, period)
    assert (township.received, township.resolved, township.rated) == (5, 3, 2)
    assert township.responded_in_time == 3
    assert township.resolution_rate == 60.0
    assert township.on_time_rate == 66.7
    assert township.satisfaction_rate == 100.0
    assert township.level_shares[Level.VILLAGE] == 100.0
    # Monday 11/2 → Tuesday 11/3 is 1 working day; → Thursday 11/12 is 8.
    assert township.average_workdays == round((1 + 8 + 1) / 3, 1)

    by_child = figures_by_child(tree.township_a, period)
    assert {path: f.received for path, f in by_child.items()} == {
        tree.district_a1.path: 4,
        tree.village_a2.path: 1,
    }
    assert figures_for(tree.county, Period.parse("2026-10")).received == 0
    assert [(m, f.received) for m, f in figures_by_month(tree.county, period)] == [
        (dt.date(2026, 11, 1), 6)
    ]
    assert b.level == Level.VILLAGE
    villages = Region.objects.filter(
        pk__in=[tree.village_a1.pk, tree.village_a2.pk, tree.village_b1.pk]
    )
    by_village = figures_by_village(villages, period)
    for village in (tree.village_a1, tree.village_a2, tree.village_b1):
        assert by_village[village.pk] == figures_for(village, period)


@pytest.mark.django_db
@pytest.mark.parametrize("villages", [2, 20])
def test_figures_by_child_is_one_query_however_many_villages(
    villages, tree, category, django_assert_num_queries
):
    for n in range(villages):
        village = Region.objects.add_child(
            Region.objects.get(pk=tree.township_b.pk),
            {"name": f"新村{n}", "level": RegionLevel.VILLAGE},
        )
        submit(village, category, phone=f"1392222{n:04d}", client_ip=None, now=NOV)
    township = Region.objects.get(pk=tree.township_b.pk)
    with django_assert_num_queries(1):
        rows = figures_by_child(township, Period.parse("2026"))
    assert sum(f.received for f in rows.values()) == villages
    with django_assert_num_queries(1):
        rows = figures_by_village(
            Region.objects.filter(path__startswith=township.path), Period.parse("2026")
        )
    assert sum(f.received for f in rows.values()) == villages


@pytest.mark.django_db
def test_to_do_counts_are_one_query_per_role(
    tree, village_a1_user, member_a1, township_a_user, category, django_assert_num_queries
):
    order = submit(tree.village_a1, category, now=NOV)
    with django_assert_num_queries(1):
        counts = todo_counts(scope_for(village_a1_user), Actor.of(village_a1_user))
    assert counts == {"dispatch": 1, "overdue": 0}
    order_dispatch(order=order, actor=actor(village_a1_user), member=member_a1[0])
    member_user = member_a1[1]
    assert todo_counts(scope_for(member_user), Actor.of(member_user)) == {"take": 1, "doing": 0}
    assert todo_counts(scope_for(township_a_user), Actor.of(township_a_user)) == {
        "dispatch": 0,
        "overdue": 0,
    }
