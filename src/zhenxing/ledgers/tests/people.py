"""Fixtures of the tests of ledgers 1–3: a fixed clock, writers, members, households, many
villages, and the direct SQL the metrics are checked against."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from zhenxing.accounts.models import Role, User
from zhenxing.accounts.scoping import scope_for
from zhenxing.conftest import PASSWORD, add_household
from zhenxing.regions.models import Level, PartyMember, Region

TODAY = dt.date(2026, 6, 15)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI), tick=False) as t:
        yield t


def user(username: str, role: str, region: Region, first_name: str = "") -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, scope_region=region, first_name=first_name
    )


@pytest.fixture
def secretary(tree) -> User:
    return user("sec_a1", Role.VILLAGE_SECRETARY, tree.village_a1, "李书记")


@pytest.fixture
def township_admin(tree) -> User:
    return user("town_a", Role.TOWNSHIP_ADMIN, tree.township_a, "王干事")


@pytest.fixture
def county_admin(tree) -> User:
    return user("county_x", Role.COUNTY_ADMIN, tree.county, "赵部长")


@pytest.fixture
def outsider(tree) -> User:
    return user("town_b", Role.TOWNSHIP_ADMIN, tree.township_b, "孙干事")


def member_in(village: Region, number: str) -> PartyMember:
    household = add_household(village, number, people=1, member=True)
    return PartyMember.objects.select_related("person", "organization").get(
        person__household=household
    )


def scope(u: User):
    return scope_for(u)


def many_villages(parent: Region, n: int, prefix: str = "测") -> list[Region]:
    out = [
        Region.objects.add_child(
            Region.objects.get(pk=parent.pk), {"name": f"{prefix}{i:03d}村", "level": Level.VILLAGE}
        )
        for i in range(n)
    ]
    return list(Region.objects.filter(pk__in=[v.pk for v in out]))


def jpeg(name: str = "p.jpg") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def sql(query: str, params: list) -> dict:
    """Run a direct SQL computation: {village_id: value}."""
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return {row[0]: row[1] for row in cursor.fetchall()}


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def current(alias: str, model) -> str:
    """SQL: the row is current (nobody superseded it) and counts (not voided)."""
    return (
        f"{alias}.voided = %s AND NOT EXISTS (SELECT 1 FROM {table(model)} c "  # noqa: S608
        f"WHERE c.supersedes_id = {alias}.id)"
    )
