"""Reads of background jobs, for a region the caller fetched through the scoping module."""

from __future__ import annotations

from django.db.models import QuerySet

from zhenxing.core.models import Job


def jobs_under(region_path: str, *, kind: str | None = None) -> QuerySet[Job]:
    """Jobs that target ``region_path`` or a region below it, newest first."""
    qs = Job.objects.filter(region__path__startswith=region_path).select_related(
        "region", "created_by"
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-pk")
