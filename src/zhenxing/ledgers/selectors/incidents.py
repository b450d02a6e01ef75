"""Reads of the incident ledger and the derived 三零 status (metric ``three_zeros``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from zhenxing.accounts.scoping import Scope, visible
from zhenxing.core.periods import Period
from zhenxing.ledgers.exports import DATE, NUMBER, WRAP, Column, Sheet
from zhenxing.ledgers.models.incidents import Incident, IncidentKind
from zhenxing.ledgers.selectors._village import Villages, village_ids
from zhenxing.ledgers.selectors.common import villages_under
from zhenxing.regions.models import Region


@dataclass(frozen=True)
class ThreeZeros:
    """A village's 三零 for a period: counts of each kind; ``ok`` when all three are zero."""

    petitions: int = 0
    accidents: int = 0
    criminal_cases: int = 0

    @property
    def ok(self) -> bool:
        return not (self.petitions or self.accidents or self.criminal_cases)


def three_zeros(villages: Villages, period: Period) -> dict[int, ThreeZeros]:
    """Metric: per village, the petitions escalated beyond the township, accidents with
    casualties and criminal cases that occurred in the period (current, not voided rows), and
    ``ok`` (三零达标) when there were none."""
    ids, among = village_ids(villages)
    rows = (
        Incident.objects.counting()
        .filter(village__in=among, occurred_on__gte=period.start, occurred_on__lte=period.end)
        .values("village_id")
        .annotate(
            petitions=Count("pk", filter=Q(kind=IncidentKind.PETITION)),
            accidents=Count("pk", filter=Q(kind=IncidentKind.ACCIDENT)),
            criminal_cases=Count("pk", filter=Q(kind=IncidentKind.CRIMINAL)),
        )
        .order_by()
    )
    found = {
        row["village_id"]: ThreeZeros(row["petitions"], row["accidents"], row["criminal_cases"])
        for row in rows
    }
    return {vid: found.get(vid, ThreeZeros()) for vid in ids}


def incidents(
    scope: Scope, *, period: Period, village: Region | None = None, kind: str = ""
) -> QuerySet[Incident]:
    qs = visible(Incident.objects.current(), scope).filter(
        occurred_on__gte=period.start, occurred_on__lte=period.end
    )
    if village is not None:  # a village, or any region: everything under it
        qs = qs.filter(village__path__startswith=village.path)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("village", "recorded_by").order_by("-occurred_on", "-pk")


# --- the tables and the Excel layout of the pages and the API ------------------------------------


def status_rows(scope: Scope, period: Period, village: Region | None) -> dict[str, Any]:
    villages = villages_under(scope, village).order_by("path")
    listed = list(villages)
    status = three_zeros(listed, period)
    rows = [{"village": v, "s": status[v.pk]} for v in listed]
    ok = sum(1 for r in rows if r["s"].ok)
    return {
        "status": sorted(rows, key=lambda r: (r["s"].ok, r["village"].path)),
        "ok_count": ok,
        "village_count": len(rows),
        "ok_share": f"{100 * ok / len(rows):.1f}%" if rows else "—",
    }


def export_sheets(scope: Scope, period: Period, village: Region | None) -> tuple[list[Sheet], str]:
    """The workbook of a period: each village's 三零 status, then the incidents."""
    where = village.name if village else _("辖区")
    rows = incidents(scope, period=period, village=village)
    status = status_rows(scope, period, village)
    sheets = [
        Sheet(
            _("三零情况"),
            [
                Column(_("村（社区）"), 14),
                Column(_("越级上访"), 10, NUMBER),
                Column(_("伤亡事故"), 10, NUMBER),
                Column(_("刑事案件"), 10, NUMBER),
                Column(_("三零达标"), 10),
            ],
            [
                [
                    r["village"].name,
                    r["s"].petitions,
                    r["s"].accidents,
                    r["s"].criminal_cases,
                    _("达标") if r["s"].ok else _("未达标"),
                ]
                for r in status["status"]
            ],
            title=_("%(w)s“三零”创建情况") % {"w": where},
            subtitle=_("期间：%(p)s　达标 %(ok)s 个，共 %(n)s 个村（社区）")
            % {"p": period.label, "ok": status["ok_count"], "n": status["village_count"]},
        ),
        Sheet(
            _("事件明细"),
            [
                Column(_("序号"), 6, NUMBER),
                Column(_("村（社区）"), 12),
                Column(_("类别"), 10),
                Column(_("发生日期"), 12, DATE),
                Column(_("简要情况"), 40, WRAP),
                Column(_("死亡"), 6, NUMBER),
                Column(_("受伤"), 6, NUMBER),
                Column(_("案号/文号"), 14),
                Column(_("记录人"), 10),
                Column(_("状态"), 8),
            ],
            [
                [
                    i,
                    e.village.name,
                    e.get_kind_display(),
                    e.occurred_on,
                    e.summary,
                    e.deaths,
                    e.injuries,
                    e.reference,
                    e.recorded_by.get_full_name() or e.recorded_by.username,
                    _("已作废") if e.voided else (_("已更正") if e.supersedes_id else ""),
                ]
                for i, e in enumerate(rows, start=1)
            ],
            title=_("%(w)s“三零”事件台账") % {"w": where},
            subtitle=_("期间：%(p)s") % {"p": period.label},
        ),
    ]
    return sheets, where
