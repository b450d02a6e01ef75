"""Reads of organisational life: the meeting list, and compliance (held against required) and
attendance per branch and period; the metrics ``meetings_compliance`` and ``meetings_attendance``.

Required counts: a requirement of ``count`` per ``per`` (week, month…) asks ``count`` meetings in
each whole week/month/… of the period that has ended by ``as_of`` (today by default), so a year
under way is judged on its finished months. Meetings held beyond what a kind requires do not make
up for another kind: compliance is Σ min(held, required) ÷ Σ required over the kinds.
Attendance is the attendees recorded ÷ (meetings held × the branch's members in good standing),
over the kinds every member is expected at (``MeetingKind.all_members``: 党员大会, 党课, 主题党日).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenxing.accounts.scoping import Scope, visible
from zhenxing.core.periods import Period
from zhenxing.ledgers.exports import DATE, NUMBER, PERCENT, WRAP, Column, Sheet
from zhenxing.ledgers.models.meetings import Frequency, MeetingKind, OrgMeeting
from zhenxing.ledgers.selectors._village import Villages, pct, pct_text, village_ids
from zhenxing.ledgers.selectors.common import villages_under
from zhenxing.regions.models import MemberStatus, OrgKind, PartyOrganization, Region

# The organisations whose organisational life the ledger follows: the village-level branches.
BRANCH_KINDS = (OrgKind.VILLAGE_BRANCH, OrgKind.COMMUNITY_BRANCH, OrgKind.GENERAL_BRANCH)


def next_unit(per: str, start: dt.date) -> dt.date:
    """The first day after the unit (week, month…) that begins on ``start``."""
    if per == Frequency.WEEK:
        return start + dt.timedelta(days=7)
    months = {Frequency.MONTH: 1, Frequency.QUARTER: 3, Frequency.HALF: 6, Frequency.YEAR: 12}[per]
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def first_unit(per: str, day: dt.date) -> dt.date:
    """The start of the first whole unit beginning on or after ``day``."""
    if per == Frequency.WEEK:
        return day + dt.timedelta(days=(7 - day.weekday()) % 7)
    months = {Frequency.MONTH: 1, Frequency.QUARTER: 3, Frequency.HALF: 6, Frequency.YEAR: 12}[per]
    index = day.year * 12 + day.month - 1
    if day.day != 1:
        index += 1
    index += (-index) % months  # units start on months 1, 4, 7, 10 (quarters) etc.
    return dt.date(index // 12, index % 12 + 1, 1)


def units_in(per: str, period: Period, as_of: dt.date) -> int:
    """How many whole units of ``per`` lie in ``period`` and have ended by ``as_of``."""
    end = min(period.end, as_of)
    start = first_unit(per, period.start)
    n = 0
    while (after := next_unit(per, start)) - dt.timedelta(days=1) <= end:
        n += 1
        start = after
    return n


@dataclass
class KindFigures:
    kind_id: int
    name: str
    held: int = 0
    required: int = 0

    @property
    def met(self) -> int:
        return min(self.held, self.required)


@dataclass
class BranchFigures:
    organization_id: int
    name: str
    region_id: int
    members: int
    kinds: dict[int, KindFigures] = field(default_factory=dict)
    attendees: int = 0  # at meetings of kinds every member is expected at
    expected: int = 0  # meetings of those kinds held

    @property
    def held(self) -> int:
        return sum(k.held for k in self.kinds.values())

    @property
    def required(self) -> int:
        return sum(k.required for k in self.kinds.values())

    @property
    def met(self) -> int:
        return sum(k.met for k in self.kinds.values())

    @property
    def compliance(self) -> float | None:
        return pct(self.met, self.required)

    @property
    def attendance(self) -> float | None:
        return pct(self.attendees, self.expected * self.members)


def branch_figures(
    villages: Villages, period: Period, *, as_of: dt.date | None = None
) -> dict[int, BranchFigures]:
    """Held, required and attendance of every branch in ``villages``: four queries in all."""
    _ids, among = village_ids(villages, ids=False)
    return _branch_figures(among, period, as_of or timezone.localdate())


def _branch_figures(
    among: Any, period: Period, as_of: dt.date, *, attendance: bool = True
) -> dict[int, BranchFigures]:
    kinds = {k.pk: k for k in MeetingKind.objects.select_related("requirement")}
    branches = (
        PartyOrganization.objects.filter(region__in=among, kind__in=BRANCH_KINDS)
        .annotate(active=Count("members", filter=Q(members__status=MemberStatus.ACTIVE)))
        .values_list("pk", "name", "region_id", "active")
    )
    out = {
        pk: BranchFigures(organization_id=pk, name=name, region_id=region_id, members=active)
        for pk, name, region_id, active in branches
    }
    required = {}
    for kind in kinds.values():
        r = getattr(kind, "requirement", None)
        if kind.active and r is not None:
            required[kind.pk] = (kind.name, r.count * units_in(r.per, period, as_of))
    for branch in out.values():
        for kind_id, (name, n) in required.items():
            branch.kinds[kind_id] = KindFigures(kind_id, name, required=n)
    held = OrgMeeting.objects.counting().filter(
        organization__region__in=among,
        organization__kind__in=BRANCH_KINDS,
        held_on__gte=period.start,
        held_on__lte=period.end,
    )
    rows = held.values_list("organization_id", "kind_id").annotate(n=Count("pk")).order_by()
    for organization_id, kind_id, n in rows:
        branch = out.get(organization_id)
        if branch is None:
            continue
        figures = branch.kinds.setdefault(kind_id, KindFigures(kind_id, kinds[kind_id].name))
        figures.held += n
        if kinds[kind_id].all_members:
            branch.expected += n
    if attendance:  # the attendees of the meetings every member is expected at, per branch
        slots = (
            OrgMeeting.attendees.through.objects.filter(
                orgmeeting__in=held.filter(kind__all_members=True).values("pk")
            )
            .values("orgmeeting__organization_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in slots:
            branch = out.get(row["orgmeeting__organization_id"])
            if branch is not None:
                branch.attendees += row["n"]
    return out


def _per_village(
    villages: Villages, period: Period, as_of: dt.date | None, *, attendance: bool
) -> tuple[list[int], dict[int, list[BranchFigures]]]:
    ids, among = village_ids(villages)
    by_village: dict[int, list[BranchFigures]] = {}
    figures = _branch_figures(among, period, as_of or timezone.localdate(), attendance=attendance)
    for branch in figures.values():
        by_village.setdefault(branch.region_id, []).append(branch)
    return ids, by_village


def meetings_compliance(
    villages: Villages, period: Period, *, as_of: dt.date | None = None
) -> dict[int, float | None]:
    """Metric: % of the required organisational-life meetings the village's branches held in the
    period (Σ min(held, required) ÷ Σ required per kind); None when nothing was required."""
    ids, by_village = _per_village(villages, period, as_of, attendance=False)
    out: dict[int, float | None] = {}
    for vid in ids:
        branches = by_village.get(vid, [])
        out[vid] = pct(sum(b.met for b in branches), sum(b.required for b in branches))
    return out


def meetings_attendance(villages: Villages, period: Period) -> dict[int, float | None]:
    """Metric: % attendance at the village's branch meetings every member is expected at, in the
    period (attendees recorded ÷ meetings × members in good standing); None when none was held."""
    ids, by_village = _per_village(villages, period, None, attendance=True)
    out: dict[int, float | None] = {}
    for vid in ids:
        branches = by_village.get(vid, [])
        out[vid] = pct(
            sum(b.attendees for b in branches), sum(b.expected * b.members for b in branches)
        )
    return out


def org_meetings(
    scope: Scope,
    *,
    period: Period,
    village: Region | None = None,
    kind_id: int | None = None,
) -> QuerySet[OrgMeeting]:
    """What the ledger says now (current rows, voided ones flagged), newest first."""
    qs = visible(OrgMeeting.objects.current(), scope).filter(
        held_on__gte=period.start, held_on__lte=period.end
    )
    if village is not None:  # a village, or any region: everything under it
        qs = qs.filter(organization__region__path__startswith=village.path)
    if kind_id:
        qs = qs.filter(kind_id=kind_id)
    return (
        qs.select_related("organization__region", "kind", "recorded_by")
        .annotate(attendee_count=Count("attendees", distinct=True))
        .order_by("-held_on", "-pk")
    )


def branches_visible(scope: Scope, village: Region | None = None) -> QuerySet[PartyOrganization]:
    qs = visible(PartyOrganization.objects.filter(kind__in=BRANCH_KINDS), scope)
    if village is not None:
        qs = qs.filter(region=village)
    return qs.select_related("region").order_by("region__path", "name")


# --- the tables and the Excel layout of the pages and the API ------------------------------------


def compliance_rows(scope: Scope, period: Period, village: Region | None) -> dict[str, Any]:
    """Per branch in scope (or in ``village``): each kind held/required, compliance, attendance."""
    villages = villages_under(scope, village)
    figures = branch_figures(villages, period)
    names = dict(villages.values_list("pk", "name"))
    paths = dict(villages.values_list("pk", "path"))
    kinds = list(MeetingKind.objects.filter(active=True))
    rows = sorted(figures.values(), key=lambda b: (paths.get(b.region_id, ""), b.name))
    held = sum(b.met for b in rows)
    required = sum(b.required for b in rows)
    return {
        "kinds": kinds,
        "rows": [
            {
                "branch": b,
                "village": names.get(b.region_id, ""),
                "cells": [b.kinds.get(k.pk) for k in kinds],
                "compliance": pct_text(b.compliance),
                "attendance": pct_text(b.attendance),
                "low": b.compliance is not None and b.compliance < 80,
            }
            for b in rows
        ],
        "overall": pct_text(round(100 * held / required, 1) if required else None),
        "met_count": sum(1 for b in rows if b.compliance == 100.0),
    }


EXPORT_COLUMNS = [
    Column(gettext_lazy("序号"), 6, NUMBER),
    Column(gettext_lazy("村（社区）"), 12),
    Column(gettext_lazy("党组织"), 18),
    Column(gettext_lazy("会议类型"), 10),
    Column(gettext_lazy("召开日期"), 12, DATE),
    Column(gettext_lazy("会议主题"), 28, WRAP),
    Column(gettext_lazy("参会人数"), 9, NUMBER),
    Column(gettext_lazy("会议记录"), 40, WRAP),
    Column(gettext_lazy("记录人"), 10),
    Column(gettext_lazy("状态"), 8),
]


def export_sheets(scope: Scope, period: Period, village: Region | None, where: str) -> list[Sheet]:
    rows = org_meetings(scope, period=period, village=village)

    def lines() -> Any:
        for i, e in enumerate(rows, start=1):
            state = _("已作废") if e.voided else (_("已更正") if e.supersedes_id else "")
            yield [
                i,
                e.organization.region.name,
                e.organization.name,
                e.kind.name,
                e.held_on,
                e.topic,
                e.attendee_count,
                e.minutes,
                e.recorded_by.get_full_name() or e.recorded_by.username,
                state,
            ]

    compliance = compliance_rows(scope, period, village)
    kinds = compliance["kinds"]
    columns = [
        Column(_("村（社区）"), 12),
        Column(_("党组织"), 18),
        Column(_("党员数"), 8, NUMBER),
        *(Column(_("%(k)s（开/应开）") % {"k": k.name}, 11) for k in kinds),
        Column(_("达标率"), 9, PERCENT),
        Column(_("参会率"), 9, PERCENT),
    ]
    table = [
        [
            r["village"],
            r["branch"].name,
            r["branch"].members,
            *(f"{c.held}/{c.required}" if c else "" for c in r["cells"]),
            r["branch"].compliance,
            r["branch"].attendance,
        ]
        for r in compliance["rows"]
    ]
    return [
        Sheet(
            _("组织生活记录"),
            EXPORT_COLUMNS,
            lines(),
            title=_("%(w)s组织生活台账") % {"w": where},
            subtitle=_("期间：%(p)s") % {"p": period.label},
        ),
        Sheet(
            _("落实情况"),
            columns,
            table,
            title=_("%(w)s“三会一课”等组织生活落实情况") % {"w": where},
            subtitle=_("期间：%(p)s　应开次数按期间内已结束的周、月、季度计算")
            % {"p": period.label},
        ),
    ]
