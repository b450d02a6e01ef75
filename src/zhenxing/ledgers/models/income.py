"""Collective income (村集体经济): yearly operating income per village, one row per source.

Money is stored in yuan (Decimal); tiers are settings in 万元 (``IncomeTier``), seeded with the
seeds' bands (under 5万, 5–10万, ≥10万 清五跃十, ≥20万, ≥50万 强村).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhenxing.ledgers.models.base import Entry


class IncomeSource(models.Model):
    """Where the income comes from: 资产租赁, 土地流转, 入股分红, 经营服务, 光伏收益…"""

    scope_exempt = True

    name = models.CharField(_("名称"), max_length=20, unique=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("集体收入来源")
        verbose_name_plural = _("集体收入来源")
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.name


class IncomeTier(models.Model):
    """A band of yearly collective income: from ``min_wan`` 万元 up to the next tier's floor."""

    scope_exempt = True

    name = models.CharField(_("名称"), max_length=20, unique=True)
    min_wan = models.DecimalField(_("下限（万元）"), max_digits=8, decimal_places=2, unique=True)

    class Meta:
        verbose_name = _("集体收入档次")
        verbose_name_plural = _("集体收入档次")
        ordering = ["min_wan"]
        constraints = [
            models.CheckConstraint(condition=Q(min_wan__gte=0), name="income_tier_min_nonneg")
        ]

    def __str__(self) -> str:
        return self.name


class IncomeEntry(Entry):
    """A village's operating income from one source in one year (yuan)."""

    scope_field = "village"

    village = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="income_entries",
        verbose_name=_("村（社区）"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.ForeignKey(
        IncomeSource, on_delete=models.PROTECT, related_name="+", verbose_name=_("收入来源")
    )
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("集体经济收入")
        verbose_name_plural = _("集体经济收入")
        indexes = [models.Index(fields=["village", "year"], name="income_village_year")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="income_amount_nonneg"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="income_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.source} {self.amount}"
