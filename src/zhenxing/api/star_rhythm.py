"""/api/v1/stars/rhythm: the API twins of the 创星推进 pages (周汇报、月排序、季观摩); each action
calls the same service as its page. Errors as in /api/v1/orders: 422 with the fields (Chinese
messages naming the field or the row), 403 for a role that may not act, 404 out of scope exactly
like not found. Townships are named, not numbered: a village's answer names its township without
giving it a region id it could not open."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from zhenxing.accounts.scoping import Scope, get_visible_or_404, visible
from zhenxing.api.orders import ERRORS, invalid, service_errors
from zhenxing.core.periods import Period
from zhenxing.regions.models import Region
from zhenxing.stars.models import SiteReview, Task
from zhenxing.stars.selectors import rhythm as selectors
from zhenxing.stars.services import rhythm as services

router = Router(tags=["stars"])


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined,no-any-return]


def _period(text: str | None, field: str, kind: str, default: Period) -> Period:
    if not text:
        return default
    try:
        period = Period.parse(text)
    except ValueError as exc:
        raise invalid(field, str(exc)) from exc
    ok = len(period.key) == 7 and period.key[4] == "-" if kind == "-" else kind in period.key
    if not ok:
        raise invalid(field, _("“%(t)s”不是所需的期间类型") % {"t": text})
    return period


# --- 周汇报 ------------------------------------------------------------------------------------


class VillageOut(Schema):
    village_id: int
    name: str


class FiledOut(VillageOut):
    report_id: int
    submitted_at: dt.datetime
    blockers: bool


class FilingGroupOut(Schema):
    township: str
    filed: list[FiledOut]
    missing: list[VillageOut]


class FilingOut(Schema):
    region_id: int
    week: str
    filed: int
    missing: int
    townships: list[FilingGroupOut]


@router.get(
    "/regions/{int:region_id}/weekly",
    response={200: FilingOut, **ERRORS},
    summary="周汇报填报情况：各乡镇已报、未报的村（week 缺省为本周，如 2026W48）",
)
def weekly_filing(request: HttpRequest, region_id: int, week: str = "") -> dict[str, Any]:
    region = get_visible_or_404(Region, _scope(request), pk=region_id)
    period = _period(week, "week", "W", selectors.week_of(timezone.localdate()))
    groups = selectors.weekly_filing(_scope(request), region, period)
    return {
        "region_id": region.pk,
        "week": period.key,
        "filed": sum(len(g.filed) for g in groups),
        "missing": sum(len(g.missing) for g in groups),
        "townships": [
            {
                "township": g.township.name if g.township else region.name,
                "filed": [
                    {
                        "village_id": v.pk,
                        "name": v.name,
                        "report_id": r.pk,
                        "submitted_at": r.submitted_at,
                        "blockers": bool(r.blockers),
                    }
                    for v, r in g.filed
                ],
                "missing": [{"village_id": v.pk, "name": v.name} for v in g.missing],
            }
            for g in groups
        ],
    }


class WeeklyIn(Schema):
    done: str
    blockers: str = ""
    task_ids: list[int] = Field(default_factory=list)


class WeeklyOut(Schema):
    id: int
    village_id: int
    week: str
    created: bool
    done: str
    blockers: str
    task_ids: list[int]
    submitted_at: dt.datetime


@router.post(
    "/regions/{int:region_id}/weekly",
    response={200: WeeklyOut, **ERRORS},
    summary="填报（或在本周内修改）本村本周的周汇报",
)
def weekly_file(request: HttpRequest, region_id: int, data: WeeklyIn) -> dict[str, Any]:
    scope = _scope(request)
    village = get_visible_or_404(Region, scope, pk=region_id)
    tasks = list(visible(Task.objects.filter(pk__in=data.task_ids), scope))
    if len(tasks) != len(set(data.task_ids)):
        raise invalid("task_ids", _("有任务不存在或不在您的管辖范围内"))
    with service_errors(tasks="task_ids"):
        report, created = services.weekly_report_file(
            village=village,
            done=data.done,
            blockers=data.blockers,
            tasks=tasks,
            actor=request.user,
            scope=scope,
        )
    return {
        "id": report.pk,
        "village_id": report.village_id,
        "week": report.week,
        "created": created,
        "done": report.done,
        "blockers": report.blockers,
        "task_ids": sorted(t.pk for t in tasks),
        "submitted_at": report.submitted_at,
    }


# --- 月排序 ------------------------------------------------------------------------------------


class RankRowOut(VillageOut):
    rank: int | None
    movement: str
    score: Decimal
    indicators_met_share: Decimal | None
    tasks_on_time_share: Decimal | None


class RankGroupOut(Schema):
    township: str
    rows: list[RankRowOut]
    unranked: list[VillageOut]


class RankingOut(Schema):
    region_id: int
    month: str
    archived: bool
    taken_at: dt.datetime | None
    previous_archived: bool
    weights: list[int]
    townships: list[RankGroupOut]


@router.get(
    "/regions/{int:region_id}/ranking",
    response={200: RankingOut, **ERRORS},
    summary="月度进度排序与较上月名次升降（month 缺省为上月；未存档的月份按当前数据计算）",
)
def ranking(request: HttpRequest, region_id: int, month: str = "") -> dict[str, Any]:
    region = get_visible_or_404(Region, _scope(request), pk=region_id)
    last = selectors.previous_month(selectors.month_of(timezone.localdate()))
    period = _period(month, "month", "-", last)
    result = selectors.monthly_ranking(_scope(request), region, period)
    return {
        "region_id": region.pk,
        "month": period.key,
        "archived": result.archived,
        "taken_at": result.taken_at,
        "previous_archived": result.previous_archived,
        "weights": [int(w) for w in selectors.PROGRESS_WEIGHTS],
        "townships": [
            {
                "township": g.township.name if g.township else region.name,
                "rows": [
                    {
                        "village_id": r.village.pk,
                        "name": r.village.name,
                        "rank": r.rank,
                        "movement": r.movement,
                        "score": r.score,
                        "indicators_met_share": r.met_share,
                        "tasks_on_time_share": r.on_time_share,
                    }
                    for r in g.rows
                ],
                "unranked": [
                    {"village_id": r.village.pk, "name": r.village.name} for r in g.unranked
                ],
            }
            for g in result.groups
        ],
    }


class ArchiveIn(Schema):
    month: str


class ArchiveOut(Schema):
    region_id: int
    month: str
    written: int


@router.post(
    "/regions/{int:region_id}/ranking",
    response={200: ArchiveOut, **ERRORS},
    summary="存档一个已结束月份的排序（已存档的乡镇不变）",
)
def ranking_archive(request: HttpRequest, region_id: int, data: ArchiveIn) -> dict[str, Any]:
    scope = _scope(request)
    region = get_visible_or_404(Region, scope, pk=region_id)
    period = _period(data.month, "month", "-", selectors.month_of(timezone.localdate()))
    with service_errors():
        written = services.ranking_snapshot_take(
            month=period, region=region, actor=request.user, scope=scope
        )
    return {"region_id": region.pk, "month": period.key, "written": written}


# --- 季观摩 ------------------------------------------------------------------------------------


class ScoreOut(Schema):
    reviewer: str
    score: Decimal
    comment: str


class ReviewOut(VillageOut):
    id: int
    quarter: str
    visited_on: dt.date
    note: str
    average: Decimal | None
    scored: int


class ReviewDetailOut(ReviewOut):
    scores: list[ScoreOut]


class ReviewsOut(Schema):
    region_id: int
    quarter: str
    reviews: list[ReviewOut]


def _review(review: SiteReview, average: Decimal | None, scored: int) -> dict[str, Any]:
    return {
        "id": review.pk,
        "village_id": review.village_id,
        "name": review.village.name,
        "quarter": review.quarter,
        "visited_on": review.visited_on,
        "note": review.note,
        "average": None if average is None else Decimal(average).quantize(Decimal("0.1")),
        "scored": scored,
    }


@router.get(
    "/regions/{int:region_id}/reviews",
    response={200: ReviewsOut, **ERRORS},
    summary="一个季度的观摩及平均分（quarter 缺省为本季度，如 2026Q4）",
)
def reviews(request: HttpRequest, region_id: int, quarter: str = "") -> dict[str, Any]:
    region = get_visible_or_404(Region, _scope(request), pk=region_id)
    period = _period(quarter, "quarter", "Q", selectors.quarter_of(timezone.localdate()))
    rows = selectors.site_reviews(_scope(request), region, period)
    return {
        "region_id": region.pk,
        "quarter": period.key,
        "reviews": [_review(r, r.average, r.scored) for r in rows],  # type: ignore[attr-defined]
    }


class SiteReviewIn(Schema):
    village_id: int
    visited_on: dt.date
    note: str = ""


@router.post(
    "/regions/{int:region_id}/reviews",
    response={200: ReviewDetailOut, **ERRORS},
    summary="登记一次季度观摩（季度按观摩日期）",
)
def review_record(request: HttpRequest, region_id: int, data: SiteReviewIn) -> dict[str, Any]:
    scope = _scope(request)
    region = get_visible_or_404(Region, scope, pk=region_id)
    village = selectors.villages_in(scope, region).filter(pk=data.village_id).first()
    if village is None:
        raise invalid("village_id", _("没有这个村（社区）"))
    with service_errors():
        review = services.site_review_record(
            village=village,
            quarter=selectors.quarter_of(data.visited_on),
            visited_on=data.visited_on,
            note=data.note,
            actor=request.user,
            scope=scope,
        )
    return _review(review, None, 0) | {"scores": []}


def _detail(scope: Scope, review: SiteReview) -> dict[str, Any]:
    scores = selectors.site_review_scores(scope, review)
    return _review(review, selectors.site_review_average(scores), len(scores)) | {
        "scores": [{"reviewer": s.reviewer, "score": s.score, "comment": s.comment} for s in scores]
    }


@router.get(
    "/reviews/{int:site_review_id}",
    response={200: ReviewDetailOut, **ERRORS},
    summary="一次观摩及各评分人的得分",
)
def review(request: HttpRequest, site_review_id: int) -> dict[str, Any]:
    found = get_visible_or_404(
        SiteReview.objects.select_related("village"), _scope(request), pk=site_review_id
    )
    return _detail(_scope(request), found)


class ScoreIn(Schema):
    reviewer: str
    score: Decimal | str
    comment: str = ""


class ScoresIn(Schema):
    scores: list[ScoreIn]


@router.post(
    "/reviews/{int:site_review_id}",
    response={200: ReviewDetailOut, **ERRORS},
    summary="录入观摩评分（每位评分人 0–100 分，有一行不对则都不录入）",
)
def review_score(request: HttpRequest, site_review_id: int, data: ScoresIn) -> dict[str, Any]:
    scope = _scope(request)
    found = get_visible_or_404(
        SiteReview.objects.select_related("village"), scope, pk=site_review_id
    )
    with service_errors():
        services.site_review_score(
            review=found,
            rows=[services.ScoreRow(s.reviewer, s.score, s.comment) for s in data.scores],
            actor=request.user,
            scope=scope,
        )
    return _detail(scope, found)
