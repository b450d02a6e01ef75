from django.contrib import admin

from zhenxing.core.models import CalendarDay, Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only: jobs are written by their services and workers only."""

    list_display = ["pk", "kind", "status", "done", "total", "error_count", "region", "created_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["region", "created_by"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
