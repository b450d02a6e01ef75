"""Every write of the service loop.

A status change is one conditional UPDATE (``WHERE status = <what the caller saw>``) plus one event
row, in one transaction: two members pressing 接单 at once both run the UPDATE, exactly one changes
a row, the other gets ``StaleState``. This works the same on SQLite and PostgreSQL. The rules of
who may do what are in ``orders.states``; a refused action raises before anything is written.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Case,
    CharField,
    DateField,
    DateTimeField,
    F,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenxing.accounts.models import User
from zhenxing.accounts.scoping import Scope
from zhenxing.core.images import photos_checked
from zhenxing.core.selectors import work_calendar
from zhenxing.core.workdays import WorkCalendar
from zhenxing.orders.models import (
    Category,
    Decision,
    Mediation,
    Meeting,
    MeetingItem,
    Notice,
    NoticeKind,
    Order,
    OrderEvent,
    Photo,
    PhotoStage,
    Rating,
    Source,
    SweepRun,
    Team,
    TeamKind,
)
from zhenxing.orders.selectors import GOING_UP, cutoff_steps
from zhenxing.orders.states import (
    BACKFILLERS,
    HANDLERS,
    LOGGERS,
    NEXT_LEVEL,
    OPEN,
    REQUESTER,
    SYSTEM,
    TRANSITIONS,
    Action,
    Actor,
    Level,
    Status,
    is_assignee,
    may,
)
from zhenxing.regions.models import VILLAGE_LEVELS, Household, PartyMember, Region
from zhenxing.regions.validators import PHONE_RE

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
CODE_LENGTH = 8
LIMITS = {"description": (5, 1000), "name": (1, 20), "resolution": (2, 2000), "note": (0, 2000)}
SYSTEM_ACTOR = Actor(kind=SYSTEM)
REQUESTER_ACTOR = Actor(kind=REQUESTER)


class StaleState(Exception):
    """Someone else changed the order first (for 接单: another member took it)."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("该工单刚被他人处理，请刷新后查看最新状态"))


def _status_label(status: str) -> str:
    return str(Status(status).label)


def _refuse(order: Order, action: str) -> ValidationError:
    return ValidationError(
        _("该工单当前为“%(status)s”，不能%(action)s")
        % {"status": _status_label(order.status), "action": Action(action).label}
    )


