from django.contrib.auth import views as auth_views
from django.urls import include, path

from zhenxing.web import roster_views, views
from zhenxing.web.ledgers import books as ledger_books

urlpatterns = [
    # First: the villagers' request form is the busiest page (its URLs start with s/ or t/, as
    # no pattern below does but the 三色账 board's, which is longer).
    path("", include("zhenxing.web.public_urls")),
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("regions/<int:region_id>/", views.region_detail, name="region"),
    path("regions/<int:region_id>/households/", views.household_list, name="households"),
    path("regions/<int:region_id>/residents/", views.resident_list, name="residents"),
    path("regions/<int:region_id>/members/", views.member_list, name="members"),
    path("regions/<int:region_id>/cadres/", views.cadre_list, name="cadres"),
    path("rosters/", roster_views.rosters_home, name="rosters"),
    path("rosters/template.xlsx", roster_views.roster_template, name="roster_template"),
    path("regions/<int:region_id>/rosters/", roster_views.region_rosters, name="region_rosters"),
    path(
        "regions/<int:region_id>/rosters/import/",
        roster_views.roster_import,
        name="region_rosters_import",
    ),
    path(
        "regions/<int:region_id>/rosters/export/",
        roster_views.roster_export,
        name="region_rosters_export",
    ),
    path("jobs/<int:job_id>/", roster_views.job_detail, name="job"),
    path("jobs/<int:job_id>/file/", roster_views.job_file, name="job_file"),
    path("jobs/<int:job_id>/retry/", roster_views.job_retry, name="job_retry"),
    path("", include("zhenxing.web.order_urls")),
    path("", include("zhenxing.web.service_urls")),
    path("", include("zhenxing.web.star_urls")),
    path("ledgers/", include("zhenxing.web.ledgers.urls")),
    # The village's public 三色账 board: no login, like the villager pages under /s/.
    path("s/<int:village_id>/board/", ledger_books.public_board, name="ledgers_board"),
    path(
        "s/<int:village_id>/board/photos/<int:photo_id>/",
        ledger_books.public_board_photo,
        name="ledgers_board_photo",
    ),
    path("grids/", include("zhenxing.web.grids.urls")),
    path("reports/checks/", include("zhenxing.web.reports.urls")),
]
