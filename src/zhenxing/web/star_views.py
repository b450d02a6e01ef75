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
from zhenxing.regions.models import VILLAGE_LEVELS, Region
from zhenxing.stars import selectors, services
from zhenxing.stars.models import Outcome

RUNNERS = frozenset({"county_admin"})


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
    context = {
        "region": region,
        "run": run,
        "standard": run.standard if run else standard,
        "may_run": _may_run(request) and standard is not None,
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
            "MET": Outcome.MET,
            "PENDING": Outcome.PENDING,
        }
    return render(request, "stars/region.html", context)


def stars_village(request: HttpRequest, village: Region) -> HttpResponse:
    run = selectors.latest_run_covering(village)
    gaps = selectors.gap_list(run, village) if run else []
    context = {
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
    return redirect("stars_region", region_id=region.pk)
