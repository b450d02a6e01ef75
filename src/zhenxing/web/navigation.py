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
    badge: str = ""  # a count shown next to the label: an attribute of context_processors.NavCounts


NAV: tuple[NavItem, ...] = (
    NavItem(_("区域概览"), "home", ALL_ROLES),
    NavItem(_("待办"), "orders_todo", ALL_ROLES - {"viewer"}, badge="todo"),
    NavItem(_("全部工单"), "orders_list", ALL_ROLES),
    NavItem(_("提醒"), "notices", ALL_ROLES, badge="notices"),
    NavItem(_("花名册导入导出"), "rosters", ADMIN_ROLES),
    NavItem(_("村级台账"), "ledgers", ALL_ROLES),
    NavItem(_("五星支部"), "stars", ALL_ROLES),
    NavItem(
        _("创星申报"),
        "star_applications",
        frozenset({"county_admin", "township_admin", "district_leader", "village_secretary"}),
    ),
    NavItem(_("创星结果"), "star_results", ALL_ROLES),
    NavItem(
        _("创星推进"),
        "stars_rhythm",
        frozenset({"county_admin", "township_admin", "district_leader", "village_secretary"}),
    ),
    NavItem(
        _("网格联户"),
        "grids_home",
        frozenset({"county_admin", "township_admin", "district_leader", "village_secretary"}),
    ),
    NavItem(_("走访"), "grids_visit_new", frozenset({"grid_member", "village_secretary"})),
    NavItem(
        _("民情碰头会"),
        "meetings",
        frozenset({"village_secretary", "township_admin", "county_admin", "district_leader"}),
    ),
    NavItem(_("经验材料核数"), "report_checks", frozenset({"county_admin", "township_admin"})),
    NavItem(_("系统设置"), "categories", frozenset({"county_admin"})),
    NavItem(_("系统设置"), "accounts", frozenset({"township_admin"})),
)


def items_for(role: str, *, is_superuser: bool = False) -> list[NavItem]:
    return [item for item in NAV if is_superuser or role in item.roles]
