"""The star pages (五星支部): a region's ranking and star distribution, a village's gap list
(差距清单), and the county's evaluation run. Reads go through ``stars.selectors`` for a region
fetched through the scoping module; the run through ``stars.services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from zhenxing.accounts.scoping import Scope, get_visible_or_404, home_region
from zhenxing.core.periods import Period
from zhenxing.regions.models import VILLAGE_LEVELS, Level, Region
from zhenxing.stars import selectors, services
from zhenxing.stars.models import Outcome, StandardKind
from zhenxing.stars.selectors.evaluation import TOWNSHIP_KINDS

RUNNERS = frozenset({"county_admin"})
TOWNSHIP_OR_ABOVE = (Level.TOWNSHIP, Level.COUNTY, Level.CITY, Level.PROVINCE)


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined,no-any-return]


def _may_run(request: HttpRequest) -> bool:
    return request.user.is_superuser or getattr(request.user, "role", "") in RUNNERS


@login_required
@require_safe
def stars_home(request: HttpRequest) -> HttpResponse:
    return redirect("stars_region", region_id=home_region(_scope(request)).pk)


@login_required
@require_safe
def stars_region(request: HttpRequest, region_id: int) -> HttpResponse:
    region = get_visible_or_404(Region, _scope(request), pk=region_id)
    if region.level in VILLAGE_LEVELS:
        return stars_village(request, region)
    run = selectors.latest_run_covering(region)
    standard = selectors.current_standard()
    result_year = selectors.default_year(region)
    context = {
        "region": region,
        "run": run,
        "standard": run.standard if run else standard,
        "may_run": _may_run(request) and standard is not None,
        "result_year": result_year,
        "result": selectors.result_distribution(region, result_year).total,
        "RESULT": selectors.RESULT,
        "ESTIMATE": selectors.ESTIMATE,
    }
    if run is not None:
        ranking = selectors.ranking(run, region)
        stars = list(run.standard.stars.order_by("sort"))
        counts = ranking.met_per_star()
        context |= {
            "ranking": ranking,
            "rows": [(row, [row.stars.get(s.code, "") for s in stars]) for row in ranking.rows],
            "stars": stars,
            "per_star": [(s, counts.get(s.code, 0)) for s in stars],
            "three_or_more": ranking.share_at_least(3),
            "distribution": [
                [_("%(n)s星") % {"n": n}, ranking.distribution.get(n, 0)] for n in range(5, -1, -1)
            ],
        }
    context |= _townships(region)
    context |= {"MET": Outcome.MET, "PENDING": Outcome.PENDING}
    context["proposals"] = selectors.proposal_list(_scope(request), region=region)[:20]
    return render(request, "stars/region.html", context)


def _townships(region: Region) -> dict:
    """五好乡镇党委: a township's own indicators and gaps, or the ranking of the townships under a
    county (or above), from the newest township run covering ``region``."""
    run = selectors.latest_run_covering(region, kinds=TOWNSHIP_KINDS)
    if run is None:
        return {"township_run": None}
    context: dict = {"township_run": run, "township_standard": run.standard}
    if region.level == Level.TOWNSHIP:
        gaps = selectors.gap_list(run, region)
        context |= {
            "township_gaps": gaps,
            "township_met": sum(1 for star, _gaps in gaps if star.outcome == Outcome.MET),
            "township_pending": sum(1 for star, _gaps in gaps if star.outcome == Outcome.PENDING),
        }
    elif region.level in TOWNSHIP_OR_ABOVE:
        ranking = selectors.ranking(run, region)
        stars = list(run.standard.stars.order_by("sort"))
        context |= {
            "township_stars": stars,
            "township_rows": [
                (row, [row.stars.get(s.code, "") for s in stars]) for row in ranking.rows
            ],
        }
    return context


def stars_village(request: HttpRequest, village: Region) -> HttpResponse:
    run = selectors.latest_run_covering(village)
    gaps = selectors.gap_list(run, village) if run else []
    result_year = selectors.default_year(village)
    context = {
        "result_year": result_year,
        "result": next(iter(selectors.village_results(village, result_year)), None),
        "RESULT": selectors.RESULT,
        "ESTIMATE": selectors.ESTIMATE,
        "region": village,
        "run": run,
        "standard": run.standard if run else selectors.current_standard(),
        "gaps": gaps,
        "met": sum(1 for star, _gaps in gaps if star.outcome == Outcome.MET),
        "pending": sum(1 for star, _gaps in gaps if star.outcome == Outcome.PENDING),
    }
    return render(request, "stars/village.html", context)


@login_required
@require_POST
def stars_run(request: HttpRequest, region_id: int) -> HttpResponse:
    region = get_visible_or_404(Region, _scope(request), pk=region_id)
    if not _may_run(request):
        messages.error(request, _("测评由县委组织部发起"))
        return redirect("stars_region", region_id=region.pk)
    standard = selectors.current_standard()
    if standard is None:
        messages.error(request, _("尚未导入创星标准：请先运行 zhenxing stars_load"))
        return redirect("stars_region", region_id=region.pk)
    try:
        run = services.evaluation_run(
            standard=standard,
            region=region,
            period=Period.parse(str(standard.year)),
            scope=_scope(request),
            actor=request.user,
        )
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(
        request,
        _("已按“%(standard)s”测评 %(n)s 个村（社区）。")
        % {"standard": standard, "n": run.villages},
    )
    township_standard = selectors.current_standard(StandardKind.TOWNSHIP)
    if township_standard is not None and region.level in TOWNSHIP_OR_ABOVE:
        run = services.evaluation_run(
            standard=township_standard,
            region=region,
            period=Period.parse(str(township_standard.year)),
            scope=_scope(request),
            actor=request.user,
        )
        messages.success(
            request,
            _("已按“%(standard)s”测评 %(n)s 个乡镇。")
            % {"standard": township_standard, "n": run.villages},
        )
    return redirect("stars_region", region_id=region.pk)
