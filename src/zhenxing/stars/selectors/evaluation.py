"""Reads of the star engine: a run's ranking and star distribution, a village's gap list.

Like the other selectors they take a region the caller fetched through the scoping module and
read only what lies under it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from zhenxing.regions.models import Region
from zhenxing.stars.metrics import FLAG, METRICS, MONEY, PERCENT
from zhenxing.stars.models import (
    EvaluationRun,
    Indicator,
    IndicatorResult,
    Outcome,
    Standard,
    StandardKind,
    StarResult,
)


def current_standard(kind: str = StandardKind.VILLAGE) -> Standard | None:
    """The standard new evaluations use: the newest year's, the last loaded."""
    return Standard.objects.filter(kind=kind).order_by("-year", "-loaded_at").first()


VILLAGE_KINDS = (StandardKind.VILLAGE, StandardKind.COMMUNITY)
TOWNSHIP_KINDS = (StandardKind.TOWNSHIP,)


def latest_run_covering(
    region: Region, kinds: tuple[str, ...] = VILLAGE_KINDS, *, year: int | None = None
) -> EvaluationRun | None:
    """The newest finished run of a standard of ``kinds`` (by default the village and community
    standards; ``TOWNSHIP_KINDS`` for 五好乡镇党委) whose region contains ``region`` (a county's
    run covers its villages), of a standard of ``year`` when given, for a region the caller
    fetched through the scoping module: only results under ``region`` are read from it."""
    ancestors = [
        region.path[:i] for i in range(Region.steplen, len(region.path) + 1, Region.steplen)
    ]
    runs = EvaluationRun.objects.select_related("standard", "region").filter(
        region__path__in=ancestors, finished_at__isnull=False, standard__kind__in=kinds
    )
    if year is not None:
        runs = runs.filter(standard__year=year)
    return runs.order_by("-started_at", "-pk").first()


@dataclass
class VillageStars:
    village: Region
    met: int = 0
    pending: int = 0
    stars: dict[str, str] = field(default_factory=dict)  # star code → outcome


@dataclass
class Ranking:
    rows: list[VillageStars]
    distribution: dict[int, int]  # stars met → villages

    @property
    def villages(self) -> int:
        return len(self.rows)

    def met_per_star(self) -> Counter[str]:
        """Villages that met each star (by star code)."""
        return Counter(
            code for row in self.rows for code, o in row.stars.items() if o == Outcome.MET
        )

    def share_at_least(self, stars: int) -> float | None:
        if not self.rows:
            return None
        return round(
            100 * sum(n for s, n in self.distribution.items() if s >= stars) / len(self.rows), 1
        )


def ranking(run: EvaluationRun, region: Region) -> Ranking:
    """The villages under ``region`` in ``run``, most stars first (two queries)."""
    villages = {
        v.pk: v
        for v in Region.objects.filter(path__startswith=region.path).filter(
            pk__in=StarResult.objects.filter(run=run).values("village_id")
        )
    }
    rows = {pk: VillageStars(village=v) for pk, v in villages.items()}
    for village_id, code, outcome in StarResult.objects.filter(
        run=run, village_id__in=list(villages)
    ).values_list("village_id", "star__code", "outcome"):
        row = rows[village_id]
        row.stars[code] = outcome
        row.met += outcome == Outcome.MET
        row.pending += outcome == Outcome.PENDING
    ordered = sorted(rows.values(), key=lambda r: (-r.met, -r.pending, r.village.path))
    return Ranking(rows=ordered, distribution=dict(Counter(r.met for r in ordered)))


SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


@dataclass(frozen=True)
class Gap:
    indicator: Indicator
    outcome: str
    value: str
    threshold: str
    gap: str

    @property
    def figure(self) -> str:
        """What the value is, as the pages name it (a computed indicator's metric label)."""
        if self.indicator.judged:
            return ""
        return str(METRICS[self.indicator.metric].label)


def shown(indicator: Indicator, value: Decimal | None) -> str:
    if indicator.judged:
        return ""
    if value is None:
        return _("无数据")
    kind = METRICS[indicator.metric].kind
    if kind == FLAG:
        return _("是") if value else _("否")
    if kind == PERCENT:
        return f"{value.normalize():f}%"
    if kind == MONEY:
        return _("%(n)s万元") % {"n": f"{(value / 10000).quantize(Decimal('0.01')).normalize():f}"}
    return f"{value.normalize():f}"


def requirement(indicator: Indicator) -> str:
    """What an indicator asks, as a cadre reads it: "≥ 20万元", "≥ 90%", "是", or the evidence."""
    if indicator.judged:
        return indicator.evidence or _("评审认定")
    kind = METRICS[indicator.metric].kind
    if kind == FLAG:
        return _("是") if indicator.threshold else _("否")
    text = shown(indicator, Decimal(indicator.threshold))
    return f"{SYMBOLS[indicator.op]} {text}"


def _gap(indicator: Indicator, value: Decimal | None, outcome: str) -> str:
    if outcome == Outcome.MET:
        return ""
    if outcome == Outcome.PENDING:
        return _("待评审：请上传佐证材料")
    if outcome == Outcome.NO_DATA:
        return _("尚无数据：请先录入相关台账")
    kind = METRICS[indicator.metric].kind
    if kind == FLAG or indicator.op in ("==", "<", "<="):
        return _("未达到要求")
    missing = Decimal(indicator.threshold) - value
    if kind == PERCENT:
        return _("差 %(n)s 个百分点") % {"n": f"{missing.normalize():f}"}
    if kind == MONEY:
        return _("差 %(n)s万元") % {
            "n": f"{(missing / 10000).quantize(Decimal('0.01')).normalize():f}"
        }
    return _("差 %(n)s") % {"n": f"{missing.normalize():f}"}


def gap_list(run: EvaluationRun, village: Region) -> list[tuple[StarResult, list[Gap]]]:
    """差距清单: each star of the run's standard for ``village``, its outcome and, per indicator,
    the value, the threshold and what is missing (two queries)."""
    stars = list(
        StarResult.objects.filter(run=run, village=village)
        .select_related("star")
        .order_by("star__sort")
    )
    results = {
        r.indicator_id: r
        for r in IndicatorResult.objects.filter(run=run, village=village).select_related(
            "indicator"
        )
    }
    by_star: dict[int, list[Gap]] = {}
    for result in sorted(results.values(), key=lambda r: r.indicator.sort):
        indicator = result.indicator
        by_star.setdefault(indicator.star_id, []).append(
            Gap(
                indicator=indicator,
                outcome=result.outcome,
                value=shown(indicator, result.value),
                threshold=requirement(indicator),
                gap=_gap(indicator, result.value, result.outcome),
            )
        )
    return [(s, by_star.get(s.star_id, [])) for s in stars]
