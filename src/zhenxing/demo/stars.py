"""Demo stars: the shipped illustrative standard, evaluated for the whole demo county."""

from __future__ import annotations

from zhenxing.accounts.models import User
from zhenxing.accounts.scoping import scope_for
from zhenxing.core.periods import Period
from zhenxing.regions.models import Region
from zhenxing.stars.management.commands.stars_load import DEFAULT
from zhenxing.stars.models import EvaluationRun, IndicatorResult, Standard, StarResult
from zhenxing.stars.services import evaluation_run, standard_load


def build_stars(*, county: Region, admin: User) -> dict[str, int]:
    standard = standard_load(text=DEFAULT.read_text(encoding="utf-8"), actor=admin)
    run = evaluation_run(
        standard=standard,
        region=county,
        period=Period.parse(str(standard.year)),
        scope=scope_for(admin),
        actor=admin,
    )
    return {"star_results": StarResult.objects.filter(run=run).count()}


def delete_stars() -> None:
    for model in (StarResult, IndicatorResult, EvaluationRun):
        model.objects.all().delete()
    Standard.objects.all().delete()
