"""Pages of grids, pairing (联户) and visits (五个到户). Each: scoped fetch → one selector or
service → render; a refused change writes nothing and says why next to the field."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhenxing.accounts import services as account_services
from zhenxing.accounts.scoping import Scope, get_visible_or_404, visible
from zhenxing.grids import selectors, services
from zhenxing.grids.models import Grid, Pairing
from zhenxing.orders.models import Order
from zhenxing.regions.models import VILLAGE_LEVELS, Household, PartyMember, Region
from zhenxing.web.grids import forms as f
from zhenxing.web.grids.figures import figures_context
from zhenxing.web.order_forms import add_service_errors
from zhenxing.web.views import breadcrumbs, home_region_id


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _region(request: HttpRequest, region_id: int) -> Region:
    return get_visible_or_404(Region, _scope(request), pk=region_id)


class NotAVillage(Exception):
    """A village page asked for a township or county: the caller shows its 网格联户 page."""

    def __init__(self, region: Region) -> None:
        self.region = region


def _village(request: HttpRequest, region_id: int) -> Region:
    region = _region(request, region_id)
    if region.level not in VILLAGE_LEVELS:
        raise NotAVillage(region)
    return region


def village_page(view: Any) -> Any:
    """A page of one village; for a township or county it leads to the region's 网格联户 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotAVillage as exc:  # the region page lists its villages to choose from
            return redirect("grids_region", region_id=exc.region.pk)

    return wrapper


def _may_manage(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_superuser or user.role in services.MANAGERS)  # type: ignore[union-attr]


def refused(request: HttpRequest, to: str, **kwargs: Any) -> HttpResponse:
    messages.error(request, _("您的角色不能修改网格与联户"))
    return redirect(to, **kwargs)


def _base(request: HttpRequest, region: Region) -> dict[str, Any]:
    return {
        "region": region,
        "ancestors": breadcrumbs(_scope(request), region),
        "may_manage": _may_manage(request),
    }


ROWS_SHOWN = 500


@login_required
def grids_home(request: HttpRequest) -> HttpResponse:
    return redirect("grids_region", region_id=home_region_id(_scope(request)))


@login_required
def region_page(request: HttpRequest, region_id: int) -> HttpResponse:
    """联户概况: figures of the region and its children; a village adds its lists."""
    region = _region(request, region_id)
    context = _base(request, region) | figures_context(region)
    if region.level in VILLAGE_LEVELS:
        context["village"] = selectors.village_coverage(region)
        context["chart_loads"] = _histogram([m.households for m in context["village"].loads])
    return render(request, "grids/region.html", context)


def _histogram(values: list[int]) -> list[list[Any]]:
    top = max(values, default=0)
    return [[str(n), sum(1 for v in values if v == n)] for n in range(top + 1)]


# --- grid structure -----------------------------------------------------------------------


def _grid_input(form: f.GridForm) -> services.GridInput:
    d = form.cleaned_data
    return services.GridInput(
        level=d["level"],
        name=d["name"],
        head=d["head"],
        parent=d["parent"],
        groups=tuple(d["groups"]),
        households=tuple(d["households"]),
    )


