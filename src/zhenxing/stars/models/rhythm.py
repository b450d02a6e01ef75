"""The working rhythm of a star year (周汇报、月排序、季观摩): weekly progress reports, monthly
ranking snapshots kept so month-on-month movement shows, quarterly site reviews with scores."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhenxing.core.fields import actor_field
from zhenxing.stars.models.applications import Task


class WeeklyReport(models.Model):
    """A village's short weekly progress report: what was done on which tasks, what blocks it."""

    scope_field = "village"

    village = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）")
    )
    week = models.CharField(_("周次"), max_length=8)  # a Period key, e.g. 2026W48
    done = models.TextField(_("本周进展"), max_length=4000)
    blockers = models.TextField(_("困难问题"), max_length=2000, blank=True)
    tasks = models.ManyToManyField(
        Task, blank=True, related_name="reports", verbose_name=_("涉及任务")
    )
    submitted_by = actor_field(_("填报人"))
    submitted_at = models.DateTimeField(_("填报时间"))

    class Meta:
        verbose_name = _("周汇报")
        verbose_name_plural = _("周汇报")
        ordering = ["-week", "village__path"]
        constraints = [
            models.UniqueConstraint(fields=["village", "week"], name="weekly_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.week}"


class RankingSnapshot(models.Model):
    """A village's progress score and rank within its township for one month (月排序), kept as
    taken so that next month's movement can be shown against it."""

    scope_field = "village"

    month = models.CharField(_("月份"), max_length=7)  # a Period key, e.g. 2026-11
    village = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("村（社区）")
    )
    standard = models.ForeignKey(
        "stars.Standard", on_delete=models.PROTECT, related_name="+", verbose_name=_("标准")
    )
    score = models.DecimalField(_("进度得分"), max_digits=5, decimal_places=1)
    indicators_met_share = models.DecimalField(
        _("目标指标达标率"), max_digits=5, decimal_places=1, null=True
    )
    tasks_on_time_share = models.DecimalField(
        _("任务按时完成率"), max_digits=5, decimal_places=1, null=True
    )
    rank = models.PositiveIntegerField(_("乡镇内名次"))
    taken_at = models.DateTimeField(_("生成时间"))

    class Meta:
        verbose_name = _("月度排序")
        verbose_name_plural = _("月度排序")
        ordering = ["-month", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "month", "village"], name="ranking_snapshot_once"
            )
        ]
        indexes = [models.Index(fields=["village", "month"], name="ranking_snapshot_village")]

    def __str__(self) -> str:
        return f"{self.month} {self.village_id} {self.rank}"


class SiteReview(models.Model):
    """A quarterly site review (季观摩) of one village by visiting cadres."""

    scope_field = "village"

    quarter = models.CharField(_("季度"), max_length=6)  # a Period key, e.g. 2026Q4
    village = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("观摩村")
    )
    visited_on = models.DateField(_("观摩日期"))
    note = models.TextField(_("观摩情况"), max_length=4000, blank=True)
    recorded_by = actor_field(_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("季度观摩")
        verbose_name_plural = _("季度观摩")
        ordering = ["-quarter", "village__path"]
        constraints = [
            models.UniqueConstraint(fields=["quarter", "village"], name="site_review_once")
        ]

    def __str__(self) -> str:
        return f"{self.quarter} {self.village_id}"


class SiteReviewScore(models.Model):
    """One visiting cadre's score of a site review (0–100)."""

    scope_field = "review__village"

    review = models.ForeignKey(SiteReview, on_delete=models.CASCADE, related_name="scores")
    reviewer = models.CharField(_("评分人"), max_length=40)
    score = models.DecimalField(_("得分"), max_digits=4, decimal_places=1)
    comment = models.CharField(_("评语"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("观摩评分")
        verbose_name_plural = _("观摩评分")
        ordering = ["review", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "reviewer"], name="site_review_score_once"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=100), name="site_review_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review_id} {self.reviewer} {self.score}"
