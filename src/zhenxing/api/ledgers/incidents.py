"""/api/v1/ledgers/incidents: the 三零 incidents (see the page ``web.ledgers.incidents``) and the
derived status; the same services and selectors."""

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhenxing.accounts.scoping import get_visible_or_404
from zhenxing.api.ledgers import common
from zhenxing.ledgers.exports import export_bytes, export_filename
from zhenxing.ledgers.models.incidents import Incident, IncidentKind
from zhenxing.ledgers.selectors import incidents as selectors
from zhenxing.ledgers.services import incidents as services

router = Router(tags=["ledgers"])

FIELDS = ("kind", "occurred_on", "summary", "deaths", "injuries", "reference")


class IncidentOut(common.Recorded):
    id: int
    village_id: int
    village_name: str
    kind: str
    kind_label: str
    occurred_on: dt.date
    summary: str
    deaths: int
    injuries: int
    reference: str
    voided: bool
    supersedes_id: int | None
    recorded_by: str
    recorded_at: dt.datetime
    reason: str

    @staticmethod
    def resolve_kind_label(obj: Incident) -> str:
        return obj.get_kind_display()


class IncidentDetailOut(IncidentOut):
    history: list[common.VersionOut]


class IncidentFilter(common.LedgerFilter):
    kind: IncidentKind | None = None


class IncidentIn(Schema):
    village_id: int
    kind: IncidentKind
    occurred_on: dt.date
    summary: str
    deaths: int = 0
    injuries: int = 0
    reference: str = ""


class IncidentCorrectionIn(common.CorrectionIn):
    kind: IncidentKind | None = None
    occurred_on: dt.date | None = None
    summary: str | None = None
    deaths: int | None = None
    injuries: int | None = None
    reference: str | None = None


class ThreeZerosOut(Schema):
    village_id: int
    village_name: str
    petitions: int = Field(description="越级上访")
    accidents: int = Field(description="伤亡事故")
    criminal_cases: int = Field(description="刑事案件")
    three_zeros: bool = Field(description="三零达标（由事件得出）")


def _incident(request: HttpRequest, incident_id: int) -> Incident:
    qs = Incident.objects.select_related("village", "recorded_by")
    return get_visible_or_404(qs, common.scope_of(request), pk=incident_id)


@router.get("/incidents", response=list[IncidentOut], summary="三零：事件（当前）")
@paginate
def incident_list(request: HttpRequest, filters: Query[IncidentFilter]) -> QuerySet[Incident]:
    return selectors.incidents(
        common.scope_of(request),
        period=common.period_of(filters.period),
        village=common.region_of(request, filters.village_id),
        kind=filters.kind or "",
    )


@router.get(
    "/incidents/metrics", response=list[ThreeZerosOut], summary="三零状态（每村）：three_zeros"
)
def incident_metrics(request: HttpRequest, filters: Query[common.LedgerFilter]) -> list[dict]:
    villages = common.villages_for(request, filters.village_id).order_by("path")
    status = selectors.three_zeros(villages, common.period_of(filters.period))
    return [
        {
            "village_id": pk,
            "village_name": name,
            "petitions": status[pk].petitions,
            "accidents": status[pk].accidents,
            "criminal_cases": status[pk].criminal_cases,
            "three_zeros": status[pk].ok,
        }
        for pk, name in villages.values_list("pk", "name")
    ]


@router.get("/incidents/export", summary="三零导出 Excel")
def incident_export(request: HttpRequest, filters: Query[common.LedgerFilter]) -> HttpResponse:

    period = common.period_of(filters.period)
    sheets, where = selectors.export_sheets(
        common.scope_of(request), period, common.region_of(request, filters.village_id)
    )
    return common.xlsx(export_bytes(*sheets), export_filename(where, _("三零"), period.key))


@router.post(
    "/incidents", response={201: IncidentDetailOut, **common.ERRORS}, summary="三零：登记事件"
)
def incident_add(request: HttpRequest, payload: IncidentIn) -> Status:
    village = common.village_of(request, payload.village_id)
    fields = {name: getattr(payload, name) for name in FIELDS}
    return common.saved(
        request,
        _incident,
        services.incident_record,
        rename={"village": "village_id"},
        scope=common.scope_of(request),
        village=village,
        **fields,
    )


common.entry_routes(
    router,
    "/incidents",
    param="incident_id",
    out=IncidentDetailOut,
    fetch=_incident,
    detail_summary="三零：一起事件及其历史",
    void_service=services.incident_correct,
    void_summary="三零：作废（如经核实不属越级上访）",
    entry_arg="incident",
    scoped=True,
)


@router.post(
    "/incidents/{int:incident_id}/correct",
    response={201: IncidentDetailOut, **common.ERRORS},
    summary="三零：更正（新增一条更正记录）",
)
def incident_correct(
    request: HttpRequest, incident_id: int, payload: IncidentCorrectionIn
) -> Status:
    incident = _incident(request, incident_id)
    changes = common.sent(payload, FIELDS)
    return common.saved(
        request,
        _incident,
        services.incident_correct,
        scope=common.scope_of(request),
        incident=incident,
        reason=payload.reason,
        **changes,
    )
