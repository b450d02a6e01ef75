"""/api/v1/ledgers/points and /pledges: member points and pledges (see ``web.ledgers.points``)."""

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhenxing.accounts.scoping import get_visible_or_404, visible
from zhenxing.api.ledgers import common
from zhenxing.ledgers.exports import export_bytes, export_filename
from zhenxing.ledgers.models.points import Pledge, PledgeStatus, PointsEntry, PointsRule
from zhenxing.ledgers.selectors import points as selectors
from zhenxing.ledgers.services import points as services
from zhenxing.regions.models import PartyMember

router = Router(tags=["ledgers"])

METRICS = {
    "member_points_mean": selectors.member_points_mean,
    "members_below_threshold": selectors.members_below_threshold,
    "pledges_fulfilled_rate": selectors.pledges_fulfilled_rate,
}


class RuleOut(Schema):
    id: int
    name: str
    points: int
    cap: int
    cap_period: str
    evidence_required: bool
    active: bool


class PointsOut(common.Recorded):
    id: int
    village_id: int
    member_id: int
    member_name: str
    rule_id: int
    rule_name: str
    occurred_on: dt.date
    points: int
    note: str
    evidence: str
    voided: bool
    supersedes_id: int | None

    @staticmethod
    def resolve_member_name(obj: PointsEntry) -> str:
        return obj.member.person.name

    @staticmethod
    def resolve_rule_name(obj: PointsEntry) -> str:
        return obj.rule.name


class PointsDetailOut(PointsOut):
    history: list[common.VersionOut]


class PointsIn(Schema):
    village_id: int
    member_id: int
    rule_id: int
    occurred_on: dt.date
    note: str
    points: int | None = Field(None, description="留空按规则分值")
    evidence: str = ""


class PointsCorrectionIn(common.CorrectionIn):
    member_id: int | None = None
    rule_id: int | None = None
    occurred_on: dt.date | None = None
    points: int | None = None
    note: str | None = None
    evidence: str | None = None


class BalanceOut(Schema):
    member_id: int
    member_name: str
    village_id: int
    points: int
    balance: int

    @staticmethod
    def resolve_member_id(obj: PartyMember) -> int:
        return obj.pk

    @staticmethod
    def resolve_member_name(obj: PartyMember) -> str:
        return obj.person.name

    @staticmethod
    def resolve_village_id(obj: PartyMember) -> int:
        return obj.organization.region_id


class PledgeOut(common.Recorded):
    id: int
    village_id: int
    member_id: int
    member_name: str
    text: str
    made_on: dt.date
    due_on: dt.date
    status: str
    closed_on: dt.date | None
    evidence: str
    voided: bool
    supersedes_id: int | None

    @staticmethod
    def resolve_member_name(obj: Pledge) -> str:
        return obj.member.person.name


class PledgeDetailOut(PledgeOut):
    history: list[common.VersionOut]


class PledgeIn(Schema):
    village_id: int
    member_id: int
    text: str
    made_on: dt.date
    due_on: dt.date


class PledgeCloseIn(Schema):
    fulfilled: bool
    closed_on: dt.date
    evidence: str = ""


class PledgeFilter(common.LedgerFilter):
    status: PledgeStatus | None = None


class BalanceFilter(common.LedgerFilter):
    below_threshold: bool = False


def _member(request: HttpRequest, member_id: int | None) -> PartyMember | None:
    if member_id is None:
        return None
    member = (
        visible(
            PartyMember.objects.select_related("person", "organization"), common.scope_of(request)
        )
        .filter(pk=member_id)
        .first()
    )
    if member is None:
        raise common.invalid("member_id", _("党员不存在或不在您的管辖范围内"))
    return member


def _rule(rule_id: int | None) -> PointsRule | None:
    if rule_id is None:
        return None
    rule = PointsRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise common.invalid("rule_id", _("积分项目不存在"))
    return rule


def _entry(request: HttpRequest, points_entry_id: int) -> PointsEntry:
    qs = PointsEntry.objects.select_related(*selectors.RELATED)
    return get_visible_or_404(qs, common.scope_of(request), pk=points_entry_id)


def _pledge(request: HttpRequest, pledge_id: int) -> Pledge:
    qs = Pledge.objects.select_related("village", "member__person", "recorded_by")
    return get_visible_or_404(qs, common.scope_of(request), pk=pledge_id)


RENAME = {"member": "member_id", "rule": "rule_id"}


@router.get("/points/rules", response=list[RuleOut], summary="积分规则")
def rule_list(request: HttpRequest) -> QuerySet[PointsRule]:
    return selectors.rules(active_only=False)


@router.get("/points", response=list[PointsOut], summary="党员积分：当前记录")
@paginate
def points_list(request: HttpRequest, filters: Query[common.LedgerFilter]) -> QuerySet[PointsEntry]:
    return selectors.points_entries(
        common.scope_of(request),
        region=common.region_of(request, filters.village_id),
        period=common.period_of(filters.period),
    )


