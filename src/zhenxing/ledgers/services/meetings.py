"""Organisational life: record a meeting of a branch, correct it, and seed the default kinds and
required frequencies (seeds 000–002: 支部委员会 monthly, 党员大会 quarterly, 党课 quarterly,
主题党日 monthly, 微党课 weekly)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhenxing.accounts.scoping import Scope
from zhenxing.ledgers.models.meetings import Frequency, MeetingKind, MeetingRequirement, OrgMeeting
from zhenxing.ledgers.services import common
from zhenxing.ledgers.services._village import correct
from zhenxing.ledgers.services.common import require_writer
from zhenxing.regions.models import MemberStatus, PartyMember, PartyOrganization

# (code, name, per, count, all members attend): the seeds' defaults, loaded once by
# ``meeting_defaults_ensure``.
DEFAULT_KINDS: tuple[tuple[str, str, str, int, bool], ...] = (
    ("committee", "支部委员会", Frequency.MONTH, 1, False),
    ("assembly", "党员大会", Frequency.QUARTER, 1, True),
    ("group", "党小组会", Frequency.MONTH, 1, False),
    ("lecture", "党课", Frequency.QUARTER, 1, True),
    ("theme_day", "主题党日", Frequency.MONTH, 1, True),
    ("micro_lesson", "微党课", Frequency.WEEK, 1, False),
)


def meeting_defaults_ensure() -> None:
    """Create the default kinds and their requirements where missing (idempotent)."""
    for sort, (code, name, per, count, everyone) in enumerate(DEFAULT_KINDS, start=1):
        kind, _created = MeetingKind.objects.get_or_create(
            code=code, defaults={"name": name, "sort": sort, "all_members": everyone}
        )
        MeetingRequirement.objects.get_or_create(kind=kind, defaults={"per": per, "count": count})


def _checked(
    *,
    organization: PartyOrganization,
    kind: MeetingKind | None,
    held_on: dt.date | None,
    topic: str,
    minutes: str,
    attendees: Sequence[PartyMember],
) -> dict[str, Any]:
    if kind is None:
        raise ValidationError({"kind": _("请选择会议类型")})
    common.past_date(held_on, "held_on", _("召开日期"), village=organization.region)
    topic = common.text(topic, "topic", _("会议主题"), high=120)
    minutes = common.text(minutes, "minutes", _("会议记录"), low=0, high=4000)
    strangers = [
        m
        for m in attendees
        if m.organization_id != organization.pk or m.status != MemberStatus.ACTIVE
    ]
    if strangers:
        names = "、".join(str(m.person) for m in strangers)
        raise ValidationError(
            {
                "attendees": _("以下人员不是%(org)s的在册党员，不能记为参会：%(names)s")
                % {"org": organization.name, "names": names}
            }
        )
    return {"kind": kind, "held_on": held_on, "topic": topic, "minutes": minutes}


def org_meeting_record(
    *,
    scope: Scope,
    organization: PartyOrganization,
    kind: MeetingKind | None,
    held_on: dt.date | None,
    topic: str,
    attendees: Sequence[PartyMember],
    actor: Any,
    minutes: str = "",
    photos: Sequence[Any] = (),
) -> OrgMeeting:
    """Record a meeting held by ``organization`` (a branch the caller can see)."""
    require_writer(actor)
    scope.require(organization.region)
    values = _checked(
        organization=organization,
        kind=kind,
        held_on=held_on,
        topic=topic,
        minutes=minutes,
        attendees=attendees,
    )
    images = common.checked_photos(photos)
    with transaction.atomic():
        meeting = OrgMeeting(organization=organization, recorded_by=actor, **values)
        meeting.full_clean(exclude=["supersedes"])
        meeting.save(force_insert=True)
        meeting.attendees.set(attendees)
        if images:
            meeting.photos.set(common.store_photos(organization.region, images))
    return meeting


def org_meeting_correct(
    *,
    scope: Scope,
    meeting: OrgMeeting,
    actor: Any,
    reason: str,
    voided: bool = False,
    **changes: Any,
) -> OrgMeeting:
    """Correct a meeting record: a new row with the changes, who and why; the old row stays."""
    organization = meeting.organization

    def check(changes: dict[str, Any]) -> dict[str, Any]:
        attendees = changes.get("attendees")
        if attendees is None:
            attendees = list(meeting.attendees.all())
        values = _checked(
            organization=organization,
            kind=changes.get("kind", meeting.kind),
            held_on=changes.get("held_on", meeting.held_on),
            topic=changes.get("topic", meeting.topic),
            minutes=changes.get("minutes", meeting.minutes),
            attendees=attendees,
        )
        return {**values, "attendees": attendees}

    return correct(
        meeting,
        check,
        scope=scope,
        actor=actor,
        reason=reason,
        voided=voided,
        changes=changes,
        region=organization.region,
    )
