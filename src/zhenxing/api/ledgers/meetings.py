"""/api/v1/ledgers/meetings: organisational life (see the page ``web.ledgers.meetings``); the same
services and selectors. Errors as in ``api.ledgers.common``."""

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhenxing.accounts.scoping import get_visible_or_404, visible
from zhenxing.api.ledgers import common
from zhenxing.ledgers.exports import export_bytes, export_filename
from zhenxing.ledgers.models.meetings import MeetingKind, OrgMeeting
from zhenxing.ledgers.selectors import meetings as selectors
from zhenxing.ledgers.services import meetings as services
from zhenxing.regions.models import PartyMember, PartyOrganization

router = Router(tags=["ledgers"])

METRICS = {
    "meetings_compliance": selectors.meetings_compliance,
    "meetings_attendance": selectors.meetings_attendance,
}
RELATED = ("organization__region", "kind", "recorded_by")


class OrgMeetingOut(common.Recorded):
    id: int
    organization_id: int
    organization_name: str
    village_id: int
    kind_id: int
    kind_name: str
    held_on: dt.date
    topic: str
    minutes: str
    attendee_ids: list[int] = Field(description="参会党员（PartyMember id）")
    voided: bool
    supersedes_id: int | None
    recorded_by: str
    recorded_at: dt.datetime
    reason: str

    @staticmethod
    def resolve_organization_name(obj: OrgMeeting) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_village_id(obj: OrgMeeting) -> int:
        return obj.organization.region_id

    @staticmethod
    def resolve_kind_name(obj: OrgMeeting) -> str:
        return obj.kind.name

    @staticmethod
    def resolve_attendee_ids(obj: OrgMeeting) -> list[int]:
        return sorted(m.pk for m in obj.attendees.all())


class OrgMeetingDetailOut(OrgMeetingOut):
    history: list[common.VersionOut]


class MeetingFilter(common.LedgerFilter):
    kind_id: int | None = None


class OrgMeetingIn(Schema):
    organization_id: int
    kind_id: int
    held_on: dt.date
    topic: str
    minutes: str = ""
    attendee_ids: list[int] = Field(default_factory=list, description="参会党员 id")


class OrgMeetingCorrectionIn(common.CorrectionIn):
    kind_id: int | None = None
    held_on: dt.date | None = None
    topic: str | None = None
    minutes: str | None = None
    attendee_ids: list[int] | None = None


class KindCell(Schema):
    kind_id: int
    kind_name: str
    held: int
    required: int


class BranchComplianceOut(Schema):
    organization_id: int
    organization_name: str
    village_id: int
    members: int
    held: int
    required: int
    compliance: float | None = Field(description="达标率 %：Σ min(已开, 应开) ÷ Σ 应开")
    attendance: float | None = Field(description="参会率 %")
    kinds: list[KindCell]


def _meeting(request: HttpRequest, org_meeting_id: int) -> OrgMeeting:
    qs = OrgMeeting.objects.select_related(*RELATED).prefetch_related("attendees")
    return get_visible_or_404(qs, common.scope_of(request), pk=org_meeting_id)


def _kind(kind_id: int | None) -> MeetingKind:
    kind = MeetingKind.objects.filter(pk=kind_id).first() if kind_id else None
    if kind is None:
        raise common.invalid("kind_id", _("请选择会议类型"))
    return kind


def _attendees(request: HttpRequest, ids: list[int]) -> list[PartyMember]:
    """The members named, as the caller can see them; an unknown id is refused by number."""
    found = list(
        visible(PartyMember.objects.filter(pk__in=ids), common.scope_of(request)).select_related(
            "person"
        )
    )
    missing = set(ids) - {m.pk for m in found}
    if missing:
        raise common.invalid(
            "attendee_ids",
            _("以下党员不存在或不在您的范围内：%(ids)s")
            % {"ids": "、".join(map(str, sorted(missing)))},
        )
    return found


