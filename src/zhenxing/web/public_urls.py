"""The villager's pages (no account): the request form behind each village's QR poster, and the
tracking pages. Others link to these names; keep them."""

from django.urls import path

from zhenxing.web import public_views

urlpatterns = [
    path("s/<int:village_id>/", public_views.public_request, name="public_request"),
    path("s/<int:village_id>/poster/", public_views.public_poster, name="public_poster"),
    path("t/", public_views.public_track, name="public_track"),
    path("t/<str:code>/", public_views.public_order, name="public_order"),
    path(
        "t/<str:code>/photos/<int:photo_id>/",
        public_views.public_photo,
        name="public_photo",
    ),
]
