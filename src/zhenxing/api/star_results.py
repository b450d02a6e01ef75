"""/api/v1/stars/results: the API twins of the star results pages (创星结果): a region's star
distribution by child region for a year, its villages' results, and the Word notice (通报) for the
county organisation department. Out of scope answers 404 like not found; the notice answers 403
to other roles."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from zhenxing.accounts.scoping import Scope, get_visible_or_404
from zhenxing.api.orders import ERRORS, invalid
from zhenxing.regions.models import Region
from zhenxing.stars import selectors
from zhenxing.stars.notice import notice_docx

router = Router(tags=["stars"])
ISSUERS = frozenset({"county_admin"})
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined,no-any-return]


class YearIn(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度；缺省为有结果的最近一年")


def _year(region: Region, year: int | None) -> tuple[int, list[int]]:
    years = selectors.result_years(region)
    return (year if year is not None else selectors.default_year(region, years)), years


class DistributionOut(Schema):
    villages: int = Field(description="已公布结果的村（社区）数")
    unrated: int = Field(description="尚未公布结果的村（社区）数")
    counts: dict[str, int] = Field(description="星数 → 村数（0 至 5）")
    three_or_more: float | None = Field(description="三星及以上占比（%），无结果时为空")


class ChildDistributionOut(DistributionOut):
    region_id: int
    name: str


class EstimateOut(Schema):
    figure: str = Field(description="“测评”：按标准用平台数据计算的估算，不是评定结果")
    run_id: int
    at: dt.datetime = Field(description="测算时间")
    standard: str
    villages: int = Field(description="测评村（社区）数")
    counts: dict[str, int] = Field(description="达标星数 → 村数（0 至 5）")
    three_or_more: float | None = Field(description="达标三星及以上占比（%，测评）")


class RegionDistributionOut(Schema):
    figure: str = Field(
        description="“评定结果”：已公示和已认定的创星申报，星数为现持有的星（已摘的星不计）"
    )
    region_id: int
    name: str
    year: int
    years: list[int]
    total: DistributionOut
    children: list[ChildDistributionOut]
    estimate: EstimateOut | None = Field(
        description="该年度尚无评定结果时，附上测评估算（标明“测评”）；有评定结果时为空"
    )


@router.get(
    "/regions/{int:region_id}",
    response={200: RegionDistributionOut, **ERRORS},
    summary="创星结果：星级分布（本级及各下级区域）",
)
def distribution(request: HttpRequest, region_id: int, query: Query[YearIn]) -> dict[str, Any]:
    region = get_visible_or_404(Region, _scope(request), pk=region_id)
    year, years = _year(region, query.year)
    result = selectors.result_distribution(region, year)
    estimate = None if result.total.villages else selectors.estimate(region, year)
    return {
        "figure": str(selectors.RESULT),
        "estimate": estimate.as_dict() if estimate else None,
        "region_id": region.pk,
        "name": region.name,
        "year": year,
        "years": years,
        "total": result.total.as_dict(),
        "children": [
            {"region_id": child.pk, "name": child.name, **dist.as_dict()}
            for child, dist in result.children
        ],
    }


class HeldStarOut(Schema):
    code: str
    name: str


class VillageResultOut(Schema):
    village_id: int
    name: str
    stars: int = Field(description="现持有的星数（已摘的星不计）")
    held: list[HeldStarOut]
    state: str = Field(description="published（公示中）或 final（已认定）")


@router.get(
    "/regions/{int:region_id}/villages",
    response={200: list[VillageResultOut], **ERRORS},
    summary="创星结果：各村（社区）所获星",
)
def villages(request: HttpRequest, region_id: int, query: Query[YearIn]) -> list[dict[str, Any]]:
    region = get_visible_or_404(Region, _scope(request), pk=region_id)
    year, _years = _year(region, query.year)
    return [
        {
            "village_id": r.village.pk,
            "name": r.village.name,
            "stars": r.held,
            "held": [{"code": s.code, "name": s.name} for s in r.stars],
            "state": r.application.state,
        }
        for r in selectors.village_results(region, year)
    ]


class NoticeIn(YearIn):
    prefix: str = Field(
        "县组通", pattern=r"^[\u4e00-\u9fff]{1,8}$", description="发文字号的机关代字"
    )
    number: str = Field("1", pattern=r"^[0-9]{1,4}$", description="文号中的序号")
    date: dt.date | None = Field(None, description="成文日期，缺省为今天")


@router.get(
    "/regions/{int:region_id}/notice",
    response={200: None, **ERRORS},
    summary="创星结果通报（Word），限县委组织部",
)
def notice(request: HttpRequest, region_id: int, query: Query[NoticeIn]) -> HttpResponse:
    region = get_visible_or_404(Region, _scope(request), pk=region_id)
    if not (request.user.is_superuser or getattr(request.user, "role", "") in ISSUERS):
        raise HttpError(403, _("创星结果通报由县委组织部印发"))
    year, years = _year(region, query.year)
    if not years or year not in years:
        raise invalid(
            "year", _("年度：%(year)s年度还没有已公示或已认定的创星结果") % {"year": year}
        )
    issued_on = query.date or timezone.localdate()
    data = notice_docx(
        region=region,
        year=year,
        doc_number=f"{query.prefix}〔{issued_on.year}〕{query.number}号",
        issued_on=issued_on,
    )
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(
        True, _("%(year)s年度五星支部创建结果通报.docx") % {"year": year}
    )
    return response
