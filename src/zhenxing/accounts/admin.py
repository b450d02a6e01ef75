from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from zhenxing.accounts.models import PersonalDataView, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("角色与管辖范围"), {"fields": ("role", "scope_region")}),
    )
    list_display = ["username", "first_name", "role", "scope_region", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["scope_region"]


@admin.register(PersonalDataView)
class PersonalDataViewAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "what"]
    readonly_fields = ["at", "user", "what"]
