"""Grids (网格化), member–household pairing (党员联户) and household visits (五个到户).

- ``Grid``: a village's four-level grid. Level 1 is the village itself (head: the secretary),
  level 2 is led by a two-committee cadre, level 3 by a group leader; the paired Party members
  are the bottom level. A grid covers villager groups or named households (``GridCover``); a
  household sits in at most one grid of each level (DB constraints on the cover rows).
- ``Pairing``: one row per (household, member) span. Changing a pairing ends the current row and
  starts a new one; a partial unique constraint keeps one current pairing per household.
- ``Visit``: a grid member's visit and which of the five items it served; each request logged on
  it becomes a service order (``VisitRequest.order``).
- ``GridSettings``: the pairing ratio, the age band of lighter loads and the "not visited for N
  days" threshold, per region (a village's own row, else its nearest ancestor's, else defaults).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class GridLevel(models.IntegerChoices):
    VILLAGE = 1, _("一级网格（村）")
    SECOND = 2, _("二级网格")
    THIRD = 3, _("三级网格")


class Grid(models.Model):
    scope_field = "village"

    village = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级网格"),
    )
    level = models.PositiveSmallIntegerField(_("层级"), choices=GridLevel.choices)
    name = models.CharField(_("网格名称"), max_length=40)
    head = models.ForeignKey(
        "regions.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("网格长")
    )

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["village_id", "level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["village", "name"], name="grid_name_unique"),
            models.UniqueConstraint(
                fields=["village"], condition=Q(level=1), name="grid_one_village_grid"
            ),
            models.CheckConstraint(condition=Q(level__in=[1, 2, 3]), name="grid_level_valid"),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="grid_parent_by_level",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GridCover(models.Model):
    """What a grid covers: a villager group (all its households) or one named household.
    ``level`` repeats the grid's level so the database can refuse a second grid of that level."""

    scope_field = "village"

    village = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="covers")
    level = models.PositiveSmallIntegerField(choices=GridLevel.choices)
    group = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    household = models.ForeignKey(
        "regions.Household", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("网格覆盖")
        verbose_name_plural = _("网格覆盖")
        constraints = [
            models.CheckConstraint(
                condition=Q(group__isnull=True, household__isnull=False)
                | Q(group__isnull=False, household__isnull=True),
                name="gridcover_group_or_household",
            ),
            models.UniqueConstraint(
                fields=["group", "level"],
                condition=Q(group__isnull=False),
                name="gridcover_group_once_per_level",
            ),
            models.UniqueConstraint(
                fields=["household", "level"],
                condition=Q(household__isnull=False),
                name="gridcover_household_once_per_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grid_id}:{self.group_id or self.household_id}"


class Pairing(models.Model):
    """党员联户: a household and the member responsible for it, from ``start_date`` until
    ``end_date`` (empty while current). Indexes: the village's current pairings come from
    ``pairing_current``, a household's history from the household FK."""

    scope_field = "village"

    village = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("村（社区）"),
    )
    household = models.ForeignKey(
        "regions.Household",
        on_delete=models.CASCADE,
        related_name="pairings",
        verbose_name=_("农户"),
    )
    member = models.ForeignKey(
        "regions.PartyMember",
        on_delete=models.PROTECT,
        related_name="pairings",
        verbose_name=_("联户党员"),
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("联户关系")
        verbose_name_plural = _("联户关系")
        ordering = ["-start_date", "-pk"]
        indexes = [
            models.Index(
                fields=["village", "member"],
                condition=Q(end_date__isnull=True),
                name="pairing_current",
            ),
            models.Index(
                fields=["member"], condition=Q(end_date__isnull=True), name="pairing_member_current"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(end_date__isnull=True),
                name="pairing_one_current_per_household",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="pairing_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}→{self.member_id}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class VisitItem(models.TextChoices):
    """五个到户: the five kinds of contact a visit may serve (field names on ``Visit``)."""

    CONTACT = "contact", _("党员联系到户")
    SITUATION = "situation", _("民情走访到户")
    POLICY = "policy", _("政策落实到户")
    INDUSTRY = "industry", _("产业就业对接到户")
    SERVICE = "service", _("精准服务到户")


class Visit(models.Model):
    """Indexes: a village's visits by date (``visit_village_date``), a household's by date
    (``visit_household_date``); the plain FK indexes would only repeat them."""

    scope_field = "village"

    village = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("村（社区）"),
    )
    household = models.ForeignKey(
        "regions.Household",
        on_delete=models.CASCADE,
        related_name="visits",
        db_index=False,
        verbose_name=_("农户"),
    )
    member = models.ForeignKey(
        "regions.PartyMember",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("走访党员"),
    )
    visited_on = models.DateField(_("走访日期"))
    contact = models.BooleanField(VisitItem.CONTACT.label, default=False)
    situation = models.BooleanField(VisitItem.SITUATION.label, default=False)
    policy = models.BooleanField(VisitItem.POLICY.label, default=False)
    industry = models.BooleanField(VisitItem.INDUSTRY.label, default=False)
    service = models.BooleanField(VisitItem.SERVICE.label, default=False)
    notes = models.TextField(_("走访情况"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-pk"]
        indexes = [
            models.Index(fields=["village", "-visited_on"], name="visit_village_date"),
            models.Index(fields=["household", "-visited_on"], name="visit_household_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact=True)
                | Q(situation=True)
                | Q(policy=True)
                | Q(industry=True)
                | Q(service=True),
                name="visit_serves_an_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.visited_on:%Y-%m-%d}"

    @property
    def items(self) -> list[str]:
        return [str(item.label) for item in VisitItem if getattr(self, item.value)]


class VisitRequest(models.Model):
    """A request the household made during a visit; it becomes a service order (``order``)."""

    scope_field = "visit__village"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="requests")
    text = models.CharField(_("诉求"), max_length=500)
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("工单"),
    )

    class Meta:
        verbose_name = _("走访诉求")
        verbose_name_plural = _("走访诉求")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text


class GridSettings(models.Model):
    """联户 settings of a region; a village without its own row uses its nearest ancestor's."""

    scope_field = "region"

    region = models.OneToOneField(
        "regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("区域")
    )
    ratio = models.PositiveSmallIntegerField(
        _("每名党员联系户数"), default=10, help_text=_("“1+10”：每名党员最多联系的户数")
    )
    elder_age = models.PositiveSmallIntegerField(
        _("年长党员年龄"), default=70, help_text=_("达到此年龄的党员按较少户数联系")
    )
    elder_ratio = models.PositiveSmallIntegerField(_("年长党员联系户数"), default=5)
    stale_days = models.PositiveSmallIntegerField(
        _("未走访提醒天数"), default=30, help_text=_("超过此天数未走访的农户列入提醒")
    )

    class Meta:
        verbose_name = _("联户设置")
        verbose_name_plural = _("联户设置")
        constraints = [
            models.CheckConstraint(condition=Q(ratio__gte=1), name="gridsettings_ratio_pos"),
            models.CheckConstraint(
                condition=Q(elder_ratio__gte=0), name="gridsettings_elder_ratio_nonneg"
            ),
            models.CheckConstraint(condition=Q(stale_days__gte=1), name="gridsettings_stale_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} 1+{self.ratio}"

    def capacity(self, age: int) -> int:
        return self.elder_ratio if age >= self.elder_age else self.ratio
