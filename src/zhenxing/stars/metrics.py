"""The metrics a standard's computed indicators read: name → how to compute it for many villages.

Each metric takes the villages (a queryset of regions) and the period and returns
``{village id: value}`` from one aggregate query (or a few) however many villages there are; a
village missing from the answer has no value (nothing recorded), which an indicator treats as not
met. The names are the vocabulary of the standard files (``stars/standards/*.yaml``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhenxing.core.periods import Period
from zhenxing.grids import selectors as grids
from zhenxing.ledgers.selectors import incidents, income, meetings, points, ratings, talent
from zhenxing.orders import selectors as orders
from zhenxing.regions.models import Region

NUMBER, PERCENT, MONEY, FLAG = "number", "percent", "money", "flag"

Compute = Callable[[QuerySet[Region], Period], dict[int, Any]]


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    kind: str  # NUMBER, PERCENT (0–100), MONEY (yuan) or FLAG (true/false)
    compute: Compute


def _orders_figure(attribute: str) -> Compute:
    def compute(villages: QuerySet[Region], period: Period) -> dict[int, Any]:
        by_village = orders.figures_by_village(villages, period)
        return {pk: getattr(figures, attribute) for pk, figures in by_village.items()}

    return compute


METRICS: dict[str, Metric] = {
    metric.name: metric
    for metric in (
        Metric(
            "orders_satisfaction_rate",
            _("群众诉求满意率"),
            PERCENT,
            _orders_figure("satisfaction_rate"),
        ),
        Metric(
            "orders_resolution_rate",
            _("群众诉求解决率"),
            PERCENT,
            _orders_figure("resolution_rate"),
        ),
        Metric(
            "orders_response_rate", _("群众诉求响应率"), PERCENT, _orders_figure("response_rate")
        ),
        Metric("orders_on_time_rate", _("按时办结率"), PERCENT, _orders_figure("on_time_rate")),
        Metric(
            "dispute_resolution_rate",
            _("矛盾纠纷化解率"),
            PERCENT,
            _orders_figure("dispute_resolution_rate"),
        ),
        Metric(
            "orders_solved_in_village_share",
            _("小事不出村占比"),
            PERCENT,
            lambda villages, period: {
                pk: f.level_shares["village"]
                for pk, f in orders.figures_by_village(villages, period).items()
            },
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
    )
}
