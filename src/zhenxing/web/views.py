"""Pages. Each one: scoped fetch → one selector → render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhenxing.accounts import services as account_services
from zhenxing.accounts.scoping import Scope, get_visible_or_404, home_region
from zhenxing.regions import selectors
from zhenxing.regions.models import Region
from zhenxing.web import service_views
from zhenxing.web.grids import figures as grid_figures

PAGE_SIZE = 50


def home_region_id(scope: Scope) -> int:
    """Where a person starts: their scope node (the top of the tree for a root scope)."""
    if scope.is_root:
        return int(home_region(scope).pk)
    if scope.region_id is None or scope.region_id < 0:
        raise Http404(_("账号未设置管辖范围"))
    return scope.region_id


def breadcrumbs(scope: Scope, region: Region) -> list[Region]:
    return [r for r in Region.objects.get_ancestors(region) if scope.covers(r)]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("region", region_id=home_region_id(request.scope))  # type: ignore[attr-defined]


def _region_context(request: HttpRequest, region_id: int) -> dict:
    scope = request.scope  # type: ignore[attr-defined]
    region = get_visible_or_404(Region, scope, pk=region_id)
    return {"region": region, "ancestors": breadcrumbs(scope, region), "scope": scope}


@login_required
def region_detail(request: HttpRequest, region_id: int) -> HttpResponse:
    context = _region_context(request, region_id)
    region = context["region"]
    context["counts"] = selectors.region_counts(region)
    context["children"] = selectors.children_with_counts(region)
    context["structure"] = selectors.cadre_structure(region)
    context["service"] = service_views.figures_context(request, region, context["children"])
    context["grids"] = grid_figures.figures_context(region)
    return render(request, "web/region.html", context)


def _roster(request: HttpRequest, region_id: int, kind: str) -> HttpResponse:
    context = _region_context(request, region_id)
    scope = context["scope"]
    rows = selectors.ROSTERS[kind](context["region"])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(kind=kind, page=page, unmasked=scope.sees_personal_data)
    if scope.sees_personal_data and page.object_list:
        account_services.personal_data_viewed(
            user=request.user, what=f"{kind} {context['region'].name} p{page.number}"
        )
    template = "web/roster.html#rows" if request.htmx else "web/roster.html"  # type: ignore[attr-defined]
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


@login_required
def household_list(request: HttpRequest, region_id: int) -> HttpResponse:
    return _roster(request, region_id, "households")


@login_required
def resident_list(request: HttpRequest, region_id: int) -> HttpResponse:
    return _roster(request, region_id, "residents")


@login_required
def member_list(request: HttpRequest, region_id: int) -> HttpResponse:
    return _roster(request, region_id, "members")


@login_required
def cadre_list(request: HttpRequest, region_id: int) -> HttpResponse:
    return _roster(request, region_id, "cadres")
