"""Reads of the talent pool and reserve cadres, counts per township and the metrics
``talent_count`` and ``reserve_cadres``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenxing.accounts.scoping import Scope, home_region, visible
from zhenxing.core.periods import Period
from zhenxing.ledgers.exports import DATE, NUMBER, WRAP, Column, Sheet
from zhenxing.ledgers.models.talent import ReserveCadre, Talent, TalentCategory
from zhenxing.ledgers.selectors._village import Villages, fmt_day, village_ids
from zhenxing.regions.models import Level, Region, Resident


def _counts(
    model: type[Talent] | type[ReserveCadre], villages: Villages, period: Period
) -> dict[int, int]:
    ids, among = village_ids(villages)
    rows = (
        model.objects.counting()
        .filter(village__in=among, since__lte=period.end)
        .values("village_id")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    found = {row["village_id"]: row["n"] for row in rows}
    return {vid: found.get(vid, 0) for vid in ids}


def talent_count(villages: Villages, period: Period) -> dict[int, int]:
    """Metric: people in the village's talent pool at the end of the period (current entries
    dated on or before it, each person once whatever their categories)."""
    return _counts(Talent, villages, period)


def reserve_cadres(villages: Villages, period: Period) -> dict[int, int]:
    """Metric: the village's reserve cadres (后备干部) at the end of the period."""
    return _counts(ReserveCadre, villages, period)


def talents(
    scope: Scope, *, village: Region | None = None, category_id: int | None = None
) -> QuerySet[Talent]:
    qs = visible(Talent.objects.current(), scope)
    if village is not None:  # a village, or any region: everything under it
        qs = qs.filter(village__path__startswith=village.path)
    if category_id:
        qs = qs.filter(category_id=category_id)
    return qs.select_related("village", "person", "category", "recorded_by").order_by(
        "village__path", "category__sort", "-since", "-pk"
    )


def reserve_list(scope: Scope, *, village: Region | None = None) -> QuerySet[ReserveCadre]:
    qs = visible(ReserveCadre.objects.current(), scope)
    if village is not None:  # a village, or any region: everything under it
        qs = qs.filter(village__path__startswith=village.path)
    return qs.select_related("village", "person", "mentor", "recorded_by").order_by(
        "village__path", "-since", "-pk"
    )


@dataclass
class TownshipTalent:
    township: Region
    by_category: dict[int, int] = field(default_factory=dict)
    talents: int = 0
    reserve: int = 0


def counts_by_township(
    scope: Scope, region: Region
) -> tuple[list[TalentCategory], list[TownshipTalent]]:
    """Per township under ``region``: people in the pool per category, and reserve cadres
    (four queries whatever the number of villages)."""
    categories = list(TalentCategory.objects.order_by("sort", "pk"))
    townships = [
        t
        for t in visible(Region.objects.filter(level=Level.TOWNSHIP), scope).order_by("path")
        if t.path.startswith(region.path) or region.path.startswith(t.path)
    ]
    out = {t.path: TownshipTalent(township=t) for t in townships}
    cut = len(townships[0].path) if townships else 0

    def bucket(path: str) -> TownshipTalent | None:
        return out.get(path[:cut])

    pool = (
        visible(Talent.objects.counting(), scope)
        .filter(village__path__startswith=region.path)
        .values("village__path", "category_id")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    for row in pool:
        if (b := bucket(row["village__path"])) is not None:
            b.by_category[row["category_id"]] = b.by_category.get(row["category_id"], 0) + row["n"]
            b.talents += row["n"]
    reserve = (
        visible(ReserveCadre.objects.counting(), scope)
        .filter(village__path__startswith=region.path)
        .values("village__path")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    for row in reserve:
        if (b := bucket(row["village__path"])) is not None:
            b.reserve += row["n"]
    return categories, list(out.values())


# --- the tables and the Excel layout of the pages and the API ------------------------------------


def _age(person: Resident, today: dt.date) -> int:
    return person.age_on(today)


def export_sheets(scope: Scope, village: Region | None) -> tuple[list[Sheet], str]:
    """The workbook: the pool, the reserve cadres, and the counts per township."""
    region = village or home_region(scope)
    where = village.name if village else region.name
    today = timezone.localdate()
    categories, townships = counts_by_township(scope, region)
    pool = talents(scope, village=village).filter(voided=False)
    reserve = reserve_list(scope, village=village).filter(voided=False)
    sheets = [
        Sheet(
            _("人才库"),
            [
                Column(_("序号"), 6, NUMBER),
                Column(_("村（社区）"), 12),
                Column(_("姓名"), 10),
                Column(_("性别"), 6),
                Column(_("年龄"), 6, NUMBER),
                Column(_("人才类别"), 14),
                Column(_("入库日期"), 12, DATE),
                Column(_("专长与事迹"), 40, WRAP),
            ],
            [
                [
                    i,
                    e.village.name,
                    e.person.name,
                    e.person.get_sex_display(),
                    _age(e.person, today),
                    e.category.name,
                    e.since,
                    e.strengths,
                ]
                for i, e in enumerate(pool, start=1)
            ],
            title=_("%(w)s人才库花名册") % {"w": where},
            subtitle=_("截至 %(d)s") % {"d": fmt_day(today)},
        ),
        Sheet(
            _("后备干部"),
            [
                Column(_("序号"), 6, NUMBER),
                Column(_("村（社区）"), 12),
                Column(_("姓名"), 10),
                Column(_("年龄"), 6, NUMBER),
                Column(_("帮带导师"), 10),
                Column(_("岗位锻炼"), 22, WRAP),
                Column(_("确定日期"), 12, DATE),
            ],
            [
                [
                    i,
                    e.village.name,
                    e.person.name,
                    _age(e.person, today),
                    e.mentor.name,
                    e.assignment,
                    e.since,
                ]
                for i, e in enumerate(reserve, start=1)
            ],
            title=_("%(w)s村级后备干部名册") % {"w": where},
            subtitle=_("截至 %(d)s") % {"d": fmt_day(today)},
        ),
        Sheet(
            _("分乡镇统计"),
            [
                Column(_("乡镇"), 14),
                *(Column(c.name, 11, NUMBER) for c in categories),
                Column(_("人才合计"), 10, NUMBER),
                Column(_("后备干部"), 10, NUMBER),
            ],
            [
                [
                    t.township.name,
                    *(t.by_category.get(c.pk, 0) for c in categories),
                    t.talents,
                    t.reserve,
                ]
                for t in townships
            ],
            title=_("人才库和后备干部分乡镇统计"),
            subtitle=_("人才合计按人次计（一人多类分别计入）"),
        ),
    ]
    return sheets, where
