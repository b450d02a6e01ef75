"""Writes of member points and pledges, and of the points rule table (county settings)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Abs
from django.utils.translation import gettext as _

from zhenxing.core.periods import Period
from zhenxing.ledgers.models.points import (
    CapPeriod,
    Pledge,
    PledgeStatus,
    PointsEntry,
    PointsRule,
)
from zhenxing.ledgers.services.base import supersede
from zhenxing.ledgers.services.common import (
    checked_photos,
    past_date,
    require_village,
    require_writer,
    store_photos,
    text,
)
from zhenxing.ledgers.services.ratings import county_only
from zhenxing.regions.models import MemberStatus, PartyMember, Region


def cap_period(rule: PointsRule, day: dt.date) -> Period:
    """The cap period of ``rule`` that contains ``day``."""
    if rule.cap_period == CapPeriod.MONTH:
        return Period.month(day.year, day.month)
    if rule.cap_period == CapPeriod.QUARTER:
        return Period.parse(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    return Period.year(day.year)


def _member_of(village: Region, member: PartyMember | None, field: str = "member") -> PartyMember:
    if member is None:
        raise ValidationError({field: _("请选择党员")})
    if member.organization.region_id != village.pk or member.status != MemberStatus.ACTIVE:
        raise ValidationError(
            {field: _("%(m)s不是%(v)s在册党员") % {"m": member.person.name, "v": village.name}}
        )
    return member


def _checked_points(
    *,
    village: Region,
    member: PartyMember | None,
    rule: PointsRule | None,
    occurred_on: dt.date | None,
    points: int | None,
    note: str,
    evidence: str,
    has_photos: bool,
    exclude_pk: int | None = None,
) -> dict[str, Any]:
    member = _member_of(village, member)
    if rule is None:
        raise ValidationError({"rule": _("请选择积分项目")})
    past_date(occurred_on, "occurred_on", _("发生日期"), village=village)
    assert occurred_on is not None  # noqa: S101 - past_date refused None
    points = rule.points if points in (None, "") else int(points)  # type: ignore[arg-type]
    if points == 0 or (points > 0) != (rule.points > 0):
        kind = _("加分") if rule.points > 0 else _("扣分")
        raise ValidationError(
            {"points": _("“%(r)s”是%(k)s项目，分值须为%(k)s") % {"r": rule.name, "k": kind}}
        )
    period = cap_period(rule, occurred_on)
    taken = (
        PointsEntry.objects.counting()
        .filter(member=member, rule=rule, occurred_on__range=(period.start, period.end))
        .exclude(pk=exclude_pk)
        .aggregate(total=Sum(Abs("points")))["total"]
        or 0
    )
    if taken + abs(points) > rule.cap:
        raise ValidationError(
            {
                "points": _(
                    "“%(r)s”%(p)s封顶 %(cap)s 分，%(m)s已记 %(t)s 分，本次 %(n)s 分将超过上限"
                )
                % {
                    "r": rule.name,
                    "p": period.label,
                    "cap": rule.cap,
                    "m": member.person.name,
                    "t": taken,
                    "n": abs(points),
                }
            }
        )
    evidence = (evidence or "").strip()
    if len(evidence) > 200:
        raise ValidationError({"evidence": _("佐证说明不能超过 200 个字")})
    if rule.evidence_required and not evidence and not has_photos:
        raise ValidationError(
            {"evidence": _("“%(r)s”须附佐证：请填写佐证说明或上传照片") % {"r": rule.name}}
        )
    return {
        "member": member,
        "rule": rule,
        "occurred_on": occurred_on,
        "points": points,
        "note": text(note, "note", _("事由")),
        "evidence": evidence,
    }


@transaction.atomic
def points_entry_add(
    *,
    scope: Any,
    village: Region,
    member: PartyMember | None,
    rule: PointsRule | None,
    occurred_on: dt.date | None,
    note: str,
    points: int | None = None,
    evidence: str = "",
    photos: Sequence[Any] = (),
    actor: Any,
) -> PointsEntry:
    require_writer(actor)
    require_village(scope, village)
    images = checked_photos(photos)
    if rule is not None and not rule.active:
        raise ValidationError({"rule": _("积分项目“%(r)s”已停用") % {"r": rule.name}})
    fields = _checked_points(
        village=village,
        member=member,
        rule=rule,
        occurred_on=occurred_on,
        points=points,
        note=note,
        evidence=evidence,
        has_photos=bool(images),
    )
    entry = PointsEntry(village=village, recorded_by=actor, **fields)
    entry.full_clean(exclude=["supersedes", "recorded_by"])
    entry.save()
    if images:
        entry.photos.set(store_photos(village, images))
    return entry


@transaction.atomic
def points_entry_correct(
    *, entry: PointsEntry, reason: str, actor: Any, photos: Sequence[Any] = (), **changes: Any
) -> PointsEntry:
    require_writer(actor)
    images = checked_photos(photos)
    current = {
        name: getattr(entry, name)
        for name in ("member", "rule", "occurred_on", "points", "note", "evidence")
    }
    if "rule" in changes and "points" not in changes:
        current["points"] = None  # a new rule brings its own value
    fields = _checked_points(
        village=entry.village,
        has_photos=bool(images) or entry.photos.exists(),
        exclude_pk=entry.pk,
        **{**current, **changes},
    )
    if images:
        fields["photos"] = [*entry.photos.all(), *store_photos(entry.village, images)]
    return supersede(entry, actor=actor, reason=reason, **fields)


@transaction.atomic
def points_entry_void(*, entry: PointsEntry, reason: str, actor: Any) -> PointsEntry:
    require_writer(actor)
    return supersede(entry, actor=actor, reason=reason, voided=True)


# --- pledges ----------------------------------------------------------------------------------


def _checked_pledge(
    *,
    village: Region,
    member: PartyMember | None,
    text_: str,
    made_on: dt.date | None,
    due_on: dt.date | None,
) -> dict[str, Any]:
    member = _member_of(village, member)
    past_date(made_on, "made_on", _("承诺日期"), village=village)
    if due_on is None:
        raise ValidationError({"due_on": _("请填写承诺期限")})
    if due_on < made_on:  # type: ignore[operator]
        raise ValidationError({"due_on": _("承诺期限不能早于承诺日期")})
    return {
        "member": member,
        "text": text(text_, "text", _("承诺内容"), low=4, high=100),
        "made_on": made_on,
        "due_on": due_on,
    }


@transaction.atomic
def pledge_add(
    *,
    scope: Any,
    village: Region,
    member: PartyMember | None,
    text: str,
    made_on: dt.date | None,
    due_on: dt.date | None,
    actor: Any,
) -> Pledge:
    require_writer(actor)
    require_village(scope, village)
    fields = _checked_pledge(
        village=village, member=member, text_=text, made_on=made_on, due_on=due_on
    )
    pledge = Pledge(village=village, recorded_by=actor, **fields)
    pledge.full_clean(exclude=["supersedes", "recorded_by"])
    pledge.save()
    return pledge


@transaction.atomic
def pledge_close(
    *,
    pledge: Pledge,
    fulfilled: bool,
    closed_on: dt.date | None,
    evidence: str,
    reason: str = "",
    photos: Sequence[Any] = (),
    actor: Any,
) -> Pledge:
    """践诺评定: fulfilled (with evidence) or not; a correction row, so the history keeps it."""
    require_writer(actor)
    if pledge.status != PledgeStatus.OPEN:
        raise ValidationError({"status": _("该承诺已评定，如需修改请更正")})
    images = checked_photos(photos)
    past_date(closed_on, "closed_on", _("评定日期"))
    if closed_on < pledge.made_on:  # type: ignore[operator]
        raise ValidationError({"closed_on": _("评定日期不能早于承诺日期")})
    evidence = (evidence or "").strip()
    if fulfilled and not evidence and not images:
        raise ValidationError({"evidence": _("已践诺须附佐证：请填写践诺情况或上传照片")})
    if len(evidence) > 200:
        raise ValidationError({"evidence": _("践诺佐证不能超过 200 个字")})
    changes: dict[str, Any] = {
        "status": PledgeStatus.FULFILLED if fulfilled else PledgeStatus.UNFULFILLED,
        "closed_on": closed_on,
        "evidence": evidence,
    }
    if images:
        changes["photos"] = store_photos(pledge.village, images)
    default = _("践诺评定：已践诺") if fulfilled else _("践诺评定：未践诺")
    return supersede(pledge, actor=actor, reason=(reason or "").strip() or default, **changes)


@transaction.atomic
def pledge_correct(*, pledge: Pledge, reason: str, actor: Any, **changes: Any) -> Pledge:
    require_writer(actor)
    current = {
        "member": pledge.member,
        "text_": pledge.text,
        "made_on": pledge.made_on,
        "due_on": pledge.due_on,
    }
    if "text" in changes:
        changes["text_"] = changes.pop("text")
    fields = _checked_pledge(village=pledge.village, **{**current, **changes})
    return supersede(pledge, actor=actor, reason=reason, **fields)


# --- the rule table ---------------------------------------------------------------------------


@transaction.atomic
def points_rule_save(
    *,
    actor: Any,
    name: str,
    points: int,
    cap: int,
    cap_period: str,
    evidence_required: bool,
    active: bool = True,
    rule: PointsRule | None = None,
) -> PointsRule:
    """Add or edit a rule. Entries already written keep their points."""
    county_only(actor, _("只有县级管理员可以修改积分规则"))
    name = text(name, "name", _("积分项目"), high=40)
    try:
        points, cap = int(points), int(cap)
    except (TypeError, ValueError):
        raise ValidationError({"points": _("分值和封顶分值须为整数")}) from None
    if points == 0 or not -100 <= points <= 100:
        raise ValidationError({"points": _("每次分值须在 -100 到 100 之间且不为 0")})
    if not abs(points) <= cap <= 1000:
        raise ValidationError(
            {"cap": _("封顶分值须不小于每次分值（%(n)s），且不超过 1000") % {"n": abs(points)}}
        )
    if cap_period not in CapPeriod.values:
        raise ValidationError({"cap_period": _("请选择封顶周期")})
    clash = PointsRule.objects.filter(name=name).exclude(pk=rule.pk if rule else None)
    if clash.exists():
        raise ValidationError({"name": _("已有同名积分项目")})
    rule = rule or PointsRule()
    rule.name, rule.points, rule.cap, rule.cap_period = name, points, cap, cap_period
    rule.evidence_required, rule.active = bool(evidence_required), bool(active)
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def pledge_void(*, pledge: Pledge, reason: str, actor: Any) -> Pledge:
    require_writer(actor)
    return supersede(pledge, actor=actor, reason=reason, voided=True)


# Seeded defaults in the spirit of domain.md §8.4 (no Henan provincial table was found; every
# value is data the county edits on the rules page). (name, points, cap, cap period, evidence)
DEFAULT_RULES: tuple[tuple[str, int, int, str, bool], ...] = (
    ("参加三会一课", 2, 24, CapPeriod.YEAR, False),
    ("参加主题党日", 2, 24, CapPeriod.YEAR, False),
    ("按时交纳党费", 1, 12, CapPeriod.YEAR, False),
    ("联系服务群众", 2, 10, CapPeriod.MONTH, False),
    ("志愿服务", 3, 30, CapPeriod.YEAR, True),
    ("在重点工作中发挥作用", 5, 20, CapPeriod.YEAR, True),
    ("获得表彰", 10, 20, CapPeriod.YEAR, True),
    ("无故缺席组织生活", -5, 30, CapPeriod.YEAR, False),
    ("未按时交纳党费", -5, 15, CapPeriod.YEAR, False),
    ("违反村规民约", -10, 40, CapPeriod.YEAR, True),
    ("违法违纪", -40, 80, CapPeriod.YEAR, True),
)


def ensure_points_defaults() -> list[PointsRule]:
    out = []
    for sort, (name, points, cap, period, evidence) in enumerate(DEFAULT_RULES):
        rule, _created = PointsRule.objects.get_or_create(
            name=name,
            defaults={
                "points": points,
                "cap": cap,
                "cap_period": period,
                "evidence_required": evidence,
                "sort": sort,
            },
        )
        out.append(rule)
    return out
