"""The service loop: requests (点单), dispatch (派单), taking (接单), resolution, rating, escalation.

An order belongs to a village (its ``scope_field``) and sits at a level (village, township,
county). Its status only changes through ``orders.services`` (a conditional UPDATE plus an event
row in one transaction); the event rows are the order's history.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhenxing.orders.states import OPEN, Action, Level, Status


class Category(models.Model):
    """A kind of request with its time limit in working days (限时办结). Data, edited by the county."""

    scope_exempt = True

    name = models.CharField(_("名称"), max_length=20, unique=True)
    time_limit_days = models.PositiveSmallIntegerField(
        _("办结时限（工作日）"), default=5, help_text=_("从受理次日起算的工作日数")
    )
    response_days = models.PositiveSmallIntegerField(
        _("响应时限（工作日）"), default=1, help_text=_("派单或接单须在此工作日数内完成")
    )
    is_dispute = models.BooleanField(
        _("矛盾纠纷"), default=False, help_text=_("办结时须填写调解结果")
    )
    active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["sort", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(time_limit_days__gte=1), name="category_limit_pos")
        ]

    def __str__(self) -> str:
        return self.name


class TeamKind(models.TextChoices):
    VOLUNTEER = "volunteer", _("志愿服务队")
    EXPERT = "expert", _("专家服务团")
    DEPARTMENT = "department", _("县直部门")


class Team(models.Model):
    """A volunteer team of a village, or a county expert team or department. Teams are data."""

    scope_field = "region"

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区域")
    )
    kind = models.CharField(_("类型"), max_length=12, choices=TeamKind.choices)
    name = models.CharField(_("名称"), max_length=40)
    specialty = models.CharField(_("专长"), max_length=20, blank=True)
    members = models.ManyToManyField(
        "regions.PartyMember", blank=True, related_name="teams", verbose_name=_("成员")
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务队")
        verbose_name_plural = _("服务队")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="team_name_unique_in_region")
        ]

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    QR = "qr", _("扫码点单")
    VISIT = "visit", _("入户走访")
    HOTLINE = "hotline", _("电话")
    MEETING = "meeting", _("会议收集")
    WALK_IN = "walk_in", _("来访")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Mediation(models.TextChoices):
    SETTLED = "settled", _("调解成功")
    PARTIAL = "partial", _("部分达成")
    FAILED = "failed", _("调解未成，引导司法途径")


class Order(models.Model):
    scope_field = "village"

    # Every index is written by the sweep's updates; each one here is used (the village's
    # orders come from order_village_created, the code's uniqueness needs no LIKE index).
    code = models.CharField(_("查询码"), max_length=12)
    village = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("村（社区）"),
    )
    household = models.ForeignKey(
        "regions.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("农户"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="orders", verbose_name=_("类别")
    )
    description = models.TextField(_("诉求内容"), max_length=1000)
    requester_name = models.CharField(_("姓名"), max_length=20)
    requester_phone = models.CharField(_("电话"), max_length=13)
    client_ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices, default=Level.VILLAGE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("首问责任人"),
    )
    assignee_member = models.ForeignKey(
        "regions.PartyMember",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("承办党员"),
    )
    assignee_team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("承办队伍"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("提交时间"), db_index=True)
    level_entered_at = models.DateTimeField(_("进入本级时间"))
    due_on = models.DateField(_("办结期限"))
    overdue = models.BooleanField(_("已超期"), default=False)
    escalate_mark = models.BooleanField(_("待上报"), default=False)
    responded_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    responded_in_time = models.BooleanField(_("按时响应"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolved_in_time = models.BooleanField(_("按时办结"), null=True, blank=True)
    resolved_level = models.CharField(
        _("办结层级"), max_length=10, choices=Level.choices, blank=True
    )
    handling_workdays = models.PositiveSmallIntegerField(_("办理用时（工作日）"), null=True)
    resolution = models.TextField(_("办理情况"), max_length=2000, blank=True)
    mediation = models.CharField(
        _("调解结果"), max_length=10, choices=Mediation.choices, blank=True
    )
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    rating_reason = models.CharField(_("评价理由"), max_length=200, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    urge_count = models.PositiveSmallIntegerField(_("督办次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("服务工单")
        verbose_name_plural = _("服务工单")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["village", "-created_at"], name="order_village_created"),
            models.Index(fields=["requester_phone", "created_at"], name="order_phone_created"),
            models.Index(fields=["client_ip", "created_at"], name="order_ip_created"),
            # The sweep's two questions, each answered from a small partial index.
            models.Index(
                fields=["due_on"],
                condition=Q(status__in=OPEN, overdue=False),
                name="order_open_due",
            ),
            models.Index(
                fields=["level"],
                condition=Q(status__in=OPEN) & (Q(overdue=True) | Q(escalate_mark=True)),
                name="order_to_escalate",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="order_code_unique"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="order_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(level__in=[lv.value for lv in Level]), name="order_level_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.RESOLVED, Status.CLOSED])
                | Q(resolved_at__isnull=False),
                name="order_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.category}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


class OrderEvent(models.Model):
    """One move of an order: who, when, from, to, why. Append-only."""

    scope_field = "order__village"

    # Indexed by (order, at) below: a second index on order alone would only slow each insert.
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    action = models.CharField(_("动作"), max_length=10, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Status.choices)
    from_level = models.CharField(_("原层级"), max_length=10, choices=Level.choices, blank=True)
    to_level = models.CharField(_("新层级"), max_length=10, choices=Level.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_label = models.CharField(_("操作方"), max_length=40, blank=True)
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), max_length=2000, blank=True)
    # A back-fill (补录) from a paper register: ``at`` is the day it was received, this is when
    # it was entered (and ``actor`` who entered it). Null for everything recorded as it happened.
    recorded_at = models.DateTimeField(_("补录时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("工单记录")
        verbose_name_plural = _("工单记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["order", "at"], name="orderevent_order_at")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class PhotoStage(models.TextChoices):
    REQUEST = "request", _("诉求照片")
    RESOLUTION = "resolution", _("办结照片")


def photo_upload_to(instance: Photo, filename: str) -> str:
    return f"orders/{instance.order_id}/{uuid.uuid4().hex}.jpg"


class Photo(models.Model):
    """A photo of a request or of its resolution, re-encoded as JPEG on the server."""

    scope_field = "order__village"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(_("阶段"), max_length=10, choices=PhotoStage.choices)
    image = models.FileField(_("照片"), upload_to=photo_upload_to, max_length=200)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.get_stage_display()}"


class Decision(models.TextChoices):
    CONTINUE = "continue", _("继续办理")
    RESOLVED = "resolved", _("已解决")
    ESCALATE = "escalate", _("提交上级会商")


class Meeting(models.Model):
    """A review meeting: the village's weekly 民情碰头会, or a township's monthly 会商."""

    scope_field = "region"

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("召开单位")
    )
    held_on = models.DateField(_("召开日期"))
    attendees = models.CharField(_("参会人员"), max_length=200, blank=True)
    note = models.TextField(_("会议纪要"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("民情碰头会")
        verbose_name_plural = _("民情碰头会")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["region", "-held_on"], name="meeting_region_held")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.held_on:%Y-%m-%d}"


class MeetingItem(models.Model):
    scope_field = "meeting__region"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="meeting_items")
    decision = models.CharField(_("会商结果"), max_length=10, choices=Decision.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("会商事项")
        verbose_name_plural = _("会商事项")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="meetingitem_once")
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.get_decision_display()}"


class NoticeKind(models.TextChoices):
    ASSIGNED = "assigned", _("新派单")
    URGED = "urged", _("督办")
    DUE_SOON = "due_soon", _("临期提醒")
    OVERDUE = "overdue", _("超期提醒")
    REOPENED = "reopened", _("群众不满意")


class Notice(models.Model):
    """A message to one user about one order. ``key`` makes periodic reminders idempotent."""

    scope_field = "order__village"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("类型"), max_length=10, choices=NoticeKind.choices)
    text = models.CharField(_("内容"), max_length=200)
    key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["user", "-created_at"],
                condition=Q(read_at__isnull=True),
                name="notice_unread",
            )
        ]

    def __str__(self) -> str:
        return self.text


class SweepRun(models.Model):
    """That a monthly cut-off ran (kind + month is unique): a second run finds it and stops."""

    scope_exempt = True

    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=20)
    ran_at = models.DateTimeField()
    moved = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="sweeprun_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
