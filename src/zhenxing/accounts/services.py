"""Writes for accounts: users and API tokens."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from zhenxing.accounts.models import ApiToken, PersonalDataView, Role, User
from zhenxing.regions.models import Region


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
