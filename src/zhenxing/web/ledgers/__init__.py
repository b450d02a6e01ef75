"""Pages of the village ledgers (台账), one module per ledger; routes in ``urls``.

``LEDGERS`` lists the ledgers the index page (/ledgers/) shows, as data: each entry names its
page, the roles that see it, a line saying what it is, and a function (a dotted path, imported
when the index is drawn) ``figures(villages, period) -> [(label, value), ...]`` giving the line
of figures for the villages in the person's scope. Add a ledger by adding an entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

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
class LedgerLink:
    label: str
    url_name: str
    roles: frozenset[str]
    description: str = ""
    figures: str = ""  # dotted path of figures(villages, period) -> list[tuple[str, str]]


LEDGERS: tuple[LedgerLink, ...] = (
    LedgerLink(
        _("三色账"),
        "ledgers_books",
        ALL_ROLES,
        _("红账记好人好事，黑账记不良行为，蓝账记重大事项"),
        "zhenxing.web.ledgers.index.books_figures",
    ),
    LedgerLink(
        _("农户评比"),
        "ledgers_ratings",
        ALL_ROLES,
        _("户月评、组季评、村半年评与称号"),
        "zhenxing.web.ledgers.index.ratings_figures",
    ),
    LedgerLink(
        _("党员积分与承诺"),
        "ledgers_points",
        ALL_ROLES,
        _("积分管理、关注名单、一句话承诺"),
        "zhenxing.web.ledgers.index.points_figures",
    ),
    LedgerLink(
        _("组织生活"),
        "ledgers_meetings",
        ALL_ROLES,
        _("“三会一课”、主题党日、微党课的记录与落实情况"),
        "zhenxing.web.ledgers.meetings.index_figures",
    ),
    LedgerLink(
        _("村集体经济"),
        "ledgers_income",
        ALL_ROLES,
        _("各村年度经营性收入、来源与分档"),
        "zhenxing.web.ledgers.income.index_figures",
    ),
    LedgerLink(
        _("三零创建"),
        "ledgers_incidents",
        ALL_ROLES,
        _("越级上访、伤亡事故、刑事案件与三零状态"),
        "zhenxing.web.ledgers.incidents.index_figures",
    ),
    LedgerLink(
        _("人才库和后备干部"),
        "ledgers_talent",
        ALL_ROLES,
        _("人才分类入库，后备干部导师帮带"),
        "zhenxing.web.ledgers.talent.index_figures",
    ),
)
