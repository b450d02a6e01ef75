"""The villager's pages: no account, reached from the QR poster on the village notice board.

点单 (the request form), 查询 (tracking code + the phone's last four digits), the order's progress
with its photos, 评价 and 撤回. A public page has no scope: what this browser may see is the
orders whose code and phone digits it gave (or that it submitted), remembered in a signed cookie
(``Tracking``), not in a database session: a villager never costs a session row. The villager acts
as ``services.REQUESTER_ACTOR``; the services hold every rule and every message.

Nothing here shows a cadre's or a member's name, phone or account: the timeline says "已派给党员办理",
not who.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from zhenxing.orders import selectors as order_selectors
from zhenxing.orders import services
from zhenxing.orders.models import Order, OrderEvent, PhotoStage, Source
from zhenxing.orders.states import DONE, Action, Level, Status
from zhenxing.regions import selectors as region_selectors
from zhenxing.regions.models import Region
from zhenxing.web.public_forms import (
    RateForm,
    RequestForm,
    TrackForm,
    WithdrawForm,
    add_service_errors,
)

TRACKING_COOKIE = "zhenxing_track"  # signed: what this browser may see, and its failed lookups
TRACKING_SALT = "zhenxing.web.public_views.tracking"
SEEN_KEEP = 20
FAIL_LIMIT = 10
FAIL_WINDOW = 15 * 60  # seconds

STATUS_HINTS = {
    Status.SUBMITTED: gettext_lazy("已受理，等待村里派单"),
    Status.DISPATCHED: gettext_lazy("已派单，等待承办人接单"),
    Status.ACCEPTED: gettext_lazy("正在办理"),
    Status.RETURNED: gettext_lazy("等待重新派单"),
    Status.REOPENED: gettext_lazy("根据您的意见重新办理"),
    Status.RESOLVED: gettext_lazy("已办结，请您评价"),
    Status.CLOSED: gettext_lazy("已办结，感谢您的评价"),
    Status.WITHDRAWN: gettext_lazy("诉求已撤回"),
}


# --- helpers ----------------------------------------------------------------------------------


def _village_or_404(village_id: int) -> tuple[Region, str]:
    """The village and its place ("甲镇 东村"): the villager knows it is theirs."""
    found = region_selectors.public_village(village_id)
    if found is None:
        raise Http404
    return found


def _client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only. Behind a reverse proxy, have the proxy set REMOTE_ADDR (e.g. gunicorn's
    # --forwarded-allow-ips with the proxy's address) rather than trusting X-Forwarded-For here,
    # which anyone can send to dodge the per-address limit.
    return request.META.get("REMOTE_ADDR") or None


class Tracking:
    """What this browser may see (``{code: phone last four}`` of the orders whose code and digits it
    gave, or that it submitted; the last ``SEEN_KEEP``) and its failed lookups, kept in a cookie
    signed with the secret key (``django.core.signing``): the browser can read it, not forge or
    alter it. It lasts as long as a session cookie would (``SESSION_COOKIE_AGE`` from its last
    change). A missing, tampered or expired cookie is an empty one."""

    def __init__(self, request: HttpRequest) -> None:
        self.seen: dict[str, str] = {}
        self.fails: tuple[int, float] = (0, 0.0)
        self.changed = False
        raw = request.COOKIES.get(TRACKING_COOKIE)
        if not raw:
            return
        try:
            data = signing.loads(raw, salt=TRACKING_SALT, max_age=settings.SESSION_COOKIE_AGE)
            self.seen = {str(code): str(last4) for code, last4 in data.get("seen", [])}
            count, since = data.get("fails", (0, 0.0))
            self.fails = (int(count), float(since))
        except (signing.BadSignature, AttributeError, TypeError, ValueError):
            self.seen, self.fails = {}, (0, 0.0)

    @classmethod
    def of(cls, request: HttpRequest) -> Tracking:
        tracking = getattr(request, "_tracking", None)
        if tracking is None:
            tracking = request._tracking = cls(request)  # type: ignore[attr-defined]
        return tracking

    def remember(self, order: Order) -> None:
        self.seen.pop(order.code, None)
        self.seen[order.code] = order.requester_phone[-4:]
        self.seen = dict(list(self.seen.items())[-SEEN_KEEP:])
        self.changed = True

    def set_fails(self, fails: tuple[int, float]) -> None:
        if fails != self.fails:
            self.fails, self.changed = fails, True

    def save(self, response: HttpResponse) -> None:
        data: dict[str, Any] = {"seen": list(self.seen.items())}
        if self.fails[0]:
            data["fails"] = list(self.fails)
        response.set_cookie(
            TRACKING_COOKIE,
            signing.dumps(data, salt=TRACKING_SALT, compress=True),
            max_age=settings.SESSION_COOKIE_AGE,
            path=settings.SESSION_COOKIE_PATH,
            domain=settings.SESSION_COOKIE_DOMAIN,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite=settings.SESSION_COOKIE_SAMESITE,
        )


def tracked(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Writes the ``Tracking`` cookie on the response when the view changed it."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        tracking = getattr(request, "_tracking", None)
        if tracking is not None and tracking.changed:
            tracking.save(response)
        return response

    return wrapper


def _remember(request: HttpRequest, order: Order) -> None:
    Tracking.of(request).remember(order)


def _seen_order(request: HttpRequest, code: str) -> Order | None:
    """The order, if this browser gave its code and phone digits (or submitted it)."""
    last4 = Tracking.of(request).seen.get(code)
    return order_selectors.order_by_code(code, last4) if last4 else None


def _locked(request: HttpRequest) -> bool:
    tracking = Tracking.of(request)
    count, since = tracking.fails
    if time.time() - since > FAIL_WINDOW:
        tracking.set_fails((0, 0.0))
        return False
    return count >= FAIL_LIMIT


def _failed(request: HttpRequest) -> None:
    tracking = Tracking.of(request)
    count, since = tracking.fails
    if time.time() - since > FAIL_WINDOW:
        count, since = 0, time.time()
    tracking.set_fails((count + 1, since))


def _redirect_to_order(code: str) -> HttpResponse:
    return redirect("public_order", code=code)


# --- 点单 -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@tracked
def public_request(request: HttpRequest, village_id: int) -> HttpResponse:
    village, place = _village_or_404(village_id)
    form = RequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.order_submit(
                village=village,
                category=data["category"],
                description=data["description"],
                name=data["name"],
                phone=data["phone"],
                photos=data["photos"],
                actor=services.REQUESTER_ACTOR,
                source=Source.QR,
                client_ip=_client_ip(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _remember(request, order)
            messages.success(request, _("提交成功！村党支部会尽快派人办理。"))
            return _redirect_to_order(order.code)
    context = {
        "village": village,
        "place": place,
        "form": form,
        "photos_lost": bool(request.FILES.getlist("photos")) and form.is_bound,
    }
    return render(request, "public/request.html", context)


@require_safe
def public_poster(request: HttpRequest, village_id: int) -> HttpResponse:
    village, place = _village_or_404(village_id)
    url = request.build_absolute_uri(reverse("public_request", args=[village.pk]))
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=1, border=2, omitsize=True, svgclass="qr", title=url)
    context = {
        "village": village,
        "place": place,
        "url": url,
        "track_url": request.build_absolute_uri(reverse("public_track")),
        "qr_svg": mark_safe(svg),  # noqa: S308 - segno's own SVG of our own URL
        "categories": order_selectors.active_categories(),
    }
    return render(request, "public/poster.html", context)


# --- 查询 -------------------------------------------------------------------------------------


def _track_page(request: HttpRequest, form: TrackForm, status: int = 200) -> HttpResponse:
    return render(request, "public/track.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@tracked
def public_track(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _track_page(request, TrackForm(initial={"code": request.GET.get("code", "")}))
    form = TrackForm(request.POST)
    if _locked(request):
        # Per browser (its cookie): a nicety against fumbling, not the defence. That is the code's
        # 32^8 space times the phone digits' 10^4, far beyond what anyone can try through a form.
        form.add_error(None, _("查询失败次数过多，请 15 分钟后再试，或联系村两委查询"))
        return _track_page(request, form, status=429)
    if form.is_valid():
        code = services.normalize_code(form.cleaned_data["code"])
        order = order_selectors.order_by_code(code, form.cleaned_data["phone_last4"])
        if order is not None:
            Tracking.of(request).set_fails((0, 0.0))
            _remember(request, order)
            return _redirect_to_order(order.code)
        _failed(request)
        form.add_error(None, _("查询码或手机号后四位不正确，请核对后再试"))
    return _track_page(request, form)


# --- 进度、评价、撤回 -------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    at: object
    text: str
    note: str = ""


def _timeline(order: Order, events: list[OrderEvent]) -> list[Step]:
    """The order's history in plain words, newest first, with no one's name: only the villager's
    own texts (the request, a rating reason, a withdrawal reason) and the resolution are quoted."""
    last_dispatch = max((e.pk for e in events if e.action == Action.DISPATCH), default=None)
    steps = []
    for e in events:
        by_villager = order_selectors.by_villager(e)
        note = order_selectors.public_note(e)
        if e.action == Action.SUBMIT:
            text = (
                _("您提交了诉求")
                if order.source == Source.QR
                else _("工作人员为您登记了诉求（%(source)s）")
                % {"source": order.get_source_display()}
            )
        elif e.action == Action.DISPATCH:
            if e.pk == last_dispatch and order.assignee_team_id:
                text = _("已派给%(team)s办理") % {
                    "team": order.assignee_team.get_kind_display()  # type: ignore[union-attr]
                }
            elif e.pk == last_dispatch and order.assignee_member_id:
                text = _("已派给党员办理")
            else:
                text = _("已派单办理")
        elif e.action == Action.ACCEPT:
            text = _("已接单，正在办理")
        elif e.action == Action.RETURN:
            text = _("承办方退回，等待重新派单")
        elif e.action == Action.RESOLVE:
            text = _("已办结")
        elif e.action == Action.RATE:
            rating = order.get_rating_display()
            text = (_("您的评价：%(rating)s") if by_villager else _("电话回访评价：%(rating)s")) % {
                "rating": rating
            }
        elif e.action == Action.REOPEN:
            text = _("您评价不满意，重新办理") if by_villager else _("回访不满意，重新办理")
        elif e.action == Action.WITHDRAW:
            text = _("您撤回了诉求") if by_villager else _("诉求已撤回")
        elif e.action == Action.ESCALATE:
            text = _("已提交%(level)s办理") % {"level": Level(e.to_level).label}
        elif e.action == Action.MARK:
            text = _("已提请上级协调办理")
        elif e.action == Action.URGE:
            text = _("上级已督办")
        elif e.action == Action.REVIEW:
            text = _("民情会商已研究")
        else:  # pragma: no cover - every action is named above
            text = str(Action(e.action).label)
        steps.append(Step(at=e.at, text=text, note=note))
    steps.reverse()
    return steps


def _order_page(
    request: HttpRequest,
    order: Order,
    *,
    rate_form: RateForm | None = None,
    withdraw_form: WithdrawForm | None = None,
) -> HttpResponse:
    events = list(order_selectors.order_timeline(order))
    allowed = services.allowed_actions(order, services.REQUESTER_ACTOR)
    photos = list(order.photos.all())
    context = {
        "order": order,
        "status_hint": STATUS_HINTS.get(order.status, ""),
        "steps": _timeline(order, events),
        "request_photos": [p for p in photos if p.stage == PhotoStage.REQUEST],
        "resolution_photos": [p for p in photos if p.stage == PhotoStage.RESOLUTION],
        "done": order.status in DONE,
        "at_level": order.level != Level.VILLAGE and order.is_open,
        "rate_form": (rate_form or RateForm()) if Action.RATE in allowed else None,
        "withdraw_form": (withdraw_form or WithdrawForm()) if Action.WITHDRAW in allowed else None,
    }
    return render(request, "public/order.html", context)


def _refused(request: HttpRequest, order: Order, form: RateForm | WithdrawForm) -> HttpResponse:
    """A refusal whose form is not on the page (the order moved on, or a crafted POST): say it
    above the page instead."""
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return _redirect_to_order(order.code)


def _rate(request: HttpRequest, order: Order) -> HttpResponse:
    form = RateForm(request.POST)
    if form.is_valid():
        rating = form.cleaned_data["rating"]
        try:
            services.order_rate(
                order=order,
                actor=services.REQUESTER_ACTOR,
                rating=rating,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except (PermissionDenied, services.StaleState) as error:
            messages.error(request, str(error))
            return _redirect_to_order(order.code)
        else:
            if order.status == Status.REOPENED:
                messages.success(request, _("已收到您的意见，诉求将重新办理"))
            else:
                messages.success(request, _("感谢您的评价！"))
            return _redirect_to_order(order.code)
    if Action.RATE not in services.allowed_actions(order, services.REQUESTER_ACTOR):
        return _refused(request, order, form)
    return _order_page(request, order, rate_form=form)


def _withdraw(request: HttpRequest, order: Order) -> HttpResponse:
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.order_withdraw(
                order=order, actor=services.REQUESTER_ACTOR, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except (PermissionDenied, services.StaleState) as error:
            messages.error(request, str(error))
            return _redirect_to_order(order.code)
        else:
            messages.success(request, _("诉求已撤回"))
            return _redirect_to_order(order.code)
    if Action.WITHDRAW not in services.allowed_actions(order, services.REQUESTER_ACTOR):
        return _refused(request, order, form)
    return _order_page(request, order, withdraw_form=form)


@never_cache
@require_http_methods(["GET", "POST"])
def public_order(request: HttpRequest, code: str) -> HttpResponse:
    canonical = services.normalize_code(code)
    if canonical != code:
        return _redirect_to_order(canonical) if canonical else redirect("public_track")
    order = _seen_order(request, code)
    if order is None:
        # Whether the code exists or not, the same form: the page tells nothing without the digits.
        if request.method == "POST":
            messages.error(request, _("请先输入查询码和手机号后四位"))
        return _track_page(request, TrackForm(initial={"code": code}))
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "rate":
            return _rate(request, order)
        if action == "withdraw":
            return _withdraw(request, order)
        messages.error(request, _("无法识别的操作，请重试"))
        return _redirect_to_order(order.code)
    return _order_page(request, order)


@require_safe
def public_photo(request: HttpRequest, code: str, photo_id: int) -> HttpResponse:
    order = _seen_order(request, services.normalize_code(code))
    if order is None:
        raise Http404
    photo = get_object_or_404(order.photos, pk=photo_id)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
