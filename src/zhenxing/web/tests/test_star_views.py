"""The star pages: the county runs an evaluation; townships see the ranking, villages the gap list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhenxing.stars.models import EvaluationRun
from zhenxing.stars.services import standard_load
from zhenxing.stars.standards import SHIPPED

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard(db):
    return standard_load(text=(SHIPPED / "henan-village-2026.yaml").read_text(encoding="utf-8"))


def run_url(region):
    return reverse("stars_run", args=[region.pk])


def page_url(region):
    return reverse("stars_region", args=[region.pk])


def test_the_county_runs_an_evaluation_and_the_township_sees_its_villages_ranked(
    client, tree, standard, county_user, township_a_user
):
    client.force_login(county_user)
    assert "还没有测评结果" in client.get(page_url(tree.county)).content.decode()
    response = client.post(run_url(tree.county), follow=True)
    assert (
        "已按“五星支部创建标准（示意，待本地确认）（2026.1）”测评 3 个村（社区）"
        in response.content.decode()
    )
    assert EvaluationRun.objects.get().villages == 3
    client.force_login(township_a_user)
    html = client.get(page_url(tree.township_a)).content.decode()
    assert "示意标准，待本地确认" in html
    assert "东村" in html and "西村" in html and "南村" not in html  # 南村 is township B's
    assert "重新测评" not in html  # only the county runs evaluations
    response = client.post(run_url(tree.township_a), follow=True)
    assert "测评由县委组织部发起" in response.content.decode()
    assert EvaluationRun.objects.count() == 1


def test_a_village_sees_its_gap_list(client, tree, standard, county_user, village_a1_user):
    client.force_login(county_user)
    client.post(run_url(tree.county))
    client.force_login(village_a1_user)
    html = client.get(page_url(tree.village_a1)).content.decode()
    assert "创星差距清单" in html
    assert "村集体经济经营性收入不少于 20 万元" in html
    assert "尚无数据：请先录入相关台账" in html  # nothing entered in the test village
    assert "待评审：请上传佐证材料" in html  # the judged indicators
    assert client.get(page_url(tree.village_b1)).status_code == 404  # out of scope


def test_the_stars_menu_lands_on_the_home_region(client, tree, village_a1_user):
    client.force_login(village_a1_user)
    response = client.get(reverse("stars"))
    assert response.status_code == 302 and response.url == page_url(tree.village_a1)
