"""What the selectors of ledgers 1–3 share: scoped current rows and an entry's history."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import QuerySet

from zhenxing.accounts.scoping import Scope, visible
from zhenxing.ledgers.models.base import Entry
from zhenxing.regions.models import VILLAGE_LEVELS, Region

E = TypeVar("E", bound=Entry)


def current_rows(model: type[E], scope: Scope, *, region: Region | None = None) -> QuerySet[E]:
    """What the ledger says now (rows nobody superseded, voided ones included), in scope and,
    when given, under ``region``."""
    qs = visible(model.objects.current(), scope)
    if region is not None:
        qs = qs.filter(village__path__startswith=region.path)
    return qs


def history(entry: E) -> list[E]:
    """The whole chain ``entry`` belongs to, oldest first: the original and each correction."""
    model = type(entry)
    related = ("recorded_by",)
    first = entry
    while first.supersedes_id is not None:
        first = model.objects.select_related(*related).get(pk=first.supersedes_id)
    chain = [first]
    while True:
        nxt = model.objects.select_related(*related).filter(supersedes_id=chain[-1].pk).first()
        if nxt is None:
            return chain
        chain.append(nxt)


def villages_under(scope: Scope, region: Region | None = None) -> QuerySet[Region]:
    """Villages and communities in scope (under ``region`` when given): the metrics' input."""
    qs = visible(Region.objects.filter(level__in=VILLAGE_LEVELS), scope)
    if region is not None:
        qs = qs.filter(path__startswith=region.path)
    return qs
