"""/api/v1/accounts: the twin of 系统设置 → 账号管理. County and township admins create, edit,
disable, enable and reset the accounts inside their scope, with roles no higher than their own;
an account outside the scope answers 404 like a missing one, a role above the caller's 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from zhenxing.accounts import selectors, services
from zhenxing.accounts.models import AccountEvent, Role, User
from zhenxing.accounts.scoping import Scope, get_visible_or_404
from zhenxing.api.orders import ERRORS, service_errors
from zhenxing.regions.models import Region

router = Router(tags=["accounts"])
RENAME = {"scope_region": "scope_region_id", "full_name": "full_name"}


class AccountOut(Schema):
    id: int
    username: str
    full_name: str = Field(description="姓名")
    role: str = Field(description=f"角色：{'、'.join(f'{r.value}（{r.label}）' for r in Role)}")
    role_label: str
    scope_region_id: int | None
    scope_region_name: str
    is_active: bool = Field(description="false：已停用，不能登录，令牌失效")
    last_login: dt.datetime | None

    @staticmethod
    def resolve_full_name(obj: User) -> str:
        return obj.first_name

    @staticmethod
    def resolve_role_label(obj: User) -> str:
        return obj.get_role_display()

    @staticmethod
    def resolve_scope_region_name(obj: User) -> str:
        return obj.scope_region.name if obj.scope_region else ""


class AccountEventOut(Schema):
    action: str
    action_label: str
    actor: str = Field(description="操作人用户名；首次运行（zhenxing init）为空")
    at: dt.datetime
    changes: dict[str, Any] = Field(description="{字段: [原值, 新值]}；从不含密码")

    @staticmethod
    def resolve_action_label(obj: AccountEvent) -> str:
        return obj.get_action_display()

    @staticmethod
    def resolve_actor(obj: AccountEvent) -> str:
        return obj.actor.username if obj.actor else ""


class AccountDetailOut(AccountOut):
    events: list[AccountEventOut]

    @staticmethod
    def resolve_events(obj: User) -> list[AccountEvent]:
        return list(selectors.account_events(obj))


class AccountIn(Schema):
    username: str
    password: str = Field(
        description="须通过密码规则：至少 8 位、不能过于常见、不能全是数字、不能与用户名相近"
    )
    role: str
    scope_region_id: int
    full_name: str = ""


class AccountEditIn(Schema):
    role: str | None = None
    scope_region_id: int | None = None
    full_name: str | None = None


class PasswordIn(Schema):
    password: str


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined, no-any-return]


def _manager(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not selectors.may_manage(user):
        raise HttpError(403, _("只有县级、乡镇管理员可以管理账号"))
    return user


def _account(request: HttpRequest, account_id: int) -> User:
    return get_visible_or_404(
        User.objects.select_related("scope_region"), _scope(request), pk=account_id
    )


def _region(request: HttpRequest, region_id: int | None) -> Region | None:
    return None if region_id is None else get_visible_or_404(Region, _scope(request), pk=region_id)


@router.get("", response={200: list[AccountOut], **ERRORS}, summary="账号管理：管辖范围内的账号")
@paginate
def account_list(request: HttpRequest) -> QuerySet[User]:
    _manager(request)
    return selectors.accounts(_scope(request))


@router.get("/roles", response={200: list[str], **ERRORS}, summary="调用者可以授予的角色")
def role_list(request: HttpRequest) -> list[str]:
    return [str(r.value) for r in selectors.assignable_roles(_manager(request))]


@router.post("", response={201: AccountDetailOut, **ERRORS}, summary="开设账号")
def account_create(request: HttpRequest, payload: AccountIn) -> Status[User]:
    actor = _manager(request)
    region = _region(request, payload.scope_region_id)
    with service_errors(**RENAME):
        user = services.account_create(
            actor=actor,
            scope=_scope(request),
            username=payload.username,
            password=payload.password,
            role=payload.role,
            scope_region=region,
            full_name=payload.full_name,
        )
    return Status(201, user)


@router.get(
    "/{int:account_id}", response={200: AccountDetailOut, **ERRORS}, summary="账号及其变更记录"
)
def account_detail(request: HttpRequest, account_id: int) -> User:
    _manager(request)
    return _account(request, account_id)


@router.post(
    "/{int:account_id}",
    response={200: AccountDetailOut, **ERRORS},
    summary="修改角色、管辖区域或姓名",
)
def account_edit(request: HttpRequest, account_id: int, payload: AccountEditIn) -> User:
    actor = _manager(request)
    user = _account(request, account_id)
    with service_errors(**RENAME):
        return services.account_update(
            actor=actor,
            scope=_scope(request),
            user=user,
            role=payload.role,
            scope_region=_region(request, payload.scope_region_id),
            full_name=payload.full_name,
        )


@router.post(
    "/{int:account_id}/disable",
    response={200: AccountDetailOut, **ERRORS},
    summary="停用账号（令牌一并失效）",
)
def account_disable(request: HttpRequest, account_id: int) -> User:
    actor = _manager(request)
    with service_errors():
        return services.account_set_active(
            actor=actor, user=_account(request, account_id), active=False
        )


@router.post(
    "/{int:account_id}/enable", response={200: AccountDetailOut, **ERRORS}, summary="启用账号"
)
def account_enable(request: HttpRequest, account_id: int) -> User:
    actor = _manager(request)
    with service_errors():
        return services.account_set_active(
            actor=actor, user=_account(request, account_id), active=True
        )


@router.post(
    "/{int:account_id}/reset-password",
    response={200: AccountDetailOut, **ERRORS},
    summary="重置密码（令牌一并失效）",
)
def account_reset(request: HttpRequest, account_id: int, payload: PasswordIn) -> User:
    actor = _manager(request)
    with service_errors():
        return services.account_password_reset(
            actor=actor, user=_account(request, account_id), password=payload.password
        )
