"""Talent pool and reserve cadres: add a person of the village to the pool or name a reserve cadre
with a mentor (a serving cadre) and an assignment; corrections, and taking someone out (a voiding
correction with the reason)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenxing.accounts.scoping import Scope
from zhenxing.ledgers.models.talent import ReserveCadre, Talent, TalentCategory
from zhenxing.ledgers.services import common
from zhenxing.ledgers.services._village import correct, corrected, record
from zhenxing.regions.models import CadrePost, Region, Resident

DEFAULT_CATEGORIES = (
    "返乡创业人员",
    "致富带头人",
    "农业技术人员",
    "乡贤",
    "高校毕业生",
    "退役军人",
    "能工巧匠",
)


def talent_defaults_ensure() -> None:
    for sort, name in enumerate(DEFAULT_CATEGORIES, start=1):
        TalentCategory.objects.get_or_create(name=name, defaults={"sort": sort})


def _of_village(person: Resident | None, village: Region, field: str, label: str) -> Resident:
    if person is None:
        raise ValidationError({field: _("请选择%(label)s") % {"label": label}})
    if not person.region.path.startswith(village.path):
        raise ValidationError(
            {
                field: _("%(name)s的户籍不在%(village)s，不能列入本村台账")
                % {"name": person.name, "village": village.name}
            }
        )
    return person


def _talent_checked(
    *,
    village: Region,
    person: Resident | None,
    category: TalentCategory | None,
    since: dt.date | None,
    strengths: str,
    exclude_pk: int | None = None,
) -> dict[str, Any]:
    person = _of_village(person, village, "person", _("人员"))
    if category is None:
        raise ValidationError({"category": _("请选择人才类别")})
    common.past_date(since, "since", _("入库日期"), village=village)
    strengths = common.text(strengths, "strengths", _("专长与事迹"), low=0, high=200)
    twin = Talent.objects.counting().filter(person=person, category=category)
    if exclude_pk:
        twin = twin.exclude(pk=exclude_pk)
    if twin.exists():
        raise ValidationError(
            {
                "person": _("%(name)s已在人才库（%(cat)s）中")
                % {"name": person.name, "cat": category}
            }
        )
    return {"person": person, "category": category, "since": since, "strengths": strengths}


def talent_record(
    *,
    scope: Scope,
    village: Region | None,
    person: Resident | None,
    category: TalentCategory | None,
    since: dt.date | None,
    actor: Any,
    strengths: str = "",
) -> Talent:
    def check(village: Region) -> dict[str, Any]:
        return _talent_checked(
            village=village, person=person, category=category, since=since, strengths=strengths
        )

    return record(Talent, check, scope=scope, village=village, actor=actor)


def talent_correct(
    *, scope: Scope, talent: Talent, actor: Any, reason: str, voided: bool = False, **changes: Any
) -> Talent:
    def check(changes: dict[str, Any]) -> dict[str, Any]:
        return _talent_checked(
            village=talent.village,
            exclude_pk=talent.pk,
            **corrected(talent, changes, ("person", "category", "since", "strengths")),
        )

    return correct(
        talent, check, scope=scope, actor=actor, reason=reason, voided=voided, changes=changes
    )


def serving_cadre(person: Resident, village: Region, on: dt.date) -> bool:
    """Does ``person`` hold a cadre post on ``on`` in the village or a region above it?"""
    above = [village.path[:i] for i in range(Region.steplen, len(village.path) + 1, Region.steplen)]
    return (
        CadrePost.objects.filter(person=person, region__path__in=above, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .exists()
    )


def _reserve_checked(
    *,
    village: Region,
    person: Resident | None,
    mentor: Resident | None,
    assignment: str,
    since: dt.date | None,
    exclude_pk: int | None = None,
) -> dict[str, Any]:
    person = _of_village(person, village, "person", _("后备干部"))
    if mentor is None:
        raise ValidationError({"mentor": _("请选择帮带导师")})
    if mentor.pk == person.pk:
        raise ValidationError({"mentor": _("帮带导师不能是本人")})
    if not serving_cadre(mentor, village, timezone.localdate()):
        raise ValidationError(
            {
                "mentor": _("%(name)s目前不在本村或上级担任干部职务，不能担任帮带导师")
                % {"name": mentor.name}
            }
        )
    assignment = common.text(assignment, "assignment", _("岗位锻炼"), low=0, high=60)
    common.past_date(since, "since", _("确定日期"), village=village)
    twin = ReserveCadre.objects.counting().filter(person=person)
    if exclude_pk:
        twin = twin.exclude(pk=exclude_pk)
    if twin.exists():
        raise ValidationError({"person": _("%(name)s已是后备干部") % {"name": person.name}})
    return {"person": person, "mentor": mentor, "assignment": assignment, "since": since}


def reserve_cadre_record(
    *,
    scope: Scope,
    village: Region | None,
    person: Resident | None,
    mentor: Resident | None,
    since: dt.date | None,
    actor: Any,
    assignment: str = "",
) -> ReserveCadre:
    def check(village: Region) -> dict[str, Any]:
        return _reserve_checked(
            village=village, person=person, mentor=mentor, assignment=assignment, since=since
        )

    return record(ReserveCadre, check, scope=scope, village=village, actor=actor)


def reserve_cadre_correct(
    *,
    scope: Scope,
    cadre: ReserveCadre,
    actor: Any,
    reason: str,
    voided: bool = False,
    **changes: Any,
) -> ReserveCadre:
    def check(changes: dict[str, Any]) -> dict[str, Any]:
        return _reserve_checked(
            village=cadre.village,
            exclude_pk=cadre.pk,
            **corrected(cadre, changes, ("person", "mentor", "assignment", "since")),
        )

    return correct(
        cadre, check, scope=scope, actor=actor, reason=reason, voided=voided, changes=changes
    )
