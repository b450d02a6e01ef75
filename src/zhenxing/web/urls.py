from django.contrib.auth import views as auth_views
from django.urls import path

from zhenxing.web import views

urlpatterns = [
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
]
