"""Incidents (三零): record a petition escalated beyond the township, an accident with casualties or
a criminal case in a village, and correct it. The 三零 status is derived from these rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhenxing.accounts.scoping import Scope
from zhenxing.ledgers.models.incidents import Incident, IncidentKind
from zhenxing.ledgers.services import common
from zhenxing.ledgers.services._village import correct, corrected, record
from zhenxing.regions.models import Region

MAX_PEOPLE = 9999


def _count(value: Any, field: str, label: str) -> int:
    try:
        n = int(value or 0)
    except (TypeError, ValueError):
        raise ValidationError({field: _("%(label)s请填写整数") % {"label": label}}) from None
    if not 0 <= n <= MAX_PEOPLE:
        raise ValidationError({field: _("%(label)s应在 0 至 9999 之间") % {"label": label}})
    return n


def _checked(
    *,
    kind: str,
    occurred_on: dt.date | None,
    summary: str,
    deaths: Any,
    injuries: Any,
    reference: str,
    village: Region | None = None,
) -> dict[str, Any]:
    if kind not in IncidentKind.values:
        raise ValidationError({"kind": _("请选择类别（越级上访、伤亡事故或刑事案件）")})
    common.past_date(occurred_on, "occurred_on", _("发生日期"), village=village)
    summary = common.text(summary, "summary", _("简要情况"), high=300)
    deaths = _count(deaths, "deaths", _("死亡人数"))
    injuries = _count(injuries, "injuries", _("受伤人数"))
    if kind == IncidentKind.ACCIDENT and not (deaths or injuries):
        raise ValidationError(
            {"injuries": _("伤亡事故须填写死亡或受伤人数；没有人员伤亡的事故不计入三零")}
        )
    reference = common.text(reference, "reference", _("案号/文号"), low=0, high=60)
    return {
        "kind": kind,
        "occurred_on": occurred_on,
        "summary": summary,
        "deaths": deaths,
        "injuries": injuries,
        "reference": reference,
    }


FIELDS = ("kind", "occurred_on", "summary", "deaths", "injuries", "reference")


def incident_record(
    *,
    scope: Scope,
    village: Region | None,
    kind: str,
    occurred_on: dt.date | None,
    summary: str,
    actor: Any,
    deaths: Any = 0,
    injuries: Any = 0,
    reference: str = "",
) -> Incident:
    def check(village: Region) -> dict[str, Any]:
        return _checked(
            kind=kind,
            occurred_on=occurred_on,
            summary=summary,
            deaths=deaths,
            injuries=injuries,
            reference=reference,
            village=village,
        )

    return record(Incident, check, scope=scope, village=village, actor=actor)


def incident_correct(
    *,
    scope: Scope,
    incident: Incident,
    actor: Any,
    reason: str,
    voided: bool = False,
    **changes: Any,
) -> Incident:
    def check(changes: dict[str, Any]) -> dict[str, Any]:
        return _checked(**corrected(incident, changes, FIELDS), village=incident.village)

    return correct(
        incident, check, scope=scope, actor=actor, reason=reason, voided=voided, changes=changes
    )
