"""The metrics a standard's computed indicators read: name → how to compute it for many units.

A metric applies to one kind of unit (``unit``): villages (村、社区, the 五星支部 standards) or
townships (乡镇, the 五好乡镇党委 standards); a standard file may only name metrics of its own
unit (``stars.standards`` refuses the others, naming the line). Each metric takes the units (a
queryset of regions) and the period and returns ``{unit id: value}`` from one aggregate query (or
a few) however many units there are; a unit missing from the answer, or answered ``None``, has no
value (nothing recorded), which an indicator treats as not met. Metrics that read the same figures
(the order figures) name a shared ``source`` and a ``pick``: ``compute_all`` queries each source
once per evaluation. The names are the vocabulary of the standard files (``stars/standards/*.yaml``).

Township metrics aggregate over the villages under each township (a village belongs to the
township whose path starts its path):

* ``township_villages_three_star_share`` — the share of the township's villages holding three
  stars or more in the period's year: the 评定结果 figure ``stars.selectors.results`` gives the
  results pages, the API and the notice (stars held in published or final applications, over all
  the township's villages). Before any village of the township has a published result it has no
  value (无数据): an estimate (测评) is never mixed into it.
* ``township_orders_*`` — the order figures of all orders received in the period in the
  township's villages (one GROUP BY on the township part of the village path).
* ``township_secretaries_*`` — of the village Party secretaries in post at the end of the period
  (``CadrePost`` of post ``secretary`` at a village of the township), the share under 45 on that
  day, and the share with a college education or above (``Resident.education``).
* ``township_villages_with_reserve_share`` — the share of the township's villages with at least
  one reserve cadre (后备干部, the talent ledger) at the end of the period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from zhenxing.core.periods import Period
from zhenxing.grids import selectors as grids
from zhenxing.ledgers.models.talent import ReserveCadre
from zhenxing.ledgers.selectors import incidents, income, meetings, points, ratings, talent
from zhenxing.orders import selectors as orders
from zhenxing.orders.models import Order
from zhenxing.regions.models import (
    COLLEGE_OR_ABOVE,
    VILLAGE_LEVELS,
    CadrePost,
    Level,
    Post,
    Region,
)

NUMBER, PERCENT, MONEY, FLAG = "number", "percent", "money", "flag"
VILLAGE, TOWNSHIP = "village", "township"  # the unit a metric applies to

Compute = Callable[[QuerySet[Region], Period], dict[int, Any]]


@dataclass(frozen=True)
class Metric:
    """``function`` computes the values; or ``source`` (shared by several metrics, computed once
    per evaluation by ``compute_all``) and ``pick`` (the value of one unit's answer)."""

    name: str
    label: str
    kind: str  # NUMBER, PERCENT (0–100), MONEY (yuan) or FLAG (true/false)
    function: Compute | None = None
    unit: str = VILLAGE
    source: Compute | None = None
    pick: Callable[[Any], Any] | None = None

    def compute(self, units: QuerySet[Region], period: Period) -> dict[int, Any]:
        if self.source is not None:
            return self.picked(self.source(units, period))
        return self.function(units, period)  # type: ignore[misc]

    def picked(self, answer: dict[int, Any]) -> dict[int, Any]:
        pick = self.pick or (lambda found: found)
        return {pk: pick(found) for pk, found in answer.items()}


def compute_all(
    names: list[str] | set[str], units: QuerySet[Region], period: Period
) -> dict[str, dict[int, Any]]:
    """The values of every metric in ``names`` for ``units``: each shared source queried once."""
    sources: dict[Compute, dict[int, Any]] = {}
    out: dict[str, dict[int, Any]] = {}
    for name in sorted(names):
        metric = METRICS[name]
        if metric.source is None:
            out[name] = metric.compute(units, period)
            continue
        if metric.source not in sources:
            sources[metric.source] = metric.source(units, period)
        out[name] = metric.picked(sources[metric.source])
    return out


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- townships: the villages under each township -------------------------------------------------


def _township_cuts(townships: QuerySet[Region]) -> dict[int, dict[str, int]]:
    """``{path length: {township path: township id}}`` (one query; one length in a normal tree)."""
    cuts: dict[int, dict[str, int]] = defaultdict(dict)
    for pk, path in townships.order_by().values_list("pk", "path"):
        cuts[len(path)][path] = pk
    return cuts


def _per_township(
    townships: QuerySet[Region], rows: Callable[[int, list[str]], Any]
) -> dict[int, dict[str, Any]]:
    """Run ``rows(cut, paths)`` (a query grouped by the first ``cut`` characters of the village
    path, answering dicts with ``tp`` = that prefix) per path length; ``{township id: row}``."""
    out: dict[int, dict[str, Any]] = {}
    for cut, by_path in _township_cuts(townships).items():
        for row in rows(cut, list(by_path)):
            out[by_path[row["tp"]]] = row
    return out


def _village_totals(townships: QuerySet[Region]) -> dict[int, int]:
    """``{township id: its villages and communities}``, every township present."""
    ids = dict.fromkeys(townships.order_by().values_list("pk", flat=True), 0)
    found = _per_township(
        townships,
        lambda cut, paths: (
            Region.objects.filter(level__in=VILLAGE_LEVELS)
            .annotate(tp=Substr("path", 1, cut))
            .filter(tp__in=paths)
            .values("tp")
            .annotate(n=Count("pk"))
            .order_by()
        ),
    )
    return ids | {pk: row["n"] for pk, row in found.items()}


def township_orders_figures(
    townships: QuerySet[Region], period: Period
) -> dict[int, orders.Figures]:
    """The order figures of each township's villages for orders received in ``period`` (one
    GROUP BY over the village paths cut to the township); a township without orders is absent."""
    return {
        pk: orders.Figures(**{name: row.get(name) or 0 for name in orders.AGGREGATES})
        for pk, row in _per_township(
            townships,
            lambda cut, paths: (
                Order.objects.filter(orders._received_in(period))
                .annotate(tp=Substr("village__path", 1, cut))
                .filter(tp__in=paths)
                .values("tp")
                .annotate(**orders.AGGREGATES)
                .order_by()
            ),
        ).items()
    }


def _solved_in_township(figures: orders.Figures) -> float | None:
    """大事不出镇: resolved orders solved at the village or the township."""
    return _pct(figures.solved_village + figures.solved_township, figures.resolved)


def township_secretaries(townships: QuerySet[Region], period: Period) -> dict[int, dict[str, Any]]:
    """Per township: village secretaries in post at the end of ``period``, those under 45 that
    day and those with a college education or above (one query)."""
    end = period.end
    try:
        born_after = end.replace(year=end.year - 45)
    except ValueError:  # 29 February
        born_after = end.replace(year=end.year - 45, day=28)
    return _per_township(
        townships,
        lambda cut, paths: (
            CadrePost.objects.filter(
                Q(end_date__isnull=True) | Q(end_date__gte=end),
                post=Post.SECRETARY,
                start_date__lte=end,
                region__level__in=VILLAGE_LEVELS,
            )
            .annotate(tp=Substr("region__path", 1, cut))
            .filter(tp__in=paths)
            .values("tp")
            .annotate(
                n=Count("person", distinct=True),
                young=Count("person", distinct=True, filter=Q(person__birth_date__gt=born_after)),
                college=Count(
                    "person", distinct=True, filter=Q(person__education__in=COLLEGE_OR_ABOVE)
                ),
            )
            .order_by()
        ),
    )


def township_villages_with_reserve_share(
    townships: QuerySet[Region], period: Period
) -> dict[int, float | None]:
    totals = _village_totals(townships)
    found = _per_township(
        townships,
        lambda cut, paths: (
            ReserveCadre.objects.counting()
            .filter(since__lte=period.end)
            .annotate(tp=Substr("village__path", 1, cut))
            .filter(tp__in=paths)
            .values("tp")
            .annotate(n=Count("village", distinct=True))
            .order_by()
        ),
    )
    return {pk: _pct(found[pk]["n"] if pk in found else 0, n) for pk, n in totals.items()}


def township_villages_three_star_share(
    townships: QuerySet[Region], period: Period
) -> dict[int, float | None]:
    """See the module's docstring: the 评定结果 selector's three-star share of each township."""
    from zhenxing.stars.selectors.results import distributions_of  # selectors import METRICS

    found = distributions_of(townships, period.end.year)
    return {pk: dist.three_or_more for pk, dist in found.items()}


METRICS: dict[str, Metric] = {
    metric.name: metric
    for metric in (
        Metric(
            "orders_satisfaction_rate",
            _("群众诉求满意率"),
            PERCENT,
            source=orders.figures_by_village,
            pick=lambda f: f.satisfaction_rate,
        ),
        Metric(
            "orders_resolution_rate",
            _("群众诉求解决率"),
            PERCENT,
            source=orders.figures_by_village,
            pick=lambda f: f.resolution_rate,
        ),
        Metric(
            "orders_response_rate",
            _("群众诉求响应率"),
            PERCENT,
            source=orders.figures_by_village,
            pick=lambda f: f.response_rate,
        ),
        Metric(
            "orders_on_time_rate",
            _("按时办结率"),
            PERCENT,
            source=orders.figures_by_village,
            pick=lambda f: f.on_time_rate,
        ),
        Metric(
            "dispute_resolution_rate",
            _("矛盾纠纷化解率"),
            PERCENT,
            source=orders.figures_by_village,
            pick=lambda f: f.dispute_resolution_rate,
        ),
        Metric(
            "orders_solved_in_village_share",
            _("小事不出村占比"),
            PERCENT,
            source=orders.figures_by_village,
            pick=lambda f: f.level_shares[Level.VILLAGE],
        ),
        Metric("collective_income", _("村集体经济经营性收入"), MONEY, income.collective_income),
        Metric(
            "three_zeros",
            _("三零达标（零上访、零事故、零案件）"),
            FLAG,
            lambda villages, period: {
                pk: status.ok for pk, status in incidents.three_zeros(villages, period).items()
            },
        ),
        Metric("meetings_compliance", _("组织生活开展率"), PERCENT, meetings.meetings_compliance),
        Metric("meetings_attendance", _("组织生活参会率"), PERCENT, meetings.meetings_attendance),
        Metric("member_points_mean", _("党员平均积分"), NUMBER, points.member_points_mean),
        Metric(
            "pledges_fulfilled_rate", _("党员承诺践诺率"), PERCENT, points.pledges_fulfilled_rate
        ),
        Metric(
            "household_rating_mean", _("农户评比平均得分率"), PERCENT, ratings.household_rating_mean
        ),
        Metric("titled_households", _("获评称号户数"), NUMBER, ratings.titled_households),
        Metric("talent_count", _("人才库人数"), NUMBER, talent.talent_count),
        Metric("reserve_cadres", _("后备干部人数"), NUMBER, talent.reserve_cadres),
        Metric("pairing_coverage", _("党员联户覆盖率"), PERCENT, grids.pairing_coverage),
        # 五好乡镇党委: township metrics (see the module's docstring).
        Metric(
            "township_villages_three_star_share",
            _("所辖村三星及以上占比（评定结果）"),
            PERCENT,
            township_villages_three_star_share,
            unit=TOWNSHIP,
        ),
        Metric(
            "township_orders_satisfaction_rate",
            _("全乡镇群众诉求满意率"),
            PERCENT,
            source=township_orders_figures,
            pick=lambda f: f.satisfaction_rate,
            unit=TOWNSHIP,
        ),
        Metric(
            "township_orders_solved_in_township_share",
            _("大事不出镇占比（村、乡镇两级办结）"),
            PERCENT,
            source=township_orders_figures,
            pick=_solved_in_township,
            unit=TOWNSHIP,
        ),
        Metric(
            "township_dispute_resolution_rate",
            _("全乡镇矛盾纠纷化解率"),
            PERCENT,
            source=township_orders_figures,
            pick=lambda f: f.dispute_resolution_rate,
            unit=TOWNSHIP,
        ),
        Metric(
            "township_secretaries_under_45_share",
            _("村党组织书记 45 岁以下占比"),
            PERCENT,
            source=township_secretaries,
            pick=lambda row: _pct(row["young"], row["n"]),
            unit=TOWNSHIP,
        ),
        Metric(
            "township_secretaries_college_share",
            _("村党组织书记大专及以上学历占比"),
            PERCENT,
            source=township_secretaries,
            pick=lambda row: _pct(row["college"], row["n"]),
            unit=TOWNSHIP,
        ),
        Metric(
            "township_villages_with_reserve_share",
            _("有后备干部的村占比"),
            PERCENT,
            township_villages_with_reserve_share,
            unit=TOWNSHIP,
        ),
    )
}