def _text(value: str, field_name: str, label: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    low, high = LIMITS[field_name]
    if required and len(value) < max(low, 1):
        raise ValidationError(
            {
                field_name: _("请填写%(label)s（至少 %(n)s 个字）")
                % {"label": label, "n": max(low, 1)}
            }
        )
    if len(value) > high:
        raise ValidationError(
            {field_name: _("%(label)s不能超过 %(n)s 个字") % {"label": label, "n": high}}
        )
    return value


def _new_code() -> str:
    # 32 letters: each random byte's last five bits pick one, all equally likely.
    return "".join(CODE_ALPHABET[byte & 31] for byte in secrets.token_bytes(CODE_LENGTH))


def normalize_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


# --- photos -----------------------------------------------------------------------------------


def _save_photos(order: Order, stage: str, images: Iterable[bytes]) -> None:
    """Store the files and their rows; if the transaction does not commit, remove the files."""
    stored: list[Photo] = []
    try:
        for data in images:
            photo = Photo(order=order, stage=stage)
            photo.image.save("photo.jpg", ContentFile(data), save=False)
            stored.append(photo)
            photo.save()
    except Exception:
        for photo in stored:
            photo.image.delete(save=False)
        raise


# --- intake -----------------------------------------------------------------------------------


def _limits_sql() -> str:
    """Whether the phone reached its limit today, and the address its limit this hour: two
    ``EXISTS`` of a row at the limit (``LIMIT 1 OFFSET limit - 1``), so that a flood from one
    address costs each of its requests no more than reading up to the limit. Parameters
    (``_limits_params``): phone, source, start of today, phone limit - 1, address, an hour ago,
    address limit - 1."""
    qn = connection.ops.quote_name
    table = qn(Order._meta.db_table)
    ip, phone, source, created = (
        qn(Order._meta.get_field(name).column)
        for name in ("client_ip", "requester_phone", "source", "created_at")
    )
    # Names from the model, values as parameters.
    by_phone = f"SELECT 1 FROM {table} WHERE {phone} = %s AND {source} = %s AND {created} >= %s"  # noqa: S608
    by_ip = f"SELECT 1 FROM {table} WHERE {ip} = %s AND {created} >= %s"  # noqa: S608
    return (
        f"EXISTS ({by_phone} LIMIT 1 OFFSET %s) AS phone_full,"
        f" EXISTS ({by_ip} LIMIT 1 OFFSET %s) AS address_full"
    )


def _limits_params(*, client_ip: str | None, phone: str, now: dt.datetime) -> list[Any]:
    per_phone = settings.ORDERS_INTAKE_PER_PHONE_PER_DAY
    per_ip = settings.ORDERS_INTAKE_PER_IP_PER_HOUR
    if per_phone < 1 or per_ip < 1:  # a limit of 0 closes the form
        _refuse_over_limit(phone_full=per_phone < 1, address_full=per_ip < 1)
    ops = connection.ops
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return [
        phone,
        Source.QR.value,
        ops.adapt_datetimefield_value(today),
        per_phone - 1,
        ops.adapt_ipaddressfield_value(client_ip),  # None: no address, no row matches
        ops.adapt_datetimefield_value(now - dt.timedelta(hours=1)),
        per_ip - 1,
    ]


def _refuse_over_limit(*, phone_full: bool, address_full: bool) -> None:
    if address_full:
        raise ValidationError(_("本网络提交过于频繁，请一小时后再试，或直接联系村两委"))
    if phone_full:
        raise ValidationError(
            {
                "phone": _("该手机号今天已提交 %(n)s 条诉求，请明天再试或联系村两委")
                % {"n": settings.ORDERS_INTAKE_PER_PHONE_PER_DAY}
            }
        )


@functools.cache
def _check_rate_sql() -> str:
    return f"SELECT {_limits_sql()}"


def _check_rate(*, client_ip: str | None, phone: str, now: dt.datetime) -> None:
    """The public form's limits per address (an hour) and per phone (today), in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_check_rate_sql(), _limits_params(client_ip=client_ip, phone=phone, now=now))
        phone_full, address_full = cursor.fetchone()
    _refuse_over_limit(phone_full=phone_full, address_full=address_full)


def _insert_fields(model: type) -> list[Any]:
    """The columns the ORM would write on an insert, the primary key aside (in model order)."""
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _submit_event_fields() -> list[Any]:
    return [f for f in _insert_fields(OrderEvent) if f.name != "order"]


def _db_values(obj: Any, fields: list[Any]) -> list[Any]:
    """What the ORM would write for these fields of an unsaved instance (defaults included; a
    NULL needs no conversion)."""
    values = [f.pre_save(obj, True) for f in fields]
    return [
        None if value is None else f.get_db_prep_save(value, connection)
        for f, value in zip(fields, values, strict=True)
    ]


@functools.cache
def _qr_intake_sql() -> str:
    """PostgreSQL: a villager's request without photos in one statement, hence one round trip,
    atomic without a transaction block. The limits are read (``_limits_sql``); the order is
    written only when neither is reached (and not when its tracking code is taken); its submit
    event only when the order was written. Answers (phone_full, address_full, the order's id or
    NULL).

    Parameters: ``_limits_params``, the order's columns (``_insert_fields(Order)``), the event's
    but its order (``_submit_event_fields``). Up to 50 of them, psycopg keeps the statement's
    parsing between calls."""
    qn = connection.ops.quote_name
    order_fields, event_fields = _insert_fields(Order), _submit_event_fields()
    order_table, event_table = qn(Order._meta.db_table), qn(OrderEvent._meta.db_table)
    order_columns = ", ".join(qn(f.column) for f in order_fields)
    event_columns = ", ".join(qn(f.column) for f in event_fields)
    pk, code = qn(Order._meta.pk.column), qn(Order._meta.get_field("code").column)
    event_order = qn(OrderEvent._meta.get_field("order").column)
    return (
        f"WITH limits AS (SELECT {_limits_sql()}),"  # noqa: S608 - names from the models
        f" new_order AS ("
        f"INSERT INTO {order_table} ({order_columns})"
        f" SELECT {', '.join(['%s'] * len(order_fields))} FROM limits"
        f" WHERE NOT limits.phone_full AND NOT limits.address_full"
        f" ON CONFLICT ({code}) DO NOTHING RETURNING {pk}),"
        f" submit AS ("
        f"INSERT INTO {event_table} ({event_order}, {event_columns})"
        f" SELECT {pk}, {', '.join(['%s'] * len(event_fields))} FROM new_order)"
        f" SELECT phone_full, address_full, (SELECT {pk} FROM new_order) FROM limits"
    )


class _PreparedCursor(psycopg.Cursor):
    """A psycopg cursor that binds its parameters on the server and prepares its statements."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        return super().execute(query, params, prepare=True)


def _prepared_cursor() -> Any:
    """PostgreSQL: a cursor (Django's wrapper, logged and counted like any other) that prepares
    its statements, so that the server parses and plans the intake's statement once per
    connection rather than on every request. Only here: Django's own cursors bind on the client
    (and so never prepare), which every other query of the application is written for. Opened as
    ``connection.cursor()`` opens its own (``BaseDatabaseWrapper._cursor``)."""
    connection.close_if_health_check_failed()  # DB_CONN_HEALTH_CHECKS on a kept connection
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:  # as Django connects, for poolers; preparing needs a number
        raw.prepare_threshold = 5  # psycopg's default: client-side cursors never prepare anyway
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_PreparedCursor(raw))


