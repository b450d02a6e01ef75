"""star_urls: the star pages (see ``star_views``)."""

from django.urls import path

from zhenxing.web import star_views

urlpatterns: list = [
    path("stars/", star_views.stars_home, name="stars"),
    path("stars/regions/<int:region_id>/", star_views.stars_region, name="stars_region"),
    path("stars/regions/<int:region_id>/run/", star_views.stars_run, name="stars_run"),
]
