"""Reads of the standards themselves: the county's rule books and their versions.

Standards are not scoped (every level reads the county's rule book); who may load a new version is
decided by the pages and the API (county admins)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from zhenxing.stars.models import Standard

LOADERS = frozenset({"county_admin"})


def may_load(user) -> bool:
    """County admins (and the superuser) maintain the county's standards."""
    return user.is_superuser or getattr(user, "role", "") in LOADERS


def standards() -> QuerySet[Standard]:
    """Every loaded standard and version, newest year first, with how many evaluations used it."""
    return (
        Standard.objects.select_related("loaded_by")
        .annotate(run_count=Count("runs"))
        .order_by("-year", "kind", "code", "-loaded_at", "-pk")
    )


def standard_with_indicators(pk: int) -> Standard | None:
    """One standard with its stars and their indicators, for showing it whole."""
    return (
        Standard.objects.select_related("loaded_by")
        .prefetch_related("stars__indicators", "stars__requires")
        .filter(pk=pk)
        .first()
    )
