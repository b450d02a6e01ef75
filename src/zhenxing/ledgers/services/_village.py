"""What the services of ledgers 4–7 (meetings, income, incidents, talent) share: a correction that
re-runs the ledger's own checks on the corrected values (who may write: ``common.require_writer``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction

from zhenxing.accounts.scoping import Scope
from zhenxing.ledgers.models.base import Entry
from zhenxing.ledgers.services.base import AlreadyCorrected, supersede
from zhenxing.ledgers.services.common import require_writer

E = TypeVar("E", bound=Entry)


def correct(
    entry: E,
    *,
    scope: Scope,
    region: Any,
    actor: Any,
    reason: str,
    voided: bool,
    changes: dict[str, Any],
    check: Callable[[dict[str, Any]], dict[str, Any]],
) -> E:
    """Write the correction of ``entry``: ``check`` validates the corrected values (the entry's
    own merged with ``changes``) and returns what to write; ``supersede`` writes it."""
    require_writer(actor)
    scope.require(region)
    if type(entry).objects.filter(supersedes_id=entry.pk).exists():
        raise AlreadyCorrected
    cleaned = check(changes) if not voided else {}
    with transaction.atomic():
        return supersede(entry, actor=actor, reason=reason, voided=voided, **cleaned)
