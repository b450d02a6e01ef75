"""Background jobs: what a long task (an import, a large export) is doing, and how it ended.

A job is stored so that a page reload, another browser or a server restart shows where it stands.
The worker touches ``heartbeat_at`` while it runs; a running job whose heartbeat stopped is shown
as interrupted (已中断). Its writes are one transaction, so an interrupted job has written nothing.

``core`` sits below every domain app: foreign keys to them are by string only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A running job whose heartbeat is older than this is shown as interrupted.
HEARTBEAT_TIMEOUT = dt.timedelta(minutes=2)
# While writing (one transaction, so no heartbeat can be committed on SQLite) a job is allowed this
# long per row on top of HEARTBEAT_TIMEOUT: 1 ms a row assumes at least 1,000 rows/s.
WRITE_ALLOWANCE_PER_ROW = dt.timedelta(milliseconds=1)


def job_upload_to(instance: Job, filename: str) -> str:
    """Uploaded files keep their extension but get a random name (the original is on the job)."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"jobs/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    VALIDATING = "validating", _("正在校验")
    WRITING = "writing", _("正在写入")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


RUNNING = (JobStatus.VALIDATING, JobStatus.WRITING)
FINISHED = (JobStatus.DONE, JobStatus.FAILED)


class Job(models.Model):
    scope_field = "region"

    kind = models.CharField(_("任务类型"), max_length=40)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    file = models.FileField(_("文件"), upload_to=job_upload_to, max_length=200, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("目标区域")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["region", "-created_at"], name="job_region_created")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in JobStatus]), name="job_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    def is_interrupted(self, now: dt.datetime | None = None) -> bool:
        """Running, but the worker has not been heard from for longer than it may be silent."""
        if self.status not in RUNNING or self.heartbeat_at is None:
            return False
        allowed = HEARTBEAT_TIMEOUT
        if self.status == JobStatus.WRITING:
            allowed += WRITE_ALLOWANCE_PER_ROW * self.total
        return (now or timezone.now()) - self.heartbeat_at > allowed

    @property
    def interrupted(self) -> bool:
        return self.is_interrupted()

    @property
    def stopped(self) -> bool:
        """Nothing more will happen to this job: finished, or interrupted."""
        return self.is_finished or self.interrupted

    @property
    def state(self) -> str:
        """The status to show: the stored one, or ``interrupted``."""
        return "interrupted" if self.interrupted else self.status

    @property
    def state_label(self) -> str:
        return str(_("已中断")) if self.interrupted else str(self.get_status_display())

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)


class CalendarDay(models.Model):
    """An override of the statutory calendar: a holiday or a make-up working day (调休上班).

    For years ``chinese_calendar`` does not know yet; an override always wins.
    """

    scope_exempt = True

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_workday else '休息'}"
