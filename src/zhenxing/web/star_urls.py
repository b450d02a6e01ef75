"""star_urls: the star pages (see ``star_views``)."""

from django.urls import path

from zhenxing.web import star_application_views as apps
from zhenxing.web import star_results_views, star_rhythm_views, star_standard_views, star_views

urlpatterns: list = [
    path("stars/", star_views.stars_home, name="stars"),
    path("stars/regions/<int:region_id>/", star_views.stars_region, name="stars_region"),
    path("stars/regions/<int:region_id>/run/", star_views.stars_run, name="stars_run"),
    # 创星结果 (star_results_views)
    path("stars/results/", star_results_views.star_results_home, name="star_results"),
    path(
        "stars/results/regions/<int:region_id>/",
        star_results_views.star_results_region,
        name="star_results_region",
    ),
    path(
        "stars/results/regions/<int:region_id>/notice.docx",
        star_results_views.star_results_notice,
        name="star_results_notice",
    ),
    # 创星标准 (star_standard_views)
    path("stars/standards/", star_standard_views.standard_list, name="star_standards"),
    path("stars/standards/new/", star_standard_views.standard_new, name="star_standard_new"),
    path(
        "stars/standards/<int:standard_id>/",
        star_standard_views.standard_detail,
        name="star_standard",
    ),
    # 周汇报、月排序、季观摩 (star_rhythm_views)
    path("stars/rhythm/", star_rhythm_views.rhythm_home, name="stars_rhythm"),
    path(
        "stars/rhythm/regions/<int:region_id>/weekly/",
        star_rhythm_views.rhythm_weekly,
        name="stars_rhythm_weekly",
    ),
    path(
        "stars/rhythm/regions/<int:region_id>/ranking/",
        star_rhythm_views.rhythm_ranking,
        name="stars_rhythm_ranking",
    ),
    path(
        "stars/rhythm/regions/<int:region_id>/ranking/archive/",
        star_rhythm_views.rhythm_archive,
        name="stars_rhythm_archive",
    ),
    path(
        "stars/rhythm/regions/<int:region_id>/reviews/",
        star_rhythm_views.rhythm_reviews,
        name="stars_rhythm_reviews",
    ),
    path(
        "stars/rhythm/reviews/<int:site_review_id>/",
        star_rhythm_views.rhythm_review,
        name="stars_rhythm_review",
    ),
    # 创星申报 (star_application_views)
    path("stars/applications/", apps.applications_list, name="star_applications"),
    path(
        "stars/regions/<int:region_id>/application/",
        apps.application_region,
        name="star_application_region",
    ),
    path(
        "stars/applications/<int:application_id>/",
        apps.application_detail,
        name="star_application",
    ),
    path(
        "stars/applications/<int:application_id>/evidence/<int:evidence_id>/",
        apps.application_evidence_file,
        name="star_application_evidence",
    ),
    *(
        path(
            f"stars/applications/<int:application_id>/{name.replace('_', '-')}/",
            apps.act(name),
            name=f"star_application_{name}",
        )
        for name in apps.ACTIONS
    ),
]