@router.get("/points/balances", response=list[BalanceOut], summary="党员积分余额与排名")
@paginate
def balance_list(request: HttpRequest, filters: Query[BalanceFilter]) -> QuerySet[PartyMember]:
    villages = common.villages_for(request, filters.village_id)
    period = common.period_of(filters.period)
    if filters.below_threshold:
        return selectors.below_threshold(villages, period)
    return selectors.balances(villages, period)


@router.get(
    "/points/metrics", response=list[common.MetricOut], summary="党员积分与承诺指标（每村）"
)
def points_metrics(request: HttpRequest, filters: Query[common.LedgerFilter]) -> list[dict]:
    return common.metrics_table(
        common.villages_for(request, filters.village_id), common.period_of(filters.period), METRICS
    )


@router.get("/points/export", summary="党员积分、排名与承诺导出 Excel")
def points_export(request: HttpRequest, filters: Query[common.LedgerFilter]) -> HttpResponse:
    region = common.region_of(request, filters.village_id)
    period = common.period_of(filters.period)
    where = region.name if region else _("辖区")
    sheets = selectors.points_sheets(
        common.scope_of(request), region=region, period=period, where=where
    )
    return common.xlsx(export_bytes(*sheets), export_filename(where, _("党员积分"), period.key))


@router.post("/points", response={201: PointsDetailOut, **common.ERRORS}, summary="党员积分：记分")
def points_add(request: HttpRequest, payload: PointsIn) -> Status:
    village = common.village_of(request, payload.village_id)
    return common.saved(
        request,
        _entry,
        services.points_entry_add,
        rename=RENAME,
        scope=common.scope_of(request),
        village=village,
        member=_member(request, payload.member_id),
        rule=_rule(payload.rule_id),
        occurred_on=payload.occurred_on,
        points=payload.points,
        note=payload.note,
        evidence=payload.evidence,
    )


common.entry_routes(
    router,
    "/points",
    param="points_entry_id",
    out=PointsDetailOut,
    fetch=_entry,
    detail_summary="党员积分：一条记录及其历史",
    void_service=services.points_entry_void,
    void_summary="党员积分：作废",
    entry_arg="entry",
)


@router.post(
    "/points/{points_entry_id}/correct",
    response={201: PointsDetailOut, **common.ERRORS},
    summary="党员积分：更正",
)
def points_correct(
    request: HttpRequest, points_entry_id: int, payload: PointsCorrectionIn
) -> Status:
    entry = _entry(request, points_entry_id)
    changes = payload.dict(exclude_unset=True, exclude={"reason", "member_id", "rule_id"})
    if "member_id" in payload.model_fields_set:
        changes["member"] = _member(request, payload.member_id)
    if "rule_id" in payload.model_fields_set:
        changes["rule"] = _rule(payload.rule_id)
    return common.saved(
        request,
        _entry,
        services.points_entry_correct,
        rename=RENAME,
        entry=entry,
        reason=payload.reason,
        **changes,
    )


@router.get("/pledges", response=list[PledgeOut], summary="党员承诺：当前记录")
@paginate
def pledge_list(request: HttpRequest, filters: Query[PledgeFilter]) -> QuerySet[Pledge]:
    return selectors.pledges(
        common.scope_of(request),
        region=common.region_of(request, filters.village_id),
        period=common.period_of(filters.period),
        status=filters.status or "",
    )


@router.post("/pledges", response={201: PledgeDetailOut, **common.ERRORS}, summary="党员承诺：登记")
def pledge_add(request: HttpRequest, payload: PledgeIn) -> Status:
    village = common.village_of(request, payload.village_id)
    return common.saved(
        request,
        _pledge,
        services.pledge_add,
        rename=RENAME,
        scope=common.scope_of(request),
        village=village,
        member=_member(request, payload.member_id),
        text=payload.text,
        made_on=payload.made_on,
        due_on=payload.due_on,
    )


@router.get("/pledges/{pledge_id}", response=PledgeDetailOut, summary="党员承诺：一条记录及其历史")
def pledge_detail(request: HttpRequest, pledge_id: int) -> Pledge:
    return _pledge(request, pledge_id)


@router.post(
    "/pledges/{pledge_id}/close",
    response={201: PledgeDetailOut, **common.ERRORS},
    summary="党员承诺：践诺评定",
)
def pledge_close(request: HttpRequest, pledge_id: int, payload: PledgeCloseIn) -> Status:
    pledge = _pledge(request, pledge_id)
    return common.saved(
        request,
        _pledge,
        services.pledge_close,
        pledge=pledge,
        fulfilled=payload.fulfilled,
        closed_on=payload.closed_on,
        evidence=payload.evidence,
    )
