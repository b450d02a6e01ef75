from django.contrib import admin
from django.urls import include, path

from zhenxing.api.urls import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("zhenxing.web.urls")),
]

handler404 = "zhenxing.api.errors.page_not_found"
handler500 = "zhenxing.api.errors.server_error"
