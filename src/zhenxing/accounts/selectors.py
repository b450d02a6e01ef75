"""Reads for 账号管理: the accounts a manager may see and the roles they may give."""

from __future__ import annotations

from django.db.models import QuerySet

from zhenxing.accounts.models import AccountEvent, Role, User
from zhenxing.accounts.scoping import Scope, visible
from zhenxing.regions.models import Level

# Highest first: a manager gives roles no higher than their own.
RANK = [
    Role.COUNTY_ADMIN,
    Role.TOWNSHIP_ADMIN,
    Role.DISTRICT_LEADER,
    Role.VILLAGE_SECRETARY,
    Role.GRID_MEMBER,
    Role.VIEWER,
]
MANAGERS = frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP_ADMIN})
# The level of region each role's scope sits at (a viewer may sit anywhere).
ROLE_LEVELS: dict[str, tuple[str, ...]] = {
    Role.COUNTY_ADMIN: (Level.COUNTY,),
    Role.TOWNSHIP_ADMIN: (Level.TOWNSHIP,),
    Role.DISTRICT_LEADER: (Level.DISTRICT,),
    Role.VILLAGE_SECRETARY: (Level.VILLAGE, Level.COMMUNITY),
    Role.GRID_MEMBER: (Level.VILLAGE, Level.COMMUNITY),
}


def may_manage(user: User) -> bool:
    return user.is_superuser or user.role in MANAGERS


def assignable_roles(user: User) -> list[Role]:
    """Roles ``user`` may give: their own and those below it."""
    if user.is_superuser:
        return list(RANK)
    if user.role not in MANAGERS:
        return []
    return RANK[RANK.index(Role(user.role)) :]


def accounts(scope: Scope) -> QuerySet[User]:
    """The accounts whose scope lies inside ``scope`` (the manager's own included)."""
    return visible(User.objects.select_related("scope_region"), scope).order_by(
        "scope_region__path", "username"
    )


def account_events(user: User) -> QuerySet[AccountEvent]:
    return user.account_events.select_related("actor").order_by("at", "pk")
