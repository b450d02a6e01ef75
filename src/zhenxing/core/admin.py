from django.contrib import admin

from zhenxing.core.models import Job


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
