"""五好乡镇党委 on the star pages: the county's run also evaluates the townships; the county page
ranks them, a township's page shows its five goods with their gaps."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhenxing.stars.management.commands.stars_load import DEFAULT, TOWNSHIP_DEFAULT
from zhenxing.stars.models import EvaluationRun, StandardKind
from zhenxing.stars.services import standard_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def standards(db):
    return [standard_load(text=f.read_text(encoding="utf-8")) for f in (DEFAULT, TOWNSHIP_DEFAULT)]


def page_url(region):
    return reverse("stars_region", args=[region.pk])


def test_the_county_run_evaluates_townships_and_ranks_them(
    client, tree, standards, county_user, township_a_user
):
    client.force_login(county_user)
    response = client.post(reverse("stars_run", args=[tree.county.pk]), follow=True)
    html = response.content.decode()
    assert "测评 3 个村（社区）" in html
    assert "已按“五好乡镇党委创建标准（示意，待本地确认）（2026.1）”测评 2 个乡镇" in html
    assert EvaluationRun.objects.get(standard__kind=StandardKind.TOWNSHIP).villages == 2
    assert "五好乡镇党委 · 各乡镇排名" in html
    assert "甲镇" in html and "乙镇" in html
    # The village ranking still lists villages, not townships.
    assert f'data-met="{tree.village_a1.pk}"' in html
    assert f'data-met="{tree.township_a.pk}"' not in html
    assert f'data-goods-met="{tree.township_a.pk}"' in html

    client.force_login(township_a_user)
    html = client.get(page_url(tree.township_a)).content.decode()
    assert "五好乡镇党委创建" in html
    for good in ("领导班子好", "队伍建设好", "发展质量好", "基层治理好", "服务群众好"):
        assert good in html
    assert "村党组织书记 45 岁以下的占三成以上" in html
    assert "尚无数据：请先录入相关台账" in html  # no secretary registered in the test tree
    assert "待评审：请上传佐证材料" in html
    assert 'data-indicator="reserve"' in html
    assert "各乡镇排名" not in html  # a township sees itself, not the ranking
    assert client.get(page_url(tree.township_b)).status_code == 404


def test_a_village_page_does_not_show_the_township_goods(
    client, tree, standards, county_user, village_a1_user
):
    client.force_login(county_user)
    client.post(reverse("stars_run", args=[tree.county.pk]))
    client.force_login(village_a1_user)
    html = client.get(page_url(tree.village_a1)).content.decode()
    assert "创星差距清单" in html and "领导班子好" not in html
