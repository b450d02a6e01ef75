"""Every read of the service loop. The first argument is the viewer's scope (or a region the caller
already fetched through the scoping module); figures are aggregate queries over many villages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhenxing.accounts.scoping import Scope, visible
from zhenxing.core.periods import Period
from zhenxing.core.reference import reference
from zhenxing.orders.models import Category, Notice, Order, OrderEvent, Rating, Team
from zhenxing.orders.states import HANDLERS, OPEN, SUPERVISORS, Action, Actor, Level, Status
from zhenxing.regions.models import VILLAGE_LEVELS, Region

# What a handler at each scope level has to dispatch.
TO_DISPATCH = (Status.SUBMITTED, Status.RETURNED, Status.REOPENED)
SCOPE_LEVEL_TO_ORDER_LEVEL = {
    "village": Level.VILLAGE,
    "community": Level.VILLAGE,
    "district": Level.VILLAGE,
    "township": Level.TOWNSHIP,
    "county": Level.COUNTY,
}


def orders_visible(scope: Scope) -> QuerySet[Order]:
    return visible(Order.objects.all(), scope)


def _mine(actor: Actor) -> Q:
    """Orders sent to the actor as a member, or to a team the actor belongs to."""
    if actor.person_id is None:
        return Q(pk__in=[])
    return Q(assignee_member__person_id=actor.person_id) | Q(
        assignee_member__isnull=True, assignee_team__members__person_id=actor.person_id
    )


def todo_filters(scope: Scope, actor: Actor) -> dict[str, Q]:
    """The to-do lists (待办) of a role: each a filter over the orders the viewer can see."""
    lists: dict[str, Q] = {}
    own_level = SCOPE_LEVEL_TO_ORDER_LEVEL.get(scope.level) if not scope.is_root else Level.COUNTY
    if own_level and actor.kind in HANDLERS[own_level]:
        lists["dispatch"] = Q(level=own_level, status__in=TO_DISPATCH)
    if actor.person_id is not None:
        lists["take"] = _mine(actor) & Q(status=Status.DISPATCHED)
        lists["doing"] = _mine(actor) & Q(status=Status.ACCEPTED)
    if actor.kind in SUPERVISORS or (own_level and actor.kind in HANDLERS[own_level]):
        lists["overdue"] = Q(status__in=OPEN, overdue=True)
    return lists


TODO_LABELS = {
    "dispatch": _("待派单"),
    "take": _("待接单"),
    "doing": _("办理中"),
    "overdue": _("已超期"),
}


def todo_counts(scope: Scope, actor: Actor) -> dict[str, int]:
    """All to-do counts in one aggregate query (for the navigation)."""
    lists = todo_filters(scope, actor)
    if not lists:
        return {}
    return orders_visible(scope).aggregate(
        **{name: Count("pk", filter=q, distinct=True) for name, q in lists.items()}
    )


def todo_list(scope: Scope, actor: Actor, which: str) -> QuerySet[Order]:
    lists = todo_filters(scope, actor)
    if which not in lists:
        return Order.objects.none()
    return (
        orders_visible(scope)
        .filter(lists[which])
        .distinct()
        .select_related("village", "category", "assignee_member__person", "assignee_team")
        .order_by("due_on", "pk")
    )


def order_list(
    scope: Scope,
    *,
    status: str = "",
    level: str = "",
    category: int | None = None,
    overdue: bool = False,
    region: Region | None = None,
    q: str = "",
) -> QuerySet[Order]:
    qs = orders_visible(scope)
    if region is not None:
        qs = qs.filter(village__path__startswith=region.path)
    if status == "open":
        qs = qs.filter(status__in=OPEN)
    elif status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    if category:
        qs = qs.filter(category_id=category)
    if overdue:
        qs = qs.filter(overdue=True, status__in=OPEN)
    if q:
        qs = qs.filter(Q(code=q.upper()) | Q(description__contains=q) | Q(requester_name=q))
    return qs.select_related("village", "category", "assignee_member__person", "assignee_team")


def order_timeline(order: Order) -> QuerySet[OrderEvent]:
    return order.events.select_related("actor").order_by("at", "pk")


# What goes up a level at the next cut-off: what the level marked, or let run overdue.
GOING_UP = Q(overdue=True) | Q(escalate_mark=True)


def cutoff_steps() -> list[tuple[str, str, int]]:
    """三级会商: (from level, to level, the month's cut-off day), from the settings."""
    return [
        (Level.VILLAGE, Level.TOWNSHIP, settings.ORDERS_TOWNSHIP_CUTOFF_DAY),
        (Level.TOWNSHIP, Level.COUNTY, settings.ORDERS_COUNTY_CUTOFF_DAY),
    ]


def escalation_counts(scope: Scope, levels: list[str]) -> dict[str, dict[str, int]]:
    """Per level, the open orders marked, overdue and going up now: one aggregate query."""
    aggregates = {}
    for level in levels:
        at = Q(level=level)
        aggregates[f"{level}_marked"] = Count("pk", filter=at & Q(escalate_mark=True))
        aggregates[f"{level}_overdue"] = Count("pk", filter=at & Q(overdue=True))
        aggregates[f"{level}_up"] = Count("pk", filter=at & GOING_UP)
    row = orders_visible(scope).filter(status__in=OPEN).aggregate(**aggregates)
    return {
        level: {k: row[f"{level}_{k}"] for k in ("marked", "overdue", "up")} for level in levels
    }


VILLAGER_ACTIONS = (Action.RATE, Action.REOPEN, Action.WITHDRAW)


def by_villager(event: OrderEvent) -> bool:
    """A rating, reopening or withdrawal the villager made themselves (not a cadre's 回访)."""
    return event.actor_id is None and event.action in VILLAGER_ACTIONS


@reference
def active_categories() -> tuple[Category, ...]:
    """The categories a request may be filed under, in their order. Read on every villager's
    request, so memoised (``core.reference``): saving or deleting a category forgets it."""
    return tuple(Category.objects.filter(active=True))


def public_note(event: OrderEvent) -> str:
    """The part of an event's note the villager may see: the resolution and their own words.
    Cadres' notes stay inside (a dispatch note names the member, an urge names a failing)."""
    if event.action == Action.RESOLVE or by_villager(event):
        return event.note
    return ""


def order_by_code(code: str, phone_last4: str) -> Order | None:
    """The villager's lookup: the tracking code and the phone's last four digits must both match."""
    if not code or len(phone_last4 or "") != 4 or not phone_last4.isdigit():
        return None
    return (
        Order.objects.filter(code=code, requester_phone__endswith=phone_last4)
        .select_related("village", "category")
        .first()
    )


def teams_for(order: Order, scope: Scope) -> QuerySet[Team]:
    """Teams the order may be sent to at its level: the village's volunteer teams, or at county
    level the expert teams and departments."""
    qs = visible(Team.objects.filter(active=True), scope)
    if order.level == Level.COUNTY:
        return qs.exclude(kind="volunteer")
    ancestors = [order.village.path[:i] for i in range(4, len(order.village.path) + 1, 4)]
    return qs.filter(kind="volunteer", region__path__in=ancestors)


def notices_of(scope: Scope, user_id: int, *, unread: bool) -> QuerySet[Notice]:
    """The user's notices about orders they can still see, newest first."""
    return visible(
        Notice.objects.filter(user_id=user_id, read_at__isnull=unread).select_related("order"),
        scope,
    )


# --- figures ----------------------------------------------------------------------------------


@dataclass
class Figures:
    """The 12345-style figures of a set of orders received in a period."""

    received: int = 0
    responded_in_time: int = 0
    resolved: int = 0
    resolved_in_time: int = 0
    rated: int = 0
    satisfied: int = 0
    workdays: int = 0
    solved_village: int = 0
    solved_township: int = 0
    solved_county: int = 0
    open_overdue: int = 0
    disputes: int = 0
    disputes_resolved: int = 0

    @staticmethod
    def _pct(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def response_rate(self) -> float | None:
        """响应率: received orders answered within the category's response limit."""
        return self._pct(self.responded_in_time, self.received)

    @property
    def resolution_rate(self) -> float | None:
        """解决率: received orders resolved."""
        return self._pct(self.resolved, self.received)

    @property
    def on_time_rate(self) -> float | None:
        """按时办结率: resolved orders resolved within the time limit."""
        return self._pct(self.resolved_in_time, self.resolved)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: rated orders rated 满意 or 基本满意."""
        return self._pct(self.satisfied, self.rated)

    @property
    def dispute_resolution_rate(self) -> float | None:
        """矛盾纠纷化解率: disputes received that were resolved."""
        return self._pct(self.disputes_resolved, self.disputes)

    @property
    def average_workdays(self) -> float | None:
        return round(self.workdays / self.resolved, 1) if self.resolved else None

    @property
    def level_shares(self) -> dict[str, float | None]:
        """小事不出村、大事不出镇: the share of resolved orders solved at each level."""
        return {
            Level.VILLAGE: self._pct(self.solved_village, self.resolved),
            Level.TOWNSHIP: self._pct(self.solved_township, self.resolved),
            Level.COUNTY: self._pct(self.solved_county, self.resolved),
        }

    def as_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in (
            "response_rate",
            "resolution_rate",
            "on_time_rate",
            "satisfaction_rate",
            "dispute_resolution_rate",
            "average_workdays",
        ):
            data[name] = getattr(self, name)
        data["level_shares"] = {str(k): v for k, v in self.level_shares.items()}
        return data


AGGREGATES = {
    "received": Count("pk"),
    "responded_in_time": Count("pk", filter=Q(responded_in_time=True)),
    "resolved": Count("pk", filter=Q(resolved_at__isnull=False)),
    "resolved_in_time": Count("pk", filter=Q(resolved_in_time=True)),
    "rated": Count("pk", filter=~Q(rating="")),
    "satisfied": Count("pk", filter=Q(rating__in=[Rating.SATISFIED, Rating.BASIC])),
    "workdays": Sum("handling_workdays", filter=Q(resolved_at__isnull=False)),
    "solved_village": Count(
        "pk", filter=Q(resolved_level=Level.VILLAGE, resolved_at__isnull=False)
    ),
    "solved_township": Count(
        "pk", filter=Q(resolved_level=Level.TOWNSHIP, resolved_at__isnull=False)
    ),
    "solved_county": Count("pk", filter=Q(resolved_level=Level.COUNTY, resolved_at__isnull=False)),
    "open_overdue": Count("pk", filter=Q(status__in=OPEN, overdue=True)),
    "disputes": Count("pk", filter=Q(category__is_dispute=True)),
    "disputes_resolved": Count(
        "pk", filter=Q(category__is_dispute=True, resolved_at__isnull=False)
    ),
}


def _received_in(period: Period) -> Q:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return Q(created_at__gte=start, created_at__lt=end)


def _figures(row: dict) -> Figures:
    return Figures(**{name: row.get(name) or 0 for name in AGGREGATES})


def figures_for(region: Region, period: Period) -> Figures:
    """The figures of every order received in ``period`` in villages under ``region``."""
    row = Order.objects.filter(
        _received_in(period), village__path__startswith=region.path
    ).aggregate(**AGGREGATES)
    return _figures(row)


def figures_by_child(region: Region, period: Period) -> dict[str, Figures]:
    """Figures per child region (township → its villages, county → its townships...), keyed by
    the child's path: one GROUP BY over the village paths cut to the child's depth."""
    if region.level in VILLAGE_LEVELS:
        return {}
    cut = len(region.path) + Region.steplen
    rows = (
        Order.objects.filter(_received_in(period), village__path__startswith=region.path)
        .annotate(child=Substr("village__path", 1, cut))
        .values("child")
        .annotate(**AGGREGATES)
    )
    return {row["child"]: _figures(row) for row in rows}


def figures_by_village(villages: QuerySet[Region], period: Period) -> dict[int, Figures]:
    """Figures per village of ``villages`` (any number, one GROUP BY); a village without orders
    in the period is absent."""
    rows = (
        Order.objects.filter(_received_in(period), village__in=villages)
        .values("village_id")
        .annotate(**AGGREGATES)
        .order_by()
    )
    return {row["village_id"]: _figures(row) for row in rows}


def figures_by_month(region: Region, period: Period) -> list[tuple[dt.date, Figures]]:
    """Figures per month of receipt, for a trend chart."""
    rows = (
        Order.objects.filter(_received_in(period), village__path__startswith=region.path)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(**AGGREGATES)
        .order_by("month")
    )
    return [
        (
            timezone.localtime(row["month"]).date()
            if isinstance(row["month"], dt.datetime)
            else row["month"],
            _figures(row),
        )
        for row in rows
    ]