def _qr_intake(order: Order, *, now: dt.datetime) -> Order:
    """Write a villager's request (no photos) and its submit event (``_qr_intake_sql``)."""
    event = OrderEvent(
        action=Action.SUBMIT,
        to_status=order.status,
        to_level=order.level,
        actor_id=REQUESTER_ACTOR.user_id,
        actor_label=REQUESTER_ACTOR.label,
        at=now,
    )
    limits = _limits_params(client_ip=order.client_ip, phone=order.requester_phone, now=now)
    event_values = _db_values(event, _submit_event_fields())
    order_fields = _insert_fields(Order)
    with _prepared_cursor() as cursor:
        for _attempt in range(5):
            order.code = _new_code()
            cursor.execute(
                _qr_intake_sql(), [*limits, *_db_values(order, order_fields), *event_values]
            )
            phone_full, address_full, pk = cursor.fetchone()
            if pk is not None:
                break
            _refuse_over_limit(phone_full=phone_full, address_full=address_full)
            # Under the limits and nothing written: a tracking code drawn twice (1 in 32**8).
        else:
            raise IntegrityError("five tracking codes drawn were all taken")
    order.pk = pk
    order._state.adding, order._state.db = False, connection.alias
    return order


def order_submit(
    *,
    village: Region,
    category: Category,
    description: str,
    name: str,
    phone: str,
    actor: Actor,
    source: str = Source.QR,
    household: Household | None = None,
    photos: Sequence[Any] = (),
    client_ip: str | None = None,
    now: dt.datetime | None = None,
    received_on: dt.date | None = None,
) -> Order:
    """点单: a villager's request from the public form, or one a cadre logs for a household.

    ``received_on`` back-fills (补录) a request received on an earlier day, from a paper register:
    county and township admins only, never a future day, never before the village is in the
    register. The order then counts from that day (its time limit, its period in the figures),
    and its submit event says who entered it and when (``recorded_at``)."""
    now = now or timezone.now()
    recorded_at = None
    errors: dict[str, list[str]] = {}
    if received_on is not None and received_on != timezone.localdate(now):
        why = _backfill_error(village, received_on, actor, timezone.localdate(now))
        if why:
            errors["received_on"] = [why]
        else:
            recorded_at = now
            now = timezone.make_aware(dt.datetime.combine(received_on, BACKFILL_TIME))
    if village.level not in VILLAGE_LEVELS:
        errors["village"] = [_("请选择村或社区")]
    if not category.active:
        errors["category"] = [_("该类别已停用，请选择其他类别")]
    try:
        description = _text(description, "description", _("诉求内容"))
    except ValidationError as e:
        errors.update(e.message_dict)
    try:
        name = _text(name, "name", _("姓名"))
    except ValidationError as e:
        errors.update(e.message_dict)
    phone = (phone or "").strip().replace(" ", "")
    if not PHONE_RE.match(phone):
        errors["phone"] = [_("请填写正确的手机号（11 位）或带区号的座机号")]
    if source not in Source.values:
        errors["source"] = [_("来源不正确")]
    if actor.kind == REQUESTER and source != Source.QR:
        errors["source"] = [_("来源不正确")]
    if actor.kind not in (REQUESTER, *LOGGERS):
        raise PermissionDenied(_("您的角色不能登记诉求"))
    if household is not None and household.village_id != village.pk:
        errors["household"] = [_("该农户不属于所选村")]
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate(now)
    due_on = work_calendar().add_workdays(today, category.time_limit_days)
    order = Order(
        village=village,
        household=household,
        category=category,
        description=description,
        requester_name=name,
        requester_phone=phone,
        client_ip=client_ip,
        source=source,
        owner_id=actor.user_id,
        created_by_id=actor.user_id,
        created_at=now,
        level_entered_at=now,
        due_on=due_on,
    )
    if actor.kind == REQUESTER and not photos and connection.vendor == "postgresql":
        # The villager's form, the busiest write: one statement on PostgreSQL, same rules.
        return _qr_intake(order, now=now)
    if actor.kind == REQUESTER:
        _check_rate(client_ip=client_ip, phone=phone, now=now)
    images = photos_checked(photos)
    for attempt in range(5):
        try:
            with transaction.atomic():
                order.code = _new_code()
                order.save(force_insert=True)
                event = _event(order, Action.SUBMIT, actor, "", "", now=now)
                if recorded_at is not None:
                    event.recorded_at = recorded_at
                    event.note = _("补录：%(day)s 收到（纸质台账）") % {"day": received_on}
                    event.save(update_fields=["recorded_at", "note"])
                _save_photos(order, PhotoStage.REQUEST, images)
            break
        except IntegrityError:  # a tracking code drawn twice (1 in 32**8): draw again
            order.pk, order._state.adding = None, True
            if attempt == 4:
                raise
    return order


