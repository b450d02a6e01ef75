"""户月评、组季评、村半年评 (seed 001): rating schemes (items, points, period, who rates) and the
titles they award are data; a household's rating is a ledger entry per scheme and period."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhenxing.ledgers.models.base import Entry


class Cadence(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    HALF = "half", _("每半年")
    YEAR = "year", _("每年")


class Rater(models.TextChoices):
    GROUP = "group", _("村民小组评")
    VILLAGE = "village", _("村评")


class RatingScheme(models.Model):
    """A way of rating households: its items (each with a maximum) make up the scale."""

    scope_exempt = True  # reference data, edited by the county

    name = models.CharField(_("名称"), max_length=30, unique=True)
    cadence = models.CharField(_("周期"), max_length=8, choices=Cadence.choices)
    rater = models.CharField(_("评议主体"), max_length=8, choices=Rater.choices)
    active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评比方案")
        verbose_name_plural = _("评比方案")
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.name


class RatingItem(models.Model):
    scope_exempt = True

    scheme = models.ForeignKey(
        RatingScheme, on_delete=models.CASCADE, related_name="items", verbose_name=_("评比方案")
    )
    name = models.CharField(_("评比项目"), max_length=30)
    max_points = models.PositiveSmallIntegerField(_("满分"))
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评比项目")
        verbose_name_plural = _("评比项目")
        ordering = ["sort", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="rating_item_unique"),
            models.CheckConstraint(condition=Q(max_points__gte=1), name="rating_item_max_pos"),
        ]

    def __str__(self) -> str:
        return self.name


class Title(models.Model):
    """A title a rating earns (最美庭院, 文明户…): the highest whose ``min_score`` the total reaches."""

    scope_exempt = True

    scheme = models.ForeignKey(
        RatingScheme, on_delete=models.CASCADE, related_name="titles", verbose_name=_("评比方案")
    )
    name = models.CharField(_("称号"), max_length=20)
    min_score = models.PositiveSmallIntegerField(_("最低得分"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("称号")
        verbose_name_plural = _("称号")
        ordering = ["-min_score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="rating_title_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class HouseholdRating(Entry):
    """One household's rating under one scheme for one period (``period``: 2026-03, 2026Q1…)."""

    scope_field = "village"

    village = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）")
    )
    household = models.ForeignKey(
        "regions.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("农户")
    )
    scheme = models.ForeignKey(
        RatingScheme, on_delete=models.PROTECT, related_name="+", verbose_name=_("评比方案")
    )
    period = models.CharField(_("评比期间"), max_length=10)
    period_start = models.DateField(_("期间起"))
    rated_on = models.DateField(_("评议日期"))
    scores = models.JSONField(_("分项得分"), default=dict)
    score = models.PositiveSmallIntegerField(_("得分"))
    max_score = models.PositiveSmallIntegerField(_("满分"))
    title = models.ForeignKey(
        Title,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("称号"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("农户评比")
        verbose_name_plural = _("农户评比")
        ordering = ["-period_start", "-score", "pk"]
        indexes = [
            models.Index(fields=["village", "period_start"], name="rating_village_period"),
            models.Index(fields=["household", "scheme", "period"], name="rating_household"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__lte=models.F("max_score")), name="rating_score_in_scale"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.period} · {self.score}"

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0
