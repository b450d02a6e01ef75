"""Seed 000's Peicheng (裴城镇) rebuilt as data: 24 villages whose ledgers, orders and pairings earn,
under the shipped standard, one five-star, six four-star and thirteen three-star branches (83% at
three stars or better), and whose income matches the seed (13 villages at ≥20万, 4 at ≥50万).

Each village gets a profile: which of the standard's computed requirements its data misses. The
data itself is ordinary rows — meetings, points, income, household titles, incidents, service
orders walked through the service loop, pairings — so the evaluation reads it as it would read a
real township's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from zhenxing.accounts.models import User
from zhenxing.conftest import add_household, seed_reference_data
from zhenxing.core.periods import Period
from zhenxing.grids.models import Pairing
from zhenxing.ledgers.models.incidents import Incident, IncidentKind
from zhenxing.ledgers.models.income import IncomeEntry, IncomeSource
from zhenxing.ledgers.models.meetings import MeetingKind, OrgMeeting
from zhenxing.ledgers.models.points import PointsEntry, PointsRule
from zhenxing.ledgers.models.ratings import HouseholdRating, RatingScheme
from zhenxing.ledgers.selectors.meetings import units_in
from zhenxing.orders.models import Category, Mediation, Rating
from zhenxing.orders.services import (
    REQUESTER_ACTOR,
    order_accept,
    order_dispatch,
    order_rate,
    order_resolve,
    order_submit,
)
from zhenxing.orders.states import Actor
from zhenxing.regions.models import Level, PartyMember, Region

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2026
AS_OF = dt.date(2027, 1, 10)  # the evaluation is run after the year has ended
HOUSEHOLDS = 12
MEMBERS = 3


@dataclass(frozen=True)
class Profile:
    """What a village's data falls short of (everything else meets the shipped standard)."""

    income_wan: int
    weak_meetings: bool = False  # 支部过硬星: only three quarters of the required meetings
    few_titles: bool = False  # 生态宜居星: 6 titled households, 10 required
    half_paired: bool = False  # 文明幸福星: half the households paired, 95% required
    incident: bool = False  # 平安法治星, a veto: a criminal case breaks 三零

    @property
    def stars(self) -> list[str]:
        """The codes of the stars the data earns under the shipped standard."""
        if self.incident:  # 三零 is a veto: no star at all
            return []
        earned = [
            code
            for code, ok in (
                ("industry", self.income_wan >= 20),
                ("ecology", not self.few_titles),
                ("safety", True),
                ("civility", not self.half_paired),
            )
            if ok
        ]
        if len(earned) == 4 and not self.weak_meetings:
            earned.insert(0, "strong_branch")  # the capstone: only with every other star
        return earned


PROFILES: list[Profile] = [
    Profile(income_wan=86),  # the five-star branch
    *[Profile(income_wan=w, weak_meetings=True) for w in (64, 55, 52, 38, 31, 24)],  # four stars
    *[Profile(income_wan=w, few_titles=True) for w in (45, 33, 28, 26, 22, 21)],  # three stars
    *[Profile(income_wan=w) for w in (18, 15, 12, 11, 9, 8, 6)],  # three stars, no 产业兴旺星
    Profile(income_wan=14, few_titles=True),  # two stars
    Profile(income_wan=7, few_titles=True),  # two stars
    Profile(income_wan=5, half_paired=True),  # two stars
    Profile(income_wan=10, incident=True),  # vetoed
]


def build_peicheng(county: Region, admin: User) -> tuple[Region, list[Region]]:
    """The township and its 24 villages, with a year of data each per ``PROFILES``, recorded by
    ``admin`` (a county admin, who also dispatches the orders)."""
    seed_reference_data()
    township = Region.objects.add_child(county, {"name": "裴城镇", "level": Level.TOWNSHIP})
    villages = []
    for n, profile in enumerate(PROFILES):
        township = Region.objects.get(pk=township.pk)
        village = Region.objects.add_child(
            township, {"name": f"裴城{n + 1:02d}村", "level": Level.VILLAGE}
        )
        villages.append(village)
        _village_data(village, n, profile, admin)
    return Region.objects.get(pk=township.pk), villages


