"""The service loop's meeting pages and the county's settings pages."""

from django.urls import path

from zhenxing.web import account_views, service_views

urlpatterns = [
    path("orders/meetings/", service_views.meeting_list, name="meetings"),
    path("orders/meetings/new/", service_views.meeting_new, name="meeting_new"),
    path("orders/meetings/<int:meeting_id>/", service_views.meeting_detail, name="meeting_detail"),
    path("settings/categories/", service_views.categories, name="categories"),
    path("settings/calendar/", service_views.calendar_days, name="calendar_days"),
    path("settings/teams/", service_views.teams, name="teams"),
    path("settings/accounts/", account_views.account_list, name="accounts"),
    path(
        "settings/accounts/<int:account_id>/", account_views.account_detail, name="account_detail"
    ),
]
