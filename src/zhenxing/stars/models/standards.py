"""Star standards as rows (loaded from a checked file, ``stars.standards``), and evaluation runs.

A ``Standard`` keeps the text it was loaded from and its digest: an evaluation points at the
standard (the version) it used, and a standard that evaluations used is never edited in place —
a changed file loads as a new version.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhenxing.core.fields import actor_field


class StandardKind(models.TextChoices):
    VILLAGE = "village", _("村党支部（五星支部）")
    COMMUNITY = "community", _("社区党组织（五星支部）")
    TOWNSHIP = "township", _("乡镇党委（五好乡镇党委）")


class Approver(models.TextChoices):
    TOWNSHIP = "township", _("乡镇党委")
    COUNTY = "county", _("县委组织部")
    CITY = "city", _("市委组织部")
    PROVINCE = "province", _("省委组织部")


class Standard(models.Model):
    scope_exempt = True  # the county's rule book: every level reads it

    code = models.SlugField(_("标准代码"), max_length=40)
    version = models.CharField(_("版本"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("适用对象"), max_length=12, choices=StandardKind.choices)
    title = models.CharField(_("名称"), max_length=80)
    unconfirmed = models.BooleanField(
        _("待本地确认"), default=False, help_text=_("示意标准：门槛等须经本地文件确认")
    )
    notice_days = models.PositiveSmallIntegerField(_("公示天数"), default=7)
    approval = models.JSONField(_("各星级审定层级"), default=dict)
    source = models.TextField(_("标准文件"))
    digest = models.CharField(_("文件摘要"), max_length=64)
    loaded_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    loaded_by = actor_field(_("导入人"))

    class Meta:
        verbose_name = _("创星标准")
        verbose_name_plural = _("创星标准")
        ordering = ["-year", "code", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="standard_code_version")
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.version}）"

    def approver_for(self, stars: int) -> str:
        return self.approval.get(str(stars), "")


class Star(models.Model):
    scope_exempt = True

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="stars")
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=40)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    requires = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,  # stars go only with their standard
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("须先获得"),
    )
    capstone = models.BooleanField(_("须与其他各星同时获得"), default=False)

    class Meta:
        verbose_name = _("星")
        verbose_name_plural = _("星")
        ordering = ["standard", "sort"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="star_code")]

    def __str__(self) -> str:
        return self.name


class VetoScope(models.TextChoices):
    """What a failed veto indicator (一票否决) takes: the star it belongs to (and the stars that
    need that star), or the whole branch for the year (the older Henan practice: a vetoed branch
    is not rated that year). Each standard file says which, per veto (domain.md leaves it open)."""

    STAR = "star", _("否决本星")
    BRANCH = "branch", _("整个支部当年不评星")


class Indicator(models.Model):
    scope_exempt = True

    star = models.ForeignKey(Star, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=120)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    metric = models.CharField(_("指标数据"), max_length=60, blank=True)
    op = models.CharField(_("比较"), max_length=2, blank=True)
    threshold = models.JSONField(_("门槛"), null=True, blank=True)  # a number as text, or a flag
    judged = models.BooleanField(_("评审指标"), default=False)
    veto = models.CharField(
        _("一票否决"), max_length=6, choices=VetoScope.choices, blank=True, default=""
    )  # "" when the indicator is not a veto
    evidence = models.CharField(_("佐证材料"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["star", "sort"]
        constraints = [
            models.UniqueConstraint(fields=["star", "code"], name="indicator_code"),
            models.CheckConstraint(
                condition=models.Q(judged=True, metric="")
                | models.Q(judged=False) & ~models.Q(metric=""),
                name="indicator_judged_or_computed",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EvaluationRun(models.Model):
    """One computation of every computed indicator for every village under ``region``."""

    scope_field = "region"

    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="runs")
    region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("范围")
    )
    period = models.CharField(_("期间"), max_length=30)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    villages = models.PositiveIntegerField(_("村数"), default=0)
    created_by = actor_field(_("发起人"))

    class Meta:
        verbose_name = _("测评")
        verbose_name_plural = _("测评")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.standard} {self.period}"


class Outcome(models.TextChoices):
    MET = "met", _("达标")
    NOT_MET = "not_met", _("未达标")
    PENDING = "pending", _("待评审")
    NO_DATA = "no_data", _("无数据")


# The results of a run are written in bulk (hundreds of thousands of rows for a province) and
# only by ``evaluation_run``, in one transaction: their foreign keys are kept without database
# constraints (a constraint is one trigger lookup per row and key, twice the cost of the rows
# themselves) and without indexes the unique constraint already covers; Django still deletes
# them with their run, unit, indicator or star. ``village`` holds the unit: a village, or the
# township of a township standard (五好乡镇党委).
RESULT_KEY = {"on_delete": models.CASCADE, "db_constraint": False, "db_index": False}


class IndicatorResult(models.Model):
    scope_field = "village"

    run = models.ForeignKey(EvaluationRun, related_name="results", **RESULT_KEY)
    village = models.ForeignKey("regions.Region", related_name="+", **RESULT_KEY)
    indicator = models.ForeignKey(Indicator, related_name="+", **RESULT_KEY)
    value = models.DecimalField(_("数值"), max_digits=16, decimal_places=2, null=True)
    outcome = models.CharField(_("结果"), max_length=8, choices=Outcome.choices)

    class Meta:
        verbose_name = _("指标结果")
        verbose_name_plural = _("指标结果")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "village", "indicator"], name="indicator_result_once"
            )
        ]
        indexes = [models.Index(fields=["village", "run"], name="indicator_result_village")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.indicator_id} {self.outcome}"


class StarResult(models.Model):
    """Whether a unit's indicators earn a star in a run (see ``RESULT_KEY`` for the keys)."""

    scope_field = "village"

    run = models.ForeignKey(EvaluationRun, related_name="stars", **RESULT_KEY)
    village = models.ForeignKey("regions.Region", related_name="+", **RESULT_KEY)
    star = models.ForeignKey(Star, related_name="+", **RESULT_KEY)
    outcome = models.CharField(_("结果"), max_length=8, choices=Outcome.choices)
    reason = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("星级结果")
        verbose_name_plural = _("星级结果")
        constraints = [
            models.UniqueConstraint(fields=["run", "village", "star"], name="star_result_once")
        ]
        indexes = [models.Index(fields=["village", "run"], name="star_result_village")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.star_id} {self.outcome}"