def _village_data(village: Region, n: int, profile: Profile, admin: User) -> None:
    households = [
        add_household(village, f"{n:02d}{i:02d}", people=1, member=i < MEMBERS)
        for i in range(HOUSEHOLDS)
    ]
    members = list(PartyMember.objects.filter(person__region=village).order_by("pk"))
    org = members[0].organization
    _meetings(org, profile, admin)
    rule = PointsRule.objects.filter(points__gt=0).order_by("sort").first()
    PointsEntry.objects.bulk_create(
        PointsEntry(
            village=village,
            member=m,
            rule=rule,
            occurred_on=dt.date(YEAR, 6, 1),
            points=rule.points,
            note=rule.name,
            recorded_by=admin,
        )
        for m in members
    )
    IncomeEntry.objects.create(
        village=village,
        year=YEAR,
        source=IncomeSource.objects.order_by("sort").first(),
        amount=Decimal(profile.income_wan * 10000),
        recorded_by=admin,
    )
    titled = 6 if profile.few_titles else 10
    scheme = RatingScheme.objects.prefetch_related("titles").order_by("sort").first()
    title = max(scheme.titles.all(), key=lambda t: t.min_score)
    HouseholdRating.objects.bulk_create(
        HouseholdRating(
            village=village,
            household=h,
            scheme=scheme,
            period=str(YEAR),
            period_start=dt.date(YEAR, 1, 1),
            rated_on=dt.date(YEAR, 12, 1),
            scores={},
            score=100,
            max_score=100,
            title=title,
            recorded_by=admin,
        )
        for h in households[:titled]
    )
    if profile.incident:
        Incident.objects.create(
            village=village,
            kind=IncidentKind.CRIMINAL,
            occurred_on=dt.date(YEAR, 8, 3),
            summary="盗窃案一起",
            recorded_by=admin,
        )
    paired = households[: HOUSEHOLDS // 2] if profile.half_paired else households
    Pairing.objects.bulk_create(
        Pairing(
            village=village,
            household=h,
            member=members[i % MEMBERS],
            start_date=dt.date(YEAR, 1, 5),
        )
        for i, h in enumerate(paired)
    )
    _orders(village, members[0], Actor.of(admin))


def _meetings(org, profile: Profile, admin: User) -> None:
    period = Period.parse(str(YEAR))
    rows = []
    for kind in MeetingKind.objects.filter(active=True).select_related("requirement"):
        requirement = getattr(kind, "requirement", None)
        if requirement is None:
            continue
        required = requirement.count * units_in(requirement.per, period, AS_OF)
        held = required * 3 // 4 if profile.weak_meetings else required
        rows += [
            OrgMeeting(
                organization=org,
                kind=kind,
                held_on=dt.date(YEAR, 1 + i % 12, 15),
                topic=f"{kind.name}（第{i + 1}次）",
                recorded_by=admin,
            )
            for i in range(held)
        ]
    OrgMeeting.objects.bulk_create(rows)


def _orders(village: Region, member: PartyMember, secretary: Actor) -> None:
    """An everyday request and a dispute, both solved in the village and rated 满意."""
    taker = Actor(kind="grid_member", person_id=member.person_id)
    for category, day in (
        (Category.objects.filter(is_dispute=False).order_by("pk").first(), 3),
        (Category.objects.get(is_dispute=True), 4),
    ):
        at = dt.datetime(YEAR, 9, day, 9, tzinfo=TZ)
        order = order_submit(
            village=village,
            category=category,
            description="村里有事需要帮忙",
            name="李秀兰",
            phone=f"139{village.pk:04d}{day:04d}",
            actor=REQUESTER_ACTOR,
            client_ip=f"10.9.{village.pk % 250}.{day}",
            now=at,
        )
        order_dispatch(order=order, actor=secretary, member=member, now=at)
        order_accept(order=order, actor=taker, now=at)
        order_resolve(
            order=order,
            actor=taker,
            resolution="已上门处理",
            mediation=Mediation.SETTLED if category.is_dispute else "",
            now=at,
        )
        order_rate(order=order, actor=REQUESTER_ACTOR, rating=Rating.SATISFIED, now=at)
