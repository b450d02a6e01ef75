from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("县级管理员")
    TOWNSHIP_ADMIN = "township_admin", _("乡镇管理员")
    DISTRICT_LEADER = "district_leader", _("管区负责人")
    VILLAGE_SECRETARY = "village_secretary", _("村党支部书记")
    GRID_MEMBER = "grid_member", _("网格员")
    VIEWER = "viewer", _("查看者")


class User(AbstractUser):
    """A signed-in person: one role, one scope node; they see that subtree and nothing else."""

    # Accounts are managed inside the manager's subtree (账号管理); a superuser's null scope
    # region is outside every scope but the root's.
    scope_field = "scope_region"

    role = models.CharField(_("角色"), max_length=24, choices=Role.choices, default=Role.VIEWER)
    scope_region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("管辖范围"),
        help_text=_("留空表示整个部署（仅限超级管理员）"),
    )
    person = models.OneToOneField(
        "regions.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="account",
        verbose_name=_("对应人员"),
        help_text=_("党员账号关联花名册中的本人，用于接单"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")


class ApiToken(models.Model):
    """A bearer token for scripts. Only its SHA-256 is stored; the token is shown once."""

    scope_exempt = True

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class PersonalDataView(models.Model):
    """Every unmasked view of a phone or ID-card number leaves a row here."""

    scope_exempt = True

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    what = models.CharField(max_length=120)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")

    def __str__(self) -> str:
        return f"{self.user} · {self.what}"


class AccountAction(models.TextChoices):
    INIT = "init", _("首次运行创建")
    CREATE = "create", _("创建")
    EDIT = "edit", _("修改")
    DISABLE = "disable", _("停用")
    ENABLE = "enable", _("启用")
    RESET_PASSWORD = "reset_password", _("重置密码")


class AccountEvent(models.Model):
    """Every change of an account: who changed whose, when, what (never a password)."""

    scope_field = "user__scope_region"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="account_events")
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # null: the command line (zhenxing init)
    action = models.CharField(max_length=16, choices=AccountAction.choices)
    at = models.DateTimeField(default=timezone.now)
    changes = models.JSONField(default=dict, blank=True)  # {field: [before, after]}

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("账号变更记录")
        verbose_name_plural = _("账号变更记录")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_action_display()}"

    FIELD_LABELS = {
        "role": _("角色"),
        "scope_region": _("管辖区域"),
        "full_name": _("姓名"),
        "is_active": _("状态"),
    }

    @property
    def change_lines(self) -> list[str]:
        """The changes as a person reads them: 角色：村党支部书记 → 网格员."""

        def shown(value: object) -> str:
            if value is None or value == "":
                return "—"
            if isinstance(value, bool):
                return str(_("启用") if value else _("停用"))
            if value in Role.values:
                return str(Role(value).label)
            return str(value)

        return [
            f"{self.FIELD_LABELS.get(field, field)}：{shown(before)} → {shown(after)}"
            for field, (before, after) in self.changes.items()
        ]
