"""Demo 五好乡镇党委: the shipped illustrative township standard carried to the demo's two star
years and evaluated for every township of the demo county (after the village applications, whose
published stars its development metric reads; the year under way last, so it is the newest).
Nobody has judged the townships' judged indicators yet: those stay pending."""

from __future__ import annotations

from zhenxing.accounts.models import User
from zhenxing.demo.plan import DemoPlan
from zhenxing.demo.stars import evaluate, standards_for
from zhenxing.regions.models import Region
from zhenxing.stars.management.commands.stars_load import TOWNSHIP_DEFAULT
from zhenxing.stars.models import Outcome, StarResult


def build_star_townships(*, county: Region, admin: User, plan: DemoPlan) -> dict[str, int]:
    runs = [
        evaluate(standard, county, admin)
        for standard in standards_for(plan, admin, TOWNSHIP_DEFAULT).values()
    ]
    current = runs[-1]
    return {
        "township_runs": current.villages,
        "township_goods_met": StarResult.objects.filter(run=current, outcome=Outcome.MET).count(),
    }
