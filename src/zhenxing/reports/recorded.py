"""What the platform records for a region and a period, figure by figure, read through the
selector that owns each figure (one figure, one selector): the registers (regions), pairing and
grids (grids), disputes (orders), income, meetings, talent and 三零 (ledgers), and the published
star results (stars). Nothing is computed here that a selector already answers; each source is
read once per check, whatever the number of claims that need it.

Figures that are a state (members, households, pairing, grids, cadres) are read as of today;
figures of a period (disputes, meetings, income, talent, stars, 三零) for the check's period.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from zhenxing.accounts.scoping import Scope
from zhenxing.core.periods import Period
from zhenxing.grids import selectors as grids
from zhenxing.ledgers.selectors import incidents, income, meetings, talent
from zhenxing.orders import selectors as order_selectors
from zhenxing.regions import selectors as regions
from zhenxing.regions.models import Region
from zhenxing.reports.figures import Figure
from zhenxing.reports.models import Metric
from zhenxing.stars.selectors.results import RegionDistribution, result_distribution

WAN = Decimal(10_000)
YI = Decimal(100_000_000)
THRESHOLD = re.compile(
    r"(?:突破|超过|达到|达|逾)(\d+(?:\.\d+)?)万元?|(\d+(?:\.\d+)?)万元?(?:及?以上)"
)
STATE = "现状"
PERIOD = "期间"


@dataclass(frozen=True)
class Recorded:
    value: Decimal | None  # in the claim's unit; None: the platform holds nothing for it
    basis: str  # STATE (as of today) or PERIOD (the check's period)
    note: str = ""


def star_distribution(region: Region, year: int) -> RegionDistribution:
    """The published star results (创星结果) of ``region`` for ``year``: the one place this app
    reads star counts, so that it follows the stars app's published-result selector."""
    return result_distribution(region, year)


def income_threshold(figure: Figure) -> Decimal | None:
    """The tier a count of villages is claimed against, in 万元 (“13个村突破20万元” → 20)."""
    match = THRESHOLD.search(figure.clause)
    if not match:
        return None
    return Decimal(match.group(1) or match.group(2))


def applies(metric: str, figure: Figure) -> bool:
    """Whether a rule's metric can read this claim at all (a tier needs its threshold)."""
    if metric == Metric.INCOME_TIER_VILLAGES:
        return income_threshold(figure) is not None
    return True


def _money(yuan: Decimal, unit: str) -> Decimal:
    if unit == "万元":
        return (yuan / WAN).quantize(Decimal("0.01"))
    if unit == "亿元":
        return (yuan / YI).quantize(Decimal("0.0001"))
    return yuan


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


