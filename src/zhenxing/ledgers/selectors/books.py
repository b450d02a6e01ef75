"""Reads of the 三色账, the public board, and its metrics.

Metrics take a queryset of villages and a ``Period`` and return ``{village_id: value}`` from one
aggregate query, whatever the number of villages (a village without rows is absent: read it as 0).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenxing.accounts.scoping import Scope
from zhenxing.core.periods import Period
from zhenxing.ledgers.exports import DATE, WRAP, Column, Sheet
from zhenxing.ledgers.models.books import BookEntry, Colour
from zhenxing.ledgers.selectors.common import current_rows
from zhenxing.regions.models import Region

RELATED = ("village", "household", "recorded_by")


def book_entries(
    scope: Scope,
    *,
    region: Region | None = None,
    period: Period | None = None,
    colour: str = "",
) -> QuerySet[BookEntry]:
    qs = current_rows(BookEntry, scope, region=region).select_related(*RELATED)
    if period is not None:
        qs = qs.filter(occurred_on__range=(period.start, period.end))
    if colour:
        qs = qs.filter(colour=colour)
    return qs.order_by("-occurred_on", "-pk")


def board_entries(village: Region, today: dt.date | None = None) -> QuerySet[BookEntry]:
    """The village's public board: counting red and blue entries whose publish date has come, and
    black ones until marked corrected (黄账 leaves the board)."""
    today = today or timezone.localdate()
    return (
        BookEntry.objects.counting()
        .filter(village=village, publish_on__lte=today)
        .filter(~Q(colour=Colour.BLACK) | Q(corrected_on__isnull=True))
        .select_related("household")
        .prefetch_related("photos")
        .order_by("-occurred_on", "-pk")
    )


def _by_village(qs: QuerySet[BookEntry]) -> dict[int, int]:
    rows = qs.values("village").annotate(n=Count("pk")).values_list("village", "n")
    return dict(rows)


def _in(villages: QuerySet[Region], period: Period) -> QuerySet[BookEntry]:
    return BookEntry.objects.counting().filter(
        village__in=villages.values("pk"), occurred_on__range=(period.start, period.end)
    )


def red_entries(villages: QuerySet[Region], period: Period) -> dict[int, int]:
    """red_entries: counting red-book entries (good deeds) that happened in the period."""
    return _by_village(_in(villages, period).filter(colour=Colour.RED))


def blue_entries(villages: QuerySet[Region], period: Period) -> dict[int, int]:
    """blue_entries: counting blue-book entries (major events) that happened in the period."""
    return _by_village(_in(villages, period).filter(colour=Colour.BLUE))


def black_entries(villages: QuerySet[Region], period: Period) -> dict[int, int]:
    """black_entries: counting black-book entries (bad deeds) that happened in the period."""
    return _by_village(_in(villages, period).filter(colour=Colour.BLACK))


def black_entries_open(villages: QuerySet[Region], period: Period) -> dict[int, int]:
    """black_entries_open: black entries that happened by the period's end and were not marked
    corrected by then."""
    qs = BookEntry.objects.counting().filter(
        village__in=villages.values("pk"), colour=Colour.BLACK, occurred_on__lte=period.end
    )
    qs = qs.filter(Q(corrected_on__isnull=True) | Q(corrected_on__gt=period.end))
    return _by_village(qs)


# --- the Excel export ------------------------------------------------------------------------

EXPORT_COLUMNS = [
    Column(gettext_lazy("序号"), 6),
    Column(gettext_lazy("村（社区）"), 12),
    Column(gettext_lazy("账别"), 8),
    Column(gettext_lazy("发生日期"), 12, DATE),
    Column(gettext_lazy("农户/当事人"), 14),
    Column(gettext_lazy("事项"), 24, WRAP),
    Column(gettext_lazy("经过"), 50, WRAP),
    Column(gettext_lazy("公示日期"), 12, DATE),
    Column(gettext_lazy("改正日期"), 12, DATE),
    Column(gettext_lazy("记录人"), 10),
    Column(gettext_lazy("状态"), 8),
]


def books_sheet(rows: Any, *, period: Period, where: str) -> Sheet:
    def lines() -> Any:
        for i, e in enumerate(rows, start=1):
            state = _("已作废") if e.voided else (_("已更正") if e.supersedes_id else "")
            yield [
                i,
                e.village.name,
                e.get_colour_display(),
                e.occurred_on,
                e.subject,
                e.title,
                e.description,
                e.publish_on,
                e.corrected_on,
                e.recorded_by.get_full_name() or e.recorded_by.username,
                state,
            ]

    return Sheet(
        _("三色账"),
        EXPORT_COLUMNS,
        lines(),
        title=_("%(w)s三色治理台账") % {"w": where},
        subtitle=_("期间：%(p)s　红账：好人好事　黑账：不良行为　蓝账：重大事项")
        % {"p": period.label},
    )
