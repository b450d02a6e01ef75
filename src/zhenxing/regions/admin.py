from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from zhenxing.regions import models


@admin.register(models.Region)
class RegionAdmin(TreeAdmin):
    form = movenodeform_factory(models.Region)
    list_display = ["name", "level", "code"]
    search_fields = ["name", "code"]


@admin.register(models.PartyOrganization)
class PartyOrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["region"]


@admin.register(models.HouseholdTag)
class HouseholdTagAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "special"]


@admin.register(models.Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["number", "head_name", "village", "size"]
    search_fields = ["number", "head_name"]
    raw_id_fields = ["village", "group"]
    filter_horizontal = ["tags"]


@admin.register(models.Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["name", "sex", "birth_date", "region"]
    search_fields = ["name", "id_number"]
    raw_id_fields = ["region", "household"]


@admin.register(models.PartyMember)
class PartyMemberAdmin(admin.ModelAdmin):
    list_display = ["person", "organization", "kind", "status", "joined_on"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["person", "organization"]


@admin.register(models.CadrePost)
class CadrePostAdmin(admin.ModelAdmin):
    list_display = ["person", "post", "region", "start_date", "end_date"]
    list_filter = ["post"]
    raw_id_fields = ["person", "region"]
