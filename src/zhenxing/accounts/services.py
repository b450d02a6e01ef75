"""Writes for accounts: users and API tokens."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenxing.accounts.models import (
    AccountAction,
    AccountEvent,
    ApiToken,
    PersonalDataView,
    Role,
    User,
)
from zhenxing.accounts.scoping import Scope
from zhenxing.accounts.selectors import ROLE_LEVELS, assignable_roles, may_manage
from zhenxing.regions.models import Level, Region


@transaction.atomic
def user_create(
    *, username: str, password: str, role: str, scope_region: Region | None, full_name: str = ""
) -> User:
    user = User(username=username, role=Role(role), scope_region=scope_region, first_name=full_name)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def api_token_issue(*, user: User) -> str:
    """Create a bearer token for ``user``; the clear token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=ApiToken.digest_of(token))
    return token


def api_token_user(*, token: str) -> User | None:
    row = (
        ApiToken.objects.select_related("user", "user__scope_region")
        .filter(digest=ApiToken.digest_of(token), user__is_active=True)
        .first()
    )
    if row is None:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user


def personal_data_viewed(*, user: User, what: str) -> None:
    PersonalDataView.objects.create(user=user, what=what[:120])


@transaction.atomic
def deployment_init(*, county_name: str, username: str, password: str) -> User:
    """First run: the root region (the county) and its first county admin, on an empty database.

    Refused when a root region already exists (an initialised deployment, or the demo)."""
    county_name, username = county_name.strip(), username.strip()
    errors: dict[str, list[str]] = {}
    if Region.objects.get_root_nodes().exists():
        errors["county"] = [_("已有根区域（已初始化），不再重复创建")]
    if not county_name:
        errors["county"] = [_("请填写县的名称")]
    user = User(username=username, role=Role.COUNTY_ADMIN)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    county = Region.objects.add_root({"name": county_name, "level": Level.COUNTY})
    admin = user_create(
        username=username, password=password, role=Role.COUNTY_ADMIN, scope_region=county
    )
    AccountEvent.objects.create(
        user=admin,
        actor=None,
        action=AccountAction.INIT,
        changes={"scope_region": [None, county.name], "role": [None, admin.role]},
    )
    return admin


# --- 账号管理: county and township admins manage the accounts of their subtree ---------------

ACCOUNT_FIELDS = ("role", "scope_region", "full_name")


def _checked_role_and_region(
    *, actor: User, scope: Scope, role: str, region: Region | None
) -> dict:
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [_("请选择角色")]
    elif Role(role) not in assignable_roles(actor):
        errors["role"] = [_("不能授予高于您自己的角色")]
    if region is None:
        errors["scope_region"] = [_("请选择管辖区域")]
    elif not scope.covers(region):
        raise PermissionDenied(_("该区域不在您的管辖范围内"))
    elif role in ROLE_LEVELS and region.level not in ROLE_LEVELS[role]:
        errors["scope_region"] = [
            _("“%(role)s”的管辖区域须为%(levels)s")
            % {
                "role": Role(role).label,
                "levels": "或".join(str(Level(v).label) for v in ROLE_LEVELS[role]),
            }
        ]
    return errors


def _require_manager(actor: User) -> None:
    if not may_manage(actor):
        raise PermissionDenied(_("只有县级、乡镇管理员可以管理账号"))


def _event(user: User, actor: User | None, action: str, changes: dict) -> None:
    AccountEvent.objects.create(user=user, actor=actor, action=action, changes=changes)


@transaction.atomic
def account_create(
    *,
    actor: User,
    scope: Scope,
    username: str,
    password: str,
    role: str,
    scope_region: Region | None,
    full_name: str = "",
) -> User:
    _require_manager(actor)
    username, full_name = (username or "").strip(), (full_name or "").strip()
    errors = _checked_role_and_region(actor=actor, scope=scope, role=role, region=scope_region)
    if not username:
        errors["username"] = [_("请填写用户名")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("用户名“%(u)s”已被使用") % {"u": username}]
    user = User(username=username, role=role, scope_region=scope_region, first_name=full_name)
    try:
        validate_password(password or "", user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.full_clean()
    user.save()
    _event(
        user,
        actor,
        AccountAction.CREATE,
        {
            "role": [None, role],
            "scope_region": [None, scope_region.name],
            "full_name": [None, full_name],
        },  # type: ignore[union-attr]
    )
    return user


def _require_below(actor: User, user: User) -> None:
    if Role(user.role) not in assignable_roles(actor):
        raise PermissionDenied(_("不能修改角色高于您的账号"))


@transaction.atomic
def account_update(
    *,
    actor: User,
    scope: Scope,
    user: User,
    role: str | None = None,
    scope_region: Region | None = None,
    full_name: str | None = None,
) -> User:
    """Change an account's role, scope region or name (each change an event row)."""
    _require_manager(actor)
    _require_below(actor, user)
    new_role = user.role if role is None else role
    new_region = user.scope_region if scope_region is None else scope_region
    errors = _checked_role_and_region(actor=actor, scope=scope, role=new_role, region=new_region)
    if user.pk == actor.pk and new_role != user.role:
        errors["role"] = [_("不能修改自己的角色")]
    if errors:
        raise ValidationError(errors)
    changes: dict[str, list] = {}
    if new_role != user.role:
        changes["role"] = [user.role, new_role]
        user.role = new_role
    if new_region != user.scope_region:
        changes["scope_region"] = [
            user.scope_region.name if user.scope_region else None,
            new_region.name,
        ]  # type: ignore[union-attr]
        user.scope_region = new_region
    if full_name is not None and full_name.strip() != user.first_name:
        changes["full_name"] = [user.first_name, full_name.strip()]
        user.first_name = full_name.strip()
    if changes:
        user.full_clean()
        user.save(update_fields=["role", "scope_region", "first_name"])
        _event(user, actor, AccountAction.EDIT, changes)
    return user


@transaction.atomic
def account_set_active(*, actor: User, user: User, active: bool) -> User:
    """停用 / 启用: a disabled account cannot sign in, and its tokens stop working."""
    _require_manager(actor)
    _require_below(actor, user)
    if user.pk == actor.pk:
        raise ValidationError({"active": _("不能停用自己的账号")})
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            ApiToken.objects.filter(user=user).delete()
        _event(
            user,
            actor,
            AccountAction.ENABLE if active else AccountAction.DISABLE,
            {"is_active": [not active, active]},
        )
    return user


@transaction.atomic
def account_password_reset(*, actor: User, user: User, password: str) -> User:
    """重置密码: Django's validators; the account's tokens are revoked."""
    _require_manager(actor)
    _require_below(actor, user)
    try:
        validate_password(password or "", user)
    except ValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    ApiToken.objects.filter(user=user).delete()
    _event(user, actor, AccountAction.RESET_PASSWORD, {})
    return user
