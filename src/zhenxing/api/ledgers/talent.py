"""/api/v1/ledgers/talent and /reserve-cadres: the talent pool and reserve cadres (see the page
``web.ledgers.talent``); the same services and selectors. People are Resident ids."""

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhenxing.accounts.scoping import get_visible_or_404, home_region
from zhenxing.api.ledgers import common
from zhenxing.ledgers.exports import export_bytes, export_filename
from zhenxing.ledgers.models.talent import ReserveCadre, Talent, TalentCategory
from zhenxing.ledgers.selectors import talent as selectors
from zhenxing.ledgers.services import talent as services
from zhenxing.regions.models import Resident

router = Router(tags=["ledgers"])

METRICS = {"talent_count": selectors.talent_count, "reserve_cadres": selectors.reserve_cadres}


class TalentOut(common.Recorded):
    id: int
    village_id: int
    village_name: str
    person_id: int
    person_name: str
    category_id: int
    category_name: str
    since: dt.date
    strengths: str
    voided: bool
    supersedes_id: int | None
    recorded_by: str
    recorded_at: dt.datetime
    reason: str

    @staticmethod
    def resolve_person_name(obj: Talent) -> str:
        return obj.person.name

    @staticmethod
    def resolve_category_name(obj: Talent) -> str:
        return obj.category.name


class TalentDetailOut(TalentOut):
    history: list[common.VersionOut]


class ReserveOut(common.Recorded):
    id: int
    village_id: int
    village_name: str
    person_id: int
    person_name: str
    mentor_id: int
    mentor_name: str
    assignment: str
    since: dt.date
    voided: bool
    supersedes_id: int | None
    recorded_by: str
    recorded_at: dt.datetime
    reason: str

    @staticmethod
    def resolve_person_name(obj: ReserveCadre) -> str:
        return obj.person.name

    @staticmethod
    def resolve_mentor_name(obj: ReserveCadre) -> str:
        return obj.mentor.name


class ReserveDetailOut(ReserveOut):
    history: list[common.VersionOut]


class TalentFilter(Schema):
    village_id: int | None = Field(None, description="只看该村（社区）或该区域以下")
    category_id: int | None = None


class TalentIn(Schema):
    village_id: int
    person_id: int = Field(description="居民 id（本村户籍）")
    category_id: int
    since: dt.date
    strengths: str = ""


class TalentCorrectionIn(common.CorrectionIn):
    category_id: int | None = None
    since: dt.date | None = None
    strengths: str | None = None


class ReserveIn(Schema):
    village_id: int
    person_id: int
    mentor_id: int = Field(description="帮带导师（在任干部的居民 id）")
    since: dt.date
    assignment: str = ""


class ReserveCorrectionIn(common.CorrectionIn):
    mentor_id: int | None = None
    since: dt.date | None = None
    assignment: str | None = None


class TownshipCountsOut(Schema):
    township_id: int
    township_name: str
    by_category: dict[str, int] = Field(description="人才类别名称 → 人数")
    reserve_cadres: int


def _person(request: HttpRequest, person_id: int | None, field: str) -> Resident:
    person = (
        get_visible_or_404(Resident, common.scope_of(request), pk=person_id) if person_id else None
    )
    if person is None:
        raise common.invalid(field, _("请选择人员"))
    return person


def _category(category_id: int | None) -> TalentCategory:
    category = TalentCategory.objects.filter(pk=category_id).first() if category_id else None
    if category is None:
        raise common.invalid("category_id", _("请选择人才类别"))
    return category


def _talent(request: HttpRequest, talent_id: int) -> Talent:
    qs = Talent.objects.select_related("village", "person", "category", "recorded_by")
    return get_visible_or_404(qs, common.scope_of(request), pk=talent_id)


def _reserve(request: HttpRequest, reserve_cadre_id: int) -> ReserveCadre:
    qs = ReserveCadre.objects.select_related("village", "person", "mentor", "recorded_by")
    return get_visible_or_404(qs, common.scope_of(request), pk=reserve_cadre_id)


def _reserve_detail(entry: ReserveCadre) -> ReserveCadre:
    return entry


@router.get("/talent", response=list[TalentOut], summary="人才库（当前）")
@paginate
def talent_list(request: HttpRequest, filters: Query[TalentFilter]) -> QuerySet[Talent]:
    return selectors.talents(
        common.scope_of(request),
        village=common.region_of(request, filters.village_id),
        category_id=filters.category_id,
    )


@router.get(
    "/talent/metrics",
    response=list[common.MetricOut],
    summary="人才指标（每村）：talent_count、reserve_cadres",
)
def talent_metrics(request: HttpRequest, filters: Query[common.LedgerFilter]) -> list[dict]:
    return common.metrics_table(
        common.villages_for(request, filters.village_id), common.period_of(filters.period), METRICS
    )


