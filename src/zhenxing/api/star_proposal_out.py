"""The shape of a revocation proposal (摘星建议) in the API: in ``/stars/proposals`` and in an
application's detail alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from zhenxing.stars.models import RevocationProposal


class RevocationProposalOut(Schema):
    id: int
    application_id: int
    village_id: int
    village_name: str
    year: int = Field(description="所涉星的年度")
    veto_indicator_id: int
    veto_indicator: str
    veto_scope: str = Field(description="star（否决本星）或 branch（整个支部当年不评星）")
    incident_id: int | None = Field(description="三零事件（台账）的当前记录；评审事项为空")
    event: str
    reference: str
    star_ids: list[int] = Field(description="拟摘的星（按与测评、审定相同的规则得出）")
    star_names: list[str]
    reason: str
    state: str = Field(description="open/objection/revoked/dismissed/withdrawn")
    state_label: str
    objection_id: int | None = Field(description="公示期内提出时登记的异议")
    objection_decision: str | None
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str


def proposal_out(p: RevocationProposal) -> dict[str, Any]:
    stars = list(p.stars.all())
    return {
        "id": p.pk,
        "application_id": p.application_id,
        "village_id": p.application.region_id,
        "village_name": p.application.region.name,
        "year": p.application.standard.year,
        "veto_indicator_id": p.indicator_id,
        "veto_indicator": p.indicator.name,
        "veto_scope": p.indicator.veto,
        "incident_id": p.incident_id,
        "event": p.event,
        "reference": p.reference,
        "star_ids": [s.pk for s in stars],
        "star_names": [s.name for s in stars],
        "reason": p.reason,
        "state": p.state,
        "state_label": p.get_state_display(),
        "objection_id": p.objection_id,
        "objection_decision": p.objection.decision if p.objection_id else None,
        "created_at": p.created_at,
        "decided_at": p.decided_at,
        "decision_note": p.decision_note,
    }
