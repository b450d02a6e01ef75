"""What the selectors of ledgers 4–7 share: the ``villages`` argument of a metric.

A metric takes ``villages`` as a QuerySet of regions (used as a subquery, plus one query for the
ids so that every village gets a value) or as an iterable of regions or ids, and answers a dict
keyed by village id, computed with a fixed number of aggregate queries however many villages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from zhenxing.regions.models import Region

Villages = QuerySet[Region] | Iterable[Region | int]


def village_ids(villages: Villages, *, ids: bool = True) -> tuple[list[int], Any]:
    """(the ids, what to filter ``…__in`` with): a subquery for a QuerySet, else the ids.
    With ``ids=False`` a QuerySet is not evaluated (the ids come back empty)."""
    if isinstance(villages, QuerySet):
        subquery = villages.order_by().values("pk")
        return (list(villages.values_list("pk", flat=True)) if ids else []), subquery
    ids = [v if isinstance(v, int) else v.pk for v in villages]
    return ids, ids


def pct(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def pct_text(value: float | None) -> str:
    """A rate the Chinese way: one decimal and a percent sign; a dash when there is no data."""
    return "—" if value is None else f"{value:.1f}%"


def fmt_day(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
