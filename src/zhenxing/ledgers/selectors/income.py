"""Reads of collective income: entries, per-village totals and tiers, and counts per township and
tier like the seeds report them ("13 villages above 20万"). Metrics ``collective_income`` and
``income_tier``."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from zhenxing.accounts.scoping import Scope, home_region, visible
from zhenxing.core.periods import Period
from zhenxing.ledgers.exports import DECIMAL, NUMBER, WRAP, Column, Sheet
from zhenxing.ledgers.models.income import IncomeEntry, IncomeSource, IncomeTier
from zhenxing.ledgers.selectors._village import Villages, village_ids
from zhenxing.regions.models import VILLAGE_LEVELS, Level, Region

WAN = Decimal(10_000)
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def wan(amount: Decimal | None) -> str:
    """12.5万元: yuan shown in 万元 the way an office writes it (two decimals at most)."""
    if amount is None:
        return "—"
    value = (Decimal(amount) / WAN).quantize(Decimal("0.01"))
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return _("%(n)s万元") % {"n": text}


def tier_for(amount: Decimal, tiers: list[IncomeTier]) -> IncomeTier | None:
    """The highest tier whose floor (万元) the amount reaches; ``tiers`` ordered by floor."""
    found = None
    for tier in tiers:
        if amount >= tier.min_wan * WAN:
            found = tier
    return found


def sources() -> QuerySet[IncomeSource]:
    """The income sources a village may record against (the 收入来源 choices of the page)."""
    return IncomeSource.objects.filter(active=True).order_by("sort", "pk")


def tiers() -> list[IncomeTier]:
    return list(IncomeTier.objects.order_by("min_wan"))


def year_of(period: Period | int) -> int:
    """Income is yearly: a period counts as the year it ends in."""
    return period.end.year if isinstance(period, Period) else int(period)


def collective_income(villages: Villages, period: Period | int) -> dict[int, Decimal]:
    """Metric: the village's collective operating income in the year (a year, or the year a
    period ends in; yuan, Decimal), the sum of its current entries over all sources; 0 if none."""
    year = year_of(period)
    ids, among = village_ids(villages)
    rows = (
        IncomeEntry.objects.counting()
        .filter(village__in=among, year=year)
        .values("village_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    totals = {row["village_id"]: row["total"] for row in rows}
    return {vid: Decimal(totals.get(vid) or 0).quantize(CENT) for vid in ids}


def income_tier(villages: Villages, period: Period | int) -> dict[int, IncomeTier | None]:
    """Metric: the income tier (setting, in 万元) the village's ``collective_income`` reaches."""
    bands = tiers()
    totals = collective_income(villages, period)
    return {vid: tier_for(amount, bands) for vid, amount in totals.items()}


def income_entries(
    scope: Scope, *, year: int, village: Region | None = None, source_id: int | None = None
) -> QuerySet[IncomeEntry]:
    qs = visible(IncomeEntry.objects.current(), scope).filter(year=year)
    if village is not None:  # a village, or any region: everything under it
        qs = qs.filter(village__path__startswith=village.path)
    if source_id:
        qs = qs.filter(source_id=source_id)
    return qs.select_related("village", "source", "recorded_by").order_by(
        "village__path", "source__sort", "-pk"
    )


