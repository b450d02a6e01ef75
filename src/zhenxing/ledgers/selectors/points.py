"""Reads of member points and pledges: entries, balances and rankings per period, members under the
threshold, and the metrics.

A member's balance for a period is the base (``LEDGERS_POINTS_BASE``) plus the points of their
counting entries that happened in it; the members of a village are the active members of the
Party organisations registered at it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Round
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenxing.accounts.scoping import Scope, visible
from zhenxing.core.periods import Period
from zhenxing.ledgers.exports import DATE, NUMBER, WRAP, Column, Sheet
from zhenxing.ledgers.models.points import Pledge, PledgeStatus, PointsEntry, PointsRule
from zhenxing.ledgers.selectors.common import current_rows, villages_under
from zhenxing.regions.models import MemberStatus, PartyMember, Region

RELATED = ("village", "member__person", "rule", "recorded_by")


def rules(*, active_only: bool = True) -> QuerySet[PointsRule]:
    qs = PointsRule.objects.all()
    return qs.filter(active=True) if active_only else qs


def points_entries(
    scope: Scope,
    *,
    region: Region | None = None,
    period: Period | None = None,
    member: PartyMember | None = None,
) -> QuerySet[PointsEntry]:
    qs = current_rows(PointsEntry, scope, region=region).select_related(*RELATED)
    if period is not None:
        qs = qs.filter(occurred_on__range=(period.start, period.end))
    if member is not None:
        qs = qs.filter(member=member)
    return qs.order_by("-occurred_on", "-pk")


def pledges(
    scope: Scope,
    *,
    region: Region | None = None,
    period: Period | None = None,
    status: str = "",
) -> QuerySet[Pledge]:
    qs = current_rows(Pledge, scope, region=region).select_related(
        "village", "member__person", "recorded_by"
    )
    if period is not None:
        qs = qs.filter(due_on__range=(period.start, period.end))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("due_on", "-pk")


def members_in(scope: Scope, village: Region) -> QuerySet[PartyMember]:
    """The active members of ``village``'s organisations, for the pickers."""
    return (
        visible(PartyMember.objects.all(), scope)
        .filter(organization__region=village, status=MemberStatus.ACTIVE)
        .select_related("person")
        .order_by("person__name", "pk")
    )


def _period_points(period: Period) -> Subquery:
    sums = (
        PointsEntry.objects.counting()
        .filter(member=OuterRef("pk"), occurred_on__range=(period.start, period.end))
        .order_by()
        .values("member")
        .annotate(total=Sum("points"))
        .values("total")
    )
    return Coalesce(Subquery(sums, output_field=IntegerField()), Value(0))


def balances(villages: QuerySet[Region], period: Period) -> QuerySet[PartyMember]:
    """Active members of ``villages`` with ``points`` (the period's net points) and ``balance``
    (base + points), highest first: the ranking."""
    base = settings.LEDGERS_POINTS_BASE
    return (
        PartyMember.objects.filter(
            status=MemberStatus.ACTIVE, organization__region__in=villages.values("pk")
        )
        .annotate(points=_period_points(period))
        .annotate(balance=F("points") + Value(base))
        .select_related("person", "organization__region")
        .order_by("-balance", "person__name", "pk")
    )


def below_threshold(villages: QuerySet[Region], period: Period) -> QuerySet[PartyMember]:
    """Members whose balance is under ``LEDGERS_POINTS_THRESHOLD``: the follow-up list."""
    return (
        balances(villages, period)
        .filter(balance__lt=settings.LEDGERS_POINTS_THRESHOLD)
        .order_by("balance", "person__name", "pk")
    )


def member_points_mean(villages: QuerySet[Region], period: Period) -> dict[int, float]:
    """member_points_mean: mean points balance (base + the period's points) of a village's active
    members (one decimal)."""
    rows = (
        balances(villages, period)
        .order_by()
        .values("organization__region")
        .annotate(mean=Round(Avg("balance"), 1))
    )
    return {row["organization__region"]: float(row["mean"]) for row in rows}


def members_below_threshold(villages: QuerySet[Region], period: Period) -> dict[int, int]:
    """members_below_threshold: active members whose balance for the period is under the
    threshold (listed for follow-up)."""
    rows = (
        below_threshold(villages, period)
        .order_by()
        .values("organization__region")
        .annotate(n=Count("pk"))
    )
    return {row["organization__region"]: row["n"] for row in rows}