BACKFILL_TIME = dt.time(9, 0)  # a back-filled request counts from 09:00 of the day received


def _backfill_error(village: Region, day: dt.date, actor: Actor, today: dt.date) -> str | None:
    if actor.kind not in BACKFILLERS:
        return _("只有县级、乡镇管理员可以补录往日收到的诉求")
    if day > today:
        return _("收到日期不能晚于今天（%(day)s）") % {"day": today}
    return village.registered_error(day, _("收到日期"))


# --- moves ------------------------------------------------------------------------------------


def _event(
    order: Order,
    action: str,
    actor: Actor,
    from_status: str,
    from_level: str,
    *,
    note: str = "",
    now: dt.datetime,
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        action=action,
        from_status=from_status,
        to_status=order.status,
        from_level=from_level,
        to_level=order.level,
        actor_id=actor.user_id,
        actor_label=actor.label,
        at=now,
        note=note,
    )


def _team_person_ids(order: Order) -> set[int]:
    if order.assignee_team_id is None:
        return set()
    return set(
        PartyMember.objects.filter(teams=order.assignee_team_id).values_list("person_id", flat=True)
    )


def actor_is_assignee(order: Order, actor: Actor) -> bool:
    member_person = (
        PartyMember.objects.filter(pk=order.assignee_member_id)
        .values_list("person_id", flat=True)
        .first()
        if order.assignee_member_id
        else None
    )
    return is_assignee(
        actor, member_person_id=member_person, team_person_ids=_team_person_ids(order)
    )


def sees_requester_phone(order: Order, scope: Scope, actor: Actor) -> bool:
    """Who reads the villager's full phone number: the roles that see personal data, and, while
    the order is open, the member (or a member of the team) it was sent to, who has to call."""
    return scope.sees_personal_data or (order.status in OPEN and actor_is_assignee(order, actor))


def allowed_actions(order: Order, actor: Actor) -> list[str]:
    """The actions ``actor`` may take now: the services' rule, for the page's buttons."""
    assignee = actor_is_assignee(order, actor)
    return [
        action
        for action in Action.values
        if may(action, status=order.status, level=order.level, actor=actor, assignee=assignee)
    ]


def _move(
    order: Order,
    action: str,
    actor: Actor,
    *,
    note: str = "",
    now: dt.datetime | None = None,
    stale_message: str | None = None,
    **changes: Any,
) -> Order:
    """Check the rule, change the row only if it is still as the caller saw it, log the event."""
    now = now or timezone.now()
    key = (order.status, action)
    if key not in TRANSITIONS:
        raise _refuse(order, action)
    assignee = action in (Action.ACCEPT, Action.RETURN, Action.RESOLVE) and actor_is_assignee(
        order, actor
    )
    if not may(action, status=order.status, level=order.level, actor=actor, assignee=assignee):
        raise PermissionDenied(
            _("您不能对该工单执行“%(action)s”") % {"action": Action(action).label}
        )
    from_status, from_level = order.status, order.level
    to_status = changes.pop("status", TRANSITIONS[key])
    changes = {"status": to_status, "updated_at": now, **changes}
    updated = Order.objects.filter(pk=order.pk, status=from_status, level=from_level).update(
        **changes
    )
    if not updated:
        raise StaleState(stale_message)
    for name, value in changes.items():
        if not hasattr(value, "resolve_expression"):
            setattr(order, name, value)
    if any(hasattr(v, "resolve_expression") for v in changes.values()):
        order.refresh_from_db(
            fields=[k for k, v in changes.items() if hasattr(v, "resolve_expression")]
        )
    _event(order, action, actor, from_status, from_level, note=note, now=now)
    return order


