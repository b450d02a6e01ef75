"""The correction mechanics every ledger shares (see ``models.base.Entry``)."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenxing.ledgers.models.base import Entry

E = TypeVar("E", bound=Entry)


class AlreadyCorrected(Exception):
    """Someone corrected (or voided) this row first."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("该记录刚被他人更正，请刷新后查看最新记录"))


def supersede(entry: E, *, actor, reason: str, voided: bool = False, **changes) -> E:
    """Write the correction of ``entry``: a copy with ``changes`` applied that supersedes it.

    The caller validates ``changes`` (full_clean runs here too). Many-to-many values in
    ``changes`` are set on the new row after it is saved. Raises ``AlreadyCorrected`` when the
    row was already superseded, ``ValidationError`` when no reason is given.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写更正原因")})
    model = type(entry)
    m2m = {f.name for f in model._meta.many_to_many}
    new = model.objects.get(pk=entry.pk)  # a fresh copy, not the caller's possibly edited one
    new.pk = new.id = None
    new._state.adding = True
    for name, value in changes.items():
        if name not in m2m:
            setattr(new, name, value)
    new.supersedes_id = entry.pk
    new.recorded_by = actor
    new.reason = reason
    new.voided = voided
    new.recorded_at = timezone.now()
    new.full_clean(exclude=["supersedes"])
    try:
        with transaction.atomic():
            new.save(force_insert=True)
            for field in model._meta.many_to_many:
                value = changes.get(field.name, getattr(entry, field.name).all())
                getattr(new, field.name).set(value)
    except IntegrityError as exc:
        if model.objects.filter(supersedes_id=entry.pk).exists():
            raise AlreadyCorrected from exc
        raise
    return new