def pledges_fulfilled_rate(
    villages: QuerySet[Region], period: Period, today: dt.date | None = None
) -> dict[int, float]:
    """pledges_fulfilled_rate: of the counting pledges due in the period and already judged or
    past due, the share fulfilled, in % (one decimal)."""
    today = today or timezone.localdate()
    rows = (
        Pledge.objects.counting()
        .filter(village__in=villages.values("pk"), due_on__range=(period.start, period.end))
        .filter(~Q(status=PledgeStatus.OPEN) | Q(due_on__lt=today))
        .values("village")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(status=PledgeStatus.FULFILLED)))
    )
    return {row["village"]: round(100.0 * row["done"] / row["n"], 1) for row in rows}


# --- the Excel export ------------------------------------------------------------------------

POINTS_COLUMNS = [
    Column(gettext_lazy("序号"), 6, NUMBER),
    Column(gettext_lazy("村（社区）"), 12),
    Column(gettext_lazy("党员"), 10),
    Column(gettext_lazy("积分项目"), 22),
    Column(gettext_lazy("发生日期"), 12, DATE),
    Column(gettext_lazy("分值"), 7, NUMBER),
    Column(gettext_lazy("事由"), 34, WRAP),
    Column(gettext_lazy("佐证说明"), 22, WRAP),
    Column(gettext_lazy("记录人"), 10),
]
BALANCE_COLUMNS = [
    Column(gettext_lazy("名次"), 6, NUMBER),
    Column(gettext_lazy("村（社区）"), 14),
    Column(gettext_lazy("党员"), 12),
    Column(gettext_lazy("本期得分"), 10, NUMBER),
    Column(gettext_lazy("积分余额"), 10, NUMBER),
    Column(gettext_lazy("需关注"), 8),
]
PLEDGE_COLUMNS = [
    Column(gettext_lazy("序号"), 6, NUMBER),
    Column(gettext_lazy("村（社区）"), 12),
    Column(gettext_lazy("党员"), 10),
    Column(gettext_lazy("承诺内容"), 40, WRAP),
    Column(gettext_lazy("承诺日期"), 12, DATE),
    Column(gettext_lazy("承诺期限"), 12, DATE),
    Column(gettext_lazy("践诺情况"), 10),
    Column(gettext_lazy("评定日期"), 12, DATE),
    Column(gettext_lazy("践诺佐证"), 30, WRAP),
]


def points_sheets(
    scope: Scope, *, region: Region | None, period: Period, where: str
) -> list[Sheet]:
    """积分明细, 积分排名 and 承诺践诺 of the period, in scope and under ``region``."""
    village = region
    entries = points_entries(scope, region=village, period=period).filter(voided=False)
    threshold = settings.LEDGERS_POINTS_THRESHOLD
    balances_ = balances(villages_under(scope, village), period)
    pledge_rows = pledges(scope, region=village, period=period).filter(voided=False)
    subtitle = _("期间：%(p)s　基础分 %(b)s 分，低于 %(t)s 分需关注") % {
        "p": period.label,
        "b": settings.LEDGERS_POINTS_BASE,
        "t": threshold,
    }
    sheets = [
        Sheet(
            _("积分明细"),
            POINTS_COLUMNS,
            (
                [
                    i,
                    e.village.name,
                    e.member.person.name,
                    e.rule.name,
                    e.occurred_on,
                    e.points,
                    e.note,
                    e.evidence,
                    e.recorded_by.get_full_name() or e.recorded_by.username,
                ]
                for i, e in enumerate(entries, start=1)
            ),
            title=_("%(w)s党员积分明细") % {"w": where},
            subtitle=subtitle,
        ),
        Sheet(
            _("积分排名"),
            BALANCE_COLUMNS,
            (
                [
                    i,
                    m.organization.region.name,
                    m.person.name,
                    m.points,
                    m.balance,
                    _("是") if m.balance < threshold else "",
                ]
                for i, m in enumerate(balances_, start=1)
            ),
            title=_("%(w)s党员积分排名") % {"w": where},
            subtitle=subtitle,
        ),
        Sheet(
            _("承诺践诺"),
            PLEDGE_COLUMNS,
            (
                [
                    i,
                    p.village.name,
                    p.member.person.name,
                    p.text,
                    p.made_on,
                    p.due_on,
                    p.get_status_display(),
                    p.closed_on,
                    p.evidence,
                ]
                for i, p in enumerate(pledge_rows, start=1)
            ),
            title=_("%(w)s党员承诺践诺台账") % {"w": where},
            subtitle=_("期间（按承诺期限）：%(p)s") % {"p": period.label},
        ),
    ]
    return sheets
