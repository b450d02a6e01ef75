"""Routes of the grid pages, under /grids/."""

from django.urls import path

from zhenxing.web.grids import views
from zhenxing.web.grids import xlsx as xlsx_views

urlpatterns = [
    path("", views.grids_home, name="grids_home"),
    path("regions/<int:region_id>/", views.region_page, name="grids_region"),
    path("regions/<int:region_id>/structure/", views.structure, name="grids_structure"),
    path("regions/<int:region_id>/assign/", views.assign, name="grids_assign"),
    path("regions/<int:region_id>/settings/", views.settings_page, name="grids_settings"),
    path("regions/<int:region_id>/cards/", views.cards, name="grids_cards"),
    path("regions/<int:region_id>/export.xlsx", xlsx_views.export, name="grids_export"),
    path("regions/<int:region_id>/import/", xlsx_views.import_, name="grids_import"),
    path("grid/<int:grid_id>/", views.grid_edit, name="grids_grid"),
    path("households/<int:household_id>/", views.household_page, name="grids_household"),
    path("households/<int:household_id>/pair/", views.household_pair, name="grids_pair"),
    path("visits/new/", views.visit_new, name="grids_visit_new"),
]
