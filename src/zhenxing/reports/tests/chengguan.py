"""Seed 001's 城关镇 (清丰县) rebuilt through the services with records that agree with the seed in
some figures and not in others: 18 villages (the seed: 18个行政村) each with one Party member paired
with both of its two households — full coverage as the seed says (全覆盖), but 18 pairing members
and 36 paired households, not the seed's 576 and 5355 — and no organisational-life meeting in
2023 (the seed: 培训30余次 through 三会一课 and Party lectures)."""

from __future__ import annotations

from dataclasses import dataclass

from zhenxing.accounts import services as account_services
from zhenxing.accounts.models import Role, User
from zhenxing.conftest import PASSWORD, add_household
from zhenxing.grids.services import pairing_set
from zhenxing.regions.models import Level, PartyMember, Region

VILLAGES = 18
HOUSEHOLDS = 2


@dataclass
class Chengguan:
    county: Region
    township: Region
    admin: User


def build_chengguan() -> Chengguan:
    county = Region.objects.add_root({"name": "清丰县", "level": Level.COUNTY})
    township = Region.objects.add_child(county, {"name": "城关镇", "level": Level.TOWNSHIP})
    admin = account_services.user_create(
        username="qingfeng", password=PASSWORD, role=Role.COUNTY_ADMIN, scope_region=county
    )
    for n in range(VILLAGES):
        township = Region.objects.get(pk=township.pk)
        village = Region.objects.add_child(
            township, {"name": f"城关{n + 1:02d}村", "level": Level.VILLAGE}
        )
        households = [
            add_household(village, f"{n:02d}{i}", people=1, member=i == 0)
            for i in range(HOUSEHOLDS)
        ]
        member = PartyMember.objects.get(person__household=households[0])
        for household in households:
            pairing_set(household=household, member=member, actor=admin)
    return Chengguan(Region.objects.get(pk=county.pk), Region.objects.get(pk=township.pk), admin)
