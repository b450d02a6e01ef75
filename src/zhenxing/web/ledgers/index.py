"""The ledgers index (/ledgers/): every ledger the person's role sees, with a line of figures for
the villages in their scope and the chosen period."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from zhenxing.core.periods import Period
from zhenxing.ledgers.selectors import books, points, ratings
from zhenxing.ledgers.selectors.common import villages_under
from zhenxing.regions.models import Region
from zhenxing.web.ledgers import LEDGERS
from zhenxing.web.ledgers.common import filters


def _mean(values: dict[int, float]) -> str:
    if not values:
        return "—"
    return f"{sum(values.values()) / len(values):.1f}"


def books_figures(villages: QuerySet[Region], period: Period) -> list[tuple[str, str]]:
    return [
        (_("红账"), str(sum(books.red_entries(villages, period).values()))),
        (_("黑账未改正"), str(sum(books.black_entries_open(villages, period).values()))),
        (_("蓝账"), str(sum(books.blue_entries(villages, period).values()))),
    ]


def ratings_figures(villages: QuerySet[Region], period: Period) -> list[tuple[str, str]]:
    mean = _mean(ratings.household_rating_mean(villages, period))
    return [
        (_("平均得分率"), f"{mean}%" if mean != "—" else mean),
        (_("获称号户"), str(sum(ratings.titled_households(villages, period).values()))),
    ]


def points_figures(villages: QuerySet[Region], period: Period) -> list[tuple[str, str]]:
    rate = _mean(points.pledges_fulfilled_rate(villages, period))
    return [
        (_("党员平均积分"), _mean(points.member_points_mean(villages, period))),
        (_("需关注党员"), str(sum(points.members_below_threshold(villages, period).values()))),
        (_("践诺率"), f"{rate}%" if rate != "—" else rate),
    ]


@login_required
def ledgers_index(request: HttpRequest) -> HttpResponse:
    filter_form, period, village = filters(request)
    villages = villages_under(request.scope, village)  # type: ignore[attr-defined]
    user = request.user
    cards = []
    for ledger in LEDGERS:
        if not (user.is_superuser or user.role in ledger.roles):  # type: ignore[union-attr]
            continue
        figures = import_string(ledger.figures)(villages, period) if ledger.figures else []
        cards.append({"ledger": ledger, "figures": figures})
    context = {"filter_form": filter_form, "period": period, "village": village, "cards": cards}
    return render(request, "ledgers/index.html", context)
