"""Checks every ledger's services share: the village, dates not in the future, lengths, photos."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenxing.core.images import photos_checked
from zhenxing.ledgers.models.books import LedgerPhoto
from zhenxing.regions.models import Region


def require_village(scope: Any, village: Region | None, field: str = "village") -> Region:
    """A village or community inside the caller's scope (PermissionDenied outside it)."""
    if village is None or not village.is_village:
        raise ValidationError({field: _("请选择村（社区）")})
    scope.require(village)
    return village


def past_date(
    value: dt.date | None,
    field: str,
    label: str,
    *,
    required: bool = True,
    village: Region | None = None,
) -> None:
    """A date of a record: given (when ``required``), not in the future, and not before the
    village is in the register (a back-filled paper ledger may go back that far, no further)."""
    if value is None:
        if required:
            raise ValidationError({field: _("请填写%(label)s") % {"label": label}})
        return
    if value > timezone.localdate():
        raise ValidationError(
            {field: _("%(label)s不能晚于今天（%(day)s）") % {"label": label, "day": value}}
        )
    if village is not None and (why := village.registered_error(value, label)):
        raise ValidationError({field: why})


def text(value: str | None, field: str, label: str, *, low: int = 1, high: int = 200) -> str:
    value = (value or "").strip()
    if len(value) < low:
        raise ValidationError({field: _("请填写%(label)s") % {"label": label}})
    if len(value) > high:
        raise ValidationError(
            {field: _("%(label)s不能超过 %(n)s 个字") % {"label": label, "n": high}}
        )
    return value


def checked_photos(files: Sequence[Any] | None) -> list[bytes]:
    """Check and re-encode uploads before anything is written (a ValidationError on ``photos``)."""
    return photos_checked(list(files or []))


def store_photos(village: Region, images: Iterable[bytes]) -> list[LedgerPhoto]:
    """Store checked images and their rows; if storing fails part-way, remove the files."""
    stored: list[LedgerPhoto] = []
    try:
        for data in images:
            photo = LedgerPhoto(village=village, uploaded_at=timezone.now())
            photo.image.save("photo.jpg", ContentFile(data), save=False)
            stored.append(photo)
            photo.save()
    except Exception:
        delete_files(p.image.name for p in stored)
        raise
    return stored


def delete_files(names: Iterable[str]) -> None:
    storage = LedgerPhoto._meta.get_field("image").storage
    for name in names:
        if name:
            storage.delete(name)


# Who keeps ledgers 1–3: the village secretary for the village, the township and county offices
# for the villages under them. Everyone else in scope reads them.
WRITER_ROLES = frozenset({"county_admin", "township_admin", "village_secretary"})


def may_write(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False) or getattr(user, "role", "") in WRITER_ROLES)


def require_writer(actor: Any) -> None:
    if not may_write(actor):
        raise PermissionDenied(_("您的角色只能查看台账，不能记录或更正"))
