"""The demo county's grids and pairings, and the automatic assignment run on all of it."""

from __future__ import annotations

import pytest

from zhenxing.accounts.models import User
from zhenxing.demo.build import TOWNSHIP_A
from zhenxing.grids import selectors, services
from zhenxing.grids.models import Grid
from zhenxing.regions.models import Level, Region

pytestmark = [pytest.mark.usefixtures("demo_county"), pytest.mark.django_db]


def test_township_a_has_162_grids_in_four_levels_and_every_village_has_gaps_and_overloads():
    township = Region.objects.get(level=Level.TOWNSHIP, name=TOWNSHIP_A)
    grids = Grid.objects.filter(village__path__startswith=township.path)
    assert grids.count() == 162
    assert grids.filter(level=1).count() == 24
    for village in selectors.villages_under(Region.objects.get(level=Level.COUNTY)):
        c = selectors.village_coverage(village)
        assert c.unpaired, village.name  # deliberate gaps
        if len(c.loads) > 1:
            assert c.overloaded, village.name  # and a deliberate overload


def test_the_automatic_assignment_of_the_county_pairs_everyone_it_can_within_capacity():
    county = Region.objects.get(level=Level.COUNTY)
    proposal = services.proposal_for(county)
    checked = 0
    for village in selectors.villages_under(county):
        coverage = selectors.village_coverage(village)
        capacity = {m.member.pk: m.capacity for m in coverage.loads}
        loads = {m: proposal.loads.get(m, 0) for m in capacity}
        assert all(loads[m] <= capacity[m] for m in capacity), village.name
        households = coverage.households
        paired = sum(loads.values())
        if sum(capacity.values()) >= households:
            assert paired == households, village.name
        else:  # members do not suffice: every member is full
            assert loads == capacity, village.name
        checked += 1
    assert checked == 54
    # Saved, the county has no overloaded member and no unpaired household where members suffice.
    admin = User.objects.get(username="county")
    services.pairings_apply(village=county, key=services.proposal_key(proposal), actor=admin)
    for village in selectors.villages_under(county):
        after = selectors.village_coverage(village)
        assert not after.overloaded, village.name
        if after.capacity >= after.households:
            assert not after.unpaired, village.name
