"""Reads of the year's star results (评定结果, what the application flow approved): the star distribution of a region and of each of
its child regions (a county's townships), the villages' results with the stars they hold, and the
years that have results.

A result is an application of a village or community in state ``published`` (公示中) or ``final``
(已认定) under a standard of that year; its star count is the number of stars it *holds* (awarded
and not revoked, ``ApplicationStar.held``), so a revocation (摘星) lowers it at once. Villages
under the region without such an application are counted as ``unrated`` (未公布结果); the share at
three stars or more is taken over all the region's villages, as the seeds report it (裴城镇: 20 of
its 24 branches, 83%): a branch without a published result holds no star.

Like the other selectors they take a region the caller fetched through the scoping module and read
only what lies under it. Every function is a fixed number of queries whatever the number of
villages: the counts are aggregated in SQL, never per village.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Substr

from zhenxing.regions.models import VILLAGE_LEVELS, Level, Region
from zhenxing.stars.models import Application, ApplicationStar, AppState, Star

PUBLISHED_STATES = (AppState.PUBLISHED, AppState.FINAL)
TOP_STARS = 5
THRESHOLD = 3  # the share the seeds report: branches with three stars or more (三星及以上)


@dataclass
class Distribution:
    """Villages by the number of stars they hold, 0 to 5 (more if a standard has more stars)."""

    counts: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(TOP_STARS + 1), 0))
    unrated: int = 0  # villages under the region without a published result this year

    @property
    def villages(self) -> int:
        """Villages with a published result (参评村)."""
        return sum(self.counts.values())

    def at_least(self, stars: int) -> int:
        return sum(n for s, n in self.counts.items() if s >= stars)

    def share_at_least(self, stars: int) -> float | None:
        """Percent of all the villages (with a result or not) holding ``stars`` or more, one
        decimal; None when there is no result at all."""
        if not self.villages:
            return None
        return round(100 * self.at_least(stars) / (self.villages + self.unrated), 1)

    @property
    def three_or_more(self) -> float | None:
        return self.share_at_least(THRESHOLD)

    def add(self, stars: int, villages: int) -> None:
        self.counts[stars] = self.counts.get(stars, 0) + villages

    def descending(self) -> list[tuple[int, int]]:
        """(stars, villages), five stars first."""
        return sorted(self.counts.items(), reverse=True)

    def as_dict(self) -> dict[str, object]:
        return {
            "villages": self.villages,
            "unrated": self.unrated,
            "counts": {str(s): n for s, n in sorted(self.counts.items())},
            "three_or_more": self.three_or_more,
        }


@dataclass
class RegionDistribution:
    region: Region
    year: int
    total: Distribution
    children: list[tuple[Region, Distribution]]  # the child regions by 区划代码, then by name


def published_results(year: int) -> QuerySet[Application]:
    """Applications of villages and communities with a published result under a ``year``
    standard. Callers narrow it to a region (a path prefix)."""
    return Application.objects.filter(
        state__in=PUBLISHED_STATES,
        standard__year=year,
        region__level__in=VILLAGE_LEVELS,
    )


def held_stars() -> QuerySet[ApplicationStar]:
    return ApplicationStar.objects.filter(awarded=True, revoked_at__isnull=True)


def _held_count() -> Coalesce:
    per_application = (
        held_stars()
        .filter(application=OuterRef("pk"))
        .order_by()
        .values("application")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_application, output_field=IntegerField()), Value(0))


def _by_unit(
    cut: int, year: int, *, under: str = "", units: list[str] | None = None
) -> tuple[dict[str, Distribution], Distribution]:
    """The villages whose path starts with ``under`` (and, given ``units``, lie in one of those
    paths), grouped by the first ``cut`` characters of their path (the unit they lie in): each
    unit's distribution and the total (two queries)."""
    rows = (
        published_results(year)
        .filter(region__path__startswith=under)
        .annotate(held=_held_count(), unit=Substr("region__path", 1, cut))
    )
    villages = Region.objects.filter(path__startswith=under, level__in=VILLAGE_LEVELS).annotate(
        unit=Substr("path", 1, cut)
    )
    if units is not None:
        rows, villages = rows.filter(unit__in=units), villages.filter(unit__in=units)
    by_unit: dict[str, Distribution] = defaultdict(Distribution)
    total = Distribution()
    for row in rows.order_by().values("unit", "held").annotate(n=Count("pk")):
        by_unit[row["unit"]].add(row["held"], row["n"])
        total.add(row["held"], row["n"])
    all_villages = 0
    for row in villages.order_by().values("unit").annotate(n=Count("pk")):
        dist = by_unit[row["unit"]]
        dist.unrated = row["n"] - dist.villages
        all_villages += row["n"]
    total.unrated = all_villages - total.villages
    return by_unit, total