@router.get("/meetings", response=list[OrgMeetingOut], summary="组织生活：会议记录（当前）")
@paginate
def meeting_list(request: HttpRequest, filters: Query[MeetingFilter]) -> QuerySet[OrgMeeting]:
    return selectors.org_meetings(
        common.scope_of(request),
        period=common.period_of(filters.period),
        village=common.region_of(request, filters.village_id),
        kind_id=filters.kind_id,
    ).prefetch_related("attendees")


@router.get("/meetings/metrics", response=list[common.MetricOut], summary="组织生活指标（每村）")
def meeting_metrics(request: HttpRequest, filters: Query[common.LedgerFilter]) -> list[dict]:
    return common.metrics_table(
        common.villages_for(request, filters.village_id), common.period_of(filters.period), METRICS
    )


@router.get(
    "/meetings/compliance",
    response=list[BranchComplianceOut],
    summary="组织生活落实情况：每个党组织已开/应开与参会率",
)
def meeting_compliance(request: HttpRequest, filters: Query[common.LedgerFilter]) -> list[dict]:
    villages = common.villages_for(request, filters.village_id)
    figures = selectors.branch_figures(villages, common.period_of(filters.period))
    return [
        {
            "organization_id": b.organization_id,
            "organization_name": b.name,
            "village_id": b.region_id,
            "members": b.members,
            "held": b.held,
            "required": b.required,
            "compliance": b.compliance,
            "attendance": b.attendance,
            "kinds": [
                {"kind_id": k.kind_id, "kind_name": k.name, "held": k.held, "required": k.required}
                for k in b.kinds.values()
            ],
        }
        for b in sorted(figures.values(), key=lambda b: (b.region_id, b.organization_id))
    ]


@router.get("/meetings/export", summary="组织生活导出 Excel")
def meeting_export(request: HttpRequest, filters: Query[common.LedgerFilter]) -> HttpResponse:

    village = common.region_of(request, filters.village_id)
    period = common.period_of(filters.period)
    where = village.name if village else _("辖区")
    sheets = selectors.export_sheets(common.scope_of(request), period, village, where)
    return common.xlsx(export_bytes(*sheets), export_filename(where, _("组织生活"), period.key))


@router.post(
    "/meetings", response={201: OrgMeetingDetailOut, **common.ERRORS}, summary="组织生活：记录会议"
)
def meeting_add(request: HttpRequest, payload: OrgMeetingIn) -> Status:
    scope = common.scope_of(request)
    organization = get_visible_or_404(PartyOrganization, scope, pk=payload.organization_id)
    return common.saved(
        request,
        _meeting,
        services.org_meeting_record,
        rename={"attendees": "attendee_ids", "kind": "kind_id"},
        scope=scope,
        organization=organization,
        kind=_kind(payload.kind_id),
        held_on=payload.held_on,
        topic=payload.topic,
        minutes=payload.minutes,
        attendees=_attendees(request, payload.attendee_ids),
    )


common.entry_routes(
    router,
    "/meetings",
    param="org_meeting_id",
    out=OrgMeetingDetailOut,
    fetch=_meeting,
    detail_summary="组织生活：一次会议及其历史",
    void_service=services.org_meeting_correct,
    void_summary="组织生活：作废",
    entry_arg="meeting",
    scoped=True,
)


@router.post(
    "/meetings/{int:org_meeting_id}/correct",
    response={201: OrgMeetingDetailOut, **common.ERRORS},
    summary="组织生活：更正（新增一条更正记录）",
)
def meeting_correct(
    request: HttpRequest, org_meeting_id: int, payload: OrgMeetingCorrectionIn
) -> Status:
    meeting = _meeting(request, org_meeting_id)
    changes = common.sent(payload, ("held_on", "topic", "minutes"))
    fields = payload.model_fields_set
    if "kind_id" in fields:
        changes["kind"] = _kind(payload.kind_id)
    if "attendee_ids" in fields:
        changes["attendees"] = _attendees(request, payload.attendee_ids or [])
    return common.saved(
        request,
        _meeting,
        services.org_meeting_correct,
        rename={"attendees": "attendee_ids", "kind": "kind_id"},
        scope=common.scope_of(request),
        meeting=meeting,
        reason=payload.reason,
        **changes,
    )
