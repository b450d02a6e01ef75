"""Validators for personal identifiers, with messages a cadre can act on."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def normalize_id_number(value: str) -> str:
    return ric.compact(value or "").upper()


def validate_id_number(value: str) -> None:
    """GB 11643 citizen ID number: 18 characters, valid birth date, valid check digit."""
    try:
        ric.validate(value)
    except InvalidLength as exc:
        raise ValidationError(_("身份证号应为18位"), code="length") from exc
    except InvalidChecksum as exc:
        raise ValidationError(_("身份证号校验位不正确"), code="checksum") from exc
    except (InvalidComponent, InvalidFormat) as exc:
        raise ValidationError(_("身份证号格式不正确（出生日期或字符无效）"), code="format") from exc


def validate_phone(value: str) -> None:
    if not PHONE_RE.match(value or ""):
        raise ValidationError(
            _("电话号码格式不正确，应为11位手机号或带区号的固定电话"), code="phone"
        )


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) >= 11:
        return f"{value[:3]}****{value[-4:]}"
    return f"{value[:2]}****{value[-2:]}"


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    return f"{value[:6]}********{value[-4:]}"
