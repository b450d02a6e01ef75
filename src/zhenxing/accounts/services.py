"""Writes for accounts: users and API tokens."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
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
