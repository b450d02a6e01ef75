"""积分管理 and 承诺践诺: the points rule table (domain.md §8.4), members' points entries, and the
one-sentence pledges (一句话承诺, seed 000) with their fulfilment."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhenxing.ledgers.models.base import Entry
from zhenxing.ledgers.models.books import LedgerPhoto


class CapPeriod(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    YEAR = "year", _("每年")


class PointsRule(models.Model):
    """A points item: a bonus (``points`` > 0) or a deduction (< 0) per occurrence, with a cap on
    the total a member can get from it in one cap period."""

    scope_exempt = True  # reference data, edited by the county

    name = models.CharField(_("积分项目"), max_length=40, unique=True)
    points = models.SmallIntegerField(_("每次分值"), help_text=_("正数加分，负数扣分"))
    cap = models.PositiveSmallIntegerField(
        _("封顶分值"), help_text=_("一个封顶周期内本项累计加（扣）分的上限")
    )
    cap_period = models.CharField(
        _("封顶周期"), max_length=8, choices=CapPeriod.choices, default=CapPeriod.YEAR
    )
    evidence_required = models.BooleanField(_("须附佐证"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["sort", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="points_rule_nonzero"),
            models.CheckConstraint(condition=Q(cap__gte=1), name="points_rule_cap_pos"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_bonus(self) -> bool:
        return self.points > 0


class PointsEntry(Entry):
    scope_field = "village"

    village = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）")
    )
    member = models.ForeignKey(
        "regions.PartyMember", on_delete=models.PROTECT, related_name="+", verbose_name=_("党员")
    )
    rule = models.ForeignKey(
        PointsRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("积分项目")
    )
    occurred_on = models.DateField(_("发生日期"))
    points = models.SmallIntegerField(_("分值"))
    note = models.CharField(_("事由"), max_length=200)
    evidence = models.CharField(_("佐证说明"), max_length=200, blank=True)
    photos = models.ManyToManyField(
        LedgerPhoto, blank=True, related_name="+", verbose_name=_("照片")
    )

    class Meta:
        verbose_name = _("党员积分")
        verbose_name_plural = _("党员积分")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["village", "occurred_on"], name="points_village_day"),
            models.Index(fields=["member", "occurred_on"], name="points_member_day"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(points=0), name="points_nonzero")]

    def __str__(self) -> str:
        return f"{self.member} · {self.rule} · {self.points:+d}"


class PledgeStatus(models.TextChoices):
    OPEN = "open", _("践诺中")
    FULFILLED = "fulfilled", _("已践诺")
    UNFULFILLED = "unfulfilled", _("未践诺")


class Pledge(Entry):
    scope_field = "village"

    village = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）")
    )
    member = models.ForeignKey(
        "regions.PartyMember", on_delete=models.PROTECT, related_name="+", verbose_name=_("党员")
    )
    text = models.CharField(_("承诺内容"), max_length=100)
    made_on = models.DateField(_("承诺日期"))
    due_on = models.DateField(_("承诺期限"))
    status = models.CharField(
        _("践诺情况"), max_length=12, choices=PledgeStatus.choices, default=PledgeStatus.OPEN
    )
    closed_on = models.DateField(_("评定日期"), null=True, blank=True)
    evidence = models.CharField(_("践诺佐证"), max_length=200, blank=True)
    photos = models.ManyToManyField(
        LedgerPhoto, blank=True, related_name="+", verbose_name=_("照片")
    )

    class Meta:
        verbose_name = _("党员承诺")
        verbose_name_plural = _("党员承诺")
        ordering = ["-made_on", "-pk"]
        indexes = [models.Index(fields=["village", "due_on"], name="pledge_village_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("made_on")), name="pledge_due_after_made"
            ),
            models.CheckConstraint(
                condition=Q(status=PledgeStatus.OPEN) | Q(closed_on__isnull=False),
                name="pledge_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.text}"
