"""Figures and actions of the pages in the API, under the same names: an evaluation run through
the API (the page's 重新测评) with every village's indicator values and star outcomes, a
standard's star and indicator ids, the income sources. Real client, live server."""

from __future__ import annotations

import pytest

from zhenxing.api.tests.live import API, token_client
from zhenxing.ledgers.models.income import IncomeSource
from zhenxing.stars.models import EvaluationRun, Indicator, Star
from zhenxing.stars.services import standard_load
from zhenxing.stars.tests.test_rhythm import STANDARD

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_evaluation_runs_through_the_api_and_returns_every_village(
    live_server, tree, county_user, township_a_user
):
    IncomeSource.objects.get_or_create(name="资产租赁")  # a transactional flush may have emptied it
    standard = standard_load(text=STANDARD)
    county = token_client(live_server.url, "county_u")
    detail = county.get(f"{API}/stars/standards/{standard.pk}").json()
    assert [s["id"] for s in detail["stars"]] == list(
        Star.objects.filter(standard=standard).order_by("sort").values_list("pk", flat=True)
    )
    indicator_ids = {i["id"] for s in detail["stars"] for i in s["indicators"]}
    assert indicator_ids == set(
        Indicator.objects.filter(star__standard=standard).values_list("pk", flat=True)
    )
    url = f"{API}/stars/standards/{standard.pk}/evaluations"
    run = county.post(url, json={"region_id": tree.township_a.pk})
    assert run.status_code == 201, run.text
    body = run.json()
    assert body["period"] == str(standard.year) and body["units"] == 2
    assert EvaluationRun.objects.get().pk == body["run_id"]
    assert [u["name"] for u in body["results"]] == ["东村", "西村"]
    for unit in body["results"]:
        assert {i["indicator_id"] for i in unit["indicators"]} == indicator_ids
        assert len(unit["stars"]) == len(detail["stars"])
        assert unit["stars_met"] == sum(s["outcome"] == "met" for s in unit["stars"])
        assert all(
            i["outcome"] in {"met", "not_met", "no_data", "pending"} for i in unit["indicators"]
        )
    bad = county.post(url, json={"region_id": tree.township_a.pk, "period": "明年"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "period"
    township = token_client(live_server.url, "township_a_u")
    refused = township.post(url, json={"region_id": tree.township_a.pk})
    assert refused.status_code == 403 and refused.json()["detail"] == "测评由县委组织部发起"
    assert township.post(url, json={"region_id": tree.township_b.pk}).status_code == 404
    assert EvaluationRun.objects.count() == 1
    sources = township.get(f"{API}/ledgers/income/sources").json()
    assert [s["name"] for s in sources] == list(
        IncomeSource.objects.filter(active=True).values_list("name", flat=True)
    )
    assert sources
    for client in (county, township):
        client.close()
