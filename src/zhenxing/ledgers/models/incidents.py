"""Incidents (三零创建): petitions escalated beyond the township, accidents with casualties and
criminal cases, each dated per village. A village's 三零 status for a period is derived from these
rows (``selectors.incidents.three_zeros``), never typed in."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhenxing.ledgers.models.base import Entry


class IncidentKind(models.TextChoices):
    """The three zeros of domain.md §3: each kind breaks one of them."""

    PETITION = "petition", _("越级上访")
    ACCIDENT = "accident", _("伤亡事故")
    CRIMINAL = "criminal", _("刑事案件")


class Incident(Entry):
    scope_field = "village"

    village = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("村（社区）"),
    )
    kind = models.CharField(_("类别"), max_length=12, choices=IncidentKind.choices)
    occurred_on = models.DateField(_("发生日期"))
    summary = models.CharField(_("简要情况"), max_length=300)
    deaths = models.PositiveSmallIntegerField(_("死亡人数"), default=0)
    injuries = models.PositiveSmallIntegerField(_("受伤人数"), default=0)
    reference = models.CharField(_("案号/文号"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("三零事件")
        verbose_name_plural = _("三零事件")
        indexes = [models.Index(fields=["village", "occurred_on"], name="incident_village_day")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="accident") | Q(deaths__gt=0) | Q(injuries__gt=0),
                name="incident_accident_has_casualties",
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on:%Y-%m-%d} {self.get_kind_display()}"
