"""The navigation shell: each role sees only what it may use."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

ADMIN_ROLES = frozenset({"county_admin", "township_admin", "village_secretary"})
ALL_ROLES = frozenset(
    {
        "county_admin",
        "township_admin",
        "district_leader",
        "village_secretary",
        "grid_member",
        "viewer",
    }
)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]


NAV: tuple[NavItem, ...] = (
    NavItem(_("区域概览"), "home", ALL_ROLES),
    NavItem(_("花名册导入导出"), "rosters", ADMIN_ROLES),
)


def items_for(role: str, *, is_superuser: bool = False) -> list[NavItem]:
    return [item for item in NAV if is_superuser or role in item.roles]