class Platform:
    """The platform's figures for one region and period, each read once, lazily."""

    def __init__(self, *, region: Region, period: Period, scope: Scope) -> None:
        self.region = region
        self.period = period
        self.scope = scope

    @cached_property
    def villages(self) -> Any:
        return grids.villages_under(self.region)

    @cached_property
    def counts(self) -> regions.Counts:
        return regions.region_counts(self.region)

    @cached_property
    def pairing(self) -> grids.Figures:
        return grids.figures(self.region).total

    @cached_property
    def grid_count(self) -> int:
        return grids.grids_under(self.region).count()

    @cached_property
    def cadres(self) -> regions.CadreStructure:
        return regions.cadre_structure(self.region)

    @cached_property
    def orders(self) -> order_selectors.Figures:
        return order_selectors.figures_for(self.region, self.period)

    @cached_property
    def tiers(self) -> tuple[list[Any], list[income.TownshipTiers]]:
        return income.tier_counts(self.scope, income.year_of(self.period), self.region)

    @cached_property
    def meetings_held(self) -> int:
        return sum(b.held for b in meetings.branch_figures(self.villages, self.period).values())

    @cached_property
    def talent(self) -> int:
        return sum(talent.talent_count(self.villages, self.period).values())

    @cached_property
    def reserve(self) -> int:
        return sum(talent.reserve_cadres(self.villages, self.period).values())

    @cached_property
    def three_zeros(self) -> dict[int, incidents.ThreeZeros]:
        return incidents.three_zeros(self.villages, self.period)

    @cached_property
    def stars(self) -> RegionDistribution:
        return star_distribution(self.region, self.period.end.year)

    def read(self, metric: str, figure: Figure) -> Recorded:
        if metric in STATE_READS:
            return Recorded(_number(STATE_READS[metric](self)), STATE)
        if metric in PERIOD_READS:
            return Recorded(_number(PERIOD_READS[metric](self)), PERIOD)
        if metric == Metric.INCOME_TIER_VILLAGES:
            return self._tier(figure)
        if metric == Metric.INCOME_TOTAL:
            rows = self.tiers[1]
            if not rows:
                return Recorded(None, PERIOD)
            total = sum((r.total for r in rows), Decimal(0))
            return Recorded(_money(total, figure.unit), PERIOD)
        if metric == Metric.PETITIONS:
            if not self.three_zeros:
                return Recorded(None, PERIOD)
            return Recorded(Decimal(sum(z.petitions for z in self.three_zeros.values())), PERIOD)
        return self._stars(metric)

    def _tier(self, figure: Figure) -> Recorded:
        threshold = income_threshold(figure)
        bands, rows = self.tiers
        tier = next((t for t in bands if t.min_wan == threshold), None)
        if tier is None or not rows:
            return Recorded(None, PERIOD, f"平台未设{threshold}万元档次" if tier is None else "")
        return Recorded(Decimal(sum(r.at_least.get(tier.pk, 0) for r in rows)), PERIOD)

    def _stars(self, metric: str) -> Recorded:
        total = self.stars.total
        if not total.villages:  # no published result for the year
            return Recorded(None, PERIOD)
        m = Metric
        value: Any = {
            m.STARS_5: total.counts.get(5, 0),
            m.STARS_4: total.counts.get(4, 0),
            m.STARS_3: total.counts.get(3, 0),
            m.STARS_3_OR_MORE: total.at_least(3),
            m.STARS_3_OR_MORE_SHARE: total.three_or_more,
        }.get(metric)
        return Recorded(_number(value), PERIOD)


# Figures read as they stand today, and figures of the check's period: metric → the value.
STATE_READS: dict[str, Callable[[Platform], Any]] = {
    Metric.PARTY_MEMBERS: lambda p: p.counts.members,
    Metric.HOUSEHOLDS: lambda p: p.counts.households,
    Metric.VILLAGES: lambda p: p.counts.villages,
    Metric.PAIRED_HOUSEHOLDS: lambda p: p.pairing.paired,
    Metric.PAIRING_MEMBERS: lambda p: p.pairing.pairing_members,
    Metric.PAIRING_COVERAGE: lambda p: p.pairing.coverage,
    Metric.HOUSEHOLDS_PER_MEMBER: lambda p: p.pairing.mean_per_member,
    Metric.GRIDS: lambda p: p.grid_count,
    Metric.ONE_SHOULDER: lambda p: p.cadres.one_shoulder,
    Metric.CADRE_AVERAGE_AGE: lambda p: p.cadres.average_age,
}
PERIOD_READS: dict[str, Callable[[Platform], Any]] = {
    Metric.DISPUTES: lambda p: p.orders.disputes,
    Metric.DISPUTES_RESOLVED: lambda p: p.orders.disputes_resolved,
    Metric.DISPUTE_RESOLUTION_RATE: lambda p: p.orders.dispute_resolution_rate,
    Metric.MEETINGS_HELD: lambda p: p.meetings_held,
    Metric.TALENT: lambda p: p.talent,
    Metric.RESERVE_CADRES: lambda p: p.reserve,
    Metric.THREE_ZEROS_VILLAGES: lambda p: sum(1 for z in p.three_zeros.values() if z.ok),
}
