"""Reads of 经验材料核数: the checks a person may see (through the scoping module: a township its
own, the county all of them), one check, and the regions a check may be made for."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from zhenxing.accounts.scoping import Scope, get_visible_or_404, visible
from zhenxing.core.periods import Period
from zhenxing.regions.models import Region
from zhenxing.reports.checks import tally
from zhenxing.reports.models import FigureRule, ReportCheck
from zhenxing.reports.services import CHECK_LEVELS, NAMED_LEVELS


def checks_visible(scope: Scope) -> QuerySet[ReportCheck]:
    return (
        visible(ReportCheck.objects.all(), scope)
        .select_related("region", "author")
        .defer("original", "cleaned")
        .order_by("-created_at", "-pk")
    )


def check_get(scope: Scope, pk: int) -> ReportCheck:
    return get_visible_or_404(ReportCheck.objects.select_related("region", "author"), scope, pk=pk)


def region_choices(scope: Scope) -> QuerySet[Region]:
    """The county, townships and districts in scope (and the person's own village, if that is
    their scope), in tree order."""
    qs = visible(Region.objects.filter(level__in=CHECK_LEVELS), scope)
    if scope.level in NAMED_LEVELS or scope.is_root:
        qs = qs.filter(level__in=NAMED_LEVELS)
    return qs.order_by("path")


def period_label(key: str) -> str:
    try:
        return Period.parse(key).label
    except ValueError:
        return key


def summary(check: ReportCheck) -> dict[str, Any]:
    """Claims per verdict, the claims that were checked (mapped), and those left 未核."""
    claims = check.claims
    return {
        "tally": tally(claims),
        "checked": [c for c in claims if c["verdict"] != "未核"],
        "unchecked": [c for c in claims if c["verdict"] == "未核"],
    }


def figure_rules() -> QuerySet[FigureRule]:
    """The county's figure rules in the order they are tried (reference data, not scoped)."""
    return FigureRule.objects.order_by("sort", "pk")
