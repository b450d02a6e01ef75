"""Figures: checked against a direct computation, and the same number of queries at 2 and 20
villages."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from zhenxing.grids import selectors
from zhenxing.grids.models import GridSettings, Pairing, Visit
from zhenxing.grids.tests.conftest import make_village
from zhenxing.regions.models import Household, Level, MemberStatus, PartyMember, Region

TODAY = dt.date(2026, 3, 20)


def build(n_villages: int, seed: int = 1) -> Region:
    rng = random.Random(seed)
    county = Region.objects.add_root({"name": f"县{n_villages}", "level": Level.COUNTY})
    townships = [
        Region.objects.add_child(
            Region.objects.get(pk=county.pk), {"name": f"镇{t}", "level": Level.TOWNSHIP}
        )
        for t in range(2)
    ]
    for i in range(n_villages):
        parent = Region.objects.get(pk=townships[i % 2].pk)
        node = Region.objects.add_child(
            parent, {"name": f"村{n_villages}-{i}", "level": Level.VILLAGE}
        )
        v = make_village(node, households=rng.randint(3, 8), members=rng.randint(1, 3), groups=1)
        for h in v.households:
            if rng.random() < 0.8:
                m = rng.choice(v.members)
                Pairing.objects.create(village=node, household=h, member=m, start_date=TODAY)
            for _ in range(rng.randint(0, 2)):
                Visit.objects.create(
                    village=node,
                    household=h,
                    visited_on=TODAY - dt.timedelta(days=rng.randint(0, 60)),
                    contact=True,
                )
    county.refresh_from_db()
    return county


def direct(region: Region, stale_days: int) -> dict:
    """The same figures the slow, obvious way."""
    hh = list(Household.objects.filter(village__path__startswith=region.path))
    current = [p for p in Pairing.objects.filter(end_date__isnull=True) if p.household in hh]
    per_member: dict[int, int] = {}
    for p in current:
        per_member[p.member_id] = per_member.get(p.member_id, 0) + 1
    members = [
        m
        for m in PartyMember.objects.filter(status=MemberStatus.ACTIVE)
        if m.organization.region.path.startswith(region.path)
    ]
    visits = [v for v in Visit.objects.all() if v.household in hh]
    month = TODAY.replace(day=1)
    recent = {
        v.household_id for v in visits if v.visited_on > TODAY - dt.timedelta(days=stale_days)
    }
    return {
        "households": len(hh),
        "paired": len(current),
        "coverage": round(100 * len(current) / len(hh), 1),
        "members": len(members),
        "pairing_members": len(per_member),
        "idle_members": len(members) - len(per_member),
        "mean_per_member": round(len(current) / len(per_member), 1),
        "max_per_member": max(per_member.values()),
        "visits_month": sum(1 for v in visits if month <= v.visited_on <= TODAY),
        "stale": len(hh) - len(recent),
    }


@pytest.mark.django_db
def test_figures_match_a_direct_computation_for_the_county_and_each_township():
    county = build(6)
    GridSettings.objects.create(region=county, stale_days=20)
    f = selectors.figures(county, today=TODAY)
    assert f.stale_days == 20
    assert f.total.as_dict() == direct(county, 20)
    for township in Region.objects.get_children(county):
        assert f.by_child[township.path].as_dict() == direct(township, 20)


@pytest.mark.django_db
@pytest.mark.parametrize("n", [2, 20])
def test_figures_cost_the_same_queries_at_2_and_20_villages(n, django_assert_num_queries):
    county = build(n, seed=n)
    with django_assert_num_queries(6):
        f = selectors.figures(county, today=TODAY)
    assert f.total.households == Household.objects.count()


@pytest.mark.django_db
@pytest.mark.parametrize("n", [2, 20])
def test_coverage_of_a_region_costs_the_same_queries_at_2_and_20_villages(
    n, django_assert_num_queries
):
    county = build(n, seed=n)
    with django_assert_num_queries(10):
        c = selectors.village_coverage(county, today=TODAY, limit=50)
        assert len(c.unpaired) == min(50, c.households - c.paired)


def test_a_village_uses_its_nearest_ancestors_settings(tree):
    GridSettings.objects.create(region=tree.township_a, ratio=8, elder_ratio=4)
    assert selectors.settings_for(tree.village_a1).ratio == 8
    GridSettings.objects.create(region=tree.village_a1, ratio=6)
    assert selectors.settings_for(tree.village_a1).ratio == 6
    assert selectors.settings_for(tree.village_b1).ratio == 10
    by_village = selectors.settings_by_village(tree.county)
    assert by_village[tree.village_a1.pk].ratio == 6
    assert by_village[tree.village_a2.pk].ratio == 8
    assert by_village[tree.village_b1.pk].ratio == 10


def test_unpaired_households_list_special_ones_first_and_overloads_follow_age_bands(
    tree, special_tag
):
    v = make_village(tree.village_a1, households=8, members=2, old_members=1)
    young, old = v.members
    for h in v.households[:6]:
        Pairing.objects.create(village=v.region, household=h, member=old, start_date=TODAY)
    v.households[7].tags.add(special_tag)
    c = selectors.village_coverage(v.region, today=TODAY)
    assert [h.number for h in c.unpaired] == ["0008", "0007"]
    assert [(m.member, m.capacity, m.over) for m in c.overloaded] == [(old, 5, 1)]
    assert [m.member for m in c.idle] == [young]
    assert c.coverage == 75.0
