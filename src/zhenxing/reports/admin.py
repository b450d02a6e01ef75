from django.contrib import admin

from zhenxing.reports.models import FigureRule


@admin.register(FigureRule)
class FigureRuleAdmin(admin.ModelAdmin):
    """The county extends the mapping from a report's words to the platform's figures here."""

    list_display = ("sort", "label", "metric", "subjects", "context", "excludes", "units", "active")
    list_display_links = ("label",)
    list_editable = ("sort", "active")
    list_filter = ("metric", "active")
    search_fields = ("label", "subjects", "context")
