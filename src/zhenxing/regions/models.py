"""Registers: the region tree, Party organisations, households, residents, members and cadres.

Every model here states how it is scoped: ``scope_field`` names its indexed FK to a Region (the
village for village-level data); the region tree itself is scoped by its materialised path.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from zhenxing.regions.validators import mask_id_number, mask_phone


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县")
    TOWNSHIP = "township", _("乡镇")
    DISTRICT = "district", _("管区")
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")
    GROUP = "group", _("村民小组")


# Which level may sit under which: a district (管区) is optional between township and village.
CHILD_LEVELS: dict[str, tuple[str, ...]] = {
    Level.PROVINCE: (Level.CITY,),
    Level.CITY: (Level.COUNTY,),
    Level.COUNTY: (Level.TOWNSHIP,),
    Level.TOWNSHIP: (Level.DISTRICT, Level.VILLAGE, Level.COMMUNITY),
    Level.DISTRICT: (Level.VILLAGE, Level.COMMUNITY),
    Level.VILLAGE: (Level.GROUP,),
    Level.COMMUNITY: (Level.GROUP,),
    Level.GROUP: (),
}
VILLAGE_LEVELS = (Level.VILLAGE, Level.COMMUNITY)


class Region(MP_Node):
    """A node of the region tree; ``path`` makes "everything under X" one indexed prefix query."""

    scope_field = "self"

    name = models.CharField(_("名称"), max_length=60)
    level = models.CharField(_("层级"), max_length=12, choices=Level.choices, db_index=True)
    code = models.CharField(_("区划代码"), max_length=12, blank=True)
    established_on = models.DateField(
        _("成立日期"),
        null=True,
        blank=True,
        help_text=_("在册起始日期（如合并新设的村）；补录的工单和台账不能早于它；留空为不限"),
    )

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        indexes = [models.Index(fields=["level", "path"], name="region_level_path")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_village(self) -> bool:
        return self.level in VILLAGE_LEVELS

    def registered_error(self, day: dt.date, label: str) -> str | None:
        """Why ``day`` cannot be a date of this village's records (before it is in the register),
        or None."""
        if self.established_on and day < self.established_on:
            return _("%(label)s（%(day)s）早于%(name)s的成立日期（%(since)s）") % {
                "label": label,
                "day": day,
                "name": self.name,
                "since": self.established_on,
            }
        return None


class OrgKind(models.TextChoices):
    TOWNSHIP_COMMITTEE = "township_committee", _("乡镇党委")
    VILLAGE_BRANCH = "village_branch", _("村党支部")
    COMMUNITY_BRANCH = "community_branch", _("社区党支部")
    GENERAL_BRANCH = "general_branch", _("党总支")
    NONPUBLIC = "nonpublic", _("非公企业党组织")
    INDUSTRY_CHAIN = "industry_chain", _("产业链党支部")


class PartyOrganization(models.Model):
    scope_field = "region"

    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=24, choices=OrgKind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="organizations", verbose_name=_("所在区域")
    )

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="org_unique_name_in_region")
        ]

    def __str__(self) -> str:
        return self.name


class HouseholdTag(models.Model):
    """A label such as 低保 or 留守; ``special`` ones are listed first wherever households are."""

    scope_exempt = True  # reference data shared by every village

    code = models.SlugField(_("代码"), max_length=24, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    special = models.BooleanField(_("重点户"), default=False)

    class Meta:
        verbose_name = _("户标签")
        verbose_name_plural = _("户标签")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    scope_field = "village"

    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="households", verbose_name=_("村（社区）")
    )
    group = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="group_households",
        null=True,
        blank=True,
        verbose_name=_("村民小组"),
    )
    number = models.CharField(_("户号"), max_length=30)
    head_name = models.CharField(_("户主姓名"), max_length=40)
    address = models.CharField(_("住址"), max_length=120, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    size = models.PositiveSmallIntegerField(_("人口数"), default=1)
    tags = models.ManyToManyField(HouseholdTag, blank=True, verbose_name=_("标签"))

    class Meta:
        verbose_name = _("农户")
        verbose_name_plural = _("农户")
        constraints = [
            models.UniqueConstraint(fields=["village", "number"], name="household_unique_number"),
            models.CheckConstraint(condition=Q(size__gte=1), name="household_size_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.head_name}户"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Education(models.TextChoices):
    """Ordered from lowest to highest; ``rank`` >= COLLEGE_RANK means 大专及以上."""

    PRIMARY = "primary", _("小学及以下")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中/中专")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


COLLEGE_OR_ABOVE = (Education.COLLEGE, Education.BACHELOR, Education.POSTGRADUATE)


class Resident(models.Model):
    """A person on the register: a villager, or a cadre registered at a township or county."""

    scope_field = "region"

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="residents", verbose_name=_("户籍所在地")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("所属农户"),
    )
    name = models.CharField(_("姓名"), max_length=40)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    id_number = models.CharField(_("身份证号"), max_length=18, null=True, blank=True, unique=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    education = models.CharField(
        _("学历"), max_length=16, choices=Education.choices, default=Education.JUNIOR
    )

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number or "")

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class MemberKind(models.TextChoices):
    FULL = "full", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    TRANSFERRED = "transferred", _("已转出")
    DECEASED = "deceased", _("已去世")


class PartyMember(models.Model):
    scope_field = "organization__region"

    person = models.OneToOneField(
        Resident, on_delete=models.PROTECT, related_name="membership", verbose_name=_("人员")
    )
    organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("所在党组织"),
    )
    kind = models.CharField(
        _("党员类别"), max_length=16, choices=MemberKind.choices, default=MemberKind.FULL
    )
    joined_on = models.DateField(_("入党日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")

    def __str__(self) -> str:
        return str(self.person)


class Post(models.TextChoices):
    SECRETARY = "secretary", _("村党支部书记")
    DIRECTOR = "director", _("村委会主任")
    COMMITTEE = "committee", _("两委委员")
    SUPERVISOR = "supervisor", _("村务监督委员会主任")
    ACCOUNTANT = "accountant", _("村报账员")
    LIAISON = "liaison", _("包村干部")
    DISTRICT_SECRETARY = "district_secretary", _("管区书记")
    WORK_TEAM = "work_team", _("驻村工作队员")
    CHRONICLER = "chronicler", _("村史记录员")


# The village "two committees" team whose structure the seeds report (age, education, 一肩挑).
TEAM_POSTS = (Post.SECRETARY, Post.DIRECTOR, Post.COMMITTEE)


class CadrePost(models.Model):
    scope_field = "region"

    person = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="posts", verbose_name=_("人员")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="cadre_posts", verbose_name=_("任职区域")
    )
    post = models.CharField(_("职务"), max_length=24, choices=Post.choices)
    start_date = models.DateField(_("任职日期"))
    end_date = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("干部任职")
        verbose_name_plural = _("干部任职")
        indexes = [models.Index(fields=["region", "post"], name="cadre_region_post")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="cadre_post_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_post_display()}"
