"""/api/v1/stars/standards: the API twins of the standards pages — list, one standard whole, and
loading a new standard or version (county admins), with each problem of a bad file naming its
line, exactly as the page shows them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from zhenxing.accounts.scoping import get_visible_or_404, visible
from zhenxing.api.orders import ERRORS, invalid, service_errors
from zhenxing.core.periods import Period
from zhenxing.regions.models import Region
from zhenxing.stars import selectors, services
from zhenxing.stars.models import (
    EvaluationRun,
    IndicatorResult,
    Outcome,
    Standard,
    StarResult,
)

router = Router(tags=["stars"])


class StandardOut(Schema):
    id: int
    code: str
    version: str
    year: int
    kind: str
    title: str
    unconfirmed: bool
    notice_days: int
    approval: dict[str, str]
    loaded_at: str
    run_count: int


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    metric: str
    op: str
    threshold: Any
    judged: bool
    veto: str = Field(
        description="一票否决的范围：空（不是否决项）、star（否决本星）、branch（整个支部当年不评星）"
    )
    evidence: str


class StandardStarOut(Schema):
    id: int
    code: str
    name: str
    requires: str | None
    capstone: bool
    indicators: list[IndicatorOut]


class StandardDetailOut(StandardOut):
    stars: list[StandardStarOut]
    source: str


class StandardIn(Schema):
    source: str


def _out(standard: Standard, run_count: int) -> dict[str, Any]:
    return {
        "id": standard.pk,
        "code": standard.code,
        "version": standard.version,
        "year": standard.year,
        "kind": standard.kind,
        "title": standard.title,
        "unconfirmed": standard.unconfirmed,
        "notice_days": standard.notice_days,
        "approval": standard.approval,
        "loaded_at": standard.loaded_at.isoformat(),
        "run_count": run_count,
    }


@router.get("/standards", response=list[StandardOut], summary="创星标准及其各版本")
def standard_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(s, s.run_count) for s in selectors.standards()]


@router.get(
    "/standards/{int:standard_id}", response=StandardDetailOut, summary="一个标准的全部星和指标"
)
def standard_detail(request: HttpRequest, standard_id: int) -> dict[str, Any]:
    standard = selectors.standard_with_indicators(standard_id)
    if standard is None:
        raise Http404
    return {
        **_out(standard, standard.runs.count()),
        "source": standard.source,
        "stars": [
            {
                "id": star.pk,
                "code": star.code,
                "name": star.name,
                "requires": star.requires.code if star.requires else None,
                "capstone": star.capstone,
                "indicators": list(star.indicators.all()),
            }
            for star in standard.stars.all()
        ],
    }


@router.post(
    "/standards",
    response={201: StandardOut, **ERRORS},
    summary="导入创星标准（新标准或新版本）",
    description="source 为 YAML 标准文件的全文；有任何问题都不导入，422 逐条列出问题及其行号。"
    "同一代码和版本已导入且内容相同时返回原标准。",
)
def standard_create(request: HttpRequest, payload: StandardIn) -> Status[dict[str, Any]]:
    if not selectors.may_load(request.user):
        raise HttpError(403, _("创星标准由县委组织部维护"))
    with service_errors():
        standard = services.standard_load(text=payload.source, actor=request.user)
    return Status(201, _out(standard, standard.runs.count()))


# --- evaluations (测评) -----------------------------------------------------------------------


class EvaluationIn(Schema):
    region_id: int = Field(description="测评范围：该区域下的全部村（社区），乡镇标准则为全部乡镇")
    period: str = Field("", description="测评期间，如 2026；缺省为标准的年度")


class IndicatorValueOut(Schema):
    indicator_id: int
    code: str
    value: Decimal | None = Field(description="指标数值（评判类指标为 null）")
    outcome: str = Field(description="met 达标、not_met 未达标、no_data 无数据、pending 待评判")


class StarOutcomeOut(Schema):
    star_id: int
    code: str
    outcome: str = Field(description="met 获得、not_met 未获得、pending 待评判")
    reason: str = Field(description="未达标、一票否决、须先获得……的说明")


class UnitResultOut(Schema):
    region_id: int
    name: str
    stars_met: int = Field(description="达标的星数（测评，不是评定结果）")
    stars: list[StarOutcomeOut]
    indicators: list[IndicatorValueOut]


class EvaluationOut(Schema):
    run_id: int
    standard_id: int
    region_id: int
    period: str
    units: int = Field(description="测评的村（社区）或乡镇数")
    results: list[UnitResultOut]


@router.post(
    "/standards/{int:standard_id}/evaluations",
    response={201: EvaluationOut, **ERRORS},
    summary="测评：按该标准计算区域内每个村（乡镇）的每项指标和每颗星",
    description="与“五星支部”页面的“重新测评”是同一个服务；仅县委组织部可发起。返回的是测评"
    "（按数据计算的估计），不是审定公示后的评定结果。",
)
def evaluation_create(
    request: HttpRequest, standard_id: int, payload: EvaluationIn
) -> Status[dict[str, Any]]:
    standard = selectors.standard_with_indicators(standard_id)
    if standard is None:
        raise Http404
    scope = request.scope  # type: ignore[attr-defined]
    region = get_visible_or_404(Region, scope, pk=payload.region_id)
    if not selectors.may_load(request.user):
        raise HttpError(403, _("测评由县委组织部发起"))
    try:
        period = Period.parse(payload.period.strip() or str(standard.year))
    except ValueError as exc:
        raise invalid("period", _("期间格式不对，如 2026、2026H1、2026Q2")) from exc
    with service_errors():
        run = services.evaluation_run(
            standard=standard, region=region, period=period, scope=scope, actor=request.user
        )
    return Status(201, _evaluation(run, scope))


def _evaluation(run: EvaluationRun, scope: Any) -> dict[str, Any]:
    units: dict[int, dict[str, Any]] = {}
    names = dict(
        Region.objects.filter(
            pk__in=visible(StarResult.objects.filter(run=run), scope).values("village_id")
        ).values_list("pk", "name")
    )
    stars = visible(StarResult.objects.filter(run=run), scope).select_related("star")
    for row in stars.order_by("village__path", "star__sort"):
        unit = units.setdefault(
            row.village_id,
            {
                "region_id": row.village_id,
                "name": names.get(row.village_id, ""),
                "stars_met": 0,
                "stars": [],
                "indicators": [],
            },
        )
        unit["stars"].append(
            {
                "star_id": row.star_id,
                "code": row.star.code,
                "outcome": row.outcome,
                "reason": row.reason,
            }
        )
        unit["stars_met"] += row.outcome == Outcome.MET
    indicators = visible(IndicatorResult.objects.filter(run=run), scope).select_related("indicator")
    for row in indicators.order_by("village__path", "indicator__star__sort", "indicator__sort"):
        if row.village_id in units:
            units[row.village_id]["indicators"].append(
                {
                    "indicator_id": row.indicator_id,
                    "code": row.indicator.code,
                    "value": row.value,
                    "outcome": row.outcome,
                }
            )
    return {
        "run_id": run.pk,
        "standard_id": run.standard_id,
        "region_id": run.region_id,
        "period": run.period,
        "units": run.villages,
        "results": list(units.values()),
    }
