"""/api/v1/orders: the JSON twins of the service loop's pages; every action calls the same service.

Errors take the API's one shape (``zhenxing.api.errors``): ``{"detail", "errors": [{"field",
"message"}]}``. 422: the service refused the input; ``field`` names the request field
(``assignee`` means member_id/team_id), null for a message about the whole request, such as an
action the order's status does not allow. 403: the caller's role may not take the action on an
order it can see. 404: anything outside the caller's scope, exactly like something that does not
exist. 409: someone changed the order first (for 接单: another member took it).

Photos are not part of the API: intake and 办结 take JSON only, photos are added from the pages.

The villager's routes under /orders/public need no login and no CSRF token: the tracking code
plus the last four digits of the phone number are the key, a wrong one answers 404 like a missing
order, and no answer names or numbers a person.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as Unprocessable
from ninja.pagination import paginate

from zhenxing.accounts import services as account_services
from zhenxing.accounts.scoping import Scope, get_visible_or_404, home_region, visible
from zhenxing.api.errors import ErrorOut
from zhenxing.core.periods import Period
from zhenxing.orders import selectors, services, states
from zhenxing.orders.models import Category, Meeting, Order, OrderEvent, Source, Team
from zhenxing.regions.models import VILLAGE_LEVELS, Household, PartyMember, Region
from zhenxing.regions.validators import mask_phone

router = Router(tags=["orders"])

# A service names its fields after the model; the API names them after the request.
REQUEST_FIELDS = {"village": "village_id", "category": "category_id", "household": "household_id"}
ORDER_RELATED = ("village", "category", "assignee_member__person", "assignee_team")


# --- errors -----------------------------------------------------------------------------------


# The one error shape (zhenxing.api.errors); ``FieldErrorsOut`` is its older name for 422.
FieldErrorsOut = ErrorOut


ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def field_errors(exc: ValidationError, rename: dict[str, str]) -> list[dict[str, str | None]]:
    if not hasattr(exc, "error_dict"):
        return [{"field": None, "message": message} for message in exc.messages]
    return [
        {"field": None if name == NON_FIELD_ERRORS else rename.get(name, name), "message": message}
        for name, messages in exc.message_dict.items()
        for message in messages
    ]


def invalid(field: str, message: str) -> Unprocessable:
    return Unprocessable([{"field": field, "message": message}])


@contextmanager
def service_errors(**rename: str) -> Iterator[None]:
    """Answer a service's refusal the one way: 422 with the fields, 403, or 409.

    ``rename`` maps a service's field name to the request's where they differ."""
    try:
        yield
    except ValidationError as exc:
        raise Unprocessable(field_errors(exc, {**REQUEST_FIELDS, **rename})) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("您不能执行此操作")) from exc
    except services.StaleState as exc:
        raise HttpError(409, str(exc)) from exc


# --- helpers ----------------------------------------------------------------------------------


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined, no-any-return]


def _actor(request: HttpRequest) -> states.Actor:
    return states.Actor.of(request.auth)  # type: ignore[attr-defined]


def _order(request: HttpRequest, order_id: int) -> Order:
    return get_visible_or_404(
        Order.objects.select_related(*ORDER_RELATED), _scope(request), pk=order_id
    )


def _category(category_id: int | None) -> Category:
    category = Category.objects.filter(pk=category_id).first() if category_id else None
    if category is None:
        raise invalid("category_id", _("请选择诉求类别"))
    return category


def _assignee_name(order: Order) -> str:
    if order.assignee_member_id:
        return order.assignee_member.person.name  # type: ignore[union-attr]
    return order.assignee_team.name if order.assignee_team_id else ""  # type: ignore[union-attr]


# --- lists and detail -------------------------------------------------------------------------


class OrderOut(Schema):
    id: int
    code: str
    village_id: int
    village_name: str
    category_id: int
    category_name: str
    status: str
    status_label: str
    level: str
    level_label: str
    requester_name: str
    assignee: str = Field(description="承办党员（接单后）或承办队伍")
    assignee_member_id: int | None
    assignee_team_id: int | None
    created_at: dt.datetime
    due_on: dt.date
    overdue: bool
    escalate_mark: bool
    urge_count: int

    @staticmethod
    def resolve_village_name(obj: Order) -> str:
        return obj.village.name

    @staticmethod
    def resolve_category_name(obj: Order) -> str:
        return obj.category.name

    @staticmethod
    def resolve_status_label(obj: Order) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_level_label(obj: Order) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_assignee(obj: Order) -> str:
        return _assignee_name(obj)


class OrderActedOut(OrderOut):
    allowed_actions: list[str] = Field(
        description="调用者现在可执行的动作；reopen 即以“不满意”调用 /rate，review 即会商"
    )

    @staticmethod
    def resolve_allowed_actions(obj: Order, context: dict) -> list[str]:
        return services.allowed_actions(obj, _actor(context["request"]))


class OrderEventOut(Schema):
    action: str
    action_label: str
    from_status: str
    to_status: str
    to_status_label: str
    from_level: str
    to_level: str
    actor: str
    at: dt.datetime
    note: str
    recorded_at: dt.datetime | None = Field(
        description="补录的记录：实际录入的时间（at 为纸质台账上收到的日期），否则为 null"
    )

    @staticmethod
    def resolve_action_label(obj: OrderEvent) -> str:
        return obj.get_action_display()

    @staticmethod
    def resolve_to_status_label(obj: OrderEvent) -> str:
        return obj.get_to_status_display()

    @staticmethod
    def resolve_actor(obj: OrderEvent) -> str:
        if obj.actor is None:
            return obj.actor_label
        return obj.actor.get_full_name() or obj.actor.username


class OrderDetailOut(OrderActedOut):
    description: str
    requester_phone: str = Field(description="按权限打码；未打码的查看会记入个人信息查看日志")
    household_id: int | None
    source: str
    source_label: str
    owner: str
    responded_at: dt.datetime | None
    responded_in_time: bool | None
    resolved_at: dt.datetime | None
    resolved_in_time: bool | None
    resolved_level: str
    handling_workdays: int | None
    resolution: str
    mediation: str
    rating: str
    rating_label: str
    rating_reason: str
    rated_at: dt.datetime | None
    reopen_count: int
    events: list[OrderEventOut]

    @staticmethod
    def resolve_requester_phone(obj: Order, context: dict) -> str:
        request = context["request"]
        shown = services.sees_requester_phone(obj, request.scope, states.Actor.of(request.user))
        return obj.requester_phone if shown else mask_phone(obj.requester_phone)

    @staticmethod
    def resolve_source_label(obj: Order) -> str:
        return obj.get_source_display()

    @staticmethod
    def resolve_owner(obj: Order) -> str:
        return (obj.owner.get_full_name() or obj.owner.username) if obj.owner else ""

    @staticmethod
    def resolve_rating_label(obj: Order) -> str:
        return obj.get_rating_display() if obj.rating else ""

    @staticmethod
    def resolve_events(obj: Order) -> list[OrderEvent]:
        return list(selectors.order_timeline(obj))


class OrderFilter(Schema):
    status: states.Status | Literal["open"] | None = Field(None, description="open：所有未办结")
    level: states.Level | None = None
    category: int | None = None
    overdue: bool = False
    q: str = Field("", description="查询码、诉求内容或姓名")
    region: int | None = Field(None, description="只列出该区域（含下级）的工单")


@router.get("", response=list[OrderOut], summary="可见工单列表")
@paginate
def order_list(request: HttpRequest, filters: Query[OrderFilter]) -> QuerySet[Order]:
    scope = _scope(request)
    region = get_visible_or_404(Region, scope, pk=filters.region) if filters.region else None
    return selectors.order_list(
        scope,
        status=filters.status or "",
        level=filters.level or "",
        category=filters.category,
        overdue=filters.overdue,
        region=region,
        q=filters.q.strip(),
    )


TodoName = Literal["dispatch", "take", "doing", "overdue"]


class TodoFilter(Schema):
    which: TodoName | None = Field(
        None, alias="list", description="缺省为调用者的第一个待办清单；不属于调用者的清单为空"
    )


@router.get("/todo", response=list[OrderOut], summary="待办：待派单、待接单、办理中、已超期")
@paginate
def todo_list(request: HttpRequest, filters: Query[TodoFilter]) -> QuerySet[Order]:
    scope, actor = _scope(request), _actor(request)
    which = filters.which or next(iter(selectors.todo_filters(scope, actor)), "")
    return selectors.todo_list(scope, actor, which)


class TodoCountOut(Schema):
    list: str
    label: str
    count: int


@router.get("/todo/counts", response=list[TodoCountOut], summary="调用者各待办清单的件数")
def todo_counts(request: HttpRequest) -> list[dict[str, Any]]:
    counts = selectors.todo_counts(_scope(request), _actor(request))
    return [
        {"list": name, "label": str(selectors.TODO_LABELS[name]), "count": n}
        for name, n in counts.items()
    ]


class CategoryOut(Schema):
    id: int
    name: str
    time_limit_days: int
    response_days: int
    is_dispute: bool


@router.get("/categories", response=list[CategoryOut], summary="启用的诉求类别")
def category_list(request: HttpRequest) -> QuerySet[Category]:
    return Category.objects.filter(active=True)


class TeamOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    specialty: str
    region_id: int

    @staticmethod
    def resolve_kind_label(obj: Team) -> str:
        return obj.get_kind_display()


@router.get(
    "/teams",
    response={200: list[TeamOut], 404: ErrorOut},
    summary="可见的服务队；给出 order_id 时为该工单本级可派的队伍",
)
def team_list(request: HttpRequest, order_id: int | None = None) -> QuerySet[Team]:
    scope = _scope(request)
    if order_id is None:
        return visible(Team.objects.filter(active=True), scope)
    return selectors.teams_for(_order(request, order_id), scope)


@router.get(
    "/{int:order_id}",
    response={200: OrderDetailOut, 404: ErrorOut},
    summary="工单详情：办理记录与调用者可执行的动作",
)
def order_detail(request: HttpRequest, order_id: int) -> Order:
    order = get_visible_or_404(
        Order.objects.select_related(*ORDER_RELATED, "owner"), _scope(request), pk=order_id
    )
    if services.sees_requester_phone(order, _scope(request), states.Actor.of(request.user)):
        account_services.personal_data_viewed(
            user=request.user,  # type: ignore[arg-type]
            what=f"api order {order.code}",
        )
    return order


# --- actions ----------------------------------------------------------------------------------


class OrderCreateIn(Schema):
    village_id: int
    household_id: int | None = None
    category_id: int
    description: str = ""
    name: str = ""
    phone: str = ""
    source: str = Field(Source.VISIT.value, description="visit、hotline、meeting、walk_in 或 qr")
    received_on: dt.date | None = Field(
        None,
        description="补录：纸质台账上收到的日期（仅县级、乡镇管理员；不能晚于今天，不能早于该村成立日期）。"
        "工单从这一天起计时、计入这一天所在的统计期；办理记录写明补录人和补录时间。",
    )


@router.post(
    "",
    response={201: OrderActedOut, **ERRORS},
    summary="点单：干部替农户登记诉求",
    description="照片请在页面上补充；接口只收 JSON。",
)
def order_create(request: HttpRequest, payload: OrderCreateIn) -> Status[Order]:
    scope = _scope(request)
    village = get_visible_or_404(Region, scope, pk=payload.village_id)
    household = (
        get_visible_or_404(Household, scope, pk=payload.household_id)
        if payload.household_id
        else None
    )
    category = _category(payload.category_id)
    with service_errors():
        order = services.order_submit(
            village=village,
            category=category,
            description=payload.description,
            name=payload.name,
            phone=payload.phone,
            actor=_actor(request),
            source=payload.source,
            household=household,
            received_on=payload.received_on,
        )
    return Status(201, order)


class DispatchIn(Schema):
    member_id: int | None = None
    team_id: int | None = None
    note: str = ""


@router.post(
    "/{int:order_id}/dispatch",
    response={200: OrderActedOut, **ERRORS},
    summary="派单：派给一名党员（member_id）或一支队伍（team_id）",
)
def order_dispatch(request: HttpRequest, order_id: int, payload: DispatchIn) -> Order:
    scope = _scope(request)
    order = _order(request, order_id)
    members = PartyMember.objects.select_related("person", "organization__region")
    member = get_visible_or_404(members, scope, pk=payload.member_id) if payload.member_id else None
    teams = Team.objects.select_related("region")
    team = get_visible_or_404(teams, scope, pk=payload.team_id) if payload.team_id else None
    with service_errors():
        return services.order_dispatch(
            order=order, actor=_actor(request), member=member, team=team, note=payload.note
        )


@router.post("/{int:order_id}/accept", response={200: OrderActedOut, **ERRORS}, summary="接单")
def order_accept(request: HttpRequest, order_id: int) -> Order:
    order = _order(request, order_id)
    with service_errors():
        return services.order_accept(order=order, actor=_actor(request))


class OrderReasonIn(Schema):
    reason: str = ""


@router.post("/{int:order_id}/return", response={200: OrderActedOut, **ERRORS}, summary="退回")
def order_return(request: HttpRequest, order_id: int, payload: OrderReasonIn) -> Order:
    order = _order(request, order_id)
    with service_errors(note="reason"):
        return services.order_return(order=order, actor=_actor(request), reason=payload.reason)


class ResolveIn(Schema):
    resolution: str = ""
    mediation: str = Field("", description="矛盾纠纷类必填：settled、partial 或 failed")


@router.post(
    "/{int:order_id}/resolve",
    response={200: OrderActedOut, **ERRORS},
    summary="办结",
    description="办结照片请在页面上上传；接口只收 JSON。",
)
def order_resolve(request: HttpRequest, order_id: int, payload: ResolveIn) -> Order:
    order = _order(request, order_id)
    with service_errors():
        return services.order_resolve(
            order=order,
            actor=_actor(request),
            resolution=payload.resolution,
            mediation=payload.mediation,
        )


class RateIn(Schema):
    rating: str = Field("", description="satisfied、basic 或 unsatisfied（不满意须说明原因，重办）")
    reason: str = ""


@router.post(
    "/{int:order_id}/rate", response={200: OrderActedOut, **ERRORS}, summary="回访：代群众评价"
)
def order_rate(request: HttpRequest, order_id: int, payload: RateIn) -> Order:
    order = _order(request, order_id)
    with service_errors():
        return services.order_rate(
            order=order, actor=_actor(request), rating=payload.rating, reason=payload.reason
        )


@router.post("/{int:order_id}/withdraw", response={200: OrderActedOut, **ERRORS}, summary="撤回")
def order_withdraw(request: HttpRequest, order_id: int, payload: OrderReasonIn) -> Order:
    order = _order(request, order_id)
    with service_errors():
        return services.order_withdraw(order=order, actor=_actor(request), reason=payload.reason)


class NoteIn(Schema):
    note: str = ""


@router.post(
    "/{int:order_id}/mark",
    response={200: OrderActedOut, **ERRORS},
    summary="标记上报：下一个会商截止日提交上级",
)
def order_mark(request: HttpRequest, order_id: int, payload: NoteIn) -> Order:
    order = _order(request, order_id)
    with service_errors():
        return services.order_mark(order=order, actor=_actor(request), note=payload.note)


@router.post("/{int:order_id}/urge", response={200: OrderActedOut, **ERRORS}, summary="督办")
def order_urge(request: HttpRequest, order_id: int, payload: NoteIn) -> Order:
    order = _order(request, order_id)
    with service_errors():
        return services.order_urge(order=order, actor=_actor(request), note=payload.note)


# --- meetings ---------------------------------------------------------------------------------


class MeetingItemIn(Schema):
    order_id: int
    decision: str = Field("", description="continue、resolved 或 escalate")
    note: str = ""


class MeetingIn(Schema):
    region_id: int
    held_on: dt.date
    attendees: str = ""
    note: str = ""
    items: list[MeetingItemIn] = Field(default_factory=list)


class MeetingItemOut(Schema):
    order_id: int
    code: str
    decision: str
    decision_label: str
    note: str
    status: str

    @staticmethod
    def resolve_code(obj: Any) -> str:
        return str(obj.order.code)

    @staticmethod
    def resolve_decision_label(obj: Any) -> str:
        return str(obj.get_decision_display())

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return str(obj.order.status)


class MeetingOut(Schema):
    id: int
    region_id: int
    held_on: dt.date
    attendees: str
    note: str
    items: list[MeetingItemOut]

    @staticmethod
    def resolve_items(obj: Meeting) -> list[Any]:
        return list(obj.items.select_related("order").order_by("pk"))


@router.post(
    "/meetings",
    response={201: MeetingOut, **ERRORS},
    summary="民情碰头会 / 会商：对本级待办工单逐条作出结果",
)
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Status[Meeting]:
    scope = _scope(request)
    region = get_visible_or_404(Region, scope, pk=payload.region_id)
    orders = Order.objects.select_related("village", "category")
    seen: set[int] = set()
    items = []
    for n, item in enumerate(payload.items, start=1):
        if item.order_id in seen:
            raise invalid("items", _("第 %(n)s 条：工单重复") % {"n": n})
        seen.add(item.order_id)
        order = get_visible_or_404(orders, scope, pk=item.order_id)
        items.append(services.ItemInput(order=order, decision=item.decision, note=item.note))
    with service_errors():
        meeting = services.meeting_record(
            scope=scope,
            region=region,
            held_on=payload.held_on,
            items=items,
            actor=_actor(request),
            attendees=payload.attendees,
            note=payload.note,
        )
    return Status(201, meeting)


# --- figures ----------------------------------------------------------------------------------


class FiguresOut(Schema):
    """The figures of the region pages' 工单 section (``orders.selectors.Figures``), by the same
    names; the rates are percentages with one decimal, null when there is nothing to divide by."""

    received: int = Field(description="受理：期间内收到的工单")
    responded_in_time: int = Field(description="按时响应的工单（在类别响应时限内）")
    resolved: int = Field(description="已办结")
    resolved_in_time: int = Field(description="按时办结（在类别办理时限内）")
    rated: int = Field(description="已评价")
    satisfied: int = Field(description="满意或基本满意")
    workdays: int = Field(description="已办结工单的办理工作日合计")
    solved_village: int = Field(description="在村办结")
    solved_township: int = Field(description="在乡镇办结")
    solved_county: int = Field(description="在县办结")
    open_overdue: int = Field(description="未办结且已超期")
    disputes: int = Field(description="矛盾纠纷：期间内收到的矛盾纠纷类工单")
    disputes_resolved: int = Field(description="矛盾纠纷已化解（办结）")
    response_rate: float | None = Field(description="响应率 %：按时响应 ÷ 受理")
    resolution_rate: float | None = Field(description="解决率 %：办结 ÷ 受理")
    on_time_rate: float | None = Field(description="按时办结率 %：按时办结 ÷ 办结")
    satisfaction_rate: float | None = Field(description="满意率 %：（满意 + 基本满意）÷ 已评价")
    dispute_resolution_rate: float | None = Field(
        description="矛盾纠纷化解率 %：矛盾纠纷已化解 ÷ 矛盾纠纷"
    )
    average_workdays: float | None = Field(description="平均办理时长（工作日）")
    level_shares: dict[str, float | None] = Field(
        description="办结工单在村（village）、乡镇（township）、县（county）三级的占比 %"
        "（小事不出村、大事不出镇）"
    )


class RegionFiguresOut(Schema):
    region_id: int
    name: str
    level: str
    figures: FiguresOut


class FiguresReportOut(RegionFiguresOut):
    period: str
    period_label: str
    start: dt.date
    end: dt.date
    children: list[RegionFiguresOut]


class FiguresQuery(Schema):
    region_id: int | None = Field(None, description="缺省为调用者的管辖区域")
    period: str = Field(
        "", description="2026、2026H1、2026Q2、2026-04、2026W14 或 起~止 日期；缺省为今年"
    )


def _period(text: str) -> Period:
    if not text.strip():
        return Period.year(timezone.localdate().year)
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise invalid("period", str(exc)) from exc


@router.get(
    "/figures",
    response={200: FiguresReportOut, 404: ErrorOut, 422: FieldErrorsOut},
    summary="工单指标：响应率、解决率、按时办结率、满意率，及各下级区域",
    description="按受理时间统计期间内收到的工单。",
)
def figures(request: HttpRequest, filters: Query[FiguresQuery]) -> dict[str, Any]:
    scope = _scope(request)
    if filters.region_id is None:
        region = home_region(scope)
    else:
        region = get_visible_or_404(Region, scope, pk=filters.region_id)
    period = _period(filters.period)
    children: list[dict[str, Any]] = []
    if region.level not in VILLAGE_LEVELS:
        by_child = selectors.figures_by_child(region, period)
        below = Region.objects.filter(path__startswith=region.path, depth=region.depth + 1)
        children = [
            _region_figures(child, by_child.get(child.path, selectors.Figures()))
            for child in visible(below, scope).order_by("path")
        ]
    return {
        **_region_figures(region, selectors.figures_for(region, period)),
        "period": period.key,
        "period_label": period.label,
        "start": period.start,
        "end": period.end,
        "children": children,
    }


def _region_figures(region: Region, figures: selectors.Figures) -> dict[str, Any]:
    return {
        "region_id": region.pk,
        "name": region.name,
        "level": region.level,
        "figures": figures.as_dict(),
    }


# --- the villager's routes (no login) ---------------------------------------------------------


class PublicIntakeIn(Schema):
    village_id: int | None = None
    category_id: int | None = None
    description: str = ""
    name: str = ""
    phone: str = ""


class PublicCreatedOut(Schema):
    code: str = Field(description="查询码：与手机号后四位一起查询进度")
    status: str
    status_label: str

    @staticmethod
    def resolve_status_label(obj: Order) -> str:
        return obj.get_status_display()


@router.post(
    "/public",
    response={201: PublicCreatedOut, 422: FieldErrorsOut},
    auth=None,
    summary="群众点单（无需登录）",
    description="照片请在扫码页面上传；接口只收 JSON。同一网络每小时、同一手机号每天的提交次数有限。",
)
def public_submit(request: HttpRequest, payload: PublicIntakeIn) -> Status[Order]:
    village = Region.objects.filter(pk=payload.village_id).first() if payload.village_id else None
    errors = []
    if village is None:
        errors.append({"field": "village_id", "message": _("请选择村或社区")})
    try:
        category = _category(payload.category_id)
    except Unprocessable as exc:
        errors += exc.errors
    if errors:
        raise Unprocessable(errors)
    with service_errors():
        order = services.order_submit(
            village=village,  # type: ignore[arg-type]
            category=category,
            description=payload.description,
            name=payload.name,
            phone=payload.phone,
            actor=services.REQUESTER_ACTOR,
            source=Source.QR,
            client_ip=request.META.get("REMOTE_ADDR") or None,
        )
    return Status(201, order)


class PublicEventOut(Schema):
    action: str
    action_label: str
    at: dt.datetime
    to_status: str
    to_status_label: str
    note: str = Field(description="只有群众自己的评价、撤回理由和办理情况")

    @staticmethod
    def resolve_action_label(obj: OrderEvent) -> str:
        return obj.get_action_display()

    @staticmethod
    def resolve_to_status_label(obj: OrderEvent) -> str:
        return obj.get_to_status_display()

    @staticmethod
    def resolve_note(obj: OrderEvent) -> str:
        return selectors.public_note(obj)


class PublicOrderOut(Schema):
    code: str
    village: str
    category: str
    description: str
    status: str
    status_label: str
    level: str
    level_label: str
    created_at: dt.datetime
    due_on: dt.date
    overdue: bool
    resolved_at: dt.datetime | None
    resolution: str
    rating: str
    rating_reason: str
    allowed_actions: list[str] = Field(description="群众现在可做的：rate、withdraw")
    events: list[PublicEventOut]

    @staticmethod
    def resolve_village(obj: Order) -> str:
        return obj.village.name

    @staticmethod
    def resolve_category(obj: Order) -> str:
        return obj.category.name

    @staticmethod
    def resolve_status_label(obj: Order) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_level_label(obj: Order) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_allowed_actions(obj: Order) -> list[str]:
        return [
            action
            for action in (states.Action.RATE, states.Action.WITHDRAW)
            if states.may(
                action, status=obj.status, level=obj.level, actor=services.REQUESTER_ACTOR
            )
        ]

    @staticmethod
    def resolve_events(obj: Order) -> list[OrderEvent]:
        return list(selectors.order_timeline(obj))


def _tracked(code: str, phone4: str) -> Order:
    order = selectors.order_by_code(services.normalize_code(code), (phone4 or "").strip())
    if order is None:
        raise Http404
    return order


@router.get(
    "/public/{code}",
    response={200: PublicOrderOut, 404: ErrorOut},
    auth=None,
    summary="群众查询进度（无需登录）：查询码 + 手机号后四位",
)
def public_track(request: HttpRequest, code: str, phone4: str = "") -> Order:
    return _tracked(code, phone4)


class PublicRateIn(Schema):
    phone4: str = ""
    rating: str = Field("", description="satisfied、basic 或 unsatisfied（不满意须说明原因，重办）")
    reason: str = ""


@router.post(
    "/public/{code}/rate",
    response={200: PublicOrderOut, **ERRORS},
    auth=None,
    summary="群众评价（无需登录）",
)
def public_rate(request: HttpRequest, code: str, payload: PublicRateIn) -> Order:
    order = _tracked(code, payload.phone4)
    with service_errors():
        return services.order_rate(
            order=order,
            actor=services.REQUESTER_ACTOR,
            rating=payload.rating,
            reason=payload.reason,
        )


class PublicWithdrawIn(Schema):
    phone4: str = ""
    reason: str = ""


@router.post(
    "/public/{code}/withdraw",
    response={200: PublicOrderOut, **ERRORS},
    auth=None,
    summary="群众撤回（无需登录）",
)
def public_withdraw(request: HttpRequest, code: str, payload: PublicWithdrawIn) -> Order:
    order = _tracked(code, payload.phone4)
    with service_errors():
        return services.order_withdraw(
            order=order, actor=services.REQUESTER_ACTOR, reason=payload.reason
        )