def _totals_qs(villages: QuerySet[Region], year: int) -> QuerySet[Region]:
    total = (
        IncomeEntry.objects.counting()
        .filter(village=OuterRef("pk"), year=year)
        .values("village")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return villages.annotate(
        total=Coalesce(
            Subquery(total, output_field=DecimalField(max_digits=16, decimal_places=2)),
            Value(ZERO),
            output_field=DecimalField(max_digits=16, decimal_places=2),
        )
    )


@dataclass
class TownshipTiers:
    township: Region
    villages: int = 0
    bands: dict[int, int] = field(default_factory=dict)  # tier pk → villages in that band
    at_least: dict[int, int] = field(default_factory=dict)  # tier pk → villages at or above
    total: Decimal = ZERO


def tier_counts(
    scope: Scope, year: int, region: Region
) -> tuple[list[IncomeTier], list[TownshipTiers]]:
    """Per township under ``region``: villages per income band and at or above each floor
    (three queries: the tiers, the townships, the villages with their totals)."""
    bands = tiers()
    townships = [
        t
        for t in visible(Region.objects.filter(level=Level.TOWNSHIP), scope).order_by("path")
        if t.path.startswith(region.path) or region.path.startswith(t.path)
    ]
    out = {t.path: TownshipTiers(township=t) for t in townships}
    villages = _totals_qs(
        visible(Region.objects.filter(level__in=VILLAGE_LEVELS), scope).filter(
            path__startswith=region.path
        ),
        year,
    ).values_list("path", "total")
    for path, total in villages:
        row = next((r for p, r in out.items() if path.startswith(p)), None)
        if row is None:
            continue
        row.villages += 1
        row.total += total
        tier = tier_for(total, bands)
        if tier is not None:
            row.bands[tier.pk] = row.bands.get(tier.pk, 0) + 1
            for t in bands:
                if t.min_wan <= tier.min_wan:
                    row.at_least[t.pk] = row.at_least.get(t.pk, 0) + 1
    return bands, list(out.values())


@dataclass
class VillageIncome:
    village: Region
    total: Decimal
    tier: IncomeTier | None


def village_totals(scope: Scope, year: int, region: Region) -> list[VillageIncome]:
    """Each visible village under ``region`` with its total and tier, highest first."""
    bands = tiers()
    villages = _totals_qs(
        visible(Region.objects.filter(level__in=VILLAGE_LEVELS), scope).filter(
            path__startswith=region.path
        ),
        year,
    )
    rows = [VillageIncome(v, v.total, tier_for(v.total, bands)) for v in villages]
    return sorted(rows, key=lambda r: (-r.total, r.village.path))


# --- the tables and the Excel layout of the pages and the API ------------------------------------


def export_sheets(scope: Scope, year: int, village: Region | None) -> tuple[list[Sheet], str]:
    """The workbook of a year: villages with totals and tiers, counts per tier, the entries."""
    region = village or home_region(scope)
    where = village.name if village else region.name
    tiers, townships = tier_counts(scope, year, region)
    totals = village_totals(scope, year, region)
    entries = income_entries(scope, year=year, village=village)
    sheets = [
        Sheet(
            _("各村收入"),
            [
                Column(_("序号"), 6, NUMBER),
                Column(_("村（社区）"), 14),
                Column(_("经营性收入（万元）"), 16, DECIMAL),
                Column(_("档次"), 20),
            ],
            [
                [i, r.village.name, r.total / WAN, r.tier.name if r.tier else ""]
                for i, r in enumerate(totals, start=1)
            ],
            title=_("%(w)s%(y)s年村级集体经济收入情况") % {"w": where, "y": year},
            subtitle=_("按收入由高到低排列"),
        ),
        Sheet(
            _("分档统计"),
            [
                Column(_("乡镇"), 14),
                Column(_("村（社区）数"), 10, NUMBER),
                *(Column(_("%(t)s") % {"t": t.name}, 14, NUMBER) for t in tiers),
                *(Column(_("≥%(n)s万元") % {"n": f"{t.min_wan:g}"}, 10, NUMBER) for t in tiers[1:]),
                Column(_("合计（万元）"), 12, DECIMAL),
            ],
            [
                [
                    t.township.name,
                    t.villages,
                    *(t.bands.get(tier.pk, 0) for tier in tiers),
                    *(t.at_least.get(tier.pk, 0) for tier in tiers[1:]),
                    t.total / WAN,
                ]
                for t in townships
            ],
            title=_("%(y)s年村级集体经济收入分档统计") % {"y": year},
        ),
        Sheet(
            _("收入明细"),
            [
                Column(_("序号"), 6, NUMBER),
                Column(_("村（社区）"), 14),
                Column(_("收入来源"), 12),
                Column(_("金额（元）"), 14, DECIMAL),
                Column(_("说明"), 30, WRAP),
                Column(_("记录人"), 10),
                Column(_("状态"), 8),
            ],
            [
                [
                    i,
                    e.village.name,
                    e.source.name,
                    e.amount,
                    e.note,
                    e.recorded_by.get_full_name() or e.recorded_by.username,
                    _("已作废") if e.voided else (_("已更正") if e.supersedes_id else ""),
                ]
                for i, e in enumerate(entries, start=1)
            ],
            title=_("%(w)s%(y)s年集体经济收入明细") % {"w": where, "y": year},
        ),
    ]
    return sheets, where
