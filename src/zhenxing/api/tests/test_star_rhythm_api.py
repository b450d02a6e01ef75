"""/api/v1/stars/rhythm: the API twins of the 创星推进 pages; out of scope answers 404."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zhenxing.core.periods import Period
from zhenxing.stars.models import SiteReview, SiteReviewScore, WeeklyReport
from zhenxing.stars.services.rhythm import ranking_snapshot_take
from zhenxing.stars.tests.test_rhythm import STANDARD, apply, task

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
BASE = "/api/v1/stars/rhythm"


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 18, 10, tzinfo=TZ), tick=False)


@pytest.fixture
def standard(db):
    from zhenxing.stars.services import standard_load

    return standard_load(text=STANDARD)


def test_a_village_files_its_report_and_the_township_sees_who_has_not(
    client, tree, standard, village_a1_user, township_a_user
):
    road = task(apply(standard, tree.village_a1), "2026-12-01", title="硬化进村道路")
    other = task(apply(standard, tree.village_a2), "2026-12-01", title="西村任务")
    client.force_login(village_a1_user)
    url = f"{BASE}/regions/{tree.village_a1.pk}/weekly"
    response = client.post(url, {"done": ""}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "done", "message": "请填写本周进展：做了哪些事、推进了哪项任务"}
    ]
    response = client.post(
        url, {"done": "道路测量", "task_ids": [other.pk]}, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "task_ids"
    response = client.post(
        url, {"done": "道路测量", "task_ids": [road.pk]}, content_type="application/json"
    )
    body = response.json()
    assert response.status_code == 200 and body["created"] and body["week"] == "2026W47"
    assert body["task_ids"] == [road.pk]
    response = client.post(
        f"{BASE}/regions/{tree.village_a2.pk}/weekly",
        {"done": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404  # 西村 is not the village's
    client.force_login(township_a_user)
    body = client.get(f"{BASE}/regions/{tree.township_a.pk}/weekly?week=2026W47").json()
    assert (body["filed"], body["missing"]) == (1, 1)
    assert body["townships"][0]["missing"] == [{"village_id": tree.village_a2.pk, "name": "西村"}]
    response = client.post(url, {"done": "代填"}, content_type="application/json")
    assert response.status_code == 403 and "村党支部书记" in response.json()["detail"]
    assert WeeklyReport.objects.count() == 1
    assert client.get(f"{BASE}/regions/{tree.township_b.pk}/weekly").status_code == 404
    bad = client.get(f"{BASE}/regions/{tree.township_a.pk}/weekly?week=2026-11")
    assert bad.status_code == 422


def test_the_ranking_and_its_archive(client, tree, standard, township_a_user, county_user):
    task(apply(standard, tree.village_a1), "2026-10-01", "2026-10-01")
    apply(standard, tree.village_a2)
    client.force_login(township_a_user)
    url = f"{BASE}/regions/{tree.township_a.pk}/ranking"
    body = client.get(url).json()
    assert body["month"] == "2026-10" and not body["archived"]
    assert [(r["name"], r["rank"], r["score"]) for r in body["townships"][0]["rows"]] == [
        ("东村", 1, "100.0"),
        ("西村", 2, "0.0"),
    ]
    response = client.post(url, {"month": "2026-11"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "2026年11月尚未结束，月底之后才能存档排序"
    response = client.post(url, {"month": "2026-10"}, content_type="application/json")
    assert response.json() == {"region_id": tree.township_a.pk, "month": "2026-10", "written": 2}
    assert client.get(url).json()["archived"]
    other = f"{BASE}/regions/{tree.township_b.pk}/ranking"
    assert client.get(other).status_code == 404
    assert (
        client.post(other, {"month": "2026-10"}, content_type="application/json").status_code == 404
    )
    ranking_snapshot_take(month=Period.parse("2026-10"), region=tree.county)  # 乙镇 too


def test_site_reviews_are_recorded_and_scored(client, tree, township_a_user, village_a1_user):
    client.force_login(township_a_user)
    url = f"{BASE}/regions/{tree.township_a.pk}/reviews"
    response = client.post(
        url,
        {"village_id": tree.village_b1.pk, "visited_on": "2026-11-12"},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "village_id"
    response = client.post(
        url,
        {"village_id": tree.village_a1.pk, "visited_on": "2026-11-12", "note": "环境整治"},
        content_type="application/json",
    )
    review = response.json()
    assert review["quarter"] == "2026Q4" and review["scored"] == 0
    score_url = f"{BASE}/reviews/{review['id']}"
    response = client.post(
        score_url,
        {"scores": [{"reviewer": "王建国", "score": 95}, {"reviewer": "李梅", "score": -3}]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "scores", "message": "第2行（李梅）：得分须在 0 到 100 之间"}
    ]
    assert not SiteReviewScore.objects.exists()
    response = client.post(
        score_url,
        {"scores": [{"reviewer": "王建国", "score": 95}, {"reviewer": "李梅", "score": "90.5"}]},
        content_type="application/json",
    )
    assert response.json()["average"] == "92.8" and response.json()["scored"] == 2
    body = client.get(f"{url}?quarter=2026Q4").json()
    assert [(r["name"], r["average"]) for r in body["reviews"]] == [("东村", "92.8")]
    client.force_login(village_a1_user)
    assert client.get(score_url).json()["scores"][0]["reviewer"] == "王建国"
    response = client.post(
        score_url, {"scores": [{"reviewer": "村民", "score": 100}]}, content_type="application/json"
    )
    assert response.status_code == 403
    hidden = SiteReview.objects.create(
        quarter="2026Q4", village=tree.village_b1, visited_on=dt.date(2026, 11, 1)
    )
    assert client.get(f"{BASE}/reviews/{hidden.pk}").status_code == 404
    response = client.post(
        f"{BASE}/reviews/{hidden.pk}",
        {"scores": [{"reviewer": "某人", "score": 100}]},
        content_type="application/json",
    )
    assert response.status_code == 404
