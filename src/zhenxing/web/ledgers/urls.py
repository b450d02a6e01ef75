"""Routes of the ledger pages, under /ledgers/. Each ledger module adds its own block."""

from django.urls import path

from zhenxing.web.ledgers import (
    books,
    incidents,
    income,
    index,
    meetings,
    points,
    ratings,
    talent,
    village_settings,
)

urlpatterns: list = [
    path("", index.ledgers_index, name="ledgers"),
    # 三色账
    path("books/", books.book_list, name="ledgers_books"),
    path("books/export/", books.book_export, name="ledgers_books_export"),
    path("books/<int:book_entry_id>/", books.book_entry, name="ledgers_book_entry"),
    path("photos/<int:ledger_photo_id>/", books.ledger_photo, name="ledgers_photo"),
    # 农户评比
    path("ratings/", ratings.rating_list, name="ledgers_ratings"),
    path("ratings/rankings/", ratings.rating_rankings, name="ledgers_rating_rankings"),
    path("ratings/export/", ratings.rating_export, name="ledgers_ratings_export"),
    path("ratings/schemes/", ratings.rating_schemes, name="ledgers_rating_schemes"),
    path("ratings/<int:household_rating_id>/", ratings.rating_detail, name="ledgers_rating"),
    # 党员积分与承诺
    path("points/", points.points_list, name="ledgers_points"),
    path("points/balances/", points.points_balances, name="ledgers_points_balances"),
    path("points/export/", points.points_export, name="ledgers_points_export"),
    path("points/rules/", points.points_rules, name="ledgers_points_rules"),
    path("points/<int:points_entry_id>/", points.points_entry, name="ledgers_points_entry"),
    path("pledges/", points.pledge_list, name="ledgers_pledges"),
    path("pledges/<int:pledge_id>/", points.pledge_detail, name="ledgers_pledge"),
    # 组织生活
    path("meetings/", meetings.meeting_list, name="ledgers_meetings"),
    path("meetings/compliance/", meetings.meeting_compliance, name="ledgers_meetings_compliance"),
    path("meetings/export/", meetings.meeting_export, name="ledgers_meetings_export"),
    path("meetings/<int:org_meeting_id>/", meetings.meeting_detail, name="ledgers_meeting"),
    # 村集体经济
    path("income/", income.income_list, name="ledgers_income"),
    path("income/export/", income.income_export, name="ledgers_income_export"),
    path("income/import/", income.income_import, name="ledgers_income_import"),
    path(
        "income/import/template.xlsx",
        income.income_import_template,
        name="ledgers_income_import_template",
    ),
    path("income/<int:income_entry_id>/", income.income_entry, name="ledgers_income_entry"),
    # 三零
    path("incidents/", incidents.incident_list, name="ledgers_incidents"),
    path("incidents/export/", incidents.incident_export, name="ledgers_incidents_export"),
    path("incidents/<int:incident_id>/", incidents.incident_detail, name="ledgers_incident"),
    # 人才库和后备干部
    path("talent/", talent.talent_list, name="ledgers_talent"),
    path("talent/export/", talent.talent_export, name="ledgers_talent_export"),
    path("talent/<int:talent_id>/", talent.talent_entry, name="ledgers_talent_entry"),
    path("reserve/<int:reserve_cadre_id>/", talent.reserve_cadre, name="ledgers_reserve_cadre"),
    # 台账设置（组织生活、集体经济、人才）
    path("settings/village/", village_settings.village_settings, name="ledgers_village_settings"),
]
