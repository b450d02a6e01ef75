"""经验材料核数: the county's mapping from a report's words to the figures the platform records
(``FigureRule``, data the county extends), and the saved checks (``ReportCheck``), each a document
with its region, period, author and time, its original and cleaned text and every figure found
with its verdict."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    """The figures the platform records that a claim can be set beside (``reports.recorded``
    reads each through its app's selector)."""

    PARTY_MEMBERS = "party_members", _("党员人数")
    HOUSEHOLDS = "households", _("农户数")
    VILLAGES = "villages", _("村（社区）数")
    PAIRED_HOUSEHOLDS = "paired_households", _("党员联系农户数")
    PAIRING_MEMBERS = "pairing_members", _("联户党员数")
    PAIRING_COVERAGE = "pairing_coverage", _("党员联户覆盖率")
    HOUSEHOLDS_PER_MEMBER = "households_per_member", _("每名联户党员联系户数")
    GRIDS = "grids", _("网格数")
    INCOME_TIER_VILLAGES = "income_tier_villages", _("集体经济收入达到某一档次的村数")
    INCOME_TOTAL = "income_total", _("村集体经济收入合计")
    DISPUTES = "disputes", _("受理矛盾纠纷数")
    DISPUTES_RESOLVED = "disputes_resolved", _("化解矛盾纠纷数")
    DISPUTE_RESOLUTION_RATE = "dispute_resolution_rate", _("矛盾纠纷化解率")
    MEETINGS_HELD = "meetings_held", _("组织生活会议召开次数")
    TALENT = "talent", _("人才库人数")
    RESERVE_CADRES = "reserve_cadres", _("村级后备干部人数")
    ONE_SHOULDER = "one_shoulder", _("书记主任“一肩挑”村数")
    CADRE_AVERAGE_AGE = "cadre_average_age", _("村两委干部平均年龄")
    STARS_5 = "stars_5", _("五星支部数")
    STARS_4 = "stars_4", _("四星支部数")
    STARS_3 = "stars_3", _("三星支部数")
    STARS_3_OR_MORE = "stars_3_or_more", _("三星及以上支部数")
    STARS_3_OR_MORE_SHARE = "stars_3_or_more_share", _("三星及以上支部占比")
    THREE_ZEROS_VILLAGES = "three_zeros_villages", _("“三零”达标村数")
    PETITIONS = "petitions", _("越级上访起数")


class FigureRule(models.Model):
    """When a claim's subject names one of ``subjects`` (and its clause one of ``context``, if
    given, and none of ``excludes``) in one of ``units``, it is set beside ``metric``. Rules are
    tried by ``sort``; the first that fits wins. Words are separated by 、 or spaces."""

    scope_exempt = True  # county-wide reference data, like the ledgers' tiers

    label = models.CharField(_("名称"), max_length=40)
    metric = models.CharField(_("平台指标"), max_length=40, choices=Metric.choices)
    subjects = models.CharField(_("主语词"), max_length=300)
    context = models.CharField(_("须同句出现的词"), max_length=300, blank=True)
    excludes = models.CharField(_("排除词"), max_length=300, blank=True)
    units = models.CharField(_("单位"), max_length=100, blank=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=100)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("核数对照规则")
        verbose_name_plural = _("核数对照规则")
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.label


class ReportCheck(models.Model):
    """One check of one report against the platform: what was read, how it was cleaned, and each
    figure with what the platform recorded and the verdict, as they stood when it was checked."""

    scope_field = "region"

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区域")
    )
    period = models.CharField(_("期间"), max_length=24)
    title = models.CharField(_("标题"), max_length=120)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("核数人"),
    )
    created_at = models.DateTimeField(_("核数时间"), default=timezone.now, db_index=True)
    source = models.CharField(_("来源"), max_length=10)  # text | docx | txt
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    original = models.TextField(_("原文"))
    cleaned = models.TextField(_("清理后文本"))
    annotations_removed = models.PositiveIntegerField(_("删除的拼音注音"), default=0)
    converted = models.PositiveIntegerField(_("繁转简字数"), default=0)
    claims = models.JSONField(_("数字与核对结果"), default=list)

    class Meta:
        verbose_name = _("经验材料核数")
        verbose_name_plural = _("经验材料核数")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["region", "-created_at"], name="report_check_region")]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=["text", "docx", "txt"]), name="report_check_source"
            )
        ]

    def __str__(self) -> str:
        return self.title
