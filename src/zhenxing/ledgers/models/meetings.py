"""Organisational life (三会一课、主题党日、微党课…): meeting records of a Party organisation.

Named ``OrgMeeting`` so that nobody confuses it with ``orders.Meeting`` (the 民情碰头会). Which kinds
exist and how often each must be held are data (``MeetingKind``, ``MeetingRequirement``), seeded
with the seeds' defaults and edited by the county on the ledger settings page.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhenxing.ledgers.models.base import Entry


class MeetingKind(models.Model):
    """A kind of organisational-life meeting: 支部委员会, 党员大会, 党课, 主题党日, 微党课…"""

    scope_exempt = True  # reference data shared by every branch

    code = models.SlugField(_("代码"), max_length=24, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    all_members = models.BooleanField(
        _("全体党员参加"),
        default=True,
        help_text=_("计算参会率时只看全体党员应参加的会议（支部委员会、党小组会等不计）"),
    )

    class Meta:
        verbose_name = _("组织生活类型")
        verbose_name_plural = _("组织生活类型")
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.name


class Frequency(models.TextChoices):
    """The period a required count is per; the values are ``core.periods`` kinds."""

    WEEK = "week", _("每周")
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    HALF = "half", _("每半年")
    YEAR = "year", _("每年")


class MeetingRequirement(models.Model):
    """How often a kind must be held: ``count`` meetings per ``per`` (e.g. 1 per month)."""

    scope_exempt = True  # one county-wide rule table

    kind = models.OneToOneField(
        MeetingKind,
        on_delete=models.CASCADE,
        related_name="requirement",
        verbose_name=_("组织生活类型"),
    )
    per = models.CharField(_("频次"), max_length=8, choices=Frequency.choices)
    count = models.PositiveSmallIntegerField(_("次数"), default=1)

    class Meta:
        verbose_name = _("组织生活频次要求")
        verbose_name_plural = _("组织生活频次要求")
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="meeting_requirement_count_pos")
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.get_per_display()}{self.count}次"


class OrgMeeting(Entry):
    """One meeting held by a Party organisation, with who attended (members of that branch)."""

    scope_field = "organization__region"

    organization = models.ForeignKey(
        "regions.PartyOrganization",
        on_delete=models.PROTECT,
        related_name="org_meetings",
        verbose_name=_("党组织"),
    )
    kind = models.ForeignKey(
        MeetingKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("类型")
    )
    held_on = models.DateField(_("召开日期"))
    topic = models.CharField(_("主题"), max_length=120)
    minutes = models.TextField(_("会议记录"), max_length=4000, blank=True)
    photos = models.ManyToManyField(
        "ledgers.LedgerPhoto", blank=True, related_name="+", verbose_name=_("照片")
    )
    attendees = models.ManyToManyField(
        "regions.PartyMember", related_name="+", blank=True, verbose_name=_("参会党员")
    )

    class Meta:
        verbose_name = _("组织生活记录")
        verbose_name_plural = _("组织生活记录")
        indexes = [models.Index(fields=["organization", "held_on"], name="orgmeeting_org_held")]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.kind} · {self.topic}"
