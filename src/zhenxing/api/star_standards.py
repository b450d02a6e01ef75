"""/api/v1/stars/standards: the API twins of the standards pages — list, one standard whole, and
loading a new standard or version (county admins), with each problem of a bad file naming its
line, exactly as the page shows them."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from zhenxing.api.orders import ERRORS, service_errors
from zhenxing.stars import selectors, services
from zhenxing.stars.models import Standard

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
