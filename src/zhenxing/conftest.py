"""Shared fixtures: a small region tree and the personas of the style guide. (The pinned clock
and the demo county, which the whole suite shares, are in the root conftest.py.)

county ─┬─ township A ─┬─ district A1 ── village A1 ── group A1-1
        │              └─ village A2
        └─ township B ──── village B1
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.utils import translation

from zhenxing.accounts import services as account_services
from zhenxing.accounts.models import Role, User
from zhenxing.core.reference import forget_references
from zhenxing.regions.models import (
    Household,
    Level,
    OrgKind,
    PartyMember,
    PartyOrganization,
    Region,
    Resident,
)

PASSWORD = "correct-horse-9"  # noqa: S105 - test accounts only


def seed_reference_data() -> None:
    """The default reference data the migrations seed (meeting kinds, points rules, income sources,
    rating schemes, order categories, household tags), again: a transactional test's flush empties
    it, and the tests that run after one may need it."""
    for module, function in (
        ("zhenxing.regions.migrations.0002_household_tags", "add_tags"),
        ("zhenxing.ledgers.migrations.0002_default_reference_data", "seed"),
        ("zhenxing.orders.migrations.0002_default_categories", "add"),
    ):
        getattr(importlib.import_module(module), function)(django_apps, None)


@pytest.fixture(autouse=True)
def fresh_references():
    """Each test starts with nothing memoised: what an earlier test read (categories, holiday
    overrides, villages) was rolled back with its data."""
    forget_references()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language (Chinese): a request an earlier test made in
    English leaves English active in this thread, since the locale middleware sets it per request
    and nothing resets it between tests."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@dataclass
class Tree:
    county: Region
    township_a: Region
    district_a1: Region
    village_a1: Region
    group_a1: Region
    village_a2: Region
    township_b: Region
    village_b1: Region


def make_tree() -> Tree:
    county = Region.objects.add_root({"name": "测试县", "level": Level.COUNTY})
    township_a = Region.objects.add_child(county, {"name": "甲镇", "level": Level.TOWNSHIP})
    township_b = Region.objects.add_child(county, {"name": "乙镇", "level": Level.TOWNSHIP})
    district_a1 = Region.objects.add_child(township_a, {"name": "一管区", "level": Level.DISTRICT})
    village_a1 = Region.objects.add_child(district_a1, {"name": "东村", "level": Level.VILLAGE})
    group_a1 = Region.objects.add_child(village_a1, {"name": "一组", "level": Level.GROUP})
    village_a2 = Region.objects.add_child(township_a, {"name": "西村", "level": Level.VILLAGE})
    village_b1 = Region.objects.add_child(township_b, {"name": "南村", "level": Level.VILLAGE})
    refresh = {r.pk: r for r in Region.objects.all()}  # treebeard updates numchild in SQL
    return Tree(
        *(
            refresh[r.pk]
            for r in (
                county,
                township_a,
                district_a1,
                village_a1,
                group_a1,
                village_a2,
                township_b,
                village_b1,
            )
        )
    )


def add_household(
    village: Region, number: str, *, people: int = 2, member: bool = False
) -> Household:
    """A household with ``people`` residents; the head is a Party member when ``member``."""
    household = Household.objects.create(
        village=village, number=number, head_name=f"户主{number}", phone="13800138000", size=people
    )
    org, _ = PartyOrganization.objects.get_or_create(
        region=village, name=f"{village.name}党支部", defaults={"kind": OrgKind.VILLAGE_BRANCH}
    )
    for i in range(people):
        person = Resident.objects.create(
            region=village,
            household=household,
            name=f"居民{number}-{i}",
            sex="M",
            birth_date=dt.date(1970 + i, 1, 1),
            phone="13900139000",
        )
        if member and i == 0:
            PartyMember.objects.create(
                person=person, organization=org, joined_on=dt.date(2000, 7, 1)
            )
    return household


@pytest.fixture
def tree(db) -> Tree:
    return make_tree()


def _user(username: str, role: Role, region: Region | None) -> User:
    return account_services.user_create(
        username=username, password=PASSWORD, role=role, scope_region=region
    )


@pytest.fixture
def county_user(tree: Tree) -> User:
    return _user("county_u", Role.COUNTY_ADMIN, tree.county)


@pytest.fixture
def township_a_user(tree: Tree) -> User:
    return _user("township_a_u", Role.TOWNSHIP_ADMIN, tree.township_a)


@pytest.fixture
def township_b_user(tree: Tree) -> User:
    return _user("township_b_u", Role.TOWNSHIP_ADMIN, tree.township_b)


@pytest.fixture
def village_a1_user(tree: Tree) -> User:
    return _user("village_a1_u", Role.VILLAGE_SECRETARY, tree.village_a1)


@pytest.fixture
def grid_member_a1(tree: Tree) -> User:
    return _user("member_a1_u", Role.GRID_MEMBER, tree.village_a1)
