"""The superuser's view of the service loop. Orders are read-only here: their status changes only
through the services (cadres use the 待办 and order pages); categories and teams are data."""

from django.contrib import admin

from zhenxing.orders.models import Category, Order, OrderEvent, Team


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "time_limit_days", "response_days", "is_dispute", "active", "sort"]
    list_editable = ["time_limit_days", "response_days", "is_dispute", "active", "sort"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "specialty", "region", "active"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["region"]
    filter_horizontal = ["members"]


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    readonly_fields = [
        "action",
        "from_status",
        "to_status",
        "from_level",
        "to_level",
        "actor",
        "actor_label",
        "at",
        "note",
    ]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["code", "village", "category", "status", "level", "due_on", "overdue"]
    list_filter = ["status", "level", "overdue", "category"]
    search_fields = ["code"]
    inlines = [OrderEventInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
