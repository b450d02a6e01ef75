"""Reads of background jobs, for a region the caller fetched through the scoping module."""

from __future__ import annotations

from types import MappingProxyType

from django.db.models import QuerySet

from zhenxing.core.models import CalendarDay, Job
from zhenxing.core.workdays import WorkCalendar


def jobs_under(region_path: str, *, kind: str | None = None) -> QuerySet[Job]:
    """Jobs that target ``region_path`` or a region below it, newest first."""
    qs = Job.objects.filter(region__path__startswith=region_path).select_related(
        "region", "created_by"
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-pk")


def work_calendar(*years: int) -> WorkCalendar:
    """The working-day calendar with the admin's overrides (for ``years``, or every year)."""
    qs = CalendarDay.objects.all()
    if years:
        qs = qs.filter(date__year__in=sorted(set(years)))
    return WorkCalendar(MappingProxyType(dict(qs.values_list("date", "is_workday"))))
