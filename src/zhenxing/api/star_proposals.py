"""/api/v1/stars/proposals: revocation proposals (摘星建议), the API twin of the proposals on the
application, township and to-do pages. A 三零 incident recorded through the ledgers API proposes
by itself; a judged veto event (a disciplinary case) is entered here by the township or the
county; the county decides (摘星 or 不予摘星). Out of scope answers 404 like not found."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from zhenxing.accounts.scoping import get_visible_or_404
from zhenxing.api.star_proposal_out import RevocationProposalOut, proposal_out
from zhenxing.api.stars import ERRORS, _actor, _application, _pick, _scope, service_errors
from zhenxing.regions.models import Region
from zhenxing.stars import selectors, services
from zhenxing.stars.models import Indicator, ProposalState, RevocationProposal

router = Router(tags=["stars"])


class RevocationProposalFilter(Schema):
    region: int | None = Field(None, description="只列出该区域（含下级）的村")
    state: ProposalState | None = None


@router.get(
    "",
    response={200: list[RevocationProposalOut], **ERRORS},
    summary="可见的摘星建议，待决定的在前",
)
def proposal_list(
    request: HttpRequest, filters: Query[RevocationProposalFilter]
) -> list[dict[str, Any]]:
    scope = _scope(request)
    region = get_visible_or_404(Region, scope, pk=filters.region) if filters.region else None
    rows = selectors.proposal_list(scope, region=region)
    if filters.state:
        rows = rows.filter(state=filters.state)
    return [proposal_out(p) for p in rows[:500]]


def _proposal(request: HttpRequest, proposal_id: int) -> RevocationProposal:
    return get_visible_or_404(
        RevocationProposal.objects.select_related(
            "application__region", "application__standard", "indicator", "objection"
        ),
        _scope(request),
        pk=proposal_id,
    )


@router.get(
    "/{int:proposal_id}", response={200: RevocationProposalOut, **ERRORS}, summary="一条摘星建议"
)
def proposal_detail(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    return proposal_out(_proposal(request, proposal_id))


class RevocationProposeIn(Schema):
    application_id: int
    veto_indicator_id: int = Field(description="事件所涉的一票否决事项")
    event: str = Field(description="事件（5 至 300 字）")
    reference: str = Field("", description="案号/文号")


@router.post(
    "",
    response={201: RevocationProposalOut, **ERRORS},
    summary="登记一票否决事件，提出摘星建议（公示期内作为异议登记）",
)
def propose(request: HttpRequest, payload: RevocationProposeIn) -> Any:
    app = _application(request, payload.application_id)
    veto = _pick(request, app, Indicator, "veto_indicator_id", payload.veto_indicator_id)
    with service_errors():
        proposal = services.revocation_propose(
            application=app,
            veto=veto,
            event=payload.event,
            reference=payload.reference,
            actor=_actor(request),
            scope=_scope(request),
        )
    return 201, proposal_out(_proposal(request, proposal.pk))


class RevocationDecideIn(Schema):
    revoke: bool = Field(description="true 摘星；false 不予摘星")
    note: str = Field(description="处理意见（至少 5 个字）")


@router.post(
    "/{int:proposal_id}/decide",
    response={200: RevocationProposalOut, **ERRORS},
    summary="县委组织部决定摘星建议：摘星或不予摘星",
)
def decide(request: HttpRequest, proposal_id: int, payload: RevocationDecideIn) -> dict[str, Any]:
    proposal = _proposal(request, proposal_id)
    with service_errors():
        services.revocation_decide(
            proposal=proposal,
            revoke=payload.revoke,
            note=payload.note,
            actor=_actor(request),
            scope=_scope(request),
        )
    return proposal_out(_proposal(request, proposal_id))
