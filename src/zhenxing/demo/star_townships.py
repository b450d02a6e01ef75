"""Demo 五好乡镇党委: the shipped illustrative township standard, evaluated for every township of
the demo county (after the village applications, whose published stars its development metric
reads). Nobody has judged the townships' judged indicators yet: those stay pending."""

from __future__ import annotations

from zhenxing.accounts.models import User
from zhenxing.accounts.scoping import scope_for
from zhenxing.core.periods import Period
from zhenxing.regions.models import Region
from zhenxing.stars.management.commands.stars_load import TOWNSHIP_DEFAULT
from zhenxing.stars.models import Outcome, StarResult
from zhenxing.stars.services import evaluation_run, standard_load


def build_star_townships(*, county: Region, admin: User) -> dict[str, int]:
    standard = standard_load(text=TOWNSHIP_DEFAULT.read_text(encoding="utf-8"), actor=admin)
    run = evaluation_run(
        standard=standard,
        region=county,
        period=Period.parse(str(standard.year)),
        scope=scope_for(admin),
        actor=admin,
    )
    results = StarResult.objects.filter(run=run)
    return {
        "township_runs": run.villages,
        "township_goods_met": results.filter(outcome=Outcome.MET).count(),
    }
