"""Talent pool (人才库) by category, and reserve cadres (后备干部) with their mentor (导师帮带)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhenxing.ledgers.models.base import Entry


class TalentCategory(models.Model):
    """返乡创业人员, 致富带头人, 农业技术人员, 乡贤…: data the county edits."""

    scope_exempt = True

    name = models.CharField(_("名称"), max_length=20, unique=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("人才类别")
        verbose_name_plural = _("人才类别")
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.name


class Talent(Entry):
    """A person of the village in the talent pool; a voiding correction takes them out."""

    scope_field = "village"

    village = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="talents",
        verbose_name=_("村（社区）"),
    )
    person = models.ForeignKey(
        "regions.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("人员")
    )
    category = models.ForeignKey(
        TalentCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("类别")
    )
    since = models.DateField(_("入库日期"))
    strengths = models.CharField(_("专长与事迹"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("人才")
        verbose_name_plural = _("人才库")
        indexes = [models.Index(fields=["village", "since"], name="talent_village_since")]

    def __str__(self) -> str:
        return f"{self.person} · {self.category}"


class ReserveCadre(Entry):
    """A reserve cadre (后备干部) of a village, the cadre who mentors them, and their assignment."""

    scope_field = "village"

    village = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="reserve_cadres",
        verbose_name=_("村（社区）"),
    )
    person = models.ForeignKey(
        "regions.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("人员")
    )
    mentor = models.ForeignKey(
        "regions.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("帮带导师")
    )
    assignment = models.CharField(_("岗位锻炼"), max_length=60, blank=True)
    since = models.DateField(_("确定日期"))

    class Meta:
        verbose_name = _("后备干部")
        verbose_name_plural = _("后备干部")
        indexes = [models.Index(fields=["village", "since"], name="reserve_village_since")]

    def __str__(self) -> str:
        return f"{self.person} · {self.assignment}"
