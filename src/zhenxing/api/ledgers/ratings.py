"""/api/v1/ledgers/ratings: household ratings (see the page ``web.ledgers.ratings``)."""

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhenxing.accounts.scoping import get_visible_or_404
from zhenxing.api.ledgers import common
from zhenxing.ledgers.exports import export_bytes, export_filename
from zhenxing.ledgers.models.ratings import HouseholdRating, RatingScheme
from zhenxing.ledgers.selectors import ratings as selectors
from zhenxing.ledgers.services import ratings as services
from zhenxing.regions.models import Household

router = Router(tags=["ledgers"])

METRICS = {
    "household_rating_mean": selectors.household_rating_mean,
    "titled_households": selectors.titled_households,
}


class ItemOut(Schema):
    id: int
    name: str
    max_points: int


class TitleOut(Schema):
    id: int
    name: str
    min_score: int
    active: bool


class SchemeOut(Schema):
    id: int
    name: str
    cadence: str
    rater: str
    active: bool
    items: list[ItemOut]
    titles: list[TitleOut]

    @staticmethod
    def resolve_items(obj: RatingScheme) -> list:
        return list(obj.items.all())

    @staticmethod
    def resolve_titles(obj: RatingScheme) -> list:
        return list(obj.titles.all())


class RatingOut(common.Recorded):
    id: int
    village_id: int
    household_id: int
    household_number: str
    head_name: str
    scheme_id: int
    period: str
    rated_on: dt.date
    scores: dict[str, int] = Field(description="分项得分，键为评比项目 id")
    score: int
    max_score: int
    title: str | None
    note: str
    voided: bool
    supersedes_id: int | None

    @staticmethod
    def resolve_household_number(obj: HouseholdRating) -> str:
        return obj.household.number

    @staticmethod
    def resolve_head_name(obj: HouseholdRating) -> str:
        return obj.household.head_name

    @staticmethod
    def resolve_title(obj: HouseholdRating) -> str | None:
        return obj.title.name if obj.title_id else None  # type: ignore[union-attr]


class RatingDetailOut(RatingOut):
    history: list[common.VersionOut]


class RatingFilter(common.LedgerFilter):
    scheme_id: int | None = None


class RatingIn(Schema):
    village_id: int
    household_number: str
    scheme_id: int
    period: str = Field(description="按方案周期：2026-03、2026Q1、2026H1")
    rated_on: dt.date
    scores: dict[str, int] = Field(description="分项得分，键为评比项目 id")
    note: str = ""


class RatingCorrectionIn(common.CorrectionIn):
    period: str | None = None
    rated_on: dt.date | None = None
    scores: dict[str, int] | None = None
    note: str | None = None


def _scheme(scheme_id: int | None) -> RatingScheme | None:
    if scheme_id is None:
        return None
    scheme = RatingScheme.objects.filter(pk=scheme_id).first()
    if scheme is None:
        raise common.invalid("scheme_id", _("评比方案不存在"))
    return scheme


def _rating(request: HttpRequest, household_rating_id: int) -> HouseholdRating:
    qs = HouseholdRating.objects.select_related(*selectors.RELATED)
    return get_visible_or_404(qs, common.scope_of(request), pk=household_rating_id)


@router.get("/ratings/schemes", response=list[SchemeOut], summary="评比方案、项目与称号")
def scheme_list(request: HttpRequest) -> QuerySet[RatingScheme]:
    return selectors.schemes(active_only=False)


@router.get("/ratings", response=list[RatingOut], summary="农户评比：当前记录")
@paginate
def rating_list(request: HttpRequest, filters: Query[RatingFilter]) -> QuerySet[HouseholdRating]:
    return selectors.ratings(
        common.scope_of(request),
        region=common.region_of(request, filters.village_id),
        period=common.period_of(filters.period),
        scheme=_scheme(filters.scheme_id),
    )


@router.get("/ratings/metrics", response=list[common.MetricOut], summary="农户评比指标（每村）")
def rating_metrics(request: HttpRequest, filters: Query[common.LedgerFilter]) -> list[dict]:
    return common.metrics_table(
        common.villages_for(request, filters.village_id), common.period_of(filters.period), METRICS
    )


@router.get("/ratings/export", summary="农户评比导出 Excel")
def rating_export(request: HttpRequest, filters: Query[RatingFilter]) -> HttpResponse:
    region = common.region_of(request, filters.village_id)
    period = common.period_of(filters.period)
    scheme = _scheme(filters.scheme_id)
    rows = selectors.ratings(common.scope_of(request), region=region, period=period, scheme=scheme)
    where = region.name if region else _("辖区")
    sheet = selectors.ratings_sheet(rows, period=period, where=where, scheme=scheme)
    return common.xlsx(export_bytes(sheet), export_filename(where, _("农户评比"), period.key))


@router.post("/ratings", response={201: RatingDetailOut, **common.ERRORS}, summary="农户评比：打分")
def rating_add(request: HttpRequest, payload: RatingIn) -> Status:
    village = common.village_of(request, payload.village_id)
    household = Household.objects.filter(village=village, number=payload.household_number).first()
    if household is None:
        raise common.invalid(
            "household_number",
            _("%(v)s没有户号为“%(n)s”的农户") % {"v": village.name, "n": payload.household_number},
        )
    scheme = _scheme(payload.scheme_id)
    return common.saved(
        request,
        _rating,
        services.household_rating_add,
        rename={"household": "household_number", "scheme": "scheme_id"},
        scope=common.scope_of(request),
        household=household,
        scheme=scheme,
        period=payload.period,
        rated_on=payload.rated_on,
        scores=payload.scores,
        note=payload.note,
    )


common.entry_routes(
    router,
    "/ratings",
    param="household_rating_id",
    out=RatingDetailOut,
    fetch=_rating,
    detail_summary="农户评比：一条记录及其历史",
    void_service=services.household_rating_void,
    void_summary="农户评比：作废",
    entry_arg="rating",
)


@router.post(
    "/ratings/{household_rating_id}/correct",
    response={201: RatingDetailOut, **common.ERRORS},
    summary="农户评比：更正",
)
def rating_correct(
    request: HttpRequest, household_rating_id: int, payload: RatingCorrectionIn
) -> Status:
    rating = _rating(request, household_rating_id)
    changes = payload.dict(exclude_unset=True, exclude={"reason"})
    return common.saved(
        request,
        _rating,
        services.household_rating_correct,
        rating=rating,
        reason=payload.reason,
        **changes,
    )
