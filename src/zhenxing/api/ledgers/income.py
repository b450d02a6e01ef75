"""/api/v1/ledgers/income: collective income (see the page ``web.ledgers.income``); the same
services and selectors. Amounts are yuan (strings or numbers with two decimals); tiers in 万元."""

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhenxing.accounts.scoping import get_visible_or_404, home_region
from zhenxing.api.ledgers import common
from zhenxing.ledgers.exports import export_bytes, export_filename
from zhenxing.ledgers.models.income import IncomeEntry, IncomeSource
from zhenxing.ledgers.selectors import income as selectors
from zhenxing.ledgers.services import income as services

router = Router(tags=["ledgers"])


class IncomeFilter(Schema):
    year: int | None = Field(None, description="年度，默认上一年")
    village_id: int | None = Field(None, description="只看该村（社区）或该区域以下")
    source_id: int | None = None


def _year(year: int | None) -> int:
    return year or timezone.localdate().year - 1


class IncomeEntryOut(common.Recorded):
    id: int
    village_id: int
    village_name: str
    year: int
    source_id: int
    source_name: str
    amount: Decimal = Field(description="金额（元）")
    note: str
    voided: bool
    supersedes_id: int | None
    recorded_by: str
    recorded_at: dt.datetime
    reason: str

    @staticmethod
    def resolve_source_name(obj: IncomeEntry) -> str:
        return obj.source.name


class IncomeEntryDetailOut(IncomeEntryOut):
    history: list[common.VersionOut]


class IncomeIn(Schema):
    village_id: int
    year: int
    source_id: int
    amount: Decimal = Field(description="金额（元），不能为负数")
    note: str = ""


class IncomeCorrectionIn(common.CorrectionIn):
    year: int | None = None
    source_id: int | None = None
    amount: Decimal | None = None
    note: str | None = None


class VillageIncomeOut(Schema):
    village_id: int
    village_name: str
    collective_income: Decimal = Field(description="经营性收入合计（元）")
    income_tier: str | None = Field(description="档次名称")
    income_tier_min_wan: Decimal | None = Field(description="档次下限（万元）")


class TierCountOut(Schema):
    tier: str
    min_wan: Decimal
    villages: int = Field(description="该档村数")
    at_least: int = Field(description="达到该档下限及以上的村数")


class TownshipTiersOut(Schema):
    township_id: int
    township_name: str
    villages: int
    total: Decimal = Field(description="合计（元）")
    tiers: list[TierCountOut]


def _entry(request: HttpRequest, income_entry_id: int) -> IncomeEntry:
    qs = IncomeEntry.objects.select_related("village", "source", "recorded_by")
    return get_visible_or_404(qs, common.scope_of(request), pk=income_entry_id)


def _source(source_id: int | None) -> IncomeSource:
    source = IncomeSource.objects.filter(pk=source_id).first() if source_id else None
    if source is None:
        raise common.invalid("source_id", _("请选择收入来源"))
    return source


class IncomeSourceOut(Schema):
    id: int
    name: str


@router.get(
    "/income/sources",
    response=list[IncomeSourceOut],
    summary="村集体经济：收入来源（登记收入时的 source_id）",
)
def income_sources(request: HttpRequest) -> QuerySet[IncomeSource]:
    return selectors.sources()


@router.get("/income", response=list[IncomeEntryOut], summary="村集体经济：收入明细（当前）")
@paginate
def income_list(request: HttpRequest, filters: Query[IncomeFilter]) -> QuerySet[IncomeEntry]:
    return selectors.income_entries(
        common.scope_of(request),
        year=_year(filters.year),
        village=common.region_of(request, filters.village_id),
        source_id=filters.source_id,
    )


@router.get(
    "/income/metrics",
    response=list[VillageIncomeOut],
    summary="村集体经济指标（每村）：collective_income、income_tier",
)
def income_metrics(request: HttpRequest, filters: Query[IncomeFilter]) -> list[dict]:
    villages = common.villages_for(request, filters.village_id).order_by("path")
    year = _year(filters.year)
    totals = selectors.collective_income(villages, year)
    bands = selectors.tiers()
    return [
        {
            "village_id": pk,
            "village_name": name,
            "collective_income": totals[pk],
            "income_tier": (tier := selectors.tier_for(totals[pk], bands)) and tier.name,
            "income_tier_min_wan": tier.min_wan if tier else None,
        }
        for pk, name in villages.values_list("pk", "name")
    ]


@router.get(
    "/income/tiers", response=list[TownshipTiersOut], summary="村集体经济分档统计（每乡镇）"
)
def income_tiers(request: HttpRequest, filters: Query[IncomeFilter]) -> list[dict]:
    scope = common.scope_of(request)
    region = common.region_of(request, filters.village_id) or home_region(scope)
    bands, townships = selectors.tier_counts(scope, _year(filters.year), region)
    return [
        {
            "township_id": t.township.pk,
            "township_name": t.township.name,
            "villages": t.villages,
            "total": t.total,
            "tiers": [
                {
                    "tier": b.name,
                    "min_wan": b.min_wan,
                    "villages": t.bands.get(b.pk, 0),
                    "at_least": t.at_least.get(b.pk, 0),
                }
                for b in bands
            ],
        }
        for t in townships
    ]


@router.get("/income/export", summary="村集体经济导出 Excel")
def income_export(request: HttpRequest, filters: Query[IncomeFilter]) -> HttpResponse:

    year = _year(filters.year)
    sheets, where = selectors.export_sheets(
        common.scope_of(request), year, common.region_of(request, filters.village_id)
    )
    return common.xlsx(export_bytes(*sheets), export_filename(where, _("集体经济"), str(year)))


@router.post(
    "/income", response={201: IncomeEntryDetailOut, **common.ERRORS}, summary="村集体经济：登记收入"
)
def income_add(request: HttpRequest, payload: IncomeIn) -> Status:
    village = common.village_of(request, payload.village_id)
    return common.saved(
        request,
        _entry,
        services.income_record,
        rename={"village": "village_id", "source": "source_id"},
        scope=common.scope_of(request),
        village=village,
        year=payload.year,
        source=_source(payload.source_id),
        amount=payload.amount,
        note=payload.note,
    )


common.entry_routes(
    router,
    "/income",
    param="income_entry_id",
    out=IncomeEntryDetailOut,
    fetch=_entry,
    detail_summary="村集体经济：一条记录及其历史",
    void_service=services.income_correct,
    void_summary="村集体经济：作废",
    entry_arg="entry",
    scoped=True,
)


@router.post(
    "/income/{int:income_entry_id}/correct",
    response={201: IncomeEntryDetailOut, **common.ERRORS},
    summary="村集体经济：更正（新增一条更正记录）",
)
def income_correct(
    request: HttpRequest, income_entry_id: int, payload: IncomeCorrectionIn
) -> Status:
    entry = _entry(request, income_entry_id)
    changes = common.sent(payload, ("year", "amount", "note"))
    if "source_id" in payload.model_fields_set:
        changes["source"] = _source(payload.source_id)
    return common.saved(
        request,
        _entry,
        services.income_correct,
        rename={"source": "source_id"},
        scope=common.scope_of(request),
        entry=entry,
        reason=payload.reason,
        **changes,
    )
