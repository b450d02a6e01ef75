"""The star results pages (创星结果): the county sees its townships' distribution and downloads the
Word notice; a township sees its villages; out of scope is 404; the year selector picks the year."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from zhenxing.stars.models import AppState
from zhenxing.stars.tests.results_factory import add_villages, make_standard, publish

pytestmark = pytest.mark.django_db


def page_url(region, year=None):
    url = reverse("star_results_region", args=[region.pk])
    return f"{url}?year={year}" if year else url


def notice_url(region, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{reverse('star_results_notice', args=[region.pk])}?{query}"


@pytest.fixture
def results(tree):
    standard = make_standard()
    publish(tree.village_a1, standard, 5)
    publish(tree.village_a2, standard, 2, state=AppState.PUBLISHED)
    publish(tree.village_b1, standard, 3, revoked=1)
    publish(tree.village_b1, make_standard(2025), 1)
    return standard


def figure(html: str, attr: str) -> str:
    """The text of the element carrying ``attr`` (e.g. 'data-level="5"')."""
    match = re.search(rf"{re.escape(attr)}>([^<]*)<", html)
    assert match, attr
    return match.group(1)


def test_the_county_sees_each_townships_distribution_and_share(client, county_user, results, tree):
    client.force_login(county_user)
    html = client.get(page_url(tree.county)).content.decode()

    assert "2026年度创星结果" in html
    assert figure(html, 'data-results="villages"') == "3"
    assert figure(html, 'data-results="three-or-more"') == "66.7%"
    assert figure(html, 'data-level="5"') == "1" and figure(html, 'data-level="2"') == "1"
    assert figure(html, f'data-share="{tree.township_a.pk}"') == "50.0%"
    assert figure(html, f'data-share="{tree.township_b.pk}"') == "100.0%"
    chart = json.loads(re.search(r'id="data-results"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert chart["categories"] == ["乙镇", "甲镇"]
    five = next(s for s in chart["series"] if s["stars"] == 5)
    assert five["data"] == [0, 1]
    assert chart["share"] == [100.0, 50.0]
    assert "下载Word通报" in html


def test_the_year_selector_shows_another_year(client, county_user, results, tree):
    client.force_login(county_user)
    html = client.get(page_url(tree.county, 2025)).content.decode()
    assert "2025年度创星结果" in html
    assert figure(html, 'data-results="villages"') == "1"
    assert figure(html, 'data-level="1"') == "1"
    assert '<option value="2026">' in html and '<option value="2025" selected>' in html
    empty = client.get(page_url(tree.county, 2024)).content.decode()
    assert "2024年度还没有已公示或已认定的评定结果" in empty
    assert 'id="result-estimate"' not in empty  # no evaluation of 2024 either


def test_a_year_without_a_result_shows_the_estimate_labelled(client, county_user, tree):
    """No 评定结果 for the year: the page says so and shows the 测评, named as such, with its time;
    the results API does the same (``estimate``)."""
    from zhenxing.accounts.scoping import scope_for
    from zhenxing.core.periods import Period
    from zhenxing.stars.services import evaluation_run, standard_load
    from zhenxing.stars.tests.test_evaluation import STANDARD

    standard = standard_load(text=STANDARD)
    run = evaluation_run(
        standard=standard,
        region=tree.county,
        period=Period.parse("2026"),
        scope=scope_for(county_user),
    )
    client.force_login(county_user)
    html = client.get(page_url(tree.county, 2026)).content.decode()
    assert "2026年度还没有已公示或已认定的评定结果" in html
    assert 'id="result-estimate"' in html and "不是评定结果" in html
    assert figure(html, 'data-estimate="villages"') == "3"
    token = client.post(
        "/api/v1/auth/token",
        {"username": county_user.username, "password": "correct-horse-9"},
        content_type="application/json",
    ).json()["token"]
    body = client.get(
        f"/api/v1/stars/results/regions/{tree.county.pk}?year=2026",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert body["figure"] == "评定结果" and body["total"]["villages"] == 0
    assert body["estimate"]["figure"] == "测评" and body["estimate"]["run_id"] == run.pk
    assert body["estimate"]["villages"] == 3


def test_a_township_sees_its_villages_and_their_stars_only(client, township_a_user, results, tree):
    client.force_login(township_a_user)
    html = client.get(page_url(tree.township_a)).content.decode()

    assert figure(html, f'data-held="{tree.village_a1.pk}"') == "5"
    assert figure(html, f'data-held="{tree.village_a2.pk}"') == "2"
    assert "公示中" in html and "已认定" in html
    assert "南村" not in html
    assert "下载Word通报" not in html
    assert client.get(page_url(tree.township_b)).status_code == 404
    assert client.get(page_url(tree.county)).status_code == 404


def test_the_menu_lands_on_the_home_region(client, village_a1_user, tree):
    client.force_login(village_a1_user)
    response = client.get(reverse("star_results"))
    assert response.status_code == 302 and response.url == page_url(tree.village_a1)


def test_the_county_downloads_the_word_notice(client, county_user, results, tree):
    client.force_login(county_user)
    response = client.get(
        notice_url(tree.county, year=2026, prefix="清组通", number=12, date="2026-12-01")
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    texts = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert "清组通〔2026〕12号" in texts
    assert "关于2026年度“五星支部”创建结果的通报" in texts
    assert "（一）乙镇" in texts and "（二）甲镇" in texts
    assert texts[-1] == "2026年12月1日"


def test_the_notice_refuses_bad_input_and_other_roles(
    client, county_user, township_a_user, results, tree
):
    client.force_login(county_user)
    response = client.get(notice_url(tree.county, year=2026, number="十二"), follow=True)
    assert "文号：请填写 1 至 4 位数字的序号" in response.content.decode()
    response = client.get(notice_url(tree.county, year=2026, prefix="QZT"), follow=True)
    assert "机关代字：请填写 1 至 8 个汉字" in response.content.decode()
    response = client.get(notice_url(tree.county, year=2026, date="2026-13-01"), follow=True)
    assert "成文日期：请按“2026-12-01”的格式填写" in response.content.decode()
    response = client.get(notice_url(tree.county, year=2024), follow=True)
    assert "2024年度还没有已公示或已认定的创星结果" in response.content.decode()

    client.force_login(township_a_user)
    response = client.get(notice_url(tree.township_a, year=2026))
    assert response.status_code == 302
    assert "创星结果通报由县委组织部印发" in client.get(response.url).content.decode()
    assert client.get(notice_url(tree.county, year=2026)).status_code == 404


def test_the_county_and_township_pages_take_as_many_queries_for_2_as_for_12_villages(
    client, county_user, tree
):
    standard = make_standard()
    client.force_login(county_user)

    def queries_with(villages_per_township: int) -> tuple[int, int]:
        for township in (tree.township_a, tree.township_b):
            for i, village in enumerate(
                add_villages(
                    township, villages_per_township, f"{township.name}{villages_per_township}"
                )
            ):
                publish(village, standard, i % 6)
        counts = []
        for region in (tree.county, tree.township_a):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(page_url(region)).status_code == 200
            counts.append(len(queries))
        return counts[0], counts[1]

    assert queries_with(2) == queries_with(10)
