"""/api/v1/stars/results: the distribution JSON, the villages' results and the Word notice, the
twins of the results pages; out of scope answers 404 like a missing region."""

from __future__ import annotations

import io

import pytest
from docx import Document

from zhenxing.api.tests.test_api import token_for
from zhenxing.stars.models import AppState
from zhenxing.stars.tests.results_factory import make_standard, publish

pytestmark = pytest.mark.django_db
BASE = "/api/v1/stars/results/regions"


@pytest.fixture
def results(tree):
    standard = make_standard()
    publish(tree.village_a1, standard, 4)
    publish(tree.village_a2, standard, 1, state=AppState.PUBLISHED)
    publish(tree.village_b1, standard, 3)
    return standard


def test_the_distribution_by_township_with_the_share(client, county_user, results, tree):
    headers = token_for(client, "county_u")
    response = client.get(f"{BASE}/{tree.county.pk}?year=2026", headers=headers)

    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2026 and body["years"] == [2026]
    assert body["total"] == {
        "villages": 3,
        "unrated": 0,
        "counts": {"0": 0, "1": 1, "2": 0, "3": 1, "4": 1, "5": 0},
        "three_or_more": 66.7,
    }
    children = {c["name"]: c for c in body["children"]}
    assert children["甲镇"]["region_id"] == tree.township_a.pk
    assert children["甲镇"]["three_or_more"] == 50.0
    assert children["乙镇"]["counts"]["3"] == 1


def test_the_villages_of_a_township_with_their_stars(client, township_a_user, results, tree):
    headers = token_for(client, "township_a_u")
    response = client.get(f"{BASE}/{tree.township_a.pk}/villages", headers=headers)

    assert response.status_code == 200
    assert [(v["name"], v["stars"], v["state"]) for v in response.json()] == [
        ("东村", 4, "final"),
        ("西村", 1, "published"),
    ]
    assert [s["name"] for s in response.json()[1]["held"]] == ["文明幸福星"]
    for url in (f"{BASE}/{tree.township_b.pk}", f"{BASE}/{tree.county.pk}/villages"):
        assert client.get(url, headers=headers).status_code == 404


def test_the_notice_for_the_county_only(client, county_user, township_a_user, results, tree):
    headers = token_for(client, "county_u")
    url = f"{BASE}/{tree.county.pk}/notice?year=2026&number=3&date=2026-12-01"
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    texts = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert "县组通〔2026〕3号" in texts and texts[-1] == "2026年12月1日"

    bad = client.get(f"{BASE}/{tree.county.pk}/notice?year=2024", headers=headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "year"
    assert (
        client.get(f"{BASE}/{tree.county.pk}/notice?number=x", headers=headers).status_code == 422
    )

    township = token_for(client, "township_a_u")
    refused = client.get(f"{BASE}/{tree.township_a.pk}/notice?year=2026", headers=township)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "创星结果通报由县委组织部印发"
    assert client.get(f"{BASE}/{tree.county.pk}/notice", headers=township).status_code == 404
