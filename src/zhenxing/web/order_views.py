"""The cadre side of the service loop: to-do lists, all orders, logging a request, an order's page
with its actions, and the person's notices.

Each view: scoped fetch → one selector or service → render. Who may do what is the services' rule
(``services.allowed_actions`` for the buttons); a refused action changes nothing and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhenxing.accounts import services as account_services
from zhenxing.accounts.scoping import Scope, get_visible_or_404, visible
from zhenxing.orders import selectors, services
from zhenxing.orders.models import Order, Photo, PhotoStage, Rating
from zhenxing.orders.states import BACKFILLERS, LOGGERS, Action, Actor, Status
from zhenxing.regions.models import VILLAGE_LEVELS, Household, PartyMember, Region
from zhenxing.regions.validators import mask_phone
from zhenxing.stars import selectors as star_selectors
from zhenxing.web import order_forms as f
from zhenxing.web.context_processors import todo_counts

PAGE_SIZE = 30
HOUSEHOLD_OPTIONS = 200
NOTICES_SHOWN = 100

TAB_LABELS = {
    "dispatch": gettext_lazy("待派单"),
    "take": gettext_lazy("待接单"),
    "doing": gettext_lazy("办理中"),
    "overdue": gettext_lazy("已超期"),
}


def _htmx_render(request: HttpRequest, template: str, part: str, context: dict) -> HttpResponse:
    """The whole page, or only its ``part`` partial for an htmx request."""
    name = f"{template}#{part}" if request.htmx else template  # type: ignore[attr-defined]
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# --- lists ------------------------------------------------------------------------------------


@login_required
def todo(request: HttpRequest) -> HttpResponse:
    """待办: the person's to-do lists as tabs with counts."""
    counts = todo_counts(request)
    tabs = [(name, TAB_LABELS.get(name, name), n or 0) for name, n in counts.items()]
    tab = request.GET.get("tab", "")
    if tab not in counts:
        tab = next((name for name, _label, n in tabs if n), tabs[0][0] if tabs else "")
    rows = selectors.todo_list(request.scope, Actor.of(request.user), tab)  # type: ignore[attr-defined]
    context = {"tabs": tabs, "tab": tab, "page": _page(request, rows)}
    context["may_log"] = request.user.role in LOGGERS  # type: ignore[union-attr]
    if star_selectors.may_decide(request.user.role):  # type: ignore[union-attr]  # 摘星建议
        context["proposals"] = list(
            star_selectors.proposal_list(request.scope, open_only=True)  # type: ignore[attr-defined]
        )
    return _htmx_render(request, "orders/todo.html", "rows", context)


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    """全部工单: every order the person can see, filtered."""
    scope = request.scope  # type: ignore[attr-defined]
    form = f.OrderFilterForm(request.GET)
    filters = form.filters()
    region_id = form.cleaned_data.get("region")
    region = get_visible_or_404(Region, scope, pk=region_id) if region_id else None
    rows = selectors.order_list(scope, region=region, **filters)
    context = {"form": form, "region": region, "page": _page(request, rows)}
    return _htmx_render(request, "orders/list.html", "rows", context)


# --- logging a request ------------------------------------------------------------------------


@login_required
def order_new(request: HttpRequest) -> HttpResponse:
    """登记诉求: a cadre or grid member logs a request for a household they visited."""
    scope = request.scope  # type: ignore[attr-defined]
    if request.method == "POST":
        form = f.OrderNewForm(scope, request.POST, request.FILES, backfill=_backfills(request))
        if form.is_valid() and (order := _submit(request, form)) is not None:
            messages.success(request, _("已登记，查询码 %(code)s") % {"code": order.code})
            return redirect("order_detail", order_id=order.pk)
    else:
        initial = {"village": scope.region_id} if scope.level in VILLAGE_LEVELS else {}
        form = f.OrderNewForm(
            scope, initial={**initial, **request.GET.dict()}, backfill=_backfills(request)
        )
        if request.htmx:  # type: ignore[attr-defined]  # the household picker of one village
            return _htmx_render(
                request, "orders/new.html", "household", _new_context(form, request)
            )
    return render(request, "orders/new.html", _new_context(form, request))


def _backfills(request: HttpRequest) -> bool:
    return request.user.role in BACKFILLERS  # type: ignore[union-attr]


