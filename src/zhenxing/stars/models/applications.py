"""A village's (or a township's) year of going for stars: one ``Application`` per unit and standard.

It starts as a goal (创星目标: which stars, ``ApplicationStar.goal``) with a task list (``Task``,
台账式推进); at the end of the year the unit self-assesses (村自评) with ``Evidence`` for the
judged indicators and claims stars; the township reviews (乡镇初评: a ``Judgement`` per judged
indicator and the stars it recommends); the level the standard names for that star count approves;
the result is published (公示) for the standard's notice period, during which ``Objection`` rows are
recorded and decided; then it is final. A star can later be revoked (摘星). Every move is an
``ApplicationEvent`` (who, when, from, to, why), written in the same transaction as the change.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhenxing.core.fields import actor_field
from zhenxing.stars.models.standards import EvaluationRun, Indicator, Standard, Star


class AppState(models.TextChoices):
    DRAFT = "draft", _("创建中")
    SELF_ASSESSED = "self_assessed", _("村已自评")
    TOWNSHIP_REVIEWED = "township_reviewed", _("乡镇已初评")
    APPROVED = "approved", _("已审定")
    PUBLISHED = "published", _("公示中")
    FINAL = "final", _("已认定")


class Application(models.Model):
    scope_field = "region"

    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("村（社区）或乡镇"),
    )
    standard = models.ForeignKey(
        Standard, on_delete=models.PROTECT, related_name="applications", verbose_name=_("标准")
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=AppState.choices, default=AppState.DRAFT
    )
    goal_note = models.TextField(_("创星思路"), max_length=2000, blank=True)
    run = models.ForeignKey(
        EvaluationRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("自评所用测评"),
    )
    approved_stars = models.PositiveSmallIntegerField(_("审定星级"), null=True, blank=True)
    approved_by_level = models.CharField(_("审定层级"), max_length=10, blank=True)
    approval_ref = models.CharField(_("审定文号"), max_length=60, blank=True)
    notice_from = models.DateField(_("公示开始"), null=True, blank=True)
    notice_until = models.DateField(_("公示截止"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("创星申报")
        verbose_name_plural = _("创星申报")
        ordering = ["standard", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["region", "standard"], name="application_once")
        ]
        indexes = [models.Index(fields=["standard", "state"], name="application_state")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.standard_id} {self.state}"


class ApplicationStar(models.Model):
    """One star of an application: in the year's goal, claimed at self-assessment, recommended by
    the township, awarded at approval, and perhaps revoked later (摘星)."""

    scope_field = "application__region"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="stars")
    star = models.ForeignKey(Star, on_delete=models.PROTECT, related_name="+")
    goal = models.BooleanField(_("创星目标"), default=False)
    claimed = models.BooleanField(_("自评申报"), default=False)
    recommended = models.BooleanField(_("乡镇初评通过"), default=False)
    awarded = models.BooleanField(_("审定授星"), default=False)
    revoked_at = models.DateTimeField(_("摘星时间"), null=True, blank=True)
    revoked_by = actor_field(_("摘星人"))
    revoke_reason = models.TextField(_("摘星原因"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("申报星")
        verbose_name_plural = _("申报星")
        ordering = ["application", "star__sort"]
        constraints = [
            models.UniqueConstraint(fields=["application", "star"], name="application_star_once"),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | models.Q(awarded=True),
                name="application_star_revoked_awarded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.star_id}"

    @property
    def held(self) -> bool:
        """Awarded and not revoked."""
        return self.awarded and self.revoked_at is None


class Task(models.Model):
    """One line of the year's task list (台账式推进): what, for which star, who, by when."""

    scope_field = "application__region"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="tasks")
    star = models.ForeignKey(
        Star,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属星"),
    )
    title = models.CharField(_("任务"), max_length=200)
    owner = models.ForeignKey(
        "regions.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人"),
    )
    due_on = models.DateField(_("完成时限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.TextField(_("进展说明"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("创星任务")
        verbose_name_plural = _("创星任务")
        ordering = ["application", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def on_time(self) -> bool:
        return self.done_on is not None and self.done_on <= self.due_on


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"stars/{instance.application_id}/{uuid.uuid4().hex}.{suffix[:8]}"


class Evidence(models.Model):
    """Evidence for a judged indicator (佐证材料): a text and optionally a file."""

    scope_field = "application__region"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("说明"), max_length=4000)
    file = models.FileField(_("附件"), upload_to=evidence_upload_to, max_length=200, blank=True)
    added_by = actor_field(_("提交人"))
    added_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["application", "indicator", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.indicator_id}"


class Judgement(models.Model):
    """The township reviewer's decision on a judged indicator of one application."""

    scope_field = "application__region"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="judgements"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(_("是否达标"))
    note = models.TextField(_("评审意见"), max_length=2000, blank=True)
    decided_by = actor_field(_("评审人"))
    decided_at = models.DateTimeField(_("评审时间"))

    class Meta:
        verbose_name = _("评审意见")
        verbose_name_plural = _("评审意见")
        constraints = [
            models.UniqueConstraint(fields=["application", "indicator"], name="judgement_once")
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.indicator_id} {self.met}"


class ObjectionDecision(models.TextChoices):
    PENDING = "pending", _("待处理")
    UPHELD = "upheld", _("异议成立")
    REJECTED = "rejected", _("异议不成立")
    WITHDRAWN = "withdrawn", _("已撤回")


class Objection(models.Model):
    """An objection received during the public notice (公示期异议), and its decision."""

    scope_field = "application__region"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="objections"
    )
    star = models.ForeignKey(
        Star,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("针对的星"),
    )
    received_on = models.DateField(_("收到日期"))
    objector = models.CharField(_("异议人"), max_length=40, blank=True, help_text=_("可匿名"))
    content = models.TextField(_("异议内容"), max_length=4000)
    recorded_by = actor_field(_("登记人"))
    decision = models.CharField(
        _("处理结果"),
        max_length=10,
        choices=ObjectionDecision.choices,
        default=ObjectionDecision.PENDING,
    )
    decision_note = models.TextField(_("处理意见"), max_length=2000, blank=True)
    decided_by = actor_field(_("处理人"))
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["application", "received_on", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.received_on} {self.decision}"


class ApplicationEvent(models.Model):
    """One move of an application: who, when, from, to, why. Append-only."""

    scope_field = "application__region"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    action = models.CharField(_("动作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=20, choices=AppState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=AppState.choices)
    star = models.ForeignKey(
        Star,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("星"),
    )
    actor = actor_field(_("操作人"))
    actor_label = models.CharField(_("操作方"), max_length=40, blank=True)
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("申报记录")
        verbose_name_plural = _("申报记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["application", "at"], name="applicationevent_app_at")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
