from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhenxing.conftest import add_household
from zhenxing.regions.models import CadrePost, Education, Level, Post, Region, Resident


def test_home_sends_each_user_to_their_scope(client, tree, township_a_user):
    client.force_login(township_a_user)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("region", args=[tree.township_a.pk])


def test_login_is_required(client, tree):
    response = client.get(reverse("region", args=[tree.county.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_region_page_shows_real_counts(client, tree, township_a_user):
    add_household(tree.village_a1, "A1-001", people=3, member=True)
    add_household(tree.village_a1, "A1-002", people=1)
    add_household(tree.village_b1, "B1-001", people=4, member=True)
    client.force_login(township_a_user)
    html = client.get(reverse("region", args=[tree.township_a.pk])).content.decode()
    assert _stat(html, "村（社区）") == "2"
    assert _stat(html, "农户") == "2"
    assert _stat(html, "居民") == "4"
    assert _stat(html, "党员") == "1"
    assert _stat(html, "在任干部") == "0"
    # Direct children are listed with their own counts; the other township is nowhere.
    assert "一管区" in html and "西村" in html
    assert "南村" not in html and "乙镇" not in html


def _stat(html: str, label: str) -> str:
    match = re.search(r"<b>([\d,]+)</b><span>" + re.escape(label) + "</span>", html)
    assert match, label
    return match.group(1)


@pytest.mark.parametrize("name", ["region", "households", "residents", "members", "cadres"])
def test_out_of_scope_pages_are_404(client, tree, township_a_user, name):
    client.force_login(township_a_user)
    assert client.get(reverse(name, args=[tree.village_b1.pk])).status_code == 404
    assert client.get(reverse(name, args=[tree.township_b.pk])).status_code == 404
    assert client.get(reverse(name, args=[tree.county.pk])).status_code == 404
    assert client.get(reverse(name, args=[tree.village_a2.pk])).status_code == 200


def test_rosters_mask_phones_for_a_grid_member(client, tree, grid_member_a1):
    add_household(tree.village_a1, "A1-001")
    client.force_login(grid_member_a1)
    html = client.get(reverse("households", args=[tree.village_a1.pk])).content.decode()
    assert "138****8000" in html
    assert "13800138000" not in html


def test_htmx_pagination_returns_only_the_rows(client, tree, county_user):
    for i in range(60):
        add_household(tree.village_a1, f"A1-{i:03d}", people=1)
    client.force_login(county_user)
    url = reverse("households", args=[tree.village_a1.pk]) + "?page=2"
    full = client.get(url).content.decode()
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" in full and "<html" not in part
    assert 'id="rows"' in part
    assert "A1-059" in part and "A1-000" not in part


def test_navigation_shows_each_role_what_it_may_use(client, tree, grid_member_a1):
    client.force_login(grid_member_a1)
    html = client.get(reverse("region", args=[tree.village_a1.pk])).content.decode()
    assert "区域概览" in html
    assert "花名册导入导出" not in html
    assert "管理后台" not in html


def _grow(tree, n: int) -> None:
    township = Region.objects.get(pk=tree.township_a.pk)
    start = township.numchild
    for i in range(start, start + n):
        village = Region.objects.add_child(
            township, {"name": f"新村{i:03d}", "level": Level.VILLAGE}
        )
        township.refresh_from_db()
        household = add_household(village, f"N{i}", people=2, member=True)
        head = household.residents.first()
        CadrePost.objects.create(
            person=head, region=village, post=Post.SECRETARY, start_date=dt.date(2021, 1, 1)
        )


@pytest.mark.parametrize("name", ["region", "households", "residents", "members", "cadres"])
def test_pages_keep_a_constant_query_count(
    client, tree, county_user, django_assert_num_queries, name
):
    client.force_login(county_user)
    url = reverse(name, args=[tree.township_a.pk])
    _grow(tree, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(tree, 20)
    with django_assert_num_queries(len(small)):
        assert client.get(url).status_code == 200


# --- Cadre structure: the page's figures equal the same figures computed in SQL -----------------

TEAM = [
    # (village, birth date, education, posts)
    ("a1", dt.date(1990, 5, 1), Education.BACHELOR, [Post.SECRETARY, Post.DIRECTOR]),
    ("a1", dt.date(1975, 12, 31), Education.SENIOR, [Post.COMMITTEE]),
    ("a1", dt.date(1968, 2, 29), Education.JUNIOR, [Post.COMMITTEE]),
    ("a2", dt.date(1992, 11, 23), Education.COLLEGE, [Post.SECRETARY]),
    ("a2", dt.date(1961, 11, 24), Education.PRIMARY, [Post.DIRECTOR]),
    ("a2", dt.date(1985, 6, 15), Education.COLLEGE, [Post.COMMITTEE, Post.CHRONICLER]),
]

SQL_SQLITE = """
SELECT AVG(age), 100.0 * SUM(age <= 35) / COUNT(*), 100.0 * SUM(edu IN ('college','bachelor','postgraduate')) / COUNT(*)
FROM (SELECT DISTINCT r.id,
        (CAST(strftime('%%Y', %(today)s) AS INTEGER) - CAST(strftime('%%Y', r.birth_date) AS INTEGER))
        - (strftime('%%m-%%d', %(today)s) < strftime('%%m-%%d', r.birth_date)) AS age,
        r.education AS edu
      FROM regions_cadrepost p JOIN regions_resident r ON r.id = p.person_id
      JOIN regions_region g ON g.id = p.region_id
      WHERE g.path LIKE %(prefix)s AND p.post IN ('secretary','director','committee')
        AND p.start_date <= %(today)s AND (p.end_date IS NULL OR p.end_date >= %(today)s)) t
"""
SQL_POSTGRES = """
SELECT AVG(age), 100.0 * SUM(CASE WHEN age <= 35 THEN 1 ELSE 0 END) / COUNT(*),
       100.0 * SUM(CASE WHEN edu IN ('college','bachelor','postgraduate') THEN 1 ELSE 0 END) / COUNT(*)
FROM (SELECT DISTINCT r.id, date_part('year', age(%(today)s::date, r.birth_date)) AS age,
        r.education AS edu
      FROM regions_cadrepost p JOIN regions_resident r ON r.id = p.person_id
      JOIN regions_region g ON g.id = p.region_id
      WHERE g.path LIKE %(prefix)s AND p.post IN ('secretary','director','committee')
        AND p.start_date <= %(today)s AND (p.end_date IS NULL OR p.end_date >= %(today)s)) t
"""
SQL_ONE_SHOULDER = """
SELECT COUNT(DISTINCT s.region_id) FROM regions_cadrepost s
JOIN regions_cadrepost d ON d.person_id = s.person_id AND d.region_id = s.region_id
JOIN regions_region g ON g.id = s.region_id
WHERE s.post = 'secretary' AND d.post = 'director' AND g.path LIKE %(prefix)s
  AND s.end_date IS NULL AND d.end_date IS NULL
"""


def figures_by_sql(region: Region, today: dt.date) -> dict[str, float]:
    params = {"today": today.isoformat(), "prefix": region.path + "%"}
    sql = SQL_POSTGRES if connection.vendor == "postgresql" else SQL_SQLITE
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        avg, young, college = cursor.fetchone()
        cursor.execute(SQL_ONE_SHOULDER, params)
        (one_shoulder,) = cursor.fetchone()
    return {
        "average_age": round(float(avg), 1),
        "share_35_or_under": round(float(young), 1),
        "share_college": round(float(college), 1),
        "one_shoulder": one_shoulder,
    }


def test_cadre_structure_on_the_page_equals_sql(client, tree, county_user, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))
    villages = {"a1": tree.village_a1, "a2": tree.village_a2}
    for i, (key, birth, education, posts) in enumerate(TEAM):
        person = Resident.objects.create(
            region=villages[key], name=f"干部{i}", sex="F", birth_date=birth, education=education
        )
        for post in posts:
            CadrePost.objects.create(
                person=person, region=villages[key], post=post, start_date=dt.date(2021, 1, 1)
            )
    # A former cadre whose post ended does not count.
    gone = Resident.objects.create(
        region=tree.village_a1, name="离任", sex="M", birth_date=dt.date(1950, 1, 1)
    )
    CadrePost.objects.create(
        person=gone,
        region=tree.village_a1,
        post=Post.SECRETARY,
        start_date=dt.date(2015, 1, 1),
        end_date=dt.date(2020, 12, 31),
    )
    expected = figures_by_sql(tree.township_a, dt.date(2026, 11, 23))
    # Hand check of the same data: ages 36, 50, 58, 34 (birthday today), 64 (tomorrow), 41.
    assert expected == {
        "average_age": 47.2,
        "share_35_or_under": 16.7,
        "share_college": 50.0,
        "one_shoulder": 1,
    }
    client.force_login(county_user)
    html = client.get(reverse("region", args=[tree.township_a.pk])).content.decode()
    shown = dict(re.findall(r'data-figure="(\w+)">([\d.]+)', html))
    assert float(shown["average_age"]) == expected["average_age"]
    assert float(shown["share_35_or_under"]) == expected["share_35_or_under"]
    assert float(shown["share_college"]) == expected["share_college"]
    assert int(shown["one_shoulder"]) == expected["one_shoulder"]
    assert int(shown["people"]) == 6


def test_a_village_page_counts_each_villager_group(client, tree, county_user):
    first = add_household(tree.village_a1, "A1-001", people=3, member=True)
    first.group = tree.group_a1
    first.save(update_fields=["group"])
    add_household(tree.village_a1, "A1-002", people=2)  # no group recorded
    client.force_login(county_user)
    html = client.get(reverse("region", args=[tree.village_a1.pk])).content.decode()
    row = re.search(r"一组</a></td><td>村民小组</td>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["1", "3", "1", "0"]


def test_the_interface_is_chinese_whatever_the_browser_asks(client, tree, county_user):
    client.force_login(county_user)
    html = client.get(
        reverse("region", args=[tree.county.pk]), headers={"Accept-Language": "en-US,en"}
    ).content.decode()
    assert '<html lang="zh-hans">' in html
    assert '<option value="zh-hans" selected>' in html


def test_english_is_one_choice_away(client, tree, county_user):
    client.force_login(county_user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("region", args=[tree.township_a.pk])).content.decode()
    assert '<html lang="en">' in html
    assert "Village two-committee teams" in html
    assert "Sub-regions" in html