@login_required
@village_page
def structure(request: HttpRequest, region_id: int) -> HttpResponse:
    """网格结构: the village's grids and a form for a new one."""
    village = _village(request, region_id)
    form = f.GridForm(village, request.POST or None)
    if request.method == "POST":
        if not _may_manage(request):
            return refused(request, "grids_structure", region_id=village.pk)
        if form.is_valid():
            try:
                grid = services.grid_save(
                    village=village, data=_grid_input(form), actor=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已保存网格“%(name)s”") % {"name": grid.name})
                return redirect("grids_structure", region_id=village.pk)
    context = _base(request, village) | {"grids": selectors.grids_of(village), "form": form}
    context["import_form"] = f.ImportForm()
    return render(request, "grids/structure.html", context)


@login_required
def grid_edit(request: HttpRequest, grid_id: int) -> HttpResponse:
    grid = get_visible_or_404(Grid, _scope(request), pk=grid_id)
    village = grid.village
    covers = list(grid.covers.select_related("household"))
    initial = {
        "level": grid.level,
        "name": grid.name,
        "parent": grid.parent_id,
        "head": grid.head_id,
        "groups": [c.group_id for c in covers if c.group_id],
        "households": " ".join(c.household.number for c in covers if c.household_id),
    }
    form = f.GridForm(village, request.POST or None, initial=initial)
    if request.method == "POST":
        if not _may_manage(request):
            return refused(request, "grids_structure", region_id=village.pk)
        try:
            if request.POST.get("delete"):
                services.grid_delete(grid=grid, actor=request.user)
                messages.success(request, _("已删除网格“%(name)s”") % {"name": grid.name})
                return redirect("grids_structure", region_id=village.pk)
            if form.is_valid():
                services.grid_save(
                    village=village, data=_grid_input(form), actor=request.user, grid=grid
                )
                messages.success(request, _("已保存网格“%(name)s”") % {"name": grid.name})
                return redirect("grids_structure", region_id=village.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(
        request, "grids/grid_edit.html", _base(request, village) | {"grid": grid, "form": form}
    )


# --- pairing ------------------------------------------------------------------------------


@login_required
def assign(request: HttpRequest, region_id: int) -> HttpResponse:
    """自动分配: the proposal for review (what changes); saving applies it in one transaction.
    For a township or county: every village's proposal at once (each within its village)."""
    village = _region(request, region_id)
    if request.method == "POST":
        if not _may_manage(request):
            return refused(request, "grids_region", region_id=village.pk)
        try:
            done = services.pairings_apply(
                village=village, key=request.POST.get("key", ""), actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("grids_assign", region_id=village.pk)
        messages.success(
            request,
            _("已保存：新结对 %(a)s 户，调整 %(m)s 户")
            % {"a": len(done.added), "m": len(done.moved)},
        )
        return redirect("grids_region", region_id=village.pk)
    proposal = services.proposal_for(village)
    changed = sorted(proposal.added | proposal.moved)[:ROWS_SHOWN]
    scope = _scope(request)
    households = visible(Household.objects.select_related("village"), scope).in_bulk(
        changed + proposal.unpaired[:ROWS_SHOWN]
    )
    current = dict(
        visible(
            Pairing.objects.filter(household_id__in=changed, end_date__isnull=True), scope
        ).values_list("household_id", "member_id")
    )
    members = visible(PartyMember.objects.select_related("person"), scope).in_bulk(
        {proposal.pairs[h] for h in changed} | set(current.values())
    )
    rows = [
        {
            "household": households[h],
            "before": members.get(current.get(h)) if current.get(h) else None,
            "after": members[proposal.pairs[h]],
            "moved": h in proposal.moved,
        }
        for h in changed
    ]
    rows.sort(key=lambda r: (r["household"].village_id, r["household"].number))
    context = _base(request, village) | {
        "proposal": proposal,
        "rows": rows,
        "unpaired": [households[h] for h in proposal.unpaired[:ROWS_SHOWN]],
        "more": max(0, len(proposal.added | proposal.moved) - ROWS_SHOWN),
        "changes": proposal.changes,
        "key": services.proposal_key(proposal),
        "max_load": max(proposal.loads.values(), default=0),
    }
    return render(request, "grids/assign.html", context)


@login_required
def settings_page(request: HttpRequest, region_id: int) -> HttpResponse:
    region = _region(request, region_id)
    current = selectors.settings_for(region)
    form = f.SettingsForm(
        request.POST or None,
        instance=None,
        initial={
            "ratio": current.ratio,
            "elder_age": current.elder_age,
            "elder_ratio": current.elder_ratio,
            "stale_days": current.stale_days,
        },
    )
    if request.method == "POST":
        if not _may_manage(request):
            return refused(request, "grids_region", region_id=region.pk)
        if form.is_valid():
            try:
                services.settings_save(region=region, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已保存联户设置"))
                return redirect("grids_region", region_id=region.pk)
    context = _base(request, region) | {"form": form, "inherited": current.region_id != region.pk}
    return render(request, "grids/settings.html", context)


@login_required
@village_page
def cards(request: HttpRequest, region_id: int) -> HttpResponse:
    """联系卡: one card per household (member's name, post, phone, duties), several per A4."""
    village = _village(request, region_id)
    grids = selectors.grid_by_household(village)
    pairings = (
        selectors.current_pairings(village)
        .select_related("household", "member__person")
        .order_by("household__number")
    )
    grid_id = request.GET.get("grid", "")
    household_id = request.GET.get("household", "")
    posts = {
        p.person_id: p.get_post_display()
        for p in selectors.current_posts(village).order_by("-post")
    }
    rows = []
    for p in pairings:
        grid = grids.get(p.household_id)
        if grid_id.isdigit() and (grid is None or grid.pk != int(grid_id)):
            continue
        if household_id.isdigit() and p.household_id != int(household_id):
            continue
        rows.append(
            {"pairing": p, "grid": grid, "post": posts.get(p.member.person_id, _("联户党员"))}
        )
    unmasked = _scope(request).sees_personal_data
    if unmasked and rows:
        account_services.personal_data_viewed(
            user=request.user, what=f"grid cards {village.name} ({len(rows)})"
        )
    context = _base(request, village) | {"rows": rows, "unmasked": unmasked}
    return render(request, "grids/cards.html", context)


# --- a household's file, and the visit form ------------------------------------------------


@login_required
def household_page(request: HttpRequest, household_id: int) -> HttpResponse:
    """一户一档: members of the household, tags, paired member and grid, visits, orders."""
    scope = _scope(request)
    household = get_visible_or_404(
        Household.objects.select_related("village", "group").prefetch_related("tags"),
        scope,
        pk=household_id,
    )
    village = household.village
    context = _base(request, village) | {
        "household": household,
        "residents": household.residents.order_by("birth_date"),
        "pairing": selectors.current_pairing(household),
        "history": selectors.pairing_history(household),
        "grid": selectors.grid_of_household(household),
        "visits": selectors.visits_of(household)[:50],
        "orders": visible(Order.objects.filter(household=household), scope).select_related(
            "category"
        )[:50],
        "pair_form": f.PairForm(village),
        "unmasked": scope.sees_personal_data,
        "may_visit": request.user.is_superuser or request.user.role in services.VISITORS,  # type: ignore[union-attr]
    }
    if scope.sees_personal_data and household.phone:
        account_services.personal_data_viewed(
            user=request.user, what=f"household {village.name} {household.number}"
        )
    return render(request, "grids/household.html", context)


@login_required
@require_POST
def household_pair(request: HttpRequest, household_id: int) -> HttpResponse:
    household = get_visible_or_404(Household, _scope(request), pk=household_id)
    if not _may_manage(request):
        return refused(request, "grids_household", household_id=household.pk)
    form = f.PairForm(household.village, request.POST)
    try:
        if request.POST.get("end"):
            services.pairing_end(household=household, actor=request.user)
            messages.success(request, _("已解除联户"))
        elif form.is_valid():
            services.pairing_set(
                household=household,
                member=form.cleaned_data["member"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
            messages.success(request, _("已调整联户党员"))
        else:
            messages.error(request, _("请选择本村的联户党员"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("grids_household", household_id=household.pk)


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    """登记走访 (五个到户), mobile first: the member's own households first, today by default."""
    scope = _scope(request)
    user = request.user
    if not (user.is_superuser or user.role in services.VISITORS):  # type: ignore[union-attr]
        raise PermissionDenied(_("您的角色不能登记走访"))
    member = selectors.member_of_user(user)
    households = selectors.visit_households(scope, member)
    chosen = request.GET.get("household", "")
    if chosen.isdigit():
        households = households.filter(pk=int(chosen))
    elif scope.level not in VILLAGE_LEVELS:  # above a village: own households only
        households = households.filter(mine=True)
    initial = {"household": int(chosen)} if chosen.isdigit() else {}
    form = f.VisitForm(households, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            visit = services.visit_record(
                household=d["household"],
                visited_on=d["visited_on"],
                items=d["items"],
                notes=d["notes"],
                requests=form.request_lines(),
                category=d["category"],
                actor=user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记走访"))
            return redirect("grids_household", household_id=visit.household_id)
    context = {"form": form, "member": member, "today": timezone.localdate()}
    return render(request, "grids/visit_new.html", context)
