"""What the services of ledgers 4–7 (meetings, income, incidents, talent) share: recording an entry
of a village, and a correction that re-runs the ledger's own checks on the corrected values (who
may write: ``common.require_writer``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import transaction

from zhenxing.accounts.scoping import Scope
from zhenxing.ledgers.models.base import Entry
from zhenxing.ledgers.services.base import AlreadyCorrected, supersede
from zhenxing.ledgers.services.common import require_village, require_writer
from zhenxing.regions.models import Region

E = TypeVar("E", bound=Entry)


def record(
    model: type[E],
    check: Callable[[Region], dict[str, Any]],
    *,
    scope: Scope,
    village: Region | None,
    actor: Any,
) -> E:
    """Write a new entry of ``model`` for a village in scope: ``check`` validates the values for
    that village and returns what to write."""
    require_writer(actor)
    village = require_village(scope, village)
    values = check(village)
    with transaction.atomic():
        entry = model(village=village, recorded_by=actor, **values)
        entry.full_clean(exclude=["supersedes"])
        entry.save(force_insert=True)
    return entry


def corrected(entry: Any, changes: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The values ``names`` of ``entry`` as corrected: ``changes`` over the entry's own."""
    return {name: changes.get(name, getattr(entry, name)) for name in names}


def correct(
    entry: E,
    check: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    scope: Scope,
    actor: Any,
    reason: str,
    voided: bool,
    changes: dict[str, Any],
    region: Any = None,
) -> E:
    """Write the correction of ``entry``: ``check`` validates the corrected values (the entry's
    own merged with ``changes``) and returns what to write; ``supersede`` writes it. The caller
    must be able to write for ``region`` (by default the entry's village)."""
    region = entry.village if region is None else region  # type: ignore[attr-defined]
    require_writer(actor)
    scope.require(region)
    if type(entry).objects.filter(supersedes_id=entry.pk).exists():
        raise AlreadyCorrected
    cleaned = check(changes) if not voided else {}
    with transaction.atomic():
        return supersede(entry, actor=actor, reason=reason, voided=voided, **cleaned)
