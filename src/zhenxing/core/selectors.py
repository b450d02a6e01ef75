"""Reads of background jobs, for a region the caller fetched through the scoping module."""

from __future__ import annotations

from types import MappingProxyType

from django.db.models import QuerySet

from zhenxing.core.models import CalendarDay, Job
from zhenxing.core.reference import reference
from zhenxing.core.workdays import WorkCalendar


def jobs_under(region_path: str, *, kind: str | None = None) -> QuerySet[Job]:
    """Jobs that target ``region_path`` or a region below it, newest first."""
    qs = Job.objects.filter(region__path__startswith=region_path).select_related(
        "region", "created_by"
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-pk")


@reference
def work_calendar() -> WorkCalendar:
    """The working-day calendar with the admin's overrides (every year's: a small table),
    memoised (``core.reference``): saving or deleting an override forgets it."""
    return WorkCalendar(
        MappingProxyType(dict(CalendarDay.objects.values_list("date", "is_workday")))
    )
