"""A small village to pair: groups, households, members and a cadre team (on the shared tree)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from zhenxing.conftest import Tree
from zhenxing.regions.models import (
    CadrePost,
    Household,
    HouseholdTag,
    Level,
    OrgKind,
    PartyMember,
    PartyOrganization,
    Post,
    Region,
    Resident,
)


@dataclass
class Village:
    region: Region
    groups: list[Region]
    households: list[Household]
    members: list[PartyMember]
    secretary: Resident
    committee: Resident
    posts: list[CadrePost] = field(default_factory=list)


def make_village(
    region: Region,
    *,
    households: int = 12,
    members: int = 2,
    groups: int = 2,
    old_members: int = 0,
) -> Village:
    """``households`` households spread over ``groups`` groups; ``members`` Party members (the
    last ``old_members`` of them aged 75) living in the first households; a secretary and a
    committee member, posted in the village."""
    group_nodes = [
        Region.objects.add_child(
            Region.objects.get(pk=region.pk), {"name": f"{region.name}{g}组", "level": Level.GROUP}
        )
        for g in range(1, groups + 1)
    ]
    region.refresh_from_db()
    org, _ = PartyOrganization.objects.get_or_create(
        region=region, name=f"{region.name}党支部", defaults={"kind": OrgKind.VILLAGE_BRANCH}
    )
    homes = [
        Household.objects.create(
            village=region,
            group=group_nodes[i % groups],
            number=f"{i + 1:04d}",
            head_name=f"户主{i + 1}",
            phone="13800138000",
        )
        for i in range(households)
    ]
    people = []
    for i in range(members):
        old = i >= members - old_members
        person = Resident.objects.create(
            region=region,
            household=homes[i % households],
            name=f"{region.name}党员{i + 1}",
            sex="M",
            birth_date=dt.date(1950 if old else 1980, 1, 1),
            phone="13900139000",
        )
        people.append(
            PartyMember.objects.create(
                person=person, organization=org, joined_on=dt.date(2000, 7, 1)
            )
        )
    secretary = Resident.objects.create(
        region=region, name=f"{region.name}书记", sex="M", birth_date=dt.date(1975, 1, 1)
    )
    committee = Resident.objects.create(
        region=region, name=f"{region.name}委员", sex="F", birth_date=dt.date(1985, 1, 1)
    )
    posts = [
        CadrePost.objects.create(
            person=secretary, region=region, post=Post.SECRETARY, start_date=dt.date(2021, 3, 1)
        ),
        CadrePost.objects.create(
            person=committee, region=region, post=Post.COMMITTEE, start_date=dt.date(2021, 3, 1)
        ),
    ]
    return Village(region, group_nodes, homes, people, secretary, committee, posts)


@pytest.fixture
def village(tree: Tree) -> Village:
    return make_village(tree.village_a1)


@pytest.fixture
def special_tag(db) -> HouseholdTag:
    return HouseholdTag.objects.get(code="dibao")
