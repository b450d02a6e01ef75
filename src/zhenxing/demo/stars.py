"""Demo stars: the shipped illustrative standards carried to the demo's two star years (the
finished one and the one under way, ``DemoPlan``) and evaluated for the whole demo county.

A standard is never evaluated for a year it was not written for: the shipped file (year 2026) is
loaded as a new version for each star year (``stars.standards.carried_to``), as a county would
re-issue last year's standard for the new year."""

from __future__ import annotations

from pathlib import Path

from zhenxing.accounts.models import User
from zhenxing.accounts.scoping import scope_for
from zhenxing.core.periods import Period
from zhenxing.demo.plan import DemoPlan
from zhenxing.regions.models import Region
from zhenxing.stars.management.commands.stars_load import DEFAULT
from zhenxing.stars.models import EvaluationRun, IndicatorResult, Standard, StarResult
from zhenxing.stars.selectors.evaluation import current_standard, latest_run_covering, ranking
from zhenxing.stars.selectors.results import result_distribution
from zhenxing.stars.services import evaluation_run, standard_load
from zhenxing.stars.standards import carried_to


def standards_for(plan: DemoPlan, admin: User, shipped: Path = DEFAULT) -> dict[int, Standard]:
    """The shipped standard ``shipped`` loaded for each of the plan's star years (the finished
    year first, so the year under way is the newest: ``current_standard``)."""
    text = shipped.read_text(encoding="utf-8")
    return {year: standard_load(text=carried_to(text, year), actor=admin) for year in plan.years}


def evaluate(standard: Standard, county: Region, admin: User) -> EvaluationRun:
    return evaluation_run(
        standard=standard,
        region=county,
        period=Period.parse(str(standard.year)),
        scope=scope_for(admin),
        actor=admin,
    )


def delete_stars() -> None:
    for model in (StarResult, IndicatorResult, EvaluationRun):
        model.objects.all().delete()
    Standard.objects.all().delete()


def star_summary(county: Region, plan: DemoPlan) -> list[str]:
    """The demo's star distribution as the pages name it: the finished year's 评定结果 (published
    and final, minus revocations; ``stars.selectors.results``) and the year under way's 测评 (the
    newest evaluation; ``stars.selectors.evaluation``), five stars first."""
    published = result_distribution(county, plan.finished).total
    lines = [
        f"{plan.finished}年度评定结果："
        + "，".join(f"{s}星 {n} 个" for s, n in published.descending())
        + f"；未评 {published.unrated} 个"
    ]
    standard = current_standard()
    run = latest_run_covering(county)
    if standard is not None and run is not None and run.standard_id == standard.pk:
        rows = ranking(run, county)
        awaiting = sum(1 for row in rows.rows if row.pending)
        lines.append(
            f"{standard.year}年度测评（截至 {plan.today:%Y-%m-%d}）："
            + "，".join(f"{s}星 {rows.distribution.get(s, 0)} 个" for s in range(5, -1, -1))
            + f"；另有 {awaiting} 个村的部分星待评审"
        )
    return lines
