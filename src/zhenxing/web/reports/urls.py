from django.urls import path

from zhenxing.web.reports import views

urlpatterns = [
    path("", views.check_list, name="report_checks"),
    path("rules/", views.rule_list, name="report_rules"),
    path("<int:check_id>/", views.check_detail, name="report_check"),
    path("<int:check_id>/word/", views.check_word, name="report_check_word"),
]