def level_region(order: Order) -> Region:
    """The region whose cadres run the order at its current level."""
    if order.level == Level.VILLAGE:
        return order.village
    wanted = {Level.TOWNSHIP: "township", Level.COUNTY: "county"}[order.level]
    return Region.objects.get(
        path__in=[order.village.path[:i] for i in range(4, len(order.village.path), 4)],
        level=wanted,
    )


def handlers_of(order: Order) -> list[int]:
    """Users who run the order at its level (the village secretary, the township office...)."""
    region = level_region(order)
    return list(
        User.objects.filter(
            scope_region=region, role__in=HANDLERS[order.level], is_active=True
        ).values_list("pk", flat=True)
    )


def _notify(
    order: Order, user_ids: Iterable[int | None], kind: str, text: str, *, now: dt.datetime
) -> None:
    Notice.objects.bulk_create(
        Notice(user_id=uid, order=order, kind=kind, text=text[:200], created_at=now)
        for uid in dict.fromkeys(u for u in user_ids if u)
    )


def _accounts_of_assignee(order: Order) -> list[int]:
    ids = []
    if order.assignee_member_id:
        ids += User.objects.filter(person__membership=order.assignee_member_id).values_list(
            "pk", flat=True
        )
    elif order.assignee_team_id:
        ids += User.objects.filter(person__membership__teams=order.assignee_team_id).values_list(
            "pk", flat=True
        )
    return ids


