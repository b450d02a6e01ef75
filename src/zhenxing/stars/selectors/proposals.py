"""Reads of the revocation proposals (摘星建议), through the scoping module."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When

from zhenxing.accounts.scoping import Scope, visible
from zhenxing.regions.models import Region
from zhenxing.stars.models import ProposalState, RevocationProposal

# Who decides a proposal: the county organisation department (``states``: DISMISS, REVOKE).
DECIDERS = frozenset({"county_admin"})


def proposal_list(
    scope: Scope, *, region: Region | None = None, open_only: bool = False
) -> QuerySet[RevocationProposal]:
    """The visible proposals (under ``region``), those waiting for the county first, then the
    newest."""
    qs = visible(RevocationProposal.objects.all(), scope)
    if region is not None:
        qs = qs.filter(application__region__path__startswith=region.path)
    if open_only:
        qs = qs.filter(state=ProposalState.OPEN)
    waiting = Case(
        When(state=ProposalState.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        qs.select_related("application__region", "application__standard", "indicator", "objection")
        .prefetch_related("stars")
        .order_by(waiting, "-created_at", "-pk")
    )


def may_decide(role: str) -> bool:
    return role in DECIDERS


def waiting_for(scope: Scope, role: str) -> int:
    """Open proposals the person decides (the county's to-do count; one query)."""
    if not may_decide(role):
        return 0
    return visible(RevocationProposal.objects.filter(state=ProposalState.OPEN), scope).count()