def _submit(request: HttpRequest, form: f.OrderNewForm) -> Order | None:
    data = form.cleaned_data
    try:
        request.scope.require(data["village"])  # type: ignore[attr-defined]
        return services.order_submit(
            village=data["village"],
            household=data["household"],
            category=data["category"],
            description=data["description"],
            name=data["name"],
            phone=data["phone"],
            source=data["source"],
            photos=data["photos"],
            actor=Actor.of(request.user),
            received_on=data.get("received_on"),
        )
    except ValidationError as exc:
        f.add_service_errors(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    return None


def _new_context(form: f.OrderNewForm, request: HttpRequest) -> dict:
    village_id = form.village_id()
    hh_q = (request.GET.get("hh_q") or request.POST.get("hh_q") or "").strip()[:20]
    households = Household.objects.none()
    if village_id is not None:
        households = form.fields["household"].queryset.order_by("number", "pk")
        if hh_q:
            households = households.filter(number__startswith=hh_q) | households.filter(
                head_name__contains=hh_q
            )
    shown = list(households[: HOUSEHOLD_OPTIONS + 1])
    return {
        "form": form,
        "households": shown[:HOUSEHOLD_OPTIONS],
        "more_households": len(shown) > HOUSEHOLD_OPTIONS,
        "hh_q": hh_q,
        "selected_household": str(form["household"].value() or ""),
        "may_log": request.user.role in LOGGERS,  # type: ignore[union-attr]
    }


# --- one order --------------------------------------------------------------------------------

ORDER_RELATED = (
    "village",
    "household",
    "category",
    "owner",
    "created_by",
    "assignee_member__person",
    "assignee_team",
)


def _order(request: HttpRequest, order_id: int) -> Order:
    qs = Order.objects.select_related(*ORDER_RELATED)
    return get_visible_or_404(qs, request.scope, pk=order_id)  # type: ignore[attr-defined]


@login_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    if request.htmx:  # type: ignore[attr-defined]
        return _htmx_render(request, "orders/detail.html", "timeline", _timeline(order))
    return _detail(request, order)


def _timeline(order: Order) -> dict:
    return {"order": order, "events": selectors.order_timeline(order)}


def _detail(request: HttpRequest, order: Order, bound: dict | None = None) -> HttpResponse:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    actor = Actor.of(request.user)
    allowed = services.allowed_actions(order, actor)
    member_q = (request.GET.get("member_q") or "").strip()[:20]
    action_forms = [
        (
            action,
            REDISPATCH
            if (action, order.status) == (Action.DISPATCH, Status.DISPATCHED)
            else ACTION_TITLES[action],
            (bound or {}).get(action) or _form(action, order, scope, member_q=member_q),
        )
        for action in ACTIONS
        if action in allowed
    ]
    photos = list(visible(Photo.objects.filter(order=order), scope))
    unmasked = services.sees_requester_phone(order, scope, actor)
    if unmasked:
        account_services.personal_data_viewed(
            user=request.user,  # type: ignore[arg-type]
            what=f"order {order.code} phone",
        )
    context = {
        **_timeline(order),
        "action_forms": action_forms,
        "open_action": PRIMARY.get(order.status, ""),
        "bound_action": next(iter(bound or {}), ""),
        "member_q": member_q,
        "unmasked": unmasked,
        "masked_phone": mask_phone(order.requester_phone),
        "request_photos": [p for p in photos if p.stage == PhotoStage.REQUEST],
        "resolution_photos": [p for p in photos if p.stage == PhotoStage.RESOLUTION],
    }
    response = render(request, "orders/detail.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def order_photo(request: HttpRequest, order_id: int, photo_id: int) -> HttpResponse:
    order = _order(request, order_id)
    photo = get_visible_or_404(Photo.objects.filter(order=order), request.scope, pk=photo_id)  # type: ignore[attr-defined]
    try:
        with photo.image.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(_("未找到")) from exc
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- actions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    form: type[forms.Form]
    run: Callable[[Order, Actor, dict], Any]
    done: Callable[[Order, dict], str]


def _dispatch(order: Order, actor: Actor, d: dict) -> Any:
    target = d.get("assignee")
    member = target if isinstance(target, PartyMember) else None
    team = None if member is not None else target
    return services.order_dispatch(
        order=order, actor=actor, member=member, team=team, note=d.get("note", "")
    )


def _rated(order: Order, d: dict) -> str:
    if d.get("rating") == Rating.UNSATISFIED:
        return _("已记录“不满意”，工单重新办理")
    return _("已记录回访评价，工单办结")


ACTIONS: dict[str, Spec] = {
    Action.ACCEPT: Spec(
        f.AcceptForm,
        lambda o, a, d: services.order_accept(order=o, actor=a),
        lambda o, d: _("已接单，请按时办结"),
    ),
    Action.DISPATCH: Spec(
        f.DispatchForm,
        _dispatch,
        lambda o, d: _("已派单给 %(who)s") % {"who": d.get("assignee")},
    ),
    Action.RESOLVE: Spec(
        f.ResolveForm,
        lambda o, a, d: services.order_resolve(
            order=o,
            actor=a,
            resolution=d.get("resolution", ""),
            mediation=d.get("mediation", ""),
            photos=d.get("photos", []),
        ),
        lambda o, d: _("已办结，等待群众评价"),
    ),
    Action.RATE: Spec(
        f.RateForm,
        lambda o, a, d: services.order_rate(
            order=o, actor=a, rating=d.get("rating", ""), reason=d.get("reason", "")
        ),
        _rated,
    ),
    Action.RETURN: Spec(
        f.ReturnForm,
        lambda o, a, d: services.order_return(order=o, actor=a, reason=d.get("note", "")),
        lambda o, d: _("已退回"),
    ),
    Action.MARK: Spec(
        f.MarkForm,
        lambda o, a, d: services.order_mark(order=o, actor=a, note=d.get("note", "")),
        lambda o, d: _("已标记上报，将在会商截止日提交上级"),
    ),
    Action.URGE: Spec(
        f.UrgeForm,
        lambda o, a, d: services.order_urge(order=o, actor=a, note=d.get("note", "")),
        lambda o, d: _("已督办，责任人会收到提醒"),
    ),
    Action.WITHDRAW: Spec(
        f.WithdrawForm,
        lambda o, a, d: services.order_withdraw(order=o, actor=a, reason=d.get("note", "")),
        lambda o, d: _("已撤回"),
    ),
}
# The action the page opens for an order in each status; the rest stay folded.
PRIMARY = {
    Status.SUBMITTED: Action.DISPATCH,
    Status.RETURNED: Action.DISPATCH,
    Status.REOPENED: Action.DISPATCH,
    Status.ACCEPTED: Action.RESOLVE,
    Status.RESOLVED: Action.RATE,
}
ACTION_TITLES = {
    Action.ACCEPT: gettext_lazy("接单"),
    Action.DISPATCH: gettext_lazy("派单"),
    Action.RESOLVE: gettext_lazy("办结"),
    Action.RATE: gettext_lazy("电话回访评价"),
    Action.RETURN: gettext_lazy("退回"),
    Action.MARK: gettext_lazy("标记上报"),
    Action.URGE: gettext_lazy("督办"),
    Action.WITHDRAW: gettext_lazy("代群众撤回"),
}
REDISPATCH = gettext_lazy("改派")


def _form(
    action: str,
    order: Order,
    scope: Scope,
    *args: Any,
    member_q: str = "",
) -> forms.Form:
    cls = ACTIONS[action].form
    if cls is f.DispatchForm:
        return cls(*args, order=order, scope=scope, member_q=member_q)
    if cls is f.ResolveForm:
        return cls(*args, order=order)
    return cls(*args)


@login_required
@require_POST
def order_action(request: HttpRequest, order_id: int, action: str) -> HttpResponse:
    """One action on an order: the one service, then back to the order with what happened."""
    order = _order(request, order_id)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404(_("未找到"))
    form = _form(action, order, request.scope, request.POST, request.FILES)  # type: ignore[attr-defined]
    if form.is_valid():
        try:
            spec.run(order, Actor.of(request.user), form.cleaned_data)
        except ValidationError as exc:
            f.add_service_errors(form, exc)
        except (PermissionDenied, services.StaleState) as exc:
            messages.error(request, str(exc))
            return redirect("order_detail", order_id=order.pk)
        else:
            messages.success(request, spec.done(order, form.cleaned_data))
            return redirect("order_detail", order_id=order.pk)
    if action in services.allowed_actions(order, Actor.of(request.user)):
        return _detail(request, order, bound={action: form})  # what was typed stays
    for error in form.errors.values():  # not an action the page offers: just say why
        messages.error(request, " ".join(error))
    return redirect("order_detail", order_id=order.pk)


# --- notices ----------------------------------------------------------------------------------


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    user_id = request.user.pk
    unread = selectors.notices_of(scope, user_id, unread=True)[:NOTICES_SHOWN]
    read = selectors.notices_of(scope, user_id, unread=False)[:NOTICES_SHOWN]
    return render(request, "orders/notices.html", {"unread": unread, "read": read})


@login_required
@require_POST
def notices_read(request: HttpRequest) -> HttpResponse:
    services.notices_mark_read(
        notices=selectors.notices_of(request.scope, request.user.pk, unread=True)  # type: ignore[attr-defined]
    )
    messages.success(request, _("已全部标为已读"))
    return redirect("notices")