@transaction.atomic
def order_dispatch(
    *,
    order: Order,
    actor: Actor,
    member: PartyMember | None = None,
    team: Team | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Order:
    """派单: send the order to one Party member or to one team of the order's level."""
    now = now or timezone.now()
    note = _text(note, "note", _("派单说明"), required=False)
    if (member is None) == (team is None):
        raise ValidationError({"assignee": _("请选择一名党员或一支队伍（只选一个）")})
    region = level_region(order)
    if member is not None and not member.organization.region.path.startswith(region.path):
        raise ValidationError({"assignee": _("该党员不在本级范围内")})
    if team is not None:
        if not team.active or not (
            team.region.path.startswith(region.path) or region.path.startswith(team.region.path)
        ):
            raise ValidationError({"assignee": _("该队伍不在本级范围内或已停用")})
        if order.level != Level.COUNTY and team.kind != TeamKind.VOLUNTEER:
            raise ValidationError({"assignee": _("专家服务团和县直部门由县级派单")})
    changes: dict[str, Any] = {
        "assignee_member": member,
        "assignee_team": team,
        "owner_id": order.owner_id or actor.user_id,
    }
    if order.responded_at is None:
        today = timezone.localdate(now)
        created = timezone.localdate(order.created_at)
        changes["responded_at"] = now
        changes["responded_in_time"] = (
            work_calendar().workdays_between(created, today) <= order.category.response_days
        )
    target = str(member or team)
    _move(order, Action.DISPATCH, actor, note=note or target, now=now, **changes)
    _notify(
        order,
        _accounts_of_assignee(order),
        NoticeKind.ASSIGNED,
        _("新工单 %(code)s：%(category)s") % {"code": order.code, "category": order.category},
        now=now,
    )
    return order


@transaction.atomic
def order_accept(*, order: Order, actor: Actor, now: dt.datetime | None = None) -> Order:
    """接单. Of two members pressing it at once, exactly one wins; the other gets StaleState."""
    taken = _("该工单已被他人接单")
    if order.status == Status.ACCEPTED:  # the other member's page was older than the take
        raise StaleState(taken)
    changes: dict[str, Any] = {}
    if order.assignee_team_id and actor.person_id:
        taker = PartyMember.objects.filter(
            person_id=actor.person_id, teams=order.assignee_team_id
        ).first()
        if taker is not None:
            changes["assignee_member"] = taker
    return _move(
        order,
        Action.ACCEPT,
        actor,
        now=now,
        stale_message=taken,
        **changes,
    )


@transaction.atomic
def order_return(
    *, order: Order, actor: Actor, reason: str, now: dt.datetime | None = None
) -> Order:
    """退回: the taker hands the order back to the dispatcher, saying why."""
    reason = _text(reason, "note", _("退回理由"))
    if not reason:
        raise ValidationError({"note": _("请填写退回理由")})
    return _move(
        order, Action.RETURN, actor, note=reason, now=now, assignee_member=None, assignee_team=None
    )


@transaction.atomic
def order_resolve(
    *,
    order: Order,
    actor: Actor,
    resolution: str,
    mediation: str = "",
    photos: Sequence[Any] = (),
    now: dt.datetime | None = None,
) -> Order:
    """办结: what was done (text, photos); a dispute also records the mediation outcome."""
    now = now or timezone.now()
    resolution = _text(resolution, "resolution", _("办理情况"))
    if order.category.is_dispute and mediation not in Mediation.values:
        raise ValidationError({"mediation": _("矛盾纠纷类工单请选择调解结果")})
    if not order.category.is_dispute:
        mediation = ""
    images = photos_checked(photos)
    today = timezone.localdate(now)
    created = timezone.localdate(order.created_at)
    _move(
        order,
        Action.RESOLVE,
        actor,
        note=resolution,
        now=now,
        resolution=resolution,
        mediation=mediation,
        resolved_at=now,
        resolved_in_time=today <= order.due_on,
        resolved_level=order.level,
        handling_workdays=work_calendar().workdays_between(created, today),
    )
    _save_photos(order, PhotoStage.RESOLUTION, images)
    return order


@transaction.atomic
def order_rate(
    *,
    order: Order,
    actor: Actor,
    rating: str,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Order:
    """评价. 满意 or 基本满意 closes the order; 不满意 (with a reason) reopens it."""
    now = now or timezone.now()
    if order.status != Status.RESOLVED:
        raise _refuse(order, Action.RATE)
    if rating not in Rating.values:
        raise ValidationError({"rating": _("请选择满意、基本满意或不满意")})
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationError({"reason": _("评价理由不能超过 200 个字")})
    common = {"rating": rating, "rating_reason": reason, "rated_at": now}
    if rating != Rating.UNSATISFIED:
        return _move(order, Action.RATE, actor, note=reason, now=now, **common)
    if not reason:
        raise ValidationError({"reason": _("请说明不满意的原因，以便重新办理")})
    today = timezone.localdate(now)
    _move(
        order,
        Action.REOPEN,
        actor,
        note=reason,
        now=now,
        **common,
        reopen_count=F("reopen_count") + 1,
        resolved_at=None,
        resolved_in_time=None,
        resolved_level="",
        handling_workdays=None,
        overdue=False,
        due_on=work_calendar().add_workdays(today, order.category.time_limit_days),
    )
    _notify(
        order,
        [order.owner_id, *_accounts_of_assignee(order)],
        NoticeKind.REOPENED,
        _("工单 %(code)s 群众不满意，已重新打开：%(reason)s")
        % {"code": order.code, "reason": reason},
        now=now,
    )
    return order


@transaction.atomic
def order_withdraw(
    *, order: Order, actor: Actor, reason: str = "", now: dt.datetime | None = None
) -> Order:
    """撤回: the villager no longer needs it (only while it is open)."""
    return _move(order, Action.WITHDRAW, actor, note=(reason or "").strip()[:200], now=now)


@transaction.atomic
def order_mark(*, order: Order, actor: Actor, note: str, now: dt.datetime | None = None) -> Order:
    """标记上报: the level cannot solve it; it goes up at the next cut-off."""
    note = _text(note, "note", _("上报理由"))
    return _move(order, Action.MARK, actor, note=note, now=now, escalate_mark=True)


@transaction.atomic
def order_urge(*, order: Order, actor: Actor, note: str, now: dt.datetime | None = None) -> Order:
    """督办: a township or county supervisor presses an open order; its owner is notified."""
    now = now or timezone.now()
    note = _text(note, "note", _("督办意见"))
    _move(order, Action.URGE, actor, note=note, now=now, urge_count=F("urge_count") + 1)
    owners = [order.owner_id] if order.owner_id else handlers_of(order)
    _notify(
        order,
        [*owners, *_accounts_of_assignee(order)],
        NoticeKind.URGED,
        _("工单 %(code)s 被督办：%(note)s") % {"code": order.code, "note": note},
        now=now,
    )
    return order


def notices_mark_read(*, notices: QuerySet[Notice], now: dt.datetime | None = None) -> int:
    """Mark the given notices (the caller's own, fetched through the selectors) as read."""
    return notices.filter(read_at__isnull=True).update(read_at=now or timezone.now())


@dataclass(frozen=True)
class ItemInput:
    order: Order
    decision: str
    note: str = ""


@transaction.atomic
def meeting_record(
    *,
    scope: Scope,
    region: Region,
    held_on: dt.date,
    items: Sequence[ItemInput],
    actor: Actor,
    attendees: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Meeting:
    """民情碰头会: each open order reviewed gets a decision (keep working, resolved, escalate)."""
    now = now or timezone.now()
    scope.require(region)
    level = Level.VILLAGE if region.level in VILLAGE_LEVELS else region.level
    if level not in (Level.VILLAGE, Level.TOWNSHIP) or actor.kind not in HANDLERS[level]:
        raise PermissionDenied(_("只有村或乡镇可以记录会商"))
    if held_on > timezone.localdate(now):
        raise ValidationError({"held_on": _("召开日期不能晚于今天")})
    if not items:
        raise ValidationError({"items": _("请至少对一条工单作出会商结果")})
    seen: set[int] = set()
    for n, item in enumerate(items, start=1):
        where = _("第 %(n)s 条（%(code)s）") % {"n": n, "code": item.order.code}
        if item.order.pk in seen:
            raise ValidationError({"items": where + _("：同一工单重复出现")})
        seen.add(item.order.pk)
        if item.decision not in Decision.values:
            raise ValidationError({"items": where + _("：请选择会商结果")})
        if (
            not item.order.is_open
            or item.order.level != level
            or not item.order.village.path.startswith(region.path)
        ):
            raise ValidationError({"items": where + _("：不是本级待办工单")})
        if item.decision == Decision.RESOLVED and item.order.status != Status.ACCEPTED:
            raise ValidationError({"items": where + _("：尚未接单办理，不能记为已解决")})
    meeting = Meeting.objects.create(
        region=region,
        held_on=held_on,
        attendees=attendees.strip()[:200],
        note=note.strip()[:2000],
        created_by_id=actor.user_id,
    )
    MeetingItem.objects.bulk_create(
        MeetingItem(meeting=meeting, order=i.order, decision=i.decision, note=i.note[:200])
        for i in items
    )
    title = _("%(date)s 会商") % {"date": f"{held_on:%Y-%m-%d}"}
    for item in items:
        text = f"{title}：{Decision(item.decision).label}" + (f"，{item.note}" if item.note else "")
        if item.decision == Decision.ESCALATE:
            order_mark(order=item.order, actor=actor, note=text, now=now)
        elif item.decision == Decision.RESOLVED:
            order_resolve(
                order=item.order,
                actor=actor,
                resolution=text,
                now=now,
                mediation=Mediation.SETTLED if item.order.category.is_dispute else "",
            )
        else:
            _move(item.order, Action.REVIEW, actor, note=text, now=now)
    return meeting


# --- periodic work ----------------------------------------------------------------------------


@dataclass
class SweepResult:
    overdue: int = 0
    due_soon: int = 0
    escalated: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        moved = "，".join(f"{Level(k).label} {v}" for k, v in self.escalated.items()) or "0"
        return _("新超期 %(o)s 件，临期提醒 %(d)s 件，上报 %(e)s") % {
            "o": self.overdue,
            "d": self.due_soon,
            "e": moved,
        }


def _insert_from(model: type, columns: list[str], select: QuerySet, *, ignore: bool) -> int:
    """INSERT INTO model (columns) SELECT …: rows made in the database from an ORM query, with
    no row travelling to Python. ``ignore`` skips rows whose unique key exists (idempotence)."""
    sql, params = select.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    tail = " ON CONFLICT DO NOTHING" if ignore else ""
    # "WHERE true" keeps SQLite's parser from reading ON CONFLICT as part of a join.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({cols}) SELECT * FROM ({sql}) AS src WHERE 1 = 1{tail}",  # noqa: S608 - names from _meta, values bound
            params,
        )
        return cursor.rowcount


def _remind(orders: QuerySet[Order], kind: str, text: str, now: dt.datetime) -> int:
    """One notice per order, due date and recipient (the owner and the member's account), keyed
    so that a second run adds nothing. Returns how many notices were added."""
    columns = ["user_id", "order_id", "kind", "text", "key", "created_at"]
    head, tail = text.split("%(code)s", 1)

    def rows(user: str) -> QuerySet:
        return (
            orders.exclude(**{f"{user}__isnull": True})
            .order_by()
            .annotate(
                n_user=F(user),
                n_kind=Value(kind),
                n_text=Concat(Value(head), "code", Value(tail), output_field=CharField()),
                n_key=Concat(
                    Value(f"{kind}:"),
                    Cast("pk", CharField()),
                    Value(":"),
                    Cast("due_on", CharField()),
                    Value(":"),
                    Cast(F(user), CharField()),
                    output_field=CharField(),
                ),
                n_at=Value(now, output_field=DateTimeField()),
            )
            .values_list("n_user", "pk", "n_kind", "n_text", "n_key", "n_at")
        )

    return sum(
        _insert_from(Notice, columns, rows(user), ignore=True)
        for user in ("owner_id", "assignee_member__person__account")
    )


@transaction.atomic
def orders_flag_overdue(*, now: dt.datetime) -> tuple[int, int]:
    """Flag open orders past their time limit and tell their owner and taker; remind them of
    orders due on the next working day. Returns (newly overdue, reminders added)."""
    today = timezone.localdate(now)
    tomorrow = work_calendar().add_workdays(today, 1)
    open_not_overdue = Order.objects.filter(status__in=OPEN, overdue=False)
    late = open_not_overdue.filter(due_on__lt=today)
    _remind(late, NoticeKind.OVERDUE, _("工单 %(code)s 已超过办结时限"), now)
    newly = late.update(overdue=True)
    due_soon = _remind(
        open_not_overdue.filter(due_on=tomorrow),
        NoticeKind.DUE_SOON,
        _("工单 %(code)s 下一个工作日到期"),
        now,
    )
    return newly, due_soon


def orders_escalate_due(*, now: dt.datetime) -> dict[str, int]:
    """三级会商 cut-offs: on (or after) the month's cut-off day, what a level marked for
    escalation or let run overdue goes up one level. Each (level, month) runs once."""
    today = timezone.localdate(now)
    cal = work_calendar()
    rule = settings.ORDERS_CUTOFF_ON_DAY_OFF
    moved: dict[str, int] = {}
    for from_level, _to_level, day in cutoff_steps():
        if today < cal.cutoff(today.year, today.month, day, on_day_off=rule):
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    run = SweepRun.objects.create(
                        kind=f"cutoff:{from_level}", key=f"{today:%Y-%m}", ran_at=now
                    )
            except IntegrityError:
                continue  # this month's cut-off already ran (here or on another machine)
            run.moved = _escalate(from_level, today=today, cal=cal, now=now)
            run.save(update_fields=["moved"])
        moved[NEXT_LEVEL[from_level]] = run.moved
    return moved


def _escalate(from_level: str, *, today: dt.date, cal: WorkCalendar, now: dt.datetime) -> int:
    """Move every due order of ``from_level`` up one level: one INSERT … SELECT for the events,
    one UPDATE for the orders, in the caller's transaction."""
    to_level = NEXT_LEVEL[from_level]
    due = Order.objects.filter(GOING_UP, status__in=OPEN, level=from_level).order_by()
    if connection.features.has_select_for_update:
        # Lock the rows first (PostgreSQL; SQLite's write lock is already held): a member
        # resolving one of them right now waits, and then finds it moved on.
        sql, params = due.select_for_update().order_by("pk").values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({sql}) AS locked", params)  # noqa: S608
    note = _("%(date)s 会商截止，提交%(level)s") % {
        "date": f"{today:%m月%d日}",
        "level": Level(to_level).label,
    }
    events = due.annotate(
        e_action=Value(Action.ESCALATE),
        e_to_status=Value(Status.SUBMITTED),
        e_from_level=Value(from_level),
        e_to_level=Value(to_level),
        e_label=Value(SYSTEM_ACTOR.label),
        e_at=Value(now, output_field=DateTimeField()),
        e_note=Case(
            When(overdue=True, then=Value(note + _("（超期）"))),
            default=Value(note),
            output_field=CharField(),
        ),
    ).values_list(
        "pk",
        "e_action",
        "status",
        "e_to_status",
        "e_from_level",
        "e_to_level",
        "e_label",
        "e_at",
        "e_note",
    )
    columns = [
        "order_id",
        "action",
        "from_status",
        "to_status",
        "from_level",
        "to_level",
        "actor_label",
        "at",
        "note",
    ]
    count = _insert_from(OrderEvent, columns, events, ignore=False)
    limits = dict(Category.objects.values_list("pk", "time_limit_days"))
    due.update(
        level=to_level,
        status=Status.SUBMITTED,
        owner=None,
        assignee_member=None,
        assignee_team=None,
        escalate_mark=False,
        overdue=False,
        due_on=Case(
            *(
                When(category_id=pk, then=Value(cal.add_workdays(today, n)))
                for pk, n in limits.items()
            ),
            output_field=DateField(),
        ),
        level_entered_at=now,
        updated_at=now,
    )
    return count


def orders_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """The periodic work: overdue flags and reminders, then the monthly cut-offs. Idempotent."""
    now = now or timezone.now()
    overdue, due_soon = orders_flag_overdue(now=now)
    escalated = orders_escalate_due(now=now)
    return SweepResult(overdue=overdue, due_soon=due_soon, escalated=escalated)
