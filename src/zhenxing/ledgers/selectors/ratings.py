"""Reads of the household ratings: lists, rankings per household, group and village, metrics."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, F, FloatField, Q, QuerySet
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenxing.accounts.scoping import Scope
from zhenxing.core.periods import Period
from zhenxing.ledgers.exports import DATE, NUMBER, PERCENT, Column, Sheet
from zhenxing.ledgers.models.ratings import HouseholdRating, RatingScheme
from zhenxing.ledgers.selectors.common import current_rows
from zhenxing.regions.models import Region

RELATED = ("village", "household", "household__group", "scheme", "title", "recorded_by")


def schemes(*, active_only: bool = True) -> QuerySet[RatingScheme]:
    qs = RatingScheme.objects.prefetch_related("items", "titles")
    return qs.filter(active=True) if active_only else qs


def ratings(
    scope: Scope,
    *,
    region: Region | None = None,
    period: Period | None = None,
    scheme: RatingScheme | None = None,
) -> QuerySet[HouseholdRating]:
    qs = current_rows(HouseholdRating, scope, region=region).select_related(*RELATED)
    if period is not None:
        qs = qs.filter(period_start__range=(period.start, period.end))
    if scheme is not None:
        qs = qs.filter(scheme=scheme)
    return qs.order_by("-period_start", "-score", "pk")


def _percent():
    return Cast(F("score"), FloatField()) * 100.0 / F("max_score")


def _counting(villages: QuerySet[Region], period: Period) -> QuerySet[HouseholdRating]:
    return HouseholdRating.objects.counting().filter(
        village__in=villages.values("pk"), period_start__range=(period.start, period.end)
    )


def household_rating_mean(
    villages: QuerySet[Region], period: Period, scheme: RatingScheme | None = None
) -> dict[int, float]:
    """household_rating_mean: mean household rating score in the period, as % of the scheme's
    full marks (one decimal)."""
    qs = _counting(villages, period)
    if scheme is not None:
        qs = qs.filter(scheme=scheme)
    rows = qs.values("village").annotate(mean=Round(Avg(_percent()), 1))
    return {row["village"]: float(row["mean"]) for row in rows}


def titled_households(villages: QuerySet[Region], period: Period) -> dict[int, int]:
    """titled_households: households that earned a title (最美庭院, 文明户…) in the period."""
    rows = (
        _counting(villages, period)
        .filter(title__isnull=False)
        .values("village")
        .annotate(n=Count("household", distinct=True))
    )
    return {row["village"]: row["n"] for row in rows}


def group_ranking(
    village: Region, period: Period, scheme: RatingScheme | None = None
) -> list[dict]:
    """组评: each villager group of ``village`` by its households' mean score (% of full marks)."""
    qs = HouseholdRating.objects.counting().filter(
        village=village, period_start__range=(period.start, period.end)
    )
    if scheme is not None:
        qs = qs.filter(scheme=scheme)
    rows = (
        qs.values("household__group", "household__group__name")
        .annotate(
            mean=Round(Avg(_percent()), 1),
            n=Count("pk"),
            titled=Count("household", distinct=True, filter=Q(title__isnull=False)),
        )
        .order_by("-mean", "household__group__name")
    )
    return list(rows)


def village_ranking(
    villages: QuerySet[Region], period: Period, scheme: RatingScheme | None = None
) -> list[tuple[Region, float, int]]:
    """村评: villages by their households' mean score, with the titled households' count."""
    means = household_rating_mean(villages, period, scheme)
    titled = titled_households(villages, period)
    rows = [(v, means[v.pk], titled.get(v.pk, 0)) for v in villages if v.pk in means]
    return sorted(rows, key=lambda r: (-r[1], r[0].name))


# --- the Excel export ------------------------------------------------------------------------

EXPORT_COLUMNS = [
    Column(gettext_lazy("序号"), 6, NUMBER),
    Column(gettext_lazy("村（社区）"), 12),
    Column(gettext_lazy("村民小组"), 10),
    Column(gettext_lazy("户号"), 10),
    Column(gettext_lazy("户主"), 10),
    Column(gettext_lazy("评比方案"), 14),
    Column(gettext_lazy("评比期间"), 14),
    Column(gettext_lazy("评议日期"), 12, DATE),
    Column(gettext_lazy("得分"), 8, NUMBER),
    Column(gettext_lazy("满分"), 8, NUMBER),
    Column(gettext_lazy("得分率"), 9, PERCENT),
    Column(gettext_lazy("称号"), 14),
    Column(gettext_lazy("备注"), 20),
]


def ratings_sheet(
    rows: QuerySet[HouseholdRating], *, period: Period, where: str, scheme: RatingScheme | None
) -> Sheet:
    """The ratings (voided ones left out) by village, best first, as a printable sheet."""
    rows = rows.filter(voided=False).order_by("village__path", "-score", "household__number")

    def lines() -> Any:
        for i, r in enumerate(rows, start=1):
            yield [
                i,
                r.village.name,
                r.household.group.name if r.household.group_id else "",  # type: ignore[union-attr]
                r.household.number,
                r.household.head_name,
                r.scheme.name,
                Period.parse(r.period).label,
                r.rated_on,
                r.score,
                r.max_score,
                round(r.percent, 1),
                r.title.name if r.title_id else "",  # type: ignore[union-attr]
                r.note,
            ]

    return Sheet(
        _("农户评比"),
        EXPORT_COLUMNS,
        lines(),
        title=_("%(w)s农户评比台账") % {"w": where},
        subtitle=_("期间：%(p)s　方案：%(s)s")
        % {"p": period.label, "s": scheme.name if scheme else _("全部")},
    )
