"""Fixtures of the service loop: Party members with accounts, a team, and orders to act on."""

from __future__ import annotations

import pytest

from zhenxing.accounts.models import Role, User
from zhenxing.conftest import PASSWORD, Tree, add_household
from zhenxing.orders.models import Category, Order, Source, Team, TeamKind
from zhenxing.orders.services import REQUESTER_ACTOR, order_submit
from zhenxing.orders.states import Actor
from zhenxing.regions.models import PartyMember


def member_with_account(tree_village, number: str, username: str) -> tuple[PartyMember, User]:
    household = add_household(tree_village, number, people=1, member=True)
    member = PartyMember.objects.get(person__household=household)
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=Role.GRID_MEMBER,
        scope_region=tree_village,
        person=member.person,
    )
    return member, user


@pytest.fixture
def member_a1(tree: Tree) -> tuple[PartyMember, User]:
    return member_with_account(tree.village_a1, "901", "party_a1_u")


@pytest.fixture
def member_a1_b(tree: Tree) -> tuple[PartyMember, User]:
    return member_with_account(tree.village_a1, "902", "party_a1_b_u")


@pytest.fixture
def team_a1(tree: Tree, member_a1, member_a1_b) -> Team:
    team = Team.objects.create(
        region=tree.village_a1, kind=TeamKind.VOLUNTEER, name="东村志愿服务队"
    )
    team.members.add(member_a1[0], member_a1_b[0])
    return team


@pytest.fixture
def category(db) -> Category:
    # The data migration seeds it; a transactional test's flush may have emptied the table.
    return Category.objects.get_or_create(
        name="环境卫生", defaults={"time_limit_days": 3, "response_days": 1}
    )[0]


def submit(village, category, *, phone="13812345678", now=None, **kw) -> Order:
    return order_submit(
        village=village,
        category=category,
        description=kw.pop("description", "村口垃圾三天没人清运"),
        name=kw.pop("name", "王秀英"),
        phone=phone,
        actor=kw.pop("actor", REQUESTER_ACTOR),
        source=kw.pop("source", Source.QR),
        client_ip=kw.pop("client_ip", "10.0.0.1"),
        now=now,
        **kw,
    )


def actor(user: User) -> Actor:
    return Actor.of(user)
