"""Helpers of the tests of ledgers 4–7 (meetings, income, incidents, talent): many villages at
once, a branch with members, and a direct SQL reading of "current, not voided" rows."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from zhenxing.conftest import Tree, add_household
from zhenxing.regions.models import (
    CadrePost,
    Level,
    OrgKind,
    PartyMember,
    PartyOrganization,
    Post,
    Region,
    Resident,
)


def many_villages(tree: Tree, n: int) -> list[Region]:
    """``n`` new villages under township B, each with its branch (no members)."""
    township = Region.objects.get(pk=tree.township_b.pk)
    villages = []
    for i in range(n):
        village = Region.objects.add_child(
            Region.objects.get(pk=township.pk), {"name": f"新村{i}", "level": Level.VILLAGE}
        )
        villages.append(village)
    PartyOrganization.objects.bulk_create(
        PartyOrganization(name=f"{v.name}党支部", kind=OrgKind.VILLAGE_BRANCH, region=v)
        for v in villages
    )
    return villages


def branch_with_members(
    village: Region, n: int, prefix: str = "9"
) -> tuple[PartyOrganization, list[PartyMember]]:
    for i in range(n):
        add_household(village, f"{prefix}{i:03d}", people=1, member=True)
    org = PartyOrganization.objects.get(region=village, kind=OrgKind.VILLAGE_BRANCH)
    return org, list(PartyMember.objects.filter(organization=org).order_by("pk"))


def cadre(village: Region, name: str = "王书记") -> Resident:
    person = Resident.objects.create(
        region=village, name=name, sex="M", birth_date=dt.date(1975, 5, 1)
    )
    CadrePost.objects.create(
        person=person, region=village, post=Post.SECRETARY, start_date=dt.date(2021, 3, 1)
    )
    return person


CURRENT = "e.voided = %s AND NOT EXISTS (SELECT 1 FROM {t} s WHERE s.supersedes_id = e.id)"


def sql(query: str, params: list, *, table: str) -> list[tuple]:
    """Run ``query`` where ``{current}`` stands for "row ``e`` of ``table`` is current and not
    voided" (its parameter, False, goes last)."""
    text = query.replace("{current}", CURRENT.format(t=table))
    with connection.cursor() as cursor:
        cursor.execute(text, [*params, False])
        return cursor.fetchall()