def result_distribution(region: Region, year: int) -> RegionDistribution:
    """评定结果: the distribution of ``region`` and of each of its child regions for ``year``
    (three queries: the counts grouped by child and star count, the villages per child, the
    children)."""
    prefix = (region.depth + 1) * Region.steplen
    by_unit, total = _by_unit(prefix, year, under=region.path)
    children = [
        (child, by_unit[child.path])
        for child in Region.objects.filter(
            path__startswith=region.path, depth=region.depth + 1
        ).order_by("code", "path")
    ]
    return RegionDistribution(region=region, year=year, total=total, children=children)


def distributions_of(units: Iterable[Region], year: int) -> dict[int, Distribution]:
    """评定结果 of each of ``units`` (townships, say, for the 五好乡镇党委 indicator that reads
    village stars): the same figures ``result_distribution`` gives for them as children, two
    queries per depth among the units."""
    by_depth: dict[int, list[Region]] = defaultdict(list)
    for unit in units:
        by_depth[unit.depth].append(unit)
    found: dict[int, Distribution] = {}
    for depth, regions in by_depth.items():
        by_unit, _total = _by_unit(depth * Region.steplen, year, units=[r.path for r in regions])
        found |= {r.pk: by_unit[r.path] for r in regions}
    return found


@dataclass
class VillageResult:
    village: Region
    application: Application
    stars: list[Star] = field(default_factory=list)  # held, in the standard's order

    @property
    def held(self) -> int:
        return len(self.stars)

    @property
    def star_names(self) -> str:
        return "、".join(s.name for s in self.stars)

    @property
    def is_final(self) -> bool:
        return self.application.state == AppState.FINAL


def village_results(region: Region, year: int) -> list[VillageResult]:
    """Each village under ``region`` with a published result for ``year``, most stars first, then
    in tree order (two queries)."""
    applications = published_results(year).filter(region__path__startswith=region.path)
    results = {
        a.pk: VillageResult(village=a.region, application=a)
        for a in applications.select_related("region", "standard")
    }
    for held in (
        held_stars()
        .filter(application__in=applications.values("pk"))
        .select_related("star")
        .order_by("star__sort", "pk")
    ):
        results[held.application_id].stars.append(held.star)
    return sorted(results.values(), key=lambda r: (-r.held, r.village.path))


def results_by_township(region: Region, year: int) -> list[tuple[Region, list[VillageResult]]]:
    """``village_results`` grouped under their townships (those under ``region``, or the one
    ``region`` lies in), townships by 区划代码 then by name; townships without results are left out (three
    queries)."""
    results = village_results(region, year)
    lengths = range(Region.steplen, len(region.path) + 1, Region.steplen)
    townships = {
        t.path: t
        for t in Region.objects.filter(level=Level.TOWNSHIP).filter(
            Q(path__startswith=region.path) | Q(path__in=[region.path[:i] for i in lengths])
        )
    }
    grouped: dict[str, list[VillageResult]] = defaultdict(list)
    for result in results:
        path = result.village.path
        key = next(
            (
                path[:i]
                for i in range(Region.steplen, len(path), Region.steplen)
                if path[:i] in townships
            ),
            "",
        )
        if key:
            grouped[key].append(result)
    order = sorted(grouped, key=lambda key: (townships[key].code, key))
    return [(townships[key], grouped[key]) for key in order]


def result_years(region: Region) -> list[int]:
    """Years with a published result under ``region``, newest first (one query)."""
    return list(
        Application.objects.filter(
            state__in=PUBLISHED_STATES,
            region__path__startswith=region.path,
            region__level__in=VILLAGE_LEVELS,
        )
        .order_by("-standard__year")
        .values_list("standard__year", flat=True)
        .distinct()
    )