@router.get("/talent/counts", response=list[TownshipCountsOut], summary="人才和后备干部（每乡镇）")
def talent_counts(request: HttpRequest, filters: Query[TalentFilter]) -> list[dict]:
    scope = common.scope_of(request)
    region = common.region_of(request, filters.village_id) or home_region(scope)
    categories, townships = selectors.counts_by_township(scope, region)
    return [
        {
            "township_id": t.township.pk,
            "township_name": t.township.name,
            "by_category": {c.name: t.by_category.get(c.pk, 0) for c in categories},
            "reserve_cadres": t.reserve,
        }
        for t in townships
    ]


@router.get("/talent/export", summary="人才库和后备干部导出 Excel")
def talent_export(request: HttpRequest, filters: Query[TalentFilter]) -> HttpResponse:

    sheets, where = selectors.export_sheets(
        common.scope_of(request), common.region_of(request, filters.village_id)
    )
    name = export_filename(where, _("人才库"), f"{timezone.localdate():%Y}")
    return common.xlsx(export_bytes(*sheets), name)


@router.post("/talent", response={201: TalentDetailOut, **common.ERRORS}, summary="人才入库")
def talent_add(request: HttpRequest, payload: TalentIn) -> Status:
    village = common.village_of(request, payload.village_id)
    return common.saved(
        request,
        _talent,
        services.talent_record,
        rename={"village": "village_id", "person": "person_id", "category": "category_id"},
        scope=common.scope_of(request),
        village=village,
        person=_person(request, payload.person_id, "person_id"),
        category=_category(payload.category_id),
        since=payload.since,
        strengths=payload.strengths,
    )


common.entry_routes(
    router,
    "/talent",
    param="talent_id",
    out=TalentDetailOut,
    fetch=_talent,
    detail_summary="人才库：一条记录及其历史",
    void_service=services.talent_correct,
    void_summary="人才库：移出",
    entry_arg="talent",
    scoped=True,
)


@router.post(
    "/talent/{int:talent_id}/correct",
    response={201: TalentDetailOut, **common.ERRORS},
    summary="人才库：更正",
)
def talent_correct(request: HttpRequest, talent_id: int, payload: TalentCorrectionIn) -> Status:
    entry = _talent(request, talent_id)
    changes = common.sent(payload, ("since", "strengths"))
    if "category_id" in payload.model_fields_set:
        changes["category"] = _category(payload.category_id)
    return common.saved(
        request,
        _talent,
        services.talent_correct,
        rename={"category": "category_id"},
        scope=common.scope_of(request),
        talent=entry,
        reason=payload.reason,
        **changes,
    )


@router.get("/reserve-cadres", response=list[ReserveOut], summary="后备干部（当前）")
@paginate
def reserve_list(request: HttpRequest, filters: Query[TalentFilter]) -> QuerySet[ReserveCadre]:
    return selectors.reserve_list(
        common.scope_of(request), village=common.region_of(request, filters.village_id)
    )


@router.post(
    "/reserve-cadres", response={201: ReserveDetailOut, **common.ERRORS}, summary="确定后备干部"
)
def reserve_add(request: HttpRequest, payload: ReserveIn) -> Status:
    village = common.village_of(request, payload.village_id)
    return common.saved(
        request,
        _reserve,
        services.reserve_cadre_record,
        rename={"village": "village_id", "person": "person_id", "mentor": "mentor_id"},
        scope=common.scope_of(request),
        village=village,
        person=_person(request, payload.person_id, "person_id"),
        mentor=_person(request, payload.mentor_id, "mentor_id"),
        since=payload.since,
        assignment=payload.assignment,
    )


common.entry_routes(
    router,
    "/reserve-cadres",
    param="reserve_cadre_id",
    out=ReserveDetailOut,
    fetch=_reserve,
    detail_summary="后备干部：一条记录及其历史",
    void_service=services.reserve_cadre_correct,
    void_summary="后备干部：不再列为后备干部",
    entry_arg="cadre",
    scoped=True,
)


@router.post(
    "/reserve-cadres/{int:reserve_cadre_id}/correct",
    response={201: ReserveDetailOut, **common.ERRORS},
    summary="后备干部：更正",
)
def reserve_correct(
    request: HttpRequest, reserve_cadre_id: int, payload: ReserveCorrectionIn
) -> Status:
    entry = _reserve(request, reserve_cadre_id)
    changes = common.sent(payload, ("since", "assignment"))
    if "mentor_id" in payload.model_fields_set:
        changes["mentor"] = _person(request, payload.mentor_id, "mentor_id")
    return common.saved(
        request,
        _reserve,
        services.reserve_cadre_correct,
        rename={"mentor": "mentor_id"},
        scope=common.scope_of(request),
        cadre=entry,
        reason=payload.reason,
        **changes,
    )
