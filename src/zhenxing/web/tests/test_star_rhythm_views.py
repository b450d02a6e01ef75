"""The 创星推进 pages: a village files its weekly report; the township sees who has not filed, the
monthly ranking with its movement, and records site reviews with scores."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhenxing.core.periods import Period
from zhenxing.regions.models import Level, Region
from zhenxing.stars.models import RankingSnapshot, SiteReview, WeeklyReport
from zhenxing.stars.services.rhythm import ranking_snapshot_take
from zhenxing.stars.tests.test_rhythm import STANDARD, apply, task

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 18, 10, tzinfo=TZ)  # week 47


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def standard(db):
    from zhenxing.stars.services import standard_load

    return standard_load(text=STANDARD)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_menu_lands_a_village_on_its_weekly_report(client, tree, village_a1_user):
    client.force_login(village_a1_user)
    response = client.get(reverse("stars_rhythm"))
    assert response.url == reverse("stars_rhythm_weekly", args=[tree.village_a1.pk])
    assert "创星推进" in client.get(response.url).content.decode()


def test_a_village_files_and_corrects_its_weekly_report(client, tree, standard, village_a1_user):
    road = task(apply(standard, tree.village_a1), "2026-12-01", title="硬化进村道路")
    client.force_login(village_a1_user)
    url = reverse("stars_rhythm_weekly", args=[tree.village_a1.pk])
    page = text(client.get(url))
    assert "2026年第47周周汇报" in page and "本周未报" in page and "硬化进村道路" in page
    response = client.post(url, {"done": "", "blockers": ""})
    assert "请填写本周进展" in text(response) and not WeeklyReport.objects.exists()
    response = client.post(url, {"done": "完成道路测量", "tasks": [road.pk]}, follow=True)
    assert "已提交2026年第47周的周汇报" in text(response)
    response = client.post(
        url, {"done": "完成道路测量和招标", "blockers": "资金未到位"}, follow=True
    )
    page = text(response)
    assert "已修改2026年第47周的周汇报" in page and "资金未到位" in page
    report = WeeklyReport.objects.get()
    assert report.done == "完成道路测量和招标" and report.submitted_by == village_a1_user


def test_the_township_sees_who_has_not_filed_with_a_constant_query_count(
    client, tree, standard, township_a_user, village_a1_user, django_assert_num_queries
):
    client.force_login(village_a1_user)
    client.post(reverse("stars_rhythm_weekly", args=[tree.village_a1.pk]), {"done": "开会"})
    client.force_login(township_a_user)
    url = reverse("stars_rhythm_weekly", args=[tree.township_a.pk])
    page = text(client.get(url))
    assert "已报 1 / 共 2 个村" in page and "未报： 西村" in page
    assert "南村" not in page  # township B's
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(27):
        Region.objects.add_child(
            Region.objects.get(pk=tree.township_a.pk), {"name": f"新村{i}", "level": Level.VILLAGE}
        )
    with django_assert_num_queries(len(small)):
        assert "已报 1 / 共 29 个村" in text(client.get(url))
    assert client.get(reverse("stars_rhythm_weekly", args=[tree.township_b.pk])).status_code == 404


def test_the_township_sees_the_monthly_ranking_with_movement_at_a_constant_query_count(
    client, tree, standard, township_a_user, django_assert_num_queries
):
    east, west = apply(standard, tree.village_a1), apply(standard, tree.village_a2)
    task(west, "2026-09-10", "2026-09-10")
    task(east, "2026-09-12")
    ranking_snapshot_take(month=Period.parse("2026-09"), region=tree.county)
    for day in (5, 6, 7):
        task(east, f"2026-10-0{day}", "2026-10-01")
    task(west, "2026-10-15")
    client.force_login(township_a_user)
    url = reverse("stars_rhythm_ranking", args=[tree.township_a.pk])
    page = text(client.get(url))  # October (last month), not yet archived
    assert "2026年10月排序尚未存档" in page and "存档2026年10月排序" in page
    response = client.post(
        reverse("stars_rhythm_archive", args=[tree.township_a.pk]),
        {"month": "2026-10"},
        follow=True,
    )
    page = text(response)
    assert "已存档2026年10月排序：2 个村" in page and "排序已于" in page
    assert re.search(r"1 东村 75\.0 ↑1 — 75\.0%", page)
    assert re.search(r"2 西村 50\.0 ↓1 — 50\.0%", page)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    live_url = f"{url}?month=2026-11"
    with CaptureQueriesContext(connection) as small_live:
        client.get(live_url)
    for i in range(27):
        village = Region.objects.add_child(
            Region.objects.get(pk=tree.township_a.pk), {"name": f"新村{i}", "level": Level.VILLAGE}
        )
        if i % 2:
            task(apply(standard, village), "2026-11-01", "2026-11-01")
    with django_assert_num_queries(len(small)):
        client.get(url)
    with django_assert_num_queries(len(small_live)):
        page = text(client.get(live_url))
    assert "尚未制定创星目标（不参与排序）" in page and "新村0" in page


def test_a_village_sees_only_its_own_archived_rank(client, tree, standard, village_a1_user):
    apply(standard, tree.village_a1)
    task(apply(standard, tree.village_a2), "2026-10-01", "2026-10-01")
    ranking_snapshot_take(month=Period.parse("2026-10"), region=tree.county)
    client.force_login(village_a1_user)
    page = text(client.get(reverse("stars_rhythm_ranking", args=[tree.village_a1.pk])))
    assert "东村" in page and "西村" not in page
    assert re.search(r"2 东村 0\.0", page)
    response = client.post(
        reverse("stars_rhythm_archive", args=[tree.village_a1.pk]),
        {"month": "2026-09"},
        follow=True,
    )
    assert "月度排序由乡镇或县级管理员存档" in text(response)
    page = text(client.get(reverse("stars_rhythm_weekly", args=[tree.village_a1.pk])))
    assert "第2名" in page and "2026年10月乡镇内排名" in page


def test_the_township_records_a_site_review_and_its_scores(client, tree, township_a_user):
    client.force_login(township_a_user)
    url = reverse("stars_rhythm_reviews", args=[tree.township_a.pk])
    response = client.post(url, {"village": tree.village_a2.pk, "visited_on": "2026-11-12"})
    review = SiteReview.objects.get()
    assert response.url == reverse("stars_rhythm_review", args=[review.pk])
    assert review.quarter == "2026Q4"
    response = client.post(response.url, {"scores": "王建国 92\n李梅 120 很好"})
    assert "第2行（李梅）：得分须在 0 到 100 之间" in text(response)
    response = client.post(
        reverse("stars_rhythm_review", args=[review.pk]),
        {"scores": "王建国 92\n李梅 88 亮点突出"},
        follow=True,
    )
    page = text(response)
    assert "已录入 2 位评分人的得分" in page and "90.0" in page and "亮点突出" in page
    page = text(client.get(url))
    assert re.search(r"1 西村 2026年11月12日 2 90\.0", page)
    assert RankingSnapshot.objects.count() == 0
