"""Writes of the 三色账: add an entry, correct it, mark a black entry corrected (黄账), void it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenxing.ledgers.models.books import BookEntry, Colour
from zhenxing.ledgers.services.base import supersede
from zhenxing.ledgers.services.common import (
    checked_photos,
    past_date,
    require_village,
    require_writer,
    store_photos,
    text,
)
from zhenxing.regions.models import Household, Region


def publish_date(recorded: dt.date) -> dt.date:
    """When an entry recorded on ``recorded`` goes up on the public board (the delay setting)."""
    return recorded + dt.timedelta(days=settings.LEDGERS_BOOK_PUBLISH_DELAY_DAYS)


def _checked(
    *,
    village: Region,
    colour: str,
    occurred_on: dt.date | None,
    household: Household | None,
    person: str,
    title: str,
    description: str,
) -> dict[str, Any]:
    if colour not in Colour.values:
        raise ValidationError({"colour": _("请选择红账、黑账或蓝账")})
    past_date(occurred_on, "occurred_on", _("发生日期"), village=village)
    if household is not None and household.village_id != village.pk:
        raise ValidationError({"household": _("该农户不属于%(v)s") % {"v": village.name}})
    person = (person or "").strip()
    if len(person) > 40:
        raise ValidationError({"person": _("当事人不能超过 40 个字")})
    if colour != Colour.BLUE and household is None and not person:
        raise ValidationError({"household": _("红账、黑账须写明农户或当事人")})
    return {
        "colour": colour,
        "occurred_on": occurred_on,
        "household": household,
        "person": person,
        "title": text(title, "title", _("事项"), high=60),
        "description": text(description, "description", _("经过"), low=5, high=2000),
    }


@transaction.atomic
def book_entry_add(
    *,
    scope: Any,
    village: Region,
    colour: str,
    occurred_on: dt.date | None,
    title: str,
    description: str,
    household: Household | None = None,
    person: str = "",
    photos: Sequence[Any] = (),
    actor: Any,
) -> BookEntry:
    require_writer(actor)
    require_village(scope, village)
    fields = _checked(
        village=village,
        colour=colour,
        occurred_on=occurred_on,
        household=household,
        person=person,
        title=title,
        description=description,
    )
    images = checked_photos(photos)
    entry = BookEntry(
        village=village,
        recorded_by=actor,
        publish_on=publish_date(timezone.localdate()),
        **fields,
    )
    entry.full_clean(exclude=["supersedes", "recorded_by"])
    entry.save()
    if images:
        entry.photos.set(store_photos(village, images))
    return entry


@transaction.atomic
def book_entry_correct(
    *,
    entry: BookEntry,
    reason: str,
    actor: Any,
    photos: Sequence[Any] = (),
    **changes: Any,
) -> BookEntry:
    """A correction of ``entry`` (fetched through scoping): the same checks as adding."""
    require_writer(actor)
    current = {
        name: getattr(entry, name)
        for name in ("colour", "occurred_on", "household", "person", "title", "description")
    }
    fields = _checked(village=entry.village, **{**current, **changes})
    if entry.corrected_on and fields["colour"] != Colour.BLACK:
        fields["corrected_on"] = None
    images = checked_photos(photos)
    if images:
        fields["photos"] = [*entry.photos.all(), *store_photos(entry.village, images)]
    return supersede(entry, actor=actor, reason=reason, **fields)


@transaction.atomic
def book_entry_mark_corrected(
    *, entry: BookEntry, corrected_on: dt.date | None, reason: str, actor: Any
) -> BookEntry:
    """黄账: a black entry whose subject has put things right leaves the public board."""
    require_writer(actor)
    if entry.colour != Colour.BLACK:
        raise ValidationError({"corrected_on": _("只有黑账可以标记为已改正")})
    if entry.corrected_on:
        raise ValidationError({"corrected_on": _("该黑账已标记为已改正")})
    past_date(corrected_on, "corrected_on", _("改正日期"))
    if corrected_on < entry.occurred_on:  # type: ignore[operator]
        raise ValidationError({"corrected_on": _("改正日期不能早于发生日期")})
    return supersede(entry, actor=actor, reason=reason, corrected_on=corrected_on)


@transaction.atomic
def book_entry_void(*, entry: BookEntry, reason: str, actor: Any) -> BookEntry:
    """作废: the entry stays in the history but no longer counts or shows on the board."""
    require_writer(actor)
    return supersede(entry, actor=actor, reason=reason, voided=True)
